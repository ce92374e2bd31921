package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/contest-ct/contest"
)

// Session keys.
const (
	sessUserID     = "user_id"
	sessEpoch      = "session_epoch"
	sessFlash      = "flash"
	sessTOTPSecret = "totp_secret"
)

// buildHandler registers every route on a ServeMux, each wrapped in its
// policy check, and puts the server-wide middleware around the mux:
//
//	observe (request id, recover, log, metrics)
//	  -> security headers
//	  -> cross-origin protection (every non-safe method)
//	  -> body size limit
//	  -> session load and save (UI routes only; never the API)
//	  -> mux -> route policy -> handler
func (s *Server) buildHandler() (http.Handler, error) {
	mux := http.NewServeMux()
	h := &handler{s}
	for _, rt := range s.routes {
		p := rt.pattern()
		if rt.method == "" {
			p = rt.path
		}
		var hh http.Handler = h.wrap(rt)
		if !rt.api() && !rt.policy.stateless && rt.path != "/assets/" && rt.path != "/healthz" && rt.path != "/metrics" {
			hh = s.sessions.LoadAndSave(hh)
		}
		mux.Handle(p, hh)
	}
	cop := http.NewCrossOriginProtection()
	for _, o := range s.cfg.TrustedOrigins {
		if err := cop.AddTrustedOrigin(o); err != nil {
			return nil, fmt.Errorf("web: trusted origin: %w", err)
		}
	}
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.log.Warn("cross-origin request refused", "request_id", stateFrom(r.Context()).id,
			"method", r.Method, "path", r.URL.Path, "origin", r.Header.Get("Origin"),
			"sec_fetch_site", r.Header.Get("Sec-Fetch-Site"))
		s.error(w, r, contest.Errorf(contest.EFORBIDDEN, "This request came from another site and was refused."))
	}))
	var root http.Handler = mux
	root = s.limitBody(root)
	root = cop.Handler(root)
	root = securityHeaders(root)
	root = s.observe(root)
	return root, nil
}

// wrap puts a route's policy check in front of its handler. It finds the
// actor (from the session in the UI, from the bearer token in the API),
// sends users who must still set up a second factor to do so, refuses
// callers the policy does not admit, and maps a handler's error to HTTP.
func (h *handler) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := stateFrom(r.Context())
		st.route = rt.pattern()
		if rt.method == "" {
			st.route = rt.path
		}
		st.api = rt.api()
		var a *contest.Actor
		var err error
		switch {
		case rt.policy.stateless || rt.path == "/assets/" || rt.path == "/healthz" || rt.path == "/metrics":
			// No actor: these never touch records.
		case rt.api():
			a, err = h.apiActor(r)
		default:
			a, err = h.sessionActor(r)
		}
		if err != nil {
			h.error(w, r, err)
			return
		}
		if a != nil {
			st.actor = a
			r = r.WithContext(contest.NewContextWithActor(r.Context(), a))
		}
		if a != nil && totpPending(a) && !rt.policy.pending && rt.policy.access != Public {
			if rt.api() {
				h.error(w, r, contest.Errorf(contest.EFORBIDDEN, "Set up a second factor in the web service before using the API."))
				return
			}
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/account/second-factor", http.StatusSeeOther)
				return
			}
			h.error(w, r, contest.Errorf(contest.EFORBIDDEN, "Set up a second factor before you do anything else."))
			return
		}
		if !rt.policy.allows(a) {
			if a == nil {
				if !rt.api() && r.Method == http.MethodGet {
					http.Redirect(w, r, "/sign-in", http.StatusSeeOther)
					return
				}
				h.error(w, r, contest.Errorf(contest.EUNAUTHORIZED, "Sign in to continue."))
				return
			}
			h.error(w, r, contest.Errorf(contest.EFORBIDDEN, "You do not have permission to do this."))
			return
		}
		if err := rt.handler(h, w, r); err != nil {
			h.error(w, r, err)
		}
	})
}

// totpPending reports whether a must set up a second factor before doing
// anything else.
func totpPending(a *contest.Actor) bool {
	return !a.System && !a.TOTPEnrolled && (a.Role == contest.RoleAdmin || a.Vetting.RequiresTOTP())
}

