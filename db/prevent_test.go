package db_test

import (
	"fmt"
	"regexp"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/db"
	"github.com/contest-ct/contest/db/dbtest"
)

// MustPreventUser adds a user of role in the fixture's organisation of kind
// (or a new one, with the area, when area differs from the fixture's) and
// returns their actor.
func MustPreventUser(tb testing.TB, f *dbtest.Fixture, name string, role contest.Role, kind contest.OrgKind, area string) *contest.Actor {
	tb.Helper()
	sys := contest.SystemActor("test")
	org := f.Orgs[kind]
	if area != org.Area {
		org = &contest.Org{Name: "Test " + kind.Label() + " " + area, Kind: kind, Area: area}
		if err := f.DB.CreateOrg(ctx, sys, org); err != nil {
			tb.Fatal(err)
		}
	}
	u := &contest.User{Username: name, DisplayName: "Test " + name, Role: role, Vetting: contest.CTC, OrgID: org.ID}
	if err := f.DB.CreateUser(ctx, sys, u, f.Password); err != nil {
		tb.Fatal(err)
	}
	a, err := f.DB.ActorForUser(ctx, u.ID, "192.0.2.1", "test")
	if err != nil {
		tb.Fatal(err)
	}
	a.TOTPEnrolled = true
	return a
}

// goodReferral is a complete referral of a made-up person.
func goodReferral(given, family, dob string) *contest.ReferralRequest {
	return &contest.ReferralRequest{GivenName: given, FamilyName: family, DateOfBirth: dob, Area: "Northshire",
		Sector: "education", Concern: "other", Age: 15, Gender: "unknown", Region: "North East",
		Details: contest.ReferralDetails{HowConcernArose: "Raised by a form tutor.", Behaviour: "Shared violent material in class.",
			Indicators: "Talk of grievance against a group.", DiscussedWithPerson: "no", ChildUnder18: true, ParentalSupport: "Parents engaged."}}
}

func MustRefer(tb testing.TB, d *db.DB, a *contest.Actor, r *contest.ReferralRequest) *contest.PreventReferral {
	tb.Helper()
	v, err := d.CreatePreventReferral(ctx, a, r)
	if err != nil {
		tb.Fatalf("refer: %v", err)
	}
	return v
}

