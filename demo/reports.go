package demo

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/contest-ct/contest"
)

// fullReports is how many public, hotline and business reports the demo
// holds at full scale: about three weeks of the public figure of 31,000 a
// year.
const fullReports = 1800

var (
	reportSeen = []string{
		"A man was photographing the entrances and the security cameras for a long time",
		"Someone left a rucksack under a bench and walked off quickly",
		"A van has been parked outside at night with the engine running, several nights running",
		"Two people asked staff detailed questions about the building's evacuation routes",
		"A person was filming the crowd barriers and counting the stewards",
		"I saw a social media post praising an attack and asking people to meet up",
		"A neighbour has been receiving lots of chemical deliveries and there is a strong smell",
		"Someone was trying the doors of the service entrance and ran when challenged",
	}
	reportPlaces = []string{"Harbourside Shopping Centre, Ashbridge", "Northgate Arena, Kingsmere", "Central Station concourse",
		"Market Square, Ashbridge", "Riverside Walk", "Kingsmere bus station", "Elm Road, Ashbridge"}
	reportDescriptions = []string{"tall, dark coat, rucksack", "short, grey hoodie, trainers", "about 30, beard, blue cap",
		"long hair, red jacket", "young man, glasses, carrying a camera"}
	// A rumour many people repeat after an incident.
	rumour = []string{
		"I heard there has been a shooting at Harbourside Shopping Centre",
		"There has been a shooting at the Harbourside Shopping Centre, people are saying",
		"Heard there was a shooting at Harbourside shopping centre today?",
	}
)

// loadReports stores the demo reports through the ordinary audited
// SubmitReport (so each is matched, clustered and indexed as a real one
// would be), from several goroutines so that they share group commits.
func (l *loader) loadReports(ctx context.Context) error {
	n := l.scaled(fullReports)
	reps := make([]*contest.Report, 0, n)
	vehicles := func() []string {
		if !l.g.chance(0.3) {
			return nil
		}
		return []string{fmt.Sprintf("%c%c%02d %c%c%c", 'A'+l.g.r.IntN(26), 'A'+l.g.r.IntN(26), l.g.r.IntN(75), 'A'+l.g.r.IntN(26), 'A'+l.g.r.IntN(26), 'A'+l.g.r.IntN(26))}
	}
	for i := 0; i < n; i++ {
		r := &contest.Report{Channel: contest.ChannelOnline, What: pick(l.g, reportSeen), Where: pick(l.g, reportPlaces),
			When: l.opt.Now.Add(-time.Duration(l.g.r.IntN(72*60)) * time.Minute), Vehicles: vehicles()}
		switch {
		case i%40 == 0:
			r.What = pick(l.g, rumour)
			r.Where = "Harbourside"
		case i%50 == 1:
			r.Channel, r.ThreatToLife, r.CallTime = contest.ChannelHotline, true, l.opt.Now.Add(-time.Duration(l.g.r.IntN(60))*time.Minute)
			r.CallerDetails = "Caller gave a first name only; call back number withheld"
		case i%60 == 2:
			r.Channel, r.Substance, r.Event = contest.ChannelPrecursor, "hydrogen_peroxide", "attempted_purchase"
			r.Quantity, r.Indicators = strconv.Itoa(5+l.g.r.IntN(40))+" litres", []string{"unusual_quantity", "unusual_payment"}
		}
		if l.g.chance(0.5) {
			p := l.g.person(l.g.chance(0.5), 18+l.g.r.IntN(50), l.opt.Now)
			r.People = append(r.People, contest.ReportPerson{Name: p.name(), Description: pick(l.g, reportDescriptions)})
		}
		if l.g.chance(0.3) {
			r.People = append(r.People, contest.ReportPerson{Description: pick(l.g, reportDescriptions)})
		}
		if l.g.chance(0.2) {
			r.Contact = contest.ReportContact{Phone: fmt.Sprintf("07700 900%03d", l.g.r.IntN(1000))}
		}
		reps = append(reps, r)
	}
	partner, err := l.d.ActorForUser(ctx, l.users[contest.RolePartner].ID, "demo", "cli")
	if err != nil {
		return err
	}
	partner.TOTPEnrolled = true
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
		next  = make(chan *contest.Report)
	)
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range next {
				a := contest.PublicReporter("demo", "demo")
				switch r.Channel {
				case contest.ChannelHotline:
					a = l.sys
				case contest.ChannelPrecursor:
					a = partner
				}
				if err := l.d.SubmitReport(ctx, a, r); err != nil {
					mu.Lock()
					first = cmpOr(first, fmt.Errorf("demo: report: %w", err))
					mu.Unlock()
				}
			}
		}()
	}
	for _, r := range reps {
		next <- r
	}
	close(next)
	wg.Wait()
	l.sum.Counts["reports"] = len(reps)
	return first
}

func cmpOr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}
