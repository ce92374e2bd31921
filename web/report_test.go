package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/contest-ct/contest"
)

var referenceRE = regexp.MustCompile(`CT-[0-9A-Z]{5}-[0-9A-Z]{5}`)

// TestPublicReportForm: the form needs no sign-in and says to call 999;
// a report is answered with its reference only once stored; bad input
// gets the GOV.UK error summary and stores nothing; what a reporter wrote
// is shown escaped to the desk.
func TestPublicReportForm(t *testing.T) {
	e := MustEnv(t)
	anon := e.Anon()
	res, body := anon.Get(t, "/report")
	if res.StatusCode != 200 || !strings.Contains(body, "call 999") || !strings.Contains(body, "What did you see or hear?") {
		t.Fatalf("form: %d\n%.500s", res.StatusCode, body)
	}
	res, body = anon.PostForm(t, "/report", url.Values{"what": {""}, "contact-email": {"not-an-email"}, "when-day": {"31"}, "when-month": {"2"}, "when-year": {"2026"}})
	if res.StatusCode != 400 || !strings.Contains(body, "govuk-error-summary") || !strings.Contains(body, `href="#what"`) ||
		!strings.Contains(body, `value="not-an-email"`) {
		t.Fatalf("bad input: %d\n%s", res.StatusCode, body)
	}
	script := `<script>alert("x")</script>`
	res, body = anon.PostForm(t, "/report", url.Values{"what": {"Man filming the gates " + script}, "where": {"Stadium Way, NE1 4XD"},
		"person-1-name": {"Kit Farrow"}, "person-1-description": {"green jacket"}, "vehicles": {"AB12 CDE\nXY99 ZZZ"},
		"when-day": {"2"}, "when-month": {"11"}, "when-year": {"2026"}, "when-time": {"14:30"}})
	ref := referenceRE.FindString(body)
	if res.StatusCode != 200 || ref == "" {
		t.Fatalf("submit: %d\n%s", res.StatusCode, body)
	}
	list, _, err := e.DB.FindReports(t.Context(), contest.SystemActor("test"), contest.ReportFilter{Reference: ref})
	if err != nil || len(list) != 1 {
		t.Fatalf("stored: %v %v", list, err)
	}
	rep := list[0]
	if len(rep.Vehicles) != 2 || rep.People[0].Name != "Kit Farrow" || !rep.When.Equal(time.Date(2026, 11, 2, 14, 30, 0, 0, time.UTC)) {
		t.Errorf("stored %+v", rep)
	}
	inv := e.MustSignIn(t, contest.RoleInvestigator)
	res, body = inv.Get(t, fmt.Sprintf("/triage/reports/%d", rep.ID))
	if res.StatusCode != 200 || strings.Contains(body, script) || !strings.Contains(body, "&lt;script&gt;") {
		t.Errorf("triage page %d, escaped? %v", res.StatusCode, strings.Contains(body, "&lt;script&gt;"))
	}
	res, body = inv.Get(t, "/triage")
	if res.StatusCode != 200 || !strings.Contains(body, ref) {
		t.Errorf("queue %d", res.StatusCode)
	}
}

// TestPublicReportAPI checks POST /api/v1/public/reports: 201 with the
// reference, clear 422s, and the per-address limit (429 problem with
// Retry-After); every answer matches the OpenAPI document.
func TestPublicReportAPI(t *testing.T) {
	e := MustEnv(t)
	e.Server.SetPublicReportLimit(5, time.Hour)
	_, router := MustOpenAPI(t)
	anon := e.Anon()
	other := e.Anon()
	other.addr = "203.0.113.77:1234"
	cases := []struct {
		c    *client
		body string
		want int
		has  string
	}{
		{anon, `{"what":"Suspicious package","where":"Platform 2","when":"2026-11-20T10:00:00Z","people":[{"name":"Jo Bloggs","description":"tall"}],"vehicles":["AB12CDE"],"links":["https://example.com/x"],"contact":{"name":"A","phone":"01632 960001","email":"a@example.org"}}`, 201, "reference"},
		{anon, `{"where":"x"}`, 422, `"field":"what"`},
		{anon, `{"what":"x","when":"yesterday"}`, 422, `"field":"when"`},
		{anon, `{"what":"x","colour":"red"}`, 422, `"field":"colour"`},
		{anon, `{"what":"x"`, 422, "not complete JSON"},
		{anon, `{"what":"over"}`, 429, "call 999"},
		{other, `{"what":"another address is not limited"}`, 201, "reference"},
	}
	for i, tc := range cases {
		res, body := tc.c.Do(t, "POST", "/api/v1/public/reports", strings.NewReader(tc.body), map[string]string{"Content-Type": "application/json"})
		if res.StatusCode != tc.want || !strings.Contains(body, tc.has) {
			t.Errorf("case %d: %d, want %d\n%s", i, res.StatusCode, tc.want, body)
			continue
		}
		if tc.want == 429 && res.Header.Get("Retry-After") == "" {
			t.Errorf("429 without Retry-After")
		}
		checkDocument(t, router, "POST", "/api/v1/public/reports", tc.body, res, body)
	}
	_, total, err := e.DB.FindReports(t.Context(), contest.SystemActor("test"), contest.ReportFilter{})
	if err != nil || total != 2 {
		t.Errorf("stored %d reports, want 2 (%v)", total, err)
	}
}

