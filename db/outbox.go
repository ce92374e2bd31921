package db

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/contest-ct/contest"
)

// The delivery outbox (contest.OutboxService). Rows are written by the
// transactions that publish, resend or cascade a bulletin; package deliver
// claims and sends them.
//
// Claiming is safe across several nodes sharing one PostgreSQL database: a
// claim takes due rows FOR UPDATE SKIP LOCKED and writes its node name and
// a lease end on them, so no two nodes hold a row at once; a row whose
// lease ran out (its node died) is claimed again. On SQLite the single
// write connection serialises claims.
//
// Marking a row sent is done in a transaction of its own, not through the
// shared write path, because the moment of its commit matters: the worker
// runs the UPDATE, writes the last byte of each message to the remote, and
// commits at once (see package deliver). The UPDATE matches only rows the
// node still holds, so a node whose lease was taken over never sends the
// last byte of a message another node now owns.

var _ contest.OutboxService = (*DB)(nil)

// outboxWakes holds one wake channel per store.
var outboxWakes sync.Map // *DB -> chan struct{}

// OutboxWake implements contest.OutboxService.
func (d *DB) OutboxWake() <-chan struct{} {
	ch, _ := outboxWakes.LoadOrStore(d, make(chan struct{}, 1))
	return ch.(chan struct{})
}

// wakeOutbox tells this process's worker that deliveries were queued.
func (d *DB) wakeOutbox() {
	if ch, ok := outboxWakes.Load(d); ok {
		select {
		case ch.(chan struct{}) <- struct{}{}:
		default:
		}
	}
}

// outboxTx runs fn in a write transaction of its own on the write pool.
func (d *DB) outboxTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := d.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("outbox begin: %w", err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("outbox commit: %w", err)
	}
	return nil
}

// ReleaseDeliveries implements contest.OutboxService.
func (d *DB) ReleaseDeliveries(ctx context.Context, node string) (int, error) {
	var n int64
	err := d.outboxTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE outbox SET lease_owner = '', lease_until = 0 WHERE lease_owner = $1 AND status = 'pending'", node)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		return nil
	})
	return int(n), err
}

// ClaimDeliveries implements contest.OutboxService.
func (d *DB) ClaimDeliveries(ctx context.Context, node string, channels []string, limit int, lease time.Duration) ([]*contest.Delivery, error) {
	if len(channels) == 0 || limit <= 0 {
		return nil, nil
	}
	var out []*contest.Delivery
	err := d.outboxTx(ctx, func(tx *sql.Tx) error {
		out = out[:0]
		now := d.now()
		args := argList{}
		pNode, pUntil, pNow := args.add(node), args.add(micros(now.Add(lease))), args.add(micros(now))
		chs := make([]string, len(channels))
		for i, c := range channels {
			chs[i] = args.add(c)
		}
		pick := "SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= " + pNow + " AND lease_until <= " + pNow +
			" AND channel IN (" + strings.Join(chs, ",") + ") ORDER BY next_attempt_at, id LIMIT " + args.add(limit)
		if d.engine == Postgres {
			pick += " FOR UPDATE SKIP LOCKED"
		}
		rows, err := tx.QueryContext(ctx, "UPDATE outbox SET lease_owner = "+pNode+", lease_until = "+pUntil+", attempts = attempts + 1 WHERE id IN ("+pick+
			") RETURNING id, delivery_key, channel, target, attempts, round, bulletin_id, user_id, org_id", args...)
		if err != nil {
			return fmt.Errorf("claim deliveries: %w", err)
		}
		byID := map[int64]*contest.Delivery{}
		var ids []int64
		for rows.Next() {
			var dl contest.Delivery
			if err := rows.Scan(&dl.ID, &dl.Key, &dl.Channel, &dl.Target, &dl.Attempts, &dl.Round, &dl.BulletinID, &dl.UserID, &dl.OrgID); err != nil {
				rows.Close()
				return err
			}
			out = append(out, &dl)
			byID[dl.ID] = &dl
			ids = append(ids, dl.ID)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		// Names for the message and the signing secrets, as they are now.
		rows, err = tx.QueryContext(ctx, "SELECT x.id, COALESCE(u.display_name, ''), o.name, COALESCE(pc.webhook_secret, '') FROM outbox x"+
			" JOIN orgs o ON o.id = x.org_id LEFT JOIN users u ON u.id = x.user_id LEFT JOIN partner_channels pc ON pc.org_id = x.org_id"+
			" WHERE x.id IN ("+intList(ids)+")")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var name, org, secret string
			if err := rows.Scan(&id, &name, &org, &secret); err != nil {
				return err
			}
			dl := byID[id]
			dl.RecipientName, dl.OrgName = name, org
			if dl.Channel == contest.DeliveryWebhook {
				dl.Secret = secret
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	// Oldest first, as claimed.
	return out, nil
}

// CommitDeliveries implements contest.OutboxService.
func (d *DB) CommitDeliveries(ctx context.Context, node string, ids []int64, finish func(marked []int64) (failed []int64), retries []contest.DeliveryRetry) ([]int64, error) {
	var marked []int64
	err := d.outboxTx(ctx, func(tx *sql.Tx) error {
		marked = marked[:0]
		for _, r := range retries {
			status, next := "pending", micros(r.At)
			if r.Dead {
				status, next = "failed", 0
			}
			errText := r.Err
			if len(errText) > 500 {
				errText = errText[:500]
			}
			if _, err := tx.ExecContext(ctx, "UPDATE outbox SET status = $1, next_attempt_at = $2, lease_owner = '', lease_until = 0, last_error = $3, sent_at = 0 WHERE id = $4 AND lease_owner = $5",
				status, next, errText, r.ID, node); err != nil {
				return fmt.Errorf("retry delivery: %w", err)
			}
		}
		if len(ids) == 0 {
			return nil
		}
		rows, err := tx.QueryContext(ctx, "UPDATE outbox SET status = 'sent', sent_at = $1, last_error = '' WHERE lease_owner = $2 AND status = 'pending' AND id IN ("+intList(ids)+") RETURNING id",
			micros(d.now()), node)
		if err != nil {
			return fmt.Errorf("mark sent: %w", err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			marked = append(marked, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		// From here to the commit is the window in which a crash sends a
		// message twice: only the last bytes are written inside it.
		failed := finish(marked)
		if len(failed) > 0 {
			if _, err := tx.ExecContext(ctx, "UPDATE outbox SET status = 'pending', sent_at = 0, lease_owner = '', lease_until = 0, next_attempt_at = $1, last_error = 'connection lost before the last byte' WHERE id IN ("+intList(failed)+")",
				micros(d.now())); err != nil {
				return err
			}
			keep := marked[:0]
			bad := map[int64]bool{}
			for _, id := range failed {
				bad[id] = true
			}
			for _, id := range marked {
				if !bad[id] {
					keep = append(keep, id)
				}
			}
			marked = keep
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return marked, nil
}

// DeliveryBulletin implements contest.OutboxService.
func (d *DB) DeliveryBulletin(ctx context.Context, id int64) (*contest.Bulletin, error) {
	b, err := bulletinByID(ctx, d.read, id)
	if err != nil {
		return nil, err
	}
	if b == nil {
		return nil, contest.NotFound(contest.KindBulletin)
	}
	return b, nil
}
