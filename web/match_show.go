package web

import (
	"fmt"
	"math"
	"net/http"
	"strings"

	"github.com/contest-ct/contest"
)

// matchShow shows one possible match: both mentions side by side, the
// reasons as a waterfall and a table, and the decision form.
func (h *handler) matchShow(w http.ResponseWriter, r *http.Request) error {
	return h.showMatch(w, r, http.StatusOK, nil, nil)
}

func (h *handler) showMatch(w http.ResponseWriter, r *http.Request, status int, form map[string][]string, ferr error) error {
	id, err := pathID(r, "id", contest.KindPossibleMatch)
	if err != nil {
		return err
	}
	a := actor(r)
	pm, err := h.store.FindPossibleMatchByID(r.Context(), a, id)
	if err != nil {
		return err
	}
	// The page carries the higher marking of the two records, and the
	// compartments of both.
	meta := pm.Mention.Meta
	meta.Classification = max(pm.Mention.Meta.Classification, pm.Candidate.Meta.Classification)
	meta.Compartments = append(append([]int64{}, pm.Mention.Meta.Compartments...), pm.Candidate.Meta.Compartments...)
	comps, err := h.compartmentNames(r.Context(), a, meta.Compartments)
	if err != nil {
		return err
	}
	p := recordPage("Possible match", &meta, comps, map[string]any{
		"Match": pm, "Waterfall": waterfallOf(pm.Reasons),
		"MentionHref": sourceHref(pm.Mention), "CandidateHref": sourceHref(pm.Candidate),
	})
	p.Form = form
	if ferr != nil {
		p.ErrorMessage, p.Errors = contest.ErrorMessage(ferr), contest.ErrorFields(ferr)
		stateFrom(r.Context()).errCode = contest.ErrorCode(ferr)
	}
	return h.render(w, r, status, "match_show", p)
}

// sourceHref is the page of the record a mention came from, where there is
// one.
func sourceHref(m *contest.Mention) string {
	if m == nil {
		return ""
	}
	switch m.SourceKind {
	case contest.KindSubject:
		return fmt.Sprintf("/subjects/%d", m.SourceID)
	case contest.KindPreventCase:
		return fmt.Sprintf("/prevent/referrals/%d", m.SourceID)
	case contest.KindReport:
		return fmt.Sprintf("/triage/reports/%d", m.SourceID)
	case contest.KindContentRef:
		return fmt.Sprintf("/content/referrals/%d", m.SourceID)
	}
	return ""
}

// waterfall is the drawing of a match weight: one bar per reason, from the
// running total before it to the one after, then the total.
type waterfall struct {
	Width, Height int
	Bars          []waterfallBar
	ZeroX         float64
	Label         string
}

type waterfallBar struct {
	Label    string
	X, W, Y  float64
	Positive bool
	Total    bool
	TextY    float64
	Value    string
}

// waterfallOf lays out the bars in SVG user units. The SVG draws with
// attributes only (the content security policy forbids inline styles), and
// the table beside it carries the same figures for screen readers.
func waterfallOf(reasons []contest.MatchReason) *waterfall {
	const labelW, plotW, rowH = 220.0, 360.0, 26.0
	at, lo, hi := 0.0, 0.0, 0.0
	type step struct {
		label      string
		start, end float64
		total      bool
	}
	var steps []step
	for _, r := range reasons {
		label := r.Field
		if r.Level != "" {
			label += ": " + r.Level
		}
		steps = append(steps, step{label, at, at + r.Weight, false})
		at += r.Weight
		lo, hi = math.Min(lo, at), math.Max(hi, at)
	}
	steps = append(steps, step{"total", 0, at, true})
	if hi-lo < 1 {
		hi = lo + 1
	}
	scale := plotW / (hi - lo)
	x := func(v float64) float64 { return labelW + (v-lo)*scale }
	w := &waterfall{Width: int(labelW + plotW + 60), Height: int(rowH*float64(len(steps)) + 10), ZeroX: x(0)}
	var words []string
	for i, s := range steps {
		a, b := math.Min(s.start, s.end), math.Max(s.start, s.end)
		w.Bars = append(w.Bars, waterfallBar{Label: s.label, X: x(a), W: math.Max((b-a)*scale, 1), Y: float64(i)*rowH + 4,
			Positive: s.end >= s.start, Total: s.total, TextY: float64(i)*rowH + 21, Value: fmt.Sprintf("%+.1f", s.end-s.start)})
		words = append(words, fmt.Sprintf("%s %+.1f", s.label, s.end-s.start))
	}
	w.Label = "Match weight in bits: " + strings.Join(words, ", ")
	return w
}

// apiMatchShow is GET /api/v1/possible-matches/{id}.
func (h *handler) apiMatchShow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", contest.KindPossibleMatch)
	if err != nil {
		return err
	}
	pm, err := h.store.FindPossibleMatchByID(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, fixMatch(pm))
}

// sourceLabel names the kind of record a mention came from.
func sourceLabel(k contest.Kind) string {
	switch k {
	case contest.KindSubject:
		return "Subject of interest"
	case contest.KindPreventCase:
		return "Prevent referral"
	case contest.KindReport:
		return "Report"
	case contest.KindContentRef:
		return "Content referral"
	case contest.KindIncident:
		return "Incident"
	}
	return strings.ReplaceAll(string(k), "_", " ")
}

// fixMatch fills in what JSON needs (empty lists, not null).
func fixMatch(pm *contest.PossibleMatch) *contest.PossibleMatch {
	for _, m := range []*contest.Mention{pm.Mention, pm.Candidate} {
		if m != nil {
			fixMeta(&m.Meta)
		}
	}
	return pm
}

func fixReassessment(ra *contest.Reassessment) *contest.Reassessment {
	if ra.Subject != nil {
		fixSubject(ra.Subject)
	}
	if ra.Match != nil {
		fixMatch(ra.Match)
	}
	return ra
}
