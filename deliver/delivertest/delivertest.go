// Package delivertest runs real receivers on loopback for tests of bulletin
// delivery: an SMTP server (github.com/emersion/go-smtp, a complete
// RFC 5321 server) and an HTTP webhook receiver that checks signatures.
// Both count raw receptions per delivery key: a message is counted when it
// has arrived whole (the SMTP "." line, the whole HTTP body), whatever
// happens to the sender afterwards; an incomplete one is not counted.
// Neither dedupes: a key seen twice is counted twice.
package delivertest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/mail"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/db"
	"github.com/contest-ct/contest/deliver"
	"github.com/emersion/go-smtp"
)

// Received counts what a receiver got.
type Received struct {
	mu     sync.Mutex
	counts map[string]int
	asked  map[string]int // how often Refuse or Status was asked, by key
	first  map[string][]byte
	total  atomic.Int64
	// Delay is how long the receiver waits before answering each
	// message, in nanoseconds (set with SetDelay).
	delay atomic.Int64
	// Incomplete counts messages cut off before their end.
	Incomplete atomic.Int64
	// BadSignatures counts webhooks refused for their signature.
	BadSignatures atomic.Int64
}

func newReceived() *Received {
	return &Received{counts: map[string]int{}, asked: map[string]int{}, first: map[string][]byte{}}
}

// SetDelay makes the receiver wait d before answering each message.
func (r *Received) SetDelay(d time.Duration) { r.delay.Store(int64(d)) }

func (r *Received) record(key string, body []byte) int {
	r.total.Add(1)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.counts[key]++
	if r.counts[key] == 1 {
		r.first[key] = body
	}
	return r.counts[key]
}

// ask counts a question about key and returns how many came before.
func (r *Received) ask(key string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.asked[key]++
	return r.asked[key] - 1
}

// Total is the number of raw receptions, repeats included.
func (r *Received) Total() int { return int(r.total.Load()) }

// Count is how many times key was received.
func (r *Received) Count(key string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.counts[key]
}

// Counts returns a copy of the receptions by key.
func (r *Received) Counts() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]int, len(r.counts))
	for k, v := range r.counts {
		out[k] = v
	}
	return out
}

// Keys lists the keys received, sorted.
func (r *Received) Keys() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, 0, len(r.counts))
	for k := range r.counts {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Body is the first message received under key.
func (r *Received) Body(key string) []byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.first[key]
}

// SMTPServer is a running SMTP server.
type SMTPServer struct {
	*Received
	Addr string
	// Refuse, when set, is asked for each message's key and the number of
	// times it has been seen before; a non-nil error is the answer to DATA.
	Refuse func(key string, seen int) error
	srv    *smtp.Server
}

// StartSMTP starts an SMTP server on 127.0.0.1, stopped when the test ends.
func StartSMTP(tb testing.TB) *SMTPServer {
	tb.Helper()
	s := &SMTPServer{Received: newReceived()}
	s.srv = smtp.NewServer(backend{s})
	s.srv.Domain = "localhost"
	s.srv.ReadTimeout = 60 * time.Second
	s.srv.WriteTimeout = 60 * time.Second
	s.srv.MaxMessageBytes = 1 << 20
	s.srv.MaxRecipients = 10
	s.srv.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	s.Addr = ln.Addr().String()
	go s.srv.Serve(ln)
	tb.Cleanup(func() { s.srv.Close() })
	return s
}

type backend struct{ s *SMTPServer }

func (b backend) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{s: b.s}, nil }

type session struct{ s *SMTPServer }

func (*session) Mail(string, *smtp.MailOptions) error { return nil }
func (*session) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (*session) Reset()                               {}
func (*session) Logout() error                        { return nil }

func (ss *session) Data(r io.Reader) error {
	body, err := io.ReadAll(r)
	if err != nil {
		// Cut off before the "." line: not received.
		ss.s.Incomplete.Add(1)
		return err
	}
	m, err := mail.ReadMessage(bytes.NewReader(body))
	if err != nil {
		return &smtp.SMTPError{Code: 554, Message: "unreadable message"}
	}
	key := m.Header.Get("X-Contest-Delivery")
	if ss.s.Refuse != nil {
		if err := ss.s.Refuse(key, ss.s.ask(key)); err != nil {
			return err
		}
	}
	ss.s.record(key, body)
	if d := ss.s.delay.Load(); d > 0 {
		time.Sleep(time.Duration(d))
	}
	return nil
}

// Webhook is a running webhook receiver.
type Webhook struct {
	*Received
	URL string
	// secrets are the signing secrets expected, by request path.
	mu      sync.Mutex
	secrets map[string]string
	// Status, when set, is asked for the answer to each delivery (its key
	// and how many times it was seen before); 0 means 204.
	Status func(key string, seen int) int
	srv    *http.Server
}

