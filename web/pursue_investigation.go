package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/contest-ct/contest"
)

func init() {
	viewNames = append(viewNames, "pursue_investigation_new", "pursue_classification", "action_list", "action_new", "action_show")
}

// pursueClassOptions are the markings offered on Pursue forms.
func pursueClassOptions() []option {
	out := []option{{Value: "", Label: "Select a classification"}}
	for _, c := range contest.Classifications {
		out = append(out, option{Value: strconv.Itoa(int(c)), Label: c.String()})
	}
	return out
}

// formClassification reads a classification select; an empty or unknown
// value is the zero classification, which validation refuses.
func formClassification(v string) contest.Classification {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return 0
	}
	return contest.Classification(n)
}

// pursueDate reads a YYYY-MM-DD field; an empty one is the zero time and a
// malformed one is an error on the field.
func pursueDate(fe *contest.FieldErrors, field, v string) time.Time {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.DateOnly, v)
	if err != nil {
		fe.Add(field, "Enter a real date as YYYY-MM-DD")
	}
	return t
}

type investigationNewData struct {
	Classifications []option
}

// investigationNew shows the form to open an investigation.
func (h *handler) investigationNew(w http.ResponseWriter, r *http.Request) error {
	return h.render(w, r, http.StatusOK, "pursue_investigation_new", &page{Title: "Open an investigation",
		Form: map[string][]string{"lead_id": {r.URL.Query().Get("lead_id")}}, Data: investigationNewData{pursueClassOptions()}})
}

// investigationCreate opens an investigation, with its compartment holding
// only the team named on the form and the person opening it.
func (h *handler) investigationCreate(w http.ResponseWriter, r *http.Request) error {
	form, err := parseForm(r)
	if err == nil {
		n := &contest.NewInvestigation{Operation: form.Get("operation"), Summary: form.Get("summary"),
			Classification: formClassification(form.Get("classification")), Area: strings.TrimSpace(form.Get("area")),
			TeamUsernames: strings.FieldsFunc(form.Get("team"), func(r rune) bool { return r == ',' || r == '\n' || r == ' ' || r == '\r' })}
		if v := strings.TrimSpace(form.Get("lead_id")); v != "" {
			n.LeadID, _ = strconv.ParseInt(v, 10, 64)
		}
		var inv *contest.Investigation
		if inv, err = h.store.CreateInvestigation(r.Context(), actor(r), n); err == nil {
			h.setFlash(r, "Operation "+inv.Operation+" opened, with its compartment")
			return redirect(w, r, "/investigations/"+strconv.FormatInt(inv.ID, 10))
		}
	}
	return h.formError(w, r, "pursue_investigation_new", "Open an investigation", form, err, investigationNewData{pursueClassOptions()})
}

type classificationData struct {
	Investigation   *contest.Investigation
	Changes         []*contest.ClassificationChange
	Classifications []option
}

func (h *handler) classificationData(r *http.Request, id int64) (*classificationData, error) {
	inv, err := h.store.FindInvestigationByID(r.Context(), actor(r), id)
	if err != nil {
		return nil, err
	}
	changes, err := h.store.FindClassificationChanges(r.Context(), actor(r), id)
	if err != nil {
		return nil, err
	}
	return &classificationData{Investigation: inv, Changes: changes, Classifications: pursueClassOptions()}, nil
}

// investigationClassification shows an investigation's classification
// changes and, to a supervisor, the form to change it.
func (h *handler) investigationClassification(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", contest.KindInvestigation)
	if err != nil {
		return err
	}
	d, err := h.classificationData(r, id)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "pursue_classification", &page{Title: "Classification of Operation " + d.Investigation.Operation, Data: d})
}

// investigationClassify raises or lowers an investigation's marking.
func (h *handler) investigationClassify(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", contest.KindInvestigation)
	if err != nil {
		return err
	}
	form, err := parseForm(r)
	if err == nil {
		if _, err = h.store.ChangeClassification(r.Context(), actor(r), id, formClassification(form.Get("classification")), form.Get("reason")); err == nil {
			h.setFlash(r, "The classification is changed and your reason recorded")
			return redirect(w, r, "/investigations/"+strconv.FormatInt(id, 10)+"/classification")
		}
	}
	if c := contest.ErrorCode(err); c != contest.EINVALID && c != contest.ECONFLICT {
		return err
	}
	d, derr := h.classificationData(r, id)
	if derr != nil {
		return derr
	}
	return h.formError(w, r, "pursue_classification", "Classification of Operation "+d.Investigation.Operation, form, err, d)
}

// investigationParam reads the investigation_id of a form or query (the
// form wins); anything but a positive number is not found, the same answer
// as for an investigation that does not exist.
func investigationParam(r *http.Request) (int64, error) {
	if _, err := parseForm(r); err != nil {
		return 0, err
	}
	id, err := strconv.ParseInt(strings.TrimSpace(r.FormValue("investigation_id")), 10, 64)
	if err != nil || id <= 0 {
		return 0, contest.NotFound(contest.KindInvestigation)
	}
	return id, nil
}
