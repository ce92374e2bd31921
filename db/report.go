package db

import (
	"bufio"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/access"
)

var _ contest.ReportService = (*DB)(nil)

const (
	insertReportSQL = "INSERT INTO reports (reference, channel, what, place, happened_at, detail, threat_to_life, status, " +
		"cluster_id, signature, received_at, due_at, " + metaCols + ") VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20) RETURNING id"
	insertKeySQL = "INSERT INTO report_keys (key, report_id) VALUES ($1, $2)"
)

// reportStmts are the statements of SubmitReport, prepared once per store
// on SQLite (where parsing SQL is a large part of a small write); on
// PostgreSQL pgx caches prepared statements itself.
type reportStmts struct {
	insert, key, near *sql.Stmt
	// nearRead is near on the read pool (knownCluster).
	nearRead *sql.Stmt
	// bands inserts a new cluster's bands in one statement.
	bands *sql.Stmt
}

var (
	reportStmtsMu sync.Mutex
	reportStmtsOf = map[*DB]*reportStmts{}
)

// submitStatements prepares the statements on the write pool. It must be
// called outside any write transaction: on SQLite the write pool is one
// connection, and preparing waits for it.
func (d *DB) submitStatements(ctx context.Context) (*reportStmts, error) {
	if d.engine != SQLite {
		return nil, nil
	}
	reportStmtsMu.Lock()
	defer reportStmtsMu.Unlock()
	if st := reportStmtsOf[d]; st != nil {
		return st, nil
	}
	var st reportStmts
	var err error
	if st.insert, err = d.write.PrepareContext(ctx, insertReportSQL); err != nil {
		return nil, err
	}
	if st.key, err = d.write.PrepareContext(ctx, insertKeySQL); err != nil {
		return nil, err
	}
	if st.near, err = d.write.PrepareContext(ctx, nearSQL(sigSize/bandRows)); err != nil {
		return nil, err
	}
	if st.nearRead, err = d.read.PrepareContext(ctx, nearSQL(sigSize/bandRows)); err != nil {
		return nil, err
	}
	if st.bands, err = d.write.PrepareContext(ctx, bandsSQL()); err != nil {
		return nil, err
	}
	reportStmtsOf[d] = &st
	return &st, nil
}

// reportDetail is what the reports.detail JSON column holds: the lists and
// the channel-specific fields of a report.
type reportDetail struct {
	People        []contest.ReportPerson `json:"people,omitempty"`
	Vehicles      []string               `json:"vehicles,omitempty"`
	Links         []string               `json:"links,omitempty"`
	Contact       contest.ReportContact  `json:"contact,omitzero"`
	CallerDetails string                 `json:"caller_details,omitempty"`
	CallTime      int64                  `json:"call_time,omitempty"`
	Substance     string                 `json:"substance,omitempty"`
	Event         string                 `json:"event,omitempty"`
	Quantity      string                 `json:"quantity,omitempty"`
	Indicators    []string               `json:"indicators,omitempty"`
}

const reportCols = "t.id, t.reference, t.channel, t.what, t.place, t.happened_at, t.detail, t.threat_to_life, t.status, " +
	"t.grade_source, t.grade_assessment, t.grade_handling, t.outcome, t.outcome_reason, t.linked_investigation, t.triaged_by, " +
	"t.triaged_at, t.cluster_id, t.received_at, t.due_at"

// clusterOf is a report's cluster: the first report of the cluster, or the
// report itself when it started one (cluster_id 0).
const clusterOf = "CASE WHEN t.cluster_id = 0 THEN t.id ELSE t.cluster_id END"

