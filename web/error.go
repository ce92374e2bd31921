package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/contest-ct/contest"
)

// StatusFor is the one mapping from an application error code to an HTTP
// status. Invalid input is 400 in the UI and 422 in the API (documented in
// the OpenAPI document); anything that is not an application error is 500.
func StatusFor(code string, api bool) int {
	switch code {
	case contest.EINVALID:
		if api {
			return http.StatusUnprocessableEntity
		}
		return http.StatusBadRequest
	case contest.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case contest.EFORBIDDEN:
		return http.StatusForbidden
	case contest.ENOTFOUND:
		return http.StatusNotFound
	case contest.ECONFLICT:
		return http.StatusConflict
	case contest.ETOOMANY:
		return http.StatusTooManyRequests
	case contest.EAUDIT:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// errBodyTooLarge is the message for a request body over the limit.
const errBodyTooLarge = "The request is too large."

// normalise turns low-level errors a client caused into application
// errors, and leaves the rest alone.
func normalise(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return contest.Errorf(contest.EINVALID, errBodyTooLarge)
	}
	return err
}

// error writes err as an error page (UI) or RFC 9457 problem details (API,
// chosen by the /api/ path prefix), counts it by code, and logs it. An
// internal error is logged in full and shown only as "Internal error" with
// the request id, so that its text never reaches the client.
func (s *Server) error(w http.ResponseWriter, r *http.Request, err error) {
	err = normalise(err)
	code := contest.ErrorCode(err)
	st := stateFrom(r.Context())
	st.errCode = code
	api := strings.HasPrefix(r.URL.Path, "/api/")
	status := StatusFor(code, api)
	s.metrics.errors.WithLabelValues(code).Inc()
	msg := contest.ErrorMessage(err)
	if code == contest.EINTERNAL {
		s.log.Error("internal error", "request_id", st.id, "route", st.route, "error", err.Error())
		msg = "Internal error"
	} else if code == contest.EAUDIT {
		s.log.Error("audit write failed; action refused", "request_id", st.id, "route", st.route, "error", err.Error())
	}
	if api {
		writeProblem(w, r, status, code, msg, contest.ErrorFields(err), st.id)
		return
	}
	if code == contest.EUNAUTHORIZED {
		w.Header().Set("WWW-Authenticate", `Cookie realm="contest"`)
	}
	s.renderError(w, r, status, code, msg)
}

// problem is an RFC 9457 problem details object, extended with the
// application error code, the request id and per-field errors.
type problem struct {
	Type      string               `json:"type"`
	Title     string               `json:"title"`
	Status    int                  `json:"status"`
	Detail    string               `json:"detail"`
	Instance  string               `json:"instance,omitempty"`
	Code      string               `json:"code"`
	RequestID string               `json:"request_id"`
	Errors    []contest.FieldError `json:"errors,omitempty"`
}

// writeProblem writes application/problem+json.
func writeProblem(w http.ResponseWriter, r *http.Request, status int, code, detail string, fields []contest.FieldError, reqID string) {
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="contest"`)
	}
	p := problem{
		Type:      "about:blank",
		Title:     http.StatusText(status),
		Status:    status,
		Detail:    detail,
		Instance:  r.URL.Path,
		Code:      code,
		RequestID: reqID,
		Errors:    fields,
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(p)
}
