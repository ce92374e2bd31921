package db

import (
	"context"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/access"
)

// Near-duplicate reports are found by MinHash over the character 4-grams
// of the normalised text of what was seen: sigSize hash functions, split
// into bands of bandRows; two reports that agree on a whole band are
// candidates, and a candidate joins the cluster when the estimated Jaccard
// similarity is at least clusterThreshold, the times (when both give one)
// are within clusterTime, and the places (when both give one) share a word.
const (
	sigSize          = 64
	bandRows         = 4
	clusterThreshold = 0.5
	clusterTime      = 72 * time.Hour
	clusterWindow    = 14 * 24 * time.Hour
)

// minSig is a MinHash signature.
type minSig [sigSize]uint32

var sigSeeds = func() (s [sigSize][2]uint64) {
	x := uint64(0x9e3779b97f4a7c15)
	for i := range s {
		for j := range 2 {
			// splitmix64: fixed, so signatures stay comparable across
			// processes and versions.
			x += 0x9e3779b97f4a7c15
			z := x
			z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
			z = (z ^ (z >> 27)) * 0x94d049bb133111eb
			s[i][j] = (z ^ (z >> 31)) | 1
		}
	}
	return s
}()

var stopWords = map[string]bool{"a": true, "an": true, "the": true, "and": true, "or": true, "of": true, "at": true, "in": true,
	"on": true, "to": true, "is": true, "was": true, "i": true, "it": true, "there": true, "with": true, "by": true, "for": true,
	"has": true, "have": true, "been": true, "are": true, "that": true, "this": true, "be": true, "near": true, "saw": true, "seen": true}

// normWords lower-cases text, keeps letters and digits, and drops common
// words.
func normWords(s string) []string {
	f := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	out := f[:0]
	for _, w := range f {
		if !stopWords[w] {
			out = append(out, w)
		}
	}
	return out
}

// signature is the MinHash of the text's character 4-grams.
func signature(text string) minSig {
	var sig minSig
	for i := range sig {
		sig[i] = ^uint32(0)
	}
	norm := strings.Join(normWords(text), " ")
	if norm == "" {
		return sig
	}
	rs := []rune(norm)
	const k = 4
	for i := 0; i+k <= len(rs) || (i == 0 && len(rs) < k); i++ {
		end := min(i+k, len(rs))
		h := fnv.New64a()
		h.Write([]byte(string(rs[i:end])))
		base := h.Sum64()
		for j := range sig {
			v := uint32((base*sigSeeds[j][0] + sigSeeds[j][1]) >> 32)
			if v < sig[j] {
				sig[j] = v
			}
		}
	}
	return sig
}

func (s minSig) String() string {
	b := make([]byte, 4*sigSize)
	for i, v := range s {
		binary.BigEndian.PutUint32(b[4*i:], v)
	}
	return hex.EncodeToString(b)
}

func parseSig(s string) (minSig, bool) {
	var sig minSig
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 4*sigSize {
		return sig, false
	}
	for i := range sig {
		sig[i] = binary.BigEndian.Uint32(b[4*i:])
	}
	return sig, true
}

// empty reports whether the signature is of a text with no words.
func (s minSig) empty() bool { return s[0] == ^uint32(0) && s[1] == ^uint32(0) }

// similarity estimates the Jaccard similarity of the two texts.
func (s minSig) similarity(o minSig) float64 {
	if s.empty() || o.empty() {
		return 0
	}
	n := 0
	for i := range s {
		if s[i] == o[i] {
			n++
		}
	}
	return float64(n) / sigSize
}

// bands are the LSH band keys of the signature, stored in report_keys.
func (s minSig) bands() []string {
	if s.empty() {
		return nil
	}
	out := make([]string, 0, sigSize/bandRows)
	for b := 0; b < sigSize/bandRows; b++ {
		h := fnv.New64a()
		var buf [4]byte
		for r := 0; r < bandRows; r++ {
			binary.BigEndian.PutUint32(buf[:], s[b*bandRows+r])
			h.Write(buf[:])
		}
		out = append(out, "band:"+strconv.Itoa(b)+":"+strconv.FormatUint(h.Sum64(), 36))
	}
	return out
}

// samePlace reports whether two places could be the same: either is
// unknown, or they share a word.
func samePlace(a, b string) bool {
	wa, wb := normWords(a), normWords(b)
	if len(wa) == 0 || len(wb) == 0 {
		return true
	}
	for _, x := range wa {
		for _, y := range wb {
			if x == y {
				return true
			}
		}
	}
	return false
}

