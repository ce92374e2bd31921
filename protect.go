package contest

import (
	"context"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The Protect strand: bulletins and alerts to partners and industry
// sectors (with the sector cascade and rumour control), the public page,
// the premises register under the Terrorism (Protection of Premises) Act
// 2025, and counter-terrorism awareness training records.

// Protect record kinds, besides KindBulletin.
const (
	// KindPremises is a venue in the premises register, with its
	// assessments and emergency plans.
	KindPremises Kind = "premises"
	// KindTraining is a training record of a person in a partner
	// organisation.
	KindTraining Kind = "training_record"
)

// BulletinType says what a bulletin is for.
type BulletinType string

// The bulletin types.
const (
	BulletinThreatUpdate BulletinType = "threat_update"
	BulletinAdvice       BulletinType = "advice"
	// BulletinRumour is rumour control: the one single truth about a
	// rumour going round. A public rumour-control statement (OFFICIAL and
	// marked Public) is shown on the public page.
	BulletinRumour BulletinType = "rumour_control"
)

// BulletinTypes lists the types in display order.
var BulletinTypes = []BulletinType{BulletinThreatUpdate, BulletinAdvice, BulletinRumour}

// Label is the human name of the type.
func (t BulletinType) Label() string {
	switch t {
	case BulletinThreatUpdate:
		return "Threat update"
	case BulletinAdvice:
		return "Protective security advice"
	case BulletinRumour:
		return "Rumour control"
	}
	return string(t)
}

// Valid reports whether t is a known type.
func (t BulletinType) Valid() bool {
	for _, x := range BulletinTypes {
		if x == t {
			return true
		}
	}
	return false
}

// Bulletin statuses.
const (
	BulletinDraft     = "draft"
	BulletinPublished = "published"
)

// PartnerKinds are the organisation kinds that receive Protect bulletins
// sent to all partners. Counter-terrorism policing and the security
// service issue bulletins and see every one their vetting covers.
var PartnerKinds = []OrgKind{OrgPolice, OrgLocalAuthority, OrgHealth, OrgEducation, OrgPrisonProbation,
	OrgOnlinePlatform, OrgBusiness, OrgSectorLead}

// IssuesBulletins reports whether organisations of kind k issue bulletins
// and so see every bulletin (within their vetting) rather than only those
// addressed to them.
func (k OrgKind) IssuesBulletins() bool { return k == OrgCTP || k == OrgSecurityService }

// Audience is who a bulletin is for. The organisations it names are
// resolved at publication; each person in them receives it only if their
// vetting covers the bulletin's classification (access.Decide).
type Audience struct {
	// AllPartners is every organisation of a PartnerKinds kind.
	AllPartners bool `json:"all_partners,omitempty"`
	// Sectors are industry sectors: their lead and member organisations.
	Sectors []int64 `json:"sectors,omitempty"`
	// Orgs are named organisations.
	Orgs []int64 `json:"orgs,omitempty"`
	// Regions are areas: every organisation whose area is one of them.
	Regions []string `json:"regions,omitempty"`
}

// IsZero reports whether the audience names nobody.
func (au Audience) IsZero() bool {
	return !au.AllPartners && len(au.Sectors) == 0 && len(au.Orgs) == 0 && len(au.Regions) == 0
}

// Bulletin is a threat update, protective-security advice or a
// rumour-control statement sent to partners.
type Bulletin struct {
	ID    int64        `json:"id"`
	Type  BulletinType `json:"type"`
	Title string       `json:"title"`
	Body  string       `json:"body"`
	// Public marks a rumour-control statement for the public page and the
	// public feed. Only OFFICIAL rumour control may be public.
	Public      bool      `json:"public"`
	Audience    Audience  `json:"audience"`
	Status      string    `json:"status"`
	PublishedAt time.Time `json:"published_at,omitzero"`
	PublishedBy int64     `json:"published_by,omitempty"`
	// ThreatChangeID is set on the bulletin made by a change of the
	// national threat level.
	ThreatChangeID int64 `json:"threat_change_id,omitempty"`
	// SenderName is the name of the issuing organisation.
	SenderName string `json:"sender_name"`
	Meta       Meta   `json:"meta"`

	// For the reader: whether the actor is a recipient and has
	// acknowledged.
	Recipient    bool      `json:"recipient"`
	Acknowledged time.Time `json:"acknowledged_at,omitzero"`
}

// Validate checks the fields a caller supplies.
func (b *Bulletin) Validate() error {
	var fe FieldErrors
	if !b.Type.Valid() {
		fe.Add("type", "Select the type of bulletin")
	}
	b.Title = strings.TrimSpace(b.Title)
	switch {
	case b.Title == "":
		fe.Add("title", "Enter a title")
	case utf8.RuneCountInString(b.Title) > 200:
		fe.Add("title", "Title must be 200 characters or fewer")
	}
	b.Body = strings.TrimSpace(b.Body)
	switch {
	case b.Body == "":
		fe.Add("body", "Enter the text of the bulletin")
	case len(b.Body) > 20000:
		fe.Add("body", "Text must be 20,000 characters or fewer")
	}
	if !b.Meta.Classification.Valid() {
		fe.Add("classification", "Select a classification")
	}
	if b.Public && (b.Type != BulletinRumour || b.Meta.Classification != Official) {
		fe.Add("public", "Only an OFFICIAL rumour-control statement may be published on the public page")
	}
	if len(b.Meta.Compartments) > 0 {
		fe.Add("compartments", "Bulletins are for partners and cannot be put in a compartment")
	}
	var regions []string
	for _, r := range b.Audience.Regions {
		if r = strings.TrimSpace(r); r != "" {
			regions = append(regions, r)
		}
		if len(r) > 100 {
			fe.Add("regions", "Each region must be 100 characters or fewer")
		}
	}
	b.Audience.Regions = regions
	if b.Audience.IsZero() {
		fe.Add("audience", "Choose who the bulletin is for")
	}
	return fe.Err()
}

// Recipient is one person a bulletin was sent to, and whether they have
// acknowledged it.
type Recipient struct {
	UserID      int64     `json:"user_id"`
	DisplayName string    `json:"display_name"`
	OrgID       int64     `json:"org_id"`
	OrgName     string    `json:"org_name"`
	Email       bool      `json:"email"` // has an e-mail address
	Via         string    `json:"via"`   // "audience" or "cascade"
	AckedAt     time.Time `json:"acknowledged_at,omitzero"`
}

// Cascade is one forwarding of a bulletin by an industry sector lead to
// the member organisations of its sector.
type Cascade struct {
	ID         int64     `json:"id"`
	BulletinID int64     `json:"bulletin_id"`
	SectorID   int64     `json:"sector_id"`
	SectorName string    `json:"sector_name"`
	ByOrgID    int64     `json:"by_org_id"`
	ByOrgName  string    `json:"by_org_name"`
	ByUserID   int64     `json:"by_user_id"`
	At         time.Time `json:"at"`
	Orgs       int       `json:"orgs"`
	Recipients int       `json:"recipients"`
	Acked      int       `json:"acknowledged"`
}

// DeliveryCounts is the state of a bulletin's outbox, by channel and status.
type DeliveryCounts struct {
	Channel string `json:"channel"`
	Pending int    `json:"pending"`
	Sent    int    `json:"sent"`
	Failed  int    `json:"failed"`
}

// BulletinReport is what a sender sees about a published bulletin: who
// has and has not acknowledged, the cascades and the deliveries.
type BulletinReport struct {
	Recipients   int               `json:"recipients"`
	Acknowledged int               `json:"acknowledged"`
	Orgs         int               `json:"orgs"`
	Pending      []*Recipient      `json:"not_acknowledged"` // first ones, by organisation
	Acked        []*Recipient      `json:"acknowledged_by"`  // latest ones
	Cascades     []*Cascade        `json:"cascades"`
	Deliveries   []*DeliveryCounts `json:"deliveries"`
	Rounds       int               `json:"rounds"`
}

// BulletinFilter selects bulletins.
type BulletinFilter struct {
	Type   BulletinType
	Status string
	// Unacknowledged keeps only bulletins sent to the actor that the
	// actor has not acknowledged.
	Unacknowledged bool
	Offset         int
	Limit          int
}

// Sector is an industry sector (retail, night-time economy, stadiums...),
// led by a sector lead organisation that cascades bulletins to its
// members.
type Sector struct {
	ID        int64   `json:"id"`
	Name      string  `json:"name"`
	LeadOrgID int64   `json:"lead_org_id"`
	LeadName  string  `json:"lead_name"`
	Members   []int64 `json:"members"`
}

// Validate checks the fields a caller supplies.
func (s *Sector) Validate() error {
	var fe FieldErrors
	s.Name = strings.TrimSpace(s.Name)
	switch {
	case s.Name == "":
		fe.Add("name", "Enter the sector's name")
	case len(s.Name) > 100:
		fe.Add("name", "Name must be 100 characters or fewer")
	}
	if s.LeadOrgID <= 0 {
		fe.Add("lead_org_id", "Select the sector lead organisation")
	}
	return fe.Err()
}

// PartnerChannels are an organisation's machine channels: a webhook to its
// own systems and an Atom feed for its readers. Clearance is the highest
// classification those systems are accredited for; bulletins above it go
// to neither.
type PartnerChannels struct {
	OrgID      int64          `json:"org_id"`
	WebhookURL string         `json:"webhook_url"`
	Clearance  Classification `json:"clearance"`
	// HasSecret and HasFeedToken say whether a webhook signing secret and
	// a feed token have been issued; neither is ever shown again.
	HasSecret    bool      `json:"has_secret"`
	HasFeedToken bool      `json:"has_feed_token"`
	FeedIssuedAt time.Time `json:"feed_issued_at,omitzero"`
}

// Validate checks the webhook address: https, or http to a loopback
// address (for development and tests).
func (p *PartnerChannels) Validate() error {
	var fe FieldErrors
	p.WebhookURL = strings.TrimSpace(p.WebhookURL)
	if p.WebhookURL != "" {
		u, err := url.Parse(p.WebhookURL)
		switch {
		case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
			fe.Add("webhook_url", "Enter the webhook address, like https://partner.example/contest")
		case u.Scheme == "http" && !isLoopbackHost(u.Hostname()):
			fe.Add("webhook_url", "The webhook address must use https")
		case len(p.WebhookURL) > 500:
			fe.Add("webhook_url", "The webhook address must be 500 characters or fewer")
		case u.User != nil:
			fe.Add("webhook_url", "The webhook address must not hold a user name or password")
		}
	}
	if !p.Clearance.Valid() {
		fe.Add("clearance", "Select the highest classification the partner's systems may receive")
	}
	return fe.Err()
}

func isLoopbackHost(h string) bool {
	return h == "localhost" || h == "::1" || strings.HasPrefix(h, "127.")
}

// PremisesTier is the tier of a premises under the Terrorism (Protection
// of Premises) Act 2025, decided by how many people may be present.
type PremisesTier string

// The tiers.
const (
	TierNone     PremisesTier = ""         // fewer than 200: out of scope
	TierStandard PremisesTier = "standard" // 200 to 799
	TierEnhanced PremisesTier = "enhanced" // 800 or more
)

// Tier thresholds of the Act.
const (
	StandardTierFrom = 200
	EnhancedTierFrom = 800
)

// TierFor is the tier of premises that may hold capacity people at once.
func TierFor(capacity int) PremisesTier {
	switch {
	case capacity >= EnhancedTierFrom:
		return TierEnhanced
	case capacity >= StandardTierFrom:
		return TierStandard
	}
	return TierNone
}

// Label is the human name of the tier.
func (t PremisesTier) Label() string {
	switch t {
	case TierStandard:
		return "Standard tier (200 to 799 people)"
	case TierEnhanced:
		return "Enhanced tier (800 or more people)"
	}
	return "Out of scope (fewer than 200 people)"
}

// Premises is a venue in the register.
type Premises struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Address  string `json:"address"`
	Postcode string `json:"postcode"`
	// Use is what the premises are (a Schedule 1 use: retail, sports
	// ground, entertainment venue...).
	Use      string `json:"use"`
	Capacity int    `json:"capacity"`
	// Tier is computed from Capacity; it is never stored.
	Tier PremisesTier `json:"tier"`
	// ResponsiblePerson is who is responsible for the premises under the
	// Act.
	ResponsiblePerson string           `json:"responsible_person"`
	ResponsibleEmail  string           `json:"responsible_email"`
	NextReviewAt      time.Time        `json:"next_review_at,omitzero"`
	OrgName           string           `json:"org_name"`
	Meta              Meta             `json:"meta"`
	Assessments       []*Assessment    `json:"assessments,omitempty"`
	Plans             []*EmergencyPlan `json:"plans,omitempty"`
}

