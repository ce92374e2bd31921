package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/web"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

func init() {
	// The export is JSON lines (or CSV): checked as text against the document.
	openapi3filter.RegisterBodyDecoder("application/jsonl", openapi3filter.PlainBodyDecoder)
	openapi3filter.RegisterBodyDecoder("text/csv", openapi3filter.PlainBodyDecoder)
}

// MustOpenAPI loads and validates the embedded document.
func MustOpenAPI(tb testing.TB) (*openapi3.T, routers.Router) {
	tb.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(web.OpenAPIDocument())
	if err != nil {
		tb.Fatalf("load: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		tb.Fatalf("validate document: %v", err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		tb.Fatalf("router: %v", err)
	}
	return doc, router
}

// TestOpenAPIResponses sends real requests and validates every response
// (status, content type and body) against the document.
func TestOpenAPIResponses(t *testing.T) {
	e := MustEnv(t)
	doc, router := MustOpenAPI(t)
	admin := e.MustAPI(t, contest.RoleAdmin)
	auditor := e.MustAPI(t, contest.RoleAuditor)
	partner := e.MustAPI(t, contest.RolePartner)
	anon := e.Anon()
	uid := e.Users[contest.RoleAnalyst].ID
	comp := &contest.Compartment{Name: "Operation Openapi"}
	if err := e.DB.CreateCompartment(t.Context(), contest.SystemActor("test"), comp); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		c            *client
		method, path string
		body         string
		want         int
	}{
		{anon, "GET", "/api/v1/openapi.json", "", 200},
		{anon, "GET", "/api/v1/threat-level", "", 200},
		{anon, "GET", "/api/v1/me", "", 401},
		{partner, "GET", "/api/v1/me", "", 200},
		{partner, "GET", "/api/v1/threat-level/history", "", 200},
		{partner, "POST", "/api/v1/threat-level", `{"level":"LOW","rationale":"x"}`, 403},
		{admin, "POST", "/api/v1/threat-level", `{"level":"SEVERE","rationale":"Synthetic"}`, 201},
		{admin, "POST", "/api/v1/threat-level", `{"level":"PURPLE","rationale":""}`, 422},
		{admin, "GET", "/api/v1/organisations", "", 200},
		{admin, "POST", "/api/v1/organisations", `{"name":"Northmoor Council","kind":"local_authority","area":"Northmoor"}`, 201},
		{admin, "POST", "/api/v1/organisations", `{"name":"Northmoor Council","kind":"local_authority"}`, 409},
		{admin, "POST", "/api/v1/organisations", `{"name":"x","kind":"health","extra":1}`, 422},
		{admin, "GET", fmt.Sprintf("/api/v1/organisations/%d", e.Orgs[contest.OrgHealth].ID), "", 200},
		{admin, "GET", "/api/v1/organisations/999999", "", 404},
		{admin, "GET", "/api/v1/users?limit=3", "", 200},
		{admin, "GET", "/api/v1/users?status=odd", "", 422},
		{partner, "GET", "/api/v1/users", "", 403},
		{admin, "POST", "/api/v1/users", `{"username":"api.made","display_name":"Api Made","org_id":` + fmt.Sprint(e.Orgs[contest.OrgCTP].ID) + `,"role":"analyst","vetting":"CTC","password":"a long synthetic passphrase"}`, 201},
		{admin, "GET", fmt.Sprintf("/api/v1/users/%d", uid), "", 200},
		{admin, "PATCH", fmt.Sprintf("/api/v1/users/%d", uid), `{"display_name":"Renamed Analyst"}`, 200},
		{admin, "PATCH", fmt.Sprintf("/api/v1/users/%d", uid), `{"vetting":"XX"}`, 422},
		{admin, "POST", fmt.Sprintf("/api/v1/users/%d/disable", uid), "", 200},
		{admin, "POST", fmt.Sprintf("/api/v1/users/%d/enable", uid), "", 200},
		{admin, "POST", fmt.Sprintf("/api/v1/users/%d/password", uid), `{"password":"another synthetic passphrase"}`, 204},
		{admin, "GET", "/api/v1/compartments", "", 200},
		{admin, "POST", "/api/v1/compartments", `{"name":"Operation Birchfall"}`, 201},
		{admin, "GET", fmt.Sprintf("/api/v1/compartments/%d", comp.ID), "", 200},
		{admin, "PUT", fmt.Sprintf("/api/v1/compartments/%d/members/%d", comp.ID, uid), "", 200},
		{admin, "DELETE", fmt.Sprintf("/api/v1/compartments/%d/members/%d", comp.ID, uid), "", 200},
		{auditor, "GET", "/api/v1/audit?limit=20", "", 200},
		{auditor, "GET", "/api/v1/audit?from=bad", "", 422},
		{auditor, "GET", "/api/v1/audit/export?recipient=Standards&justification=Test", "", 200},
		{auditor, "GET", "/api/v1/audit/export", "", 422},
		{auditor, "POST", "/api/v1/audit/verify", "", 200},
	}
	for _, tc := range cases {
		var body io.Reader
		hdr := map[string]string{}
		if tc.body != "" {
			body = strings.NewReader(tc.body)
			hdr["Content-Type"] = "application/json"
		}
		res, got := tc.c.Do(t, tc.method, tc.path, body, hdr)
		if res.StatusCode != tc.want {
			t.Errorf("%s %s: status %d, want %d\n%s", tc.method, tc.path, res.StatusCode, tc.want, got)
			continue
		}
		checkDocument(t, router, tc.method, tc.path, tc.body, res, got)
	}
	_ = doc
}

// checkDocument validates a response against the OpenAPI document.
func checkDocument(t *testing.T, router routers.Router, method, path, reqBody string, res *http.Response, got string) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(reqBody))
	if reqBody != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	route, params, err := router.FindRoute(req)
	if err != nil {
		t.Errorf("%s %s: not in the document: %v", method, path, err)
		return
	}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, ExcludeRequestBody: true}}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: res.StatusCode, Header: res.Header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true}}
	out.SetBodyBytes([]byte(got))
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		t.Errorf("%s %s (%d): response does not match the document: %v\n%.500s", method, path, res.StatusCode, err, got)
	}
}

// TestOpenAPICoversAPIRoutes checks that every API route is documented.
func TestOpenAPICoversAPIRoutes(t *testing.T) {
	e := MustEnv(t)
	doc, _ := MustOpenAPI(t)
	for _, rt := range e.Server.Routes() {
		if !rt.API || rt.Method == "" {
			continue
		}
		p := doc.Paths.Find(rt.Path)
		if p == nil || p.GetOperation(rt.Method) == nil {
			t.Errorf("%s %s is not in the OpenAPI document", rt.Method, rt.Path)
		}
	}
	if !bytes.Contains(web.OpenAPIDocument(), []byte(`"openapi": "3.1.0"`)) {
		t.Error("document is not OpenAPI 3.1")
	}
	_ = http.StatusOK
}
