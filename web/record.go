package web

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/contest-ct/contest"
)

// This file holds what the strand record pages (investigations, subjects
// of interest, Prevent referrals) share: their filters, status labels and
// the classification banner's compartment names.

// caseStatus is one status (or, for a referral, stage) a kind of record
// may have, with its label and govuk-tag colour. Every tag shows its label
// as text, so that colour is never the only signal.
type caseStatus struct {
	Value, Label, Tag string
}

// caseStatuses lists the statuses of each strand kind, in the order of the
// work.
var caseStatuses = map[contest.Kind][]caseStatus{
	contest.KindInvestigation: {{"open", "Open", "govuk-tag--green"}, {"closed", "Closed", "govuk-tag--grey"}},
	contest.KindSubject: {{contest.SubjectActive, "Active", "govuk-tag--green"}, {contest.SubjectFormer, "Former", "govuk-tag--grey"},
		{contest.SubjectClosed, "Closed", "govuk-tag--grey"}},
	contest.KindPreventCase: {{"referred", "Referred", "govuk-tag--blue"}, {"screening", "Screening", "govuk-tag--light-blue"},
		{"panel", "Channel panel", "govuk-tag--purple"}, {"adopted", "Adopted", "govuk-tag--green"}, {"exited", "Exited", "govuk-tag--grey"},
		{"closed", "Closed", "govuk-tag--grey"}},
}

// statusOf returns the label and tag of a record's status.
func statusOf(kind contest.Kind, v string) caseStatus {
	for _, s := range caseStatuses[kind] {
		if s.Value == v {
			return s
		}
	}
	return caseStatus{Value: v, Label: v, Tag: "govuk-tag--grey"}
}

// caseStatusOptions are the choices of a list's status filter.
func caseStatusOptions(kind contest.Kind) []option {
	label := "Any status"
	if kind == contest.KindPreventCase {
		label = "Any stage"
	}
	out := []option{{Value: "", Label: label}}
	for _, s := range caseStatuses[kind] {
		out = append(out, option{Value: s.Value, Label: s.Label})
	}
	return out
}

// casePageSize is the number of records on one page of a UI list.
const casePageSize = 25

// parseCaseFilter reads a strand list's filters from a query string: status
// (a referral's stage), owner=me, investigation_id (subjects only), and
// either page (the UI, 1-based) or limit and offset (the API).
func parseCaseFilter(q url.Values, kind contest.Kind, a *contest.Actor, api bool) (contest.CaseFilter, error) {
	f := contest.CaseFilter{Limit: casePageSize}
	if api {
		f.Limit = 50
	}
	if _, err := checkValues(q); err != nil {
		return f, err
	}
	var fe contest.FieldErrors
	if v := strings.TrimSpace(q.Get("status")); v != "" {
		ok := false
		for _, s := range caseStatuses[kind] {
			ok = ok || s.Value == v
		}
		if !ok {
			what := "status"
			if kind == contest.KindPreventCase {
				what = "stage"
			}
			fe.Add("status", "Select a "+what+" from the list")
		}
		f.Status = v
	}
	switch v := strings.TrimSpace(q.Get("owner")); v {
	case "":
	case "me":
		f.OwnerUserID = a.UserID
	default:
		fe.Add("owner", "Owner must be me, or left out")
	}
	if v := strings.TrimSpace(q.Get("investigation_id")); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 || kind != contest.KindSubject {
			fe.Add("investigation_id", "Investigation must be the number of an investigation")
		}
		f.InvestigationID = id
	}
	if api {
		if v := strings.TrimSpace(q.Get("limit")); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > 500 {
				fe.Add("limit", "Limit must be a whole number from 1 to 500")
			}
			f.Limit = n
		}
		if v := strings.TrimSpace(q.Get("offset")); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 1_000_000_000 {
				fe.Add("offset", "Offset must be a whole number, 0 or more")
			}
			f.Offset = n
		}
	} else if v := strings.TrimSpace(q.Get("page")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1_000_000 {
			fe.Add("page", "Page must be a whole number, 1 or more")
		}
		f.Offset = (n - 1) * f.Limit
	}
	if len(fe) == 0 {
		return f, nil
	}
	// In the UI, page and investigation_id come from links, not from a
	// field of the filter form: their messages head the error summary
	// without a link to a field that is not there.
	if !api {
		var msgs []string
		for _, e := range fe {
			if e.Field != "page" && e.Field != "investigation_id" {
				return contest.CaseFilter{Limit: f.Limit}, fe.Err()
			}
			msgs = append(msgs, e.Message+".")
		}
		return contest.CaseFilter{Limit: f.Limit}, contest.Errorf(contest.EINVALID, "%s", strings.Join(msgs, " "))
	}
	return contest.CaseFilter{Limit: f.Limit}, fe.Err()
}

