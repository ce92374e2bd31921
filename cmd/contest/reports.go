package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/db"
)

func init() {
	register("reports", "export the stored reports", cmdReports)
}

func cmdReports(ctx context.Context, env *Env, args []string) error {
	return subcommand(ctx, env, "reports", args, map[string]func(context.Context, *Env, []string) error{
		"export": reportsExport,
	})
}

// reportsExport writes every stored report as a JSON line with its
// reference. The export is recorded in the audit trail, with the
// recipient, before the first line is written.
func reportsExport(ctx context.Context, env *Env, args []string) error {
	fs, sf := newStoreFlagSet(env, "reports export", "reports export [--data DIR | --db postgres://...] [--out FILE] [--recipient WHO]")
	out := fs.String("out", "-", "file to write JSON lines to, - for standard output")
	recipient := fs.String("recipient", "operator (command line)", "who the export is for (recorded in the audit trail)")
	if err := parseFlags(fs, env, args); err != nil {
		return err
	}
	return sf.with(ctx, env, func(d *db.DB) error {
		var w io.Writer = env.Stdout
		var f *os.File
		if *out != "-" {
			var err error
			if f, err = os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600); err != nil {
				return err
			}
			defer f.Close()
			w = f
		}
		bw := bufio.NewWriterSize(w, 1<<16)
		n, err := d.ExportReports(ctx, contest.SystemActor("cli"), *recipient, bw)
		if err != nil {
			return describe(err)
		}
		if err := bw.Flush(); err != nil {
			return err
		}
		if f != nil {
			if err := f.Sync(); err != nil {
				return err
			}
			fmt.Fprintf(env.Stderr, "contest: %d reports written to %s\n", n, *out)
		}
		return nil
	})
}
