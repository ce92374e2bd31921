package db_test

import (
	"testing"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/db"
	"github.com/contest-ct/contest/db/dbtest"
)

// joinDots is a fixture with a closed subject, a Prevent referral of a
// person written differently who is the same (swapped day and month of
// birth, a transliterated given name, a hyphen dropped), and an unrelated
// referral. All names are made up.
type joinDots struct {
	f                  *dbtest.Fixture
	subject            *contest.Subject
	referral, stranger *contest.PreventReferral
}

func mustJoinDots(t *testing.T, e db.Engine) *joinDots {
	t.Helper()
	f := dbtest.MustFixture(t, e)
	j := &joinDots{f: f,
		subject: &contest.Subject{GivenName: "Yusuf", FamilyName: "Brannigan-Okoro", DateOfBirth: "1990-03-04", Status: contest.SubjectClosed,
			ClosedReason: "no further concern", Meta: contest.Meta{OwnerOrgID: f.Orgs[contest.OrgCTP].ID}},
		referral: &contest.PreventReferral{Reference: "PR-TEST-1", GivenName: "Yousef", FamilyName: "Brannigan Okoro", DateOfBirth: "1990-04-03",
			Sector: "education", Concern: "mixed", Region: "Northshire", Meta: contest.Meta{OwnerOrgID: f.Orgs[contest.OrgCTP].ID, Area: "Northshire"}},
		stranger: &contest.PreventReferral{Reference: "PR-TEST-2", GivenName: "Margery", FamilyName: "Thistlewood", DateOfBirth: "1971-11-30",
			Sector: "health", Concern: "mixed", Region: "Northshire", Meta: contest.Meta{OwnerOrgID: f.Orgs[contest.OrgCTP].ID, Area: "Northshire"}},
	}
	err := f.DB.BulkLoad(ctx, contest.SystemActor("test"), func(b *db.Bulk) error {
		if err := b.Subject(j.subject); err != nil {
			return err
		}
		if err := b.PreventReferral(j.referral); err != nil {
			return err
		}
		return b.PreventReferral(j.stranger)
	})
	if err != nil {
		t.Fatal(err)
	}
	n, err := f.DB.MatchPending(ctx)
	if err != nil || n != 3 {
		t.Fatalf("MatchPending: %d mentions, %v; want 3", n, err)
	}
	return j
}

