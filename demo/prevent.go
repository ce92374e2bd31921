package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/contest-ct/contest"
)

// loadPrevent adds the work of a Prevent case beyond the referral, through
// the ordinary audited store calls: a panel meeting of the demo's local
// authority with its agenda, attendance and a paper; assessments (one
// repeated, so the change shows), consents and support plans for adopted
// cases, two of them exited (their reviews in the owner's queue); and a few
// Desistance and Disengagement Programme cases.
func (l *loader) loadPrevent(ctx context.Context) error {
	as := func(r contest.Role) (*contest.Actor, error) {
		a, err := l.d.ActorForUser(ctx, l.users[r].ID, "127.0.0.1", "demo")
		if err != nil {
			return nil, err
		}
		a.TOTPEnrolled = true
		return a, nil
	}
	chair, err := as(contest.RolePanelMember)
	if err != nil {
		return err
	}
	officer, err := as(contest.RolePreventOfficer)
	if err != nil {
		return err
	}
	m := &contest.PanelMeeting{HeldAt: l.opt.Now.AddDate(0, 0, 7).Truncate(24 * time.Hour).Add(10 * time.Hour)}
	if err := l.d.CreatePanelMeeting(ctx, chair, m, []int64{officer.UserID}); err != nil {
		return fmt.Errorf("demo: panel meeting: %w", err)
	}
	n, err := l.d.BuildPanelAgenda(ctx, chair, m.ID)
	if err != nil {
		return fmt.Errorf("demo: agenda: %w", err)
	}
	got, err := l.d.FindPanelMeetingByID(ctx, chair, m.ID)
	if err != nil {
		return err
	}
	for i, it := range got.Agenda {
		if i == 3 {
			break
		}
		if err := l.d.AddPanelPaper(ctx, chair, m.ID, &contest.PanelPaper{ReferralID: it.ReferralID, Title: "Case summary " + it.Reference,
			Body: "Synthetic case summary for the panel: the concern, the information gathered from partners and the proposed support."}); err != nil {
			return fmt.Errorf("demo: paper: %w", err)
		}
	}
	if err := l.d.SetPanelAttendance(ctx, chair, m.ID, chair.UserID, contest.AttendPresent); err != nil {
		return err
	}
	if err := l.d.SetPanelAttendance(ctx, chair, m.ID, officer.UserID, contest.AttendApologies); err != nil {
		return err
	}
	l.sum.Counts["panel_agenda_items"] = n

	// Adopted cases of the chair's area.
	rows, err := l.d.SQL().QueryContext(ctx, "SELECT id, age FROM prevent_referrals WHERE stage = 'adopted' AND lower(area) = lower($1) ORDER BY referred_at LIMIT 8", chair.OrgArea)
	if err != nil {
		return err
	}
	type adopted struct {
		id  int64
		age int
	}
	var cases []adopted
	for rows.Next() {
		var c adopted
		if err := rows.Scan(&c.id, &c.age); err != nil {
			rows.Close()
			return err
		}
		cases = append(cases, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	plans, exited := 0, 0
	for i, c := range cases {
		ratings := make([]contest.FactorRating, len(contest.Factors))
		for j, f := range contest.Factors {
			ratings[j] = contest.FactorRating{Factor: f.Code, Rating: l.g.r.IntN(3)}
			if ratings[j].Rating > 0 {
				ratings[j].Evidence = "Synthetic evidence from the referral and partners' information."
			}
		}
		if _, err := l.d.RecordVulnerabilityAssessment(ctx, officer, c.id, ratings, "Initial assessment."); err != nil {
			return fmt.Errorf("demo: assessment: %w", err)
		}
		if i%2 == 0 {
			for j := range ratings {
				if ratings[j].Rating > 0 && l.g.chance(0.4) {
					ratings[j].Rating--
				}
			}
			if _, err := l.d.RecordVulnerabilityAssessment(ctx, officer, c.id, ratings, "Review after three months of support."); err != nil {
				return fmt.Errorf("demo: assessment: %w", err)
			}
		}
		consent := &contest.Consent{Decision: contest.ConsentGiven, Basis: contest.BasisAdult, GivenBy: contest.ConsentByPerson}
		if c.age < 18 {
			consent = &contest.Consent{Decision: contest.ConsentGiven, Basis: contest.BasisChild, GivenBy: contest.ConsentByParent, Name: "Parent (synthetic)"}
		}
		if i == len(cases)-1 {
			consent.Decision = contest.ConsentRefused
		}
		if err := l.d.RecordConsent(ctx, officer, c.id, consent); err != nil {
			return fmt.Errorf("demo: consent: %w", err)
		}
		if consent.Decision != contest.ConsentGiven {
			continue
		}
		if _, err := l.d.OpenSupportPlan(ctx, officer, c.id, []string{"Intervention provider (synthetic)", "Mentoring service (synthetic)"},
			"Build resilience; theological and ideological mentoring; education and training support."); err != nil {
			return fmt.Errorf("demo: support plan: %w", err)
		}
		plans++
		for k := 3; k >= 1; k-- {
			if err := l.d.AddSupportSession(ctx, officer, c.id, &contest.SupportSession{Provider: "Intervention provider (synthetic)",
				HeldAt: l.opt.Now.AddDate(0, 0, -14*k), Progress: "Attended and engaged; synthetic progress note."}); err != nil {
				return fmt.Errorf("demo: session: %w", err)
			}
		}
		if i < 2 {
			if _, err := l.d.ExitSupportPlan(ctx, officer, c.id, "risk_reduced", "Vulnerability reduced; the person is settled in education."); err != nil {
				return fmt.Errorf("demo: exit: %w", err)
			}
			exited++
		}
	}
	l.sum.Counts["support_plans"] = plans
	l.sum.Counts["support_exited_with_reviews"] = exited

	for i, c := range []*contest.DDPCase{
		{GivenName: "Corwin", FamilyName: "Ashdale", DateOfBirth: "1991-06-14", Basis: "licence", Mandated: true, Provider: "Intervention provider (synthetic)"},
		{GivenName: "Idris", FamilyName: "Moorcroft", DateOfBirth: "1986-01-30", Basis: "tpim", Mandated: true, Provider: "Mentoring service (synthetic)"},
		{GivenName: "Tamsin", FamilyName: "Hollins", DateOfBirth: "1999-09-09", Basis: "licence", Provider: "Intervention provider (synthetic)"},
	} {
		if err := l.d.CreateDDPCase(ctx, officer, c); err != nil {
			return fmt.Errorf("demo: ddp case: %w", err)
		}
		for k := 0; k <= i; k++ {
			if err := l.d.AddDDPSession(ctx, officer, c.ID, &contest.SupportSession{HeldAt: l.opt.Now.AddDate(0, 0, -7*(k+1)),
				Progress: "Session held; synthetic progress note."}); err != nil {
				return fmt.Errorf("demo: ddp session: %w", err)
			}
		}
	}
	l.sum.Counts["ddp_cases"] = 3
	return nil
}
