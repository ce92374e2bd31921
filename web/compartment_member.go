package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/contest-ct/contest"
)

// compartmentMemberAdd adds a user, named by username, to a compartment.
func (h *handler) compartmentMemberAdd(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	id, err := pathID(r, "id", contest.KindCompartment)
	if err != nil {
		return err
	}
	form, err := parseForm(r)
	if err == nil {
		username := strings.ToLower(strings.TrimSpace(form.Get("username")))
		var u *contest.User
		if username == "" {
			var fe contest.FieldErrors
			fe.Add("username", "Enter the username of the person to add")
			err = fe.Err()
		} else if u, err = h.store.FindUserByUsername(r.Context(), a, username); contest.ErrorCode(err) == contest.ENOTFOUND {
			// Check the compartment first, so that a hidden compartment
			// answers exactly as a missing one does.
			if _, cerr := h.store.FindCompartmentByID(r.Context(), a, id); cerr != nil {
				return cerr
			}
			var fe contest.FieldErrors
			fe.Add("username", "There is no user with that username you can add")
			err = fe.Err()
		} else if err == nil {
			if err = h.store.SetCompartmentMember(r.Context(), a, id, u.ID, true); err == nil {
				h.setFlash(r, u.DisplayName+" added to the compartment")
				return redirect(w, r, "/admin/compartments/"+strconv.FormatInt(id, 10))
			}
		}
	}
	if c := contest.ErrorCode(err); c == contest.EINVALID || c == contest.ECONFLICT {
		return h.showCompartment(w, r, StatusFor(c, false), form, err)
	}
	return err
}

// compartmentMemberRemove removes a user from a compartment.
func (h *handler) compartmentMemberRemove(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", contest.KindCompartment)
	if err != nil {
		return err
	}
	uid, err := pathID(r, "user", contest.KindUser)
	if err != nil {
		return err
	}
	if err := h.store.SetCompartmentMember(r.Context(), actor(r), id, uid, false); err != nil {
		return err
	}
	h.setFlash(r, "Member removed from the compartment")
	return redirect(w, r, "/admin/compartments/"+strconv.FormatInt(id, 10))
}

// apiCompartmentMemberAdd is PUT /api/v1/compartments/{id}/members/{user}.
func (h *handler) apiCompartmentMemberAdd(w http.ResponseWriter, r *http.Request) error {
	return h.apiSetMember(w, r, true)
}

// apiCompartmentMemberRemove is DELETE /api/v1/compartments/{id}/members/{user}.
func (h *handler) apiCompartmentMemberRemove(w http.ResponseWriter, r *http.Request) error {
	return h.apiSetMember(w, r, false)
}

func (h *handler) apiSetMember(w http.ResponseWriter, r *http.Request, member bool) error {
	id, err := pathID(r, "id", contest.KindCompartment)
	if err != nil {
		return err
	}
	uid, err := pathID(r, "user", contest.KindUser)
	if err != nil {
		return err
	}
	if err := h.store.SetCompartmentMember(r.Context(), actor(r), id, uid, member); err != nil {
		return err
	}
	c, err := h.store.FindCompartmentByID(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, fixCompartment(c))
}