func scanReport(r interface{ Scan(...any) error }) (*contest.Report, *contest.Meta, error) {
	var (
		v                                     contest.Report
		happened, triaged, received, due, ttl int64
		detail                                string
		tmp                                   [5]int64
	)
	if err := r.Scan(append([]any{&v.ID, &v.Reference, &v.Channel, &v.What, &v.Where, &happened, &detail, &ttl, &v.Status,
		&v.Grade.Source, &v.Grade.Assessment, &v.Grade.Handling, &v.Outcome, &v.OutcomeReason, &v.LinkedInvestigation, &v.TriagedBy,
		&triaged, &v.ClusterID, &received, &due}, metaDest(&v.Meta, &tmp)...)...); err != nil {
		return nil, nil, err
	}
	metaFinish(&v.Meta, &tmp)
	var dt reportDetail
	if err := json.Unmarshal([]byte(detail), &dt); err != nil {
		return nil, nil, fmt.Errorf("report %d detail: %w", v.ID, err)
	}
	v.People, v.Vehicles, v.Links, v.Contact = dt.People, dt.Vehicles, dt.Links, dt.Contact
	v.CallerDetails, v.CallTime = dt.CallerDetails, fromMicros(dt.CallTime)
	v.Substance, v.Event, v.Quantity, v.Indicators = dt.Substance, dt.Event, dt.Quantity, dt.Indicators
	v.When, v.TriagedAt, v.ReceivedAt, v.DueAt = fromMicros(happened), fromMicros(triaged), fromMicros(received), fromMicros(due)
	v.ThreatToLife = ttl != 0
	if v.ClusterID == 0 {
		v.ClusterID = v.ID
	}
	return &v, &v.Meta, nil
}

// newReportReference returns a report reference the reporter can quote: "CT-"
// and ten characters of Crockford base32 (50 random bits).
func newReportReference() string {
	const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	var b [10]byte
	rand.Read(b[:])
	out := []byte("CT-00000-00000")
	j := 3
	for i := range b {
		if out[j] == '-' {
			j++
		}
		out[j] = alphabet[b[i]&31]
		j++
	}
	return string(out)
}

var postcodeRE = regexp.MustCompile(`(?i)\b([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})\b`)

// reportKeys are the normalised identifiers of a report, for exact matches
// across reports: "phone:07700900123", "email:a@b.example",
// "vehicle:AB12CDE", "postcode:SW1A1AA", "link:example.com/path".
func reportKeys(r *contest.Report) []string {
	var keys []string
	add := func(kind, v string) {
		if v != "" {
			keys = append(keys, kind+":"+v)
		}
	}
	phone := func(s string) { add("phone", contest.NormalisePhone(s)) }
	email := func(s string) { add("email", contest.NormaliseEmail(s)) }
	postcodes := func(s string) {
		for _, m := range postcodeRE.FindAllStringSubmatch(s, 5) {
			add("postcode", strings.ToUpper(m[1]+m[2]))
		}
	}
	for _, p := range r.People {
		phone(p.Phone)
		email(p.Email)
		postcodes(p.Address)
	}
	phone(r.Contact.Phone)
	email(r.Contact.Email)
	postcodes(r.Where)
	for _, v := range r.Vehicles {
		add("vehicle", contest.NormaliseVehicle(v))
	}
	for _, l := range r.Links {
		if u, err := url.Parse(l); err == nil && u.Host != "" {
			add("link", strings.TrimPrefix(strings.ToLower(u.Host), "www.")+strings.TrimSuffix(u.EscapedPath(), "/"))
		}
	}
	slices.Sort(keys)
	return slices.Compact(keys)
}

// personOf turns what a reporter wrote about a person into the details
// matching works on: the last word of the name is taken as the family name.
func personOf(name, description, phone, email, address string) *contest.PersonDetails {
	p := &contest.PersonDetails{Description: description}
	if f := strings.Fields(name); len(f) > 0 {
		p.Family = f[len(f)-1]
		if len(f) > 1 {
			p.Given = f[0]
			p.Middle = strings.Join(f[1:len(f)-1], " ")
		}
		p.Aliases = []string{strings.Join(f, " ")}
	}
	if phone != "" {
		p.Phones = []string{phone}
	}
	if email != "" {
		p.Emails = []string{email}
	}
	if address != "" {
		a := contest.PersonAddress{Lines: []string{address}}
		if m := postcodeRE.FindStringSubmatch(address); m != nil {
			a.Postcode = strings.ToUpper(m[1] + " " + m[2])
		}
		p.Addresses = []contest.PersonAddress{a}
	}
	return p
}

