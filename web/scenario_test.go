package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/contest-ct/contest"
)

// scenario is one request and what must come back.
type scenario struct {
	Name   string
	Method string
	URL    string
	// Form is sent urlencoded (UI); JSON is sent as the body (API).
	Form url.Values
	JSON string
	// Headers are added to the request.
	Headers map[string]string
	// As signs in (UI) or takes a token (API, when the URL is under
	// /api/) as the fixture user of this role; "" is anonymous.
	As                 contest.Role
	ExpectedStatus     int
	ExpectedContent    []string
	NotExpectedContent []string
	// ExpectedAudit, when set, must be found in the trail afterwards.
	ExpectedAudit *contest.AuditFilter
	// URLFunc builds the URL from the fixture when it needs ids.
	URLFunc func(e *testEnv) string
}

func (s scenario) run(t *testing.T) {
	t.Helper()
	e := MustEnv(t)
	var c *client
	switch {
	case s.As == "":
		c = e.Anon()
	case strings.HasPrefix(s.URL, "/api/") || (s.URLFunc != nil && strings.HasPrefix(s.URLFunc(e), "/api/")):
		c = e.MustAPI(t, s.As)
	default:
		c = e.MustSignIn(t, s.As)
	}
	target := s.URL
	if s.URLFunc != nil {
		target = s.URLFunc(e)
	}
	var res *http.Response
	var body string
	switch {
	case s.Form != nil:
		hdr := map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "same-origin"}
		for k, v := range s.Headers {
			hdr[k] = v
		}
		res, body = c.Do(t, s.Method, target, strings.NewReader(s.Form.Encode()), hdr)
	case s.JSON != "":
		hdr := map[string]string{"Content-Type": "application/json"}
		for k, v := range s.Headers {
			hdr[k] = v
		}
		res, body = c.Do(t, s.Method, target, strings.NewReader(s.JSON), hdr)
	default:
		res, body = c.Do(t, s.Method, target, nil, s.Headers)
	}
	if res.StatusCode != s.ExpectedStatus {
		t.Errorf("status = %d, want %d\n%s", res.StatusCode, s.ExpectedStatus, body)
	}
	for _, want := range s.ExpectedContent {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q\n%s", want, body)
		}
	}
	for _, bad := range s.NotExpectedContent {
		if strings.Contains(body, bad) {
			t.Errorf("body holds %q\n%s", bad, body)
		}
	}
	if s.ExpectedAudit != nil {
		if es := e.MustAuditEntries(t, *s.ExpectedAudit); len(es) == 0 {
			t.Errorf("no audit entry matches %+v", *s.ExpectedAudit)
		}
	}
}

