package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/contest-ct/contest/db/dbtest"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"
)

// syncBuffer is a bytes.Buffer safe for the server goroutine to write while
// the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// cli runs the real Main in-process against one store.
type cli struct {
	t     testing.TB
	store []string          // --data DIR and, for PostgreSQL, --db DSN
	vars  map[string]string // what Env.Getenv sees; nothing leaks from the test's own environment
}

func newCLI(t testing.TB, dataDir, dsn string) *cli {
	c := &cli{t: t, store: []string{"--data", dataDir}, vars: map[string]string{}}
	if dsn != "" {
		c.store = append(c.store, "--db", dsn)
	}
	return c
}

func (c *cli) env(stdout, stderr io.Writer) *Env {
	return &Env{Stdin: strings.NewReader(""), Stdout: stdout, Stderr: stderr, Getenv: func(k string) string { return c.vars[k] }}
}

// run calls Main with args as given (no store flags added).
func (c *cli) run(args ...string) (code int, stdout, stderr string) {
	c.t.Helper()
	var out, errb bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	code = Main(ctx, c.env(&out, &errb), args)
	return code, out.String(), errb.String()
}

// do runs a command with the store flags appended, and fails the test
// unless it exits 0.
func (c *cli) do(args ...string) string {
	c.t.Helper()
	code, out, errs := c.run(append(args, c.store...)...)
	if code != 0 {
		c.t.Fatalf("contest %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, out, errs)
	}
	return out
}

// doOn is do for commands that name one user after the flags (the flag
// package stops at the first argument that is not a flag).
func (c *cli) doOn(target string, args ...string) string {
	c.t.Helper()
	full := append(append(append([]string{}, args...), c.store...), target)
	code, out, errs := c.run(full...)
	if code != 0 {
		c.t.Fatalf("contest %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(full, " "), code, out, errs)
	}
	return out
}

// withPassword runs fn with CONTEST_PASSWORD set.
func (c *cli) withPassword(pw string, fn func()) {
	c.vars["CONTEST_PASSWORD"] = pw
	defer delete(c.vars, "CONTEST_PASSWORD")
	fn()
}

var createdID = regexp.MustCompile(`^(?:organisation|user) (\d+) `)

// mustID returns the id printed by "org add" or "user add".
func mustID(t testing.TB, out string) string {
	t.Helper()
	m := createdID.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no id in %q", out)
	}
	return m[1]
}

// server is a running "contest serve".
type server struct {
	URL    string
	Logs   *syncBuffer
	cancel context.CancelFunc
	done   chan int
}

// startServe runs "contest serve --addr 127.0.0.1:0" through Main in a
// goroutine and waits for it to print its URL. It is stopped when the test
// ends, and the test fails if it did not exit cleanly.
func (c *cli) startServe(t testing.TB) *server {
	t.Helper()
	pr, pw := io.Pipe()
	s := &server{Logs: &syncBuffer{}, done: make(chan int, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--log-format", "json"}, c.store...)
	go func() {
		code := Main(ctx, c.env(pw, s.Logs), args)
		pw.Close()
		s.done <- code
	}()
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		sent := false
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "contest: listening on "); ok && !sent {
				urlc <- u
				sent = true
			}
		}
		if !sent {
			close(urlc)
		}
	}()
	select {
	case u, ok := <-urlc:
		if !ok {
			cancel()
			t.Fatalf("serve exited before listening (exit %d)\nlogs: %s", <-s.done, s.Logs)
		}
		s.URL = u
	case <-time.After(60 * time.Second):
		cancel()
		t.Fatalf("serve did not print its URL within 60 s\nlogs: %s", s.Logs)
	}
	t.Cleanup(func() { s.stop(t) })
	return s
}

func (s *server) stop(t testing.TB) {
	t.Helper()
	if s.cancel == nil {
		return
	}
	s.cancel()
	s.cancel = nil
	select {
	case code := <-s.done:
		if code != 0 {
			t.Errorf("serve exited %d after cancel\nlogs: %s", code, s.Logs)
		}
	case <-time.After(30 * time.Second):
		t.Errorf("serve did not stop within 30 s of cancel")
	}
}

