package db

import (
	"context"
	"fmt"
	"strconv"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/access"
)

const outcomeCols = "t.id, t.investigation_id, t.subject_id, t.type, t.occurred_on, t.legislation, t.offence, t.sentence, t.notes"

func scanOutcome(r interface{ Scan(...any) error }) (*contest.Outcome, error) {
	var o contest.Outcome
	var tmp [5]int64
	if err := r.Scan(append([]any{&o.ID, &o.InvestigationID, &o.SubjectID, &o.Type, &o.OccurredOn, &o.Legislation, &o.Offence, &o.Sentence, &o.Notes},
		metaDest(&o.Meta, &tmp)...)...); err != nil {
		return nil, err
	}
	metaFinish(&o.Meta, &tmp)
	return &o, nil
}

// RecordOutcome implements contest.OutcomeService. An outcome takes its
// investigation's marking and compartments; a subject named must be part
// of the investigation.
func (d *DB) RecordOutcome(ctx context.Context, a *contest.Actor, o *contest.Outcome) error {
	if err := d.forbid(ctx, a, access.Create, contest.AuditCreate, contest.KindOutcome, ""); err != nil {
		return err
	}
	if err := o.Validate(); err != nil {
		return err
	}
	return d.pursueWrite(ctx, a, contest.AuditCreate, func(tx *Tx) error {
		inv, err := investigationIn(ctx, tx, a, access.Update, o.InvestigationID)
		if err != nil {
			return err
		}
		if o.SubjectID != 0 {
			s, err := subjectIn(ctx, tx, a, access.Read, o.SubjectID)
			if err != nil {
				return err
			}
			if s.InvestigationID != inv.ID {
				return fieldErr("subject_id", "The subject is not part of this investigation")
			}
		}
		o.Meta = contest.Meta{Classification: inv.Meta.Classification, OwnerOrgID: inv.Meta.OwnerOrgID, Area: inv.Meta.Area, Compartments: inv.Meta.Compartments}
		tx.newMeta(a, &o.Meta)
		if err := tx.QueryRowContext(ctx, "INSERT INTO outcomes (investigation_id, subject_id, type, occurred_on, legislation, offence, sentence, notes, "+metaCols+
			") VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16) RETURNING id",
			append([]any{o.InvestigationID, o.SubjectID, o.Type, o.OccurredOn, o.Legislation, o.Offence, o.Sentence, o.Notes}, metaArgs(&o.Meta)...)...).Scan(&o.ID); err != nil {
			return fmt.Errorf("insert outcome: %w", err)
		}
		if err := tx.setCompartments(ctx, contest.KindOutcome, o.ID, o.Meta.Compartments); err != nil {
			return err
		}
		return tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditCreate, Kind: contest.KindOutcome, RecordID: itoa(o.ID),
			Detail: map[string]string{"investigation": itoa(o.InvestigationID), "type": o.Type}})
	})
}

// FindOutcomes implements contest.OutcomeService: the outcomes of one
// investigation, oldest first. A hidden investigation is not found.
func (d *DB) FindOutcomes(ctx context.Context, a *contest.Actor, investigationID int64) ([]*contest.Outcome, error) {
	if _, err := d.FindInvestigationByID(ctx, a, investigationID); err != nil {
		return nil, err
	}
	where, args := access.FilterFew(a, access.Read, contest.KindOutcome, "t", 1)
	args = append(args, investigationID)
	rows, err := d.read.QueryContext(ctx, "SELECT "+outcomeCols+", "+prefixed("t", metaCols)+" FROM outcomes t WHERE "+where+
		" AND t.investigation_id = $"+strconv.Itoa(len(args))+" ORDER BY t.occurred_on, t.id", args...)
	if err != nil {
		return nil, fmt.Errorf("find outcomes: %w", err)
	}
	out, err := collect(rows, scanOutcome)
	if err != nil {
		return nil, err
	}
	return out, d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditList, Kind: contest.KindOutcome,
		Detail: map[string]string{"results": strconv.Itoa(len(out)), "investigation_id": itoa(investigationID)}})
}

// CountOutcomes implements contest.OutcomeService: the visible outcomes
// by type, every type present (zero where there are none).
func (d *DB) CountOutcomes(ctx context.Context, a *contest.Actor) (map[string]int, error) {
	if err := d.forbid(ctx, a, access.Read, contest.AuditList, contest.KindOutcome, ""); err != nil {
		return nil, err
	}
	where, args := access.Filter(a, access.Read, contest.KindOutcome, "t", 1)
	rows, err := d.read.QueryContext(ctx, "SELECT t.type, COUNT(*) FROM outcomes t WHERE "+where+" GROUP BY t.type", args...)
	if err != nil {
		return nil, fmt.Errorf("count outcomes: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for _, t := range contest.OutcomeTypes {
		out[t] = 0
	}
	total := 0
	for rows.Next() {
		var t string
		var n int
		if err := rows.Scan(&t, &n); err != nil {
			return nil, err
		}
		out[t] += n
		total += n
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditList, Kind: contest.KindOutcome,
		Detail: map[string]string{"results": strconv.Itoa(total), "grouped_by": "type"}})
}

var _ contest.OutcomeService = (*DB)(nil)
