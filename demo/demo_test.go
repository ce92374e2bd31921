package demo_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/db"
	"github.com/contest-ct/contest/db/dbtest"
	"github.com/contest-ct/contest/demo"
	"github.com/pquerna/otp/totp"
)

var (
	ctx = context.Background()
	now = time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)
)

// publicFigures are surnames of well-known real people (politicians,
// public figures, people named in terrorism cases in the news). No
// generated name may carry one. A sanity check, not an exhaustive list;
// deliberately separate from the generator's own exclusions.
var publicFigures = []string{
	"Blair", "Cameron", "Johnson", "Sunak", "Starmer", "Truss", "Thatcher", "Churchill", "Corbyn", "Farage", "Trump", "Biden",
	"Obama", "Putin", "Windsor", "Beckham", "Rooney", "Lineker", "Sturgeon", "Miliband", "Clegg", "Braverman", "Badenoch",
	"Rayner", "Mandelson", "Kane", "Marley", "Sheeran", "McCartney", "Lennon", "Bowie", "Jagger", "Hamilton", "Rowling",
	"Attenborough", "Hawking", "Salah", "Farah", "Murray", "Robinson", "Yaxley-Lennon", "Griffin", "Choudary", "Patel",
	"Javid", "Gove", "Osborne", "Khan", "Hancock", "Raab", "Shapps", "Cleverly", "Zahawi", "Sarwar", "Yousaf", "Drakeford",
	"Mair", "Adebolajo", "Masood", "Abedi", "Emwazi", "Rigby", "Amess", "Cox", "Rudakubana", "Breivik", "Tarrant", "Laden",
}

func load(t *testing.T, e db.Engine, scale float64) (*db.DB, *demo.Summary) {
	t.Helper()
	d := dbtest.MustOpen(t, e, nil)
	sum, err := demo.Load(ctx, d, demo.Options{Seed: 7, Scale: scale, Now: now})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return d, sum
}

