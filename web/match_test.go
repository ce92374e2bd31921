package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/db"
)

// mustPossibleMatch stores a closed subject and a Prevent referral of the
// same (made-up) person written differently, runs the matcher, and returns
// the one possible match.
func (e *testEnv) mustPossibleMatch(tb testing.TB) (*contest.Subject, *contest.PreventReferral, int64) {
	tb.Helper()
	ctp := e.Orgs[contest.OrgCTP].ID
	s := &contest.Subject{GivenName: "Yusuf", FamilyName: "Brannigan-Okoro", DateOfBirth: "1990-03-04", Status: contest.SubjectClosed,
		ClosedReason: "no further concern", Meta: contest.Meta{OwnerOrgID: ctp}}
	r := &contest.PreventReferral{Reference: "PR-WEB-1", GivenName: "Yousef", FamilyName: "Brannigan Okoro", DateOfBirth: "1990-04-03",
		Sector: "education", Concern: "mixed", Meta: contest.Meta{OwnerOrgID: ctp, Area: "Northshire"}}
	err := e.DB.BulkLoad(tb.Context(), contest.SystemActor("test"), func(b *db.Bulk) error {
		if err := b.Subject(s); err != nil {
			return err
		}
		return b.PreventReferral(r)
	})
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := e.DB.MatchPending(tb.Context()); err != nil {
		tb.Fatal(err)
	}
	ms, n, err := e.DB.FindPossibleMatches(tb.Context(), contest.SystemActor("test"), contest.MatchFilter{Status: contest.MatchOpen})
	if err != nil || n != 1 {
		tb.Fatalf("possible matches: %d %v", n, err)
	}
	return s, r, ms[0].ID
}

