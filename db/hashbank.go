package db

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"weak"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/access"
	"github.com/contest-ct/contest/pdq"
)

// Hash banks and matching.
//
// Exact signals (md5, sha256) are matched in the database, by the index on
// hash_bank_signals(signal_type, value). PDQ signals are matched in an
// in-memory pdq.Index held by each process for each open *DB (pdq.Index
// does a 1M-hash query in under a millisecond; a database scan could not).
// Several nodes sharing one PostgreSQL stay correct because no node trusts
// its index alone:
//
//   - the index is built from the database on first use, and before every
//     query it catches up by reading the pdq rows of hash_bank_signals with
//     an id above the highest it has loaded;
//   - signals are never updated or deleted, and on PostgreSQL the
//     transactions that add them hold a self-conflicting table lock, so ids
//     become visible in increasing order and a catch-up never skips a row
//     that commits later with a smaller id;
//   - whether a bank is enabled, and its threshold, are read from the
//     database at each query (the index is searched at the largest enabled
//     threshold and each hit checked against its own bank), so a bank
//     disabled on one node stops matching on every node at once.

// bankIndex is one process's PDQ index of one database's hash banks. It
// holds the hashes only (63 bytes each, within the 64-byte budget of issue
// 8): a hit is looked up in the database by its value, which gives its
// signal, bank and whether the bank is enabled.
type bankIndex struct {
	mu   sync.Mutex // serialises catch-up
	ix   *pdq.Index
	last int64 // highest signal id loaded
}

// bankIndexes maps a weak pointer to an open *DB to its index; the entry is
// dropped when the *DB is collected.
var bankIndexes sync.Map

func (d *DB) bankIndex() *bankIndex {
	key := weak.Make(d)
	if v, ok := bankIndexes.Load(key); ok {
		return v.(*bankIndex)
	}
	v, loaded := bankIndexes.LoadOrStore(key, &bankIndex{ix: pdq.NewIndex()})
	if !loaded {
		runtime.AddCleanup(d, func(k weak.Pointer[DB]) { bankIndexes.Delete(k) }, key)
	}
	return v.(*bankIndex)
}

// catchUp loads the pdq signals added since the last catch-up, from any
// node.
func (bi *bankIndex) catchUp(ctx context.Context, q queryer) error {
	bi.mu.Lock()
	defer bi.mu.Unlock()
	// By id alone, so that both engines walk the primary key from the last
	// row seen (a filter on signal_type would tempt SQLite into the
	// (signal_type, value) index and a scan of every pdq row); rows of other
	// types are skipped here.
	rows, err := q.QueryContext(ctx, "SELECT id, signal_type, value FROM hash_bank_signals WHERE id > $1 ORDER BY id", bi.last)
	if err != nil {
		return fmt.Errorf("hash index catch-up: %w", err)
	}
	defer rows.Close()
	var hs []pdq.Hash256
	last := bi.last
	for rows.Next() {
		var id int64
		var typ, v string
		if err := rows.Scan(&id, &typ, &v); err != nil {
			return err
		}
		last = id
		if typ != "pdq" {
			continue
		}
		h, err := pdq.ParseHash(v)
		if err != nil {
			return fmt.Errorf("hash index: signal %d: %w", id, err)
		}
		hs = append(hs, h)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	bi.last = last
	if len(hs) > 0 {
		bi.ix.AddBatch(hs)
	}
	return nil
}

const bankCols = "b.id, b.name, b.description, b.labels, b.enabled, b.threshold, b.classification, b.owner_org_id, b.area, b.created_by, b.created_at, b.updated_by, b.updated_at, b.review_at"

func scanBank(r interface{ Scan(...any) error }) (*contest.HashBank, error) {
	var b contest.HashBank
	var labels string
	var enabled int
	var tmp [5]int64
	if err := r.Scan(append([]any{&b.ID, &b.Name, &b.Description, &labels, &enabled, &b.Threshold}, metaDest(&b.Meta, &tmp)...)...); err != nil {
		return nil, err
	}
	metaFinish(&b.Meta, &tmp)
	b.Enabled = enabled != 0
	b.Labels = []string{}
	if labels != "" {
		b.Labels = strings.Split(labels, "\n")
	}
	return &b, nil
}

func flag(b bool) int {
	if b {
		return 1
	}
	return 0
}

// FindHashBanks implements contest.ContentService.
func (d *DB) FindHashBanks(ctx context.Context, a *contest.Actor) ([]*contest.HashBank, error) {
	if err := d.forbid(ctx, a, access.Read, contest.AuditList, contest.KindHashBank, ""); err != nil {
		return nil, err
	}
	where, args := access.Filter(a, access.Read, contest.KindHashBank, "b", 1)
	rows, err := d.read.QueryContext(ctx, "SELECT "+bankCols+", (SELECT COUNT(*) FROM hash_bank_signals s WHERE s.bank_id = b.id) FROM hash_banks b WHERE "+where+" ORDER BY b.name", args...)
	if err != nil {
		return nil, fmt.Errorf("find hash banks: %w", err)
	}
	defer rows.Close()
	var out []*contest.HashBank
	for rows.Next() {
		var n int
		b, err := scanBank(scanPlus{rows, &n})
		if err != nil {
			return nil, err
		}
		b.Signals = n
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditList, Kind: contest.KindHashBank,
		Detail: map[string]string{"results": strconv.Itoa(len(out))}}); err != nil {
		return nil, err
	}
	return out, nil
}

