package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/db"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

const chromiumPath = "/usr/bin/chromium"

// repoRoot is the directory holding go.mod, found from the test's working
// directory (the package directory).
func repoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
}

// TestBrowser runs e2e/browser.mjs (playwright-core driving Debian's
// Chromium, with axe-core) against a real "contest serve" started through
// Main. Screenshots go to testdata/out/browser.
func TestBrowser(t *testing.T) {
	if os.Getenv("CONTEST_TEST_BROWSER") != "1" {
		t.Skip("browser test skipped: set CONTEST_TEST_BROWSER=1 (as .ci/run does) to drive Chromium through the web UI")
	}
	root := repoRoot(t)
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("browser test skipped: %s is missing; run: apt-get install -y --no-install-recommends chromium fonts-liberation", chromiumPath)
	}
	if _, err := os.Stat(filepath.Join(root, "e2e", "node_modules", "playwright-core")); err != nil {
		t.Skip("browser test skipped: e2e/node_modules is missing; run: (cd e2e && npm ci)")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("browser test skipped: node is not on PATH; install Node.js 20 or later")
	}
	out := filepath.Join(root, "testdata", "out", "browser")
	if err := os.RemoveAll(out); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	c := newCLI(t, dir, "")
	orgID := mustID(t, c.do("org", "add", "--name", "Westvale Counter Terrorism Policing Unit", "--kind", "ct_policing", "--area", "Westvale"))
	const userPW, adminPW, auditorPW, preventPW = "synthetic-browser-pass-1", "synthetic-browser-admin-2", "synthetic-browser-audit-3", "synthetic-browser-prevent-4"
	c.withPassword(userPW, func() {
		c.do("user", "add", "--username", "e2e.investigator", "--name", "Rowan Examplewood", "--org", orgID, "--role", "investigator", "--vetting", "CTC")
	})
	c.withPassword(adminPW, func() {
		c.do("user", "add", "--username", "e2e.admin", "--name", "Morgan Sampleton", "--org", orgID, "--role", "administrator", "--vetting", "CTC")
	})
	c.withPassword(auditorPW, func() {
		c.do("user", "add", "--username", "e2e.auditor", "--name", "Quinn Placeholder", "--org", orgID, "--role", "auditor", "--vetting", "CTC")
	})
	c.withPassword(preventPW, func() {
		c.do("user", "add", "--username", "e2e.prevent", "--name", "Jordan Fictionby", "--org", orgID, "--role", "prevent_officer", "--vetting", "CTC")
	})
	secret := enrolTOTP(t, dir, "e2e.admin")
	record, referral := loadStrandWork(t, dir, "e2e.investigator", "e2e.prevent")

	srv := c.startServe(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "browser.mjs")
	cmd.Dir = filepath.Join(root, "e2e")
	cmd.Env = append(os.Environ(),
		"BASE_URL="+srv.URL,
		"USERNAME=e2e.investigator", "PASSWORD="+userPW,
		"ADMIN_USERNAME=e2e.admin", "ADMIN_PASSWORD="+adminPW, "ADMIN_TOTP_SECRET="+secret,
		"AUDITOR_USERNAME=e2e.auditor", "AUDITOR_PASSWORD="+auditorPW,
		"RECORD_PATH="+record,
		"PREVENT_USERNAME=e2e.prevent", "PREVENT_PASSWORD="+preventPW, "REFERRAL_PATH="+referral,
		"OUT_DIR="+out,
		"CHROMIUM="+chromiumPath,
	)
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	summary := ""
	sc := bufio.NewScanner(pr)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		line := sc.Text()
		t.Log(line)
		if strings.HasPrefix(line, "browser: ") {
			summary = line
		}
	}
	pr.Close()
	if err := cmd.Wait(); err != nil {
		t.Errorf("node browser.mjs: %v (%s); screenshots in %s", err, summary, out)
	} else if !strings.HasSuffix(summary, " 0 failed") {
		t.Errorf("node browser.mjs exited 0 without a clean summary: %q", summary)
	}
	shots, _ := filepath.Glob(filepath.Join(out, "*.png"))
	if len(shots) < 10 {
		t.Errorf("only %d screenshots in %s", len(shots), out)
	}
}

