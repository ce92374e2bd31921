package main

import (
	"bufio"
	"context"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/db"
)

func init() {
	register("migrate", "apply database migrations and print the schema version", cmdMigrate)
	register("user", "manage users: add, list, disable, enable, reset", cmdUser)
	register("org", "manage organisations: add, list", cmdOrg)
	register("backup", "write a consistent copy of the database", cmdBackup)
}

func cmdMigrate(ctx context.Context, env *Env, args []string) error {
	fs, sf := newStoreFlagSet(env, "migrate", "migrate [--data DIR | --db postgres://...]")
	if err := parseFlags(fs, env, args); err != nil {
		return err
	}
	return sf.with(ctx, env, func(d *db.DB) error {
		v, err := d.MigrationVersion(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "%s schema at version %d\n", d.Engine(), v)
		return nil
	})
}

// subcommand dispatches "contest NAME SUB ...".
func subcommand(ctx context.Context, env *Env, name string, args []string, subs map[string]func(context.Context, *Env, []string) error) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintf(env.Stderr, "Usage: contest %s <%s> [flags]\n", name, strings.Join(slices.Sorted(maps.Keys(subs)), "|"))
		if len(args) == 0 {
			return fmt.Errorf("%w: missing subcommand", errUsage)
		}
		return nil
	}
	fn, ok := subs[args[0]]
	if !ok {
		return fmt.Errorf("%w: unknown subcommand %q", errUsage, args[0])
	}
	return fn(ctx, env, args[1:])
}

// describe prints an application error with its field messages.
func describe(err error) error {
	fields := contest.ErrorFields(err)
	if len(fields) == 0 {
		if contest.ErrorCode(err) == contest.EINTERNAL {
			return err
		}
		return fmt.Errorf("%s", contest.ErrorMessage(err))
	}
	var b strings.Builder
	b.WriteString(contest.ErrorMessage(err))
	for _, f := range fields {
		fmt.Fprintf(&b, "\n  --%s: %s", strings.ReplaceAll(f.Field, "_", "-"), f.Message)
	}
	return fmt.Errorf("%s", b.String())
}

// nameFirst lets a positional argument come before the flags
// ("user disable NAME --data DIR") as well as after them.
func nameFirst(args []string) []string {
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		return append(append([]string{}, args[1:]...), args[0])
	}
	return args
}

// readPassword reads a password from CONTEST_PASSWORD or one line of stdin.
func readPassword(env *Env) (string, error) {
	if p := env.Getenv("CONTEST_PASSWORD"); p != "" {
		return p, nil
	}
	if f, ok := env.Stdin.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			fmt.Fprint(env.Stderr, "Password (at least 12 characters): ")
		}
	}
	line, err := bufio.NewReader(env.Stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", fmt.Errorf("%w: give the password on standard input or in CONTEST_PASSWORD", errUsage)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func cmdUser(ctx context.Context, env *Env, args []string) error {
	return subcommand(ctx, env, "user", args, map[string]func(context.Context, *Env, []string) error{
		"add":     userAdd,
		"list":    userList,
		"disable": func(ctx context.Context, env *Env, args []string) error { return userSetDisabled(ctx, env, args, true) },
		"enable": func(ctx context.Context, env *Env, args []string) error {
			return userSetDisabled(ctx, env, args, false)
		},
		"reset": userReset,
	})
}

func userAdd(ctx context.Context, env *Env, args []string) error {
	fs, sf := newStoreFlagSet(env, "user add", "user add --username NAME --name 'Full Name' --org ID --role ROLE --vetting LEVEL [--email E] (password on stdin or CONTEST_PASSWORD)")
	username := fs.String("username", "", "sign-in name")
	name := fs.String("name", "", "full name")
	email := fs.String("email", "", "email address")
	org := fs.Int64("org", 0, "organisation id (see 'contest org list')")
	role := fs.String("role", "", "role: "+rolesList())
	vetting := fs.String("vetting", "", "vetting level: BPSS, CTC, SC or DV")
	if err := parseFlags(fs, env, args); err != nil {
		return err
	}
	v, err := contest.ParseVetting(*vetting)
	if err != nil {
		return describe(err)
	}
	pw, err := readPassword(env)
	if err != nil {
		return err
	}
	return sf.with(ctx, env, func(d *db.DB) error {
		u := &contest.User{Username: *username, DisplayName: *name, Email: *email, OrgID: *org, Role: contest.Role(*role), Vetting: v}
		if err := d.CreateUser(ctx, contest.SystemActor("cli"), u, pw); err != nil {
			return describe(err)
		}
		fmt.Fprintf(env.Stdout, "user %d %s created\n", u.ID, u.Username)
		if u.NeedsTOTP() {
			fmt.Fprintln(env.Stdout, "This user must set up a second factor (TOTP) at first sign-in.")
		}
		return nil
	})
}

func rolesList() string {
	var s []string
	for _, r := range contest.Roles {
		s = append(s, string(r))
	}
	return strings.Join(s, ", ")
}

