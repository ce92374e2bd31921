package db

import (
	"context"
	"strconv"

	"github.com/contest-ct/contest"
)

// BenchFillAudit appends n read entries in transactions of 10,000, for
// benchmarks and load tests of verification.
func (d *DB) BenchFillAudit(ctx context.Context, a *contest.Actor, n int) error {
	for done := 0; done < n; {
		batch := min(10000, n-done)
		err := d.inWrite(ctx, func(tx *Tx) error {
			for i := range batch {
				if err := tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditRead, Kind: contest.KindSubject,
					RecordID: strconv.Itoa(done + i), Detail: map[string]string{"results": "1"}}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		done += batch
	}
	return nil
}
