package web

import (
	"net/http"
	"strconv"

	"github.com/contest-ct/contest"
)

// compartmentNew shows the form to add a compartment.
func (h *handler) compartmentNew(w http.ResponseWriter, r *http.Request) error {
	return h.render(w, r, http.StatusOK, "compartment_new", &page{Title: "Add a compartment"})
}

// compartmentCreate adds a compartment from the form.
func (h *handler) compartmentCreate(w http.ResponseWriter, r *http.Request) error {
	form, err := parseForm(r)
	if err == nil {
		c := &contest.Compartment{Name: form.Get("name"), Description: form.Get("description")}
		if err = c.Validate(); err == nil {
			if err = h.store.CreateCompartment(r.Context(), actor(r), c); err == nil {
				h.setFlash(r, "Compartment "+c.Name+" added")
				return redirect(w, r, "/admin/compartments/"+strconv.FormatInt(c.ID, 10))
			}
		}
	}
	return h.formError(w, r, "compartment_new", "Add a compartment", form, err)
}

// compartmentInput is the body of POST /api/v1/compartments.
type compartmentInput struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

// apiCompartmentCreate is POST /api/v1/compartments.
func (h *handler) apiCompartmentCreate(w http.ResponseWriter, r *http.Request) error {
	var in compartmentInput
	if err := decodeJSON(r.Body, &in); err != nil {
		return err
	}
	c := &contest.Compartment{Name: in.Name, Description: in.Description}
	if err := c.Validate(); err != nil {
		return err
	}
	if err := h.store.CreateCompartment(r.Context(), actor(r), c); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/compartments/"+strconv.FormatInt(c.ID, 10))
	return writeJSON(w, http.StatusCreated, fixCompartment(c))
}

func fixCompartment(c *contest.Compartment) *contest.Compartment {
	if c.Members == nil {
		c.Members = []int64{}
	}
	fixMeta(&c.Meta)
	return c
}
