package web

import (
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/contest-ct/contest"
)

// reportLimiter bounds public report submissions per client address with
// a token bucket: Burst reports at once, refilled at Per.
//
// Scope: the limit is per reporter address (see reporterAddr) and is kept
// in the memory of each contest process. With
// several nodes sharing PostgreSQL behind a load balancer, an address may
// send up to Burst reports to each node, so the installation-wide limit is
// at most the number of nodes times the per-node one; no node depends on
// another, nothing is written to the database to enforce it (it would cost
// a write per refused request), and a restart clears it. That is enough to
// stop one address flooding the desk without ever refusing a genuine
// reporter for what another node saw.
type reportLimiter struct {
	burst float64
	per   time.Duration // time to earn one token
	now   func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

// Default public submission limits per address and node.
const (
	DefaultReportBurst = 20
	DefaultReportEvery = 3 * time.Second
	maxBuckets         = 200000
)

func newReportLimiter(burst int, every time.Duration) *reportLimiter {
	return &reportLimiter{burst: float64(burst), per: every, now: time.Now, buckets: map[string]*bucket{}}
}

// allow takes one token for addr, or says how long until one is free.
func (l *reportLimiter) allow(addr string) (bool, time.Duration) {
	if l.burst <= 0 {
		return true, 0
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[addr]
	if b == nil {
		if len(l.buckets) >= maxBuckets {
			l.sweep(now)
		}
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[addr] = b
	}
	b.tokens = math.Min(l.burst, b.tokens+float64(now.Sub(b.at))/float64(l.per))
	b.at = now
	if b.tokens < 1 {
		return false, time.Duration((1 - b.tokens) * float64(l.per))
	}
	b.tokens--
	return true, 0
}

// sweep forgets addresses whose bucket has refilled.
func (l *reportLimiter) sweep(now time.Time) {
	for k, b := range l.buckets {
		if b.tokens+float64(now.Sub(b.at))/float64(l.per) >= l.burst {
			delete(l.buckets, k)
		}
	}
}

// limiters holds each Server's limiter (kept here, beside the reports
// code, rather than in the Server struct).
var limiters sync.Map // *Server -> *reportLimiter

func (s *Server) reportLimiter() *reportLimiter {
	if l, ok := limiters.Load(s); ok {
		return l.(*reportLimiter)
	}
	l, _ := limiters.LoadOrStore(s, newReportLimiter(DefaultReportBurst, DefaultReportEvery))
	return l.(*reportLimiter)
}

// SetPublicReportLimit sets how many public reports one client address may
// send to this node at once (burst) and how fast the allowance comes back
// (one report every every). A burst of 0 turns the limit off (for load
// tests only).
func (s *Server) SetPublicReportLimit(burst int, every time.Duration) {
	limiters.Store(s, newReportLimiter(burst, every))
}

// reporterAddr is the address a public report came from. Behind a load
// balancer or reverse proxy every request comes from the proxy's address,
// so when the direct peer is a loopback or private address (a proxy in
// the installation's own network) the address the proxy appended to
// X-Forwarded-For (the last one) is taken instead. A peer on the public
// internet is taken as it is, whatever the header says, so it cannot
// choose its own address. Several nodes behind one balancer therefore
// limit each reporter, not the balancer.
func reporterAddr(r *http.Request) string {
	peer := clientAddr(r)
	ip := net.ParseIP(peer)
	if ip == nil || !(ip.IsLoopback() || ip.IsPrivate()) {
		return peer
	}
	xff := r.Header.Values("X-Forwarded-For")
	if len(xff) == 0 {
		return peer
	}
	parts := strings.Split(xff[len(xff)-1], ",")
	if c := net.ParseIP(strings.TrimSpace(parts[len(parts)-1])); c != nil {
		return c.String()
	}
	return peer
}

// errTooManyReports is the clear message a throttled reporter gets.
const errTooManyReports = "You have sent a lot of reports from this connection in a short time. Wait a minute and try again. If it is an emergency, call 999 now."

// checkReportLimit answers 429 (with Retry-After) when addr is over its
// limit.
func (h *handler) checkReportLimit(w http.ResponseWriter, r *http.Request) error {
	ok, wait := h.reportLimiter().allow(reporterAddr(r))
	if ok {
		return nil
	}
	w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
	return contest.Errorf(contest.ETOOMANY, errTooManyReports)
}
