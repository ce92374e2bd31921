package demo

import (
	"context"
	"fmt"
	"slices"

	"github.com/contest-ct/contest"
)

// loadPursue adds the Pursue work of issue 5 through the ordinary audited
// store calls: leads (one discarded), on one of the investigator's
// investigations a subject's priority decision and an assessment completed
// by the investigator, actions at every stage (two overdue) and outcomes;
// and scheduled re-assessments of a few closed subjects.
func (l *loader) loadPursue(ctx context.Context) error {
	as := func(r contest.Role) (*contest.Actor, error) {
		a, err := l.d.ActorForUser(ctx, l.users[r].ID, "127.0.0.1", "demo")
		if err != nil {
			return nil, err
		}
		a.TOTPEnrolled = true
		return a, nil
	}
	inv, err := as(contest.RoleInvestigator)
	if err != nil {
		return err
	}
	os := contest.Meta{Classification: contest.OfficialSensitive}
	leads := []*contest.Lead{
		{Source: "partner", Summary: "A storage company reports a unit rented under a false name, with chemical containers seen inside.", Meta: os},
		{Source: "triage", Summary: "Public report of a neighbour filming a railway depot at night; triage found no other reporting.", Meta: os},
		{Source: "intelligence", Summary: "Online account praising a recent attack and asking where to buy drone parts.", Meta: os},
	}
	for _, ld := range leads {
		if err := l.d.CreateLead(ctx, inv, ld); err != nil {
			return fmt.Errorf("demo: lead: %w", err)
		}
	}
	if err := l.d.DiscardLead(ctx, inv, leads[1].ID, "The filming was by a railway enthusiast club, confirmed by the depot."); err != nil {
		return fmt.Errorf("demo: discard lead: %w", err)
	}
	// The work goes on the investigator's first open investigation, whose
	// team the analyst and the supervisor join.
	vs, _, err := l.d.FindInvestigations(ctx, inv, contest.CaseFilter{Status: "open", Limit: 1})
	if err != nil {
		return err
	}
	if len(vs) == 0 {
		return nil
	}
	// A list leaves out the compartments; the record has them.
	v, err := l.d.FindInvestigationByID(ctx, inv, vs[0].ID)
	if err != nil {
		return err
	}
	for _, c := range v.Meta.Compartments {
		comp, err := l.d.FindCompartmentByID(ctx, l.sys, c)
		if err != nil {
			return err
		}
		for _, r := range []contest.Role{contest.RoleAnalyst, contest.RoleSupervisor} {
			if slices.Contains(comp.Members, l.users[r].ID) {
				continue
			}
			if err := l.d.SetCompartmentMember(ctx, l.sys, c, l.users[r].ID, true); err != nil {
				return fmt.Errorf("demo: team: %w", err)
			}
			l.sum.Counts["compartment_memberships"]++
		}
	}
	sup, err := as(contest.RoleSupervisor)
	if err != nil {
		return err
	}
	an, err := as(contest.RoleAnalyst)
	if err != nil {
		return err
	}
	now := l.opt.Now
	ss, _, err := l.d.FindSubjects(ctx, inv, contest.CaseFilter{InvestigationID: v.ID, Status: contest.SubjectActive, Limit: 1})
	if err != nil {
		return err
	}
	var subjectID int64
	if len(ss) > 0 {
		subjectID = ss[0].ID
		if err := l.d.SetSubjectPriority(ctx, inv, subjectID, &contest.PriorityDecision{Tier: "P2",
			Rationale: "Purchases consistent with attack planning, not yet corroborated.", NextReviewAt: now.AddDate(0, 0, 28)}); err != nil {
			return fmt.Errorf("demo: priority: %w", err)
		}
		if err := l.d.AssessSubject(ctx, inv, subjectID, &contest.SubjectAssessment{Intent: "medium", Capability: "medium", Imminence: "low",
			Notes: "From the purchases and the rental only."}); err != nil {
			return fmt.Errorf("demo: assessment: %w", err)
		}
	}
	// Closed subjects get their scheduled re-assessments.
	closed, _, err := l.d.FindSubjects(ctx, inv, contest.CaseFilter{Status: contest.SubjectClosed, Limit: 5})
	if err != nil {
		return err
	}
	for _, c := range closed {
		reason, next := c.ClosedReason, c.NextReviewAt
		if reason == "" {
			reason = "No further activity of concern."
		}
		if next.IsZero() {
			next = now.AddDate(0, 6, 0)
		}
		if _, err := l.d.UpdateSubject(ctx, inv, c.ID, &contest.SubjectChange{Status: contest.SubjectClosed, Reason: reason, NextReviewAt: next}); err != nil {
			return fmt.Errorf("demo: closed subject: %w", err)
		}
	}
	acts := []*contest.Action{
		{Title: "Trace the hirer of the storage unit from the payment card", Category: "trace", Priority: "high", SubjectID: subjectID},
		{Title: "Interview the storage company's duty manager", Category: "interview", Priority: "medium"},
		{Title: "Eliminate the co-signatory of the rental agreement", Category: "eliminate", Priority: "medium"},
		{Title: "Research suppliers of the precursor chemicals", Category: "research", Priority: "low"},
	}
	for _, a := range acts {
		a.InvestigationID = v.ID
		if err := l.d.RaiseAction(ctx, an, a); err != nil {
			return fmt.Errorf("demo: action: %w", err)
		}
	}
	for i, due := range []int{-3, 5, -10} {
		if _, err := l.d.AllocateAction(ctx, sup, acts[i].ID, inv.UserID, now.AddDate(0, 0, due)); err != nil {
			return fmt.Errorf("demo: allocate: %w", err)
		}
	}
	if _, err := l.d.ResultAction(ctx, inv, acts[2].ID, "Seen at work on the days of the purchases, confirmed by the employer's records.", "4"); err != nil {
		return fmt.Errorf("demo: result: %w", err)
	}
	if _, err := l.d.ReviewAction(ctx, sup, acts[2].ID, true, ""); err != nil {
		return fmt.Errorf("demo: review: %w", err)
	}
	for _, o := range []*contest.Outcome{
		{Type: "arrest", OccurredOn: now.AddDate(0, 0, -2).Format("2006-01-02"), Legislation: "Terrorism Act 2000 section 41", SubjectID: subjectID},
		{Type: "disruption", OccurredOn: now.AddDate(0, 0, -2).Format("2006-01-02"), Notes: "Storage unit emptied and the chemicals made safe."},
	} {
		o.InvestigationID = v.ID
		if err := l.d.RecordOutcome(ctx, inv, o); err != nil {
			return fmt.Errorf("demo: outcome: %w", err)
		}
	}
	// A small network: the unit, the van seen there, the phone used to
	// book it and a meeting, linked with their sources and gradings.
	ents := []*contest.Entity{
		{Type: "place", Label: "Storage unit 14, Synthetic Trading Estate"},
		{Type: "vehicle", Label: "Blue hire van"},
		{Type: "telephone", Label: "07700 900123"},
		{Type: "event", Label: "Meeting at the unit, evening of the second purchase"},
	}
	for _, e := range ents {
		e.InvestigationID = v.ID
		if err := l.d.CreateEntity(ctx, an, e); err != nil {
			return fmt.Errorf("demo: entity: %w", err)
		}
	}
	for _, x := range []struct {
		from, to         int
		typ, src, sg, ig string
	}{
		{1, 0, "seen at", "Site CCTV review", "1", "A"},
		{2, 0, "used to book", "Storage company records", "1", "B"},
		{3, 0, "took place at", "Partner report", "2", "C"},
	} {
		if err := l.d.CreateLink(ctx, an, &contest.Link{From: ents[x.from].ID, To: ents[x.to].ID, Type: x.typ, Source: x.src,
			SourceGrade: x.sg, IntelGrade: x.ig, Handling: "P"}); err != nil {
			return fmt.Errorf("demo: link: %w", err)
		}
	}
	l.sum.Counts["leads"] = len(leads)
	l.sum.Counts["actions"] = len(acts)
	return nil
}