// PremisesUses lists the uses offered in the form (Schedule 1 of the Act, grouped).
var PremisesUses = []string{"Retail", "Food and drink", "Entertainment venue", "Sports ground", "Museum or gallery",
	"Library or community centre", "Place of worship", "Hotel", "Education", "Health care", "Transport hub", "Other"}

// Validate checks the fields a caller supplies and sets Tier.
func (p *Premises) Validate() error {
	var fe FieldErrors
	p.Name = strings.TrimSpace(p.Name)
	switch {
	case p.Name == "":
		fe.Add("name", "Enter the name of the premises")
	case len(p.Name) > 200:
		fe.Add("name", "Name must be 200 characters or fewer")
	}
	p.Address = strings.TrimSpace(p.Address)
	if p.Address == "" || len(p.Address) > 500 {
		fe.Add("address", "Enter the address, 500 characters or fewer")
	}
	p.Postcode = strings.ToUpper(strings.TrimSpace(p.Postcode))
	if len(p.Postcode) > 10 {
		fe.Add("postcode", "Enter a postcode, like AB1 2CD")
	}
	p.Use = strings.TrimSpace(p.Use)
	if len(p.Use) > 100 {
		fe.Add("use", "Use must be 100 characters or fewer")
	}
	if p.Capacity < 1 || p.Capacity > 1_000_000 {
		fe.Add("capacity", "Enter how many people may be on the premises at once, a whole number from 1 to 1,000,000")
	}
	p.ResponsiblePerson = strings.TrimSpace(p.ResponsiblePerson)
	switch {
	case p.ResponsiblePerson == "":
		fe.Add("responsible_person", "Enter the responsible person")
	case len(p.ResponsiblePerson) > 200:
		fe.Add("responsible_person", "Responsible person must be 200 characters or fewer")
	}
	p.ResponsibleEmail = strings.TrimSpace(p.ResponsibleEmail)
	if p.ResponsibleEmail != "" {
		if a, err := mail.ParseAddress(p.ResponsibleEmail); err != nil || a.Address != p.ResponsibleEmail || len(p.ResponsibleEmail) > 254 {
			fe.Add("responsible_email", "Enter an email address in the correct format, like name@example.org")
		}
	}
	if p.Meta.OwnerOrgID <= 0 {
		fe.Add("org_id", "Select the organisation responsible for the premises")
	}
	p.Tier = TierFor(p.Capacity)
	return fe.Err()
}

