package contest

import (
	"context"
	"io"
	"time"
)

// AuditAction is what an audit entry records, in the categories of the Data
// Protection Act 2018 s.62 and the sign-in events ASVS asks for.
type AuditAction string

// The audited actions.
const (
	AuditSignIn       AuditAction = "sign_in"
	AuditSignInFail   AuditAction = "sign_in_failed"
	AuditSignOut      AuditAction = "sign_out"
	AuditRead         AuditAction = "read" // consultation
	AuditList         AuditAction = "list" // consultation of a list
	AuditSearch       AuditAction = "search"
	AuditCreate       AuditAction = "create" // collection
	AuditUpdate       AuditAction = "update" // alteration
	AuditDelete       AuditAction = "delete" // erasure
	AuditExport       AuditAction = "export"
	AuditDisclose     AuditAction = "disclose" // disclosure, with the recipient
	AuditPermission   AuditAction = "permission_change"
	AuditDenied       AuditAction = "denied" // a refused request with no other action
	AuditVerify       AuditAction = "verify"
	AuditTokenCreated AuditAction = "token_created"
)

// Audit outcomes.
const (
	OutcomeAllowed = "allowed"
	OutcomeDenied  = "denied"
)

// AuditEntry is one append-only, hash-chained line of the audit trail.
// Sensitive values (names, free text, search terms, changed values) are
// stored as keyed HMACs of the form "hmac-sha256:<hex>", so the trail can be
// searched for a known value without holding the value itself.
type AuditEntry struct {
	Seq        int64       `json:"seq"`
	Time       time.Time   `json:"time"`
	UserID     int64       `json:"user_id"`
	Username   string      `json:"username"`
	OrgID      int64       `json:"org_id"`
	Action     AuditAction `json:"action"`
	Kind       Kind        `json:"kind"`
	RecordID   string      `json:"record_id"`
	Outcome    string      `json:"outcome"`
	ClientAddr string      `json:"client_addr"`
	Via        string      `json:"via"`
	// Justification is an HMAC of the reason given, or empty.
	Justification string `json:"justification,omitempty"`
	// Recipient is who received a disclosure or export.
	Recipient string `json:"recipient,omitempty"`
	// Detail holds what changed (field name to HMAC of old and new value),
	// a search's HMACed terms, counts, or a denial reason code.
	Detail   map[string]string `json:"detail,omitempty"`
	PrevHash string            `json:"prev_hash"`
	Hash     string            `json:"hash"`
}

// AuditFilter selects audit entries.
type AuditFilter struct {
	UserID   int64
	Username string
	Action   AuditAction
	Kind     Kind
	RecordID string
	Outcome  string
	From, To time.Time
	// Value, when set, matches entries where this value was HMACed in the
	// justification or detail.
	Value  string
	Offset int
	Limit  int
}

// AuditVerifyResult is the outcome of checking the whole chain.
type AuditVerifyResult struct {
	Entries int64 `json:"entries"`
	OK      bool  `json:"ok"`
	// FirstBadSeq is the sequence number of the first entry that fails.
	FirstBadSeq int64         `json:"first_bad_seq,omitempty"`
	Problem     string        `json:"problem,omitempty"`
	Elapsed     time.Duration `json:"elapsed_ns"`
}

// AuditService searches, exports and verifies the audit trail. Only
// auditors may search or export; every search and export is itself audited.
type AuditService interface {
	// FindAuditEntries returns matching entries, newest first, and the
	// total. Returns EFORBIDDEN unless the actor is an auditor.
	FindAuditEntries(ctx context.Context, a *Actor, f AuditFilter) ([]*AuditEntry, int, error)
	// ExportAudit writes matching entries as JSON lines to w, oldest first.
	ExportAudit(ctx context.Context, a *Actor, f AuditFilter, recipient string, w io.Writer) error
	// VerifyAudit recomputes the whole chain and names the first bad entry.
	VerifyAudit(ctx context.Context, a *Actor) (*AuditVerifyResult, error)
	// AuditHMAC returns the HMAC of a value, for searching the trail.
	AuditHMAC(value string) string
	// RecordAudit writes one entry on its own, for events that change no
	// record (sign-out, a refused request). Fails closed: the caller must
	// not go on if it returns an error.
	RecordAudit(ctx context.Context, a *Actor, e *AuditEntry) error
}
