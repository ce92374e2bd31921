package web_test

import (
	"context"
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

// mustSignInAs adds a CTC-vetted user of role in the fixture organisation
// of kind and signs them in.
func (e *testEnv) mustSignInAs(tb testing.TB, username string, role contest.Role, kind contest.OrgKind) (*client, *contest.User) {
	tb.Helper()
	u := &contest.User{Username: username, DisplayName: "Test " + username, Role: role, Vetting: contest.CTC, OrgID: e.Orgs[kind].ID}
	if err := e.DB.CreateUser(context.Background(), contest.SystemActor("test"), u, e.Password); err != nil {
		tb.Fatal(err)
	}
	c := e.Anon()
	if res, body := c.PostForm(tb, "/sign-in", url.Values{"username": {username}, "password": {e.Password}}); res.StatusCode != http.StatusSeeOther {
		tb.Fatalf("sign in %s: %d\n%s", username, res.StatusCode, body)
	}
	return c, u
}

func TestPanelPages(t *testing.T) {
	e := MustEnv(t)
	e.mustTeacher(t)
	ctx := context.Background()
	teacher, officerA := e.MustActor(t, contest.RolePartner), e.MustActor(t, contest.RolePreventOfficer)
	var refs []*contest.PreventReferral
	for _, name := range []string{"Panelweb", "Panelweb Two"} {
		f := goodReferralForm()
		f.Set("family_name", name)
		req, err := web.ReferralFromValues(f)
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
		if _, err := e.DB.DecidePreventScreening(ctx, officerA, v.ID, contest.ScreenPanel, "Synthetic.", ""); err != nil {
			t.Fatal(err)
		}
		refs = append(refs, v)
	}
	chair := e.MustSignIn(t, contest.RolePanelMember)
	health, hu := e.mustSignInAs(t, "test.health", contest.RolePanelMember, contest.OrgHealth)
	if _, body := chair.Get(t, "/panels"); !strings.Contains(body, "Convene a meeting") {
		t.Fatalf("list:\n%.1500s", body)
	}
	for _, c := range []struct {
		form  url.Values
		field string
	}{
		{url.Values{"date": {"tomorrow"}, "time": {"10:00"}}, "date"},
		{url.Values{"date": {"2026-12-01"}, "time": {"10:00"}, "members": {"test.health\nnobody"}}, "members"},
	} {
		res, body := chair.PostForm(t, "/panels", c.form)
		if res.StatusCode != 400 || !strings.Contains(body, `href="#`+c.field+`"`) {
			t.Errorf("bad meeting: %d, want an error on %s", res.StatusCode, c.field)
		}
	}
	res, _ := chair.PostForm(t, "/panels", url.Values{"date": {"2026-12-01"}, "time": {"10:00"}, "members": {"test.health\n"}})
	page := res.Header.Get("Location")
	if res.StatusCode != 303 || !regexp.MustCompile(`^/panels/\d+$`).MatchString(page) {
		t.Fatalf("convene: %d %q", res.StatusCode, page)
	}
	if res, _ = chair.PostForm(t, page+"/agenda", url.Values{}); res.StatusCode != 303 {
		t.Fatalf("agenda: %d", res.StatusCode)
	}
	if res, _ = chair.PostForm(t, page+"/papers", url.Values{"title": {"Summary of Panelweb"}, "body": {"Synthetic paper."}}); res.StatusCode != 303 {
		t.Fatalf("paper: %d", res.StatusCode)
	}
	for _, c := range []struct {
		name   string
		c      *client
		papers bool
	}{{"chair", chair, true}, {"health member", health, true}, {"police, not a member", e.MustSignIn(t, contest.RolePreventOfficer), false}} {
		res, body := c.c.Get(t, page)
		if res.StatusCode != 200 || !strings.Contains(body, refs[0].Reference) || !strings.Contains(body, refs[1].Reference) ||
			strings.Contains(body, "Summary of Panelweb") != c.papers || strings.Contains(body, "shown only to its members") == c.papers ||
			strings.Contains(body, "Shared violent material.") != c.papers {
			t.Errorf("%s: %d, papers shown %v", c.name, res.StatusCode, strings.Contains(body, "Summary of Panelweb"))
		}
	}
	if res, _ = health.PostForm(t, page+"/attendance", url.Values{fmt.Sprintf("attendance_%d", hu.ID): {"apologies"}}); res.StatusCode != 303 {
		t.Errorf("attendance: %d", res.StatusCode)
	}
	m, err := e.DB.FindPanelMeetingByID(ctx, contest.SystemActor("test"), mustID(t, page))
	if err != nil || len(m.Agenda) != 2 {
		t.Fatalf("meeting %+v %v", m, err)
	}
	for _, pm := range m.Members {
		if pm.UserID == hu.ID && pm.Attendance != "apologies" {
			t.Errorf("attendance %s", pm.Attendance)
		}
	}
	item := m.Agenda[0].ID
	decide := fmt.Sprintf("%s/agenda/%d/decision", page, item)
	res, body := chair.PostForm(t, decide, url.Values{})
	if res.StatusCode != 400 || !strings.Contains(body, fmt.Sprintf(`href="#decision_%d"`, item)) || !strings.Contains(body, fmt.Sprintf(`href="#minutes_%d"`, item)) {
		t.Errorf("empty decision: %d", res.StatusCode)
	}
	n := fmt.Sprint(item)
	if res, _ = chair.PostForm(t, decide, url.Values{"decision_" + n: {"adopt"}, "minutes_" + n: {"Adopted; synthetic minute."}, "actions_" + n: {"Seek consent."}}); res.StatusCode != 303 {
		t.Fatalf("decide: %d", res.StatusCode)
	}
	if _, body = chair.Get(t, page); !strings.Contains(body, "Adopt as a Channel case") || !strings.Contains(body, "Adopted; synthetic minute.") {
		t.Errorf("minute not shown")
	}
	if v, _ := e.DB.FindPreventReferralByID(ctx, officerA, m.Agenda[0].ReferralID); v.Stage != "adopted" {
		t.Errorf("stage %s after adoption", v.Stage)
	}
}

func mustID(t *testing.T, path string) int64 {
	t.Helper()
	var id int64
	if _, err := fmt.Sscanf(path[strings.LastIndex(path, "/")+1:], "%d", &id); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestDDPAndDeconflictionPages(t *testing.T) {
	e := MustEnv(t)
	off := e.MustSignIn(t, contest.RolePreventOfficer)
	res, body := off.PostForm(t, "/ddp", url.Values{"family_name": {""}, "basis": {"parole"}})
	if res.StatusCode != 400 || !strings.Contains(body, `href="#basis"`) || !strings.Contains(body, `href="#provider"`) {
		t.Errorf("bad case: %d", res.StatusCode)
	}
	res, _ = off.PostForm(t, "/ddp", url.Values{"given_name": {"Testa"}, "family_name": {"Ddpweb"}, "basis": {"licence"}, "mandated": {"yes"}, "provider": {"Provider A"}})
	page := res.Header.Get("Location")
	if res.StatusCode != 303 || !strings.HasPrefix(page, "/ddp/") {
		t.Fatalf("create: %d %q", res.StatusCode, page)
	}
	if res, body = off.PostForm(t, page+"/sessions", url.Values{"held_at": {"yesterday"}}); res.StatusCode != 400 || !strings.Contains(body, `href="#held_at"`) {
		t.Errorf("bad session: %d", res.StatusCode)
	}
	if res, _ = off.PostForm(t, page+"/sessions", url.Values{"held_at": {"2026-01-05"}, "progress": {"Engaged with the mentor."}}); res.StatusCode != 303 {
		t.Fatalf("session: %d", res.StatusCode)
	}
	if res, body = off.Get(t, page); res.StatusCode != 200 || !strings.Contains(body, "Engaged with the mentor.") || !strings.Contains(body, "Mandated") {
		t.Errorf("case page: %d", res.StatusCode)
	}
	if _, body = off.Get(t, "/ddp"); !strings.Contains(body, "Ddpweb") {
		t.Errorf("list lacks the case")
	}
	// A local authority's panel member may not see DDP cases.
	if res, _ = e.MustSignIn(t, contest.RolePanelMember).Get(t, page); res.StatusCode == 200 {
		t.Errorf("panel member sees a DDP case")
	}
	// The deconflictions are for Pursue readers only.
	if res, _ = e.MustSignIn(t, contest.RoleInvestigator).Get(t, "/prevent/deconflictions"); res.StatusCode != 200 {
		t.Errorf("investigator: %d", res.StatusCode)
	}
	if res, _ = off.PostForm(t, "/prevent/deconflictions/1", url.Values{"conflict_1": {"no"}, "reason_1": {"x"}}); res.StatusCode != 403 {
		t.Errorf("prevent officer resolved: %d", res.StatusCode)
	}
	if res, _ = off.Get(t, "/prevent/deconflictions"); res.StatusCode != 403 {
		t.Errorf("prevent officer: %d", res.StatusCode)
	}
}

func TestPreventStatsPages(t *testing.T) {
	e := MustEnv(t)
	ctp := e.Orgs[contest.OrgCTP].ID
	stages := []string{"referred", "panel", "adopted", "exited"}
	err := e.DB.BulkLoad(context.Background(), contest.SystemActor("test"), func(b *db.Bulk) error {
		for i := range 40 {
			r := &contest.PreventReferral{Reference: fmt.Sprintf("PR-W-%03d", i), GivenName: "Testa", FamilyName: fmt.Sprintf("Statweb%d", i),
				Sector: "education", Concern: "=incel", Age: 10 + i, Gender: "female", Region: "North East", Stage: stages[i%4],
				ReferredAt: time.Date(2025, 5, 1+i%28, 0, 0, 0, 0, time.UTC), Meta: contest.Meta{OwnerOrgID: ctp, Area: "Northshire", Classification: contest.OfficialSensitive}}
			if err := b.PreventReferral(r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	off := e.MustSignIn(t, contest.RolePreventOfficer)
	res, body := off.Get(t, "/prevent/statistics?year=2025")
	for _, want := range []string{"April 2025 to March 2026", "Data as at", "<svg", "The journey of the year&#39;s referrals", ">40<", ">30<", ">20<", ">10<", "Under 15", "Female", "Education"} {
		if res.StatusCode != 200 || !strings.Contains(body, want) {
			t.Errorf("statistics page: %d, no %q", res.StatusCode, want)
		}
	}
	res, body = off.Get(t, "/prevent/statistics.csv?year=2025")
	lines := strings.Split(strings.TrimSpace(body), "\n")
	if res.StatusCode != 200 || !strings.HasPrefix(lines[0], "financial_year,data_date,breakdown") || !strings.Contains(body, "2025-26,") ||
		!strings.Contains(body, ",all,All referrals,40,30,20,10") || !strings.Contains(body, ",concern,'=incel,40,") {
		t.Errorf("csv: %d\n%s", res.StatusCode, body)
	}
	if res, body = off.Get(t, "/prevent/statistics?year=soon"); res.StatusCode != 400 || !strings.Contains(body, `href="#year"`) {
		t.Errorf("bad year: %d", res.StatusCode)
	}
	if res, _ = e.MustSignIn(t, contest.RoleInvestigator).Get(t, "/prevent/statistics"); res.StatusCode != 403 {
		t.Errorf("investigator: %d", res.StatusCode)
	}
}

// TestPanelAndDDPHiddenLookMissing: another area's meeting and another
// organisation's DDP case answer exactly as ones that do not exist.
func TestPanelAndDDPHiddenLookMissing(t *testing.T) {
	e := MustEnv(t)
	ctx := context.Background()
	m := &contest.PanelMeeting{HeldAt: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)}
	if err := e.DB.CreatePanelMeeting(ctx, e.MustActor(t, contest.RolePanelMember), m, nil); err != nil {
		t.Fatal(err)
	}
	c := &contest.DDPCase{FamilyName: "Hiddenddp", Basis: "licence", Provider: "P"}
	if err := e.DB.CreateDDPCase(ctx, e.MustActor(t, contest.RolePreventOfficer), c); err != nil {
		t.Fatal(err)
	}
	south := &contest.Org{Name: "Test Southvale Council", Kind: contest.OrgLocalAuthority, Area: "Southvale"}
	if err := e.DB.CreateOrg(ctx, contest.SystemActor("test"), south); err != nil {
		t.Fatal(err)
	}
	e.Orgs[contest.OrgLocalAuthority] = south
	la, _ := e.mustSignInAs(t, "test.southvale", contest.RolePanelMember, contest.OrgLocalAuthority)
	probation, _ := e.mustSignInAs(t, "test.probation", contest.RolePreventOfficer, contest.OrgPrisonProbation)
	for _, c := range []struct {
		who          *client
		hidden, miss string
	}{
		{la, fmt.Sprintf("/panels/%d", m.ID), "/panels/987654"},
		{probation, fmt.Sprintf("/ddp/%d", c.ID), "/ddp/987654"},
	} {
		rh, bh := c.who.Get(t, c.hidden)
		rm, bm := c.who.Get(t, c.miss)
		if rh.StatusCode != 404 || rh.StatusCode != rm.StatusCode || normaliseBody(bh, c.hidden) != normaliseBody(bm, c.miss) {
			t.Errorf("%s: hidden %d, missing %d", c.hidden, rh.StatusCode, rm.StatusCode)
		}
	}
}
