package db

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/access"
)

// The premises register. A premises record carries the access metadata;
// its assessments, findings and emergency plans are read and written under
// the premises' own decision. The tier is never stored: it is computed
// from the capacity whenever a record is read (contest.TierFor).

const premisesCols = "t.id, t.name, t.address, t.postcode, t.premises_use, t.capacity, t.responsible_person, t.responsible_email, t.next_review_at, o.name"

const premisesFrom = " FROM premises t LEFT JOIN orgs o ON o.id = t.owner_org_id"

func scanPremises(r interface{ Scan(...any) error }) (*contest.Premises, error) {
	var (
		p    contest.Premises
		next int64
		tmp  [5]int64
		org  sql.NullString
	)
	if err := r.Scan(append([]any{&p.ID, &p.Name, &p.Address, &p.Postcode, &p.Use, &p.Capacity, &p.ResponsiblePerson, &p.ResponsibleEmail, &next, &org},
		metaDest(&p.Meta, &tmp)...)...); err != nil {
		return nil, err
	}
	metaFinish(&p.Meta, &tmp)
	p.NextReviewAt, p.OrgName, p.Tier = fromMicros(next), org.String, contest.TierFor(p.Capacity)
	return &p, nil
}

// tierCond is the SQL condition on capacity for a tier.
func tierCond(t contest.PremisesTier) string {
	switch t {
	case contest.TierEnhanced:
		return "t.capacity >= " + strconv.Itoa(contest.EnhancedTierFrom)
	case contest.TierStandard:
		return "t.capacity >= " + strconv.Itoa(contest.StandardTierFrom) + " AND t.capacity < " + strconv.Itoa(contest.EnhancedTierFrom)
	}
	return "t.capacity < " + strconv.Itoa(contest.StandardTierFrom)
}

// FindPremises implements contest.ProtectService.
func (d *DB) FindPremises(ctx context.Context, a *contest.Actor, f contest.PremisesFilter) ([]*contest.Premises, int, error) {
	where, args := access.Filter(a, access.Read, contest.KindPremises, "t", 1)
	al := argList(args)
	if f.Tier != "" {
		where += " AND " + tierCond(f.Tier)
	}
	if f.OrgID != 0 {
		where += " AND t.owner_org_id = " + al.add(f.OrgID)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	f.Offset = max(f.Offset, 0)
	var total int
	if err := d.read.QueryRowContext(ctx, "SELECT COUNT(*) FROM premises t WHERE "+where, al...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count premises: %w", err)
	}
	rows, err := d.read.QueryContext(ctx, "SELECT "+premisesCols+", "+prefixed("t", metaCols)+premisesFrom+" WHERE "+where+
		fmt.Sprintf(" ORDER BY t.name, t.id LIMIT %d OFFSET %d", f.Limit, f.Offset), al...)
	if err != nil {
		return nil, 0, fmt.Errorf("find premises: %w", err)
	}
	out, err := collect(rows, scanPremises)
	if err != nil {
		return nil, 0, err
	}
	if err := d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditList, Kind: contest.KindPremises,
		Detail: map[string]string{"results": strconv.Itoa(total), "tier": string(f.Tier)}}); err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// premisesFor reads premises and decides the action, auditing a refusal
// with the same not-found as a missing record.
func (d *DB) premisesFor(ctx context.Context, q queryRower, a *contest.Actor, act access.Action, aact contest.AuditAction, id int64) (*contest.Premises, error) {
	p, err := scanPremises(q.QueryRowContext(ctx, "SELECT "+premisesCols+", "+prefixed("t", metaCols)+premisesFrom+" WHERE t.id = $1", id))
	reason := ""
	switch {
	case errors.Is(err, sql.ErrNoRows):
		reason = "missing"
	case err != nil:
		return nil, fmt.Errorf("find premises: %w", err)
	default:
		if dec := access.Decide(a, act, contest.KindPremises, &p.Meta); !dec.Allowed {
			reason = dec.Reason
		}
	}
	if reason != "" {
		return nil, &deniedErr{reason: reason, err: contest.NotFound(contest.KindPremises), act: aact}
	}
	return p, nil
}

