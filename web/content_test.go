package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/pdq"
)

// mustImage draws a synthetic picture with a full-quality PDQ hash.
func mustImage(tb testing.TB, seed int) []byte {
	tb.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 120, 90))
	for y := 0; y < 90; y++ {
		for x := 0; x < 120; x++ {
			v := 128 + 60*math.Sin(float64(x)/120*float64(3+seed)*math.Pi) + 50*math.Cos(float64(y)/90*2*math.Pi+float64(seed))
			if (x/15+y/20+seed)%3 == 0 {
				v = 255 - v
			}
			img.Set(x, y, color.RGBA{uint8(v), uint8(255 - v), 90, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// multipartBody is a form with one file and some fields.
func multipartBody(tb testing.TB, field, name string, data []byte, fields map[string]string) (io.Reader, map[string]string) {
	tb.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if field != "" {
		fw, err := mw.CreateFormFile(field, name)
		if err != nil {
			tb.Fatal(err)
		}
		fw.Write(data)
	}
	mw.Close()
	return &b, map[string]string{"Content-Type": mw.FormDataContentType(), "Sec-Fetch-Site": "same-origin"}
}

// mustPlatformUser makes a partner user of the online platform fixture
// organisation and returns a signed-in browser and an API client for them.
func mustPlatformUser(t *testing.T, e *testEnv, org *contest.Org, name string) (*client, *client) {
	t.Helper()
	ctx := context.Background()
	u := &contest.User{Username: name, DisplayName: "Platform Reviewer", Role: contest.RolePartner, Vetting: contest.BPSS, OrgID: org.ID}
	if err := e.DB.CreateUser(ctx, contest.SystemActor("test"), u, e.Password); err != nil {
		t.Fatal(err)
	}
	ui := e.Anon()
	if res, body := ui.PostForm(t, "/sign-in", url.Values{"username": {name}, "password": {e.Password}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("platform sign-in: %d %s", res.StatusCode, body)
	}
	a, err := e.DB.ActorForUser(ctx, u.ID, "192.0.2.9", "test")
	if err != nil {
		t.Fatal(err)
	}
	tok, err := e.DB.CreateToken(ctx, a, u.ID, "platform", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	api := e.Anon()
	api.token = tok
	return ui, api
}

func TestContentReferralJourney(t *testing.T) {
	e := MustEnv(t)
	_, router := MustOpenAPI(t)
	officer := e.MustSignIn(t, contest.RoleContentOfficer)
	officerAPI := e.MustAPI(t, contest.RoleContentOfficer)
	platformOrg := e.Orgs[contest.OrgOnlinePlatform]
	platformUI, platformAPI := mustPlatformUser(t, e, platformOrg, "platform.reviewer")
	other := &contest.Org{Name: "Other Platform Ltd", Kind: contest.OrgOnlinePlatform}
	if err := e.DB.CreateOrg(t.Context(), contest.SystemActor("test"), other); err != nil {
		t.Fatal(err)
	}
	otherUI, otherAPI := mustPlatformUser(t, e, other, "other.reviewer")

	// Bad input: the error summary names the line, nothing is stored.
	res, body := officer.PostForm(t, "/content", url.Values{"urls": {"https://ok.example/1\nnot a url"}, "content_type": {"video"}})
	if res.StatusCode != 400 || !strings.Contains(body, "govuk-error-summary") || !strings.Contains(body, `href="#urls"`) || !strings.Contains(body, "Line 2") {
		t.Fatalf("bad bulk form: %d\n%.2000s", res.StatusCode, body)
	}
	// Bulk referral of two addresses.
	res, body = officer.PostForm(t, "/content", url.Values{"urls": {"https://video.example.com/a\nhttps://video.example.com/b"}, "content_type": {"video"}})
	if res.StatusCode != 303 {
		t.Fatalf("bulk referral: %d %s", res.StatusCode, body)
	}
	res, body = officer.Get(t, "/content")
	if res.StatusCode != 200 || !strings.Contains(body, `id="content-total">2 referrals`) {
		t.Fatalf("queue: %d\n%.3000s", res.StatusCode, body)
	}
	refs, _, err := e.DB.FindContentReferrals(t.Context(), e.MustActor(t, contest.RoleContentOfficer), contest.ContentFilter{})
	if err != nil || len(refs) != 2 {
		t.Fatalf("referrals %v %v", refs, err)
	}
	id := refs[0].ID
	path := fmt.Sprintf("/content/%d", id)

	// A capture, uploaded and downloaded as an attachment.
	img := mustImage(t, 1)
	rd, hdr := multipartBody(t, "file", "<script>.png", img, nil)
	res, body = officer.Do(t, "POST", path+"/captures", rd, hdr)
	if res.StatusCode != 303 {
		t.Fatalf("upload: %d %s", res.StatusCode, body)
	}
	res, body = officer.Get(t, path)
	ph, _ := pdq.HashBytes(img)
	if res.StatusCode != 200 || !strings.Contains(body, ph.String()) || !strings.Contains(body, `id="classification-top"`) || strings.Contains(body, "<script>.png") {
		t.Fatalf("referral page: %d\n%.4000s", res.StatusCode, body)
	}
	c, err := e.DB.FindContentReferralByID(t.Context(), e.MustActor(t, contest.RoleContentOfficer), id)
	if err != nil || len(c.Captures) != 1 {
		t.Fatal(err)
	}
	res, body = officer.Get(t, fmt.Sprintf("%s/captures/%d", path, c.Captures[0].ID))
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/octet-stream" ||
		!strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment") || body != string(img) {
		t.Fatalf("download: %d %v", res.StatusCode, res.Header)
	}
	// A capture larger than an ordinary form (64 KiB) is accepted: uploads
	// have their own body limit.
	big := bytes.Repeat([]byte("synthetic capture "), 20000)
	rd, hdr = multipartBody(t, "file", "saved-page.html", big, nil)
	if res, body = officer.Do(t, "POST", path+"/captures", rd, hdr); res.StatusCode != 303 {
		t.Fatalf("360 KB upload: %d %.500s", res.StatusCode, body)
	}
	if c, err = e.DB.FindContentReferralByID(t.Context(), e.MustActor(t, contest.RoleContentOfficer), id); err != nil || len(c.Captures) != 2 ||
		c.Captures[1].Hashes.PDQ != "" || c.Captures[1].MediaType != "text/plain" || c.Captures[1].Size != int64(len(big)) {
		t.Fatalf("captures %+v %v", c.Captures, err)
	}
	// An upload with no file is a field error.
	rd, hdr = multipartBody(t, "", "", nil, map[string]string{"x": "y"})
	if res, body = officer.Do(t, "POST", path+"/captures", rd, hdr); res.StatusCode != 400 || !strings.Contains(body, `href="#file"`) {
		t.Fatalf("empty upload: %d %.500s", res.StatusCode, body)
	}

	// Assessment, then the request to the platform.
	if res, body = officer.PostForm(t, path+"/assessment", url.Values{"offence": {"ta2006_s2"}}); res.StatusCode != 400 || !strings.Contains(body, `href="#note"`) {
		t.Fatalf("assessment without reasons: %d", res.StatusCode)
	}
	if res, _ = officer.PostForm(t, path+"/assessment", url.Values{"offence": {"ta2006_s2"}, "note": {"Synthetic: a terrorist publication."}}); res.StatusCode != 303 {
		t.Fatalf("assess: %d", res.StatusCode)
	}
	// Before the request, the platform gets exactly what a missing record gives.
	r1, b1 := platformUI.Get(t, path)
	r2, b2 := platformUI.Get(t, "/content/987654")
	if r1.StatusCode != 404 || normaliseBody(b1, path) != normaliseBody(b2, "/content/987654") {
		t.Errorf("unsent referral to platform: %d vs %d", r1.StatusCode, r2.StatusCode)
	}
	if res, _ = officer.PostForm(t, path+"/request", url.Values{"platform_org_id": {fmt.Sprint(platformOrg.ID)}}); res.StatusCode != 303 {
		t.Fatalf("send: %d", res.StatusCode)
	}

	// The platform: its queue in the UI and over the API, and its response.
	res, body = platformUI.Get(t, "/content")
	if res.StatusCode != 200 || !strings.Contains(body, `id="content-total">1 referral<`) || !strings.Contains(body, "Referrals to your platform") {
		t.Fatalf("platform queue: %d\n%.3000s", res.StatusCode, body)
	}
	res, body = platformAPI.Get(t, "/api/v1/content-referrals")
	checkDocument(t, router, "GET", "/api/v1/content-referrals", "", res, body)
	if res.StatusCode != 200 || !strings.Contains(body, `"total":1`) || strings.Contains(body, "assessment_note") {
		t.Fatalf("platform API queue: %d %s", res.StatusCode, body)
	}
	res, body = otherAPI.Get(t, "/api/v1/content-referrals")
	if res.StatusCode != 200 || !strings.Contains(body, `"total":0`) {
		t.Fatalf("other platform queue: %s", body)
	}
	if res, _ = otherUI.Get(t, path); res.StatusCode != 404 {
		t.Errorf("other platform sees the referral: %d", res.StatusCode)
	}
	apiPath := fmt.Sprintf("/api/v1/content-referrals/%d", id)
	res, body = platformAPI.Get(t, apiPath)
	checkDocument(t, router, "GET", apiPath, "", res, body)
	res, body = otherAPI.Do(t, "POST", apiPath+"/response", strings.NewReader(`{"response":"removed"}`), map[string]string{"Content-Type": "application/json"})
	if res.StatusCode != 404 {
		t.Errorf("other platform responded: %d %s", res.StatusCode, body)
	}
	res, body = platformAPI.Do(t, "POST", apiPath+"/response", strings.NewReader(`{"response":"deleted"}`), map[string]string{"Content-Type": "application/json"})
	checkDocument(t, router, "POST", apiPath+"/response", "", res, body)
	if res.StatusCode != 422 || !strings.Contains(body, `"field":"response"`) {
		t.Errorf("bad response: %d %s", res.StatusCode, body)
	}
	res, body = platformAPI.Do(t, "POST", apiPath+"/response", strings.NewReader(`{"response":"removed","platform_ref":"T-1"}`), map[string]string{"Content-Type": "application/json"})
	checkDocument(t, router, "POST", apiPath+"/response", "", res, body)
	if res.StatusCode != 200 || !strings.Contains(body, `"status":"removed"`) {
		t.Fatalf("platform response: %d %s", res.StatusCode, body)
	}

	// The officer's view: full record over the API, statistics.
	res, body = officerAPI.Get(t, apiPath)
	checkDocument(t, router, "GET", apiPath, "", res, body)
	if !strings.Contains(body, `"captures":[`) || !strings.Contains(body, ph.String()) {
		t.Errorf("officer API record: %s", body)
	}
	res, body = officer.Get(t, "/content/statistics")
	if res.StatusCode != 200 || !strings.Contains(body, "<svg") || !strings.Contains(body, `id="content-stats"`) || !strings.Contains(body, "100%") {
		t.Errorf("statistics page: %d\n%.3000s", res.StatusCode, body)
	}
	res, body = officer.Get(t, "/content/statistics?format=csv")
	if res.StatusCode != 200 || !strings.HasPrefix(body, "platform,month,referrals,removals,removal_rate") || !strings.Contains(body, platformOrg.Name+",") {
		t.Errorf("statistics csv: %d %s", res.StatusCode, body)
	}
	res, body = officerAPI.Get(t, "/api/v1/content-statistics")
	checkDocument(t, router, "GET", "/api/v1/content-statistics", "", res, body)

	// A capture over the API, checked against the document.
	rd, hdr = multipartBody(t, "file", "api-shot.png", mustImage(t, 2), nil)
	delete(hdr, "Sec-Fetch-Site")
	res, body = officerAPI.Do(t, "POST", apiPath+"/captures", rd, hdr)
	checkDocument(t, router, "POST", apiPath+"/captures", "", res, body)
	if res.StatusCode != 201 || !strings.Contains(body, `"file_name":"api-shot.png"`) || !strings.Contains(body, `"matches":[]`) {
		t.Errorf("API capture: %d %s", res.StatusCode, body)
	}
	if res, _ = platformAPI.Do(t, "POST", apiPath+"/captures", strings.NewReader("x"), map[string]string{"Content-Type": "multipart/form-data; boundary=x"}); res.StatusCode != 403 {
		t.Errorf("platform uploaded a capture: %d", res.StatusCode)
	}

	// Bulk over the API.
	res, body = officerAPI.Do(t, "POST", "/api/v1/content-referrals", strings.NewReader(`{"urls":["https://a.example/1","https://a.example/2"],"content_type":"text"}`),
		map[string]string{"Content-Type": "application/json"})
	checkDocument(t, router, "POST", "/api/v1/content-referrals", "", res, body)
	if res.StatusCode != 201 || !strings.Contains(body, `"total":2`) {
		t.Errorf("API bulk: %d %s", res.StatusCode, body)
	}
	res, body = officerAPI.Do(t, "POST", "/api/v1/content-referrals", strings.NewReader(`{"urls":["file:///etc/passwd"],"content_type":"text"}`),
		map[string]string{"Content-Type": "application/json"})
	checkDocument(t, router, "POST", "/api/v1/content-referrals", "", res, body)
	if res.StatusCode != 422 {
		t.Errorf("API bad URL: %d %s", res.StatusCode, body)
	}
}

func TestHashBankPagesAndAPI(t *testing.T) {
	e := MustEnv(t)
	_, router := MustOpenAPI(t)
	officer := e.MustSignIn(t, contest.RoleContentOfficer)
	api := e.MustAPI(t, contest.RoleContentOfficer)
	img := mustImage(t, 4)
	ph, err := pdq.HashBytes(img)
	if err != nil || !ph.Matchable() {
		t.Fatalf("image: %v %d", err, ph.Quality)
	}
	if res, body := officer.PostForm(t, "/hash-banks", url.Values{"name": {""}, "threshold": {"x"}}); res.StatusCode != 400 || !strings.Contains(body, `href="#threshold"`) {
		t.Fatalf("bad bank form: %d", res.StatusCode)
	}
	res, body := officer.PostForm(t, "/hash-banks", url.Values{"name": {"Synthetic bank"}, "labels": {"test, demo"}, "enabled": {"yes"}})
	if res.StatusCode != 303 {
		t.Fatalf("create bank: %d %s", res.StatusCode, body)
	}
	bankPath := res.Header.Get("Location")
	rd, hdr := multipartBody(t, "file", "bank.csv", []byte("signal_type,signal_value\npdq,"+ph.String()+"\nmd5,zz\n"), nil)
	if res, body = officer.Do(t, "POST", bankPath+"/import", rd, hdr); res.StatusCode != 400 || !strings.Contains(body, "line 3") {
		t.Fatalf("bad import: %d %.1500s", res.StatusCode, body)
	}
	rd, hdr = multipartBody(t, "file", "bank.csv", []byte("signal_type,signal_value\npdq,"+ph.String()+"\n"), nil)
	if res, body = officer.Do(t, "POST", bankPath+"/import", rd, hdr); res.StatusCode != 303 {
		t.Fatalf("import: %d %s", res.StatusCode, body)
	}
	res, body = officer.Get(t, bankPath)
	if res.StatusCode != 200 || !strings.Contains(body, `id="bank-signals">1<`) {
		t.Fatalf("bank page: %d\n%.2000s", res.StatusCode, body)
	}
	res, body = officer.Get(t, bankPath+"/export")
	if res.StatusCode != 200 || body != "signal_type,signal_value\npdq,"+ph.String()+"\n" {
		t.Fatalf("export: %d %q", res.StatusCode, body)
	}

	// POST /api/v1/hash gives the CLI's row and the match.
	rd, hdr = multipartBody(t, "file", "probe.png", img, nil)
	delete(hdr, "Sec-Fetch-Site")
	res, body = api.Do(t, "POST", "/api/v1/hash", rd, hdr)
	checkDocument(t, router, "POST", "/api/v1/hash", "", res, body)
	var hb struct {
		PDQ     string `json:"pdq"`
		Quality *int   `json:"quality"`
		Matches []struct {
			Distance int    `json:"distance"`
			BankName string `json:"bank_name"`
		} `json:"matches"`
	}
	if err := json.Unmarshal([]byte(body), &hb); err != nil || res.StatusCode != 200 || hb.PDQ != ph.String() || hb.Quality == nil ||
		*hb.Quality != ph.Quality || len(hb.Matches) != 1 || hb.Matches[0].Distance != 0 || hb.Matches[0].BankName != "Synthetic bank" {
		t.Fatalf("hash: %d %s", res.StatusCode, body)
	}
	rd, hdr = multipartBody(t, "file", "notes.txt", []byte("plain text"), nil)
	res, body = api.Do(t, "POST", "/api/v1/hash?format=csv", rd, hdr)
	if res.StatusCode != 200 || !strings.HasPrefix(body, "file,md5,sha256,pdq,quality\nnotes.txt,") || !strings.HasSuffix(body, ",,\n") {
		t.Fatalf("hash csv: %d %q", res.StatusCode, body)
	}

	// GET /api/v1/match.
	near := ph.Hash256
	near[0] ^= 0xff // 8 bits away
	for _, tc := range []struct {
		query  string
		status int
		want   string
	}{
		{"signal_type=pdq&signal=" + near.String(), 200, `"distance":8`},
		{"signal_type=pdq&signal=" + near.String() + "&quality=40", 200, `"total":0`},
		{"signal_type=md5&signal=" + strings.Repeat("0", 32), 200, `"total":0`},
		{"signal_type=pdq&signal=xyz", 422, `"field":"signal"`},
		{"signal_type=video&signal=" + near.String(), 422, `"field":"signal_type"`},
	} {
		res, body = api.Get(t, "/api/v1/match?"+tc.query)
		checkDocument(t, router, "GET", "/api/v1/match?"+tc.query, "", res, body)
		if res.StatusCode != tc.status || !strings.Contains(body, tc.want) {
			t.Errorf("match %s: %d %s", tc.query, res.StatusCode, body)
		}
	}
	// Hash banks are not for platforms or investigators.
	if res, _ = e.MustAPI(t, contest.RoleInvestigator).Get(t, "/api/v1/match?signal_type=md5&signal="+strings.Repeat("0", 32)); res.StatusCode != 403 {
		t.Errorf("investigator matched: %d", res.StatusCode)
	}
}
