package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/contest-ct/contest"
)

// The public report is a run of GOV.UK question pages: one question (or
// one small group of related ones) a page, then "check your answers" with
// the attachments and the send button. It needs no JavaScript and no
// session: the answers given so far travel in hidden fields, and nothing
// is stored until the reporter sends the report.
type reportStep struct {
	Name    string
	Title   string   // the page's question, its h1
	Fields  []string // form fields asked on this page
	Summary string   // the label in "check your answers"
}

func personFields() []string {
	var out []string
	for i := 1; i <= formPeople; i++ {
		p := "person-" + strconv.Itoa(i) + "-"
		out = append(out, p+"name", p+"description", p+"phone", p+"email", p+"address")
	}
	return out
}

var reportSteps = []reportStep{
	{"what", "What did you see or hear?", []string{"what"}, "What happened"},
	{"where", "Where and when did it happen?", []string{"where", "when-day", "when-month", "when-year", "when-time", "when"}, "Where and when"},
	{"people", "Who was involved?", personFields(), "People"},
	{"vehicles", "Were there any vehicles or online links?", []string{"vehicles", "links"}, "Vehicles and links"},
	{"contact", "How can we contact you?", []string{"contact-name", "contact-phone", "contact-email"}, "Your contact details"},
}

// stepSend is the "check your answers" page, which sends the report.
const stepSend = "check"

func stepIndex(name string) int {
	return slices.IndexFunc(reportSteps, func(s reportStep) bool { return s.Name == name })
}

// stepOfField is the step that asks a field.
func stepOfField(f string) int {
	if strings.HasPrefix(f, "attachments") {
		return len(reportSteps)
	}
	for i, s := range reportSteps {
		if slices.Contains(s.Fields, f) {
			return i
		}
	}
	return 0
}

// carried are the hidden fields that keep the answers of the other steps.
func carried(form url.Values, except []string) []option {
	var out []option
	for _, s := range reportSteps {
		for _, f := range s.Fields {
			if f == "when" || slices.Contains(except, f) {
				continue
			}
			if v := form.Get(f); v != "" {
				out = append(out, option{Value: f, Label: v})
			}
		}
	}
	return out
}

// showStep renders question page i (len(reportSteps) is "check your
// answers") with the answers so far.
func (h *handler) showStep(w http.ResponseWriter, r *http.Request, i int, form url.Values, ferr error) error {
	if form == nil {
		form = url.Values{}
	}
	data := reportFormData()
	data["Step"], data["Steps"], data["Index"], data["Count"] = stepSend, reportSteps, i, len(reportSteps)
	title := "Check your answers before sending your report"
	var fields []string
	if i < len(reportSteps) {
		data["Step"], title, fields = reportSteps[i].Name, reportSteps[i].Title, reportSteps[i].Fields
		if i > 0 {
			data["Back"] = reportSteps[i-1].Name
		}
	} else {
		data["Back"] = reportSteps[len(reportSteps)-1].Name
		rep, _ := parseReportForm(form)
		_ = rep.Validate() // tidies what is shown; errors were shown on their pages
		data["Report"] = rep
	}
	data["Hidden"] = carried(form, fields)
	p := &page{Title: title, Form: form, Data: data}
	status := http.StatusOK
	if ferr != nil {
		p.ErrorMessage, p.Errors = contest.ErrorMessage(ferr), contest.ErrorFields(ferr)
		stateFrom(r.Context()).errCode = contest.ErrorCode(ferr)
		h.metrics.errors.WithLabelValues(contest.ErrorCode(ferr)).Inc()
		status = http.StatusBadRequest
	}
	return h.render(w, r, status, "report_form", p)
}

// reportStepSubmit handles a question page: "back" and "change" go to the
// page asked for; "continue" checks this page's answers and goes on.
func (h *handler) reportStepSubmit(w http.ResponseWriter, r *http.Request, form url.Values) error {
	if to := form.Get("goto"); to != "" {
		if i := stepIndex(to); i >= 0 {
			return h.showStep(w, r, i, form, nil)
		}
	}
	i := stepIndex(form.Get("step"))
	if i < 0 {
		i = 0
	}
	rep, perr := parseReportForm(form)
	rep.Channel = contest.ChannelOnline
	if err := checkReport(rep, perr); err != nil {
		var mine contest.FieldErrors
		for _, f := range contest.ErrorFields(err) {
			if stepOfField(f.Field) == i {
				mine = append(mine, f)
			}
		}
		if len(mine) > 0 {
			return h.showStep(w, r, i, form, mine.Err())
		}
	}
	return h.showStep(w, r, i+1, form, nil)
}
