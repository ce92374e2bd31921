package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/contest-ct/contest/demo"
)

func init() {
	register("demo", "load a fresh database of synthetic, fictional data and serve it", cmdDemo)
}

func cmdDemo(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "demo", "demo [--addr 127.0.0.1:8080] [--data DIR] [--scale 1.0] [--seed N] [--load-only]")
	var f serveFlags
	f.storeFlags.register(fs)
	f.register(fs)
	scale := fs.Float64("scale", 1.0, "size relative to the public scale (1.0: about 600 investigations, 3,000 active and 20,000 closed subjects, 7,000 Prevent referrals)")
	seed := fs.Int64("seed", 1, "random seed; the same seed gives the same data")
	loadOnly := fs.Bool("load-only", false, "load the data, print the sign-ins and exit without serving")
	fs.Lookup("data").DefValue = "contest-demo"
	f.data = "contest-demo"
	if err := parseFlags(fs, env, args); err != nil {
		return err
	}
	if *scale <= 0 || *scale > 10 {
		return fmt.Errorf("%w: --scale must be above 0 and at most 10", errUsage)
	}
	if f.dsn == "" {
		// The demo always starts fresh: remove the previous demo database.
		if _, err := os.Stat(filepath.Join(f.data, "contest.db")); err == nil {
			for _, n := range []string{"contest.db", "contest.db-wal", "contest.db-shm"} {
				if err := os.Remove(filepath.Join(f.data, n)); err != nil && !os.IsNotExist(err) {
					return err
				}
			}
		}
	}
	d, err := f.open(ctx, env)
	if err != nil {
		return err
	}
	defer d.Close()
	fmt.Fprintf(env.Stdout, "contest demo: loading synthetic data (scale %.2f) into %s...\n", *scale, d.Engine())
	sum, err := demo.Load(ctx, d, demo.Options{Seed: *seed, Scale: *scale, Now: time.Now()})
	if err != nil {
		return fmt.Errorf("load demo: %w", err)
	}
	for _, w := range sum.Warnings {
		fmt.Fprintln(env.Stderr, "contest demo: warning:", w)
	}
	fmt.Fprintf(env.Stdout, "loaded in %s:", sum.Elapsed.Round(time.Millisecond))
	for k, v := range sum.Counts {
		fmt.Fprintf(env.Stdout, " %s=%d", k, v)
	}
	fmt.Fprintln(env.Stdout)
	fmt.Fprintln(env.Stdout, "\nDemo sign-ins (every name and record is generated and fictional):")
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ROLE\tUSERNAME\tPASSWORD\tTOTP SECRET (add to an authenticator app)")
	for _, u := range sum.Users {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", u.Role, u.Username, u.Password, u.TOTPSecret)
	}
	tw.Flush()
	if *loadOnly {
		return nil
	}
	return runServer(ctx, env, d, &f, func(url string) {
		fmt.Fprintf(env.Stdout, "\nOpen %s%s and sign in with one of the accounts above. Stop with Ctrl-C.\n", url, sum.URLPath)
	})
}
