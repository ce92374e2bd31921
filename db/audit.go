package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/access"
	"github.com/contest-ct/contest/audit"
)

// appendAudit adds e to the chain inside tx. The row lock on audit_head
// (PostgreSQL, taken by a group's first entry and held to its commit) or
// the single write connection (SQLite) keeps the chain in one order across
// every node; within a group the head is carried in memory and written back
// once before the commit. Any failure is EAUDIT, and the caller's work, with
// the action it records, rolls back.
func (tx *Tx) appendAudit(ctx context.Context, a *contest.Actor, e *contest.AuditEntry) error {
	if err := tx.chain(ctx, a, e); err != nil {
		return err
	}
	st, err := tx.db.auditStmts(ctx)
	if err != nil {
		return tx.db.auditErr(err)
	}
	if _, err := tx.StmtContext(ctx, st.insert).ExecContext(ctx, auditArgs(e)...); err != nil {
		return tx.db.auditErr(err)
	}
	tx.group.advance(e)
	return nil
}

// chain fills in e's actor, time, sequence number and hashes, continuing
// the group's head (read under its lock the first time).
func (tx *Tx) chain(ctx context.Context, a *contest.Actor, e *contest.AuditEntry) error {
	if a != nil {
		e.UserID, e.Username, e.OrgID, e.ClientAddr, e.Via = a.UserID, a.Username, a.OrgID, a.ClientAddr, a.Via
		if e.Justification == "" && a.Justification != "" {
			e.Justification = tx.db.hasher.HMAC(a.Justification)
		}
	}
	if e.Outcome == "" {
		e.Outcome = contest.OutcomeAllowed
	}
	e.Time = tx.now
	audit.Normalize(e)
	g := tx.group
	if !g.headLoaded {
		st, err := tx.db.auditStmts(ctx)
		if err != nil {
			return tx.db.auditErr(err)
		}
		if err := tx.StmtContext(ctx, st.head).QueryRowContext(ctx).Scan(&g.seq, &g.hash); err != nil {
			return tx.db.auditErr(err)
		}
		g.headLoaded = true
	}
	e.Seq, e.PrevHash = g.seq+1, g.hash
	e.Hash = audit.Sum(e)
	return nil
}

const auditInsertCols = "seq, at, user_id, username, org_id, action, kind, record_id, outcome, client_addr, via, justification, recipient, detail, prev_hash, hash"

func auditArgs(e *contest.AuditEntry) []any {
	return []any{e.Seq, micros(e.Time), e.UserID, e.Username, e.OrgID, string(e.Action), string(e.Kind), e.RecordID, e.Outcome,
		e.ClientAddr, e.Via, e.Justification, e.Recipient, audit.EncodeDetail(e.Detail), e.PrevHash, e.Hash}
}

// appendAudits adds the entries of the audit-only callers of a group with
// one statement. If it fails, each is retried alone so that one bad entry
// cannot refuse the others; errs[i] is set for those that still fail.
func (tx *Tx) appendAudits(ctx context.Context, items []*writeReq, errs []error) error {
	saved := *tx.group
	var b strings.Builder
	b.WriteString("INSERT INTO audit_log (" + auditInsertCols + ") VALUES ")
	args := make([]any, 0, 16*len(items))
	for i, r := range items {
		if err := tx.chain(ctx, r.actor, r.entry); err != nil {
			return err
		}
		tx.group.advance(r.entry)
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('(')
		for j := range 16 {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString("$" + strconv.Itoa(len(args)+j+1))
		}
		b.WriteByte(')')
		args = append(args, auditArgs(r.entry)...)
	}
	if _, err := tx.ExecContext(ctx, "SAVEPOINT a"); err != nil {
		return tx.db.auditErr(err)
	}
	_, err := tx.ExecContext(ctx, b.String(), args...)
	if err == nil {
		_, err = tx.ExecContext(ctx, "RELEASE SAVEPOINT a")
		return err
	}
	if _, err := tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT a"); err != nil {
		return tx.db.auditErr(err)
	}
	if _, err := tx.ExecContext(ctx, "RELEASE SAVEPOINT a"); err != nil {
		return tx.db.auditErr(err)
	}
	*tx.group = saved
	for i, r := range items {
		r.entry.Seq, r.entry.Hash, r.entry.PrevHash = 0, "", ""
		if _, err := tx.ExecContext(ctx, "SAVEPOINT a"); err != nil {
			return tx.db.auditErr(err)
		}
		before := *tx.group
		if errs[i] = tx.appendAudit(ctx, r.actor, r.entry); errs[i] != nil {
			*tx.group = before
			if _, err := tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT a"); err != nil {
				return tx.db.auditErr(err)
			}
		}
		if _, err := tx.ExecContext(ctx, "RELEASE SAVEPOINT a"); err != nil {
			return tx.db.auditErr(err)
		}
	}
	return nil
}

