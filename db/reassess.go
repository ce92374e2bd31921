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

// Re-assessment statuses.
const (
	reassessOpen     = "open"
	reassessReopened = "reopened"
	reassessNoChange = "no_change"
)

const reassessCols = "r.id, r.subject_id, r.possible_match_id, r.reason, r.status, r.decided_by, r.decided_at, r.decision_reason, r.created_at"

func scanReassessment(r interface{ Scan(...any) error }) (*contest.Reassessment, int64, error) {
	var v contest.Reassessment
	var subject, decided, created int64
	if err := r.Scan(&v.ID, &subject, &v.PossibleMatchID, &v.Reason, &v.Status, &v.DecidedBy, &decided, &v.DecisionReason, &created); err != nil {
		return nil, 0, err
	}
	v.DecidedAt, v.CreatedAt = fromMicros(decided), fromMicros(created)
	return &v, subject, nil
}

// subjectsByID reads subjects with their compartments.
func subjectsByID(ctx context.Context, q queryer, ids []int64) (map[int64]*contest.Subject, error) {
	out := map[int64]*contest.Subject{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := q.QueryContext(ctx, "SELECT "+subjectCols+", "+prefixed("t", metaCols)+" FROM subjects t WHERE t.id IN ("+inList(ids)+")")
	if err != nil {
		return nil, fmt.Errorf("subjects: %w", err)
	}
	defer rows.Close()
	metas := map[int64]*contest.Meta{}
	for rows.Next() {
		s, m, err := scanSubject(rows)
		if err != nil {
			return nil, err
		}
		out[s.ID], metas[s.ID] = s, m
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, loadCompartments(ctx, q, contest.KindSubject, metas)
}

// reassessmentVisible is the access rule for a re-assessment: the role rule
// for re-assessments and sight of the subject.
func reassessmentVisible(a *contest.Actor, act access.Action, s *contest.Subject) bool {
	return s != nil && access.Can(a, act, contest.KindReassessment) && access.Decide(a, access.Read, contest.KindSubject, &s.Meta).Allowed
}

// FindReassessments implements contest.MatchService.
func (d *DB) FindReassessments(ctx context.Context, a *contest.Actor, status string, offset, limit int) ([]*contest.Reassessment, int, error) {
	if err := d.forbid(ctx, a, access.Read, contest.AuditList, contest.KindReassessment, ""); err != nil {
		return nil, 0, err
	}
	q := "SELECT " + reassessCols + " FROM subject_reassessments r"
	var args []any
	if status != "" {
		q += " WHERE r.status = $1"
		args = append(args, status)
	}
	rows, err := d.read.QueryContext(ctx, q+" ORDER BY r.created_at DESC, r.id DESC LIMIT "+strconv.Itoa(matchScanLimit), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("re-assessments: %w", err)
	}
	var all []*contest.Reassessment
	var subjectIDs []int64
	subjectOf := map[int64]int64{}
	for rows.Next() {
		r, sid, err := scanReassessment(rows)
		if err != nil {
			rows.Close()
			return nil, 0, err
		}
		all = append(all, r)
		subjectIDs = append(subjectIDs, sid)
		subjectOf[r.ID] = sid
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	subjects, err := subjectsByID(ctx, d.read, subjectIDs)
	if err != nil {
		return nil, 0, err
	}
	var out []*contest.Reassessment
	for _, r := range all {
		if s := subjects[subjectOf[r.ID]]; reassessmentVisible(a, access.Read, s) {
			r.Subject = s
			out = append(out, r)
		}
	}
	out, total := pageOf(out, offset, limit)
	if err := d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditList, Kind: contest.KindReassessment,
		Detail: map[string]string{"results": strconv.Itoa(total), "status": status}}); err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// DecideReassessment implements contest.MatchService. Reopening makes the
// subject active again; either way the decision and its reason are kept.
func (d *DB) DecideReassessment(ctx context.Context, a *contest.Actor, id int64, reopen bool, reason string) (*contest.Reassessment, error) {
	if err := d.forbid(ctx, a, access.Update, contest.AuditUpdate, contest.KindReassessment, itoa(id)); err != nil {
		return nil, err
	}
	var fe contest.FieldErrors
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		fe.Add("reason", "Enter the reason for your decision")
	case len(reason) > 2000:
		fe.Add("reason", "Reason must be 2000 characters or fewer")
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	var out *contest.Reassessment
	hidden := ""
	err := d.inWrite(ctx, func(tx *Tx) error {
		r, sid, err := scanReassessment(tx.QueryRowContext(ctx, "SELECT "+reassessCols+" FROM subject_reassessments r WHERE r.id = $1", id))
		if errors.Is(err, sql.ErrNoRows) {
			hidden = "missing"
			return contest.NotFound(contest.KindReassessment)
		} else if err != nil {
			return fmt.Errorf("re-assessment: %w", err)
		}
		subjects, err := subjectsByID(ctx, tx, []int64{sid})
		if err != nil {
			return err
		}
		s := subjects[sid]
		if !reassessmentVisible(a, access.Update, s) || !access.Decide(a, access.Update, contest.KindSubject, &s.Meta).Allowed {
			hidden = "hidden"
			return contest.NotFound(contest.KindReassessment)
		}
		if r.Status != reassessOpen {
			return contest.Errorf(contest.ECONFLICT, "This re-assessment has already been decided.")
		}
		r.Status = reassessNoChange
		if reopen {
			r.Status = reassessReopened
		}
		if _, err := tx.ExecContext(ctx, "UPDATE subject_reassessments SET status = $1, decided_by = $2, decided_at = $3, decision_reason = $4 WHERE id = $5",
			r.Status, a.UserID, micros(tx.now), reason, id); err != nil {
			return fmt.Errorf("decide re-assessment: %w", err)
		}
		if reopen && s.Status != contest.SubjectActive {
			if _, err := tx.ExecContext(ctx, "UPDATE subjects SET status = $1, closed_reason = '', updated_by = $2, updated_at = $3 WHERE id = $4",
				contest.SubjectActive, a.UserID, micros(tx.now), sid); err != nil {
				return fmt.Errorf("reopen subject: %w", err)
			}
			if err := tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditUpdate, Kind: contest.KindSubject, RecordID: itoa(sid),
				Detail: d.changes("status", s.Status, contest.SubjectActive)}); err != nil {
				return err
			}
			s.Status = contest.SubjectActive
		}
		r.Subject, r.DecidedBy, r.DecidedAt, r.DecisionReason = s, a.UserID, tx.now, reason
		out = r
		return tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditUpdate, Kind: contest.KindReassessment, RecordID: itoa(id),
			Detail: map[string]string{"decision": r.Status, "reason": d.hasher.HMAC(reason), "subject": itoa(sid)}})
	})
	if hidden != "" {
		return nil, d.denied(ctx, a, contest.AuditUpdate, contest.KindReassessment, itoa(id), hidden, contest.NotFound(contest.KindReassessment))
	}
	return out, err
}
