package contest

import (
	"context"
	"slices"
)

// Actor is who is acting: a signed-in user (through the web UI or the API),
// or the operator at the command line (System). Every service method takes
// one, and every access decision and audit entry is made from it.
type Actor struct {
	UserID       int64
	Username     string
	DisplayName  string
	OrgID        int64
	OrgName      string
	OrgKind      OrgKind
	OrgArea      string
	Role         Role
	Vetting      Vetting
	Compartments []int64 // sorted
	// System marks the command-line operator, who has shell access to the
	// server and its data. System actions are audited like any other.
	System bool
	// ClientAddr is the network address the request came from.
	ClientAddr string
	// Via says how the actor reached the service: "web", "api" or "cli".
	Via string
	// TOTPEnrolled is false for a user who must still set up a second factor.
	TOTPEnrolled bool
	// SessionEpoch changes whenever the user's sessions must end (password
	// reset, disabling). The web layer keeps the epoch seen at sign-in in
	// the session and ends the session when it differs.
	SessionEpoch int64
	// Justification is the reason the actor gave for this request, where
	// the action needs one (consultation of sensitive records, exports).
	Justification string
}

// InCompartment reports whether the actor is a member of compartment id.
func (a *Actor) InCompartment(id int64) bool {
	_, ok := slices.BinarySearch(a.Compartments, id)
	return ok
}

// SystemActor returns the actor for command-line operations.
func SystemActor(via string) *Actor {
	return &Actor{System: true, Username: "system", Role: RoleAdmin, Vetting: DV, Via: via, ClientAddr: "local"}
}

type actorKey struct{}

// NewContextWithActor returns ctx carrying a.
func NewContextWithActor(ctx context.Context, a *Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFromContext returns the actor in ctx, or nil.
func ActorFromContext(ctx context.Context) *Actor {
	a, _ := ctx.Value(actorKey{}).(*Actor)
	return a
}
