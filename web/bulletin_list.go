package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/access"
)

// bulletinList is GET /bulletins: the bulletins the actor may see, newest
// first; for partners, those sent to their organisation, with whether they
// have acknowledged each.
func (h *handler) bulletinList(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	q := r.URL.Query()
	f := contest.BulletinFilter{Limit: 50, Unacknowledged: q.Get("unacknowledged") == "1"}
	if t := contest.BulletinType(q.Get("type")); t.Valid() {
		f.Type = t
	}
	if n, err := strconv.Atoi(q.Get("offset")); err == nil && n > 0 {
		f.Offset = n
	}
	bs, total, err := h.store.FindBulletins(r.Context(), a, f)
	if err != nil {
		return err
	}
	next := ""
	if f.Offset+len(bs) < total {
		v := url.Values{"offset": {strconv.Itoa(f.Offset + len(bs))}, "type": {string(f.Type)}}
		next = "/bulletins?" + v.Encode()
	}
	return h.render(w, r, http.StatusOK, "bulletin_list", &page{Title: "Bulletins", Data: map[string]any{
		"Bulletins": bs, "Total": total, "Next": next, "Filter": f, "Types": contest.BulletinTypes,
		"CanCreate": access.Can(a, access.Create, contest.KindBulletin),
		"CanAdmin":  access.Can(a, access.Update, contest.KindOrg),
	}})
}

// bulletinNew shows the form to write a bulletin.
func (h *handler) bulletinNew(w http.ResponseWriter, r *http.Request) error {
	data, err := h.bulletinFormData(r)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "bulletin_new", &page{Title: "Write a bulletin", Data: data,
		Form: url.Values{"classification": {contest.Official.String()}}})
}

// bulletinFormData is what the form offers: sectors and organisations to
// send to.
func (h *handler) bulletinFormData(r *http.Request) (map[string]any, error) {
	a := actor(r)
	sectors, err := h.store.FindSectors(r.Context(), a)
	if err != nil {
		return nil, err
	}
	orgs, err := h.store.FindOrgs(r.Context(), a)
	if err != nil {
		return nil, err
	}
	var partners []*contest.Org
	for _, o := range orgs {
		if !o.Kind.IssuesBulletins() {
			partners = append(partners, o)
		}
	}
	return map[string]any{"Sectors": sectors, "Orgs": partners, "Types": contest.BulletinTypes, "Classes": classificationOptions()}, nil
}

// classificationOptions are the markings, for a select.
func classificationOptions() []option {
	var out []option
	for _, c := range contest.Classifications {
		out = append(out, option{Value: c.String(), Label: c.String()})
	}
	return out
}

// bulletinFromForm reads a bulletin from the form.
func bulletinFromForm(form url.Values) (*contest.Bulletin, error) {
	b := &contest.Bulletin{Type: contest.BulletinType(form.Get("type")), Title: form.Get("title"), Body: form.Get("body"),
		Public: form.Get("public") == "yes"}
	var fe contest.FieldErrors
	cl, err := contest.ParseClassification(form.Get("classification"))
	if err != nil {
		fe.Add("classification", "Select a classification")
	}
	b.Meta.Classification = cl
	b.Audience.AllPartners = form.Get("all_partners") == "yes"
	for _, k := range []struct {
		field string
		dst   *[]int64
	}{{"sector", &b.Audience.Sectors}, {"org", &b.Audience.Orgs}} {
		for _, v := range form[k.field] {
			id, err := strconv.ParseInt(v, 10, 64)
			if err != nil || id <= 0 {
				fe.Add(k.field, "Choose from the list")
				break
			}
			*k.dst = append(*k.dst, id)
		}
	}
	for _, line := range strings.Split(form.Get("regions"), ",") {
		if line = strings.TrimSpace(line); line != "" {
			b.Audience.Regions = append(b.Audience.Regions, line)
		}
	}
	if err := fe.Err(); err != nil {
		return b, err
	}
	return b, b.Validate()
}

// bulletinCreate stores a draft from the form and shows it, ready to
// publish.
func (h *handler) bulletinCreate(w http.ResponseWriter, r *http.Request) error {
	form, err := parseForm(r)
	if err == nil {
		var b *contest.Bulletin
		if b, err = bulletinFromForm(form); err == nil {
			if err = h.store.CreateBulletin(r.Context(), actor(r), b); err == nil {
				h.setFlash(r, "Draft saved. Check it, then publish it.")
				return redirect(w, r, "/bulletins/"+strconv.FormatInt(b.ID, 10))
			}
		}
	}
	data, derr := h.bulletinFormData(r)
	if derr != nil {
		return derr
	}
	return h.formError(w, r, "bulletin_new", "Write a bulletin", form, err, data)
}
