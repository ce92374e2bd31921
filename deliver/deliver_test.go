package deliver_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/mail"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/db"
	"github.com/contest-ct/contest/db/dbtest"
	"github.com/contest-ct/contest/deliver"
	"github.com/contest-ct/contest/deliver/delivertest"
)

var ctx = context.Background()

func forEngine(t *testing.T, fn func(t *testing.T, e db.Engine)) {
	for _, e := range dbtest.Engines() {
		t.Run(string(e), func(t *testing.T) { fn(t, e) })
	}
}

// scene is a store with partners, some with webhooks, receivers on
// loopback, and a published bulletin to all partners.
type scene struct {
	f     *dbtest.Fixture
	smtp  *delivertest.SMTPServer
	hook  *delivertest.Webhook
	b     *contest.Bulletin
	mails []string
	hooks []string
}

func mustScene(tb testing.TB, e db.Engine, people, perOrg, hookOrgs int, cl contest.Classification) *scene {
	tb.Helper()
	f := dbtest.MustFixture(tb, e)
	return mustSceneOn(tb, f, f.MustActor(tb, contest.RoleSupervisor), people, perOrg, hookOrgs, cl)
}

// mustDurableScene is a scene on SQLite with synchronous=FULL, as contest
// runs in production (the test fixture runs with synchronous=NORMAL).
func mustDurableScene(tb testing.TB, people, perOrg, hookOrgs int) *scene {
	tb.Helper()
	d, err := db.Open(ctx, db.Config{DataDir: tb.TempDir(), SecretKey: dbtest.Key, Argon2: db.TestArgon2})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { d.Close() })
	return mustSceneOn(tb, &dbtest.Fixture{DB: d}, contest.SystemActor("test"), people, perOrg, hookOrgs, contest.Official)
}

func mustSceneOn(tb testing.TB, f *dbtest.Fixture, sender *contest.Actor, people, perOrg, hookOrgs int, cl contest.Classification) *scene {
	tb.Helper()
	s := &scene{f: f, smtp: delivertest.StartSMTP(tb), hook: delivertest.StartWebhook(tb)}
	orgs := delivertest.AddPartners(tb, s.f.DB, people, perOrg)
	delivertest.HookOrgs(tb, s.f.DB, s.hook, orgs[:min(hookOrgs, len(orgs))], contest.OfficialSensitive)
	s.b = &contest.Bulletin{Type: contest.BulletinAdvice, Title: "Vehicle as a weapon: protective measures", Body: "Check barriers — and café seating.",
		Audience: contest.Audience{AllPartners: true}, Meta: contest.Meta{Classification: cl}}
	if err := s.f.DB.CreateBulletin(ctx, sender, s.b); err != nil {
		tb.Fatal(err)
	}
	if _, err := s.f.DB.PublishBulletin(ctx, sender, s.b.ID); err != nil {
		tb.Fatal(err)
	}
	s.mails = delivertest.OutboxKeys(tb, s.f.DB, contest.DeliveryEmail)
	s.hooks = delivertest.OutboxKeys(tb, s.f.DB, contest.DeliveryWebhook)
	return s
}

func (s *scene) config(node string) deliver.Config {
	return deliver.Config{Outbox: s.f.DB, Node: node, Webhooks: true, BaseURL: "https://contest.example",
		SMTP: &deliver.SMTPConfig{Addr: s.smtp.Addr, From: "CONTEST Bulletins <bulletins@contest.example>", TLS: "none"},
		Poll: 20 * time.Millisecond, RetryBase: 20 * time.Millisecond, RetryMax: 100 * time.Millisecond, Timeout: 10 * time.Second}
}

// run starts a worker and returns a function that stops it and waits.
func run(tb testing.TB, cfg deliver.Config) (*deliver.Worker, func()) {
	tb.Helper()
	w, err := deliver.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	c, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- w.Run(c) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				tb.Errorf("worker: %v", err)
			}
		})
	}
	tb.Cleanup(stop)
	return w, stop
}