func count(t *testing.T, d *db.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := d.SQL().QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func TestLoad(t *testing.T) {
	for _, e := range dbtest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			d, sum := load(t, e, 0.02)
			t.Logf("loaded in %s: %v", sum.Elapsed, sum.Counts)

			// Counts: the scaled public figures, and what the tables hold.
			want := map[string]int{"investigations": 12, "subjects_active": 60, "subjects_closed": 400, "prevent_referrals": 140, "compartments": 12}
			for k, n := range want {
				if sum.Counts[k] != n {
					t.Errorf("Counts[%s] = %d, want %d", k, sum.Counts[k], n)
				}
			}
			for q, n := range map[string]int{
				"SELECT COUNT(*) FROM investigations":                   12,
				"SELECT COUNT(*) FROM subjects WHERE status = 'active'": 60,
				"SELECT COUNT(*) FROM subjects WHERE status = 'former'": sum.Counts["subjects_former"],
				"SELECT COUNT(*) FROM subjects WHERE status = 'closed'": 400,
				"SELECT COUNT(*) FROM prevent_referrals":                140,
				"SELECT COUNT(*) FROM compartments":                     12,
				"SELECT COUNT(*) FROM users":                            len(contest.Roles),
				"SELECT COUNT(*) FROM orgs":                             sum.Counts["organisations"],
				"SELECT COUNT(*) FROM compartment_members":              sum.Counts["compartment_memberships"],
				// Every investigation and active subject is in its
				// operation's compartment.
				"SELECT COUNT(*) FROM record_compartments WHERE kind IN ('investigation', 'subject')": 72 + sum.Counts["subjects_former"],
			} {
				if got := count(t, d, q); got != n {
					t.Errorf("%s = %d, want %d", q, got, n)
				}
			}
			for _, k := range contest.OrgKinds {
				if count(t, d, "SELECT COUNT(*) FROM orgs WHERE kind = $1", string(k)) == 0 {
					t.Errorf("no organisation of kind %s", k)
				}
			}
			if sum.URLPath != "/sign-in" {
				t.Errorf("URLPath %q", sum.URLPath)
			}

			// Every role has a user who signs in with the printed password
			// (and code); a wrong password is refused.
			if len(sum.Users) != len(contest.Roles) {
				t.Fatalf("%d logins, want one per role (%d)", len(sum.Users), len(contest.Roles))
			}
			actors := map[contest.Role]*contest.Actor{}
			for i, r := range contest.Roles {
				lg := sum.Users[i]
				if lg.Role != string(r) {
					t.Fatalf("login %d is for %s, want %s", i, lg.Role, r)
				}
				req := contest.SignInRequest{Username: lg.Username, Password: lg.Password + "x", ClientAddr: "192.0.2.10", Via: "test"}
				if _, err := d.SignIn(ctx, req); contest.ErrorCode(err) != contest.EUNAUTHORIZED {
					t.Fatalf("%s with a wrong password: %v", lg.Username, err)
				}
				req.Password = lg.Password
				if lg.TOTPSecret != "" {
					req.TOTPCode, _ = totp.GenerateCode(lg.TOTPSecret, time.Now())
				}
				a, err := d.SignIn(ctx, req)
				if err != nil {
					t.Fatalf("%s (%s) cannot sign in: %v", lg.Username, r, err)
				}
				needs := r == contest.RoleAdmin || a.Vetting.RequiresTOTP()
				if needs != (lg.TOTPSecret != "") || !a.TOTPEnrolled {
					t.Fatalf("%s: vetting %s, TOTP secret %q, enrolled %v", lg.Username, a.Vetting, lg.TOTPSecret, a.TOTPEnrolled)
				}
				actors[r] = a
			}

			// A local authority's panel member sees its own area's
			// referrals and no others.
			pm := actors[contest.RolePanelMember]
			refs, total, err := d.FindPreventReferrals(ctx, pm, contest.CaseFilter{Limit: 500})
			if err != nil {
				t.Fatal(err)
			}
			inArea := count(t, d, "SELECT COUNT(*) FROM prevent_referrals WHERE area = $1", pm.OrgArea)
			if total != inArea || len(refs) != inArea || inArea == 0 || inArea == 140 {
				t.Fatalf("panel member of %s sees %d (%d listed); the area has %d of 140", pm.OrgArea, total, len(refs), inArea)
			}
			for _, r := range refs {
				if r.Meta.Area != pm.OrgArea {
					t.Fatalf("panel member of %s sees a referral of %s", pm.OrgArea, r.Meta.Area)
				}
			}
			// Police Prevent officers see them all; a business none.
			if _, n, err := d.FindPreventReferrals(ctx, actors[contest.RolePreventOfficer], contest.CaseFilter{}); err != nil || n != 140 {
				t.Fatalf("Prevent officer sees %d, %v", n, err)
			}
			if _, n, _ := d.FindPreventReferrals(ctx, actors[contest.RolePartner], contest.CaseFilter{}); n != 0 {
				t.Fatalf("partner sees %d referrals", n)
			}

			// Need to know: the investigator sees some operations, not all.
			_, n, err := d.FindInvestigations(ctx, actors[contest.RoleInvestigator], contest.CaseFilter{})
			if err != nil || n == 0 || n >= 12 {
				t.Fatalf("investigator sees %d of 12 investigations (%v): need-to-know should show", n, err)
			}

			res, err := d.VerifyAudit(ctx, contest.SystemActor("test"))
			if err != nil || !res.OK {
				t.Fatalf("audit chain: %+v, %v", res, err)
			}
			if got := count(t, d, "SELECT COUNT(*) FROM audit_log WHERE action = 'create' AND kind = 'prevent_case'"); got != 1 {
				t.Fatalf("%d bulk create entries for referrals, want 1", got)
			}

			checkNames(t, d)

			// The loader refuses a database that already holds data.
			if _, err := demo.Load(ctx, d, demo.Options{Seed: 7, Scale: 0.02, Now: now}); err != demo.ErrNotEmpty {
				t.Fatalf("second load: %v, want ErrNotEmpty", err)
			}
		})
	}
}

// checkNames looks at every stored personal name.
func checkNames(t *testing.T, d *db.DB) {
	t.Helper()
	deny := map[string]bool{}
	for _, s := range publicFigures {
		deny[strings.ToLower(s)] = true
	}
	rows, err := d.SQL().Query(`SELECT given_name, family_name FROM subjects UNION ALL SELECT given_name, family_name FROM prevent_referrals
		UNION ALL SELECT display_name, '' FROM users`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var g, f string
		if err := rows.Scan(&g, &f); err != nil {
			t.Fatal(err)
		}
		for _, part := range strings.FieldsFunc(strings.ToLower(g+" "+f), func(r rune) bool { return r == ' ' || r == '-' }) {
			if deny[part] {
				t.Errorf("generated name %q %q contains the surname of a public figure", g, f)
			}
		}
		n++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no names to check")
	}
}

