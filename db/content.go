package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/access"
	"github.com/contest-ct/contest/pdq"
)

// Content referrals (issue 8). A referral's owning organisation is the
// referring unit while it is assessed, and the platform it is addressed to
// from the moment the request is sent: access.ScopeFor gives online
// platforms their own organisation's referrals only, so a platform sees the
// referrals sent to it and nothing else, in lists, counts and statistics.

const contentCols = "t.id, t.reference, t.url, t.platform, t.platform_org_id, t.content_type, t.status, t.account_handle, t.offence, t.assessment_note, " +
	"t.assessed_by, t.assessed_at, t.requested_at, t.platform_ref, t.response, t.response_note, t.responded_at, t.source_report_id, t.raised_at"

func scanContent(r interface{ Scan(...any) error }) (*contest.ContentReferral, *contest.Meta, error) {
	var c contest.ContentReferral
	var assessed, requested, responded, raised int64
	var tmp [5]int64
	if err := r.Scan(append([]any{&c.ID, &c.Reference, &c.URL, &c.Platform, &c.PlatformOrgID, &c.ContentType, &c.Status, &c.AccountHandle,
		&c.Offence, &c.AssessmentNote, &c.AssessedBy, &assessed, &requested, &c.PlatformRef, &c.Response, &c.ResponseNote, &responded,
		&c.SourceReportID, &raised}, metaDest(&c.Meta, &tmp)...)...); err != nil {
		return nil, nil, err
	}
	metaFinish(&c.Meta, &tmp)
	c.AssessedAt, c.RequestedAt, c.RespondedAt, c.RaisedAt = fromMicros(assessed), fromMicros(requested), fromMicros(responded), fromMicros(raised)
	return &c, &c.Meta, nil
}

// isPlatform reports whether the actor acts for an online platform, which
// sees its referrals without the internal assessment, captures or matches.
func isPlatform(a *contest.Actor) bool {
	return a != nil && !a.System && a.OrgKind == contest.OrgOnlinePlatform
}

// forPlatform removes what only the referring unit may see.
func forPlatform(c *contest.ContentReferral) {
	c.AssessmentNote, c.AccountHandle, c.SourceReportID, c.AssessedBy = "", "", 0, 0
	c.RaisedAt, c.Captures, c.Matches = time.Time{}, nil, nil
}

// FindContentReferrals implements contest.ContentService. Raised referrals
// (a capture matched a hash bank) come first, then the newest.
func (d *DB) FindContentReferrals(ctx context.Context, a *contest.Actor, f contest.ContentFilter) ([]*contest.ContentReferral, int, error) {
	if err := d.forbid(ctx, a, access.Read, contest.AuditList, contest.KindContentRef, ""); err != nil {
		return nil, 0, err
	}
	if f.Status != "" && !contest.ValidContentStatus(f.Status) {
		return nil, 0, (contest.FieldErrors{{Field: "status", Message: "Select a status from the list"}}).Err()
	}
	where, args := access.Filter(a, access.Read, contest.KindContentRef, "t", 1)
	if f.Status != "" {
		args = append(args, f.Status)
		where += " AND t.status = $" + strconv.Itoa(len(args))
	}
	if f.PlatformOrgID != 0 {
		args = append(args, f.PlatformOrgID)
		where += " AND t.platform_org_id = $" + strconv.Itoa(len(args))
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	f.Offset = max(f.Offset, 0)
	var total int
	if err := d.read.QueryRowContext(ctx, "SELECT COUNT(*) FROM content_referrals t WHERE "+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count content referrals: %w", err)
	}
	order := "CASE WHEN t.raised_at > 0 THEN 0 ELSE 1 END, t.id DESC"
	if isPlatform(a) {
		order = "t.id DESC" // a platform is not told which referrals matched a bank
	}
	rows, err := d.read.QueryContext(ctx, "SELECT "+contentCols+", "+prefixed("t", metaCols)+" FROM content_referrals t WHERE "+where+
		fmt.Sprintf(" ORDER BY %s LIMIT %d OFFSET %d", order, f.Limit, f.Offset), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("find content referrals: %w", err)
	}
	defer rows.Close()
	var out []*contest.ContentReferral
	for rows.Next() {
		c, _, err := scanContent(rows)
		if err != nil {
			return nil, 0, err
		}
		if isPlatform(a) {
			forPlatform(c)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	if err := d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditList, Kind: contest.KindContentRef,
		Detail: map[string]string{"results": strconv.Itoa(total), "status": f.Status}}); err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// contentByID reads a referral inside q and decides act on it; a hidden
// one and a missing one give the same not-found.
func (d *DB) contentByID(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
	queryer
}, a *contest.Actor, act access.Action, id int64) (*contest.ContentReferral, error) {
	c, m, err := scanContent(q.QueryRowContext(ctx, "SELECT "+contentCols+", "+prefixed("t", metaCols)+" FROM content_referrals t WHERE t.id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, contest.NotFound(contest.KindContentRef)
	} else if err != nil {
		return nil, fmt.Errorf("find content referral: %w", err)
	}
	if err := loadCompartments(ctx, q, contest.KindContentRef, map[int64]*contest.Meta{id: m}); err != nil {
		return nil, err
	}
	if !access.Allowed(a, act, contest.KindContentRef, m) {
		return nil, contest.NotFound(contest.KindContentRef)
	}
	return c, nil
}

// FindContentReferralByID implements contest.ContentService.
func (d *DB) FindContentReferralByID(ctx context.Context, a *contest.Actor, id int64) (*contest.ContentReferral, error) {
	c, err := d.contentByID(ctx, d.read, a, access.Read, id)
	if contest.ErrorCode(err) == contest.ENOTFOUND {
		return nil, d.denied(ctx, a, contest.AuditRead, contest.KindContentRef, itoa(id), "hidden or missing", err)
	} else if err != nil {
		return nil, err
	}
	if isPlatform(a) {
		forPlatform(c)
	} else {
		if c.Captures, err = d.captures(ctx, id); err != nil {
			return nil, err
		}
		if c.Matches, err = d.contentMatches(ctx, a, id); err != nil {
			return nil, err
		}
	}
	if err := d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditRead, Kind: contest.KindContentRef, RecordID: itoa(id)}); err != nil {
		return nil, err
	}
	return c, nil
}

