package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/db"
	"github.com/contest-ct/contest/db/dbtest"
	"github.com/contest-ct/contest/demo"
	"github.com/contest-ct/contest/web"
	"github.com/pquerna/otp/totp"
)

// BenchmarkHomePage renders an administrator's home page (counts of users,
// organisations and compartments) through the whole handler stack.
func BenchmarkHomePage(b *testing.B) {
	e := MustEnv(b)
	c := e.MustSignIn(b, contest.RoleAdmin)
	for b.Loop() {
		if res, _ := c.Get(b, "/"); res.StatusCode != 200 {
			b.Fatalf("status %d", res.StatusCode)
		}
	}
}

// BenchmarkAuditorHomePage renders an auditor's home page (latest audit
// entries).
func BenchmarkAuditorHomePage(b *testing.B) {
	e := MustEnv(b)
	c := e.MustSignIn(b, contest.RoleAuditor)
	for b.Loop() {
		if res, _ := c.Get(b, "/"); res.StatusCode != 200 {
			b.Fatalf("status %d", res.StatusCode)
		}
	}
}

// BenchmarkRecordPage renders one user's record page, with its
// classification banner and edit forms.
func BenchmarkRecordPage(b *testing.B) {
	e := MustEnv(b)
	c := e.MustSignIn(b, contest.RoleAdmin)
	path := fmt.Sprintf("/admin/users/%d", e.Users[contest.RoleAnalyst].ID)
	for b.Loop() {
		if res, _ := c.Get(b, path); res.StatusCode != 200 {
			b.Fatalf("status %d", res.StatusCode)
		}
	}
}

// demoStore opens a database for the demo benchmarks: SQLite as in
// production (synchronous=FULL, every commit fsynced), SQLite as the other
// tests run it (synchronous=NORMAL), and PostgreSQL when
// CONTEST_TEST_POSTGRES is set.
type demoStore struct {
	name string
	open func(b *testing.B) *db.DB
}

func demoStores() []demoStore {
	out := []demoStore{
		{"sqlite-full", func(b *testing.B) *db.DB {
			d, err := db.Open(context.Background(), db.Config{DataDir: b.TempDir(), SecretKey: dbtest.Key, Argon2: db.TestArgon2})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { d.Close() })
			return d
		}},
		{"sqlite-normal", func(b *testing.B) *db.DB { return dbtest.MustOpen(b, db.SQLite, nil) }},
	}
	if os.Getenv("CONTEST_TEST_POSTGRES") != "" {
		out = append(out, demoStore{"postgres", func(b *testing.B) *db.DB { return dbtest.MustOpen(b, db.Postgres, nil) }})
	}
	return out
}

// mustDemoSignIn signs a demo user in through the sign-in form, with a
// security code when the user has a second factor.
func mustDemoSignIn(b *testing.B, e *testEnv, d *db.DB, sum *demo.Summary, role contest.Role) (*client, *contest.Actor) {
	b.Helper()
	for _, l := range sum.Users {
		if l.Role != string(role) {
			continue
		}
		form := url.Values{"username": {l.Username}, "password": {l.Password}}
		if l.TOTPSecret != "" {
			code, err := totp.GenerateCode(l.TOTPSecret, time.Now())
			if err != nil {
				b.Fatal(err)
			}
			form.Set("code", code)
		}
		c := e.Anon()
		if res, body := c.PostForm(b, "/sign-in", form); res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
			b.Fatalf("sign in as %s: %d %s\n%.500s", l.Username, res.StatusCode, res.Header.Get("Location"), body)
		}
		ctx := context.Background()
		u, err := d.FindUserByUsername(ctx, contest.SystemActor("bench"), l.Username)
		if err != nil {
			b.Fatal(err)
		}
		a, err := d.ActorForUser(ctx, u.ID, "192.0.2.1", "bench")
		if err != nil {
			b.Fatal(err)
		}
		a.TOTPEnrolled = true
		return c, a
	}
	b.Fatalf("no demo user for %s", role)
	return nil, nil
}