// scanPlus scans a row's leading columns into a scanner's destinations and
// its trailing ones into extra.
type scanPlus struct {
	r     interface{ Scan(...any) error }
	extra *int
}

func (s scanPlus) Scan(dst ...any) error { return s.r.Scan(append(dst, s.extra)...) }

// bankByID reads a bank and decides act on it; hidden and missing give the
// same not-found.
func (d *DB) bankByID(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, a *contest.Actor, act access.Action, id int64) (*contest.HashBank, error) {
	var n int
	b, err := scanBank(scanPlus{q.QueryRowContext(ctx, "SELECT "+bankCols+", (SELECT COUNT(*) FROM hash_bank_signals s WHERE s.bank_id = b.id) FROM hash_banks b WHERE b.id = $1", id), &n})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, contest.NotFound(contest.KindHashBank)
	} else if err != nil {
		return nil, fmt.Errorf("find hash bank: %w", err)
	}
	b.Signals = n
	if err := loadCompartments(ctx, d.read, contest.KindHashBank, map[int64]*contest.Meta{id: &b.Meta}); err != nil {
		return nil, err
	}
	if !access.Allowed(a, act, contest.KindHashBank, &b.Meta) {
		return nil, contest.NotFound(contest.KindHashBank)
	}
	return b, nil
}

// FindHashBankByID implements contest.ContentService.
func (d *DB) FindHashBankByID(ctx context.Context, a *contest.Actor, id int64) (*contest.HashBank, error) {
	b, err := d.bankByID(ctx, d.read, a, access.Read, id)
	if err != nil {
		if contest.ErrorCode(err) == contest.ENOTFOUND {
			return nil, d.denied(ctx, a, contest.AuditRead, contest.KindHashBank, itoa(id), "hidden or missing", err)
		}
		return nil, err
	}
	if err := d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditRead, Kind: contest.KindHashBank, RecordID: itoa(id)}); err != nil {
		return nil, err
	}
	return b, nil
}

