// Package access makes the one access decision of contest. Every read path
// and every write path asks Decide (for one record) or Filter (for a list,
// count or search, as an SQL predicate built from the same rules), so that a
// record is shown, counted or hinted at only where Decide would allow it.
//
// A user sees a record only if all of these hold:
//  1. their role may perform the action on that kind of record (Policy);
//  2. their organisation's sharing rule for that kind admits the record
//     (Scope: every record, the records of their own area, or their own
//     organisation's records);
//  3. their vetting covers the record's classification;
//  4. they are a member of every compartment the record is in.
package access

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/contest-ct/contest"
)

// Action is what an actor wants to do with a record.
type Action string

// The actions.
const (
	Read   Action = "read"   // see one record, or find it in a list
	Create Action = "create" // add a record
	Update Action = "update" // change a record
	Delete Action = "delete" // remove a record
	Export Action = "export" // take records out of the system
	Admin  Action = "admin"  // change who may see or do what
)

// Actions lists every action.
var Actions = []Action{Read, Create, Update, Delete, Export, Admin}

// Scope is an organisation's sharing rule for a kind of record.
type Scope int

// The scopes, from nothing to everything.
const (
	ScopeNone    Scope = iota // sees none of this kind
	ScopeOwnOrg               // sees records owned by its own organisation
	ScopeOwnArea              // sees records of its own area
	ScopeAll                  // sees every record of this kind (subject to marking)
)

func (s Scope) String() string {
	return [...]string{"none", "own organisation", "own area", "all"}[s]
}

type set[T comparable] map[T]bool

func of[T comparable](xs ...T) set[T] {
	s := set[T]{}
	for _, x := range xs {
		s[x] = true
	}
	return s
}

// rule says which roles may take which actions on a kind.
type rule map[Action]set[contest.Role]

// everyone is every role.
var everyone = of(contest.Roles...)

var pursueReaders = of(contest.RoleInvestigator, contest.RoleAnalyst, contest.RoleSupervisor)

// matchers are the roles that work the possible-matches queue.
var matchers = of(contest.RoleInvestigator, contest.RoleAnalyst, contest.RoleSupervisor, contest.RolePreventOfficer,
	contest.RoleContentOfficer, contest.RoleCasualtyBureau)