const captureCols = "id, referral_id, file_name, media_type, size, md5, sha256, pdq, quality, created_by, created_at"

func scanCapture(r interface{ Scan(...any) error }) (*contest.Capture, error) {
	var c contest.Capture
	var at int64
	if err := r.Scan(&c.ID, &c.ReferralID, &c.FileName, &c.MediaType, &c.Size, &c.Hashes.MD5, &c.Hashes.SHA256, &c.Hashes.PDQ,
		&c.Hashes.Quality, &c.CreatedBy, &at); err != nil {
		return nil, err
	}
	c.CreatedAt = fromMicros(at)
	return &c, nil
}

func (d *DB) captures(ctx context.Context, referralID int64) ([]*contest.Capture, error) {
	rows, err := d.read.QueryContext(ctx, "SELECT "+captureCols+" FROM content_captures WHERE referral_id = $1 ORDER BY id", referralID)
	if err != nil {
		return nil, fmt.Errorf("captures: %w", err)
	}
	defer rows.Close()
	var out []*contest.Capture
	for rows.Next() {
		c, err := scanCapture(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// contentMatches lists a referral's matches in the banks the actor may see.
func (d *DB) contentMatches(ctx context.Context, a *contest.Actor, referralID int64) ([]*contest.HashMatch, error) {
	where, args := access.Filter(a, access.Read, contest.KindHashBank, "b", 2)
	rows, err := d.read.QueryContext(ctx, "SELECT m.capture_id, m.signal_id, m.bank_id, b.name, m.signal_type, s.value, m.distance, m.matched_at "+
		"FROM content_matches m JOIN hash_banks b ON b.id = m.bank_id JOIN hash_bank_signals s ON s.id = m.signal_id "+
		"WHERE m.referral_id = $1 AND "+where+" ORDER BY m.distance, m.id", append([]any{referralID}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("content matches: %w", err)
	}
	defer rows.Close()
	var out []*contest.HashMatch
	for rows.Next() {
		var m contest.HashMatch
		var at int64
		if err := rows.Scan(&m.CaptureID, &m.SignalID, &m.BankID, &m.BankName, &m.SignalType, &m.Signal, &m.Distance, &at); err != nil {
			return nil, err
		}
		m.MatchedAt = fromMicros(at)
		out = append(out, &m)
	}
	return out, rows.Err()
}

// insertReferral stores one new referral (with its reference, compartments
// and the mention of its account holder) and audits its creation.
func (tx *Tx) insertReferral(ctx context.Context, a *contest.Actor, c *contest.ContentReferral, detail map[string]string) error {
	if c.Status == "" {
		c.Status = contest.ContentForAssessment
	}
	tx.newMeta(a, &c.Meta)
	tmpRef := fmt.Sprintf("pending-%d-%d", tx.now.UnixNano(), len(c.URL))
	err := tx.QueryRowContext(ctx, "INSERT INTO content_referrals (reference, url, platform, platform_org_id, content_type, status, account_handle, "+
		"source_report_id, "+metaCols+") VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16) RETURNING id",
		append([]any{tmpRef, c.URL, c.Platform, c.PlatformOrgID, c.ContentType, c.Status, c.AccountHandle, c.SourceReportID}, metaArgs(&c.Meta)...)...).Scan(&c.ID)
	if err != nil {
		return fmt.Errorf("insert content referral: %w", err)
	}
	c.Reference = fmt.Sprintf("CR-%d-%06d", tx.now.Year(), c.ID)
	if _, err := tx.ExecContext(ctx, "UPDATE content_referrals SET reference = $1 WHERE id = $2", c.Reference, c.ID); err != nil {
		return fmt.Errorf("reference content referral: %w", err)
	}
	if len(c.Meta.Compartments) > 0 {
		if err := tx.setCompartments(ctx, contest.KindContentRef, c.ID, c.Meta.Compartments); err != nil {
			return err
		}
	}
	if c.AccountHandle != "" {
		if _, err := tx.addMention(ctx, a, contest.KindContentRef, c.ID, "account_holder", &c.Meta,
			&contest.PersonDetails{Handles: []string{c.AccountHandle}}); err != nil {
			return err
		}
	}
	if detail == nil {
		detail = map[string]string{}
	}
	detail["url"] = tx.db.hasher.HMAC(c.URL)
	return tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditCreate, Kind: contest.KindContentRef, RecordID: itoa(c.ID), Detail: detail})
}

// CreateContentReferrals implements contest.ContentService. Every referral
// is checked first; if any is invalid nothing is stored, and the error
// names the first bad one.
func (d *DB) CreateContentReferrals(ctx context.Context, a *contest.Actor, refs []*contest.ContentReferral) error {
	if err := d.forbid(ctx, a, access.Create, contest.AuditCreate, contest.KindContentRef, ""); err != nil {
		return err
	}
	if len(refs) == 0 || len(refs) > contest.MaxBulkURLs {
		return (contest.FieldErrors{{Field: "urls", Message: fmt.Sprintf("Enter from 1 to %d addresses", contest.MaxBulkURLs)}}).Err()
	}
	for _, c := range refs {
		if err := c.Validate(); err != nil {
			return err
		}
		c.Meta = contest.Meta{Classification: c.Meta.Classification, Compartments: c.Meta.Compartments, Area: c.Meta.Area}
		c.Status, c.PlatformOrgID, c.SourceReportID = contest.ContentForAssessment, 0, 0
	}
	bulk := strconv.Itoa(len(refs))
	return d.inWrite(ctx, func(tx *Tx) error {
		for _, c := range refs {
			if err := tx.insertReferral(ctx, a, c, map[string]string{"batch": bulk}); err != nil {
				return err
			}
		}
		return nil
	})
}

// queueLinksForAssessment makes a content-referral candidate "for
// assessment" for each online link of a stored public report, in the
// report's own write transaction tx. It is for the reports store to call
// when a report with links is stored; it makes no access decision of its
// own (it runs on the report's authority: the person reporting need not be
// a content officer), and each candidate is audited as created by a, with
// the report's id.
//
// meta is the report's access metadata: each candidate takes its
// classification, compartments, area and owning organisation, so whoever
// could not see the report cannot see the candidates either (content
// officers of a CT policing unit see them all). Links that are not http(s)
// URLs are skipped, as are duplicates within the list and links already
// queued from the same report; the platform is guessed from the host and
// the content type is "other" until an officer assesses it. It returns how
// many candidates it made.
func (tx *Tx) queueLinksForAssessment(ctx context.Context, a *contest.Actor, reportID int64, links []string, meta *contest.Meta) (int, error) {
	if reportID <= 0 || meta == nil {
		return 0, fmt.Errorf("queue links: report id and meta are required")
	}
	made := 0
	seen := map[string]bool{}
	for _, l := range links {
		u, msg := contest.CleanContentURL(l)
		if msg != "" || seen[u] {
			continue
		}
		seen[u] = true
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM content_referrals WHERE source_report_id = $1 AND url = $2", reportID, u).Scan(&n); err != nil {
			return made, fmt.Errorf("queue links: %w", err)
		}
		if n > 0 {
			continue
		}
		c := &contest.ContentReferral{URL: u, Platform: contest.PlatformFromURL(u), ContentType: "other", SourceReportID: reportID,
			Meta: contest.Meta{Classification: meta.Classification, Compartments: slices.Clone(meta.Compartments), Area: meta.Area, OwnerOrgID: meta.OwnerOrgID}}
		if err := tx.insertReferral(ctx, a, c, map[string]string{"source_report": itoa(reportID)}); err != nil {
			return made, err
		}
		made++
	}
	return made, nil
}

// staffOnly refuses platform users: captures and the referring unit's
// actions are for staff.
func (d *DB) staffOnly(ctx context.Context, a *contest.Actor, act contest.AuditAction, id int64) error {
	if isPlatform(a) {
		return d.denied(ctx, a, act, contest.KindContentRef, itoa(id), "staff only", forbidden())
	}
	return nil
}

// sniffType is the media type of a capture, from its bytes only.
func sniffType(data []byte) string {
	t := http.DetectContentType(data)
	if i := strings.IndexByte(t, ';'); i >= 0 {
		t = t[:i]
	}
	return t
}

// cleanFileName keeps a safe base name for a download.
func cleanFileName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '"' || r == ';' {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if len(name) > 200 {
		name = name[:200]
	}
	if name == "" || name == "." || name == ".." {
		name = "capture"
	}
	return name
}

// AddCapture implements contest.ContentService. The file is hashed (MD5,
// SHA-256, PDQ with its quality and its eight dihedral forms) and matched
// against every enabled bank; any match is recorded and raises the
// referral.
func (d *DB) AddCapture(ctx context.Context, a *contest.Actor, referralID int64, name string, data []byte) (*contest.Capture, []*contest.HashMatch, error) {
	if err := d.forbid(ctx, a, access.Update, contest.AuditUpdate, contest.KindContentRef, itoa(referralID)); err != nil {
		return nil, nil, err
	}
	if err := d.staffOnly(ctx, a, contest.AuditUpdate, referralID); err != nil {
		return nil, nil, err
	}
	switch {
	case len(data) == 0:
		return nil, nil, (contest.FieldErrors{{Field: "file", Message: "Select a file to upload"}}).Err()
	case len(data) > contest.MaxCaptureBytes:
		return nil, nil, (contest.FieldErrors{{Field: "file", Message: fmt.Sprintf("The file must be smaller than %d MB", contest.MaxCaptureBytes>>20)}}).Err()
	}
	h, dih := hashData(data)
	cp := &contest.Capture{ReferralID: referralID, FileName: cleanFileName(name), MediaType: sniffType(data), Size: int64(len(data)), Hashes: h, CreatedBy: a.UserID}
	var shown []*contest.HashMatch
	err := d.inWrite(ctx, func(tx *Tx) error {
		c, err := d.contentByID(ctx, tx, a, access.Update, referralID)
		if err != nil {
			return err
		}
		cp.CreatedAt = tx.now
		if err := tx.QueryRowContext(ctx, "INSERT INTO content_captures (referral_id, file_name, media_type, size, md5, sha256, pdq, quality, data, created_by, created_at) "+
			"VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) RETURNING id", referralID, cp.FileName, cp.MediaType, cp.Size, h.MD5, h.SHA256, h.PDQ, h.Quality,
			data, a.UserID, micros(tx.now)).Scan(&cp.ID); err != nil {
			return fmt.Errorf("insert capture: %w", err)
		}
		// Every enabled bank, whoever uploads: the referral is raised even
		// for a match the uploader may not see.
		ms, err := d.matchHashes(ctx, tx, h, dih, "", nil)
		if err != nil {
			return err
		}
		for _, m := range ms {
			if _, err := tx.ExecContext(ctx, "INSERT INTO content_matches (referral_id, capture_id, signal_id, bank_id, signal_type, distance, matched_at) VALUES ($1,$2,$3,$4,$5,$6,$7)",
				referralID, cp.ID, m.SignalID, m.BankID, m.SignalType, m.Distance, micros(tx.now)); err != nil {
				return fmt.Errorf("insert match: %w", err)
			}
			m.CaptureID, m.MatchedAt = cp.ID, tx.now
		}
		detail := map[string]string{"capture": itoa(cp.ID), "sha256": h.SHA256, "matches": strconv.Itoa(len(ms))}
		if len(ms) > 0 && c.RaisedAt.IsZero() {
			if _, err := tx.ExecContext(ctx, "UPDATE content_referrals SET raised_at = $1, updated_by = $2, updated_at = $1 WHERE id = $3", micros(tx.now), a.UserID, referralID); err != nil {
				return err
			}
			detail["raised"] = "hash bank match"
		}
		visible, err := d.visibleBanks(ctx, tx, a)
		if err != nil {
			return err
		}
		for _, m := range ms {
			if visible[m.BankID] {
				shown = append(shown, m)
			}
		}
		return tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditUpdate, Kind: contest.KindContentRef, RecordID: itoa(referralID), Detail: detail})
	})
	if contest.ErrorCode(err) == contest.ENOTFOUND {
		return nil, nil, d.denied(ctx, a, contest.AuditUpdate, contest.KindContentRef, itoa(referralID), "hidden or missing", err)
	} else if err != nil {
		return nil, nil, err
	}
	return cp, shown, nil
}

