package web

import (
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/access"
)

// triageShow shows one report to the desk: what it says, its attachments
// (as downloads), the other reports in its cluster, identical identifiers
// in other reports, the possible matches of the people it names (within
// what the triager may see), and the grading and outcome forms.
func (h *handler) triageShow(w http.ResponseWriter, r *http.Request) error {
	return h.showTriage(w, r, http.StatusOK, nil, nil)
}

func (h *handler) showTriage(w http.ResponseWriter, r *http.Request, status int, form url.Values, ferr error) error {
	id, err := pathID(r, "id", contest.KindReport)
	if err != nil {
		return err
	}
	a := actor(r)
	rep, err := h.store.FindReportByID(r.Context(), a, id)
	if err != nil {
		return err
	}
	cluster, clusterTotal, err := h.store.FindReports(r.Context(), a, contest.ReportFilter{ClusterID: rep.ClusterID, Limit: 50})
	if err != nil {
		return err
	}
	keys, err := h.store.FindReportKeyMatches(r.Context(), a, id)
	if err != nil {
		return err
	}
	data := map[string]any{"Report": rep, "Cluster": cluster, "ClusterTotal": clusterTotal, "Keys": keys,
		"Overdue": rep.Overdue(time.Now()), "CanRumour": access.Can(a, access.Admin, contest.KindReport),
		"Outcomes": contest.Outcomes, "EventLabel": eventLabel(rep.Event), "Indicators": indicatorLabels(rep.Indicators)}
	data["SourceOpts"] = []option{{Value: "", Label: "Choose"}, {Value: "1", Label: "1: reliable"}, {Value: "2", Label: "2: untested"}, {Value: "3", Label: "3: not reliable"}}
	data["AssessOpts"] = []option{{Value: "", Label: "Choose"}, {Value: "A", Label: "A: known directly"}, {Value: "B", Label: "B: known indirectly, corroborated"},
		{Value: "C", Label: "C: known indirectly"}, {Value: "D", Label: "D: not known"}, {Value: "E", Label: "E: suspected to be false"}}
	data["HandlingOpts"] = []option{{Value: "", Label: "Choose"}, {Value: "P", Label: "P: lawful sharing permitted"}, {Value: "C", Label: "C: conditions apply"}}
	outs := []option{{Value: "", Label: "Grade only"}}
	for _, o := range contest.Outcomes {
		outs = append(outs, option{Value: o.Value, Label: o.Label})
	}
	data["OutcomeOpts"] = outs
	// Join the dots: the possible matches of the people this report names.
	// Shown to those whose role may see possible matches; each match is
	// still decided on both records it joins.
	if ms, ok := h.store.(contest.MatchService); ok && access.Can(a, access.Read, contest.KindPossibleMatch) {
		matches, _, err := ms.FindPossibleMatches(r.Context(), a, contest.MatchFilter{SourceKind: contest.KindReport, SourceID: id, Limit: 50})
		if err != nil {
			return err
		}
		data["Matches"] = matches
	}
	if form == nil {
		form = url.Values{}
		if !rep.Grade.IsZero() {
			form.Set("source", strconv.Itoa(rep.Grade.Source))
			form.Set("assessment", rep.Grade.Assessment)
			form.Set("handling", rep.Grade.Handling)
		}
		if rep.ThreatToLife {
			form.Set("threat_to_life", "yes")
		}
	}
	p := &page{Title: "Report " + rep.Reference, Classification: rep.Meta.Classification, Form: form, Data: data}
	if ferr != nil {
		p.ErrorMessage, p.Errors = contest.ErrorMessage(ferr), contest.ErrorFields(ferr)
		stateFrom(r.Context()).errCode = contest.ErrorCode(ferr)
		h.metrics.errors.WithLabelValues(contest.ErrorCode(ferr)).Inc()
	}
	return h.render(w, r, status, "triage_show", p)
}

func eventLabel(v string) string {
	for _, e := range contest.PrecursorEvents {
		if e.Value == v {
			return e.Label
		}
	}
	return v
}

func indicatorLabels(vs []string) []string {
	var out []string
	for _, v := range vs {
		for _, f := range contest.RedFlags {
			if f.Value == v {
				out = append(out, f.Label)
			}
		}
	}
	return out
}

// parseDecision reads a triage decision from a form.
func parseDecision(f url.Values) contest.TriageDecision {
	d := contest.TriageDecision{Outcome: f.Get("outcome"), Reason: f.Get("reason")}
	d.Grade.Source, _ = strconv.Atoi(f.Get("source"))
	d.Grade.Assessment, d.Grade.Handling = strings.ToUpper(f.Get("assessment")), strings.ToUpper(f.Get("handling"))
	if v := strings.TrimSpace(f.Get("linked_investigation")); v != "" {
		d.LinkedInvestigation, _ = strconv.ParseInt(v, 10, 64)
	}
	ttl := f.Get("threat_to_life") == "yes"
	d.ThreatToLife = &ttl
	return d
}

