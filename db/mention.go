package db

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/contest-ct/contest"
)

// addMention records a mention of a person in the record (kind, id) being
// written in tx, with that record's access metadata. Every strand calls it
// for every person it stores, in the same transaction as the record, so
// the mention is matched as soon as the record is committed.
func (tx *Tx) addMention(ctx context.Context, a *contest.Actor, kind contest.Kind, id int64, role string, meta *contest.Meta, p *contest.PersonDetails) (int64, error) {
	if p.IsZero() {
		return 0, nil
	}
	body, err := json.Marshal(p)
	if err != nil {
		return 0, fmt.Errorf("mention: %w", err)
	}
	m := *meta
	if m.CreatedAt.IsZero() {
		tx.newMeta(a, &m)
	}
	var mid int64
	err = tx.StmtContext(ctx, tx.db.mentionInsert).QueryRowContext(ctx,
		append([]any{string(kind), id, role, string(body)}, metaArgs(&m)...)...).Scan(&mid)
	if err != nil {
		return 0, fmt.Errorf("mention: %w", err)
	}
	tx.afterCommit(tx.db.nudgeMatcher)
	return mid, nil
}

// updateMention records that what the record (kind, id) says about the
// person in role has changed: the mention is compared again at once, as a
// new one would be, and its access marking follows the record's. A record
// with no such mention yet gets one.
func (tx *Tx) updateMention(ctx context.Context, a *contest.Actor, kind contest.Kind, id int64, role string, meta *contest.Meta, p *contest.PersonDetails) error {
	body, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("mention: %w", err)
	}
	res, err := tx.ExecContext(ctx, `UPDATE person_mentions SET person = $1, matched_at = 0, classification = $2, owner_org_id = $3, area = $4,
		updated_by = $5, updated_at = $6 WHERE source_kind = $7 AND source_id = $8 AND role = $9`,
		string(body), int(meta.Classification), meta.OwnerOrgID, meta.Area, a.UserID, micros(tx.now), string(kind), id, role)
	if err != nil {
		return fmt.Errorf("mention: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		_, err = tx.addMention(ctx, a, kind, id, role, meta, p)
		return err
	}
	tx.afterCommit(tx.db.nudgeMatcher)
	return nil
}

// mentionInsertSQL stores one mention; it is prepared once, in Open (never
// inside a transaction: on SQLite that would wait for the one write
// connection the transaction holds).
const mentionInsertSQL = "INSERT INTO person_mentions (source_kind, source_id, role, person, " + metaCols +
	") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id"