// deniedErr is a refusal found inside a transaction, audited after it
// rolls back.
type deniedErr struct {
	reason string
	err    error
	act    contest.AuditAction
}

func (e *deniedErr) Error() string { return e.err.Error() }
func (e *deniedErr) Unwrap() error { return e.err }

// auditDenied audits a refusal returned from a transaction and returns the
// caller's answer; other errors pass through.
func (d *DB) auditDenied(ctx context.Context, a *contest.Actor, kind contest.Kind, id int64, err error) error {
	var de *deniedErr
	if errors.As(err, &de) {
		return d.denied(ctx, a, de.act, kind, itoa(id), de.reason, de.err)
	}
	return err
}

// FindPremisesByID implements contest.ProtectService: the premises with
// their assessments, findings and the list of plans.
func (d *DB) FindPremisesByID(ctx context.Context, a *contest.Actor, id int64) (*contest.Premises, error) {
	p, err := d.premisesFor(ctx, d.read, a, access.Read, contest.AuditRead, id)
	if err != nil {
		return nil, d.auditDenied(ctx, a, contest.KindPremises, id, err)
	}
	rows, err := d.read.QueryContext(ctx, "SELECT s.id, s.adviser_id, COALESCE(u.display_name, ''), s.assessed_at, s.summary, s.next_review_at FROM premises_assessments s"+
		" LEFT JOIN users u ON u.id = s.adviser_id WHERE s.premises_id = $1 ORDER BY s.assessed_at DESC, s.id DESC", id)
	if err != nil {
		return nil, err
	}
	byID := map[int64]*contest.Assessment{}
	for rows.Next() {
		var as contest.Assessment
		var at, next int64
		if err := rows.Scan(&as.ID, &as.AdviserID, &as.AdviserName, &at, &as.Summary, &next); err != nil {
			rows.Close()
			return nil, err
		}
		as.PremisesID, as.AssessedAt, as.NextReviewAt = id, fromMicros(at), fromMicros(next)
		p.Assessments = append(p.Assessments, &as)
		byID[as.ID] = &as
	}
	rows.Close()
	rows, err = d.read.QueryContext(ctx, "SELECT id, assessment_id, text, priority, due_at, resolved_at FROM premises_findings WHERE premises_id = $1 ORDER BY due_at, id", id)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var f contest.Finding
		var due, res int64
		if err := rows.Scan(&f.ID, &f.AssessmentID, &f.Text, &f.Priority, &due, &res); err != nil {
			rows.Close()
			return nil, err
		}
		f.DueAt, f.ResolvedAt = fromMicros(due), fromMicros(res)
		if as := byID[f.AssessmentID]; as != nil {
			as.Findings = append(as.Findings, &f)
		}
	}
	rows.Close()
	rows, err = d.read.QueryContext(ctx, "SELECT id, name, content_type, size, sha256, uploaded_by, uploaded_at FROM premises_plans WHERE premises_id = $1 ORDER BY uploaded_at DESC, id DESC", id)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var pl contest.EmergencyPlan
		var at int64
		if err := rows.Scan(&pl.ID, &pl.Name, &pl.ContentType, &pl.Size, &pl.SHA256, &pl.UploadedBy, &at); err != nil {
			rows.Close()
			return nil, err
		}
		pl.PremisesID, pl.UploadedAt = id, fromMicros(at)
		p.Plans = append(p.Plans, &pl)
	}
	rows.Close()
	if err := d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditRead, Kind: contest.KindPremises, RecordID: itoa(id)}); err != nil {
		return nil, err
	}
	return p, nil
}