// visibleBanks returns the ids of the banks the actor may read.
func (d *DB) visibleBanks(ctx context.Context, q queryer, a *contest.Actor) (map[int64]bool, error) {
	where, args := access.Filter(a, access.Read, contest.KindHashBank, "b", 1)
	rows, err := q.QueryContext(ctx, "SELECT b.id FROM hash_banks b WHERE "+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}

// OpenCapture implements contest.ContentService. Only staff of the
// referring side may open captures; the download is audited as a read of
// the referral before any byte leaves.
func (d *DB) OpenCapture(ctx context.Context, a *contest.Actor, referralID, captureID int64) (*contest.Capture, []byte, error) {
	if err := d.staffOnly(ctx, a, contest.AuditRead, referralID); err != nil {
		return nil, nil, err
	}
	if _, err := d.contentByID(ctx, d.read, a, access.Read, referralID); err != nil {
		return nil, nil, d.denied(ctx, a, contest.AuditRead, contest.KindContentRef, itoa(referralID), "hidden or missing", err)
	}
	var data []byte
	cp, err := scanCapture(scanData{d.read.QueryRowContext(ctx, "SELECT "+captureCols+", data FROM content_captures WHERE id = $1 AND referral_id = $2", captureID, referralID), &data})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, d.denied(ctx, a, contest.AuditRead, contest.KindContentRef, itoa(referralID), "capture missing", contest.NotFound(contest.KindContentRef))
	} else if err != nil {
		return nil, nil, fmt.Errorf("open capture: %w", err)
	}
	if err := d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditRead, Kind: contest.KindContentRef, RecordID: itoa(referralID),
		Detail: map[string]string{"capture": itoa(captureID)}}); err != nil {
		return nil, nil, err
	}
	return cp, data, nil
}

