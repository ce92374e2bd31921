package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/access"
)

// panelList lists the panel meetings the actor may see, newest first.
func (h *handler) panelList(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	ms, err := h.store.FindPanelMeetings(r.Context(), a)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "panel_list", &page{Title: "Panel meetings", Data: map[string]any{
		"Meetings": ms, "CanConvene": access.Can(a, access.Create, contest.KindPanelMeeting) && a.OrgKind == contest.OrgLocalAuthority}})
}

// panelNew shows the form to convene a meeting.
func (h *handler) panelNew(w http.ResponseWriter, r *http.Request) error {
	return h.render(w, r, http.StatusOK, "panel_new", &page{Title: "Convene a panel meeting"})
}

// panelCreate convenes a meeting of the actor's local authority.
func (h *handler) panelCreate(w http.ResponseWriter, r *http.Request) error {
	form, err := parseForm(r)
	if err == nil {
		var held time.Time
		held, err = time.Parse("2006-01-02 15:04", strings.TrimSpace(form.Get("date"))+" "+strings.TrimSpace(form.Get("time")))
		if err != nil {
			var fe contest.FieldErrors
			fe.Add("date", "Enter the date and time of the meeting, like 2026-12-01 and 10:00")
			err = fe.Err()
		} else {
			var ids []int64
			if ids, err = h.store.PanelMemberIDs(r.Context(), actor(r), strings.Split(form.Get("members"), "\n")); err == nil {
				m := &contest.PanelMeeting{HeldAt: held}
				if err = h.store.CreatePanelMeeting(r.Context(), actor(r), m, ids); err == nil {
					h.setFlash(r, "The meeting is convened")
					return redirect(w, r, "/panels/"+strconv.FormatInt(m.ID, 10))
				}
			}
		}
	}
	return h.formError(w, r, "panel_new", "Convene a panel meeting", form, err)
}

// agendaRow is an agenda item with its form's field names.
type agendaRow struct {
	*contest.AgendaItem
	Decision, Minutes, Actions string
	DecisionLabel              string
}

// panelShowData is what a meeting's page shows.
type panelShowData struct {
	Meeting   *contest.PanelMeeting
	Member    bool
	Agenda    []agendaRow
	Decisions []option
	Attend    []option
	Crumbs    []crumb
}

func (h *handler) showPanel(w http.ResponseWriter, r *http.Request, status int, form url.Values, ferr error) error {
	a := actor(r)
	id, err := pathID(r, "id", contest.KindPanelMeeting)
	if err != nil {
		return err
	}
	m, err := h.store.FindPanelMeetingByID(r.Context(), a, id)
	if err != nil {
		return err
	}
	d := panelShowData{Meeting: m, Member: !m.PapersHidden, Decisions: choiceOptions(contest.PanelDecisions, "Select the decision"),
		Attend: []option{{Value: contest.AttendExpected, Label: "Expected"}, {Value: contest.AttendPresent, Label: "Present"},
			{Value: contest.AttendApologies, Label: "Apologies"}, {Value: contest.AttendAbsent, Label: "Absent"}},
		Crumbs: []crumb{{"Home", "/"}, {"Panel meetings", "/panels"}}}
	for _, it := range m.Agenda {
		n := strconv.FormatInt(it.ID, 10)
		d.Agenda = append(d.Agenda, agendaRow{AgendaItem: it, Decision: "decision_" + n, Minutes: "minutes_" + n, Actions: "actions_" + n,
			DecisionLabel: contest.ChoiceLabel(contest.PanelDecisions, it.Decision)})
	}
	if form == nil {
		form = url.Values{}
	}
	for _, pm := range m.Members {
		if !form.Has("attendance_" + strconv.FormatInt(pm.UserID, 10)) {
			form.Set("attendance_"+strconv.FormatInt(pm.UserID, 10), pm.Attendance)
		}
	}
	p := recordPage("Panel meeting, "+m.Meta.Area+", "+m.HeldAt.Format("2 January 2006"), &m.Meta, nil, d)
	p.Form = form
	if ferr != nil {
		p.ErrorMessage, p.Errors = contest.ErrorMessage(ferr), contest.ErrorFields(ferr)
	}
	return h.render(w, r, status, "panel_show", p)
}

// panelShow shows a meeting: agenda, attendance, minutes, and the papers
// to its members only.
func (h *handler) panelShow(w http.ResponseWriter, r *http.Request) error {
	return h.showPanel(w, r, http.StatusOK, nil, nil)
}

// panelAction runs a form post on a meeting.
func (h *handler) panelAction(w http.ResponseWriter, r *http.Request, done string, fn func(form url.Values, id int64) error) error {
	id, err := pathID(r, "id", contest.KindPanelMeeting)
	if err != nil {
		return err
	}
	form, err := parseForm(r)
	if err == nil {
		if err = fn(form, id); err == nil {
			h.setFlash(r, done)
			return redirect(w, r, "/panels/"+strconv.FormatInt(id, 10))
		}
	}
	if c := contest.ErrorCode(err); c == contest.EINVALID || c == contest.ECONFLICT {
		return h.showPanel(w, r, StatusFor(c, false), form, err)
	}
	return err
}

func (h *handler) panelAgenda(w http.ResponseWriter, r *http.Request) error {
	return h.panelAction(w, r, "The agenda holds the cases due", func(form url.Values, id int64) error {
		_, err := h.store.BuildPanelAgenda(r.Context(), actor(r), id)
		return err
	})
}

func (h *handler) panelAttendance(w http.ResponseWriter, r *http.Request) error {
	return h.panelAction(w, r, "Attendance is recorded", func(form url.Values, id int64) error {
		for k := range form {
			uid, err := strconv.ParseInt(strings.TrimPrefix(k, "attendance_"), 10, 64)
			if !strings.HasPrefix(k, "attendance_") || err != nil {
				continue
			}
			if err := h.store.SetPanelAttendance(r.Context(), actor(r), id, uid, form.Get(k)); err != nil {
				return renameFields(err, k)
			}
		}
		return nil
	})
}

func (h *handler) panelPaper(w http.ResponseWriter, r *http.Request) error {
	return h.panelAction(w, r, "The paper is added", func(form url.Values, id int64) error {
		var ref int64
		if s := form.Get("referral_id"); s != "" {
			ref, _ = strconv.ParseInt(s, 10, 64)
		}
		return h.store.AddPanelPaper(r.Context(), actor(r), id, &contest.PanelPaper{ReferralID: ref, Title: form.Get("title"), Body: form.Get("body")})
	})
}

func (h *handler) panelDecide(w http.ResponseWriter, r *http.Request) error {
	return h.panelAction(w, r, "The decision is minuted", func(form url.Values, id int64) error {
		item, err := strconv.ParseInt(r.PathValue("item"), 10, 64)
		if err != nil {
			return contest.NotFound(contest.KindPanelMeeting)
		}
		n := "_" + strconv.FormatInt(item, 10)
		_, err = h.store.RecordPanelDecision(r.Context(), actor(r), id, item, form.Get("decision"+n), form.Get("minutes"+n), form.Get("actions"+n))
		// Each item's form has its own field names.
		var e *contest.Error
		if errors.As(err, &e) {
			for i := range e.Fields {
				e.Fields[i].Field += n
			}
		}
		return err
	})
}

// renameFields gives every field error of err the name field.
func renameFields(err error, field string) error {
	var e *contest.Error
	if errors.As(err, &e) {
		for i := range e.Fields {
			e.Fields[i].Field = field
		}
	}
	return err
}
