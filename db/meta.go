package db

import (
	"context"
	"database/sql"
	"slices"
	"strconv"
	"strings"

	"github.com/contest-ct/contest"
)

// metaCols are the columns every record table carries, in scan order.
const metaCols = "classification, owner_org_id, area, created_by, created_at, updated_by, updated_at, review_at"

// metaDest returns scan destinations for metaCols into m.
func metaDest(m *contest.Meta, tmp *[5]int64) []any {
	return []any{&m.Classification, &m.OwnerOrgID, &m.Area, &m.CreatedBy, &tmp[0], &m.UpdatedBy, &tmp[1], &tmp[2]}
}

func metaFinish(m *contest.Meta, tmp *[5]int64) {
	m.CreatedAt, m.UpdatedAt, m.ReviewAt = fromMicros(tmp[0]), fromMicros(tmp[1]), fromMicros(tmp[2])
}

// newMeta fills in the creation fields of a record made by a in tx.
func (tx *Tx) newMeta(a *contest.Actor, m *contest.Meta) {
	if !m.Classification.Valid() {
		m.Classification = contest.Official
	}
	if m.OwnerOrgID == 0 {
		m.OwnerOrgID = a.OrgID
	}
	m.CreatedBy, m.UpdatedBy = a.UserID, a.UserID
	m.CreatedAt, m.UpdatedAt = tx.now, tx.now
	if m.ReviewAt.IsZero() {
		m.ReviewAt = tx.now.Add(contest.DefaultRetention)
	}
	slices.Sort(m.Compartments)
	m.Compartments = slices.Compact(m.Compartments)
}

// metaArgs are the values for metaCols.
func metaArgs(m *contest.Meta) []any {
	return []any{int(m.Classification), m.OwnerOrgID, m.Area, m.CreatedBy, micros(m.CreatedAt), m.UpdatedBy, micros(m.UpdatedAt), micros(m.ReviewAt)}
}

// setCompartments records a record's compartments.
func (tx *Tx) setCompartments(ctx context.Context, kind contest.Kind, id int64, comps []int64) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM record_compartments WHERE kind = $1 AND record_id = $2", string(kind), id); err != nil {
		return err
	}
	for _, c := range comps {
		if _, err := tx.ExecContext(ctx, "INSERT INTO record_compartments (kind, record_id, compartment_id) VALUES ($1, $2, $3)", string(kind), id, c); err != nil {
			return contest.Errorf(contest.EINVALID, "Compartment %d does not exist", c)
		}
	}
	return nil
}

type queryer interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

// collect scans every row with scan, and closes rows.
func collect[T any](rows *sql.Rows, scan func(interface{ Scan(...any) error }) (*T, error)) ([]*T, error) {
	defer rows.Close()
	var out []*T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// inList is ids as the text of an SQL IN list. Ids are integers, so they
// are safe to inline.
func inList(ids []int64) string {
	list := make([]string, len(ids))
	for i, id := range ids {
		list[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(list, ",")
}

// groupedIDs runs a query selecting (key, value) integer pairs whose text
// has one %s where the list of keys goes, and groups the values by key in
// the order the query returns them. Keys are integers, so they are inlined.
func groupedIDs(ctx context.Context, q queryer, query string, keys []int64, args ...any) (map[int64][]int64, error) {
	out := map[int64][]int64{}
	if len(keys) == 0 {
		return out, nil
	}
	rows, err := q.QueryContext(ctx, strings.Replace(query, "%s", inList(keys), 1), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var k, v int64
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		out[k] = append(out[k], v)
	}
	return out, rows.Err()
}

// loadCompartments fills Meta.Compartments for records of one kind.
func loadCompartments(ctx context.Context, q queryer, kind contest.Kind, metas map[int64]*contest.Meta) error {
	ids := make([]int64, 0, len(metas))
	for id := range metas {
		ids = append(ids, id)
	}
	got, err := groupedIDs(ctx, q, "SELECT record_id, compartment_id FROM record_compartments WHERE kind = $1 AND record_id IN (%s) ORDER BY compartment_id", ids, string(kind))
	if err != nil {
		return err
	}
	for id, cs := range got {
		metas[id].Compartments = cs
	}
	return nil
}

// changes describes an update for the audit trail: field names readable,
// values as HMACs.
func (d *DB) changes(pairs ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i+2 < len(pairs); i += 3 {
		if pairs[i+1] != pairs[i+2] {
			m[pairs[i]] = d.hasher.HMAC(pairs[i+1]) + " -> " + d.hasher.HMAC(pairs[i+2])
		}
	}
	return m
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

// isUnique reports whether err is a unique-constraint violation.
func isUnique(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "UNIQUE constraint failed") || strings.Contains(s, "SQLSTATE 23505") || strings.Contains(s, "duplicate key")
}
