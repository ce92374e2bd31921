package demo

import (
	"context"
	"fmt"

	"github.com/contest-ct/contest"
)

// Protect demo data: industry sectors led by the four sector leads with the
// businesses as members, a premises register across the tiers with
// assessments (some reviews overdue, some findings open), training records,
// and published bulletins, one of them a public rumour-control statement.
// The demo configures no mail server and no webhook, so the bulletins'
// e-mails wait in the outbox.

// demoSectors are the sectors: the lead organisation's key and the members'.
var demoSectors = []struct {
	name, lead string
	members    []string
}{
	{"Retail", "lead:retail", []string{homeBusiness, "business:meridian"}},
	{"Night-time economy", "lead:nte", []string{"business:brightwater", "business:kingsmere-hotels"}},
	{"Stadiums and arenas", "lead:stadiums", []string{"business:northgate", "business:brightwater"}},
	{"Transport hubs", "lead:transport", []string{"business:meridian"}},
}

// premisesNames are invented venues by use.
var premisesNames = map[string][]string{
	"Retail":              {"Shopping Centre", "Retail Park", "Market Hall", "Department Store"},
	"Entertainment venue": {"Theatre", "Concert Hall", "Nightclub", "Cinema"},
	"Sports ground":       {"Stadium", "Arena", "Sports Ground"},
	"Hotel":               {"Grand Hotel", "Conference Centre"},
	"Transport hub":       {"Station Concourse", "Coach Station"},
	"Museum or gallery":   {"Museum", "Gallery"},
}

var premisesUses = []string{"Retail", "Entertainment venue", "Sports ground", "Hotel", "Transport hub", "Museum or gallery"}

