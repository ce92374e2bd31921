package web

import (
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/contest-ct/contest"
)

func init() {
	viewNames = append(viewNames, "pursue_entities", "pursue_entity")
}

func gradeOptions(m map[string]string, prompt string) []option {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := []option{{Value: "", Label: prompt}}
	for _, k := range keys {
		out = append(out, option{Value: k, Label: k + ": " + m[k]})
	}
	return out
}

type entitiesData struct {
	Investigation *contest.Investigation
	Entities      []*contest.Entity
	Types         []option
}

func (h *handler) entitiesData(r *http.Request) (*entitiesData, error) {
	id, err := investigationParam(r)
	if err != nil {
		return nil, err
	}
	inv, err := h.store.FindInvestigationByID(r.Context(), actor(r), id)
	if err != nil {
		return nil, err
	}
	es, err := h.store.FindEntities(r.Context(), actor(r), id)
	if err != nil {
		return nil, err
	}
	d := &entitiesData{Investigation: inv, Entities: es, Types: []option{{Value: "", Label: "Select the type"}}}
	for _, t := range contest.EntityTypes {
		d.Types = append(d.Types, option{Value: t, Label: strings.ReplaceAll(t, "_", " ")})
	}
	return d, nil
}

// entityList shows the people, objects, locations and events of an
// investigation, with the form to record one.
func (h *handler) entityList(w http.ResponseWriter, r *http.Request) error {
	d, err := h.entitiesData(r)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "pursue_entities", &page{Title: "People, objects, locations and events", Data: d})
}

// entityCreate records an entity from the form.
func (h *handler) entityCreate(w http.ResponseWriter, r *http.Request) error {
	d, err := h.entitiesData(r)
	if err != nil {
		return err
	}
	form, err := parseForm(r)
	if err == nil {
		e := &contest.Entity{InvestigationID: d.Investigation.ID, Type: form.Get("type"), Label: form.Get("label"), Details: form.Get("details")}
		if err = h.store.CreateEntity(r.Context(), actor(r), e); err == nil {
			h.setFlash(r, "Recorded")
			return redirect(w, r, "/entities/"+strconv.FormatInt(e.ID, 10))
		}
	}
	return h.formError(w, r, "pursue_entities", "People, objects, locations and events", form, err, d)
}

// linkRow is a link as seen from one of its ends.
type linkRow struct {
	*contest.Link
	Other int64
}

type entityData struct {
	Entity                              *contest.Entity
	Links                               []linkRow
	SourceGrades, IntelGrades, Handling []option
	// Near are the entities two links out that the actor may see; Path is
	// a shortest connection to the entity asked for, when there is one.
	Near     []int64
	PathTo   string
	Path     []int64
	PathNone bool
}

func (h *handler) entityData(r *http.Request, id int64) (*entityData, error) {
	e, err := h.store.FindEntityByID(r.Context(), actor(r), id)
	if err != nil {
		return nil, err
	}
	ls, err := h.store.FindLinks(r.Context(), actor(r), id)
	if err != nil {
		return nil, err
	}
	d := &entityData{Entity: e, SourceGrades: gradeOptions(contest.SourceGrades, "Select the source evaluation"),
		IntelGrades: gradeOptions(contest.IntelGrades, "Select the intelligence assessment"), Handling: gradeOptions(contest.HandlingCodes, "Select the handling code")}
	n, err := h.store.Neighbourhood(r.Context(), actor(r), id, 2)
	if err != nil {
		return nil, err
	}
	d.Near = n.Entities[1:]
	if v := strings.TrimSpace(r.URL.Query().Get("path_to")); v != "" {
		d.PathTo = v
		to, perr := strconv.ParseInt(v, 10, 64)
		if perr == nil && to > 0 {
			d.Path, err = h.store.ShortestConnection(r.Context(), actor(r), id, to)
			if contest.ErrorCode(err) == contest.ENOTFOUND {
				err = nil
			} else if err != nil {
				return nil, err
			}
		}
		d.PathNone = d.Path == nil
	}
	for _, l := range ls {
		other := l.To
		if other == id {
			other = l.From
		}
		d.Links = append(d.Links, linkRow{Link: l, Other: other})
	}
	return d, nil
}

// entityShow shows an entity and its links, one step out, as a table.
func (h *handler) entityShow(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", contest.KindEntity)
	if err != nil {
		return err
	}
	d, err := h.entityData(r, id)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "pursue_entity", recordPage(d.Entity.Label, &d.Entity.Meta, nil, d))
}

// linkCreate links the entity to another from the form.
func (h *handler) linkCreate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", contest.KindEntity)
	if err != nil {
		return err
	}
	form, err := parseForm(r)
	if err == nil {
		l := &contest.Link{From: id, Type: form.Get("type"), Source: form.Get("source"), SourceGrade: form.Get("source_grade"),
			IntelGrade: form.Get("intel_grade"), Handling: form.Get("handling")}
		to, perr := strconv.ParseInt(strings.TrimSpace(form.Get("to")), 10, 64)
		if perr != nil || to <= 0 {
			var fe contest.FieldErrors
			fe.Add("to", "Enter the number of the entity to link to")
			err = fe.Err()
		} else {
			l.To = to
			if err = h.store.CreateLink(r.Context(), actor(r), l); err == nil {
				h.setFlash(r, "Link recorded")
				return redirect(w, r, "/entities/"+strconv.FormatInt(id, 10))
			}
			if contest.ErrorCode(err) == contest.ENOTFOUND {
				// Either end hidden or missing: the same answer as a
				// wrong number, on the form.
				var fe contest.FieldErrors
				fe.Add("to", "There is no entity with that number that you may see")
				err = fe.Err()
			}
		}
	}
	if c := contest.ErrorCode(err); c != contest.EINVALID && c != contest.ECONFLICT {
		return err
	}
	d, derr := h.entityData(r, id)
	if derr != nil {
		return derr
	}
	return h.formError(w, r, "pursue_entity", "Links", form, err, d)
}
