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

// caseTable is where the records of a strand kind live, and the columns
// its filters and order use.
type caseTable struct {
	table  string
	status string // the status column ("stage" for referrals)
	owner  string // the owning user column
	order  string // the list order
	// statuses are the values of the status column, counted by CountCases.
	statuses []string
}

var caseTables = map[contest.Kind]caseTable{
	contest.KindInvestigation: {"investigations", "status", "lead_user_id", "t.id DESC", []string{"open", "closed"}},
	// Subjects come soonest review first (those with no review date
	// last), so that the work due is at the top of every list.
	contest.KindSubject: {"subjects", "status", "owner_user_id", "t.next_review_at = 0, t.next_review_at, t.id DESC",
		[]string{contest.SubjectActive, contest.SubjectFormer, contest.SubjectClosed}},
	contest.KindPreventCase: {"prevent_referrals", "stage", "owner_user_id", "t.id DESC",
		[]string{"referred", "screening", "panel", "adopted", "exited", "closed"}},
}

// orderFor is the list order for a filter. Active and closed subjects
// always carry a review date, so their lists order by the date alone, which
// the subjects_status index gives without sorting: a page stops after its
// rows instead of reading every visible one.
func (ct caseTable) orderFor(f contest.CaseFilter) string {
	if ct.table == "subjects" && (f.Status == contest.SubjectActive || f.Status == contest.SubjectClosed) {
		return "t.next_review_at, t.id DESC"
	}
	return ct.order
}

// caseWhere is the access filter for kind with the filter's conditions
// added, and its arguments.
func caseWhere(a *contest.Actor, kind contest.Kind, ct caseTable, f contest.CaseFilter, page bool) (string, []any) {
	// A page stops after its rows, and an owner or investigation selects
	// few: there the compartment check is best probed row by row.
	filter := access.Filter
	if page || f.OwnerUserID != 0 || f.InvestigationID != 0 {
		filter = access.FilterFew
	}
	where, args := filter(a, access.Read, kind, "t", 1)
	add := func(col string, v any) {
		args = append(args, v)
		where += " AND t." + col + " = $" + strconv.Itoa(len(args))
	}
	if f.Status != "" {
		add(ct.status, f.Status)
	}
	if f.OwnerUserID != 0 {
		add(ct.owner, f.OwnerUserID)
	}
	if f.InvestigationID != 0 && kind == contest.KindSubject {
		add("investigation_id", f.InvestigationID)
	}
	return where, args
}

// findList returns the visible rows of a table in the kind's order, with
// the visible total, and audits the consultation.
func findList[T any](ctx context.Context, d *DB, a *contest.Actor, kind contest.Kind, cols string, f contest.CaseFilter,
	scan func(r interface{ Scan(...any) error }) (*T, *contest.Meta, error)) ([]*T, int, error) {
	ct := caseTables[kind]
	where, args := caseWhere(a, kind, ct, f, false)
	pageWhere, pageArgs := caseWhere(a, kind, ct, f, true)
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	if f.Offset < 0 {
		f.Offset = 0
	}
	var total int
	if err := d.read.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+ct.table+" t WHERE "+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count %s: %w", ct.table, err)
	}
	var out []*T
	// A page past the end needs no second query.
	if f.Offset < total {
		rows, err := d.read.QueryContext(ctx, "SELECT "+cols+", "+prefixed("t", metaCols)+" FROM "+ct.table+" t WHERE "+pageWhere+
			fmt.Sprintf(" ORDER BY %s LIMIT %d OFFSET %d", ct.orderFor(f), f.Limit, f.Offset), pageArgs...)
		if err != nil {
			return nil, 0, fmt.Errorf("find %s: %w", ct.table, err)
		}
		defer rows.Close()
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
	}
	if err := d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditList, Kind: kind,
		Detail: listDetail(f, total)}); err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// listDetail describes a list or count for the audit trail.