func TestJoinTheDots(t *testing.T) {
	forEngine(t, func(t *testing.T, e db.Engine) {
		j := mustJoinDots(t, e)
		d := j.f.DB
		sup := j.f.MustActor(t, contest.RoleSupervisor)
		inv := j.f.MustActor(t, contest.RoleInvestigator)
		prev := j.f.MustActor(t, contest.RolePreventOfficer)

		// The supervisor sees both records, so sees the match with reasons.
		got, total, err := d.FindPossibleMatches(ctx, sup, contest.MatchFilter{Status: contest.MatchOpen})
		if err != nil || total != 1 || len(got) != 1 {
			t.Fatalf("supervisor queue: %d matches (%v), want 1", total, err)
		}
		pm := got[0]
		if pm.Mention.SourceKind != contest.KindPreventCase || pm.Mention.SourceID != j.referral.ID ||
			pm.Candidate.SourceKind != contest.KindSubject || pm.Candidate.SourceID != j.subject.ID {
			t.Fatalf("match joins %s/%d and %s/%d", pm.Mention.SourceKind, pm.Mention.SourceID, pm.Candidate.SourceKind, pm.Candidate.SourceID)
		}
		if pm.Probability < db.MatchThreshold || len(pm.Reasons) < 3 {
			t.Fatalf("probability %.3f, reasons %+v", pm.Probability, pm.Reasons)
		}
		var sum float64
		for _, r := range pm.Reasons {
			sum += r.Weight
		}
		if d := sum - pm.Weight; d > 1e-6 || d < -1e-6 {
			t.Errorf("reasons add up to %.4f, weight is %.4f", sum, pm.Weight)
		}

		// Neither the investigator (no sight of Prevent cases) nor the
		// Prevent officer (no sight of subjects) sees it in their queue;
		// from their own record each learns only that it was referred.
		for _, c := range []struct {
			name string
			a    *contest.Actor
			kind contest.Kind
			id   int64
		}{
			{"investigator", inv, contest.KindSubject, j.subject.ID},
			{"prevent officer", prev, contest.KindPreventCase, j.referral.ID},
		} {
			q, n, err := d.FindPossibleMatches(ctx, c.a, contest.MatchFilter{})
			if err != nil || n != 0 || len(q) != 0 {
				t.Errorf("%s queue: %d (%v), want 0", c.name, n, err)
			}
			q, n, err = d.FindPossibleMatches(ctx, c.a, contest.MatchFilter{SourceKind: c.kind, SourceID: c.id})
			if err != nil || n != 1 || q[0].Status != contest.MatchReferred || q[0].Candidate != nil || q[0].Reasons != nil || q[0].Weight != 0 {
				t.Errorf("%s on own record: %d %+v (%v), want one referred stub", c.name, n, q, err)
			}
			_, hiddenErr := d.FindPossibleMatchByID(ctx, c.a, pm.ID)
			_, missingErr := d.FindPossibleMatchByID(ctx, c.a, pm.ID+1000)
			if contest.ErrorCode(hiddenErr) != contest.ENOTFOUND || contest.ErrorMessage(hiddenErr) != contest.ErrorMessage(missingErr) {
				t.Errorf("%s: hidden %v, missing %v: want the same not-found", c.name, hiddenErr, missingErr)
			}
			if _, err := d.DecidePossibleMatch(ctx, c.a, pm.ID, contest.DecideConfirm, "looks like them"); contest.ErrorCode(err) != contest.ENOTFOUND {
				t.Errorf("%s decided a match they cannot see: %v", c.name, err)
			}
		}
		// A partner's role may not work matches at all.
		if _, _, err := d.FindPossibleMatches(ctx, j.f.MustActor(t, contest.RolePartner), contest.MatchFilter{}); contest.ErrorCode(err) != contest.EFORBIDDEN {
			t.Errorf("partner: %v, want EFORBIDDEN", err)
		}

		// Bad decisions change nothing.
		for _, c := range []struct{ decision, reason string }{{"confirm", " "}, {"maybe", "x"}, {"unlink", "not linked yet"}} {
			if _, err := d.DecidePossibleMatch(ctx, sup, pm.ID, c.decision, c.reason); err == nil {
				t.Errorf("decision %q reason %q accepted", c.decision, c.reason)
			}
		}

		// The supervisor confirms: both mentions become one person.
		done, err := d.DecidePossibleMatch(ctx, sup, pm.ID, contest.DecideConfirm, "Same person: date of birth typed day-first")
		if err != nil || done.Status != contest.MatchConfirmed || done.DecidedBy != sup.UserID {
			t.Fatalf("confirm: %+v %v", done, err)
		}
		if done.Mention.PersonID == 0 || done.Mention.PersonID != done.Candidate.PersonID {
			t.Fatalf("confirmed mentions not one person: %d, %d", done.Mention.PersonID, done.Candidate.PersonID)
		}
		if _, err := d.DecidePossibleMatch(ctx, sup, pm.ID, contest.DecideReject, "changed my mind"); contest.ErrorCode(err) != contest.ECONFLICT {
			t.Errorf("second decision: %v, want ECONFLICT", err)
		}
		people, err := d.MentionsOfPerson(ctx, sup, done.Mention.ID)
		if err != nil || len(people) != 2 {
			t.Fatalf("mentions of person: %d (%v), want 2", len(people), err)
		}
		// The Prevent officer sees only the mention they may see.
		people, err = d.MentionsOfPerson(ctx, prev, done.Mention.ID)
		if err != nil || len(people) != 1 {
			t.Fatalf("prevent officer: mentions of person %d (%v), want 1", len(people), err)
		}

		// Unlinking parts them again, without touching the records.
		undone, err := d.DecidePossibleMatch(ctx, sup, pm.ID, contest.DecideUnlink, "Different middle names on the documents")
		if err != nil || undone.Mention.PersonID != 0 || undone.Candidate.PersonID != 0 {
			t.Fatalf("unlink: %+v %v", undone, err)
		}
		if _, err := d.FindSubjectByID(ctx, inv, j.subject.ID); err != nil {
			t.Fatalf("subject after unlink: %v", err)
		}
		if n := MustAuditCount(t, j.f, contest.AuditFilter{Kind: contest.KindPossibleMatch, Action: contest.AuditUpdate, Outcome: contest.OutcomeAllowed}); n != 2 {
			t.Errorf("%d decisions audited, want 2", n)
		}
	})
}

