package web

import (
	"net/http"
)

// compartmentList lists the compartments the actor may see.
func (h *handler) compartmentList(w http.ResponseWriter, r *http.Request) error {
	cs, err := h.store.FindCompartments(r.Context(), actor(r))
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "compartment_list", &page{Title: "Compartments", Data: cs})
}

// apiCompartmentList is GET /api/v1/compartments.
func (h *handler) apiCompartmentList(w http.ResponseWriter, r *http.Request) error {
	cs, err := h.store.FindCompartments(r.Context(), actor(r))
	if err != nil {
		return err
	}
	for _, c := range cs {
		fixCompartment(c)
	}
	return writeJSON(w, http.StatusOK, list(cs, len(cs)))
}