// Policy is the role rule for each kind of record. A kind missing here is
// refused to everyone; tests check that every kind the system stores has an
// entry.
var Policy = map[contest.Kind]rule{
	contest.KindOrg: {
		Read:   everyone,
		Create: of(contest.RoleAdmin),
		Update: of(contest.RoleAdmin),
	},
	contest.KindUser: {
		Read:   of(contest.RoleAdmin, contest.RoleSupervisor, contest.RoleAuditor),
		Create: of(contest.RoleAdmin),
		Update: of(contest.RoleAdmin),
		Admin:  of(contest.RoleAdmin),
	},
	contest.KindCompartment: {
		Read:   of(contest.RoleAdmin, contest.RoleSupervisor, contest.RoleAuditor),
		Create: of(contest.RoleAdmin, contest.RoleSupervisor),
		Admin:  of(contest.RoleAdmin, contest.RoleSupervisor),
	},
	contest.KindThreatLevel: {
		Read: everyone,
		// Changing the national threat level is for supervisors of the
		// security service (where the Joint Terrorism Analysis Centre sits)
		// and administrators acting on their instruction; see Scope.
		Update: of(contest.RoleSupervisor, contest.RoleAdmin),
	},
	contest.KindAudit: {
		Read:   of(contest.RoleAuditor),
		Export: of(contest.RoleAuditor),
	},
	contest.KindToken: {
		Create: everyone,
		Admin:  of(contest.RoleAdmin),
	},
	contest.KindInvestigation: {
		Read:   pursueReaders,
		Create: of(contest.RoleInvestigator, contest.RoleSupervisor),
		Update: of(contest.RoleInvestigator, contest.RoleSupervisor),
		Export: of(contest.RoleSupervisor),
		Admin:  of(contest.RoleSupervisor),
	},
	contest.KindSubject: {
		Read:   pursueReaders,
		Create: of(contest.RoleInvestigator, contest.RoleSupervisor),
		Update: of(contest.RoleInvestigator, contest.RoleSupervisor),
		Export: of(contest.RoleSupervisor),
	},
	contest.KindPreventCase: {
		Read:   of(contest.RolePreventOfficer, contest.RolePanelMember, contest.RoleSupervisor),
		Create: of(contest.RolePreventOfficer, contest.RolePanelMember, contest.RoleSupervisor, contest.RolePartner),
		Update: of(contest.RolePreventOfficer, contest.RoleSupervisor),
		Export: of(contest.RoleSupervisor),
	},
	contest.KindReport: {
		Read:   of(contest.RoleInvestigator, contest.RoleAnalyst, contest.RoleSupervisor, contest.RolePartner),
		Create: everyone,
		Update: of(contest.RoleInvestigator, contest.RoleAnalyst, contest.RoleSupervisor),
		Export: of(contest.RoleSupervisor),
		// Publishing a rumour-control statement.
		Admin: of(contest.RoleSupervisor),
	},
	contest.KindBulletin: {
		Read:   everyone,
		Create: of(contest.RoleSupervisor, contest.RoleSecurityAdv),
		Update: of(contest.RoleSupervisor, contest.RoleSecurityAdv),
	},
	contest.KindContentRef: {
		Read:   of(contest.RoleContentOfficer, contest.RoleSupervisor, contest.RolePartner),
		Create: of(contest.RoleContentOfficer),
		Update: of(contest.RoleContentOfficer, contest.RolePartner),
		Export: of(contest.RoleSupervisor),
	},
	// Hash banks of known terrorist material are kept by content
	// officers and their supervisors.
	contest.KindHashBank: {
		Read:   of(contest.RoleContentOfficer, contest.RoleSupervisor),
		Create: of(contest.RoleContentOfficer, contest.RoleSupervisor),
		Update: of(contest.RoleContentOfficer, contest.RoleSupervisor),
		Export: of(contest.RoleContentOfficer, contest.RoleSupervisor),
	},
	// Protect: the premises register is kept by security advisers; a
	// partner reads its own organisation's premises.
	contest.KindPremises: {
		Read:   of(contest.RoleSecurityAdv, contest.RoleSupervisor, contest.RoleAnalyst, contest.RolePartner),
		Create: of(contest.RoleSecurityAdv, contest.RoleSupervisor),
		Update: of(contest.RoleSecurityAdv, contest.RoleSupervisor),
	},
	// Protect: partners record their own people's training; security
	// advisers see and count it all.
	contest.KindTraining: {
		Read:   of(contest.RoleSecurityAdv, contest.RoleSupervisor, contest.RolePartner),
		Create: of(contest.RoleSecurityAdv, contest.RoleSupervisor, contest.RolePartner),
	},
	// Join the dots: a possible match is seen and decided only by someone
	// who may also see both records it joins (checked per match).
	contest.KindPossibleMatch: {
		Read:   matchers,
		Update: matchers,
	},
	// The re-assessment of a closed subject goes with the subject.
	contest.KindReassessment: {
		Read:   pursueReaders,
		Update: of(contest.RoleInvestigator, contest.RoleSupervisor),
	},
	// Prevent (issue 6): a local authority's panel meetings are run by
	// its panel members and Prevent officers; the papers of a meeting are
	// shown only to its members (checked per meeting). A referral routed
	// to the investigation team at screening is seen by Pursue readers
	// only.
	contest.KindPanelMeeting: {
		Read:   of(contest.RolePanelMember, contest.RolePreventOfficer, contest.RoleSupervisor),
		Create: of(contest.RolePanelMember, contest.RolePreventOfficer, contest.RoleSupervisor),
		Update: of(contest.RolePanelMember, contest.RolePreventOfficer, contest.RoleSupervisor),
	},
	contest.KindDeconfliction: {
		Read:   pursueReaders,
		Update: of(contest.RoleInvestigator, contest.RoleSupervisor),
	},
	// The Desistance and Disengagement Programme is run by Prevent
	// officers with probation.
	contest.KindDDPCase: {
		Read:   of(contest.RolePreventOfficer, contest.RoleSupervisor),
		Create: of(contest.RolePreventOfficer, contest.RoleSupervisor),
		Update: of(contest.RolePreventOfficer, contest.RoleSupervisor),
	},
	contest.KindIncident: {
		Read:   of(contest.RoleCasualtyBureau, contest.RoleInvestigator, contest.RoleSupervisor, contest.RoleAnalyst),
		Create: of(contest.RoleCasualtyBureau, contest.RoleSupervisor),
		Update: of(contest.RoleCasualtyBureau, contest.RoleSupervisor),
	},
	// Pursue (issue 5): leads, actions and outcomes go with the
	// investigation; allocating, reviewing and filing an action (Admin)
	// is for supervisors.
	contest.KindLead: {
		Read:   pursueReaders,
		Create: pursueReaders,
		Update: of(contest.RoleInvestigator, contest.RoleSupervisor),
	},
	contest.KindAction: {
		Read:   pursueReaders,
		Create: pursueReaders,
		Update: pursueReaders,
		Admin:  of(contest.RoleSupervisor),
	},
	contest.KindOutcome: {
		Read:   pursueReaders,
		Create: of(contest.RoleInvestigator, contest.RoleSupervisor),
	},
	contest.KindEntity: {Read: pursueReaders, Create: pursueReaders},
	contest.KindLink:   {Read: pursueReaders, Create: pursueReaders},
}

