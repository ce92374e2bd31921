// Package deliver sends the bulletin outbox: e-mail over SMTP (net/smtp)
// and signed webhooks (HMAC-SHA256 over the timestamp and the body), with
// retries and exponential backoff, safely across several nodes sharing one
// database.
//
// # Exactly once across a crash
//
// A delivery is an outbox row written in the transaction that publishes the
// bulletin, so nothing published is lost. Sending it once and only once
// hinges on one moment: the remote takes the message when it receives its
// last byte (the "." line that ends SMTP DATA; the last byte of an HTTP
// body of known Content-Length), and not before: a connection that drops
// earlier leaves it an incomplete message, which it throws away. So the
// worker
//
//  1. claims a batch of due rows with a lease (its node name and a lease
//     end; FOR UPDATE SKIP LOCKED on PostgreSQL, the single writer on
//     SQLite), so no two nodes hold a row;
//  2. sends each message except its last byte, and parks it;
//  3. in one transaction for everything parked (a group commit), marks the
//     rows it still holds as sent, writes the last byte of each of those
//     messages, and commits at once;
//  4. reads the replies: a refusal puts the row back for a retry (or gives
//     it up, for a permanent SMTP 5xx or an HTTP 4xx).
//
// A crash (SIGKILL, power) before step 3's last byte leaves the row unsent
// and the remote without a complete message: it is sent again, once. A
// crash after the commit leaves it sent. Only a crash in the gap between a
// message's last byte and the commit — the time to write a few bytes to a
// few sockets and start the commit, microseconds — can deliver a message a
// second time, and then with the same key: the e-mail's Message-ID and the
// webhook's X-Contest-Delivery and Idempotency-Key headers are stable per
// delivery across retries, restarts and nodes, so a receiver that keeps
// the keys it has seen (as the webhook specification asks) still acts once.
// Were the mark written before the last byte instead, the same gap would
// lose the message, which is worse; were it written after the reply (the
// usual way), the gap would be a network round trip and an fsync,
// milliseconds, a thousand times wider.
//
// A node whose lease has run out (a stalled node) cannot send a message
// another node has taken over: the mark in step 3 matches only rows the
// node still holds, and the last byte is written only for rows it marked.
// A node starting again releases the leases held under its name at once,
// so its rows need not wait for the lease to end; node names must differ
// between nodes.
package deliver

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/contest-ct/contest"
)

// Config configures a worker. Outbox and Node are required.
type Config struct {
	Outbox contest.OutboxService
	// Node names this process among the nodes sharing the database.
	Node string
	// SMTP, when set, sends e-mail; without it e-mail rows stay queued.
	SMTP *SMTPConfig
	// Webhooks sends webhook rows.
	Webhooks bool
	// BaseURL is the address of contest for links in messages
	// (https://contest.example).
	BaseURL string
	// EmailWorkers and WebhookWorkers are how many messages are sent at
	// once on each channel (default 8 and 16): one SMTP connection each,
	// and that many HTTP requests in flight.
	EmailWorkers   int
	WebhookWorkers int
	// Batch is how many rows a claim takes (default 256).
	Batch int
	// Lease is how long a claim holds its rows (default 5 minutes); it
	// must be longer than a message takes to send.
	Lease time.Duration
	// Poll is how often the outbox is looked at when nothing wakes the
	// worker (default 1 s).
	Poll time.Duration
	// MaxAttempts gives up a delivery after this many (default 12).
	MaxAttempts int
	// RetryBase and RetryMax shape the backoff: RetryBase doubled after
	// each failed attempt, at most RetryMax, with jitter (defaults 30 s
	// and 1 h).
	RetryBase, RetryMax time.Duration
	// Timeout bounds each network step (default 30 s).
	Timeout time.Duration
	// Gather is how long a group commit waits for busy senders to park
	// their messages (default 5 ms).
	Gather time.Duration
	// WebhookTLS is the TLS configuration for https webhooks (nil: the
	// system roots).
	WebhookTLS *tls.Config
	Logger     *slog.Logger
}

