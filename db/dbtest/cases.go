package dbtest

import (
	"context"
	"testing"
	"time"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/db"
)

// Cases are strand records added to a Fixture: for each kind, records the
// fixture's CTC-vetted users may see (given their role and organisation)
// and records hidden from all of them, by compartment, by classification or
// by area.
type Cases struct {
	// Open is a compartment whose members are the fixture's investigator,
	// analyst and supervisor; Closed has no members.
	Open, Closed *contest.Compartment
	// Investigations: Larchmere (open, in Open, led by the investigator),
	// Hollowmere (hidden: in Closed, also led by the investigator) and
	// Kestrelmoor (hidden: SECRET).
	Larchmere, Hollowmere, Kestrelmoor *contest.Investigation
	// Subjects: two active on Larchmere owned by the investigator (one
	// overdue for review), one active on Hollowmere (hidden), one closed
	// and visible, one closed and SECRET (hidden).
	Due, Overdue, HiddenSubject, Closed1, SecretSubject *contest.Subject
	// Referrals: Referred (Northshire, police, the Prevent officer's), Panel
	// (Northshire, the local authority's, the panel member's), Southvale
	// (another area: hidden from the Northshire local authority) and
	// SecretReferral (hidden from everyone: SECRET).
	Referred, Panel, Southvale, SecretReferral *contest.PreventReferral
}

// MustCases loads Cases into the fixture's database through the audited
// bulk loader, as the operator.
func (f *Fixture) MustCases(tb testing.TB) *Cases {
	tb.Helper()
	ctx := context.Background()
	sys := contest.SystemActor("test")
	c := &Cases{Open: &contest.Compartment{Name: "Operation Larchmere"}, Closed: &contest.Compartment{Name: "Operation Hollowmere"}}
	for _, comp := range []*contest.Compartment{c.Open, c.Closed} {
		if err := f.DB.CreateCompartment(ctx, sys, comp); err != nil {
			tb.Fatalf("create compartment: %v", err)
		}
	}
	for _, r := range []contest.Role{contest.RoleInvestigator, contest.RoleAnalyst, contest.RoleSupervisor} {
		if err := f.DB.SetCompartmentMember(ctx, sys, c.Open.ID, f.Users[r].ID, true); err != nil {
			tb.Fatalf("add member: %v", err)
		}
	}
	ctp, la := f.Orgs[contest.OrgCTP].ID, f.Orgs[contest.OrgLocalAuthority].ID
	inv := f.Users[contest.RoleInvestigator].ID
	os := contest.OfficialSensitive
	meta := func(cl contest.Classification, org int64, area string, comps ...int64) contest.Meta {
		return contest.Meta{Classification: cl, OwnerOrgID: org, Area: area, Compartments: comps}
	}
	now := time.Now().UTC().Truncate(24 * time.Hour)
	opened := now.AddDate(0, -3, 0)
	c.Larchmere = &contest.Investigation{Operation: "Larchmere", Summary: "Synthetic test investigation.", LeadUserID: inv, OpenedAt: opened,
		Meta: meta(os, ctp, "Northshire", c.Open.ID)}
	c.Hollowmere = &contest.Investigation{Operation: "Hollowmere", Summary: "Synthetic hidden investigation.", LeadUserID: inv, OpenedAt: opened,
		Meta: meta(os, ctp, "Northshire", c.Closed.ID)}
	c.Kestrelmoor = &contest.Investigation{Operation: "Kestrelmoor", Summary: "Synthetic secret investigation.", Status: "closed", OpenedAt: opened,
		ClosedAt: now.AddDate(0, -1, 0), Meta: meta(contest.Secret, ctp, "Northshire")}
	c.Due = &contest.Subject{GivenName: "Testa", FamilyName: "Duefield", Status: contest.SubjectActive, Priority: "P2", OwnerUserID: inv,
		NextReviewAt: now.AddDate(0, 0, 10), Meta: meta(os, ctp, "Northshire", c.Open.ID)}
	c.Overdue = &contest.Subject{GivenName: "Testa", FamilyName: "Overbrook", Status: contest.SubjectActive, Priority: "P3", OwnerUserID: inv,
		NextReviewAt: now.AddDate(0, 0, -2), Meta: meta(os, ctp, "Northshire", c.Open.ID)}
	c.HiddenSubject = &contest.Subject{GivenName: "Testa", FamilyName: "Hiddenholme", Status: contest.SubjectActive, OwnerUserID: inv,
		NextReviewAt: now.AddDate(0, 0, 5), Meta: meta(os, ctp, "Northshire", c.Closed.ID)}
	c.Closed1 = &contest.Subject{GivenName: "Testa", FamilyName: "Closewood", Status: contest.SubjectClosed, ClosedReason: "Intelligence not substantiated",
		NextReviewAt: now.AddDate(1, 0, 0), Meta: meta(os, ctp, "Northshire")}
	c.SecretSubject = &contest.Subject{GivenName: "Testa", FamilyName: "Secretmoor", Status: contest.SubjectClosed,
		NextReviewAt: now.AddDate(1, 0, 0), Meta: meta(contest.Secret, ctp, "Northshire")}
	ref := func(ref, family, stage, area string, org, owner int64, cl contest.Classification) *contest.PreventReferral {
		return &contest.PreventReferral{Reference: ref, GivenName: "Testa", FamilyName: family, Sector: "education", Concern: "other",
			Age: 15, Gender: "unknown", Region: "Northshire region", Stage: stage, ReferredAt: now.AddDate(0, 0, -20), OwnerUserID: owner,
			Meta: meta(cl, org, area)}
	}
	c.Referred = ref("PR-T-0001", "Referwell", "referred", "Northshire", ctp, f.Users[contest.RolePreventOfficer].ID, os)
	c.Panel = ref("PR-T-0002", "Panelby", "panel", "Northshire", la, f.Users[contest.RolePanelMember].ID, os)
	c.Southvale = ref("PR-T-0003", "Southam", "screening", "Southvale", ctp, 0, os)
	c.SecretReferral = ref("PR-T-0004", "Secretford", "referred", "Northshire", ctp, f.Users[contest.RolePreventOfficer].ID, contest.Secret)
	err := f.DB.BulkLoad(ctx, sys, func(b *db.Bulk) error {
		for _, v := range []*contest.Investigation{c.Larchmere, c.Hollowmere, c.Kestrelmoor} {
			if err := b.Investigation(v); err != nil {
				return err
			}
		}
		c.Due.InvestigationID, c.Overdue.InvestigationID, c.HiddenSubject.InvestigationID = c.Larchmere.ID, c.Larchmere.ID, c.Hollowmere.ID
		for _, s := range []*contest.Subject{c.Due, c.Overdue, c.HiddenSubject, c.Closed1, c.SecretSubject} {
			if err := b.Subject(s); err != nil {
				return err
			}
		}
		for _, r := range []*contest.PreventReferral{c.Referred, c.Panel, c.Southvale, c.SecretReferral} {
			if err := b.PreventReferral(r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatalf("load cases: %v", err)
	}
	return c
}
