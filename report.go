package contest

import (
	"context"
	"io"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Report channels: how a report reached contest.
const (
	// ChannelOnline is the public form at /report and POST
	// /api/v1/public/reports, made by the anonymous PublicReporter.
	ChannelOnline = "online"
	// ChannelHotline is a call taken by a member of staff.
	ChannelHotline = "hotline"
	// ChannelPrecursor is a business reporting a suspicious transaction,
	// attempted purchase, or significant loss or theft of a regulated
	// explosives precursor or poison (to be made within 24 hours).
	ChannelPrecursor = "business_precursor"
	// ChannelPremises is a business reporting suspicious activity at its
	// premises (hostile reconnaissance).
	ChannelPremises = "business_premises"
)

// Report statuses.
const (
	ReportNew    = "new"    // waiting for triage
	ReportGraded = "graded" // graded, outcome still to decide
	ReportClosed = "closed" // an outcome was given
)

// Triage outcomes.
const (
	OutcomeNewLead      = "new_lead"
	OutcomeLinked       = "linked"       // linked to an existing investigation
	OutcomePrevent      = "prevent"      // referred to Prevent
	OutcomeLocalPolice  = "local_police" // passed to local police
	OutcomeNoFurther    = "no_further_action"
	OutcomeFalseRumour  = "false_rumour" // the cluster was a false rumour
	maxReportTextLength = 8000
)

// Outcomes lists the triage outcomes a triager may choose, with labels.
var Outcomes = []struct{ Value, Label string }{
	{OutcomeNewLead, "New lead"},
	{OutcomeLinked, "Linked to an existing investigation"},
	{OutcomePrevent, "Referred to Prevent"},
	{OutcomeLocalPolice, "Passed to local police"},
	{OutcomeNoFurther, "No further action"},
}

// OutcomeLabel is the human name of an outcome.
func OutcomeLabel(v string) string {
	for _, o := range Outcomes {
		if o.Value == v {
			return o.Label
		}
	}
	if v == OutcomeFalseRumour {
		return "False rumour"
	}
	return v
}

// Triage target times: how long a report may wait before it stands out.
const (
	TargetThreatToLife = time.Hour
	TargetBusiness     = 24 * time.Hour
	TargetHotline      = 24 * time.Hour
	TargetOnline       = 72 * time.Hour
	// BusinessDeadline is how long after the event a business must report
	// a suspicious transaction, loss or theft of a regulated substance.
	BusinessDeadline = 24 * time.Hour
)

// PrecursorEvents are the kinds of event a business reports about a
// regulated substance.
var PrecursorEvents = []struct{ Value, Label string }{
	{"suspicious_transaction", "Suspicious transaction"},
	{"attempted_purchase", "Attempted purchase"},
	{"loss", "Significant loss"},
	{"theft", "Theft"},
}

// RedFlags are the indicators of a suspicious transaction in the guidance
// to businesses that sell regulated explosives precursors and poisons.
var RedFlags = []struct{ Value, Label string }{
	{"unfamiliar_use", "The customer seems unfamiliar with the product or its use"},
	{"unusual_quantity", "The quantity is unusual for the stated or likely use"},
	{"unusual_payment", "The customer insists on cash or an unusual way of paying"},
	{"no_licence", "The customer cannot show a licence, or is reluctant to give identity or contact details"},
	{"evasive", "The customer is nervous, evasive or cannot say what it is for"},
	{"unusual_delivery", "The customer asks for unusual packaging or delivery"},
	{"combination", "The purchase combines several regulated substances"},
	{"unusual_customer", "The customer is not the kind that normally buys it"},
}

// Substance is one regulated explosives precursor or poison (the list is
// data, kept in the database).
type Substance struct {
	Code     string `json:"code"`
	Name     string `json:"name"`
	Category string `json:"category"` // regulated_precursor, reportable_precursor, regulated_poison, reportable_poison
}

// ReportPerson is a person a report names or describes.
type ReportPerson struct {
	Name        string `json:"name,omitempty"`
	Description string `json:"description,omitempty"`
	Phone       string `json:"phone,omitempty"`
	Email       string `json:"email,omitempty"`
	Address     string `json:"address,omitempty"`
}

// ReportContact is how to contact the reporter; every field is optional.
type ReportContact struct {
	Name  string `json:"name,omitempty"`
	Phone string `json:"phone,omitempty"`
	Email string `json:"email,omitempty"`
}

// IsZero reports whether no contact detail was given.
func (c ReportContact) IsZero() bool { return c.Name == "" && c.Phone == "" && c.Email == "" }

// Grade is the 3x5x2 grading: source evaluation 1 (reliable), 2 (untested)
// or 3 (not reliable); intelligence assessment A (known directly) to E
// (suspected to be false); handling code P (lawful sharing permitted) or C
// (conditions apply).
type Grade struct {
	Source     int    `json:"source,omitempty"`
	Assessment string `json:"assessment,omitempty"`
	Handling   string `json:"handling,omitempty"`
}

// IsZero reports whether the report is ungraded.
func (g Grade) IsZero() bool { return g.Source == 0 && g.Assessment == "" && g.Handling == "" }

// String is the grade as written: "1A P", or "" when ungraded.
func (g Grade) String() string {
	if g.IsZero() {
		return ""
	}
	return strconv.Itoa(g.Source) + g.Assessment + " " + g.Handling
}

// Valid reports whether every part of the grade is set and in range.
func (g Grade) Valid() bool {
	return g.Source >= 1 && g.Source <= 3 && len(g.Assessment) == 1 && strings.Contains("ABCDE", g.Assessment) &&
		(g.Handling == "P" || g.Handling == "C")
}

// Rank orders grades for the triage queue, best first (1A = 0); an
// ungraded report ranks after every graded one.
func (g Grade) Rank() int {
	if !g.Valid() {
		return 99
	}
	return (g.Source-1)*5 + int(g.Assessment[0]-'A')
}

// Report is a report from the public, a call handler, or a business.
type Report struct {
	ID        int64  `json:"id"`
	Reference string `json:"reference"`
	Channel   string `json:"channel"`
	// What was seen, where (an address or place), and when.
	What     string         `json:"what"`
	Where    string         `json:"where,omitempty"`
	When     time.Time      `json:"when,omitzero"`
	People   []ReportPerson `json:"people,omitempty"`
	Vehicles []string       `json:"vehicles,omitempty"`
	Links    []string       `json:"links,omitempty"`
	Contact  ReportContact  `json:"contact,omitzero"`
	// Call-handler entry: the caller and when the call came in.
	CallerDetails string    `json:"caller_details,omitempty"`
	CallTime      time.Time `json:"call_time,omitzero"`
	// Business reports.
	Substance  string   `json:"substance,omitempty"`
	Event      string   `json:"event,omitempty"` // one of PrecursorEvents
	Quantity   string   `json:"quantity,omitempty"`
	Indicators []string `json:"indicators,omitempty"` // values of RedFlags
	// ThreatToLife puts the report first in the queue; staff set it.
	ThreatToLife bool `json:"threat_to_life"`
	// Triage.
	Status              string        `json:"status"`
	Grade               Grade         `json:"grade,omitzero"`
	Outcome             string        `json:"outcome,omitempty"`
	OutcomeReason       string        `json:"outcome_reason,omitempty"`
	LinkedInvestigation int64         `json:"linked_investigation,omitempty"`
	TriagedBy           int64         `json:"triaged_by,omitempty"`
	TriagedAt           time.Time     `json:"triaged_at,omitzero"`
	ClusterID           int64         `json:"cluster_id"`
	ReceivedAt          time.Time     `json:"received_at"`
	DueAt               time.Time     `json:"due_at"`
	Attachments         []*Attachment `json:"attachments,omitempty"`
	Meta                Meta          `json:"meta"`
}

// Overdue reports whether an open report has waited beyond its target.
func (r *Report) Overdue(now time.Time) bool {
	return r.Status != ReportClosed && !r.DueAt.IsZero() && now.After(r.DueAt)
}

// BusinessDeadlineAt is when a business report was due to be made: 24
// hours from the event.
func (r *Report) BusinessDeadlineAt() time.Time {
	if r.When.IsZero() {
		return time.Time{}
	}
	return r.When.Add(BusinessDeadline)
}

// Report field limits.
const (
	MaxReportPeople   = 20
	MaxReportVehicles = 20
	MaxReportLinks    = 20
	maxShort          = 200
	maxLong           = 4000
)

// Validate checks and tidies what a reporter gave. It never rejects for
// missing optional detail; it rejects what cannot be stored safely.
func (r *Report) Validate() error {
	var fe FieldErrors
	text := func(field string, s *string, max int) {
		*s = strings.TrimSpace(*s)
		switch {
		case !utf8.ValidString(*s):
			fe.Add(field, "Enter text without unusual characters")
		case len(*s) > max:
			fe.Add(field, "Enter "+strconv.Itoa(max)+" characters or fewer")
		case strings.ContainsFunc(*s, func(c rune) bool { return c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0x7f }):
			fe.Add(field, "Enter text without control characters")
		}
	}
	text("what", &r.What, maxReportTextLength)
	if r.What == "" {
		fe.Add("what", "Enter what you saw or heard")
	}
	text("where", &r.Where, maxShort*2)
	if !r.When.IsZero() && (r.When.Year() < 1900 || r.When.After(time.Now().Add(48*time.Hour))) {
		fe.Add("when", "Enter a date and time that is not in the future")
	}
	if len(r.People) > MaxReportPeople {
		fe.Add("people", "Describe "+strconv.Itoa(MaxReportPeople)+" people or fewer")
	}
	kept := r.People[:0]
	for i := range r.People {
		p := r.People[i]
		f := "people-" + strconv.Itoa(i+1)
		text(f+"-name", &p.Name, maxShort)
		text(f+"-description", &p.Description, maxLong)
		text(f+"-phone", &p.Phone, 40)
		text(f+"-email", &p.Email, 254)
		text(f+"-address", &p.Address, maxShort*2)
		if p.Email != "" && !validEmail(p.Email) {
			fe.Add(f+"-email", "Enter an email address in the correct format, like name@example.com")
		}
		if p.Phone != "" && NormalisePhone(p.Phone) == "" {
			fe.Add(f+"-phone", "Enter a telephone number, like 01632 960 001 or +44 7700 900 982")
		}
		if p != (ReportPerson{}) {
			kept = append(kept, p)
		}
	}
	r.People = kept
	if len(r.Vehicles) > MaxReportVehicles {
		fe.Add("vehicles", "Give "+strconv.Itoa(MaxReportVehicles)+" vehicles or fewer")
	}
	vs := r.Vehicles[:0]
	for i := range r.Vehicles {
		v := r.Vehicles[i]
		text("vehicles", &v, maxShort)
		if v != "" {
			vs = append(vs, v)
		}
	}
	r.Vehicles = vs
	if len(r.Links) > MaxReportLinks {
		fe.Add("links", "Give "+strconv.Itoa(MaxReportLinks)+" links or fewer")
	}
	ls := r.Links[:0]
	for i := range r.Links {
		l := r.Links[i]
		text("links", &l, 2000)
		if l == "" {
			continue
		}
		if u, err := url.Parse(l); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			fe.Add("links", "Enter each link as a full web address, like https://example.com/page")
		}
		ls = append(ls, l)
	}
	r.Links = ls
	text("contact-name", &r.Contact.Name, maxShort)
	text("contact-phone", &r.Contact.Phone, 40)
	text("contact-email", &r.Contact.Email, 254)
	if r.Contact.Email != "" && !validEmail(r.Contact.Email) {
		fe.Add("contact-email", "Enter an email address in the correct format, like name@example.com")
	}
	if r.Contact.Phone != "" && NormalisePhone(r.Contact.Phone) == "" {
		fe.Add("contact-phone", "Enter a telephone number, like 01632 960 001 or +44 7700 900 982")
	}
	text("caller_details", &r.CallerDetails, maxLong)
	text("quantity", &r.Quantity, maxShort)
	switch r.Channel {
	case ChannelOnline, ChannelPremises:
	case ChannelHotline:
		if r.CallTime.IsZero() {
			fe.Add("call_time", "Enter when the call came in")
		}
	case ChannelPrecursor:
		if r.Substance == "" {
			fe.Add("substance", "Select the substance")
		}
		ok := false
		for _, e := range PrecursorEvents {
			ok = ok || e.Value == r.Event
		}
		if !ok {
			fe.Add("event", "Select what happened")
		}
		if r.When.IsZero() {
			fe.Add("when", "Enter when it happened")
		}
		for _, v := range r.Indicators {
			known := false
			for _, f := range RedFlags {
				known = known || f.Value == v
			}
			if !known {
				fe.Add("indicators", "Select indicators from the list")
				break
			}
		}
	default:
		fe.Add("channel", "Unknown kind of report")
	}
	return fe.Err()
}

