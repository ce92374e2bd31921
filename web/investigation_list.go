package web

import (
	"net/http"
	"time"

	"github.com/contest-ct/contest"
)

// caseListData is what a strand list page shows: the page of records (as
// rows the view needs), the visible total and the pagination.
type caseListData struct {
	Kind contest.Kind
	// Path is the list's address, for the filter form.
	Path        string
	Crumbs      []crumb
	StatusLabel string
	Statuses    []option
	Owners      []option
	Total       int
	Rows        any
	Pages       pagination
	// Filtered is true when any filter is set.
	Filtered bool
}

// crumb is one link of a breadcrumb trail.
type crumb struct{ Label, Href string }

// newCaseList starts the data of a strand list page.
func newCaseList(kind contest.Kind, mine string) caseListData {
	d := caseListData{Kind: kind, StatusLabel: "Status", Statuses: caseStatusOptions(kind),
		Owners: []option{{Value: "", Label: "Anyone's"}, {Value: "me", Label: mine}}}
	switch kind {
	case contest.KindInvestigation:
		d.Path, d.Crumbs = "/investigations", []crumb{{"Home", "/"}, {"Pursue", "/strands/pursue"}}
	case contest.KindSubject:
		d.Path, d.Crumbs = "/subjects", []crumb{{"Home", "/"}, {"Pursue", "/strands/pursue"}}
	case contest.KindPreventCase:
		d.Path, d.Crumbs, d.StatusLabel = "/prevent/referrals", []crumb{{"Home", "/"}, {"Prevent", "/strands/prevent"}}, "Stage"
	}
	return d
}

// investigationRow is one line of the investigations list.
type investigationRow struct {
	*contest.Investigation
	Status caseStatus
	Mine   bool
}

// investigationList lists the investigations the actor may see.
func (h *handler) investigationList(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	q := r.URL.Query()
	d := newCaseList(contest.KindInvestigation, "Led by me")
	f, err := parseCaseFilter(q, contest.KindInvestigation, a, false)
	if err != nil {
		return h.formError(w, r, "investigation_list", "Investigations", q, err, d)
	}
	invs, total, err := h.store.FindInvestigations(r.Context(), a, f)
	if err != nil {
		return err
	}
	rows := make([]investigationRow, len(invs))
	for i, v := range invs {
		rows[i] = investigationRow{Investigation: v, Status: statusOf(contest.KindInvestigation, v.Status), Mine: v.LeadUserID == a.UserID}
	}
	d.Total, d.Rows, d.Filtered = total, rows, f.Status != "" || f.OwnerUserID != 0
	d.Pages = paginate(r.URL, f.Offset, f.Limit, total, len(rows))
	return h.render(w, r, http.StatusOK, "investigation_list", &page{Title: "Investigations", Form: q, Data: d})
}

// apiInvestigationList is GET /api/v1/investigations.
func (h *handler) apiInvestigationList(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	f, err := parseCaseFilter(r.URL.Query(), contest.KindInvestigation, a, true)
	if err != nil {
		return err
	}
	invs, total, err := h.store.FindInvestigations(r.Context(), a, f)
	if err != nil {
		return err
	}
	for _, v := range invs {
		fixInvestigation(v)
	}
	return writeJSON(w, http.StatusOK, list(invs, total))
}

// today is the start of the current day (UTC), for review dates.
func today() time.Time { return time.Now().UTC().Truncate(24 * time.Hour) }
