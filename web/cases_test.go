package web_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/access"
)

// TestCasePages sends requests for the role home pages and the strand
// record pages over the cases fixture (dbtest.Cases) and checks what each
// role sees, and does not see.
func TestCasePages(t *testing.T) {
	e := MustEnv(t)
	c := e.MustCases(t)
	clients := map[contest.Role]*client{}
	as := func(r contest.Role) *client {
		if clients[r] == nil {
			if strings.HasPrefix(string(r), "api:") {
				clients[r] = e.MustAPI(t, contest.Role(strings.TrimPrefix(string(r), "api:")))
			} else {
				clients[r] = e.MustSignIn(t, r)
			}
		}
		return clients[r]
	}
	api := func(r contest.Role) contest.Role { return "api:" + r }
	id := func(format string, v int64) string { return fmt.Sprintf(format, v) }
	for _, tc := range []struct {
		name   string
		as     contest.Role
		path   string
		status int
		want   []string
		unwant []string
		audit  *contest.AuditFilter
	}{
		// Home pages.
		{"InvestigatorHome", contest.RoleInvestigator, "/", 200,
			[]string{"Investigations you lead", "Larchmere", `id="count-investigations"><strong>1<`, `id="count-subjects"><strong>2<`,
				"Overbrook", "Review overdue", "Duefield", `href="/subjects?status=active&amp;owner=me"`, `href="/investigations"`},
			[]string{"Hollowmere", "Hiddenholme", "Kestrelmoor", "Referrals you may see", `href="/admin"`}, nil},
		{"AnalystHome", contest.RoleAnalyst, "/", 200,
			[]string{"Open investigations in your compartments", "Larchmere", `id="count-subjects"><strong>2<`}, []string{"Hollowmere"}, nil},
		{"PreventOfficerHome", contest.RolePreventOfficer, "/", 200,
			[]string{"Referrals you may see, by stage", `id="count-stage-referred">1<`, `id="count-stage-panel">1<`,
				`id="count-stage-screening">1<`, `id="count-my-referrals"><strong>1<`, "PR-T-0001", `href="/prevent/referrals?status=panel"`},
			[]string{"PR-T-0004", "Secretford", "Investigations you lead"},
			&contest.AuditFilter{Action: contest.AuditList, Kind: contest.KindPreventCase}},
		// The local authority sees its own area only.
		{"PanelMemberHome", contest.RolePanelMember, "/", 200,
			[]string{`id="count-stage-screening">0<`, `id="count-stage-panel">1<`, "PR-T-0002"}, []string{"Southam", "PR-T-0003"}, nil},
		{"SupervisorHome", contest.RoleSupervisor, "/", 200,
			[]string{"Open investigations in your compartments", "Referrals you may see, by stage", `id="count-stage-screening">1<`, `id="count-users">`}, nil, nil},
		{"AdminHomeTasks", contest.RoleAdmin, "/", 200, []string{`href="/admin/users/new"`, `href="/admin/compartments/new"`}, []string{"Pursue</h2>"}, nil},
		{"AuditorHomeVerify", contest.RoleAuditor, "/", 200, []string{`action="/audit/verify"`, "Latest audit entries"}, nil, nil},
		{"PartnerHomeStrands", contest.RolePartner, "/", 200, []string{"Your strands", "Protect"},
			[]string{`href="/prevent/referrals"`, `href="/investigations"`, "Referrals you may see"}, nil},
		{"ContentOfficerHome", contest.RoleContentOfficer, "/", 200, []string{"Your strands", "Terrorist content referrals"}, []string{"Pursue</h2>"}, nil},

		// Lists.
		{"InvestigationList", contest.RoleInvestigator, "/investigations", 200,
			[]string{"Larchmere", "1 in all", `aria-current="page"`, `<strong class="govuk-service-navigation__active-fallback">Pursue</strong>`},
			[]string{"Hollowmere", "Kestrelmoor"}, &contest.AuditFilter{Action: contest.AuditList, Kind: contest.KindInvestigation}},
		{"InvestigationListClosed", contest.RoleInvestigator, "/investigations?status=closed", 200, []string{"0 match", "No investigations."}, []string{"Kestrelmoor"}, nil},
		{"InvestigationListBadStatus", contest.RoleInvestigator, "/investigations?status=pending", 400,
			[]string{"govuk-error-summary", `href="#status"`, "Select a status from the list"}, nil, nil},
		{"InvestigationListBadPage", contest.RoleInvestigator, "/investigations?page=0", 400, []string{"govuk-error-summary", "Page must be a whole number, 1 or more."}, []string{`href="#page"`}, nil},
		{"InvestigationListWordPage", contest.RoleInvestigator, "/investigations?page=two", 400, []string{"Page must be a whole number"}, nil, nil},
		{"InvestigationListBadOwner", contest.RoleInvestigator, "/investigations?owner=42", 400, []string{"Owner must be me"}, nil, nil},
		{"InvestigationListPastTheEnd", contest.RoleInvestigator, "/investigations?page=9", 200, []string{"No investigations on this page", `rel="prev"`}, nil, nil},
		{"SubjectListSoonestFirst", contest.RoleInvestigator, "/subjects?status=active&owner=me", 200, []string{"Overbrook", "Duefield", "2 match"}, []string{"Hiddenholme"}, nil},
		{"SubjectListOfInvestigation", contest.RoleInvestigator, id("/subjects?investigation_id=%d", c.Larchmere.ID), 200,
			[]string{"Duefield", "one investigation", `name="investigation_id"`}, []string{"Closewood"}, nil},
		{"SubjectListBadInvestigation", contest.RoleInvestigator, "/subjects?investigation_id=x", 400, []string{"Investigation must be the number"}, nil, nil},
		{"ReferralListStage", contest.RolePreventOfficer, "/prevent/referrals?status=screening", 200, []string{"PR-T-0003", "1 match"}, []string{"PR-T-0001"}, nil},
		{"ReferralListBadStage", contest.RolePreventOfficer, "/prevent/referrals?status=adopted!", 400, []string{"Select a stage from the list"}, nil, nil},
		{"ReferralListPanelArea", contest.RolePanelMember, "/prevent/referrals", 200, []string{"PR-T-0001", "PR-T-0002", "2 in all"}, []string{"PR-T-0003"}, nil},
		{"InvestigationListForbidden", contest.RolePreventOfficer, "/investigations", 403, nil, nil, nil},
		{"ReferralListForbidden", contest.RoleInvestigator, "/prevent/referrals", 403, nil, nil, nil},

		// Record pages, each with the banner at the top and bottom.
		{"InvestigationPage", contest.RoleInvestigator, id("/investigations/%d", c.Larchmere.ID), 200,
			[]string{`id="classification-top"`, `id="classification-bottom"`, "OFFICIAL-SENSITIVE", "Compartment: <strong>Operation Larchmere</strong>",
				"Duefield", "Overbrook", "Test Counter-terrorism policing unit", `class="govuk-breadcrumbs"`},
			[]string{"Hiddenholme"}, &contest.AuditFilter{Action: contest.AuditRead, Kind: contest.KindInvestigation, RecordID: fmt.Sprint(c.Larchmere.ID)}},
		{"SubjectPage", contest.RoleInvestigator, id("/subjects/%d", c.Overdue.ID), 200,
			[]string{`id="classification-top"`, `id="classification-bottom"`, "Compartment: <strong>Operation Larchmere</strong>", "Review overdue",
				id(`href="/investigations/%d"`, c.Larchmere.ID)}, nil,
			&contest.AuditFilter{Action: contest.AuditRead, Kind: contest.KindSubject, RecordID: fmt.Sprint(c.Overdue.ID)}},
		{"ClosedSubjectPage", contest.RoleSupervisor, id("/subjects/%d", c.Closed1.ID), 200,
			[]string{`id="classification-bottom"`, "Intelligence not substantiated"}, []string{"Compartment:"}, nil},
		{"ReferralPage", contest.RolePanelMember, id("/prevent/referrals/%d", c.Panel.ID), 200,
			[]string{`id="classification-top"`, `id="classification-bottom"`, "PR-T-0002", "Recorded for statistics only", "Channel panel", "You"}, nil, nil},
		{"ReferralOtherAreaLooksMissing", contest.RolePanelMember, id("/prevent/referrals/%d", c.Southvale.ID), 404, []string{"not found"}, []string{"Southam"}, nil},
		{"RecordBadID", contest.RoleInvestigator, "/investigations/abc", 404, nil, nil, nil},

		// The API.
		{"APIInvestigations", api(contest.RoleInvestigator), "/api/v1/investigations", 200, []string{`"total":1`, `"operation":"Larchmere"`}, []string{"Hollowmere"}, nil},
		{"APISubjectsPaged", api(contest.RoleInvestigator), "/api/v1/subjects?limit=1&offset=1", 200, []string{`"total":3`, "Duefield"}, []string{"Overbrook"}, nil},
		{"APISubjectsBadLimit", api(contest.RoleInvestigator), "/api/v1/subjects?limit=0", 422, []string{`"field":"limit"`}, nil, nil},
		{"APIReferral", api(contest.RolePreventOfficer), id("/api/v1/prevent/referrals/%d", c.Referred.ID), 200, []string{`"reference":"PR-T-0001"`, `"compartments":[]`}, nil, nil},
		{"APIHiddenReferral", api(contest.RolePreventOfficer), id("/api/v1/prevent/referrals/%d", c.SecretReferral.ID), 404, []string{`"code":"not_found"`}, []string{"Secretford"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, body := as(tc.as).Get(t, tc.path)
			if res.StatusCode != tc.status {
				t.Fatalf("status %d, want %d\n%s", res.StatusCode, tc.status, body)
			}
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("body lacks %q\n%s", w, body)
				}
			}
			for _, u := range tc.unwant {
				if strings.Contains(body, u) {
					t.Errorf("body holds %q", u)
				}
			}
			if tc.audit != nil && len(e.MustAuditEntries(t, *tc.audit)) == 0 {
				t.Errorf("no audit entry matches %+v", *tc.audit)
			}
		})
	}
	// An investigator's subjects come soonest review first.
	_, body := as(contest.RoleInvestigator).Get(t, "/subjects?owner=me")
	if i, j := strings.Index(body, "Overbrook"), strings.Index(body, "Duefield"); i < 0 || j < 0 || i > j {
		t.Errorf("overdue subject not listed before the one due later (%d, %d)", i, j)
	}
}

