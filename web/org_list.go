package web

import (
	"net/http"
)

// orgList lists the organisations the actor may see.
func (h *handler) orgList(w http.ResponseWriter, r *http.Request) error {
	orgs, err := h.store.FindOrgs(r.Context(), actor(r))
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "org_list", &page{Title: "Organisations", Data: orgs})
}

// apiOrgList is GET /api/v1/organisations.
func (h *handler) apiOrgList(w http.ResponseWriter, r *http.Request) error {
	orgs, err := h.store.FindOrgs(r.Context(), actor(r))
	if err != nil {
		return err
	}
	for _, o := range orgs {
		fixMeta(&o.Meta)
	}
	return writeJSON(w, http.StatusOK, list(orgs, len(orgs)))
}