// CreatePremises implements contest.ProtectService. The owning
// organisation is the one responsible for the premises.
func (d *DB) CreatePremises(ctx context.Context, a *contest.Actor, p *contest.Premises) error {
	if err := d.forbid(ctx, a, access.Create, contest.AuditCreate, contest.KindPremises, ""); err != nil {
		return err
	}
	if err := p.Validate(); err != nil {
		return err
	}
	err := d.inWrite(ctx, func(tx *Tx) error {
		org, err := d.orgByID(ctx, tx, p.Meta.OwnerOrgID)
		if err != nil {
			return &contest.Error{Code: contest.EINVALID, Message: "There is a problem with the information you gave.",
				Fields: []contest.FieldError{{Field: "org_id", Message: "Select the organisation responsible for the premises"}}}
		}
		p.Meta = contest.Meta{Classification: contest.Official, OwnerOrgID: org.ID, Area: org.Area}
		tx.newMeta(a, &p.Meta)
		if dec := access.Decide(a, access.Create, contest.KindPremises, &p.Meta); !dec.Allowed {
			return &deniedErr{reason: dec.Reason, act: contest.AuditCreate, err: forbidden()}
		}
		p.OrgName = org.Name
		if err := tx.QueryRowContext(ctx, "INSERT INTO premises (name, address, postcode, premises_use, capacity, responsible_person, responsible_email, "+metaCols+
			") VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15) RETURNING id",
			append([]any{p.Name, p.Address, p.Postcode, p.Use, p.Capacity, p.ResponsiblePerson, p.ResponsibleEmail}, metaArgs(&p.Meta)...)...).Scan(&p.ID); err != nil {
			return fmt.Errorf("insert premises: %w", err)
		}
		return tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditCreate, Kind: contest.KindPremises, RecordID: itoa(p.ID),
			Detail: map[string]string{"name": d.hasher.HMAC(p.Name), "capacity": strconv.Itoa(p.Capacity), "tier": string(p.Tier),
				"responsible_person": d.hasher.HMAC(p.ResponsiblePerson)}})
	})
	return d.auditDenied(ctx, a, contest.KindPremises, 0, err)
}

// AddAssessment implements contest.ProtectService: a security adviser (or
// supervisor) records an assessment; the premises' next review becomes its
// due date.
func (d *DB) AddAssessment(ctx context.Context, a *contest.Actor, premisesID int64, as *contest.Assessment) error {
	if err := d.forbid(ctx, a, access.Update, contest.AuditUpdate, contest.KindPremises, itoa(premisesID)); err != nil {
		return err
	}
	if err := as.Validate(d.now()); err != nil {
		return err
	}
	err := d.inWrite(ctx, func(tx *Tx) error {
		if _, err := d.premisesFor(ctx, tx, a, access.Update, contest.AuditUpdate, premisesID); err != nil {
			return err
		}
		as.PremisesID, as.AdviserID, as.AdviserName = premisesID, a.UserID, a.DisplayName
		if err := tx.QueryRowContext(ctx, "INSERT INTO premises_assessments (premises_id, adviser_id, assessed_at, summary, next_review_at, created_at) VALUES ($1,$2,$3,$4,$5,$6) RETURNING id",
			premisesID, a.UserID, micros(as.AssessedAt), as.Summary, micros(as.NextReviewAt), micros(tx.now)).Scan(&as.ID); err != nil {
			return fmt.Errorf("insert assessment: %w", err)
		}
		for _, f := range as.Findings {
			f.AssessmentID = as.ID
			if err := tx.QueryRowContext(ctx, "INSERT INTO premises_findings (assessment_id, premises_id, text, priority, due_at) VALUES ($1,$2,$3,$4,$5) RETURNING id",
				as.ID, premisesID, f.Text, f.Priority, micros(f.DueAt)).Scan(&f.ID); err != nil {
				return fmt.Errorf("insert finding: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, "UPDATE premises SET next_review_at = $1, updated_at = $2, updated_by = $3 WHERE id = $4",
			micros(as.NextReviewAt), micros(tx.now), a.UserID, premisesID); err != nil {
			return err
		}
		return tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditUpdate, Kind: contest.KindPremises, RecordID: itoa(premisesID),
			Detail: map[string]string{"assessment": itoa(as.ID), "findings": strconv.Itoa(len(as.Findings)),
				"summary": d.hasher.HMAC(as.Summary), "next_review_at": as.NextReviewAt.Format(time.DateOnly)}})
	})
	return d.auditDenied(ctx, a, contest.KindPremises, premisesID, err)
}

