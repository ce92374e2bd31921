package deliver

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/contest-ct/contest"
)

// Webhooks. Each delivery is one POST of a JSON document to the partner's
// address, with these headers:
//
//	Content-Type: application/json
//	X-Contest-Delivery: <key>     the delivery's stable key
//	Idempotency-Key: <key>        the same, under its common name
//	X-Contest-Timestamp: <unix seconds>
//	X-Contest-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
//
// A receiver checks the signature with the secret it was given (Verify
// does this), refuses a timestamp more than five minutes old, answers 2xx
// once it has stored the bulletin, and keeps the keys it has seen for a
// day so that a repeat (after a crash on our side, see the package
// comment) is recognised. Any other answer is retried with backoff, except
// 4xx other than 408 and 429, which are final.

// WebhookPayload is the JSON body of a webhook.
type WebhookPayload struct {
	ID           string          `json:"id"`
	Type         string          `json:"type"`
	Attempt      int             `json:"attempt"`
	Organisation int64           `json:"organisation_id"`
	Bulletin     WebhookBulletin `json:"bulletin"`
}

// WebhookBulletin is the bulletin in a webhook.
type WebhookBulletin struct {
	ID             int64     `json:"id"`
	Type           string    `json:"type"`
	Title          string    `json:"title"`
	Body           string    `json:"body"`
	Classification string    `json:"classification"`
	From           string    `json:"from"`
	PublishedAt    time.Time `json:"published_at"`
	URL            string    `json:"url"`
}

// Sign returns the X-Contest-Signature value for body at time ts.
func Sign(secret string, ts int64, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(m, "%d.", ts)
	m.Write(body)
	return "t=" + strconv.FormatInt(ts, 10) + ",v1=" + hex.EncodeToString(m.Sum(nil))
}

// Verify checks a webhook's signature header against the body, and that
// its timestamp is within tolerance of now.
func Verify(secret, header string, body []byte, now time.Time, tolerance time.Duration) error {
	var ts int64 = -1
	var sigs []string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return errors.New("deliver: bad signature timestamp")
			}
			ts = n
		case "v1":
			sigs = append(sigs, v)
		}
	}
	if ts < 0 || len(sigs) == 0 {
		return errors.New("deliver: signature header lacks t= or v1=")
	}
	if d := now.Sub(time.Unix(ts, 0)); d > tolerance || d < -tolerance {
		return errors.New("deliver: signature timestamp outside tolerance")
	}
	want := Sign(secret, ts, body)
	want = want[strings.Index(want, "v1=")+3:]
	for _, s := range sigs {
		if hmac.Equal([]byte(s), []byte(want)) {
			return nil
		}
	}
	return errors.New("deliver: signature does not match")
}

// renderWebhook builds the request body for a delivery.
func (w *Worker) renderWebhook(d *contest.Delivery) ([]byte, error) {
	b, err := w.bulletin(d.BulletinID)
	if err != nil {
		return nil, err
	}
	return json.Marshal(WebhookPayload{ID: d.Key, Type: "bulletin", Attempt: d.Attempts, Organisation: d.OrgID,
		Bulletin: WebhookBulletin{ID: b.ID, Type: string(b.Type), Title: b.Title, Body: b.Body, Classification: b.Meta.Classification.String(),
			From: b.SenderName, PublishedAt: b.PublishedAt, URL: strings.TrimRight(w.cfg.BaseURL, "/") + "/bulletins/" + strconv.FormatInt(b.ID, 10)}})
}

// httpConn is a kept-alive HTTP/1.1 connection.
type httpConn struct {
	conn net.Conn // the raw TCP connection: the last byte is written here
	rw   net.Conn // what requests are written to (TLS over conn, or conn)
	br   *bufio.Reader
}

// httpPool keeps idle connections per scheme://host.
type httpPool struct {
	tls     *tls.Config
	timeout time.Duration
	mu      sync.Mutex
	idle    map[string][]*httpConn
}

func newHTTPPool(tc *tls.Config, timeout time.Duration) *httpPool {
	return &httpPool{tls: tc, timeout: timeout, idle: map[string][]*httpConn{}}
}

func (p *httpPool) get(u *url.URL) (*httpConn, bool, error) {
	key := u.Scheme + "://" + u.Host
	p.mu.Lock()
	if cs := p.idle[key]; len(cs) > 0 {
		c := cs[len(cs)-1]
		p.idle[key] = cs[:len(cs)-1]
		p.mu.Unlock()
		return c, true, nil
	}
	p.mu.Unlock()
	host := u.Host
	if u.Port() == "" {
		if u.Scheme == "https" {
			host += ":443"
		} else {
			host += ":80"
		}
	}
	raw, err := net.DialTimeout("tcp", host, p.timeout)
	if err != nil {
		return nil, false, err
	}
	c := &httpConn{conn: raw, rw: raw}
	if u.Scheme == "https" {
		tc := p.tls
		if tc == nil {
			tc = &tls.Config{MinVersion: tls.VersionTLS12}
		}
		tc = tc.Clone()
		if tc.ServerName == "" {
			tc.ServerName = u.Hostname()
		}
		// The TLS layer writes through a gate-free raw connection; the
		// last byte of the final record is held back the same way.
		tconn := tls.Client(&lastByteConn{Conn: raw}, tc)
		tconn.SetDeadline(time.Now().Add(p.timeout))
		if err := tconn.Handshake(); err != nil {
			raw.Close()
			return nil, false, err
		}
		c.rw = tconn
	}
	c.br = bufio.NewReader(c.rw)
	return c, false, nil
}