func TestPreventReferral(t *testing.T) {
	forEngine(t, func(t *testing.T, e db.Engine) {
		f := dbtest.MustFixture(t, e)
		d := f.DB
		teacher := MustPreventUser(t, f, "test.teacher", contest.RolePartner, contest.OrgEducation, "Northshire")
		nurse := MustPreventUser(t, f, "test.nurse", contest.RolePartner, contest.OrgHealth, "Northshire")
		officer := f.MustActor(t, contest.RolePreventOfficer)

		// Bad input: every problem at once, nothing stored.
		for _, c := range []struct {
			name   string
			edit   func(r *contest.ReferralRequest)
			fields []string
		}{
			{"no name", func(r *contest.ReferralRequest) { r.FamilyName = " " }, []string{"family_name"}},
			{"bad date", func(r *contest.ReferralRequest) { r.DateOfBirth = "2010-02-30" }, []string{"date_of_birth"}},
			{"no area", func(r *contest.ReferralRequest) { r.Area = "" }, []string{"area"}},
			{"unknown sector and concern", func(r *contest.ReferralRequest) { r.Sector, r.Concern = "sports", "anger" }, []string{"sector", "concern"}},
			{"age", func(r *contest.ReferralRequest) { r.Age = 200 }, []string{"age"}},
			{"statutory questions", func(r *contest.ReferralRequest) { r.Details = contest.ReferralDetails{ChildUnder18: true} },
				[]string{"how_concern_arose", "behaviour", "indicators", "discussed_with_person", "parental_support"}},
		} {
			r := goodReferral("Testa", "Badform", "")
			c.edit(r)
			_, err := d.CreatePreventReferral(ctx, teacher, r)
			var got []string
			for _, fe := range contest.ErrorFields(err) {
				got = append(got, fe.Field)
			}
			if contest.ErrorCode(err) != contest.EINVALID || !slices.Equal(got, c.fields) {
				t.Errorf("%s: %v, fields %v, want %v", c.name, err, got, c.fields)
			}
		}
		if _, n, _ := d.FindPreventReferrals(ctx, officer, contest.CaseFilter{}); n != 0 {
			t.Fatalf("%d referrals stored after bad input", n)
		}
		// A business may not refer through contest (no Prevent sharing).
		if _, err := d.CreatePreventReferral(ctx, f.MustActor(t, contest.RolePartner), goodReferral("Testa", "Biz", "")); contest.ErrorCode(err) != contest.EFORBIDDEN {
			t.Errorf("business referral: %v, want EFORBIDDEN", err)
		}

		v := MustRefer(t, d, teacher, goodReferral("Testa", "Goodform", "2010-05-06"))
		if !regexp.MustCompile(`^PR-\d{4}-[A-Z2-9]{8}$`).MatchString(v.Reference) || v.Stage != "referred" || v.Meta.OwnerOrgID != teacher.OrgID {
			t.Fatalf("referral %+v", v)
		}
		// The person is a mention, matched at once.
		if n, err := d.MatchPending(ctx); err != nil || n != 1 {
			t.Errorf("mentions to match: %d (%v), want 1", n, err)
		}
		got, err := d.FindPreventReferralByID(ctx, officer, v.ID)
		if err != nil || got.Reference != v.Reference {
			t.Fatalf("officer reads referral: %v", err)
		}
		det, err := d.PreventReferralDetails(ctx, officer, v.ID)
		if err != nil || det.Behaviour != "Shared violent material in class." || det.ParentalSupport != "Parents engaged." {
			t.Fatalf("details %+v %v", det, err)
		}
		// The referrer may not read the case, only the outcome for them.
		if _, err := d.FindPreventReferralByID(ctx, teacher, v.ID); contest.ErrorCode(err) != contest.ENOTFOUND {
			t.Errorf("referrer read the case: %v", err)
		}
		rv, err := d.PreventReferrerView(ctx, teacher, " "+v.Reference+" ")
		if err != nil || rv.Outcome != contest.ReferrerReceived {
			t.Fatalf("referrer view %+v %v", rv, err)
		}
		// Someone else's organisation: the same not-found as a missing one.
		_, hidden := d.PreventReferrerView(ctx, nurse, v.Reference)
		_, missing := d.PreventReferrerView(ctx, nurse, "PR-2000-AAAAAAAA")
		if contest.ErrorCode(hidden) != contest.ENOTFOUND || contest.ErrorMessage(hidden) != contest.ErrorMessage(missing) {
			t.Errorf("other referrer: %v, missing %v", hidden, missing)
		}
		if n := MustAuditCount(t, f, contest.AuditFilter{Kind: contest.KindPreventCase, Action: contest.AuditCreate, Outcome: contest.OutcomeAllowed}); n != 1 {
			t.Errorf("%d creations audited, want 1", n)
		}
	})
}