// TestTriageDesk: grading with a missing reason is refused with the error
// summary; a decision closes the report; an attachment is a download with
// a safe type; a partner cannot reach the desk.
func TestTriageDesk(t *testing.T) {
	e := MustEnv(t)
	srv := e.Server // default limits: multipart bodies up to 21 MiB
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("what", "Photo of a man at the fence")
	fw, _ := mw.CreateFormFile("attachments", `evil".html`)
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{1}, 3<<20)...) // a 3 MB photo
	fw.Write(png)
	mw.Close()
	req := httptest.NewRequest("POST", "/report", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.RemoteAddr = "192.0.2.44:5555"
	w := httptest.NewRecorder()
	srv.Handler().ServeHTTP(w, req)
	ref := referenceRE.FindString(w.Body.String())
	if w.Code != 200 || ref == "" {
		t.Fatalf("upload: %d %s", w.Code, w.Body.String())
	}
	list, _, _ := e.DB.FindReports(t.Context(), contest.SystemActor("test"), contest.ReportFilter{Reference: ref})
	rep, err := e.DB.FindReportByID(t.Context(), contest.SystemActor("test"), list[0].ID)
	if err != nil || len(rep.Attachments) != 1 {
		t.Fatalf("attachments %v", err)
	}
	inv := e.MustSignIn(t, contest.RoleInvestigator)
	res, body := inv.Get(t, fmt.Sprintf("/triage/reports/%d/attachments/%d", rep.ID, rep.Attachments[0].ID))
	if res.StatusCode != 200 || body != string(png) || res.Header.Get("Content-Type") != "image/png" ||
		!strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment;") || res.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("download %d %v", res.StatusCode, res.Header)
	}
	path := fmt.Sprintf("/triage/reports/%d", rep.ID)
	res, body = inv.PostForm(t, path, url.Values{"source": {"2"}, "assessment": {"B"}, "handling": {"P"}, "outcome": {"new_lead"}})
	if res.StatusCode != 400 || !strings.Contains(body, `href="#reason"`) {
		t.Errorf("no reason: %d", res.StatusCode)
	}
	res, _ = inv.PostForm(t, path, url.Values{"source": {"2"}, "assessment": {"B"}, "handling": {"P"}, "outcome": {"new_lead"}, "reason": {"Worth a look"}})
	if res.StatusCode != 303 {
		t.Errorf("decide: %d", res.StatusCode)
	}
	got, _ := e.DB.FindReportByID(t.Context(), contest.SystemActor("test"), rep.ID)
	if got.Status != contest.ReportClosed || got.Grade.String() != "2B P" || got.TriagedBy != e.Users[contest.RoleInvestigator].ID {
		t.Errorf("after decision %+v", got)
	}
	partner := e.MustSignIn(t, contest.RolePartner)
	if res, _ := partner.Get(t, path); res.StatusCode != 403 {
		t.Errorf("partner at the desk: %d", res.StatusCode)
	}
	// A business reports a precursor; the form shows the 24-hour rule.
	res, body = partner.Get(t, "/reports/business/precursor")
	if res.StatusCode != 200 || !strings.Contains(body, "within 24 hours") || !strings.Contains(body, "Hydrogen peroxide") {
		t.Errorf("business form %d", res.StatusCode)
	}
	res, body = partner.PostForm(t, "/reports/business/precursor", url.Values{"what": {"Asked for 25 litres"}, "substance": {"hydrogen_peroxide"},
		"event": {"attempted_purchase"}, "indicators": {"unusual_quantity", "unusual_payment"},
		"when-day": {"22"}, "when-month": {"11"}, "when-year": {"2026"}, "when-time": {"09:00"}})
	if res.StatusCode != 200 || referenceRE.FindString(body) == "" || !strings.Contains(body, `id="deadline"`) || !strings.Contains(body, "23 November 2026 09:00") {
		t.Errorf("business submit %d\n%s", res.StatusCode, body)
	}
}

