package main

import (
	"context"
	"flag"
	"io"
	"log/slog"
	"os"

	"github.com/contest-ct/contest/db"
	"golang.org/x/term"
)

// storeFlags are the flags every command that opens the database takes.
type storeFlags struct {
	data string
	dsn  string
	log  string
}

func (s *storeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&s.data, "data", "contest-data", "directory for the SQLite database and secret key (env CONTEST_DATA)")
	fs.StringVar(&s.dsn, "db", "", "PostgreSQL URL (postgres://...); empty for SQLite in --data (env CONTEST_DB)")
	fs.StringVar(&s.log, "log-format", "auto", "log format: auto (JSON unless stderr is a terminal), json or text (env CONTEST_LOG_FORMAT)")
}

func (s *storeFlags) logger(w io.Writer) *slog.Logger {
	format := s.log
	if format == "auto" {
		format = "json"
		if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			format = "text"
		}
	}
	if format == "text" {
		return slog.New(slog.NewTextHandler(w, nil))
	}
	return slog.New(slog.NewJSONHandler(w, nil))
}

// newStoreFlagSet returns a flag set with the store flags registered.
func newStoreFlagSet(env *Env, name, synopsis string) (*flag.FlagSet, *storeFlags) {
	fs := newFlagSet(env, name, synopsis)
	sf := &storeFlags{}
	sf.register(fs)
	return fs, sf
}

// with opens the store, calls fn, and closes the store.
func (s *storeFlags) with(ctx context.Context, env *Env, fn func(d *db.DB) error) error {
	d, err := s.open(ctx, env)
	if err != nil {
		return err
	}
	defer d.Close()
	return fn(d)
}

func (s *storeFlags) open(ctx context.Context, env *Env) (*db.DB, error) {
	return db.Open(ctx, db.Config{DSN: s.dsn, DataDir: s.data, Logger: s.logger(env.Stderr)})
}
