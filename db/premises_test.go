package db_test

import (
	"slices"
	"testing"
	"time"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/db"
)

func TestTierFor(t *testing.T) {
	for _, c := range []struct {
		capacity int
		tier     contest.PremisesTier
	}{{1, contest.TierNone}, {199, contest.TierNone}, {200, contest.TierStandard}, {799, contest.TierStandard}, {800, contest.TierEnhanced}, {60000, contest.TierEnhanced}} {
		if got := contest.TierFor(c.capacity); got != c.tier {
			t.Errorf("TierFor(%d) = %q, want %q", c.capacity, got, c.tier)
		}
	}
}

// TestPremises: the register computes the tier from the capacity, shows a
// business its own premises only, records assessments with findings and
// due dates, keeps emergency plans, and puts reviews and findings falling
// due on the adviser's queue.
func TestPremises(t *testing.T) {
	forEngine(t, func(t *testing.T, e db.Engine) {
		pf := mustProtect(t, e)
		adv := pf.adviser
		mk := func(name string, capacity int, org *contest.Org) *contest.Premises {
			p := &contest.Premises{Name: name, Address: "1 High Street", Capacity: capacity, ResponsiblePerson: "Alex Example", Meta: contest.Meta{OwnerOrgID: org.ID}}
			if err := pf.DB.CreatePremises(ctx, adv, p); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			return p
		}
		arena := mk("Harbour Arena", 800, pf.shopA)
		hall := mk("Kingsway Hall", 799, pf.shopB)
		cafe := mk("Corner Cafe", 40, pf.shopB)
		if arena.Tier != contest.TierEnhanced || hall.Tier != contest.TierStandard || cafe.Tier != contest.TierNone {
			t.Fatalf("tiers %q %q %q", arena.Tier, hall.Tier, cafe.Tier)
		}
		// Bad input is refused and nothing stored.
		bad := &contest.Premises{Name: "", Capacity: 0, Meta: contest.Meta{OwnerOrgID: pf.shopA.ID}}
		if err := pf.DB.CreatePremises(ctx, adv, bad); contest.ErrorCode(err) != contest.EINVALID || len(contest.ErrorFields(err)) < 3 {
			t.Fatalf("bad premises: %v", err)
		}
		// A partner may not register premises.
		var shopAUser *contest.User
		for _, u := range pf.people {
			if u.OrgID == pf.shopA.ID {
				shopAUser = u
			}
		}
		partner := pf.actorFor(t, shopAUser)
		p2 := &contest.Premises{Name: "X", Address: "Y", Capacity: 300, ResponsiblePerson: "Z", Meta: contest.Meta{OwnerOrgID: pf.shopA.ID}}
		if err := pf.DB.CreatePremises(ctx, partner, p2); contest.ErrorCode(err) != contest.EFORBIDDEN {
			t.Fatalf("partner registers: %v", err)
		}
		// The enhanced tier filter, and a partner sees its own only.
		list, n, err := pf.DB.FindPremises(ctx, adv, contest.PremisesFilter{Tier: contest.TierEnhanced})
		if err != nil || n != 1 || list[0].ID != arena.ID {
			t.Fatalf("enhanced: %d %v", n, err)
		}
		_, n, _ = pf.DB.FindPremises(ctx, partner, contest.PremisesFilter{})
		if n != 1 {
			t.Fatalf("partner sees %d premises", n)
		}
		_, errHidden := pf.DB.FindPremisesByID(ctx, partner, hall.ID)
		_, errMissing := pf.DB.FindPremisesByID(ctx, partner, hall.ID+1000)
		if errHidden == nil || errHidden.Error() != errMissing.Error() {
			t.Fatalf("hidden %v, missing %v", errHidden, errMissing)
		}
		// An assessment: next review in 10 days, one finding overdue.
		now := time.Now().UTC()
		as := &contest.Assessment{AssessedAt: now.AddDate(0, 0, -30), NextReviewAt: now.AddDate(0, 0, 10), Summary: "Entrances and search regime.",
			Findings: []*contest.Finding{{Text: "Install bollards", Priority: "high", DueAt: now.AddDate(0, 0, -1)}, {Text: "Rehearse lockdown", Priority: "low", DueAt: now.AddDate(1, 0, 0)}}}
		if err := pf.DB.AddAssessment(ctx, adv, arena.ID, as); err != nil {
			t.Fatal(err)
		}
		if err := pf.DB.AddAssessment(ctx, adv, arena.ID, &contest.Assessment{Summary: "x", AssessedAt: now, NextReviewAt: now.AddDate(0, 0, -1)}); contest.ErrorCode(err) != contest.EINVALID {
			t.Fatalf("review before assessment: %v", err)
		}
		if err := pf.DB.AttachPlan(ctx, adv, arena.ID, &contest.EmergencyPlan{Name: "plan.pdf", ContentType: "application/pdf", Content: []byte("%PDF-1.4 plan")}); err != nil {
			t.Fatal(err)
		}
		got, err := pf.DB.FindPremisesByID(ctx, adv, arena.ID)
		if err != nil || len(got.Assessments) != 1 || len(got.Assessments[0].Findings) != 2 || len(got.Plans) != 1 || !got.NextReviewAt.Equal(as.NextReviewAt.Truncate(time.Microsecond)) {
			t.Fatalf("premises %+v %v", got, err)
		}
		plan, err := pf.DB.FindPlan(ctx, partner, arena.ID, got.Plans[0].ID)
		if err != nil || string(plan.Content) != "%PDF-1.4 plan" || len(plan.SHA256) != 64 {
			t.Fatalf("plan %v %v", plan, err)
		}
		// The queue: the never-assessed premises, the overdue finding and
		// the review due in 10 days; not the finding due next year.
		due, err := pf.DB.ReviewsDue(ctx, adv, 30*24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		var what []string
		for _, d := range due {
			what = append(what, d.PremisesName+"/"+d.What)
		}
		for _, w := range []string{"Kingsway Hall/review", "Corner Cafe/review", "Harbour Arena/finding", "Harbour Arena/review"} {
			if !slices.Contains(what, w) {
				t.Errorf("queue %v lacks %s", what, w)
			}
		}
		if len(due) != 4 {
			t.Errorf("queue %v", what)
		}
		// Putting the finding right takes it off the queue.
		if err := pf.DB.ResolveFinding(ctx, adv, arena.ID, as.Findings[0].ID); err != nil {
			t.Fatal(err)
		}
		if due, _ = pf.DB.ReviewsDue(ctx, adv, 30*24*time.Hour); len(due) != 3 {
			t.Fatalf("after resolving: %d due", len(due))
		}
		if n := MustAuditCount(t, pf.Fixture, contest.AuditFilter{Kind: contest.KindPremises, Action: contest.AuditUpdate}); n != 3 {
			t.Fatalf("%d premises update entries", n)
		}
	})
}