// TestCaseRecordsHiddenLookMissing asks for every hidden record of the
// cases fixture on every strand record route, UI and API, as every role:
// the answer must be exactly the answer for an id that does not exist. A
// role that may read the record gets it.
func TestCaseRecordsHiddenLookMissing(t *testing.T) {
	e := MustEnv(t)
	c := e.MustCases(t)
	type rec struct {
		kind contest.Kind
		id   int64
		meta *contest.Meta
	}
	recs := []rec{
		{contest.KindInvestigation, c.Larchmere.ID, &c.Larchmere.Meta}, {contest.KindInvestigation, c.Hollowmere.ID, &c.Hollowmere.Meta},
		{contest.KindInvestigation, c.Kestrelmoor.ID, &c.Kestrelmoor.Meta},
		{contest.KindSubject, c.Due.ID, &c.Due.Meta}, {contest.KindSubject, c.HiddenSubject.ID, &c.HiddenSubject.Meta},
		{contest.KindSubject, c.SecretSubject.ID, &c.SecretSubject.Meta},
		{contest.KindPreventCase, c.Referred.ID, &c.Referred.Meta}, {contest.KindPreventCase, c.Southvale.ID, &c.Southvale.Meta},
		{contest.KindPreventCase, c.SecretReferral.ID, &c.SecretReferral.Meta},
	}
	const missing = 987654
	checked, hidden := 0, 0
	for _, role := range contest.Roles {
		a := e.MustActor(t, role)
		ui, api := e.MustSignIn(t, role), e.MustAPI(t, role)
		ui.Get(t, "/") // shows any one-off message left by sign-in
		for _, rt := range e.Server.Routes() {
			if !rt.Record || rt.Method != "GET" || (rt.Kind != contest.KindInvestigation && rt.Kind != contest.KindSubject && rt.Kind != contest.KindPreventCase) {
				continue
			}
			cl := ui
			if rt.API {
				cl = api
			}
			mp := fill(rt.Path, missing, 0)
			rm, bm := cl.Get(t, mp)
			for _, r := range recs {
				if r.kind != rt.Kind {
					continue
				}
				p := fill(rt.Path, r.id, 0)
				res, body := cl.Get(t, p)
				checked++
				if access.Allowed(a, access.Read, r.kind, r.meta) {
					if res.StatusCode != http.StatusOK {
						t.Errorf("%s GET %s: may read, got %d", role, p, res.StatusCode)
					}
					continue
				}
				hidden++
				if res.StatusCode != rm.StatusCode || normaliseBody(body, p) != normaliseBody(bm, mp) {
					t.Errorf("%s GET %s: hidden gives %d, missing gives %d\nhidden:  %.300s\nmissing: %.300s", role, p, res.StatusCode, rm.StatusCode, body, bm)
				}
			}
		}
	}
	// Every role, on at least the UI and the API page of each kind.
	if checked < len(contest.Roles)*2*len(recs) || hidden < checked/2 {
		t.Errorf("checked %d reads, %d of hidden records", checked, hidden)
	}
}

