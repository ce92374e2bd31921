package web

import (
	"net/http"

	"github.com/contest-ct/contest"
)

// orgShow shows one organisation, with its classification banner.
func (h *handler) orgShow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", contest.KindOrg)
	if err != nil {
		return err
	}
	o, err := h.store.FindOrgByID(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "org_show", &page{Title: o.Name, Classification: o.Meta.Classification, Data: o})
}

// apiOrgShow is GET /api/v1/organisations/{id}.
func (h *handler) apiOrgShow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", contest.KindOrg)
	if err != nil {
		return err
	}
	o, err := h.store.FindOrgByID(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	fixMeta(&o.Meta)
	return writeJSON(w, http.StatusOK, o)
}
