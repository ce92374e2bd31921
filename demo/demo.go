// Package demo fills an empty contest database with synthetic, fictional
// data at the scale described in public: about 600 investigations, 3,000
// active subjects of interest, 20,000 closed former subjects and a year of
// about 7,000 Prevent referrals, with organisations of every kind and one
// demo user for every role. Every person is generated (see names.go); no
// real person appears.
//
// Organisations, users and compartments are created through the store's
// ordinary audited service calls; the large tables go in through
// db.BulkLoad, one audited write transaction. The load is deterministic for
// a seed, except for the passwords and TOTP secrets, which are secrets and
// come from crypto/rand.
package demo

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"math"
	"math/big"
	"sort"
	"strings"
	"time"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/db"
)

// Options controls a load.
type Options struct {
	// Seed makes the data (not the passwords) reproducible.
	Seed int64
	// Scale multiplies the record counts: 1.0 is the public scale, 0.02
	// a quick one for tests. Zero means 1.0.
	Scale float64
	// Now is the moment the data is made as of; the Prevent referrals
	// cover the financial year (April to March) before it. Zero means the
	// current time.
	Now time.Time
}

// Login is a demo sign-in, to be printed for the person trying the demo.
type Login struct {
	Username string
	Password string
	Role     string
	// TOTPSecret is the base32 second-factor secret for users who need
	// one (administrators, SC and DV vetting), or "".
	TOTPSecret string
}

// Summary says what was loaded.
type Summary struct {
	// URLPath is where to send the person trying the demo (the sign-in
	// page), to be joined to the server's address.
	URLPath string
	// Users has one login for every role, in the order of contest.Roles.
	Users []Login
	// Counts is the number of records of each sort that was created.
	Counts map[string]int
	// Elapsed is how long the load took.
	Elapsed time.Duration
	// Warnings are things the person running the demo should know.
	Warnings []string
}

// The public-scale record counts.
const (
	fullInvestigations = 600
	fullActiveSubjects = 3000
	fullClosedSubjects = 20000
	fullReferrals      = 7000
)

// ErrNotEmpty is returned when the database already holds organisations.
var ErrNotEmpty = errors.New("demo: the database is not empty; the demo loads only into a fresh one")

// Load fills the empty database d and returns what it made; the caller
// prints Summary.Users (Summary.String renders everything). It refuses a
// database that already holds organisations with ErrNotEmpty. Load is not
// one transaction: after an error the database holds part of the demo and
// should be thrown away.
func Load(ctx context.Context, d *db.DB, opt Options) (*Summary, error) {
	start := time.Now()
	if opt.Scale == 0 {
		opt.Scale = 1
	}
	if opt.Scale < 0 || opt.Scale > 10 || math.IsNaN(opt.Scale) {
		return nil, fmt.Errorf("demo: scale %v must be between 0 and 10", opt.Scale)
	}
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	opt.Now = opt.Now.UTC()
	var n int
	if err := d.SQL().QueryRowContext(ctx, "SELECT COUNT(*) FROM orgs").Scan(&n); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	if n > 0 {
		return nil, ErrNotEmpty
	}
	l := &loader{d: d, g: newGen(opt.Seed), opt: opt, sys: contest.SystemActor("cli"),
		orgs: map[string]*contest.Org{}, users: map[contest.Role]*contest.User{},
		sum: &Summary{URLPath: "/sign-in", Counts: map[string]int{}}}
	if err := l.run(ctx); err != nil {
		return nil, err
	}
	// Join the dots over everything loaded, so that the possible-matches
	// and closed-subject queues are filled when the demo opens, with
	// parameters estimated from the data.
	if err := d.EstimateMatchParams(ctx); err != nil {
		l.sum.Warnings = append(l.sum.Warnings, "match parameters not estimated from the data, defaults used: "+err.Error())
	}
	if _, err := d.MatchPending(ctx); err != nil {
		return nil, fmt.Errorf("demo: matching: %w", err)
	}
	var matches int
	if err := d.SQL().QueryRowContext(ctx, "SELECT COUNT(*) FROM possible_matches").Scan(&matches); err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	l.sum.Counts["possible_matches"] = matches
	l.sum.Elapsed = time.Since(start)
	return l.sum, nil
}

// scaled is full times the scale, at least 1.
func (l *loader) scaled(full int) int {
	return max(1, int(math.Round(float64(full)*l.opt.Scale)))
}