// triageDecide grades a report and, with an outcome and reason, closes it.
func (h *handler) triageDecide(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", contest.KindReport)
	if err != nil {
		return err
	}
	form, err := parseForm(r)
	if err == nil {
		dec := parseDecision(form)
		if err = dec.Validate(); err == nil {
			var rep *contest.Report
			if rep, err = h.store.TriageReport(r.Context(), actor(r), id, dec); err == nil {
				msg := "Report " + rep.Reference + " graded " + rep.Grade.String()
				if rep.Outcome != "" {
					msg += ": " + contest.OutcomeLabel(rep.Outcome)
					h.setFlash(r, msg)
					return redirect(w, r, "/triage")
				}
				h.setFlash(r, msg)
				return redirect(w, r, "/triage/reports/"+strconv.FormatInt(id, 10))
			}
		}
	}
	if contest.ErrorCode(err) == contest.EINVALID {
		return h.showTriage(w, r, http.StatusBadRequest, form, err)
	}
	return err
}

// triageResolveCluster applies one decision to every open report of the
// report's cluster.
func (h *handler) triageResolveCluster(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", contest.KindReport)
	if err != nil {
		return err
	}
	form, err := parseForm(r)
	if err == nil {
		dec := parseDecision(form)
		dec.ThreatToLife = nil
		if err = dec.Validate(); err == nil && dec.Outcome == "" {
			err = (&contest.FieldErrors{{Field: "outcome", Message: "Select an outcome for the whole cluster"}}).Err()
		}
		if err == nil {
			var rep *contest.Report
			if rep, err = h.store.FindReportByID(r.Context(), actor(r), id); err == nil {
				var n int
				if n, err = h.store.ResolveCluster(r.Context(), actor(r), rep.ClusterID, dec); err == nil {
					h.setFlash(r, strconv.Itoa(n)+" reports resolved: "+contest.OutcomeLabel(dec.Outcome))
					return redirect(w, r, "/triage")
				}
			}
		}
	}
	if contest.ErrorCode(err) == contest.EINVALID {
		return h.showTriage(w, r, http.StatusBadRequest, form, err)
	}
	return err
}

// triageRumour marks the report's cluster a false rumour and publishes the
// statement.
func (h *handler) triageRumour(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", contest.KindReport)
	if err != nil {
		return err
	}
	form, err := parseForm(r)
	if err == nil {
		var rep *contest.Report
		if rep, err = h.store.FindReportByID(r.Context(), actor(r), id); err == nil {
			var n int
			if n, err = h.store.MarkRumour(r.Context(), actor(r), rep.ClusterID, form.Get("statement"), form.Get("rumour_reason")); err == nil {
				h.setFlash(r, strconv.Itoa(n)+" reports closed as a false rumour; the statement is published")
				return redirect(w, r, "/triage")
			}
		}
	}
	if contest.ErrorCode(err) == contest.EINVALID {
		fields := contest.ErrorFields(err)
		for i := range fields {
			if fields[i].Field == "reason" {
				fields[i].Field = "rumour_reason"
			}
		}
		return h.showTriage(w, r, http.StatusBadRequest, form, err)
	}
	return err
}

// triageAttachment sends an attachment as a download, never as a page:
// Content-Disposition attachment, the type sniffed when it was stored,
// and nosniff (set on every response).
func (h *handler) triageAttachment(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", contest.KindReport)
	if err != nil {
		return err
	}
	aid, err := pathID(r, "att", contest.KindReport)
	if err != nil {
		return err
	}
	at, err := h.store.FindAttachment(r.Context(), actor(r), id, aid)
	if err != nil {
		return err
	}
	hd := w.Header()
	hd.Set("Content-Type", at.ContentType)
	hd.Set("Content-Disposition", contentDisposition(at.Filename))
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	hd.Set("Content-Length", strconv.Itoa(len(at.Data)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(at.Data)
	return nil
}

// contentDisposition is "attachment" with the file name (already made
// safe when stored), quoted per RFC 6266; a name that cannot be quoted is
// left out.
func contentDisposition(name string) string {
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '"' || r == '\\' || r == '/' {
			return -1
		}
		return r
	}, name)
	if v := mime.FormatMediaType("attachment", map[string]string{"filename": name}); v != "" {
		return v
	}
	return "attachment"
}
