package contest

import (
	"context"
	"strings"
	"time"
)

// Prevent kinds beyond the referral itself (KindPreventCase). Screening
// steps, assessments, consents, support plans and reviews belong to their
// referral and follow its access decision.
const (
	// KindPanelMeeting is a meeting of a local authority's multi-agency
	// panel (Channel). Its papers are shown only to its members.
	KindPanelMeeting Kind = "panel_meeting"
	// KindDeconfliction is a Prevent referral whose person matched a
	// Pursue record at screening: it goes to the investigation team and
	// is never shown on the Prevent side.
	KindDeconfliction Kind = "prevent_deconfliction"
)

// Choice is a coded answer with its label.
type Choice struct{ Code, Label string }

// label finds code in cs.
func label(cs []Choice, code string) string {
	for _, c := range cs {
		if c.Code == code {
			return c.Label
		}
	}
	return code
}

func known(cs []Choice, code string) bool {
	for _, c := range cs {
		if c.Code == code {
			return true
		}
	}
	return false
}

// PreventSectors are the sectors a referral comes from.
var PreventSectors = []Choice{{"education", "Education"}, {"health", "Health"}, {"local_authority", "Local authority"},
	{"police", "Police"}, {"prisons", "Prisons"}, {"probation", "Probation"}, {"community", "Community"},
	{"friends_family", "Friends and family"}, {"other", "Other"}}

// PreventConcerns are the types of concern as recorded by the referrer,
// for statistics only.
var PreventConcerns = []Choice{{"islamist", "Islamist"}, {"extreme_right_wing", "Extreme right-wing"},
	{"left_wing_anarchist_single_issue", "Left-wing, anarchist or single-issue"}, {"conflicted", "Conflicted"},
	{"no_ideology", "No ideology or counter-terrorism risk"}, {"school_massacre", "School massacre"},
	{"incel", "Incel"}, {"other", "Other"}}

// PreventGenders are the genders recorded for statistics only.
var PreventGenders = []Choice{{"female", "Female"}, {"male", "Male"}, {"other", "Other"}, {"unknown", "Not known"}}

// SectorLabel is the label of a sector code.
func SectorLabel(code string) string { return label(PreventSectors, code) }

// ConcernLabel is the label of a concern code.
func ConcernLabel(code string) string { return label(PreventConcerns, code) }

// ReferralRequest is what a referrer submits: who is referred, where they
// live, and the answers statutory guidance asks for. Age, gender, region and
// concern are for statistics only and never an input to any score.
type ReferralRequest struct {
	GivenName   string `json:"given_name"`
	FamilyName  string `json:"family_name"`
	DateOfBirth string `json:"date_of_birth,omitempty"`
	// Area is the local authority area where the person lives: it decides
	// which authority's panel the case goes to.
	Area    string          `json:"area"`
	Sector  string          `json:"sector"`
	Concern string          `json:"concern"`
	Age     int             `json:"age,omitempty"`
	Gender  string          `json:"gender,omitempty"`
	Region  string          `json:"region,omitempty"`
	Details ReferralDetails `json:"details"`
}

// ReferralDetails are the statutory-guidance questions of a referral.
type ReferralDetails struct {
	HowConcernArose     string `json:"how_concern_arose"`
	Behaviour           string `json:"behaviour"`
	Indicators          string `json:"indicators"`
	OnlineActivity      string `json:"online_activity,omitempty"`
	Contacts            string `json:"contacts,omitempty"`
	ThreatsOfHarm       string `json:"threats_of_harm,omitempty"`
	SpecialNeeds        string `json:"special_needs,omitempty"`
	OtherSafeguarding   string `json:"other_safeguarding,omitempty"`
	DiscussedWithPerson string `json:"discussed_with_person"` // yes, no
	Discussion          string `json:"discussion,omitempty"`
	// ChildUnder18 and ParentalSupport: where the person is a child, what
	// support their parents or carers give.
	ChildUnder18    bool   `json:"child_under_18,omitempty"`
	ParentalSupport string `json:"parental_support,omitempty"`
}

// Lengths of free text.
const (
	maxPreventText = 4000
	maxPreventLine = 200
)

