package contest

import (
	"context"
	"io"
	"net/url"
	"strings"
	"time"
)

// Content-referral statuses, in the order a referral usually moves through
// them. A referral is "for_assessment" when it arrives (from an officer, a
// bulk list or a link in a public report), "not_terrorist" or "assessed"
// once an officer has recorded an assessment, "referred" once the request
// has gone to the platform, and then takes the platform's response.
const (
	ContentForAssessment = "for_assessment"
	ContentNotTerrorist  = "not_terrorist"
	ContentAssessed      = "assessed"
	ContentReferred      = "referred"
	ContentRemoved       = "removed"
	ContentRestricted    = "restricted"
	ContentRefused       = "refused"
	ContentNoResponse    = "no_response"
)

// ContentStatuses lists every status, in workflow order.
var ContentStatuses = []string{ContentForAssessment, ContentNotTerrorist, ContentAssessed, ContentReferred,
	ContentRemoved, ContentRestricted, ContentRefused, ContentNoResponse}

// ContentResponses are the outcomes a platform may report.
var ContentResponses = []string{ContentRemoved, ContentRestricted, ContentRefused, ContentNoResponse}

// ContentTypes are the kinds of online content referred.
var ContentTypes = []string{"video", "image", "text", "audio", "livestream", "document", "other"}

// Offence is an offence category under the Terrorism Acts against which an
// officer assesses content.
type Offence struct {
	Code  string `json:"code"`
	Label string `json:"label"`
}

// Offences are the categories an assessment may record. "none" records that
// the content is not terrorist material.
var Offences = []Offence{
	{"ta2006_s1", "Encouragement of terrorism (Terrorism Act 2006, s.1)"},
	{"ta2006_s2", "Dissemination of terrorist publications (Terrorism Act 2006, s.2)"},
	{"ta2000_s12", "Inviting support for a proscribed organisation (Terrorism Act 2000, s.12)"},
	{"ta2000_s13", "Publishing an image of an article of a proscribed organisation (Terrorism Act 2000, s.13)"},
	{"ta2000_s58", "Collection of information useful to a terrorist (Terrorism Act 2000, s.58)"},
	{"ta2000_s58a", "Eliciting or publishing information about armed forces, intelligence or police (Terrorism Act 2000, s.58A)"},
	{"ta2006_s5", "Preparation of terrorist acts (Terrorism Act 2006, s.5)"},
	{"none", "Not terrorist content"},
}

// OffenceLabel returns the label of an offence code, or the code.
func OffenceLabel(code string) string {
	for _, o := range Offences {
		if o.Code == code {
			return o.Label
		}
	}
	return code
}

// ContentReferral is a piece of online content referred, or to be referred,
// to the platform hosting it for removal. Its owning organisation is the
// referring unit until the request is sent, and then the platform it is
// addressed to: a platform sees only the referrals sent to it.
type ContentReferral struct {
	ID        int64  `json:"id"`
	Reference string `json:"reference"`
	URL       string `json:"url"`
	// Platform is the platform's name as the officer gave it, or as taken
	// from the URL; PlatformOrgID is the partner organisation, once known.
	Platform      string `json:"platform"`
	PlatformOrgID int64  `json:"platform_org_id,omitempty"`
	ContentType   string `json:"content_type"`
	Status        string `json:"status"`
	// AccountHandle is the account that posted the content, if known; it
	// is a person mention for join-the-dots.
	AccountHandle string `json:"account_handle,omitempty"`
	// Offence, AssessmentNote, AssessedBy and AssessedAt are the officer's
	// assessment against the Terrorism Acts.
	Offence        string    `json:"offence,omitempty"`
	AssessmentNote string    `json:"assessment_note,omitempty"`
	AssessedBy     int64     `json:"assessed_by,omitempty"`
	AssessedAt     time.Time `json:"assessed_at,omitzero"`
	// RequestedAt is when the request went to the platform; PlatformRef is
	// the platform's own reference for it.
	RequestedAt time.Time `json:"requested_at,omitzero"`
	PlatformRef string    `json:"platform_ref,omitempty"`
	// Response is the platform's answer (removed, restricted, refused,
	// no_response), RespondedAt when it came.
	Response     string    `json:"response,omitempty"`
	ResponseNote string    `json:"response_note,omitempty"`
	RespondedAt  time.Time `json:"responded_at,omitzero"`
	// SourceReportID is the public report whose link this came from.
	SourceReportID int64 `json:"source_report_id,omitempty"`
	// RaisedAt is set when a capture matched a hash bank: the referral is
	// raised to the top of the queue.
	RaisedAt time.Time    `json:"raised_at,omitzero"`
	Captures []*Capture   `json:"captures,omitempty"`
	Matches  []*HashMatch `json:"matches,omitempty"`
	Meta     Meta         `json:"meta"`
}

