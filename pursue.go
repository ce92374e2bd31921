package contest

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// The Pursue kinds added by issue 5.
const (
	// KindLead is a lead (from triage, intelligence or a partner) that
	// may become an investigation.
	KindLead Kind = "lead"
	// KindAction is an action of an investigation, as in a major
	// incident room.
	KindAction Kind = "action"
	// KindOutcome is a recorded outcome of an investigation: a
	// disruption, arrest, charge, conviction or plot disrupted.
	KindOutcome Kind = "outcome"
)

// Lead sources and statuses.
var (
	LeadSources  = []string{"triage", "intelligence", "partner"}
	LeadStatuses = []string{"open", "converted", "discarded"}
)

// Lead is information that may justify an investigation.
type Lead struct {
	ID              int64  `json:"id"`
	Source          string `json:"source"` // triage, intelligence, partner
	Summary         string `json:"summary"`
	Status          string `json:"status"` // open, converted, discarded
	InvestigationID int64  `json:"investigation_id,omitempty"`
	ClosedReason    string `json:"closed_reason,omitempty"`
	Meta            Meta   `json:"meta"`
}

// Validate checks a new lead.
func (l *Lead) Validate() error {
	var fe FieldErrors
	l.Summary = strings.TrimSpace(l.Summary)
	if !oneOf(l.Source, LeadSources) {
		fe.Add("source", "Select where the lead came from")
	}
	checkText(&fe, "summary", "Enter a summary of the lead", l.Summary, 4000)
	if !l.Meta.Classification.Valid() {
		fe.Add("classification", "Select a classification")
	}
	return fe.Err()
}

// NewInvestigation is what opening an investigation takes. Its compartment
// is created with it, named after the operation, and only Team (and the
// person opening it) are members.
type NewInvestigation struct {
	Operation      string         `json:"operation"`
	Summary        string         `json:"summary"`
	LeadID         int64          `json:"lead_id,omitempty"`
	LeadUserID     int64          `json:"lead_user_id,omitempty"`
	Classification Classification `json:"classification"`
	Area           string         `json:"area,omitempty"`
	Team           []int64        `json:"team"`
	// TeamUsernames names more members by username.
	TeamUsernames []string `json:"team_usernames,omitempty"`
}

// Validate checks the fields of a new investigation.
func (n *NewInvestigation) Validate() error {
	var fe FieldErrors
	n.Operation = strings.TrimSpace(n.Operation)
	n.Summary = strings.TrimSpace(n.Summary)
	switch {
	case n.Operation == "":
		fe.Add("operation", "Enter the operation name")
	case len(n.Operation) > 60:
		fe.Add("operation", "Operation name must be 60 characters or fewer")
	case strings.ContainsAny(n.Operation, "<>\"\\/\x00\n\r\t"):
		fe.Add("operation", "Operation name must be letters, numbers, spaces or hyphens")
	}
	checkText(&fe, "summary", "Enter a summary", n.Summary, 4000)
	if !n.Classification.Valid() {
		fe.Add("classification", "Select a classification")
	}
	return fe.Err()
}

// ClassificationChange is one raising or lowering of an investigation's
// classification by a supervisor, with the reason.
type ClassificationChange struct {
	ID        int64          `json:"id"`
	From      Classification `json:"from"`
	To        Classification `json:"to"`
	Reason    string         `json:"reason"`
	DecidedBy int64          `json:"decided_by"`
	DecidedAt time.Time      `json:"decided_at"`
}

// Priority tiers of a subject of interest, highest first.
var PriorityTiers = []string{"P1", "P2", "P3", "P4"}

// PriorityDecision is a subject's priority tier with its rationale and next
// review date, as recorded by a named person.
type PriorityDecision struct {
	ID           int64     `json:"id"`
	Tier         string    `json:"tier"`
	Rationale    string    `json:"rationale"`
	NextReviewAt time.Time `json:"next_review_at"`
	DecidedBy    int64     `json:"decided_by"`
	DecidedAt    time.Time `json:"decided_at"`
}

// Validate checks a priority decision.
func (p *PriorityDecision) Validate() error {
	var fe FieldErrors
	p.Rationale = strings.TrimSpace(p.Rationale)
	if !oneOf(p.Tier, PriorityTiers) {
		fe.Add("tier", "Select a priority tier")
	}
	checkText(&fe, "rationale", "Enter the rationale for the priority", p.Rationale, 4000)
	if p.NextReviewAt.IsZero() {
		fe.Add("next_review_at", "Enter the next review date")
	}
	return fe.Err()
}

// AssessmentLevels are the answers to each question of an assessment.
var AssessmentLevels = []string{"none", "low", "medium", "high"}

