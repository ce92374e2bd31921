package web

import (
	"net/http"
	"strconv"

	"github.com/contest-ct/contest"
)

func checkNewPassword(pw string) error {
	var fe contest.FieldErrors
	switch {
	case pw == "":
		fe.Add("password", "Enter a new password")
	case len(pw) > maxPasswordLen:
		fe.Add("password", "Password must be 256 characters or fewer")
	}
	return fe.Err()
}

// userResetPassword sets a new password for a user, clears any lockout and
// ends their sessions.
func (h *handler) userResetPassword(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", contest.KindUser)
	if err != nil {
		return err
	}
	form, err := parseForm(r)
	if err == nil {
		pw := form.Get("password")
		if err = checkNewPassword(pw); err == nil {
			if err = h.store.ResetPassword(r.Context(), actor(r), id, pw); err == nil {
				h.setFlash(r, "Password reset. Give the user the new password by a separate, secure route.")
				return redirect(w, r, "/admin/users/"+strconv.FormatInt(id, 10))
			}
		}
	}
	if c := contest.ErrorCode(err); c == contest.EINVALID {
		return h.showUser(w, r, StatusFor(c, false), nil, err)
	}
	return err
}

// passwordInput is the body of POST /api/v1/users/{id}/password.
type passwordInput struct {
	Password string `json:"password"`
}

// apiUserResetPassword is POST /api/v1/users/{id}/password.
func (h *handler) apiUserResetPassword(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", contest.KindUser)
	if err != nil {
		return err
	}
	var in passwordInput
	if err := decodeJSON(r.Body, &in); err != nil {
		return err
	}
	if err := checkNewPassword(in.Password); err != nil {
		return err
	}
	if err := h.store.ResetPassword(r.Context(), actor(r), id, in.Password); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