// ResolveFinding implements contest.ProtectService.
func (d *DB) ResolveFinding(ctx context.Context, a *contest.Actor, premisesID, findingID int64) error {
	if err := d.forbid(ctx, a, access.Update, contest.AuditUpdate, contest.KindPremises, itoa(premisesID)); err != nil {
		return err
	}
	err := d.inWrite(ctx, func(tx *Tx) error {
		if _, err := d.premisesFor(ctx, tx, a, access.Update, contest.AuditUpdate, premisesID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, "UPDATE premises_findings SET resolved_at = $1, resolved_by = $2 WHERE id = $3 AND premises_id = $4 AND resolved_at = 0",
			micros(tx.now), a.UserID, findingID, premisesID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return contest.Errorf(contest.ENOTFOUND, "The finding was not found, or is already put right.")
		}
		return tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditUpdate, Kind: contest.KindPremises, RecordID: itoa(premisesID),
			Detail: map[string]string{"finding": itoa(findingID), "resolved": "true"}})
	})
	return d.auditDenied(ctx, a, contest.KindPremises, premisesID, err)
}

// AttachPlan implements contest.ProtectService.
func (d *DB) AttachPlan(ctx context.Context, a *contest.Actor, premisesID int64, pl *contest.EmergencyPlan) error {
	if err := d.forbid(ctx, a, access.Update, contest.AuditUpdate, contest.KindPremises, itoa(premisesID)); err != nil {
		return err
	}
	var fe contest.FieldErrors
	switch {
	case len(pl.Content) == 0:
		fe.Add("plan", "Choose the plan document to attach")
	case len(pl.Content) > contest.MaxPlanBytes:
		fe.Add("plan", "The plan must be 8 MB or smaller")
	}
	if pl.Name == "" || len(pl.Name) > 200 {
		fe.Add("plan", "The file name must be 1 to 200 characters")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	sum := sha256.Sum256(pl.Content)
	pl.SHA256, pl.Size, pl.PremisesID, pl.UploadedBy = hex.EncodeToString(sum[:]), len(pl.Content), premisesID, a.UserID
	if pl.ContentType == "" {
		pl.ContentType = "application/octet-stream"
	}
	err := d.inWrite(ctx, func(tx *Tx) error {
		if _, err := d.premisesFor(ctx, tx, a, access.Update, contest.AuditUpdate, premisesID); err != nil {
			return err
		}
		pl.UploadedAt = tx.now
		if err := tx.QueryRowContext(ctx, "INSERT INTO premises_plans (premises_id, name, content_type, size, sha256, content, uploaded_by, uploaded_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING id",
			premisesID, pl.Name, pl.ContentType, pl.Size, pl.SHA256, pl.Content, a.UserID, micros(tx.now)).Scan(&pl.ID); err != nil {
			return fmt.Errorf("insert plan: %w", err)
		}
		return tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditUpdate, Kind: contest.KindPremises, RecordID: itoa(premisesID),
			Detail: map[string]string{"plan": itoa(pl.ID), "sha256": pl.SHA256, "name": d.hasher.HMAC(pl.Name)}})
	})
	return d.auditDenied(ctx, a, contest.KindPremises, premisesID, err)
}