type scanData struct {
	r    interface{ Scan(...any) error }
	data *[]byte
}

func (s scanData) Scan(dst ...any) error { return s.r.Scan(append(dst, s.data)...) }

// changeReferral runs fn on a referral the actor may update, in a write
// transaction, and audits a hidden or missing one as refused.
func (d *DB) changeReferral(ctx context.Context, a *contest.Actor, id int64, fn func(tx *Tx, c *contest.ContentReferral) error) (*contest.ContentReferral, error) {
	if err := d.forbid(ctx, a, access.Update, contest.AuditUpdate, contest.KindContentRef, itoa(id)); err != nil {
		return nil, err
	}
	var out *contest.ContentReferral
	err := d.inWrite(ctx, func(tx *Tx) error {
		c, err := d.contentByID(ctx, tx, a, access.Update, id)
		if err != nil {
			return err
		}
		if err := fn(tx, c); err != nil {
			return err
		}
		out = c
		return nil
	})
	if contest.ErrorCode(err) == contest.ENOTFOUND {
		return nil, d.denied(ctx, a, contest.AuditUpdate, contest.KindContentRef, itoa(id), "hidden or missing", err)
	} else if err != nil {
		return nil, err
	}
	if isPlatform(a) {
		forPlatform(out)
	}
	return out, nil
}

