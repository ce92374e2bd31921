package web

import (
	"net/http"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/access"
)

// contentRow is one line of the content queue.
type contentRow struct {
	*contest.ContentReferral
	StatusLabel string
}

func parseContentFilter(r *http.Request) (contest.ContentFilter, error) {
	q := r.URL.Query()
	f := contest.ContentFilter{Status: q.Get("status"), Limit: 50}
	var fe contest.FieldErrors
	if f.Status != "" && !contest.ValidContentStatus(f.Status) {
		fe.Add("status", "Select a status from the list")
	}
	var err error
	if f.Offset, err = queryInt(r, "offset", 0); err != nil {
		fe.Add("offset", "Enter a whole number")
	}
	if f.Limit, err = queryInt(r, "limit", 50); err != nil || f.Limit < 1 || f.Limit > 500 {
		fe.Add("limit", "Limit must be from 1 to 500")
	}
	return f, fe.Err()
}

// contentList is the queue of content referrals: the referring unit's
// work, or a platform's referrals, raised ones first.
func (h *handler) contentList(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	f, err := parseContentFilter(r)
	if err != nil {
		return h.formError(w, r, "content_list", "Content referrals", r.URL.Query(), err, contentListData(a, nil, 0, r, f))
	}
	refs, total, err := h.store.FindContentReferrals(r.Context(), a, f)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "content_list", &page{Title: "Content referrals", Form: r.URL.Query(),
		Data: contentListData(a, refs, total, r, f)})
}

func contentListData(a *contest.Actor, refs []*contest.ContentReferral, total int, r *http.Request, f contest.ContentFilter) map[string]any {
	rows := make([]contentRow, len(refs))
	for i, c := range refs {
		rows[i] = contentRow{c, contentStatusLabel(c.Status)}
	}
	prev, next := pageLinks(r.URL, f.Offset, f.Limit, total)
	return map[string]any{"Rows": rows, "Total": total, "Prev": prev, "Next": next,
		"Statuses":  optionsOf(contest.ContentStatuses, contentStatusLabel, "Any status"),
		"CanCreate": access.Can(a, access.Create, contest.KindContentRef),
		"CanBanks":  access.Can(a, access.Read, contest.KindHashBank),
		"Platform":  a.OrgKind == contest.OrgOnlinePlatform}
}