func get(t testing.TB, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	return resp, string(b)
}

// TestHelpOnEveryCommand runs --help on every registered subcommand, and on
// every sub-subcommand a command group lists in its usage.
func TestHelpOnEveryCommand(t *testing.T) {
	c := newCLI(t, t.TempDir(), "")
	if len(commands) < 8 {
		t.Fatalf("only %d commands registered", len(commands))
	}
	for _, h := range []string{"--help", "-h", "help"} {
		code, out, _ := c.run(h)
		if code != 0 || !strings.Contains(out, "Usage: contest <command>") {
			t.Errorf("contest %s: exit %d, output %q", h, code, out)
		}
	}
	if code, _, _ := c.run(); code != 2 {
		t.Errorf("contest with no arguments: exit %d, want 2", code)
	}
	if code, _, errs := c.run("no-such-command"); code != 2 || !strings.Contains(errs, `unknown command "no-such-command"`) {
		t.Errorf("unknown command: exit %d, stderr %q", code, errs)
	}
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	group := regexp.MustCompile(`Usage: contest \S+ <([a-z|-]+)>`)
	nsubs := 0
	defer func() {
		// user (add, list, disable, enable, reset), org (add, list), audit (verify, export).
		if nsubs < 9 {
			t.Errorf("found only %d sub-subcommands in the groups' usage", nsubs)
		}
	}()
	for _, name := range names {
		code, out, errs := c.run(name, "--help")
		text := out + errs
		if code != 0 {
			t.Errorf("contest %s --help: exit %d\n%s", name, code, text)
			continue
		}
		if !strings.Contains(text, "Usage: contest "+name) {
			t.Errorf("contest %s --help: no usage text: %q", name, text)
			continue
		}
		subs := subcommandsIn(group, text)
		nsubs += len(subs)
		for _, sub := range subs {
			code, out, errs := c.run(name, sub, "--help")
			if text := out + errs; code != 0 || !strings.Contains(text, "Usage: contest "+name+" "+sub) {
				t.Errorf("contest %s %s --help: exit %d, output %q", name, sub, code, text)
			}
		}
	}
}

// subcommandsIn lists the sub-subcommands a group's usage names, either as
// "<a|b|c>" or as an indented list under "Subcommands:".
func subcommandsIn(group *regexp.Regexp, usage string) []string {
	if m := group.FindStringSubmatch(usage); m != nil && strings.Contains(m[1], "|") {
		return strings.Split(m[1], "|")
	}
	_, list, ok := strings.Cut(usage, "Subcommands:\n")
	if !ok {
		return nil
	}
	var subs []string
	for _, line := range strings.Split(list, "\n") {
		if !strings.HasPrefix(line, "  ") {
			break
		}
		if f := strings.Fields(line); len(f) > 0 {
			subs = append(subs, f[0])
		}
	}
	return subs
}

// TestMainEndToEndSQLite drives the real binary entry point on SQLite.
func TestMainEndToEndSQLite(t *testing.T) {
	dir := t.TempDir()
	endToEnd(t, newCLI(t, dir, ""), func(t *testing.T) int64 {
		sdb, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "contest.db")+"?_pragma=busy_timeout(5000)")
		if err != nil {
			t.Fatal(err)
		}
		defer sdb.Close()
		var seq int64
		if err := sdb.QueryRow("SELECT seq FROM audit_log ORDER BY seq LIMIT 1 OFFSET 2").Scan(&seq); err != nil {
			t.Fatal(err)
		}
		// The append-only trigger is the first defence; someone with the
		// file can drop it, and the hash chain must still catch the edit.
		if _, err := sdb.Exec("DROP TRIGGER audit_log_no_update"); err != nil {
			t.Fatal(err)
		}
		if _, err := sdb.Exec("UPDATE audit_log SET outcome = CASE outcome WHEN 'allowed' THEN 'denied' ELSE 'allowed' END WHERE seq = ?", seq); err != nil {
			t.Fatal(err)
		}
		return seq
	})
}

