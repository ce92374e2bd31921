package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/contest-ct/contest"
)

func init() {
	viewNames = append(viewNames, "pursue_subject_new", "pursue_subject")
}

// tierOptions and levelChoices are the selects of the subject forms.
func tierOptions() []option {
	out := []option{{Value: "", Label: "Select a tier"}}
	for _, t := range contest.PriorityTiers {
		out = append(out, option{Value: t, Label: t})
	}
	return out
}

func levelChoices() []option {
	out := []option{{Value: "", Label: "Not assessed"}}
	for _, l := range contest.AssessmentLevels {
		out = append(out, option{Value: l, Label: strings.ToUpper(l[:1]) + l[1:]})
	}
	return out
}

// assessmentFromForm reads the optional assessment: nil when none of its
// three questions is answered.
func assessmentFromForm(form map[string][]string) *contest.SubjectAssessment {
	s := &contest.SubjectAssessment{Intent: first(form, "intent"), Capability: first(form, "capability"), Imminence: first(form, "imminence"),
		Notes: first(form, "assessment_notes")}
	if s.Intent == "" && s.Capability == "" && s.Imminence == "" && strings.TrimSpace(s.Notes) == "" {
		return nil
	}
	return s
}

type subjectNewData struct {
	Investigation   *contest.Investigation
	Tiers, Levels   []option
	Classifications []option
}

func (h *handler) subjectNewData(r *http.Request) (*subjectNewData, error) {
	id, err := investigationParam(r)
	if err != nil {
		return nil, err
	}
	inv, err := h.store.FindInvestigationByID(r.Context(), actor(r), id)
	if err != nil {
		return nil, err
	}
	return &subjectNewData{Investigation: inv, Tiers: tierOptions(), Levels: levelChoices(), Classifications: pursueClassOptions()}, nil
}

// subjectNew shows the form to record a subject of interest of an
// investigation.
func (h *handler) subjectNew(w http.ResponseWriter, r *http.Request) error {
	d, err := h.subjectNewData(r)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "pursue_subject_new", &page{Title: "Record a subject of interest", Data: d})
}

// subjectCreate records a subject of interest from the form.
func (h *handler) subjectCreate(w http.ResponseWriter, r *http.Request) error {
	d, err := h.subjectNewData(r)
	if err != nil {
		return err
	}
	form, err := parseForm(r)
	if err == nil {
		var fe contest.FieldErrors
		n := &contest.NewSubject{InvestigationID: d.Investigation.ID, GivenName: form.Get("given_name"), FamilyName: form.Get("family_name"),
			DateOfBirth: strings.TrimSpace(form.Get("date_of_birth")), Classification: formClassification(form.Get("classification")),
			Priority: contest.PriorityDecision{Tier: form.Get("tier"), Rationale: form.Get("rationale"),
				NextReviewAt: pursueDate(&fe, "next_review_at", form.Get("next_review_at"))},
			Assessment: assessmentFromForm(form)}
		if err = fe.Err(); err == nil {
			var s *contest.Subject
			if s, err = h.store.CreateSubject(r.Context(), actor(r), n); err == nil {
				h.setFlash(r, "Subject of interest recorded")
				return redirect(w, r, "/subjects/"+strconv.FormatInt(s.ID, 10)+"/decisions")
			}
		}
	}
	return h.formError(w, r, "pursue_subject_new", "Record a subject of interest", form, err, d)
}

type subjectDecisionsData struct {
	Detail        *contest.SubjectDetail
	Tiers, Levels []option
	Statuses      []option
}

func (h *handler) subjectDecisionsData(r *http.Request, id int64) (*subjectDecisionsData, error) {
	det, err := h.store.FindSubjectDetail(r.Context(), actor(r), id)
	if err != nil {
		return nil, err
	}
	return &subjectDecisionsData{Detail: det, Tiers: tierOptions(), Levels: levelChoices(), Statuses: []option{{Value: "", Label: "Select a status"},
		{Value: contest.SubjectActive, Label: "Active"}, {Value: contest.SubjectClosed, Label: "Closed"}, {Value: contest.SubjectFormer, Label: "Former"}}}, nil
}

// subjectDecisions shows a subject's priority decisions and assessments,
// with the forms to record new ones and to change its status.
func (h *handler) subjectDecisions(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", contest.KindSubject)
	if err != nil {
		return err
	}
	d, err := h.subjectDecisionsData(r, id)
	if err != nil {
		return err
	}
	s := d.Detail.Subject
	return h.render(w, r, http.StatusOK, "pursue_subject", recordPage("Decisions on "+s.GivenName+" "+s.FamilyName, &s.Meta, nil, d))
}

// subjectDecide runs one of the decision forms.
func subjectDecide(step func(h *handler, r *http.Request, id int64, form map[string][]string) error, flash string) func(h *handler, w http.ResponseWriter, r *http.Request) error {
	return func(h *handler, w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id", contest.KindSubject)
		if err != nil {
			return err
		}
		form, err := parseForm(r)
		if err == nil {
			if err = step(h, r, id, form); err == nil {
				h.setFlash(r, flash)
				return redirect(w, r, "/subjects/"+strconv.FormatInt(id, 10)+"/decisions")
			}
		}
		if c := contest.ErrorCode(err); c != contest.EINVALID && c != contest.ECONFLICT {
			return err
		}
		d, derr := h.subjectDecisionsData(r, id)
		if derr != nil {
			return derr
		}
		return h.formError(w, r, "pursue_subject", "Decisions on a subject", form, err, d)
	}
}

func subjectPriority(h *handler, r *http.Request, id int64, form map[string][]string) error {
	var fe contest.FieldErrors
	p := &contest.PriorityDecision{Tier: first(form, "tier"), Rationale: first(form, "rationale"), NextReviewAt: pursueDate(&fe, "next_review_at", first(form, "next_review_at"))}
	if err := fe.Err(); err != nil {
		return err
	}
	return h.store.SetSubjectPriority(r.Context(), actor(r), id, p)
}

func subjectAssess(h *handler, r *http.Request, id int64, form map[string][]string) error {
	s := assessmentFromForm(form)
	if s == nil {
		s = &contest.SubjectAssessment{}
	}
	return h.store.AssessSubject(r.Context(), actor(r), id, s)
}

func subjectStatus(h *handler, r *http.Request, id int64, form map[string][]string) error {
	var fe contest.FieldErrors
	c := &contest.SubjectChange{Status: first(form, "status"), Reason: first(form, "reason"),
		NextReviewAt: pursueDate(&fe, "status_review_at", first(form, "status_review_at"))}
	if c.Status == "" {
		fe.Add("status", "Select a status")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	_, err := h.store.UpdateSubject(r.Context(), actor(r), id, c)
	if e, ok := err.(*contest.Error); ok {
		// The status form's review date has its own field name.
		for i := range e.Fields {
			if e.Fields[i].Field == "next_review_at" {
				e.Fields[i].Field = "status_review_at"
			}
		}
	}
	return err
}
