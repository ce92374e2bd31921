package contest

import (
	"errors"
	"fmt"
	"strings"
)

// Application error codes. Each maps to one HTTP status in the web package.
const (
	ECONFLICT     = "conflict"     // the record changed or already exists
	EINTERNAL     = "internal"     // anything unexpected; never shown in detail
	EINVALID      = "invalid"      // bad input; Fields says which
	ENOTFOUND     = "not_found"    // missing, or hidden from the caller: the same answer
	EUNAUTHORIZED = "unauthorized" // not signed in, or bad credentials
	EFORBIDDEN    = "forbidden"    // signed in, but the action is not allowed
	ETOOMANY      = "too_many"     // throttled
	EAUDIT        = "audit_failed" // the audit entry could not be written, so nothing happened
)

// Error is the one application error type. Message is safe to show to the
// user; anything else about the cause is logged, never shown.
type Error struct {
	Code    string
	Message string
	// Fields holds per-field messages for EINVALID, in the order found.
	Fields []FieldError
}

// FieldError is a message about one input field.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return fmt.Sprintf("contest error: code=%s message=%s", e.Code, e.Message)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "contest error: code=%s message=%s", e.Code, e.Message)
	for _, f := range e.Fields {
		fmt.Fprintf(&b, " %s=%q", f.Field, f.Message)
	}
	return b.String()
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of an application error, EINTERNAL for any
// other error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-safe message of an application error and
// "Internal error." for any other error.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// ErrorFields returns the per-field messages of an application error.
func ErrorFields(err error) []FieldError {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// NotFound is the one answer for a record that is missing or that the caller
// may not see, so that the two cannot be told apart.
func NotFound(kind Kind) *Error {
	return &Error{Code: ENOTFOUND, Message: "The " + strings.ReplaceAll(string(kind), "_", " ") + " was not found."}
}

// FieldErrors collects validation messages.
type FieldErrors []FieldError

// Add records a message for a field.
func (fe *FieldErrors) Add(field, msg string) {
	*fe = append(*fe, FieldError{Field: field, Message: msg})
}

// Err returns an EINVALID error carrying the messages, or nil if there are none.
func (fe FieldErrors) Err() error {
	if len(fe) == 0 {
		return nil
	}
	return &Error{Code: EINVALID, Message: "There is a problem with the information you gave.", Fields: fe}
}