// sessionActor reloads the signed-in user on every request, so that a
// disabled user's session ends at once. The bearer token is ignored here:
// the UI never takes it.
func (h *handler) sessionActor(r *http.Request) (*contest.Actor, error) {
	id := h.sessions.GetInt64(r.Context(), sessUserID)
	if id == 0 {
		return nil, nil
	}
	a, err := h.store.ActorForUser(r.Context(), id, clientAddr(r), "web")
	if err == nil && a.SessionEpoch != h.sessions.GetInt64(r.Context(), sessEpoch) {
		// The password was reset or the account disabled since sign-in.
		err = contest.Errorf(contest.EUNAUTHORIZED, "Your session has ended. Sign in again.")
	}
	if contest.ErrorCode(err) == contest.EUNAUTHORIZED {
		// Disabled or gone: end the session.
		if err := h.sessions.Destroy(r.Context()); err != nil {
			return nil, err
		}
		return nil, nil
	}
	return a, err
}

// apiActor turns an "Authorization: Bearer" token into an actor. The
// session cookie is never looked at.
func (h *handler) apiActor(r *http.Request) (*contest.Actor, error) {
	v := r.Header.Get("Authorization")
	if v == "" {
		return nil, nil
	}
	scheme, token, ok := strings.Cut(v, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return nil, contest.Errorf(contest.EUNAUTHORIZED, "Send an API token as Authorization: Bearer <token>.")
	}
	a, err := h.store.ActorForToken(r.Context(), strings.TrimSpace(token), clientAddr(r))
	if err != nil {
		if contest.ErrorCode(err) == contest.EUNAUTHORIZED {
			return nil, contest.Errorf(contest.EUNAUTHORIZED, "The API token is not valid.")
		}
		return nil, err
	}
	return a, nil
}

// clientAddr is the request's network address without the port.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// statusWriter records the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status = code
		w.wrote = true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.status = http.StatusOK
		w.wrote = true
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observe gives each request an id, recovers from panics, and logs and
// counts the request once it is done. It logs the path, never the query
// string (which may hold search terms) and never a header.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		st := &reqState{id: newRequestID(), route: "unmatched"}
		w.Header().Set("X-Request-Id", st.id)
		sw := &statusWriter{ResponseWriter: w}
		r = r.WithContext(context.WithValue(r.Context(), reqStateKey, st))
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic", "request_id", st.id, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				if !sw.wrote {
					s.error(sw, r, fmt.Errorf("panic: %v", v))
				}
			}
			status := sw.status
			if status == 0 {
				status = http.StatusOK
			}
			d := time.Since(start)
			s.metrics.observe(st.route, status, d)
			attrs := []slog.Attr{
				slog.String("request_id", st.id),
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path),
				slog.String("route", st.route),
				slog.Int("status", status),
				slog.Float64("duration_ms", float64(d.Microseconds())/1000),
			}
			if st.actor != nil {
				attrs = append(attrs, slog.Int64("user_id", st.actor.UserID))
			}
			if st.errCode != "" {
				attrs = append(attrs, slog.String("error_code", st.errCode))
			}
			s.log.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs...)
		}()
		next.ServeHTTP(sw, r)
	})
}

// newRequestID returns 16 random hex characters.
func newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// contentSecurityPolicy allows nothing inline: every script and style comes
// from /assets/.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// securityHeaders sets the headers every response carries.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", contentSecurityPolicy)
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Cross-Origin-Opener-Policy", "same-origin")
		hd.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		if !strings.HasPrefix(r.URL.Path, "/assets/") {
			hd.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

// limitBody bounds the request body: forms in the UI, JSON in the API,
// file uploads (multipart) in either.
func (s *Server) limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Method != http.MethodGet && r.Method != http.MethodHead {
			n := s.cfg.MaxFormBytes
			if strings.HasPrefix(r.URL.Path, "/api/") {
				n = s.cfg.MaxJSONBytes
			}
			if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
				n = s.cfg.MaxUploadBytes
			}
			r.Body = http.MaxBytesReader(w, r.Body, n)
		}
		next.ServeHTTP(w, r)
	})
}
