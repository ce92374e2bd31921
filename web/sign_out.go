package web

import (
	"net/http"
)

// signOut audits the end of the session and destroys it. If the audit
// entry cannot be written the session is still destroyed (signing out must
// always work) and the failure is reported.
func (h *handler) signOut(w http.ResponseWriter, r *http.Request) error {
	auditErr := h.store.SignOut(r.Context(), actor(r))
	if err := h.sessions.Destroy(r.Context()); err != nil {
		return err
	}
	if auditErr != nil {
		return auditErr
	}
	return redirect(w, r, "/sign-in")
}
