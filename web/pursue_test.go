package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/contest-ct/contest"
)

var investigationLoc = regexp.MustCompile(`^/investigations/(\d+)$`)
var actionLoc = regexp.MustCompile(`^/actions/(\d+)$`)

// TestPursueInvestigationAndActionForms opens an investigation through the
// form, changes its classification and takes an action from raise to
// file, with refused input shown back on the page.
func TestPursueInvestigationAndActionForms(t *testing.T) {
	e := MustEnv(t)
	inv := e.MustSignIn(t, contest.RoleInvestigator)
	sup := e.MustSignIn(t, contest.RoleSupervisor)
	an := e.MustSignIn(t, contest.RoleAnalyst)
	prev := e.MustSignIn(t, contest.RolePreventOfficer)

	res, body := inv.PostForm(t, "/investigations", url.Values{"operation": {""}, "summary": {"x"}, "classification": {"2"}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Enter the operation name") {
		t.Fatalf("empty operation: %d\n%s", res.StatusCode, body)
	}
	res, body = inv.PostForm(t, "/investigations", url.Values{"operation": {"Alder"}, "summary": {"Synthetic investigation."}, "classification": {"2"},
		"team": {"test.analyst, nobody.here"}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "No active user has the username nobody.here") {
		t.Fatalf("unknown team member: %d\n%s", res.StatusCode, body)
	}
	res, body = inv.PostForm(t, "/investigations", url.Values{"operation": {"Alder"}, "summary": {"Synthetic investigation."}, "classification": {"2"},
		"team": {"test.analyst\ntest.supervisor"}})
	m := investigationLoc.FindStringSubmatch(res.Header.Get("Location"))
	if res.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("open investigation: %d %s\n%s", res.StatusCode, res.Header.Get("Location"), body)
	}
	invPath := m[0]
	for _, tc := range []struct {
		name string
		c    *client
		want int
	}{{"Opener", inv, 200}, {"Team", an, 200}, {"Supervisor", sup, 200}, {"Prevent", prev, 403}} {
		t.Run("See"+tc.name, func(t *testing.T) {
			if res, body := tc.c.Get(t, invPath); res.StatusCode != tc.want || (tc.want == 200 && !strings.Contains(body, "Operation Alder")) {
				t.Errorf("status %d, want %d", res.StatusCode, tc.want)
			}
		})
	}

	res, body = sup.PostForm(t, invPath+"/classification", url.Values{"classification": {"1"}, "reason": {""}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Enter the reason") {
		t.Fatalf("classification without reason: %d\n%s", res.StatusCode, body)
	}
	if res, _ := inv.PostForm(t, invPath+"/classification", url.Values{"classification": {"1"}, "reason": {"Open source"}}); res.StatusCode != http.StatusForbidden {
		t.Errorf("investigator changing classification: %d", res.StatusCode)
	}
	if res, body := sup.PostForm(t, invPath+"/classification", url.Values{"classification": {"1"}, "reason": {"Material now open source."}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("change classification: %d\n%s", res.StatusCode, body)
	}
	if _, body := inv.Get(t, invPath+"/classification"); !strings.Contains(body, "Material now open source.") {
		t.Errorf("history does not show the reason:\n%s", body)
	}

	res, body = inv.PostForm(t, "/actions", url.Values{"investigation_id": {strings.TrimPrefix(invPath, "/investigations/")}, "title": {"Trace, interview and eliminate the van driver"}, "category": {"eliminate"},
		"priority": {"high"}, "due_at": {"31/01/2027"}})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Enter a real date as YYYY-MM-DD") {
		t.Fatalf("bad due date: %d\n%s", res.StatusCode, body)
	}
	res, body = inv.PostForm(t, "/actions", url.Values{"investigation_id": {strings.TrimPrefix(invPath, "/investigations/")}, "title": {"Trace, interview and eliminate the van driver"}, "category": {"eliminate"},
		"priority": {"high"}})
	am := actionLoc.FindStringSubmatch(res.Header.Get("Location"))
	if res.StatusCode != http.StatusSeeOther || am == nil {
		t.Fatalf("raise action: %d\n%s", res.StatusCode, body)
	}
	act := am[0]
	steps := []struct {
		name   string
		c      *client
		path   string
		form   url.Values
		status int
		want   string
	}{
		{"AllocateUnknown", sup, "/allocation", url.Values{"officer": {"nobody.here"}, "due_at": {"2020-01-01"}}, 400, "No active user has that username"},
		{"AllocateOutsideTeam", sup, "/allocation", url.Values{"officer": {"test.prevent_officer"}, "due_at": {"2020-01-01"}}, 400, "not in the investigation"},
		{"AnalystMayNotAllocate", an, "/allocation", url.Values{"officer": {"test.analyst"}, "due_at": {"2020-01-01"}}, 403, ""},
		{"Allocate", sup, "/allocation", url.Values{"officer": {"test.analyst"}, "due_at": {"2020-01-01"}}, 303, ""},
		{"ResultWithoutCode", an, "/result", url.Values{"result": {"At work all day."}}, 400, "Select an elimination code"},
		{"Result", an, "/result", url.Values{"result": {"At work all day, confirmed by a colleague."}, "elimination_code": {"3"}}, 303, ""},
		{"ReviewWithoutDecision", sup, "/review", url.Values{}, 400, "Select accept or return"},
		{"Accept", sup, "/review", url.Values{"decision": {"accept"}}, 303, ""},
		{"File", sup, "/file", url.Values{}, 303, ""},
		{"FileAgain", sup, "/file", url.Values{}, 409, "this one is filed"},
	}
	for _, tc := range steps {
		t.Run(tc.name, func(t *testing.T) {
			res, body := tc.c.PostForm(t, act+tc.path, tc.form)
			if res.StatusCode != tc.status || !strings.Contains(body, tc.want) {
				t.Errorf("status %d, want %d with %q\n%s", res.StatusCode, tc.status, tc.want, body)
			}
		})
	}
	if res, body := an.Get(t, act); res.StatusCode != 200 || !strings.Contains(body, "filed") || !strings.Contains(body, "confirmed by a colleague") {
		t.Errorf("action page: %d\n%s", res.StatusCode, body)
	}
	if res, _ := prev.Get(t, act); res.StatusCode != http.StatusForbidden {
		t.Errorf("Prevent officer reads an action: %d", res.StatusCode)
	}
	if res, body := sup.Get(t, "/actions?overdue=yes"); res.StatusCode != 200 || !strings.Contains(body, "0 actions overdue") {
		t.Errorf("overdue list: %d\n%s", res.StatusCode, body)
	}
}

var subjectLoc = regexp.MustCompile(`^/subjects/(\d+)/decisions$`)

// TestPursueSubjectForms records a subject of interest through the form,
// sets its priority, assesses it and closes it, which puts a scheduled
// re-assessment on the closed-subject queue.
func TestPursueSubjectForms(t *testing.T) {
	e := MustEnv(t)
	inv := e.MustSignIn(t, contest.RoleInvestigator)
	an := e.MustSignIn(t, contest.RoleAnalyst)
	res, _ := inv.PostForm(t, "/investigations", url.Values{"operation": {"Rowan"}, "summary": {"Synthetic investigation."}, "classification": {"2"},
		"team": {"test.analyst"}})
	m := investigationLoc.FindStringSubmatch(res.Header.Get("Location"))
	if m == nil {
		t.Fatalf("open investigation: %d", res.StatusCode)
	}
	good := url.Values{"investigation_id": {m[1]}, "given_name": {"Orla"}, "family_name": {"Quillon"}, "date_of_birth": {"1991-04"}, "classification": {"2"},
		"tier": {"P2"}, "rationale": {"Reporting of attack planning, uncorroborated."}, "next_review_at": {"2027-03-01"},
		"intent": {"medium"}, "capability": {"low"}, "imminence": {"low"}}
	bad := url.Values{}
	for k, v := range good {
		bad[k] = v
	}
	bad.Set("rationale", "")
	bad.Set("imminence", "")
	res, body := inv.PostForm(t, "/subjects", bad)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Enter the rationale for the priority") || !strings.Contains(body, "Select the assessed imminence") {
		t.Fatalf("bad subject: %d\n%s", res.StatusCode, body)
	}
	res, body = inv.PostForm(t, "/subjects", good)
	sm := subjectLoc.FindStringSubmatch(res.Header.Get("Location"))
	if res.StatusCode != http.StatusSeeOther || sm == nil {
		t.Fatalf("record subject: %d\n%s", res.StatusCode, body)
	}
	subj := "/subjects/" + sm[1]
	for _, tc := range []struct {
		name   string
		c      *client
		path   string
		form   url.Values
		status int
		want   string
	}{
		{"AnalystMayNotSetPriority", an, "/priority", url.Values{"tier": {"P1"}, "rationale": {"x"}, "next_review_at": {"2027-01-01"}}, 403, ""},
		{"PriorityWithoutDate", inv, "/priority", url.Values{"tier": {"P1"}, "rationale": {"Second source."}}, 400, "Enter the next review date"},
		{"Priority", inv, "/priority", url.Values{"tier": {"P1"}, "rationale": {"Corroborated by a second source."}, "next_review_at": {"2027-01-01"}}, 303, ""},
		{"EmptyAssessment", inv, "/assessment", url.Values{}, 400, "Select the assessed intent"},
		{"Assessment", inv, "/assessment", url.Values{"intent": {"high"}, "capability": {"medium"}, "imminence": {"low"}}, 303, ""},
		{"CloseWithoutReason", inv, "/status", url.Values{"status": {"closed"}, "status_review_at": {"2027-06-01"}}, 400, "Enter why the subject is closed"},
		{"CloseWithoutDate", inv, "/status", url.Values{"status": {"closed"}, "reason": {"No further activity."}}, 400, "Enter the date of the closed subject"},
		{"Close", inv, "/status", url.Values{"status": {"closed"}, "reason": {"No further activity."}, "status_review_at": {"2027-06-01"}}, 303, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, body := tc.c.PostForm(t, subj+tc.path, tc.form)
			if res.StatusCode != tc.status || !strings.Contains(body, tc.want) {
				t.Errorf("status %d, want %d with %q\n%s", res.StatusCode, tc.status, tc.want, body)
			}
		})
	}
	if _, body := an.Get(t, subj+"/decisions"); !strings.Contains(body, "Corroborated by a second source.") || !strings.Contains(body, "No further activity.") {
		t.Errorf("decisions page:\n%s", body)
	}
	if _, body := inv.Get(t, "/reassessments"); !strings.Contains(body, "Scheduled review due 2027-06-01") {
		t.Errorf("closed-subject queue has no scheduled review:\n%s", body)
	}
}

