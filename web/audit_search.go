package web

import (
	"net/http"

	"github.com/contest-ct/contest"
)

// auditSearchData is what the audit search page shows.
type auditSearchData struct {
	Entries    []*contest.AuditEntry
	Total      int
	Searched   bool
	Prev, Next string
	// Query is the filter as a query string, carried into the export form.
	Filters map[string]string
}

// auditFilterFields are the query parameters of an audit search.
var auditFilterFields = []string{"user_id", "username", "action", "kind", "record_id", "outcome", "from", "to", "value"}

// auditSearch searches the audit trail (auditors only; the search is
// itself audited by the store).
func (h *handler) auditSearch(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	d := auditSearchData{Filters: map[string]string{}}
	for _, k := range auditFilterFields {
		if v := q.Get(k); v != "" {
			d.Filters[k] = v
		}
	}
	f, err := parseAuditFilter(q)
	if err != nil {
		return h.formError(w, r, "audit_search", "Audit trail", q, err, d)
	}
	d.Entries, d.Total, err = h.store.FindAuditEntries(r.Context(), actor(r), f)
	if err != nil {
		return h.formError(w, r, "audit_search", "Audit trail", q, err, d)
	}
	d.Searched = len(d.Filters) > 0
	d.Prev, d.Next = pageLinks(r.URL, f.Offset, f.Limit, d.Total)
	return h.render(w, r, http.StatusOK, "audit_search", &page{Title: "Audit trail", Form: q, Data: d})
}

// apiAuditSearch is GET /api/v1/audit.
func (h *handler) apiAuditSearch(w http.ResponseWriter, r *http.Request) error {
	f, err := parseAuditFilter(r.URL.Query())
	if err != nil {
		return err
	}
	es, total, err := h.store.FindAuditEntries(r.Context(), actor(r), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, list(es, total))
}
