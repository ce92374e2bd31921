package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/contest-ct/contest"
)

// maxPasswordLen bounds a password before it reaches the hash.
const maxPasswordLen = 256

// userNew shows the form to add a user.
func (h *handler) userNew(w http.ResponseWriter, r *http.Request) error {
	orgs, err := h.store.FindOrgs(r.Context(), actor(r))
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "user_new", &page{Title: "Add a user", Data: orgs})
}

// userFromForm reads the user fields of a form.
func userFromForm(form url.Values) (*contest.User, string, error) {
	var fe contest.FieldErrors
	u := &contest.User{
		Username:    form.Get("username"),
		DisplayName: form.Get("display_name"),
		Email:       form.Get("email"),
		Role:        contest.Role(form.Get("role")),
	}
	if v := strings.TrimSpace(form.Get("org_id")); v != "" {
		u.OrgID, _ = strconv.ParseInt(v, 10, 64)
	}
	if v := form.Get("vetting"); v != "" {
		u.Vetting, _ = contest.ParseVetting(v)
	}
	if err := u.Validate(); err != nil {
		fe = append(fe, contest.ErrorFields(err)...)
	}
	pw := form.Get("password")
	switch {
	case pw == "":
		fe.Add("password", "Enter a first password for the user")
	case len(pw) > maxPasswordLen:
		fe.Add("password", "Password must be 256 characters or fewer")
	}
	return u, pw, fe.Err()
}

// userCreate adds a user from the form.
func (h *handler) userCreate(w http.ResponseWriter, r *http.Request) error {
	form, err := parseForm(r)
	if err == nil {
		var u *contest.User
		var pw string
		if u, pw, err = userFromForm(form); err == nil {
			if err = h.store.CreateUser(r.Context(), actor(r), u, pw); err == nil {
				h.setFlash(r, "User "+u.Username+" added")
				return redirect(w, r, "/admin/users/"+strconv.FormatInt(u.ID, 10))
			}
		}
	}
	orgs, oerr := h.store.FindOrgs(r.Context(), actor(r))
	if oerr != nil {
		return oerr
	}
	return h.formError(w, r, "user_new", "Add a user", form, err, orgs)
}

// userInput is the body of POST /api/v1/users.
type userInput struct {
	Username    string       `json:"username"`
	DisplayName string       `json:"display_name"`
	Email       string       `json:"email"`
	OrgID       int64        `json:"org_id"`
	Role        contest.Role `json:"role"`
	Vetting     string       `json:"vetting"`
	Password    string       `json:"password"`
}

// apiUserCreate is POST /api/v1/users.
func (h *handler) apiUserCreate(w http.ResponseWriter, r *http.Request) error {
	var in userInput
	if err := decodeJSON(r.Body, &in); err != nil {
		return err
	}
	form := url.Values{"username": {in.Username}, "display_name": {in.DisplayName}, "email": {in.Email},
		"org_id": {strconv.FormatInt(in.OrgID, 10)}, "role": {string(in.Role)}, "vetting": {in.Vetting}, "password": {in.Password}}
	u, pw, err := userFromForm(form)
	if err != nil {
		return err
	}
	if err := h.store.CreateUser(r.Context(), actor(r), u, pw); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/users/"+strconv.FormatInt(u.ID, 10))
	return writeJSON(w, http.StatusCreated, fixUser(u))
}
