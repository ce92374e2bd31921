package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/contest-ct/contest"
)

// userUpdateFromForm reads the changeable fields of a user. Every field
// of the form is sent; the store records what actually changed.
func userUpdateFromForm(form url.Values) (contest.UserUpdate, error) {
	var upd contest.UserUpdate
	var fe contest.FieldErrors
	if form.Has("display_name") {
		v := strings.TrimSpace(form.Get("display_name"))
		switch {
		case v == "":
			fe.Add("display_name", "Enter the user's full name")
		case len(v) > 200:
			fe.Add("display_name", "Full name must be 200 characters or fewer")
		}
		upd.DisplayName = &v
	}
	if form.Has("email") {
		v := strings.TrimSpace(form.Get("email"))
		if v != "" && (len(v) > 254 || !strings.Contains(v, "@")) {
			fe.Add("email", "Enter an email address in the correct format, like name@example.org")
		}
		upd.Email = &v
	}
	if form.Has("org_id") {
		id, err := strconv.ParseInt(strings.TrimSpace(form.Get("org_id")), 10, 64)
		if err != nil || id <= 0 {
			fe.Add("org_id", "Select an organisation")
		}
		upd.OrgID = &id
	}
	if form.Has("role") {
		role := contest.Role(form.Get("role"))
		if !role.Valid() {
			fe.Add("role", "Select a role")
		}
		upd.Role = &role
	}
	if form.Has("vetting") {
		v, err := contest.ParseVetting(form.Get("vetting"))
		if err != nil {
			fe.Add("vetting", "Select a vetting level")
		}
		upd.Vetting = &v
	}
	return upd, fe.Err()
}

// userUpdate changes a user's name, email, organisation, role or vetting.
func (h *handler) userUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", contest.KindUser)
	if err != nil {
		return err
	}
	form, err := parseForm(r)
	if err == nil {
		var upd contest.UserUpdate
		if upd, err = userUpdateFromForm(form); err == nil {
			if _, err = h.store.UpdateUser(r.Context(), actor(r), id, upd); err == nil {
				h.setFlash(r, "Changes saved")
				return redirect(w, r, "/admin/users/"+strconv.FormatInt(id, 10))
			}
		}
	}
	if c := contest.ErrorCode(err); c == contest.EINVALID || c == contest.ECONFLICT {
		return h.showUser(w, r, StatusFor(c, false), form, err)
	}
	return err
}

// userPatch is the body of PATCH /api/v1/users/{id}: absent fields are
// kept.
type userPatch struct {
	DisplayName *string       `json:"display_name"`
	Email       *string       `json:"email"`
	OrgID       *int64        `json:"org_id"`
	Role        *contest.Role `json:"role"`
	Vetting     *string       `json:"vetting"`
}

// apiUserUpdate is PATCH /api/v1/users/{id}.
func (h *handler) apiUserUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", contest.KindUser)
	if err != nil {
		return err
	}
	var in userPatch
	if err := decodeJSON(r.Body, &in); err != nil {
		return err
	}
	form := url.Values{}
	if in.DisplayName != nil {
		form.Set("display_name", *in.DisplayName)
	}
	if in.Email != nil {
		form.Set("email", *in.Email)
	}
	if in.OrgID != nil {
		form.Set("org_id", strconv.FormatInt(*in.OrgID, 10))
	}
	if in.Role != nil {
		form.Set("role", string(*in.Role))
	}
	if in.Vetting != nil {
		form.Set("vetting", *in.Vetting)
	}
	upd, err := userUpdateFromForm(form)
	if err != nil {
		return err
	}
	u, err := h.store.UpdateUser(r.Context(), actor(r), id, upd)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, fixUser(u))
}
