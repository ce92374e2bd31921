package deliver_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/db"
	"github.com/contest-ct/contest/db/dbtest"
	"github.com/contest-ct/contest/deliver"
)

// TestPlatformNotices sends a content referral to an online platform and
// checks the platform's webhook receives it signed, with a stable
// idempotency key, once; a refused attempt is retried; a platform with no
// webhook gets none.
func TestPlatformNotices(t *testing.T) {
	for _, e := range dbtest.Engines() {
		t.Run(string(e), func(t *testing.T) { testPlatformNotices(t, e) })
	}
}

type received struct {
	mu     sync.Mutex
	bodies [][]byte
	sigs   []string
	keys   []string
	refuse int // answer 503 to this many requests first
}

func (r *received) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	b, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.refuse > 0 {
		r.refuse--
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	r.bodies = append(r.bodies, b)
	r.sigs = append(r.sigs, req.Header.Get("X-Contest-Signature"))
	r.keys = append(r.keys, req.Header.Get("Idempotency-Key"))
	w.WriteHeader(http.StatusNoContent)
}

func testPlatformNotices(t *testing.T, e db.Engine) {
	ctx := context.Background()
	f := dbtest.MustFixture(t, e)
	rcv := &received{refuse: 1}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	platform := f.Orgs[contest.OrgOnlinePlatform]
	secret, err := f.DB.SetPartnerChannels(ctx, f.MustActor(t, contest.RoleAdmin),
		&contest.PartnerChannels{OrgID: platform.ID, WebhookURL: srv.URL + "/contest", Clearance: contest.Official}, true)
	if err != nil {
		t.Fatal(err)
	}
	// A second platform with no webhook.
	quiet := &contest.Org{Name: "Quiet Platform Ltd", Kind: contest.OrgOnlinePlatform}
	if err := f.DB.CreateOrg(ctx, contest.SystemActor("test"), quiet); err != nil {
		t.Fatal(err)
	}
	officer := f.MustActor(t, contest.RoleContentOfficer)
	send := func(url string, to int64) {
		t.Helper()
		c := &contest.ContentReferral{URL: url, ContentType: "video"}
		if err := f.DB.CreateContentReferrals(ctx, officer, []*contest.ContentReferral{c}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.DB.AssessContentReferral(ctx, officer, c.ID, contest.ContentAssessment{Offence: "ta2006_s2", Note: "Synthetic test material."}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.DB.SendContentReferral(ctx, officer, c.ID, to, ""); err != nil {
			t.Fatal(err)
		}
	}
	send("https://video.example.com/watch/1", platform.ID)
	send("https://video.example.org/watch/2", quiet.ID)

	n := &deliver.PlatformNotifier{Store: f.DB, Node: "node-a", RetryBase: time.Millisecond}
	// First attempt: the platform answers 503, so nothing is sent and the
	// notice waits for its retry; the quiet platform's is closed as having
	// no channel.
	if sent, err := n.Once(ctx); err != nil || sent != 0 {
		t.Fatalf("first pass: sent %d, %v", sent, err)
	}
	time.Sleep(20 * time.Millisecond)
	if sent, err := n.Once(ctx); err != nil || sent != 1 {
		t.Fatalf("retry: sent %d, %v", sent, err)
	}
	// Nothing is left to send, from this node or another.
	other := &deliver.PlatformNotifier{Store: f.DB, Node: "node-b"}
	for _, x := range []*deliver.PlatformNotifier{n, other} {
		if sent, err := x.Once(ctx); err != nil || sent != 0 {
			t.Fatalf("%s sent %d more, %v", x.Node, sent, err)
		}
	}
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	if len(rcv.bodies) != 1 {
		t.Fatalf("platform received %d notices, want 1", len(rcv.bodies))
	}
	if err := deliver.Verify(secret, rcv.sigs[0], rcv.bodies[0], time.Now(), 5*time.Minute); err != nil {
		t.Errorf("signature: %v", err)
	}
	if err := deliver.Verify("whsec_wrong", rcv.sigs[0], rcv.bodies[0], time.Now(), 5*time.Minute); err == nil {
		t.Error("signature verified with the wrong secret")
	}
	if rcv.keys[0] == "" {
		t.Error("no Idempotency-Key")
	}
	var statuses []string
	rows, err := f.DB.SQL().QueryContext(ctx, "SELECT status FROM content_notifications ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		rows.Scan(&s)
		statuses = append(statuses, s)
	}
	if len(statuses) != 2 || statuses[0] != contest.NoticeSent || statuses[1] != contest.NoticeNoChannel {
		t.Errorf("notice statuses %v, want [sent no_channel]", statuses)
	}
}