// nearestCluster finds the cluster of the most similar recent report, or
// 0 when the report starts its own. It reads inside the write transaction,
// so every report committed before it is seen; two near-duplicates stored
// at the same moment on different nodes may still start two clusters.
func (tx *Tx) nearestCluster(ctx context.Context, st *sql.Stmt, r *contest.Report, sig minSig, bands []string) (int64, error) {
	if len(bands) == 0 {
		return 0, nil
	}
	args := nearArgs(tx.now, bands)
	var rows *sql.Rows
	var err error
	if st != nil && len(bands) == sigSize/bandRows {
		rows, err = tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	} else {
		rows, err = tx.QueryContext(ctx, nearSQL(len(bands)), args...)
	}
	if err != nil {
		return 0, fmt.Errorf("near duplicates: %w", err)
	}
	return bestCluster(rows, r, sig)
}

// knownCluster is nearestCluster on the read pool, before the write
// transaction. A cluster found there exists for good, so the report can
// join it without the writer looking again; during a surge of one rumour
// that is nearly every report. When it finds none, the writer looks
// inside the transaction (a cluster may have started since).
func (d *DB) knownCluster(ctx context.Context, st *sql.Stmt, r *contest.Report, sig minSig, bands []string) (int64, error) {
	if len(bands) == 0 {
		return 0, nil
	}
	var rows *sql.Rows
	var err error
	if st != nil && len(bands) == sigSize/bandRows {
		rows, err = st.QueryContext(ctx, nearArgs(d.now(), bands)...)
	} else {
		rows, err = d.read.QueryContext(ctx, nearSQL(len(bands)), nearArgs(d.now(), bands)...)
	}
	if err != nil {
		return 0, fmt.Errorf("near duplicates: %w", err)
	}
	return bestCluster(rows, r, sig)
}

func nearArgs(now time.Time, bands []string) []any {
	args := make([]any, 0, len(bands)+1)
	args = append(args, micros(now.Add(-clusterWindow)))
	for _, b := range bands {
		args = append(args, b)
	}
	return args
}

// bestCluster picks, among the candidate heads (the index holds the bands
// of the first report of each cluster only; see SubmitReport), the most
// similar one whose time and place agree, and closes rows.
func bestCluster(rows *sql.Rows, r *contest.Report, sig minSig) (int64, error) {
	defer rows.Close()
	var best int64
	bestSim := 0.0
	for rows.Next() {
		var id, cluster, happened int64
		var s, place string
		if err := rows.Scan(&id, &cluster, &s, &place, &happened); err != nil {
			return 0, err
		}
		other, ok := parseSig(s)
		if !ok {
			continue
		}
		sim := sig.similarity(other)
		if sim < clusterThreshold || sim <= bestSim || !samePlace(r.Where, place) {
			continue
		}
		if !r.When.IsZero() && happened != 0 {
			if d := r.When.Sub(fromMicros(happened)); d > clusterTime || d < -clusterTime {
				continue
			}
		}
		bestSim = sim
		best = cluster
		if best == 0 {
			best = id
		}
	}
	return best, rows.Err()
}

// nearSQL finds the recent cluster heads sharing a band with a report of
// n bands ($2 ... $n+1; $1 is the start of the window).
func nearSQL(n int) string {
	ph := make([]string, n)
	for i := range ph {
		ph[i] = "$" + strconv.Itoa(i+2)
	}
	return "SELECT DISTINCT t.id, t.cluster_id, t.signature, t.place, t.happened_at FROM report_keys k JOIN reports t ON t.id = k.report_id " +
		"WHERE k.key IN (" + strings.Join(ph, ",") + ") AND t.received_at >= $1 ORDER BY t.id DESC LIMIT 50"
}

