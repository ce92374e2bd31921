package web

import (
	"net/http"
	"strconv"

	"github.com/contest-ct/contest"
)

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

// contentAssess records the officer's assessment against the Terrorism
// Acts.
func (h *handler) contentAssess(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", contest.KindContentRef)
	if err != nil {
		return err
	}
	form, err := parseForm(r)
	if err == nil {
		_, err = h.store.AssessContentReferral(r.Context(), actor(r), id, contest.ContentAssessment{Offence: form.Get("offence"), Note: form.Get("note")})
	}
	return h.afterContentAction(w, r, form, id, "Assessment recorded", err)
}

// contentSend records that the request went to the platform.
func (h *handler) contentSend(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", contest.KindContentRef)
	if err != nil {
		return err
	}
	form, err := parseForm(r)
	if err == nil {
		org, perr := strconv.ParseInt(form.Get("platform_org_id"), 10, 64)
		if perr != nil || org <= 0 {
			err = (contest.FieldErrors{{Field: "platform_org_id", Message: "Select the platform the request goes to"}}).Err()
		} else {
			_, err = h.store.SendContentReferral(r.Context(), actor(r), id, org, form.Get("platform_ref"))
		}
	}
	return h.afterContentAction(w, r, form, id, "Request sent to the platform", err)
}

// contentRespond records the platform's response.
func (h *handler) contentRespond(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", contest.KindContentRef)
	if err != nil {
		return err
	}
	form, err := parseForm(r)
	if err == nil {
		_, err = h.store.RespondContentReferral(r.Context(), actor(r), id, form.Get("response"), form.Get("platform_ref"), form.Get("note"))
	}
	return h.afterContentAction(w, r, form, id, "Response recorded", err)
}