// Assessment is a protective-security assessment of premises by a
// security adviser, with findings and the date the next review is due.
type Assessment struct {
	ID           int64      `json:"id"`
	PremisesID   int64      `json:"premises_id"`
	AdviserID    int64      `json:"adviser_id"`
	AdviserName  string     `json:"adviser_name"`
	AssessedAt   time.Time  `json:"assessed_at"`
	Summary      string     `json:"summary"`
	NextReviewAt time.Time  `json:"next_review_at"`
	Findings     []*Finding `json:"findings"`
}

// Finding is one thing an assessment found to put right, by a due date.
type Finding struct {
	ID           int64     `json:"id"`
	AssessmentID int64     `json:"assessment_id"`
	Text         string    `json:"text"`
	Priority     string    `json:"priority"` // high, medium, low
	DueAt        time.Time `json:"due_at"`
	ResolvedAt   time.Time `json:"resolved_at,omitzero"`
}

// FindingPriorities lists the priorities, most urgent first.
var FindingPriorities = []string{"high", "medium", "low"}

// Validate checks an assessment and its findings.
func (as *Assessment) Validate(now time.Time) error {
	var fe FieldErrors
	as.Summary = strings.TrimSpace(as.Summary)
	switch {
	case as.Summary == "":
		fe.Add("summary", "Enter a summary of the assessment")
	case len(as.Summary) > 8000:
		fe.Add("summary", "Summary must be 8,000 characters or fewer")
	}
	if as.AssessedAt.IsZero() || as.AssessedAt.After(now.Add(24*time.Hour)) {
		fe.Add("assessed_at", "Enter the date of the assessment, today or earlier")
	}
	if as.NextReviewAt.IsZero() || !as.NextReviewAt.After(as.AssessedAt) {
		fe.Add("next_review_at", "Enter when the next review is due, after the assessment")
	}
	for i, f := range as.Findings {
		f.Text = strings.TrimSpace(f.Text)
		field := "finding_" + strconv.Itoa(i+1)
		switch {
		case f.Text == "":
			fe.Add(field, "Enter the finding")
		case len(f.Text) > 2000:
			fe.Add(field, "A finding must be 2,000 characters or fewer")
		}
		ok := false
		for _, p := range FindingPriorities {
			ok = ok || f.Priority == p
		}
		if !ok {
			fe.Add(field+"_priority", "Select the priority of the finding")
		}
		if f.DueAt.IsZero() {
			fe.Add(field+"_due", "Enter when the finding must be put right")
		}
	}
	if len(as.Findings) > 20 {
		fe.Add("findings", "An assessment may record at most 20 findings")
	}
	return fe.Err()
}

