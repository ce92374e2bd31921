package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/access"
)

// actionRow is an action as a list shows it.
type actionRow struct {
	*contest.Action
	Overdue bool
	Mine    bool
}

func actionRows(as []*contest.Action, a *contest.Actor, now time.Time) []actionRow {
	out := make([]actionRow, len(as))
	for i, v := range as {
		out[i] = actionRow{Action: v, Overdue: v.Overdue(now), Mine: v.AllocatedTo == a.UserID}
	}
	return out
}

// actionQuery reads the filters of the actions list.
func actionQuery(r *http.Request, a *contest.Actor) (contest.ActionFilter, int, error) {
	q := r.URL.Query()
	f := contest.ActionFilter{Overdue: q.Get("overdue") == "yes", Status: strings.TrimSpace(q.Get("status"))}
	var fe contest.FieldErrors
	if q.Get("mine") == "yes" {
		f.AllocatedTo = a.UserID
	}
	if v := strings.TrimSpace(q.Get("investigation_id")); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			fe.Add("investigation_id", "Investigation must be a number")
		}
		f.InvestigationID = n
	}
	if f.Status != "" {
		ok := false
		for _, s := range []string{contest.ActionRaised, contest.ActionAllocated, contest.ActionResulted, contest.ActionReviewed, contest.ActionFiled} {
			ok = ok || s == f.Status
		}
		if !ok {
			fe.Add("status", "Select a status from the list")
			f.Status = ""
		}
	}
	pg := 1
	queryNumber(q, "page", 1, 100_000, "Page must be a whole number, 1 or more", &fe, &pg)
	return f, pg, fe.Err()
}

// actionList is the actions the actor may see, with the overdue filter and
// the workload of each officer.
func (h *handler) actionList(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	f, pg, ferr := actionQuery(r, a)
	const limit = 25
	f.Offset, f.Limit = (pg-1)*limit, limit
	items, total, err := h.store.FindActions(r.Context(), a, f)
	if err != nil {
		return err
	}
	workload, err := h.store.ActionWorkload(r.Context(), a)
	if err != nil {
		return err
	}
	p := &page{Title: "Actions", Form: r.URL.Query(), Data: map[string]any{
		"Items": actionRows(items, a, time.Now()), "Total": total, "Workload": workload, "Filter": f,
		"Pages": paginate(r.URL, f.Offset, limit, total, len(items)),
	}}
	if ferr != nil {
		p.ErrorMessage, p.Errors = contest.ErrorMessage(ferr), contest.ErrorFields(ferr)
	}
	return h.render(w, r, http.StatusOK, "action_list", p)
}

// actionNewData is what the raise form shows.
type actionNewData struct {
	Investigation *contest.Investigation
	Categories    []option
	Priorities    []option
}

func (h *handler) actionNewData(r *http.Request) (*actionNewData, error) {
	id, err := investigationParam(r)
	if err != nil {
		return nil, err
	}
	inv, err := h.store.FindInvestigationByID(r.Context(), actor(r), id)
	if err != nil {
		return nil, err
	}
	d := &actionNewData{Investigation: inv, Categories: []option{{Value: "", Label: "Select a category"}}}
	for _, c := range contest.ActionCategories {
		d.Categories = append(d.Categories, option{Value: c, Label: strings.ToUpper(c[:1]) + c[1:]})
	}
	for _, p := range contest.ActionPriorities {
		d.Priorities = append(d.Priorities, option{Value: p, Label: strings.ToUpper(p[:1]) + p[1:]})
	}
	return d, nil
}

// actionNew shows the form to raise an action on an investigation.
func (h *handler) actionNew(w http.ResponseWriter, r *http.Request) error {
	d, err := h.actionNewData(r)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "action_new", &page{Title: "Raise an action", Data: d})
}

// actionRaise raises an action from the form.
func (h *handler) actionRaise(w http.ResponseWriter, r *http.Request) error {
	d, err := h.actionNewData(r)
	if err != nil {
		return err
	}
	form, err := parseForm(r)
	if err == nil {
		var fe contest.FieldErrors
		act := &contest.Action{InvestigationID: d.Investigation.ID, Title: form.Get("title"), Details: form.Get("details"),
			Category: form.Get("category"), Priority: form.Get("priority"), DueAt: pursueDate(&fe, "due_at", form.Get("due_at"))}
		if err = fe.Err(); err == nil {
			if err = h.store.RaiseAction(r.Context(), actor(r), act); err == nil {
				h.setFlash(r, "Action "+strconv.FormatInt(act.ID, 10)+" raised")
				return redirect(w, r, "/actions/"+strconv.FormatInt(act.ID, 10))
			}
		}
	}
	return h.formError(w, r, "action_new", "Raise an action", form, err, d)
}

