package demo

import (
	"time"

	"github.com/contest-ct/contest"
)

// genSubject is a generated subject of interest with the identity it was
// drawn from and, for an active one, the index of its investigation.
type genSubject struct {
	*contest.Subject
	p   person
	inv int
}

const day = 24 * time.Hour

// Age bands of subjects of interest, with weights.
var subjectAges = []struct{ lo, hi, w int }{
	{16, 19, 10}, {20, 24, 22}, {25, 29, 22}, {30, 34, 17}, {35, 44, 18}, {45, 54, 8}, {55, 70, 3},
}

func (l *loader) subjectAge() int {
	w := make([]int, len(subjectAges))
	for i, a := range subjectAges {
		w[i] = a.w
	}
	a := subjectAges[l.g.weighted(w)]
	return a.lo + l.g.r.IntN(a.hi-a.lo+1)
}

var regionWeights = func() []int {
	w := make([]int, len(regions))
	for i, r := range regions {
		w[i] = r.weight
	}
	return w
}()

// pursueOwner picks the organisation leading Pursue work: a regional
// counter-terrorism policing unit, or the security service for a share.
func (l *loader) pursueOwner() (*contest.Org, string) {
	r := regions[l.g.weighted(regionWeights)]
	if l.g.chance(0.2) {
		return l.orgs[homeSecurity], r.name
	}
	return l.orgs["ctp:"+r.name], r.name
}

var closedReasons = []string{
	"No further intelligence of concern after review",
	"Threat assessed as diminished; no ongoing investigative interest",
	"Investigation concluded: charged and convicted",
	"Investigation concluded: no further action",
	"Left the United Kingdom",
	"Intelligence not substantiated",
	"Managed under other arrangements (probation licence conditions)",
	"Low residual risk; referred to Prevent for support",
}

// closedSubjects draws the closed former subjects, closed over the last ten
// years, each with a scheduled re-assessment in the next two.
func (l *loader) closedSubjects() []*genSubject {
	n := l.scaled(fullClosedSubjects)
	now := l.opt.Now
	out := make([]*genSubject, n)
	for i := range out {
		closedAt := l.g.between(now.AddDate(-10, 0, 0), now.AddDate(0, -1, 0))
		p := l.g.person(l.g.chance(0.9), l.subjectAge(), closedAt)
		org, reg := l.pursueOwner()
		class := contest.OfficialSensitive
		if l.g.chance(0.15) {
			class = contest.Secret
		}
		out[i] = &genSubject{p: p, inv: -1, Subject: &contest.Subject{
			GivenName: p.given, FamilyName: p.family, DateOfBirth: p.dobString(), Status: contest.SubjectClosed,
			ClosedReason: pick(l.g, closedReasons), NextReviewAt: l.g.between(now.Add(day), now.AddDate(2, 0, 0)).Truncate(day),
			Meta: contest.Meta{Classification: class, OwnerOrgID: org.ID, Area: reg},
		}}
	}
	return out
}

var (
	pursueThemes = []string{"Suspected attack planning", "Facilitation and fundraising", "Online radicalisation network",
		"Attempted weapons acquisition", "Intended travel to a conflict zone", "Production and distribution of terrorist material",
		"Hostile reconnaissance of crowded places", "Contact with a proscribed organisation", "Explosives precursor purchases"}
	pursueIdeologies = []string{"Islamist", "Islamist", "Extreme right-wing", "Extreme right-wing", "Left-wing, anarchist or single-issue",
		"Mixed, unclear or unstable", "Mixed, unclear or unstable"}
	priorities = []string{"P1", "P2", "P3"}
	// Priority tiers: a small top tier, most at the lowest.
	priorityWeights = []int{8, 32, 60}
	// Days within which a subject of each tier is next reviewed.
	priorityReview = []int{30, 90, 180}
)