// publicMay is what the anonymous public reporter (contest.PublicReporter)
// may do: create reports, and nothing else, not even read them back.
var publicMay = map[contest.Kind]set[Action]{
	contest.KindReport: of(Create),
}

// intelligence are the organisation kinds that hold Pursue intelligence.
var intelligence = of(contest.OrgPolice, contest.OrgCTP, contest.OrgSecurityService)

// ScopeFor is the sharing rule between an actor's organisation and a kind of
// record. Local authorities see the Prevent cases of their own area and never
// Pursue intelligence; businesses and other partners see bulletins and their
// own reports; online platforms see the content referrals addressed to them
// (a referral's owning organisation is the platform it is addressed to).
func ScopeFor(a *contest.Actor, kind contest.Kind) Scope {
	if a == nil {
		return ScopeNone
	}
	if a.System {
		return ScopeAll
	}
	if a.IsPublic() {
		// The public reporter's records have no owning organisation
		// (OwnerOrgID 0, like the actor's own OrgID).
		return ScopeOwnOrg
	}
	ok := a.OrgKind
	switch kind {
	case contest.KindOrg, contest.KindBulletin, contest.KindToken:
		return ScopeAll
	case contest.KindThreatLevel:
		return ScopeAll
	case contest.KindUser, contest.KindCompartment, contest.KindAudit:
		// Administrators and auditors work across the installation;
		// supervisors within their organisation.
		if a.Role == contest.RoleSupervisor {
			return ScopeOwnOrg
		}
		return ScopeAll
	case contest.KindInvestigation, contest.KindSubject, contest.KindLead, contest.KindAction, contest.KindOutcome,
		contest.KindEntity, contest.KindLink:
		if intelligence[ok] {
			return ScopeAll
		}
		return ScopeNone
	case contest.KindPreventCase:
		switch ok {
		case contest.OrgCTP, contest.OrgPolice:
			return ScopeAll
		case contest.OrgLocalAuthority:
			return ScopeOwnArea
		case contest.OrgHealth, contest.OrgEducation, contest.OrgPrisonProbation:
			return ScopeOwnOrg
		}
		return ScopeNone
	case contest.KindReport:
		if intelligence[ok] {
			return ScopeAll
		}
		return ScopeOwnOrg
	case contest.KindContentRef:
		if ok == contest.OrgCTP || ok == contest.OrgPolice {
			return ScopeAll
		}
		if ok == contest.OrgOnlinePlatform {
			return ScopeOwnOrg
		}
		return ScopeNone
	case contest.KindHashBank:
		if ok == contest.OrgCTP || ok == contest.OrgPolice {
			return ScopeAll
		}
		return ScopeNone
	case contest.KindPremises, contest.KindTraining:
		if intelligence[ok] {
			return ScopeAll
		}
		return ScopeOwnOrg
	case contest.KindPossibleMatch:
		// Each match is decided on both records it joins.
		return ScopeAll
	case contest.KindReassessment:
		return ScopeFor(a, contest.KindSubject)
	case contest.KindPanelMeeting:
		// Prevent (issue 6): police see every panel; the statutory
		// partners of an area see its panels.
		switch ok {
		case contest.OrgCTP, contest.OrgPolice:
			return ScopeAll
		case contest.OrgLocalAuthority, contest.OrgHealth, contest.OrgEducation, contest.OrgPrisonProbation:
			return ScopeOwnArea
		}
		return ScopeNone
	case contest.KindDeconfliction:
		if intelligence[ok] {
			return ScopeAll
		}
		return ScopeNone
	case contest.KindDDPCase:
		switch ok {
		case contest.OrgCTP, contest.OrgPolice:
			return ScopeAll
		case contest.OrgPrisonProbation:
			return ScopeOwnOrg
		}
		return ScopeNone
	case contest.KindIncident:
		if intelligence[ok] || ok == contest.OrgLocalAuthority || ok == contest.OrgHealth {
			return ScopeAll
		}
		return ScopeNone
	}
	return ScopeNone
}

