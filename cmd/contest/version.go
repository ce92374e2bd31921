package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
)

// Version is set at build time with -ldflags "-X main.Version=...".
var Version = "dev"

func init() {
	register("version", "print the version of contest", func(ctx context.Context, env *Env, args []string) error {
		fs := newFlagSet(env, "version", "version")
		if err := parseFlags(fs, env, args); err != nil {
			return err
		}
		rev := ""
		if bi, ok := debug.ReadBuildInfo(); ok {
			for _, s := range bi.Settings {
				if s.Key == "vcs.revision" {
					rev = " " + s.Value
				}
			}
		}
		fmt.Fprintf(env.Stdout, "contest %s%s %s\n", Version, rev, runtime.Version())
		return nil
	})
}