// TestPublicReportEncoding: the JSON answer is exactly {"reference": ...}.
func TestPublicReportEncoding(t *testing.T) {
	e := MustEnv(t)
	res, body := e.Anon().Do(t, "POST", "/api/v1/public/reports", strings.NewReader(`{"what":"x"}`), map[string]string{"Content-Type": "application/json"})
	var m map[string]string
	if err := json.Unmarshal([]byte(body), &m); err != nil || res.StatusCode != 201 || len(m) != 1 || !referenceRE.MatchString(m["reference"]) {
		t.Errorf("%d %s", res.StatusCode, body)
	}
}

// TestCallHandlerAndAbuse: a call handler's entry with a threat to life
// heads the queue; an oversized body and a throttled address get clear
// errors; nothing bad is stored.
func TestCallHandlerAndAbuse(t *testing.T) {
	e := MustEnv(t)
	anon := e.Anon()
	anon.PostForm(t, "/report", url.Values{"what": {"An earlier report about a drone"}})
	inv := e.MustSignIn(t, contest.RoleInvestigator)
	res, body := inv.Get(t, "/reports/call")
	if res.StatusCode != 200 || !strings.Contains(body, `name="caller_details"`) {
		t.Fatalf("call form %d", res.StatusCode)
	}
	res, body = inv.PostForm(t, "/reports/call", url.Values{"what": {"Caller says a friend plans to attack a march"},
		"caller_details": {"Anonymous, withheld number"}, "call_time": {"23 11 2026 09:15"}, "threat_to_life": {"yes"}})
	ref := referenceRE.FindString(body)
	if res.StatusCode != 200 || ref == "" {
		t.Fatalf("call submit %d\n%s", res.StatusCode, body)
	}
	res, body = inv.Get(t, "/triage")
	i := strings.Index(body, "<tbody")
	if res.StatusCode != 200 || i < 0 || !strings.Contains(body[i:i+400], ref) || !strings.Contains(body, "Threat to life") {
		t.Errorf("queue does not start with the threat to life\n%s", body)
	}
	res, body = inv.PostForm(t, "/reports/call", url.Values{"what": {"x"}, "call_time": {"yesterday"}})
	if res.StatusCode != 400 || !strings.Contains(body, `href="#call_time"`) {
		t.Errorf("bad call time %d", res.StatusCode)
	}
	// Oversized.
	big := `{"what":"` + strings.Repeat("a", 2<<20) + `"}`
	res, body = e.Anon().Do(t, "POST", "/api/v1/public/reports", strings.NewReader(big), map[string]string{"Content-Type": "application/json"})
	if res.StatusCode != 422 || !strings.Contains(body, "too large") {
		t.Errorf("oversized %d %s", res.StatusCode, body)
	}
	res, body = e.Anon().Do(t, "POST", "/api/v1/public/reports", strings.NewReader(`{"what":"`+strings.Repeat("b", 9000)+`"}`), map[string]string{"Content-Type": "application/json"})
	if res.StatusCode != 422 || !strings.Contains(body, `"field":"what"`) {
		t.Errorf("too long %d %s", res.StatusCode, body)
	}
	// The GOV.UK page for a throttled reporter.
	e.Server.SetPublicReportLimit(1, time.Hour)
	flood := e.Anon()
	flood.addr = "198.51.100.200:999"
	if res, _ := flood.PostForm(t, "/report", url.Values{"what": {"first"}}); res.StatusCode != 200 {
		t.Errorf("first %d", res.StatusCode)
	}
	res, body = flood.PostForm(t, "/report", url.Values{"what": {"second"}})
	if res.StatusCode != 429 || !strings.Contains(body, "call 999") || !strings.Contains(body, "govuk-") || res.Header.Get("Retry-After") == "" {
		t.Errorf("throttled %d\n%.300s", res.StatusCode, body)
	}
	_, total, _ := e.DB.FindReports(t.Context(), contest.SystemActor("test"), contest.ReportFilter{})
	if total != 3 {
		t.Errorf("%d reports stored, want 3", total)
	}
}