func (l *loader) protect(ctx context.Context) error {
	now := l.opt.Now
	for _, s := range demoSectors {
		sec := &contest.Sector{Name: s.name, LeadOrgID: l.orgs[s.lead].ID}
		if err := l.d.CreateSector(ctx, l.sys, sec); err != nil {
			return fmt.Errorf("demo: sector %s: %w", s.name, err)
		}
		for _, m := range s.members {
			if err := l.d.SetSectorMember(ctx, l.sys, sec.ID, l.orgs[m].ID, true); err != nil {
				return fmt.Errorf("demo: sector member: %w", err)
			}
		}
	}
	l.sum.Counts["sectors"] = len(demoSectors)

	// Premises: each business has some, across the tiers.
	adviser := l.actor(contest.RoleSecurityAdv)
	businesses := []string{homeBusiness, "business:northgate", "business:meridian", "business:brightwater", "business:kingsmere-hotels"}
	n := l.scaled(60)
	capacities := []int{150, 350, 600, 900, 2500, 12000}
	for i := 0; i < n; i++ {
		org := l.orgs[businesses[i%len(businesses)]]
		use := premisesUses[l.g.r.IntN(len(premisesUses))]
		names := premisesNames[use]
		area := org.Area
		p := &contest.Premises{Name: fmt.Sprintf("%s %s", area, names[l.g.r.IntN(len(names))]), Address: fmt.Sprintf("%d High Street, %s", 1+l.g.r.IntN(200), area),
			Use: use, Capacity: capacities[l.g.r.IntN(len(capacities))] + l.g.r.IntN(100), ResponsiblePerson: l.g.displayName(),
			Meta: contest.Meta{OwnerOrgID: org.ID}}
		if i < len(businesses) {
			p.Name = org.Name + " main site"
		}
		p.Name = fmt.Sprintf("%s (%d)", p.Name, i+1)
		if err := l.d.CreatePremises(ctx, adviser, p); err != nil {
			return fmt.Errorf("demo: premises: %w", err)
		}
		// Most have been assessed; some reviews are overdue, some due soon.
		if !l.g.chance(0.8) {
			continue
		}
		at := l.g.between(now.AddDate(-1, 0, 0), now.AddDate(0, 0, -7))
		as := &contest.Assessment{AssessedAt: at, NextReviewAt: at.AddDate(1, 0, 0),
			Summary: "Protective-security assessment of the site: entrances, search regime, staff awareness, CCTV coverage and emergency procedures."}
		if l.g.chance(0.2) {
			as.NextReviewAt = now.AddDate(0, 0, l.g.r.IntN(40)-10)
		}
		for _, f := range []string{"Hostile vehicle mitigation at the main entrance is incomplete", "Not all staff have completed ACT Awareness training",
			"The lockdown procedure has not been rehearsed this year"} {
			if l.g.chance(0.4) {
				as.Findings = append(as.Findings, &contest.Finding{Text: f, Priority: contest.FindingPriorities[l.g.r.IntN(3)],
					DueAt: at.AddDate(0, 1+l.g.r.IntN(6), 0)})
			}
		}
		if err := l.d.AddAssessment(ctx, adviser, p.ID, as); err != nil {
			return fmt.Errorf("demo: assessment: %w", err)
		}
	}
	l.sum.Counts["premises"] = n

	// Training records of people in the businesses and sector leads.
	trainOrgs := append(businesses, "lead:retail", "lead:nte", "lead:stadiums", "lead:transport")
	t := l.scaled(400)
	for i := 0; i < t; i++ {
		m := contest.TrainingModules[l.g.weighted([]int{60, 15, 10, 5, 10})]
		done := l.g.between(now.AddDate(-3, 0, 0), now.AddDate(0, 0, -1))
		rec := &contest.TrainingRecord{PersonName: l.g.displayName(), Role: []string{"Steward", "Security officer", "Duty manager", "Retail assistant", "Door supervisor"}[l.g.r.IntN(5)],
			Module: m.Code, CompletedAt: done, Meta: contest.Meta{OwnerOrgID: l.orgs[trainOrgs[i%len(trainOrgs)]].ID}}
		if err := l.d.CreateTraining(ctx, adviser, rec); err != nil {
			return fmt.Errorf("demo: training: %w", err)
		}
	}
	l.sum.Counts["training_records"] = t

	// Bulletins from the supervisor's counter-terrorism policing unit.
	sup := l.actor(contest.RoleSupervisor)
	sectors, err := l.d.FindSectors(ctx, l.sys)
	if err != nil {
		return err
	}
	var retail int64
	for _, s := range sectors {
		if s.Name == "Retail" {
			retail = s.ID
		}
	}
	bulletins := []*contest.Bulletin{
		{Type: contest.BulletinAdvice, Title: "Festive season: protective security at crowded places",
			Body:     "Busy shopping streets and markets are attractive targets. Brief staff on spotting hostile reconnaissance, keep emergency exits clear, and rehearse your lockdown procedure.\n\nReport anything suspicious to the Anti-Terrorist Hotline on 0800 789 321.",
			Audience: contest.Audience{AllPartners: true}, Meta: contest.Meta{Classification: contest.Official}},
		{Type: contest.BulletinRumour, Public: true, Title: "No incident at Kingsmere station",
			Body:     "Messages on social media claim that Kingsmere station was closed because of a terrorist incident. This is not true: the station was closed for a short time because of a signal fault. There is no threat to the public.",
			Audience: contest.Audience{AllPartners: true}, Meta: contest.Meta{Classification: contest.Official}},
		{Type: contest.BulletinThreatUpdate, Title: "Reconnaissance reported at retail sites",
			Body:     "Several retail sites have reported people filming entrances and security staff. Sector members should increase visible patrols and report sightings.",
			Audience: contest.Audience{Sectors: []int64{retail}}, Meta: contest.Meta{Classification: contest.OfficialSensitive}},
	}
	for _, b := range bulletins {
		if err := l.d.CreateBulletin(ctx, sup, b); err != nil {
			return fmt.Errorf("demo: bulletin: %w", err)
		}
		if _, err := l.d.PublishBulletin(ctx, sup, b.ID); err != nil {
			return fmt.Errorf("demo: publish: %w", err)
		}
	}
	if err := l.d.AcknowledgeBulletin(ctx, l.actor(contest.RolePartner), bulletins[0].ID); err != nil {
		return fmt.Errorf("demo: acknowledge: %w", err)
	}
	l.sum.Counts["bulletins"] = len(bulletins)
	return nil
}

// actor is the signed-in actor of a demo user.
func (l *loader) actor(r contest.Role) *contest.Actor {
	u := l.users[r]
	org := l.orgByID(u.OrgID)
	return &contest.Actor{UserID: u.ID, Username: u.Username, DisplayName: u.DisplayName, OrgID: org.ID, OrgName: org.Name, OrgKind: org.Kind,
		OrgArea: org.Area, Role: u.Role, Vetting: u.Vetting, TOTPEnrolled: true, Via: "cli", ClientAddr: "local"}
}

func (l *loader) orgByID(id int64) *contest.Org {
	for _, o := range l.orgs {
		if o.ID == id {
			return o
		}
	}
	return &contest.Org{}
}
