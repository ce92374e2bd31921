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

// MatchReportImagesForTest runs matchReportImages in a write transaction of
// its own.
func (d *DB) MatchReportImagesForTest(ctx context.Context, a *contest.Actor, reportID int64, atts []*contest.Attachment, meta *contest.Meta) ([]*contest.HashMatch, error) {
	var ms []*contest.HashMatch
	err := d.inWrite(ctx, func(tx *Tx) error {
		var err error
		ms, err = tx.matchReportImages(ctx, a, reportID, atts, meta, nil)
		return err
	})
	return ms, err
}
