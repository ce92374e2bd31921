package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/access"
)

// premisesList is GET /premises: the register, with the reviews falling due
// at the top (the security adviser's reminder queue).
func (h *handler) premisesList(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	q := r.URL.Query()
	f := contest.PremisesFilter{Limit: 100}
	switch t := contest.PremisesTier(q.Get("tier")); t {
	case contest.TierStandard, contest.TierEnhanced:
		f.Tier = t
	case "none":
		f.Tier = "none"
	}
	if n, err := strconv.Atoi(q.Get("offset")); err == nil && n > 0 {
		f.Offset = n
	}
	ps, total, err := h.store.FindPremises(r.Context(), a, f)
	if err != nil {
		return err
	}
	due, err := h.store.ReviewsDue(r.Context(), a, 30*24*time.Hour)
	if err != nil {
		return err
	}
	next := ""
	if f.Offset+len(ps) < total {
		next = "/premises?" + url.Values{"offset": {strconv.Itoa(f.Offset + len(ps))}, "tier": {string(f.Tier)}}.Encode()
	}
	return h.render(w, r, http.StatusOK, "premises_list", &page{Title: "Premises register", Data: map[string]any{
		"Premises": ps, "Total": total, "Due": due, "Next": next, "Tier": string(f.Tier),
		"CanCreate": access.Can(a, access.Create, contest.KindPremises)}})
}

// premisesNew shows the form to register premises.
func (h *handler) premisesNew(w http.ResponseWriter, r *http.Request) error {
	data, err := h.premisesFormData(r)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "premises_new", &page{Title: "Register premises", Data: data})
}

func (h *handler) premisesFormData(r *http.Request) (map[string]any, error) {
	orgs, err := h.store.FindOrgs(r.Context(), actor(r))
	if err != nil {
		return nil, err
	}
	opts := []option{{Value: "", Label: "Choose the organisation"}}
	for _, o := range orgs {
		if !o.Kind.IssuesBulletins() {
			opts = append(opts, option{Value: strconv.FormatInt(o.ID, 10), Label: o.Name})
		}
	}
	uses := []option{{Value: "", Label: "Choose what the premises are"}}
	for _, u := range contest.PremisesUses {
		uses = append(uses, option{Value: u, Label: u})
	}
	return map[string]any{"Orgs": opts, "Uses": uses}, nil
}

// premisesCreate is POST /premises.
func (h *handler) premisesCreate(w http.ResponseWriter, r *http.Request) error {
	form, err := parseForm(r)
	if err == nil {
		capacity, cerr := strconv.Atoi(form.Get("capacity"))
		if cerr != nil {
			capacity = -1
		}
		org, _ := strconv.ParseInt(form.Get("org_id"), 10, 64)
		p := &contest.Premises{Name: form.Get("name"), Address: form.Get("address"), Postcode: form.Get("postcode"), Use: form.Get("use"),
			Capacity: capacity, ResponsiblePerson: form.Get("responsible_person"), ResponsibleEmail: form.Get("responsible_email"),
			Meta: contest.Meta{OwnerOrgID: org}}
		if err = p.Validate(); err == nil {
			if err = h.store.CreatePremises(r.Context(), actor(r), p); err == nil {
				h.setFlash(r, p.Name+" registered: "+p.Tier.Label())
				return redirect(w, r, "/premises/"+strconv.FormatInt(p.ID, 10))
			}
		}
	}
	data, derr := h.premisesFormData(r)
	if derr != nil {
		return derr
	}
	return h.formError(w, r, "premises_new", "Register premises", form, err, data)
}
