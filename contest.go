// Package contest holds the domain of the contest platform: the kinds of
// record it keeps, who may act on them, the service interfaces the web layer
// calls, and the application error codes. It imports no storage or HTTP code;
// implementations live in packages named for what they are (db, web, match,
// pdq, access, audit) and are wired together in cmd/contest.
package contest

import (
	"fmt"
	"strings"
	"time"
)

// Classification is a UK Government Security Classification marking.
// Higher values are more sensitive.
type Classification int

// The classification markings, in ascending order of sensitivity.
const (
	Official Classification = iota + 1
	OfficialSensitive
	Secret
	TopSecret
)

// Classifications lists every marking in ascending order.
var Classifications = []Classification{Official, OfficialSensitive, Secret, TopSecret}

func (c Classification) String() string {
	switch c {
	case Official:
		return "OFFICIAL"
	case OfficialSensitive:
		return "OFFICIAL-SENSITIVE"
	case Secret:
		return "SECRET"
	case TopSecret:
		return "TOP SECRET"
	}
	return fmt.Sprintf("Classification(%d)", int(c))
}

// Valid reports whether c is one of the four markings.
func (c Classification) Valid() bool { return c >= Official && c <= TopSecret }

// ParseClassification reads a marking as written ("OFFICIAL-SENSITIVE",
// "official sensitive", "TOP_SECRET").
func ParseClassification(s string) (Classification, error) {
	n := strings.ToUpper(strings.NewReplacer("_", " ", "-", " ").Replace(strings.TrimSpace(s)))
	n = strings.Join(strings.Fields(n), " ")
	for _, c := range Classifications {
		if strings.ReplaceAll(c.String(), "-", " ") == n {
			return c, nil
		}
	}
	return 0, Errorf(EINVALID, "Classification must be OFFICIAL, OFFICIAL-SENSITIVE, SECRET or TOP SECRET")
}

// Vetting is a UK national security vetting level held by a user.
type Vetting int

// The vetting levels, in ascending order.
const (
	VettingNone Vetting = iota
	BPSS
	CTC
	SC
	DV
)

// Vettings lists the levels a user can hold, in ascending order.
var Vettings = []Vetting{BPSS, CTC, SC, DV}

func (v Vetting) String() string {
	switch v {
	case VettingNone:
		return "NONE"
	case BPSS:
		return "BPSS"
	case CTC:
		return "CTC"
	case SC:
		return "SC"
	case DV:
		return "DV"
	}
	return fmt.Sprintf("Vetting(%d)", int(v))
}

// ParseVetting reads a vetting level ("BPSS", "CTC", "SC", "DV").
func ParseVetting(s string) (Vetting, error) {
	n := strings.ToUpper(strings.TrimSpace(s))
	for _, v := range Vettings {
		if v.String() == n {
			return v, nil
		}
	}
	return 0, Errorf(EINVALID, "Vetting must be BPSS, CTC, SC or DV")
}

// MaxClassification is the highest marking a holder of vetting v may see:
// BPSS covers OFFICIAL, CTC covers OFFICIAL-SENSITIVE, SC covers SECRET and DV
// covers TOP SECRET. This is contest's policy; clearance alone is never
// enough, need to know (compartments, role, organisation) applies as well.
func (v Vetting) MaxClassification() Classification {
	switch v {
	case BPSS:
		return Official
	case CTC:
		return OfficialSensitive
	case SC:
		return Secret
	case DV:
		return TopSecret
	}
	return 0
}

// Covers reports whether vetting v covers classification c.
func (v Vetting) Covers(c Classification) bool { return c.Valid() && c <= v.MaxClassification() }

// RequiresTOTP reports whether a user with vetting v must use a second factor.
func (v Vetting) RequiresTOTP() bool { return v >= SC }

// OrgKind is the kind of an organisation taking part in CONTEST.
type OrgKind string

// The organisation kinds.
const (
	OrgPolice          OrgKind = "police_force"
	OrgCTP             OrgKind = "ct_policing"
	OrgSecurityService OrgKind = "security_service"
	OrgLocalAuthority  OrgKind = "local_authority"
	OrgHealth          OrgKind = "health"
	OrgEducation       OrgKind = "education"
	OrgPrisonProbation OrgKind = "prison_probation"
	OrgOnlinePlatform  OrgKind = "online_platform"
	OrgBusiness        OrgKind = "business"
	OrgSectorLead      OrgKind = "sector_lead"
)

