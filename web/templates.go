package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/access"
)

//go:embed templates/layout/*.html templates/views/*.html
var templateFS embed.FS

// viewNames lists every view. Each is parsed into its own template set with
// every layout file; a test fails if a file in templates/views is not
// listed here, and New fails if a listed one is missing.
var viewNames = []string{
	"audit_search",
	"admin",
	"audit_verify",
	"compartment_list",
	"compartment_new",
	"compartment_show",
	"error",
	"home",
	"investigation_list",
	"investigation_show",
	"match_list",
	"match_show",
	"reassessment_list",
	"org_list",
	"org_new",
	"org_show",
	"referral_list",
	"referral_show",
	"sign_in",
	"strand",
	"subject_list",
	"subject_show",
	"threat_level",
	"token_created",
	"token_form",
	"totp_enrol",
	"user_list",
	"user_new",
	"user_show",
	// Prevent (issue 6).
	"panel_list",
	"panel_new",
	"panel_show",
	"prevent_assess",
	"prevent_case",
	"prevent_ddp_list",
	"prevent_ddp_new",
	"prevent_ddp_show",
	"prevent_deconflictions",
	"prevent_work",
	"prevent_outcome",
	"prevent_reviews",
	"prevent_stats",
	"prevent_refer",
	"prevent_screening",
	"bulletin_list",
	"bulletin_new",
	"bulletin_partner",
	"bulletin_sectors",
	"bulletin_show",
	"premises_list",
	"premises_new",
	"premises_reviews",
	"premises_show",
	"public",
	"training_list",
}

// ViewNames returns the registered view names, for tests.
func ViewNames() []string { return append([]string(nil), viewNames...) }

// ViewFiles returns the names of the files in templates/views without
// their extension, for tests.
func ViewFiles() ([]string, error) {
	ents, err := fs.ReadDir(templateFS, "templates/views")
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		out = append(out, strings.TrimSuffix(e.Name(), path.Ext(e.Name())))
	}
	return out, nil
}

// views holds one parsed template set per view.
type views struct {
	sets map[string]*template.Template
}

func parseViews(a *assets) (*views, error) {
	funcs := template.FuncMap{
		"asset":     a.url,
		"classTag":  classificationTagClass,
		"threatTag": threatTagClass,
		"date":      func(t time.Time) string { return fmtTime(t, "2 January 2006") },
		"datetime":  func(t time.Time) string { return fmtTime(t, "2 January 2006 15:04 MST") },
		"isoTime":   func(t time.Time) string { return fmtTime(t, time.RFC3339) },
		"roleLabel": func(r contest.Role) string { return r.Label() },
		"kindLabel": func(k contest.OrgKind) string { return k.Label() },
		"can": func(a *contest.Actor, act, kind string) bool {
			return a != nil && access.Can(a, access.Action(act), contest.Kind(kind))
		},
		"roles":          func() []contest.Role { return contest.Roles },
		"orgKinds":       func() []contest.OrgKind { return contest.OrgKinds },
		"vettings":       func() []contest.Vetting { return contest.Vettings },
		"levels":         func() []contest.ThreatLevel { return contest.ThreatLevels },
		"classes":        func() []contest.Classification { return contest.Classifications },
		"auditActs":      func() []contest.AuditAction { return auditActions },
		"str":            func(v any) string { return fmt.Sprint(v) },
		"paras":          paragraphs,
		"add":            func(a, b int) int { return a + b },
		"percent":        func(p float64) string { return fmt.Sprintf("%.1f%%", 100*p) },
		"sourceLabel":    sourceLabel,
		"sortedKeys":     sortedKeys,
		"roleOptions":    roleOptions,
		"vettingOptions": vettingOptions,
		"orgKindOptions": orgKindOptions,
		"levelOptions":   levelOptions,
		"orgOptions":     orgOptions,
		"actionOptions":  auditActionOptions,
		"outcomeOptions": outcomeOptions,
		"kindOptions":    kindOptions,
		"statusOptions": func() []option {
			return []option{{Value: "", Label: "Any status"}, {Value: "active", Label: "Active"}, {Value: "disabled", Label: "Disabled"}}
		},
	}
	layout, err := template.New("layout").Funcs(funcs).ParseFS(templateFS, "templates/layout/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: parse layout: %w", err)
	}
	v := &views{sets: map[string]*template.Template{}}
	for _, name := range viewNames {
		t, err := layout.Clone()
		if err != nil {
			return nil, err
		}
		if _, err := t.ParseFS(templateFS, "templates/views/"+name+".html"); err != nil {
			return nil, fmt.Errorf("web: parse view %s: %w", name, err)
		}
		if t.Lookup("content") == nil {
			return nil, fmt.Errorf("web: view %s defines no \"content\" template", name)
		}
		v.sets[name] = t
	}
	return v, nil
}

func fmtTime(t time.Time, layout string) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(layout)
}

func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// auditActions lists the audit actions for the search filter.
var auditActions = []contest.AuditAction{
	contest.AuditSignIn, contest.AuditSignInFail, contest.AuditSignOut, contest.AuditRead, contest.AuditList,
	contest.AuditSearch, contest.AuditCreate, contest.AuditUpdate, contest.AuditDelete, contest.AuditExport,
	contest.AuditDisclose, contest.AuditPermission, contest.AuditDenied, contest.AuditVerify, contest.AuditTokenCreated,
}