func TestScenarios(t *testing.T) {
	t.Parallel()
	scenarios := []scenario{
		{Name: "HealthOK", Method: "GET", URL: "/healthz", ExpectedStatus: 200, ExpectedContent: []string{"ok"}},
		{Name: "SignInPage", Method: "GET", URL: "/sign-in", ExpectedStatus: 200,
			ExpectedContent: []string{"Sign in", `for="username"`, `for="password"`, "Skip to main content", "UK national threat level"}},
		{Name: "HomeRedirectsAnonymous", Method: "GET", URL: "/", ExpectedStatus: 303},
		{Name: "SignInBadPassword", Method: "POST", URL: "/sign-in",
			Form: url.Values{"username": {"test.investigator"}, "password": {"wrong"}}, ExpectedStatus: 401,
			ExpectedContent:    []string{"govuk-error-summary", "Enter a correct username, password"},
			NotExpectedContent: []string{"wrong"},
			ExpectedAudit:      &contest.AuditFilter{Action: contest.AuditSignInFail}},
		{Name: "SignInUnknownUserSameAnswer", Method: "POST", URL: "/sign-in",
			Form: url.Values{"username": {"nobody.here"}, "password": {"wrong"}}, ExpectedStatus: 401,
			ExpectedContent: []string{"Enter a correct username, password"}},
		{Name: "SignInEmptyFields", Method: "POST", URL: "/sign-in", Form: url.Values{}, ExpectedStatus: 400,
			ExpectedContent: []string{`href="#username"`, "Enter your username", `href="#password"`, "govuk-input--error"}},
		{Name: "SignInCrossSiteRefused", Method: "POST", URL: "/sign-in",
			Form:    url.Values{"username": {"test.investigator"}, "password": {"x"}},
			Headers: map[string]string{"Sec-Fetch-Site": "cross-site"}, ExpectedStatus: 403},
		{Name: "InvestigatorHome", Method: "GET", URL: "/", As: contest.RoleInvestigator, ExpectedStatus: 200,
			ExpectedContent:    []string{"Investigator home", "Pursue", `href="/strands/pursue"`, "Sign out"},
			NotExpectedContent: []string{`href="/audit"`, `href="/admin"`}},
		{Name: "AdminHomeCounts", Method: "GET", URL: "/", As: contest.RoleAdmin, ExpectedStatus: 200,
			ExpectedContent: []string{"Administrator home", `id="count-users">11<`, `id="count-orgs">10<`, `href="/admin"`}},
		{Name: "AuditorHomeShowsTrail", Method: "GET", URL: "/", As: contest.RoleAuditor, ExpectedStatus: 200,
			ExpectedContent: []string{"Latest audit entries", "sign_in", `href="/audit"`}},
		{Name: "PartnerCannotListUsers", Method: "GET", URL: "/admin/users", As: contest.RolePartner, ExpectedStatus: 403},
		{Name: "AdminListsUsers", Method: "GET", URL: "/admin/users", As: contest.RoleAdmin, ExpectedStatus: 200,
			ExpectedContent: []string{"test.investigator", "Test Investigator"},
			ExpectedAudit:   &contest.AuditFilter{Action: contest.AuditList, Kind: contest.KindUser}},
		{Name: "UserListBadFilter", Method: "GET", URL: "/admin/users?role=pirate", As: contest.RoleAdmin, ExpectedStatus: 400,
			ExpectedContent: []string{"govuk-error-summary", "Select a role from the list"}},
		{Name: "AdminAddsOrg", Method: "POST", URL: "/admin/organisations", As: contest.RoleAdmin,
			Form: url.Values{"name": {"Eastmere Borough Council"}, "kind": {"local_authority"}, "area": {"Eastmere"}}, ExpectedStatus: 303,
			ExpectedAudit: &contest.AuditFilter{Action: contest.AuditCreate, Kind: contest.KindOrg}},
		{Name: "AddOrgInvalid", Method: "POST", URL: "/admin/organisations", As: contest.RoleAdmin,
			Form: url.Values{"name": {""}, "kind": {"pirates"}}, ExpectedStatus: 400,
			ExpectedContent: []string{"govuk-error-summary", `href="#name"`, "Enter the organisation&#39;s name", `href="#kind"`, `id="kind-error"`}},
		{Name: "AddOrgDuplicate", Method: "POST", URL: "/admin/organisations", As: contest.RoleAdmin,
			Form: url.Values{"name": {"Test Health"}, "kind": {"health"}}, ExpectedStatus: 409, ExpectedContent: []string{"govuk-error-summary"}},
		{Name: "InvestigatorCannotAddOrg", Method: "POST", URL: "/admin/organisations", As: contest.RoleInvestigator,
			Form: url.Values{"name": {"Nope"}, "kind": {"health"}}, ExpectedStatus: 403},
		{Name: "UserPageHasClassificationBanner", Method: "GET", As: contest.RoleAdmin, ExpectedStatus: 200,
			URLFunc:         func(e *testEnv) string { return fmt.Sprintf("/admin/users/%d", e.Users[contest.RoleAnalyst].ID) },
			ExpectedContent: []string{`id="classification-top"`, `id="classification-bottom"`, "OFFICIAL", "Test Analyst"},
			ExpectedAudit:   &contest.AuditFilter{Action: contest.AuditRead, Kind: contest.KindUser}},
		{Name: "UserPageMissing", Method: "GET", URL: "/admin/users/999999", As: contest.RoleAdmin, ExpectedStatus: 404},
		{Name: "UserPageBadID", Method: "GET", URL: "/admin/users/abc", As: contest.RoleAdmin, ExpectedStatus: 404},
		{Name: "AdminDisablesUser", Method: "POST", As: contest.RoleAdmin, Form: url.Values{}, ExpectedStatus: 303,
			URLFunc: func(e *testEnv) string {
				return fmt.Sprintf("/admin/users/%d/disable", e.Users[contest.RolePartner].ID)
			},
			ExpectedAudit: &contest.AuditFilter{Kind: contest.KindUser, Action: contest.AuditPermission}},
		{Name: "ThreatPage", Method: "GET", URL: "/threat-level", As: contest.RolePartner, ExpectedStatus: 200,
			ExpectedContent: []string{"National threat level", "History"}, NotExpectedContent: []string{"Change the threat level"}},
		{Name: "ThreatChangeNeedsRationale", Method: "POST", URL: "/threat-level", As: contest.RoleAdmin,
			Form: url.Values{"level": {"SEVERE"}}, ExpectedStatus: 400, ExpectedContent: []string{`href="#rationale"`}},
		{Name: "ThreatChange", Method: "POST", URL: "/threat-level", As: contest.RoleAdmin,
			Form: url.Values{"level": {"SEVERE"}, "rationale": {"Synthetic exercise: raised for a test."}}, ExpectedStatus: 303,
			ExpectedAudit: &contest.AuditFilter{Kind: contest.KindThreatLevel}},
		{Name: "PartnerCannotChangeThreat", Method: "POST", URL: "/threat-level", As: contest.RolePartner,
			Form: url.Values{"level": {"LOW"}, "rationale": {"x"}}, ExpectedStatus: 403},
		{Name: "AuditSearch", Method: "GET", URL: "/audit?action=sign_in", As: contest.RoleAuditor, ExpectedStatus: 200,
			ExpectedContent: []string{"Audit trail", "test.auditor"}, ExpectedAudit: &contest.AuditFilter{Action: contest.AuditSearch}},
		{Name: "AuditSearchBadDate", Method: "GET", URL: "/audit?from=yesterday", As: contest.RoleAuditor, ExpectedStatus: 400,
			ExpectedContent: []string{`href="#from"`}},
		{Name: "AuditForbiddenToAdmin", Method: "GET", URL: "/audit", As: contest.RoleAdmin, ExpectedStatus: 403},
		{Name: "AuditExportCSV", Method: "POST", URL: "/audit/export", As: contest.RoleAuditor,
			Form:           url.Values{"recipient": {"Professional standards"}, "justification": {"Synthetic test"}, "format": {"csv"}},
			ExpectedStatus: 200, ExpectedContent: []string{"seq,time,user_id,username", "sign_in"},
			ExpectedAudit: &contest.AuditFilter{Action: contest.AuditExport}},
		{Name: "AuditExportNeedsRecipient", Method: "POST", URL: "/audit/export", As: contest.RoleAuditor,
			Form: url.Values{"format": {"csv"}}, ExpectedStatus: 400, ExpectedContent: []string{`href="#recipient"`, `href="#justification"`}},
		{Name: "AuditVerify", Method: "POST", URL: "/audit/verify", As: contest.RoleAuditor, Form: url.Values{}, ExpectedStatus: 200,
			ExpectedContent: []string{"The audit trail is intact"}},
		{Name: "CompartmentCreate", Method: "POST", URL: "/admin/compartments", As: contest.RoleAdmin,
			Form: url.Values{"name": {"Operation Larchwood"}, "description": {"Synthetic"}}, ExpectedStatus: 303,
			ExpectedAudit: &contest.AuditFilter{Kind: contest.KindCompartment, Action: contest.AuditCreate}},
		{Name: "StrandPursue", Method: "GET", URL: "/strands/pursue", As: contest.RoleInvestigator, ExpectedStatus: 200,
			ExpectedContent: []string{"Investigations", "view, add, change"}},
		{Name: "StrandHiddenFromPartner", Method: "GET", URL: "/strands/prepare", As: contest.RolePartner, ExpectedStatus: 404},
		{Name: "UnknownPage", Method: "GET", URL: "/no/such/page", ExpectedStatus: 404, ExpectedContent: []string{"Page not found"}},
		{Name: "Asset", Method: "GET", URL: "/assets/govuk/govuk-frontend.min.css", ExpectedStatus: 200},
		{Name: "FontsNotShipped", Method: "GET", URL: "/assets/fonts/bold-b542beb274-v2.woff2", ExpectedStatus: 404},
		{Name: "TokenForm", Method: "POST", URL: "/account/tokens", As: contest.RoleAnalyst,
			Form: url.Values{"name": {"script"}, "days": {"30"}}, ExpectedStatus: 201, ExpectedContent: []string{`id="api-token"`},
			ExpectedAudit: &contest.AuditFilter{Action: contest.AuditTokenCreated}},

		// The API.
		{Name: "APIThreatPublic", Method: "GET", URL: "/api/v1/threat-level", ExpectedStatus: 200, ExpectedContent: []string{`"level":`}},
		{Name: "APIMeNeedsToken", Method: "GET", URL: "/api/v1/me", ExpectedStatus: 401, ExpectedContent: []string{`"status":401`, `"code":"unauthorized"`}},
		{Name: "APIBadToken", Method: "GET", URL: "/api/v1/me", Headers: map[string]string{"Authorization": "Bearer nope"}, ExpectedStatus: 401},
		{Name: "APIMe", Method: "GET", URL: "/api/v1/me", As: contest.RoleAnalyst, ExpectedStatus: 200, ExpectedContent: []string{`"username":"test.analyst"`}},
		{Name: "APIUsers", Method: "GET", URL: "/api/v1/users", As: contest.RoleAdmin, ExpectedStatus: 200, ExpectedContent: []string{`"total":11`}},
		{Name: "APIUsersForbidden", Method: "GET", URL: "/api/v1/users", As: contest.RolePartner, ExpectedStatus: 403,
			ExpectedContent: []string{`"code":"forbidden"`}},
		{Name: "APIOrgCreateUnknownField", Method: "POST", URL: "/api/v1/organisations", As: contest.RoleAdmin,
			JSON: `{"name":"X Org","kind":"health","colour":"red"}`, ExpectedStatus: 422,
			ExpectedContent: []string{`"field":"colour"`, "Unknown field"}},
		{Name: "APIOrgCreateWrongType", Method: "POST", URL: "/api/v1/organisations", As: contest.RoleAdmin,
			JSON: `{"name":42,"kind":"health"}`, ExpectedStatus: 422, ExpectedContent: []string{`"field":"name"`, "Must be a string"}},
		{Name: "APIOrgCreateInvalid", Method: "POST", URL: "/api/v1/organisations", As: contest.RoleAdmin,
			JSON: `{"name":"","kind":"nope"}`, ExpectedStatus: 422, ExpectedContent: []string{`"field":"name"`, `"field":"kind"`}},
		{Name: "APIOrgCreate", Method: "POST", URL: "/api/v1/organisations", As: contest.RoleAdmin,
			JSON: `{"name":"Westvale Health Board","kind":"health","area":"Westvale"}`, ExpectedStatus: 201,
			ExpectedContent: []string{`"name":"Westvale Health Board"`}, ExpectedAudit: &contest.AuditFilter{Kind: contest.KindOrg, Action: contest.AuditCreate}},
		{Name: "APIBodyTooLarge", Method: "POST", URL: "/api/v1/organisations", As: contest.RoleAdmin,
			JSON: `{"name":"` + strings.Repeat("a", 2<<20) + `"}`, ExpectedStatus: 422, ExpectedContent: []string{"too large"}},
		{Name: "APIUnknownEndpoint", Method: "GET", URL: "/api/v1/nothing", ExpectedStatus: 404, ExpectedContent: []string{`"type":"about:blank"`}},
		{Name: "APISessionCookieIgnored", Method: "GET", URL: "/api/v1/me", Headers: map[string]string{"Cookie": "contest_session=abc"}, ExpectedStatus: 401},
		{Name: "APIAuditSearch", Method: "GET", URL: "/api/v1/audit?limit=5", As: contest.RoleAuditor, ExpectedStatus: 200,
			ExpectedContent: []string{`"items":[`}, ExpectedAudit: &contest.AuditFilter{Action: contest.AuditSearch}},
		{Name: "APIAuditBadFilter", Method: "GET", URL: "/api/v1/audit?limit=0", As: contest.RoleAuditor, ExpectedStatus: 422,
			ExpectedContent: []string{`"field":"limit"`}},
		{Name: "APIThreatSet", Method: "POST", URL: "/api/v1/threat-level", As: contest.RoleAdmin,
			JSON: `{"level":"CRITICAL","rationale":"Synthetic test change"}`, ExpectedStatus: 201, ExpectedContent: []string{`"level":"CRITICAL"`}},
	}
	for _, s := range scenarios {
		t.Run(s.Name, func(t *testing.T) {
			t.Parallel()
			s.run(t)
		})
	}
}