func (c *Config) defaults() error {
	if c.Outbox == nil || c.Node == "" {
		return errors.New("deliver: Config.Outbox and Config.Node are required")
	}
	if c.EmailWorkers <= 0 {
		c.EmailWorkers = 8
	}
	if c.WebhookWorkers <= 0 {
		c.WebhookWorkers = 16
	}
	if c.Batch <= 0 {
		c.Batch = 256
	}
	if c.Lease <= 0 {
		c.Lease = 5 * time.Minute
	}
	if c.Poll <= 0 {
		c.Poll = time.Second
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 12
	}
	if c.RetryBase <= 0 {
		c.RetryBase = 30 * time.Second
	}
	if c.RetryMax <= 0 {
		c.RetryMax = time.Hour
	}
	if c.Timeout <= 0 {
		c.Timeout = 30 * time.Second
	}
	if c.Gather <= 0 {
		c.Gather = 5 * time.Millisecond
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.SMTP != nil {
		return c.SMTP.check()
	}
	return nil
}

// Backoff is the wait before attempt n+1 after n failed attempts.
func (c *Config) Backoff(n int) time.Duration {
	d := c.RetryBase
	for i := 1; i < n && d < c.RetryMax; i++ {
		d *= 2
	}
	d = min(d, c.RetryMax)
	// ±20 % jitter, so that retries of one failure spread out.
	return d - d/5 + time.Duration(rand.Int64N(int64(d/5)*2+1))
}

// Worker sends the outbox until its context ends.
type Worker struct {
	cfg      Config
	log      *slog.Logger
	channels []string

	emails, hooks chan *job
	parked        chan *parked
	retries       chan contest.DeliveryRetry
	// slots has one token per claimed row in flight, by channel, so that
	// a backlog of one channel never holds up the other.
	slots map[string]chan struct{}

	bmu       sync.Mutex
	bulletins map[int64]*contest.Bulletin

	hooksPool *httpPool
	stats     Stats
	busy      atomic.Int64 // senders holding a job
}

// Stats counts what a worker did, for tests and logs.
type Stats struct {
	mu                      sync.Mutex
	Sent, Retried, Given    int
	Aborted, LastByteFailed int
}

func (s *Stats) add(f func(s *Stats)) {
	s.mu.Lock()
	f(s)
	s.mu.Unlock()
}

// Snapshot returns a copy of the counts.
func (s *Stats) Snapshot() (sent, retried, given, aborted int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.Sent, s.Retried, s.Given, s.Aborted
}

// job is one claimed delivery on its way through a sender.
type job struct {
	d *contest.Delivery
}

// parked is a message sent but for its last bytes, waiting for the group
// commit. The committer writes last to conn (the sender is blocked), and
// then answers on done: true if the row is marked sent and the bytes were
// written, false if the message must be abandoned.
type parked struct {
	id   int64
	conn net.Conn
	last []byte
	done chan bool
}

// New checks cfg and returns a worker.
func New(cfg Config) (*Worker, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	w := &Worker{cfg: cfg, log: cfg.Logger, bulletins: map[int64]*contest.Bulletin{}}
	if cfg.SMTP != nil {
		w.channels = append(w.channels, contest.DeliveryEmail)
	}
	if cfg.Webhooks {
		w.channels = append(w.channels, contest.DeliveryWebhook)
	}
	inflight := 2 * cfg.Batch
	w.emails = make(chan *job, inflight)
	w.hooks = make(chan *job, inflight)
	w.parked = make(chan *parked, cfg.EmailWorkers+cfg.WebhookWorkers)
	w.retries = make(chan contest.DeliveryRetry, 2*inflight)
	w.slots = map[string]chan struct{}{
		contest.DeliveryEmail:   make(chan struct{}, inflight),
		contest.DeliveryWebhook: make(chan struct{}, inflight),
	}
	w.hooksPool = newHTTPPool(cfg.WebhookTLS, cfg.Timeout)
	return w, nil
}

// Stats returns the worker's counts.
func (w *Worker) Stats() *Stats { return &w.stats }

// Run sends until ctx ends. It first releases the leases held under its
// node name (left by a crash). On return every row it claimed has been
// sent, put back, or left to its lease.
func (w *Worker) Run(ctx context.Context) error {
	if len(w.channels) == 0 {
		<-ctx.Done()
		return nil
	}
	if n, err := w.cfg.Outbox.ReleaseDeliveries(ctx, w.cfg.Node); err != nil {
		return fmt.Errorf("deliver: release leases: %w", err)
	} else if n > 0 {
		w.log.Info("deliveries released after a restart", "node", w.cfg.Node, "count", n)
	}
	var senders sync.WaitGroup
	for range w.cfg.EmailWorkers {
		senders.Go(func() { w.emailSender(w.emails) })
	}
	for range w.cfg.WebhookWorkers {
		senders.Go(func() { w.webhookSender(w.hooks) })
	}
	committed := make(chan struct{})
	go func() { w.committer(); close(committed) }()

	// One wake from the store wakes every channel's claimer.
	wakes := map[string]chan struct{}{}
	for _, ch := range w.channels {
		wakes[ch] = make(chan struct{}, 1)
	}
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-w.cfg.Outbox.OutboxWake():
				for _, c := range wakes {
					select {
					case c <- struct{}{}:
					default:
					}
				}
			}
		}
	}()
	var claimers sync.WaitGroup
	for _, ch := range w.channels {
		claimers.Go(func() { w.claimLoop(ctx, ch, wakes[ch]) })
	}
	claimers.Wait()
	close(w.emails)
	close(w.hooks)
	senders.Wait()
	close(w.parked)
	<-committed
	w.hooksPool.closeAll()
	return nil
}

