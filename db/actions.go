package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/access"
)

const actionCols = `t.id, t.investigation_id, t.subject_id, t.title, t.details, t.category, t.priority, t.status, t.raised_by, t.raised_at,
	t.allocated_to, t.allocated_by, t.allocated_at, t.due_at, t.result, t.elimination_code, t.resulted_by, t.resulted_at,
	t.review_note, t.reviewed_by, t.reviewed_at, t.filed_by, t.filed_at`

func scanAction(r interface{ Scan(...any) error }) (*contest.Action, error) {
	var v contest.Action
	var raised, allocated, due, resulted, reviewed, filed int64
	var tmp [5]int64
	if err := r.Scan(append([]any{&v.ID, &v.InvestigationID, &v.SubjectID, &v.Title, &v.Details, &v.Category, &v.Priority, &v.Status,
		&v.RaisedBy, &raised, &v.AllocatedTo, &v.AllocatedBy, &allocated, &due, &v.Result, &v.EliminationCode, &v.ResultedBy, &resulted,
		&v.ReviewNote, &v.ReviewedBy, &reviewed, &v.FiledBy, &filed}, metaDest(&v.Meta, &tmp)...)...); err != nil {
		return nil, err
	}
	metaFinish(&v.Meta, &tmp)
	v.RaisedAt, v.AllocatedAt, v.DueAt = fromMicros(raised), fromMicros(allocated), fromMicros(due)
	v.ResultedAt, v.ReviewedAt, v.FiledAt = fromMicros(resulted), fromMicros(reviewed), fromMicros(filed)
	return &v, nil
}

// RaiseAction implements contest.ActionService. An action takes its
// investigation's marking and compartments.
func (d *DB) RaiseAction(ctx context.Context, a *contest.Actor, act *contest.Action) error {
	if err := d.forbid(ctx, a, access.Create, contest.AuditCreate, contest.KindAction, ""); err != nil {
		return err
	}
	if err := act.Validate(); err != nil {
		return err
	}
	return d.pursueWrite(ctx, a, contest.AuditCreate, func(tx *Tx) error {
		inv, err := investigationIn(ctx, tx, a, access.Read, act.InvestigationID)
		if err != nil {
			return err
		}
		if inv.Status != "open" {
			return contest.Errorf(contest.ECONFLICT, "Actions cannot be raised on a closed investigation.")
		}
		if act.SubjectID != 0 {
			s, err := subjectIn(ctx, tx, a, access.Read, act.SubjectID)
			if err != nil {
				return err
			}
			if s.InvestigationID != inv.ID {
				return fieldErr("subject_id", "The subject is not part of this investigation")
			}
		}
		act.Status, act.RaisedBy, act.RaisedAt = contest.ActionRaised, a.UserID, tx.now
		act.Meta = contest.Meta{Classification: inv.Meta.Classification, OwnerOrgID: inv.Meta.OwnerOrgID, Area: inv.Meta.Area,
			Compartments: inv.Meta.Compartments}
		tx.newMeta(a, &act.Meta)
		if err := tx.QueryRowContext(ctx, `INSERT INTO actions (investigation_id, subject_id, title, details, category, priority, status, raised_by, raised_at, due_at, `+
			metaCols+`) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18) RETURNING id`,
			append([]any{act.InvestigationID, act.SubjectID, act.Title, act.Details, act.Category, act.Priority, act.Status, a.UserID, micros(tx.now),
				micros(act.DueAt)}, metaArgs(&act.Meta)...)...).Scan(&act.ID); err != nil {
			return fmt.Errorf("insert action: %w", err)
		}
		if err := tx.setCompartments(ctx, contest.KindAction, act.ID, act.Meta.Compartments); err != nil {
			return err
		}
		return tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditCreate, Kind: contest.KindAction, RecordID: itoa(act.ID),
			Detail: map[string]string{"investigation": itoa(act.InvestigationID), "category": act.Category, "priority": act.Priority}})
	})
}