// CreateHashBank implements contest.ContentService. A zero threshold on a
// new bank takes contest.DefaultPDQThreshold.
func (d *DB) CreateHashBank(ctx context.Context, a *contest.Actor, b *contest.HashBank) error {
	if err := d.forbid(ctx, a, access.Create, contest.AuditCreate, contest.KindHashBank, ""); err != nil {
		return err
	}
	if b.Threshold == 0 {
		b.Threshold = contest.DefaultPDQThreshold
	}
	if err := b.Validate(); err != nil {
		return err
	}
	return d.inWrite(ctx, func(tx *Tx) error {
		b.Meta = contest.Meta{Classification: b.Meta.Classification, Compartments: b.Meta.Compartments}
		tx.newMeta(a, &b.Meta)
		err := tx.QueryRowContext(ctx, "INSERT INTO hash_banks (name, description, labels, enabled, threshold, "+metaCols+
			") VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13) RETURNING id",
			append([]any{b.Name, b.Description, strings.Join(b.Labels, "\n"), flag(b.Enabled), b.Threshold}, metaArgs(&b.Meta)...)...).Scan(&b.ID)
		if isUnique(err) {
			return &contest.Error{Code: contest.ECONFLICT, Message: "There is a problem with the information you gave.",
				Fields: []contest.FieldError{{Field: "name", Message: "A hash bank with that name already exists"}}}
		} else if err != nil {
			return fmt.Errorf("insert hash bank: %w", err)
		}
		if err := tx.setCompartments(ctx, contest.KindHashBank, b.ID, b.Meta.Compartments); err != nil {
			return err
		}
		return tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditCreate, Kind: contest.KindHashBank, RecordID: itoa(b.ID),
			Detail: map[string]string{"name": d.hasher.HMAC(b.Name), "enabled": strconv.FormatBool(b.Enabled), "threshold": strconv.Itoa(b.Threshold)}})
	})
}

// UpdateHashBank implements contest.ContentService.
func (d *DB) UpdateHashBank(ctx context.Context, a *contest.Actor, b *contest.HashBank) error {
	if err := d.forbid(ctx, a, access.Update, contest.AuditUpdate, contest.KindHashBank, itoa(b.ID)); err != nil {
		return err
	}
	if err := b.Validate(); err != nil {
		return err
	}
	err := d.inWrite(ctx, func(tx *Tx) error {
		old, err := d.bankByID(ctx, tx, a, access.Update, b.ID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE hash_banks SET description = $1, labels = $2, enabled = $3, threshold = $4, updated_by = $5, updated_at = $6 WHERE id = $7",
			b.Description, strings.Join(b.Labels, "\n"), flag(b.Enabled), b.Threshold, a.UserID, micros(tx.now), b.ID); err != nil {
			return fmt.Errorf("update hash bank: %w", err)
		}
		detail := d.changes("description", old.Description, b.Description, "labels", strings.Join(old.Labels, ","), strings.Join(b.Labels, ","))
		if old.Enabled != b.Enabled {
			detail["enabled"] = strconv.FormatBool(old.Enabled) + " -> " + strconv.FormatBool(b.Enabled)
		}
		if old.Threshold != b.Threshold {
			detail["threshold"] = strconv.Itoa(old.Threshold) + " -> " + strconv.Itoa(b.Threshold)
		}
		b.Name, b.Meta, b.Signals = old.Name, old.Meta, old.Signals
		b.Meta.UpdatedBy, b.Meta.UpdatedAt = a.UserID, tx.now
		return tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditUpdate, Kind: contest.KindHashBank, RecordID: itoa(b.ID), Detail: detail})
	})
	if contest.ErrorCode(err) == contest.ENOTFOUND {
		return d.denied(ctx, a, contest.AuditUpdate, contest.KindHashBank, itoa(b.ID), "hidden or missing", err)
	}
	return err
}

// lockSignals makes signal ids visible in increasing order on PostgreSQL
// (see the comment at the top of this file). SQLite has one writer anyway.
func (tx *Tx) lockSignals(ctx context.Context) error {
	if tx.db.engine != Postgres {
		return nil
	}
	_, err := tx.ExecContext(ctx, "LOCK TABLE hash_bank_signals IN SHARE ROW EXCLUSIVE MODE")
	return err
}