// StartWebhook starts a webhook receiver on 127.0.0.1; URL + "/org/N" is
// organisation N's address.
func StartWebhook(tb testing.TB) *Webhook {
	tb.Helper()
	w := &Webhook{Received: newReceived(), secrets: map[string]string{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	w.URL = "http://" + ln.Addr().String()
	w.srv = &http.Server{Handler: w, ReadHeaderTimeout: 30 * time.Second}
	go w.srv.Serve(ln)
	tb.Cleanup(func() { w.srv.Close() })
	return w
}

// SetSecret sets the secret expected on path.
func (w *Webhook) SetSecret(path, secret string) {
	w.mu.Lock()
	w.secrets[path] = secret
	w.mu.Unlock()
}

// ServeHTTP receives one delivery.
func (w *Webhook) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		w.Incomplete.Add(1)
		return
	}
	w.mu.Lock()
	secret := w.secrets[r.URL.Path]
	w.mu.Unlock()
	if err := deliver.Verify(secret, r.Header.Get("X-Contest-Signature"), body, time.Now(), 5*time.Minute); err != nil {
		w.BadSignatures.Add(1)
		http.Error(rw, err.Error(), http.StatusUnauthorized)
		return
	}
	key := r.Header.Get("X-Contest-Delivery")
	if key == "" || key != r.Header.Get("Idempotency-Key") {
		http.Error(rw, "no delivery key", http.StatusBadRequest)
		return
	}
	if w.Status != nil {
		if code := w.Status(key, w.ask(key)); code != 0 && code != http.StatusNoContent {
			rw.WriteHeader(code)
			return
		}
	}
	w.record(key, body)
	if d := w.delay.Load(); d > 0 {
		time.Sleep(time.Duration(d))
	}
	rw.WriteHeader(http.StatusNoContent)
}

// ErrRefused is an SMTP refusal for Refuse to return: temporary (451) or
// permanent (550).
func ErrRefused(permanent bool) error {
	if permanent {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox"}
	}
	return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
}

// AddPartners adds n people with e-mail addresses (CTC vetting) to new
// business organisations of perOrg people each, straight into the tables
// (hashing n passwords would take minutes), and returns the organisations'
// ids.
func AddPartners(tb testing.TB, d *db.DB, n, perOrg int) []int64 {
	tb.Helper()
	now := time.Now().UnixMicro()
	tx, err := d.SQL().Begin()
	if err != nil {
		tb.Fatal(err)
	}
	defer tx.Rollback()
	var orgs []int64
	for i := 0; i < n; i++ {
		if i%perOrg == 0 {
			var id int64
			if err := tx.QueryRow(`INSERT INTO orgs (name, kind, area, classification, owner_org_id, created_at, updated_at, review_at)
				VALUES ($1, 'business', 'Bench', 1, 0, $2, $2, $2) RETURNING id`, fmt.Sprintf("Partner Business %d", i/perOrg), now).Scan(&id); err != nil {
				tb.Fatal(err)
			}
			orgs = append(orgs, id)
		}
		if _, err := tx.Exec(`INSERT INTO users (org_id, username, display_name, email, role, vetting, password_hash, owner_org_id, created_at, updated_at, review_at)
			VALUES ($1, $2, $3, $4, 'partner', 2, 'x', $1, $5, $5, $5)`, orgs[len(orgs)-1], fmt.Sprintf("partner.%d", i),
			fmt.Sprintf("Partner Person %d", i), fmt.Sprintf("partner%d@example.org", i), now); err != nil {
			tb.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
	return orgs
}

// HookOrgs gives each organisation a webhook at w (URL/org/ID) with a new
// secret, cleared for clearance, and tells w the secrets.
func HookOrgs(tb testing.TB, d *db.DB, w *Webhook, orgs []int64, clearance contest.Classification) {
	tb.Helper()
	sys := contest.SystemActor("test")
	for _, id := range orgs {
		path := fmt.Sprintf("/org/%d", id)
		secret, err := d.SetPartnerChannels(context.Background(), sys, &contest.PartnerChannels{OrgID: id, WebhookURL: w.URL + path, Clearance: clearance}, true)
		if err != nil {
			tb.Fatal(err)
		}
		w.SetSecret(path, secret)
	}
}

// OutboxKeys lists the delivery keys queued in the outbox for a channel.
func OutboxKeys(tb testing.TB, d *db.DB, channel string) []string {
	tb.Helper()
	rows, err := d.SQL().Query("SELECT delivery_key FROM outbox WHERE channel = $1 ORDER BY delivery_key", channel)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			tb.Fatal(err)
		}
		out = append(out, k)
	}
	return out
}

// WaitSent waits until no outbox row is pending, or fails the test after
// timeout.
func WaitSent(tb testing.TB, d *db.DB, timeout time.Duration) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for {
		var n int
		if err := d.SQL().QueryRow("SELECT COUNT(*) FROM outbox WHERE status = 'pending'").Scan(&n); err != nil {
			tb.Fatal(err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("%d deliveries still pending after %s", n, timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// ExactlyOnce fails the test unless every key was received exactly once
// and nothing else was.
func ExactlyOnce(tb testing.TB, r *Received, keys []string) {
	tb.Helper()
	got := r.Counts()
	bad := 0
	for _, k := range keys {
		if got[k] != 1 {
			bad++
			if bad <= 10 {
				tb.Errorf("key %s received %d times", k, got[k])
			}
		}
		delete(got, k)
	}
	for k, n := range got {
		tb.Errorf("unexpected key %s received %d times", k, n)
	}
	if bad > 0 {
		tb.Fatalf("%d of %d keys not received exactly once", bad, len(keys))
	}
}