// FindPlan implements contest.ProtectService: one plan with its bytes.
func (d *DB) FindPlan(ctx context.Context, a *contest.Actor, premisesID, planID int64) (*contest.EmergencyPlan, error) {
	if _, err := d.premisesFor(ctx, d.read, a, access.Read, contest.AuditRead, premisesID); err != nil {
		return nil, d.auditDenied(ctx, a, contest.KindPremises, premisesID, err)
	}
	var pl contest.EmergencyPlan
	var at int64
	err := d.read.QueryRowContext(ctx, "SELECT id, name, content_type, size, sha256, content, uploaded_by, uploaded_at FROM premises_plans WHERE id = $1 AND premises_id = $2", planID, premisesID).
		Scan(&pl.ID, &pl.Name, &pl.ContentType, &pl.Size, &pl.SHA256, &pl.Content, &pl.UploadedBy, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, d.denied(ctx, a, contest.AuditRead, contest.KindPremises, itoa(premisesID), "plan missing", contest.NotFound(contest.KindPremises))
	} else if err != nil {
		return nil, err
	}
	pl.PremisesID, pl.UploadedAt = premisesID, fromMicros(at)
	if err := d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditRead, Kind: contest.KindPremises, RecordID: itoa(premisesID),
		Detail: map[string]string{"plan": itoa(planID)}}); err != nil {
		return nil, err
	}
	return &pl, nil
}

// ReviewsDue implements contest.ProtectService: the reminder queue of
// reviews (premises whose next review is due within the window, or that
// have never been assessed) and findings not put right by their due date,
// over the premises the actor may see.
func (d *DB) ReviewsDue(ctx context.Context, a *contest.Actor, within time.Duration) ([]*contest.ReviewDue, error) {
	now := d.now()
	until := micros(now.Add(within))
	where, args := access.Filter(a, access.Read, contest.KindPremises, "t", 1)
	al := argList(args)
	pu := al.add(until)
	rows, err := d.read.QueryContext(ctx, "SELECT t.id, t.name, t.capacity, t.next_review_at FROM premises t WHERE "+where+
		" AND t.next_review_at <= "+pu+" ORDER BY t.next_review_at, t.id LIMIT 500", al...)
	if err != nil {
		return nil, fmt.Errorf("reviews due: %w", err)
	}
	var out []*contest.ReviewDue
	for rows.Next() {
		var r contest.ReviewDue
		var capacity int
		var due int64
		if err := rows.Scan(&r.PremisesID, &r.PremisesName, &capacity, &due); err != nil {
			rows.Close()
			return nil, err
		}
		r.Tier, r.DueAt, r.What = contest.TierFor(capacity), fromMicros(due), "review"
		if due == 0 {
			r.Detail = "Never assessed"
			r.DueAt = time.Time{}
		} else {
			r.Detail = "Protective-security review due"
		}
		r.Overdue = due == 0 || r.DueAt.Before(now)
		out = append(out, &r)
	}
	rows.Close()
	frows, err := d.read.QueryContext(ctx, "SELECT t.id, t.name, t.capacity, f.text, f.priority, f.due_at FROM premises_findings f JOIN premises t ON t.id = f.premises_id WHERE "+where+
		" AND f.resolved_at = 0 AND f.due_at <= "+pu+" ORDER BY f.due_at, f.id LIMIT 500", al...)
	if err != nil {
		return nil, fmt.Errorf("findings due: %w", err)
	}
	for frows.Next() {
		var r contest.ReviewDue
		var capacity int
		var due int64
		var text, prio string
		if err := frows.Scan(&r.PremisesID, &r.PremisesName, &capacity, &text, &prio, &due); err != nil {
			frows.Close()
			return nil, err
		}
		r.Tier, r.DueAt, r.What, r.Detail = contest.TierFor(capacity), fromMicros(due), "finding", prio+" priority: "+text
		r.Overdue = r.DueAt.Before(now)
		out = append(out, &r)
	}
	frows.Close()
	sort.SliceStable(out, func(i, j int) bool { return out[i].DueAt.Before(out[j].DueAt) })
	if err := d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditList, Kind: contest.KindPremises,
		Detail: map[string]string{"what": "reviews due", "results": strconv.Itoa(len(out))}}); err != nil {
		return nil, err
	}
	return out, nil
}
