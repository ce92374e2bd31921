package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/contest-ct/contest"
)

// maxFieldLen bounds any one form field, whatever the domain allows.
const maxFieldLen = 4000

// parseForm reads a urlencoded form body (bounded by the body limit) and
// refuses fields that are not UTF-8 or are too long.
func parseForm(r *http.Request) (url.Values, error) {
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, contest.Errorf(contest.EINVALID, errBodyTooLarge)
		}
		return nil, contest.Errorf(contest.EINVALID, "The form could not be read.")
	}
	return checkValues(r.PostForm)
}

// checkValues refuses values that are not UTF-8, hold control characters
// other than tab and newline, or are too long.
func checkValues(v url.Values) (url.Values, error) {
	var fe contest.FieldErrors
	for k, vs := range v {
		for _, s := range vs {
			switch {
			case !utf8.ValidString(s) || !utf8.ValidString(k):
				fe.Add(safeField(k), "Enter text without unusual characters")
			case len(s) > maxFieldLen:
				fe.Add(safeField(k), fmt.Sprintf("Enter %d characters or fewer", maxFieldLen))
			case strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 && r != '\t' && r != '\n' && r != '\r' }):
				fe.Add(safeField(k), "Enter text without control characters")
			}
		}
	}
	if err := fe.Err(); err != nil {
		return v, err
	}
	return v, nil
}

// safeField is a field name fit to echo back as an anchor.
func safeField(k string) string {
	if k == "" || len(k) > 40 || !utf8.ValidString(k) {
		return "form"
	}
	for _, r := range k {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return "form"
		}
	}
	return k
}

// pathID reads a positive integer path value; anything else is not found,
// the same answer as for a record that does not exist.
func pathID(r *http.Request, name string, kind contest.Kind) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, contest.NotFound(kind)
	}
	return id, nil
}

// decodeJSON reads exactly one JSON object into dst. Unknown fields, wrong
// types, trailing data and over-long bodies are refused with a message
// that names the field.
func decodeJSON(r io.Reader, dst any) error {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return contest.Errorf(contest.EINVALID, "The request body must hold a single JSON object.")
	}
	return nil
}

func jsonError(err error) error {
	var mbe *http.MaxBytesError
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &mbe):
		return contest.Errorf(contest.EINVALID, errBodyTooLarge)
	case errors.Is(err, io.EOF):
		return contest.Errorf(contest.EINVALID, "The request body is empty; send a JSON object.")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return contest.Errorf(contest.EINVALID, "The request body is not complete JSON.")
	case errors.As(err, &se):
		return contest.Errorf(contest.EINVALID, "The request body is not valid JSON (at byte %d).", se.Offset)
	case errors.As(err, &te):
		if te.Field == "" {
			return contest.Errorf(contest.EINVALID, "The request body must be a JSON object.")
		}
		var fe contest.FieldErrors
		fe.Add(te.Field, fmt.Sprintf("Must be %s, not %s", jsonTypeName(te.Type.Kind().String()), te.Value))
		return fe.Err()
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		var fe contest.FieldErrors
		fe.Add(safeField(name), "Unknown field")
		return fe.Err()
	}
	return contest.Errorf(contest.EINVALID, "The request body could not be read as JSON.")
}

func jsonTypeName(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "a whole number"
	case "float32", "float64":
		return "a number"
	case "slice", "array":
		return "an array"
	case "map", "struct", "ptr":
		return "an object"
	}
	return "of another type"
}

// parseAuditFilter reads audit search filters from a query string. It is
// used by the UI and the API alike.
func parseAuditFilter(q url.Values) (contest.AuditFilter, error) {
	var f contest.AuditFilter
	var fe contest.FieldErrors
	if _, err := checkValues(q); err != nil {
		return f, err
	}
	if v := strings.TrimSpace(q.Get("user_id")); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id < 0 {
			fe.Add("user_id", "User id must be a whole number")
		}
		f.UserID = id
	}
	f.Username = strings.ToLower(strings.TrimSpace(q.Get("username")))
	if len(f.Username) > 64 {
		fe.Add("username", "Username must be 64 characters or fewer")
	}
	if v := strings.TrimSpace(q.Get("action")); v != "" {
		ok := false
		for _, a := range auditActions {
			if string(a) == v {
				ok = true
			}
		}
		if !ok {
			fe.Add("action", "Select an action from the list")
		}
		f.Action = contest.AuditAction(v)
	}
	if v := strings.TrimSpace(q.Get("kind")); v != "" {
		ok := false
		for _, o := range kindOptions()[1:] {
			if o.Value == v {
				ok = true
			}
		}
		if !ok {
			fe.Add("kind", "Select a kind of record from the list")
		}
		f.Kind = contest.Kind(v)
	}
	f.RecordID = strings.TrimSpace(q.Get("record_id"))
	if len(f.RecordID) > 100 {
		fe.Add("record_id", "Record id must be 100 characters or fewer")
	}
	switch v := strings.TrimSpace(q.Get("outcome")); v {
	case "", contest.OutcomeAllowed, contest.OutcomeDenied:
		f.Outcome = v
	default:
		fe.Add("outcome", "Outcome must be allowed or denied")
	}
	var err error
	if f.From, err = parseDate(q.Get("from"), false); err != nil {
		fe.Add("from", "From must be a date like 2026-03-27")
	}
	if f.To, err = parseDate(q.Get("to"), true); err != nil {
		fe.Add("to", "To must be a date like 2026-03-27")
	}
	if !f.From.IsZero() && !f.To.IsZero() && f.To.Before(f.From) {
		fe.Add("to", "To must be the same as or after From")
	}
	f.Value = strings.TrimSpace(q.Get("value"))
	if len(f.Value) > 500 {
		fe.Add("value", "Value must be 500 characters or fewer")
	}
	f.Limit = 50
	queryNumber(q, "limit", 1, 1000, "Limit must be a whole number from 1 to 1000", &fe, &f.Limit)
	queryNumber(q, "offset", 0, 1_000_000_000, "Offset must be a whole number, 0 or more", &fe, &f.Offset)
	return f, fe.Err()
}

// queryNumber reads the whole number name from q when it is given. One
// that is not a whole number from lo to hi adds msg to fe and leaves *dst
// as it was.
func queryNumber(q url.Values, name string, lo, hi int, msg string, fe *contest.FieldErrors, dst *int) {
	v := strings.TrimSpace(q.Get(name))
	if v == "" {
		return
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		fe.Add(name, msg)
		return
	}
	*dst = n
}

// parseDate reads YYYY-MM-DD or an RFC 3339 time. A date as an upper
// bound means the end of that day.
func parseDate(s string, end bool) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		if end {
			t = t.Add(24*time.Hour - time.Microsecond)
		}
		return t, nil
	}
	return time.Parse(time.RFC3339, s)
}

// setFlash stores a one-off message shown on the next page.
func (h *handler) setFlash(r *http.Request, msg string) {
	h.sessions.Put(r.Context(), sessFlash, msg)
}

// redirect sends the browser on after a successful form post.
func redirect(w http.ResponseWriter, r *http.Request, to string) error {
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// actor returns the request's actor; the route policy guarantees there is
// one on every route that is not public.
func actor(r *http.Request) *contest.Actor {
	return contest.ActorFromContext(r.Context())
}