// Decision is the answer to one access question, with the rule that decided
// it (for the audit trail; never shown to the user).
type Decision struct {
	Allowed bool
	Reason  string
}

func deny(format string, args ...any) Decision {
	return Decision{Reason: fmt.Sprintf(format, args...)}
}

// Can reports whether the actor's role and organisation may take action on
// some record of this kind at all. It decides navigation and which forms are
// offered; it never replaces Decide for a particular record.
func Can(a *contest.Actor, act Action, kind contest.Kind) bool {
	return roleAllows(a, act, kind) && ScopeFor(a, kind) != ScopeNone
}

func roleAllows(a *contest.Actor, act Action, kind contest.Kind) bool {
	if a == nil {
		return false
	}
	if a.System {
		_, known := Policy[kind]
		return known
	}
	if a.IsPublic() {
		return publicMay[kind][act]
	}
	if !a.TOTPEnrolled && needsSecondFactor(a) {
		return false
	}
	r, ok := Policy[kind]
	if !ok {
		return false
	}
	if kind == contest.KindThreatLevel && act == Update && a.Role == contest.RoleSupervisor && a.OrgKind != contest.OrgSecurityService {
		return false
	}
	return r[act][a.Role]
}

func needsSecondFactor(a *contest.Actor) bool {
	return a.Role == contest.RoleAdmin || a.Vetting.RequiresTOTP()
}