// checkChannel is the rule for who may make which kind of report: the
// public reporter makes online reports only; call handlers (staff who work
// reports) take hotline calls; businesses and sector leads make business
// reports.
func checkChannel(a *contest.Actor, ch string) bool {
	switch {
	case a.System:
		return true
	case a.IsPublic():
		return ch == contest.ChannelOnline
	case ch == contest.ChannelHotline:
		return access.Can(a, access.Update, contest.KindReport)
	case ch == contest.ChannelPrecursor || ch == contest.ChannelPremises:
		return a.OrgKind == contest.OrgBusiness || a.OrgKind == contest.OrgSectorLead
	}
	return false
}

// targetFor is how long a report may wait for triage.
func targetFor(r *contest.Report) time.Duration {
	switch {
	case r.ThreatToLife:
		return contest.TargetThreatToLife
	case r.Channel == contest.ChannelPrecursor || r.Channel == contest.ChannelPremises:
		return contest.TargetBusiness
	case r.Channel == contest.ChannelHotline:
		return contest.TargetHotline
	}
	return contest.TargetOnline
}

// SubmitReport implements contest.ReportService. Everything the report
// holds (the report row, its identifiers and near-duplicate bands, a
// mention of every person named, its attachments and the audit entry) is
// written in ONE write transaction, and the call returns only once that
// transaction is committed: an acknowledged report is never lost, and a
// report is never stored in part.
func (d *DB) SubmitReport(ctx context.Context, a *contest.Actor, r *contest.Report) error {
	if a == nil || !access.Can(a, access.Create, contest.KindReport) || !checkChannel(a, r.Channel) {
		return d.denied(ctx, a, contest.AuditCreate, contest.KindReport, "", "role or channel", forbidden())
	}
	if a.IsPublic() {
		r.ThreatToLife = false // staff decide that
	}
	if err := r.Validate(); err != nil {
		return err
	}
	if r.Substance != "" {
		subs, err := d.FindSubstances(ctx)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(subs, func(s *contest.Substance) bool { return s.Code == r.Substance }) {
			return (&contest.FieldErrors{{Field: "substance", Message: "Select the substance from the list"}}).Err()
		}
	}
	if err := checkAttachments(r.Attachments); err != nil {
		return err
	}
	// Everything that needs no database is done before the transaction.
	detail, err := json.Marshal(reportDetail{People: r.People, Vehicles: r.Vehicles, Links: r.Links, Contact: r.Contact,
		CallerDetails: r.CallerDetails, CallTime: micros(r.CallTime), Substance: r.Substance, Event: r.Event, Quantity: r.Quantity,
		Indicators: r.Indicators})
	if err != nil {
		return err
	}
	sig := signature(r.What)
	bands := sig.bands()
	sigHex := sig.String()
	idKeys := reportKeys(r)
	var people []*contest.PersonDetails
	for _, p := range r.People {
		people = append(people, personOf(p.Name, p.Description, p.Phone, p.Email, p.Address))
	}
	var reporter *contest.PersonDetails
	if !r.Contact.IsZero() {
		reporter = personOf(r.Contact.Name, "", r.Contact.Phone, r.Contact.Email, "")
	}
	r.Meta = contest.Meta{Classification: contest.OfficialSensitive}
	if a.IsPublic() {
		r.Meta.OwnerOrgID = 0
	} else {
		r.Meta.Area = a.OrgArea
	}
	r.Status = contest.ReportNew
	detailHMAC := d.hasher.HMAC(r.What)
	stmts, err := d.submitStatements(ctx)
	if err != nil {
		return fmt.Errorf("prepare: %w", err)
	}
	known, err := d.knownCluster(ctx, stmtOf(stmts, func(s *reportStmts) *sql.Stmt { return s.nearRead }), r, sig, bands)
	if err != nil {
		return err
	}
	// Attachments are hashed (MD5, SHA-256, PDQ) before the transaction,
	// to be matched against the hash banks inside it.
	hashes := hashAttachments(r.Attachments)
	return d.inWrite(ctx, func(tx *Tx) error {
		r.Reference = newReportReference()
		r.ReceivedAt = tx.now
		r.DueAt = tx.now.Add(targetFor(r))
		tx.newMeta(a, &r.Meta)
		if a.IsPublic() {
			r.Meta.OwnerOrgID = 0
		}
		cluster := known
		if cluster == 0 {
			var err error
			if cluster, err = tx.nearestCluster(ctx, stmtOf(stmts, func(s *reportStmts) *sql.Stmt { return s.near }), r, sig, bands); err != nil {
				return err
			}
		}
		r.ClusterID = cluster
		// Only a cluster's first report is ever a candidate, so only it
		// keeps its signature.
		sigText := ""
		if cluster == 0 {
			sigText = sigHex
		}
		err = tx.queryRow(ctx, stmtOf(stmts, func(s *reportStmts) *sql.Stmt { return s.insert }), insertReportSQL,
			append([]any{r.Reference, r.Channel, r.What, r.Where, micros(r.When), string(detail), boolInt(r.ThreatToLife), r.Status,
				cluster, sigText, micros(r.ReceivedAt), micros(r.DueAt)}, metaArgs(&r.Meta)...)...).Scan(&r.ID)
		if err != nil {
			return fmt.Errorf("insert report: %w", err)
		}
		keys := idKeys
		if r.ClusterID == 0 {
			// Only the first report of a cluster stands for it in the
			// near-duplicate index: a surge of one rumour adds one set of
			// bands, not one per report, so finding the cluster stays
			// cheap however big it grows.
			r.ClusterID = r.ID
			keys = append(slices.Clip(idKeys), bands...)
		}
		if stmts != nil {
			if len(keys) > len(idKeys) && len(keys)-len(idKeys) == sigSize/bandRows {
				// A new cluster's bands, in one statement.
				args := make([]any, 0, sigSize/bandRows+1)
				for _, b := range keys[len(idKeys):] {
					args = append(args, b)
				}
				if _, err := tx.StmtContext(ctx, stmts.bands).ExecContext(ctx, append(args, r.ID)...); err != nil {
					return fmt.Errorf("report bands: %w", err)
				}
				keys = keys[:len(idKeys)]
			}
			key := tx.StmtContext(ctx, stmts.key)
			for _, k := range keys {
				if _, err := key.ExecContext(ctx, k, r.ID); err != nil {
					return fmt.Errorf("report keys: %w", err)
				}
			}
		} else if len(keys) > 0 {
			q := make([]string, len(keys))
			args := make([]any, 0, len(keys)+1)
			args = append(args, r.ID)
			for i, k := range keys {
				q[i] = "($" + strconv.Itoa(i+2) + ", $1)"
				args = append(args, k)
			}
			if _, err := tx.ExecContext(ctx, "INSERT INTO report_keys (key, report_id) VALUES "+strings.Join(q, ", "), args...); err != nil {
				return fmt.Errorf("report keys: %w", err)
			}
		}
		for _, p := range people {
			if _, err := tx.addMention(ctx, a, contest.KindReport, r.ID, "reported", &r.Meta, p); err != nil {
				return err
			}
		}
		if reporter != nil {
			if _, err := tx.addMention(ctx, a, contest.KindReport, r.ID, "reporter", &r.Meta, reporter); err != nil {
				return err
			}
		}
		if err := tx.insertAttachments(ctx, r); err != nil {
			return err
		}
		// Online links go to the content-referral queue for assessment,
		// and attachments that match known terrorist material become
		// referrals with their matches, in this same transaction.
		if len(r.Links) > 0 {
			if _, err := tx.queueLinksForAssessment(ctx, a, r.ID, r.Links, &r.Meta); err != nil {
				return err
			}
		}
		if len(r.Attachments) > 0 {
			if _, err := tx.matchReportImages(ctx, a, r.ID, r.Attachments, &r.Meta, hashes); err != nil {
				return err
			}
		}
		return tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditCreate, Kind: contest.KindReport, RecordID: itoa(r.ID),
			Detail: map[string]string{"channel": r.Channel, "reference": r.Reference, "what": detailHMAC,
				"people": strconv.Itoa(len(r.People)), "attachments": strconv.Itoa(len(r.Attachments))}})
	})
}

