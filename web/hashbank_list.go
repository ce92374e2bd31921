package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/access"
)

// hashBankList lists the hash banks, with the form to add one.
func (h *handler) hashBankList(w http.ResponseWriter, r *http.Request) error {
	return h.showHashBanks(w, r, http.StatusOK, nil, nil)
}

func (h *handler) showHashBanks(w http.ResponseWriter, r *http.Request, status int, form map[string][]string, ferr error) error {
	a := actor(r)
	banks, err := h.store.FindHashBanks(r.Context(), a)
	if err != nil {
		return err
	}
	p := &page{Title: "Hash banks", Form: form, Data: map[string]any{"Banks": banks, "CanCreate": access.Can(a, access.Create, contest.KindHashBank)}}
	if ferr != nil {
		p.ErrorMessage, p.Errors = contest.ErrorMessage(ferr), contest.ErrorFields(ferr)
		stateFrom(r.Context()).errCode = contest.ErrorCode(ferr)
		h.metrics.errors.WithLabelValues(contest.ErrorCode(ferr)).Inc()
	}
	return h.render(w, r, status, "hashbank_list", p)
}

// bankFromForm reads the fields of a hash bank form.
func bankFromForm(form map[string][]string, b *contest.HashBank) error {
	get := func(k string) string {
		if v := form[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	var fe contest.FieldErrors
	b.Description = get("description")
	b.Labels = strings.Split(get("labels"), ",")
	b.Enabled = get("enabled") == "yes"
	if t := strings.TrimSpace(get("threshold")); t != "" {
		n, err := strconv.Atoi(t)
		if err != nil {
			fe.Add("threshold", "Threshold must be a whole number from 0 to 128")
		}
		b.Threshold = n
	} else {
		b.Threshold = contest.DefaultPDQThreshold
	}
	return fe.Err()
}

// hashBankCreate adds a bank.
func (h *handler) hashBankCreate(w http.ResponseWriter, r *http.Request) error {
	form, err := parseForm(r)
	if err == nil {
		b := &contest.HashBank{Name: form.Get("name")}
		if err = bankFromForm(form, b); err == nil {
			if err = h.store.CreateHashBank(r.Context(), actor(r), b); err == nil {
				h.setFlash(r, "Hash bank "+b.Name+" added")
				return redirect(w, r, "/hash-banks/"+itoa64(b.ID))
			}
		}
	}
	if c := contest.ErrorCode(err); c == contest.EINVALID || c == contest.ECONFLICT {
		return h.showHashBanks(w, r, StatusFor(c, false), form, err)
	}
	return err
}