// auditStatements are prepared once on the write pool; on SQLite, whose
// write pool is one connection, transactions reuse them as they are.
type auditStatements struct {
	head, insert, update *sql.Stmt
}

func (d *DB) auditStmts(ctx context.Context) (*auditStatements, error) {
	if d.stmts == nil {
		return nil, errors.New("audit statements not prepared")
	}
	return d.stmts, nil
}

// prepareAudit prepares the audit statements. It runs in Open, before any
// transaction holds SQLite's one write connection (preparing inside one
// would wait for that connection forever).
func (d *DB) prepareAudit(ctx context.Context) error {
	q := "SELECT seq, hash FROM audit_head WHERE id = 1"
	if d.engine == Postgres {
		q += " FOR UPDATE"
	}
	var st auditStatements
	var err error
	if st.head, err = d.write.PrepareContext(ctx, q); err != nil {
		return err
	}
	if st.insert, err = d.write.PrepareContext(ctx, `INSERT INTO audit_log (seq, at, user_id, username, org_id, action, kind, record_id, outcome,
		client_addr, via, justification, recipient, detail, prev_hash, hash)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16)`); err != nil {
		return err
	}
	if st.update, err = d.write.PrepareContext(ctx, "UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1"); err != nil {
		return err
	}
	d.stmts = &st
	return nil
}

func (d *DB) auditErr(err error) error {
	d.log.Error("audit write failed", "err", err)
	return &contest.Error{Code: contest.EAUDIT, Message: "The action was not carried out because it could not be recorded in the audit trail. Try again, and tell your administrator if it keeps happening."}
}

// audit writes one entry in a transaction of its own and commits it before
// returning, for reads (whose data must not leave before the entry is
// stored) and for events that change nothing.
func (d *DB) audit(ctx context.Context, a *contest.Actor, e *contest.AuditEntry) error {
	err := d.enqueue(ctx, &writeReq{ctx: ctx, actor: a, entry: e, done: make(chan error, 1)})
	if err != nil && contest.ErrorCode(err) != contest.EAUDIT {
		return d.auditErr(err)
	}
	return err
}

// denied audits a refused request and returns the answer the caller gets:
// for reads of a record, the same not-found as for a missing record.
func (d *DB) denied(ctx context.Context, a *contest.Actor, act contest.AuditAction, kind contest.Kind, id string, reason string, answer error) error {
	if err := d.audit(ctx, a, &contest.AuditEntry{Action: act, Kind: kind, RecordID: id, Outcome: contest.OutcomeDenied,
		Detail: map[string]string{"reason": reason}}); err != nil {
		return err
	}
	return answer
}

// forbidden is the answer to an actor whose role may not take an action.
func forbidden() error {
	return contest.Errorf(contest.EFORBIDDEN, "You do not have permission to do that.")
}

// forbid checks the role-level rule for an action that creates or changes,
// auditing a refusal.
func (d *DB) forbid(ctx context.Context, a *contest.Actor, act access.Action, aact contest.AuditAction, kind contest.Kind, id string) error {
	if access.Can(a, act, kind) {
		return nil
	}
	return d.denied(ctx, a, aact, kind, id, "role", forbidden())
}

// RecordAudit implements contest.AuditService.
func (d *DB) RecordAudit(ctx context.Context, a *contest.Actor, e *contest.AuditEntry) error {
	return d.audit(ctx, a, e)
}

// AuditHMAC implements contest.AuditService.
func (d *DB) AuditHMAC(v string) string { return d.hasher.HMAC(v) }