// actionIn reads an action in tx and checks that a may take act on it.
func actionIn(ctx context.Context, tx *Tx, a *contest.Actor, act access.Action, id int64) (*contest.Action, error) {
	v, err := scanAction(tx.QueryRowContext(ctx, "SELECT "+actionCols+", "+prefixed("t", metaCols)+" FROM actions t WHERE t.id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &hiddenErr{contest.KindAction, id, "missing"}
	} else if err != nil {
		return nil, fmt.Errorf("action: %w", err)
	}
	if err := loadCompartments(ctx, tx, contest.KindAction, map[int64]*contest.Meta{id: &v.Meta}); err != nil {
		return nil, err
	}
	// Sight first: a refusal of the step itself must not hint that a
	// hidden action exists.
	if dec := access.Decide(a, access.Read, contest.KindAction, &v.Meta); !dec.Allowed {
		return nil, &hiddenErr{contest.KindAction, id, dec.Reason}
	}
	if dec := access.Decide(a, act, contest.KindAction, &v.Meta); !dec.Allowed {
		return nil, forbidden()
	}
	return v, nil
}

// stepAction runs one step of an action's life in a transaction: it reads
// the action, checks the step with check, applies it with set (an UPDATE
// fragment and its arguments) and audits it.
func (d *DB) stepAction(ctx context.Context, a *contest.Actor, id int64, perm access.Action, step string,
	check func(tx *Tx, v *contest.Action) error, set func(tx *Tx, v *contest.Action) (string, []any), detail map[string]string) (*contest.Action, error) {
	if err := d.forbid(ctx, a, perm, contest.AuditUpdate, contest.KindAction, itoa(id)); err != nil {
		return nil, err
	}
	var out *contest.Action
	err := d.pursueWrite(ctx, a, contest.AuditUpdate, func(tx *Tx) error {
		v, err := actionIn(ctx, tx, a, perm, id)
		if err != nil {
			return err
		}
		if err := check(tx, v); err != nil {
			return err
		}
		frag, args := set(tx, v)
		args = append(args, a.UserID, micros(tx.now), id)
		n := len(args)
		if _, err := tx.ExecContext(ctx, "UPDATE actions SET "+frag+", updated_by = $"+strconv.Itoa(n-2)+", updated_at = $"+strconv.Itoa(n-1)+
			" WHERE id = $"+strconv.Itoa(n), args...); err != nil {
			return fmt.Errorf("%s action: %w", step, err)
		}
		if detail == nil {
			detail = map[string]string{}
		}
		detail["step"] = step
		if err := tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditUpdate, Kind: contest.KindAction, RecordID: itoa(id), Detail: detail}); err != nil {
			return err
		}
		v.Meta.UpdatedBy, v.Meta.UpdatedAt = a.UserID, tx.now
		out = v
		return nil
	})
	return out, err
}

// AllocateAction implements contest.ActionService: a supervisor allocates
// a raised action (or re-allocates an allocated one) to an officer of the
// investigation's team, with a due date.
func (d *DB) AllocateAction(ctx context.Context, a *contest.Actor, id, userID int64, due time.Time) (*contest.Action, error) {
	var fe contest.FieldErrors
	if userID == 0 {
		fe.Add("allocated_to", "Select the officer")
	}
	if due.IsZero() {
		fe.Add("due_at", "Enter the due date")
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	return d.stepAction(ctx, a, id, access.Admin, "allocate", func(tx *Tx, v *contest.Action) error {
		if v.Status != contest.ActionRaised && v.Status != contest.ActionAllocated {
			return contest.Errorf(contest.ECONFLICT, "Only a raised or allocated action can be allocated; this one is %s.", v.Status)
		}
		// The officer must be in every compartment of the action.
		for _, c := range v.Meta.Compartments {
			var n int
			if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM compartment_members m JOIN users u ON u.id = m.user_id WHERE m.compartment_id = $1 AND m.user_id = $2 AND u.disabled = 0",
				c, userID).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return fieldErr("allocated_to", "The officer is not in the investigation's team")
			}
		}
		return nil
	}, func(tx *Tx, v *contest.Action) (string, []any) {
		v.Status, v.AllocatedTo, v.AllocatedBy, v.AllocatedAt, v.DueAt = contest.ActionAllocated, userID, a.UserID, tx.now, due
		return "status = $1, allocated_to = $2, allocated_by = $3, allocated_at = $4, due_at = $5",
			[]any{v.Status, userID, a.UserID, micros(tx.now), micros(due)}
	}, map[string]string{"allocated_to": itoa(userID), "due_at": due.Format(time.DateOnly)})
}

