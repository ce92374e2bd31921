package contest

import (
	"context"
	"time"
)

// Every service method takes the acting *Actor. Each read and write is
// decided by the access package and audited in the same transaction: if the
// audit entry cannot be written the action does not happen and EAUDIT is
// returned. A record that does not exist and one the actor may not see both
// give ENOTFOUND; lists and counts include only what the actor may see.

// OrgService manages organisations.
type OrgService interface {
	// FindOrgs lists the organisations the actor may see.
	FindOrgs(ctx context.Context, a *Actor) ([]*Org, error)
	// FindOrgByID returns ENOTFOUND if missing or hidden.
	FindOrgByID(ctx context.Context, a *Actor, id int64) (*Org, error)
	// CreateOrg is for administrators. Returns EINVALID, ECONFLICT
	// (name taken) or EFORBIDDEN.
	CreateOrg(ctx context.Context, a *Actor, o *Org) error
}

// UserFilter selects users.
type UserFilter struct {
	OrgID    int64
	Role     Role
	Username string
	Disabled *bool
	Offset   int
	Limit    int
}

// UserUpdate holds the fields an administrator may change; nil means keep.
type UserUpdate struct {
	DisplayName *string
	Email       *string
	Role        *Role
	Vetting     *Vetting
	OrgID       *int64
}

// UserService manages user accounts. Only administrators create or change
// users; administrators, supervisors and auditors may list them.
type UserService interface {
	FindUsers(ctx context.Context, a *Actor, f UserFilter) ([]*User, int, error)
	FindUserByID(ctx context.Context, a *Actor, id int64) (*User, error)
	FindUserByUsername(ctx context.Context, a *Actor, username string) (*User, error)
	// CreateUser stores u with the argon2id hash of password.
	CreateUser(ctx context.Context, a *Actor, u *User, password string) error
	UpdateUser(ctx context.Context, a *Actor, id int64, upd UserUpdate) (*User, error)
	// SetUserDisabled disables (ending every session and token at once)
	// or re-enables a user.
	SetUserDisabled(ctx context.Context, a *Actor, id int64, disabled bool) error
	// ResetPassword sets a new password, clears lockout, and ends sessions.
	ResetPassword(ctx context.Context, a *Actor, id int64, password string) error
}

// CompartmentService manages need-to-know compartments and their members.
type CompartmentService interface {
	FindCompartments(ctx context.Context, a *Actor) ([]*Compartment, error)
	FindCompartmentByID(ctx context.Context, a *Actor, id int64) (*Compartment, error)
	CreateCompartment(ctx context.Context, a *Actor, c *Compartment) error
	// SetCompartmentMember adds or removes a member. Audited as a
	// permission change.
	SetCompartmentMember(ctx context.Context, a *Actor, compartmentID, userID int64, member bool) error
}

// ThreatService keeps the national threat level and its history.
type ThreatService interface {
	// CurrentThreatLevel is public information and needs no actor.
	CurrentThreatLevel(ctx context.Context) (*ThreatChange, error)
	ThreatHistory(ctx context.Context, a *Actor) ([]*ThreatChange, error)
	// SetThreatLevel records a change with its rationale. Only an
	// authorised role may change it; returns EFORBIDDEN otherwise.
	SetThreatLevel(ctx context.Context, a *Actor, level ThreatLevel, rationale string) (*ThreatChange, error)
}

// SignInRequest carries what a person typed at sign-in.
type SignInRequest struct {
	Username   string
	Password   string
	TOTPCode   string
	ClientAddr string
	Via        string
}

// AuthService signs people in and turns sessions and tokens into actors.
type AuthService interface {
	// SignIn checks the password (and the TOTP code when the user has
	// one), throttles and locks out after repeated failures, and audits
	// success and failure. Every failure returns the same EUNAUTHORIZED
	// message whether or not the account exists. A user who needs a second
	// factor and has none yet signs in with TOTPEnrolled false and must
	// enrol before doing anything else.
	SignIn(ctx context.Context, req SignInRequest) (*Actor, error)
	// ActorForUser loads the current actor for a session's user id. It
	// returns EUNAUTHORIZED for a disabled or missing user, ending the
	// session at once.
	ActorForUser(ctx context.Context, userID int64, clientAddr, via string) (*Actor, error)
	// ActorForToken does the same for an API bearer token.
	ActorForToken(ctx context.Context, token, clientAddr string) (*Actor, error)
	// CreateToken issues an API token to the actor (or, for an
	// administrator, to user userID). The token is shown once; only its
	// hash is stored.
	CreateToken(ctx context.Context, a *Actor, userID int64, name string, ttl time.Duration) (string, error)
	// BeginTOTP returns a new secret and its otpauth URL for enrolment.
	BeginTOTP(ctx context.Context, a *Actor) (secret, url string, err error)
	// ConfirmTOTP stores the secret once the user proves a code from it.
	ConfirmTOTP(ctx context.Context, a *Actor, secret, code string) error
	// SignOut audits the end of a session.
	SignOut(ctx context.Context, a *Actor) error
}

// Store is everything the web layer needs from storage.
type Store interface {
	CaseService
	OrgService
	UserService
	CompartmentService
	ThreatService
	AuthService
	AuditService
	ReportService
	ContentService
	MatchService
	PreventService
	PanelService
	DDPService
	PreventStatsService
	ProtectService
	PursueService
	ActionService
	OutcomeService
	POLEService
	LinkAnalysis
	// Ping reports whether the database is reachable.
	Ping(ctx context.Context) error
}