func (d *DB) auditWhere(f contest.AuditFilter) (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args))))
	}
	if f.UserID != 0 {
		add("user_id = ?", f.UserID)
	}
	if f.Username != "" {
		add("username = ?", strings.ToLower(strings.TrimSpace(f.Username)))
	}
	if f.Action != "" {
		add("action = ?", string(f.Action))
	}
	if f.Kind != "" {
		add("kind = ?", string(f.Kind))
	}
	if f.RecordID != "" {
		add("record_id = ?", f.RecordID)
	}
	if f.Outcome != "" {
		add("outcome = ?", f.Outcome)
	}
	if !f.From.IsZero() {
		add("at >= ?", micros(f.From))
	}
	if !f.To.IsZero() {
		add("at < ?", micros(f.To))
	}
	if f.Value != "" {
		h := d.hasher.HMAC(f.Value)
		args = append(args, h, "%"+h+"%")
		conds = append(conds, fmt.Sprintf("(justification = $%d OR detail LIKE $%d)", len(args)-1, len(args)))
	}
	if len(conds) == 0 {
		return "", args
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

const auditCols = "seq, at, user_id, username, org_id, action, kind, record_id, outcome, client_addr, via, justification, recipient, detail, prev_hash, hash"

func scanAudit(rows interface{ Scan(...any) error }) (*contest.AuditEntry, error) {
	var (
		e      contest.AuditEntry
		at     int64
		action string
		kind   string
		detail string
	)
	if err := rows.Scan(&e.Seq, &at, &e.UserID, &e.Username, &e.OrgID, &action, &kind, &e.RecordID, &e.Outcome,
		&e.ClientAddr, &e.Via, &e.Justification, &e.Recipient, &detail, &e.PrevHash, &e.Hash); err != nil {
		return nil, err
	}
	e.Time, e.Action, e.Kind = fromMicros(at), contest.AuditAction(action), contest.Kind(kind)
	dm, ok := audit.DecodeDetail(detail)
	if !ok {
		// Keep the raw text so that verification fails on this entry.
		dm = map[string]string{"\x00raw": detail}
	}
	e.Detail = dm
	return &e, nil
}

func (d *DB) checkAuditor(ctx context.Context, a *contest.Actor, act access.Action, aact contest.AuditAction) error {
	m := &contest.Meta{Classification: contest.Official}
	if dec := access.Decide(a, act, contest.KindAudit, m); !dec.Allowed {
		return d.denied(ctx, a, aact, contest.KindAudit, "", dec.Reason, contest.Errorf(contest.EFORBIDDEN, "Only auditors may search the audit trail."))
	}
	return nil
}

// FindAuditEntries implements contest.AuditService.
func (d *DB) FindAuditEntries(ctx context.Context, a *contest.Actor, f contest.AuditFilter) ([]*contest.AuditEntry, int, error) {
	if err := d.checkAuditor(ctx, a, access.Read, contest.AuditSearch); err != nil {
		return nil, 0, err
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	if f.Offset < 0 {
		f.Offset = 0
	}
	where, args := d.auditWhere(f)
	var total int
	if err := d.read.QueryRowContext(ctx, "SELECT COUNT(*) FROM audit_log"+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count audit: %w", err)
	}
	q := "SELECT " + auditCols + " FROM audit_log" + where + fmt.Sprintf(" ORDER BY seq DESC LIMIT %d OFFSET %d", f.Limit, f.Offset)
	rows, err := d.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("find audit: %w", err)
	}
	out, err := collect(rows, scanAudit)
	if err != nil {
		return nil, 0, err
	}
	if err := d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditSearch, Kind: contest.KindAudit,
		Detail: auditFilterDetail(d, f, total)}); err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

func auditFilterDetail(d *DB, f contest.AuditFilter, n int) map[string]string {
	m := map[string]string{"results": strconv.Itoa(n)}
	if f.Username != "" {
		m["username"] = f.Username
	}
	if f.Action != "" {
		m["action"] = string(f.Action)
	}
	if f.Kind != "" {
		m["kind"] = string(f.Kind)
	}
	if f.RecordID != "" {
		m["record_id"] = f.RecordID
	}
	if f.Value != "" {
		m["value"] = d.hasher.HMAC(f.Value)
	}
	return m
}