// Validate checks the fields an officer supplies when referring content.
func (c *ContentReferral) Validate() error {
	var fe FieldErrors
	u, msg := CleanContentURL(c.URL)
	if msg != "" {
		fe.Add("url", msg)
	}
	c.URL = u
	c.Platform = strings.TrimSpace(c.Platform)
	if c.Platform == "" && msg == "" {
		c.Platform = PlatformFromURL(c.URL)
	}
	if len(c.Platform) > 100 {
		fe.Add("platform", "Platform must be 100 characters or fewer")
	}
	if !oneOf(c.ContentType, ContentTypes) {
		fe.Add("content_type", "Select the type of content")
	}
	c.AccountHandle = strings.TrimSpace(c.AccountHandle)
	if len(c.AccountHandle) > 200 {
		fe.Add("account_handle", "Account must be 200 characters or fewer")
	}
	return fe.Err()
}

// MaxContentURLLen bounds a referred URL.
const MaxContentURLLen = 2048

// CleanContentURL checks and normalises a URL of online content: http or
// https, a host, no credentials, at most MaxContentURLLen characters. It
// returns the URL and "" or a message saying what is wrong. The URL is
// only stored and shown; the server never fetches it.
func CleanContentURL(s string) (string, string) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return s, "Enter the address of the content"
	case len(s) > MaxContentURLLen:
		return s, "Address must be 2048 characters or fewer"
	case strings.ContainsFunc(s, func(r rune) bool { return r < 0x21 || r == 0x7f }):
		return s, "Address must not contain spaces or control characters"
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Hostname() == "" {
		return s, "Enter a full web address starting with http:// or https://"
	}
	if u.User != nil {
		return s, "Address must not contain a user name or password"
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.Host = strings.ToLower(u.Host)
	return u.String(), ""
}

// PlatformFromURL guesses a platform name from a URL's host: its last two
// labels ("video.example.com" gives "example.com").
func PlatformFromURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return ""
	}
	h := strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
	parts := strings.Split(h, ".")
	if len(parts) > 2 {
		parts = parts[len(parts)-2:]
	}
	return strings.Join(parts, ".")
}

// MaxBulkURLs bounds one bulk referral.
const MaxBulkURLs = 1000

// ParseURLList reads a bulk list of URLs, one a line (blank lines and lines
// starting with # are skipped; duplicates are dropped). Every bad line is
// named in the error, and nothing is returned unless every line is good.
func ParseURLList(text string) ([]string, error) {
	var fe FieldErrors
	seen := map[string]bool{}
	var out []string
	for i, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		u, msg := CleanContentURL(line)
		if msg != "" {
			if len(fe) < 20 {
				fe.Add("urls", "Line "+itoa(i+1)+": "+msg)
			}
			continue
		}
		if !seen[u] {
			seen[u] = true
			out = append(out, u)
		}
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, (FieldErrors{{Field: "urls", Message: "Enter at least one address, one a line"}}).Err()
	}
	if len(out) > MaxBulkURLs {
		return nil, (FieldErrors{{Field: "urls", Message: "Enter " + itoa(MaxBulkURLs) + " addresses or fewer at once"}}).Err()
	}
	return out, nil
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	neg := n < 0
	if neg {
		n = -n
	}
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}

func oneOf(s string, set []string) bool {
	for _, x := range set {
		if x == s {
			return true
		}
	}
	return false
}