// OrgKinds lists every kind with its label, in display order.
var OrgKinds = []OrgKind{OrgPolice, OrgCTP, OrgSecurityService, OrgLocalAuthority, OrgHealth,
	OrgEducation, OrgPrisonProbation, OrgOnlinePlatform, OrgBusiness, OrgSectorLead}

// Label is the human name of the kind.
func (k OrgKind) Label() string {
	switch k {
	case OrgPolice:
		return "Police force"
	case OrgCTP:
		return "Counter-terrorism policing unit"
	case OrgSecurityService:
		return "Security service"
	case OrgLocalAuthority:
		return "Local authority"
	case OrgHealth:
		return "Health"
	case OrgEducation:
		return "Education"
	case OrgPrisonProbation:
		return "Prison or probation"
	case OrgOnlinePlatform:
		return "Online platform"
	case OrgBusiness:
		return "Business"
	case OrgSectorLead:
		return "Industry sector lead"
	}
	return string(k)
}

// Valid reports whether k is a known kind.
func (k OrgKind) Valid() bool {
	for _, x := range OrgKinds {
		if x == k {
			return true
		}
	}
	return false
}

// Role is what a user does; it decides which kinds of record they may touch.
type Role string

// The roles.
const (
	RoleInvestigator   Role = "investigator"
	RoleAnalyst        Role = "analyst"
	RoleSupervisor     Role = "supervisor"
	RolePreventOfficer Role = "prevent_officer"
	RolePanelMember    Role = "panel_member"
	RoleContentOfficer Role = "content_officer"
	RoleSecurityAdv    Role = "security_adviser"
	RolePartner        Role = "partner"
	RoleCasualtyBureau Role = "casualty_bureau"
	RoleAuditor        Role = "auditor"
	RoleAdmin          Role = "administrator"
)

// Roles lists every role in display order.
var Roles = []Role{RoleInvestigator, RoleAnalyst, RoleSupervisor, RolePreventOfficer, RolePanelMember,
	RoleContentOfficer, RoleSecurityAdv, RolePartner, RoleCasualtyBureau, RoleAuditor, RoleAdmin}

// Label is the human name of the role.
func (r Role) Label() string {
	switch r {
	case RoleInvestigator:
		return "Investigator"
	case RoleAnalyst:
		return "Analyst"
	case RoleSupervisor:
		return "Supervisor"
	case RolePreventOfficer:
		return "Prevent officer"
	case RolePanelMember:
		return "Panel member"
	case RoleContentOfficer:
		return "Content-referral officer"
	case RoleSecurityAdv:
		return "Security adviser"
	case RolePartner:
		return "Partner"
	case RoleCasualtyBureau:
		return "Casualty-bureau operator"
	case RoleAuditor:
		return "Auditor"
	case RoleAdmin:
		return "Administrator"
	}
	return string(r)
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if x == r {
			return true
		}
	}
	return false
}

// Kind names a kind of record. Access policy is declared per kind.
type Kind string

// The kinds of record the platform core keeps. Strands add their own.
const (
	KindOrg         Kind = "organisation"
	KindUser        Kind = "user"
	KindCompartment Kind = "compartment"
	KindThreatLevel Kind = "threat_level"
	KindAudit       Kind = "audit"
	KindToken       Kind = "api_token"
	KindSession     Kind = "session"
	// Strand records, declared here so that the access policy covers them
	// from the start.
	KindInvestigation Kind = "investigation"
	KindSubject       Kind = "subject"
	KindPreventCase   Kind = "prevent_case"
	KindReport        Kind = "report"
	KindBulletin      Kind = "bulletin"
	KindContentRef    Kind = "content_referral"
	KindIncident      Kind = "incident"
	// KindHashBank is a list of hashes of known terrorist material.
	KindHashBank Kind = "hash_bank"
)

// Meta is carried by every stored record: its protective marking, the
// need-to-know compartments a reader must all belong to, the owning
// organisation, the area it concerns (for local sharing rules), who made and
// last changed it, and when it is next due for retention review.
type Meta struct {
	Classification Classification `json:"classification"`
	Compartments   []int64        `json:"compartments"`
	OwnerOrgID     int64          `json:"owner_org_id"`
	Area           string         `json:"area,omitempty"`
	CreatedBy      int64          `json:"created_by"`
	CreatedAt      time.Time      `json:"created_at"`
	UpdatedBy      int64          `json:"updated_by"`
	UpdatedAt      time.Time      `json:"updated_at"`
	ReviewAt       time.Time      `json:"review_at"`
}

