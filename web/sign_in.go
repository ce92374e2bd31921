package web

import (
	"net/http"
	"strings"

	"github.com/contest-ct/contest"
)

// signInFailed is the one message for every failed sign-in, so that it
// never tells whether an account exists or which part was wrong.
const signInFailed = "Enter a correct username, password and, if you have set one up, security code"

// showSignIn shows the sign-in form.
func (h *handler) showSignIn(w http.ResponseWriter, r *http.Request) error {
	if a := actor(r); a != nil {
		return redirect(w, r, "/")
	}
	return h.render(w, r, http.StatusOK, "sign_in", &page{Title: "Sign in"})
}

// signIn checks the credentials through the store (which throttles, locks
// out and audits), and on success starts a fresh session.
func (h *handler) signIn(w http.ResponseWriter, r *http.Request) error {
	form, err := parseForm(r)
	if err != nil {
		return h.signInError(w, r, form, http.StatusBadRequest, err)
	}
	req := contest.SignInRequest{
		Username:   strings.TrimSpace(form.Get("username")),
		Password:   form.Get("password"),
		TOTPCode:   strings.TrimSpace(form.Get("code")),
		ClientAddr: clientAddr(r),
		Via:        "web",
	}
	var fe contest.FieldErrors
	if req.Username == "" {
		fe.Add("username", "Enter your username")
	}
	if req.Password == "" {
		fe.Add("password", "Enter your password")
	}
	if err := fe.Err(); err != nil {
		return h.signInError(w, r, form, http.StatusBadRequest, err)
	}
	a, err := h.store.SignIn(r.Context(), req)
	if err != nil {
		switch contest.ErrorCode(err) {
		case contest.EUNAUTHORIZED:
			return h.signInError(w, r, form, http.StatusUnauthorized, contest.Errorf(contest.EUNAUTHORIZED, signInFailed))
		case contest.ETOOMANY, contest.EINVALID:
			return h.signInError(w, r, form, StatusFor(contest.ErrorCode(err), false), err)
		}
		return err
	}
	// A new token at every privilege change, so that a session id fixed
	// before sign-in is worthless after it.
	if err := h.sessions.RenewToken(r.Context()); err != nil {
		return err
	}
	h.sessions.Put(r.Context(), sessUserID, a.UserID)
	h.sessions.Put(r.Context(), sessEpoch, a.SessionEpoch)
	if totpPending(a) {
		return redirect(w, r, "/account/second-factor")
	}
	return redirect(w, r, "/")
}

func (h *handler) signInError(w http.ResponseWriter, r *http.Request, form map[string][]string, status int, err error) error {
	p := &page{Title: "Sign in", Form: form, ErrorMessage: contest.ErrorMessage(err), Errors: contest.ErrorFields(err)}
	if len(p.Errors) == 0 && contest.ErrorCode(err) == contest.EUNAUTHORIZED {
		// Point the summary at the first field without saying it was wrong.
		p.Errors = []contest.FieldError{{Field: "username", Message: p.ErrorMessage}}
	}
	stateFrom(r.Context()).errCode = contest.ErrorCode(err)
	h.metrics.errors.WithLabelValues(contest.ErrorCode(err)).Inc()
	return h.render(w, r, status, "sign_in", p)
}