// investigations draws the investigations (in the order of their
// compartments) and their active subjects. A few active subjects are closed
// former subjects come back under a new investigation.
func (l *loader) investigations(ops []string, comps []*contest.Compartment, closed []*genSubject) ([]*contest.Investigation, []*genSubject) {
	now := l.opt.Now
	invs := make([]*contest.Investigation, len(ops))
	for i, op := range ops {
		org, reg := l.pursueOwner()
		class := contest.OfficialSensitive
		switch x := l.g.r.Float64(); {
		case x < 0.03:
			class = contest.TopSecret
		case x < 0.20:
			class = contest.Secret
		}
		opened := now.Add(-time.Duration(min(l.g.r.ExpFloat64()*400, 5*365)*float64(day)) - day)
		v := &contest.Investigation{Operation: op, Status: "open", OpenedAt: opened.Truncate(time.Minute),
			Summary: pick(l.g, pursueThemes) + ". " + pick(l.g, pursueIdeologies) + " concern. Led from " + reg + ".",
			Meta:    contest.Meta{Classification: class, OwnerOrgID: org.ID, Area: reg, Compartments: []int64{comps[i].ID}}}
		if i > 1 && l.g.chance(0.08) {
			v.Status = "closed"
			v.ClosedAt = l.g.between(opened, now).Truncate(time.Minute)
		}
		if l.member[contest.RoleInvestigator][i] {
			v.LeadUserID = l.users[contest.RoleInvestigator].ID
		}
		invs[i] = v
	}

	// Every open investigation has an active subject; the rest are spread
	// with skewed weights, so that a few operations are large networks. A
	// closed investigation keeps one to three former subjects.
	n := l.scaled(fullActiveSubjects)
	weights := make([]float64, len(invs))
	total := 0.0
	for i, v := range invs {
		if v.Status == "open" {
			weights[i] = l.g.r.ExpFloat64() * l.g.r.ExpFloat64()
			total += weights[i]
		}
	}
	var invOf, formerOf []int
	for i, v := range invs {
		switch {
		case v.Status != "open":
			for range 1 + l.g.r.IntN(3) {
				formerOf = append(formerOf, i)
			}
		case len(invOf) < n:
			invOf = append(invOf, i)
		}
	}
	for len(invOf) < n {
		x := l.g.r.Float64() * total
		j := 0
		for ; j < len(weights)-1 && (x >= weights[j] || weights[j] == 0); j++ {
			x -= weights[j]
		}
		if weights[j] == 0 { // rounding ran past the last open one
			j = invOf[0]
		}
		invOf = append(invOf, j)
	}
	invOf = append(invOf, formerOf...)
	back := 0
	out := make([]*genSubject, len(invOf))
	for k, i := range invOf {
		v := invs[i]
		var p person
		if len(closed) > 0 && l.g.chance(0.03) {
			p, _ = l.g.variant(closed[l.g.r.IntN(len(closed))].p)
			back++
		} else {
			p = l.g.person(l.g.chance(0.88), l.subjectAge(), now)
		}
		tier := l.g.weighted(priorityWeights)
		s := &contest.Subject{GivenName: p.given, FamilyName: p.family, DateOfBirth: p.dobString(), Status: contest.SubjectActive,
			Priority: priorities[tier], NextReviewAt: l.g.between(now.Add(day), now.Add(time.Duration(priorityReview[tier])*day)).Truncate(day),
			OwnerUserID: v.LeadUserID,
			Meta: contest.Meta{Classification: v.Meta.Classification, OwnerOrgID: v.Meta.OwnerOrgID, Area: v.Meta.Area,
				Compartments: v.Meta.Compartments}}
		if v.Status == "closed" {
			s.Status = contest.SubjectFormer
			s.Priority = ""
			s.ClosedReason = "Investigation closed"
		}
		out[k] = &genSubject{Subject: s, p: p, inv: i}
	}
	l.sum.Counts["subjects_reappearing_from_closed"] = back
	l.sum.Counts["subjects_former"] = len(formerOf)
	return invs, out
}

// Prevent statistics: shares close to the Home Office annual release
// "Individuals referred to and supported through the Prevent Programme".
var (
	sectors       = []string{"education", "police", "health", "local_authority", "prisons", "probation", "community", "friends_family", "other"}
	sectorWeights = []int{37, 29, 10, 10, 2, 2, 3, 3, 4}
	// Types of concern as recorded by the referrer (issue 6, item 9).
	concerns = []string{"no_ideology", "extreme_right_wing", "conflicted", "islamist", "school_massacre", "incel",
		"left_wing_anarchist_single_issue", "other"}
	concernWeights = []int{33, 20, 13, 13, 8, 3, 2, 8}
	referralAges   = []struct{ lo, hi, w int }{
		{7, 10, 5}, {11, 15, 38}, {16, 17, 16}, {18, 20, 11}, {21, 30, 13}, {31, 40, 9}, {41, 50, 5}, {51, 70, 3},
	}
	genders       = []string{"male", "female", "unknown"}
	genderWeights = []int{89, 10, 1}
)

