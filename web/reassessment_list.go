package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/contest-ct/contest"
)

// reassessStatuses are the filters of the closed-subject queue.
var reassessStatuses = []option{
	{Value: "open", Label: "Waiting for a decision"},
	{Value: "reopened", Label: "Reopened"},
	{Value: "no_change", Label: "No change"},
}

func reassessQuery(r *http.Request) (status string, page int, err error) {
	q := r.URL.Query()
	status, page = "open", 1
	var fe contest.FieldErrors
	if v := strings.TrimSpace(q.Get("status")); v != "" {
		ok := false
		for _, s := range reassessStatuses {
			ok = ok || s.Value == v
		}
		if !ok {
			fe.Add("status", "Select a status from the list")
		} else {
			status = v
		}
	}
	queryNumber(q, "page", 1, 100_000, "Page must be a whole number, 1 or more", &fe, &page)
	return status, page, fe.Err()
}

// reassessmentList is the queue of closed subjects with new information.
func (h *handler) reassessmentList(w http.ResponseWriter, r *http.Request) error {
	status, pg, ferr := reassessQuery(r)
	const limit = 25
	items, total, err := h.store.FindReassessments(r.Context(), actor(r), status, (pg-1)*limit, limit)
	if err != nil {
		return err
	}
	p := &page{Title: "Closed subjects with new information", Form: map[string][]string{"status": {status}}, Data: map[string]any{
		"Items": items, "Total": total, "Statuses": reassessStatuses, "Open": status == "open",
		"Pages": paginate(r.URL, (pg-1)*limit, limit, total, len(items)),
	}}
	if ferr != nil {
		p.ErrorMessage, p.Errors = contest.ErrorMessage(ferr), contest.ErrorFields(ferr)
	}
	return h.render(w, r, http.StatusOK, "reassessment_list", p)
}

// reassessDecision is a decision on a re-assessment.
type reassessDecision struct {
	Decision string `json:"decision"` // reopen or no_change
	Reason   string `json:"reason"`
}

func (in reassessDecision) reopen() (bool, error) {
	switch in.Decision {
	case "reopen":
		return true, nil
	case "no_change":
		return false, nil
	}
	var fe contest.FieldErrors
	fe.Add("decision", "Select reopen or no change")
	return false, fe.Err()
}

// reassessmentDecide records reopen or no change for a closed subject.
func (h *handler) reassessmentDecide(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", contest.KindReassessment)
	if err != nil {
		return err
	}
	form, err := parseForm(r)
	if err == nil {
		var reopen bool
		if reopen, err = (reassessDecision{Decision: form.Get("decision")}).reopen(); err == nil {
			if _, err = h.store.DecideReassessment(r.Context(), actor(r), id, reopen, form.Get("reason")); err == nil {
				h.setFlash(r, "Your decision on the closed subject is recorded")
				return redirect(w, r, "/reassessments")
			}
		}
	}
	if c := contest.ErrorCode(err); c == contest.EINVALID || c == contest.ECONFLICT {
		stateFrom(r.Context()).errCode = c
		items, total, lerr := h.store.FindReassessments(r.Context(), actor(r), "open", 0, 25)
		if lerr != nil {
			return lerr
		}
		form.Set("decision_for", strconv.FormatInt(id, 10))
		p := &page{Title: "Closed subjects with new information", Form: form, ErrorMessage: contest.ErrorMessage(err), Errors: contest.ErrorFields(err),
			Data: map[string]any{"Items": items, "Total": total, "Statuses": reassessStatuses, "Open": true, "FailedID": id,
				"Pages": paginate(r.URL, 0, 25, total, len(items))}}
		return h.render(w, r, StatusFor(c, false), "reassessment_list", p)
	}
	return err
}

// apiReassessmentList is GET /api/v1/reassessments.
func (h *handler) apiReassessmentList(w http.ResponseWriter, r *http.Request) error {
	status, pg, err := reassessQuery(r)
	if err != nil {
		return err
	}
	items, total, err := h.store.FindReassessments(r.Context(), actor(r), status, (pg-1)*50, 50)
	if err != nil {
		return err
	}
	for _, ra := range items {
		fixReassessment(ra)
	}
	return writeJSON(w, http.StatusOK, list(items, total))
}

// apiReassessmentDecide is POST /api/v1/reassessments/{id}/decision.
func (h *handler) apiReassessmentDecide(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", contest.KindReassessment)
	if err != nil {
		return err
	}
	var in reassessDecision
	if err := decodeJSON(r.Body, &in); err != nil {
		return err
	}
	reopen, err := in.reopen()
	if err != nil {
		return err
	}
	ra, err := h.store.DecideReassessment(r.Context(), actor(r), id, reopen, in.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, fixReassessment(ra))
}
