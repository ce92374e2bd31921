package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/contest-ct/contest/db"
	"github.com/contest-ct/contest/web"
)

func init() {
	register("serve", "run the web UI and API", cmdServe)
}

type serveFlags struct {
	storeFlags
	addr          string
	secureCookies bool
}

func (s *serveFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&s.addr, "addr", "127.0.0.1:8080", "address to listen on (env CONTEST_ADDR)")
	fs.BoolVar(&s.secureCookies, "secure-cookies", false, "mark session cookies Secure; set when users reach contest over TLS (env CONTEST_SECURE_COOKIES)")
}

func cmdServe(ctx context.Context, env *Env, args []string) error {
	fs := newFlagSet(env, "serve", "serve [--addr 127.0.0.1:8080] [--data DIR | --db postgres://...]")
	var f serveFlags
	f.storeFlags.register(fs)
	f.register(fs)
	if err := parseFlags(fs, env, args); err != nil {
		return err
	}
	d, err := f.open(ctx, env)
	if err != nil {
		return err
	}
	defer d.Close()
	return runServer(ctx, env, d, &f, nil)
}

// runServer serves until ctx ends, then shuts down gracefully. ready, if
// not nil, is called with the base URL once the listener is open.
func runServer(ctx context.Context, env *Env, d *db.DB, f *serveFlags, ready func(url string)) error {
	log := f.logger(env.Stderr)
	srv, err := web.New(web.Config{Store: d, Logger: log, SecureCookies: f.secureCookies, SessionStore: d.SessionStore()})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	url := "http://" + ln.Addr().String()
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	go sweepSessions(ctx, d, log)
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	log.Info("listening", "url", url, "engine", d.Engine())
	fmt.Fprintf(env.Stdout, "contest: listening on %s\n", url)
	if ready != nil {
		ready(url)
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

func sweepSessions(ctx context.Context, d *db.DB, log *slog.Logger) {
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := d.SessionStore().DeleteExpired(ctx); err != nil {
				log.Warn("session sweep failed", "err", err)
			} else if n > 0 {
				log.Info("expired sessions removed", "count", n)
			}
		}
	}
}