func TestPreventScreening(t *testing.T) {
	forEngine(t, func(t *testing.T, e db.Engine) {
		f := dbtest.MustFixture(t, e)
		d := f.DB
		subject := &contest.Subject{GivenName: "Yusuf", FamilyName: "Brannigan-Okoro", DateOfBirth: "1990-03-04", Status: contest.SubjectActive,
			Meta: contest.Meta{OwnerOrgID: f.Orgs[contest.OrgCTP].ID, Classification: contest.OfficialSensitive}}
		if err := d.BulkLoad(ctx, contest.SystemActor("test"), func(b *db.Bulk) error { return b.Subject(subject) }); err != nil {
			t.Fatal(err)
		}
		teacher := MustPreventUser(t, f, "test.teacher", contest.RolePartner, contest.OrgEducation, "Northshire")
		officer := f.MustActor(t, contest.RolePreventOfficer)
		inv := f.MustActor(t, contest.RoleInvestigator)
		la := f.MustActor(t, contest.RolePanelMember)
		known := MustRefer(t, d, teacher, goodReferral("Yousef", "Brannigan Okoro", "1990-04-03"))
		stranger := MustRefer(t, d, teacher, goodReferral("Margery", "Thistlewood", "1971-11-30"))
		third := MustRefer(t, d, teacher, goodReferral("Testa", "Thirdway", "1980-01-01"))

		if _, err := d.ScreenPreventReferral(ctx, la, known.ID); contest.ErrorCode(err) != contest.EFORBIDDEN {
			t.Errorf("local authority screened: %v", err)
		}
		if _, err := d.DecidePreventScreening(ctx, officer, known.ID, contest.ScreenPanel, "Vulnerable.", ""); contest.ErrorCode(err) != contest.ECONFLICT {
			t.Errorf("decided before the Pursue check: %v", err)
		}
		// Screening the matched person and the stranger looks the same
		// on the Prevent side.
		var screens []*contest.Screening
		for _, r := range []*contest.PreventReferral{known, stranger, third} {
			s, err := d.ScreenPreventReferral(ctx, officer, r.ID)
			if err != nil || len(s.Steps) != 1 || s.Steps[0].Step != contest.StepPursueCheck || s.Steps[0].Took < 0 {
				t.Fatalf("screen %s: %+v %v", r.Reference, s, err)
			}
			screens = append(screens, s)
		}
		if screens[0].Steps[0].Note != screens[1].Steps[0].Note || screens[0].Decision != screens[1].Decision {
			t.Errorf("screening differs: %+v / %+v", screens[0].Steps[0], screens[1].Steps[0])
		}
		// The match went to the investigation team, not to Prevent.
		dc, err := d.FindDeconflictions(ctx, inv)
		if err != nil || len(dc) != 1 || dc[0].ReferralID != known.ID || len(dc[0].PossibleMatches) != 1 {
			t.Fatalf("deconflictions %+v %v", dc, err)
		}
		if _, err := d.FindDeconflictions(ctx, officer); contest.ErrorCode(err) != contest.EFORBIDDEN {
			t.Errorf("prevent officer saw deconflictions: %v", err)
		}
		if _, err := d.ResolveDeconfliction(ctx, officer, dc[0].ID, false, "x"); contest.ErrorCode(err) != contest.EFORBIDDEN {
			t.Errorf("prevent officer resolved: %v", err)
		}
		if _, err := d.ResolveDeconfliction(ctx, inv, dc[0].ID, false, " "); contest.ErrorCode(err) != contest.EINVALID {
			t.Errorf("no reason: %v", err)
		}
		if _, err := d.ResolveDeconfliction(ctx, inv, dc[0].ID+100, false, "x"); contest.ErrorCode(err) != contest.ENOTFOUND {
			t.Errorf("missing: %v", err)
		}
		if r, err := d.ResolveDeconfliction(ctx, inv, dc[0].ID, true, "Known to Operation Larchmere: police lead."); err != nil || r.Status != "conflict" {
			t.Errorf("resolve: %+v %v", r, err)
		}
		if _, err := d.ResolveDeconfliction(ctx, inv, dc[0].ID, false, "again"); contest.ErrorCode(err) != contest.ECONFLICT {
			t.Errorf("resolved twice: %v", err)
		}
		if dc, err := d.FindDeconflictions(ctx, inv); err != nil || dc[0].Status != "conflict" || dc[0].Reason != "Known to Operation Larchmere: police lead." {
			t.Errorf("after resolving: %+v %v", dc[0], err)
		}
		pm, err := d.FindPossibleMatchByID(ctx, f.MustActor(t, contest.RoleSupervisor), dc[0].PossibleMatches[0])
		if err != nil || pm.Candidate.SourceID != subject.ID && pm.Mention.SourceID != subject.ID {
			t.Fatalf("match %+v %v", pm, err)
		}
		if _, err := d.FindPossibleMatchByID(ctx, officer, pm.ID); contest.ErrorCode(err) != contest.ENOTFOUND {
			t.Errorf("prevent officer sees the match: %v", err)
		}

		// Bad decisions change nothing.
		for _, c := range []struct{ decision, reason, sign, field string }{
			{"maybe", "x", "", "decision"}, {contest.ScreenPanel, " ", "", "reason"}, {contest.ScreenNotPrevent, "No CT risk.", "", "signposted_to"},
		} {
			_, err := d.DecidePreventScreening(ctx, officer, known.ID, c.decision, c.reason, c.sign)
			if fs := contest.ErrorFields(err); len(fs) != 1 || fs[0].Field != c.field {
				t.Errorf("decision %q: %v, want an error on %s", c.decision, err, c.field)
			}
		}
		for _, c := range []struct {
			r        *contest.PreventReferral
			decision string
			sign     string
			stage    string
			outcome  string
		}{
			{known, contest.ScreenPoliceLed, "", "police_led", contest.ReferrerTakenForward},
			{stranger, contest.ScreenNotPrevent, "Children's social care", "closed", contest.ReferrerNoAction},
			{third, contest.ScreenPanel, "", "panel", contest.ReferrerTakenForward},
		} {
			s, err := d.DecidePreventScreening(ctx, officer, c.r.ID, c.decision, "Synthetic reason.", c.sign)
			if err != nil || s.Decision != c.decision || len(s.Steps) != 2 || s.Steps[1].Step != contest.StepDecision ||
				!s.Steps[1].StartedAt.Equal(s.Steps[0].FinishedAt) || s.DecidedBy != officer.UserID {
				t.Fatalf("decide %s: %+v %v", c.decision, s, err)
			}
			got, _ := d.FindPreventReferralByID(ctx, officer, c.r.ID)
			if got.Stage != c.stage || got.OwnerUserID != officer.UserID {
				t.Errorf("%s: stage %s owner %d", c.decision, got.Stage, got.OwnerUserID)
			}
			rv, err := d.PreventReferrerView(ctx, teacher, c.r.Reference)
			if err != nil || rv.Outcome != c.outcome || rv.SignpostedTo != c.sign {
				t.Errorf("%s: referrer sees %+v %v", c.decision, rv, err)
			}
		}
		// Police-led and panel look the same to the referrer.
		a, _ := d.PreventReferrerView(ctx, teacher, known.Reference)
		b, _ := d.PreventReferrerView(ctx, teacher, third.Reference)
		if a.Message != b.Message {
			t.Errorf("referrer can tell police-led from panel: %q / %q", a.Message, b.Message)
		}
		if _, err := d.DecidePreventScreening(ctx, officer, third.ID, contest.ScreenPanel, "Again.", ""); contest.ErrorCode(err) != contest.ECONFLICT {
			t.Errorf("second decision: %v", err)
		}
	})
}

