package web

import (
	"net/http"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/access"
)

// preventLink is one entry of the Prevent work page.
type preventLink struct{ Label, Href, Hint string }

// preventWork lists the Prevent work the actor may do.
func (h *handler) preventWork(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	var links []preventLink
	add := func(ok bool, l preventLink) {
		if ok {
			links = append(links, l)
		}
	}
	add(access.Can(a, access.Create, contest.KindPreventCase), preventLink{"Make a Prevent referral", "/prevent/refer", "From any sector, with the questions statutory guidance asks"})
	add(access.Can(a, access.Create, contest.KindPreventCase), preventLink{"A referral you made", "/prevent/outcome", "What has happened to it, by its reference"})
	add(access.Can(a, access.Read, contest.KindPreventCase), preventLink{"Prevent referrals and cases", "/prevent/referrals", "Screening, assessment, consent, support and reviews"})
	add(access.Can(a, access.Read, contest.KindPreventCase), preventLink{"Your reviews after exit", "/prevent/reviews", "Cases you own, 6 and 12 months after support ends"})
	add(access.Can(a, access.Read, contest.KindPanelMeeting), preventLink{"Panel meetings", "/panels", "Agenda, attendance, papers and minutes"})
	add(access.Can(a, access.Read, contest.KindDDPCase), preventLink{"Desistance and Disengagement Programme", "/ddp", "People on licence or subject to measures"})
	add(access.Can(a, access.Read, contest.KindPreventCase), preventLink{"Statistics", "/prevent/statistics", "A financial year, as the Home Office release lays it out"})
	return h.render(w, r, http.StatusOK, "prevent_work", &page{Title: "Prevent", Data: links})
}
