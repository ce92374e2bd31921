package db

import (
	"context"
	"fmt"
	"time"

	"github.com/contest-ct/contest"
)

var _ contest.PlatformNoticeService = (*DB)(nil)

// ClaimPlatformNotices implements contest.PlatformNoticeService. The lease
// is taken by a conditional update in the write transaction (the single
// writer on SQLite, row locks on PostgreSQL), so two nodes never hold the
// same notice.
func (d *DB) ClaimPlatformNotices(ctx context.Context, node string, limit int, lease time.Duration) ([]*contest.PlatformNotice, error) {
	var out []*contest.PlatformNotice
	err := d.inWrite(ctx, func(tx *Tx) error {
		now := micros(tx.now)
		until := micros(tx.now.Add(lease))
		// The conditions are repeated outside the subquery: on PostgreSQL a
		// node that waited for another's row lock checks them again on the
		// row as the other left it, and skips a notice it has just leased.
		res, err := tx.ExecContext(ctx, `UPDATE content_notifications SET lease_owner = $1, lease_until = $2
			WHERE status = $3 AND next_attempt_at <= $4 AND lease_until < $4
			AND id IN (SELECT id FROM content_notifications WHERE status = $3 AND next_attempt_at <= $4 AND lease_until < $4 ORDER BY id LIMIT $5)`,
			node, until, contest.NoticePending, now, limit)
		if err != nil {
			return fmt.Errorf("claim platform notices: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT n.id, n.referral_id, n.platform_org_id, n.event, n.payload, n.attempts,
			COALESCE(p.webhook_url, ''), COALESCE(p.webhook_secret, '')
			FROM content_notifications n LEFT JOIN partner_channels p ON p.org_id = n.platform_org_id
			WHERE n.lease_owner = $1 AND n.lease_until = $2 AND n.status = $3 ORDER BY n.id`, node, until, contest.NoticePending)
		if err != nil {
			return fmt.Errorf("claimed platform notices: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var n contest.PlatformNotice
			var payload string
			if err := rows.Scan(&n.ID, &n.ReferralID, &n.PlatformOrgID, &n.Event, &payload, &n.Attempts, &n.WebhookURL, &n.Secret); err != nil {
				return err
			}
			n.Payload = []byte(payload)
			out = append(out, &n)
		}
		return rows.Err()
	})
	return out, err
}

// FinishPlatformNotice implements contest.PlatformNoticeService. Only the
// node holding the lease may finish a notice.
func (d *DB) FinishPlatformNotice(ctx context.Context, node string, id int64, status string, next time.Time, errText string) error {
	switch status {
	case contest.NoticeSent, contest.NoticeNoChannel, contest.NoticeFailed, contest.NoticePending:
	default:
		return fmt.Errorf("finish platform notice: unknown status %q", status)
	}
	if len(errText) > 500 {
		errText = errText[:500]
	}
	return d.inWrite(ctx, func(tx *Tx) error {
		sent := int64(0)
		if status == contest.NoticeSent {
			sent = micros(tx.now)
		}
		_, err := tx.ExecContext(ctx, `UPDATE content_notifications SET status = $1, next_attempt_at = $2, last_error = $3, sent_at = $4,
			attempts = attempts + 1, lease_owner = '', lease_until = 0 WHERE id = $5 AND lease_owner = $6`,
			status, micros(next), errText, sent, id, node)
		if err != nil {
			return fmt.Errorf("finish platform notice: %w", err)
		}
		return nil
	})
}
