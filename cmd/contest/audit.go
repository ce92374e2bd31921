package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/db"
)

func init() {
	register("audit", "verify or export the audit trail", cmdAudit)
}

func cmdAudit(ctx context.Context, env *Env, args []string) error {
	return subcommand(ctx, env, "audit", args, map[string]func(context.Context, *Env, []string) error{
		"verify": auditVerify,
		"export": auditExport,
	})
}

func auditVerify(ctx context.Context, env *Env, args []string) error {
	fs, sf := newStoreFlagSet(env, "audit verify", "audit verify [--data DIR | --db postgres://...]")
	if err := parseFlags(fs, env, args); err != nil {
		return err
	}
	return sf.with(ctx, env, func(d *db.DB) error {
		res, err := d.VerifyAudit(ctx, contest.SystemActor("cli"))
		if res == nil {
			return describe(err)
		}
		rate := float64(res.Entries) / max(res.Elapsed.Seconds(), 1e-9)
		if !res.OK {
			fmt.Fprintf(env.Stdout, "audit chain BROKEN at entry %d: %s (%d entries checked)\n", res.FirstBadSeq, res.Problem, res.Entries)
			return fmt.Errorf("audit chain broken at entry %d", res.FirstBadSeq)
		}
		fmt.Fprintf(env.Stdout, "audit chain OK: %d entries verified in %s (%.0f entries/s)\n", res.Entries, res.Elapsed.Round(time.Millisecond), rate)
		if err != nil {
			return describe(err)
		}
		return nil
	})
}

func auditExport(ctx context.Context, env *Env, args []string) error {
	fs, sf := newStoreFlagSet(env, "audit export", "audit export --recipient WHO [--out FILE] [--from RFC3339] [--to RFC3339] [--user NAME]")
	out := fs.String("out", "-", "file to write JSON lines to, - for standard output")
	recipient := fs.String("recipient", "", "who the export is for (recorded as a disclosure)")
	from := fs.String("from", "", "only entries at or after this time (RFC 3339)")
	to := fs.String("to", "", "only entries before this time (RFC 3339)")
	user := fs.String("user", "", "only entries by this username")
	if err := parseFlags(fs, env, args); err != nil {
		return err
	}
	var f contest.AuditFilter
	var err error
	if *from != "" {
		if f.From, err = time.Parse(time.RFC3339, *from); err != nil {
			return fmt.Errorf("%w: --from must be an RFC 3339 time like 2026-01-31T00:00:00Z", errUsage)
		}
	}
	if *to != "" {
		if f.To, err = time.Parse(time.RFC3339, *to); err != nil {
			return fmt.Errorf("%w: --to must be an RFC 3339 time like 2026-01-31T00:00:00Z", errUsage)
		}
	}
	f.Username = *user
	return sf.with(ctx, env, func(d *db.DB) error {
		w := env.Stdout
		if *out != "-" {
			fh, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
			if err != nil {
				return err
			}
			defer fh.Close()
			w = fh
		}
		sys := contest.SystemActor("cli")
		// The operator acts with the auditor's rights for an export.
		sys.Role = contest.RoleAuditor
		if err := d.ExportAudit(ctx, sys, f, *recipient, w); err != nil {
			return describe(err)
		}
		return nil
	})
}
