package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/db"
	"github.com/contest-ct/contest/db/dbtest"
	"github.com/contest-ct/contest/web"
	"github.com/pquerna/otp/totp"
)

// testEnv is a server over a real temporary SQLite database holding the
// dbtest fixture: organisations of every kind and one user of every role.
type testEnv struct {
	*dbtest.Fixture
	Server  *web.Server
	Handler http.Handler
	// secrets holds the second-factor secret of users who have one.
	mu      sync.Mutex
	secrets map[int64]string
}

// MustEnv builds a test environment.
func MustEnv(tb testing.TB) *testEnv {
	tb.Helper()
	fx := dbtest.MustFixture(tb, db.SQLite)
	srv, err := web.New(web.Config{Store: fx.DB})
	if err != nil {
		tb.Fatalf("web.New: %v", err)
	}
	return &testEnv{Fixture: fx, Server: srv, Handler: srv.Handler(), secrets: map[int64]string{}}
}

// client is a browser (cookies) or an API caller (bearer token).
type client struct {
	env     *testEnv
	cookies map[string]*http.Cookie
	token   string
	addr    string
}

// Anon returns a client that is not signed in.
func (e *testEnv) Anon() *client {
	return &client{env: e, cookies: map[string]*http.Cookie{}, addr: "192.0.2.10:40000"}
}

// Do sends a request through the whole handler and returns the response
// with its body read.
func (c *client) Do(tb testing.TB, method, target string, body io.Reader, hdr map[string]string) (*http.Response, string) {
	tb.Helper()
	r := httptest.NewRequest(method, target, body)
	r.RemoteAddr = c.addr
	for _, ck := range c.cookies {
		r.AddCookie(ck)
	}
	if c.token != "" {
		r.Header.Set("Authorization", "Bearer "+c.token)
	}
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	c.env.Handler.ServeHTTP(w, r)
	res := w.Result()
	for _, ck := range res.Cookies() {
		if ck.MaxAge < 0 || (ck.Expires.Before(time.Now()) && !ck.Expires.IsZero()) {
			delete(c.cookies, ck.Name)
		} else {
			c.cookies[ck.Name] = ck
		}
	}
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// Get sends a GET.
func (c *client) Get(tb testing.TB, target string) (*http.Response, string) {
	tb.Helper()
	return c.Do(tb, "GET", target, nil, nil)
}

// PostForm sends a same-origin form post, as a browser would.
func (c *client) PostForm(tb testing.TB, target string, form url.Values) (*http.Response, string) {
	tb.Helper()
	return c.Do(tb, "POST", target, strings.NewReader(form.Encode()), map[string]string{
		"Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "same-origin"})
}

var secretRE = regexp.MustCompile(`id="totp-secret">([A-Z2-7=]+)<`)

// MustSignIn signs a fixture user in through the sign-in form, setting
// up a second factor first where the user needs one.
func (e *testEnv) MustSignIn(tb testing.TB, role contest.Role) *client {
	tb.Helper()
	u := e.Users[role]
	c := e.Anon()
	form := url.Values{"username": {u.Username}, "password": {e.Password}}
	e.mu.Lock()
	secret := e.secrets[u.ID]
	e.mu.Unlock()
	if secret != "" {
		code, err := totp.GenerateCode(secret, time.Now())
		if err != nil {
			tb.Fatal(err)
		}
		form.Set("code", code)
	}
	res, body := c.PostForm(tb, "/sign-in", form)
	if res.StatusCode != http.StatusSeeOther {
		tb.Fatalf("sign in as %s: status %d\n%s", role, res.StatusCode, body)
	}
	if res.Header.Get("Location") == "/account/second-factor" {
		_, page := c.Get(tb, "/account/second-factor")
		m := secretRE.FindStringSubmatch(page)
		if m == nil {
			tb.Fatalf("no secret on the enrolment page:\n%s", page)
		}
		code, err := totp.GenerateCode(m[1], time.Now())
		if err != nil {
			tb.Fatal(err)
		}
		res, body = c.PostForm(tb, "/account/second-factor", url.Values{"code": {code}})
		if res.StatusCode != http.StatusSeeOther {
			tb.Fatalf("enrol second factor as %s: status %d\n%s", role, res.StatusCode, body)
		}
		e.mu.Lock()
		e.secrets[u.ID] = m[1]
		e.mu.Unlock()
	}
	return c
}

// MustAPI returns an API client for a fixture user, with a token issued
// by the store (after setting up a second factor where needed).
func (e *testEnv) MustAPI(tb testing.TB, role contest.Role) *client {
	tb.Helper()
	ctx := context.Background()
	u := e.Users[role]
	a := e.MustActor(tb, role)
	if u.NeedsTOTP() {
		e.mu.Lock()
		has := e.secrets[u.ID] != ""
		e.mu.Unlock()
		if !has {
			secret, _, err := e.DB.BeginTOTP(ctx, a)
			if err != nil {
				tb.Fatal(err)
			}
			code, _ := totp.GenerateCode(secret, time.Now())
			if err := e.DB.ConfirmTOTP(ctx, a, secret, code); err != nil {
				tb.Fatalf("confirm totp: %v", err)
			}
			e.mu.Lock()
			e.secrets[u.ID] = secret
			e.mu.Unlock()
		}
	}
	tok, err := e.DB.CreateToken(ctx, a, u.ID, "test", time.Hour)
	if err != nil {
		tb.Fatalf("create token for %s: %v", role, err)
	}
	c := e.Anon()
	c.token = tok
	return c
}

// MustAuditEntries returns the audit entries matching f, found as an
// auditor through the store.
func (e *testEnv) MustAuditEntries(tb testing.TB, f contest.AuditFilter) []*contest.AuditEntry {
	tb.Helper()
	a := e.MustActor(tb, contest.RoleAuditor)
	f.Limit = 1000
	es, _, err := e.DB.FindAuditEntries(context.Background(), a, f)
	if err != nil {
		tb.Fatal(err)
	}
	return es
}

// requestIDRE matches the request id wherever a page or problem shows it.
var requestIDRE = regexp.MustCompile(`[0-9a-f]{16}`)

// normaliseBody removes what legitimately differs between two answers:
// request ids and the asked-for path.
func normaliseBody(s string, paths ...string) string {
	s = requestIDRE.ReplaceAllString(s, "ID")
	for _, p := range paths {
		s = strings.ReplaceAll(s, p, "PATH")
	}
	return s
}