func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && strings.Contains(s, "@")
}

// NormalisePhone reduces a UK or international telephone number to digits
// (with a leading + for international ones, and +44 written as 0), or ""
// when it is not a telephone number.
func NormalisePhone(s string) string {
	var b strings.Builder
	for i, c := range strings.TrimSpace(s) {
		switch {
		case c >= '0' && c <= '9':
			b.WriteRune(c)
		case c == '+' && i == 0:
			b.WriteRune(c)
		case c == ' ' || c == '-' || c == '(' || c == ')' || c == '.':
		default:
			return ""
		}
	}
	n := b.String()
	if strings.HasPrefix(n, "+44") {
		n = "0" + strings.TrimPrefix(strings.TrimPrefix(n, "+44"), "0")
	} else if strings.HasPrefix(n, "0044") {
		n = "0" + strings.TrimPrefix(n, "0044")
	}
	digits := strings.TrimPrefix(n, "+")
	if len(digits) < 7 || len(digits) > 15 {
		return ""
	}
	return n
}

// NormaliseVehicle reduces a vehicle registration to upper-case letters and
// digits ("ab12 cde" -> "AB12CDE"), or "" if it holds neither.
func NormaliseVehicle(s string) string {
	var b strings.Builder
	for _, c := range strings.ToUpper(s) {
		if c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			b.WriteRune(c)
		}
	}
	if b.Len() < 2 || b.Len() > 10 {
		return ""
	}
	return b.String()
}