// TriageQueue implements contest.ReportService. One line per cluster of
// open reports the actor may see, ordered: a threat to life first, then
// the longest waiting, then the best grade. Nothing else orders the queue,
// and no protected characteristic is stored to order by.
func (d *DB) TriageQueue(ctx context.Context, a *contest.Actor, limit int) ([]*contest.QueueItem, int, error) {
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	where, args := access.Filter(a, access.Read, contest.KindReport, "t", 1)
	where += " AND t.status <> 'closed'"
	var total int
	if err := d.read.QueryRowContext(ctx, "SELECT COUNT(DISTINCT "+clusterOf+") FROM reports t WHERE "+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("queue count: %w", err)
	}
	rows, err := d.read.QueryContext(ctx, "SELECT "+clusterOf+" AS c, COUNT(*), MIN(t.id), MAX(t.threat_to_life) FROM reports t WHERE "+where+
		" GROUP BY "+clusterOf+" ORDER BY MAX(t.threat_to_life) DESC, MIN(t.received_at) ASC, MIN(t.grade_rank) ASC, MIN(t.id) ASC LIMIT "+strconv.Itoa(limit), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("queue: %w", err)
	}
	var items []*contest.QueueItem
	var firsts []string
	ttl := map[int64]bool{}
	for rows.Next() {
		var c, first, t int64
		var n int
		if err := rows.Scan(&c, &n, &first, &t); err != nil {
			rows.Close()
			return nil, 0, err
		}
		items = append(items, &contest.QueueItem{Count: n, Report: &contest.Report{ID: first}})
		firsts = append(firsts, itoa(first))
		ttl[first] = t != 0
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	if len(items) > 0 {
		reps, err := d.queryReports(ctx, "SELECT "+reportCols+", "+prefixed("t", metaCols)+" FROM reports t WHERE t.id IN ("+strings.Join(firsts, ",")+")")
		if err != nil {
			return nil, 0, err
		}
		byID := map[int64]*contest.Report{}
		for _, r := range reps {
			byID[r.ID] = r
		}
		for _, it := range items {
			r := byID[it.Report.ID]
			r.ThreatToLife = r.ThreatToLife || ttl[r.ID]
			it.Report = r
		}
	}
	if err := d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditList, Kind: contest.KindReport,
		Detail: map[string]string{"results": strconv.Itoa(total), "view": "triage_queue"}}); err != nil {
		return nil, 0, err
	}
	return items, total, nil
}

// applyDecision writes a triage decision to one report already checked.
func (tx *Tx) applyDecision(ctx context.Context, a *contest.Actor, r *contest.Report, dec contest.TriageDecision) error {
	prev := r.Grade.String() + "|" + r.Outcome
	r.Grade = dec.Grade
	if dec.ThreatToLife != nil {
		r.ThreatToLife = *dec.ThreatToLife
	}
	r.Status = contest.ReportGraded
	if dec.Outcome != "" {
		r.Status, r.Outcome, r.OutcomeReason, r.LinkedInvestigation = contest.ReportClosed, dec.Outcome, dec.Reason, dec.LinkedInvestigation
		r.TriagedBy, r.TriagedAt = a.UserID, tx.now
	}
	if _, err := tx.ExecContext(ctx, `UPDATE reports SET grade_source = $1, grade_assessment = $2, grade_handling = $3, grade_rank = $4,
		status = $5, outcome = $6, outcome_reason = $7, linked_investigation = $8, triaged_by = $9, triaged_at = $10, threat_to_life = $11,
		updated_by = $12, updated_at = $13 WHERE id = $14`,
		r.Grade.Source, r.Grade.Assessment, r.Grade.Handling, r.Grade.Rank(), r.Status, r.Outcome, r.OutcomeReason, r.LinkedInvestigation,
		r.TriagedBy, micros(r.TriagedAt), boolInt(r.ThreatToLife), a.UserID, micros(tx.now), r.ID); err != nil {
		return fmt.Errorf("triage: %w", err)
	}
	detail := tx.db.changes("decision", prev, r.Grade.String()+"|"+r.Outcome)
	detail["grade"], detail["outcome"], detail["status"] = r.Grade.String(), r.Outcome, r.Status
	if dec.Reason != "" {
		detail["reason"] = tx.db.hasher.HMAC(dec.Reason)
	}
	if dec.ThreatToLife != nil {
		detail["threat_to_life"] = strconv.FormatBool(*dec.ThreatToLife)
	}
	return tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditUpdate, Kind: contest.KindReport, RecordID: itoa(r.ID), Detail: detail})
}

// checkLinked refuses a link to an investigation the actor may not see.
func (tx *Tx) checkLinked(ctx context.Context, a *contest.Actor, dec contest.TriageDecision) error {
	if dec.Outcome != contest.OutcomeLinked {
		return nil
	}
	inv, m, err := scanInvestigation(tx.QueryRowContext(ctx, "SELECT "+investigationCols+", "+prefixed("t", metaCols)+" FROM investigations t WHERE t.id = $1", dec.LinkedInvestigation))
	if err == nil {
		err = loadCompartments(ctx, tx, contest.KindInvestigation, map[int64]*contest.Meta{inv.ID: m})
	}
	if err != nil || !access.Allowed(a, access.Read, contest.KindInvestigation, m) {
		return (&contest.FieldErrors{{Field: "linked_investigation", Message: "Enter the number of an investigation you can see"}}).Err()
	}
	return nil
}

