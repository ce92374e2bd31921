package web

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/access"
)

// maxSignalCSVBytes bounds an uploaded hash list.
const maxSignalCSVBytes = 64 << 20

// hashBankShow shows a bank with the forms to change it and to import and
// export its signals.
func (h *handler) hashBankShow(w http.ResponseWriter, r *http.Request) error {
	return h.showHashBank(w, r, http.StatusOK, nil, nil)
}

func (h *handler) showHashBank(w http.ResponseWriter, r *http.Request, status int, form url.Values, ferr error) error {
	a := actor(r)
	id, err := pathID(r, "id", contest.KindHashBank)
	if err != nil {
		return err
	}
	b, err := h.store.FindHashBankByID(r.Context(), a, id)
	if err != nil {
		return err
	}
	if form == nil {
		form = url.Values{"description": {b.Description}, "labels": {strings.Join(b.Labels, ", ")}, "threshold": {strconv.Itoa(b.Threshold)}}
		if b.Enabled {
			form.Set("enabled", "yes")
		}
	}
	p := &page{Title: "Hash bank " + b.Name, Classification: b.Meta.Classification, Form: form, Data: map[string]any{"B": b,
		"CanEdit": access.Allowed(a, access.Update, contest.KindHashBank, &b.Meta), "CanExport": access.Allowed(a, access.Export, contest.KindHashBank, &b.Meta)}}
	if ferr != nil {
		p.ErrorMessage, p.Errors = contest.ErrorMessage(ferr), contest.ErrorFields(ferr)
		stateFrom(r.Context()).errCode = contest.ErrorCode(ferr)
		h.metrics.errors.WithLabelValues(contest.ErrorCode(ferr)).Inc()
	}
	return h.render(w, r, status, "hashbank_show", p)
}

func (h *handler) afterBankAction(w http.ResponseWriter, r *http.Request, form url.Values, id int64, flash string, err error) error {
	if err == nil {
		h.setFlash(r, flash)
		return redirect(w, r, "/hash-banks/"+itoa64(id))
	}
	if c := contest.ErrorCode(err); c == contest.EINVALID || c == contest.ECONFLICT {
		return h.showHashBank(w, r, StatusFor(c, false), form, err)
	}
	return err
}

// hashBankUpdate changes a bank's description, labels, enabled flag and
// threshold.
func (h *handler) hashBankUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", contest.KindHashBank)
	if err != nil {
		return err
	}
	form, err := parseForm(r)
	if err == nil {
		b := &contest.HashBank{ID: id}
		if err = bankFromForm(form, b); err == nil {
			err = h.store.UpdateHashBank(r.Context(), actor(r), b)
		}
	}
	return h.afterBankAction(w, r, form, id, "Hash bank changed", err)
}

// hashBankImport adds the signals of an uploaded CSV (signal_type,
// signal_value, the shape Hasher-Matcher-Actioner uses).
func (h *handler) hashBankImport(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", contest.KindHashBank)
	if err != nil {
		return err
	}
	form, _, data, err := readUploadForm(r, "file", maxSignalCSVBytes)
	if err == nil {
		var n int
		if n, err = h.store.ImportHashBank(r.Context(), actor(r), id, bytes.NewReader(data)); err == nil {
			return h.afterBankAction(w, r, form, id, strconv.Itoa(n)+" new signals imported", nil)
		}
	}
	return h.afterBankAction(w, r, form, id, "", err)
}

// hashBankExport downloads a bank as CSV.
func (h *handler) hashBankExport(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id", contest.KindHashBank)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := h.store.ExportHashBank(r.Context(), actor(r), id, &buf); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="hash-bank-`+itoa64(id)+`.csv"`)
	_, _ = w.Write(buf.Bytes())
	return nil
}
