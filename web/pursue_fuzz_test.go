package web

import (
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/contest-ct/contest"
)

// FuzzActionQuery feeds the actions list's query string to its reader: it
// never panics, refuses with field errors only, and never keeps a status
// it does not know.
func FuzzActionQuery(f *testing.F) {
	for _, s := range []string{"", "overdue=yes", "status=filed&page=2", "investigation_id=-1", "page=0", "status=%00", "mine=yes&investigation_id=9999999999999999999"} {
		f.Add(s)
	}
	a := &contest.Actor{UserID: 7}
	f.Fuzz(func(t *testing.T, q string) {
		vals, err := url.ParseQuery(q)
		if err != nil {
			return
		}
		r := httptest.NewRequest("GET", "/actions?"+vals.Encode(), nil)
		flt, pg, err := actionQuery(r, a)
		if err != nil {
			if contest.ErrorCode(err) != contest.EINVALID || len(contest.ErrorFields(err)) == 0 {
				t.Fatalf("error %v", err)
			}
		}
		if pg < 1 {
			t.Fatalf("page %d", pg)
		}
		switch flt.Status {
		case "", contest.ActionRaised, contest.ActionAllocated, contest.ActionResulted, contest.ActionReviewed, contest.ActionFiled:
		default:
			t.Fatalf("unknown status kept: %q", flt.Status)
		}
	})
}

// FuzzPursueFormValues feeds form values to the Pursue form readers and the
// validators behind them: none panics, and each refusal names its field.
func FuzzPursueFormValues(f *testing.F) {
	for _, s := range []string{"", "2", "5", "-1", "2027-01-31", "31/01/2027", "2027-02-30", "arrest", "P1", "high"} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		var fe contest.FieldErrors
		pursueDate(&fe, "due_at", a)
		_ = formClassification(b)
		o := &contest.Outcome{Type: a, OccurredOn: b, Legislation: a}
		n := &contest.NewSubject{GivenName: a, FamilyName: b, DateOfBirth: a, Classification: formClassification(b),
			Priority: contest.PriorityDecision{Tier: b, Rationale: a}, Assessment: &contest.SubjectAssessment{Intent: a, Capability: b}}
		for _, err := range []error{fe.Err(), o.Validate(), n.Validate()} {
			if err == nil {
				continue
			}
			for _, x := range contest.ErrorFields(err) {
				if x.Field == "" || x.Message == "" {
					t.Fatalf("empty field error: %+v", x)
				}
			}
		}
	})
}