// TestPursueLeadsAndOutcomes records and discards leads, opens an
// investigation from one, and records its outcomes through the forms.
func TestPursueLeadsAndOutcomes(t *testing.T) {
	e := MustEnv(t)
	inv := e.MustSignIn(t, contest.RoleInvestigator)
	an := e.MustSignIn(t, contest.RoleAnalyst)
	prev := e.MustSignIn(t, contest.RolePreventOfficer)
	for _, tc := range []struct {
		name   string
		c      *client
		form   url.Values
		status int
		want   string
	}{
		{"NoSource", an, url.Values{"summary": {"x"}, "classification": {"1"}}, 400, "Select where the lead came from"},
		{"Prevent", prev, url.Values{"source": {"partner"}, "summary": {"x"}, "classification": {"1"}}, 403, ""},
		{"Lead", an, url.Values{"source": {"partner"}, "summary": {"Synthetic partner lead about a storage unit."}, "classification": {"2"}}, 303, ""},
		{"Lead2", an, url.Values{"source": {"intelligence"}, "summary": {"Synthetic lead to discard."}, "classification": {"1"}}, 303, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, body := tc.c.PostForm(t, "/leads", tc.form)
			if res.StatusCode != tc.status || !strings.Contains(body, tc.want) {
				t.Errorf("status %d, want %d with %q\n%s", res.StatusCode, tc.status, tc.want, body)
			}
		})
	}
	leads, err := e.DB.FindLeads(context.Background(), e.MustActor(t, contest.RoleInvestigator), "open")
	if err != nil || len(leads) != 2 {
		t.Fatalf("leads %v %v", leads, err)
	}
	discard, convert := strconv.FormatInt(leads[0].ID, 10), strconv.FormatInt(leads[1].ID, 10)
	if res, body := inv.PostForm(t, "/leads/"+discard+"/discard", url.Values{}); res.StatusCode != 400 || !strings.Contains(body, "Enter the reason") {
		t.Errorf("discard without reason: %d\n%s", res.StatusCode, body)
	}
	if res, _ := inv.PostForm(t, "/leads/"+discard+"/discard", url.Values{"reason": {"Duplicate of an earlier lead."}}); res.StatusCode != 303 {
		t.Errorf("discard: %d", res.StatusCode)
	}
	if res, _ := inv.PostForm(t, "/leads/987654/discard", url.Values{"reason": {"x"}}); res.StatusCode != 404 {
		t.Errorf("discard a missing lead: %d", res.StatusCode)
	}
	res, _ := inv.PostForm(t, "/investigations", url.Values{"operation": {"Hazel"}, "summary": {"From a partner lead."}, "classification": {"2"}, "lead_id": {convert}})
	m := investigationLoc.FindStringSubmatch(res.Header.Get("Location"))
	if m == nil {
		t.Fatalf("open from lead: %d", res.StatusCode)
	}
	if _, body := inv.Get(t, "/leads?status=converted"); !strings.Contains(body, "/investigations/"+m[1]) {
		t.Errorf("converted lead does not link its investigation:\n%s", body)
	}
	for _, tc := range []struct {
		name   string
		form   url.Values
		status int
		want   string
	}{
		{"ArrestWithoutLegislation", url.Values{"type": {"arrest"}, "occurred_on": {"2026-10-01"}}, 400, "Enter the legislation used for the arrest"},
		{"BadSubject", url.Values{"type": {"disruption"}, "occurred_on": {"2026-10-01"}, "subject_id": {"abc"}}, 400, "Subject must be a number"},
		{"Arrest", url.Values{"type": {"arrest"}, "occurred_on": {"2026-10-01"}, "legislation": {"Terrorism Act 2000 s41"}}, 303, ""},
		{"Disruption", url.Values{"type": {"disruption"}, "occurred_on": {"2026-10-03"}}, 303, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.form.Set("investigation_id", m[1])
			res, body := inv.PostForm(t, "/outcomes", tc.form)
			if res.StatusCode != tc.status || !strings.Contains(body, tc.want) {
				t.Errorf("status %d, want %d with %q\n%s", res.StatusCode, tc.status, tc.want, body)
			}
		})
	}
	if _, body := inv.Get(t, "/outcomes?investigation_id="+m[1]); !strings.Contains(body, "Terrorism Act 2000 s41") {
		t.Errorf("outcomes page:\n%s", body)
	}
	// The analyst is not in Hazel's team: its outcomes are not counted.
	for _, tc := range []struct {
		c    *client
		want string
	}{{inv, `Arrest</td><td class="govuk-table__cell govuk-table__cell--numeric">1<`}, {an, `Arrest</td><td class="govuk-table__cell govuk-table__cell--numeric">0<`}} {
		if _, body := tc.c.Get(t, "/outcomes"); !strings.Contains(body, tc.want) {
			t.Errorf("counts do not show %q:\n%s", tc.want, body)
		}
	}
	if res, _ := an.Get(t, "/outcomes?investigation_id="+m[1]); res.StatusCode != 404 {
		t.Errorf("outcomes of a hidden investigation: %d", res.StatusCode)
	}
}

