package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/contest-ct/contest"
)

// parseUserFilter reads user-list filters from a query string, for the UI
// and the API alike.
func parseUserFilter(q url.Values) (contest.UserFilter, error) {
	f := contest.UserFilter{Limit: 50}
	if _, err := checkValues(q); err != nil {
		return f, err
	}
	var fe contest.FieldErrors
	if v := strings.TrimSpace(q.Get("org_id")); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			fe.Add("org_id", "Select an organisation from the list")
		}
		f.OrgID = id
	}
	if v := strings.TrimSpace(q.Get("role")); v != "" {
		f.Role = contest.Role(v)
		if !f.Role.Valid() {
			fe.Add("role", "Select a role from the list")
		}
	}
	f.Username = strings.ToLower(strings.TrimSpace(q.Get("username")))
	if len(f.Username) > 64 {
		fe.Add("username", "Username must be 64 characters or fewer")
	}
	switch strings.TrimSpace(q.Get("status")) {
	case "":
	case "active":
		b := false
		f.Disabled = &b
	case "disabled":
		b := true
		f.Disabled = &b
	default:
		fe.Add("status", "Status must be active or disabled")
	}
	queryNumber(q, "limit", 1, 500, "Limit must be a whole number from 1 to 500", &fe, &f.Limit)
	queryNumber(q, "offset", 0, 1_000_000_000, "Offset must be a whole number, 0 or more", &fe, &f.Offset)
	return f, fe.Err()
}

// userListData is what the user list shows.
type userListData struct {
	Users      []*contest.User
	Total      int
	Orgs       []*contest.Org
	OrgNames   map[int64]string
	Prev, Next string
}

// userList lists the users the actor may see, filtered.
func (h *handler) userList(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	q := r.URL.Query()
	orgs, err := h.store.FindOrgs(r.Context(), a)
	if err != nil {
		return err
	}
	d := userListData{Orgs: orgs, OrgNames: map[int64]string{}}
	for _, o := range orgs {
		d.OrgNames[o.ID] = o.Name
	}
	f, ferr := parseUserFilter(q)
	if ferr != nil {
		return h.formError(w, r, "user_list", "Users", q, ferr, d)
	}
	d.Users, d.Total, err = h.store.FindUsers(r.Context(), a, f)
	if err != nil {
		return h.formError(w, r, "user_list", "Users", q, err, d)
	}
	d.Prev, d.Next = pageLinks(r.URL, f.Offset, f.Limit, d.Total)
	return h.render(w, r, http.StatusOK, "user_list", &page{Title: "Users", Form: q, Data: d})
}

// pageLinks returns the previous and next page addresses, or "".
func pageLinks(u *url.URL, offset, limit, total int) (prev, next string) {
	q := u.Query()
	if offset > 0 {
		q.Set("offset", strconv.Itoa(max(0, offset-limit)))
		prev = u.Path + "?" + q.Encode()
	}
	if offset+limit < total {
		q.Set("offset", strconv.Itoa(offset+limit))
		next = u.Path + "?" + q.Encode()
	}
	return prev, next
}

// apiUserList is GET /api/v1/users.
func (h *handler) apiUserList(w http.ResponseWriter, r *http.Request) error {
	f, err := parseUserFilter(r.URL.Query())
	if err != nil {
		return err
	}
	users, total, err := h.store.FindUsers(r.Context(), actor(r), f)
	if err != nil {
		return err
	}
	for _, u := range users {
		fixUser(u)
	}
	return writeJSON(w, http.StatusOK, list(users, total))
}