// ImportHashBank implements contest.ContentService. Rows already in the
// bank are skipped; the whole file is checked before anything is stored.
func (d *DB) ImportHashBank(ctx context.Context, a *contest.Actor, id int64, r io.Reader) (int, error) {
	if err := d.forbid(ctx, a, access.Update, contest.AuditUpdate, contest.KindHashBank, itoa(id)); err != nil {
		return 0, err
	}
	sigs, err := pdq.ReadSignalCSV(r)
	if err != nil {
		return 0, (contest.FieldErrors{{Field: "file", Message: strings.TrimPrefix(err.Error(), "signal csv ")}}).Err()
	}
	var added int
	err = d.inWrite(ctx, func(tx *Tx) error {
		if _, err := d.bankByID(ctx, tx, a, access.Update, id); err != nil {
			return err
		}
		if err := tx.lockSignals(ctx); err != nil {
			return err
		}
		// 200 rows to a statement: far fewer round trips for lists of
		// millions, well within both engines' limits on bound parameters.
		kept := slices.DeleteFunc(slices.Clone(sigs), func(s pdq.Signal) bool { return s.Type == "video_md5" }) // videos are not hashed here
		for len(kept) > 0 {
			chunk := kept[:min(200, len(kept))]
			kept = kept[len(chunk):]
			var q strings.Builder
			q.WriteString("INSERT INTO hash_bank_signals (bank_id, signal_type, value, added_by, added_at) VALUES ")
			args := []any{id, a.UserID, micros(tx.now)}
			for i, s := range chunk {
				if i > 0 {
					q.WriteString(",")
				}
				args = append(args, s.Type, s.Value)
				fmt.Fprintf(&q, "($1,$%d,$%d,$2,$3)", len(args)-1, len(args))
			}
			q.WriteString(" ON CONFLICT (bank_id, signal_type, value) DO NOTHING")
			res, err := tx.ExecContext(ctx, q.String(), args...)
			if err != nil {
				return fmt.Errorf("import signals: %w", err)
			}
			n, _ := res.RowsAffected()
			added += int(n)
		}
		return tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditUpdate, Kind: contest.KindHashBank, RecordID: itoa(id),
			Detail: map[string]string{"imported": strconv.Itoa(len(sigs)), "added": strconv.Itoa(added)}})
	})
	if contest.ErrorCode(err) == contest.ENOTFOUND {
		return 0, d.denied(ctx, a, contest.AuditUpdate, contest.KindHashBank, itoa(id), "hidden or missing", err)
	}
	return added, err
}

// ExportHashBank implements contest.ContentService.
func (d *DB) ExportHashBank(ctx context.Context, a *contest.Actor, id int64, w io.Writer) error {
	if err := d.forbid(ctx, a, access.Export, contest.AuditExport, contest.KindHashBank, itoa(id)); err != nil {
		return err
	}
	if _, err := d.bankByID(ctx, d.read, a, access.Export, id); err != nil {
		return d.denied(ctx, a, contest.AuditExport, contest.KindHashBank, itoa(id), "hidden or missing", err)
	}
	rows, err := d.read.QueryContext(ctx, "SELECT signal_type, value FROM hash_bank_signals WHERE bank_id = $1 ORDER BY id", id)
	if err != nil {
		return fmt.Errorf("export hash bank: %w", err)
	}
	defer rows.Close()
	var sigs []pdq.Signal
	for rows.Next() {
		var s pdq.Signal
		if err := rows.Scan(&s.Type, &s.Value); err != nil {
			return err
		}
		sigs = append(sigs, s)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	// The entry is committed before any data leaves.
	if err := d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditExport, Kind: contest.KindHashBank, RecordID: itoa(id),
		Detail: map[string]string{"signals": strconv.Itoa(len(sigs))}}); err != nil {
		return err
	}
	return pdq.WriteSignalCSV(w, sigs)
}

