package web

import (
	"net/http"
	"strings"

	"github.com/contest-ct/contest"
)

type leadsData struct {
	Leads           []*contest.Lead
	Status          string
	Sources         []option
	Classifications []option
}

func (h *handler) leadsData(r *http.Request) (*leadsData, error) {
	status := strings.TrimSpace(r.URL.Query().Get("status"))
	if status == "" {
		status = "open"
	}
	known := false
	for _, s := range contest.LeadStatuses {
		known = known || s == status
	}
	if !known {
		status = "open"
	}
	leads, err := h.store.FindLeads(r.Context(), actor(r), status)
	if err != nil {
		return nil, err
	}
	return &leadsData{Leads: leads, Status: status, Classifications: pursueClassOptions(), Sources: []option{{Value: "", Label: "Select the source"},
		{Value: "triage", Label: "Triage of a report"}, {Value: "intelligence", Label: "Intelligence"}, {Value: "partner", Label: "A partner"}}}, nil
}

// leadList shows the leads and the form to record one.
func (h *handler) leadList(w http.ResponseWriter, r *http.Request) error {
	d, err := h.leadsData(r)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "pursue_leads", &page{Title: "Leads", Data: d})
}

// leadCreate records a lead from the form.
func (h *handler) leadCreate(w http.ResponseWriter, r *http.Request) error {
	form, err := parseForm(r)
	if err == nil {
		l := &contest.Lead{Source: form.Get("source"), Summary: form.Get("summary"), Meta: contest.Meta{Classification: formClassification(form.Get("classification"))}}
		if err = h.store.CreateLead(r.Context(), actor(r), l); err == nil {
			h.setFlash(r, "Lead recorded")
			return redirect(w, r, "/leads")
		}
	}
	if c := contest.ErrorCode(err); c != contest.EINVALID && c != contest.ECONFLICT {
		return err
	}
	d, derr := h.leadsData(r)
	if derr != nil {
		return derr
	}
	return h.formError(w, r, "pursue_leads", "Leads", form, err, d)
}

// leadDiscard closes a lead without an investigation, with the reason.
func (h *handler) leadDiscard(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", contest.KindLead)
	if err != nil {
		return err
	}
	form, err := parseForm(r)
	if err == nil {
		if err = h.store.DiscardLead(r.Context(), actor(r), id, form.Get("reason")); err == nil {
			h.setFlash(r, "Lead discarded and your reason recorded")
			return redirect(w, r, "/leads")
		}
	}
	if c := contest.ErrorCode(err); c != contest.EINVALID && c != contest.ECONFLICT {
		return err
	}
	d, derr := h.leadsData(r)
	if derr != nil {
		return derr
	}
	form.Set("discard_for", r.PathValue("id"))
	return h.formError(w, r, "pursue_leads", "Leads", form, err, d)
}
