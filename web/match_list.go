package web

import (
	"net/http"
	"strings"

	"github.com/contest-ct/contest"
)

// matchStatuses are the filters of the possible-matches queue.
var matchStatuses = []option{
	{Value: contest.MatchOpen, Label: "Waiting for a decision"},
	{Value: contest.MatchConfirmed, Label: "Confirmed"},
	{Value: contest.MatchRejected, Label: "Rejected"},
	{Value: "unlinked", Label: "Unlinked"},
	{Value: "all", Label: "All"},
}

// matchFilter reads the queue's filter: status (default open) and page or,
// in the API, limit and offset.
func matchFilter(r *http.Request, api bool) (contest.MatchFilter, error) {
	q := r.URL.Query()
	f := contest.MatchFilter{Status: contest.MatchOpen, Limit: 25}
	var fe contest.FieldErrors
	if v := strings.TrimSpace(q.Get("status")); v != "" {
		ok := false
		for _, s := range matchStatuses {
			ok = ok || s.Value == v
		}
		if !ok {
			fe.Add("status", "Select a status from the list")
		}
		f.Status = v
	}
	if f.Status == "all" {
		f.Status = ""
	}
	if api {
		queryNumber(q, "limit", 1, 500, "Limit must be a whole number from 1 to 500", &fe, &f.Limit)
		queryNumber(q, "offset", 0, 1_000_000, "Offset must be a whole number from 0 to 1000000", &fe, &f.Offset)
	} else {
		page := 1
		queryNumber(q, "page", 1, 100_000, "Page must be a whole number from 1 to 100000", &fe, &page)
		f.Offset = (page - 1) * f.Limit
	}
	if err := fe.Err(); err != nil {
		return contest.MatchFilter{Status: contest.MatchOpen, Limit: f.Limit}, err
	}
	return f, nil
}

// matchList is the possible-matches queue: the matches between mentions of
// people that the user may see in full, most probable first.
func (h *handler) matchList(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	f, ferr := matchFilter(r, false)
	items, total, err := h.store.FindPossibleMatches(r.Context(), a, f)
	if err != nil {
		return err
	}
	status := r.URL.Query().Get("status")
	if status == "" {
		status = contest.MatchOpen
	}
	p := &page{Title: "Possible matches", Form: map[string][]string{"status": {status}}, Data: map[string]any{
		"Items": items, "Total": total, "Statuses": matchStatuses,
		"Pages": paginate(r.URL, f.Offset, f.Limit, total, len(items)),
	}}
	if ferr != nil {
		p.ErrorMessage, p.Errors = contest.ErrorMessage(ferr), contest.ErrorFields(ferr)
	}
	return h.render(w, r, http.StatusOK, "match_list", p)
}

// apiMatchList is GET /api/v1/possible-matches.
func (h *handler) apiMatchList(w http.ResponseWriter, r *http.Request) error {
	f, err := matchFilter(r, true)
	if err != nil {
		return err
	}
	items, total, err := h.store.FindPossibleMatches(r.Context(), actor(r), f)
	if err != nil {
		return err
	}
	for _, pm := range items {
		fixMatch(pm)
	}
	return writeJSON(w, http.StatusOK, list(items, total))
}
