package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/contest-ct/contest"
)

// screeningData is what the screening page shows: the timed steps and the
// decision, never the result of the Pursue check.
type screeningData struct {
	Referral  *contest.PreventReferral
	Screening *contest.Screening
	Steps     []screeningStep
	Decision  string
	Decisions []option
	Checked   bool
	Crumbs    []crumb
}

type screeningStep struct {
	Name       string
	FinishedAt time.Time
	Took       string
	Note       string
}

var stepNames = map[string]string{contest.StepPursueCheck: "Checked against Pursue", contest.StepDecision: "Decision"}

// took is a duration in words, to the second.
func took(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d < time.Second:
		return "under a second"
	case d < time.Minute:
		return strconv.Itoa(int(d.Seconds())) + " seconds"
	case d < time.Hour:
		return strconv.Itoa(int(d.Minutes())) + " minutes"
	case d < 48*time.Hour:
		return strconv.Itoa(int(d.Hours())) + " hours"
	}
	return strconv.Itoa(int(d.Hours()/24)) + " days"
}

func (h *handler) showScreening(w http.ResponseWriter, r *http.Request, status int, form url.Values, ferr error) error {
	a := actor(r)
	id, err := pathID(r, "id", contest.KindPreventCase)
	if err != nil {
		return err
	}
	v, err := h.store.FindPreventReferralByID(r.Context(), a, id)
	if err != nil {
		return err
	}
	s, err := h.store.FindPreventScreening(r.Context(), a, id)
	if err != nil {
		return err
	}
	d := screeningData{Referral: v, Screening: s, Decision: contest.ChoiceLabel(contest.ScreeningDecisions, s.Decision),
		Decisions: choiceOptions(contest.ScreeningDecisions, "Select the decision"),
		Crumbs:    []crumb{{"Home", "/"}, {"Prevent referrals", "/prevent/referrals"}, {v.Reference, "/prevent/referrals/" + strconv.FormatInt(id, 10)}}}
	prev := v.ReferredAt
	for _, st := range s.Steps {
		d.Steps = append(d.Steps, screeningStep{Name: stepNames[st.Step], FinishedAt: st.FinishedAt, Took: took(st.FinishedAt.Sub(prev)), Note: st.Note})
		prev = st.FinishedAt
		d.Checked = d.Checked || st.Step == contest.StepPursueCheck
	}
	p := recordPage("Screening of "+v.Reference, &v.Meta, nil, d)
	p.Form = form
	if ferr != nil {
		p.ErrorMessage, p.Errors = contest.ErrorMessage(ferr), contest.ErrorFields(ferr)
	}
	return h.render(w, r, status, "prevent_screening", p)
}

// preventScreening shows a referral's screening.
func (h *handler) preventScreening(w http.ResponseWriter, r *http.Request) error {
	return h.showScreening(w, r, http.StatusOK, nil, nil)
}

// preventScreenCheck runs the Pursue check.
func (h *handler) preventScreenCheck(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", contest.KindPreventCase)
	if err != nil {
		return err
	}
	if _, err = parseForm(r); err == nil {
		if _, err = h.store.ScreenPreventReferral(r.Context(), actor(r), id); err == nil {
			h.setFlash(r, "The referral has been checked against Pursue")
			return redirect(w, r, "/prevent/referrals/"+strconv.FormatInt(id, 10)+"/screening")
		}
	}
	if c := contest.ErrorCode(err); c == contest.EINVALID || c == contest.ECONFLICT {
		return h.showScreening(w, r, StatusFor(c, false), nil, err)
	}
	return err
}

// preventScreenDecide records the screening decision.
func (h *handler) preventScreenDecide(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", contest.KindPreventCase)
	if err != nil {
		return err
	}
	form, err := parseForm(r)
	if err == nil {
		if _, err = h.store.DecidePreventScreening(r.Context(), actor(r), id, form.Get("decision"), form.Get("reason"), form.Get("signposted_to")); err == nil {
			h.setFlash(r, "The screening decision is recorded")
			return redirect(w, r, "/prevent/referrals/"+strconv.FormatInt(id, 10)+"/screening")
		}
	}
	if c := contest.ErrorCode(err); c == contest.EINVALID || c == contest.ECONFLICT {
		return h.showScreening(w, r, StatusFor(c, false), form, err)
	}
	return err
}

// screeningDecision is the body of POST .../screening/decision.
type screeningDecision struct {
	Decision     string `json:"decision"`
	Reason       string `json:"reason"`
	SignpostedTo string `json:"signposted_to"`
}

// apiPreventScreenCheck is POST /api/v1/prevent/referrals/{id}/screening.
func (h *handler) apiPreventScreenCheck(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", contest.KindPreventCase)
	if err != nil {
		return err
	}
	s, err := h.store.ScreenPreventReferral(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, s)
}

// apiPreventScreenDecide is POST /api/v1/prevent/referrals/{id}/screening/decision.
func (h *handler) apiPreventScreenDecide(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", contest.KindPreventCase)
	if err != nil {
		return err
	}
	var in screeningDecision
	if err := decodeJSON(r.Body, &in); err != nil {
		return err
	}
	s, err := h.store.DecidePreventScreening(r.Context(), actor(r), id, in.Decision, in.Reason, in.SignpostedTo)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, s)
}