// hashData computes the hashes of a file, and for a matchable image its
// eight dihedral PDQ hashes (nil otherwise).
func hashData(data []byte) (contest.Hashes, *pdq.Dihedrals) {
	m, s := md5.Sum(data), sha256.Sum256(data)
	h := contest.Hashes{MD5: hex.EncodeToString(m[:]), SHA256: hex.EncodeToString(s[:])}
	if len(data) > pdq.MaxFileSize {
		h.Note = "too large for a PDQ hash"
		return h, nil
	}
	ph, dih, err := pdq.DihedralsBytes(data)
	switch {
	case errors.Is(err, pdq.ErrNotImage):
		h.Note = "not an image: no PDQ hash"
		return h, nil
	case err != nil:
		h.Note = "the image could not be decoded: no PDQ hash"
		return h, nil
	}
	h.PDQ, h.Quality = ph.String(), ph.Quality
	if !ph.Matchable() {
		h.Note = fmt.Sprintf("PDQ quality %d is %d or less: never matched", ph.Quality, pdq.MinMatchableQuality-1)
		return h, nil
	}
	return h, &dih
}

// matchHashes matches a file's hashes against every enabled bank: md5 and
// sha256 exactly, PDQ (all eight dihedral forms when dih is given, else
// h.PDQ alone when matchable) within each bank's threshold. bankWhere, when
// not empty, is an access predicate on hash_banks b with its arguments
// numbered from $1; matches in other banks are left out.
func (d *DB) matchHashes(ctx context.Context, q queryer, h contest.Hashes, dih *pdq.Dihedrals, bankWhere string, bankArgs []any) ([]*contest.HashMatch, error) {
	if bankWhere == "" {
		bankWhere = "1=1"
	}
	n := len(bankArgs)
	sel := "SELECT s.id, s.bank_id, b.name, s.signal_type, s.value, b.threshold FROM hash_bank_signals s JOIN hash_banks b ON b.id = s.bank_id WHERE b.enabled = 1 AND " + bankWhere
	var out []*contest.HashMatch
	scanAll := func(rows *sql.Rows, dist map[string]int) error {
		defer rows.Close()
		for rows.Next() {
			var m contest.HashMatch
			var threshold int
			if err := rows.Scan(&m.SignalID, &m.BankID, &m.BankName, &m.SignalType, &m.Signal, &threshold); err != nil {
				return err
			}
			if dist != nil {
				m.Distance = dist[m.Signal]
				if m.Distance > threshold {
					continue
				}
			}
			out = append(out, &m)
		}
		return rows.Err()
	}
	for _, ex := range [][2]string{{"md5", h.MD5}, {"sha256", h.SHA256}} {
		if ex[1] == "" {
			continue
		}
		rows, err := q.QueryContext(ctx, sel+" AND s.signal_type = $"+strconv.Itoa(n+1)+" AND s.value = $"+strconv.Itoa(n+2)+" ORDER BY s.id",
			append(slices.Clone(bankArgs), ex[0], ex[1])...)
		if err != nil {
			return nil, fmt.Errorf("match %s: %w", ex[0], err)
		}
		if err := scanAll(rows, nil); err != nil {
			return nil, err
		}
	}
	var qs []pdq.Hash256
	if dih != nil {
		qs = dih[:]
	} else if h.PDQ != "" && h.Quality >= pdq.MinMatchableQuality {
		ph, err := pdq.ParseHash(h.PDQ)
		if err != nil {
			return nil, contest.Errorf(contest.EINVALID, "The PDQ hash must be 64 hexadecimal digits.")
		}
		qs = []pdq.Hash256{ph}
	}
	if len(qs) == 0 {
		return out, nil
	}
	var maxT sql.NullInt64
	if err := queryOne(ctx, q, "SELECT MAX(threshold) FROM hash_banks WHERE enabled = 1", &maxT); err != nil {
		return nil, err
	}
	if !maxT.Valid {
		return out, nil
	}
	bi := d.bankIndex()
	if err := bi.catchUp(ctx, q); err != nil {
		return nil, err
	}
	hits := bi.ix.QueryDihedral(qs, int(maxT.Int64))
	if len(hits) == 0 {
		return out, nil
	}
	dist := make(map[string]int, len(hits))
	var values []string
	for _, m := range hits {
		v := bi.ix.Hash(m.ID).String()
		if d, seen := dist[v]; !seen {
			dist[v] = m.Distance
			values = append(values, v)
		} else if m.Distance < d {
			dist[v] = m.Distance
		}
	}
	// Looked up 500 values at a time, well within both engines' limits on
	// bound parameters.
	for len(values) > 0 {
		chunk := values[:min(500, len(values))]
		values = values[len(chunk):]
		args := slices.Clone(bankArgs)
		ph := make([]string, len(chunk))
		for i, v := range chunk {
			args = append(args, v)
			ph[i] = "$" + strconv.Itoa(len(args))
		}
		rows, err := q.QueryContext(ctx, sel+" AND s.signal_type = 'pdq' AND s.value IN ("+strings.Join(ph, ",")+") ORDER BY s.id", args...)
		if err != nil {
			return nil, fmt.Errorf("match pdq: %w", err)
		}
		if err := scanAll(rows, dist); err != nil {
			return nil, err
		}
	}
	slices.SortStableFunc(out, func(x, y *contest.HashMatch) int { return x.Distance - y.Distance })
	return out, nil
}

