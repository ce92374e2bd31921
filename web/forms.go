package web

import (
	"strconv"
	"strings"

	"github.com/contest-ct/contest"
)

// inputArgs is what the "input" and "textarea" templates render.
type inputArgs struct {
	Name, Label, Hint, Type, Value, Error      string
	Width, Autocomplete, Inputmode, LabelClass string
	Spellcheck                                 bool
}

// Input builds the arguments of a text input from the page's form values
// and errors. Each option is "key=value": type, width, autocomplete,
// inputmode, label-class, or "nospellcheck".
func (p *page) Input(name, label, hint string, opts ...string) inputArgs {
	a := inputArgs{Name: name, Label: label, Hint: hint, Type: "text", Value: p.Value(name), Error: p.FieldError(name)}
	for _, o := range opts {
		k, v, _ := strings.Cut(o, "=")
		switch k {
		case "type":
			a.Type = v
		case "width":
			a.Width = v
		case "autocomplete":
			a.Autocomplete = v
		case "inputmode":
			a.Inputmode = v
		case "label-class":
			a.LabelClass = v
		case "nospellcheck":
			a.Spellcheck = true
		}
	}
	if a.Type == "password" {
		a.Value = "" // never echo a password
	}
	return a
}

// option is one choice of a select.
type option struct {
	Value, Label string
	Selected     bool
}

// selectArgs is what the "select" template renders.
type selectArgs struct {
	Name, Label, Hint, Error string
	Options                  []option
}

// Select builds the arguments of a select, marking the option the user
// chose (or def, when the form holds nothing for the field).
func (p *page) Select(name, label, hint string, opts []option, def string) selectArgs {
	cur := p.Value(name)
	if p.Form == nil || !p.Form.Has(name) {
		cur = def
	}
	out := make([]option, len(opts))
	for i, o := range opts {
		o.Selected = o.Value == cur
		out[i] = o
	}
	return selectArgs{Name: name, Label: label, Hint: hint, Error: p.FieldError(name), Options: out}
}

func roleOptions() []option {
	out := []option{{Value: "", Label: "Choose a role"}}
	for _, r := range contest.Roles {
		out = append(out, option{Value: string(r), Label: r.Label()})
	}
	return out
}

func vettingOptions() []option {
	out := []option{{Value: "", Label: "Choose a vetting level"}}
	for _, v := range contest.Vettings {
		out = append(out, option{Value: v.String(), Label: v.String()})
	}
	return out
}

func orgKindOptions() []option {
	out := []option{{Value: "", Label: "Choose a kind"}}
	for _, k := range contest.OrgKinds {
		out = append(out, option{Value: string(k), Label: k.Label()})
	}
	return out
}

func levelOptions() []option {
	out := []option{{Value: "", Label: "Choose a level"}}
	for _, l := range contest.ThreatLevels {
		out = append(out, option{Value: l.String(), Label: l.String() + ": " + l.Meaning()})
	}
	return out
}

func orgOptions(orgs []*contest.Org) []option {
	out := []option{{Value: "", Label: "Choose an organisation"}}
	for _, o := range orgs {
		out = append(out, option{Value: strconv.FormatInt(o.ID, 10), Label: o.Name})
	}
	return out
}

func auditActionOptions() []option {
	out := []option{{Value: "", Label: "Any action"}}
	for _, a := range auditActions {
		out = append(out, option{Value: string(a), Label: strings.ReplaceAll(string(a), "_", " ")})
	}
	return out
}

func outcomeOptions() []option {
	return []option{{Value: "", Label: "Any outcome"}, {Value: contest.OutcomeAllowed, Label: "Allowed"}, {Value: contest.OutcomeDenied, Label: "Denied"}}
}

func kindOptions() []option {
	out := []option{{Value: "", Label: "Any kind"}}
	for _, k := range []contest.Kind{contest.KindOrg, contest.KindUser, contest.KindCompartment, contest.KindThreatLevel,
		contest.KindAudit, contest.KindToken, contest.KindSession, contest.KindInvestigation, contest.KindSubject,
		contest.KindPreventCase, contest.KindReport, contest.KindBulletin, contest.KindContentRef, contest.KindIncident} {
		out = append(out, option{Value: string(k), Label: strings.ReplaceAll(string(k), "_", " ")})
	}
	return out
}
