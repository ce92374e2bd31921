package web_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/contest-ct/contest"
)

// TestBulletinPages: a supervisor writes, checks and publishes a bulletin
// through the forms; the partner finds it in their list and acknowledges
// it; the supervisor sees who has and has not acknowledged and can send it
// again. Bad input shows the error summary and stores nothing.
func TestBulletinPages(t *testing.T) {
	e := MustEnv(t)
	sup := e.MustSignIn(t, contest.RoleSupervisor)
	res, body := sup.PostForm(t, "/bulletins", url.Values{"type": {"advice"}, "title": {""}, "body": {"x"}, "classification": {"OFFICIAL"}})
	if res.StatusCode != 400 || !strings.Contains(body, "There is a problem") || !strings.Contains(body, "Enter a title") || !strings.Contains(body, "Choose who the bulletin is for") {
		t.Fatalf("bad form: %d\n%.2000s", res.StatusCode, body)
	}
	biz := e.Orgs[contest.OrgBusiness]
	res, body = sup.PostForm(t, "/bulletins", url.Values{"type": {"advice"}, "title": {"Be alert at entrances"}, "body": {"Para one.\n\nPara two."},
		"classification": {"OFFICIAL"}, "org": {itoa(biz.ID)}})
	if res.StatusCode != 303 {
		t.Fatalf("create: %d\n%.2000s", res.StatusCode, body)
	}
	loc := res.Header.Get("Location")
	if !regexp.MustCompile(`^/bulletins/\d+$`).MatchString(loc) {
		t.Fatalf("redirect to %q", loc)
	}
	_, body = sup.Get(t, loc)
	if !strings.Contains(body, "This is a draft") || !strings.Contains(body, "Publish and send") || !strings.Contains(body, "<p class=\"govuk-body\">Para two.</p>") {
		t.Fatalf("draft page:\n%.3000s", body)
	}
	// The partner does not see the draft.
	partner := e.MustSignIn(t, contest.RolePartner)
	if res, _ = partner.Get(t, loc); res.StatusCode != 404 {
		t.Fatalf("partner sees the draft: %d", res.StatusCode)
	}
	if res, _ = sup.PostForm(t, loc+"/publish", url.Values{}); res.StatusCode != 303 {
		t.Fatalf("publish: %d", res.StatusCode)
	}
	_, body = partner.Get(t, "/bulletins")
	if !strings.Contains(body, "Be alert at entrances") || !strings.Contains(body, "To acknowledge") {
		t.Fatalf("partner's list:\n%.3000s", body)
	}
	_, body = partner.Get(t, loc)
	if !strings.Contains(body, "I have read this bulletin") {
		t.Fatalf("partner's page:\n%.3000s", body)
	}
	if res, _ = partner.PostForm(t, loc+"/acknowledge", url.Values{}); res.StatusCode != 303 {
		t.Fatalf("acknowledge: %d", res.StatusCode)
	}
	_, body = partner.Get(t, loc)
	if !strings.Contains(body, "Acknowledged") {
		t.Fatal("not shown as acknowledged")
	}
	_, body = sup.Get(t, loc)
	if !strings.Contains(body, "1 of 1 people in 1 organisations have acknowledged it") {
		t.Fatalf("sender's report:\n%.4000s", body)
	}
	// The partner may not publish or resend.
	if res, _ = partner.PostForm(t, loc+"/resend", url.Values{}); res.StatusCode != 403 {
		t.Fatalf("partner resends: %d", res.StatusCode)
	}
}
