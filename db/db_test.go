package db_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/db"
	"github.com/contest-ct/contest/db/dbtest"
	"github.com/pquerna/otp/totp"
)

// forEngine runs fn as a subtest on every engine under test.
func forEngine(t *testing.T, fn func(t *testing.T, e db.Engine)) {
	for _, e := range dbtest.Engines() {
		t.Run(string(e), func(t *testing.T) { fn(t, e) })
	}
}

var ctx = context.Background()

func MustAuditCount(tb testing.TB, f *dbtest.Fixture, filter contest.AuditFilter) int {
	tb.Helper()
	_, n, err := f.DB.FindAuditEntries(ctx, f.MustActor(tb, contest.RoleAuditor), filter)
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

func TestPlaceholdersBindByNumber(t *testing.T) {
	forEngine(t, func(t *testing.T, e db.Engine) {
		d := dbtest.MustOpen(t, e, nil)
		var a, b string
		if err := d.SQL().QueryRow("SELECT CAST($2 AS TEXT), CAST($1 AS TEXT)", "one", "two").Scan(&a, &b); err != nil {
			t.Fatal(err)
		}
		if a != "two" || b != "one" {
			t.Fatalf("got %q %q: $N placeholders must bind by number", a, b)
		}
	})
}

func TestOrgs(t *testing.T) {
	forEngine(t, func(t *testing.T, e db.Engine) {
		f := dbtest.MustFixture(t, e)
		admin := f.MustActor(t, contest.RoleAdmin)
		tests := []struct {
			name  string
			actor contest.Role
			org   contest.Org
			code  string
		}{
			{"OK", contest.RoleAdmin, contest.Org{Name: "Eastmarch Council", Kind: contest.OrgLocalAuthority, Area: "Eastmarch"}, ""},
			{"ErrNameRequired", contest.RoleAdmin, contest.Org{Name: "  ", Kind: contest.OrgHealth}, contest.EINVALID},
			{"ErrBadKind", contest.RoleAdmin, contest.Org{Name: "X", Kind: "space_agency"}, contest.EINVALID},
			{"ErrTooLong", contest.RoleAdmin, contest.Org{Name: strings.Repeat("x", 201), Kind: contest.OrgHealth}, contest.EINVALID},
			{"ErrDuplicate", contest.RoleAdmin, contest.Org{Name: "Eastmarch Council", Kind: contest.OrgLocalAuthority}, contest.ECONFLICT},
			{"ErrForbidden", contest.RoleInvestigator, contest.Org{Name: "Someone's Org", Kind: contest.OrgBusiness}, contest.EFORBIDDEN},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before, _ := f.DB.FindOrgs(ctx, admin)
				o := tt.org
				err := f.DB.CreateOrg(ctx, f.MustActor(t, tt.actor), &o)
				if got := contest.ErrorCode(err); got != tt.code {
					t.Fatalf("code = %q, want %q (%v)", got, tt.code, err)
				}
				after, _ := f.DB.FindOrgs(ctx, admin)
				if want := len(before) + map[bool]int{true: 1, false: 0}[tt.code == ""]; len(after) != want {
					t.Fatalf("orgs = %d, want %d", len(after), want)
				}
				if tt.code == "" {
					got, err := f.DB.FindOrgByID(ctx, admin, o.ID)
					if err != nil || got.Name != tt.org.Name || got.Meta.CreatedBy != admin.UserID || got.Meta.ReviewAt.IsZero() {
						t.Fatalf("read back %+v, %v", got, err)
					}
				}
			})
		}
		if _, err := f.DB.FindOrgByID(ctx, admin, 99999); contest.ErrorCode(err) != contest.ENOTFOUND {
			t.Fatalf("missing org: %v", err)
		}
	})
}