// Stages a referral has reached by the time of the load. Panel, adopted
// and exited together are the ~14% discussed at a Channel panel; adopted
// and exited the ~7% adopted as a Channel case.
var (
	stages       = []string{"closed", "screening", "referred", "panel", "adopted", "exited"}
	stageWeights = []int{830, 25, 5, 70, 30, 40}
)

// financialYear is the last complete financial year (1 April to 31 March)
// before now, as [from, to).
func financialYear(now time.Time) (time.Time, time.Time, int) {
	y := now.Year()
	if now.Month() < time.April {
		y--
	}
	// y is the start of the current year; the one before began in y-1.
	from := time.Date(y-1, time.April, 1, 0, 0, 0, 0, time.UTC)
	return from, from.AddDate(1, 0, 0), y - 1
}

// referrals draws a financial year of Prevent referrals. A few are people
// already known: closed former subjects (the "closed subjects with new
// information" queue) and active subjects.
func (l *loader) referrals(closed, active []*genSubject) []*contest.PreventReferral {
	from, to, fy := financialYear(l.opt.Now)
	n := l.scaled(fullReferrals)
	ageW := make([]int, len(referralAges))
	for i, a := range referralAges {
		ageW[i] = a.w
	}
	fromClosed, fromActive := 0, 0
	out := make([]*contest.PreventReferral, n)
	for i := range out {
		at := l.g.between(from, to).Truncate(time.Minute)
		reg := regions[l.g.weighted(regionWeights)]
		area := pick(l.g, reg.areas)
		var p person
		gender := genders[l.g.weighted(genderWeights)]
		switch x := l.g.r.Float64(); {
		case x < 0.03 && len(closed) > 0:
			p, _ = l.g.variant(closed[l.g.r.IntN(len(closed))].p)
			gender = map[bool]string{true: "male", false: "female"}[p.male]
			fromClosed++
		case x < 0.035 && len(active) > 0:
			p, _ = l.g.variant(active[l.g.r.IntN(len(active))].p)
			gender = map[bool]string{true: "male", false: "female"}[p.male]
			fromActive++
		default:
			band := referralAges[l.g.weighted(ageW)]
			p = l.g.person(gender != "female" && (gender == "male" || l.g.chance(0.5)), band.lo+l.g.r.IntN(band.hi-band.lo+1), at)
		}
		stage := stages[l.g.weighted(stageWeights)]
		// The last weeks' referrals are still being worked on.
		if to.Sub(at) < 21*day && l.g.chance(0.5) {
			stage = pick(l.g, []string{"referred", "screening"})
		}
		if stage == "exited" && to.Sub(at) < 120*day {
			stage = "adopted"
		}
		r := &contest.PreventReferral{Reference: refNumber(fy, i+1), GivenName: p.given, FamilyName: p.family, DateOfBirth: p.dobString(),
			Sector: sectors[l.g.weighted(sectorWeights)], Concern: concerns[l.g.weighted(concernWeights)], Age: max(0, p.ageAt(at)),
			Gender: gender, Region: reg.name, Stage: stage, ReferredAt: at,
			Meta: contest.Meta{Classification: contest.OfficialSensitive, Area: area}}
		// Police screen a referral; a case at a Channel panel belongs to
		// the local authority that chairs it.
		switch stage {
		case "panel", "adopted", "exited":
			r.Meta.OwnerOrgID = l.orgs["la:"+area].ID
			if l.orgs["la:"+area].ID == l.users[contest.RolePanelMember].OrgID {
				r.OwnerUserID = l.users[contest.RolePanelMember].ID
			}
		default:
			r.Meta.OwnerOrgID = l.orgs["ctp:"+reg.name].ID
			if reg.name == homeRegion && stage != "closed" {
				r.OwnerUserID = l.users[contest.RolePreventOfficer].ID
			}
		}
		out[i] = r
	}
	l.sum.Counts["referrals_matching_closed_subjects"] = fromClosed
	l.sum.Counts["referrals_matching_active_subjects"] = fromActive
	return out
}