// cpuTime is the CPU time (user and system) the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkDemoPages renders the home page and record pages of the demo
// investigator and Prevent officer, with the demo data loaded at public
// scale (600 investigations, 3,000 active and 20,000 closed subjects, 7,000
// Prevent referrals), through the whole handler stack: session, actor
// reload, the access-filtered queries and the audit entry of every read.
// It reports the median (p50-ms) and 90th percentile (p90-ms) of the
// request times, and the CPU time per request (cpu-ms/op), which shows the
// cost when other work shares the machine; the target is a median under
// 10 ms.
func BenchmarkDemoPages(b *testing.B) {
	for _, st := range demoStores() {
		b.Run(st.name, func(b *testing.B) {
			d := st.open(b)
			sum, err := demo.Load(context.Background(), d, demo.Options{Seed: 1})
			if err != nil {
				b.Fatal(err)
			}
			srv, err := web.New(web.Config{Store: d})
			if err != nil {
				b.Fatal(err)
			}
			e := &testEnv{Server: srv, Handler: srv.Handler(), secrets: map[int64]string{}}
			ctx := context.Background()
			inv, ia := mustDemoSignIn(b, e, d, sum, contest.RoleInvestigator)
			po, pa := mustDemoSignIn(b, e, d, sum, contest.RolePreventOfficer)
			invs, _, err := d.FindInvestigations(ctx, ia, contest.CaseFilter{OwnerUserID: ia.UserID, Status: "open", Limit: 1})
			if err != nil || len(invs) == 0 {
				b.Fatalf("no investigation for the demo investigator: %v", err)
			}
			subs, _, err := d.FindSubjects(ctx, ia, contest.CaseFilter{OwnerUserID: ia.UserID, Status: contest.SubjectActive, Limit: 1})
			if err != nil || len(subs) == 0 {
				b.Fatalf("no subject for the demo investigator: %v", err)
			}
			refs, _, err := d.FindPreventReferrals(ctx, pa, contest.CaseFilter{OwnerUserID: pa.UserID, Limit: 1})
			if err != nil || len(refs) == 0 {
				b.Fatalf("no referral for the demo Prevent officer: %v", err)
			}
			for _, p := range []struct {
				name, path, want string
				c                *client
			}{
				{"investigator/home", "/", "Investigations you lead", inv},
				{"investigator/investigation", fmt.Sprintf("/investigations/%d", invs[0].ID), `id="classification-bottom"`, inv},
				{"investigator/subject", fmt.Sprintf("/subjects/%d", subs[0].ID), `id="classification-bottom"`, inv},
				{"prevent_officer/home", "/", "Referrals you may see, by stage", po},
				{"prevent_officer/referral", fmt.Sprintf("/prevent/referrals/%d", refs[0].ID), `id="classification-bottom"`, po},
			} {
				b.Run(p.name, func(b *testing.B) {
					if res, body := p.c.Get(b, p.path); res.StatusCode != 200 || !strings.Contains(body, p.want) {
						b.Fatalf("GET %s: %d\n%.500s", p.path, res.StatusCode, body)
					}
					var times []time.Duration
					cpu0 := cpuTime()
					for b.Loop() {
						start := time.Now()
						if res, _ := p.c.Get(b, p.path); res.StatusCode != 200 {
							b.Fatalf("GET %s: status %d", p.path, res.StatusCode)
						}
						times = append(times, time.Since(start))
					}
					cpu := cpuTime() - cpu0
					slices.Sort(times)
					ms := func(q float64) float64 { return float64(times[int(q*float64(len(times)-1))].Microseconds()) / 1000 }
					b.ReportMetric(ms(0.5), "p50-ms")
					b.ReportMetric(ms(0.9), "p90-ms")
					// The process's CPU time per request: what the page
					// costs whatever else the machine is running.
					b.ReportMetric(float64(cpu.Microseconds())/1000/float64(len(times)), "cpu-ms/op")
				})
			}
		})
	}
}
