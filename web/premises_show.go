package web

import (
	"io"
	"mime"
	"net/http"
	"path/filepath"
	"strconv"
	"time"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/access"
)

// premisesShow is GET /premises/{id}: the premises, its tier, assessments
// with findings, emergency plans, and for advisers the forms to add them.
func (h *handler) premisesShow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", contest.KindPremises)
	if err != nil {
		return err
	}
	return h.showPremises(w, r, id, http.StatusOK, nil, nil)
}

func (h *handler) showPremises(w http.ResponseWriter, r *http.Request, id int64, status int, form map[string][]string, ferr error) error {
	a := actor(r)
	p, err := h.store.FindPremisesByID(r.Context(), a, id)
	if err != nil {
		return err
	}
	var prios []option
	for _, pr := range contest.FindingPriorities {
		prios = append(prios, option{Value: pr, Label: pr})
	}
	pg := &page{Title: p.Name, Classification: p.Meta.Classification, Form: form, Data: map[string]any{
		"P": p, "CanAssess": access.Allowed(a, access.Update, contest.KindPremises, &p.Meta), "Priorities": prios,
		"FindingSlots": []int{1, 2, 3}}}
	if ferr != nil {
		pg.ErrorMessage, pg.Errors = contest.ErrorMessage(ferr), contest.ErrorFields(ferr)
		stateFrom(r.Context()).errCode = contest.ErrorCode(ferr)
	}
	return h.render(w, r, status, "premises_show", pg)
}

// formDate reads a YYYY-MM-DD field.
func formDate(v string) time.Time {
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return time.Time{}
	}
	return t
}

// premisesAssess is POST /premises/{id}/assessments: an assessment with up
// to three findings from the form.
func (h *handler) premisesAssess(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", contest.KindPremises)
	if err != nil {
		return err
	}
	form, err := parseForm(r)
	if err == nil {
		as := &contest.Assessment{Summary: form.Get("summary"), AssessedAt: formDate(form.Get("assessed_at")), NextReviewAt: formDate(form.Get("next_review_at"))}
		for i := 1; i <= 3; i++ {
			n := strconv.Itoa(i)
			if form.Get("finding_"+n) == "" && form.Get("finding_"+n+"_due") == "" {
				continue
			}
			as.Findings = append(as.Findings, &contest.Finding{Text: form.Get("finding_" + n), Priority: form.Get("finding_" + n + "_priority"),
				DueAt: formDate(form.Get("finding_" + n + "_due"))})
		}
		if err = h.store.AddAssessment(r.Context(), actor(r), id, as); err == nil {
			h.setFlash(r, "Assessment recorded; the next review is due "+as.NextReviewAt.Format("2 January 2006"))
			return redirect(w, r, "/premises/"+strconv.FormatInt(id, 10))
		}
	}
	if contest.ErrorCode(err) == contest.EINVALID {
		return h.showPremises(w, r, id, http.StatusBadRequest, form, err)
	}
	return err
}

// premisesResolve is POST /premises/{id}/findings/{finding}/resolve.
func (h *handler) premisesResolve(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", contest.KindPremises)
	if err != nil {
		return err
	}
	fid, err := pathID(r, "finding", contest.KindPremises)
	if err != nil {
		return err
	}
	if err := h.store.ResolveFinding(r.Context(), actor(r), id, fid); err != nil {
		return err
	}
	h.setFlash(r, "Finding marked as put right")
	return redirect(w, r, "/premises/"+strconv.FormatInt(id, 10))
}

// premisesPlanUpload is POST /premises/{id}/plans: attach an emergency plan
// (multipart form, field "plan").
func (h *handler) premisesPlanUpload(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", contest.KindPremises)
	if err != nil {
		return err
	}
	bad := func(msg string) error {
		var fe contest.FieldErrors
		fe.Add("plan", msg)
		return h.showPremises(w, r, id, http.StatusBadRequest, nil, fe.Err())
	}
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		return bad("Choose the plan document to attach (8 MB or smaller)")
	}
	defer r.MultipartForm.RemoveAll()
	f, fh, err := r.FormFile("plan")
	if err != nil {
		return bad("Choose the plan document to attach")
	}
	defer f.Close()
	content, err := io.ReadAll(io.LimitReader(f, contest.MaxPlanBytes+1))
	if err != nil {
		return bad("The plan could not be read")
	}
	ct := mime.TypeByExtension(filepath.Ext(fh.Filename))
	if ct == "" {
		ct = http.DetectContentType(content)
	}
	pl := &contest.EmergencyPlan{Name: filepath.Base(fh.Filename), ContentType: ct, Content: content}
	if err := h.store.AttachPlan(r.Context(), actor(r), id, pl); err != nil {
		if contest.ErrorCode(err) == contest.EINVALID {
			return h.showPremises(w, r, id, http.StatusBadRequest, nil, err)
		}
		return err
	}
	h.setFlash(r, "Plan "+pl.Name+" attached")
	return redirect(w, r, "/premises/"+strconv.FormatInt(id, 10))
}

// premisesPlan is GET /premises/{id}/plans/{plan}: download a plan, as an
// attachment (never rendered in the page).
func (h *handler) premisesPlan(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", contest.KindPremises)
	if err != nil {
		return err
	}
	pid, err := pathID(r, "plan", contest.KindPremises)
	if err != nil {
		return err
	}
	pl, err := h.store.FindPlan(r.Context(), actor(r), id, pid)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": pl.Name}))
	w.Header().Set("Content-Length", strconv.Itoa(len(pl.Content)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(pl.Content)
	return nil
}

// premisesReviews is GET /premises/reviews: the reminder queue on its own,
// with a longer horizon.
func (h *handler) premisesReviews(w http.ResponseWriter, r *http.Request) error {
	due, err := h.store.ReviewsDue(r.Context(), actor(r), 90*24*time.Hour)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "premises_reviews", &page{Title: "Reviews and findings due", Data: map[string]any{"Due": due}})
}
