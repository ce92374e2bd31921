package db_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/db"
	"github.com/contest-ct/contest/db/dbtest"
)

// pursueWorld is a fixture with two investigations opened by the
// investigator: Alder, whose team is the analyst and the supervisor, and
// Birch, whose team is the investigator alone. Actors are read after the
// investigations exist, so they carry their new compartments.
type pursueWorld struct {
	f                    *dbtest.Fixture
	alder, birch         *contest.Investigation
	inv, an, sup, prev   *contest.Actor
	invID, anID, supID   int64
	lead                 *contest.Lead
	alderComp, birchComp int64
}

func mustPursueWorld(t *testing.T, e db.Engine) *pursueWorld {
	t.Helper()
	f := dbtest.MustFixture(t, e)
	w := &pursueWorld{f: f, invID: f.Users[contest.RoleInvestigator].ID, anID: f.Users[contest.RoleAnalyst].ID, supID: f.Users[contest.RoleSupervisor].ID}
	inv := f.MustActor(t, contest.RoleInvestigator)
	w.lead = &contest.Lead{Source: "triage", Summary: "Synthetic lead: a report of suspicious purchases.", Meta: contest.Meta{Classification: contest.OfficialSensitive}}
	if err := f.DB.CreateLead(ctx, inv, w.lead); err != nil {
		t.Fatal(err)
	}
	var err error
	w.alder, err = f.DB.CreateInvestigation(ctx, inv, &contest.NewInvestigation{Operation: "Alder", Summary: "Synthetic investigation.",
		LeadID: w.lead.ID, Classification: contest.OfficialSensitive, Team: []int64{w.anID, w.supID}})
	if err != nil {
		t.Fatal(err)
	}
	w.birch, err = f.DB.CreateInvestigation(ctx, inv, &contest.NewInvestigation{Operation: "Birch", Summary: "Synthetic investigation.",
		Classification: contest.Official})
	if err != nil {
		t.Fatal(err)
	}
	w.alderComp, w.birchComp = w.alder.Meta.Compartments[0], w.birch.Meta.Compartments[0]
	w.inv, w.an, w.sup = f.MustActor(t, contest.RoleInvestigator), f.MustActor(t, contest.RoleAnalyst), f.MustActor(t, contest.RoleSupervisor)
	w.prev = f.MustActor(t, contest.RolePreventOfficer)
	return w
}

func TestPursueInvestigationCompartment(t *testing.T) {
	forEngine(t, func(t *testing.T, e db.Engine) {
		w := mustPursueWorld(t, e)
		comp, err := w.f.DB.FindCompartmentByID(ctx, contest.SystemActor("test"), w.alderComp)
		if err != nil {
			t.Fatal(err)
		}
		if want := []int64{w.invID, w.anID, w.supID}; !slices.Equal(comp.Members, sorted(want)) || comp.Name != "Operation Alder" {
			t.Errorf("compartment %q members %v, want only the team %v", comp.Name, comp.Members, sorted(want))
		}
		leads, err := w.f.DB.FindLeads(ctx, w.inv, "")
		if err != nil || len(leads) != 1 || leads[0].Status != "converted" || leads[0].InvestigationID != w.alder.ID {
			t.Errorf("lead after conversion: %+v, %v", leads, err)
		}
		for _, tc := range []struct {
			name string
			a    *contest.Actor
			id   int64
			ok   bool
		}{
			{"TeamSeesAlder", w.an, w.alder.ID, true},
			{"SupervisorInTeam", w.sup, w.alder.ID, true},
			{"AnalystNotInBirch", w.an, w.birch.ID, false},
			{"SupervisorNotInBirch", w.sup, w.birch.ID, false},
			{"OpenerSeesBirch", w.inv, w.birch.ID, true},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := w.f.DB.FindInvestigationByID(ctx, tc.a, tc.id)
				if got := err == nil; got != tc.ok {
					t.Errorf("visible = %v (%v), want %v", got, err, tc.ok)
				}
				if err != nil && contest.ErrorCode(err) != contest.ENOTFOUND {
					t.Errorf("hidden gives %v, want not found", err)
				}
			})
		}
		t.Run("ConvertedLeadCannotConvertAgain", func(t *testing.T) {
			_, err := w.f.DB.CreateInvestigation(ctx, w.inv, &contest.NewInvestigation{Operation: "Cedar", Summary: "x", LeadID: w.lead.ID, Classification: contest.Official})
			if contest.ErrorCode(err) != contest.ECONFLICT {
				t.Errorf("got %v, want conflict", err)
			}
		})
		for _, tc := range []struct {
			name  string
			a     *contest.Actor
			n     contest.NewInvestigation
			code  string
			field string
		}{
			{"DuplicateOperation", w.inv, contest.NewInvestigation{Operation: "Alder", Summary: "x", Classification: contest.Official}, contest.EINVALID, "operation"},
			{"NoOperation", w.inv, contest.NewInvestigation{Summary: "x", Classification: contest.Official}, contest.EINVALID, "operation"},
			{"NoClassification", w.inv, contest.NewInvestigation{Operation: "Cedar", Summary: "x"}, contest.EINVALID, "classification"},
			{"AboveVetting", w.inv, contest.NewInvestigation{Operation: "Cedar", Summary: "x", Classification: contest.Secret}, contest.EINVALID, "classification"},
			{"UnknownTeamMember", w.inv, contest.NewInvestigation{Operation: "Cedar", Summary: "x", Classification: contest.Official, Team: []int64{999999}}, contest.EINVALID, "team"},
			{"AnalystMayNotOpen", w.an, contest.NewInvestigation{Operation: "Cedar", Summary: "x", Classification: contest.Official}, contest.EFORBIDDEN, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := w.f.DB.CreateInvestigation(ctx, tc.a, &tc.n)
				if contest.ErrorCode(err) != tc.code || (tc.field != "" && !hasField(err, tc.field)) {
					t.Fatalf("got %v, want %s on %q", err, tc.code, tc.field)
				}
			})
		}
		// Nothing of the refused attempts was left behind.
		if _, n, _ := w.f.DB.FindInvestigations(ctx, contest.SystemActor("test"), contest.CaseFilter{}); n != 2 {
			t.Errorf("%d investigations after refused attempts, want 2", n)
		}
	})
}

