package web

import (
	"net/http"

	"github.com/contest-ct/contest"
)

// renderError shows an error page. The message is already safe to show.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, status int, code, msg string) {
	h := &handler{s}
	title := http.StatusText(status)
	switch code {
	case contest.ENOTFOUND:
		title = "Page not found"
	case contest.EFORBIDDEN:
		title = "You do not have permission"
	case contest.EUNAUTHORIZED:
		title = "Sign in to continue"
	case contest.EINTERNAL:
		title = "Sorry, there is a problem with the service"
	case contest.EAUDIT:
		title = "Sorry, the service is unavailable"
	case contest.EINVALID:
		title = "There is a problem"
	case contest.ETOOMANY:
		title = "Too many attempts"
	}
	p := &page{Title: title, Status: status, Code: code, Data: msg}
	if err := h.render(w, r, status, "error", p); err != nil {
		s.log.Error("render error page", "request_id", stateFrom(r.Context()).id, "error", err.Error())
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(title + "\n"))
	}
}

// notFound answers any path no route matches.
func (h *handler) notFound(w http.ResponseWriter, r *http.Request) error {
	return contest.Errorf(contest.ENOTFOUND, "If you typed the web address, check it is correct.")
}

// apiNotFound answers any API path no route matches.
func (h *handler) apiNotFound(w http.ResponseWriter, r *http.Request) error {
	return contest.Errorf(contest.ENOTFOUND, "No such API endpoint.")
}