// Decide is the one access decision for one record.
func Decide(a *contest.Actor, act Action, kind contest.Kind, m *contest.Meta) Decision {
	if a == nil {
		return deny("no actor")
	}
	if !roleAllows(a, act, kind) {
		return deny("role %s may not %s %s", a.Role, act, kind)
	}
	if m == nil {
		return deny("record has no marking")
	}
	switch ScopeFor(a, kind) {
	case ScopeNone:
		return deny("organisation kind %s does not share %s", a.OrgKind, kind)
	case ScopeOwnOrg:
		if m.OwnerOrgID != a.OrgID {
			return deny("record belongs to another organisation")
		}
	case ScopeOwnArea:
		if m.Area == "" || !strings.EqualFold(m.Area, a.OrgArea) {
			return deny("record is outside the organisation's area")
		}
	}
	if !m.Classification.Valid() {
		return deny("record has no valid classification")
	}
	if !a.System && !a.Vetting.Covers(m.Classification) {
		return deny("vetting %s does not cover %s", a.Vetting, m.Classification)
	}
	if !a.System {
		for _, c := range m.Compartments {
			if !a.InCompartment(c) {
				return deny("not in compartment %d", c)
			}
		}
	}
	return Decision{Allowed: true, Reason: "allowed"}
}

// Allowed is Decide(...).Allowed.
func Allowed(a *contest.Actor, act Action, kind contest.Kind, m *contest.Meta) bool {
	return Decide(a, act, kind, m).Allowed
}

// Filter returns an SQL predicate that admits exactly the rows of a table
// of the given kind that Decide would allow the actor to act on, and its
// arguments, numbered from $first. The table, under the alias, must have the
// columns classification, owner_org_id and area, and its compartments must be
// in record_compartments(kind, record_id, compartment_id). The predicate is
// the same text on SQLite and PostgreSQL.
//
// The compartment check is written for queries that go over many rows (a
// count of every visible record): the set of records in compartments the
// actor is not in is built once per query. FilterFew is the same rule
// written for queries whose other conditions select few rows, or that stop
// after a page: one index probe per row.
func Filter(a *contest.Actor, act Action, kind contest.Kind, alias string, first int) (string, []any) {
	return filter(a, act, kind, alias, first, false)
}

// FilterFew is Filter with the compartment check probed row by row.
func FilterFew(a *contest.Actor, act Action, kind contest.Kind, alias string, first int) (string, []any) {
	return filter(a, act, kind, alias, first, true)
}

func filter(a *contest.Actor, act Action, kind contest.Kind, alias string, first int, perRow bool) (string, []any) {
	if !roleAllows(a, act, kind) {
		return "1=0", nil
	}
	var (
		conds []string
		args  []any
	)
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(first+len(args)-1)
	}
	switch ScopeFor(a, kind) {
	case ScopeNone:
		return "1=0", nil
	case ScopeOwnOrg:
		conds = append(conds, alias+".owner_org_id = "+arg(a.OrgID))
	case ScopeOwnArea:
		if a.OrgArea == "" {
			return "1=0", nil
		}
		conds = append(conds, "lower("+alias+".area) = "+arg(strings.ToLower(a.OrgArea)))
	}
	conds = append(conds, alias+".classification >= 1")
	if !a.System {
		conds = append(conds, alias+".classification <= "+arg(int(a.Vetting.MaxClassification())))
		// The records in a compartment the actor is not in, as one set
		// the database builds once per query (an uncorrelated NOT IN), not
		// a probe per row.
		k := arg(string(kind))
		q := alias + ".id NOT IN (SELECT rc.record_id FROM record_compartments rc WHERE rc.kind = " + k
		if perRow {
			q = "NOT EXISTS (SELECT 1 FROM record_compartments rc WHERE rc.kind = " + k + " AND rc.record_id = " + alias + ".id"
		}
		if len(a.Compartments) > 0 {
			ids := make([]string, len(a.Compartments))
			for i, c := range a.Compartments {
				ids[i] = strconv.FormatInt(c, 10) // integers: safe to inline
			}
			q += " AND rc.compartment_id NOT IN (" + strings.Join(ids, ",") + ")"
		}
		conds = append(conds, q+")")
	}
	return "(" + strings.Join(conds, " AND ") + ")", args
}

// Kinds lists every kind that has a policy, sorted.
func Kinds() []contest.Kind {
	ks := make([]contest.Kind, 0, len(Policy))
	for k := range Policy {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
