package web

import (
	"net/http"
	"strconv"

	"github.com/contest-ct/contest"
)

// orgNew shows the form to add an organisation.
func (h *handler) orgNew(w http.ResponseWriter, r *http.Request) error {
	return h.render(w, r, http.StatusOK, "org_new", &page{Title: "Add an organisation"})
}

// orgCreate adds an organisation from the form.
func (h *handler) orgCreate(w http.ResponseWriter, r *http.Request) error {
	form, err := parseForm(r)
	if err == nil {
		o := &contest.Org{Name: form.Get("name"), Kind: contest.OrgKind(form.Get("kind")), Area: form.Get("area")}
		if err = o.Validate(); err == nil {
			if err = h.store.CreateOrg(r.Context(), actor(r), o); err == nil {
				h.setFlash(r, "Organisation "+o.Name+" added")
				return redirect(w, r, "/admin/organisations/"+strconv.FormatInt(o.ID, 10))
			}
		}
	}
	return h.formError(w, r, "org_new", "Add an organisation", form, err)
}

// formError shows a form again with its error summary for bad input or a
// conflict, and passes any other error on.
func (h *handler) formError(w http.ResponseWriter, r *http.Request, view, title string, form map[string][]string, err error, data ...any) error {
	code := contest.ErrorCode(err)
	if code != contest.EINVALID && code != contest.ECONFLICT {
		return err
	}
	p := &page{Title: title, Form: form, ErrorMessage: contest.ErrorMessage(err), Errors: contest.ErrorFields(err)}
	if len(data) > 0 {
		p.Data = data[0]
	}
	stateFrom(r.Context()).errCode = code
	h.metrics.errors.WithLabelValues(code).Inc()
	return h.render(w, r, StatusFor(code, false), view, p)
}

// orgInput is the body of POST /api/v1/organisations.
type orgInput struct {
	Name string          `json:"name"`
	Kind contest.OrgKind `json:"kind"`
	Area string          `json:"area"`
}

// apiOrgCreate is POST /api/v1/organisations.
func (h *handler) apiOrgCreate(w http.ResponseWriter, r *http.Request) error {
	var in orgInput
	if err := decodeJSON(r.Body, &in); err != nil {
		return err
	}
	o := &contest.Org{Name: in.Name, Kind: in.Kind, Area: in.Area}
	if err := o.Validate(); err != nil {
		return err
	}
	if err := h.store.CreateOrg(r.Context(), actor(r), o); err != nil {
		return err
	}
	fixMeta(&o.Meta)
	w.Header().Set("Location", "/api/v1/organisations/"+strconv.FormatInt(o.ID, 10))
	return writeJSON(w, http.StatusCreated, o)
}
