package web

import (
	"net/http"
	"strings"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/access"
)

// maxRationaleLen bounds the rationale for a change of threat level.
const maxRationaleLen = 2000

// threatHistory shows the threat level's history and, to those who may,
// the form to change it.
func (h *handler) threatHistory(w http.ResponseWriter, r *http.Request) error {
	return h.showThreat(w, r, http.StatusOK, nil, nil)
}

func (h *handler) showThreat(w http.ResponseWriter, r *http.Request, status int, form map[string][]string, ferr error) error {
	a := actor(r)
	hist, err := h.store.ThreatHistory(r.Context(), a)
	if err != nil {
		return err
	}
	for _, t := range hist {
		fixThreat(t)
	}
	p := &page{Title: "National threat level", Form: form, Data: map[string]any{
		"History": hist, "CanSet": access.Can(a, access.Update, contest.KindThreatLevel)}}
	if ferr != nil {
		p.ErrorMessage, p.Errors = contest.ErrorMessage(ferr), contest.ErrorFields(ferr)
		stateFrom(r.Context()).errCode = contest.ErrorCode(ferr)
		h.metrics.errors.WithLabelValues(contest.ErrorCode(ferr)).Inc()
	}
	return h.render(w, r, status, "threat_level", p)
}

// threatInput is a requested change of level.
type threatInput struct {
	Level     string `json:"level"`
	Rationale string `json:"rationale"`
}

func (in threatInput) check() (contest.ThreatLevel, string, error) {
	var fe contest.FieldErrors
	level, err := contest.ParseThreatLevel(in.Level)
	if err != nil {
		fe.Add("level", "Select the new threat level")
	}
	rationale := strings.TrimSpace(in.Rationale)
	switch {
	case rationale == "":
		fe.Add("rationale", "Enter the rationale for the change")
	case len(rationale) > maxRationaleLen:
		fe.Add("rationale", "Rationale must be 2000 characters or fewer")
	}
	return level, rationale, fe.Err()
}

// threatSet changes the national threat level with a recorded rationale.
func (h *handler) threatSet(w http.ResponseWriter, r *http.Request) error {
	form, err := parseForm(r)
	if err == nil {
		var level contest.ThreatLevel
		var rationale string
		if level, rationale, err = (threatInput{Level: form.Get("level"), Rationale: form.Get("rationale")}).check(); err == nil {
			var tc *contest.ThreatChange
			if tc, err = h.store.SetThreatLevel(r.Context(), actor(r), level, rationale); err == nil {
				h.setFlash(r, "The national threat level is now "+tc.Level.String())
				return redirect(w, r, "/threat-level")
			}
		}
	}
	if c := contest.ErrorCode(err); c == contest.EINVALID || c == contest.ECONFLICT {
		return h.showThreat(w, r, StatusFor(c, false), form, err)
	}
	return err
}

// apiThreatCurrent is GET /api/v1/threat-level: public information.
func (h *handler) apiThreatCurrent(w http.ResponseWriter, r *http.Request) error {
	tc, err := h.store.CurrentThreatLevel(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, fixThreat(tc))
}

// apiThreatHistory is GET /api/v1/threat-level/history.
func (h *handler) apiThreatHistory(w http.ResponseWriter, r *http.Request) error {
	hist, err := h.store.ThreatHistory(r.Context(), actor(r))
	if err != nil {
		return err
	}
	for _, t := range hist {
		fixThreat(t)
	}
	return writeJSON(w, http.StatusOK, list(hist, len(hist)))
}

// apiThreatSet is POST /api/v1/threat-level.
func (h *handler) apiThreatSet(w http.ResponseWriter, r *http.Request) error {
	var in threatInput
	if err := decodeJSON(r.Body, &in); err != nil {
		return err
	}
	level, rationale, err := in.check()
	if err != nil {
		return err
	}
	tc, err := h.store.SetThreatLevel(r.Context(), actor(r), level, rationale)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, fixThreat(tc))
}