type loader struct {
	d     *db.DB
	g     *gen
	opt   Options
	sys   *contest.Actor
	orgs  map[string]*contest.Org
	users map[contest.Role]*contest.User
	sum   *Summary

	member map[contest.Role][]bool // by investigation index
}

func (l *loader) run(ctx context.Context) error {
	if err := l.createOrgs(ctx); err != nil {
		return err
	}
	// Password hashing is slow on purpose; the users are made on one
	// goroutine (in a fixed order, so their ids are reproducible) while
	// this one makes the compartments.
	specs, err := l.userSpecs()
	if err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- l.createUsers(ctx, specs) }()
	ops, comps, cerr := l.createCompartments(ctx)
	if err := <-done; err != nil {
		return err
	}
	if cerr != nil {
		return cerr
	}
	if err := l.addMembers(ctx, comps); err != nil {
		return err
	}
	closed := l.closedSubjects()
	invs, subjects := l.investigations(ops, comps, closed)
	referrals := l.referrals(closed, subjects)
	err = l.d.BulkLoad(ctx, l.sys, func(b *db.Bulk) error {
		for _, v := range invs {
			if err := b.Investigation(v); err != nil {
				return err
			}
		}
		for _, s := range subjects {
			s.InvestigationID = invs[s.inv].ID
			if err := b.Subject(s.Subject); err != nil {
				return err
			}
		}
		for _, s := range closed {
			if err := b.Subject(s.Subject); err != nil {
				return err
			}
		}
		for _, r := range referrals {
			if err := b.PreventReferral(r); err != nil {
				return err
			}
		}
		for i := range l.sum.Users {
			lg := &l.sum.Users[i]
			if lg.TOTPSecret != "" {
				if err := b.SetTOTPSecret(l.users[contest.Role(lg.Role)].ID, lg.TOTPSecret); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("demo: bulk load: %w", err)
	}
	if err := l.protect(ctx); err != nil {
		return err
	}
	l.sum.Counts["investigations"] = len(invs)
	l.sum.Counts["subjects_active"] = len(subjects) - l.sum.Counts["subjects_former"]
	l.sum.Counts["subjects_closed"] = len(closed)
	l.sum.Counts["prevent_referrals"] = len(referrals)
	if err := l.loadReports(ctx); err != nil {
		return err
	}
	if err := l.loadContent(ctx); err != nil {
		return err
	}
	// Prevent (issue 6): panel, assessments, consent, support, DDP.
	if err := l.loadPrevent(ctx); err != nil {
		return err
	}
	// Pursue (issue 5): leads, actions, outcomes.
	if err := l.loadPursue(ctx); err != nil {
		return err
	}
	return nil
}

func (l *loader) createOrgs(ctx context.Context) error {
	for _, s := range orgSpecs() {
		o := &contest.Org{Name: s.name, Kind: s.kind, Area: s.area}
		if err := l.d.CreateOrg(ctx, l.sys, o); err != nil {
			return fmt.Errorf("demo: organisation %q: %w", s.name, err)
		}
		l.orgs[s.key] = o
	}
	l.sum.Counts["organisations"] = len(l.orgs)
	return nil
}

type pendingUser struct {
	u        *contest.User
	password string
}

// userSpecs draws the demo users' names and secrets, in role order.
func (l *loader) userSpecs() ([]pendingUser, error) {
	var out []pendingUser
	for _, r := range contest.Roles {
		spec, ok := demoUsers[r]
		if !ok {
			return nil, fmt.Errorf("demo: no demo user for role %s", r)
		}
		org := l.orgs[spec.org]
		name := "demo." + strings.ReplaceAll(string(r), "_", "-")
		u := &contest.User{Username: name, DisplayName: l.g.displayName(), Email: name + "@example.org", Role: r, Vetting: spec.vetting, OrgID: org.ID}
		pw, err := password()
		if err != nil {
			return nil, err
		}
		lg := Login{Username: name, Password: pw, Role: string(r)}
		if u.NeedsTOTP() {
			if lg.TOTPSecret, err = totpSecret(); err != nil {
				return nil, err
			}
		}
		l.sum.Users = append(l.sum.Users, lg)
		out = append(out, pendingUser{u, pw})
	}
	return out, nil
}

func (l *loader) createUsers(ctx context.Context, specs []pendingUser) error {
	for _, p := range specs {
		if err := l.d.CreateUser(ctx, l.sys, p.u, p.password); err != nil {
			return fmt.Errorf("demo: user %s: %w", p.u.Username, err)
		}
		l.users[p.u.Role] = p.u
	}
	return nil
}

// createCompartments draws the operation names and makes one compartment
// for each.
func (l *loader) createCompartments(ctx context.Context) ([]string, []*contest.Compartment, error) {
	n := l.scaled(fullInvestigations)
	used := map[string]bool{}
	ops := make([]string, n)
	for i := range ops {
		ops[i] = l.g.operation(used)
	}
	comps := make([]*contest.Compartment, n)
	for i, op := range ops {
		c := &contest.Compartment{Name: "Op " + op, Description: "Need-to-know group for Operation " + op}
		if err := l.d.CreateCompartment(ctx, l.sys, c); err != nil {
			return nil, nil, fmt.Errorf("demo: compartment %q: %w", c.Name, err)
		}
		comps[i] = c
	}
	l.sum.Counts["compartments"] = n
	return ops, comps, nil
}

// Shares of the operations whose compartment each Pursue demo user is in,
// so that need-to-know shows: each sees some investigations and not others.
var memberShare = map[contest.Role]float64{
	contest.RoleInvestigator: 0.35,
	contest.RoleSupervisor:   0.5,
	contest.RoleAnalyst:      0.3,
}

func (l *loader) addMembers(ctx context.Context, comps []*contest.Compartment) error {
	l.member = map[contest.Role][]bool{}
	roles := []contest.Role{contest.RoleInvestigator, contest.RoleSupervisor, contest.RoleAnalyst}
	for _, r := range roles {
		l.member[r] = make([]bool, len(comps))
	}
	count := 0
	for i, c := range comps {
		for _, r := range roles {
			// The first operation has the whole team, the second none of
			// them, whatever the scale.
			in := i == 0 || (i != 1 && l.g.chance(memberShare[r]))
			if !in {
				continue
			}
			l.member[r][i] = true
			if err := l.d.SetCompartmentMember(ctx, l.sys, c.ID, l.users[r].ID, true); err != nil {
				return fmt.Errorf("demo: member of %q: %w", c.Name, err)
			}
			count++
		}
	}
	l.sum.Counts["compartment_memberships"] = count
	return nil
}

// password returns a random passphrase of four words and two digits.
func password() (string, error) {
	words := []string{"amber", "anchor", "beacon", "birch", "cobble", "comet", "delta", "ember", "fable", "falcon", "garnet",
		"harbour", "hazel", "island", "juniper", "kestrel", "lantern", "linen", "maple", "meadow", "nickel", "orbit", "otter",
		"pebble", "quartz", "quill", "raven", "saffron", "sorrel", "tandem", "thistle", "timber", "umber", "velvet", "walnut",
		"willow", "yarrow", "zephyr", "copper", "granite"}
	var parts []string
	for range 4 {
		i, err := rand.Int(rand.Reader, big.NewInt(int64(len(words))))
		if err != nil {
			return "", err
		}
		parts = append(parts, words[i.Int64()])
	}
	d, err := rand.Int(rand.Reader, big.NewInt(90))
	if err != nil {
		return "", err
	}
	return strings.Join(parts, "-") + fmt.Sprintf("-%d", 10+d.Int64()), nil
}

// totpSecret returns a new 160-bit base32 TOTP secret, as totp.Generate
// makes.
func totpSecret() (string, error) {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b), nil
}

// sortedKeys returns the keys of m in order, for printing.
func sortedKeys(m map[string]int) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// String renders the summary for the terminal: counts, then sign-ins.
func (s *Summary) String() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "Demo data loaded in %s:\n", s.Elapsed.Round(time.Millisecond))
	for _, k := range sortedKeys(s.Counts) {
		fmt.Fprintf(&sb, "  %-36s %7d\n", k, s.Counts[k])
	}
	sb.WriteString("Demo sign-ins (fictional users; passwords and TOTP secrets are new for this database):\n")
	for _, u := range s.Users {
		fmt.Fprintf(&sb, "  %-26s %-34s %s", u.Username, u.Password, u.Role)
		if u.TOTPSecret != "" {
			fmt.Fprintf(&sb, "  TOTP secret %s", u.TOTPSecret)
		}
		sb.WriteString("\n")
	}
	return sb.String()
}