// SubjectAssessment is a structured judgement of a subject's intent, capability
// and imminence, completed by a person. It is never computed, and no
// personal characteristic is an input to it.
type SubjectAssessment struct {
	ID         int64     `json:"id"`
	Intent     string    `json:"intent"`
	Capability string    `json:"capability"`
	Imminence  string    `json:"imminence"`
	Notes      string    `json:"notes,omitempty"`
	AssessedBy int64     `json:"assessed_by"`
	AssessedAt time.Time `json:"assessed_at"`
}

// Validate checks an assessment.
func (s *SubjectAssessment) Validate() error {
	var fe FieldErrors
	s.Notes = strings.TrimSpace(s.Notes)
	for _, q := range []struct{ field, v, label string }{
		{"intent", s.Intent, "intent"}, {"capability", s.Capability, "capability"}, {"imminence", s.Imminence, "imminence"}} {
		if !oneOf(q.v, AssessmentLevels) {
			fe.Add(q.field, "Select the assessed "+q.label)
		}
	}
	if len(s.Notes) > 4000 {
		fe.Add("notes", "Notes must be 4000 characters or fewer")
	}
	return fe.Err()
}

// NewSubject is what recording a subject of interest takes. A subject of
// an investigation takes the investigation's marking and compartments (at
// least its classification).
type NewSubject struct {
	InvestigationID int64              `json:"investigation_id,omitempty"`
	GivenName       string             `json:"given_name"`
	FamilyName      string             `json:"family_name"`
	DateOfBirth     string             `json:"date_of_birth,omitempty"`
	OwnerUserID     int64              `json:"owner_user_id"`
	Classification  Classification     `json:"classification"`
	Priority        PriorityDecision   `json:"priority"`
	Assessment      *SubjectAssessment `json:"assessment,omitempty"`
}

// Validate checks a new subject.
func (n *NewSubject) Validate() error {
	var fe FieldErrors
	n.GivenName, n.FamilyName = strings.TrimSpace(n.GivenName), strings.TrimSpace(n.FamilyName)
	checkText(&fe, "given_name", "Enter the given name", n.GivenName, 200)
	checkText(&fe, "family_name", "Enter the family name", n.FamilyName, 200)
	if n.DateOfBirth != "" && !validPartialDate(n.DateOfBirth) {
		fe.Add("date_of_birth", "Date of birth must be a real date, as YYYY-MM-DD, YYYY-MM or YYYY")
	}
	if !n.Classification.Valid() {
		fe.Add("classification", "Select a classification")
	}
	if err := n.Priority.Validate(); err != nil {
		fe = append(fe, err.(*Error).Fields...)
	}
	if n.Assessment != nil {
		if err := n.Assessment.Validate(); err != nil {
			fe = append(fe, err.(*Error).Fields...)
		}
	}
	return fe.Err()
}

// SubjectChange changes a subject: its name or date of birth (given as the
// full new values), its owner, or its status. Closing records why and when
// the closed subject is next re-assessed.
type SubjectChange struct {
	GivenName    *string   `json:"given_name,omitempty"`
	FamilyName   *string   `json:"family_name,omitempty"`
	DateOfBirth  *string   `json:"date_of_birth,omitempty"`
	OwnerUserID  *int64    `json:"owner_user_id,omitempty"`
	Status       string    `json:"status,omitempty"` // active, closed, former
	Reason       string    `json:"reason,omitempty"`
	NextReviewAt time.Time `json:"next_review_at,omitzero"`
}

// SubjectDetail is a subject with its decisions, newest first.
type SubjectDetail struct {
	Subject     *Subject             `json:"subject"`
	Priorities  []*PriorityDecision  `json:"priorities"`
	Assessments []*SubjectAssessment `json:"assessments"`
}

// Action categories: trace, interview and eliminate (TIE) and the other
// work of an incident room.
var ActionCategories = []string{"trace", "interview", "eliminate", "enquiry", "research", "forensic", "other"}

// Action statuses, in the order an action moves through them.
const (
	ActionRaised    = "raised"
	ActionAllocated = "allocated"
	ActionResulted  = "resulted"
	ActionReviewed  = "reviewed"
	ActionFiled     = "filed"
)

// ActionPriorities are the priorities of an action.
var ActionPriorities = []string{"high", "medium", "low"}

// EliminationCodes are the grounds on which a TIE subject is eliminated,
// strongest first.
var EliminationCodes = map[string]string{
	"1": "Forensic evidence",
	"2": "Description does not match",
	"3": "Alibi from an independent witness",
	"4": "Alibi from an associate or relative",
	"5": "Other grounds, recorded in the result",
	"6": "Not eliminated",
}