// claimLoop claims due rows of one channel while there is room in flight.
func (w *Worker) claimLoop(ctx context.Context, channel string, wake <-chan struct{}) {
	slots := w.slots[channel]
	out := w.emails
	if channel == contest.DeliveryWebhook {
		out = w.hooks
	}
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case <-wake:
		}
		for ctx.Err() == nil {
			room := cap(slots) - len(slots)
			if room == 0 {
				// Wait for a slot to free.
				select {
				case <-ctx.Done():
					return
				case slots <- struct{}{}:
					<-slots
				}
				continue
			}
			ds, err := w.cfg.Outbox.ClaimDeliveries(ctx, w.cfg.Node, []string{channel}, min(room, w.cfg.Batch), w.cfg.Lease)
			if err != nil {
				if ctx.Err() == nil {
					w.log.Error("claim deliveries", "channel", channel, "err", err)
				}
				break
			}
			for _, d := range ds {
				slots <- struct{}{}
				out <- &job{d}
			}
			if len(ds) < min(room, w.cfg.Batch) {
				break
			}
		}
		timer.Reset(w.cfg.Poll)
	}
}

// done frees the in-flight slot of a finished job of the channel.
func (w *Worker) done(channel string) { <-w.slots[channel] }

// committer runs the group commits: everything parked, and every retry
// waiting, goes into one transaction. Having taken one parked message it
// waits a little (at most Gather) for the other busy senders to park
// theirs, so that one commit serves many messages.
func (w *Worker) committer() {
	const maxGroup = 512
	var (
		group   []*parked
		retries []contest.DeliveryRetry
	)
	gather := time.NewTimer(time.Hour)
	gather.Stop()
	open := true
	for open || len(w.retries) > 0 {
		group, retries = group[:0], retries[:0]
		if open {
			select {
			case p, ok := <-w.parked:
				if !ok {
					open = false
				} else {
					group = append(group, p)
				}
			case r := <-w.retries:
				retries = append(retries, r)
			}
		}
		if len(group) > 0 {
			gather.Reset(w.cfg.Gather)
		wait:
			for open && len(group) < maxGroup && int64(len(group)) < w.busy.Load() {
				select {
				case p, ok := <-w.parked:
					if !ok {
						open = false
						break wait
					}
					group = append(group, p)
				case r := <-w.retries:
					retries = append(retries, r)
				case <-gather.C:
					break wait
				}
			}
			gather.Stop()
		}
	drain:
		for len(group) < maxGroup {
			select {
			case p, ok := <-w.parked:
				if !ok {
					open = false
					break drain
				}
				group = append(group, p)
			case r := <-w.retries:
				retries = append(retries, r)
			default:
				break drain
			}
		}
		w.commit(group, retries)
	}
}