// DefaultRetention is how long after creation a record is first due for
// review under the Management of Police Information (MoPI) guidance.
const DefaultRetention = 6 * 365 * 24 * time.Hour

// Org is an organisation: a police force, a local authority, a platform...
type Org struct {
	ID   int64   `json:"id"`
	Name string  `json:"name"`
	Kind OrgKind `json:"kind"`
	// Area is the region or local-authority area the organisation serves.
	Area string `json:"area"`
	Meta Meta   `json:"meta"`
}

// Validate checks the fields a caller supplies.
func (o *Org) Validate() error {
	var fe FieldErrors
	o.Name = strings.TrimSpace(o.Name)
	switch {
	case o.Name == "":
		fe.Add("name", "Enter the organisation's name")
	case len(o.Name) > 200:
		fe.Add("name", "Name must be 200 characters or fewer")
	}
	if !o.Kind.Valid() {
		fe.Add("kind", "Select the kind of organisation")
	}
	o.Area = strings.TrimSpace(o.Area)
	if len(o.Area) > 100 {
		fe.Add("area", "Area must be 100 characters or fewer")
	}
	return fe.Err()
}

// User is a person who signs in. Each user belongs to one organisation.
type User struct {
	ID          int64   `json:"id"`
	OrgID       int64   `json:"org_id"`
	Username    string  `json:"username"`
	DisplayName string  `json:"display_name"`
	Email       string  `json:"email"`
	Role        Role    `json:"role"`
	Vetting     Vetting `json:"-"`
	// VettingName is Vetting as text, for JSON.
	VettingName  string    `json:"vetting"`
	Disabled     bool      `json:"disabled"`
	TOTPEnabled  bool      `json:"totp_enabled"`
	Compartments []int64   `json:"compartments"`
	LastSignIn   time.Time `json:"last_sign_in,omitzero"`
	Meta         Meta      `json:"meta"`
}

// NeedsTOTP reports whether the user must use a second factor to sign in.
func (u *User) NeedsTOTP() bool { return u.Role == RoleAdmin || u.Vetting.RequiresTOTP() }

// Validate checks the fields a caller supplies.
func (u *User) Validate() error {
	var fe FieldErrors
	u.Username = strings.ToLower(strings.TrimSpace(u.Username))
	if !validUsername(u.Username) {
		fe.Add("username", "Username must be 3 to 64 characters: letters, digits, dot, dash or underscore")
	}
	u.DisplayName = strings.TrimSpace(u.DisplayName)
	switch {
	case u.DisplayName == "":
		fe.Add("display_name", "Enter the user's full name")
	case len(u.DisplayName) > 200:
		fe.Add("display_name", "Full name must be 200 characters or fewer")
	}
	u.Email = strings.TrimSpace(u.Email)
	if u.Email != "" && (len(u.Email) > 254 || !strings.Contains(u.Email, "@")) {
		fe.Add("email", "Enter an email address in the correct format, like name@example.org")
	}
	if !u.Role.Valid() {
		fe.Add("role", "Select a role")
	}
	if u.Vetting < BPSS || u.Vetting > DV {
		fe.Add("vetting", "Select a vetting level")
	}
	if u.OrgID <= 0 {
		fe.Add("org_id", "Select an organisation")
	}
	return fe.Err()
}

func validUsername(s string) bool {
	if len(s) < 3 || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// Compartment is a need-to-know group, for example one per operation. A
// record in a compartment is seen only by its members.
type Compartment struct {
	ID          int64   `json:"id"`
	Name        string  `json:"name"`
	Description string  `json:"description"`
	Members     []int64 `json:"members"`
	Meta        Meta    `json:"meta"`
}

// Validate checks the fields a caller supplies.
func (c *Compartment) Validate() error {
	var fe FieldErrors
	c.Name = strings.TrimSpace(c.Name)
	switch {
	case c.Name == "":
		fe.Add("name", "Enter the compartment's name")
	case len(c.Name) > 100:
		fe.Add("name", "Name must be 100 characters or fewer")
	}
	if len(c.Description) > 2000 {
		fe.Add("description", "Description must be 2000 characters or fewer")
	}
	return fe.Err()
}