// Action is a piece of work in an investigation: raised, allocated to an
// officer, resulted, reviewed by a supervisor and filed.
type Action struct {
	ID              int64     `json:"id"`
	InvestigationID int64     `json:"investigation_id"`
	SubjectID       int64     `json:"subject_id,omitempty"`
	Title           string    `json:"title"`
	Details         string    `json:"details,omitempty"`
	Category        string    `json:"category"`
	Priority        string    `json:"priority"`
	Status          string    `json:"status"`
	RaisedBy        int64     `json:"raised_by"`
	RaisedAt        time.Time `json:"raised_at"`
	AllocatedTo     int64     `json:"allocated_to,omitempty"`
	AllocatedBy     int64     `json:"allocated_by,omitempty"`
	AllocatedAt     time.Time `json:"allocated_at,omitzero"`
	DueAt           time.Time `json:"due_at,omitzero"`
	Result          string    `json:"result,omitempty"`
	EliminationCode string    `json:"elimination_code,omitempty"`
	ResultedBy      int64     `json:"resulted_by,omitempty"`
	ResultedAt      time.Time `json:"resulted_at,omitzero"`
	ReviewNote      string    `json:"review_note,omitempty"`
	ReviewedBy      int64     `json:"reviewed_by,omitempty"`
	ReviewedAt      time.Time `json:"reviewed_at,omitzero"`
	FiledBy         int64     `json:"filed_by,omitempty"`
	FiledAt         time.Time `json:"filed_at,omitzero"`
	Meta            Meta      `json:"meta"`
}

// Overdue reports whether the action is still to be done after its due date.
func (a *Action) Overdue(now time.Time) bool {
	return (a.Status == ActionRaised || a.Status == ActionAllocated) && !a.DueAt.IsZero() && a.DueAt.Before(now)
}

// Validate checks a new action.
func (a *Action) Validate() error {
	var fe FieldErrors
	a.Title, a.Details = strings.TrimSpace(a.Title), strings.TrimSpace(a.Details)
	checkText(&fe, "title", "Enter what the action is", a.Title, 300)
	if len(a.Details) > 4000 {
		fe.Add("details", "Details must be 4000 characters or fewer")
	}
	if !oneOf(a.Category, ActionCategories) {
		fe.Add("category", "Select a category")
	}
	if !oneOf(a.Priority, ActionPriorities) {
		fe.Add("priority", "Select a priority")
	}
	return fe.Err()
}

// ActionFilter selects actions.
type ActionFilter struct {
	InvestigationID int64
	AllocatedTo     int64
	Status          string
	Overdue         bool
	Offset, Limit   int
}

// Workload is the open actions allocated to one officer.
type Workload struct {
	UserID    int64 `json:"user_id"`
	Allocated int   `json:"allocated"`
	Overdue   int   `json:"overdue"`
}

// Outcome types.
var OutcomeTypes = []string{"disruption", "arrest", "charge", "conviction", "plot_disrupted"}

// Outcome is a result of an investigation, kept in structured form for the
// statistics. An arrest names the legislation used; a charge or conviction
// names the offence.
type Outcome struct {
	ID              int64  `json:"id"`
	InvestigationID int64  `json:"investigation_id"`
	SubjectID       int64  `json:"subject_id,omitempty"`
	Type            string `json:"type"`
	OccurredOn      string `json:"occurred_on"` // YYYY-MM-DD
	Legislation     string `json:"legislation,omitempty"`
	Offence         string `json:"offence,omitempty"`
	Sentence        string `json:"sentence,omitempty"`
	Notes           string `json:"notes,omitempty"`
	Meta            Meta   `json:"meta"`
}

// Validate checks an outcome.
func (o *Outcome) Validate() error {
	var fe FieldErrors
	o.Legislation, o.Offence = strings.TrimSpace(o.Legislation), strings.TrimSpace(o.Offence)
	o.Sentence, o.Notes = strings.TrimSpace(o.Sentence), strings.TrimSpace(o.Notes)
	if !oneOf(o.Type, OutcomeTypes) {
		fe.Add("type", "Select the type of outcome")
	}
	if _, err := time.Parse(time.DateOnly, o.OccurredOn); err != nil {
		fe.Add("occurred_on", "Enter the date as YYYY-MM-DD")
	}
	switch o.Type {
	case "arrest":
		checkText(&fe, "legislation", "Enter the legislation used for the arrest", o.Legislation, 300)
	case "charge", "conviction":
		checkText(&fe, "offence", "Enter the offence", o.Offence, 300)
	}
	if o.Type == "conviction" && o.Sentence == "" {
		fe.Add("sentence", "Enter the sentence")
	}
	for _, f := range []struct{ name, v string }{{"legislation", o.Legislation}, {"offence", o.Offence}, {"sentence", o.Sentence}} {
		if len(f.v) > 300 {
			fe.Add(f.name, "Must be 300 characters or fewer")
		}
	}
	if len(o.Notes) > 4000 {
		fe.Add("notes", "Notes must be 4000 characters or fewer")
	}
	return fe.Err()
}