// TestDeliverEveryMessageOnce sends a bulletin to 300 people and 10
// webhooks through a real SMTP server and a real webhook receiver, and
// checks that each arrived exactly once, signed, with its key as the
// Message-ID, and that the outbox says sent.
func TestDeliverEveryMessageOnce(t *testing.T) {
	forEngine(t, func(t *testing.T, e db.Engine) {
		s := mustScene(t, e, 300, 30, 10, contest.Official)
		if len(s.mails) < 300 || len(s.hooks) != 10 {
			t.Fatalf("queued %d e-mails and %d webhooks", len(s.mails), len(s.hooks))
		}
		_, stop := run(t, s.config("node-a"))
		delivertest.WaitSent(t, s.f.DB, 60*time.Second)
		stop()
		delivertest.ExactlyOnce(t, s.smtp.Received, s.mails)
		delivertest.ExactlyOnce(t, s.hook.Received, s.hooks)
		if n := s.hook.BadSignatures.Load(); n != 0 {
			t.Fatalf("%d bad signatures", n)
		}
		// An e-mail: the key is its Message-ID; OFFICIAL content in full.
		m, err := mail.ReadMessage(strings.NewReader(string(s.smtp.Body(s.mails[0]))))
		if err != nil {
			t.Fatal(err)
		}
		if id := m.Header.Get("Message-ID"); id != "<"+s.mails[0]+"@contest.example>" {
			t.Fatalf("Message-ID %q for key %s", id, s.mails[0])
		}
		body := string(s.smtp.Body(s.mails[0]))
		if !strings.Contains(m.Header.Get("Subject"), "[OFFICIAL]") || !strings.Contains(body, "Vehicle as a weapon") ||
			!strings.Contains(body, fmt.Sprintf("https://contest.example/bulletins/%d", s.b.ID)) {
			t.Fatalf("e-mail:\n%s", body)
		}
		// A webhook: the signed JSON bulletin.
		var p deliver.WebhookPayload
		if err := json.Unmarshal(s.hook.Body(s.hooks[0]), &p); err != nil {
			t.Fatal(err)
		}
		if p.ID != s.hooks[0] || p.Bulletin.ID != s.b.ID || p.Bulletin.Classification != "OFFICIAL" || !strings.Contains(p.Bulletin.Body, "café") {
			t.Fatalf("payload %+v", p)
		}
		var sent, all int
		s.f.DB.SQL().QueryRow("SELECT SUM(CASE WHEN status = 'sent' AND attempts = 1 THEN 1 ELSE 0 END), COUNT(*) FROM outbox").Scan(&sent, &all)
		if sent != all {
			t.Fatalf("%d of %d rows sent at the first attempt", sent, all)
		}
	})
}

// TestDeliverSensitiveByNoticeOnly: an OFFICIAL-SENSITIVE bulletin is
// never put in an e-mail; the e-mail says where to read it.
func TestDeliverSensitiveByNoticeOnly(t *testing.T) {
	s := mustScene(t, db.SQLite, 5, 5, 1, contest.OfficialSensitive)
	_, stop := run(t, s.config("node-a"))
	delivertest.WaitSent(t, s.f.DB, 30*time.Second)
	stop()
	delivertest.ExactlyOnce(t, s.smtp.Received, s.mails)
	for _, k := range s.mails {
		body := string(s.smtp.Body(k))
		if strings.Contains(body, "Vehicle") || strings.Contains(body, "barriers") || !strings.Contains(body, "OFFICIAL-SENSITIVE") {
			t.Fatalf("sensitive e-mail:\n%s", body)
		}
	}
	// The webhook organisation is cleared for OFFICIAL-SENSITIVE.
	delivertest.ExactlyOnce(t, s.hook.Received, s.hooks)
}