// AssessContentReferral implements contest.ContentService. An assessment
// may be recorded, or corrected, until the request is sent; the officer
// gives the offence category and the reasons.
func (d *DB) AssessContentReferral(ctx context.Context, a *contest.Actor, id int64, as contest.ContentAssessment) (*contest.ContentReferral, error) {
	if err := d.staffOnly(ctx, a, contest.AuditUpdate, id); err != nil {
		return nil, err
	}
	var fe contest.FieldErrors
	if !slices.ContainsFunc(contest.Offences, func(o contest.Offence) bool { return o.Code == as.Offence }) {
		fe.Add("offence", "Select the offence category, or that it is not terrorist content")
	}
	as.Note = strings.TrimSpace(as.Note)
	switch {
	case as.Note == "":
		fe.Add("note", "Enter the reasons for the assessment")
	case len(as.Note) > 2000:
		fe.Add("note", "Reasons must be 2000 characters or fewer")
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	return d.changeReferral(ctx, a, id, func(tx *Tx, c *contest.ContentReferral) error {
		switch c.Status {
		case contest.ContentForAssessment, contest.ContentAssessed, contest.ContentNotTerrorist:
		default:
			return contest.Errorf(contest.ECONFLICT, "The request has already been sent to the platform; the assessment can no longer change.")
		}
		status := contest.ContentAssessed
		if as.Offence == "none" {
			status = contest.ContentNotTerrorist
		}
		if _, err := tx.ExecContext(ctx, "UPDATE content_referrals SET offence = $1, assessment_note = $2, assessed_by = $3, assessed_at = $4, status = $5, updated_by = $3, updated_at = $4 WHERE id = $6",
			as.Offence, as.Note, a.UserID, micros(tx.now), status, id); err != nil {
			return fmt.Errorf("assess content referral: %w", err)
		}
		detail := d.changes("offence", c.Offence, as.Offence, "note", c.AssessmentNote, as.Note)
		detail["status"] = c.Status + " -> " + status
		c.Offence, c.AssessmentNote, c.AssessedBy, c.AssessedAt, c.Status = as.Offence, as.Note, a.UserID, tx.now, status
		return tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditUpdate, Kind: contest.KindContentRef, RecordID: itoa(id), Detail: detail})
	})
}