// PursueService keeps leads, opens investigations and records subjects of
// interest. Every method applies the one access decision; a hidden record
// and a missing one give the same ENOTFOUND.
type PursueService interface {
	CreateLead(ctx context.Context, a *Actor, l *Lead) error
	FindLeads(ctx context.Context, a *Actor, status string) ([]*Lead, error)
	// DiscardLead closes an open lead without an investigation, with why.
	DiscardLead(ctx context.Context, a *Actor, id int64, reason string) error
	// CreateInvestigation opens an investigation, converting the lead if
	// one is named, and creates its compartment with only its team in it.
	CreateInvestigation(ctx context.Context, a *Actor, n *NewInvestigation) (*Investigation, error)
	// ChangeClassification raises or lowers an investigation's marking;
	// supervisors only, with a reason. Raising also raises its subjects,
	// actions and outcomes that are marked lower.
	ChangeClassification(ctx context.Context, a *Actor, id int64, to Classification, reason string) (*Investigation, error)
	FindClassificationChanges(ctx context.Context, a *Actor, id int64) ([]*ClassificationChange, error)
	CreateSubject(ctx context.Context, a *Actor, n *NewSubject) (*Subject, error)
	UpdateSubject(ctx context.Context, a *Actor, id int64, c *SubjectChange) (*Subject, error)
	SetSubjectPriority(ctx context.Context, a *Actor, id int64, p *PriorityDecision) error
	AssessSubject(ctx context.Context, a *Actor, id int64, s *SubjectAssessment) error
	FindSubjectDetail(ctx context.Context, a *Actor, id int64) (*SubjectDetail, error)
}

// ActionService runs the actions of investigations.
type ActionService interface {
	RaiseAction(ctx context.Context, a *Actor, act *Action) error
	AllocateAction(ctx context.Context, a *Actor, id, userID int64, due time.Time) (*Action, error)
	ResultAction(ctx context.Context, a *Actor, id int64, result, eliminationCode string) (*Action, error)
	// ReviewAction accepts a result, or sends the action back to its
	// officer with the note.
	ReviewAction(ctx context.Context, a *Actor, id int64, accept bool, note string) (*Action, error)
	FileAction(ctx context.Context, a *Actor, id int64, note string) (*Action, error)
	FindActionByID(ctx context.Context, a *Actor, id int64) (*Action, error)
	FindActions(ctx context.Context, a *Actor, f ActionFilter) ([]*Action, int, error)
	ActionWorkload(ctx context.Context, a *Actor) ([]*Workload, error)
	// OfficerByUsername is the id of the active user with the username,
	// for allocating an action; an unknown one is an EINVALID on
	// "officer".
	OfficerByUsername(ctx context.Context, a *Actor, username string) (int64, error)
}

// OutcomeService records the outcomes of investigations.
type OutcomeService interface {
	RecordOutcome(ctx context.Context, a *Actor, o *Outcome) error
	FindOutcomes(ctx context.Context, a *Actor, investigationID int64) ([]*Outcome, error)
	// CountOutcomes counts the visible outcomes by type.
	CountOutcomes(ctx context.Context, a *Actor) (map[string]int, error)
}

func checkText(fe *FieldErrors, field, missing, v string, limit int) {
	switch {
	case v == "":
		fe.Add(field, missing)
	case len(v) > limit:
		fe.Add(field, "Must be "+strconv.Itoa(limit)+" characters or fewer")
	}
}

// validPartialDate reports whether s is YYYY, YYYY-MM or YYYY-MM-DD and real.
func validPartialDate(s string) bool {
	for _, layout := range []string{"2006", "2006-01", time.DateOnly} {
		if len(s) == len(layout) {
			if _, err := time.Parse(layout, s); err == nil {
				return true
			}
		}
	}
	return false
}

// The POLE kinds: an entity of an investigation and a link between two.
const (
	KindEntity Kind = "pole_entity"
	KindLink   Kind = "pole_link"
)

// EntityTypes are the POLE types: people, objects, locations and events.
var EntityTypes = []string{"person", "organisation", "vehicle", "telephone", "email", "online_account", "document", "address", "place", "event"}

