// Package dbtest opens real databases for tests: a temporary SQLite file
// always, and a fresh PostgreSQL database when CONTEST_TEST_POSTGRES holds
// the DSN of a server the tests may create databases on. Never a mock.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/db"
	_ "github.com/jackc/pgx/v5/stdlib"
)

// Engines lists the engines to run a suite on.
func Engines() []db.Engine {
	if os.Getenv("CONTEST_TEST_POSTGRES") != "" {
		return []db.Engine{db.SQLite, db.Postgres}
	}
	return []db.Engine{db.SQLite}
}

// Key is the audit key tests use.
var Key = []byte("test-key-test-key-test-key-test-key")

// MustOpen opens a fresh database of the engine and closes (and, for
// PostgreSQL, drops) it when the test ends. now may be nil.
func MustOpen(tb testing.TB, engine db.Engine, now func() time.Time) *db.DB {
	tb.Helper()
	cfg := db.Config{DataDir: tb.TempDir(), SecretKey: Key, Now: now, Argon2: db.TestArgon2, NotDurable: true}
	if engine == db.Postgres {
		cfg.DSN = MustPostgresDatabase(tb)
	}
	d, err := db.Open(context.Background(), cfg)
	if err != nil {
		tb.Fatalf("open %s: %v", engine, err)
	}
	tb.Cleanup(func() { d.Close() })
	return d
}

// MustPostgresDatabase creates an empty database on the test server and
// returns its DSN; it is dropped when the test ends.
func MustPostgresDatabase(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv("CONTEST_TEST_POSTGRES")
	if base == "" {
		tb.Skip("CONTEST_TEST_POSTGRES is not set: PostgreSQL tests skipped")
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatal(err)
	}
	defer admin.Close()
	b := make([]byte, 6)
	rand.Read(b)
	name := "contest_test_" + hex.EncodeToString(b)
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		tb.Fatalf("create database: %v", err)
	}
	tb.Cleanup(func() {
		a, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer a.Close()
		a.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// Fixture is a small installation: organisations of several kinds and one
// user of every role, all with known passwords.
type Fixture struct {
	DB       *db.DB
	Orgs     map[contest.OrgKind]*contest.Org
	Users    map[contest.Role]*contest.User
	Password string
}

// MustFixture builds a Fixture on a fresh database.
func MustFixture(tb testing.TB, engine db.Engine) *Fixture {
	tb.Helper()
	d := MustOpen(tb, engine, nil)
	ctx := context.Background()
	sys := contest.SystemActor("test")
	f := &Fixture{DB: d, Orgs: map[contest.OrgKind]*contest.Org{}, Users: map[contest.Role]*contest.User{}, Password: "correct horse battery staple"}
	for _, k := range contest.OrgKinds {
		o := &contest.Org{Name: "Test " + k.Label(), Kind: k, Area: "Northshire"}
		if err := d.CreateOrg(ctx, sys, o); err != nil {
			tb.Fatalf("create org: %v", err)
		}
		f.Orgs[k] = o
	}
	orgFor := map[contest.Role]contest.OrgKind{
		contest.RoleInvestigator: contest.OrgCTP, contest.RoleAnalyst: contest.OrgSecurityService, contest.RoleSupervisor: contest.OrgCTP,
		contest.RolePreventOfficer: contest.OrgCTP, contest.RolePanelMember: contest.OrgLocalAuthority, contest.RoleContentOfficer: contest.OrgCTP,
		contest.RoleSecurityAdv: contest.OrgCTP, contest.RolePartner: contest.OrgBusiness, contest.RoleCasualtyBureau: contest.OrgPolice,
		contest.RoleAuditor: contest.OrgCTP, contest.RoleAdmin: contest.OrgCTP,
	}
	for _, r := range contest.Roles {
		u := &contest.User{Username: "test." + string(r), DisplayName: "Test " + r.Label(), Role: r, Vetting: contest.CTC, OrgID: f.Orgs[orgFor[r]].ID}
		if err := d.CreateUser(ctx, sys, u, f.Password); err != nil {
			tb.Fatalf("create user: %v", err)
		}
		f.Users[r] = u
	}
	return f
}

// MustActor returns the actor for a fixture user, as if signed in with any
// second factor done.
func (f *Fixture) MustActor(tb testing.TB, r contest.Role) *contest.Actor {
	tb.Helper()
	a, err := f.DB.ActorForUser(context.Background(), f.Users[r].ID, "192.0.2.1", "test")
	if err != nil {
		tb.Fatal(err)
	}
	a.TOTPEnrolled = true
	return a
}
