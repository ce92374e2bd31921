package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/access"
)

func init() {
	viewNames = append(viewNames, "pursue_outcomes", "pursue_leads")
}

var outcomeTypeLabels = map[string]string{"disruption": "Disruption", "arrest": "Arrest", "charge": "Charge", "conviction": "Conviction",
	"plot_disrupted": "Plot disrupted"}

type outcomeCount struct {
	Type, Label string
	Count       int
}

type outcomesData struct {
	Investigation *contest.Investigation
	Outcomes      []*contest.Outcome
	Counts        []outcomeCount
	Types         []option
	Labels        map[string]string
	CanRecord     bool
}

func (h *handler) outcomesData(r *http.Request) (*outcomesData, error) {
	a := actor(r)
	d := &outcomesData{Labels: outcomeTypeLabels, CanRecord: access.Can(a, access.Create, contest.KindOutcome),
		Types: []option{{Value: "", Label: "Select the type"}}}
	for _, t := range contest.OutcomeTypes {
		d.Types = append(d.Types, option{Value: t, Label: outcomeTypeLabels[t]})
	}
	if strings.TrimSpace(r.FormValue("investigation_id")) == "" {
		counts, err := h.store.CountOutcomes(r.Context(), a)
		if err != nil {
			return nil, err
		}
		for _, t := range contest.OutcomeTypes {
			d.Counts = append(d.Counts, outcomeCount{t, outcomeTypeLabels[t], counts[t]})
		}
		return d, nil
	}
	id, err := investigationParam(r)
	if err != nil {
		return nil, err
	}
	if d.Investigation, err = h.store.FindInvestigationByID(r.Context(), a, id); err != nil {
		return nil, err
	}
	d.Outcomes, err = h.store.FindOutcomes(r.Context(), a, id)
	return d, err
}

// outcomeList shows the outcomes of an investigation with the form to
// record one or, with no investigation named, the counts by type of every
// outcome the actor may see.
func (h *handler) outcomeList(w http.ResponseWriter, r *http.Request) error {
	d, err := h.outcomesData(r)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "pursue_outcomes", &page{Title: "Outcomes", Data: d})
}

// outcomeCreate records an outcome from the form.
func (h *handler) outcomeCreate(w http.ResponseWriter, r *http.Request) error {
	d, err := h.outcomesData(r)
	if err != nil {
		return err
	}
	if d.Investigation == nil {
		return contest.NotFound(contest.KindInvestigation)
	}
	form, err := parseForm(r)
	if err == nil {
		o := &contest.Outcome{InvestigationID: d.Investigation.ID, Type: form.Get("type"), OccurredOn: strings.TrimSpace(form.Get("occurred_on")),
			Legislation: form.Get("legislation"), Offence: form.Get("offence"), Sentence: form.Get("sentence"), Notes: form.Get("notes")}
		if v := strings.TrimSpace(form.Get("subject_id")); v != "" {
			if o.SubjectID, err = strconv.ParseInt(v, 10, 64); err != nil || o.SubjectID <= 0 {
				var fe contest.FieldErrors
				fe.Add("subject_id", "Subject must be a number")
				err = fe.Err()
			}
		}
		if err == nil {
			if err = h.store.RecordOutcome(r.Context(), actor(r), o); err == nil {
				h.setFlash(r, outcomeTypeLabels[o.Type]+" recorded")
				return redirect(w, r, "/outcomes?investigation_id="+strconv.FormatInt(o.InvestigationID, 10))
			}
		}
	}
	return h.formError(w, r, "pursue_outcomes", "Outcomes", form, err, d)
}