var entityLoc = regexp.MustCompile(`^/entities/(\d+)$`)

// TestPursuePOLEForms records entities and a link through the forms; a
// hidden entity number is refused the same way as a missing one.
func TestPursuePOLEForms(t *testing.T) {
	e := MustEnv(t)
	inv := e.MustSignIn(t, contest.RoleInvestigator)
	an := e.MustSignIn(t, contest.RoleAnalyst)
	open := func(op, team string) string {
		t.Helper()
		res, _ := inv.PostForm(t, "/investigations", url.Values{"operation": {op}, "summary": {"Synthetic."}, "classification": {"2"}, "team": {team}})
		m := investigationLoc.FindStringSubmatch(res.Header.Get("Location"))
		if m == nil {
			t.Fatalf("open %s: %d", op, res.StatusCode)
		}
		return m[1]
	}
	alder, birch := open("Alder", "test.analyst"), open("Birch", "")
	entity := func(c *client, invID, typ, label string) string {
		t.Helper()
		res, body := c.PostForm(t, "/entities", url.Values{"investigation_id": {invID}, "type": {typ}, "label": {label}})
		m := entityLoc.FindStringSubmatch(res.Header.Get("Location"))
		if m == nil {
			t.Fatalf("record %s: %d\n%s", label, res.StatusCode, body)
		}
		return m[1]
	}
	if res, body := an.PostForm(t, "/entities", url.Values{"investigation_id": {alder}, "type": {""}, "label": {"x"}}); res.StatusCode != 400 || !strings.Contains(body, "Select the type of entity") {
		t.Errorf("no type: %d", res.StatusCode)
	}
	phone, van := entity(an, alder, "telephone", "07700 900123"), entity(an, alder, "vehicle", "Blue hire van")
	flat := entity(inv, birch, "address", "Flat 2, 14 Synthetic Road")
	good := url.Values{"type": {"seen with"}, "source": {"Surveillance log 12"}, "source_grade": {"1"}, "intel_grade": {"B"}, "handling": {"P"}}
	with := func(to string) url.Values {
		v := url.Values{"to": {to}}
		for k, x := range good {
			v[k] = x
		}
		return v
	}
	for _, tc := range []struct {
		name   string
		c      *client
		from   string
		form   url.Values
		status int
		want   string
	}{
		{"HiddenEnd", an, phone, with(flat), 400, "There is no entity with that number that you may see"},
		{"MissingEnd", an, phone, with("987654"), 400, "There is no entity with that number that you may see"},
		{"NoGrading", an, phone, url.Values{"to": {van}, "type": {"x"}, "source": {"y"}}, 400, "Select the source evaluation"},
		{"Link", an, phone, with(van), 303, ""},
		{"AcrossInvestigations", inv, van, with(flat), 303, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, body := tc.c.PostForm(t, "/entities/"+tc.from+"/links", tc.form)
			if res.StatusCode != tc.status || !strings.Contains(body, tc.want) {
				t.Errorf("status %d, want %d with %q\n%s", res.StatusCode, tc.status, tc.want, body)
			}
		})
	}
	_, body := an.Get(t, "/entities/"+van)
	if !strings.Contains(body, `href="/entities/`+phone+`"`) || strings.Contains(body, `href="/entities/`+flat+`"`) {
		t.Errorf("analyst's view of the van shows the hidden end or misses the visible one:\n%s", body)
	}
	if _, body := inv.Get(t, "/entities/"+van); !strings.Contains(body, `href="/entities/`+flat+`"`) || !strings.Contains(body, "1BP") {
		t.Errorf("opener's view of the van misses the link to the flat")
	}
	if res, _ := an.Get(t, "/entities/"+flat); res.StatusCode != 404 {
		t.Errorf("hidden entity: %d", res.StatusCode)
	}
}