// TriageReport implements contest.ReportService.
func (d *DB) TriageReport(ctx context.Context, a *contest.Actor, id int64, dec contest.TriageDecision) (*contest.Report, error) {
	if err := d.forbid(ctx, a, access.Update, contest.AuditUpdate, contest.KindReport, itoa(id)); err != nil {
		return nil, err
	}
	if err := dec.Validate(); err != nil {
		return nil, err
	}
	var r *contest.Report
	err := d.inWrite(ctx, func(tx *Tx) error {
		var err error
		if r, err = tx.loadReportForUpdate(ctx, a, id); err != nil {
			return err
		}
		if err := tx.checkLinked(ctx, a, dec); err != nil {
			return err
		}
		return tx.applyDecision(ctx, a, r, dec)
	})
	if contest.ErrorCode(err) == contest.ENOTFOUND {
		return nil, d.denied(ctx, a, contest.AuditUpdate, contest.KindReport, itoa(id), "hidden or missing", err)
	}
	return r, err
}

// openInCluster loads the open reports of a cluster that the actor may
// update.
func (tx *Tx) openInCluster(ctx context.Context, a *contest.Actor, cluster int64) ([]*contest.Report, error) {
	rows, err := tx.QueryContext(ctx, "SELECT "+reportCols+", "+prefixed("t", metaCols)+" FROM reports t WHERE (t.id = $1 OR t.cluster_id = $1) AND t.status <> 'closed' ORDER BY t.id", cluster)
	if err != nil {
		return nil, err
	}
	var all []*contest.Report
	metas := map[int64]*contest.Meta{}
	for rows.Next() {
		r, m, err := scanReport(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		all = append(all, r)
		metas[r.ID] = m
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := loadCompartments(ctx, tx, contest.KindReport, metas); err != nil {
		return nil, err
	}
	var out []*contest.Report
	for _, r := range all {
		if access.Allowed(a, access.Update, contest.KindReport, &r.Meta) {
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		return nil, contest.NotFound(contest.KindReport)
	}
	return out, nil
}

// ResolveCluster implements contest.ReportService: one decision for every
// open report of the cluster that the actor may update, in one
// transaction, each report audited.
func (d *DB) ResolveCluster(ctx context.Context, a *contest.Actor, cluster int64, dec contest.TriageDecision) (int, error) {
	if err := d.forbid(ctx, a, access.Update, contest.AuditUpdate, contest.KindReport, itoa(cluster)); err != nil {
		return 0, err
	}
	if err := dec.Validate(); err != nil {
		return 0, err
	}
	if dec.Outcome == "" {
		return 0, (&contest.FieldErrors{{Field: "outcome", Message: "Select an outcome"}}).Err()
	}
	n := 0
	err := d.inWrite(ctx, func(tx *Tx) error {
		rs, err := tx.openInCluster(ctx, a, cluster)
		if err != nil {
			return err
		}
		if err := tx.checkLinked(ctx, a, dec); err != nil {
			return err
		}
		for _, r := range rs {
			if err := tx.applyDecision(ctx, a, r, dec); err != nil {
				return err
			}
		}
		n = len(rs)
		return nil
	})
	if contest.ErrorCode(err) == contest.ENOTFOUND {
		return 0, d.denied(ctx, a, contest.AuditUpdate, contest.KindReport, itoa(cluster), "hidden or missing", err)
	}
	return n, err
}

// MarkRumour implements contest.ReportService. Only supervisors may
// publish a statement (access.Admin on reports). Every open report of the
// cluster the supervisor may update is closed as a false rumour (graded
// 3E P unless already graded), and the statement is stored for the public
// pages (FindRumourStatements).
func (d *DB) MarkRumour(ctx context.Context, a *contest.Actor, cluster int64, statement, reason string) (int, error) {
	if err := d.forbid(ctx, a, access.Admin, contest.AuditUpdate, contest.KindReport, itoa(cluster)); err != nil {
		return 0, err
	}
	var fe contest.FieldErrors
	statement, reason = strings.TrimSpace(statement), strings.TrimSpace(reason)
	switch {
	case statement == "":
		fe.Add("statement", "Enter the public statement")
	case len(statement) > 2000:
		fe.Add("statement", "Statement must be 2000 characters or fewer")
	}
	switch {
	case reason == "":
		fe.Add("reason", "Enter the reason the reports are a false rumour")
	case len(reason) > 4000:
		fe.Add("reason", "Reason must be 4000 characters or fewer")
	}
	if err := fe.Err(); err != nil {
		return 0, err
	}
	n := 0
	err := d.inWrite(ctx, func(tx *Tx) error {
		rs, err := tx.openInCluster(ctx, a, cluster)
		if err != nil {
			return err
		}
		for _, r := range rs {
			dec := contest.TriageDecision{Grade: r.Grade, Outcome: contest.OutcomeFalseRumour, Reason: reason}
			if !dec.Grade.Valid() {
				dec.Grade = contest.Grade{Source: 3, Assessment: "E", Handling: "P"}
			}
			if err := tx.applyDecision(ctx, a, r, dec); err != nil {
				return err
			}
		}
		n = len(rs)
		if _, err := tx.ExecContext(ctx, `INSERT INTO report_rumours (cluster_id, statement, reason, decided_by, published_at) VALUES ($1,$2,$3,$4,$5)
			ON CONFLICT (cluster_id) DO UPDATE SET statement = excluded.statement, reason = excluded.reason, decided_by = excluded.decided_by, published_at = excluded.published_at`,
			cluster, statement, reason, a.UserID, micros(tx.now)); err != nil {
			return fmt.Errorf("rumour: %w", err)
		}
		return tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditDisclose, Kind: contest.KindReport, RecordID: itoa(cluster),
			Recipient: "public", Detail: map[string]string{"rumour_statement": d.hasher.HMAC(statement), "reason": d.hasher.HMAC(reason),
				"reports": strconv.Itoa(n)}})
	})
	if contest.ErrorCode(err) == contest.ENOTFOUND {
		return 0, d.denied(ctx, a, contest.AuditUpdate, contest.KindReport, itoa(cluster), "hidden or missing", err)
	}
	return n, err
}

// FindRumourStatements implements contest.ReportService: the published
// rumour-control statements, newest first. They are public information
// (made to be shown on the public pages), so no actor is needed and no
// audit entry is written.
func (d *DB) FindRumourStatements(ctx context.Context, limit int) ([]*contest.RumourStatement, error) {
	if limit <= 0 || limit > 100 {
		limit = 20
	}
	rows, err := d.read.QueryContext(ctx, "SELECT cluster_id, statement, published_at FROM report_rumours ORDER BY published_at DESC, cluster_id DESC LIMIT "+strconv.Itoa(limit))
	if err != nil {
		return nil, fmt.Errorf("rumours: %w", err)
	}
	defer rows.Close()
	var out []*contest.RumourStatement
	for rows.Next() {
		var s contest.RumourStatement
		var at int64
		if err := rows.Scan(&s.ClusterID, &s.Statement, &at); err != nil {
			return nil, err
		}
		s.PublishedAt = fromMicros(at)
		out = append(out, &s)
	}
	return out, rows.Err()
}

var keyLabels = map[string]string{"phone": "Same telephone number", "email": "Same e-mail address", "vehicle": "Same vehicle registration",
	"postcode": "Same postcode", "link": "Same online link"}

// FindReportKeyMatches implements contest.ReportService: the other reports
// the actor may see that hold an identical telephone number, e-mail
// address, vehicle registration, postcode or link.
func (d *DB) FindReportKeyMatches(ctx context.Context, a *contest.Actor, id int64) ([]*contest.KeyMatch, error) {
	if _, err := d.FindReportByID(ctx, a, id); err != nil {
		return nil, err
	}
	where, args := access.Filter(a, access.Read, contest.KindReport, "t", 2)
	rows, err := d.read.QueryContext(ctx, "SELECT k.key, t.id, t.reference FROM report_keys k JOIN reports t ON t.id = k.report_id "+
		"WHERE k.key IN (SELECT key FROM report_keys WHERE report_id = $1 AND key NOT LIKE 'band:%') AND t.id <> $1 AND "+where+
		" ORDER BY t.id DESC LIMIT 200", append([]any{id}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("key matches: %w", err)
	}
	defer rows.Close()
	var out []*contest.KeyMatch
	for rows.Next() {
		var m contest.KeyMatch
		var key string
		if err := rows.Scan(&key, &m.ReportID, &m.Reference); err != nil {
			return nil, err
		}
		m.Field, m.Value, _ = strings.Cut(key, ":")
		m.Reason = keyLabels[m.Field] + " (" + m.Value + "), exact match after normalising"
		out = append(out, &m)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditSearch, Kind: contest.KindReport, RecordID: itoa(id),
		Detail: map[string]string{"view": "identifier_matches", "results": strconv.Itoa(len(out))}}); err != nil {
		return nil, err
	}
	return out, nil
}