// platformNotice is the body of a notification to a platform.
type platformNotice struct {
	Event       string    `json:"event"`
	ReferralID  int64     `json:"referral_id"`
	Reference   string    `json:"reference"`
	URL         string    `json:"url"`
	ContentType string    `json:"content_type"`
	Offence     string    `json:"offence"`
	RequestedAt time.Time `json:"requested_at"`
}

// SendContentReferral implements contest.ContentService. The referral
// passes to the platform organisation (which from now on sees it), and a
// notification for the platform's webhook is recorded as pending in the
// same transaction.
func (d *DB) SendContentReferral(ctx context.Context, a *contest.Actor, id, platformOrgID int64, platformRef string) (*contest.ContentReferral, error) {
	if err := d.staffOnly(ctx, a, contest.AuditUpdate, id); err != nil {
		return nil, err
	}
	platformRef = strings.TrimSpace(platformRef)
	if len(platformRef) > 200 {
		return nil, (contest.FieldErrors{{Field: "platform_ref", Message: "Reference must be 200 characters or fewer"}}).Err()
	}
	return d.changeReferral(ctx, a, id, func(tx *Tx, c *contest.ContentReferral) error {
		if c.Status != contest.ContentAssessed {
			return contest.Errorf(contest.ECONFLICT, "Only content assessed as terrorist material can be referred, and only once.")
		}
		var name string
		var kind contest.OrgKind
		err := tx.QueryRowContext(ctx, "SELECT name, kind FROM orgs WHERE id = $1", platformOrgID).Scan(&name, &kind)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && kind != contest.OrgOnlinePlatform) {
			return (contest.FieldErrors{{Field: "platform_org_id", Message: "Select the platform the request goes to"}}).Err()
		} else if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE content_referrals SET platform_org_id = $1, owner_org_id = $1, requested_at = $2, platform_ref = $3, status = $4, updated_by = $5, updated_at = $2 WHERE id = $6",
			platformOrgID, micros(tx.now), platformRef, contest.ContentReferred, a.UserID, id); err != nil {
			return fmt.Errorf("send content referral: %w", err)
		}
		c.PlatformOrgID, c.Meta.OwnerOrgID, c.RequestedAt, c.PlatformRef, c.Status = platformOrgID, platformOrgID, tx.now, platformRef, contest.ContentReferred
		if c.Platform == "" {
			c.Platform = name
		}
		body, err := json.Marshal(platformNotice{Event: "content_referral.requested", ReferralID: id, Reference: c.Reference, URL: c.URL,
			ContentType: c.ContentType, Offence: c.Offence, RequestedAt: tx.now})
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO content_notifications (referral_id, platform_org_id, event, payload, status, created_at) VALUES ($1,$2,$3,$4,'pending',$5)",
			id, platformOrgID, "content_referral.requested", string(body), micros(tx.now)); err != nil {
			return fmt.Errorf("queue platform notification: %w", err)
		}
		return tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditDisclose, Kind: contest.KindContentRef, RecordID: itoa(id),
			Recipient: name, Detail: map[string]string{"platform_org_id": itoa(platformOrgID), "platform_ref": d.hasher.HMAC(platformRef)}})
	})
}

// RespondContentReferral implements contest.ContentService: the platform
// (or an officer, for a response that came another way) records the
// outcome of a request. A later response replaces an earlier one, and each
// is audited.
func (d *DB) RespondContentReferral(ctx context.Context, a *contest.Actor, id int64, response, platformRef, note string) (*contest.ContentReferral, error) {
	var fe contest.FieldErrors
	if !contest.ValidContentResponse(response) {
		fe.Add("response", "Select the platform's response: removed, restricted, refused or no response")
	}
	platformRef, note = strings.TrimSpace(platformRef), strings.TrimSpace(note)
	if len(platformRef) > 200 {
		fe.Add("platform_ref", "Reference must be 200 characters or fewer")
	}
	if len(note) > 2000 {
		fe.Add("note", "Note must be 2000 characters or fewer")
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	return d.changeReferral(ctx, a, id, func(tx *Tx, c *contest.ContentReferral) error {
		if c.RequestedAt.IsZero() {
			return contest.Errorf(contest.ECONFLICT, "The request has not been sent to a platform yet.")
		}
		if platformRef == "" {
			platformRef = c.PlatformRef
		}
		if _, err := tx.ExecContext(ctx, "UPDATE content_referrals SET response = $1, response_note = $2, responded_at = $3, platform_ref = $4, status = $1, updated_by = $5, updated_at = $3 WHERE id = $6",
			response, note, micros(tx.now), platformRef, a.UserID, id); err != nil {
			return fmt.Errorf("respond content referral: %w", err)
		}
		detail := d.changes("platform_ref", c.PlatformRef, platformRef, "note", c.ResponseNote, note)
		detail["response"] = c.Response + " -> " + response
		detail["hours"] = strconv.FormatFloat(tx.now.Sub(c.RequestedAt).Hours(), 'f', 1, 64)
		c.Response, c.ResponseNote, c.RespondedAt, c.PlatformRef, c.Status = response, note, tx.now, platformRef, response
		return tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditUpdate, Kind: contest.KindContentRef, RecordID: itoa(id), Detail: detail})
	})
}