// Entity is a person, object, location or event recorded in an
// investigation; it takes the investigation's marking and compartments.
type Entity struct {
	ID              int64  `json:"id"`
	InvestigationID int64  `json:"investigation_id"`
	Type            string `json:"type"`
	Label           string `json:"label"`
	Details         string `json:"details,omitempty"`
	Meta            Meta   `json:"meta"`
}

// Validate checks an entity.
func (e *Entity) Validate() error {
	var fe FieldErrors
	e.Label, e.Details = strings.TrimSpace(e.Label), strings.TrimSpace(e.Details)
	if !oneOf(e.Type, EntityTypes) {
		fe.Add("type", "Select the type of entity")
	}
	checkText(&fe, "label", "Enter what identifies it, such as a name, number or address", e.Label, 300)
	if len(e.Details) > 4000 {
		fe.Add("details", "Details must be 4000 characters or fewer")
	}
	return fe.Err()
}

// The 3x5x2 grading of intelligence: the source's reliability (1 to 3),
// the assessment of the information (A to E) and the handling code (P or
// C).
var (
	SourceGrades = map[string]string{"1": "Reliable", "2": "Untested", "3": "Not reliable"}
	IntelGrades  = map[string]string{"A": "Known directly to the source", "B": "Known indirectly to the source, corroborated",
		"C": "Known indirectly to the source", "D": "Not known", "E": "Suspected to be false"}
	HandlingCodes = map[string]string{"P": "Lawful sharing permitted", "C": "Lawful sharing permitted with conditions"}
)

// Link is a typed link between two entities, with its source and grading.
// It is marked as high as the higher of its ends and sits in the
// compartments of both, so it is seen only by someone who may see both.
type Link struct {
	ID          int64  `json:"id"`
	From        int64  `json:"from"`
	To          int64  `json:"to"`
	Type        string `json:"type"` // for example "uses", "lives at", "met"
	Source      string `json:"source"`
	SourceGrade string `json:"source_grade"`
	IntelGrade  string `json:"intel_grade"`
	Handling    string `json:"handling"`
	Meta        Meta   `json:"meta"`
}

// Validate checks a link.
func (l *Link) Validate() error {
	var fe FieldErrors
	l.Type, l.Source = strings.TrimSpace(l.Type), strings.TrimSpace(l.Source)
	if l.From == 0 || l.To == 0 || l.From == l.To {
		fe.Add("to", "Select two different entities to link")
	}
	checkText(&fe, "type", "Enter how they are linked", l.Type, 100)
	checkText(&fe, "source", "Enter the source of the link", l.Source, 300)
	if _, ok := SourceGrades[l.SourceGrade]; !ok {
		fe.Add("source_grade", "Select the source evaluation, 1, 2 or 3")
	}
	if _, ok := IntelGrades[l.IntelGrade]; !ok {
		fe.Add("intel_grade", "Select the intelligence assessment, A to E")
	}
	if _, ok := HandlingCodes[l.Handling]; !ok {
		fe.Add("handling", "Select the handling code, P or C")
	}
	return fe.Err()
}

// POLEService keeps the entities of investigations and the links between
// them. Lists hold only what the actor may see; a link is listed only when
// the actor may see both its ends.
type POLEService interface {
	CreateEntity(ctx context.Context, a *Actor, e *Entity) error
	FindEntityByID(ctx context.Context, a *Actor, id int64) (*Entity, error)
	FindEntities(ctx context.Context, a *Actor, investigationID int64) ([]*Entity, error)
	CreateLink(ctx context.Context, a *Actor, l *Link) error
	FindLinks(ctx context.Context, a *Actor, entityID int64) ([]*Link, error)
}

// Network is the part of the link graph an actor may see around some
// entities: the links and the numbers of the entities they join.
type Network struct {
	Entities []int64 `json:"entities"`
	Links    []*Link `json:"links"`
}

// LinkAnalysis walks the visible link graph. Only links the actor may see
// are followed, so a hidden entity is neither returned nor counted, and a
// path never passes through one.
type LinkAnalysis interface {
	// Neighbourhood is the network up to steps (1 to 3) links out.
	Neighbourhood(ctx context.Context, a *Actor, entityID int64, steps int) (*Network, error)
	// ShortestConnection is the entities on a shortest visible path from
	// one entity to another, both ends included, of at most 6 links; nil
	// when there is none.
	ShortestConnection(ctx context.Context, a *Actor, from, to int64) ([]int64, error)
	// CommonAssociates are the entities directly linked to every one of
	// two or more entities.
	CommonAssociates(ctx context.Context, a *Actor, ids []int64) ([]int64, error)
}