func TestPreventDDP(t *testing.T) {
	forEngine(t, func(t *testing.T, e db.Engine) {
		f := dbtest.MustFixture(t, e)
		d := f.DB
		officer := f.MustActor(t, contest.RolePreventOfficer)
		probation := MustPreventUser(t, f, "test.probation", contest.RolePreventOfficer, contest.OrgPrisonProbation, "Northshire")
		la := f.MustActor(t, contest.RolePanelMember)
		if err := d.CreateDDPCase(ctx, officer, &contest.DDPCase{FamilyName: " ", Basis: "parole"}); len(contest.ErrorFields(err)) != 3 {
			t.Errorf("bad case: %v", err)
		}
		if err := d.CreateDDPCase(ctx, la, &contest.DDPCase{FamilyName: "Testa", Basis: "licence", Provider: "P"}); contest.ErrorCode(err) != contest.EFORBIDDEN {
			t.Errorf("local authority made a DDP case: %v", err)
		}
		mandated := &contest.DDPCase{GivenName: "Testa", FamilyName: "Licenceby", DateOfBirth: "1988-02-03", Basis: "licence", Mandated: true, Provider: "Intervention provider A"}
		if err := d.CreateDDPCase(ctx, probation, mandated); err != nil {
			t.Fatal(err)
		}
		voluntary := &contest.DDPCase{FamilyName: "Tpimford", Basis: "tpim", Provider: "Mentoring service B"}
		if err := d.CreateDDPCase(ctx, officer, voluntary); err != nil {
			t.Fatal(err)
		}
		if n, err := d.MatchPending(ctx); err != nil || n != 2 {
			t.Errorf("mentions matched: %d %v, want 2", n, err)
		}
		// Probation sees its own case; CT police see both; a local
		// authority neither.
		for _, c := range []struct {
			name string
			a    *contest.Actor
			n    int
		}{{"probation", probation, 1}, {"police", officer, 2}} {
			got, err := d.FindDDPCases(ctx, c.a)
			if err != nil || len(got) != c.n {
				t.Errorf("%s: %d cases (%v), want %d", c.name, len(got), err, c.n)
			}
		}
		if _, err := d.FindDDPCases(ctx, la); contest.ErrorCode(err) != contest.EFORBIDDEN {
			t.Errorf("local authority listed DDP cases: %v", err)
		}
		_, hidden := d.FindDDPCaseByID(ctx, probation, voluntary.ID)
		_, missing := d.FindDDPCaseByID(ctx, probation, voluntary.ID+100)
		if contest.ErrorCode(hidden) != contest.ENOTFOUND || contest.ErrorMessage(hidden) != contest.ErrorMessage(missing) {
			t.Errorf("hidden %v, missing %v", hidden, missing)
		}
		held := time.Now().UTC().AddDate(0, 0, -2).Truncate(time.Second)
		if err := d.AddDDPSession(ctx, probation, mandated.ID, &contest.SupportSession{HeldAt: held}); contest.ErrorCode(err) != contest.EINVALID {
			t.Errorf("session without progress: %v", err)
		}
		if err := d.AddDDPSession(ctx, probation, voluntary.ID, &contest.SupportSession{HeldAt: held, Progress: "x"}); contest.ErrorCode(err) != contest.ENOTFOUND {
			t.Errorf("session on a hidden case: %v", err)
		}
		if err := d.AddDDPSession(ctx, probation, mandated.ID, &contest.SupportSession{HeldAt: held, Progress: "Attended; discussed theology with the mentor."}); err != nil {
			t.Fatal(err)
		}
		got, err := d.FindDDPCaseByID(ctx, officer, mandated.ID)
		if err != nil || !got.Mandated || len(got.Sessions) != 1 || got.Sessions[0].Provider != "Intervention provider A" || !got.Sessions[0].HeldAt.Equal(held) {
			t.Fatalf("case %+v %v", got, err)
		}
	})
}