// ResultAction implements contest.ActionService: the allocated officer
// (or a supervisor) records the result. An eliminate action needs an
// elimination code.
func (d *DB) ResultAction(ctx context.Context, a *contest.Actor, id int64, result, code string) (*contest.Action, error) {
	result = strings.TrimSpace(result)
	var fe contest.FieldErrors
	switch {
	case result == "":
		fe.Add("result", "Enter the result")
	case len(result) > 8000:
		fe.Add("result", "Result must be 8000 characters or fewer")
	}
	if _, ok := contest.EliminationCodes[code]; code != "" && !ok {
		fe.Add("elimination_code", "Select an elimination code")
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	return d.stepAction(ctx, a, id, access.Update, "result", func(tx *Tx, v *contest.Action) error {
		if v.Status != contest.ActionAllocated {
			return contest.Errorf(contest.ECONFLICT, "Only an allocated action can be resulted; this one is %s.", v.Status)
		}
		if v.AllocatedTo != a.UserID && !access.Can(a, access.Admin, contest.KindAction) {
			return contest.Errorf(contest.EFORBIDDEN, "Only the officer the action is allocated to can record its result.")
		}
		if v.Category == "eliminate" && code == "" {
			return fieldErr("elimination_code", "Select an elimination code")
		}
		if code != "" && v.Category != "eliminate" && v.Category != "trace" && v.Category != "interview" {
			return fieldErr("elimination_code", "Elimination codes are for trace, interview and eliminate actions")
		}
		return nil
	}, func(tx *Tx, v *contest.Action) (string, []any) {
		v.Status, v.Result, v.EliminationCode, v.ResultedBy, v.ResultedAt = contest.ActionResulted, result, code, a.UserID, tx.now
		return "status = $1, result = $2, elimination_code = $3, resulted_by = $4, resulted_at = $5",
			[]any{v.Status, result, code, a.UserID, micros(tx.now)}
	}, map[string]string{"result": d.hasher.HMAC(result), "elimination_code": code})
}

// ReviewAction implements contest.ActionService: a supervisor accepts the
// result, or sends the action back to its officer with the note.
func (d *DB) ReviewAction(ctx context.Context, a *contest.Actor, id int64, accept bool, note string) (*contest.Action, error) {
	note = strings.TrimSpace(note)
	if !accept && note == "" {
		return nil, fieldErr("note", "Enter what more is needed")
	}
	if len(note) > 4000 {
		return nil, fieldErr("note", "Note must be 4000 characters or fewer")
	}
	decision := "accepted"
	if !accept {
		decision = "returned"
	}
	return d.stepAction(ctx, a, id, access.Admin, "review", func(tx *Tx, v *contest.Action) error {
		if v.Status != contest.ActionResulted {
			return contest.Errorf(contest.ECONFLICT, "Only a resulted action can be reviewed; this one is %s.", v.Status)
		}
		return nil
	}, func(tx *Tx, v *contest.Action) (string, []any) {
		v.ReviewNote, v.ReviewedBy, v.ReviewedAt = note, a.UserID, tx.now
		v.Status = contest.ActionReviewed
		if !accept {
			v.Status = contest.ActionAllocated
		}
		return "status = $1, review_note = $2, reviewed_by = $3, reviewed_at = $4", []any{v.Status, note, a.UserID, micros(tx.now)}
	}, map[string]string{"decision": decision, "note": d.hasher.HMAC(note)})
}

// FileAction implements contest.ActionService: a supervisor files a
// reviewed action, or a raised one that will not be done (with why).
func (d *DB) FileAction(ctx context.Context, a *contest.Actor, id int64, note string) (*contest.Action, error) {
	note = strings.TrimSpace(note)
	if len(note) > 4000 {
		return nil, fieldErr("file_note", "Note must be 4000 characters or fewer")
	}
	return d.stepAction(ctx, a, id, access.Admin, "file", func(tx *Tx, v *contest.Action) error {
		switch v.Status {
		case contest.ActionReviewed:
		case contest.ActionRaised, contest.ActionAllocated:
			if note == "" {
				return fieldErr("file_note", "Enter why the action is filed without a result")
			}
		default:
			return contest.Errorf(contest.ECONFLICT, "Only a reviewed action, or one not yet resulted, can be filed; this one is %s.", v.Status)
		}
		return nil
	}, func(tx *Tx, v *contest.Action) (string, []any) {
		if note != "" {
			v.ReviewNote = note
		}
		v.Status, v.FiledBy, v.FiledAt = contest.ActionFiled, a.UserID, tx.now
		return "status = $1, review_note = $2, filed_by = $3, filed_at = $4", []any{v.Status, v.ReviewNote, a.UserID, micros(tx.now)}
	}, map[string]string{"note": d.hasher.HMAC(note)})
}

// FindActionByID implements contest.ActionService.
func (d *DB) FindActionByID(ctx context.Context, a *contest.Actor, id int64) (*contest.Action, error) {
	v, err := scanAction(d.read.QueryRowContext(ctx, "SELECT "+actionCols+", "+prefixed("t", metaCols)+" FROM actions t WHERE t.id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, d.denied(ctx, a, contest.AuditRead, contest.KindAction, itoa(id), "missing", contest.NotFound(contest.KindAction))
	} else if err != nil {
		return nil, fmt.Errorf("action: %w", err)
	}
	if err := loadCompartments(ctx, d.read, contest.KindAction, map[int64]*contest.Meta{id: &v.Meta}); err != nil {
		return nil, err
	}
	if dec := access.Decide(a, access.Read, contest.KindAction, &v.Meta); !dec.Allowed {
		return nil, d.denied(ctx, a, contest.AuditRead, contest.KindAction, itoa(id), dec.Reason, contest.NotFound(contest.KindAction))
	}
	return v, d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditRead, Kind: contest.KindAction, RecordID: itoa(id)})
}