// ExportAudit implements contest.AuditService. The export is audited as a
// disclosure to the recipient before any line is written.
func (d *DB) ExportAudit(ctx context.Context, a *contest.Actor, f contest.AuditFilter, recipient string, w io.Writer) error {
	if err := d.checkAuditor(ctx, a, access.Export, contest.AuditExport); err != nil {
		return err
	}
	recipient = strings.TrimSpace(recipient)
	if recipient == "" || len(recipient) > 200 {
		return &contest.Error{Code: contest.EINVALID, Message: "There is a problem with the information you gave.",
			Fields: []contest.FieldError{{Field: "recipient", Message: "Enter who the export is for (200 characters or fewer)"}}}
	}
	where, args := d.auditWhere(f)
	if err := d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditExport, Kind: contest.KindAudit, Recipient: recipient,
		Detail: auditFilterDetail(d, f, -1)}); err != nil {
		return err
	}
	rows, err := d.read.QueryContext(ctx, "SELECT "+auditCols+" FROM audit_log"+where+" ORDER BY seq", args...)
	if err != nil {
		return fmt.Errorf("export audit: %w", err)
	}
	defer rows.Close()
	enc := json.NewEncoder(w)
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return err
		}
		if err := enc.Encode(e); err != nil {
			return err
		}
	}
	return rows.Err()
}

// VerifyAudit implements contest.AuditService: it streams the whole chain in
// sequence order and names the first entry that fails, and whether the head
// row agrees with the last entry (which catches truncation).
func (d *DB) VerifyAudit(ctx context.Context, a *contest.Actor) (*contest.AuditVerifyResult, error) {
	if !a.System {
		if err := d.checkAuditor(ctx, a, access.Read, contest.AuditVerify); err != nil {
			return nil, err
		}
	}
	start := time.Now()
	res, err := d.verifyChain(ctx)
	if err != nil {
		return nil, err
	}
	res.Elapsed = time.Since(start)
	outcome := map[string]string{"entries": strconv.FormatInt(res.Entries, 10), "ok": strconv.FormatBool(res.OK)}
	if !res.OK {
		outcome["first_bad_seq"] = strconv.FormatInt(res.FirstBadSeq, 10)
	}
	// The result is returned even when its own audit entry cannot be
	// written: a broken chain is exactly when the operator must see it.
	return res, d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditVerify, Kind: contest.KindAudit, Detail: outcome})
}

func (d *DB) verifyChain(ctx context.Context) (*contest.AuditVerifyResult, error) {
	// A read transaction gives one snapshot of log and head together.
	tx, err := d.read.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var headSeq int64
	var headHash string
	if err := tx.QueryRowContext(ctx, "SELECT seq, hash FROM audit_head WHERE id = 1").Scan(&headSeq, &headHash); err != nil {
		return nil, fmt.Errorf("read audit head: %w", err)
	}
	rows, err := tx.QueryContext(ctx, "SELECT "+auditCols+" FROM audit_log ORDER BY seq")
	if err != nil {
		return nil, fmt.Errorf("read audit: %w", err)
	}
	defer rows.Close()
	// Scanning and hashing run side by side: one goroutine reads batches
	// of entries, this one checks them.
	batches := make(chan []*contest.AuditEntry, 4)
	stop := make(chan struct{})
	var scanErr error
	go func() {
		defer close(batches)
		batch := make([]*contest.AuditEntry, 0, 1024)
		for rows.Next() {
			e, err := scanAudit(rows)
			if err != nil {
				scanErr = err
				return
			}
			batch = append(batch, e)
			if len(batch) == cap(batch) {
				select {
				case batches <- batch:
				case <-stop:
					return
				}
				batch = make([]*contest.AuditEntry, 0, 1024)
			}
		}
		scanErr = rows.Err()
		if len(batch) > 0 {
			select {
			case batches <- batch:
			case <-stop:
			}
		}
	}()
	c := audit.NewChain()
	res := &contest.AuditVerifyResult{OK: true}
	for batch := range batches {
		for _, e := range batch {
			if !c.Add(e) {
				res.OK, res.FirstBadSeq, res.Problem = false, c.FirstBad, c.Problem
				close(stop)
				for range batches {
				}
				break
			}
		}
		if !res.OK {
			break
		}
	}
	if scanErr != nil {
		return nil, scanErr
	}
	res.Entries = c.Count()
	if res.OK && (c.Count() != headSeq || c.Head() != headHash) {
		res.OK = false
		res.FirstBadSeq = c.Count() + 1
		res.Problem = fmt.Sprintf("the chain ends at entry %d but the head records entry %d: entries are missing from the end", c.Count(), headSeq)
	}
	return res, nil
}
