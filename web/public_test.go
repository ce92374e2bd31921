package web_test

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/contest-ct/contest"
)

// TestPublicPage: no sign-in; the threat level and its meaning, the
// published rumour-control statements, Run Hide Tell and how to report;
// cacheable (public Cache-Control, an ETag, 304 on a match) and the same
// for a signed-in visitor, with no cookie set; GOV.UK page structure.
func TestPublicPage(t *testing.T) {
	e := MustEnv(t)
	sup := e.MustActor(t, contest.RoleSupervisor)
	b := &contest.Bulletin{Type: contest.BulletinRumour, Public: true, Title: "No bomb at Westgate market", Body: "The reports are false.\n\nThe market is open.",
		Audience: contest.Audience{AllPartners: true}, Meta: contest.Meta{Classification: contest.Official}}
	if err := e.DB.CreateBulletin(t.Context(), sup, b); err != nil {
		t.Fatal(err)
	}
	if _, err := e.DB.PublishBulletin(t.Context(), sup, b.ID); err != nil {
		t.Fatal(err)
	}
	private := &contest.Bulletin{Type: contest.BulletinRumour, Title: "Partners only", Body: "Not public.",
		Audience: contest.Audience{AllPartners: true}, Meta: contest.Meta{Classification: contest.Official}}
	e.DB.CreateBulletin(t.Context(), sup, private)
	e.DB.PublishBulletin(t.Context(), sup, private.ID)

	anon := e.Anon()
	res, body := anon.Get(t, "/public")
	if res.StatusCode != 200 {
		t.Fatalf("status %d\n%s", res.StatusCode, body)
	}
	for _, want := range []string{"The threat level is SUBSTANTIAL", "An attack is likely", "No bomb at Westgate market", "The market is open.",
		"Run", "Hide", "Tell", "999", `href="/report"`, "0800 789 321", `lang="en"`, "govuk-skip-link", "/public/statements.atom"} {
		if !strings.Contains(body, want) {
			t.Errorf("public page lacks %q", want)
		}
	}
	if strings.Contains(body, "Partners only") {
		t.Error("a bulletin not marked public is on the public page")
	}
	if n := len(regexp.MustCompile(`<h1[ >]`).FindAllString(body, -1)); n != 1 {
		t.Errorf("%d h1 elements", n)
	}
	if strings.Contains(body, "<th class") || strings.Contains(body, `<th scope="col" class="govuk-table__header"></th>`) {
		t.Error("table headers without scope")
	}
	cc := res.Header.Get("Cache-Control")
	if !strings.Contains(cc, "public") || !strings.Contains(cc, "max-age=60") || res.Header.Get("ETag") == "" || len(res.Cookies()) != 0 {
		t.Fatalf("caching headers %q etag %q cookies %v", cc, res.Header.Get("ETag"), res.Cookies())
	}
	res2, body2 := anon.Do(t, "GET", "/public", nil, map[string]string{"If-None-Match": res.Header.Get("ETag")})
	if res2.StatusCode != http.StatusNotModified || body2 != "" {
		t.Fatalf("If-None-Match: %d %q", res2.StatusCode, body2)
	}
	// A signed-in visitor gets the same page: nothing about them, no cookie.
	partner := e.MustSignIn(t, contest.RolePartner)
	res3, body3 := partner.Get(t, "/public")
	if res3.StatusCode != 200 || body3 != body || len(res3.Cookies()) != 0 || res3.Header.Get("ETag") != res.Header.Get("ETag") {
		t.Fatalf("signed-in: %d, same body %v, cookies %v", res3.StatusCode, body3 == body, res3.Cookies())
	}
	// The public feed.
	res, body = anon.Get(t, "/public/statements.atom")
	var feed struct {
		Entries []struct {
			Title string `xml:"title"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal([]byte(body), &feed); err != nil || res.StatusCode != 200 || len(feed.Entries) != 1 || feed.Entries[0].Title != b.Title ||
		!strings.HasPrefix(res.Header.Get("Content-Type"), "application/atom+xml") {
		t.Fatalf("public feed %d %v\n%s", res.StatusCode, err, body)
	}
}

// TestPartnerFeed: a partner's feed reader authenticates with its
// organisation's token (in the query string or as the Basic password) and
// gets the bulletins sent to it; a bad token gets 404.
func TestPartnerFeed(t *testing.T) {
	e := MustEnv(t)
	sys := contest.SystemActor("test")
	biz := e.Orgs[contest.OrgBusiness]
	b := &contest.Bulletin{Type: contest.BulletinAdvice, Title: "Advice to businesses", Body: "Lock the doors.",
		Audience: contest.Audience{Orgs: []int64{biz.ID}}, Meta: contest.Meta{Classification: contest.Official}}
	sup := e.MustActor(t, contest.RoleSupervisor)
	if err := e.DB.CreateBulletin(t.Context(), sup, b); err != nil {
		t.Fatal(err)
	}
	if _, err := e.DB.PublishBulletin(t.Context(), sup, b.ID); err != nil {
		t.Fatal(err)
	}
	tok, err := e.DB.IssueFeedToken(t.Context(), sys, biz.ID)
	if err != nil {
		t.Fatal(err)
	}
	anon := e.Anon()
	res, body := anon.Get(t, "/feeds/bulletins.atom?token="+url.QueryEscape(tok))
	if res.StatusCode != 200 || !strings.Contains(body, "Advice to businesses") || !strings.Contains(res.Header.Get("Cache-Control"), "private") {
		t.Fatalf("feed %d %q\n%s", res.StatusCode, res.Header.Get("Cache-Control"), body)
	}
	r := map[string]string{"Authorization": "Basic " + basic("reader", tok)}
	if res, body = anon.Do(t, "GET", "/feeds/bulletins.atom", nil, r); res.StatusCode != 200 || !strings.Contains(body, "Advice to businesses") {
		t.Fatalf("basic auth feed %d", res.StatusCode)
	}
	if res, _ = anon.Get(t, "/feeds/bulletins.atom?token=cf_wrong"); res.StatusCode != 404 {
		t.Fatalf("bad token: %d", res.StatusCode)
	}
	if res, _ = anon.Get(t, "/feeds/bulletins.atom"); res.StatusCode != 404 {
		t.Fatalf("no token: %d", res.StatusCode)
	}
	if n := len(e.MustAuditEntries(t, contest.AuditFilter{Kind: contest.KindBulletin, Action: contest.AuditList, Username: "feed:" + itoa(biz.ID)})); n != 2 {
		t.Fatalf("%d feed reads audited", n)
	}
}

func basic(user, pw string) string {
	r, _ := http.NewRequest("GET", "/", nil)
	r.SetBasicAuth(user, pw)
	return strings.TrimPrefix(r.Header.Get("Authorization"), "Basic ")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