func (p *httpPool) put(u *url.URL, c *httpConn) {
	key := u.Scheme + "://" + u.Host
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.idle[key]) >= 32 {
		c.conn.Close()
		return
	}
	p.idle[key] = append(p.idle[key], c)
}

func (p *httpPool) closeAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for k, cs := range p.idle {
		for _, c := range cs {
			c.conn.Close()
		}
		delete(p.idle, k)
	}
}

// lastByteConn lets the writer of an HTTPS request keep back the last
// byte of what it writes: while hold is set, each Write sends the byte
// held from the one before and all but the last byte of p, and holds that
// one. A TLS record cannot be read until its last byte arrives, so holding
// the last byte of the last record holds the whole request.
type lastByteConn struct {
	net.Conn
	hold bool
	held []byte
}

func (l *lastByteConn) Write(p []byte) (int, error) {
	if !l.hold || len(p) == 0 {
		return l.Conn.Write(p)
	}
	out := append(l.held, p[:len(p)-1]...)
	if _, err := l.Conn.Write(out); err != nil {
		return 0, err
	}
	l.held = append(out[:0:0], p[len(p)-1])
	return len(p), nil
}

// webhookSender posts webhook jobs.
func (w *Worker) webhookSender(jobs <-chan *job) {
	for j := range jobs {
		w.busy.Add(1)
		done, err := w.sendWebhook(j.d)
		w.busy.Add(-1)
		switch {
		case err == nil:
			w.stats.add(func(s *Stats) { s.Sent++ })
			w.done(j.d.Channel)
		case errors.Is(err, errAbandoned):
			w.stats.add(func(s *Stats) { s.Aborted++ })
			w.done(j.d.Channel)
		default:
			var se *statusError
			permanent := errors.As(err, &se) && se.code >= 400 && se.code < 500 && se.code != 408 && se.code != 429
			_ = done
			w.retry(j.d, err, permanent)
		}
	}
}

// statusError is a webhook answered with a status other than 2xx.
type statusError struct{ code int }

func (e *statusError) Error() string { return "webhook answered " + strconv.Itoa(e.code) }

// sendWebhook posts one delivery on a kept-alive connection (one fresh try
// when a kept one turns out to be closed before the last byte).
func (w *Worker) sendWebhook(d *contest.Delivery) (bool, error) {
	u, err := url.Parse(d.Target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return false, fmt.Errorf("bad webhook address")
	}
	if d.Secret == "" {
		return false, errors.New("no webhook secret")
	}
	body, err := w.renderWebhook(d)
	if err != nil {
		return false, err
	}
	for try := 0; ; try++ {
		c, reused, err := w.hooksPool.get(u)
		if err != nil {
			return false, err
		}
		done, keep, err := w.postOnce(c, u, d, body)
		if keep {
			w.hooksPool.put(u, c)
		} else {
			c.conn.Close()
		}
		if err != nil && !done && reused && try == 0 && !errors.Is(err, errAbandoned) {
			continue // a kept connection the server had closed
		}
		return done, err
	}
}

// postOnce writes the request, parks its last byte for the group commit,
// and reads the answer. done reports whether the last byte went out.
func (w *Worker) postOnce(c *httpConn, u *url.URL, d *contest.Delivery, body []byte) (done, keep bool, err error) {
	ts := time.Now().Unix()
	path := u.RequestURI()
	var req bytes.Buffer
	fmt.Fprintf(&req, "POST %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: contest-webhook/1\r\nContent-Type: application/json\r\nContent-Length: %d\r\n", path, u.Host, len(body))
	fmt.Fprintf(&req, "X-Contest-Delivery: %s\r\nIdempotency-Key: %s\r\nX-Contest-Timestamp: %d\r\nX-Contest-Signature: %s\r\n\r\n", d.Key, d.Key, ts, Sign(d.Secret, ts, body))
	req.Write(body)
	c.conn.SetDeadline(time.Now().Add(w.cfg.Timeout))
	defer c.conn.SetDeadline(time.Time{})
	var last []byte
	if tc, ok := c.rw.(*tls.Conn); ok {
		lb := tc.NetConn().(*lastByteConn)
		lb.hold, lb.held = true, nil
		_, err = tc.Write(req.Bytes())
		lb.hold = false
		last = lb.held
	} else {
		b := req.Bytes()
		_, err = c.conn.Write(b[:len(b)-1])
		last = b[len(b)-1:]
	}
	if err != nil {
		return false, false, err
	}
	if !w.park(d.ID, c.conn, last) {
		return false, false, errAbandoned
	}
	resp, err := http.ReadResponse(c.br, nil)
	if err != nil {
		return true, false, err
	}
	_, cerr := io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	keep = cerr == nil && !resp.Close
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return true, keep, &statusError{resp.StatusCode}
	}
	return true, keep, nil
}
