package web

import (
	"net/http"
)

// auditVerify recomputes the whole hash chain and shows the result.
func (h *handler) auditVerify(w http.ResponseWriter, r *http.Request) error {
	res, err := h.store.VerifyAudit(r.Context(), actor(r))
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "audit_verify", &page{Title: "Audit trail check", Data: res})
}

// apiAuditVerify is POST /api/v1/audit/verify.
func (h *handler) apiAuditVerify(w http.ResponseWriter, r *http.Request) error {
	res, err := h.store.VerifyAudit(r.Context(), actor(r))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, res)
}