// commit is one group commit. Each parked connection is corked, so the
// last bytes written inside the transaction are queued, not sent, and the
// gap between the first of them and the commit is a few microseconds of
// CPU; they go out when the connections are uncorked after the commit.
func (w *Worker) commit(group []*parked, retries []contest.DeliveryRetry) {
	ids := make([]int64, len(group))
	byID := make(map[int64]*parked, len(group))
	for i, p := range group {
		ids[i] = p.id
		byID[p.id] = p
	}
	wrote := make(map[int64]bool, len(group))
	// The commit must not be cancelled once last bytes are queued.
	marked, err := w.cfg.Outbox.CommitDeliveries(context.Background(), w.cfg.Node, ids, func(marked []int64) (failed []int64) {
		for _, id := range marked {
			if _, err := byID[id].conn.Write(byID[id].last); err != nil {
				failed = append(failed, id)
				continue
			}
			wrote[id] = true
		}
		return failed
	}, retries)
	if err != nil {
		// Nothing was marked: throw the queued last bytes away with the
		// connections, so that the remotes drop the messages too.
		w.log.Error("delivery commit failed", "err", err, "messages", len(group))
		for id := range wrote {
			abort(byID[id].conn)
		}
		marked = nil
	}
	ok := make(map[int64]bool, len(marked))
	for _, id := range marked {
		ok[id] = true
	}
	for _, r := range retries {
		w.done(r.Channel)
		w.stats.add(func(s *Stats) {
			if r.Dead {
				s.Given++
			} else {
				s.Retried++
			}
		})
	}
	for _, p := range group {
		if ok[p.id] {
			cork(p.conn, false)
		}
		p.done <- ok[p.id]
	}
}

// park corks the connection, hands the message's last bytes to the
// committer and waits for the verdict.
func (w *Worker) park(id int64, conn net.Conn, last []byte) bool {
	cork(conn, true)
	p := &parked{id: id, conn: conn, last: last, done: make(chan bool, 1)}
	w.parked <- p
	return <-p.done
}

// retry puts a delivery back with backoff, or gives it up after the last
// attempt or on a permanent refusal.
func (w *Worker) retry(d *contest.Delivery, err error, permanent bool) {
	r := contest.DeliveryRetry{ID: d.ID, Channel: d.Channel, Err: err.Error()}
	if permanent || d.Attempts >= w.cfg.MaxAttempts {
		r.Dead = true
		w.log.Warn("delivery given up", "key", d.Key, "channel", d.Channel, "attempts", d.Attempts, "err", err)
	} else {
		r.At = time.Now().Add(w.cfg.Backoff(d.Attempts))
		w.log.Info("delivery to be retried", "key", d.Key, "channel", d.Channel, "attempts", d.Attempts, "at", r.At, "err", err)
	}
	w.retries <- r
}

// bulletin returns a published bulletin, cached (published bulletins do
// not change).
func (w *Worker) bulletin(id int64) (*contest.Bulletin, error) {
	w.bmu.Lock()
	b := w.bulletins[id]
	w.bmu.Unlock()
	if b != nil {
		return b, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), w.cfg.Timeout)
	defer cancel()
	b, err := w.cfg.Outbox.DeliveryBulletin(ctx, id)
	if err != nil {
		return nil, err
	}
	w.bmu.Lock()
	if len(w.bulletins) > 1000 {
		clear(w.bulletins)
	}
	w.bulletins[id] = b
	w.bmu.Unlock()
	return b, nil
}
