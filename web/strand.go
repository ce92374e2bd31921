package web

import (
	"net/http"
	"strings"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/access"
)

// strandDef is one of the four CONTEST strands and the kinds of record its
// work keeps. Later work on each strand adds its pages and links here.
type strandDef struct {
	Slug  string
	Name  string
	Aim   string
	Kinds []strandKind
}

// strandKind is a kind of record kept in a strand, with the address of its
// list page once that page exists.
type strandKind struct {
	Kind  contest.Kind
	Label string
	Href  string
}

// strands are the four strands of CONTEST, in the strategy's order.
var strands = []strandDef{
	{Slug: "pursue", Name: "Pursue", Aim: "Stop terrorist attacks by detecting and disrupting those who plan them.",
		Kinds: []strandKind{{Kind: contest.KindInvestigation, Label: "Investigations", Href: "/investigations"}, {Kind: contest.KindSubject, Label: "Subjects of interest", Href: "/subjects"}, {Kind: contest.KindReport, Label: "Reports of suspicious activity (the triage desk)", Href: "/triage"},
			{Kind: contest.KindPossibleMatch, Label: "Possible matches between people (join the dots)", Href: "/possible-matches"},
			{Kind: contest.KindReassessment, Label: "Closed subjects with new information", Href: "/reassessments"}}},
	{Slug: "prevent", Name: "Prevent", Aim: "Stop people becoming terrorists or supporting terrorism, through early intervention.",
		Kinds: []strandKind{{Kind: contest.KindPreventCase, Label: "Prevent referrals and cases", Href: "/prevent/referrals"}}},
	{Slug: "protect", Name: "Protect", Aim: "Strengthen protection against a terrorist attack in the UK and of UK interests overseas.",
		Kinds: []strandKind{{Kind: contest.KindBulletin, Label: "Protective security bulletins", Href: "/bulletins"}, {Kind: contest.KindContentRef, Label: "Terrorist content referrals", Href: "/content"}, {Kind: contest.KindHashBank, Label: "Hash banks of known material", Href: "/hash-banks"},
			{Kind: contest.KindPremises, Label: "Premises register", Href: "/premises"}, {Kind: contest.KindTraining, Label: "Counter-terrorism awareness training", Href: "/training"}}},
	{Slug: "prepare", Name: "Prepare", Aim: "Mitigate the impact of a terrorist attack and recover from it.",
		Kinds: []strandKind{{Kind: contest.KindIncident, Label: "Incidents and casualty bureau"}}},
}

// visibleTo reports whether the actor may read any kind of record in the
// strand.
func (s strandDef) visibleTo(a *contest.Actor) bool {
	for _, k := range s.Kinds {
		if access.Can(a, access.Read, k.Kind) || access.Can(a, access.Create, k.Kind) {
			return true
		}
	}
	return false
}

// holds reports whether path is one of the strand's record pages, so that
// the navigation marks the strand as the current section.
func (s strandDef) holds(path string) bool {
	for _, k := range s.Kinds {
		if k.Href != "" && (path == k.Href || strings.HasPrefix(path, k.Href+"/")) {
			return true
		}
	}
	return false
}

// strandRow is one line of a strand page: a kind and what the actor may do.
type strandRow struct {
	strandKind
	Can []string
}

// rowsFor lists the kinds of record in the strand that the actor may work
// with, what they may do, and the address of the list where they may read.
func (s strandDef) rowsFor(a *contest.Actor) []strandRow {
	var rows []strandRow
	for _, k := range s.Kinds {
		row := strandRow{strandKind: k}
		if !access.Can(a, access.Read, k.Kind) || k.Kind == contest.KindReport && !access.Can(a, access.Update, k.Kind) {
			row.Href = "" // nothing to list for this actor (the triage desk is for those who grade)
		}
		for _, act := range []access.Action{access.Read, access.Create, access.Update, access.Export} {
			if access.Can(a, act, k.Kind) {
				row.Can = append(row.Can, actionLabel(act))
			}
		}
		if len(row.Can) > 0 {
			rows = append(rows, row)
		}
	}
	return rows
}

// strand shows a strand's aim and what the signed-in user may do in it.
// A strand the user has no part in is not found.
func (h *handler) strand(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	for _, s := range strands {
		if s.Slug != r.PathValue("strand") {
			continue
		}
		if !s.visibleTo(a) {
			break
		}
		rows := s.rowsFor(a)
		return h.render(w, r, http.StatusOK, "strand", &page{Title: s.Name, Data: map[string]any{"Strand": s, "Rows": rows}})
	}
	return contest.Errorf(contest.ENOTFOUND, "If you typed the web address, check it is correct.")
}

func actionLabel(a access.Action) string {
	switch a {
	case access.Read:
		return "view"
	case access.Create:
		return "add"
	case access.Update:
		return "change"
	case access.Export:
		return "export"
	}
	return string(a)
}