// queryOne scans the one row of a query through a queryer.
func queryOne(ctx context.Context, q queryer, query string, dst ...any) error {
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return sql.ErrNoRows
	}
	if err := rows.Scan(dst...); err != nil {
		return err
	}
	return rows.Close()
}

// MatchSignal implements contest.ContentService.
func (d *DB) MatchSignal(ctx context.Context, a *contest.Actor, signalType, value string, quality int) ([]*contest.HashMatch, error) {
	if err := d.forbid(ctx, a, access.Read, contest.AuditSearch, contest.KindHashBank, ""); err != nil {
		return nil, err
	}
	var fe contest.FieldErrors
	value = strings.ToLower(strings.TrimSpace(value))
	var h contest.Hashes
	want := map[string]int{"pdq": 64, "md5": 32, "sha256": 64}
	n, ok := want[signalType]
	if !ok {
		fe.Add("signal_type", "Signal type must be pdq, md5 or sha256")
	} else if _, err := hex.DecodeString(value); err != nil || len(value) != n {
		fe.Add("signal", fmt.Sprintf("A %s signal is %d hexadecimal digits", signalType, n))
	}
	if quality > 100 {
		fe.Add("quality", "Quality must be from 0 to 100")
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	switch signalType {
	case "pdq":
		h.PDQ, h.Quality = value, quality
		if quality < 0 {
			h.Quality = 100 // unknown: a hash from a bank or a partner
		}
	case "md5":
		h.MD5 = value
	case "sha256":
		h.SHA256 = value
	}
	where, args := access.Filter(a, access.Read, contest.KindHashBank, "b", 1)
	ms, err := d.matchHashes(ctx, d.read, h, nil, where, args)
	if err != nil {
		return nil, err
	}
	if err := d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditSearch, Kind: contest.KindHashBank,
		Detail: map[string]string{"signal_type": signalType, "results": strconv.Itoa(len(ms))}}); err != nil {
		return nil, err
	}
	return ms, nil
}

// HashFile implements contest.ContentService.
func (d *DB) HashFile(ctx context.Context, a *contest.Actor, data []byte) (*contest.Hashes, []*contest.HashMatch, error) {
	if err := d.forbid(ctx, a, access.Read, contest.AuditSearch, contest.KindHashBank, ""); err != nil {
		return nil, nil, err
	}
	h, dih := hashData(data)
	where, args := access.Filter(a, access.Read, contest.KindHashBank, "b", 1)
	ms, err := d.matchHashes(ctx, d.read, h, dih, where, args)
	if err != nil {
		return nil, nil, err
	}
	if err := d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditSearch, Kind: contest.KindHashBank,
		Detail: map[string]string{"signal_type": "file", "results": strconv.Itoa(len(ms))}}); err != nil {
		return nil, nil, err
	}
	return &h, ms, nil
}
