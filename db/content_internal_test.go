package db

import (
	"context"

	"github.com/contest-ct/contest"
)

// QueueLinksForTest runs queueLinksForAssessment in a write transaction of
// its own, as the reports store does inside the report's.
func (d *DB) QueueLinksForTest(ctx context.Context, a *contest.Actor, reportID int64, links []string, meta *contest.Meta) (int, error) {
	var n int
	err := d.inWrite(ctx, func(tx *Tx) error {
		var err error
		n, err = tx.queueLinksForAssessment(ctx, a, reportID, links, meta)
		return err
	})
	return n, err
}
