// Package web is contest's HTTP layer: the server-rendered caseworker UI
// (html/template styled with GOV.UK Frontend and MoJ Frontend) and the JSON
// API under /api/v1. It talks to storage only through contest.Store, so
// every read and write goes through the store's one access decision and
// audit trail; the route table adds a declared access policy in front of
// every handler (see routes.go), and errors are mapped to HTTP in one place
// (error.go).
//
// Construct a server with New and serve its Handler:
//
//	srv, err := web.New(web.Config{Store: store, Logger: logger, SecureCookies: true})
//	if err != nil { ... }
//	http.ListenAndServe(addr, srv.Handler())
package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"reflect"
	"time"

	"github.com/alexedwards/scs/v2"
	"github.com/contest-ct/contest"
	"github.com/prometheus/client_golang/prometheus"
)

// Config is what New needs. Only Store is required.
type Config struct {
	// Store is the storage and service layer (a *db.DB in production).
	Store contest.Store
	// Logger receives one structured line per request and every internal
	// error. Defaults to a logger that discards.
	Logger *slog.Logger
	// SecureCookies marks the session cookie Secure. Set it whenever the
	// service is reached over TLS (directly or through a proxy).
	SecureCookies bool
	// SessionStore keeps session data. When nil, New uses the store's own
	// (Store.SessionStore(), as *db.DB provides), so
	// that several processes sharing a database share sessions.
	SessionStore scs.Store
	// IdleTimeout ends a session after this long without a request
	// (default 30 minutes).
	IdleTimeout time.Duration
	// SessionLifetime ends a session this long after sign-in, however
	// active (default 12 hours).
	SessionLifetime time.Duration
	// MaxFormBytes bounds an HTML form body (default 64 KiB).
	MaxFormBytes int64
	// MaxJSONBytes bounds an API request body (default 1 MiB).
	MaxJSONBytes int64
	// MaxUploadBytes bounds a multipart/form-data body, UI or API: file
	// uploads such as content captures (default 21 MiB).
	MaxUploadBytes int64
	// TrustedOrigins are extra origins (scheme://host[:port]) allowed to
	// send state-changing browser requests, for a reverse proxy that
	// rewrites Host.
	TrustedOrigins []string
	// Registry receives the server's Prometheus metrics. When nil a
	// private registry is made; either way GET /metrics serves it.
	Registry *prometheus.Registry
}

// Server is contest's HTTP server. Make one with New.
type Server struct {
	cfg      Config
	store    contest.Store
	log      *slog.Logger
	sessions *scs.SessionManager
	views    *views
	metrics  *metrics
	routes   []route
	handler  http.Handler
	assets   *assets
}

// New checks cfg, parses every template, and builds the routes. It returns
// an error if the configuration is incomplete or a template is broken.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil {
		return nil, errors.New("web: Config.Store is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 30 * time.Minute
	}
	if cfg.SessionLifetime <= 0 {
		cfg.SessionLifetime = 12 * time.Hour
	}
	if cfg.MaxFormBytes <= 0 {
		cfg.MaxFormBytes = 64 << 10
	}
	if cfg.MaxJSONBytes <= 0 {
		cfg.MaxJSONBytes = 1 << 20
	}
	if cfg.MaxUploadBytes <= 0 {
		cfg.MaxUploadBytes = 21 << 20
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
	}
	s := &Server{cfg: cfg, store: cfg.Store, log: cfg.Logger}

	store := cfg.SessionStore
	if store == nil {
		var err error
		if store, err = sessionStoreFor(cfg.Store); err != nil {
			return nil, err
		}
	}
	sm := scs.New()
	sm.Store = store
	sm.IdleTimeout = cfg.IdleTimeout
	sm.Lifetime = cfg.SessionLifetime
	sm.Cookie.Name = "contest_session"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = cfg.SecureCookies
	sm.Cookie.Path = "/"
	sm.Cookie.Persist = false
	sm.HashTokenInStore = true
	sm.ErrorFunc = func(w http.ResponseWriter, r *http.Request, err error) {
		s.error(w, r, err)
	}
	s.sessions = sm

	var err error
	if s.assets, err = newAssets(); err != nil {
		return nil, err
	}
	if s.views, err = parseViews(s.assets); err != nil {
		return nil, err
	}
	if s.metrics, err = newMetrics(cfg.Registry); err != nil {
		return nil, err
	}
	s.routes = routeTable()
	if err := checkRoutes(s.routes); err != nil {
		return nil, err
	}
	if s.handler, err = s.buildHandler(); err != nil {
		return nil, err
	}
	return s, nil
}

// Handler returns the server's root handler, with every middleware applied.
func (s *Server) Handler() http.Handler { return s.handler }

// sessionStoreFor finds the session store the database offers: a
// SessionStore() method (as *db.DB has) whose result implements scs.Store.
// Sessions then live in the shared database, so several processes serve
// the same sessions.
func sessionStoreFor(st contest.Store) (scs.Store, error) {
	m := reflect.ValueOf(st).MethodByName("SessionStore")
	if m.IsValid() && m.Type().NumIn() == 0 && m.Type().NumOut() == 1 {
		if ss, ok := m.Call(nil)[0].Interface().(scs.Store); ok {
			return ss, nil
		}
	}
	return nil, errors.New("web: Config.SessionStore is nil and the store offers no SessionStore() method")
}

// handler holds what the request handlers need. Handlers are its methods,
// one file per action.
type handler struct {
	*Server
}

// ctxKey keys request-scoped values.
type ctxKey int

const reqStateKey ctxKey = iota

// reqState is what the middleware learns about a request as it goes, for
// logs and metrics.
type reqState struct {
	id      string
	route   string
	actor   *contest.Actor
	errCode string
	api     bool
}

func stateFrom(ctx context.Context) *reqState {
	st, _ := ctx.Value(reqStateKey).(*reqState)
	if st == nil {
		return &reqState{}
	}
	return st
}