// EmergencyPlan is a document attached to premises: the public protection
// procedures (standard tier) or the security plan (enhanced tier).
type EmergencyPlan struct {
	ID          int64     `json:"id"`
	PremisesID  int64     `json:"premises_id"`
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	Size        int       `json:"size"`
	SHA256      string    `json:"sha256"`
	UploadedBy  int64     `json:"uploaded_by"`
	UploadedAt  time.Time `json:"uploaded_at"`
	Content     []byte    `json:"-"`
}

// MaxPlanBytes bounds an emergency plan document.
const MaxPlanBytes = 8 << 20

// ReviewDue is one item on a security adviser's reminder queue: premises
// whose review falls due, or a finding not yet put right.
type ReviewDue struct {
	PremisesID   int64        `json:"premises_id"`
	PremisesName string       `json:"premises_name"`
	Tier         PremisesTier `json:"tier"`
	What         string       `json:"what"` // "review" or "finding"
	Detail       string       `json:"detail"`
	DueAt        time.Time    `json:"due_at"`
	Overdue      bool         `json:"overdue"`
}

// PremisesFilter selects premises.
type PremisesFilter struct {
	Tier   PremisesTier
	OrgID  int64
	Offset int
	Limit  int
}

// TrainingModule is a counter-terrorism awareness course.
type TrainingModule struct {
	Code  string
	Label string
	// Valid is how long a completion counts before a refresher is due.
	Valid time.Duration
}