func TestUsersAccess(t *testing.T) {
	forEngine(t, func(t *testing.T, e db.Engine) {
		f := dbtest.MustFixture(t, e)
		admin := f.MustActor(t, contest.RoleAdmin)
		// A user in another organisation: a supervisor of the CTP unit must
		// not see them, and the answer must be the same as for no user.
		other := &contest.User{Username: "la.officer", DisplayName: "Lee Ashgrove", Role: contest.RolePanelMember, Vetting: contest.BPSS, OrgID: f.Orgs[contest.OrgLocalAuthority].ID}
		if err := f.DB.CreateUser(ctx, admin, other, f.Password); err != nil {
			t.Fatal(err)
		}
		sup := f.MustActor(t, contest.RoleSupervisor)
		_, errHidden := f.DB.FindUserByID(ctx, sup, other.ID)
		_, errMissing := f.DB.FindUserByID(ctx, sup, 987654)
		if contest.ErrorCode(errHidden) != contest.ENOTFOUND || errHidden.Error() != errMissing.Error() {
			t.Fatalf("hidden %v / missing %v must be the same not-found", errHidden, errMissing)
		}
		list, total, err := f.DB.FindUsers(ctx, sup, contest.UserFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range list {
			if u.OrgID != sup.OrgID {
				t.Fatalf("supervisor sees user %s of org %d", u.Username, u.OrgID)
			}
		}
		if total != len(list) {
			t.Fatalf("total %d != listed %d", total, len(list))
		}
		all, totalAll, _ := f.DB.FindUsers(ctx, admin, contest.UserFilter{})
		if totalAll <= total || len(all) != totalAll {
			t.Fatalf("admin sees %d, supervisor %d", totalAll, total)
		}
		if _, _, err := f.DB.FindUsers(ctx, f.MustActor(t, contest.RoleInvestigator), contest.UserFilter{}); err != nil {
			t.Fatal(err) // allowed to ask, sees nothing
		}
		if l, n, _ := f.DB.FindUsers(ctx, f.MustActor(t, contest.RoleInvestigator), contest.UserFilter{}); n != 0 || len(l) != 0 {
			t.Fatalf("investigator sees %d users", n)
		}
		// Bad input leaves nothing behind.
		bad := &contest.User{Username: "x", DisplayName: "", Role: "wizard", OrgID: 0}
		err = f.DB.CreateUser(ctx, admin, bad, "short")
		if contest.ErrorCode(err) != contest.EINVALID || len(contest.ErrorFields(err)) < 5 {
			t.Fatalf("bad user: %v", err)
		}
		if _, n, _ := f.DB.FindUsers(ctx, admin, contest.UserFilter{}); n != totalAll {
			t.Fatalf("bad input changed data: %d users", n)
		}
		// Permission change is audited as such.
		r := contest.RoleAnalyst
		if _, err := f.DB.UpdateUser(ctx, admin, other.ID, contest.UserUpdate{Role: &r}); err != nil {
			t.Fatal(err)
		}
		if n := MustAuditCount(t, f, contest.AuditFilter{Action: contest.AuditPermission, Kind: contest.KindUser, RecordID: itoaT(other.ID)}); n != 1 {
			t.Fatalf("permission change entries = %d", n)
		}
	})
}

func itoaT(id int64) string { b, _ := json.Marshal(id); return string(b) }

func TestSignIn(t *testing.T) {
	forEngine(t, func(t *testing.T, e db.Engine) {
		now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
		clock := func() time.Time { return now }
		d := dbtest.MustOpen(t, e, clock)
		sys := contest.SystemActor("test")
		org := &contest.Org{Name: "Northshire Police", Kind: contest.OrgPolice, Area: "Northshire"}
		if err := d.CreateOrg(ctx, sys, org); err != nil {
			t.Fatal(err)
		}
		pw := "a long enough password"
		u := &contest.User{Username: "inv.one", DisplayName: "Ira Vantongeren", Role: contest.RoleInvestigator, Vetting: contest.CTC, OrgID: org.ID}
		if err := d.CreateUser(ctx, sys, u, pw); err != nil {
			t.Fatal(err)
		}
		req := func(user, pass, addr string) error {
			_, err := d.SignIn(ctx, contest.SignInRequest{Username: user, Password: pass, ClientAddr: addr, Via: "test"})
			return err
		}
		if err := req("INV.ONE ", pw, "198.51.100.1"); err != nil {
			t.Fatalf("good sign-in: %v", err)
		}
		errWrong := req("inv.one", "wrong password!", "198.51.100.1")
		errUnknown := req("nobody.here", "wrong password!", "198.51.100.1")
		if contest.ErrorCode(errWrong) != contest.EUNAUTHORIZED || errWrong.Error() != errUnknown.Error() {
			t.Fatalf("wrong password %v and unknown user %v must look the same", errWrong, errUnknown)
		}
		// Lockout after repeated failures, for real and unknown accounts alike.
		for _, name := range []string{"inv.one", "nobody.here"} {
			for i := 0; i < db.UserFailures; i++ {
				req(name, "wrong password!", "198.51.100.2")
			}
			if err := req(name, pw, "198.51.100.3"); contest.ErrorCode(err) != contest.ETOOMANY {
				t.Fatalf("%s after %d failures: %v", name, db.UserFailures, err)
			}
		}
		now = now.Add(db.ThrottleWindow + time.Second)
		if err := req("inv.one", pw, "198.51.100.3"); err != nil {
			t.Fatalf("after the lock expires: %v", err)
		}
		// Disabling ends access at once.
		admin := &contest.User{Username: "admin.one", DisplayName: "Ada Min", Role: contest.RoleAdmin, Vetting: contest.SC, OrgID: org.ID}
		if err := d.CreateUser(ctx, sys, admin, pw); err != nil {
			t.Fatal(err)
		}
		a, err := d.SignIn(ctx, contest.SignInRequest{Username: "admin.one", Password: pw, ClientAddr: "198.51.100.9"})
		if err != nil || a.TOTPEnrolled {
			t.Fatalf("admin without TOTP must sign in needing enrolment: %+v %v", a, err)
		}
		if err := d.SetUserDisabled(ctx, a, u.ID, true); contest.ErrorCode(err) != contest.EFORBIDDEN {
			t.Fatalf("unenrolled admin acted: %v", err)
		}
		// Enrol TOTP.
		secret, url, err := d.BeginTOTP(ctx, a)
		if err != nil || !strings.HasPrefix(url, "otpauth://") {
			t.Fatal(err)
		}
		code, _ := totp.GenerateCode(secret, now)
		if err := d.ConfirmTOTP(ctx, a, secret, "000000"); contest.ErrorCode(err) != contest.EINVALID && code != "000000" {
			t.Fatalf("wrong code accepted: %v", err)
		}
		if err := d.ConfirmTOTP(ctx, a, secret, code); err != nil {
			t.Fatal(err)
		}
		if _, err := d.SignIn(ctx, contest.SignInRequest{Username: "admin.one", Password: pw, TOTPCode: code}); err == nil {
			t.Fatal("reused TOTP code accepted")
		}
		now = now.Add(30 * time.Second)
		code, _ = totp.GenerateCode(secret, now)
		if err := req("admin.one", pw, "198.51.100.9"); err == nil {
			t.Fatal("missing TOTP code accepted")
		}
		a, err = d.SignIn(ctx, contest.SignInRequest{Username: "admin.one", Password: pw, TOTPCode: code})
		if err != nil || !a.TOTPEnrolled {
			t.Fatalf("TOTP sign-in: %v", err)
		}
		tok, err := d.CreateToken(ctx, mustActorFor(t, d, u.ID), 0, "script", time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.ActorForToken(ctx, tok, "x"); err != nil {
			t.Fatal(err)
		}
		epoch := mustActorFor(t, d, u.ID).SessionEpoch
		if err := d.ResetPassword(ctx, a, u.ID, "another long password"); err != nil {
			t.Fatal(err)
		}
		if got := mustActorFor(t, d, u.ID).SessionEpoch; got == epoch {
			t.Fatal("password reset did not change the session epoch, so sessions would survive it")
		}
		pw = "another long password"
		if err := d.SetUserDisabled(ctx, a, u.ID, true); err != nil {
			t.Fatal(err)
		}
		if _, err := d.ActorForUser(ctx, u.ID, "x", "web"); contest.ErrorCode(err) != contest.EUNAUTHORIZED {
			t.Fatalf("disabled user's session: %v", err)
		}
		if _, err := d.ActorForToken(ctx, tok, "x"); contest.ErrorCode(err) != contest.EUNAUTHORIZED {
			t.Fatalf("disabled user's token: %v", err)
		}
		if err := req("inv.one", pw, "198.51.100.4"); contest.ErrorCode(err) != contest.EUNAUTHORIZED {
			t.Fatalf("disabled user signed in: %v", err)
		}
	})
}

func mustActorFor(tb testing.TB, d *db.DB, id int64) *contest.Actor {
	tb.Helper()
	a, err := d.ActorForUser(ctx, id, "x", "test")
	if err != nil {
		tb.Fatal(err)
	}
	return a
}

func TestCompartmentsAndThreat(t *testing.T) {
	forEngine(t, func(t *testing.T, e db.Engine) {
		f := dbtest.MustFixture(t, e)
		sup := f.MustActor(t, contest.RoleSupervisor)
		c := &contest.Compartment{Name: "Operation Quillfeather"}
		if err := f.DB.CreateCompartment(ctx, sup, c); err != nil {
			t.Fatal(err)
		}
		if err := f.DB.SetCompartmentMember(ctx, sup, c.ID, f.Users[contest.RoleInvestigator].ID, true); err != nil {
			t.Fatal(err)
		}
		inv := f.MustActor(t, contest.RoleInvestigator)
		if !inv.InCompartment(c.ID) {
			t.Fatal("member not in compartment")
		}
		// The investigator sees the compartment they belong to, and no other.
		other := &contest.Compartment{Name: "Operation Marrowgate"}
		if err := f.DB.CreateCompartment(ctx, f.MustActor(t, contest.RoleAdmin), other); err != nil {
			t.Fatal(err)
		}
		cs, err := f.DB.FindCompartments(ctx, inv)
		if err != nil || len(cs) != 1 || cs[0].ID != c.ID {
			t.Fatalf("investigator compartments: %v %v", cs, err)
		}
		if _, err := f.DB.FindCompartmentByID(ctx, inv, other.ID); contest.ErrorCode(err) != contest.ENOTFOUND {
			t.Fatalf("hidden compartment: %v", err)
		}
		// Threat level.
		cur, err := f.DB.CurrentThreatLevel(ctx)
		if err != nil || cur.Level != contest.ThreatSubstantial {
			t.Fatalf("default level %v %v", cur, err)
		}
		if _, err := f.DB.SetThreatLevel(ctx, inv, contest.ThreatSevere, "x"); contest.ErrorCode(err) != contest.EFORBIDDEN {
			t.Fatalf("investigator changed threat level: %v", err)
		}
		if _, err := f.DB.SetThreatLevel(ctx, sup, contest.ThreatSevere, "x"); contest.ErrorCode(err) != contest.EFORBIDDEN {
			t.Fatalf("CTP supervisor changed threat level: %v", err)
		}
		admin := f.MustActor(t, contest.RoleAdmin)
		if _, err := f.DB.SetThreatLevel(ctx, admin, contest.ThreatSevere, "  "); contest.ErrorCode(err) != contest.EINVALID {
			t.Fatalf("no rationale: %v", err)
		}
		if _, err := f.DB.SetThreatLevel(ctx, admin, contest.ThreatSevere, "Assessment of recent plots"); err != nil {
			t.Fatal(err)
		}
		if cur, _ := f.DB.CurrentThreatLevel(ctx); cur.Level != contest.ThreatSevere || cur.Rationale == "" {
			t.Fatalf("level now %v", cur)
		}
		h, err := f.DB.ThreatHistory(ctx, inv)
		if err != nil || len(h) != 1 {
			t.Fatalf("history %v %v", h, err)
		}
	})
}

func TestAuditTrail(t *testing.T) {
	forEngine(t, func(t *testing.T, e db.Engine) {
		f := dbtest.MustFixture(t, e)
		aud := f.MustActor(t, contest.RoleAuditor)
		if _, _, err := f.DB.FindAuditEntries(ctx, f.MustActor(t, contest.RoleAdmin), contest.AuditFilter{}); contest.ErrorCode(err) != contest.EFORBIDDEN {
			t.Fatalf("admin searched audit: %v", err)
		}
		res, err := f.DB.VerifyAudit(ctx, aud)
		if err != nil || !res.OK || res.Entries < 20 {
			t.Fatalf("verify fresh: %+v %v", res, err)
		}
		// A value can be found by its HMAC but is not stored in clear.
		admin := f.MustActor(t, contest.RoleAdmin)
		admin.Justification = "Case review for inspection"
		if _, err := f.DB.FindUserByID(ctx, admin, f.Users[contest.RoleAnalyst].ID); err != nil {
			t.Fatal(err)
		}
		es, n, err := f.DB.FindAuditEntries(ctx, aud, contest.AuditFilter{Value: "Case review for inspection"})
		if err != nil || n != 1 || es[0].Action != contest.AuditRead || es[0].Username != admin.Username {
			t.Fatalf("search by value: %d %v", n, err)
		}
		var buf bytes.Buffer
		if err := f.DB.ExportAudit(ctx, aud, contest.AuditFilter{}, "", &buf); contest.ErrorCode(err) != contest.EINVALID {
			t.Fatalf("export without recipient: %v", err)
		}
		if err := f.DB.ExportAudit(ctx, aud, contest.AuditFilter{}, "Inspector", &buf); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(buf.String(), "Case review") || !strings.Contains(buf.String(), "hmac-sha256:") {
			t.Fatal("export holds a sensitive value in clear, or no HMACs")
		}
		// The database refuses to change the trail.
		if _, err := f.DB.SQL().Exec("UPDATE audit_log SET username = 'x' WHERE seq = 1"); err == nil {
			t.Fatal("audit_log update allowed")
		}
		if _, err := f.DB.SQL().Exec("DELETE FROM audit_log WHERE seq = 1"); err == nil {
			t.Fatal("audit_log delete allowed")
		}
	})
}

// tamper lifts the append-only triggers, as someone with database access
// could, and applies sql; verification must then fail at want.
func TestAuditTamper(t *testing.T) {
	drop := map[db.Engine][]string{
		db.SQLite:   {"DROP TRIGGER audit_log_no_update", "DROP TRIGGER audit_log_no_delete"},
		db.Postgres: {"DROP TRIGGER audit_log_no_change ON audit_log"},
	}
	tests := []struct {
		name string
		sql  []string
		want int64
	}{
		{"Edit", []string{"UPDATE audit_log SET username = 'someone.else' WHERE seq = 5"}, 5},
		{"EditOutcome", []string{"UPDATE audit_log SET outcome = 'denied' WHERE seq = 7"}, 7},
		{"Delete", []string{"DELETE FROM audit_log WHERE seq = 6"}, 6},
		{"DeleteLast", []string{"DELETE FROM audit_log WHERE seq = (SELECT MAX(seq) FROM audit_log)"}, -1},
		{"Insert", []string{"UPDATE audit_log SET seq = seq + 1000000 WHERE seq >= 8", "UPDATE audit_log SET seq = seq - 1000000 + 1 WHERE seq >= 1000000",
			"INSERT INTO audit_log SELECT 8, at, user_id, username, org_id, action, kind, record_id, outcome, client_addr, via, justification, recipient, detail, prev_hash, hash FROM audit_log WHERE seq = 7", "UPDATE audit_head SET seq = seq + 1"}, 8},
		{"Reorder", []string{"UPDATE audit_log SET seq = -1 WHERE seq = 3", "UPDATE audit_log SET seq = 3 WHERE seq = 4", "UPDATE audit_log SET seq = 4 WHERE seq = -1"}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			forEngine(t, func(t *testing.T, e db.Engine) {
				f := dbtest.MustFixture(t, e)
				aud := f.MustActor(t, contest.RoleAuditor)
				for _, q := range append(drop[e], tt.sql...) {
					if _, err := f.DB.SQL().Exec(q); err != nil {
						t.Fatalf("%s: %v", q, err)
					}
				}
				res, err := f.DB.VerifyAudit(ctx, aud)
				if err != nil {
					t.Fatal(err)
				}
				want := tt.want
				if want == -1 {
					want = res.Entries + 1
				}
				if res.OK || res.FirstBadSeq != want {
					t.Fatalf("verify = %+v, want first bad %d", res, want)
				}
			})
		})
	}
}

// TestAuditFailClosed: when the audit entry cannot be written, the action
// does not happen and the caller is told.
func TestAuditFailClosed(t *testing.T) {
	forEngine(t, func(t *testing.T, e db.Engine) {
		f := dbtest.MustFixture(t, e)
		admin := f.MustActor(t, contest.RoleAdmin)
		before, _ := f.DB.FindOrgs(ctx, admin)
		if _, err := f.DB.SQL().Exec("ALTER TABLE audit_head RENAME TO audit_head_gone"); err != nil {
			t.Fatal(err)
		}
		err := f.DB.CreateOrg(ctx, admin, &contest.Org{Name: "Should Not Exist", Kind: contest.OrgHealth})
		if contest.ErrorCode(err) != contest.EAUDIT {
			t.Fatalf("create with audit broken: %v", err)
		}
		if _, err := f.DB.FindOrgs(ctx, admin); contest.ErrorCode(err) != contest.EAUDIT {
			t.Fatalf("read with audit broken returned data: %v", err)
		}
		if _, err := f.DB.SignIn(ctx, contest.SignInRequest{Username: "test.analyst", Password: f.Password}); contest.ErrorCode(err) != contest.EAUDIT {
			t.Fatalf("sign-in with audit broken: %v", err)
		}
		if _, err := f.DB.SQL().Exec("ALTER TABLE audit_head_gone RENAME TO audit_head"); err != nil {
			t.Fatal(err)
		}
		after, _ := f.DB.FindOrgs(ctx, admin)
		if len(after) != len(before) {
			t.Fatalf("org created without an audit entry: %d -> %d", len(before), len(after))
		}
		if res, _ := f.DB.VerifyAudit(ctx, f.MustActor(t, contest.RoleAuditor)); !res.OK {
			t.Fatalf("chain broken after failures: %+v", res)
		}
	})
}
