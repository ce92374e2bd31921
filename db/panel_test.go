package db_test

import (
	"testing"
	"time"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/access"
	"github.com/contest-ct/contest/db"
	"github.com/contest-ct/contest/db/dbtest"
)

func TestPanelMeeting(t *testing.T) {
	forEngine(t, func(t *testing.T, e db.Engine) {
		f := dbtest.MustFixture(t, e)
		d := f.DB
		teacher := MustPreventUser(t, f, "test.teacher", contest.RolePartner, contest.OrgEducation, "Northshire")
		chair := f.MustActor(t, contest.RolePanelMember) // the Northshire local authority
		health := MustPreventUser(t, f, "test.health", contest.RolePanelMember, contest.OrgHealth, "Northshire")
		outsider := MustPreventUser(t, f, "test.outsider", contest.RolePanelMember, contest.OrgLocalAuthority, "Northshire")
		south := MustPreventUser(t, f, "test.south", contest.RolePanelMember, contest.OrgLocalAuthority, "Southvale")
		officer := f.MustActor(t, contest.RolePreventOfficer)

		one := MustScreened(t, f, teacher, goodReferral("Testa", "Panelone", ""), contest.ScreenPanel)
		two := MustScreened(t, f, teacher, goodReferral("Testa", "Paneltwo", ""), contest.ScreenPanel)
		elsewhere := goodReferral("Testa", "Southpanel", "")
		elsewhere.Area = "Southvale"
		MustScreened(t, f, teacher, elsewhere, contest.ScreenPanel)
		MustScreened(t, f, teacher, goodReferral("Testa", "Policeled", ""), contest.ScreenPoliceLed)

		held := time.Now().UTC().AddDate(0, 0, 7).Truncate(time.Hour)
		if err := d.CreatePanelMeeting(ctx, officer, &contest.PanelMeeting{HeldAt: held}, nil); contest.ErrorCode(err) != contest.EFORBIDDEN {
			t.Errorf("police convened a panel: %v", err)
		}
		if err := d.CreatePanelMeeting(ctx, chair, &contest.PanelMeeting{}, nil); contest.ErrorCode(err) != contest.EINVALID {
			t.Errorf("no date: %v", err)
		}
		if err := d.CreatePanelMeeting(ctx, chair, &contest.PanelMeeting{HeldAt: held}, []int64{999999}); contest.ErrorCode(err) != contest.EINVALID {
			t.Errorf("unknown member: %v", err)
		}
		m := &contest.PanelMeeting{HeldAt: held}
		if err := d.CreatePanelMeeting(ctx, chair, m, []int64{health.UserID}); err != nil {
			t.Fatal(err)
		}
		if m.Meta.Area != "Northshire" || m.ChairUserID != chair.UserID || len(m.Members) != 2 {
			t.Fatalf("meeting %+v", m)
		}
		n, err := d.BuildPanelAgenda(ctx, chair, m.ID)
		if err != nil || n != 2 {
			t.Fatalf("agenda: %d %v, want the area's 2 cases", n, err)
		}
		if n, err := d.BuildPanelAgenda(ctx, chair, m.ID); err != nil || n != 0 {
			t.Errorf("agenda again: %d %v", n, err)
		}
		// Papers: members only.
		if err := d.AddPanelPaper(ctx, chair, m.ID, &contest.PanelPaper{Title: " ", Body: ""}); len(contest.ErrorFields(err)) != 2 {
			t.Errorf("empty paper: %v", err)
		}
		if err := d.AddPanelPaper(ctx, chair, m.ID, &contest.PanelPaper{ReferralID: one.ID, Title: "Case summary", Body: "Synthetic summary."}); err != nil {
			t.Fatal(err)
		}
		if err := d.AddPanelPaper(ctx, outsider, m.ID, &contest.PanelPaper{Title: "Mine", Body: "x"}); contest.ErrorCode(err) != contest.EFORBIDDEN {
			t.Errorf("non-member added a paper: %v", err)
		}
		for _, c := range []struct {
			name   string
			a      *contest.Actor
			papers int
		}{{"chair", chair, 1}, {"health member", health, 1}, {"outsider", outsider, 0}, {"police", officer, 0}} {
			got, err := d.FindPanelMeetingByID(ctx, c.a, m.ID)
			if err != nil || len(got.Papers) != c.papers || got.PapersHidden != (c.papers == 0) || len(got.Agenda) != 2 {
				t.Errorf("%s: %+v %v", c.name, got, err)
			}
			// Members see the cases on the agenda; others only references.
			if err == nil && (got.Agenda[0].Case != nil) != (c.papers > 0) {
				t.Errorf("%s: agenda case %+v", c.name, got.Agenda[0].Case)
			}
			if err == nil && c.papers > 0 && (got.Agenda[0].Case.FamilyName != "Panelone" || got.Agenda[0].Details.Behaviour == "") {
				t.Errorf("%s: agenda case %+v %+v", c.name, got.Agenda[0].Case, got.Agenda[0].Details)
			}
		}
		_, hidden := d.FindPanelMeetingByID(ctx, south, m.ID)
		_, missing := d.FindPanelMeetingByID(ctx, south, m.ID+100)
		if contest.ErrorCode(hidden) != contest.ENOTFOUND || contest.ErrorMessage(hidden) != contest.ErrorMessage(missing) {
			t.Errorf("other area: %v / %v", hidden, missing)
		}
		if ms, err := d.FindPanelMeetings(ctx, south); err != nil || len(ms) != 0 {
			t.Errorf("other area lists %d meetings (%v)", len(ms), err)
		}
		if ms, err := d.FindPanelMeetings(ctx, health); err != nil || len(ms) != 1 {
			t.Errorf("health lists %d meetings (%v)", len(ms), err)
		}
		// Attendance.
		if err := d.SetPanelAttendance(ctx, chair, m.ID, health.UserID, "late"); contest.ErrorCode(err) != contest.EINVALID {
			t.Errorf("bad attendance: %v", err)
		}
		if err := d.SetPanelAttendance(ctx, chair, m.ID, outsider.UserID, contest.AttendPresent); contest.ErrorCode(err) != contest.EINVALID {
			t.Errorf("attendance of a non-member: %v", err)
		}
		if err := d.SetPanelAttendance(ctx, chair, m.ID, health.UserID, contest.AttendApologies); err != nil {
			t.Fatal(err)
		}
		// Decisions as minutes; the cases move on.
		got, _ := d.FindPanelMeetingByID(ctx, chair, m.ID)
		if _, err := d.RecordPanelDecision(ctx, chair, m.ID, got.Agenda[0].ID, "maybe", "", ""); len(contest.ErrorFields(err)) != 2 {
			t.Errorf("bad decision: %v", err)
		}
		if _, err := d.RecordPanelDecision(ctx, outsider, m.ID, got.Agenda[0].ID, contest.PanelAdopt, "x", ""); contest.ErrorCode(err) != contest.EFORBIDDEN {
			t.Errorf("non-member decided: %v", err)
		}
		for i, c := range []struct {
			r        *contest.PreventReferral
			decision string
			stage    string
		}{{one, contest.PanelAdopt, "adopted"}, {two, contest.PanelNotAdopt, "closed"}} {
			it, err := d.RecordPanelDecision(ctx, chair, m.ID, got.Agenda[i].ID, c.decision, "Discussed; synthetic minute.", "Officer to seek consent.")
			if err != nil || it.ReferralID != c.r.ID || it.Decision != c.decision {
				t.Fatalf("decide %s: %+v %v", c.decision, it, err)
			}
			if r, _ := d.FindPreventReferralByID(ctx, officer, c.r.ID); r.Stage != c.stage {
				t.Errorf("%s: stage %s, want %s", c.decision, r.Stage, c.stage)
			}
		}
		if _, err := d.RecordPanelDecision(ctx, chair, m.ID, got.Agenda[0].ID, contest.PanelNotAdopt, "Again.", ""); contest.ErrorCode(err) != contest.ECONFLICT {
			t.Errorf("decided twice: %v", err)
		}
		got, _ = d.FindPanelMeetingByID(ctx, chair, m.ID)
		if got.Agenda[0].Minutes != "Discussed; synthetic minute." || got.Agenda[0].MinutedBy != chair.UserID {
			t.Errorf("minutes %+v", got.Agenda[0])
		}
		// Membership never overrides a case's marking: a SECRET case on the
		// agenda is shown to no CTC-vetted member.
		if _, err := d.SQL().Exec("UPDATE prevent_referrals SET classification = $1 WHERE id = $2", int(contest.Secret), two.ID); err != nil {
			t.Fatal(err)
		}
		if got, err := d.FindPanelMeetingByID(ctx, health, m.ID); err != nil || got.Agenda[0].Case == nil || got.Agenda[1].Case != nil || got.Agenda[1].Details != nil {
			t.Errorf("secret case shown to a CTC member: %+v %v", got, err)
		}
		if _, err := d.RecordPanelDecision(ctx, health, m.ID, got.Agenda[1].ID, contest.PanelAdopt, "x", ""); contest.ErrorCode(err) != contest.ENOTFOUND {
			t.Errorf("CTC member decided on a secret case: %v", err)
		}
		// A later meeting's agenda holds no decided case.
		next := &contest.PanelMeeting{HeldAt: held.AddDate(0, 1, 0)}
		if err := d.CreatePanelMeeting(ctx, chair, next, nil); err != nil {
			t.Fatal(err)
		}
		if n, err := d.BuildPanelAgenda(ctx, chair, next.ID); err != nil || n != 0 {
			t.Errorf("next agenda: %d %v", n, err)
		}
		// The adopted case may be supported once consent is given.
		if err := d.RecordConsent(ctx, officer, one.ID, &contest.Consent{Decision: contest.ConsentGiven, Basis: contest.BasisAdult, GivenBy: contest.ConsentByPerson}); err != nil {
			t.Fatal(err)
		}
		if _, err := d.OpenSupportPlan(ctx, officer, one.ID, []string{"Intervention provider A"}, "Goals."); err != nil {
			t.Fatal(err)
		}
	})
}