func userList(ctx context.Context, env *Env, args []string) error {
	fs, sf := newStoreFlagSet(env, "user list", "user list [--org ID]")
	org := fs.Int64("org", 0, "only this organisation")
	if err := parseFlags(fs, env, args); err != nil {
		return err
	}
	return sf.with(ctx, env, func(d *db.DB) error {
		us, _, err := d.FindUsers(ctx, contest.SystemActor("cli"), contest.UserFilter{OrgID: *org, Limit: 500})
		if err != nil {
			return describe(err)
		}
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tUSERNAME\tNAME\tORG\tROLE\tVETTING\tTOTP\tSTATUS")
		for _, u := range us {
			status := "active"
			if u.Disabled {
				status = "disabled"
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\t%s\t%v\t%s\n", u.ID, u.Username, u.DisplayName, u.OrgID, u.Role, u.VettingName, u.TOTPEnabled, status)
		}
		return tw.Flush()
	})
}

func userByArg(ctx context.Context, d *db.DB, arg string) (*contest.User, error) {
	sys := contest.SystemActor("cli")
	if id, err := strconv.ParseInt(arg, 10, 64); err == nil {
		return d.FindUserByID(ctx, sys, id)
	}
	return d.FindUserByUsername(ctx, sys, arg)
}

func userSetDisabled(ctx context.Context, env *Env, args []string, disabled bool) error {
	verb := map[bool]string{true: "disable", false: "enable"}[disabled]
	fs, sf := newStoreFlagSet(env, "user "+verb, "user "+verb+" USERNAME|ID")
	if err := parseFlags(fs, env, nameFirst(args)); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: name one user", errUsage)
	}
	return sf.with(ctx, env, func(d *db.DB) error {
		u, err := userByArg(ctx, d, fs.Arg(0))
		if err != nil {
			return describe(err)
		}
		if err := d.SetUserDisabled(ctx, contest.SystemActor("cli"), u.ID, disabled); err != nil {
			return describe(err)
		}
		fmt.Fprintf(env.Stdout, "user %s %sd\n", u.Username, verb)
		return nil
	})
}

func userReset(ctx context.Context, env *Env, args []string) error {
	fs, sf := newStoreFlagSet(env, "user reset", "user reset USERNAME|ID (new password on stdin or CONTEST_PASSWORD)")
	if err := parseFlags(fs, env, nameFirst(args)); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("%w: name one user", errUsage)
	}
	pw, err := readPassword(env)
	if err != nil {
		return err
	}
	return sf.with(ctx, env, func(d *db.DB) error {
		u, err := userByArg(ctx, d, fs.Arg(0))
		if err != nil {
			return describe(err)
		}
		if err := d.ResetPassword(ctx, contest.SystemActor("cli"), u.ID, pw); err != nil {
			return describe(err)
		}
		fmt.Fprintf(env.Stdout, "password of %s reset; their sessions have ended\n", u.Username)
		return nil
	})
}

func cmdOrg(ctx context.Context, env *Env, args []string) error {
	return subcommand(ctx, env, "org", args, map[string]func(context.Context, *Env, []string) error{
		"add":  orgAdd,
		"list": orgList,
	})
}

func orgAdd(ctx context.Context, env *Env, args []string) error {
	fs, sf := newStoreFlagSet(env, "org add", "org add --name NAME --kind KIND [--area AREA]")
	name := fs.String("name", "", "organisation name")
	var kinds []string
	for _, k := range contest.OrgKinds {
		kinds = append(kinds, string(k))
	}
	kind := fs.String("kind", "", "kind: "+strings.Join(kinds, ", "))
	area := fs.String("area", "", "region or local-authority area served")
	if err := parseFlags(fs, env, args); err != nil {
		return err
	}
	return sf.with(ctx, env, func(d *db.DB) error {
		o := &contest.Org{Name: *name, Kind: contest.OrgKind(*kind), Area: *area}
		if err := d.CreateOrg(ctx, contest.SystemActor("cli"), o); err != nil {
			return describe(err)
		}
		fmt.Fprintf(env.Stdout, "organisation %d %s created\n", o.ID, o.Name)
		return nil
	})
}

func orgList(ctx context.Context, env *Env, args []string) error {
	fs, sf := newStoreFlagSet(env, "org list", "org list")
	if err := parseFlags(fs, env, args); err != nil {
		return err
	}
	return sf.with(ctx, env, func(d *db.DB) error {
		os, err := d.FindOrgs(ctx, contest.SystemActor("cli"))
		if err != nil {
			return describe(err)
		}
		tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tKIND\tAREA")
		for _, o := range os {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", o.ID, o.Name, o.Kind, o.Area)
		}
		return tw.Flush()
	})
}

func cmdBackup(ctx context.Context, env *Env, args []string) error {
	fs, sf := newStoreFlagSet(env, "backup", "backup --out FILE [--data DIR]")
	out := fs.String("out", "", "file to write (SQLite: a consistent database copy made with VACUUM INTO)")
	if err := parseFlags(fs, env, args); err != nil {
		return err
	}
	if *out == "" {
		*out = fmt.Sprintf("contest-backup-%s.db", time.Now().UTC().Format("20060102T150405Z"))
	}
	return sf.with(ctx, env, func(d *db.DB) error {
		if err := d.Backup(ctx, contest.SystemActor("cli"), *out); err != nil {
			return describe(err)
		}
		fmt.Fprintf(env.Stdout, "backup written to %s\n", *out)
		return nil
	})
}
