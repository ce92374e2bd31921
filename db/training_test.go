package db_test

import (
	"testing"
	"time"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/db"
)

// TestTraining: a partner records its own people's training and no one
// else's; the counts by sector show people, current and expired records,
// and each actor counts only what it may see.
func TestTraining(t *testing.T) {
	forEngine(t, func(t *testing.T, e db.Engine) {
		pf := mustProtect(t, e)
		var shopA, shopB *contest.User
		for _, u := range pf.people {
			switch u.OrgID {
			case pf.shopA.ID:
				shopA = u
			case pf.shopB.ID:
				shopB = u
			}
		}
		a, b := pf.actorFor(t, shopA), pf.actorFor(t, shopB)
		now := time.Now().UTC()
		add := func(who *contest.Actor, name, module string, done time.Time, org int64) error {
			return pf.DB.CreateTraining(ctx, who, &contest.TrainingRecord{PersonName: name, Module: module, CompletedAt: done, Meta: contest.Meta{OwnerOrgID: org}})
		}
		for _, r := range []struct {
			who  *contest.Actor
			name string
			mod  string
			done time.Time
		}{
			{a, "Sam Steward", "act_awareness", now.AddDate(0, -2, 0)},
			{a, "Sam Steward", "scan", now.AddDate(0, -1, 0)},
			{a, "Kim Guard", "act_awareness", now.AddDate(-2, 0, 0)}, // expired after a year
			{b, "Lee Manager", "act_operational", now.AddDate(0, 0, -3)},
		} {
			if err := add(r.who, r.name, r.mod, r.done, 0); err != nil {
				t.Fatal(err)
			}
		}
		if err := add(a, "Someone Else", "scan", now, pf.shopB.ID); contest.ErrorCode(err) != contest.EFORBIDDEN {
			t.Fatalf("partner records for another organisation: %v", err)
		}
		if err := add(a, "", "nonsense", time.Time{}, 0); contest.ErrorCode(err) != contest.EINVALID || len(contest.ErrorFields(err)) != 3 {
			t.Fatalf("bad record: %v", err)
		}
		counts, err := pf.DB.TrainingCounts(ctx, pf.adviser)
		if err != nil {
			t.Fatal(err)
		}
		if len(counts) != 1 || counts[0].Sector != "Retail" || counts[0].People != 3 || counts[0].Current != 3 || counts[0].Expired != 1 ||
			counts[0].ByModule["act_awareness"] != 1 || counts[0].ByModule["scan"] != 1 || counts[0].ByModule["act_operational"] != 1 {
			t.Fatalf("adviser's counts %+v", counts[0])
		}
		// Shop A counts only its own: 2 people.
		counts, _ = pf.DB.TrainingCounts(ctx, a)
		if len(counts) != 1 || counts[0].People != 2 || counts[0].Current != 2 || counts[0].Expired != 1 {
			t.Fatalf("shop A's counts %+v", counts)
		}
		list, n, err := pf.DB.FindTraining(ctx, b, contest.TrainingFilter{})
		if err != nil || n != 1 || list[0].PersonName != "Lee Manager" {
			t.Fatalf("shop B lists %d %v", n, err)
		}
		// The expiry defaults to the module's period.
		if got := list[0].ExpiresAt.Sub(list[0].CompletedAt); got != 2*365*24*time.Hour {
			t.Fatalf("ACT Operational valid for %s", got)
		}
	})
}