func TestClosedSubjectReassessment(t *testing.T) {
	forEngine(t, func(t *testing.T, e db.Engine) {
		j := mustJoinDots(t, e)
		d := j.f.DB
		inv := j.f.MustActor(t, contest.RoleInvestigator)
		list, total, err := d.FindReassessments(ctx, inv, "open", 0, 50)
		if err != nil || total != 1 || list[0].Subject.ID != j.subject.ID {
			t.Fatalf("re-assessments: %d %+v (%v), want the closed subject", total, list, err)
		}
		r := list[0]
		if r.PossibleMatchID == 0 || r.Reason == "" {
			t.Errorf("re-assessment carries no new information: %+v", r)
		}
		// Roles that may not see subjects see no queue.
		if _, _, err := d.FindReassessments(ctx, j.f.MustActor(t, contest.RolePreventOfficer), "open", 0, 50); contest.ErrorCode(err) != contest.EFORBIDDEN {
			t.Errorf("prevent officer: %v, want EFORBIDDEN", err)
		}
		if _, err := d.DecideReassessment(ctx, inv, r.ID, true, ""); contest.ErrorCode(err) != contest.EINVALID {
			t.Errorf("no reason: %v, want EINVALID", err)
		}
		done, err := d.DecideReassessment(ctx, inv, r.ID, true, "New referral shows renewed contact with the network")
		if err != nil || done.Status != "reopened" {
			t.Fatalf("reopen: %+v %v", done, err)
		}
		s, err := d.FindSubjectByID(ctx, inv, j.subject.ID)
		if err != nil || s.Status != contest.SubjectActive {
			t.Fatalf("subject after reopening: %+v %v", s, err)
		}
		if _, err := d.DecideReassessment(ctx, inv, r.ID, false, "again"); contest.ErrorCode(err) != contest.ECONFLICT {
			t.Errorf("second decision: %v, want ECONFLICT", err)
		}
		if _, total, _ := d.FindReassessments(ctx, inv, "open", 0, 50); total != 0 {
			t.Errorf("%d still open", total)
		}
	})
}

