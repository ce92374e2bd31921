package db

import (
	"context"

	"github.com/contest-ct/contest"
)

// WriteForTest runs fn in a write transaction through the group-commit
// writer, appending an audit entry for a, and with the transaction's Exec.
func (d *DB) WriteForTest(ctx context.Context, a *contest.Actor, fn func(exec func(q string, args ...any) error) error) error {
	return d.inWrite(ctx, func(tx *Tx) error {
		if err := tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditCreate, Kind: contest.KindOrg}); err != nil {
			return err
		}
		return fn(func(q string, args ...any) error { _, err := tx.ExecContext(ctx, q, args...); return err })
	})
}

// UpdateMentionForTest changes what the record (kind, id) says about the
// person in role, as a strand's update does.
func (d *DB) UpdateMentionForTest(ctx context.Context, a *contest.Actor, kind contest.Kind, id int64, role string, meta *contest.Meta, p *contest.PersonDetails) error {
	return d.inWrite(ctx, func(tx *Tx) error { return tx.updateMention(ctx, a, kind, id, role, meta, p) })
}
