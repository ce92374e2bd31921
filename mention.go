package contest

import (
	"context"
	"time"
)

// PersonDetails is what a record says about a person: any field may be
// empty. Every strand that stores a person (a subject, a referred person, a
// person in a public report, a casualty, an account holder named in a
// content referral) hands these to the store, which matches them at once
// against every person already known.
//
// Protected characteristics are never part of PersonDetails: they are not
// inputs to matching.
type PersonDetails struct {
	Given       string          `json:"given,omitempty"`
	Middle      string          `json:"middle,omitempty"`
	Family      string          `json:"family,omitempty"`
	Aliases     []string        `json:"aliases,omitempty"` // "Given Family" as written
	DateOfBirth string          `json:"date_of_birth,omitempty"`
	Addresses   []PersonAddress `json:"addresses,omitempty"`
	Phones      []string        `json:"phones,omitempty"`
	Emails      []string        `json:"emails,omitempty"`
	Documents   []string        `json:"documents,omitempty"`
	Handles     []string        `json:"handles,omitempty"`
	// Description is free text ("tall, grey hoodie") kept with the mention
	// for the reader; it is not matched.
	Description string `json:"description,omitempty"`
}

// PersonAddress is a postal address as written.
type PersonAddress struct {
	Number   string   `json:"number,omitempty"`
	Lines    []string `json:"lines,omitempty"`
	Locality string   `json:"locality,omitempty"`
	Postcode string   `json:"postcode,omitempty"`
}

// IsZero reports whether the details say nothing that could be matched.
func (p *PersonDetails) IsZero() bool {
	return p.Given == "" && p.Middle == "" && p.Family == "" && len(p.Aliases) == 0 && p.DateOfBirth == "" &&
		len(p.Addresses) == 0 && len(p.Phones) == 0 && len(p.Emails) == 0 && len(p.Documents) == 0 && len(p.Handles) == 0
}

// Mention is one mention of a person in a stored record. It carries the
// access metadata of the record it came from: whoever may not see that
// record may not see the mention either.
type Mention struct {
	ID         int64         `json:"id"`
	SourceKind Kind          `json:"source_kind"`
	SourceID   int64         `json:"source_id"`
	Role       string        `json:"role"` // how the person figures in the source: subject, referred, reported, casualty ...
	Person     PersonDetails `json:"person"`
	// PersonID is the person this mention has been confirmed as, or 0.
	PersonID int64 `json:"person_id,omitempty"`
	Meta     Meta  `json:"meta"`
}

// Possible-match statuses.
const (
	MatchOpen      = "open"
	MatchConfirmed = "confirmed"
	MatchRejected  = "rejected"
	// MatchReferred marks a match the finder may not see in full: it went
	// to someone who may, and the finder learns only that it was referred.
	MatchReferred = "referred"
)

// MatchReason is one field's contribution to a match weight: the bars of
// the waterfall.
type MatchReason struct {
	Field  string  `json:"field"`
	Level  string  `json:"level"`
	Weight float64 `json:"weight"`
	Detail string  `json:"detail,omitempty"`
}

// PossibleMatch pairs a new mention with an earlier one that may be the
// same person, with the reasons. A named person confirms or rejects it.
type PossibleMatch struct {
	ID             int64         `json:"id"`
	Mention        *Mention      `json:"mention"`
	Candidate      *Mention      `json:"candidate"`
	Weight         float64       `json:"weight"`
	Probability    float64       `json:"probability"`
	Reasons        []MatchReason `json:"reasons"`
	Status         string        `json:"status"`
	DecidedBy      int64         `json:"decided_by,omitempty"`
	DecidedAt      time.Time     `json:"decided_at,omitzero"`
	DecisionReason string        `json:"decision_reason,omitempty"`
	CreatedAt      time.Time     `json:"created_at"`
}

// MatchFilter selects possible matches. SourceKind and SourceID select the
// matches of the mentions of one record (either side).
type MatchFilter struct {
	SourceKind Kind
	SourceID   int64
	Status     string
	Offset     int
	Limit      int
}

// KindPossibleMatch is a possible match between two mentions of people.
// Seeing one needs, besides the role rule, sight of both records it joins.
const KindPossibleMatch Kind = "possible_match"

// KindReassessment is the re-assessment of a closed subject opened by new
// information.
const KindReassessment Kind = "subject_reassessment"

// Decisions on a possible match.
const (
	DecideConfirm = "confirm"
	DecideReject  = "reject"
	// DecideUnlink undoes a confirmation: the two mentions are no longer
	// one person (their source records are untouched either way).
	DecideUnlink = "unlink"
)

// MatchService is join-the-dots: the possible matches between mentions of
// people, within what the actor may see (both sides), and the decisions on
// them.
type MatchService interface {
	// FindPossibleMatches lists the matches the actor may see in full. With
	// SourceKind and SourceID (a record the actor may see), matches whose
	// other side is hidden from the actor are listed too, as Status
	// MatchReferred with nothing of the other side: they are in the queue of
	// those who may see both.
	FindPossibleMatches(ctx context.Context, a *Actor, f MatchFilter) ([]*PossibleMatch, int, error)
	FindPossibleMatchByID(ctx context.Context, a *Actor, id int64) (*PossibleMatch, error)
	// DecidePossibleMatch confirms, rejects or unlinks a match, with the
	// reason, recorded and audited under the actor's name.
	DecidePossibleMatch(ctx context.Context, a *Actor, id int64, decision, reason string) (*PossibleMatch, error)
	// MentionsOfPerson lists the visible mentions confirmed as one person
	// with the given mention.
	MentionsOfPerson(ctx context.Context, a *Actor, mentionID int64) ([]*Mention, error)
	// FindReassessments lists re-assessments of closed subjects opened by
	// new matches, by status ("open" for the queue).
	FindReassessments(ctx context.Context, a *Actor, status string, offset, limit int) ([]*Reassessment, int, error)
	// DecideReassessment records reopen or no change, with the reason.
	DecideReassessment(ctx context.Context, a *Actor, id int64, reopen bool, reason string) (*Reassessment, error)
}

// Reassessment is the review of a closed subject that new information (a
// match from any strand) has opened.
type Reassessment struct {
	ID              int64          `json:"id"`
	Subject         *Subject       `json:"subject"`
	PossibleMatchID int64          `json:"possible_match_id,omitempty"`
	Match           *PossibleMatch `json:"match,omitempty"`
	Reason          string         `json:"reason"`
	Status          string         `json:"status"` // open, reopened, no_change
	DecidedBy       int64          `json:"decided_by,omitempty"`
	DecidedAt       time.Time      `json:"decided_at,omitzero"`
	DecisionReason  string         `json:"decision_reason,omitempty"`
	CreatedAt       time.Time      `json:"created_at"`
}