// TestMatchAcrossNodes stores mentions through one node and matches them
// on another sharing the database: each node's index catches up from the
// database, so neither misses what the other stored.
func TestMatchAcrossNodes(t *testing.T) {
	forEngine(t, func(t *testing.T, e db.Engine) {
		cfg := db.Config{DataDir: t.TempDir(), SecretKey: dbtest.Key, Argon2: db.TestArgon2, NotDurable: true}
		if e == db.Postgres {
			cfg.DSN = dbtest.MustPostgresDatabase(t)
		}
		open := func() *db.DB {
			d, err := db.Open(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { d.Close() })
			return d
		}
		a, b := open(), open()
		sys := contest.SystemActor("test")
		load := func(d *db.DB, s *contest.Subject) {
			t.Helper()
			if err := d.BulkLoad(ctx, sys, func(bk *db.Bulk) error { return bk.Subject(s) }); err != nil {
				t.Fatal(err)
			}
		}
		// Node a has indexed the first mention before node b stores the
		// second; node b matches, then node a, which finds nothing left.
		load(a, &contest.Subject{GivenName: "Oksana", FamilyName: "Vereshchak", DateOfBirth: "1984-07-21", Status: contest.SubjectClosed})
		if n, err := a.MatchPending(ctx); err != nil || n != 1 {
			t.Fatalf("node a: %d %v", n, err)
		}
		load(b, &contest.Subject{GivenName: "Oxana", FamilyName: "Vereschak", DateOfBirth: "1984-07-21", Status: contest.SubjectActive})
		if n, err := a.MatchPending(ctx); err != nil || n != 1 {
			t.Fatalf("node a after node b stored: %d %v", n, err)
		}
		if n, err := b.MatchPending(ctx); err != nil || n != 0 {
			t.Fatalf("node b: %d %v, want nothing left", n, err)
		}
		ms, total, err := b.FindPossibleMatches(ctx, sys, contest.MatchFilter{})
		if err != nil || total != 1 {
			t.Fatalf("possible matches: %d %v", total, err)
		}
		if ms[0].Mention.Person.Given != "Oxana" || ms[0].Candidate.Person.Given != "Oksana" {
			t.Errorf("pair: %+v / %+v", ms[0].Mention.Person, ms[0].Candidate.Person)
		}
		// The closed one gets its re-assessment; the active one does not.
		ras, n, err := b.FindReassessments(ctx, sys, "open", 0, 10)
		if err != nil || n != 1 || ras[0].Subject.GivenName != "Oksana" {
			t.Errorf("re-assessments: %d %v", n, err)
		}
	})
}

// TestChangedMentionRematched changes what a record says about a person:
// the changed mention is compared again at once, and the pair found is
// stored once, newer mention first.
func TestChangedMentionRematched(t *testing.T) {
	forEngine(t, func(t *testing.T, e db.Engine) {
		d := dbtest.MustOpen(t, e, nil)
		sys := contest.SystemActor("test")
		a := &contest.Subject{GivenName: "Ingrid", FamilyName: "Solvang-Abara", DateOfBirth: "1979-01-02", Status: contest.SubjectActive}
		b := &contest.Subject{GivenName: "Petra", FamilyName: "Hollingdrake", DateOfBirth: "1985-05-05", Status: contest.SubjectActive}
		if err := d.BulkLoad(ctx, sys, func(bk *db.Bulk) error {
			if err := bk.Subject(a); err != nil {
				return err
			}
			return bk.Subject(b)
		}); err != nil {
			t.Fatal(err)
		}
		if n, err := d.MatchPending(ctx); err != nil || n != 2 {
			t.Fatalf("first pass: %d %v", n, err)
		}
		if _, n, _ := d.FindPossibleMatches(ctx, sys, contest.MatchFilter{}); n != 0 {
			t.Fatalf("%d matches before the change", n)
		}
		// The first record is corrected to name the second person.
		if err := d.UpdateMentionForTest(ctx, sys, contest.KindSubject, a.ID, "subject", &a.Meta,
			&contest.PersonDetails{Given: "Petra", Family: "Hollingdrake", DateOfBirth: "1985-05-05"}); err != nil {
			t.Fatal(err)
		}
		if n, err := d.MatchPending(ctx); err != nil || n != 1 {
			t.Fatalf("after the change: %d %v", n, err)
		}
		ms, n, err := d.FindPossibleMatches(ctx, sys, contest.MatchFilter{})
		if err != nil || n != 1 {
			t.Fatalf("matches after the change: %d %v", n, err)
		}
		if ms[0].Mention.SourceID != b.ID || ms[0].Candidate.SourceID != a.ID {
			t.Errorf("pair stored as %d -> %d, want the newer mention (%d) first", ms[0].Mention.SourceID, ms[0].Candidate.SourceID, b.ID)
		}
	})
}