// TestPreventAccessMatrix: for panel meetings and DDP cases, the lists
// (access.Filter as SQL) hold exactly the records access.Decide allows,
// for every role, organisation kind, vetting and compartment set; and a
// meeting read one at a time answers the same.
func TestPreventAccessMatrix(t *testing.T) {
	forEngine(t, func(t *testing.T, e db.Engine) {
		f := dbtest.MustFixture(t, e)
		sys := contest.SystemActor("test")
		c1 := &contest.Compartment{Name: "Operation Alderbank"}
		if err := f.DB.CreateCompartment(ctx, sys, c1); err != nil {
			t.Fatal(err)
		}
		compSets := [][]int64{nil, {c1.ID}}
		owners := []int64{f.Orgs[contest.OrgCTP].ID, f.Orgs[contest.OrgLocalAuthority].ID, f.Orgs[contest.OrgPrisonProbation].ID}
		type rec struct {
			kind contest.Kind
			id   int64
			meta contest.Meta
		}
		var recs []rec
		sq := f.DB.SQL()
		for _, cl := range contest.Classifications {
			for _, cs := range compSets {
				for _, ow := range owners {
					for _, ar := range []string{"Northshire", "Southvale"} {
						m := contest.Meta{Classification: cl, Compartments: cs, OwnerOrgID: ow, Area: ar}
						var mid, did int64
						if err := sq.QueryRow(`INSERT INTO panel_meetings (held_at, chair_user_id, status, classification, owner_org_id, area, created_by, created_at, updated_by, updated_at, review_at)
							VALUES (1, 0, 'scheduled', $1, $2, $3, 0, 1, 0, 1, 1) RETURNING id`, int(cl), ow, ar).Scan(&mid); err != nil {
							t.Fatal(err)
						}
						if err := sq.QueryRow(`INSERT INTO ddp_cases (given_name, family_name, basis, mandated, provider, status, owner_user_id, classification, owner_org_id, area, created_by, created_at, updated_by, updated_at, review_at)
							VALUES ('Test', 'D', 'licence', 0, 'P', 'open', 0, $1, $2, $3, 0, 1, 0, 1, 1) RETURNING id`, int(cl), ow, ar).Scan(&did); err != nil {
							t.Fatal(err)
						}
						for _, c := range cs {
							sq.Exec("INSERT INTO record_compartments (kind, record_id, compartment_id) VALUES ($1,$2,$3)", string(contest.KindPanelMeeting), mid, c)
							sq.Exec("INSERT INTO record_compartments (kind, record_id, compartment_id) VALUES ($1,$2,$3)", string(contest.KindDDPCase), did, c)
						}
						recs = append(recs, rec{contest.KindPanelMeeting, mid, m}, rec{contest.KindDDPCase, did, m})
					}
				}
			}
		}
		checked, seen := 0, 0
		for _, role := range contest.Roles {
			for _, ok := range []contest.OrgKind{contest.OrgCTP, contest.OrgLocalAuthority, contest.OrgHealth, contest.OrgPrisonProbation, contest.OrgBusiness} {
				for _, v := range []contest.Vetting{contest.BPSS, contest.SC} {
					for _, cs := range compSets {
						a := &contest.Actor{UserID: 1, Username: "matrix", OrgID: f.Orgs[ok].ID, OrgKind: ok, OrgArea: "Northshire",
							Role: role, Vetting: v, Compartments: cs, TOTPEnrolled: true, Via: "test"}
						got := map[contest.Kind]map[int64]bool{contest.KindPanelMeeting: {}, contest.KindDDPCase: {}}
						if ms, err := f.DB.FindPanelMeetings(ctx, a); err == nil {
							for _, m := range ms {
								got[contest.KindPanelMeeting][m.ID] = true
							}
						} else if contest.ErrorCode(err) != contest.EFORBIDDEN {
							t.Fatal(err)
						}
						if cs, err := f.DB.FindDDPCases(ctx, a); err == nil {
							for _, c := range cs {
								got[contest.KindDDPCase][c.ID] = true
							}
						} else if contest.ErrorCode(err) != contest.EFORBIDDEN {
							t.Fatal(err)
						}
						for _, r := range recs {
							want := access.Allowed(a, access.Read, r.kind, &r.meta)
							if got[r.kind][r.id] != want {
								t.Errorf("%s %s %s %v: %s %d listed %v, Decide %v", role, ok, v, cs, r.kind, r.id, got[r.kind][r.id], want)
							}
							if r.kind == contest.KindPanelMeeting && ok == contest.OrgLocalAuthority && v == contest.SC {
								_, err := f.DB.FindPanelMeetingByID(ctx, a, r.id)
								if (err == nil) != want {
									t.Errorf("%s: meeting %d read %v, Decide %v", role, r.id, err, want)
								}
							}
							if r.kind == contest.KindDDPCase && v == contest.SC && len(cs) == 0 {
								_, err := f.DB.FindDDPCaseByID(ctx, a, r.id)
								if (err == nil) != want {
									t.Errorf("%s %s: DDP case %d read %v, Decide %v", role, ok, r.id, err, want)
								}
							}
							checked++
							if want {
								seen++
							}
						}
					}
				}
			}
		}
		if seen == 0 || seen == checked {
			t.Errorf("%d of %d allowed: the matrix decides nothing", seen, checked)
		}
	})
}
