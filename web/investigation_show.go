package web

import (
	"net/http"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/access"
)

// investigationShowData is what an investigation's page shows.
type investigationShowData struct {
	Investigation *contest.Investigation
	Status        caseStatus
	OrgName       string
	Mine          bool
	// Subjects are the first of its subjects the actor may see, soonest
	// review first, of SubjectTotal.
	Subjects     []subjectRow
	SubjectTotal int
	CanSubjects  bool
	Crumbs       []crumb
}

// investigationShow shows one investigation and its subjects of interest.
func (h *handler) investigationShow(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	ctx := r.Context()
	id, err := pathID(r, "id", contest.KindInvestigation)
	if err != nil {
		return err
	}
	v, err := h.store.FindInvestigationByID(ctx, a, id)
	if err != nil {
		return err
	}
	d := investigationShowData{Investigation: v, Status: statusOf(contest.KindInvestigation, v.Status), Mine: v.LeadUserID == a.UserID,
		CanSubjects: access.Can(a, access.Read, contest.KindSubject),
		Crumbs:      []crumb{{"Home", "/"}, {"Pursue", "/strands/pursue"}, {"Investigations", "/investigations"}}}
	var comps []string
	err = parallel(func() (err error) {
		d.OrgName, err = h.orgName(ctx, a, v.Meta.OwnerOrgID)
		return err
	}, func() error {
		if !d.CanSubjects {
			return nil
		}
		ss, n, err := h.store.FindSubjects(ctx, a, contest.CaseFilter{InvestigationID: v.ID, Limit: 10})
		d.Subjects, d.SubjectTotal = subjectRows(ss, a), n
		return err
	}, func() (err error) {
		comps, err = h.compartmentNames(ctx, a, v.Meta.Compartments)
		return err
	})
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "investigation_show", recordPage("Operation "+v.Operation, &v.Meta, comps, d))
}

// apiInvestigationShow is GET /api/v1/investigations/{id}.
func (h *handler) apiInvestigationShow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", contest.KindInvestigation)
	if err != nil {
		return err
	}
	v, err := h.store.FindInvestigationByID(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, fixInvestigation(v))
}
