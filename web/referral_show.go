package web

import (
	"net/http"
	"strings"

	"github.com/contest-ct/contest"
)

// referralShowData is what a Prevent referral's page shows.
type referralShowData struct {
	Referral referralRow
	OrgName  string
	// Sector and Concern are the referral's sector and type of concern as
	// words.
	Sector, Concern string
	Crumbs          []crumb
}

// words turns a stored code ("friends_family") into words ("Friends family").
func words(code string) string {
	s := strings.ReplaceAll(code, "_", " ")
	if s == "" {
		return "Not recorded"
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// referralShow shows one Prevent referral.
func (h *handler) referralShow(w http.ResponseWriter, r *http.Request) error {
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
	d := referralShowData{Referral: referralRows([]*contest.PreventReferral{v}, a)[0], Sector: words(v.Sector), Concern: words(v.Concern),
		Crumbs: []crumb{{"Home", "/"}, {"Prevent", "/strands/prevent"}, {"Prevent referrals", "/prevent/referrals"}}}
	var comps []string
	err = parallel(func() (err error) {
		d.OrgName, err = h.orgName(ctx, a, v.Meta.OwnerOrgID)
		return err
	}, func() (err error) {
		comps, err = h.compartmentNames(ctx, a, v.Meta.Compartments)
		return err
	})
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "referral_show", recordPage("Referral "+v.Reference, &v.Meta, comps, d))
}

// apiReferralShow is GET /api/v1/prevent/referrals/{id}.
func (h *handler) apiReferralShow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", contest.KindPreventCase)
	if err != nil {
		return err
	}
	v, err := h.store.FindPreventReferralByID(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, fixReferral(v))
}
