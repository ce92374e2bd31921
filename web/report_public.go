package web

import (
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/contest-ct/contest"
)

func init() {
	viewNames = append(viewNames, "report_form", "report_done", "report_staff", "triage_queue", "triage_show")
}

// formPeople is how many people the no-JavaScript report form offers.
const formPeople = 3

// publicReportJSON is the body of POST /api/v1/public/reports.
type publicReportJSON struct {
	What     string                 `json:"what"`
	Where    string                 `json:"where"`
	When     string                 `json:"when"`
	People   []contest.ReportPerson `json:"people"`
	Vehicles []string               `json:"vehicles"`
	Links    []string               `json:"links"`
	Contact  contest.ReportContact  `json:"contact"`
}

// parsePublicJSON reads a public report from JSON: one object, no unknown
// fields, "when" as RFC 3339.
func parsePublicJSON(body io.Reader) (*contest.Report, error) {
	var in publicReportJSON
	if err := decodeJSON(body, &in); err != nil {
		return nil, err
	}
	r := &contest.Report{Channel: contest.ChannelOnline, What: in.What, Where: in.Where, People: in.People,
		Vehicles: in.Vehicles, Links: in.Links, Contact: in.Contact}
	if s := strings.TrimSpace(in.When); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return nil, (&contest.FieldErrors{{Field: "when", Message: "Enter when as an RFC 3339 time, like 2026-11-23T14:05:00Z"}}).Err()
		}
		r.When = t.UTC()
	}
	return r, r.Validate()
}

// parseReportForm reads the fields the report forms share: what, where,
// when (GOV.UK date input when-day/-month/-year and an optional when-time
// HH:MM), people (person-N-name, person-N-description, ...), vehicles and
// links (one a line) and the reporter's contact details.
func parseReportForm(f url.Values) (*contest.Report, error) {
	var fe contest.FieldErrors
	r := &contest.Report{What: f.Get("what"), Where: f.Get("where"),
		Contact: contest.ReportContact{Name: f.Get("contact-name"), Phone: f.Get("contact-phone"), Email: f.Get("contact-email")}}
	var msg string
	if r.When, msg = parseDateTime(f, "when"); msg != "" {
		fe.Add("when", msg)
	}
	for i := 1; i <= formPeople; i++ {
		p := "person-" + strconv.Itoa(i) + "-"
		r.People = append(r.People, contest.ReportPerson{Name: f.Get(p + "name"), Description: f.Get(p + "description"),
			Phone: f.Get(p + "phone"), Email: f.Get(p + "email"), Address: f.Get(p + "address")})
	}
	r.Vehicles = lines(f.Get("vehicles"))
	r.Links = lines(f.Get("links"))
	return r, fe.Err()
}

// checkReport validates a parsed report and puts the parser's messages
// and the domain's together, in form order, so the reporter sees every
// problem at once.
func checkReport(r *contest.Report, parseErr error) error {
	fe := contest.FieldErrors(contest.ErrorFields(parseErr))
	if err := r.Validate(); err != nil {
		for _, f := range contest.ErrorFields(err) {
			if f.Field == "when" && parseErr != nil {
				continue // the parser's message about the date says more
			}
			fe = append(fe, f)
		}
		if len(contest.ErrorFields(err)) == 0 {
			return err
		}
	}
	return fe.Err()
}

// parseDateTime reads a GOV.UK date input (name-day, name-month,
// name-year) and an optional name-time (HH:MM, UK time is taken as UTC).
// All empty is the zero time; a bad date gives the message to show.
func parseDateTime(f url.Values, name string) (time.Time, string) {
	d, m, y := strings.TrimSpace(f.Get(name+"-day")), strings.TrimSpace(f.Get(name+"-month")), strings.TrimSpace(f.Get(name+"-year"))
	tm := strings.TrimSpace(f.Get(name + "-time"))
	if d == "" && m == "" && y == "" && tm == "" {
		return time.Time{}, ""
	}
	day, err1 := strconv.Atoi(d)
	month, err2 := strconv.Atoi(m)
	year, err3 := strconv.Atoi(y)
	if err1 != nil || err2 != nil || err3 != nil || month < 1 || month > 12 || day < 1 || day > 31 || year < 1900 || year > 9999 {
		return time.Time{}, "Enter a real date, like 23 11 2026"
	}
	hh, mm := 0, 0
	if tm != "" {
		if _, err := fmt.Sscanf(tm, "%d:%d", &hh, &mm); err != nil || hh < 0 || hh > 23 || mm < 0 || mm > 59 {
			return time.Time{}, "Enter the time like 14:30"
		}
	}
	t := time.Date(year, time.Month(month), day, hh, mm, 0, 0, time.UTC)
	if t.Day() != day {
		return time.Time{}, "Enter a real date, like 23 11 2026"
	}
	return t, ""
}

