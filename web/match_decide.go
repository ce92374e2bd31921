package web

import (
	"net/http"
	"strconv"

	"github.com/contest-ct/contest"
)

// matchDecision is a decision on a possible match.
type matchDecision struct {
	Decision string `json:"decision"`
	Reason   string `json:"reason"`
}

// matchDecide records a person's decision on a possible match: confirm,
// reject, or unlink a confirmed one, always with the reason.
func (h *handler) matchDecide(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", contest.KindPossibleMatch)
	if err != nil {
		return err
	}
	form, err := parseForm(r)
	if err == nil {
		var pm *contest.PossibleMatch
		if pm, err = h.store.DecidePossibleMatch(r.Context(), actor(r), id, form.Get("decision"), form.Get("reason")); err == nil {
			h.setFlash(r, "Your decision is recorded: the match is "+pm.Status)
			return redirect(w, r, "/possible-matches/"+strconv.FormatInt(id, 10))
		}
	}
	if c := contest.ErrorCode(err); c == contest.EINVALID || c == contest.ECONFLICT {
		return h.showMatch(w, r, StatusFor(c, false), form, err)
	}
	return err
}

// apiMatchDecide is POST /api/v1/possible-matches/{id}/decision.
func (h *handler) apiMatchDecide(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", contest.KindPossibleMatch)
	if err != nil {
		return err
	}
	var in matchDecision
	if err := decodeJSON(r.Body, &in); err != nil {
		return err
	}
	pm, err := h.store.DecidePossibleMatch(r.Context(), actor(r), id, in.Decision, in.Reason)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, fixMatch(pm))
}
