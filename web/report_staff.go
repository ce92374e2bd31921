package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/contest-ct/contest"
)

// staffForms are the signed-in report forms: a call handler's entry of a
// hotline call, and a business's two kinds of report.
var staffForms = map[string]struct{ title, intro, path string }{
	contest.ChannelHotline: {"Enter a hotline call", "The same questions as the public form, with the caller's details and the time of the call.", "/reports/call"},
	contest.ChannelPrecursor: {"Report a suspicious transaction, loss or theft",
		"For a suspicious transaction, an attempted purchase, or a significant loss or theft of a regulated explosives precursor or poison.", "/reports/business/precursor"},
	contest.ChannelPremises: {"Report suspicious activity at your premises",
		"For example, someone filming or noting security arrangements, asking unusual questions, or testing how staff respond (hostile reconnaissance).", "/reports/business/premises"},
}

func (h *handler) staffFormData(r *http.Request, ch string, form url.Values) (map[string]any, error) {
	sf := staffForms[ch]
	data := reportFormData()
	data["Channel"], data["Intro"], data["Action"] = ch, sf.intro, sf.path
	if ch == contest.ChannelPrecursor {
		subs, err := h.store.FindSubstances(r.Context())
		if err != nil {
			return nil, err
		}
		opts := []option{{Value: "", Label: "Choose a substance"}}
		for _, s := range subs {
			opts = append(opts, option{Value: s.Code, Label: s.Name})
		}
		events := []option{{Value: "", Label: "Choose what happened"}}
		for _, e := range contest.PrecursorEvents {
			events = append(events, option{Value: e.Value, Label: e.Label})
		}
		var flags []option
		for _, f := range contest.RedFlags {
			flags = append(flags, option{Value: f.Value, Label: f.Label, Selected: slices.Contains(form["indicators"], f.Value)})
		}
		data["Substances"], data["Events"], data["RedFlags"] = opts, events, flags
		if when, msg := parseDateTime(form, "when"); msg == "" && !when.IsZero() {
			data["Deadline"] = when.Add(contest.BusinessDeadline)
		}
	}
	return data, nil
}

func (h *handler) showStaffForm(w http.ResponseWriter, r *http.Request, ch string, form url.Values, ferr error) error {
	data, err := h.staffFormData(r, ch, form)
	if err != nil {
		return err
	}
	if ferr != nil {
		return h.showFormError(w, r, "report_staff", staffForms[ch].title, form, ferr, data)
	}
	return h.render(w, r, http.StatusOK, "report_staff", &page{Title: staffForms[ch].title, Form: form, Data: data})
}

// submitStaffForm stores a signed-in report of channel ch and shows its
// reference.
func (h *handler) submitStaffForm(w http.ResponseWriter, r *http.Request, ch string) error {
	form, atts, err := readReportForm(r)
	var rep *contest.Report
	if err == nil {
		rep, err = parseReportForm(form)
		if err != nil {
			rep.Channel = ch
			err = checkReport(rep, err)
		}
	}
	if err == nil {
		rep.Channel, rep.Attachments = ch, atts
		rep.CallerDetails, rep.ThreatToLife = form.Get("caller_details"), form.Get("threat_to_life") == "yes"
		rep.Substance, rep.Event, rep.Quantity, rep.Indicators = form.Get("substance"), form.Get("event"), form.Get("quantity"), form["indicators"]
		if ch == contest.ChannelHotline {
			rep.CallTime = time.Now().UTC()
			if s := strings.TrimSpace(form.Get("call_time")); s != "" {
				t, perr := time.Parse("2 1 2006 15:04", strings.Join(strings.Fields(s), " "))
				if perr != nil {
					err = (&contest.FieldErrors{{Field: "call_time", Message: "Enter the call time like 23 11 2026 14:30"}}).Err()
				}
				rep.CallTime = t
			}
		}
		if err == nil {
			// Bad input is answered before the store's channel rule, so
			// that the form's own errors come first.
			err = rep.Validate()
		}
		if err == nil {
			err = h.store.SubmitReport(r.Context(), actor(r), rep)
		}
	}
	if err != nil {
		if contest.ErrorCode(err) != contest.EINVALID {
			return err
		}
		return h.showStaffForm(w, r, ch, form, err)
	}
	return h.render(w, r, http.StatusOK, "report_done", &page{Title: "Report stored", Data: doneData(rep)})
}

// reportCallForm and the handlers below are the three staff forms.
func (h *handler) reportCallForm(w http.ResponseWriter, r *http.Request) error {
	return h.showStaffForm(w, r, contest.ChannelHotline, nil, nil)
}

func (h *handler) reportCallSubmit(w http.ResponseWriter, r *http.Request) error {
	return h.submitStaffForm(w, r, contest.ChannelHotline)
}

func (h *handler) reportPrecursorForm(w http.ResponseWriter, r *http.Request) error {
	return h.showStaffForm(w, r, contest.ChannelPrecursor, nil, nil)
}

func (h *handler) reportPrecursorSubmit(w http.ResponseWriter, r *http.Request) error {
	return h.submitStaffForm(w, r, contest.ChannelPrecursor)
}

func (h *handler) reportPremisesForm(w http.ResponseWriter, r *http.Request) error {
	return h.showStaffForm(w, r, contest.ChannelPremises, nil, nil)
}

func (h *handler) reportPremisesSubmit(w http.ResponseWriter, r *http.Request) error {
	return h.submitStaffForm(w, r, contest.ChannelPremises)
}