// actionShowData is what an action's page shows.
type actionShowData struct {
	Action           actionRow
	EliminationCodes []option
	ReviewOptions    []option
	CanAdmin         bool
	CanResult        bool
}

func (h *handler) actionShowData(r *http.Request, id int64) (*actionShowData, *contest.Action, error) {
	a := actor(r)
	v, err := h.store.FindActionByID(r.Context(), a, id)
	if err != nil {
		return nil, nil, err
	}
	d := &actionShowData{Action: actionRows([]*contest.Action{v}, a, time.Now())[0], CanAdmin: access.Can(a, access.Admin, contest.KindAction),
		EliminationCodes: []option{{Value: "", Label: "None"}},
		ReviewOptions:    []option{{Value: "", Label: "Select a decision"}, {Value: "accept", Label: "Accept the result"}, {Value: "return", Label: "Return to the officer"}}}
	d.CanResult = v.Status == contest.ActionAllocated && (v.AllocatedTo == a.UserID || d.CanAdmin)
	for _, c := range []string{"1", "2", "3", "4", "5", "6"} {
		d.EliminationCodes = append(d.EliminationCodes, option{Value: c, Label: c + ": " + contest.EliminationCodes[c]})
	}
	return d, v, nil
}

// actionShow shows one action and the forms for its next step.
func (h *handler) actionShow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", contest.KindAction)
	if err != nil {
		return err
	}
	d, v, err := h.actionShowData(r, id)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "action_show", recordPage("Action "+strconv.FormatInt(id, 10), &v.Meta, nil, d))
}

// actionStep runs one step of an action from its page's form: allocate,
// result, review or file. A refused step shows the page again with the
// error.
func actionStep(step func(h *handler, r *http.Request, id int64, form map[string][]string) error) func(h *handler, w http.ResponseWriter, r *http.Request) error {
	return func(h *handler, w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id", contest.KindAction)
		if err != nil {
			return err
		}
		form, err := parseForm(r)
		if err == nil {
			if err = step(h, r, id, form); err == nil {
				h.setFlash(r, "The action is updated")
				return redirect(w, r, "/actions/"+strconv.FormatInt(id, 10))
			}
		}
		if c := contest.ErrorCode(err); c != contest.EINVALID && c != contest.ECONFLICT {
			return err
		}
		d, _, derr := h.actionShowData(r, id)
		if derr != nil {
			return derr
		}
		return h.formError(w, r, "action_show", "Action "+strconv.FormatInt(id, 10), form, err, d)
	}
}

func first(form map[string][]string, k string) string {
	if v := form[k]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func actionAllocate(h *handler, r *http.Request, id int64, form map[string][]string) error {
	var fe contest.FieldErrors
	due := pursueDate(&fe, "due_at", first(form, "due_at"))
	name := strings.ToLower(strings.TrimSpace(first(form, "officer")))
	if name == "" {
		fe.Add("officer", "Enter the username of the officer")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	uid, err := h.store.OfficerByUsername(r.Context(), actor(r), name)
	if err != nil {
		return err
	}
	_, err = h.store.AllocateAction(r.Context(), actor(r), id, uid, due)
	return err
}

func actionResult(h *handler, r *http.Request, id int64, form map[string][]string) error {
	_, err := h.store.ResultAction(r.Context(), actor(r), id, first(form, "result"), first(form, "elimination_code"))
	return err
}

func actionReview(h *handler, r *http.Request, id int64, form map[string][]string) error {
	var fe contest.FieldErrors
	accept := false
	switch first(form, "decision") {
	case "accept":
		accept = true
	case "return":
	default:
		fe.Add("decision", "Select accept or return to the officer")
		return fe.Err()
	}
	_, err := h.store.ReviewAction(r.Context(), actor(r), id, accept, first(form, "note"))
	return err
}

func actionFile(h *handler, r *http.Request, id int64, form map[string][]string) error {
	_, err := h.store.FileAction(r.Context(), actor(r), id, first(form, "file_note"))
	return err
}