// TestTriageShowsPersonMatches: two reports naming the same person (same
// name and telephone number) are joined by the matcher, and the triage
// page of the later one shows the possible match with its reasons.
func TestTriageShowsPersonMatches(t *testing.T) {
	e := MustEnv(t)
	pub := contest.PublicReporter("192.0.2.60", "test")
	first := &contest.Report{Channel: contest.ChannelOnline, What: "Man buying large amounts of fertiliser",
		People: []contest.ReportPerson{{Name: "Corin Ashdale", Phone: "07700 900777", Address: "4 Mill Lane, Ashbridge AB1 2CD"}}}
	second := &contest.Report{Channel: contest.ChannelOnline, What: "Neighbour with chemicals in the garage",
		People: []contest.ReportPerson{{Name: "Corin Ashdale", Phone: "+44 7700 900777", Address: "4 Mill Lane, Ashbridge AB1 2CD"}}}
	for _, r := range []*contest.Report{first, second} {
		if err := e.DB.SubmitReport(t.Context(), pub, r); err != nil {
			t.Fatal(err)
		}
	}
	ms, ok := any(e.DB).(contest.MatchService)
	if !ok {
		t.Skip("the store does not match people yet")
	}
	// Match now, as the background matcher of a serving node would.
	if mp, ok := any(e.DB).(interface {
		MatchPending(context.Context) (int, error)
	}); ok {
		if _, err := mp.MatchPending(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	a := e.MustActor(t, contest.RoleInvestigator)
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, _, err := ms.FindPossibleMatches(t.Context(), a, contest.MatchFilter{SourceKind: contest.KindReport, SourceID: second.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("no possible match found within 10 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	inv := e.MustSignIn(t, contest.RoleInvestigator)
	res, body := inv.Get(t, fmt.Sprintf("/triage/reports/%d", second.ID))
	if res.StatusCode != 200 || !strings.Contains(body, `id="person-matches"`) || !strings.Contains(body, fmt.Sprintf("report %d", first.ID)) {
		t.Errorf("triage page %d does not show the match\n%s", res.StatusCode, body[strings.Index(body, "Join the dots"):])
	}
	if !strings.Contains(body, `id="key-matches"`) || !strings.Contains(body, "Same telephone number (07700900777)") || !strings.Contains(body, "Same postcode (AB12CD)") {
		t.Errorf("identifier matches missing")
	}
}

// TestReportAttachmentLimits: a file that is not an allowed type (sniffed
// from its bytes, whatever its name) or is over 10 MB is refused with the
// error summary, and nothing is stored.
func TestReportAttachmentLimits(t *testing.T) {
	e := MustEnv(t)
	send := func(name string, data []byte) (int, string) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		mw.WriteField("what", "Report with a file")
		fw, _ := mw.CreateFormFile("attachments", name)
		fw.Write(data)
		mw.Close()
		req := httptest.NewRequest("POST", "/report", &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.RemoteAddr = "192.0.2.45:5555"
		w := httptest.NewRecorder()
		e.Handler.ServeHTTP(w, req)
		return w.Code, w.Body.String()
	}
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"photo.jpg", []byte("<!DOCTYPE html><html><script>alert(1)</script>")},
		{"tool.png", append([]byte("MZ\x90\x00"), bytes.Repeat([]byte{0}, 600)...)},
		{"big.png", append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{2}, contest.MaxAttachmentBytes)...)},
	} {
		code, body := send(tc.name, tc.data)
		if code != 400 || !strings.Contains(body, `href="#attachments"`) {
			t.Errorf("%s: %d", tc.name, code)
		}
	}
	if _, total, _ := e.DB.FindReports(t.Context(), contest.SystemActor("test"), contest.ReportFilter{}); total != 0 {
		t.Errorf("%d reports stored", total)
	}
}

// TestPublicReportQuestionPages walks the question pages as a browser
// without JavaScript would: one question a page, errors on the page that
// asks, answers carried forward, "check your answers" with a way to change
// each, and the reference only after sending.
func TestPublicReportQuestionPages(t *testing.T) {
	e := MustEnv(t)
	c := e.Anon()
	hidden := regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)
	// next posts the page's carried answers plus new ones.
	next := func(body string, add url.Values) (*http.Response, string) {
		f := url.Values{}
		for _, m := range hidden.FindAllStringSubmatch(body, -1) {
			f.Set(m[1], html.UnescapeString(m[2]))
		}
		for k, v := range add {
			f[k] = v
		}
		return c.PostForm(t, "/report", f)
	}
	res, body := c.Get(t, "/report")
	if res.StatusCode != 200 || !strings.Contains(body, "What did you see or hear?") || !strings.Contains(body, "call 999") || strings.Contains(body, `name="where"`) {
		t.Fatalf("first page %d", res.StatusCode)
	}
	res, body = next(body, url.Values{"what": {""}})
	if res.StatusCode != 400 || !strings.Contains(body, `href="#what"`) {
		t.Fatalf("empty what: %d", res.StatusCode)
	}
	res, body = next(body, url.Values{"what": {`A man filming the "gates" <b>`}})
	if res.StatusCode != 200 || !strings.Contains(body, "Where and when did it happen?") {
		t.Fatalf("second page %d", res.StatusCode)
	}
	res, body = next(body, url.Values{"where": {"Stadium Way"}, "when-day": {"30"}, "when-month": {"2"}, "when-year": {"2026"}})
	if res.StatusCode != 400 || !strings.Contains(body, `href="#when"`) || !strings.Contains(body, "Where and when") {
		t.Fatalf("bad date stays on its page: %d", res.StatusCode)
	}
	res, body = next(body, url.Values{"where": {"Stadium Way"}, "when-day": {"20"}, "when-month": {"11"}, "when-year": {"2026"}, "when-time": {"18:05"}})
	if !strings.Contains(body, "Who was involved?") {
		t.Fatalf("third page %d", res.StatusCode)
	}
	_, body = next(body, url.Values{"person-1-name": {"Rowan Pellow"}, "person-1-phone": {"07700 900333"}})
	_, body = next(body, url.Values{"vehicles": {"AB12 CDE"}})
	res, body = next(body, url.Values{})
	if res.StatusCode != 200 || !strings.Contains(body, "Check your answers") || !strings.Contains(body, "Rowan Pellow") ||
		!strings.Contains(body, "&lt;b&gt;") || !strings.Contains(body, "Anonymous") {
		t.Fatalf("check page %d\n%s", res.StatusCode, body)
	}
	// Change the vehicles, come back, and send.
	res, body = next(body, url.Values{"goto": {"vehicles"}})
	if !strings.Contains(body, "AB12 CDE") || !strings.Contains(body, "Were there any vehicles") {
		t.Fatalf("change page %d", res.StatusCode)
	}
	_, body = next(body, url.Values{"vehicles": {"XY34 ZZZ"}, "step": {"vehicles"}})
	res, body = next(body, url.Values{"step": {"check"}})
	ref := referenceRE.FindString(body)
	if res.StatusCode != 200 || ref == "" {
		t.Fatalf("send %d\n%s", res.StatusCode, body)
	}
	list, _, _ := e.DB.FindReports(t.Context(), contest.SystemActor("test"), contest.ReportFilter{Reference: ref})
	if len(list) != 1 || list[0].What != `A man filming the "gates" <b>` || list[0].Vehicles[0] != "XY34 ZZZ" || list[0].People[0].Phone != "07700 900333" ||
		!list[0].When.Equal(time.Date(2026, 11, 20, 18, 5, 0, 0, time.UTC)) {
		t.Errorf("stored %+v", list)
	}
	if _, total, _ := e.DB.FindReports(t.Context(), contest.SystemActor("test"), contest.ReportFilter{}); total != 1 {
		t.Errorf("%d reports stored; pages before sending must store nothing", total)
	}
}

