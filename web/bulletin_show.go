package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/access"
)

// Checked reports whether a checkbox field holds value in the form.
func (p *page) Checked(name, value string) bool {
	return p.Form != nil && slices.Contains(p.Form[name], value)
}

// bulletinShow is GET /bulletins/{id}: the bulletin; for a recipient, the
// button to acknowledge it; for a sector lead, the form to forward it to
// its sector; for the sender, publication, who has and has not
// acknowledged, the cascades, the deliveries and sending again.
func (h *handler) bulletinShow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", contest.KindBulletin)
	if err != nil {
		return err
	}
	return h.showBulletin(w, r, id, http.StatusOK, nil, nil)
}

func (h *handler) showBulletin(w http.ResponseWriter, r *http.Request, id int64, status int, form map[string][]string, ferr error) error {
	a := actor(r)
	ctx := r.Context()
	b, err := h.store.FindBulletinByID(ctx, a, id)
	if err != nil {
		return err
	}
	data := map[string]any{"B": b}
	sender := a.OrgID == b.Meta.OwnerOrgID && access.Allowed(a, access.Update, contest.KindBulletin, &b.Meta)
	data["Sender"] = sender
	if b.Status == contest.BulletinPublished && (sender || a.System || a.OrgKind == contest.OrgSectorLead) {
		// The report is the sender's, or a sector lead's for its cascades.
		rep, err := h.store.BulletinReport(ctx, a, id)
		switch contest.ErrorCode(err) {
		case "":
			data["Report"] = rep
		case contest.ENOTFOUND:
		default:
			return err
		}
		if a.OrgKind == contest.OrgSectorLead && b.Recipient {
			sectors, err := h.store.FindSectors(ctx, a)
			if err != nil {
				return err
			}
			var led []*contest.Sector
			for _, s := range sectors {
				if s.LeadOrgID == a.OrgID {
					led = append(led, s)
				}
			}
			data["Led"] = led
		}
	}
	p := &page{Title: b.Title, Classification: b.Meta.Classification, Data: data, Form: form}
	if ferr != nil {
		p.ErrorMessage, p.Errors = contest.ErrorMessage(ferr), contest.ErrorFields(ferr)
		stateFrom(ctx).errCode = contest.ErrorCode(ferr)
	}
	return h.render(w, r, status, "bulletin_show", p)
}

// bulletinPublish is POST /bulletins/{id}/publish.
func (h *handler) bulletinPublish(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", contest.KindBulletin)
	if err != nil {
		return err
	}
	n, err := h.store.PublishBulletin(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	h.setFlash(r, "Bulletin published to "+strconv.Itoa(n)+" people")
	return redirect(w, r, "/bulletins/"+strconv.FormatInt(id, 10))
}

// bulletinAcknowledge is POST /bulletins/{id}/acknowledge.
func (h *handler) bulletinAcknowledge(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", contest.KindBulletin)
	if err != nil {
		return err
	}
	if err := h.store.AcknowledgeBulletin(r.Context(), actor(r), id); err != nil {
		return err
	}
	h.setFlash(r, "Thank you: you have acknowledged this bulletin")
	return redirect(w, r, "/bulletins/"+strconv.FormatInt(id, 10))
}

// bulletinResend is POST /bulletins/{id}/resend: send again to everyone
// who has not acknowledged.
func (h *handler) bulletinResend(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", contest.KindBulletin)
	if err != nil {
		return err
	}
	n, err := h.store.ResendBulletin(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	h.setFlash(r, "Sent again to "+strconv.Itoa(n)+" people who have not acknowledged it")
	return redirect(w, r, "/bulletins/"+strconv.FormatInt(id, 10))
}

// bulletinCascade is POST /bulletins/{id}/cascade: a sector lead forwards
// the bulletin to the members of a sector it leads.
func (h *handler) bulletinCascade(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", contest.KindBulletin)
	if err != nil {
		return err
	}
	form, err := parseForm(r)
	if err != nil {
		return h.showBulletin(w, r, id, http.StatusBadRequest, form, err)
	}
	sector, perr := strconv.ParseInt(form.Get("sector"), 10, 64)
	if perr != nil || sector <= 0 {
		var fe contest.FieldErrors
		fe.Add("sector", "Select the sector to forward the bulletin to")
		return h.showBulletin(w, r, id, http.StatusBadRequest, form, fe.Err())
	}
	c, err := h.store.CascadeBulletin(r.Context(), actor(r), id, sector)
	if err != nil {
		return err
	}
	h.setFlash(r, "Forwarded to "+strconv.Itoa(c.Orgs)+" organisations ("+strconv.Itoa(c.Recipients)+" people) in "+c.SectorName)
	return redirect(w, r, "/bulletins/"+strconv.FormatInt(id, 10))
}

// paragraphs splits text at blank lines, for templates.
func paragraphs(s string) []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
