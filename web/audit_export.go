package web

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/contest-ct/contest"
)

// auditExport downloads the matching audit entries as CSV or JSON lines.
// The recipient and a justification are required and recorded; the store
// audits the export itself and refuses it if that entry cannot be written.
func (h *handler) auditExport(w http.ResponseWriter, r *http.Request) error {
	form, err := parseForm(r)
	if err != nil {
		return err
	}
	f, err := parseAuditFilter(form)
	if err != nil {
		return err
	}
	f.Limit, f.Offset = 0, 0
	var fe contest.FieldErrors
	recipient := strings.TrimSpace(form.Get("recipient"))
	justification := strings.TrimSpace(form.Get("justification"))
	format := form.Get("format")
	if recipient == "" || len(recipient) > 200 {
		fe.Add("recipient", "Enter who will receive the export, in 200 characters or fewer")
	}
	if justification == "" || len(justification) > 1000 {
		fe.Add("justification", "Enter why the export is needed, in 1000 characters or fewer")
	}
	if format != "csv" && format != "jsonl" {
		fe.Add("format", "Select CSV or JSON lines")
	}
	if err := fe.Err(); err != nil {
		d := auditSearchData{Filters: map[string]string{}}
		for _, k := range auditFilterFields {
			if v := form.Get(k); v != "" {
				d.Filters[k] = v
			}
		}
		return h.formError(w, r, "audit_search", "Audit trail", form, err, d)
	}
	return h.export(w, r, f, recipient, justification, format)
}

// apiAuditExport is GET /api/v1/audit/export: JSON lines, with the
// recipient and justification as query parameters.
func (h *handler) apiAuditExport(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f, err := parseAuditFilter(q)
	if err != nil {
		return err
	}
	f.Limit, f.Offset = 0, 0
	var fe contest.FieldErrors
	recipient := strings.TrimSpace(q.Get("recipient"))
	justification := strings.TrimSpace(q.Get("justification"))
	if recipient == "" || len(recipient) > 200 {
		fe.Add("recipient", "Give recipient: who will receive the export, in 200 characters or fewer")
	}
	if justification == "" || len(justification) > 1000 {
		fe.Add("justification", "Give justification: why the export is needed, in 1000 characters or fewer")
	}
	format := q.Get("format")
	if format == "" {
		format = "jsonl"
	}
	if format != "csv" && format != "jsonl" {
		fe.Add("format", "Format must be csv or jsonl")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	return h.export(w, r, f, recipient, justification, format)
}

func (h *handler) export(w http.ResponseWriter, r *http.Request, f contest.AuditFilter, recipient, justification, format string) error {
	a := *actor(r)
	a.Justification = justification
	name := "contest-audit-" + time.Now().UTC().Format("20060102T150405Z")
	lw := &lazyWriter{w: w, header: func() {
		if format == "csv" {
			w.Header().Set("Content-Type", "text/csv; charset=utf-8")
			w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
		} else {
			w.Header().Set("Content-Type", "application/jsonl")
			w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.jsonl"`)
		}
	}}
	var out interface {
		Write([]byte) (int, error)
	} = lw
	var cw *csvLines
	if format == "csv" {
		cw = newCSVLines(lw)
		out = cw
	}
	err := h.store.ExportAudit(r.Context(), &a, f, recipient, out)
	if err == nil && cw != nil {
		err = cw.Close()
	}
	if err == nil && !lw.started {
		// Nothing matched: send the empty file (with its CSV header).
		lw.header()
		w.WriteHeader(http.StatusOK)
	}
	if err != nil && lw.started {
		// Too late for an error page; the download is cut short and the
		// log says why.
		h.log.Error("audit export failed part way", "request_id", stateFrom(r.Context()).id, "error", err.Error())
		return nil
	}
	return err
}

// lazyWriter sets the download headers on the first write, so that an
// error before any data still gets a proper error page.
type lazyWriter struct {
	w       http.ResponseWriter
	header  func()
	started bool
}

func (l *lazyWriter) Write(b []byte) (int, error) {
	if !l.started {
		l.started = true
		l.header()
		l.w.WriteHeader(http.StatusOK)
	}
	return l.w.Write(b)
}

// csvColumns are the columns of a CSV export.
var csvColumns = []string{"seq", "time", "user_id", "username", "org_id", "action", "kind", "record_id", "outcome",
	"client_addr", "via", "justification", "recipient", "detail", "prev_hash", "hash"}

// csvLines turns the JSON lines the store writes into CSV rows.
type csvLines struct {
	buf    bytes.Buffer
	out    *csv.Writer
	header bool
	dst    interface{ Write([]byte) (int, error) }
}

func newCSVLines(dst interface{ Write([]byte) (int, error) }) *csvLines {
	return &csvLines{out: csv.NewWriter(dst), dst: dst}
}

func (c *csvLines) Write(b []byte) (int, error) {
	c.buf.Write(b)
	for {
		i := bytes.IndexByte(c.buf.Bytes(), '\n')
		if i < 0 {
			return len(b), nil
		}
		line := c.buf.Next(i + 1)
		if err := c.row(bytes.TrimSpace(line)); err != nil {
			return 0, err
		}
	}
}

func (c *csvLines) row(line []byte) error {
	if !c.header {
		c.header = true
		if err := c.out.Write(csvColumns); err != nil {
			return err
		}
	}
	if len(line) == 0 {
		return nil
	}
	var e contest.AuditEntry
	if err := json.Unmarshal(line, &e); err != nil {
		return err
	}
	detail := ""
	if len(e.Detail) > 0 {
		b, _ := json.Marshal(e.Detail)
		detail = string(b)
	}
	rec := []string{strconv.FormatInt(e.Seq, 10), e.Time.UTC().Format(time.RFC3339Nano), strconv.FormatInt(e.UserID, 10),
		e.Username, strconv.FormatInt(e.OrgID, 10), string(e.Action), string(e.Kind), e.RecordID, e.Outcome,
		e.ClientAddr, e.Via, e.Justification, e.Recipient, detail, e.PrevHash, e.Hash}
	for i, v := range rec {
		rec[i] = csvSafe(v)
	}
	return c.out.Write(rec)
}

// Close writes any last line and flushes.
func (c *csvLines) Close() error {
	if err := c.row(bytes.TrimSpace(c.buf.Bytes())); err != nil {
		return err
	}
	c.out.Flush()
	return c.out.Error()
}

// csvSafe stops a spreadsheet from reading a cell as a formula.
func csvSafe(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}
