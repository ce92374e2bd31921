package db

import (
	"context"
	"database/sql"
	"encoding/base32"
	"fmt"
	"strings"
	"time"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/access"
)

// Bulk inserts many strand records in one write transaction with prepared
// statements: the demo loader and imports use it where one audited
// transaction per record would take minutes. It is valid only inside the
// function given to BulkLoad.
//
// Every record gets its Meta filled as a normal create does, and its
// compartments recorded; the audit trail gets one "create" entry per kind
// with the number loaded and the range of ids (written when the load
// succeeds, in the same transaction), and one permission-change entry per
// second factor enrolled.
type Bulk struct {
	ctx    context.Context
	tx     *Tx
	a      *contest.Actor
	stmts  map[string]*sql.Stmt
	counts map[contest.Kind]*bulkCount
}

// bulkCount is what the audit entry for one kind records.
type bulkCount struct {
	n           int
	first, last int64
}

// bulkKinds is the order in which the per-kind audit entries are written.
var bulkKinds = []contest.Kind{contest.KindInvestigation, contest.KindSubject, contest.KindPreventCase}

// BulkLoad runs fn in one write transaction and commits it when fn returns
// nil; any error rolls back everything fn inserted. Only the command-line
// operator (a System actor) may bulk-load: any other actor gets EFORBIDDEN,
// and the refusal is audited.
func (d *DB) BulkLoad(ctx context.Context, a *contest.Actor, fn func(b *Bulk) error) error {
	if a == nil || !a.System {
		return d.denied(ctx, a, contest.AuditCreate, contest.KindInvestigation, "", "bulk load is for the operator",
			forbidden())
	}
	return d.inWrite(ctx, func(tx *Tx) error {
		b := &Bulk{ctx: ctx, tx: tx, a: a, stmts: map[string]*sql.Stmt{}, counts: map[contest.Kind]*bulkCount{}}
		defer b.close()
		if err := fn(b); err != nil {
			return err
		}
		for _, k := range bulkKinds {
			c := b.counts[k]
			if c == nil {
				continue
			}
			if err := tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditCreate, Kind: k,
				Detail: map[string]string{"count": itoa(int64(c.n)), "first_id": itoa(c.first), "last_id": itoa(c.last), "method": "bulk"}}); err != nil {
				return err
			}
		}
		return nil
	})
}

func (b *Bulk) close() {
	for _, s := range b.stmts {
		s.Close()
	}
}

// stmt returns the prepared statement for q, preparing it on first use.
func (b *Bulk) stmt(q string) (*sql.Stmt, error) {
	if s := b.stmts[q]; s != nil {
		return s, nil
	}
	s, err := b.tx.PrepareContext(b.ctx, q)
	if err != nil {
		return nil, fmt.Errorf("prepare: %w", err)
	}
	b.stmts[q] = s
	return s, nil
}

// insert checks the actor may create kind, fills m, inserts the row with
// RETURNING id, records the compartments and counts it.
func (b *Bulk) insert(kind contest.Kind, m *contest.Meta, q string, args []any) (int64, error) {
	if !access.Can(b.a, access.Create, kind) {
		return 0, forbidden()
	}
	s, err := b.stmt(q)
	if err != nil {
		return 0, err
	}
	var id int64
	if err := s.QueryRowContext(b.ctx, append(args, metaArgs(m)...)...).Scan(&id); err != nil {
		if isUnique(err) {
			return 0, contest.Errorf(contest.ECONFLICT, "A %s with that name or reference already exists", strings.ReplaceAll(string(kind), "_", " "))
		}
		return 0, fmt.Errorf("insert %s: %w", kind, err)
	}
	// A new record has no compartments yet, so only non-empty sets need
	// writing.
	if len(m.Compartments) > 0 {
		if err := b.tx.setCompartments(b.ctx, kind, id, m.Compartments); err != nil {
			return 0, err
		}
	}
	c := b.counts[kind]
	if c == nil {
		c = &bulkCount{first: id}
		b.counts[kind] = c
	}
	c.n++
	c.first, c.last = min(c.first, id), max(c.last, id)
	return id, nil
}

// placeholders returns "$from, ..., $to".
func placeholders(from, to int) string {
	var sb strings.Builder
	for i := from; i <= to; i++ {
		if i > from {
			sb.WriteString(",")
		}
		fmt.Fprintf(&sb, "$%d", i)
	}
	return sb.String()
}

var (
	bulkInvestigationSQL = "INSERT INTO investigations (operation, summary, status, lead_user_id, opened_at, closed_at, " + metaCols +
		") VALUES (" + placeholders(1, 14) + ") RETURNING id"
	bulkSubjectSQL = "INSERT INTO subjects (investigation_id, given_name, family_name, date_of_birth, status, priority, owner_user_id, closed_reason, next_review_at, " +
		metaCols + ") VALUES (" + placeholders(1, 17) + ") RETURNING id"
	bulkReferralSQL = "INSERT INTO prevent_referrals (reference, given_name, family_name, date_of_birth, sector, concern, age, gender, region, stage, referred_at, owner_user_id, " +
		metaCols + ") VALUES (" + placeholders(1, 20) + ") RETURNING id"
)

func invalid(field, msg string) error {
	return &contest.Error{Code: contest.EINVALID, Message: "There is a problem with the information you gave.",
		Fields: []contest.FieldError{{Field: field, Message: msg}}}
}

