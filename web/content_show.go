package web

import (
	"net/http"
	"net/url"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/access"
)

// contentShow shows one referral: the content, its captures and their
// hashes, hash-bank matches, the assessment, the request and the
// platform's response, with the forms for the next step.
func (h *handler) contentShow(w http.ResponseWriter, r *http.Request) error {
	return h.showContent(w, r, http.StatusOK, nil, nil)
}

func (h *handler) showContent(w http.ResponseWriter, r *http.Request, status int, form url.Values, ferr error) error {
	a := actor(r)
	id, err := pathID(r, "id", contest.KindContentRef)
	if err != nil {
		return err
	}
	c, err := h.store.FindContentReferralByID(r.Context(), a, id)
	if err != nil {
		return err
	}
	staff := a.OrgKind != contest.OrgOnlinePlatform && access.Can(a, access.Create, contest.KindContentRef)
	d := map[string]any{"C": c, "StatusLabel": contentStatusLabel(c.Status), "OffenceLabel": contest.OffenceLabel(c.Offence),
		"Staff": staff, "CanRespond": !c.RequestedAt.IsZero() && access.Allowed(a, access.Update, contest.KindContentRef, &c.Meta),
		"Offences":  offenceOptions(),
		"Responses": optionsOf(contest.ContentResponses, contentStatusLabel, "Select the response"),
		"CanAssess": staff && (c.Status == contest.ContentForAssessment || c.Status == contest.ContentAssessed || c.Status == contest.ContentNotTerrorist),
		"CanSend":   staff && c.Status == contest.ContentAssessed,
	}
	d["ResponseLabel"] = contentStatusLabel(c.Response)
	if c.PlatformOrgID != 0 {
		if o, err := h.store.FindOrgByID(r.Context(), a, c.PlatformOrgID); err == nil {
			d["PlatformOrg"] = o.Name
		} else if contest.ErrorCode(err) != contest.ENOTFOUND {
			return err
		}
	}
	if d["CanSend"] == true {
		orgs, err := h.store.FindOrgs(r.Context(), a)
		if err != nil {
			return err
		}
		opts := []option{{Value: "", Label: "Select the platform"}}
		for _, o := range orgs {
			if o.Kind == contest.OrgOnlinePlatform {
				opts = append(opts, option{Value: itoa64(o.ID), Label: o.Name})
			}
		}
		d["Platforms"] = opts
	}
	if form == nil && d["CanAssess"] == true && c.AssessmentNote != "" {
		form = url.Values{"note": {c.AssessmentNote}} // a correction starts from the recorded reasons
	}
	p := &page{Title: "Content referral " + c.Reference, Classification: c.Meta.Classification, Data: d, Form: form}
	if ferr != nil {
		p.ErrorMessage, p.Errors = contest.ErrorMessage(ferr), contest.ErrorFields(ferr)
		stateFrom(r.Context()).errCode = contest.ErrorCode(ferr)
		h.metrics.errors.WithLabelValues(contest.ErrorCode(ferr)).Inc()
	}
	return h.render(w, r, status, "content_show", p)
}

// afterContentAction redirects after a successful change, or shows the
// referral again with the error summary for bad input or a conflict.
func (h *handler) afterContentAction(w http.ResponseWriter, r *http.Request, form url.Values, id int64, flash string, err error) error {
	if err == nil {
		h.setFlash(r, flash)
		return redirect(w, r, "/content/"+itoa64(id))
	}
	if c := contest.ErrorCode(err); c == contest.EINVALID || c == contest.ECONFLICT {
		return h.showContent(w, r, StatusFor(c, false), form, err)
	}
	return err
}
