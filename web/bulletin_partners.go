package web

import (
	"net/http"
	"strconv"

	"github.com/contest-ct/contest"
)

// partnerChannels is GET /protect/partners/{id}: an organisation's webhook
// and feed, for administrators.
func (h *handler) partnerChannels(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", contest.KindOrg)
	if err != nil {
		return err
	}
	return h.showPartner(w, r, id, http.StatusOK, nil, nil, nil)
}

func (h *handler) showPartner(w http.ResponseWriter, r *http.Request, id int64, status int, form map[string][]string, ferr error, shown map[string]string) error {
	a := actor(r)
	org, err := h.store.FindOrgByID(r.Context(), a, id)
	if err != nil {
		return err
	}
	pc, err := h.store.FindPartnerChannels(r.Context(), a, id)
	if err != nil {
		return err
	}
	if form == nil {
		form = map[string][]string{"webhook_url": {pc.WebhookURL}, "clearance": {pc.Clearance.String()}}
	}
	classes := classificationOptions()
	p := &page{Title: "Bulletin delivery for " + org.Name, Form: form, Data: map[string]any{
		"Org": org, "Channels": pc, "Classes": classes, "Shown": shown, "FeedURL": baseURL(r) + "/feeds/bulletins.atom"}}
	if ferr != nil {
		p.ErrorMessage, p.Errors = contest.ErrorMessage(ferr), contest.ErrorFields(ferr)
		stateFrom(r.Context()).errCode = contest.ErrorCode(ferr)
	}
	return h.render(w, r, status, "bulletin_partner", p)
}

// partnerChannelsSet is POST /protect/partners/{id}: the webhook address,
// the clearance of the partner's systems, and optionally a new signing
// secret (shown once).
func (h *handler) partnerChannelsSet(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", contest.KindOrg)
	if err != nil {
		return err
	}
	form, err := parseForm(r)
	if err == nil {
		pc := &contest.PartnerChannels{OrgID: id, WebhookURL: form.Get("webhook_url")}
		if pc.Clearance, err = contest.ParseClassification(form.Get("clearance")); err != nil {
			var fe contest.FieldErrors
			fe.Add("clearance", "Select the highest classification the partner's systems may receive")
			err = fe.Err()
		} else {
			var secret string
			if secret, err = h.store.SetPartnerChannels(r.Context(), actor(r), pc, form.Get("new_secret") == "yes"); err == nil {
				if secret == "" {
					h.setFlash(r, "Delivery settings saved")
					return redirect(w, r, "/protect/partners/"+strconv.FormatInt(id, 10))
				}
				return h.showPartner(w, r, id, http.StatusOK, nil, nil, map[string]string{"Secret": secret})
			}
		}
	}
	if c := contest.ErrorCode(err); c == contest.EINVALID {
		return h.showPartner(w, r, id, http.StatusBadRequest, form, err, nil)
	}
	return err
}

// partnerFeedToken is POST /protect/partners/{id}/feed-token: a new feed
// token for the organisation's feed reader, shown once.
func (h *handler) partnerFeedToken(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", contest.KindOrg)
	if err != nil {
		return err
	}
	tok, err := h.store.IssueFeedToken(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	return h.showPartner(w, r, id, http.StatusOK, nil, nil, map[string]string{"FeedToken": tok})
}
