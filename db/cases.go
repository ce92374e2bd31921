package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/access"
)

// findList returns the visible rows of a table, newest first, with the
// visible total, and audits the consultation.
func findList[T any](ctx context.Context, d *DB, a *contest.Actor, kind contest.Kind, tbl, cols string, f contest.CaseFilter,
	scan func(r interface{ Scan(...any) error }) (*T, *contest.Meta, error)) ([]*T, int, error) {
	where, args := access.Filter(a, access.Read, kind, "t", 1)
	if f.Status != "" {
		args = append(args, f.Status)
		col := "status"
		if kind == contest.KindPreventCase {
			col = "stage"
		}
		where += " AND t." + col + " = $" + strconv.Itoa(len(args))
	}
	if f.OwnerUserID != 0 {
		args = append(args, f.OwnerUserID)
		col := "owner_user_id"
		if kind == contest.KindInvestigation {
			col = "lead_user_id"
		}
		where += " AND t." + col + " = $" + strconv.Itoa(len(args))
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	if f.Offset < 0 {
		f.Offset = 0
	}
	var total int
	if err := d.read.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+tbl+" t WHERE "+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count %s: %w", tbl, err)
	}
	rows, err := d.read.QueryContext(ctx, "SELECT "+cols+", "+prefixed("t", metaCols)+" FROM "+tbl+" t WHERE "+where+
		fmt.Sprintf(" ORDER BY t.id DESC LIMIT %d OFFSET %d", f.Limit, f.Offset), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("find %s: %w", tbl, err)
	}
	defer rows.Close()
	var out []*T
	for rows.Next() {
		rec, _, err := scan(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, rec)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	if err := d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditList, Kind: kind,
		Detail: map[string]string{"results": strconv.Itoa(total), "status": f.Status}}); err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// prefixed qualifies each column of a comma-separated list with alias.
func prefixed(alias, cols string) string {
	parts := strings.Split(cols, ",")
	for i, c := range parts {
		parts[i] = alias + "." + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}

// findOne returns one visible record; a hidden one gives the same not-found
// as a missing one, and both are audited as refused.
func findOne[T any](ctx context.Context, d *DB, a *contest.Actor, kind contest.Kind, tbl, cols string, id int64,
	scan func(r interface{ Scan(...any) error }) (*T, *contest.Meta, error)) (*T, error) {
	rec, m, err := scan(d.read.QueryRowContext(ctx, "SELECT "+cols+", "+prefixed("t", metaCols)+" FROM "+tbl+" t WHERE t.id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, d.denied(ctx, a, contest.AuditRead, kind, itoa(id), "missing", contest.NotFound(kind))
	} else if err != nil {
		return nil, fmt.Errorf("find %s: %w", tbl, err)
	}
	if err := loadCompartments(ctx, d.read, kind, map[int64]*contest.Meta{id: m}); err != nil {
		return nil, err
	}
	if dec := access.Decide(a, access.Read, kind, m); !dec.Allowed {
		return nil, d.denied(ctx, a, contest.AuditRead, kind, itoa(id), dec.Reason, contest.NotFound(kind))
	}
	if err := d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditRead, Kind: kind, RecordID: itoa(id)}); err != nil {
		return nil, err
	}
	return rec, nil
}

const investigationCols = "t.id, t.operation, t.summary, t.status, t.lead_user_id, t.opened_at, t.closed_at"

func scanInvestigation(r interface{ Scan(...any) error }) (*contest.Investigation, *contest.Meta, error) {
	var v contest.Investigation
	var opened, closed int64
	var tmp [5]int64
	if err := r.Scan(append([]any{&v.ID, &v.Operation, &v.Summary, &v.Status, &v.LeadUserID, &opened, &closed}, metaDest(&v.Meta, &tmp)...)...); err != nil {
		return nil, nil, err
	}
	metaFinish(&v.Meta, &tmp)
	v.OpenedAt, v.ClosedAt = fromMicros(opened), fromMicros(closed)
	return &v, &v.Meta, nil
}

const subjectCols = "t.id, COALESCE(t.investigation_id, 0), t.given_name, t.family_name, t.date_of_birth, t.status, t.priority, t.owner_user_id, t.closed_reason, t.next_review_at"

func scanSubject(r interface{ Scan(...any) error }) (*contest.Subject, *contest.Meta, error) {
	var v contest.Subject
	var next int64
	var tmp [5]int64
	if err := r.Scan(append([]any{&v.ID, &v.InvestigationID, &v.GivenName, &v.FamilyName, &v.DateOfBirth, &v.Status, &v.Priority,
		&v.OwnerUserID, &v.ClosedReason, &next}, metaDest(&v.Meta, &tmp)...)...); err != nil {
		return nil, nil, err
	}
	metaFinish(&v.Meta, &tmp)
	v.NextReviewAt = fromMicros(next)
	return &v, &v.Meta, nil
}

const referralCols = "t.id, t.reference, t.given_name, t.family_name, t.date_of_birth, t.sector, t.concern, t.age, t.gender, t.region, t.stage, t.referred_at, t.owner_user_id"

func scanReferral(r interface{ Scan(...any) error }) (*contest.PreventReferral, *contest.Meta, error) {
	var v contest.PreventReferral
	var at int64
	var tmp [5]int64
	if err := r.Scan(append([]any{&v.ID, &v.Reference, &v.GivenName, &v.FamilyName, &v.DateOfBirth, &v.Sector, &v.Concern, &v.Age,
		&v.Gender, &v.Region, &v.Stage, &at, &v.OwnerUserID}, metaDest(&v.Meta, &tmp)...)...); err != nil {
		return nil, nil, err
	}
	metaFinish(&v.Meta, &tmp)
	v.ReferredAt = fromMicros(at)
	return &v, &v.Meta, nil
}

// FindInvestigations implements contest.CaseService.
func (d *DB) FindInvestigations(ctx context.Context, a *contest.Actor, f contest.CaseFilter) ([]*contest.Investigation, int, error) {
	return findList(ctx, d, a, contest.KindInvestigation, "investigations", investigationCols, f, scanInvestigation)
}

// FindInvestigationByID implements contest.CaseService.
func (d *DB) FindInvestigationByID(ctx context.Context, a *contest.Actor, id int64) (*contest.Investigation, error) {
	return findOne(ctx, d, a, contest.KindInvestigation, "investigations", investigationCols, id, scanInvestigation)
}

// FindSubjects implements contest.CaseService.
func (d *DB) FindSubjects(ctx context.Context, a *contest.Actor, f contest.CaseFilter) ([]*contest.Subject, int, error) {
	return findList(ctx, d, a, contest.KindSubject, "subjects", subjectCols, f, scanSubject)
}

// FindSubjectByID implements contest.CaseService.
func (d *DB) FindSubjectByID(ctx context.Context, a *contest.Actor, id int64) (*contest.Subject, error) {
	return findOne(ctx, d, a, contest.KindSubject, "subjects", subjectCols, id, scanSubject)
}

// FindPreventReferrals implements contest.CaseService.
func (d *DB) FindPreventReferrals(ctx context.Context, a *contest.Actor, f contest.CaseFilter) ([]*contest.PreventReferral, int, error) {
	return findList(ctx, d, a, contest.KindPreventCase, "prevent_referrals", referralCols, f, scanReferral)
}

// FindPreventReferralByID implements contest.CaseService.
func (d *DB) FindPreventReferralByID(ctx context.Context, a *contest.Actor, id int64) (*contest.PreventReferral, error) {
	return findOne(ctx, d, a, contest.KindPreventCase, "prevent_referrals", referralCols, id, scanReferral)
}
