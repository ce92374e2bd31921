package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/contest-ct/contest"
)

func TestDisablingEndsSessionAtOnce(t *testing.T) {
	e := MustEnv(t)
	c := e.MustSignIn(t, contest.RoleAnalyst)
	if res, _ := c.Get(t, "/"); res.StatusCode != 200 {
		t.Fatalf("home: %d", res.StatusCode)
	}
	admin := e.MustActor(t, contest.RoleAdmin)
	if err := e.DB.SetUserDisabled(context.Background(), admin, e.Users[contest.RoleAnalyst].ID, true); err != nil {
		t.Fatal(err)
	}
	res, _ := c.Get(t, "/")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/sign-in" {
		t.Fatalf("after disabling: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
}

func TestSessionCookieAndRenewal(t *testing.T) {
	e := MustEnv(t)
	c := e.Anon()
	c.Get(t, "/sign-in")
	before := c.cookies["contest_session"]
	res, _ := c.PostForm(t, "/sign-in", url.Values{"username": {"test.analyst"}, "password": {e.Password}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in: %d", res.StatusCode)
	}
	ck := c.cookies["contest_session"]
	if ck == nil {
		t.Fatal("no session cookie")
	}
	if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
		t.Errorf("cookie flags: HttpOnly=%v SameSite=%v", ck.HttpOnly, ck.SameSite)
	}
	if before != nil && before.Value == ck.Value {
		t.Error("session token not renewed at sign-in")
	}
	// Sign out ends it.
	res, _ = c.PostForm(t, "/sign-out", url.Values{})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out: %d", res.StatusCode)
	}
	c.cookies["contest_session"] = ck // replay the old cookie
	res, _ = c.Get(t, "/")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/sign-in" {
		t.Errorf("old session still works after sign-out: %d", res.StatusCode)
	}
	if es := e.MustAuditEntries(t, contest.AuditFilter{Action: contest.AuditSignOut}); len(es) == 0 {
		t.Error("sign-out not audited")
	}
}

func TestAdminMustEnrolSecondFactorFirst(t *testing.T) {
	e := MustEnv(t)
	c := e.Anon()
	res, _ := c.PostForm(t, "/sign-in", url.Values{"username": {"test.administrator"}, "password": {e.Password}})
	if loc := res.Header.Get("Location"); loc != "/account/second-factor" {
		t.Fatalf("redirect to %q", loc)
	}
	res, _ = c.Get(t, "/admin/users")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/account/second-factor" {
		t.Errorf("pending user reached admin: %d", res.StatusCode)
	}
	res, body := c.Get(t, "/account/second-factor")
	if res.StatusCode != 200 || !strings.Contains(body, "otpauth://") {
		t.Errorf("enrolment page: %d\n%s", res.StatusCode, body)
	}
	res, body = c.PostForm(t, "/account/second-factor", url.Values{"code": {"000000"}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `href="#code"`) {
		t.Errorf("wrong code: %d\n%s", res.StatusCode, body)
	}
}

func TestSecurityHeaders(t *testing.T) {
	e := MustEnv(t)
	res, _ := e.Anon().Get(t, "/sign-in")
	for k, want := range map[string]string{
		"X-Content-Type-Options": "nosniff",
		"Referrer-Policy":        "same-origin",
		"Cache-Control":          "no-store",
	} {
		if got := res.Header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	csp := res.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP = %q", csp)
	}
	res, _ = e.Anon().Get(t, "/assets/app/app.css")
	if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "max-age=31536000") {
		t.Errorf("asset Cache-Control = %q", cc)
	}
}

func TestInternalErrorsHideDetail(t *testing.T) {
	e := MustEnv(t)
	c := e.MustSignIn(t, contest.RoleAdmin)
	e.DB.Close() // every store call now fails with a driver error
	res, body := c.Get(t, "/admin/users")
	if res.StatusCode != 500 {
		t.Fatalf("status %d", res.StatusCode)
	}
	if !strings.Contains(body, "Internal error") || strings.Contains(body, "sql") || strings.Contains(body, "closed") {
		t.Errorf("internal error page:\n%s", body)
	}
	res, _ = e.Anon().Get(t, "/healthz")
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("healthz with closed store: %d", res.StatusCode)
	}
}

func TestMetrics(t *testing.T) {
	e := MustEnv(t)
	e.Anon().Get(t, "/sign-in")
	e.Anon().Get(t, "/api/v1/me")
	_, body := e.Anon().Get(t, "/metrics")
	for _, want := range []string{`contest_http_requests_total{route="GET /sign-in",status="200"} 1`,
		`contest_http_errors_total{code="unauthorized"} 1`, "contest_http_request_duration_seconds_bucket"} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}
