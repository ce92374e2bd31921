package web

import (
	"net/http"

	"github.com/contest-ct/contest"
)

// subjectShowData is what a subject's page shows.
type subjectShowData struct {
	Subject subjectRow
	OrgName string
	// Investigation is the subject's investigation when the actor may see
	// it, else nil.
	Investigation *contest.Investigation
	Crumbs        []crumb
}

// subjectShow shows one subject of interest.
func (h *handler) subjectShow(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	ctx := r.Context()
	id, err := pathID(r, "id", contest.KindSubject)
	if err != nil {
		return err
	}
	s, err := h.store.FindSubjectByID(ctx, a, id)
	if err != nil {
		return err
	}
	d := subjectShowData{Subject: subjectRows([]*contest.Subject{s}, a)[0],
		Crumbs: []crumb{{"Home", "/"}, {"Pursue", "/strands/pursue"}, {"Subjects of interest", "/subjects"}}}
	var comps []string
	err = parallel(func() (err error) {
		d.OrgName, err = h.orgName(ctx, a, s.Meta.OwnerOrgID)
		return err
	}, func() error {
		if s.InvestigationID == 0 {
			return nil
		}
		v, err := h.store.FindInvestigationByID(ctx, a, s.InvestigationID)
		switch contest.ErrorCode(err) {
		case "":
			d.Investigation = v
		case contest.ENOTFOUND:
		default:
			return err
		}
		return nil
	}, func() (err error) {
		comps, err = h.compartmentNames(ctx, a, s.Meta.Compartments)
		return err
	})
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "subject_show", recordPage(s.GivenName+" "+s.FamilyName, &s.Meta, comps, d))
}

// apiSubjectShow is GET /api/v1/subjects/{id}.
func (h *handler) apiSubjectShow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", contest.KindSubject)
	if err != nil {
		return err
	}
	s, err := h.store.FindSubjectByID(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, fixSubject(s))
}