// TestMainEndToEndPostgres is the same flow with --db on PostgreSQL.
func TestMainEndToEndPostgres(t *testing.T) {
	dsn := dbtest.MustPostgresDatabase(t)
	endToEnd(t, newCLI(t, t.TempDir(), dsn), func(t *testing.T) int64 {
		pdb, err := sql.Open("pgx", dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer pdb.Close()
		var seq int64
		if err := pdb.QueryRow("SELECT seq FROM audit_log ORDER BY seq LIMIT 1 OFFSET 2").Scan(&seq); err != nil {
			t.Fatal(err)
		}
		if _, err := pdb.Exec("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change"); err != nil {
			t.Fatal(err)
		}
		if _, err := pdb.Exec("UPDATE audit_log SET outcome = CASE outcome WHEN 'allowed' THEN 'denied' ELSE 'allowed' END WHERE seq = $1", seq); err != nil {
			t.Fatal(err)
		}
		return seq
	})
}

// endToEnd is the whole operator and user journey; corrupt edits one audit
// row behind the application's back and returns its sequence number.
func endToEnd(t *testing.T, c *cli, corrupt func(t *testing.T) int64) {
	code, out, errs := c.run("version")
	if code != 0 || !strings.HasPrefix(out, "contest ") || !strings.Contains(out, "go1.") {
		t.Fatalf("version: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	if out := c.do("migrate"); !strings.Contains(out, "schema at version") {
		t.Errorf("migrate printed %q", out)
	}

	// An organisation and a user, made by the operator.
	orgID := mustID(t, c.do("org", "add", "--name", "Northshire Counter Terrorism Policing Unit", "--kind", "ct_policing", "--area", "Northshire"))
	if out := c.do("org", "list"); !strings.Contains(out, "Northshire Counter Terrorism Policing Unit") {
		t.Errorf("org list lacks the new organisation:\n%s", out)
	}
	const password = "synthetic-test-passphrase-1"
	c.withPassword(password, func() {
		mustID(t, c.do("user", "add", "--username", "e2e.investigator", "--name", "Avery Testfield", "--org", orgID, "--role", "investigator", "--vetting", "CTC"))
	})
	if out := c.do("user", "list"); !regexp.MustCompile(`e2e\.investigator\s+Avery Testfield\s+` + orgID + `\s+investigator\s+CTC\s+false\s+active`).MatchString(out) {
		t.Errorf("user list does not show the new active user:\n%s", out)
	}
	// Bad input is refused with a message and exit 1, and nothing is made.
	c.withPassword("short", func() {
		code, _, errs := c.run(append([]string{"user", "add", "--username", "e2e.bad", "--name", "Bad Example", "--org", orgID, "--role", "investigator", "--vetting", "CTC"}, c.store...)...)
		if code != 1 || !strings.Contains(errs, "--password") && !strings.Contains(strings.ToLower(errs), "password") {
			t.Errorf("user add with a short password: exit %d, stderr %q", code, errs)
		}
	})
	if out := c.do("user", "list"); strings.Contains(out, "e2e.bad") {
		t.Errorf("refused user was stored:\n%s", out)
	}

	srv := c.startServe(t)
	anon := &http.Client{Timeout: 30 * time.Second}
	if resp, body := get(t, anon, srv.URL+"/healthz"); resp.StatusCode != 200 {
		t.Fatalf("GET /healthz: %d %s", resp.StatusCode, body)
	}
	resp, body := get(t, anon, srv.URL+"/metrics")
	if resp.StatusCode != 200 || !strings.Contains(body, "contest_") {
		t.Fatalf("GET /metrics: %d, no contest_ metrics in\n%.2000s", resp.StatusCode, body)
	}
	if !strings.Contains(srv.Logs.String(), `"msg":"listening"`) {
		t.Errorf("serve did not log JSON: %.1000s", srv.Logs)
	}

	// Sign in through the real form with a cookie jar.
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	browser := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	resp, body = get(t, browser, srv.URL+"/")
	if resp.Request.URL.Path != "/sign-in" || strings.Contains(body, "You are signed in") {
		t.Fatalf("GET / when signed out ended at %s, want /sign-in", resp.Request.URL)
	}
	resp, body = get(t, browser, srv.URL+"/sign-in")
	if resp.StatusCode != 200 || !strings.Contains(body, `action="/sign-in"`) || !strings.Contains(body, `name="password"`) {
		t.Fatalf("GET /sign-in: %d\n%.2000s", resp.StatusCode, body)
	}
	post := func(form url.Values) (*http.Response, string) {
		t.Helper()
		resp, err := browser.PostForm(srv.URL+"/sign-in", form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	resp, body = post(url.Values{"username": {"e2e.investigator"}, "password": {"wrong-passphrase-entirely"}})
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "govuk-error-summary") {
		t.Errorf("wrong password: %d, want 401 with an error summary", resp.StatusCode)
	}
	resp, body = post(url.Values{"username": {"e2e.investigator"}, "password": {password}})
	if resp.StatusCode != 200 || resp.Request.URL.Path != "/" || !strings.Contains(body, "Avery Testfield") || !strings.Contains(body, "e2e.investigator") {
		t.Fatalf("sign-in ended at %s with %d; want the home page naming the user\n%.3000s", resp.Request.URL, resp.StatusCode, body)
	}
	resp, body = get(t, browser, srv.URL+"/")
	if resp.Request.URL.Path != "/" || !strings.Contains(body, "Avery Testfield") {
		t.Fatalf("second GET / ended at %s", resp.Request.URL)
	}

	// Join the dots through the running server: two public reports name
	// the same (made-up) person; the background matcher pairs them and the
	// investigator finds the pair in the possible-matches queue.
	for _, what := range []string{"A man photographing the station entrances for an hour", "Same man filming the bridge supports"} {
		r, err := anon.Post(srv.URL+"/api/v1/public/reports", "application/json",
			strings.NewReader(`{"what":"`+what+`","people":[{"name":"Torvald Ashbury-Keane","description":"grey coat"}]}`))
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		if r.StatusCode != http.StatusCreated {
			t.Fatalf("public report: %d", r.StatusCode)
		}
	}
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		resp, body = get(t, browser, srv.URL+"/possible-matches")
		if resp.StatusCode == 200 && strings.Contains(body, "Ashbury-Keane") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no possible match between the two reports after 20 s: %d\n%.2000s", resp.StatusCode, body)
		}
	}

	// Disabling the user from the CLI ends the session at the next request.
	if out := c.doOn("e2e.investigator", "user", "disable"); !strings.Contains(out, "disabled") {
		t.Errorf("user disable printed %q", out)
	}
	resp, body = get(t, browser, srv.URL+"/")
	if resp.Request.URL.Path != "/sign-in" || strings.Contains(body, "Avery Testfield") {
		t.Fatalf("after user disable, GET / ended at %s (%d): the session is still alive", resp.Request.URL, resp.StatusCode)
	}
	if out := c.do("user", "list"); !regexp.MustCompile(`e2e\.investigator\s.*\sdisabled`).MatchString(out) {
		t.Errorf("user list does not show the user disabled:\n%s", out)
	}
	resp, _ = post(url.Values{"username": {"e2e.investigator"}, "password": {password}})
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a disabled user signed in: %d at %s", resp.StatusCode, resp.Request.URL)
	}
	srv.stop(t)

	// The audit trail holds, then an edit behind the application's back
	// is caught and named.
	if out := c.do("audit", "verify"); !strings.HasPrefix(out, "audit chain OK") {
		t.Fatalf("audit verify: %q", out)
	}
	seq := corrupt(t)
	code, out, errs = c.run(append([]string{"audit", "verify"}, c.store...)...)
	if code == 0 {
		t.Fatalf("audit verify passed a corrupted trail: %q", out)
	}
	if want := fmt.Sprintf("entry %d", seq); !strings.Contains(out, want) || !strings.Contains(errs, want) {
		t.Errorf("audit verify did not name %s:\nstdout: %s\nstderr: %s", want, out, errs)
	}
}