// actionOpen are the statuses of an action still to be done.
const actionOpen = "('" + contest.ActionRaised + "','" + contest.ActionAllocated + "')"

// FindActions implements contest.ActionService: the visible actions, due
// soonest first (those with no due date last); Overdue selects the open
// ones past their due date.
func (d *DB) FindActions(ctx context.Context, a *contest.Actor, f contest.ActionFilter) ([]*contest.Action, int, error) {
	if err := d.forbid(ctx, a, access.Read, contest.AuditList, contest.KindAction, ""); err != nil {
		return nil, 0, err
	}
	where, args := access.FilterFew(a, access.Read, contest.KindAction, "t", 1)
	add := func(cond string, v any) {
		args = append(args, v)
		where += " AND " + strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args)))
	}
	if f.InvestigationID != 0 {
		add("t.investigation_id = ?", f.InvestigationID)
	}
	if f.AllocatedTo != 0 {
		add("t.allocated_to = ?", f.AllocatedTo)
	}
	if f.Status != "" {
		add("t.status = ?", f.Status)
	}
	if f.Overdue {
		add("t.status IN "+actionOpen+" AND t.due_at > 0 AND t.due_at < ?", micros(d.now()))
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	f.Offset = max(f.Offset, 0)
	var total int
	if err := d.read.QueryRowContext(ctx, "SELECT COUNT(*) FROM actions t WHERE "+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count actions: %w", err)
	}
	rows, err := d.read.QueryContext(ctx, "SELECT "+actionCols+", "+prefixed("t", metaCols)+" FROM actions t WHERE "+where+
		fmt.Sprintf(" ORDER BY t.due_at = 0, t.due_at, t.id LIMIT %d OFFSET %d", f.Limit, f.Offset), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("find actions: %w", err)
	}
	out, err := collect(rows, scanAction)
	if err != nil {
		return nil, 0, err
	}
	detail := map[string]string{"results": strconv.Itoa(total), "status": f.Status}
	if f.Overdue {
		detail["overdue"] = "true"
	}
	if f.InvestigationID != 0 {
		detail["investigation_id"] = itoa(f.InvestigationID)
	}
	return out, total, d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditList, Kind: contest.KindAction, Detail: detail})
}

// ActionWorkload implements contest.ActionService: for each officer, the
// visible allocated actions and how many are overdue. Actions the viewer
// may not see are not counted.
func (d *DB) ActionWorkload(ctx context.Context, a *contest.Actor) ([]*contest.Workload, error) {
	if err := d.forbid(ctx, a, access.Read, contest.AuditList, contest.KindAction, ""); err != nil {
		return nil, err
	}
	where, args := access.Filter(a, access.Read, contest.KindAction, "t", 1)
	args = append(args, micros(d.now()))
	rows, err := d.read.QueryContext(ctx, "SELECT t.allocated_to, COUNT(*), SUM(CASE WHEN t.due_at > 0 AND t.due_at < $"+strconv.Itoa(len(args))+
		" THEN 1 ELSE 0 END) FROM actions t WHERE "+where+" AND t.status = '"+contest.ActionAllocated+"' GROUP BY t.allocated_to ORDER BY COUNT(*) DESC, t.allocated_to", args...)
	if err != nil {
		return nil, fmt.Errorf("workload: %w", err)
	}
	defer rows.Close()
	var out []*contest.Workload
	for rows.Next() {
		var w contest.Workload
		if err := rows.Scan(&w.UserID, &w.Allocated, &w.Overdue); err != nil {
			return nil, err
		}
		out = append(out, &w)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditList, Kind: contest.KindAction,
		Detail: map[string]string{"workload_officers": strconv.Itoa(len(out))}})
}

// OfficerByUsername implements contest.ActionService.
func (d *DB) OfficerByUsername(ctx context.Context, a *contest.Actor, username string) (int64, error) {
	if !access.Can(a, access.Admin, contest.KindAction) {
		return 0, d.denied(ctx, a, contest.AuditRead, contest.KindUser, "", "role", forbidden())
	}
	var id int64
	err := d.read.QueryRowContext(ctx, "SELECT id FROM users WHERE lower(username) = $1 AND disabled = 0", strings.ToLower(strings.TrimSpace(username))).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fieldErr("officer", "No active user has that username")
	}
	return id, err
}

var _ contest.ActionService = (*DB)(nil)