// pagination is a GOV.UK pagination block for a list.
type pagination struct {
	Prev, Next string
	Items      []pageItem
	// From and To are the positions of the first and last record shown.
	From, To int
}

// pageItem is a page number link, or an ellipsis.
type pageItem struct {
	Number   int
	Href     string
	Current  bool
	Ellipsis bool
}

// paginate builds the pagination of a list whose current page starts at
// offset, keeping the other query parameters.
func paginate(u *url.URL, offset, limit, total, shown int) pagination {
	p := pagination{}
	if shown > 0 {
		p.From, p.To = offset+1, offset+shown
	}
	pages := (total + limit - 1) / limit
	cur := offset/limit + 1
	href := func(n int) string {
		q := u.Query()
		q.Del("page")
		if n > 1 {
			q.Set("page", strconv.Itoa(n))
		}
		if e := q.Encode(); e != "" {
			return u.Path + "?" + e
		}
		return u.Path
	}
	if cur > 1 {
		// Past the end, previous is the last page there is.
		p.Prev = href(max(1, min(cur-1, pages)))
	}
	if pages <= 1 {
		return p
	}
	if cur < pages {
		p.Next = href(cur + 1)
	}
	last := 0
	for n := 1; n <= pages; n++ {
		if n != 1 && n != pages && (n < cur-1 || n > cur+1) {
			continue
		}
		if last != 0 && n > last+1 {
			p.Items = append(p.Items, pageItem{Ellipsis: true})
		}
		p.Items = append(p.Items, pageItem{Number: n, Href: href(n), Current: n == cur})
		last = n
	}
	return p
}

// compartmentNames names a record's compartments for its banner. The
// reader is a member of each (or could not see the record), and members
// may read their compartments; a name that cannot be read shows as its
// number.
func (h *handler) compartmentNames(ctx context.Context, a *contest.Actor, ids []int64) ([]string, error) {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		c, err := h.store.FindCompartmentByID(ctx, a, id)
		switch contest.ErrorCode(err) {
		case "":
			out = append(out, c.Name)
		case contest.ENOTFOUND:
			out = append(out, "Compartment "+strconv.FormatInt(id, 10))
		default:
			return nil, err
		}
	}
	return out, nil
}

// parallel runs independent store reads at once and returns the first
// error in argument order. Each read makes its own access decision and
// audit entry; run together, the audit entries of one page can share a
// commit, and the reads use the read pool's connections side by side.
func parallel(fns ...func() error) error {
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns[1:] {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i+1] = fn()
		}()
	}
	errs[0] = fns[0]()
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// orgName is the name of an organisation, or "" if it cannot be read.
func (h *handler) orgName(ctx context.Context, a *contest.Actor, id int64) (string, error) {
	o, err := h.store.FindOrgByID(ctx, a, id)
	switch contest.ErrorCode(err) {
	case "":
		return o.Name, nil
	case contest.ENOTFOUND:
		return "", nil
	}
	return "", err
}

// recordPage is the page of one strand record, with its banner.
func recordPage(title string, m *contest.Meta, comps []string, data any) *page {
	return &page{Title: title, Classification: m.Classification, CompartmentNames: comps, Data: data}
}

// reviewState describes a review date against today: "overdue", "due"
// (within 14 days) or "".
func reviewState(at, now time.Time) string {
	switch {
	case at.IsZero():
		return ""
	case at.Before(now):
		return "overdue"
	case at.Before(now.Add(14 * 24 * time.Hour)):
		return "due"
	}
	return ""
}

// fixInvestigation, fixSubject and fixReferral fill in what JSON needs.
func fixInvestigation(v *contest.Investigation) *contest.Investigation { fixMeta(&v.Meta); return v }
func fixSubject(v *contest.Subject) *contest.Subject                   { fixMeta(&v.Meta); return v }
func fixReferral(v *contest.PreventReferral) *contest.PreventReferral  { fixMeta(&v.Meta); return v }
