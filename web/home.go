package web

import (
	"context"
	"net/http"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/access"
)

// homeData is what a role's home page shows. Each part is filled only
// when the actor's role may see it, and every count is the total the store
// returns for what the actor may see.
type homeData struct {
	Strands      []homeStrand
	Pursue       *pursueHome
	Prevent      *preventHome
	Users        int
	Orgs         int
	Compartments int
	ShowAdmin    bool
	Audit        []*contest.AuditEntry
	AuditTotal   int
	ShowAudit    bool
	CanSetThreat bool
}

// homeStrand is a strand the actor works in, with the kinds of record they
// may work with.
type homeStrand struct {
	strandDef
	Rows []strandRow
}

// pursueHome is the Pursue work on a home page: investigations and the
// subjects of interest due for review soonest.
type pursueHome struct {
	// Mine is true when the lists are the actor's own (an investigator's);
	// otherwise they are everything open the actor may see.
	Mine               bool
	Investigations     []investigationRow
	InvestigationTotal int
	InvestigationsHref string
	Subjects           []subjectRow
	SubjectTotal       int
	SubjectsHref       string
}

// preventHome is the Prevent work on a home page: the visible referrals
// by stage, and the actor's own.
type preventHome struct {
	Stages    []stageCount
	Total     int
	Mine      []referralRow
	MineTotal int
}

// stageCount is the number of visible referrals at one stage.
type stageCount struct {
	caseStatus
	N    int
	Href string
}

// home shows the signed-in user's work: their investigations and subjects
// due for review (Pursue roles), the Prevent referrals of their area by
// stage and their own (Prevent roles), counts and tasks (administrators),
// the latest audit entries (auditors), and for everyone the strands they
// work in and the threat level.
func (h *handler) home(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	ctx := r.Context()
	d := homeData{CanSetThreat: access.Can(a, access.Update, contest.KindThreatLevel)}
	for _, s := range strands {
		if s.visibleTo(a) {
			d.Strands = append(d.Strands, homeStrand{strandDef: s, Rows: s.rowsFor(a)})
		}
	}
	err := parallel(func() (err error) {
		if access.Can(a, access.Read, contest.KindInvestigation) {
			d.Pursue, err = h.pursueHome(ctx, a)
		}
		return err
	}, func() (err error) {
		if access.Can(a, access.Read, contest.KindPreventCase) {
			d.Prevent, err = h.preventHome(ctx, a)
		}
		return err
	})
	if err != nil {
		return err
	}
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

// pursueHome reads an investigator's open investigations and active
// subjects (soonest review first); analysts and supervisors, who lead
// none, get everything open in their compartments instead.
func (h *handler) pursueHome(ctx context.Context, a *contest.Actor) (*pursueHome, error) {
	p := &pursueHome{Mine: a.Role == contest.RoleInvestigator, InvestigationsHref: "/investigations?status=open"}
	f := contest.CaseFilter{Status: "open", Limit: 5}
	mine := ""
	if p.Mine {
		f.OwnerUserID = a.UserID
		mine = "&owner=me"
	}
	p.InvestigationsHref += mine
	err := parallel(func() error {
		invs, n, err := h.store.FindInvestigations(ctx, a, f)
		if err != nil {
			return err
		}
		p.InvestigationTotal = n
		for _, v := range invs {
			p.Investigations = append(p.Investigations, investigationRow{Investigation: v, Status: statusOf(contest.KindInvestigation, v.Status),
				Mine: v.LeadUserID == a.UserID})
		}
		return nil
	}, func() error {
		if !access.Can(a, access.Read, contest.KindSubject) {
			return nil
		}
		sf := f
		sf.Status, sf.Limit = contest.SubjectActive, 10
		ss, n, err := h.store.FindSubjects(ctx, a, sf)
		if err != nil {
			return err
		}
		p.Subjects, p.SubjectTotal, p.SubjectsHref = subjectRows(ss, a), n, "/subjects?status=active"+mine
		return nil
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// preventHome counts the referrals the actor may see (for a local
// authority, those of its area) by stage, and lists the actor's own.
func (h *handler) preventHome(ctx context.Context, a *contest.Actor) (*preventHome, error) {
	p := &preventHome{}
	var counts map[string]int
	err := parallel(func() (err error) {
		counts, err = h.store.CountCases(ctx, a, contest.KindPreventCase, contest.CaseFilter{})
		return err
	}, func() error {
		mine, n, err := h.store.FindPreventReferrals(ctx, a, contest.CaseFilter{OwnerUserID: a.UserID, Limit: 10})
		p.Mine, p.MineTotal = referralRows(mine, a), n
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, s := range caseStatuses[contest.KindPreventCase] {
		p.Stages = append(p.Stages, stageCount{caseStatus: s, N: counts[s.Value], Href: "/prevent/referrals?status=" + s.Value})
		p.Total += counts[s.Value]
	}
	return p, nil
}

// adminIndex lists the administration pages the actor may use.
func (h *handler) adminIndex(w http.ResponseWriter, r *http.Request) error {
	return h.render(w, r, http.StatusOK, "admin", &page{Title: "Administration"})
}
