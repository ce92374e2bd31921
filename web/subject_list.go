package web

import (
	"net/http"

	"github.com/contest-ct/contest"
)

// subjectRow is one line of a list of subjects of interest.
type subjectRow struct {
	*contest.Subject
	Status caseStatus
	Mine   bool
	// Review is "overdue", "due" (within 14 days) or "".
	Review string
}

func subjectRows(ss []*contest.Subject, a *contest.Actor) []subjectRow {
	now := today()
	rows := make([]subjectRow, len(ss))
	for i, s := range ss {
		rows[i] = subjectRow{Subject: s, Status: statusOf(contest.KindSubject, s.Status), Mine: s.OwnerUserID == a.UserID}
		if s.Status == contest.SubjectActive {
			rows[i].Review = reviewState(s.NextReviewAt, now)
		}
	}
	return rows
}

// subjectList lists the subjects of interest the actor may see, soonest
// review first.
func (h *handler) subjectList(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	q := r.URL.Query()
	d := newCaseList(contest.KindSubject, "Owned by me")
	f, err := parseCaseFilter(q, contest.KindSubject, a, false)
	if err != nil {
		return h.formError(w, r, "subject_list", "Subjects of interest", q, err, d)
	}
	ss, total, err := h.store.FindSubjects(r.Context(), a, f)
	if err != nil {
		return err
	}
	rows := subjectRows(ss, a)
	d.Total, d.Rows, d.Filtered = total, rows, f.Status != "" || f.OwnerUserID != 0 || f.InvestigationID != 0
	d.Pages = paginate(r.URL, f.Offset, f.Limit, total, len(rows))
	return h.render(w, r, http.StatusOK, "subject_list", &page{Title: "Subjects of interest", Form: q, Data: d})
}

// apiSubjectList is GET /api/v1/subjects.
func (h *handler) apiSubjectList(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	f, err := parseCaseFilter(r.URL.Query(), contest.KindSubject, a, true)
	if err != nil {
		return err
	}
	ss, total, err := h.store.FindSubjects(r.Context(), a, f)
	if err != nil {
		return err
	}
	for _, s := range ss {
		fixSubject(s)
	}
	return writeJSON(w, http.StatusOK, list(ss, total))
}
