package contest

import (
	"context"
	"time"
)

// Investigation is a Pursue investigation, known by its operation name. Its
// records sit in the operation's compartment.
type Investigation struct {
	ID         int64     `json:"id"`
	Operation  string    `json:"operation"`
	Summary    string    `json:"summary"`
	Status     string    `json:"status"` // open, closed
	LeadUserID int64     `json:"lead_user_id"`
	OpenedAt   time.Time `json:"opened_at"`
	ClosedAt   time.Time `json:"closed_at,omitzero"`
	Meta       Meta      `json:"meta"`
}

// Subject statuses.
const (
	SubjectActive = "active"
	SubjectClosed = "closed"
	SubjectFormer = "former"
)

// Subject is a subject of interest, active or closed.
type Subject struct {
	ID              int64     `json:"id"`
	InvestigationID int64     `json:"investigation_id,omitempty"`
	GivenName       string    `json:"given_name"`
	FamilyName      string    `json:"family_name"`
	DateOfBirth     string    `json:"date_of_birth,omitempty"` // YYYY-MM-DD, or partial
	Status          string    `json:"status"`
	Priority        string    `json:"priority,omitempty"` // tier, set by a named person
	OwnerUserID     int64     `json:"owner_user_id"`
	ClosedReason    string    `json:"closed_reason,omitempty"`
	NextReviewAt    time.Time `json:"next_review_at,omitzero"`
	Meta            Meta      `json:"meta"`
}

// PreventReferral is a referral of a person at risk of radicalisation.
// Concern, age, gender and region are recorded for statistics only and are
// never an input to any score or priority.
type PreventReferral struct {
	ID          int64     `json:"id"`
	Reference   string    `json:"reference"`
	GivenName   string    `json:"given_name"`
	FamilyName  string    `json:"family_name"`
	DateOfBirth string    `json:"date_of_birth,omitempty"`
	Sector      string    `json:"sector"`
	Concern     string    `json:"concern"`
	Age         int       `json:"age"`
	Gender      string    `json:"gender"`
	Region      string    `json:"region"`
	Stage       string    `json:"stage"` // referred, screening, panel, adopted, exited, closed
	ReferredAt  time.Time `json:"referred_at"`
	OwnerUserID int64     `json:"owner_user_id"`
	Meta        Meta      `json:"meta"`
}

// CaseFilter selects strand records. Status is a Prevent referral's stage.
// InvestigationID applies to subjects only.
type CaseFilter struct {
	Status          string
	OwnerUserID     int64
	InvestigationID int64
	Offset          int
	Limit           int
}

// CaseService reads the strand records the platform core holds. Lists hold
// only what the actor may see and the total counts only that; a hidden
// record and a missing one give the same ENOTFOUND.
type CaseService interface {
	FindInvestigations(ctx context.Context, a *Actor, f CaseFilter) ([]*Investigation, int, error)
	FindInvestigationByID(ctx context.Context, a *Actor, id int64) (*Investigation, error)
	FindSubjects(ctx context.Context, a *Actor, f CaseFilter) ([]*Subject, int, error)
	FindSubjectByID(ctx context.Context, a *Actor, id int64) (*Subject, error)
	FindPreventReferrals(ctx context.Context, a *Actor, f CaseFilter) ([]*PreventReferral, int, error)
	FindPreventReferralByID(ctx context.Context, a *Actor, id int64) (*PreventReferral, error)
	// CountCases counts the records of kind (investigation, subject or
	// prevent_case) the actor may see, by status (a referral's stage),
	// in one audited query; f.Offset and f.Limit are ignored.
	CountCases(ctx context.Context, a *Actor, kind Kind, f CaseFilter) (map[string]int, error)
}