// ValidContentStatus reports whether s is a content-referral status.
func ValidContentStatus(s string) bool { return oneOf(s, ContentStatuses) }

// ValidContentType reports whether s is a content type.
func ValidContentType(s string) bool { return oneOf(s, ContentTypes) }

// ValidContentResponse reports whether s is a platform response.
func ValidContentResponse(s string) bool { return oneOf(s, ContentResponses) }

// Capture is a file an officer uploaded as evidence of online content (a
// screenshot, a saved video), with its hashes. The file is kept in the
// database; it is served only to staff and only as a download.
type Capture struct {
	ID         int64  `json:"id"`
	ReferralID int64  `json:"referral_id"`
	FileName   string `json:"file_name"`
	// MediaType is sniffed from the bytes, never taken from the upload.
	MediaType string    `json:"media_type"`
	Size      int64     `json:"size"`
	Hashes    Hashes    `json:"hashes"`
	CreatedBy int64     `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// MaxCaptureBytes bounds one captured file.
const MaxCaptureBytes = 20 << 20

// Hashes are the hashes of one file: MD5 and SHA-256 always, and PDQ with
// its quality for images (PDQ is empty otherwise). A PDQ hash of quality 49
// or less is kept but never matched.
type Hashes struct {
	MD5     string `json:"md5"`
	SHA256  string `json:"sha256"`
	PDQ     string `json:"pdq"`
	Quality int    `json:"quality"`
	// Note explains a missing PDQ hash (not an image, too large) or an
	// unmatchable one.
	Note string `json:"note,omitempty"`
}

// HashBank is a named list of hashes of known terrorist material.
type HashBank struct {
	ID          int64    `json:"id"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Labels      []string `json:"labels"`
	Enabled     bool     `json:"enabled"`
	// Threshold is the largest PDQ distance that counts as a match.
	Threshold int  `json:"threshold"`
	Signals   int  `json:"signals"`
	Meta      Meta `json:"meta"`
}

// DefaultPDQThreshold is a new bank's PDQ distance threshold, the PDQ
// authors' recommendation.
const DefaultPDQThreshold = 31

// Validate checks the fields a caller supplies.
func (b *HashBank) Validate() error {
	var fe FieldErrors
	b.Name = strings.TrimSpace(b.Name)
	switch {
	case b.Name == "":
		fe.Add("name", "Enter the bank's name")
	case len(b.Name) > 100:
		fe.Add("name", "Name must be 100 characters or fewer")
	}
	if len(b.Description) > 2000 {
		fe.Add("description", "Description must be 2000 characters or fewer")
	}
	var labels []string
	for _, l := range b.Labels {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		if len(l) > 50 {
			fe.Add("labels", "Each label must be 50 characters or fewer")
			break
		}
		labels = append(labels, l)
	}
	if len(labels) > 20 {
		fe.Add("labels", "Give 20 labels or fewer")
	}
	b.Labels = labels
	if b.Threshold < 0 || b.Threshold > 128 {
		fe.Add("threshold", "Threshold must be a whole number from 0 to 128")
	}
	return fe.Err()
}

// HashMatch is one hash-bank entry that a file or hash matched.
type HashMatch struct {
	BankID     int64  `json:"bank_id"`
	BankName   string `json:"bank_name"`
	SignalID   int64  `json:"signal_id"`
	SignalType string `json:"signal_type"`
	Signal     string `json:"signal"`
	// Distance is the PDQ Hamming distance (0 for exact matches).
	Distance int `json:"distance"`
	// CaptureID is the capture that matched, on a referral's matches.
	CaptureID int64     `json:"capture_id,omitempty"`
	MatchedAt time.Time `json:"matched_at,omitzero"`
}

// ContentFilter selects content referrals.
type ContentFilter struct {
	Status        string
	PlatformOrgID int64
	Offset        int
	Limit         int
}

// ContentAssessment is an officer's assessment of referred content.
type ContentAssessment struct {
	Offence string
	Note    string
}

