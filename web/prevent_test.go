package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/db"
	"github.com/contest-ct/contest/web"
)

// mustTeacher moves the fixture's partner into the education organisation,
// so that they refer as a school.
func (e *testEnv) mustTeacher(tb testing.TB) {
	tb.Helper()
	edu := e.Orgs[contest.OrgEducation].ID
	if _, err := e.DB.UpdateUser(context.Background(), contest.SystemActor("test"), e.Users[contest.RolePartner].ID, contest.UserUpdate{OrgID: &edu}); err != nil {
		tb.Fatal(err)
	}
}

func goodReferralForm() url.Values {
	return url.Values{"given_name": {"Testa"}, "family_name": {"Webform"}, "date_of_birth": {"2010-02-03"}, "area": {"Northshire"},
		"child_under_18": {"yes"}, "sector": {"education"}, "how_concern_arose": {"Raised by a tutor."}, "behaviour": {"Shared violent material."},
		"indicators": {"Grievance talk."}, "discussed_with_person": {"no"}, "parental_support": {"Parents aware."}, "concern": {"other"},
		"age": {"15"}, "gender": {"unknown"}}
}

func TestPreventReferralPages(t *testing.T) {
	e := MustEnv(t)
	e.mustTeacher(t)
	teacher := e.MustSignIn(t, contest.RolePartner)
	res, body := teacher.Get(t, "/prevent")
	if res.StatusCode != 200 || !strings.Contains(body, `href="/prevent/refer"`) || strings.Contains(body, `href="/panels"`) {
		t.Errorf("Prevent page for a referrer: %d", res.StatusCode)
	}
	if _, body = e.MustSignIn(t, contest.RolePanelMember).Get(t, "/prevent"); !strings.Contains(body, `href="/panels"`) || !strings.Contains(body, `href="/prevent/reviews"`) {
		t.Errorf("Prevent page for a panel member lacks the panels")
	}
	res, body = teacher.Get(t, "/prevent/refer")
	if res.StatusCode != 200 || !strings.Contains(body, "Make a Prevent referral") || !strings.Contains(body, "never used to score") {
		t.Fatalf("form: %d\n%.1000s", res.StatusCode, body)
	}
	// Bad input: the error summary, what was typed kept, nothing stored.
	bad := goodReferralForm()
	bad.Set("family_name", "")
	bad.Set("age", "fifteen")
	bad.Set("behaviour", "")
	res, body = teacher.PostForm(t, "/prevent/refer", bad)
	for _, want := range []string{"There is a problem", `href="#family_name"`, `href="#age"`, `href="#behaviour"`, "Raised by a tutor.",
		`id="child_under_18" name="child_under_18" type="radio" value="yes" checked`, `id="discussed_with_person-no" name="discussed_with_person" type="radio" value="no" checked`} {
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, want) {
			t.Errorf("bad form: %d, no %q", res.StatusCode, want)
		}
	}
	if _, n, _ := e.DB.FindPreventReferrals(context.Background(), contest.SystemActor("test"), contest.CaseFilter{}); n != 0 {
		t.Fatalf("%d referrals after bad input", n)
	}
	res, _ = teacher.PostForm(t, "/prevent/refer", goodReferralForm())
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/prevent/outcome?reference=PR-") {
		t.Fatalf("refer: %d %q", res.StatusCode, loc)
	}
	ref, _ := url.QueryUnescape(strings.TrimPrefix(loc, "/prevent/outcome?reference="))
	res, body = teacher.Get(t, loc)
	if res.StatusCode != 200 || !strings.Contains(body, ref) || !strings.Contains(body, "being considered") {
		t.Fatalf("outcome: %d\n%.1000s", res.StatusCode, body)
	}
	if res, body = teacher.Get(t, "/prevent/outcome?reference=PR-2000-AAAAAAAA"); res.StatusCode != 404 || !strings.Contains(body, "no referral of yours") {
		t.Errorf("unknown reference: %d", res.StatusCode)
	}
	got, _, _ := e.DB.FindPreventReferrals(context.Background(), contest.SystemActor("test"), contest.CaseFilter{})
	page := fmt.Sprintf("/prevent/referrals/%d/screening", got[0].ID)
	if res, _ := teacher.Get(t, page); res.StatusCode == 200 {
		t.Errorf("the referrer sees the screening")
	}

	// Screening by the CTP Prevent officer.
	off := e.MustSignIn(t, contest.RolePreventOfficer)
	if _, body = off.Get(t, strings.TrimSuffix(page, "/screening")); !strings.Contains(body, `href="`+page+`"`) {
		t.Errorf("the referral page does not link to its screening")
	}
	res, body = off.Get(t, page)
	if res.StatusCode != 200 || !strings.Contains(body, "Check against Pursue") || !strings.Contains(body, "OFFICIAL-SENSITIVE") {
		t.Fatalf("screening page: %d\n%.1000s", res.StatusCode, body)
	}
	if res, _ = off.PostForm(t, page+"/decision", url.Values{"decision": {"panel"}, "reason": {"x"}}); res.StatusCode != http.StatusConflict {
		t.Errorf("decision before the check: %d", res.StatusCode)
	}
	if res, _ = off.PostForm(t, page+"/check", url.Values{}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("check: %d", res.StatusCode)
	}
	_, body = off.Get(t, page)
	if !strings.Contains(body, "Checked against Pursue") || !strings.Contains(body, "Record the decision") {
		t.Fatalf("after the check:\n%.2000s", body)
	}
	res, body = off.PostForm(t, page+"/decision", url.Values{"decision": {"not_prevent"}, "reason": {"No CT risk."}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, `href="#signposted_to"`) {
		t.Errorf("decision without signposting: %d", res.StatusCode)
	}
	res, _ = off.PostForm(t, page+"/decision", url.Values{"decision": {"not_prevent"}, "reason": {"No CT risk."}, "signposted_to": {"Early help"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("decide: %d", res.StatusCode)
	}
	if _, body = off.Get(t, page); !strings.Contains(body, "Not for Prevent: signposted elsewhere") || !strings.Contains(body, "Early help") {
		t.Errorf("decision not shown")
	}
	if _, body = teacher.Get(t, loc); !strings.Contains(body, "not being taken forward by Prevent") || !strings.Contains(body, "Early help") {
		t.Errorf("referrer does not see the outcome:\n%.1500s", body)
	}
}

func TestPreventReferralAPI(t *testing.T) {
	e := MustEnv(t)
	e.mustTeacher(t)
	api := e.MustAPI(t, contest.RolePartner)
	_, router := MustOpenAPI(t)
	good := `{"family_name":"Apiform","area":"Northshire","sector":"health","concern":"incel","age":19,"details":{"how_concern_arose":"GP consultation.","behaviour":"Threats online.","indicators":"Misogynist forums.","discussed_with_person":"yes"}}`
	for _, c := range []struct {
		name, body string
		status     int
	}{
		{"good", good, 201},
		{"invalid", `{"family_name":"","area":"Northshire","sector":"x","concern":"incel","details":{}}`, 422},
		{"unknown field", `{"religion":"x"}`, 422},
	} {
		res, body := api.Do(t, "POST", "/api/v1/prevent/referrals", strings.NewReader(c.body), map[string]string{"Content-Type": "application/json"})
		if res.StatusCode != c.status {
			t.Errorf("%s: %d, want %d\n%s", c.name, res.StatusCode, c.status, body)
		}
		checkDocument(t, router, "POST", "/api/v1/prevent/referrals", c.body, res, body)
		if c.status == 201 {
			var v contest.ReferrerView
			if err := json.Unmarshal([]byte(body), &v); err != nil || v.Outcome != contest.ReferrerReceived {
				t.Fatalf("created: %s", body)
			}
			path := "/api/v1/prevent/my-referrals/" + v.Reference
			res, body = api.Get(t, path)
			if res.StatusCode != 200 || !strings.Contains(body, v.Reference) {
				t.Errorf("referrer view: %d %s", res.StatusCode, body)
			}
			checkDocument(t, router, "GET", path, "", res, body)
			// The Prevent officer's organisation did not make it.
			res, body = e.MustAPI(t, contest.RoleInvestigator).Get(t, path)
			checkDocument(t, router, "GET", path, "", res, body)
			if res.StatusCode != 403 && res.StatusCode != 404 {
				t.Errorf("investigator: %d", res.StatusCode)
			}
		}
	}
	res, body := api.Get(t, "/api/v1/prevent/my-referrals/PR-2000-AAAAAAAA")
	if res.StatusCode != 404 {
		t.Errorf("missing: %d", res.StatusCode)
	}
	checkDocument(t, router, "GET", "/api/v1/prevent/my-referrals/PR-2000-AAAAAAAA", "", res, body)
}

func TestPreventCasePages(t *testing.T) { preventCasePages(t, MustEnv(t)) }

func preventCasePages(t *testing.T, e *testEnv) {
	e.mustTeacher(t)
	ctx := context.Background()
	teacher := e.MustActor(t, contest.RolePartner)
	officerA := e.MustActor(t, contest.RolePreventOfficer)
	req, err := web.ReferralFromValues(goodReferralForm())
	if err != nil {
		t.Fatal(err)
	}
	v, err := e.DB.CreatePreventReferral(ctx, teacher, req)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.DB.ScreenPreventReferral(ctx, officerA, v.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.DB.DecidePreventScreening(ctx, officerA, v.ID, contest.ScreenPoliceLed, "Synthetic.", ""); err != nil {
		t.Fatal(err)
	}
	off := e.MustSignIn(t, contest.RolePreventOfficer)
	casePage := fmt.Sprintf("/prevent/referrals/%d/case", v.ID)
	res, body := off.Get(t, casePage)
	if res.StatusCode != 200 || !strings.Contains(body, "Not assessed yet") || !strings.Contains(body, "OFFICIAL-SENSITIVE") {
		t.Fatalf("case page: %d\n%.1500s", res.StatusCode, body)
	}
	_, body = off.Get(t, fmt.Sprintf("/prevent/referrals/%d/assessments/new", v.ID))
	if n := strings.Count(body, `<select class="govuk-select" id="rating_`); n != 22 {
		t.Fatalf("%d rating fields, want 22", n)
	}
	form := url.Values{}
	for _, f := range contest.Factors {
		form.Set("rating_"+f.Code, "1")
		form.Set("evidence_"+f.Code, "Synthetic evidence.")
	}
	bad := url.Values{}
	for k, vs := range form {
		bad[k] = vs
	}
	bad.Del("rating_I3")
	bad.Set("evidence_E1", "")
	assess := fmt.Sprintf("/prevent/referrals/%d/assessments", v.ID)
	res, body = off.PostForm(t, assess, bad)
	if res.StatusCode != 400 || !strings.Contains(body, `href="#rating_I3"`) {
		t.Errorf("missing rating: %d", res.StatusCode)
	}
	bad.Set("rating_I3", "1")
	res, body = off.PostForm(t, assess, bad)
	if res.StatusCode != 400 || !strings.Contains(body, `href="#evidence_E1"`) {
		t.Errorf("missing evidence: %d\n%.3000s", res.StatusCode, body)
	}
	if res, _ = off.PostForm(t, assess, form); res.StatusCode != 303 {
		t.Fatalf("assess: %d", res.StatusCode)
	}
	form.Set("rating_E1", "3")
	if res, _ = off.PostForm(t, assess, form); res.StatusCode != 303 {
		t.Fatalf("assess again: %d", res.StatusCode)
	}
	if _, body = off.Get(t, casePage); !strings.Contains(body, "Up 2") || !strings.Contains(body, "2 assessments") {
		t.Errorf("change not shown:\n%.3000s", body)
	}

	support := url.Values{"providers": {"Intervention provider A\nMentoring service B"}, "goals": {"Resilience."}}
	res, body = off.PostForm(t, casePage[:len(casePage)-len("/case")]+"/support", support)
	if res.StatusCode != 409 || !strings.Contains(body, "consent before any support step") {
		t.Errorf("support without consent: %d", res.StatusCode)
	}
	consent := casePage[:len(casePage)-len("/case")] + "/consents"
	res, body = off.PostForm(t, consent, url.Values{"decision": {"given"}, "basis": {"child"}, "given_by": {"person"}})
	if res.StatusCode != 400 || !strings.Contains(body, `href="#given_by"`) {
		t.Errorf("child consenting: %d", res.StatusCode)
	}
	if res, _ = off.PostForm(t, consent, url.Values{"decision": {"given"}, "basis": {"child"}, "given_by": {"parent_or_guardian"}, "name": {"Parent Testa"}}); res.StatusCode != 303 {
		t.Fatalf("consent: %d", res.StatusCode)
	}
	base := casePage[:len(casePage)-len("/case")]
	for _, step := range []struct {
		path string
		form url.Values
	}{
		{"/support", support},
		{"/support/sessions", url.Values{"provider": {"Mentoring service B"}, "held_at": {"2026-01-05"}, "progress": {"Engaged."}}},
		{"/support/exit", url.Values{"outcome": {"risk_reduced"}, "reason": {"Settled."}}},
	} {
		if res, body = off.PostForm(t, base+step.path, step.form); res.StatusCode != 303 {
			t.Fatalf("%s: %d\n%.2000s", step.path, res.StatusCode, body)
		}
	}
	_, body = off.Get(t, "/prevent/reviews")
	if !strings.Contains(body, v.Reference) || strings.Count(body, casePage) != 2 {
		t.Errorf("review queue:\n%.2000s", body)
	}
	rvs, _ := e.DB.FindReviews(ctx, officerA, v.ID)
	review := fmt.Sprintf("%s/reviews/%d", base, rvs[0].ID)
	res, body = off.PostForm(t, review, url.Values{"review_outcome": {"maybe"}})
	if res.StatusCode != 400 || !strings.Contains(body, `href="#review_outcome"`) || !strings.Contains(body, `href="#review_note"`) {
		t.Errorf("bad review: %d", res.StatusCode)
	}
	if res, _ = off.PostForm(t, review, url.Values{"review_outcome": {"no_concern"}, "review_note": {"Doing well."}}); res.StatusCode != 303 {
		t.Fatalf("review: %d", res.StatusCode)
	}
	if _, body = off.Get(t, casePage); !strings.Contains(body, "no_concern: Doing well.") || !strings.Contains(body, "Mentoring service B") {
		t.Errorf("case after review:\n%.2000s", body)
	}
}

// TestPreventScreeningRevealsNoMatch: a referral of a person who matches a
// Pursue subject and one of a stranger look the same, to the Prevent
// officer, after the Pursue check: the screening and case pages differ only
// in their reference, id and times; the investigator has the match.
func TestPreventScreeningRevealsNoMatch(t *testing.T) {
	e := MustEnv(t)
	e.mustTeacher(t)
	ctx := context.Background()
	subject := &contest.Subject{GivenName: "Yusuf", FamilyName: "Brannigan-Okoro", DateOfBirth: "1990-03-04", Status: contest.SubjectActive,
		Meta: contest.Meta{OwnerOrgID: e.Orgs[contest.OrgCTP].ID, Classification: contest.OfficialSensitive}}
	if err := e.DB.BulkLoad(ctx, contest.SystemActor("test"), func(b *db.Bulk) error { return b.Subject(subject) }); err != nil {
		t.Fatal(err)
	}
	teacher := e.MustActor(t, contest.RolePartner)
	var pages []string
	off := e.MustSignIn(t, contest.RolePreventOfficer)
	for _, p := range [][3]string{{"Yousef", "Brannigan Okoro", "1990-04-03"}, {"Margery", "Thistlewood", "1971-11-30"}} {
		f := goodReferralForm()
		f.Set("given_name", p[0])
		f.Set("family_name", p[1])
		f.Set("date_of_birth", p[2])
		req, err := web.ReferralFromValues(f)
		if err != nil {
			t.Fatal(err)
		}
		v, err := e.DB.CreatePreventReferral(ctx, teacher, req)
		if err != nil {
			t.Fatal(err)
		}
		base := fmt.Sprintf("/prevent/referrals/%d", v.ID)
		if res, _ := off.PostForm(t, base+"/screening/check", url.Values{}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("check: %d", res.StatusCode)
		}
		var all string
		for _, p := range []string{"/screening", "/case"} {
			_, body := off.Get(t, base+p)
			all += body
		}
		all = strings.NewReplacer(v.Reference, "REF", base, "BASE").Replace(all)
		all = regexp.MustCompile(`<time datetime="[^"]*">[^<]*</time>|\d+ seconds|under a second`).ReplaceAllString(all, "TIME")
		pages = append(pages, normaliseBody(all))
	}
	if !strings.Contains(pages[0], "Checked against Pursue") || !strings.Contains(pages[0], "Vulnerability assessment") {
		t.Fatalf("pages lack the screening step or the case:\n%.1000s", pages[0])
	}
	if pages[0] != pages[1] {
		a, b := pages[0], pages[1]
		i := 0
		for i < len(a) && i < len(b) && a[i] == b[i] {
			i++
		}
		t.Errorf("the matched referral's pages differ from the stranger's at %d:\n%.300s\n---\n%.300s", i, a[max(0, i-100):], b[max(0, i-100):])
	}
	ds, err := e.DB.FindDeconflictions(ctx, e.MustActor(t, contest.RoleInvestigator))
	if err != nil || len(ds) != 1 {
		t.Errorf("deconflictions %d %v, want 1", len(ds), err)
	}
}

func TestPreventScreeningAndStatsAPI(t *testing.T) {
	e := MustEnv(t)
	e.mustTeacher(t)
	ctx := context.Background()
	_, router := MustOpenAPI(t)
	req, _ := web.ReferralFromValues(goodReferralForm())
	v, err := e.DB.CreatePreventReferral(ctx, e.MustActor(t, contest.RolePartner), req)
	if err != nil {
		t.Fatal(err)
	}
	api := e.MustAPI(t, contest.RolePreventOfficer)
	base := fmt.Sprintf("/api/v1/prevent/referrals/%d/screening", v.ID)
	post := func(path, body string, want int) string {
		t.Helper()
		res, got := api.Do(t, "POST", path, strings.NewReader(body), map[string]string{"Content-Type": "application/json"})
		if res.StatusCode != want {
			t.Errorf("POST %s: %d, want %d\n%s", path, res.StatusCode, want, got)
		}
		checkDocument(t, router, "POST", path, body, res, got)
		return got
	}
	post(base+"/decision", `{"decision":"panel","reason":"x"}`, 409)
	if got := post(base, "", 200); !strings.Contains(got, `"step":"pursue_check"`) {
		t.Errorf("check: %s", got)
	}
	post(base+"/decision", `{"decision":"maybe","reason":""}`, 422)
	if got := post(base+"/decision", `{"decision":"panel","reason":"Vulnerable; consent likely."}`, 200); !strings.Contains(got, `"decision":"panel"`) {
		t.Errorf("decide: %s", got)
	}
	post(fmt.Sprintf("/api/v1/prevent/referrals/%d/screening", v.ID+100), "", 404)
	year := contest.FinancialYearOf(time.Now().UTC())
	path := fmt.Sprintf("/api/v1/prevent/statistics?year=%d", year)
	res, got := api.Get(t, path)
	if res.StatusCode != 200 || !strings.Contains(got, `"journey":{"key":"all","label":"All referrals","referred":1,"discussed":1`) {
		t.Errorf("statistics: %d %s", res.StatusCode, got)
	}
	checkDocument(t, router, "GET", path, "", res, got)
	res, got = api.Get(t, "/api/v1/prevent/statistics?year=1800")
	checkDocument(t, router, "GET", "/api/v1/prevent/statistics?year=1800", "", res, got)
	if res.StatusCode != 422 {
		t.Errorf("bad year: %d", res.StatusCode)
	}
}

func TestDeconflictionPage(t *testing.T) {
	e := MustEnv(t)
	e.mustTeacher(t)
	ctx := context.Background()
	subject := &contest.Subject{GivenName: "Yusuf", FamilyName: "Brannigan-Okoro", DateOfBirth: "1990-03-04", Status: contest.SubjectActive,
		Meta: contest.Meta{OwnerOrgID: e.Orgs[contest.OrgCTP].ID, Classification: contest.OfficialSensitive}}
	if err := e.DB.BulkLoad(ctx, contest.SystemActor("test"), func(b *db.Bulk) error { return b.Subject(subject) }); err != nil {
		t.Fatal(err)
	}
	f := goodReferralForm()
	f.Set("given_name", "Yousef")
	f.Set("family_name", "Brannigan Okoro")
	f.Set("date_of_birth", "1990-04-03")
	req, _ := web.ReferralFromValues(f)
	v, err := e.DB.CreatePreventReferral(ctx, e.MustActor(t, contest.RolePartner), req)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.DB.ScreenPreventReferral(ctx, e.MustActor(t, contest.RolePreventOfficer), v.ID); err != nil {
		t.Fatal(err)
	}
	inv := e.MustSignIn(t, contest.RoleInvestigator)
	res, body := inv.Get(t, "/prevent/deconflictions")
	if res.StatusCode != 200 || !strings.Contains(body, v.Reference) || !strings.Contains(body, `name="reason_1"`) {
		t.Fatalf("deconflictions: %d\n%.2000s", res.StatusCode, body)
	}
	if res, body = inv.PostForm(t, "/prevent/deconflictions/1", url.Values{"conflict_1": {"yes"}}); res.StatusCode != 400 || !strings.Contains(body, `href="#reason_1"`) {
		t.Errorf("no reason: %d", res.StatusCode)
	}
	if res, _ = inv.PostForm(t, "/prevent/deconflictions/1", url.Values{"conflict_1": {"yes"}, "reason_1": {"Known to an operation."}}); res.StatusCode != 303 {
		t.Fatalf("resolve: %d", res.StatusCode)
	}
	if _, body = inv.Get(t, "/prevent/deconflictions"); !strings.Contains(body, "Conflict: handled with the investigation") || strings.Contains(body, `name="reason_1"`) {
		t.Errorf("after resolving:\n%.2000s", body)
	}
}
