package demo_test

import (
	"testing"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/db"
)

// TestLoadContent: the demo's referrals cover every stage, go to the four
// fictional platforms, and give statistics; the hash banks are loaded.
func TestLoadContent(t *testing.T) {
	d, sum := load(t, db.SQLite, 0.1)
	if got := count(t, d, "SELECT COUNT(*) FROM content_referrals"); got != sum.Counts["content_referrals"] || got != 150 {
		t.Errorf("content_referrals = %d, summary %d, want 150", got, sum.Counts["content_referrals"])
	}
	if got := count(t, d, "SELECT COUNT(*) FROM hash_bank_signals"); got != sum.Counts["hash_bank_signals"] || got < 1000 {
		t.Errorf("hash_bank_signals = %d, summary %d", got, sum.Counts["hash_bank_signals"])
	}
	for _, st := range []string{contest.ContentAssessed, contest.ContentRemoved, contest.ContentRefused, contest.ContentNotTerrorist} {
		if count(t, d, "SELECT COUNT(*) FROM content_referrals WHERE status = $1", st) == 0 {
			t.Errorf("no referral with status %s", st)
		}
	}
	if n := count(t, d, "SELECT COUNT(*) FROM content_referrals WHERE requested_at > 0 AND owner_org_id <> platform_org_id"); n != 0 {
		t.Errorf("%d sent referrals not owned by their platform", n)
	}
	if n := count(t, d, "SELECT COUNT(*) FROM content_referrals WHERE responded_at > 0 AND responded_at < requested_at"); n != 0 {
		t.Errorf("%d responses before their request", n)
	}
	rows, err := d.ContentStats(t.Context(), contest.SystemActor("test"))
	if err != nil {
		t.Fatal(err)
	}
	platforms := map[string]bool{}
	for _, r := range rows {
		platforms[r.Platform] = true
		if r.Removals > r.Referrals || r.P90Hours < r.MedianHours {
			t.Errorf("bad statistics row %+v", r)
		}
	}
	if len(platforms) != 4 {
		t.Errorf("statistics cover %d platforms: %v", len(platforms), platforms)
	}
}
