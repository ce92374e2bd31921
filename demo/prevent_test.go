package demo_test

import (
	"testing"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/db"
)

// TestPreventDemo: the demo's Prevent work (a panel meeting with its
// agenda and papers, support plans with sessions, reviews due after exit,
// DDP cases) is there for the demo users.
func TestPreventDemo(t *testing.T) {
	d, sum := load(t, db.SQLite, 0.25)
	if sum.Counts["panel_agenda_items"] == 0 || sum.Counts["support_plans"] == 0 || sum.Counts["support_exited_with_reviews"] == 0 || sum.Counts["ddp_cases"] != 3 {
		t.Fatalf("counts %v", sum.Counts)
	}
	var chairID, officerID int64
	for _, q := range []struct {
		role string
		id   *int64
	}{{string(contest.RolePanelMember), &chairID}, {string(contest.RolePreventOfficer), &officerID}} {
		if err := d.SQL().QueryRowContext(ctx, "SELECT id FROM users WHERE role = $1", q.role).Scan(q.id); err != nil {
			t.Fatal(err)
		}
	}
	chair, err := d.ActorForUser(ctx, chairID, "127.0.0.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	ms, err := d.FindPanelMeetings(ctx, chair)
	if err != nil || len(ms) != 1 {
		t.Fatalf("meetings %d %v", len(ms), err)
	}
	m, err := d.FindPanelMeetingByID(ctx, chair, ms[0].ID)
	if err != nil || len(m.Agenda) != sum.Counts["panel_agenda_items"] || len(m.Papers) == 0 {
		t.Errorf("meeting %+v %v", m, err)
	}
	q, err := d.FindReviewQueue(ctx, chair)
	if err != nil || len(q) != 2*sum.Counts["support_exited_with_reviews"] {
		t.Errorf("chair's review queue: %d %v", len(q), err)
	}
}
