package web

import (
	"encoding/csv"
	"fmt"
	"html"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/contest-ct/contest"
)

// contentStats shows referrals, removals, removal rate and time to removal
// by platform and month, as server-drawn charts with the table beside
// them; ?format=csv downloads the table.
func (h *handler) contentStats(w http.ResponseWriter, r *http.Request) error {
	format := r.URL.Query().Get("format")
	if format != "" && format != "csv" {
		return (contest.FieldErrors{{Field: "format", Message: "Format must be csv"}}).Err()
	}
	rows, err := h.store.ContentStats(r.Context(), actor(r))
	if err != nil {
		return err
	}
	if format == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="content-referral-statistics.csv"`)
		return writeStatsCSV(w, rows)
	}
	view := make([]statRow, len(rows))
	for i, row := range rows {
		// A non-breaking hyphen keeps the month on one line.
		view[i] = statRow{row, strconv.FormatFloat(100*row.RemovalRate, 'f', 0, 64) + "%", strings.Replace(row.Month, "-", "\u2011", 1)}
	}
	return h.render(w, r, http.StatusOK, "content_stats", &page{Title: "Content referral statistics", Data: map[string]any{
		"Rows": view, "MonthChart": monthChart(rows), "PlatformChart": platformChart(rows)}})
}

// statRow is a line of the statistics table.
type statRow struct {
	contest.ContentStatRow
	RatePct    string
	MonthLabel string
}

// apiContentStats is GET /api/v1/content-statistics.
func (h *handler) apiContentStats(w http.ResponseWriter, r *http.Request) error {
	rows, err := h.store.ContentStats(r.Context(), actor(r))
	if err != nil {
		return err
	}
	if rows == nil {
		rows = []contest.ContentStatRow{}
	}
	return writeJSON(w, http.StatusOK, list(rows, len(rows)))
}

func writeStatsCSV(w http.ResponseWriter, rows []contest.ContentStatRow) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"platform", "month", "referrals", "removals", "removal_rate", "median_hours_to_removal", "p90_hours_to_removal"})
	for _, r := range rows {
		_ = cw.Write([]string{csvSafe(r.Platform), r.Month, strconv.Itoa(r.Referrals), strconv.Itoa(r.Removals),
			strconv.FormatFloat(r.RemovalRate, 'f', 3, 64), strconv.FormatFloat(r.MedianHours, 'f', 1, 64), strconv.FormatFloat(r.P90Hours, 'f', 1, 64)})
	}
	cw.Flush()
	return cw.Error()
}

// bar is one bar of a chart.
type bar struct {
	label  string
	values []float64
}

// barChart draws grouped bars as SVG. Every value and label is text the
// server made or escaped; the chart has a title and a description for
// screen readers, and the table beside it holds the same figures.
func barChart(title string, series []string, bars []bar, ceil float64, unit string) template.HTML {
	if len(bars) == 0 {
		return ""
	}
	const h, top, bottom, left = 220.0, 10.0, 80.0, 40.0
	groupW := max(14.0*float64(len(series))+12, 44)
	wid := left + groupW*float64(len(bars)) + 10
	if ceil <= 0 {
		ceil = 1
	}
	colours := []string{"#1d70b8", "#00703c", "#f47738"}
	var b strings.Builder
	// Scales to its column: the viewBox keeps the proportions.
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="contest-chart" role="img" viewBox="0 0 %.0f %.0f" width="100%%" aria-labelledby="chart-%s">`,
		wid, h+bottom, slug(title))
	fmt.Fprintf(&b, `<title id="chart-%s">%s</title>`, slug(title), html.EscapeString(title))
	fmt.Fprintf(&b, `<line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" stroke="#0b0c0c"/>`, left, top+h-top, wid, top+h-top)
	fmt.Fprintf(&b, `<text x="2" y="%.0f" font-size="10">%s</text><text x="2" y="%.0f" font-size="10">0</text>`, top+8, html.EscapeString(trimFloat(ceil)+unit), h)
	for i, br := range bars {
		x := left + groupW*float64(i) + 6
		for j, v := range br.values {
			bh := (h - top) * v / ceil
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="12" height="%.1f" fill="%s"><title>%s %s: %s%s</title></rect>`,
				x+14*float64(j), h-bh, bh, colours[j%len(colours)], html.EscapeString(br.label), html.EscapeString(series[j]), trimFloat(v), html.EscapeString(unit))
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%.0f" font-size="9" transform="rotate(40 %.1f %.0f)">%s</text>`, x, h+12, x, h+12, html.EscapeString(shorten(br.label, 16)))
	}
	b.WriteString(`</svg>`)
	// Every piece of outside text above is escaped.
	return template.HTML(b.String()) //nolint:gosec
}

func slug(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		if r >= 'A' && r <= 'Z' {
			return r + 32
		}
		return '-'
	}, s)
}

func shorten(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

func trimFloat(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// monthChart: referrals and removals by month, all platforms.
func monthChart(rows []contest.ContentStatRow) template.HTML {
	byMonth := map[string][2]float64{}
	var months []string
	top := 0.0
	for _, r := range rows {
		v, ok := byMonth[r.Month]
		if !ok {
			months = append(months, r.Month)
		}
		v[0] += float64(r.Referrals)
		v[1] += float64(r.Removals)
		byMonth[r.Month] = v
		top = max(top, v[0])
	}
	slices.Sort(months)
	bars := make([]bar, len(months))
	for i, m := range months {
		v := byMonth[m]
		bars[i] = bar{m, []float64{v[0], v[1]}}
	}
	return barChart("Referrals and removals by month", []string{"referrals", "removals"}, bars, top, "")
}

// platformChart: removal rate by platform, over all months.
func platformChart(rows []contest.ContentStatRow) template.HTML {
	type acc struct{ n, rm int }
	by := map[string]*acc{}
	var names []string
	for _, r := range rows {
		a := by[r.Platform]
		if a == nil {
			a = &acc{}
			by[r.Platform] = a
			names = append(names, r.Platform)
		}
		a.n += r.Referrals
		a.rm += r.Removals
	}
	slices.Sort(names)
	bars := make([]bar, len(names))
	for i, n := range names {
		bars[i] = bar{n, []float64{float64(int(1000*float64(by[n].rm)/float64(max(by[n].n, 1)))) / 10}}
	}
	return barChart("Removal rate by platform", []string{"removal rate"}, bars, 100, "%")
}
