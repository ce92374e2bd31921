package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/contest-ct/contest"
)

// choiceOptions are the options of a select of coded answers.
func choiceOptions(cs []contest.Choice, blank string) []option {
	out := []option{{Value: "", Label: blank}}
	for _, c := range cs {
		out = append(out, option{Value: c.Code, Label: c.Label})
	}
	return out
}

func preventReferData() map[string]any {
	return map[string]any{
		"Sectors":  choiceOptions(contest.PreventSectors, "Select the sector making the referral"),
		"Concerns": choiceOptions(contest.PreventConcerns, "Select the type of concern"),
		"Genders":  choiceOptions(contest.PreventGenders, "Not known"),
	}
}

// referralFromForm reads the referral form. Problems the form itself can
// have (an age that is not a number) are reported with the fields
// Validate finds, all at once.
func referralFromForm(form url.Values) (*contest.ReferralRequest, error) {
	g := func(k string) string { return form.Get(k) }
	r := &contest.ReferralRequest{GivenName: g("given_name"), FamilyName: g("family_name"), DateOfBirth: g("date_of_birth"),
		Area: g("area"), Sector: g("sector"), Concern: g("concern"), Gender: g("gender"), Region: g("region"),
		Details: contest.ReferralDetails{HowConcernArose: g("how_concern_arose"), Behaviour: g("behaviour"), Indicators: g("indicators"),
			OnlineActivity: g("online_activity"), Contacts: g("contacts"), ThreatsOfHarm: g("threats_of_harm"), SpecialNeeds: g("special_needs"),
			OtherSafeguarding: g("other_safeguarding"), DiscussedWithPerson: g("discussed_with_person"), Discussion: g("discussion"),
			ChildUnder18: g("child_under_18") == "yes", ParentalSupport: g("parental_support")}}
	var fe contest.FieldErrors
	if s := strings.TrimSpace(g("age")); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			fe.Add("age", "Age must be a whole number of years between 0 and 120")
			n = 0
		}
		r.Age = n
	}
	if err := r.Validate(); err != nil {
		fe = append(fe, contest.ErrorFields(err)...)
	}
	if c := g("child_under_18"); c != "yes" && c != "no" {
		fe.Add("child_under_18", "Select whether the person is under 18")
	}
	return r, fe.Err()
}

// preventReferNew shows the referral form.
func (h *handler) preventReferNew(w http.ResponseWriter, r *http.Request) error {
	return h.render(w, r, http.StatusOK, "prevent_refer", &page{Title: "Make a Prevent referral", Data: preventReferData()})
}

// preventReferCreate stores a referral and sends the referrer to what they
// may learn of it.
func (h *handler) preventReferCreate(w http.ResponseWriter, r *http.Request) error {
	form, err := parseForm(r)
	if err == nil {
		var req *contest.ReferralRequest
		if req, err = referralFromForm(form); err == nil {
			var v *contest.PreventReferral
			if v, err = h.store.CreatePreventReferral(r.Context(), actor(r), req); err == nil {
				h.setFlash(r, "Your referral has been sent. Its reference is "+v.Reference)
				return redirect(w, r, "/prevent/outcome?reference="+url.QueryEscape(v.Reference))
			}
		}
	}
	return h.formError(w, r, "prevent_refer", "Make a Prevent referral", form, err, preventReferData())
}

// apiPreventReferralCreate is POST /api/v1/prevent/referrals.
func (h *handler) apiPreventReferralCreate(w http.ResponseWriter, r *http.Request) error {
	var in contest.ReferralRequest
	if err := decodeJSON(r.Body, &in); err != nil {
		return err
	}
	v, err := h.store.CreatePreventReferral(r.Context(), actor(r), &in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, &contest.ReferrerView{Reference: v.Reference, ReferredAt: v.ReferredAt,
		Outcome: contest.ReferrerReceived, Message: "Your referral has been received and is being considered."})
}

// preventOutcome shows a referrer what they may learn of a referral, by its
// reference.
func (h *handler) preventOutcome(w http.ResponseWriter, r *http.Request) error {
	ref := strings.TrimSpace(r.URL.Query().Get("reference"))
	p := &page{Title: "Your Prevent referral", Form: url.Values{"reference": {ref}}}
	if ref == "" {
		return h.render(w, r, http.StatusOK, "prevent_outcome", p)
	}
	v, err := h.store.PreventReferrerView(r.Context(), actor(r), ref)
	if contest.ErrorCode(err) == contest.ENOTFOUND {
		p.Errors = []contest.FieldError{{Field: "reference", Message: "There is no referral of yours with that reference"}}
		return h.render(w, r, http.StatusNotFound, "prevent_outcome", p)
	} else if err != nil {
		return err
	}
	p.Data = v
	return h.render(w, r, http.StatusOK, "prevent_outcome", p)
}

// apiPreventOutcome is GET /api/v1/prevent/my-referrals/{reference}.
func (h *handler) apiPreventOutcome(w http.ResponseWriter, r *http.Request) error {
	v, err := h.store.PreventReferrerView(r.Context(), actor(r), r.PathValue("reference"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, v)
}