func TestPossibleMatchPages(t *testing.T) {
	e := MustEnv(t)
	subject, _, id := e.mustPossibleMatch(t)
	sup := e.MustSignIn(t, contest.RoleSupervisor)
	page := fmt.Sprintf("/possible-matches/%d", id)

	res, body := sup.Get(t, "/possible-matches")
	if res.StatusCode != 200 || !strings.Contains(body, "Brannigan Okoro") || !strings.Contains(body, "1 possible match;") {
		t.Fatalf("queue: %d\n%.2000s", res.StatusCode, body)
	}
	res, body = sup.Get(t, page)
	for _, want := range []string{"Are these one person?", `class="contest-waterfall"`, "date_of_birth", "Reasons, in bits of weight",
		"Prevent referral", "Subject of interest", `name="decision" type="radio" value="confirm"`, "OFFICIAL"} {
		if res.StatusCode != 200 || !strings.Contains(body, want) {
			t.Errorf("match page lacks %q (%d)", want, res.StatusCode)
		}
	}
	// Bad input: an error summary, and nothing decided.
	res, body = sup.PostForm(t, page+"/decision", url.Values{"decision": {"confirm"}, "reason": {"  "}})
	if res.StatusCode != http.StatusUnprocessableEntity && res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "govuk-error-summary") ||
		!strings.Contains(body, "Enter the reason for your decision") {
		t.Errorf("empty reason: %d\n%.1500s", res.StatusCode, body)
	}
	res, _ = sup.PostForm(t, page+"/decision", url.Values{"decision": {"confirm"}, "reason": {"Same date of birth, day and month swapped"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("confirm: %d", res.StatusCode)
	}
	if _, body = sup.Get(t, page); !strings.Contains(body, "Confirmed") || !strings.Contains(body, "Same date of birth, day and month swapped") ||
		!strings.Contains(body, `value="unlink"`) {
		t.Errorf("after confirming:\n%.3000s", body)
	}

	// The investigator may not see the referral: the match looks missing.
	inv := e.MustSignIn(t, contest.RoleInvestigator)
	r1, b1 := inv.Get(t, page)
	missing := fmt.Sprintf("/possible-matches/%d", id+1000)
	r2, b2 := inv.Get(t, missing)
	if r1.StatusCode != 404 || r1.StatusCode != r2.StatusCode || normaliseBody(b1, page) != normaliseBody(b2, missing) {
		t.Errorf("hidden match: %d, missing: %d", r1.StatusCode, r2.StatusCode)
	}
	// But the closed subject has its re-assessment in the queue.
	res, body = inv.Get(t, "/reassessments")
	if res.StatusCode != 200 || !strings.Contains(body, "Yusuf Brannigan-Okoro") || !strings.Contains(body, "New possible match") {
		t.Fatalf("re-assessments: %d\n%.2000s", res.StatusCode, body)
	}
	var raID int64
	if items, _, err := e.DB.FindReassessments(t.Context(), contest.SystemActor("test"), "open", 0, 10); err != nil || len(items) != 1 {
		t.Fatalf("re-assessments: %v %v", items, err)
	} else {
		raID = items[0].ID
	}
	res, body = inv.PostForm(t, fmt.Sprintf("/reassessments/%d/decision", raID), url.Values{"reason": {"x"}})
	if res.StatusCode == http.StatusSeeOther || !strings.Contains(body, "Select reopen or no change") {
		t.Errorf("no decision: %d", res.StatusCode)
	}
	res, _ = inv.PostForm(t, fmt.Sprintf("/reassessments/%d/decision", raID), url.Values{"decision": {"reopen"}, "reason": {"Renewed contact"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("reopen: %d", res.StatusCode)
	}
	s, err := e.DB.FindSubjectByID(t.Context(), contest.SystemActor("test"), subject.ID)
	if err != nil || s.Status != contest.SubjectActive {
		t.Errorf("subject after reopening: %+v %v", s, err)
	}
}

func TestPossibleMatchAPI(t *testing.T) {
	e := MustEnv(t)
	_, referral, id := e.mustPossibleMatch(t)
	sup := e.MustAPI(t, contest.RoleSupervisor)
	_, router := MustOpenAPI(t)
	res, body := sup.Get(t, "/api/v1/possible-matches")
	checkDocument(t, router, "GET", "/api/v1/possible-matches", "", res, body)
	var lst struct {
		Items []contest.PossibleMatch `json:"items"`
		Total int                     `json:"total"`
	}
	if res.StatusCode != 200 || json.Unmarshal([]byte(body), &lst) != nil || lst.Total != 1 || len(lst.Items[0].Reasons) < 3 {
		t.Fatalf("list: %d %s", res.StatusCode, body)
	}
	// The Prevent officer sees nothing of the subject.
	prev := e.MustAPI(t, contest.RolePreventOfficer)
	if res, body := prev.Get(t, fmt.Sprintf("/api/v1/possible-matches/%d", id)); res.StatusCode != 404 || strings.Contains(body, "Brannigan-Okoro") {
		t.Errorf("prevent officer: %d %s", res.StatusCode, body)
	}
	if ms, n, err := e.DB.FindPossibleMatches(t.Context(), e.MustActor(t, contest.RolePreventOfficer), contest.MatchFilter{SourceKind: contest.KindPreventCase, SourceID: referral.ID}); err != nil || n != 1 || ms[0].Status != contest.MatchReferred {
		t.Errorf("referred stub: %v %d %v", ms, n, err)
	}
	for _, c := range []struct {
		body string
		want int
	}{
		{`{"decision":"confirm"}`, 422},
		{`{"decision":"confirm","reason":"x","extra":1}`, 422},
		{`{"decision":`, 422},
		{`{"decision":"reject","reason":"Different people: the addresses never overlap"}`, 200},
		{`{"decision":"confirm","reason":"again"}`, 409},
	} {
		res, body := sup.Do(t, "POST", fmt.Sprintf("/api/v1/possible-matches/%d/decision", id), strings.NewReader(c.body), map[string]string{"Content-Type": "application/json"})
		if res.StatusCode != c.want {
			t.Errorf("%s: %d, want %d: %s", c.body, res.StatusCode, c.want, body)
		}
		checkDocument(t, router, "POST", fmt.Sprintf("/api/v1/possible-matches/%d/decision", id), c.body, res, body)
	}
	inv := e.MustAPI(t, contest.RoleInvestigator)
	res, body = inv.Get(t, "/api/v1/reassessments")
	checkDocument(t, router, "GET", "/api/v1/reassessments", "", res, body)
	var ras struct {
		Items []contest.Reassessment `json:"items"`
	}
	if res.StatusCode != 200 || json.Unmarshal([]byte(body), &ras) != nil || len(ras.Items) != 1 {
		t.Fatalf("re-assessments: %d %s", res.StatusCode, body)
	}
	path := fmt.Sprintf("/api/v1/reassessments/%d/decision", ras.Items[0].ID)
	for _, c := range []struct {
		body string
		want int
	}{
		{`{"decision":"perhaps","reason":"x"}`, 422},
		{`{"decision":"no_change","reason":"The referral adds nothing new"}`, 200},
		{`{"decision":"reopen","reason":"again"}`, 409},
	} {
		res, body := inv.Do(t, "POST", path, strings.NewReader(c.body), map[string]string{"Content-Type": "application/json"})
		if res.StatusCode != c.want {
			t.Errorf("%s: %d, want %d: %s", c.body, res.StatusCode, c.want, body)
		}
		checkDocument(t, router, "POST", path, c.body, res, body)
	}
}
