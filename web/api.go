package web

import (
	_ "embed"
	"encoding/json"
	"net/http"

	"github.com/contest-ct/contest"
)

// openAPIDocument is the API contract, served at /api/v1/openapi.json and
// checked against real responses by the tests.
//
//go:embed openapi.json
var openAPIDocument []byte

// OpenAPIDocument returns the embedded OpenAPI document.
func OpenAPIDocument() []byte { return append([]byte(nil), openAPIDocument...) }

// writeJSON writes v as JSON with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
	return nil
}

// listBody is the envelope of every API list.
type listBody[T any] struct {
	Items []T `json:"items"`
	Total int `json:"total"`
}

func list[T any](items []T, total int) listBody[T] {
	if items == nil {
		items = []T{}
	}
	return listBody[T]{Items: items, Total: total}
}

// apiOpenAPI serves the OpenAPI document.
func (h *handler) apiOpenAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(openAPIDocument)
	return nil
}

// meBody describes the caller of the API.
type meBody struct {
	UserID       int64   `json:"user_id"`
	Username     string  `json:"username"`
	DisplayName  string  `json:"display_name"`
	OrgID        int64   `json:"org_id"`
	OrgName      string  `json:"org_name"`
	Role         string  `json:"role"`
	Vetting      string  `json:"vetting"`
	Compartments []int64 `json:"compartments"`
}

// apiMe answers who the bearer token belongs to.
func (h *handler) apiMe(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	c := a.Compartments
	if c == nil {
		c = []int64{}
	}
	return writeJSON(w, http.StatusOK, meBody{UserID: a.UserID, Username: a.Username, DisplayName: a.DisplayName,
		OrgID: a.OrgID, OrgName: a.OrgName, Role: string(a.Role), Vetting: a.Vetting.String(), Compartments: c})
}

// fixUser fills in the fields JSON needs.
func fixUser(u *contest.User) *contest.User {
	u.VettingName = u.Vetting.String()
	if u.Compartments == nil {
		u.Compartments = []int64{}
	}
	fixMeta(&u.Meta)
	return u
}

func fixMeta(m *contest.Meta) {
	if m.Compartments == nil {
		m.Compartments = []int64{}
	}
}

func fixThreat(t *contest.ThreatChange) *contest.ThreatChange {
	t.LevelName = t.Level.String()
	t.Meaning = t.Level.Meaning()
	return t
}
