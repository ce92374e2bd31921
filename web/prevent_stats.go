package web

import (
	"encoding/csv"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/contest-ct/contest"
)

// statsBreakdown is one breakdown of the statistics page: its chart and
// the same figures as a table.
type statsBreakdown struct {
	Title string
	Rows  []contest.StatRow
	Chart template.HTML
}

// statsYear reads ?year=, defaulting to the current financial year.
func statsYear(r *http.Request) (int, error) {
	s := strings.TrimSpace(r.URL.Query().Get("year"))
	if s == "" {
		return contest.FinancialYearOf(time.Now().UTC()), nil
	}
	y, err := strconv.Atoi(s)
	if err != nil {
		var fe contest.FieldErrors
		fe.Add("year", "Enter a financial year from 2000 to 2100, like 2025 for April 2025 to March 2026")
		return 0, fe.Err()
	}
	return y, nil
}

func statChart(title string, rows []contest.StatRow) template.HTML {
	bars := make([]bar, len(rows))
	ceil := 0.0
	for i, r := range rows {
		bars[i] = bar{label: r.Label, values: []float64{float64(r.Referred), float64(r.Discussed), float64(r.Adopted)}}
		ceil = max(ceil, float64(r.Referred))
	}
	return barChart(title, []string{"Referred", "Discussed at a panel", "Adopted"}, bars, ceil, "")
}

// preventStats shows a financial year's Prevent statistics.
func (h *handler) preventStats(w http.ResponseWriter, r *http.Request) error {
	y, err := statsYear(r)
	var s *contest.PreventStats
	if err == nil {
		s, err = h.store.PreventStatistics(r.Context(), actor(r), y)
	}
	if contest.ErrorCode(err) == contest.EINVALID {
		p := &page{Title: "Prevent statistics", Form: r.URL.Query(), ErrorMessage: contest.ErrorMessage(err), Errors: contest.ErrorFields(err)}
		return h.render(w, r, http.StatusBadRequest, "prevent_stats", p)
	} else if err != nil {
		return err
	}
	j := s.Journey
	journey := []contest.StatRow{{Label: "Referred", Referred: j.Referred}, {Label: "Discussed at a panel", Referred: j.Discussed},
		{Label: "Adopted as a Channel case", Referred: j.Adopted}, {Label: "Left the programme", Referred: j.Exited}}
	jb := make([]bar, len(journey))
	for i, x := range journey {
		jb[i] = bar{label: x.Label, values: []float64{float64(x.Referred)}}
	}
	data := map[string]any{
		"Stats":        s,
		"Year":         fmt.Sprintf("April %d to March %d", y, y+1),
		"JourneyChart": barChart("The journey of the year's referrals", []string{"People"}, jb, max(1, float64(j.Referred)), ""),
		"Breakdowns": []statsBreakdown{
			{"By age", s.ByAge, statChart("By age", s.ByAge)},
			{"By gender", s.ByGender, statChart("By gender", s.ByGender)},
			{"By type of concern", s.ByConcern, statChart("By type of concern", s.ByConcern)},
			{"By sector of referral", s.BySector, statChart("By sector of referral", s.BySector)},
			{"By region", s.ByRegion, statChart("By region", s.ByRegion)},
		},
	}
	return h.render(w, r, http.StatusOK, "prevent_stats", &page{Title: "Prevent statistics", Data: data})
}

// preventStatsCSV is the same figures as CSV, one line per breakdown value.
func (h *handler) preventStatsCSV(w http.ResponseWriter, r *http.Request) error {
	y, err := statsYear(r)
	if err != nil {
		return err
	}
	s, err := h.store.PreventStatistics(r.Context(), actor(r), y)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="prevent-statistics-%d.csv"`, y))
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"financial_year", "data_date", "breakdown", "value", "referred", "discussed_at_panel", "adopted", "exited"})
	fy, dd := fmt.Sprintf("%d-%02d", y, (y+1)%100), s.DataDate.Format(time.RFC3339)
	write := func(name string, rows ...contest.StatRow) {
		for _, x := range rows {
			_ = cw.Write([]string{fy, dd, name, csvSafe(x.Label), strconv.Itoa(x.Referred), strconv.Itoa(x.Discussed), strconv.Itoa(x.Adopted), strconv.Itoa(x.Exited)})
		}
	}
	write("all", s.Journey)
	write("age", s.ByAge...)
	write("gender", s.ByGender...)
	write("concern", s.ByConcern...)
	write("sector", s.BySector...)
	write("region", s.ByRegion...)
	cw.Flush()
	return cw.Error()
}

// apiPreventStats is GET /api/v1/prevent/statistics?year=.
func (h *handler) apiPreventStats(w http.ResponseWriter, r *http.Request) error {
	y, err := statsYear(r)
	if err != nil {
		return err
	}
	s, err := h.store.PreventStatistics(r.Context(), actor(r), y)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, s)
}