// bandsSQL inserts the sigSize/bandRows bands of one report ($1...$n) for
// report $n+1.
func bandsSQL() string {
	n := sigSize / bandRows
	rows := make([]string, n)
	for i := range rows {
		rows[i] = "($" + strconv.Itoa(i+1) + ", $" + strconv.Itoa(n+1) + ")"
	}
	return "INSERT INTO report_keys (key, report_id) VALUES " + strings.Join(rows, ", ")
}

// stmtOf picks a prepared statement, or nil on PostgreSQL.
func stmtOf(st *reportStmts, pick func(*reportStmts) *sql.Stmt) *sql.Stmt {
	if st == nil {
		return nil
	}
	return pick(st)
}

// queryRow runs a query for one row through the prepared statement st when
// there is one, else as text.
func (tx *Tx) queryRow(ctx context.Context, st *sql.Stmt, q string, args ...any) *sql.Row {
	if st != nil {
		return tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return tx.QueryRowContext(ctx, q, args...)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// FindReportByID implements contest.ReportService.
func (d *DB) FindReportByID(ctx context.Context, a *contest.Actor, id int64) (*contest.Report, error) {
	r, m, err := scanReport(d.read.QueryRowContext(ctx, "SELECT "+reportCols+", "+prefixed("t", metaCols)+" FROM reports t WHERE t.id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, d.denied(ctx, a, contest.AuditRead, contest.KindReport, itoa(id), "missing", contest.NotFound(contest.KindReport))
	} else if err != nil {
		return nil, fmt.Errorf("find report: %w", err)
	}
	if err := loadCompartments(ctx, d.read, contest.KindReport, map[int64]*contest.Meta{id: m}); err != nil {
		return nil, err
	}
	if dec := access.Decide(a, access.Read, contest.KindReport, m); !dec.Allowed {
		return nil, d.denied(ctx, a, contest.AuditRead, contest.KindReport, itoa(id), dec.Reason, contest.NotFound(contest.KindReport))
	}
	if err := d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditRead, Kind: contest.KindReport, RecordID: itoa(id)}); err != nil {
		return nil, err
	}
	if r.Attachments, err = d.attachmentsOf(ctx, r.ID); err != nil {
		return nil, err
	}
	return r, nil
}

// FindReports implements contest.ReportService.
func (d *DB) FindReports(ctx context.Context, a *contest.Actor, f contest.ReportFilter) ([]*contest.Report, int, error) {
	where, args := access.Filter(a, access.Read, contest.KindReport, "t", 1)
	if f.Open {
		where += " AND t.status <> 'closed'"
	}
	if f.ClusterID != 0 {
		args = append(args, f.ClusterID)
		where += " AND " + clusterOf + " = $" + strconv.Itoa(len(args))
	}
	if f.Reference != "" {
		args = append(args, strings.ToUpper(strings.TrimSpace(f.Reference)))
		where += " AND t.reference = $" + strconv.Itoa(len(args))
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	f.Offset = max(f.Offset, 0)
	var total int
	if err := d.read.QueryRowContext(ctx, "SELECT COUNT(*) FROM reports t WHERE "+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count reports: %w", err)
	}
	out, err := d.queryReports(ctx, "SELECT "+reportCols+", "+prefixed("t", metaCols)+" FROM reports t WHERE "+where+
		fmt.Sprintf(" ORDER BY t.id DESC LIMIT %d OFFSET %d", f.Limit, f.Offset), args...)
	if err != nil {
		return nil, 0, err
	}
	if err := d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditList, Kind: contest.KindReport,
		Detail: map[string]string{"results": strconv.Itoa(total), "cluster": itoa(f.ClusterID)}}); err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

func (d *DB) queryReports(ctx context.Context, q string, args ...any) ([]*contest.Report, error) {
	rows, err := d.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("find reports: %w", err)
	}
	defer rows.Close()
	var out []*contest.Report
	for rows.Next() {
		r, _, err := scanReport(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// FindSubstances implements contest.ReportService.
func (d *DB) FindSubstances(ctx context.Context) ([]*contest.Substance, error) {
	rows, err := d.read.QueryContext(ctx, "SELECT code, name, category FROM report_substances ORDER BY category, name")
	if err != nil {
		return nil, fmt.Errorf("substances: %w", err)
	}
	defer rows.Close()
	var out []*contest.Substance
	for rows.Next() {
		var s contest.Substance
		if err := rows.Scan(&s.Code, &s.Name, &s.Category); err != nil {
			return nil, err
		}
		out = append(out, &s)
	}
	return out, rows.Err()
}

// ExportReports implements contest.ReportService: every report the actor
// may export, oldest first, one JSON object a line, each with its
// reference. The export is audited (with the recipient and the count)
// before any line is written.
func (d *DB) ExportReports(ctx context.Context, a *contest.Actor, recipient string, w io.Writer) (int, error) {
	if err := d.forbid(ctx, a, access.Export, contest.AuditExport, contest.KindReport, ""); err != nil {
		return 0, err
	}
	recipient = strings.TrimSpace(recipient)
	if recipient == "" {
		return 0, (&contest.FieldErrors{{Field: "recipient", Message: "Enter who the export is for"}}).Err()
	}
	where, args := access.Filter(a, access.Export, contest.KindReport, "t", 1)
	var total int
	if err := d.read.QueryRowContext(ctx, "SELECT COUNT(*) FROM reports t WHERE "+where, args...).Scan(&total); err != nil {
		return 0, err
	}
	if err := d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditExport, Kind: contest.KindReport, Recipient: recipient,
		Detail: map[string]string{"results": strconv.Itoa(total)}}); err != nil {
		return 0, err
	}
	rows, err := d.read.QueryContext(ctx, "SELECT "+reportCols+", "+prefixed("t", metaCols)+" FROM reports t WHERE "+where+" ORDER BY t.id", args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	n := 0
	for rows.Next() {
		r, _, err := scanReport(rows)
		if err != nil {
			return n, err
		}
		if err := enc.Encode(r); err != nil {
			return n, err
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	return n, bw.Flush()
}

// loadReportForUpdate reads one report inside a write transaction and
// makes the access decision; a hidden report is not found.
func (tx *Tx) loadReportForUpdate(ctx context.Context, a *contest.Actor, id int64) (*contest.Report, error) {
	r, m, err := scanReport(tx.QueryRowContext(ctx, "SELECT "+reportCols+", "+prefixed("t", metaCols)+" FROM reports t WHERE t.id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, contest.NotFound(contest.KindReport)
	} else if err != nil {
		return nil, err
	}
	if err := loadCompartments(ctx, tx, contest.KindReport, map[int64]*contest.Meta{id: m}); err != nil {
		return nil, err
	}
	if !access.Allowed(a, access.Update, contest.KindReport, m) {
		return nil, contest.NotFound(contest.KindReport)
	}
	return r, nil
}
