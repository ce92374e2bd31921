package db_test

import (
	"slices"
	"testing"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/db"
	"github.com/contest-ct/contest/db/dbtest"
)

// TestCaseFilters checks the filters, order and paging of the strand
// lists, and that the grouped counts equal the lists' totals, on each
// engine.
func TestCaseFilters(t *testing.T) {
	forEngine(t, func(t *testing.T, e db.Engine) {
		f := dbtest.MustFixture(t, e)
		c := f.MustCases(t)
		inv := f.MustActor(t, contest.RoleInvestigator)
		po := f.MustActor(t, contest.RolePreventOfficer)
		pm := f.MustActor(t, contest.RolePanelMember)
		subjectIDs := func(a *contest.Actor, cf contest.CaseFilter) ([]int64, int) {
			t.Helper()
			ss, n, err := f.DB.FindSubjects(ctx, a, cf)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, s := range ss {
				ids = append(ids, s.ID)
			}
			return ids, n
		}
		for _, tc := range []struct {
			name  string
			a     *contest.Actor
			f     contest.CaseFilter
			want  []int64 // in list order
			total int
		}{
			// Soonest review first: the overdue one, then the due one, then
			// the closed subject reviewed next year.
			{"AllVisible", inv, contest.CaseFilter{}, []int64{c.Overdue.ID, c.Due.ID, c.Closed1.ID}, 3},
			{"Active", inv, contest.CaseFilter{Status: contest.SubjectActive}, []int64{c.Overdue.ID, c.Due.ID}, 2},
			{"Closed", inv, contest.CaseFilter{Status: contest.SubjectClosed}, []int64{c.Closed1.ID}, 1},
			// The hidden subject is the investigator's too, and is not counted.
			{"Owned", inv, contest.CaseFilter{OwnerUserID: inv.UserID}, []int64{c.Overdue.ID, c.Due.ID}, 2},
			{"OfInvestigation", inv, contest.CaseFilter{InvestigationID: c.Larchmere.ID}, []int64{c.Overdue.ID, c.Due.ID}, 2},
			{"OfHiddenInvestigation", inv, contest.CaseFilter{InvestigationID: c.Hollowmere.ID}, nil, 0},
			{"Paged", inv, contest.CaseFilter{Offset: 1, Limit: 1}, []int64{c.Due.ID}, 3},
			{"PastTheEnd", inv, contest.CaseFilter{Offset: 10}, nil, 3},
			{"NotForPrevent", po, contest.CaseFilter{}, nil, 0},
		} {
			t.Run(tc.name, func(t *testing.T) {
				ids, n := subjectIDs(tc.a, tc.f)
				if !slices.Equal(ids, tc.want) || n != tc.total {
					t.Errorf("got %v (total %d), want %v (total %d)", ids, n, tc.want, tc.total)
				}
			})
		}
		invs, n, err := f.DB.FindInvestigations(ctx, inv, contest.CaseFilter{OwnerUserID: inv.UserID, Status: "open"})
		if err != nil || n != 1 || len(invs) != 1 || invs[0].ID != c.Larchmere.ID {
			t.Errorf("investigator's open investigations: %v %d %v", invs, n, err)
		}
		for _, tc := range []struct {
			name string
			a    *contest.Actor
			kind contest.Kind
			f    contest.CaseFilter
			want map[string]int
		}{
			{"InvestigationsByStatus", inv, contest.KindInvestigation, contest.CaseFilter{}, map[string]int{"open": 1}},
			{"SubjectsByStatus", inv, contest.KindSubject, contest.CaseFilter{}, map[string]int{"active": 2, "closed": 1}},
			{"OwnSubjects", inv, contest.KindSubject, contest.CaseFilter{OwnerUserID: inv.UserID}, map[string]int{"active": 2}},
			// The police Prevent officer sees every area; the local
			// authority's panel member only its own.
			{"ReferralsByStage", po, contest.KindPreventCase, contest.CaseFilter{}, map[string]int{"referred": 1, "panel": 1, "screening": 1}},
			{"ReferralsOwnArea", pm, contest.KindPreventCase, contest.CaseFilter{}, map[string]int{"referred": 1, "panel": 1}},
			{"OwnReferrals", po, contest.KindPreventCase, contest.CaseFilter{OwnerUserID: po.UserID}, map[string]int{"referred": 1}},
			{"OneStage", pm, contest.KindPreventCase, contest.CaseFilter{Status: "panel"}, map[string]int{"panel": 1}},
			{"NoPursueForPrevent", po, contest.KindInvestigation, contest.CaseFilter{}, map[string]int{}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, err := f.DB.CountCases(ctx, tc.a, tc.kind, tc.f)
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != len(tc.want) {
					t.Errorf("got %v, want %v", got, tc.want)
				}
				for k, n := range tc.want {
					if got[k] != n {
						t.Errorf("got %v, want %v", got, tc.want)
					}
				}
				// The grouped count agrees with the list total.
				sum := 0
				for _, n := range got {
					sum += n
				}
				var total int
				switch tc.kind {
				case contest.KindInvestigation:
					_, total, err = f.DB.FindInvestigations(ctx, tc.a, tc.f)
				case contest.KindSubject:
					_, total, err = f.DB.FindSubjects(ctx, tc.a, tc.f)
				case contest.KindPreventCase:
					_, total, err = f.DB.FindPreventReferrals(ctx, tc.a, tc.f)
				}
				if err != nil || sum != total {
					t.Errorf("grouped counts sum to %d, list total %d (%v)", sum, total, err)
				}
			})
		}
		if _, err := f.DB.CountCases(ctx, inv, contest.KindUser, contest.CaseFilter{}); contest.ErrorCode(err) != contest.EINVALID {
			t.Errorf("count of users: %v, want invalid", err)
		}
		// Counts are audited as lists, with the grouping.
		if n := MustAuditCount(t, f, contest.AuditFilter{Action: contest.AuditList, Kind: contest.KindPreventCase, UserID: pm.UserID}); n < 3 {
			t.Errorf("%d list entries for the panel member's counts", n)
		}
	})
}

// TestCaseRecordsHiddenLookMissing reads every hidden record of the cases
// fixture as every role and compares the answer with a missing id's.
func TestCaseRecordsHiddenLookMissing(t *testing.T) {
	forEngine(t, func(t *testing.T, e db.Engine) {
		f := dbtest.MustFixture(t, e)
		c := f.MustCases(t)
		for _, role := range contest.Roles {
			a := f.MustActor(t, role)
			for _, tc := range []struct {
				name string
				read func(id int64) error
				ids  []int64
			}{
				{"investigation", func(id int64) error { _, err := f.DB.FindInvestigationByID(ctx, a, id); return err },
					[]int64{c.Hollowmere.ID, c.Kestrelmoor.ID}},
				{"subject", func(id int64) error { _, err := f.DB.FindSubjectByID(ctx, a, id); return err },
					[]int64{c.HiddenSubject.ID, c.SecretSubject.ID}},
				{"referral", func(id int64) error { _, err := f.DB.FindPreventReferralByID(ctx, a, id); return err },
					[]int64{c.SecretReferral.ID}},
			} {
				missing := tc.read(1 << 40)
				if contest.ErrorCode(missing) != contest.ENOTFOUND {
					t.Fatalf("%s %s missing: %v", role, tc.name, missing)
				}
				for _, id := range tc.ids {
					if err := tc.read(id); err == nil || err.Error() != missing.Error() {
						t.Errorf("%s: hidden %s %d answered %v; missing answers %v", role, tc.name, id, err, missing)
					}
				}
			}
		}
	})
}
