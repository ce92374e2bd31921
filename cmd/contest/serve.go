package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/contest-ct/contest/db"
	"github.com/contest-ct/contest/deliver"
	"github.com/contest-ct/contest/web"
)

func init() {
	register("serve", "run the web UI and API", cmdServe)
}

type serveFlags struct {
	storeFlags
	addr          string
	secureCookies bool
	deliver       deliverFlags
}

func (s *serveFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&s.addr, "addr", "127.0.0.1:8080", "address to listen on (env CONTEST_ADDR)")
	fs.BoolVar(&s.secureCookies, "secure-cookies", false, "mark session cookies Secure; set when users reach contest over TLS (env CONTEST_SECURE_COOKIES)")
	s.deliver.register(fs)
}

// deliverFlags configure the bulletin delivery worker (package deliver).
type deliverFlags struct {
	smtpAddr, smtpFrom, smtpUser, smtpPassword, smtpTLS string
	baseURL, node                                       string
	webhooks                                            bool
	workers                                             int
}

func (f *deliverFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.smtpAddr, "smtp-addr", "", "SMTP server host:port for bulletin e-mail; empty: e-mail stays queued (env CONTEST_SMTP_ADDR)")
	fs.StringVar(&f.smtpFrom, "smtp-from", "CONTEST <bulletins@contest.invalid>", "sender address of bulletin e-mail (env CONTEST_SMTP_FROM)")
	fs.StringVar(&f.smtpUser, "smtp-user", "", "SMTP AUTH user name (env CONTEST_SMTP_USER)")
	fs.StringVar(&f.smtpPassword, "smtp-password", "", "SMTP AUTH password; prefer the environment variable (env CONTEST_SMTP_PASSWORD)")
	fs.StringVar(&f.smtpTLS, "smtp-tls", "auto", "STARTTLS: auto (when offered), require or none (env CONTEST_SMTP_TLS)")
	fs.StringVar(&f.baseURL, "base-url", "", "address of this service in links sent to partners, e.g. https://contest.example; default http://ADDR (env CONTEST_BASE_URL)")
	fs.StringVar(&f.node, "node", "", "this node's name among nodes sharing the database, for delivery leases; default HOSTNAME/ADDR; must differ between nodes (env CONTEST_NODE)")
	fs.BoolVar(&f.webhooks, "webhooks", true, "send bulletins to partners' webhooks (env CONTEST_WEBHOOKS)")
	fs.IntVar(&f.workers, "delivery-workers", 8, "SMTP connections (and twice as many webhook requests) in flight (env CONTEST_DELIVERY_WORKERS)")
}

// worker builds the delivery worker for a server listening on addr.
func (f *deliverFlags) worker(d *db.DB, addr string, log *slog.Logger) (*deliver.Worker, error) {
	cfg := deliver.Config{Outbox: d, Node: f.node, Webhooks: f.webhooks, BaseURL: f.baseURL, Logger: log,
		EmailWorkers: f.workers, WebhookWorkers: 2 * f.workers}
	if cfg.Node == "" {
		host, _ := os.Hostname()
		cfg.Node = host + "/" + addr
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = "http://" + addr
	}
	if f.smtpAddr != "" {
		cfg.SMTP = &deliver.SMTPConfig{Addr: f.smtpAddr, From: f.smtpFrom, Username: f.smtpUser, Password: f.smtpPassword, TLS: f.smtpTLS}
	}
	w, err := deliver.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errUsage, err)
	}
	return w, nil
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
	// Join the dots: compare every new mention of a person as it arrives.
	d.StartMatcher(ctx)
	// Content referrals reach the platforms they are addressed to by
	// signed webhook.
	if f.deliver.webhooks {
		node := f.deliver.node
		if node == "" {
			host, _ := os.Hostname()
			node = host + "/" + f.addr
		}
		go (&deliver.PlatformNotifier{Store: d, Node: node, Logger: log}).Run(ctx)
	}
	dw, err := f.deliver.worker(d, f.addr, log)
	if err != nil {
		ln.Close()
		return err
	}
	wctx, stopWorker := context.WithCancel(ctx)
	defer stopWorker()
	workerDone := make(chan struct{})
	go func() {
		defer close(workerDone)
		if err := dw.Run(wctx); err != nil {
			log.Error("delivery worker stopped", "err", err)
		}
	}()
	defer func() { stopWorker(); <-workerDone }()
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
