package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/contest-ct/contest"
)

// showTokenForm asks for a name and a lifetime for a new API token.
func (h *handler) showTokenForm(w http.ResponseWriter, r *http.Request) error {
	return h.render(w, r, http.StatusOK, "token_form", &page{Title: "Create an API token"})
}

// createToken issues an API token to the signed-in user and shows it once.
func (h *handler) createToken(w http.ResponseWriter, r *http.Request) error {
	form, err := parseForm(r)
	var name string
	var days int
	if err == nil {
		var fe contest.FieldErrors
		name = strings.TrimSpace(form.Get("name"))
		switch {
		case name == "":
			fe.Add("name", "Enter a name for the token, such as the tool that will use it")
		case len(name) > 100:
			fe.Add("name", "Name must be 100 characters or fewer")
		}
		days, err = strconv.Atoi(strings.TrimSpace(form.Get("days")))
		if err != nil || days < 1 || days > 365 {
			fe.Add("days", "Enter a number of days from 1 to 365")
		}
		err = fe.Err()
	}
	var token string
	if err == nil {
		token, err = h.store.CreateToken(r.Context(), actor(r), actor(r).UserID, name, time.Duration(days)*24*time.Hour)
	}
	if contest.ErrorCode(err) == contest.EINVALID {
		h.metrics.errors.WithLabelValues(contest.EINVALID).Inc()
		return h.render(w, r, http.StatusBadRequest, "token_form", &page{Title: "Create an API token", Form: form,
			ErrorMessage: contest.ErrorMessage(err), Errors: contest.ErrorFields(err)})
	} else if err != nil {
		return err
	}
	return h.render(w, r, http.StatusCreated, "token_created", &page{Title: "API token created", Data: map[string]string{"Token": token, "Name": name}})
}
