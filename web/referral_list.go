package web

import (
	"net/http"

	"github.com/contest-ct/contest"
)

// referralRow is one line of the Prevent referrals list. Age, gender and
// region are not shown in lists, nor used to order them: they are held for
// statistics only.
type referralRow struct {
	*contest.PreventReferral
	Stage caseStatus
	Mine  bool
}

func referralRows(rs []*contest.PreventReferral, a *contest.Actor) []referralRow {
	rows := make([]referralRow, len(rs))
	for i, v := range rs {
		rows[i] = referralRow{PreventReferral: v, Stage: statusOf(contest.KindPreventCase, v.Stage), Mine: v.OwnerUserID == a.UserID}
	}
	return rows
}

// referralList lists the Prevent referrals the actor may see, newest first.
func (h *handler) referralList(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	q := r.URL.Query()
	d := newCaseList(contest.KindPreventCase, "Owned by me")
	f, err := parseCaseFilter(q, contest.KindPreventCase, a, false)
	if err != nil {
		return h.formError(w, r, "referral_list", "Prevent referrals", q, err, d)
	}
	rs, total, err := h.store.FindPreventReferrals(r.Context(), a, f)
	if err != nil {
		return err
	}
	rows := referralRows(rs, a)
	d.Total, d.Rows, d.Filtered = total, rows, f.Status != "" || f.OwnerUserID != 0
	d.Pages = paginate(r.URL, f.Offset, f.Limit, total, len(rows))
	return h.render(w, r, http.StatusOK, "referral_list", &page{Title: "Prevent referrals", Form: q, Data: d})
}

// apiReferralList is GET /api/v1/prevent/referrals.
func (h *handler) apiReferralList(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	f, err := parseCaseFilter(r.URL.Query(), contest.KindPreventCase, a, true)
	if err != nil {
		return err
	}
	rs, total, err := h.store.FindPreventReferrals(r.Context(), a, f)
	if err != nil {
		return err
	}
	for _, v := range rs {
		fixReferral(v)
	}
	return writeJSON(w, http.StatusOK, list(rs, total))
}