// TestCaseAPIMatchesOpenAPI validates the strand API's real responses
// against the OpenAPI document.
func TestCaseAPIMatchesOpenAPI(t *testing.T) {
	e := MustEnv(t)
	c := e.MustCases(t)
	_, router := MustOpenAPI(t)
	inv, po := e.MustAPI(t, contest.RoleInvestigator), e.MustAPI(t, contest.RolePreventOfficer)
	for _, tc := range []struct {
		c    *client
		path string
		want int
	}{
		{inv, "/api/v1/investigations", 200},
		{inv, "/api/v1/investigations?status=open&owner=me&limit=5", 200},
		{inv, "/api/v1/investigations?status=bad", 422},
		{inv, fmt.Sprintf("/api/v1/investigations/%d", c.Larchmere.ID), 200},
		{inv, fmt.Sprintf("/api/v1/investigations/%d", c.Hollowmere.ID), 404},
		{inv, "/api/v1/subjects", 200},
		{inv, fmt.Sprintf("/api/v1/subjects?investigation_id=%d", c.Larchmere.ID), 200},
		{inv, fmt.Sprintf("/api/v1/subjects/%d", c.Due.ID), 200},
		{inv, fmt.Sprintf("/api/v1/subjects/%d", c.Closed1.ID), 200},
		{inv, "/api/v1/prevent/referrals", 403},
		{po, "/api/v1/prevent/referrals?status=referred", 200},
		{po, "/api/v1/prevent/referrals?offset=-1", 422},
		{po, fmt.Sprintf("/api/v1/prevent/referrals/%d", c.Southvale.ID), 200},
		{po, "/api/v1/subjects", 403},
	} {
		res, got := tc.c.Get(t, tc.path)
		if res.StatusCode != tc.want {
			t.Errorf("GET %s: status %d, want %d\n%s", tc.path, res.StatusCode, tc.want, got)
			continue
		}
		checkDocument(t, router, "GET", tc.path, "", res, got)
	}
}