// TrainingModules lists the courses recorded.
var TrainingModules = []TrainingModule{
	{"act_awareness", "ACT Awareness e-learning", 365 * 24 * time.Hour},
	{"act_security", "ACT Security (site security officers)", 365 * 24 * time.Hour},
	{"act_operational", "ACT Operational", 2 * 365 * 24 * time.Hour},
	{"act_strategic", "ACT Strategic", 2 * 365 * 24 * time.Hour},
	{"scan", "See, Check and Notify (SCaN)", 2 * 365 * 24 * time.Hour},
}

// ModuleByCode returns the module with the code, or false.
func ModuleByCode(code string) (TrainingModule, bool) {
	for _, m := range TrainingModules {
		if m.Code == code {
			return m, true
		}
	}
	return TrainingModule{}, false
}

// TrainingRecord records that a person in a partner organisation
// completed a module.
type TrainingRecord struct {
	ID          int64     `json:"id"`
	PersonName  string    `json:"person_name"`
	Role        string    `json:"role"` // the person's job, e.g. "Steward"
	Module      string    `json:"module"`
	CompletedAt time.Time `json:"completed_at"`
	ExpiresAt   time.Time `json:"expires_at"`
	OrgName     string    `json:"org_name"`
	Meta        Meta      `json:"meta"`
}