func TestPursueClassificationChange(t *testing.T) {
	forEngine(t, func(t *testing.T, e db.Engine) {
		w := mustPursueWorld(t, e)
		for _, tc := range []struct {
			name   string
			a      *contest.Actor
			id     int64
			to     contest.Classification
			reason string
			code   string
		}{
			{"InvestigatorMayNot", w.inv, w.alder.ID, contest.Official, "Downgrade", contest.EFORBIDDEN},
			{"NoReason", w.sup, w.alder.ID, contest.Official, " ", contest.EINVALID},
			{"AboveVetting", w.sup, w.alder.ID, contest.Secret, "Raise", contest.EINVALID},
			{"Unchanged", w.sup, w.alder.ID, contest.OfficialSensitive, "Same", contest.EINVALID},
			{"HiddenInvestigation", w.sup, w.birch.ID, contest.OfficialSensitive, "Raise", contest.ENOTFOUND},
			{"Lowered", w.sup, w.alder.ID, contest.Official, "Source material now open.", ""},
			{"Raised", w.sup, w.alder.ID, contest.OfficialSensitive, "New sensitive reporting.", ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, err := w.f.DB.ChangeClassification(ctx, tc.a, tc.id, tc.to, tc.reason)
				if contest.ErrorCode(err) != tc.code {
					t.Fatalf("got %v, want %q", err, tc.code)
				}
				if tc.code == "" && got.Meta.Classification != tc.to {
					t.Errorf("classification %v, want %v", got.Meta.Classification, tc.to)
				}
			})
		}
		changes, err := w.f.DB.FindClassificationChanges(ctx, w.inv, w.alder.ID)
		if err != nil || len(changes) != 2 || changes[0].Reason != "New sensitive reporting." || changes[1].From != contest.OfficialSensitive ||
			changes[1].To != contest.Official || changes[0].DecidedBy != w.supID {
			t.Errorf("changes %+v, %v", changes, err)
		}
		// Raising takes the investigation's lower-marked records with it.
		if _, err := w.f.DB.ChangeClassification(ctx, w.sup, w.alder.ID, contest.Official, "Lowered for the test."); err != nil {
			t.Fatal(err)
		}
		act := &contest.Action{InvestigationID: w.alder.ID, Title: "Trace the caller", Category: "trace", Priority: "low"}
		if err := w.f.DB.RaiseAction(ctx, w.inv, act); err != nil {
			t.Fatal(err)
		}
		s, err := w.f.DB.CreateSubject(ctx, w.inv, &contest.NewSubject{InvestigationID: w.alder.ID, GivenName: "Ferris", FamilyName: "Wendlebury",
			Classification: contest.Official, Priority: contest.PriorityDecision{Tier: "P4", Rationale: "Named once.", NextReviewAt: time.Now().AddDate(0, 1, 0)}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.f.DB.ChangeClassification(ctx, w.sup, w.alder.ID, contest.OfficialSensitive, "Raised again."); err != nil {
			t.Fatal(err)
		}
		for q, id := range map[string]int64{
			"SELECT classification FROM actions WHERE id = $1":                                            act.ID,
			"SELECT classification FROM subjects WHERE id = $1":                                           s.ID,
			"SELECT classification FROM person_mentions WHERE source_kind = 'subject' AND source_id = $1": s.ID,
		} {
			var c int
			if err := w.f.DB.SQL().QueryRowContext(ctx, q, id).Scan(&c); err != nil || contest.Classification(c) != contest.OfficialSensitive {
				t.Errorf("%s: %v, %v; want raised", q, contest.Classification(c), err)
			}
		}
	})
}

func TestPursueSubjectLifecycle(t *testing.T) {
	forEngine(t, func(t *testing.T, e db.Engine) {
		w := mustPursueWorld(t, e)
		review := time.Now().UTC().AddDate(0, 3, 0).Truncate(24 * time.Hour)
		prio := contest.PriorityDecision{Tier: "P2", Rationale: "Reporting of attack planning, uncorroborated.", NextReviewAt: review}
		for _, tc := range []struct {
			name  string
			n     contest.NewSubject
			field string
		}{
			{"NoName", contest.NewSubject{FamilyName: "Quillon", Classification: contest.Official, Priority: prio}, "given_name"},
			{"BadDate", contest.NewSubject{GivenName: "Orla", FamilyName: "Quillon", DateOfBirth: "1990-02-30", Classification: contest.Official, Priority: prio}, "date_of_birth"},
			{"NoRationale", contest.NewSubject{GivenName: "Orla", FamilyName: "Quillon", Classification: contest.Official,
				Priority: contest.PriorityDecision{Tier: "P2", NextReviewAt: review}}, "rationale"},
			{"NoTier", contest.NewSubject{GivenName: "Orla", FamilyName: "Quillon", Classification: contest.Official,
				Priority: contest.PriorityDecision{Tier: "P9", Rationale: "x", NextReviewAt: review}}, "tier"},
			{"PartAssessment", contest.NewSubject{GivenName: "Orla", FamilyName: "Quillon", Classification: contest.Official, Priority: prio,
				Assessment: &contest.SubjectAssessment{Intent: "high"}}, "capability"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := w.f.DB.CreateSubject(ctx, w.inv, &tc.n)
				if !hasField(err, tc.field) {
					t.Errorf("got %v, want an error on %s", err, tc.field)
				}
			})
		}
		s, err := w.f.DB.CreateSubject(ctx, w.inv, &contest.NewSubject{InvestigationID: w.alder.ID, GivenName: "Orla", FamilyName: "Quillon",
			DateOfBirth: "1991-04-12", Classification: contest.Official, Priority: prio,
			Assessment: &contest.SubjectAssessment{Intent: "medium", Capability: "low", Imminence: "low", Notes: "Completed by the case officer."}})
		if err != nil {
			t.Fatal(err)
		}
		// The subject takes the investigation's marking and compartment.
		if s.Meta.Classification != contest.OfficialSensitive || !slices.Equal(s.Meta.Compartments, []int64{w.alderComp}) || s.OwnerUserID != w.invID {
			t.Errorf("subject meta %+v owner %d", s.Meta, s.OwnerUserID)
		}
		if _, err := w.f.DB.FindSubjectByID(ctx, w.prev, s.ID); contest.ErrorCode(err) != contest.ENOTFOUND {
			t.Errorf("Prevent officer sees the subject: %v", err)
		}
		if _, err := w.f.DB.CreateSubject(ctx, w.an, &contest.NewSubject{InvestigationID: w.birch.ID, GivenName: "A", FamilyName: "B",
			Classification: contest.Official, Priority: prio}); contest.ErrorCode(err) != contest.EFORBIDDEN {
			t.Errorf("analyst creating a subject: %v", err)
		}
		sup := w.sup
		if _, err := w.f.DB.CreateSubject(ctx, w.f.MustActor(t, contest.RoleSupervisor), &contest.NewSubject{InvestigationID: w.birch.ID, GivenName: "A", FamilyName: "B",
			Classification: contest.Official, Priority: prio}); contest.ErrorCode(err) != contest.ENOTFOUND {
			t.Errorf("subject on a hidden investigation: %v", err)
		}
		mentions := func() (n int, person string) {
			t.Helper()
			if err := w.f.DB.SQL().QueryRowContext(ctx, "SELECT COUNT(*), MAX(person) FROM person_mentions WHERE source_kind = 'subject' AND source_id = $1", s.ID).Scan(&n, &person); err != nil {
				t.Fatal(err)
			}
			return n, person
		}
		if n, p := mentions(); n != 1 || !strings.Contains(p, "Quillon") {
			t.Errorf("mentions %d %s", n, p)
		}
		if err := w.f.DB.SetSubjectPriority(ctx, sup, s.ID, &contest.PriorityDecision{Tier: "P1", Rationale: "Corroborated by a second source.", NextReviewAt: review}); err != nil {
			t.Fatal(err)
		}
		det, err := w.f.DB.FindSubjectDetail(ctx, w.an, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if det.Subject.Priority != "P1" || len(det.Priorities) != 2 || det.Priorities[0].DecidedBy != w.supID || det.Priorities[1].DecidedBy != w.invID ||
			len(det.Assessments) != 1 || det.Assessments[0].AssessedBy != w.invID {
			t.Errorf("detail %+v priorities %+v", det.Subject, det.Priorities)
		}
		// A name change updates the mention in the same transaction.
		name := "Quillan"
		if _, err := w.f.DB.UpdateSubject(ctx, w.inv, s.ID, &contest.SubjectChange{FamilyName: &name}); err != nil {
			t.Fatal(err)
		}
		if n, p := mentions(); n != 1 || !strings.Contains(p, "Quillan") {
			t.Errorf("after rename: mentions %d %s", n, p)
		}
		for _, tc := range []struct {
			name  string
			c     contest.SubjectChange
			field string
		}{
			{"CloseWithoutReason", contest.SubjectChange{Status: contest.SubjectClosed, NextReviewAt: review}, "reason"},
			{"CloseWithoutReview", contest.SubjectChange{Status: contest.SubjectClosed, Reason: "No longer of interest"}, "next_review_at"},
			{"UnknownStatus", contest.SubjectChange{Status: "dormant"}, "status"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := w.f.DB.UpdateSubject(ctx, w.inv, s.ID, &tc.c)
				if !hasField(err, tc.field) {
					t.Errorf("got %v, want an error on %s", err, tc.field)
				}
			})
		}
		scheduled := func() []*contest.Reassessment {
			t.Helper()
			rs, _, err := w.f.DB.FindReassessments(ctx, w.inv, "open", 0, 50)
			if err != nil {
				t.Fatal(err)
			}
			var out []*contest.Reassessment
			for _, r := range rs {
				if r.Subject.ID == s.ID && r.PossibleMatchID == 0 {
					out = append(out, r)
				}
			}
			return out
		}
		if got := scheduled(); len(got) != 0 {
			t.Fatalf("active subject has a scheduled re-assessment: %+v", got)
		}
		closed, err := w.f.DB.UpdateSubject(ctx, w.inv, s.ID, &contest.SubjectChange{Status: contest.SubjectClosed, Reason: "Activity ceased; no intent shown.", NextReviewAt: review})
		if err != nil {
			t.Fatal(err)
		}
		if closed.Status != contest.SubjectClosed || closed.ClosedReason != "Activity ceased; no intent shown." || !closed.NextReviewAt.Equal(review) {
			t.Errorf("closed subject %+v", closed)
		}
		got := scheduled()
		if len(got) != 1 || got[0].Reason != "Scheduled review due "+review.Format(time.DateOnly) {
			t.Fatalf("scheduled re-assessments %+v", got)
		}
		if _, _, err := w.f.DB.FindReassessments(ctx, w.prev, "open", 0, 50); contest.ErrorCode(err) != contest.EFORBIDDEN {
			t.Errorf("Prevent officer reads the queue: %v", err)
		}
		// Decided (reopened), then closed again: a new scheduled review, the
		// decided one kept in the history.
		if _, err := w.f.DB.DecideReassessment(ctx, w.inv, got[0].ID, true, "New reporting of contact."); err != nil {
			t.Fatal(err)
		}
		later := review.AddDate(0, 6, 0)
		if _, err := w.f.DB.UpdateSubject(ctx, w.inv, s.ID, &contest.SubjectChange{Status: contest.SubjectClosed, Reason: "Reporting discounted.", NextReviewAt: later}); err != nil {
			t.Fatal(err)
		}
		if got := scheduled(); len(got) != 1 || got[0].Reason != "Scheduled review due "+later.Format(time.DateOnly) {
			t.Errorf("after closing again: %+v", got)
		}
		var hist int
		var decision string
		if err := w.f.DB.SQL().QueryRowContext(ctx, "SELECT COUNT(*), MAX(decision_reason) FROM subject_review_history WHERE subject_id = $1", s.ID).Scan(&hist, &decision); err != nil {
			t.Fatal(err)
		}
		if hist != 1 || decision != "New reporting of contact." {
			t.Errorf("history %d %q", hist, decision)
		}
		if _, err := w.f.DB.UpdateSubject(ctx, w.inv, s.ID, &contest.SubjectChange{Status: contest.SubjectFormer, Reason: "Moved out of the jurisdiction."}); err != nil {
			t.Fatal(err)
		}
	})
}

func sorted(ids []int64) []int64 {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}

func hasField(err error, field string) bool {
	e, ok := err.(*contest.Error)
	if !ok {
		return false
	}
	for _, f := range e.Fields {
		if f.Field == field {
			return true
		}
	}
	return false
}
