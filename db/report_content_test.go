package db_test

import (
	"context"
	"strings"
	"testing"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/db"
	"github.com/contest-ct/contest/pdq"
)

// TestPublicReportFeedsContentReferrals: the online links in a public
// report arrive in the content-referral queue for assessment, and a photo
// that matches a hash bank of known material becomes a referral with its
// match, in the report's own transaction.
func TestPublicReportFeedsContentReferrals(t *testing.T) {
	forEngine(t, func(t *testing.T, e db.Engine) {
		ce := mustContentEnv(t, e)
		ctx := context.Background()
		bank := MustKnownImageBank(t, ce)
		r := MustSubmit(t, ce.DB, contest.PublicReporter("198.51.100.20", "test"), &contest.Report{
			What:        "A channel sharing attack videos, and a flyer handed out at the market",
			Links:       []string{"https://video.example.com/watch/abc", "https://forum.example.net/t/42"},
			Attachments: []*contest.Attachment{{Filename: "flyer.png", Data: MustPNG(t, 3, true)}},
		})
		list, total, err := ce.DB.FindContentReferrals(ctx, ce.officer, contest.ContentFilter{})
		if err != nil || total != 3 {
			t.Fatalf("content referrals from the report: %d %v, want 2 links and 1 image", total, err)
		}
		urls, images := 0, 0
		for _, c := range list {
			if c.SourceReportID != r.ID {
				t.Errorf("referral %d comes from report %d, want %d", c.ID, c.SourceReportID, r.ID)
			}
			if c.URL != "" {
				urls++
			} else {
				images++
				got, err := ce.DB.FindContentReferralByID(ctx, ce.officer, c.ID)
				if err != nil || len(got.Matches) != 1 || got.Matches[0].BankID != bank.ID {
					t.Errorf("image referral: %+v %v", got, err)
				}
			}
		}
		if urls != 2 || images != 1 {
			t.Errorf("%d link referrals and %d image referrals, want 2 and 1", urls, images)
		}
	})
}

// MustKnownImageBank makes an enabled hash bank holding the PDQ hash of
// MustPNG(t, 3, false), which MustPNG(t, 3, true) matches.
func MustKnownImageBank(tb testing.TB, ce *contentEnv) *contest.HashBank {
	tb.Helper()
	ph, err := pdq.HashBytes(MustPNG(tb, 3, false))
	if err != nil || !ph.Matchable() {
		tb.Fatalf("image quality %d %v", ph.Quality, err)
	}
	bank := &contest.HashBank{Name: "Known material", Enabled: true}
	if err := ce.DB.CreateHashBank(context.Background(), ce.officer, bank); err != nil {
		tb.Fatal(err)
	}
	if _, err := ce.DB.ImportHashBank(context.Background(), ce.officer, bank.ID, strings.NewReader("pdq,"+ph.String()+"\n")); err != nil {
		tb.Fatal(err)
	}
	return bank
}
