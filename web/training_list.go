package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/access"
)

// trainingList is GET /training: the counts by sector, the records, and
// the form to record a completion.
func (h *handler) trainingList(w http.ResponseWriter, r *http.Request) error {
	return h.showTraining(w, r, http.StatusOK, nil, nil)
}

func (h *handler) showTraining(w http.ResponseWriter, r *http.Request, status int, form url.Values, ferr error) error {
	a := actor(r)
	q := r.URL.Query()
	f := contest.TrainingFilter{Limit: 100, Module: q.Get("module")}
	if _, ok := contest.ModuleByCode(f.Module); !ok {
		f.Module = ""
	}
	if n, err := strconv.Atoi(q.Get("offset")); err == nil && n > 0 {
		f.Offset = n
	}
	recs, total, err := h.store.FindTraining(r.Context(), a, f)
	if err != nil {
		return err
	}
	counts, err := h.store.TrainingCounts(r.Context(), a)
	if err != nil {
		return err
	}
	modules := []option{{Value: "", Label: "Choose the module"}}
	labels := map[string]string{}
	for _, m := range contest.TrainingModules {
		modules = append(modules, option{Value: m.Code, Label: m.Label})
		labels[m.Code] = m.Label
	}
	data := map[string]any{"Records": recs, "Total": total, "Counts": counts, "Modules": modules, "ModuleList": contest.TrainingModules,
		"Labels": labels, "CanCreate": access.Can(a, access.Create, contest.KindTraining), "OwnOrgOnly": !a.OrgKind.IssuesBulletins() && !a.System}
	if f.Offset+len(recs) < total {
		data["Next"] = "/training?" + url.Values{"offset": {strconv.Itoa(f.Offset + len(recs))}, "module": {f.Module}}.Encode()
	}
	if !a.OrgKind.IssuesBulletins() {
		data["Orgs"] = []option{{Value: strconv.FormatInt(a.OrgID, 10), Label: a.OrgName}}
	} else {
		orgs, err := h.store.FindOrgs(r.Context(), a)
		if err != nil {
			return err
		}
		opts := []option{{Value: "", Label: "Choose the organisation"}}
		for _, o := range orgs {
			opts = append(opts, option{Value: strconv.FormatInt(o.ID, 10), Label: o.Name})
		}
		data["Orgs"] = opts
	}
	p := &page{Title: "Counter-terrorism awareness training", Form: form, Data: data}
	if ferr != nil {
		p.ErrorMessage, p.Errors = contest.ErrorMessage(ferr), contest.ErrorFields(ferr)
		stateFrom(r.Context()).errCode = contest.ErrorCode(ferr)
	}
	return h.render(w, r, status, "training_list", p)
}

// trainingCreate is POST /training: record that a person completed a module.
func (h *handler) trainingCreate(w http.ResponseWriter, r *http.Request) error {
	form, err := parseForm(r)
	if err == nil {
		org, _ := strconv.ParseInt(form.Get("org_id"), 10, 64)
		t := &contest.TrainingRecord{PersonName: form.Get("person_name"), Role: form.Get("role"), Module: form.Get("module"),
			CompletedAt: formDate(form.Get("completed_at")), ExpiresAt: formDate(form.Get("expires_at")), Meta: contest.Meta{OwnerOrgID: org}}
		if err = h.store.CreateTraining(r.Context(), actor(r), t); err == nil {
			h.setFlash(r, "Training recorded for "+t.PersonName)
			return redirect(w, r, "/training")
		}
	}
	if contest.ErrorCode(err) == contest.EINVALID {
		return h.showTraining(w, r, http.StatusBadRequest, form, err)
	}
	return err
}