// TestDeliverRetries: temporary refusals are retried with backoff and
// delivered once; permanent ones are given up and not retried.
func TestDeliverRetries(t *testing.T) {
	forEngine(t, func(t *testing.T, e db.Engine) {
		s := mustScene(t, e, 20, 5, 4, contest.Official)
		permanentMail, permanentHook := s.mails[0], s.hooks[0]
		s.smtp.Refuse = func(key string, seen int) error {
			switch {
			case key == permanentMail:
				return delivertest.ErrRefused(true)
			case seen == 0:
				return delivertest.ErrRefused(false)
			}
			return nil
		}
		s.hook.Status = func(key string, seen int) int {
			switch {
			case key == permanentHook:
				return http.StatusBadRequest
			case seen == 0:
				return http.StatusServiceUnavailable
			}
			return 0
		}
		_, stop := run(t, s.config("node-a"))
		delivertest.WaitSent(t, s.f.DB, 60*time.Second)
		stop()
		delivertest.ExactlyOnce(t, s.smtp.Received, s.mails[1:])
		delivertest.ExactlyOnce(t, s.hook.Received, s.hooks[1:])
		rows, err := s.f.DB.SQL().Query("SELECT delivery_key, status, attempts, last_error FROM outbox")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var key, status, lastErr string
			var attempts int
			rows.Scan(&key, &status, &attempts, &lastErr)
			switch key {
			case permanentMail, permanentHook:
				if status != "failed" || attempts != 1 || lastErr == "" {
					t.Errorf("%s: %s after %d attempts (%s), want failed after 1", key, status, attempts, lastErr)
				}
			default:
				if status != "sent" || attempts != 2 {
					t.Errorf("%s: %s after %d attempts, want sent after 2", key, status, attempts)
				}
			}
		}
	})
}

// TestDeliverSeveralNodes runs three workers with different node names on
// one database at once: every message is still sent exactly once.
func TestDeliverSeveralNodes(t *testing.T) {
	forEngine(t, func(t *testing.T, e db.Engine) {
		s := mustScene(t, e, 600, 20, 30, contest.Official)
		var stops []func()
		for i := range 3 {
			cfg := s.config(fmt.Sprintf("node-%d", i))
			cfg.Batch = 16 // small claims, so that the nodes interleave
			_, stop := run(t, cfg)
			stops = append(stops, stop)
		}
		delivertest.WaitSent(t, s.f.DB, 60*time.Second)
		for _, stop := range stops {
			stop()
		}
		delivertest.ExactlyOnce(t, s.smtp.Received, s.mails)
		delivertest.ExactlyOnce(t, s.hook.Received, s.hooks)
		var nodes int
		s.f.DB.SQL().QueryRow("SELECT COUNT(DISTINCT lease_owner) FROM outbox").Scan(&nodes)
		t.Logf("%s: %d nodes shared the work", e, nodes)
	})
}