// mustStatReferrals bulk-loads n referrals spread over financial year fy
// (and, every tenth, the year before), with every code and stage.
func mustStatReferrals(tb testing.TB, f *dbtest.Fixture, fy, n int) {
	tb.Helper()
	ctp := f.Orgs[contest.OrgCTP].ID
	from := time.Date(fy, time.April, 1, 0, 0, 0, 0, time.UTC)
	stages := []string{"referred", "screening", "closed", "panel", "adopted", "exited", "police_led"}
	err := f.DB.BulkLoad(ctx, contest.SystemActor("test"), func(b *db.Bulk) error {
		for i := range n {
			at := from.Add(time.Duration(i%360) * 24 * time.Hour)
			if i%10 == 9 {
				at = from.AddDate(0, 0, -5)
			}
			area := "Northshire"
			if i%4 == 3 {
				area = "Southvale"
			}
			r := &contest.PreventReferral{Reference: fmt.Sprintf("PR-S-%06d", i), GivenName: "Testa", FamilyName: fmt.Sprintf("Stat%d", i),
				Sector: contest.PreventSectors[i%len(contest.PreventSectors)].Code, Concern: contest.PreventConcerns[i%len(contest.PreventConcerns)].Code,
				Age: i % 70, Gender: contest.PreventGenders[i%len(contest.PreventGenders)].Code, Region: []string{"North East", "Wales"}[i%2],
				Stage: stages[i%len(stages)], ReferredAt: at, Meta: contest.Meta{Classification: contest.OfficialSensitive, OwnerOrgID: ctp, Area: area}}
			if err := b.PreventReferral(r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
}

func TestPreventStatistics(t *testing.T) {
	forEngine(t, func(t *testing.T, e db.Engine) {
		f := dbtest.MustFixture(t, e)
		d := f.DB
		mustStatReferrals(t, f, 2025, 700)
		sup := f.MustActor(t, contest.RoleSupervisor)
		s, err := d.PreventStatistics(ctx, sup, 2025)
		if err != nil {
			t.Fatal(err)
		}
		// 630 in the year (every tenth is the year before); stages cycle
		// over 7: panel, adopted and exited are discussed, adopted and
		// exited adopted, exited exited.
		want := contest.StatRow{Key: "all", Label: "All referrals", Referred: 630, Discussed: 270, Adopted: 180, Exited: 90}
		if s.Journey != want {
			t.Errorf("journey %+v, want %+v", s.Journey, want)
		}
		for name, rows := range map[string][]contest.StatRow{"age": s.ByAge, "gender": s.ByGender, "concern": s.ByConcern, "sector": s.BySector, "region": s.ByRegion} {
			sum := 0
			for _, r := range rows {
				sum += r.Referred
			}
			if sum != 630 {
				t.Errorf("%s breakdown adds up to %d", name, sum)
			}
		}
		if len(s.ByAge) != len(contest.AgeBands) || s.ByAge[len(s.ByAge)-1].Label != "Not known" || s.ByConcern[0].Label != "Islamist" {
			t.Errorf("breakdown layout: %+v / %+v", s.ByAge, s.ByConcern)
		}
		// The Northshire local authority counts only its own area.
		la, err := d.PreventStatistics(ctx, f.MustActor(t, contest.RolePanelMember), 2025)
		if err != nil || la.Journey.Referred == 0 || la.Journey.Referred >= 630 {
			t.Errorf("local authority counts %+v %v", la.Journey, err)
		}
		if _, err := d.PreventStatistics(ctx, sup, 1850); contest.ErrorCode(err) != contest.EINVALID {
			t.Errorf("bad year: %v", err)
		}
		if _, err := d.PreventStatistics(ctx, f.MustActor(t, contest.RoleInvestigator), 2025); contest.ErrorCode(err) != contest.EFORBIDDEN {
			t.Errorf("investigator: %v", err)
		}
	})
}

// BenchmarkPreventStatistics computes a year's statistics over 100,000
// referrals (the budget: 200 ms on SQLite), reporting the CPU time
// per computation too, which other work on a shared machine does not
// inflate.
func BenchmarkPreventStatistics(b *testing.B) {
	f := dbtest.MustFixture(b, db.SQLite)
	mustStatReferrals(b, f, 2025, 100000)
	sup := f.MustActor(b, contest.RoleSupervisor)
	cpu := func() time.Duration {
		var ru syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	b.ResetTimer()
	c0 := cpu()
	for b.Loop() {
		if _, err := f.DB.PreventStatistics(ctx, sup, 2025); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cpu()-c0)/float64(b.N)/1e6, "cpu-ms/op")
}