// Investigation inserts v, setting v.ID and v.Meta. Status defaults to
// "open" and OpenedAt to the time of the load.
func (b *Bulk) Investigation(v *contest.Investigation) error {
	v.Operation = strings.TrimSpace(v.Operation)
	if v.Operation == "" || len(v.Operation) > 100 {
		return invalid("operation", "Enter the operation name, 100 characters or fewer")
	}
	if v.Status == "" {
		v.Status = "open"
	}
	if v.Status != "open" && v.Status != "closed" {
		return invalid("status", "Status must be open or closed")
	}
	if v.OpenedAt.IsZero() {
		v.OpenedAt = b.tx.now
	}
	b.tx.newMeta(b.a, &v.Meta)
	id, err := b.insert(contest.KindInvestigation, &v.Meta, bulkInvestigationSQL,
		[]any{v.Operation, v.Summary, v.Status, v.LeadUserID, micros(v.OpenedAt), micros(v.ClosedAt)})
	if err != nil {
		return err
	}
	v.ID = id
	return nil
}

// Subject inserts v, setting v.ID and v.Meta. A zero InvestigationID is
// stored as no investigation.
func (b *Bulk) Subject(v *contest.Subject) error {
	if strings.TrimSpace(v.GivenName) == "" && strings.TrimSpace(v.FamilyName) == "" {
		return invalid("family_name", "Enter the subject's name")
	}
	switch v.Status {
	case contest.SubjectActive, contest.SubjectClosed, contest.SubjectFormer:
	default:
		return invalid("status", "Status must be active, closed or former")
	}
	var inv any
	if v.InvestigationID != 0 {
		inv = v.InvestigationID
	}
	b.tx.newMeta(b.a, &v.Meta)
	id, err := b.insert(contest.KindSubject, &v.Meta, bulkSubjectSQL,
		[]any{inv, v.GivenName, v.FamilyName, v.DateOfBirth, v.Status, v.Priority, v.OwnerUserID, v.ClosedReason, micros(v.NextReviewAt)})
	if err != nil {
		return err
	}
	v.ID = id
	_, err = b.tx.addMention(b.ctx, b.a, contest.KindSubject, id, "subject", &v.Meta,
		&contest.PersonDetails{Given: v.GivenName, Family: v.FamilyName, DateOfBirth: v.DateOfBirth})
	return err
}

// PreventReferral inserts v, setting v.ID and v.Meta. Stage defaults to
// "referred" and ReferredAt to the time of the load.
func (b *Bulk) PreventReferral(v *contest.PreventReferral) error {
	v.Reference = strings.TrimSpace(v.Reference)
	if v.Reference == "" || len(v.Reference) > 50 {
		return invalid("reference", "Enter the referral reference, 50 characters or fewer")
	}
	if strings.TrimSpace(v.GivenName) == "" && strings.TrimSpace(v.FamilyName) == "" {
		return invalid("family_name", "Enter the name of the person referred")
	}
	if v.Sector == "" || v.Concern == "" {
		return invalid("sector", "Enter the sector of referral and the type of concern")
	}
	if v.Age < 0 || v.Age > 130 {
		return invalid("age", "Age must be between 0 and 130")
	}
	if v.Stage == "" {
		v.Stage = "referred"
	}
	if v.ReferredAt.IsZero() {
		v.ReferredAt = b.tx.now
	}
	b.tx.newMeta(b.a, &v.Meta)
	id, err := b.insert(contest.KindPreventCase, &v.Meta, bulkReferralSQL,
		[]any{v.Reference, v.GivenName, v.FamilyName, v.DateOfBirth, v.Sector, v.Concern, v.Age, v.Gender, v.Region, v.Stage, micros(v.ReferredAt), v.OwnerUserID})
	if err != nil {
		return err
	}
	v.ID = id
	// Only what identifies the person is matched: age, gender and region
	// are for statistics only.
	_, err = b.tx.addMention(b.ctx, b.a, contest.KindPreventCase, id, "referred", &v.Meta,
		&contest.PersonDetails{Given: v.GivenName, Family: v.FamilyName, DateOfBirth: v.DateOfBirth})
	return err
}

// SetTOTPSecret enrols user userID in the TOTP second factor with secret (a
// base32 key, as totp.Generate makes), audited as a permission change. The
// operator hands the secret to the user out of band (the demo prints it).
func (b *Bulk) SetTOTPSecret(userID int64, secret string) error {
	if !access.Can(b.a, access.Admin, contest.KindUser) {
		return forbidden()
	}
	secret = strings.ToUpper(strings.TrimSpace(secret))
	if len(secret) < 16 || len(secret) > 128 {
		return invalid("secret", "The secret must be 16 to 128 base32 characters")
	}
	if _, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(strings.TrimRight(secret, "=")); err != nil {
		return invalid("secret", "The secret must be base32")
	}
	s, err := b.stmt("UPDATE users SET totp_secret = $1, totp_last_step = 0, updated_by = $2, updated_at = $3 WHERE id = $4")
	if err != nil {
		return err
	}
	res, err := s.ExecContext(b.ctx, secret, b.a.UserID, micros(b.tx.now), userID)
	if err != nil {
		return fmt.Errorf("set totp: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n != 1 {
		return contest.NotFound(contest.KindUser)
	}
	return b.tx.appendAudit(b.ctx, b.a, &contest.AuditEntry{Action: contest.AuditPermission, Kind: contest.KindUser, RecordID: itoa(userID),
		Detail: map[string]string{"second_factor": "totp enrolled", "method": "bulk"}})
}

// Now is the time the load's transaction began, which every record's
// created and updated times carry.
func (b *Bulk) Now() time.Time { return b.tx.now }
