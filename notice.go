package contest

import (
	"context"
	"time"
)

// PlatformNotice is a notice to an online platform about a content
// referral addressed to it, sent by signed webhook to the address its
// administrator registered (partner channels).
type PlatformNotice struct {
	ID            int64
	ReferralID    int64
	PlatformOrgID int64
	Event         string
	Payload       []byte
	// WebhookURL and Secret are the platform's channel; empty when it has
	// none, in which case the notice is not sent (the platform reads its
	// queue in the web service or the API instead).
	WebhookURL string
	Secret     string
	Attempts   int
}

// Platform notice statuses.
const (
	NoticePending   = "pending"
	NoticeSent      = "sent"
	NoticeNoChannel = "no_channel"
	NoticeFailed    = "failed"
)

// PlatformNoticeService is the queue the platform notifier works from.
// Several nodes may work it at once: a claim holds its notices under a
// lease for the claiming node.
type PlatformNoticeService interface {
	// ClaimPlatformNotices leases up to limit notices that are due.
	ClaimPlatformNotices(ctx context.Context, node string, limit int, lease time.Duration) ([]*PlatformNotice, error)
	// FinishPlatformNotice records the outcome of an attempt: status sent,
	// no_channel or failed, or pending again with the time of the next
	// attempt.
	FinishPlatformNotice(ctx context.Context, node string, id int64, status string, next time.Time, errText string) error
}
