package web

import (
	"context"
	"net/http"
	"time"
)

// healthz answers 200 when the store is reachable and 503 when it is not.
func (h *handler) healthz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err := h.store.Ping(ctx); err != nil {
		h.log.Warn("health check failed", "request_id", stateFrom(r.Context()).id, "error", err.Error())
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("unavailable\n"))
		return nil
	}
	_, _ = w.Write([]byte("ok\n"))
	return nil
}