// Validate checks and trims the request, giving every problem at once.
func (r *ReferralRequest) Validate() error {
	var fe FieldErrors
	line := func(field, what string, v *string, required bool) {
		*v = strings.TrimSpace(*v)
		switch {
		case *v == "" && required:
			fe.Add(field, "Enter "+what)
		case len(*v) > maxPreventLine:
			fe.Add(field, upperFirst(what)+" must be 200 characters or fewer")
		}
	}
	text := func(field, what string, v *string, required bool) {
		*v = strings.TrimSpace(*v)
		switch {
		case *v == "" && required:
			fe.Add(field, "Enter "+what)
		case len(*v) > maxPreventText:
			fe.Add(field, upperFirst(what)+" must be 4000 characters or fewer")
		}
	}
	line("given_name", "the given name of the person referred", &r.GivenName, false)
	line("family_name", "the family name of the person referred", &r.FamilyName, true)
	r.DateOfBirth = strings.TrimSpace(r.DateOfBirth)
	if r.DateOfBirth != "" {
		if _, err := time.Parse("2006-01-02", r.DateOfBirth); err != nil {
			fe.Add("date_of_birth", "Date of birth must be a real date, like 2007-03-27")
		}
	}
	line("area", "the local authority area where the person lives", &r.Area, true)
	if !known(PreventSectors, r.Sector) {
		fe.Add("sector", "Select the sector making the referral")
	}
	if !known(PreventConcerns, r.Concern) {
		fe.Add("concern", "Select the type of concern")
	}
	if r.Age < 0 || r.Age > 120 {
		fe.Add("age", "Age must be a whole number of years between 0 and 120")
	}
	if r.Gender == "" {
		r.Gender = "unknown"
	}
	if !known(PreventGenders, r.Gender) {
		fe.Add("gender", "Select a gender, or not known")
	}
	line("region", "the region", &r.Region, false)
	d := &r.Details
	text("how_concern_arose", "how the concern arose", &d.HowConcernArose, true)
	text("behaviour", "the behaviour or event that caused concern", &d.Behaviour, true)
	text("indicators", "the indicators of concern", &d.Indicators, true)
	text("online_activity", "the online activity", &d.OnlineActivity, false)
	text("contacts", "the worrying contacts", &d.Contacts, false)
	text("threats_of_harm", "the threats of harm", &d.ThreatsOfHarm, false)
	text("special_needs", "the special needs or disability", &d.SpecialNeeds, false)
	text("other_safeguarding", "the other safeguarding concerns", &d.OtherSafeguarding, false)
	if d.DiscussedWithPerson != "yes" && d.DiscussedWithPerson != "no" {
		fe.Add("discussed_with_person", "Select whether the concern was discussed with the person")
	}
	text("discussion", "what was discussed", &d.Discussion, false)
	text("parental_support", "the parental support", &d.ParentalSupport, d.ChildUnder18)
	return fe.Err()
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// What a referrer learns of their referral: never the screening decision
// itself, never a match, only one of these.
const (
	ReferrerReceived     = "received"          // being considered
	ReferrerNoAction     = "no_prevent_action" // closed, perhaps signposted elsewhere
	ReferrerTakenForward = "taken_forward"     // police-led or panel alike
)

// ReferrerView is all a referrer sees of their referral.
type ReferrerView struct {
	Reference    string    `json:"reference"`
	ReferredAt   time.Time `json:"referred_at"`
	Outcome      string    `json:"outcome"`
	Message      string    `json:"message"`
	SignpostedTo string    `json:"signposted_to,omitempty"`
}

// Screening decisions.
const (
	ScreenNotPrevent = "not_prevent" // not for Prevent, signposted elsewhere
	ScreenPoliceLed  = "police_led"
	ScreenPanel      = "panel"
)

// ScreeningDecisions lists the decisions with their labels.
var ScreeningDecisions = []Choice{{ScreenNotPrevent, "Not for Prevent: signposted elsewhere"},
	{ScreenPoliceLed, "Police-led case"}, {ScreenPanel, "To the panel"}}

// Screening steps, in order.
const (
	StepPursueCheck = "pursue_check"
	StepDecision    = "decision"
)

// ScreeningStep is one timed step of screening.
type ScreeningStep struct {
	Step       string        `json:"step"`
	StartedAt  time.Time     `json:"started_at"`
	FinishedAt time.Time     `json:"finished_at"`
	Took       time.Duration `json:"took_ns"`
	By         int64         `json:"by"`
	Note       string        `json:"note,omitempty"`
}

// Screening is a referral's screening by counter-terrorism police. The
// result of the Pursue check is never part of it.
type Screening struct {
	ReferralID   int64            `json:"referral_id"`
	Steps        []*ScreeningStep `json:"steps"`
	Decision     string           `json:"decision,omitempty"`
	Reason       string           `json:"reason,omitempty"`
	SignpostedTo string           `json:"signposted_to,omitempty"`
	DecidedBy    int64            `json:"decided_by,omitempty"`
	DecidedAt    time.Time        `json:"decided_at,omitzero"`
}

// Deconfliction is a referral routed to the investigation team because its
// person matched a Pursue record. Only Pursue readers see it.
type Deconfliction struct {
	ID              int64     `json:"id"`
	ReferralID      int64     `json:"referral_id"`
	Reference       string    `json:"reference"`
	PossibleMatches []int64   `json:"possible_matches"`
	Status          string    `json:"status"` // open, no_conflict, conflict
	Reason          string    `json:"reason,omitempty"`
	CreatedAt       time.Time `json:"created_at"`
	Meta            Meta      `json:"meta"`
}

// PreventService is the Prevent programme. Every method decides access on
// the referral (or the panel meeting) and audits in the same transaction;
// a hidden referral and a missing one give the same ENOTFOUND.
type PreventService interface {
	// CreatePreventReferral stores a referral from any sector with a new
	// reference, owned by the referrer's organisation. Returns EINVALID
	// with every field problem, or EFORBIDDEN.
	CreatePreventReferral(ctx context.Context, a *Actor, r *ReferralRequest) (*PreventReferral, error)
	// PreventReferralDetails returns the statutory-guidance answers.
	PreventReferralDetails(ctx context.Context, a *Actor, id int64) (*ReferralDetails, error)
	// PreventReferrerView is what the referrer (or their organisation)
	// may learn of a referral, by its reference.
	PreventReferrerView(ctx context.Context, a *Actor, reference string) (*ReferrerView, error)
	// ScreenPreventReferral runs the Pursue check (counter-terrorism
	// police only). A match is routed to the investigation team; the
	// answer is the same whether or not there was one.
	ScreenPreventReferral(ctx context.Context, a *Actor, id int64) (*Screening, error)
	// DecidePreventScreening records the decision with its reason, after
	// the Pursue check. Returns ECONFLICT if already decided or unchecked.
	DecidePreventScreening(ctx context.Context, a *Actor, id int64, decision, reason, signpostedTo string) (*Screening, error)
	FindPreventScreening(ctx context.Context, a *Actor, id int64) (*Screening, error)
	// FindDeconflictions lists the referrals routed to the investigation
	// team, for Pursue readers.
	FindDeconflictions(ctx context.Context, a *Actor) ([]*Deconfliction, error)
	// ResolveDeconfliction records the investigation team's answer, with
	// the reason: no conflict (Prevent may proceed) or conflict (the case
	// is handled with the investigation). Nothing reaches the Prevent side.
	ResolveDeconfliction(ctx context.Context, a *Actor, id int64, conflict bool, reason string) (*Deconfliction, error)

	// RecordVulnerabilityAssessment stores an assessment of all 22
	// factors. Returns EINVALID with a message per factor.
	RecordVulnerabilityAssessment(ctx context.Context, a *Actor, referralID int64, ratings []FactorRating, summary string) (*VulnerabilityAssessment, error)
	// FindVulnerabilityAssessments lists a referral's assessments, oldest
	// first, each with the change from the one before.
	FindVulnerabilityAssessments(ctx context.Context, a *Actor, referralID int64) ([]*VulnerabilityAssessment, error)
	// RecordConsent records consent given, refused or withdrawn.
	RecordConsent(ctx context.Context, a *Actor, referralID int64, c *Consent) error
	// FindConsents lists a referral's consent records, oldest first.
	FindConsents(ctx context.Context, a *Actor, referralID int64) ([]*Consent, error)

	// OpenSupportPlan starts support for an adopted (or police-led) case.
	// Returns ECONFLICT unless the latest consent is given.
	OpenSupportPlan(ctx context.Context, a *Actor, referralID int64, providers []string, goals string) (*SupportPlan, error)
	// AddSupportSession records a session with a provider of the plan,
	// with its progress note. Returns ECONFLICT unless consent stands.
	AddSupportSession(ctx context.Context, a *Actor, referralID int64, s *SupportSession) error
	// ExitSupportPlan closes support with an outcome and a reason and
	// schedules the reviews 6 and 12 months later in the owner's queue.
	ExitSupportPlan(ctx context.Context, a *Actor, referralID int64, outcome, reason string) (*SupportPlan, error)
	// FindSupportPlan returns the referral's plan with its sessions, or
	// nil if it has none.
	FindSupportPlan(ctx context.Context, a *Actor, referralID int64) (*SupportPlan, error)
	// FindReviewQueue lists the actor's reviews not yet done, soonest
	// due first, on referrals they may see.
	FindReviewQueue(ctx context.Context, a *Actor) ([]*Review, error)
	// FindReviews lists a referral's reviews.
	FindReviews(ctx context.Context, a *Actor, referralID int64) ([]*Review, error)
	// RecordReviewOutcome records a review's outcome with a note.
	RecordReviewOutcome(ctx context.Context, a *Actor, reviewID int64, outcome, note string) (*Review, error)
}

// Support plan statuses.
const (
	PlanOpen   = "open"
	PlanExited = "exited"
)

// ExitOutcomes are the outcomes of support at exit.
var ExitOutcomes = []Choice{{"risk_reduced", "Vulnerability reduced: no further support needed"},
	{"withdrew", "Person withdrew consent"}, {"moved", "Moved to another area"},
	{"escalated", "Risk escalated: referred to police"}, {"other", "Other"}}

// ReviewOutcomes are the outcomes of a review after exit.
var ReviewOutcomes = []Choice{{"no_concern", "No further concern"}, {"concern_re_referred", "Concern: re-referred"},
	{"not_contactable", "Not contactable"}}

// SupportPlan is the support given to an adopted case.
type SupportPlan struct {
	ID         int64             `json:"id"`
	ReferralID int64             `json:"referral_id"`
	Providers  []string          `json:"providers"`
	Goals      string            `json:"goals,omitempty"`
	Status     string            `json:"status"`
	Outcome    string            `json:"outcome,omitempty"`
	ExitReason string            `json:"exit_reason,omitempty"`
	OpenedBy   int64             `json:"opened_by"`
	OpenedAt   time.Time         `json:"opened_at"`
	ExitedBy   int64             `json:"exited_by,omitempty"`
	ExitedAt   time.Time         `json:"exited_at,omitzero"`
	Sessions   []*SupportSession `json:"sessions"`
}

// SupportSession is one session with an intervention provider.
type SupportSession struct {
	ID         int64     `json:"id"`
	Provider   string    `json:"provider"`
	HeldAt     time.Time `json:"held_at"`
	Progress   string    `json:"progress"`
	RecordedBy int64     `json:"recorded_by"`
	RecordedAt time.Time `json:"recorded_at"`
}

// Review is a review of a case 6 or 12 months after exit.
type Review struct {
	ID          int64     `json:"id"`
	ReferralID  int64     `json:"referral_id"`
	Reference   string    `json:"reference"`
	Months      int       `json:"months"`
	DueAt       time.Time `json:"due_at"`
	OwnerUserID int64     `json:"owner_user_id"`
	Outcome     string    `json:"outcome,omitempty"`
	Note        string    `json:"note,omitempty"`
	DoneBy      int64     `json:"done_by,omitempty"`
	DoneAt      time.Time `json:"done_at,omitzero"`
}

// ChoiceValid reports whether code is one of cs.
func ChoiceValid(cs []Choice, code string) bool { return known(cs, code) }

// ChoiceLabel is the label of code in cs.
func ChoiceLabel(cs []Choice, code string) string { return label(cs, code) }

// The dimensions of the vulnerability assessment framework.
const (
	DimEngagement = "engagement"
	DimIntent     = "intent"
	DimCapability = "capability"
)

// Factor is one factor of the vulnerability assessment framework.
type Factor struct {
	Code      string `json:"code"`
	Dimension string `json:"dimension"`
	Name      string `json:"name"`
}

// Factors are the 22 factors: 13 of engagement, 6 of intent and 3 of
// capability. None is a protected characteristic.
var Factors = []Factor{
	{"E1", DimEngagement, "Feelings of grievance and injustice"},
	{"E2", DimEngagement, "Feeling under threat"},
	{"E3", DimEngagement, "A need for identity, meaning and belonging"},
	{"E4", DimEngagement, "A desire for status"},
	{"E5", DimEngagement, "A desire for excitement and adventure"},
	{"E6", DimEngagement, "A need to dominate and control others"},
	{"E7", DimEngagement, "Susceptibility to indoctrination"},
	{"E8", DimEngagement, "A desire for political or moral change"},
	{"E9", DimEngagement, "Opportunistic involvement"},
	{"E10", DimEngagement, "Family or friends support extremist offending"},
	{"E11", DimEngagement, "Being at a transitional time of life"},
	{"E12", DimEngagement, "Being influenced or controlled by a group"},
	{"E13", DimEngagement, "Relevant mental health issues"},
	{"I1", DimIntent, "Over-identification with a group or ideology"},
	{"I2", DimIntent, "Them and us thinking"},
	{"I3", DimIntent, "Dehumanisation of the enemy"},
	{"I4", DimIntent, "Attitudes that justify offending"},
	{"I5", DimIntent, "Harmful means to an end"},
	{"I6", DimIntent, "Harmful objectives"},
	{"C1", DimCapability, "Individual knowledge, skills and competencies"},
	{"C2", DimCapability, "Access to networks, funding or equipment"},
	{"C3", DimCapability, "Criminal history"},
}

// Factor ratings.
const (
	RatingNone     = 0
	RatingLow      = 1
	RatingModerate = 2
	RatingHigh     = 3
)

// RatingLabels names the ratings, by value.
var RatingLabels = []string{"Not present", "Low", "Moderate", "High"}

// FactorRating is the assessor's rating of one factor with the evidence.
type FactorRating struct {
	Factor   string `json:"factor"`
	Rating   int    `json:"rating"`
	Evidence string `json:"evidence,omitempty"`
	// Change is the rating less the previous assessment's (0 for the
	// first); set when read.
	Change int `json:"change"`
}

// DimensionScores are the totals of the ratings of each dimension.
type DimensionScores struct {
	Engagement int `json:"engagement"`
	Intent     int `json:"intent"`
	Capability int `json:"capability"`
}

// VulnerabilityAssessment is one vulnerability assessment of a referred person.
type VulnerabilityAssessment struct {
	ID         int64           `json:"id"`
	ReferralID int64           `json:"referral_id"`
	Ratings    []FactorRating  `json:"ratings"`
	Scores     DimensionScores `json:"scores"`
	// Previous are the previous assessment's scores (zero for the first).
	Previous   *DimensionScores `json:"previous,omitempty"`
	Summary    string           `json:"summary,omitempty"`
	AssessedBy int64            `json:"assessed_by"`
	AssessedAt time.Time        `json:"assessed_at"`
}

// ValidateRatings checks that ratings cover each of the 22 factors once, in
// range, with evidence for every rating above "not present", and returns
// them in the framework's order.
func ValidateRatings(in []FactorRating) ([]FactorRating, error) {
	var fe FieldErrors
	by := map[string]FactorRating{}
	for _, r := range in {
		if _, dup := by[r.Factor]; dup {
			fe.Add(r.Factor, "Rate factor "+r.Factor+" once")
		}
		by[r.Factor] = r
	}
	out := make([]FactorRating, 0, len(Factors))
	for _, f := range Factors {
		r, ok := by[f.Code]
		delete(by, f.Code)
		r.Evidence = strings.TrimSpace(r.Evidence)
		switch {
		case !ok:
			fe.Add(f.Code, "Rate "+strings.ToLower(f.Name[:1])+f.Name[1:])
		case r.Rating < RatingNone || r.Rating > RatingHigh:
			fe.Add(f.Code, "Rating of "+f.Code+" must be not present, low, moderate or high")
		case r.Rating > RatingNone && r.Evidence == "":
			fe.Add(f.Code, "Give the evidence for the rating of "+strings.ToLower(f.Name[:1])+f.Name[1:])
		case len(r.Evidence) > maxPreventText:
			fe.Add(f.Code, "Evidence must be 4000 characters or fewer")
		}
		r.Change = 0
		out = append(out, r)
	}
	for code := range by {
		fe.Add(code, "There is no factor "+code)
	}
	return out, fe.Err()
}

// Score totals the ratings by dimension. It is computed from the 22 factor
// ratings alone: it takes nothing else, so no protected characteristic can
// reach it.
func Score(ratings []FactorRating) DimensionScores {
	dim := map[string]string{}
	for _, f := range Factors {
		dim[f.Code] = f.Dimension
	}
	var s DimensionScores
	for _, r := range ratings {
		switch dim[r.Factor] {
		case DimEngagement:
			s.Engagement += r.Rating
		case DimIntent:
			s.Intent += r.Rating
		case DimCapability:
			s.Capability += r.Rating
		}
	}
	return s
}

// Consent decisions, who may give consent, and on what basis.
const (
	ConsentGiven     = "given"
	ConsentRefused   = "refused"
	ConsentWithdrawn = "withdrawn"

	ConsentByPerson    = "person"
	ConsentByParent    = "parent_or_guardian"
	ConsentByDeputy    = "attorney_or_deputy"
	BasisAdult         = "adult"
	BasisChild         = "child"
	BasisLacksCapacity = "lacks_capacity"
)

// Consent is one record of consent to support, given, refused or withdrawn.
// Support is voluntary: no support step starts unless the latest record is
// given.
type Consent struct {
	ID         int64     `json:"id"`
	ReferralID int64     `json:"referral_id"`
	Decision   string    `json:"decision"`
	Basis      string    `json:"basis"`    // adult, child, lacks_capacity
	GivenBy    string    `json:"given_by"` // person, parent_or_guardian, attorney_or_deputy
	Name       string    `json:"name,omitempty"`
	Note       string    `json:"note,omitempty"`
	RecordedBy int64     `json:"recorded_by"`
	RecordedAt time.Time `json:"recorded_at"`
}

// Validate checks that whoever gave the answer may give it: the person if an
// adult with capacity, a parent or guardian for a child, an attorney or
// deputy for an adult lacking capacity.
func (c *Consent) Validate() error {
	var fe FieldErrors
	if c.Decision != ConsentGiven && c.Decision != ConsentRefused && c.Decision != ConsentWithdrawn {
		fe.Add("decision", "Select whether consent was given, refused or withdrawn")
	}
	want := map[string]string{BasisAdult: ConsentByPerson, BasisChild: ConsentByParent, BasisLacksCapacity: ConsentByDeputy}
	switch w, ok := want[c.Basis]; {
	case !ok:
		fe.Add("basis", "Select whether the person is an adult, a child, or an adult lacking capacity")
	case c.GivenBy != w:
		fe.Add("given_by", map[string]string{
			BasisAdult:         "An adult with capacity answers for themselves",
			BasisChild:         "For a child, a parent or guardian answers",
			BasisLacksCapacity: "For an adult lacking capacity, an attorney or deputy answers",
		}[c.Basis])
	}
	c.Name, c.Note = strings.TrimSpace(c.Name), strings.TrimSpace(c.Note)
	if c.GivenBy != ConsentByPerson && c.GivenBy != "" && c.Name == "" {
		fe.Add("name", "Enter the name of whoever answered for the person")
	}
	if len(c.Name) > maxPreventLine {
		fe.Add("name", "Name must be 200 characters or fewer")
	}
	if len(c.Note) > maxPreventText {
		fe.Add("note", "Note must be 4000 characters or fewer")
	}
	return fe.Err()
}

// Panel attendance and decisions.
const (
	AttendExpected  = "expected"
	AttendPresent   = "present"
	AttendApologies = "apologies"
	AttendAbsent    = "absent"

	PanelAdopt       = "adopt"
	PanelNotAdopt    = "not_adopt"
	PanelReferPolice = "refer_police"
)

// PanelDecisions lists the panel's decisions on a case.
var PanelDecisions = []Choice{{PanelAdopt, "Adopt as a Channel case"}, {PanelNotAdopt, "Not adopted: no further Prevent action"},
	{PanelReferPolice, "Not suitable for the panel: back to the police"}}

// PanelMeeting is a meeting of a local authority's panel, chaired by the
// authority. Its papers are shown only to its members.
type PanelMeeting struct {
	ID          int64          `json:"id"`
	HeldAt      time.Time      `json:"held_at"`
	ChairUserID int64          `json:"chair_user_id"`
	Status      string         `json:"status"` // scheduled
	Members     []*PanelMember `json:"members"`
	Agenda      []*AgendaItem  `json:"agenda"`
	// Papers are nil, and PapersHidden true, for a reader who is not a
	// member of this meeting.
	Papers       []*PanelPaper `json:"papers,omitempty"`
	PapersHidden bool          `json:"papers_hidden,omitempty"`
	Meta         Meta          `json:"meta"`
}

// PanelMember is a member of one meeting and their attendance.
type PanelMember struct {
	UserID     int64  `json:"user_id"`
	Name       string `json:"name"`
	Attendance string `json:"attendance"`
}

// AgendaItem is a case on a meeting's agenda and, once decided, its
// minute.
type AgendaItem struct {
	ID         int64     `json:"id"`
	ReferralID int64     `json:"referral_id"`
	Reference  string    `json:"reference"`
	Position   int       `json:"position"`
	Decision   string    `json:"decision,omitempty"`
	Minutes    string    `json:"minutes,omitempty"`
	Actions    string    `json:"actions,omitempty"`
	MinutedBy  int64     `json:"minuted_by,omitempty"`
	MinutedAt  time.Time `json:"minuted_at,omitzero"`
	// Case and Details are the referral as the panel considers it, set for
	// the meeting's members only: membership of a meeting is sight of the
	// cases on its agenda.
	Case    *PreventReferral `json:"case,omitempty"`
	Details *ReferralDetails `json:"details,omitempty"`
}

// PanelPaper is a paper for a meeting, perhaps about one case.
type PanelPaper struct {
	ID         int64     `json:"id"`
	ReferralID int64     `json:"referral_id,omitempty"`
	Title      string    `json:"title"`
	Body       string    `json:"body"`
	AddedBy    int64     `json:"added_by"`
	AddedAt    time.Time `json:"added_at"`
}

// PanelService runs the panels. A meeting is seen under the access rule for
// KindPanelMeeting; its papers only by its members; a hidden meeting and a
// missing one give the same ENOTFOUND.
type PanelService interface {
	// CreatePanelMeeting is for a local authority: the meeting is its own,
	// for its area, chaired by the creator unless ChairUserID is set, with
	// the given members (the chair is always one).
	CreatePanelMeeting(ctx context.Context, a *Actor, m *PanelMeeting, memberIDs []int64) error
	FindPanelMeetings(ctx context.Context, a *Actor) ([]*PanelMeeting, error)
	FindPanelMeetingByID(ctx context.Context, a *Actor, id int64) (*PanelMeeting, error)
	// BuildPanelAgenda adds the area's cases due at a panel (screened to
	// the panel, not yet on an undecided agenda item), longest waiting
	// first up to a limit, and returns how many.
	BuildPanelAgenda(ctx context.Context, a *Actor, meetingID int64) (int, error)
	// SetPanelAttendance records a member's attendance.
	SetPanelAttendance(ctx context.Context, a *Actor, meetingID, userID int64, attendance string) error
	// AddPanelPaper adds a paper; members only.
	AddPanelPaper(ctx context.Context, a *Actor, meetingID int64, p *PanelPaper) error
	// PanelMemberIDs finds the users to invite by user name; EINVALID
	// names those not found.
	PanelMemberIDs(ctx context.Context, a *Actor, usernames []string) ([]int64, error)
	// RecordPanelDecision minutes the decision on an agenda item, with the
	// actions, and moves the case on. Members only; ECONFLICT if decided.
	RecordPanelDecision(ctx context.Context, a *Actor, meetingID, itemID int64, decision, minutes, actions string) (*AgendaItem, error)
}

// KindDDPCase is a case of the Desistance and Disengagement Programme.
const KindDDPCase Kind = "ddp_case"

// DDPBases are why a person is on the programme.
var DDPBases = []Choice{{"licence", "On licence after a terrorism-related sentence"},
	{"tpim", "Subject to a Terrorism Prevention and Investigation Measures notice"},
	{"teo", "Subject to a Temporary Exclusion Order"}}

// DDPCase is a person on the Desistance and Disengagement Programme, with
// the provider and the sessions held.
type DDPCase struct {
	ID          int64             `json:"id"`
	GivenName   string            `json:"given_name"`
	FamilyName  string            `json:"family_name"`
	DateOfBirth string            `json:"date_of_birth,omitempty"`
	Basis       string            `json:"basis"`
	Mandated    bool              `json:"mandated"`
	Provider    string            `json:"provider"`
	Status      string            `json:"status"` // open, closed
	OwnerUserID int64             `json:"owner_user_id"`
	Sessions    []*SupportSession `json:"sessions"`
	Meta        Meta              `json:"meta"`
}

// Validate checks the fields a caller supplies.
func (c *DDPCase) Validate() error {
	var fe FieldErrors
	c.GivenName, c.FamilyName, c.Provider = strings.TrimSpace(c.GivenName), strings.TrimSpace(c.FamilyName), strings.TrimSpace(c.Provider)
	switch {
	case c.FamilyName == "":
		fe.Add("family_name", "Enter the family name")
	case len(c.FamilyName) > maxPreventLine || len(c.GivenName) > maxPreventLine:
		fe.Add("family_name", "Names must be 200 characters or fewer")
	}
	c.DateOfBirth = strings.TrimSpace(c.DateOfBirth)
	if c.DateOfBirth != "" {
		if _, err := time.Parse("2006-01-02", c.DateOfBirth); err != nil {
			fe.Add("date_of_birth", "Date of birth must be a real date, like 1990-03-27")
		}
	}
	if !known(DDPBases, c.Basis) {
		fe.Add("basis", "Select why the person is on the programme")
	}
	switch {
	case c.Provider == "":
		fe.Add("provider", "Enter the intervention provider")
	case len(c.Provider) > maxPreventLine:
		fe.Add("provider", "Provider must be 200 characters or fewer")
	}
	return fe.Err()
}

// DDPService keeps the Desistance and Disengagement Programme's cases.
type DDPService interface {
	// CreateDDPCase stores a case; the person is matched like any other.
	CreateDDPCase(ctx context.Context, a *Actor, c *DDPCase) error
	FindDDPCases(ctx context.Context, a *Actor) ([]*DDPCase, error)
	FindDDPCaseByID(ctx context.Context, a *Actor, id int64) (*DDPCase, error)
	// AddDDPSession records a session with the case's provider.
	AddDDPSession(ctx context.Context, a *Actor, caseID int64, s *SupportSession) error
}

// StatRow is one line of a statistics breakdown: how many of the year's
// referrals with this value were referred, discussed at a panel, adopted
// as a Channel case and exited.
type StatRow struct {
	Key       string `json:"key"`
	Label     string `json:"label"`
	Referred  int    `json:"referred"`
	Discussed int    `json:"discussed"`
	Adopted   int    `json:"adopted"`
	Exited    int    `json:"exited"`
}

// PreventStats are a financial year's figures laid out as the Home Office
// release "Individuals referred to and supported through the Prevent
// Programme": the journey and breakdowns, over the referrals the reader may
// see. They count; they never score anyone.
type PreventStats struct {
	FinancialYear int       `json:"financial_year"` // 2025 is April 2025 to March 2026
	From          time.Time `json:"from"`
	To            time.Time `json:"to"` // exclusive
	DataDate      time.Time `json:"data_date"`
	Journey       StatRow   `json:"journey"`
	ByAge         []StatRow `json:"by_age"`
	ByGender      []StatRow `json:"by_gender"`
	ByConcern     []StatRow `json:"by_concern"`
	BySector      []StatRow `json:"by_sector"`
	ByRegion      []StatRow `json:"by_region"`
}

// AgeBands are the release's age bands; age 0 is not known.
var AgeBands = []Choice{{"under_15", "Under 15"}, {"15_20", "15 to 20"}, {"21_30", "21 to 30"}, {"31_40", "31 to 40"},
	{"41_50", "41 to 50"}, {"over_50", "Over 50"}, {"unknown", "Not known"}}

// AgeBand is the band of an age in years.
func AgeBand(age int) string {
	switch {
	case age <= 0:
		return "unknown"
	case age < 15:
		return "under_15"
	case age <= 20:
		return "15_20"
	case age <= 30:
		return "21_30"
	case age <= 40:
		return "31_40"
	case age <= 50:
		return "41_50"
	}
	return "over_50"
}

// FinancialYearOf is the financial year (April to March) holding t.
func FinancialYearOf(t time.Time) int {
	if t.Month() < time.April {
		return t.Year() - 1
	}
	return t.Year()
}

// PreventStatsService computes the statistics.
type PreventStatsService interface {
	PreventStatistics(ctx context.Context, a *Actor, financialYear int) (*PreventStats, error)
}
