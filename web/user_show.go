package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/access"
)

// userShowData is what a user's page shows.
type userShowData struct {
	User         *contest.User
	OrgName      string
	Orgs         []*contest.Org
	Compartments []*contest.Compartment
	CanEdit      bool
}

// userShow shows one user with the forms to change them.
func (h *handler) userShow(w http.ResponseWriter, r *http.Request) error {
	return h.showUser(w, r, http.StatusOK, nil, nil)
}

// showUser renders a user's page; form and err are set when a change
// was refused.
func (h *handler) showUser(w http.ResponseWriter, r *http.Request, status int, form url.Values, ferr error) error {
	a := actor(r)
	id, err := pathID(r, "id", contest.KindUser)
	if err != nil {
		return err
	}
	u, err := h.store.FindUserByID(r.Context(), a, id)
	if err != nil {
		return err
	}
	d := userShowData{User: u, CanEdit: access.Can(a, access.Update, contest.KindUser)}
	if d.Orgs, err = h.store.FindOrgs(r.Context(), a); err != nil {
		return err
	}
	for _, o := range d.Orgs {
		if o.ID == u.OrgID {
			d.OrgName = o.Name
		}
	}
	if len(u.Compartments) > 0 && access.Can(a, access.Read, contest.KindCompartment) {
		cs, err := h.store.FindCompartments(r.Context(), a)
		if err != nil {
			return err
		}
		in := map[int64]bool{}
		for _, c := range u.Compartments {
			in[c] = true
		}
		for _, c := range cs {
			if in[c.ID] {
				d.Compartments = append(d.Compartments, c)
			}
		}
	}
	if form == nil {
		form = url.Values{"display_name": {u.DisplayName}, "email": {u.Email}, "org_id": {strconv.FormatInt(u.OrgID, 10)},
			"role": {string(u.Role)}, "vetting": {u.Vetting.String()}}
	}
	p := &page{Title: u.DisplayName, Classification: u.Meta.Classification, Data: d, Form: form}
	if ferr != nil {
		p.ErrorMessage, p.Errors = contest.ErrorMessage(ferr), contest.ErrorFields(ferr)
		stateFrom(r.Context()).errCode = contest.ErrorCode(ferr)
		h.metrics.errors.WithLabelValues(contest.ErrorCode(ferr)).Inc()
	}
	return h.render(w, r, status, "user_show", p)
}

// apiUserShow is GET /api/v1/users/{id}.
func (h *handler) apiUserShow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", contest.KindUser)
	if err != nil {
		return err
	}
	u, err := h.store.FindUserByID(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, fixUser(u))
}
