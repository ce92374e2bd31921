package demo

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/pdq"
)

// A year of online terrorist content referrals at the public scale of the
// demo, addressed to the four fictional platforms, and two hash banks of
// synthetic signals (random hashes: no real material is hashed here).
const (
	fullContentReferrals = 1500
	fullBankSignals      = 5000
)

// demoPlatform is a fictional platform and how it answers requests.
type demoPlatform struct {
	key, domain string
	weight      int
	removal     float64 // share of requests removed
	medianHours float64 // from request to removal
	path        string
}

var demoPlatforms = []demoPlatform{
	{"platform:chatterbox", "chatterbox.example", 40, 0.86, 18, "post"},
	{"platform:streamly", "streamly.example", 30, 0.91, 9, "watch"},
	{"platform:pinwheel", "pinwheel.example", 20, 0.62, 60, "thread"},
	{"platform:kettle", "kettle.example", 10, 0.44, 140, "channel"},
}

var handleWords = []string{"lantern", "granite", "harbour", "copper", "meadow", "falcon", "ember", "willow", "quarry", "thistle"}

var assessmentNotes = []string{
	"Synthetic: video glorifies a recent attack and calls on viewers to emulate it.",
	"Synthetic: shares a publication of a proscribed organisation in full.",
	"Synthetic: image displays the flag of a proscribed organisation with a call to join.",
	"Synthetic: post gives instructions useful to a person preparing an attack.",
	"Synthetic: content is offensive but does not meet a Terrorism Act offence.",
}

// loadContent stores the banks through the ordinary audited calls and the
// referrals in one audited import.
func (l *loader) loadContent(ctx context.Context) error {
	officer := l.users[contest.RoleContentOfficer]
	owner := l.orgs[homeLondon]
	if officer == nil || owner == nil {
		return fmt.Errorf("demo: content: no content officer or referral unit")
	}
	signals := 0
	for i, name := range []string{"Known terrorist material (synthetic)", "Attack footage (synthetic)"} {
		b := &contest.HashBank{Name: name, Enabled: true, Labels: []string{"demo", []string{"propaganda", "attack"}[i]},
			Meta: contest.Meta{Classification: contest.OfficialSensitive}}
		if err := l.d.CreateHashBank(ctx, l.sys, b); err != nil {
			return fmt.Errorf("demo: hash bank: %w", err)
		}
		var csv strings.Builder
		csv.WriteString("signal_type,signal_value\n")
		for j := 0; j < l.scaled(fullBankSignals); j++ {
			var h pdq.Hash256
			for w := range h {
				h[w] = l.g.r.Uint64()
			}
			csv.WriteString("pdq," + h.String() + "\n")
			if j%10 == 0 {
				fmt.Fprintf(&csv, "md5,%016x%016x\n", l.g.r.Uint64(), l.g.r.Uint64())
			}
		}
		n, err := l.d.ImportHashBank(ctx, l.sys, b.ID, strings.NewReader(csv.String()))
		if err != nil {
			return fmt.Errorf("demo: hash bank import: %w", err)
		}
		signals += n
	}
	weights := make([]int, len(demoPlatforms))
	for i, p := range demoPlatforms {
		weights[i] = p.weight
	}
	n := l.scaled(fullContentReferrals)
	refs := make([]*contest.ContentReferral, 0, n)
	for i := 0; i < n; i++ {
		p := demoPlatforms[l.g.weighted(weights)]
		created := l.g.between(l.opt.Now.Add(-365*day), l.opt.Now.Add(-time.Hour))
		c := &contest.ContentReferral{URL: fmt.Sprintf("https://%s/%s/%d", p.domain, p.path, 100000+l.g.r.IntN(900000)),
			ContentType: pick(l.g, []string{"video", "video", "image", "image", "text", "audio", "livestream", "document"}),
			Status:      contest.ContentForAssessment,
			Meta:        contest.Meta{Classification: contest.OfficialSensitive, OwnerOrgID: owner.ID, CreatedAt: created}}
		if l.g.chance(0.3) {
			c.AccountHandle = fmt.Sprintf("@%s_%s%d", pick(l.g, handleWords), pick(l.g, handleWords), l.g.r.IntN(1000))
		}
		age := l.opt.Now.Sub(created)
		if age < 48*time.Hour && l.g.chance(0.5) {
			refs = append(refs, c) // still waiting for assessment
			continue
		}
		c.AssessedBy, c.AssessedAt = officer.ID, created.Add(time.Duration(1+l.g.r.IntN(20))*time.Hour)
		note := l.g.r.IntN(len(assessmentNotes))
		c.AssessmentNote = assessmentNotes[note]
		if note == len(assessmentNotes)-1 {
			c.Offence, c.Status = "none", contest.ContentNotTerrorist
			refs = append(refs, c)
			continue
		}
		c.Offence = pick(l.g, []string{"ta2006_s1", "ta2006_s2", "ta2006_s2", "ta2000_s12", "ta2000_s13", "ta2000_s58"})
		c.Status = contest.ContentAssessed
		if l.g.chance(0.1) || c.AssessedAt.After(l.opt.Now) {
			refs = append(refs, c) // assessed, not yet sent
			continue
		}
		c.RequestedAt = c.AssessedAt.Add(time.Duration(10+l.g.r.IntN(240)) * time.Minute)
		c.PlatformOrgID, c.Platform, c.Status = l.orgs[p.key].ID, "", contest.ContentReferred
		c.PlatformRef = fmt.Sprintf("%s-%07d", strings.ToUpper(p.domain[:2]), l.g.r.IntN(10000000))
		hours := p.medianHours * math.Exp(0.9*l.g.r.NormFloat64())
		at := c.RequestedAt.Add(time.Duration(hours * float64(time.Hour)))
		if at.After(l.opt.Now) {
			refs = append(refs, c) // no answer yet
			continue
		}
		switch u := l.g.r.Float64(); {
		case u < p.removal:
			c.Response = contest.ContentRemoved
		case u < p.removal+(1-p.removal)/3:
			c.Response = contest.ContentRestricted
		case u < p.removal+2*(1-p.removal)/3:
			c.Response = contest.ContentRefused
			c.ResponseNote = "Synthetic: the platform judged the content within its policies."
		default:
			c.Response = contest.ContentNoResponse
		}
		c.Status, c.RespondedAt = c.Response, at
		refs = append(refs, c)
	}
	if err := l.d.ImportContentReferrals(ctx, l.sys, refs); err != nil {
		return fmt.Errorf("demo: content referrals: %w", err)
	}
	l.sum.Counts["content_referrals"] = len(refs)
	l.sum.Counts["hash_bank_signals"] = signals
	return nil
}