// lines splits a textarea into its non-empty lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// readReportForm reads a report form body: urlencoded, or multipart with
// attachments (the "attachments" file field). The body is bounded by the
// server's form limit.
func readReportForm(r *http.Request) (url.Values, []*contest.Attachment, error) {
	ct := r.Header.Get("Content-Type")
	if !strings.HasPrefix(ct, "multipart/form-data") {
		f, err := parseForm(r)
		return f, nil, err
	}
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, nil, (&contest.FieldErrors{{Field: "attachments", Message: "The files are too large"}}).Err()
		}
		return nil, nil, contest.Errorf(contest.EINVALID, "The form could not be read.")
	}
	defer r.MultipartForm.RemoveAll()
	f, err := checkValues(url.Values(r.MultipartForm.Value))
	if err != nil {
		return f, nil, err
	}
	var atts []*contest.Attachment
	files := r.MultipartForm.File["attachments"]
	if len(files) > contest.MaxAttachments {
		return f, nil, (&contest.FieldErrors{{Field: "attachments", Message: "Attach " + strconv.Itoa(contest.MaxAttachments) + " files or fewer"}}).Err()
	}
	for _, fh := range files {
		if fh.Size == 0 && fh.Filename == "" {
			continue // the empty file input of a form sent without a file
		}
		b, err := readUpload(fh)
		if err != nil {
			return f, nil, err
		}
		atts = append(atts, &contest.Attachment{Filename: fh.Filename, Data: b})
	}
	return f, atts, nil
}

func readUpload(fh *multipart.FileHeader) ([]byte, error) {
	if fh.Size > contest.MaxAttachmentBytes {
		return nil, (&contest.FieldErrors{{Field: "attachments", Message: "Each file must be smaller than 10 MB"}}).Err()
	}
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, contest.MaxAttachmentBytes+1))
}

// reportForm shows the first question of the public report.
func (h *handler) reportForm(w http.ResponseWriter, r *http.Request) error {
	return h.showStep(w, r, 0, nil, nil)
}

func reportFormData() map[string]any {
	people := make([]int, formPeople)
	for i := range people {
		people[i] = i + 1
	}
	return map[string]any{"People": people}
}

// reportSubmit stores a report from the public form. The confirmation
// page, with the reference, is sent only once the report is committed.
func (h *handler) reportSubmit(w http.ResponseWriter, r *http.Request) error {
	form, atts, err := readReportForm(r)
	if err == nil {
		if st := form.Get("step"); (st != "" && st != stepSend) || form.Get("goto") != "" {
			return h.reportStepSubmit(w, r, form)
		}
	}
	// Sending: "check your answers", or the whole report in one post.
	if err := h.checkReportLimit(w, r); err != nil {
		return err
	}
	var rep *contest.Report
	if err == nil {
		rep, err = parseReportForm(form)
		rep.Channel, rep.Attachments = contest.ChannelOnline, atts
		if err = checkReport(rep, err); err == nil {
			err = h.store.SubmitReport(r.Context(), contest.PublicReporter(reporterAddr(r), "public-web"), rep)
		}
	}
	if err != nil {
		if contest.ErrorCode(err) != contest.EINVALID {
			return err
		}
		// Back to the page that asks the first field in error.
		step := len(reportSteps)
		for _, f := range contest.ErrorFields(err) {
			step = min(step, stepOfField(f.Field))
		}
		if form == nil {
			form = url.Values{}
		}
		if fields := contest.ErrorFields(err); len(fields) > 0 {
			var mine contest.FieldErrors
			for _, f := range fields {
				if stepOfField(f.Field) == step {
					mine = append(mine, f)
				}
			}
			err = mine.Err()
		}
		return h.showStep(w, r, step, form, err)
	}
	return h.render(w, r, http.StatusOK, "report_done", &page{Title: "Report sent", Data: doneData(rep)})
}

// doneData is what the confirmation page shows: the reference and, for a
// business report of a regulated substance, the 24-hour deadline from the
// event and whether the report met it.
func doneData(r *contest.Report) map[string]any {
	d := map[string]any{"Reference": r.Reference}
	if r.Channel == contest.ChannelPrecursor && !r.When.IsZero() {
		d["Deadline"], d["Late"] = r.BusinessDeadlineAt(), r.ReceivedAt.After(r.BusinessDeadlineAt())
	}
	return d
}

// showFormError renders a form again with the GOV.UK error summary.
func (h *handler) showFormError(w http.ResponseWriter, r *http.Request, view, title string, form url.Values, err error, data any) error {
	p := &page{Title: title, Form: form, Data: data, ErrorMessage: contest.ErrorMessage(err), Errors: contest.ErrorFields(err)}
	stateFrom(r.Context()).errCode = contest.ErrorCode(err)
	h.metrics.errors.WithLabelValues(contest.ErrorCode(err)).Inc()
	return h.render(w, r, http.StatusBadRequest, view, p)
}

// referenceBody is the answer to a public report.
type referenceBody struct {
	Reference string `json:"reference"`
}

// apiPublicReport is POST /api/v1/public/reports: no sign-in; answered
// 201 with the reference only after the report is durably stored.
func (h *handler) apiPublicReport(w http.ResponseWriter, r *http.Request) error {
	if err := h.checkReportLimit(w, r); err != nil {
		return err
	}
	rep, err := parsePublicJSON(r.Body)
	if err != nil {
		return err
	}
	if err := h.store.SubmitReport(r.Context(), contest.PublicReporter(reporterAddr(r), "public-api"), rep); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, referenceBody{Reference: rep.Reference})
}