// classificationTagClass is the govuk-tag modifier for a marking.
func classificationTagClass(c contest.Classification) string {
	switch c {
	case contest.Official:
		return "govuk-tag--grey"
	case contest.OfficialSensitive:
		return "govuk-tag--blue"
	case contest.Secret:
		return "govuk-tag--orange"
	case contest.TopSecret:
		return "govuk-tag--red"
	}
	return "govuk-tag--grey"
}

// threatTagClass is the govuk-tag modifier for a threat level.
func threatTagClass(t contest.ThreatLevel) string {
	switch t {
	case contest.ThreatLow:
		return "govuk-tag--green"
	case contest.ThreatModerate:
		return "govuk-tag--turquoise"
	case contest.ThreatSubstantial:
		return "govuk-tag--yellow"
	case contest.ThreatSevere:
		return "govuk-tag--orange"
	case contest.ThreatCritical:
		return "govuk-tag--red"
	}
	return "govuk-tag--grey"
}

// navItem is one entry of the service navigation.
type navItem struct {
	Label   string
	Href    string
	Current bool
}

// page is what every view is rendered with.
type page struct {
	Title string
	// Actor is the signed-in user, or nil.
	Actor *contest.Actor
	// Threat is the current national threat level, or nil if unknown.
	Threat *contest.ThreatChange
	Nav    []navItem
	// Flash is a one-off success message from the previous request.
	Flash string
	// ErrorMessage heads the error summary when input was refused.
	ErrorMessage string
	// Errors are the per-field messages, in form order.
	Errors []contest.FieldError
	// Form holds what the user typed, to show it back.
	Form url.Values
	// Classification, when set, puts the record's marking in a banner at
	// the top and bottom of the page.
	Classification contest.Classification
	// CompartmentNames are the record's compartments, shown in the banner.
	CompartmentNames []string
	RequestID        string
	// Status and Code describe an error page.
	Status int
	Code   string
	Data   any
}

// FieldError returns the message for one field, or "".
func (p *page) FieldError(field string) string {
	for _, e := range p.Errors {
		if e.Field == field {
			return e.Message
		}
	}
	return ""
}

// Value returns what the user typed in a field.
func (p *page) Value(field string) string {
	if p.Form == nil {
		return ""
	}
	return p.Form.Get(field)
}

// Pending reports whether the actor must still set up a second factor.
func (p *page) Pending() bool { return p.Actor != nil && totpPending(p.Actor) }

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// render executes a view into a buffer and writes it, so that a template
// error never sends half a page. It fills in the parts every page has: the
// actor, the threat level, the navigation and any flash message.
func (h *handler) render(w http.ResponseWriter, r *http.Request, status int, view string, p *page) error {
	t := h.views.sets[view]
	if t == nil {
		return fmt.Errorf("web: no view %q", view)
	}
	h.fillPage(r, p)
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufPool.Put(buf)
	if err := t.ExecuteTemplate(buf, "layout", p); err != nil {
		return fmt.Errorf("web: render %s: %w", view, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
	return nil
}

// fillPage adds the actor, threat level, navigation and flash.
func (h *handler) fillPage(r *http.Request, p *page) {
	st := stateFrom(r.Context())
	p.RequestID = st.id
	if p.Actor == nil {
		p.Actor = contest.ActorFromContext(r.Context())
	}
	if p.Threat == nil {
		if tc, err := h.store.CurrentThreatLevel(r.Context()); err == nil {
			p.Threat = tc
		} else if contest.ErrorCode(err) != contest.ENOTFOUND {
			h.log.Warn("threat level unavailable", "request_id", st.id, "error", err.Error())
		}
	}
	if p.Actor != nil && !p.Pending() {
		p.Nav = navFor(p.Actor, r.URL.Path)
	}
	if p.Flash == "" && h.sessions != nil && !strings.HasPrefix(r.URL.Path, "/api/") {
		func() {
			defer func() { _ = recover() }() // no session on this request
			p.Flash = h.sessions.PopString(r.Context(), sessFlash)
		}()
	}
}

// navFor is the service navigation for an actor: the four strands the
// actor's role works in, then administration and audit where allowed.
func navFor(a *contest.Actor, current string) []navItem {
	var nav []navItem
	addItem := func(label, href string) {
		cur := current == href || (href != "/" && strings.HasPrefix(current, href+"/"))
		nav = append(nav, navItem{Label: label, Href: href, Current: cur})
	}
	addItem("Home", "/")
	for _, s := range strands {
		if s.visibleTo(a) {
			addItem(s.Name, "/strands/"+s.Slug)
			nav[len(nav)-1].Current = nav[len(nav)-1].Current || s.holds(current)
		}
	}
	if access.Can(a, access.Read, contest.KindThreatLevel) {
		addItem("Threat level", "/threat-level")
	}
	if access.Can(a, access.Read, contest.KindUser) || access.Can(a, access.Create, contest.KindOrg) ||
		access.Can(a, access.Read, contest.KindCompartment) {
		addItem("Admin", "/admin")
	}
	if access.Can(a, access.Read, contest.KindAudit) {
		addItem("Audit", "/audit")
	}
	return nav
}