// Validate checks the fields a caller supplies and fills ExpiresAt from
// the module when it is empty.
func (t *TrainingRecord) Validate(now time.Time) error {
	var fe FieldErrors
	t.PersonName = strings.TrimSpace(t.PersonName)
	switch {
	case t.PersonName == "":
		fe.Add("person_name", "Enter the name of the person trained")
	case len(t.PersonName) > 200:
		fe.Add("person_name", "Name must be 200 characters or fewer")
	}
	t.Role = strings.TrimSpace(t.Role)
	if len(t.Role) > 100 {
		fe.Add("role", "Job must be 100 characters or fewer")
	}
	m, ok := ModuleByCode(t.Module)
	if !ok {
		fe.Add("module", "Select the module completed")
	}
	if t.CompletedAt.IsZero() || t.CompletedAt.After(now.Add(24*time.Hour)) {
		fe.Add("completed_at", "Enter the date the module was completed, today or earlier")
	}
	if ok && t.ExpiresAt.IsZero() && !t.CompletedAt.IsZero() {
		t.ExpiresAt = t.CompletedAt.Add(m.Valid)
	}
	if !t.ExpiresAt.IsZero() && !t.ExpiresAt.After(t.CompletedAt) {
		fe.Add("expires_at", "Expiry must be after completion")
	}
	if t.Meta.OwnerOrgID <= 0 {
		fe.Add("org_id", "Select the person's organisation")
	}
	return fe.Err()
}

// TrainingFilter selects training records.
type TrainingFilter struct {
	OrgID  int64
	Module string
	Offset int
	Limit  int
}

// TrainingCount is a line of the training counts: one sector (or
// organisations in no sector), with the people trained and the records
// current and expired, by module.
type TrainingCount struct {
	SectorID int64          `json:"sector_id"`
	Sector   string         `json:"sector"`
	People   int            `json:"people"`
	Current  int            `json:"current"`
	Expired  int            `json:"expired"`
	ByModule map[string]int `json:"current_by_module"`
}

// ProtectService is the Protect strand's store. Every method takes the
// acting *Actor, makes the one access decision and audits, like every
// other service; a hidden record and a missing one give the same
// ENOTFOUND.
type ProtectService interface {
	// CreateBulletin stores a draft. Returns EINVALID or EFORBIDDEN
	// (only roles that may create bulletins).
	CreateBulletin(ctx context.Context, a *Actor, b *Bulletin) error
	// PublishBulletin resolves the audience to organisations and people,
	// keeps only those whose vetting covers the classification, and queues
	// the in-app, e-mail and webhook deliveries in one transaction.
	// Returns the number of people it was sent to.
	PublishBulletin(ctx context.Context, a *Actor, id int64) (int, error)
	// FindBulletins lists the bulletins the actor may see: every one their
	// vetting covers for issuing organisations, those sent to their
	// organisation for partners.
	FindBulletins(ctx context.Context, a *Actor, f BulletinFilter) ([]*Bulletin, int, error)
	FindBulletinByID(ctx context.Context, a *Actor, id int64) (*Bulletin, error)
	// AcknowledgeBulletin records that the actor has read the bulletin.
	AcknowledgeBulletin(ctx context.Context, a *Actor, id int64) error
	// BulletinReport is for the issuing organisation: who has and has not
	// acknowledged, the cascades, and the deliveries.
	BulletinReport(ctx context.Context, a *Actor, id int64) (*BulletinReport, error)
	// ResendBulletin sends the bulletin again (e-mail and webhook) to those
	// who have not acknowledged it. Returns how many people.
	ResendBulletin(ctx context.Context, a *Actor, id int64) (int, error)
	// CascadeBulletin forwards a bulletin the actor's organisation
	// received to the members of a sector it leads. Returns the cascade.
	CascadeBulletin(ctx context.Context, a *Actor, id, sectorID int64) (*Cascade, error)
	// PublicStatements lists the published public rumour-control
	// statements, newest first. Public information: no actor.
	PublicStatements(ctx context.Context, limit int) ([]*Bulletin, error)
	// FeedBulletins authenticates a partner's feed token and lists the
	// bulletins sent to its organisation within its systems' clearance,
	// newest first. Returns EUNAUTHORIZED for a bad token.
	FeedBulletins(ctx context.Context, token, clientAddr string, limit int) (*Org, []*Bulletin, error)

	// Sectors and partner channels (administrators).
	FindSectors(ctx context.Context, a *Actor) ([]*Sector, error)
	CreateSector(ctx context.Context, a *Actor, s *Sector) error
	SetSectorMember(ctx context.Context, a *Actor, sectorID, orgID int64, member bool) error
	FindPartnerChannels(ctx context.Context, a *Actor, orgID int64) (*PartnerChannels, error)
	// SetPartnerChannels stores the webhook address and clearance. When
	// newSecret is true a new webhook signing secret is made and returned
	// (shown once).
	SetPartnerChannels(ctx context.Context, a *Actor, p *PartnerChannels, newSecret bool) (string, error)
	// IssueFeedToken makes a new feed token for the organisation,
	// replacing any other, and returns it (shown once; stored hashed).
	IssueFeedToken(ctx context.Context, a *Actor, orgID int64) (string, error)

	// Premises.
	FindPremises(ctx context.Context, a *Actor, f PremisesFilter) ([]*Premises, int, error)
	FindPremisesByID(ctx context.Context, a *Actor, id int64) (*Premises, error)
	CreatePremises(ctx context.Context, a *Actor, p *Premises) error
	AddAssessment(ctx context.Context, a *Actor, premisesID int64, as *Assessment) error
	ResolveFinding(ctx context.Context, a *Actor, premisesID, findingID int64) error
	AttachPlan(ctx context.Context, a *Actor, premisesID int64, p *EmergencyPlan) error
	FindPlan(ctx context.Context, a *Actor, premisesID, planID int64) (*EmergencyPlan, error)
	// ReviewsDue is the reminder queue: reviews and findings due within
	// the window (or overdue), soonest first.
	ReviewsDue(ctx context.Context, a *Actor, within time.Duration) ([]*ReviewDue, error)

	// Training.
	FindTraining(ctx context.Context, a *Actor, f TrainingFilter) ([]*TrainingRecord, int, error)
	CreateTraining(ctx context.Context, a *Actor, t *TrainingRecord) error
	// TrainingCounts counts the visible records by sector.
	TrainingCounts(ctx context.Context, a *Actor) ([]*TrainingCount, error)
}

