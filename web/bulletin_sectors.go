package web

import (
	"net/http"
	"strconv"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/access"
)

// sectorList is GET /protect/sectors: the industry sectors, their leads and
// members, and for administrators the forms to add a sector and change its
// members.
func (h *handler) sectorList(w http.ResponseWriter, r *http.Request) error {
	return h.showSectors(w, r, http.StatusOK, nil, nil)
}

func (h *handler) showSectors(w http.ResponseWriter, r *http.Request, status int, form map[string][]string, ferr error) error {
	a := actor(r)
	sectors, err := h.store.FindSectors(r.Context(), a)
	if err != nil {
		return err
	}
	orgs, err := h.store.FindOrgs(r.Context(), a)
	if err != nil {
		return err
	}
	names := map[int64]string{}
	var leads, members []option
	for _, o := range orgs {
		names[o.ID] = o.Name
		if o.Kind == contest.OrgSectorLead {
			leads = append(leads, option{Value: strconv.FormatInt(o.ID, 10), Label: o.Name})
		}
		if !o.Kind.IssuesBulletins() {
			members = append(members, option{Value: strconv.FormatInt(o.ID, 10), Label: o.Name})
		}
	}
	p := &page{Title: "Industry sectors", Form: form, Data: map[string]any{
		"Sectors": sectors, "Names": names, "Leads": append([]option{{Value: "", Label: "Choose the sector lead"}}, leads...),
		"Members":  append([]option{{Value: "", Label: "Choose an organisation"}}, members...),
		"CanAdmin": access.Can(a, access.Update, contest.KindOrg)}}
	if ferr != nil {
		p.ErrorMessage, p.Errors = contest.ErrorMessage(ferr), contest.ErrorFields(ferr)
		stateFrom(r.Context()).errCode = contest.ErrorCode(ferr)
	}
	return h.render(w, r, status, "bulletin_sectors", p)
}

// sectorCreate is POST /protect/sectors.
func (h *handler) sectorCreate(w http.ResponseWriter, r *http.Request) error {
	form, err := parseForm(r)
	if err == nil {
		lead, _ := strconv.ParseInt(form.Get("lead_org_id"), 10, 64)
		s := &contest.Sector{Name: form.Get("name"), LeadOrgID: lead}
		if err = h.store.CreateSector(r.Context(), actor(r), s); err == nil {
			h.setFlash(r, "Sector "+s.Name+" added")
			return redirect(w, r, "/protect/sectors")
		}
	}
	if c := contest.ErrorCode(err); c == contest.EINVALID || c == contest.ECONFLICT {
		return h.showSectors(w, r, StatusFor(c, false), form, err)
	}
	return err
}

// sectorMember is POST /protect/sectors/{id}/members: add (or, with
// remove=yes, remove) a member organisation.
func (h *handler) sectorMember(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", contest.KindOrg)
	if err != nil {
		return err
	}
	form, err := parseForm(r)
	if err != nil {
		return h.showSectors(w, r, http.StatusBadRequest, form, err)
	}
	org, perr := strconv.ParseInt(form.Get("org_id"), 10, 64)
	if perr != nil || org <= 0 {
		var fe contest.FieldErrors
		fe.Add("org_id", "Choose an organisation")
		return h.showSectors(w, r, http.StatusBadRequest, form, fe.Err())
	}
	remove := form.Get("remove") == "yes"
	if err := h.store.SetSectorMember(r.Context(), actor(r), id, org, !remove); err != nil {
		return err
	}
	if remove {
		h.setFlash(r, "Organisation removed from the sector")
	} else {
		h.setFlash(r, "Organisation added to the sector")
	}
	return redirect(w, r, "/protect/sectors")
}
