package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/web"
)

// TestEveryRouteDeclaresAPolicy walks the route table.
func TestEveryRouteDeclaresAPolicy(t *testing.T) {
	e := MustEnv(t)
	routes := e.Server.Routes()
	if len(routes) < 40 {
		t.Fatalf("only %d routes", len(routes))
	}
	for _, rt := range routes {
		switch rt.Access {
		case web.Public, web.SignedIn:
		case web.KindAction:
			if rt.Kind == "" || rt.Action == "" {
				t.Errorf("%s %s: kind-action policy without kind or action", rt.Method, rt.Path)
			}
		default:
			t.Errorf("%s %s: no access policy", rt.Method, rt.Path)
		}
		if rt.Record && !strings.Contains(rt.Path, "{id}") {
			t.Errorf("%s %s: record route without {id}", rt.Method, rt.Path)
		}
		if strings.Contains(rt.Path, "{id}") && !rt.Record {
			t.Errorf("%s %s: names a record but is not marked as a record route", rt.Method, rt.Path)
		}
	}
}

// TestTemplatesRegistered fails if a view file is not registered, or a
// registered view has no file.
func TestTemplatesRegistered(t *testing.T) {
	files, err := web.ViewFiles()
	if err != nil {
		t.Fatal(err)
	}
	names := web.ViewNames()
	slices.Sort(files)
	slices.Sort(names)
	if !slices.Equal(files, names) {
		t.Errorf("view files %v\nregistered  %v", files, names)
	}
	// New parses every template set, so it fails on a broken one.
	MustEnv(t)
}

// fill replaces the path parameters of a route with ids.
func fill(path string, id, user int64) string {
	path = strings.ReplaceAll(path, "{id}", fmt.Sprint(id))
	path = strings.ReplaceAll(path, "{user}", fmt.Sprint(user))
	path = strings.ReplaceAll(path, "{strand}", "pursue")
	return strings.TrimSuffix(path, "{$}")
}

// TestRouteRoleMatrix sends every route as every role (and anonymously)
// and checks the answer against the route's declared policy: a caller the
// policy refuses gets 401/403 (or the sign-in redirect), and one it admits
// never does.
func TestRouteRoleMatrix(t *testing.T) {
	e := MustEnv(t)
	ui := map[contest.Role]*client{"": e.Anon()}
	api := map[contest.Role]*client{"": e.Anon()}
	for _, r := range contest.Roles {
		ui[r] = e.MustSignIn(t, r)
		api[r] = e.MustAPI(t, r)
	}
	// The records named are a user made for the purpose (in the same
	// organisation as the supervisor, so visible to every role that may
	// read users) and a compartment; no signed-in client's own account is
	// touched.
	tu := &contest.User{Username: "matrix.target", DisplayName: "Matrix Target", Role: contest.RoleAnalyst,
		Vetting: contest.BPSS, OrgID: e.Orgs[contest.OrgCTP].ID}
	if err := e.DB.CreateUser(t.Context(), contest.SystemActor("test"), tu, e.Password); err != nil {
		t.Fatal(err)
	}
	target := tu.ID
	actors := map[contest.Role]*contest.Actor{}
	for _, r := range contest.Roles {
		actors[r] = e.MustActor(t, r)
	}
	comp := &contest.Compartment{Name: "Operation Matrix"}
	if err := e.DB.CreateCompartment(t.Context(), contest.SystemActor("test"), comp); err != nil {
		t.Fatal(err)
	}
	roles := append([]contest.Role{""}, contest.Roles...)
	for _, rt := range e.Server.Routes() {
		if rt.Method == "" || rt.Path == "/assets/" || rt.Path == "/sign-out" || rt.Path == "/sign-in" {
			continue
		}
		for _, role := range roles {
			c := ui[role]
			if rt.API {
				c = api[role]
			}
			id := target
			if strings.Contains(rt.Path, "compartments") {
				id = comp.ID
			}
			path := fill(rt.Path, id, target)
			var res *http.Response
			var body string
			switch rt.Method {
			case "GET":
				res, body = c.Get(t, path)
			default:
				if rt.API {
					res, body = c.Do(t, rt.Method, path, strings.NewReader(`{}`), map[string]string{"Content-Type": "application/json"})
				} else {
					res, body = c.PostForm(t, path, url.Values{})
				}
			}
			allowed := rt.Allows(actors[role])
			refused := res.StatusCode == 401 || res.StatusCode == 403 ||
				(res.StatusCode == 303 && res.Header.Get("Location") == "/sign-in")
			if allowed && refused {
				t.Errorf("%s %s as %q: policy allows but got %d\n%.300s", rt.Method, path, role, res.StatusCode, body)
			}
			if !allowed && !refused {
				t.Errorf("%s %s as %q: policy refuses but got %d\n%.300s", rt.Method, path, role, res.StatusCode, body)
			}
		}
	}
}

// TestHiddenRecordLooksMissing checks every record route: a record the
// caller may not see gets exactly the answer a missing one does. A
// supervisor sees only the users and compartments of their own
// organisation, so records of another organisation are hidden from them.
func TestHiddenRecordLooksMissing(t *testing.T) {
	e := MustEnv(t)
	sys := contest.SystemActor("test")
	// A compartment owned by the security service, hidden from the CTP
	// supervisor.
	other := e.Orgs[contest.OrgSecurityService]
	hiddenUser := &contest.User{Username: "hidden.user", DisplayName: "Hidden Person", Role: contest.RoleAnalyst,
		Vetting: contest.BPSS, OrgID: other.ID}
	if err := e.DB.CreateUser(t.Context(), sys, hiddenUser, e.Password); err != nil {
		t.Fatal(err)
	}
	ui := e.MustSignIn(t, contest.RoleSupervisor)
	api := e.MustAPI(t, contest.RoleSupervisor)
	const missing = 987654
	checked := 0
	for _, rt := range e.Server.Routes() {
		if !rt.Record || rt.Kind != contest.KindUser {
			continue
		}
		c := ui
		if rt.API {
			c = api
		}
		send := func(id int64) (*http.Response, string, string) {
			path := fill(rt.Path, id, id)
			var res *http.Response
			var body string
			if rt.Method == "GET" {
				res, body = c.Get(t, path)
			} else if rt.API {
				res, body = c.Do(t, rt.Method, path, strings.NewReader(`{"password":"another long passphrase"}`), map[string]string{"Content-Type": "application/json"})
			} else {
				res, body = c.PostForm(t, path, url.Values{"password": {"another long passphrase"}, "display_name": {"X"}})
			}
			return res, body, path
		}
		r1, b1, p1 := send(hiddenUser.ID)
		r2, b2, p2 := send(missing)
		if r1.StatusCode != r2.StatusCode || normaliseBody(b1, p1) != normaliseBody(b2, p2) {
			t.Errorf("%s %s: hidden gives %d, missing gives %d\nhidden:  %.400s\nmissing: %.400s",
				rt.Method, rt.Path, r1.StatusCode, r2.StatusCode, b1, b2)
		}
		if r1.StatusCode == 200 || r1.StatusCode == 303 {
			t.Errorf("%s %s: hidden record answered %d", rt.Method, rt.Path, r1.StatusCode)
		}
		checked++
	}
	if checked < 8 {
		t.Errorf("checked only %d record routes", checked)
	}
	// The hidden user is unchanged.
	u, err := e.DB.FindUserByID(t.Context(), sys, hiddenUser.ID)
	if err != nil || u.Disabled || u.DisplayName != "Hidden Person" {
		t.Errorf("hidden user changed: %+v %v", u, err)
	}
}
