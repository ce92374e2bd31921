package contest_test

import (
	"testing"
	"time"

	"github.com/contest-ct/contest"
)

func TestPursueValidation(t *testing.T) {
	review := time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC)
	prio := contest.PriorityDecision{Tier: "P3", Rationale: "Reporting of contact.", NextReviewAt: review}
	for _, tc := range []struct {
		name  string
		v     interface{ Validate() error }
		field string // "" when valid
	}{
		{"InvestigationOK", &contest.NewInvestigation{Operation: "Alder", Summary: "x", Classification: contest.Official}, ""},
		{"OperationMarkup", &contest.NewInvestigation{Operation: "<b>", Summary: "x", Classification: contest.Official}, "operation"},
		{"OperationTooLong", &contest.NewInvestigation{Operation: string(make([]byte, 61)), Summary: "x", Classification: contest.Official}, "operation"},
		{"LeadSource", &contest.Lead{Source: "rumour", Summary: "x", Meta: contest.Meta{Classification: contest.Official}}, "source"},
		{"SubjectOK", &contest.NewSubject{GivenName: "A", FamilyName: "B", DateOfBirth: "1990", Classification: contest.Official, Priority: prio}, ""},
		{"SubjectFeb30", &contest.NewSubject{GivenName: "A", FamilyName: "B", DateOfBirth: "1990-02-30", Classification: contest.Official, Priority: prio}, "date_of_birth"},
		{"AssessmentLevel", &contest.SubjectAssessment{Intent: "extreme", Capability: "low", Imminence: "low"}, "intent"},
		{"ActionCategory", &contest.Action{Title: "x", Category: "hunch", Priority: "low"}, "category"},
		{"ArrestOK", &contest.Outcome{Type: "arrest", OccurredOn: "2026-10-01", Legislation: "Terrorism Act 2000 s41"}, ""},
		{"ArrestNoLegislation", &contest.Outcome{Type: "arrest", OccurredOn: "2026-10-01"}, "legislation"},
		{"ConvictionNoSentence", &contest.Outcome{Type: "conviction", OccurredOn: "2026-10-01", Offence: "s5 TA 2006"}, "sentence"},
		{"PlotNoDate", &contest.Outcome{Type: "plot_disrupted"}, "occurred_on"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.v.Validate()
			if tc.field == "" {
				if err != nil {
					t.Fatalf("valid input refused: %v", err)
				}
				return
			}
			found := false
			for _, f := range contest.ErrorFields(err) {
				found = found || f.Field == tc.field
			}
			if !found {
				t.Errorf("got %v, want an error on %s", err, tc.field)
			}
		})
	}
}

func TestActionOverdue(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		status string
		due    time.Time
		want   bool
	}{
		{contest.ActionAllocated, now.Add(-time.Hour), true},
		{contest.ActionRaised, now.Add(-time.Hour), true},
		{contest.ActionAllocated, now.Add(time.Hour), false},
		{contest.ActionAllocated, time.Time{}, false},
		{contest.ActionResulted, now.Add(-time.Hour), false},
		{contest.ActionFiled, now.Add(-time.Hour), false},
	} {
		a := &contest.Action{Status: tc.status, DueAt: tc.due}
		if got := a.Overdue(now); got != tc.want {
			t.Errorf("%s due %v: overdue %v, want %v", tc.status, tc.due, got, tc.want)
		}
	}
}