// ContentStats implements contest.ContentService. A referral counts in the
// month its request was sent; a removal is a "removed" response, timed from
// the request.
func (d *DB) ContentStats(ctx context.Context, a *contest.Actor) ([]contest.ContentStatRow, error) {
	if err := d.forbid(ctx, a, access.Read, contest.AuditList, contest.KindContentRef, ""); err != nil {
		return nil, err
	}
	where, args := access.Filter(a, access.Read, contest.KindContentRef, "t", 1)
	rows, err := d.read.QueryContext(ctx, "SELECT COALESCE(o.name, t.platform), t.requested_at, t.response, t.responded_at FROM content_referrals t "+
		"LEFT JOIN orgs o ON o.id = t.platform_org_id WHERE t.requested_at > 0 AND "+where, args...)
	if err != nil {
		return nil, fmt.Errorf("content stats: %w", err)
	}
	defer rows.Close()
	type key struct{ platform, month string }
	type acc struct {
		n     int
		hours []float64
	}
	groups := map[key]*acc{}
	for rows.Next() {
		var platform, response string
		var req, resp int64
		if err := rows.Scan(&platform, &req, &response, &resp); err != nil {
			return nil, err
		}
		k := key{platform, fromMicros(req).Format("2006-01")}
		g := groups[k]
		if g == nil {
			g = &acc{}
			groups[k] = g
		}
		g.n++
		if response == contest.ContentRemoved && resp >= req {
			g.hours = append(g.hours, float64(resp-req)/float64(time.Hour/time.Microsecond))
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]contest.ContentStatRow, 0, len(groups))
	for k, g := range groups {
		r := contest.ContentStatRow{Platform: k.platform, Month: k.month, Referrals: g.n, Removals: len(g.hours)}
		r.RemovalRate = float64(r.Removals) / float64(r.Referrals)
		r.MedianHours, r.P90Hours = percentile(g.hours, 0.5), percentile(g.hours, 0.9)
		out = append(out, r)
	}
	slices.SortFunc(out, func(x, y contest.ContentStatRow) int {
		if c := strings.Compare(x.Month, y.Month); c != 0 {
			return c
		}
		return strings.Compare(x.Platform, y.Platform)
	})
	if err := d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditList, Kind: contest.KindContentRef,
		Detail: map[string]string{"statistics": strconv.Itoa(len(out))}}); err != nil {
		return nil, err
	}
	return out, nil
}

// percentile is the nearest-rank percentile p (0..1] of xs, or 0 for none.
func percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	rank := int(p*float64(len(s)) + 0.999999999)
	return s[min(max(rank, 1), len(s))-1]
}

// ImportContentReferrals stores referrals with whatever state they carry
// (assessment, request, response), in one transaction: for the demo loader
// and migrations of earlier records. Only the command-line operator may.
func (d *DB) ImportContentReferrals(ctx context.Context, a *contest.Actor, refs []*contest.ContentReferral) error {
	if a == nil || !a.System {
		return d.denied(ctx, a, contest.AuditCreate, contest.KindContentRef, "", "import is for the operator", forbidden())
	}
	return d.inWrite(ctx, func(tx *Tx) error {
		for _, c := range refs {
			if err := c.Validate(); err != nil {
				return err
			}
			created := c.Meta.CreatedAt
			if err := tx.insertReferral(ctx, a, c, map[string]string{"import": "demo"}); err != nil {
				return err
			}
			if created.IsZero() {
				created = tx.now
			}
			if _, err := tx.ExecContext(ctx, "UPDATE content_referrals SET offence = $1, assessment_note = $2, assessed_by = $3, assessed_at = $4, requested_at = $5, "+
				"platform_ref = $6, response = $7, response_note = $8, responded_at = $9, created_at = $10, owner_org_id = $11, platform_org_id = $12 WHERE id = $13",
				c.Offence, c.AssessmentNote, c.AssessedBy, micros(c.AssessedAt), micros(c.RequestedAt), c.PlatformRef, c.Response, c.ResponseNote,
				micros(c.RespondedAt), micros(created), ownerFor(c), c.PlatformOrgID, c.ID); err != nil {
				return fmt.Errorf("import content referral: %w", err)
			}
		}
		return nil
	})
}

