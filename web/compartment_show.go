package web

import (
	"net/http"
	"net/url"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/access"
)

// compartmentMember is a member as the page shows them.
type compartmentMember struct {
	ID       int64
	Name     string
	Username string
}

// compartmentShowData is what a compartment's page shows.
type compartmentShowData struct {
	Compartment *contest.Compartment
	Members     []compartmentMember
	CanManage   bool
}

// compartmentShow shows a compartment and its members.
func (h *handler) compartmentShow(w http.ResponseWriter, r *http.Request) error {
	return h.showCompartment(w, r, http.StatusOK, nil, nil)
}

func (h *handler) showCompartment(w http.ResponseWriter, r *http.Request, status int, form url.Values, ferr error) error {
	a := actor(r)
	id, err := pathID(r, "id", contest.KindCompartment)
	if err != nil {
		return err
	}
	c, err := h.store.FindCompartmentByID(r.Context(), a, id)
	if err != nil {
		return err
	}
	d := compartmentShowData{Compartment: c, CanManage: access.Can(a, access.Admin, contest.KindCompartment)}
	names := map[int64]*contest.User{}
	if len(c.Members) > 0 && access.Can(a, access.Read, contest.KindUser) {
		users, _, err := h.store.FindUsers(r.Context(), a, contest.UserFilter{Limit: 5000})
		if err != nil {
			return err
		}
		for _, u := range users {
			names[u.ID] = u
		}
	}
	for _, m := range c.Members {
		cm := compartmentMember{ID: m}
		if u := names[m]; u != nil {
			cm.Name, cm.Username = u.DisplayName, u.Username
		}
		d.Members = append(d.Members, cm)
	}
	p := &page{Title: c.Name, Classification: c.Meta.Classification, Data: d, Form: form}
	if ferr != nil {
		p.ErrorMessage, p.Errors = contest.ErrorMessage(ferr), contest.ErrorFields(ferr)
		stateFrom(r.Context()).errCode = contest.ErrorCode(ferr)
		h.metrics.errors.WithLabelValues(contest.ErrorCode(ferr)).Inc()
	}
	return h.render(w, r, status, "compartment_show", p)
}

// apiCompartmentShow is GET /api/v1/compartments/{id}.
func (h *handler) apiCompartmentShow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", contest.KindCompartment)
	if err != nil {
		return err
	}
	c, err := h.store.FindCompartmentByID(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, fixCompartment(c))
}
