package web_test

import (
	"bytes"
	"mime/multipart"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/contest-ct/contest"
)

// TestPremisesPages: a security adviser registers premises (the tier comes
// from the capacity), records an assessment with a finding, attaches a
// plan, and sees what falls due on the register's queue.
func TestPremisesPages(t *testing.T) {
	e := MustEnv(t)
	adv := e.MustSignIn(t, contest.RoleSecurityAdv)
	biz := e.Orgs[contest.OrgBusiness]
	res, body := adv.PostForm(t, "/premises", url.Values{"name": {"Harbour Arena"}, "address": {"1 Quay"}, "capacity": {"lots"}, "org_id": {itoa(biz.ID)}, "responsible_person": {"A Person"}})
	if res.StatusCode != 400 || !strings.Contains(body, "Enter how many people") {
		t.Fatalf("bad capacity: %d", res.StatusCode)
	}
	res, _ = adv.PostForm(t, "/premises", url.Values{"name": {"Harbour Arena"}, "address": {"1 Quay"}, "capacity": {"950"}, "org_id": {itoa(biz.ID)}, "responsible_person": {"A Person"}})
	if res.StatusCode != 303 {
		t.Fatalf("register: %d", res.StatusCode)
	}
	loc := res.Header.Get("Location")
	_, body = adv.Get(t, loc)
	if !strings.Contains(body, "Enhanced tier (800 or more people)") || !strings.Contains(body, "Record an assessment") {
		t.Fatalf("premises page:\n%.3000s", body)
	}
	_, body = adv.Get(t, "/premises")
	if !strings.Contains(body, "Never assessed") {
		t.Fatalf("the queue lacks the new premises:\n%.3000s", body)
	}
	today := time.Now().UTC()
	res, _ = adv.PostForm(t, loc+"/assessments", url.Values{"assessed_at": {today.Format(time.DateOnly)}, "summary": {"Good search regime."},
		"next_review_at": {today.AddDate(0, 0, 14).Format(time.DateOnly)}, "finding_1": {"Fit bollards"}, "finding_1_priority": {"high"},
		"finding_1_due": {today.AddDate(0, 0, 7).Format(time.DateOnly)}})
	if res.StatusCode != 303 {
		t.Fatalf("assessment: %d", res.StatusCode)
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("plan", "security-plan.pdf")
	fw.Write([]byte("%PDF-1.4 synthetic plan"))
	mw.Close()
	res, body = adv.Do(t, "POST", loc+"/plans", &buf, map[string]string{"Content-Type": mw.FormDataContentType(), "Sec-Fetch-Site": "same-origin"})
	if res.StatusCode != 303 {
		t.Fatalf("plan: %d\n%.2000s", res.StatusCode, body)
	}
	_, body = adv.Get(t, loc)
	if !strings.Contains(body, "Fit bollards") || !strings.Contains(body, "security-plan.pdf") {
		t.Fatalf("after assessment:\n%.4000s", body)
	}
	_, body = adv.Get(t, "/premises/reviews")
	if !strings.Contains(body, "high priority: Fit bollards") || !strings.Contains(body, "Protective-security review due") {
		t.Fatalf("reviews queue:\n%.3000s", body)
	}
	// The business sees its premises but may not assess them.
	partner := e.MustSignIn(t, contest.RolePartner)
	if res, body = partner.Get(t, loc); res.StatusCode != 200 || strings.Contains(body, "Record an assessment") {
		t.Fatalf("partner: %d", res.StatusCode)
	}
}

// TestTrainingPage: a partner records training for its own people and
// sees the counts by sector.
func TestTrainingPage(t *testing.T) {
	e := MustEnv(t)
	partner := e.MustSignIn(t, contest.RolePartner)
	biz := e.Orgs[contest.OrgBusiness]
	res, body := partner.PostForm(t, "/training", url.Values{"person_name": {""}, "module": {"act_awareness"}, "org_id": {itoa(biz.ID)}})
	if res.StatusCode != 400 || !strings.Contains(body, "Enter the name of the person trained") {
		t.Fatalf("bad: %d", res.StatusCode)
	}
	res, _ = partner.PostForm(t, "/training", url.Values{"person_name": {"Jo Steward"}, "module": {"act_awareness"}, "org_id": {itoa(biz.ID)},
		"completed_at": {time.Now().UTC().Format(time.DateOnly)}})
	if res.StatusCode != 303 {
		t.Fatalf("record: %d", res.StatusCode)
	}
	_, body = partner.Get(t, "/training")
	if !strings.Contains(body, "Jo Steward") || !strings.Contains(body, "No sector") || !strings.Contains(body, "ACT Awareness e-learning") {
		t.Fatalf("training page:\n%.3000s", body)
	}
}
