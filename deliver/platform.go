package deliver

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/contest-ct/contest"
)

// PlatformNotifier sends notices of content referrals to the online
// platforms they are addressed to, by webhook signed as bulletins are
// (X-Contest-Signature: t=<unix seconds>,v1=<HMAC-SHA256 of "t." + body>
// under the platform's secret; Verify checks it). Each request carries
// Idempotency-Key: contest-notice-<id>, the same on every attempt: a
// notice is sent at least once, and a platform that keeps the keys it has
// seen processes it once (a crash between the platform's answer and the
// mark "sent" sends it again). Failed attempts are retried with backoff,
// and given up after MaxAttempts.
type PlatformNotifier struct {
	Store       contest.PlatformNoticeService
	Node        string
	Client      *http.Client
	Logger      *slog.Logger
	Poll        time.Duration // default 1 s
	Lease       time.Duration // default 5 min
	MaxAttempts int           // default 12
	RetryBase   time.Duration // default 30 s, doubled per attempt
	RetryMax    time.Duration // default 1 h
	Now         func() time.Time
}

func (p *PlatformNotifier) defaults() {
	if p.Client == nil {
		p.Client = &http.Client{Timeout: 30 * time.Second,
			// A platform's endpoint answers for itself: no redirects.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	if p.Logger == nil {
		p.Logger = slog.New(slog.DiscardHandler)
	}
	if p.Poll <= 0 {
		p.Poll = time.Second
	}
	if p.Lease <= 0 {
		p.Lease = 5 * time.Minute
	}
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = 12
	}
	if p.RetryBase <= 0 {
		p.RetryBase = 30 * time.Second
	}
	if p.RetryMax <= 0 {
		p.RetryMax = time.Hour
	}
	if p.Now == nil {
		p.Now = time.Now
	}
}

// Run sends notices until ctx ends.
func (p *PlatformNotifier) Run(ctx context.Context) error {
	p.defaults()
	t := time.NewTicker(p.Poll)
	defer t.Stop()
	for {
		if _, err := p.Once(ctx); err != nil && ctx.Err() == nil {
			p.Logger.Error("platform notices", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Once claims the notices that are due and tries each once. It returns how
// many it sent.
func (p *PlatformNotifier) Once(ctx context.Context) (int, error) {
	p.defaults()
	notices, err := p.Store.ClaimPlatformNotices(ctx, p.Node, 50, p.Lease)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, n := range notices {
		status, next, errText := contest.NoticeSent, time.Time{}, ""
		if n.WebhookURL == "" || n.Secret == "" {
			status = contest.NoticeNoChannel
		} else if err := p.post(ctx, n); err != nil {
			errText = err.Error()
			status = contest.NoticePending
			if n.Attempts+1 >= p.MaxAttempts {
				status = contest.NoticeFailed
			}
			next = p.Now().Add(min(p.RetryMax, p.RetryBase<<min(n.Attempts, 20)))
			p.Logger.Warn("platform notice not delivered", "notice", n.ID, "attempt", n.Attempts+1, "err", err)
		} else {
			sent++
		}
		if err := p.Store.FinishPlatformNotice(ctx, p.Node, n.ID, status, next, errText); err != nil {
			return sent, err
		}
	}
	return sent, nil
}

func (p *PlatformNotifier) post(ctx context.Context, n *contest.PlatformNotice) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.WebhookURL, bytes.NewReader(n.Payload))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Contest-Event", n.Event)
	req.Header.Set("X-Contest-Signature", Sign(n.Secret, p.Now().Unix(), n.Payload))
	req.Header.Set("Idempotency-Key", "contest-notice-"+strconv.FormatInt(n.ID, 10))
	res, err := p.Client.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	res.Body.Close()
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return fmt.Errorf("webhook answered %d", res.StatusCode)
	}
	return nil
}