// TestSignature pins the signature for a known secret, time and body, and
// checks that Verify refuses a changed body, another secret and an old
// timestamp.
func TestSignature(t *testing.T) {
	body := []byte(`{"id":"b1-o2-r1-webhook"}`)
	got := deliver.Sign("whsec_test", 1700000000, body)
	// Computed independently: HMAC-SHA256("whsec_test", "1700000000." + body).
	const want = "t=1700000000,v1=9637b1078d2a22f2fb35cb809b15904605de399efb5121d95726c98b4622d1aa"
	if got != want {
		t.Fatalf("signature %q", got)
	}
	now := time.Unix(1700000060, 0)
	if err := deliver.Verify("whsec_test", got, body, now, 5*time.Minute); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"body":   deliver.Verify("whsec_test", got, append(body, ' '), now, 5*time.Minute),
		"secret": deliver.Verify("whsec_other", got, body, now, 5*time.Minute),
		"old":    deliver.Verify("whsec_test", got, body, now.Add(time.Hour), 5*time.Minute),
		"empty":  deliver.Verify("whsec_test", "", body, now, 5*time.Minute),
	} {
		if err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func raceEnabled() bool {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range bi.Settings {
		if s.Key == "-race" {
			return s.Value == "true"
		}
	}
	return false
}

// rate delivers n messages of one channel and returns messages per second
// from the worker's start to the last one sent.
func rate(tb testing.TB, e db.Engine, channel string, n int) float64 {
	tb.Helper()
	durable := e == db.SQLite
	people, hooks := n, 0
	if channel == contest.DeliveryWebhook {
		people, hooks = n, n // one person an organisation, each with a webhook
	}
	perOrg := 100
	if hooks > 0 {
		perOrg = 1
	}
	var s *scene
	if durable {
		s = mustDurableScene(tb, people, perOrg, hooks)
	} else {
		s = mustScene(tb, e, people, perOrg, hooks, contest.Official)
	}
	cfg := s.config("bench")
	other := contest.DeliveryWebhook
	if channel == contest.DeliveryEmail {
		cfg.Webhooks = false
	} else {
		cfg.SMTP, other = nil, contest.DeliveryEmail
	}
	if _, err := s.f.DB.SQL().Exec("DELETE FROM outbox WHERE channel = $1", other); err != nil {
		tb.Fatal(err)
	}
	start := time.Now()
	_, stop := run(tb, cfg)
	r := s.smtp.Received
	keys := s.mails
	if channel == contest.DeliveryWebhook {
		r, keys = s.hook.Received, s.hooks
	}
	for r.Total() < len(keys) {
		if time.Since(start) > 2*time.Minute {
			tb.Fatalf("%d of %d delivered in 2 minutes", r.Total(), len(keys))
		}
		time.Sleep(2 * time.Millisecond)
	}
	took := time.Since(start)
	delivertest.WaitSent(tb, s.f.DB, time.Minute)
	stop()
	delivertest.ExactlyOnce(tb, r, keys)
	return float64(len(keys)) / took.Seconds()
}

// TestDeliveryAtVolume sends thousands of e-mails to a local SMTP server
// and webhooks to a local receiver (SQLite, synchronous=FULL as in
// production) and checks each arrived exactly once. The rates are logged;
// the targets (500 e-mails and 1,000 webhooks a second) are for
// BenchmarkDeliverSMTP and BenchmarkDeliverWebhook, not for a test.
func TestDeliveryAtVolume(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	for _, c := range []struct {
		channel string
		n       int
	}{{contest.DeliveryEmail, 3000}, {contest.DeliveryWebhook, 5000}} {
		if raceEnabled() {
			c.n /= 10
		}
		got := rate(t, db.SQLite, c.channel, c.n)
		t.Logf("%s: %.0f messages/s", c.channel, got)
	}
}

// BenchmarkDeliverSMTP reports e-mail throughput to a local SMTP server.
func BenchmarkDeliverSMTP(b *testing.B) {
	for _, e := range dbtest.Engines() {
		b.Run(string(e), func(b *testing.B) {
			var r float64
			for b.Loop() {
				r = rate(b, e, contest.DeliveryEmail, 5000)
			}
			b.ReportMetric(r, "msgs/s")
			if r < 500 && !raceEnabled() {
				b.Errorf("%.0f messages/s, below 500", r)
			}
		})
	}
}

// BenchmarkDeliverWebhook reports webhook throughput to a local receiver.
func BenchmarkDeliverWebhook(b *testing.B) {
	for _, e := range dbtest.Engines() {
		b.Run(string(e), func(b *testing.B) {
			var r float64
			for b.Loop() {
				r = rate(b, e, contest.DeliveryWebhook, 10000)
			}
			b.ReportMetric(r, "msgs/s")
			if r < 1000 && !raceEnabled() {
				b.Errorf("%.0f messages/s, below 1000", r)
			}
		})
	}
}