func listDetail(f contest.CaseFilter, total int) map[string]string {
	m := map[string]string{"results": strconv.Itoa(total), "status": f.Status}
	if f.OwnerUserID != 0 {
		m["owner_user_id"] = itoa(f.OwnerUserID)
	}
	if f.InvestigationID != 0 {
		m["investigation_id"] = itoa(f.InvestigationID)
	}
	if f.Offset != 0 {
		m["offset"] = strconv.Itoa(f.Offset)
	}
	return m
}

// CountCases implements contest.CaseService: one grouped count of the
// visible records, audited as a list. A status this package does not know
// is counted under "other".
func (d *DB) CountCases(ctx context.Context, a *contest.Actor, kind contest.Kind, f contest.CaseFilter) (map[string]int, error) {
	ct, ok := caseTables[kind]
	if !ok {
		return nil, contest.Errorf(contest.EINVALID, "Records of kind %s cannot be counted by status.", strings.ReplaceAll(string(kind), "_", " "))
	}
	where, args := caseWhere(a, kind, ct, f, false)
	// Grouped by status: with an index that leads with the status and
	// holds the access columns (see migration 00008) this reads the index
	// alone, in order, with no sort; a sum per status over every row was
	// five times slower on 7,000 referrals.
	rows, err := d.read.QueryContext(ctx, "SELECT t."+ct.status+", COUNT(*) FROM "+ct.table+" t WHERE "+where+" GROUP BY t."+ct.status, args...)
	if err != nil {
		return nil, fmt.Errorf("count %s: %w", ct.table, err)
	}
	defer rows.Close()
	known := map[string]bool{}
	for _, st := range ct.statuses {
		known[st] = true
	}
	out := map[string]int{}
	total := 0
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, fmt.Errorf("count %s: %w", ct.table, err)
		}
		if !known[st] {
			st = "other"
		}
		out[st] += n
		total += n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("count %s: %w", ct.table, err)
	}
	detail := listDetail(f, total)
	detail["grouped_by"] = ct.status
	if err := d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditList, Kind: kind, Detail: detail}); err != nil {
		return nil, err
	}
	return out, nil
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
func findOne[T any](ctx context.Context, d *DB, a *contest.Actor, kind contest.Kind, cols string, id int64,
	scan func(r interface{ Scan(...any) error }) (*T, *contest.Meta, error)) (*T, error) {
	tbl := caseTables[kind].table
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
	return findList(ctx, d, a, contest.KindInvestigation, investigationCols, f, scanInvestigation)
}

// FindInvestigationByID implements contest.CaseService.
func (d *DB) FindInvestigationByID(ctx context.Context, a *contest.Actor, id int64) (*contest.Investigation, error) {
	return findOne(ctx, d, a, contest.KindInvestigation, investigationCols, id, scanInvestigation)
}

// FindSubjects implements contest.CaseService.
func (d *DB) FindSubjects(ctx context.Context, a *contest.Actor, f contest.CaseFilter) ([]*contest.Subject, int, error) {
	return findList(ctx, d, a, contest.KindSubject, subjectCols, f, scanSubject)
}

// FindSubjectByID implements contest.CaseService.
func (d *DB) FindSubjectByID(ctx context.Context, a *contest.Actor, id int64) (*contest.Subject, error) {
	return findOne(ctx, d, a, contest.KindSubject, subjectCols, id, scanSubject)
}

// FindPreventReferrals implements contest.CaseService.
func (d *DB) FindPreventReferrals(ctx context.Context, a *contest.Actor, f contest.CaseFilter) ([]*contest.PreventReferral, int, error) {
	return findList(ctx, d, a, contest.KindPreventCase, referralCols, f, scanReferral)
}

// FindPreventReferralByID implements contest.CaseService.
func (d *DB) FindPreventReferralByID(ctx context.Context, a *contest.Actor, id int64) (*contest.PreventReferral, error) {
	return findOne(ctx, d, a, contest.KindPreventCase, referralCols, id, scanReferral)
}
