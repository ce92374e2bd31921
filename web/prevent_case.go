package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/contest-ct/contest"
)

// factorRow is one factor of the latest assessment, with its change.
type factorRow struct {
	Code, Dimension, Name, Rating, Evidence string
	Change                                  int
	ChangeText                              string
}

func changeText(n int) string {
	switch {
	case n > 0:
		return "Up " + strconv.Itoa(n)
	case n < 0:
		return "Down " + strconv.Itoa(-n)
	}
	return "No change"
}

// preventCaseData is the work of a Prevent case after screening.
type preventCaseData struct {
	Referral    *contest.PreventReferral
	Assessments []*contest.VulnerabilityAssessment
	Latest      []factorRow
	Consents    []*contest.Consent
	ConsentNow  string
	Plan        *contest.SupportPlan
	Reviews     []*contest.Review
	// NextReview is the review whose outcome is recorded next (one form
	// at a time), and NextMonths its months.
	NextReview int64
	NextMonths int
	Options    map[string][]option
	Crumbs     []crumb
}

func consentWords(c *contest.Consent) string {
	by := map[string]string{contest.ConsentByPerson: "the person", contest.ConsentByParent: "a parent or guardian", contest.ConsentByDeputy: "an attorney or deputy"}[c.GivenBy]
	return capitalise(c.Decision) + " by " + by
}

func preventCaseOptions() map[string][]option {
	return map[string][]option{
		"Decision": {{Value: "", Label: "Select"}, {Value: contest.ConsentGiven, Label: "Given"}, {Value: contest.ConsentRefused, Label: "Refused"}, {Value: contest.ConsentWithdrawn, Label: "Withdrawn"}},
		"Basis": {{Value: "", Label: "Select"}, {Value: contest.BasisAdult, Label: "An adult with capacity"}, {Value: contest.BasisChild, Label: "A child"},
			{Value: contest.BasisLacksCapacity, Label: "An adult lacking capacity"}},
		"GivenBy": {{Value: "", Label: "Select"}, {Value: contest.ConsentByPerson, Label: "The person"}, {Value: contest.ConsentByParent, Label: "A parent or guardian"},
			{Value: contest.ConsentByDeputy, Label: "An attorney or deputy"}},
		"Exit":    choiceOptions(contest.ExitOutcomes, "Select the outcome"),
		"Review":  choiceOptions(contest.ReviewOutcomes, "Select the outcome"),
		"Ratings": ratingOptions(),
	}
}

func ratingOptions() []option {
	out := []option{{Value: "", Label: "Select a rating"}}
	for i, l := range contest.RatingLabels {
		out = append(out, option{Value: strconv.Itoa(i), Label: l})
	}
	return out
}

func (h *handler) showPreventCase(w http.ResponseWriter, r *http.Request, status int, form url.Values, ferr error) error {
	a := actor(r)
	ctx := r.Context()
	id, err := pathID(r, "id", contest.KindPreventCase)
	if err != nil {
		return err
	}
	v, err := h.store.FindPreventReferralByID(ctx, a, id)
	if err != nil {
		return err
	}
	d := preventCaseData{Referral: v, Options: preventCaseOptions(), ConsentNow: "Not recorded",
		Crumbs: []crumb{{"Home", "/"}, {"Prevent referrals", "/prevent/referrals"}, {v.Reference, "/prevent/referrals/" + strconv.FormatInt(id, 10)}}}
	err = parallel(func() (err error) {
		d.Assessments, err = h.store.FindVulnerabilityAssessments(ctx, a, id)
		return err
	}, func() (err error) {
		d.Consents, err = h.store.FindConsents(ctx, a, id)
		return err
	}, func() (err error) {
		d.Plan, err = h.store.FindSupportPlan(ctx, a, id)
		return err
	}, func() (err error) {
		d.Reviews, err = h.store.FindReviews(ctx, a, id)
		return err
	})
	if err != nil {
		return err
	}
	for _, rv := range d.Reviews {
		if rv.Outcome == "" {
			d.NextReview, d.NextMonths = rv.ID, rv.Months
			break
		}
	}
	if n := len(d.Consents); n > 0 {
		d.ConsentNow = consentWords(d.Consents[n-1])
	}
	if n := len(d.Assessments); n > 0 {
		name := map[string]contest.Factor{}
		for _, f := range contest.Factors {
			name[f.Code] = f
		}
		for _, fr := range d.Assessments[n-1].Ratings {
			f := name[fr.Factor]
			d.Latest = append(d.Latest, factorRow{Code: f.Code, Dimension: capitalise(f.Dimension), Name: f.Name,
				Rating: contest.RatingLabels[fr.Rating], Evidence: fr.Evidence, Change: fr.Change, ChangeText: changeText(fr.Change)})
		}
	}
	p := recordPage("Case "+v.Reference, &v.Meta, nil, d)
	p.Form = form
	if ferr != nil {
		p.ErrorMessage, p.Errors = contest.ErrorMessage(ferr), contest.ErrorFields(ferr)
	}
	return h.render(w, r, status, "prevent_case", p)
}