// ownerFor is the owning organisation of an imported referral: the platform
// once the request has been sent.
func ownerFor(c *contest.ContentReferral) int64 {
	if !c.RequestedAt.IsZero() && c.PlatformOrgID != 0 {
		return c.PlatformOrgID
	}
	return c.Meta.OwnerOrgID
}

// PendingPlatformNotifications counts the notifications to platforms
// waiting to be sent, for the operator and tests.
func (d *DB) PendingPlatformNotifications(ctx context.Context) (int, error) {
	var n int
	err := d.read.QueryRowContext(ctx, "SELECT COUNT(*) FROM content_notifications WHERE status = 'pending'").Scan(&n)
	return n, err
}

// matchReportImages hashes every attachment of a stored public report
// (MD5, SHA-256, and for images PDQ in its eight rotations and flips) and
// matches it against every enabled hash bank, in the report's own write
// transaction tx. It is for the reports store to call when it stores a
// report with attachments; like queueLinksForAssessment it makes no access
// decision of its own.
//
// For each attachment that matches known material it makes a content
// referral "for assessment", already raised, with the attachment as its
// capture and the matches recorded (shown on the referral with their
// distance and bank); its URL is empty until an officer finds the content
// online, and it takes the report's access metadata as
// queueLinksForAssessment does. It returns the matches of all attachments
// (each with the capture it made), so that the report can be raised too.
//
// hashes are the attachments' hashes from hashAttachments, made before the
// write transaction (decoding an image takes milliseconds the one writer
// must not spend), or nil to hash them here.
func (tx *Tx) matchReportImages(ctx context.Context, a *contest.Actor, reportID int64, atts []*contest.Attachment, meta *contest.Meta, hashes []attachmentHash) ([]*contest.HashMatch, error) {
	if reportID <= 0 || meta == nil {
		return nil, fmt.Errorf("match report images: report id and meta are required")
	}
	if hashes == nil {
		hashes = hashAttachments(atts)
	}
	var all []*contest.HashMatch
	for i, at := range atts {
		if !hashes[i].ok {
			continue
		}
		h, dih := hashes[i].h, hashes[i].dih
		ms, err := tx.db.matchHashes(ctx, tx, h, dih, "", nil)
		if err != nil {
			return nil, err
		}
		if len(ms) == 0 {
			continue
		}
		ct := "image"
		if h.PDQ == "" {
			ct = "other"
		}
		c := &contest.ContentReferral{ContentType: ct, SourceReportID: reportID,
			Meta: contest.Meta{Classification: meta.Classification, Compartments: slices.Clone(meta.Compartments), Area: meta.Area, OwnerOrgID: meta.OwnerOrgID}}
		if err := tx.insertReferral(ctx, a, c, map[string]string{"source_report": itoa(reportID), "matches": strconv.Itoa(len(ms))}); err != nil {
			return nil, err
		}
		var cid int64
		if err := tx.QueryRowContext(ctx, "INSERT INTO content_captures (referral_id, file_name, media_type, size, md5, sha256, pdq, quality, data, created_by, created_at) "+
			"VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) RETURNING id", c.ID, cleanFileName(at.Filename), sniffType(at.Data), len(at.Data), h.MD5, h.SHA256, h.PDQ, h.Quality,
			at.Data, a.UserID, micros(tx.now)).Scan(&cid); err != nil {
			return nil, fmt.Errorf("insert capture: %w", err)
		}
		for _, m := range ms {
			if _, err := tx.ExecContext(ctx, "INSERT INTO content_matches (referral_id, capture_id, signal_id, bank_id, signal_type, distance, matched_at) VALUES ($1,$2,$3,$4,$5,$6,$7)",
				c.ID, cid, m.SignalID, m.BankID, m.SignalType, m.Distance, micros(tx.now)); err != nil {
				return nil, fmt.Errorf("insert match: %w", err)
			}
			m.CaptureID, m.MatchedAt = cid, tx.now
		}
		if _, err := tx.ExecContext(ctx, "UPDATE content_referrals SET raised_at = $1 WHERE id = $2", micros(tx.now), c.ID); err != nil {
			return nil, err
		}
		all = append(all, ms...)
	}
	return all, nil
}

// attachmentHash is an attachment's hashes, made outside the transaction.
type attachmentHash struct {
	h   contest.Hashes
	dih *pdq.Dihedrals
	ok  bool
}

// hashAttachments hashes the attachments that can be captures.
func hashAttachments(atts []*contest.Attachment) []attachmentHash {
	out := make([]attachmentHash, len(atts))
	for i, at := range atts {
		if len(at.Data) == 0 || len(at.Data) > contest.MaxCaptureBytes {
			continue
		}
		out[i].h, out[i].dih = hashData(at.Data)
		out[i].ok = true
	}
	return out
}
