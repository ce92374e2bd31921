package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/access"
)

const orgCols = "id, name, kind, " + metaCols

func scanOrg(r interface{ Scan(...any) error }) (*contest.Org, error) {
	var o contest.Org
	var kind string
	var tmp [5]int64
	if err := r.Scan(append([]any{&o.ID, &o.Name, &kind}, metaDest(&o.Meta, &tmp)...)...); err != nil {
		return nil, err
	}
	metaFinish(&o.Meta, &tmp)
	o.Kind, o.Area = contest.OrgKind(kind), o.Meta.Area
	return &o, nil
}

// FindOrgs implements contest.OrgService.
func (d *DB) FindOrgs(ctx context.Context, a *contest.Actor) ([]*contest.Org, error) {
	where, args := access.Filter(a, access.Read, contest.KindOrg, "o", 1)
	rows, err := d.read.QueryContext(ctx, "SELECT "+orgCols+" FROM orgs o WHERE "+where+" ORDER BY name", args...)
	if err != nil {
		return nil, fmt.Errorf("find orgs: %w", err)
	}
	out, err := collect(rows, scanOrg)
	if err != nil {
		return nil, err
	}
	if err := d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditList, Kind: contest.KindOrg,
		Detail: map[string]string{"results": itoa(int64(len(out)))}}); err != nil {
		return nil, err
	}
	return out, nil
}

func (d *DB) orgByID(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, id int64) (*contest.Org, error) {
	o, err := scanOrg(q.QueryRowContext(ctx, "SELECT "+orgCols+" FROM orgs WHERE id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, contest.NotFound(contest.KindOrg)
	}
	return o, err
}

// FindOrgByID implements contest.OrgService.
func (d *DB) FindOrgByID(ctx context.Context, a *contest.Actor, id int64) (*contest.Org, error) {
	o, err := d.orgByID(ctx, d.read, id)
	if err != nil && contest.ErrorCode(err) != contest.ENOTFOUND {
		return nil, err
	}
	if o == nil {
		return nil, d.denied(ctx, a, contest.AuditRead, contest.KindOrg, itoa(id), "missing", contest.NotFound(contest.KindOrg))
	}
	if dec := access.Decide(a, access.Read, contest.KindOrg, &o.Meta); !dec.Allowed {
		return nil, d.denied(ctx, a, contest.AuditRead, contest.KindOrg, itoa(id), dec.Reason, contest.NotFound(contest.KindOrg))
	}
	if err := d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditRead, Kind: contest.KindOrg, RecordID: itoa(id)}); err != nil {
		return nil, err
	}
	return o, nil
}

// CreateOrg implements contest.OrgService.
func (d *DB) CreateOrg(ctx context.Context, a *contest.Actor, o *contest.Org) error {
	if err := d.forbid(ctx, a, access.Create, contest.AuditCreate, contest.KindOrg, ""); err != nil {
		return err
	}
	if err := o.Validate(); err != nil {
		return err
	}
	return d.inWrite(ctx, func(tx *Tx) error {
		o.Meta = contest.Meta{Classification: contest.Official, Area: o.Area}
		tx.newMeta(a, &o.Meta)
		err := tx.QueryRowContext(ctx, "INSERT INTO orgs (name, kind, "+metaCols+") VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) RETURNING id",
			append([]any{o.Name, string(o.Kind)}, metaArgs(&o.Meta)...)...).Scan(&o.ID)
		if isUnique(err) {
			return &contest.Error{Code: contest.ECONFLICT, Message: "There is a problem with the information you gave.",
				Fields: []contest.FieldError{{Field: "name", Message: "An organisation with that name already exists"}}}
		} else if err != nil {
			return fmt.Errorf("insert org: %w", err)
		}
		// The organisation owns itself.
		if _, err := tx.ExecContext(ctx, "UPDATE orgs SET owner_org_id = $1 WHERE id = $1", o.ID); err != nil {
			return err
		}
		o.Meta.OwnerOrgID = o.ID
		return tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditCreate, Kind: contest.KindOrg, RecordID: itoa(o.ID),
			Detail: map[string]string{"name": d.hasher.HMAC(o.Name), "kind": string(o.Kind)}})
	})
}