// NormaliseEmail lower-cases and trims an e-mail address.
func NormaliseEmail(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if !strings.Contains(s, "@") {
		return ""
	}
	return s
}

// Attachment is a file sent with a report. The bytes are kept unchanged for
// evidence; SHA256 is of those bytes, ContentType was sniffed from them.
type Attachment struct {
	ID          int64     `json:"id"`
	ReportID    int64     `json:"report_id"`
	Filename    string    `json:"filename"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	CreatedAt   time.Time `json:"created_at"`
	// Data is the content, set on upload and on download only.
	Data []byte `json:"-"`
}

// Attachment limits.
const (
	MaxAttachments      = 5
	MaxAttachmentBytes  = 10 << 20
	MaxAttachmentsTotal = 20 << 20
)

// TriageDecision is what a triager decides about a report (or a whole
// cluster): a grade, and optionally an outcome with its reason.
type TriageDecision struct {
	Grade               Grade
	Outcome             string
	Reason              string
	LinkedInvestigation int64
	// ThreatToLife, when not nil, sets or clears the flag.
	ThreatToLife *bool
}

// Validate checks a decision.
func (t *TriageDecision) Validate() error {
	var fe FieldErrors
	if !t.Grade.Valid() {
		if t.Grade.Source < 1 || t.Grade.Source > 3 {
			fe.Add("source", "Select the source evaluation (1, 2 or 3)")
		}
		if len(t.Grade.Assessment) != 1 || !strings.Contains("ABCDE", t.Grade.Assessment) {
			fe.Add("assessment", "Select the intelligence assessment (A to E)")
		}
		if t.Grade.Handling != "P" && t.Grade.Handling != "C" {
			fe.Add("handling", "Select the handling code (P or C)")
		}
	}
	t.Reason = strings.TrimSpace(t.Reason)
	if t.Outcome != "" {
		ok := false
		for _, o := range Outcomes {
			ok = ok || o.Value == t.Outcome
		}
		if !ok {
			fe.Add("outcome", "Select an outcome")
		}
		if t.Reason == "" {
			fe.Add("reason", "Enter the reason for the outcome")
		}
		if t.Outcome == OutcomeLinked && t.LinkedInvestigation <= 0 {
			fe.Add("linked_investigation", "Enter the number of the investigation it is linked to")
		}
	}
	if len(t.Reason) > maxLong {
		fe.Add("reason", "Reason must be 4000 characters or fewer")
	}
	return fe.Err()
}

// ReportFilter selects reports.
type ReportFilter struct {
	// Open selects reports still waiting for an outcome.
	Open      bool
	ClusterID int64
	Reference string
	Offset    int
	Limit     int
}

// QueueItem is one line of the triage queue: a cluster of near-duplicate
// reports (often just one), shown by its most urgent report.
type QueueItem struct {
	Report *Report `json:"report"`
	// Count is how many open reports the cluster holds that the reader
	// may see.
	Count int `json:"count"`
}

// KeyMatch is an identical identifier (telephone number, e-mail address,
// vehicle registration, postcode or link) in another report the reader may
// see.
type KeyMatch struct {
	Field     string `json:"field"` // phone, email, vehicle, postcode, link
	Value     string `json:"value"` // normalised
	ReportID  int64  `json:"report_id"`
	Reference string `json:"reference"`
	Reason    string `json:"reason"`
}

// RumourStatement is a public statement that a cluster of reports was a
// false rumour, for the public pages.
type RumourStatement struct {
	ClusterID   int64     `json:"cluster_id"`
	Statement   string    `json:"statement"`
	PublishedAt time.Time `json:"published_at"`
}

// ReportService takes reports and serves the triage desk. Public reports
// are made by PublicReporter; everything else by signed-in users, through
// the one access decision, audited in the same transaction.
type ReportService interface {
	// SubmitReport stores r (and its attachments) and fills in its ID,
	// Reference and Meta. It returns only once the report is durably
	// committed. Returns EINVALID or EFORBIDDEN.
	SubmitReport(ctx context.Context, a *Actor, r *Report) error
	// FindReportByID returns ENOTFOUND if missing or hidden.
	FindReportByID(ctx context.Context, a *Actor, id int64) (*Report, error)
	// FindReports lists visible reports, newest first, and the total.
	FindReports(ctx context.Context, a *Actor, f ReportFilter) ([]*Report, int, error)
	// TriageQueue lists open clusters in urgency order: threat to life
	// first, then longest waiting, then best grade.
	TriageQueue(ctx context.Context, a *Actor, limit int) ([]*QueueItem, int, error)
	// TriageReport grades a report and, with an outcome, closes it.
	TriageReport(ctx context.Context, a *Actor, id int64, d TriageDecision) (*Report, error)
	// ResolveCluster applies one decision to every open report of the
	// cluster the actor may see, and returns how many were resolved.
	ResolveCluster(ctx context.Context, a *Actor, clusterID int64, d TriageDecision) (int, error)
	// MarkRumour closes a cluster as a false rumour and stores the public
	// statement.
	MarkRumour(ctx context.Context, a *Actor, clusterID int64, statement, reason string) (int, error)
	// FindRumourStatements lists published rumour statements, newest
	// first. Public information: no actor.
	FindRumourStatements(ctx context.Context, limit int) ([]*RumourStatement, error)
	// FindReportKeyMatches lists identical identifiers in other visible
	// reports.
	FindReportKeyMatches(ctx context.Context, a *Actor, id int64) ([]*KeyMatch, error)
	// FindAttachment returns one attachment with its bytes.
	FindAttachment(ctx context.Context, a *Actor, reportID, attachmentID int64) (*Attachment, error)
	// FindSubstances lists the regulated substances.
	FindSubstances(ctx context.Context) ([]*Substance, error)
	// ExportReports writes every visible report as JSON lines, audited.
	ExportReports(ctx context.Context, a *Actor, recipient string, w io.Writer) (int, error)
}

// PublicUsername names the anonymous member of the public in the audit
// trail.
const PublicUsername = "public-reporter"

// PublicReporter returns the actor for an anonymous member of the public
// using the public report form or API from clientAddr. It may create
// reports and do nothing else (see access.Decide).
func PublicReporter(clientAddr, via string) *Actor {
	return &Actor{Username: PublicUsername, DisplayName: "Member of the public", Via: via, ClientAddr: clientAddr, TOTPEnrolled: true}
}

// IsPublic reports whether a is the anonymous public reporter.
func (a *Actor) IsPublic() bool {
	return a != nil && !a.System && a.UserID == 0 && a.Role == "" && a.Username == PublicUsername
}