// TestProportions loads a fifth of the public scale and checks the Prevent
// referrals look like a year of the Home Office statistics.
func TestProportions(t *testing.T) {
	if testing.Short() {
		t.Skip("loads 1,400 referrals")
	}
	d, sum := load(t, db.SQLite, 0.2)
	n := sum.Counts["prevent_referrals"]
	if n != 1400 {
		t.Fatalf("%d referrals", n)
	}
	share := func(where string) float64 {
		return float64(count(t, d, "SELECT COUNT(*) FROM prevent_referrals WHERE "+where)) / float64(n)
	}
	from, to := time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		where  string
		lo, hi float64
	}{
		{"sector = 'education'", 0.32, 0.43},
		{"sector = 'police'", 0.24, 0.35},
		{"sector = 'health'", 0.06, 0.14},
		{"sector = 'local_authority'", 0.06, 0.14},
		{"concern = 'islamist'", 0.09, 0.17},
		{"concern = 'extreme_right_wing'", 0.15, 0.26},
		{"concern IN ('conflicted', 'no_ideology')", 0.38, 0.55},
		{"age BETWEEN 11 AND 20", 0.55, 0.80},
		{"gender = 'male'", 0.82, 0.95},
		{"stage IN ('panel', 'adopted', 'exited')", 0.10, 0.18},
		{"stage IN ('adopted', 'exited')", 0.04, 0.10},
		{"region = 'Wales'", 0.03, 0.11},
		{"region = 'London'", 0.10, 0.20},
		{fmt.Sprintf("referred_at >= %d AND referred_at < %d", from.UnixMicro(), to.UnixMicro()), 1, 1},
		{"classification = 2", 1, 1},
		{"area <> '' AND owner_org_id > 0", 1, 1},
	} {
		if s := share(c.where); s < c.lo || s > c.hi {
			t.Errorf("%s: share %.3f, want %.2f to %.2f", c.where, s, c.lo, c.hi)
		}
	}
	// Closed subjects come back in new referrals and as new subjects.
	if sum.Counts["referrals_matching_closed_subjects"] == 0 || sum.Counts["subjects_reappearing_from_closed"] == 0 {
		t.Errorf("no closed subjects reappear: %v", sum.Counts)
	}
	sec := float64(count(t, d, "SELECT COUNT(*) FROM investigations WHERE classification >= 3")) / float64(sum.Counts["investigations"])
	if sec < 0.08 || sec > 0.35 {
		t.Errorf("SECRET and above: %.2f of investigations", sec)
	}
	// Reappearing referrals carry a closed subject's date of birth and
	// one of their names.
	known := map[string]bool{}
	for _, q := range []string{"SELECT date_of_birth || '|' || family_name FROM subjects WHERE status = 'closed'",
		"SELECT date_of_birth || '|' || given_name FROM subjects WHERE status = 'closed'"} {
		for _, k := range strings_(t, d, q) {
			known[k] = true
		}
	}
	found := 0
	for _, q := range []string{"SELECT date_of_birth || '|' || family_name FROM prevent_referrals",
		"SELECT date_of_birth || '|' || given_name FROM prevent_referrals"} {
		for _, k := range strings_(t, d, q) {
			if known[k] {
				found++
			}
		}
	}
	if found == 0 {
		t.Error("no referral shares a closed subject's name and date of birth")
	}
}

// strings_ returns the one text column of q's rows.
func strings_(t *testing.T, d *db.DB, q string) []string {
	t.Helper()
	rows, err := d.SQL().Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestDeterministic loads twice with one seed and compares the records.
func TestDeterministic(t *testing.T) {
	digest := func(seed int64) string {
		d := dbtest.MustOpen(t, db.SQLite, nil)
		if _, err := demo.Load(ctx, d, demo.Options{Seed: seed, Scale: 0.01, Now: now}); err != nil {
			t.Fatal(err)
		}
		var sb strings.Builder
		for _, q := range []string{
			"SELECT operation || summary || status || classification || lead_user_id FROM investigations ORDER BY id",
			"SELECT given_name || family_name || date_of_birth || status || priority || COALESCE(investigation_id, 0) FROM subjects ORDER BY id",
			"SELECT reference || given_name || family_name || sector || concern || age || gender || area || stage || referred_at FROM prevent_referrals ORDER BY id",
		} {
			sb.WriteString(strings.Join(strings_(t, d, q), "\n"))
		}
		return sb.String()
	}
	a, b, c := digest(42), digest(42), digest(43)
	if a != b {
		t.Fatal("two loads with one seed differ")
	}
	if a == c {
		t.Fatal("two seeds give the same data")
	}
}

// BenchmarkLoad loads the public scale on SQLite with the production
// password cost and durable commits, as `contest demo` does:
//
//	go test -run '^$' -bench BenchmarkLoad -benchtime 1x ./demo/
func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		dir := b.TempDir()
		d, err := db.Open(ctx, db.Config{DataDir: dir})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		sum, err := demo.Load(ctx, d, demo.Options{Seed: 1, Scale: 1, Now: now})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		b.ReportMetric(sum.Elapsed.Seconds(), "s/load")
		if os.Getenv("DEMO_BENCH_VERBOSE") != "" {
			fmt.Fprint(os.Stderr, sum.String())
		}
		d.Close()
		b.StartTimer()
	}
}