// preventCase shows the work of a Prevent case: assessments, consent,
// support and reviews.
func (h *handler) preventCase(w http.ResponseWriter, r *http.Request) error {
	return h.showPreventCase(w, r, http.StatusOK, nil, nil)
}

// preventCaseAction runs a form post on a case and goes back to the case
// page, or shows it again with the problem.
func (h *handler) preventCaseAction(w http.ResponseWriter, r *http.Request, done string, fn func(form url.Values, id int64) error) error {
	id, err := pathID(r, "id", contest.KindPreventCase)
	if err != nil {
		return err
	}
	form, err := parseForm(r)
	if err == nil {
		if err = fn(form, id); err == nil {
			h.setFlash(r, done)
			return redirect(w, r, "/prevent/referrals/"+strconv.FormatInt(id, 10)+"/case")
		}
	}
	if c := contest.ErrorCode(err); c == contest.EINVALID || c == contest.ECONFLICT {
		return h.showPreventCase(w, r, StatusFor(c, false), form, err)
	}
	return err
}

// ratingsFromForm reads the 22 ratings ("rating_E1", "evidence_E1", ...).
func ratingsFromForm(form url.Values) ([]contest.FactorRating, error) {
	var fe contest.FieldErrors
	var out []contest.FactorRating
	for _, f := range contest.Factors {
		s := form.Get("rating_" + f.Code)
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n >= len(contest.RatingLabels) {
			fe.Add("rating_"+f.Code, "Select a rating for "+strings.ToLower(f.Name[:1])+f.Name[1:])
			continue
		}
		out = append(out, contest.FactorRating{Factor: f.Code, Rating: n, Evidence: form.Get("evidence_" + f.Code)})
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// preventAssessNew shows the assessment form, filled with the last
// assessment's ratings when there is one.
func (h *handler) preventAssessNew(w http.ResponseWriter, r *http.Request) error {
	return h.showAssessForm(w, r, http.StatusOK, nil, nil)
}

func (h *handler) showAssessForm(w http.ResponseWriter, r *http.Request, status int, form url.Values, ferr error) error {
	a := actor(r)
	id, err := pathID(r, "id", contest.KindPreventCase)
	if err != nil {
		return err
	}
	v, err := h.store.FindPreventReferralByID(r.Context(), a, id)
	if err != nil {
		return err
	}
	if form == nil {
		form = url.Values{}
		all, err := h.store.FindVulnerabilityAssessments(r.Context(), a, id)
		if err != nil {
			return err
		}
		if n := len(all); n > 0 {
			for _, fr := range all[n-1].Ratings {
				form.Set("rating_"+fr.Factor, strconv.Itoa(fr.Rating))
				form.Set("evidence_"+fr.Factor, fr.Evidence)
			}
		}
	}
	p := recordPage("Assess "+v.Reference, &v.Meta, nil, map[string]any{"Referral": v, "Factors": contest.Factors, "Ratings": ratingOptions(),
		"Crumbs": []crumb{{"Home", "/"}, {"Prevent referrals", "/prevent/referrals"}, {v.Reference, "/prevent/referrals/" + strconv.FormatInt(id, 10) + "/case"}}})
	p.Form = form
	if ferr != nil {
		p.ErrorMessage, p.Errors = contest.ErrorMessage(ferr), contest.ErrorFields(ferr)
		for i, fe := range p.Errors {
			// The store names factors by code; the form names their fields.
			if !strings.Contains(fe.Field, "_") && fe.Field != "summary" {
				p.Errors[i].Field = "evidence_" + fe.Field
			}
		}
	}
	return h.render(w, r, status, "prevent_assess", p)
}

// preventAssess records an assessment of the 22 factors.
func (h *handler) preventAssess(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", contest.KindPreventCase)
	if err != nil {
		return err
	}
	form, err := parseForm(r)
	if err == nil {
		var rs []contest.FactorRating
		if rs, err = ratingsFromForm(form); err == nil {
			if _, err = h.store.RecordVulnerabilityAssessment(r.Context(), actor(r), id, rs, form.Get("summary")); err == nil {
				h.setFlash(r, "The assessment is recorded")
				return redirect(w, r, "/prevent/referrals/"+strconv.FormatInt(id, 10)+"/case")
			}
		}
	}
	if c := contest.ErrorCode(err); c == contest.EINVALID || c == contest.ECONFLICT {
		return h.showAssessForm(w, r, StatusFor(c, false), form, err)
	}
	return err
}

func (h *handler) preventConsent(w http.ResponseWriter, r *http.Request) error {
	return h.preventCaseAction(w, r, "Consent is recorded", func(form url.Values, id int64) error {
		return h.store.RecordConsent(r.Context(), actor(r), id, &contest.Consent{Decision: form.Get("decision"), Basis: form.Get("basis"),
			GivenBy: form.Get("given_by"), Name: form.Get("name"), Note: form.Get("note")})
	})
}

func (h *handler) preventSupportOpen(w http.ResponseWriter, r *http.Request) error {
	return h.preventCaseAction(w, r, "The support plan is open", func(form url.Values, id int64) error {
		_, err := h.store.OpenSupportPlan(r.Context(), actor(r), id, strings.Split(form.Get("providers"), "\n"), form.Get("goals"))
		return err
	})
}

// dateField reads a YYYY-MM-DD date.
func dateField(form url.Values, name, message string) (time.Time, error) {
	t, err := time.Parse("2006-01-02", strings.TrimSpace(form.Get(name)))
	if err != nil {
		var fe contest.FieldErrors
		fe.Add(name, message)
		return time.Time{}, fe.Err()
	}
	return t, nil
}

func (h *handler) preventSupportSession(w http.ResponseWriter, r *http.Request) error {
	return h.preventCaseAction(w, r, "The session is recorded", func(form url.Values, id int64) error {
		held, err := dateField(form, "held_at", "Enter the date of the session, like 2026-11-02")
		if err != nil {
			return err
		}
		return h.store.AddSupportSession(r.Context(), actor(r), id, &contest.SupportSession{Provider: form.Get("provider"), HeldAt: held, Progress: form.Get("progress")})
	})
}

func (h *handler) preventSupportExit(w http.ResponseWriter, r *http.Request) error {
	return h.preventCaseAction(w, r, "Support has ended; reviews at 6 and 12 months are in the owner's queue", func(form url.Values, id int64) error {
		_, err := h.store.ExitSupportPlan(r.Context(), actor(r), id, form.Get("outcome"), form.Get("reason"))
		return err
	})
}

// preventReviews is the actor's queue of reviews after exit, soonest due
// first.
func (h *handler) preventReviews(w http.ResponseWriter, r *http.Request) error {
	q, err := h.store.FindReviewQueue(r.Context(), actor(r))
	if err != nil {
		return err
	}
	now := time.Now()
	type row struct {
		*contest.Review
		Due string
	}
	rows := make([]row, len(q))
	for i, v := range q {
		rows[i] = row{v, reviewState(v.DueAt, now)}
	}
	return h.render(w, r, http.StatusOK, "prevent_reviews", &page{Title: "Reviews after exit", Data: rows})
}

// preventReviewRecord records the outcome of a case's review.
func (h *handler) preventReviewRecord(w http.ResponseWriter, r *http.Request) error {
	return h.preventCaseAction(w, r, "The review is recorded", func(form url.Values, id int64) error {
		rid, err := strconv.ParseInt(r.PathValue("review"), 10, 64)
		if err != nil {
			return contest.NotFound(contest.KindPreventCase)
		}
		_, err = h.store.RecordReviewOutcome(r.Context(), actor(r), rid, form.Get("review_outcome"), form.Get("review_note"))
		// The review form's fields are named apart from the exit form's.
		var e *contest.Error
		if errors.As(err, &e) {
			for i := range e.Fields {
				e.Fields[i].Field = "review_" + e.Fields[i].Field
			}
		}
		return err
	})
}