// loadStrandWork gives an investigator and a Prevent officer strand work
// to see on their home pages: an operation's compartment with the
// investigator in it, an investigation they lead in that compartment, two
// of its subjects of interest (one overdue for review), and two Prevent
// referrals, one owned by the officer. It returns the addresses of the
// investigation's page and the officer's referral's page.
func loadStrandWork(t testing.TB, dataDir, username, preventUsername string) (string, string) {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, db.Config{DataDir: dataDir})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	sys := contest.SystemActor("test")
	u, err := d.FindUserByUsername(ctx, sys, username)
	if err != nil {
		t.Fatal(err)
	}
	po, err := d.FindUserByUsername(ctx, sys, preventUsername)
	if err != nil {
		t.Fatal(err)
	}
	comp := &contest.Compartment{Name: "Operation Examplemoor", Description: "Synthetic compartment for the browser test"}
	if err := d.CreateCompartment(ctx, sys, comp); err != nil {
		t.Fatal(err)
	}
	if err := d.SetCompartmentMember(ctx, sys, comp.ID, u.ID, true); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(24 * time.Hour)
	meta := contest.Meta{Classification: contest.OfficialSensitive, OwnerOrgID: u.OrgID, Area: "Westvale", Compartments: []int64{comp.ID}}
	inv := &contest.Investigation{Operation: "Examplemoor", Summary: "Synthetic investigation for the browser test.", LeadUserID: u.ID,
		OpenedAt: now.AddDate(0, -2, 0), Meta: meta}
	ref := &contest.PreventReferral{Reference: "PR-E2E-0001", GivenName: "Dana", FamilyName: "Examplethorpe", Sector: "education",
		Concern: "other", Age: 15, Gender: "unknown", Region: "Westvale region", Stage: "screening", ReferredAt: now.AddDate(0, 0, -6),
		OwnerUserID: po.ID, Meta: contest.Meta{Classification: contest.OfficialSensitive, OwnerOrgID: po.OrgID, Area: "Westvale"}}
	err = d.BulkLoad(ctx, sys, func(b *db.Bulk) error {
		if err := b.Investigation(inv); err != nil {
			return err
		}
		for i, s := range []*contest.Subject{
			{GivenName: "Avery", FamilyName: "Testingham", Priority: "P2", NextReviewAt: now.AddDate(0, 0, -3)},
			{GivenName: "Blake", FamilyName: "Samplewick", Priority: "P3", NextReviewAt: now.AddDate(0, 0, 20)},
		} {
			s.InvestigationID, s.Status, s.OwnerUserID, s.Meta = inv.ID, contest.SubjectActive, u.ID, meta
			s.DateOfBirth = fmt.Sprintf("199%d-0%d-1%d", i, i+3, i)
			if err := b.Subject(s); err != nil {
				return err
			}
		}
		// A closed former subject who is the first one again: the server's
		// matcher pairs them and opens a re-assessment.
		if err := b.Subject(&contest.Subject{GivenName: "Avery", FamilyName: "Testingham", DateOfBirth: "1990-03-10", Status: contest.SubjectClosed,
			ClosedReason: "no further concern", Meta: contest.Meta{Classification: contest.Official, OwnerOrgID: u.OrgID, Area: "Westvale"}}); err != nil {
			return err
		}
		for _, r := range []*contest.PreventReferral{ref, {Reference: "PR-E2E-0002", GivenName: "Casey", FamilyName: "Placeholdsworth",
			Sector: "health", Concern: "no_ideology", Age: 16, Gender: "unknown", Region: "Westvale region", Stage: "panel",
			ReferredAt: now.AddDate(0, 0, -40), Meta: contest.Meta{Classification: contest.OfficialSensitive, OwnerOrgID: u.OrgID, Area: "Westvale"}}} {
			if err := b.PreventReferral(r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("/investigations/%d", inv.ID), fmt.Sprintf("/prevent/referrals/%d", ref.ID)
}

// enrolTOTP gives a user a TOTP second factor through the store, as the
// enrolment page does, and returns its base32 secret. It confirms with the
// previous 30-second step's code so that a sign-in with the current code is
// not refused as a replay.
func enrolTOTP(t testing.TB, dataDir, username string) string {
	t.Helper()
	ctx := context.Background()
	d, err := db.Open(ctx, db.Config{DataDir: dataDir})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	u, err := d.FindUserByUsername(ctx, contest.SystemActor("test"), username)
	if err != nil {
		t.Fatal(err)
	}
	a, err := d.ActorForUser(ctx, u.ID, "127.0.0.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	secret, _, err := d.BeginTOTP(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	code, err := totp.GenerateCodeCustom(secret, time.Now().Add(-30*time.Second), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.ConfirmTOTP(ctx, a, secret, code); err != nil {
		t.Fatalf("confirm TOTP: %v", err)
	}
	return secret
}
