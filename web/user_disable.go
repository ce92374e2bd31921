package web

import (
	"net/http"
	"strconv"

	"github.com/contest-ct/contest"
)

// userDisable disables a user, ending their sessions and tokens at once.
func (h *handler) userDisable(w http.ResponseWriter, r *http.Request) error {
	return h.setDisabled(w, r, true)
}

// userEnable lets a disabled user sign in again.
func (h *handler) userEnable(w http.ResponseWriter, r *http.Request) error {
	return h.setDisabled(w, r, false)
}

func (h *handler) setDisabled(w http.ResponseWriter, r *http.Request, disabled bool) error {
	id, err := pathID(r, "id", contest.KindUser)
	if err != nil {
		return err
	}
	if err := h.store.SetUserDisabled(r.Context(), actor(r), id, disabled); err != nil {
		return err
	}
	if disabled {
		h.setFlash(r, "User disabled. Their sessions and API tokens have ended.")
	} else {
		h.setFlash(r, "User enabled")
	}
	return redirect(w, r, "/admin/users/"+strconv.FormatInt(id, 10))
}

// apiUserDisable is POST /api/v1/users/{id}/disable.
func (h *handler) apiUserDisable(w http.ResponseWriter, r *http.Request) error {
	return h.apiSetDisabled(w, r, true)
}

// apiUserEnable is POST /api/v1/users/{id}/enable.
func (h *handler) apiUserEnable(w http.ResponseWriter, r *http.Request) error {
	return h.apiSetDisabled(w, r, false)
}

func (h *handler) apiSetDisabled(w http.ResponseWriter, r *http.Request, disabled bool) error {
	id, err := pathID(r, "id", contest.KindUser)
	if err != nil {
		return err
	}
	if err := h.store.SetUserDisabled(r.Context(), actor(r), id, disabled); err != nil {
		return err
	}
	u, err := h.store.FindUserByID(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, fixUser(u))
}
