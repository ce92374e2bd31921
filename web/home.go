package web

import (
	"net/http"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/access"
)

// homeData is what a role's home page shows. Each part is filled only
// when the actor's role may see it.
type homeData struct {
	Strands      []strandDef
	Users        int
	Orgs         int
	Compartments int
	ShowAdmin    bool
	Audit        []*contest.AuditEntry
	AuditTotal   int
	ShowAudit    bool
	CanSetThreat bool
}

// home shows the signed-in user's work: for administrators the counts of
// users, organisations and compartments; for auditors the latest audit
// entries; for everyone the strands they work in and the threat level.
func (h *handler) home(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	d := homeData{CanSetThreat: access.Can(a, access.Update, contest.KindThreatLevel)}
	for _, s := range strands {
		if s.visibleTo(a) {
			d.Strands = append(d.Strands, s)
		}
	}
	ctx := r.Context()
	if a.Role == contest.RoleAdmin || a.Role == contest.RoleSupervisor {
		d.ShowAdmin = true
		if access.Can(a, access.Read, contest.KindUser) {
			_, n, err := h.store.FindUsers(ctx, a, contest.UserFilter{Limit: 1})
			if err != nil {
				return err
			}
			d.Users = n
		}
		orgs, err := h.store.FindOrgs(ctx, a)
		if err != nil {
			return err
		}
		d.Orgs = len(orgs)
		if access.Can(a, access.Read, contest.KindCompartment) {
			cs, err := h.store.FindCompartments(ctx, a)
			if err != nil {
				return err
			}
			d.Compartments = len(cs)
		}
	}
	if access.Can(a, access.Read, contest.KindAudit) {
		d.ShowAudit = true
		es, n, err := h.store.FindAuditEntries(ctx, a, contest.AuditFilter{Limit: 10})
		if err != nil {
			return err
		}
		d.Audit, d.AuditTotal = es, n
	}
	return h.render(w, r, http.StatusOK, "home", &page{Title: "Home", Data: d})
}

// adminIndex lists the administration pages the actor may use.
func (h *handler) adminIndex(w http.ResponseWriter, r *http.Request) error {
	return h.render(w, r, http.StatusOK, "admin", &page{Title: "Administration"})
}