// Delivery channels of the outbox.
const (
	DeliveryEmail   = "email"
	DeliveryWebhook = "webhook"
)

// Delivery is one outbox row claimed by a delivery worker, with what it
// needs to send it. Key is stable across retries and restarts: it is the
// e-mail's Message-ID and the webhook's idempotency key.
type Delivery struct {
	ID            int64
	Key           string
	Channel       string
	Target        string // e-mail address or webhook URL
	Attempts      int    // including this one
	Round         int
	BulletinID    int64
	UserID        int64
	OrgID         int64
	RecipientName string
	OrgName       string
	Secret        string // the webhook signing secret
}

// DeliveryRetry puts a claimed (or sent but refused) delivery back for
// another attempt at At, or gives it up when Dead.
type DeliveryRetry struct {
	ID      int64
	Channel string
	At      time.Time
	Dead    bool
	Err     string
}

// OutboxService is what a delivery worker needs from the store. It is
// used by the worker, not by people: it takes no actor, and the
// disclosure it carries out was audited when the bulletin was published.
type OutboxService interface {
	// ReleaseDeliveries gives up every lease held by node, for a node
	// starting again after a crash. Returns how many.
	ReleaseDeliveries(ctx context.Context, node string) (int, error)
	// ClaimDeliveries leases up to limit due, unsent deliveries of the
	// channels to node until now+lease, counting an attempt on each.
	// Several nodes may claim at once; none gets a row another holds.
	ClaimDeliveries(ctx context.Context, node string, channels []string, limit int, lease time.Duration) ([]*Delivery, error)
	// CommitDeliveries applies the retries, then marks sent those of the
	// ids node still holds and calls finish with them (the worker sends
	// each message's last bytes there), sets back any finish reports as
	// failed, and commits: a delivery is marked sent in the transaction
	// whose commit follows its last byte. It returns the ids marked sent.
	CommitDeliveries(ctx context.Context, node string, ids []int64, finish func(marked []int64) (failed []int64), retries []DeliveryRetry) ([]int64, error)
	// DeliveryBulletin reads a published bulletin for sending.
	DeliveryBulletin(ctx context.Context, id int64) (*Bulletin, error)
	// OutboxWake is signalled when deliveries are queued in this process.
	OutboxWake() <-chan struct{}
}