// ContentStatRow is one platform and month of the statistics.
type ContentStatRow struct {
	Platform  string `json:"platform"`
	Month     string `json:"month"` // YYYY-MM, of the request
	Referrals int    `json:"referrals"`
	Removals  int    `json:"removals"`
	// RemovalRate is Removals / Referrals.
	RemovalRate float64 `json:"removal_rate"`
	// MedianHours and P90Hours are the time from request to removal, over
	// the removals; zero when there are none.
	MedianHours float64 `json:"median_hours"`
	P90Hours    float64 `json:"p90_hours"`
}

// ContentService keeps content referrals, their captures and hashes, and
// the hash banks they are matched against. Content officers create and
// assess referrals and send the requests; an online platform's users see
// only the referrals sent to their platform and record its response.
type ContentService interface {
	// FindContentReferrals lists the visible referrals, raised ones first.
	FindContentReferrals(ctx context.Context, a *Actor, f ContentFilter) ([]*ContentReferral, int, error)
	// FindContentReferralByID returns ENOTFOUND if missing or hidden. A
	// platform's users get the referral without the internal assessment
	// note, captures or matches.
	FindContentReferralByID(ctx context.Context, a *Actor, id int64) (*ContentReferral, error)
	// CreateContentReferrals stores referrals for assessment, in one
	// transaction: one, or a bulk list. Returns EINVALID or EFORBIDDEN.
	CreateContentReferrals(ctx context.Context, a *Actor, refs []*ContentReferral) error
	// AddCapture stores a file for a referral with its hashes and matches
	// it against every enabled bank; a match raises the referral.
	AddCapture(ctx context.Context, a *Actor, referralID int64, name string, data []byte) (*Capture, []*HashMatch, error)
	// OpenCapture returns a capture and its bytes, for staff only.
	OpenCapture(ctx context.Context, a *Actor, referralID, captureID int64) (*Capture, []byte, error)
	// AssessContentReferral records the officer's assessment.
	AssessContentReferral(ctx context.Context, a *Actor, id int64, as ContentAssessment) (*ContentReferral, error)
	// SendContentReferral records that the request went to the platform
	// organisation platformOrgID, queues the platform's notification, and
	// hands the referral to the platform.
	SendContentReferral(ctx context.Context, a *Actor, id, platformOrgID int64, platformRef string) (*ContentReferral, error)
	// RespondContentReferral records the platform's response.
	RespondContentReferral(ctx context.Context, a *Actor, id int64, response, platformRef, note string) (*ContentReferral, error)
	// ContentStats returns referrals, removals, removal rate and time to
	// removal by platform and month, over the referrals the actor may see.
	ContentStats(ctx context.Context, a *Actor) ([]ContentStatRow, error)

	FindHashBanks(ctx context.Context, a *Actor) ([]*HashBank, error)
	FindHashBankByID(ctx context.Context, a *Actor, id int64) (*HashBank, error)
	CreateHashBank(ctx context.Context, a *Actor, b *HashBank) error
	// UpdateHashBank changes labels, description, enabled flag and
	// threshold.
	UpdateHashBank(ctx context.Context, a *Actor, b *HashBank) error
	// ImportHashBank adds the signals of a CSV of signal_type,signal_value
	// rows to a bank and returns how many were new. Nothing is stored if
	// any row is bad.
	ImportHashBank(ctx context.Context, a *Actor, id int64, r io.Reader) (int, error)
	// ExportHashBank writes a bank as the same CSV.
	ExportHashBank(ctx context.Context, a *Actor, id int64, w io.Writer) error
	// MatchSignal matches one hash against every enabled bank: md5 and
	// sha256 exactly, pdq within each bank's threshold. quality < 0 means
	// unknown; a PDQ hash of quality 49 or less matches nothing.
	MatchSignal(ctx context.Context, a *Actor, signalType, value string, quality int) ([]*HashMatch, error)
	// HashFile hashes a file (MD5, SHA-256, PDQ) and matches it, with its
	// rotations and flips, against every enabled bank.
	HashFile(ctx context.Context, a *Actor, data []byte) (*Hashes, []*HashMatch, error)
}