// TestHiddenReportLooksMissing: a supervisor of a local authority may
// triage reports but sees only their own organisation's; every triage
// route answers a public report exactly as it answers a missing one.
func TestHiddenReportLooksMissing(t *testing.T) {
	e := MustEnv(t)
	sys := contest.SystemActor("test")
	u := &contest.User{Username: "la.supervisor", DisplayName: "Local Supervisor", Role: contest.RoleSupervisor, Vetting: contest.CTC,
		OrgID: e.Orgs[contest.OrgLocalAuthority].ID}
	if err := e.DB.CreateUser(t.Context(), sys, u, e.Password); err != nil {
		t.Fatal(err)
	}
	c := e.Anon()
	if res, _ := c.PostForm(t, "/sign-in", url.Values{"username": {u.Username}, "password": {e.Password}}); res.StatusCode != 303 {
		t.Fatalf("sign in %d", res.StatusCode)
	}
	rep := &contest.Report{Channel: contest.ChannelOnline, What: "Hidden from the council", Attachments: []*contest.Attachment{{Filename: "n.txt", Data: []byte("note")}}}
	if err := e.DB.SubmitReport(t.Context(), contest.PublicReporter("192.0.2.1", "test"), rep); err != nil {
		t.Fatal(err)
	}
	const missing = 987654
	checked := 0
	for _, rt := range e.Server.Routes() {
		if !rt.Record || rt.Kind != contest.KindReport {
			continue
		}
		send := func(id int64) (int, string) {
			path := strings.ReplaceAll(strings.ReplaceAll(rt.Path, "{id}", fmt.Sprint(id)), "{att}", fmt.Sprint(rep.Attachments[0].ID))
			var res *http.Response
			var body string
			if rt.Method == "GET" {
				res, body = c.Get(t, path)
			} else {
				res, body = c.PostForm(t, path, url.Values{"source": {"1"}, "assessment": {"A"}, "handling": {"P"}, "outcome": {"no_further_action"},
					"reason": {"x"}, "statement": {"x"}, "rumour_reason": {"x"}})
			}
			return res.StatusCode, normaliseBody(body, path)
		}
		s1, b1 := send(rep.ID)
		s2, b2 := send(missing)
		if s1 != s2 || b1 != b2 || s1 == 200 || s1 == 303 {
			t.Errorf("%s %s: hidden %d, missing %d", rt.Method, rt.Path, s1, s2)
		}
		checked++
	}
	if checked < 5 {
		t.Errorf("checked %d routes", checked)
	}
	if got, _ := e.DB.FindReportByID(t.Context(), sys, rep.ID); got.Status != contest.ReportNew {
		t.Errorf("hidden report changed: %s", got.Status)
	}
}

