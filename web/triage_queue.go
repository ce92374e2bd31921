package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/contest-ct/contest"
)

// triageQueue is the triage desk's queue: one line per cluster of open
// reports, a threat to life first, then the longest waiting, then the best
// grade. Reports past their target time stand out.
func (h *handler) triageQueue(w http.ResponseWriter, r *http.Request) error {
	items, total, err := h.store.TriageQueue(r.Context(), actor(r), 200)
	if err != nil {
		return err
	}
	now := time.Now()
	type line struct {
		*contest.QueueItem
		Overdue bool
		Waiting string
	}
	lines := make([]line, len(items))
	for i, it := range items {
		lines[i] = line{QueueItem: it, Overdue: it.Report.Overdue(now), Waiting: waited(now.Sub(it.Report.ReceivedAt))}
	}
	return h.render(w, r, http.StatusOK, "triage_queue", &page{Title: "Triage desk", Classification: contest.OfficialSensitive,
		Data: map[string]any{"Lines": lines, "Total": total}})
}

// waited says how long a report has waited, roughly.
func waited(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "under a minute"
	case d < time.Hour:
		return plural(int(d/time.Minute), "minute")
	case d < 48*time.Hour:
		return plural(int(d/time.Hour), "hour")
	}
	return plural(int(d/(24*time.Hour)), "day")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}
