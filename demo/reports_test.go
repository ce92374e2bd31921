package demo_test

import (
	"testing"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/db"
)

// TestDemoReports: the demo holds reports of every channel, the repeated
// rumour forms one cluster, business reports belong to the business, and
// every named person was handed to matching.
func TestDemoReports(t *testing.T) {
	d, sum := load(t, db.SQLite, 0.2)
	n := sum.Counts["reports"]
	if n != 360 || count(t, d, "SELECT COUNT(*) FROM reports") != n {
		t.Fatalf("reports: summary %d, stored %d", n, count(t, d, "SELECT COUNT(*) FROM reports"))
	}
	for _, ch := range []string{contest.ChannelOnline, contest.ChannelHotline, contest.ChannelPrecursor} {
		if count(t, d, "SELECT COUNT(*) FROM reports WHERE channel = $1", ch) == 0 {
			t.Errorf("no %s reports", ch)
		}
	}
	if c := count(t, d, "SELECT COUNT(*) FROM reports WHERE what LIKE '%shooting%' AND cluster_id <> 0"); c < 5 {
		t.Errorf("rumour cluster holds %d later reports", c)
	}
	if c := count(t, d, "SELECT COUNT(*) FROM reports r JOIN orgs o ON o.id = r.owner_org_id WHERE r.channel = 'business_precursor' AND o.kind = 'business'"); c != count(t, d, "SELECT COUNT(*) FROM reports WHERE channel = 'business_precursor'") {
		t.Errorf("business reports not owned by the business: %d", c)
	}
	if count(t, d, "SELECT COUNT(*) FROM person_mentions WHERE source_kind = 'report'") == 0 {
		t.Error("no mentions from reports")
	}
}