// TestReportLimitBehindProxy: behind a proxy in the installation's own
// network, each reporter (the address the proxy adds) has their own limit
// and is the address audited; a peer on the internet cannot pick its
// address with the header.
func TestReportLimitBehindProxy(t *testing.T) {
	e := MustEnv(t)
	e.Server.SetPublicReportLimit(1, time.Hour)
	post := func(peer, xff string) int {
		c := e.Anon()
		c.addr = peer
		hdr := map[string]string{"Content-Type": "application/json"}
		if xff != "" {
			hdr["X-Forwarded-For"] = xff
		}
		res, _ := c.Do(t, "POST", "/api/v1/public/reports", strings.NewReader(`{"what":"seen"}`), hdr)
		return res.StatusCode
	}
	cases := []struct {
		peer, xff string
		want      int
	}{
		{"10.0.0.5:1000", "198.51.100.1", 201},
		{"10.0.0.5:1001", "198.51.100.2", 201},               // another reporter through the same proxy
		{"10.0.0.5:1002", "203.0.113.50, 198.51.100.1", 429}, // the first reporter again (the proxy's entry is last)
		{"203.0.113.9:2000", "198.51.100.3", 201},            // a direct peer: the header is ignored...
		{"203.0.113.9:2001", "198.51.100.4", 429},            // ...so a new header does not reset its limit
	}
	for i, tc := range cases {
		if got := post(tc.peer, tc.xff); got != tc.want {
			t.Errorf("case %d: %d, want %d", i, got, tc.want)
		}
	}
	var addr string
	if err := e.DB.SQL().QueryRow("SELECT client_addr FROM audit_log WHERE kind = 'report' AND action = 'create' ORDER BY seq LIMIT 1").Scan(&addr); err != nil || addr != "198.51.100.1" {
		t.Errorf("audited address %q %v", addr, err)
	}
}
