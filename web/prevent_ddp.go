package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/contest-ct/contest"
)

// preventDeconflictions lists, for Pursue readers, the referrals whose
// person matched a Pursue record at screening, with their matches, open
// ones first.
func (h *handler) preventDeconflictions(w http.ResponseWriter, r *http.Request) error {
	return h.showDeconflictions(w, r, http.StatusOK, nil, nil)
}

func (h *handler) showDeconflictions(w http.ResponseWriter, r *http.Request, status int, form url.Values, ferr error) error {
	ds, err := h.store.FindDeconflictions(r.Context(), actor(r))
	if err != nil {
		return err
	}
	p := &page{Title: "Prevent referrals matching Pursue records", Form: form, Data: map[string]any{"Rows": ds,
		"Choices": []option{{Value: "", Label: "Select"}, {Value: "no", Label: "No conflict: Prevent may proceed"}, {Value: "yes", Label: "Conflict: handled with the investigation"}}}}
	if ferr != nil {
		p.ErrorMessage, p.Errors = contest.ErrorMessage(ferr), contest.ErrorFields(ferr)
	}
	return h.render(w, r, status, "prevent_deconflictions", p)
}

// preventDeconflict records the investigation team's answer.
func (h *handler) preventDeconflict(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", contest.KindDeconfliction)
	if err != nil {
		return err
	}
	form, err := parseForm(r)
	if err == nil {
		n := "_" + strconv.FormatInt(id, 10)
		_, err = h.store.ResolveDeconfliction(r.Context(), actor(r), id, form.Get("conflict"+n) == "yes", form.Get("reason"+n))
		if err == nil {
			h.setFlash(r, "The deconfliction is recorded")
			return redirect(w, r, "/prevent/deconflictions")
		}
		var e *contest.Error
		if errors.As(err, &e) {
			for i := range e.Fields {
				e.Fields[i].Field += n
			}
		}
	}
	if c := contest.ErrorCode(err); c == contest.EINVALID || c == contest.ECONFLICT {
		return h.showDeconflictions(w, r, StatusFor(c, false), form, err)
	}
	return err
}

func ddpData() map[string]any {
	return map[string]any{"Bases": choiceOptions(contest.DDPBases, "Select why the person is on the programme"),
		"Mandated": []option{{Value: "no", Label: "Voluntary"}, {Value: "yes", Label: "Mandated"}}}
}

// ddpList lists the programme's cases.
func (h *handler) ddpList(w http.ResponseWriter, r *http.Request) error {
	cs, err := h.store.FindDDPCases(r.Context(), actor(r))
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "prevent_ddp_list", &page{Title: "Desistance and Disengagement Programme", Data: cs})
}

// ddpNew shows the form for a new case.
func (h *handler) ddpNew(w http.ResponseWriter, r *http.Request) error {
	return h.render(w, r, http.StatusOK, "prevent_ddp_new", &page{Title: "New DDP case", Data: ddpData()})
}

// ddpCreate stores a new case.
func (h *handler) ddpCreate(w http.ResponseWriter, r *http.Request) error {
	form, err := parseForm(r)
	if err == nil {
		c := &contest.DDPCase{GivenName: form.Get("given_name"), FamilyName: form.Get("family_name"), DateOfBirth: form.Get("date_of_birth"),
			Basis: form.Get("basis"), Mandated: form.Get("mandated") == "yes", Provider: form.Get("provider")}
		if err = h.store.CreateDDPCase(r.Context(), actor(r), c); err == nil {
			h.setFlash(r, "The case is open")
			return redirect(w, r, "/ddp/"+strconv.FormatInt(c.ID, 10))
		}
	}
	return h.formError(w, r, "prevent_ddp_new", "New DDP case", form, err, ddpData())
}

func (h *handler) showDDP(w http.ResponseWriter, r *http.Request, status int, form url.Values, ferr error) error {
	id, err := pathID(r, "id", contest.KindDDPCase)
	if err != nil {
		return err
	}
	c, err := h.store.FindDDPCaseByID(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	p := recordPage("DDP case "+c.FamilyName, &c.Meta, nil, map[string]any{"Case": c, "Basis": contest.ChoiceLabel(contest.DDPBases, c.Basis),
		"Crumbs": []crumb{{"Home", "/"}, {"DDP cases", "/ddp"}}})
	p.Form = form
	if ferr != nil {
		p.ErrorMessage, p.Errors = contest.ErrorMessage(ferr), contest.ErrorFields(ferr)
	}
	return h.render(w, r, status, "prevent_ddp_show", p)
}

// ddpShow shows a case with its sessions.
func (h *handler) ddpShow(w http.ResponseWriter, r *http.Request) error {
	return h.showDDP(w, r, http.StatusOK, nil, nil)
}

// ddpSession records a session.
func (h *handler) ddpSession(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", contest.KindDDPCase)
	if err != nil {
		return err
	}
	form, err := parseForm(r)
	if err == nil {
		var t time.Time
		if t, err = dateField(form, "held_at", "Enter the date of the session, like 2026-11-02"); err == nil {
			if err = h.store.AddDDPSession(r.Context(), actor(r), id, &contest.SupportSession{HeldAt: t, Progress: form.Get("progress")}); err == nil {
				h.setFlash(r, "The session is recorded")
				return redirect(w, r, "/ddp/"+strconv.FormatInt(id, 10))
			}
		}
	}
	if c := contest.ErrorCode(err); c == contest.EINVALID || c == contest.ECONFLICT {
		return h.showDDP(w, r, StatusFor(c, false), form, err)
	}
	return err
}
