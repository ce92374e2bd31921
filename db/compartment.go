package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/access"
)

const compCols = "c.id, c.name, c.description, c.classification, c.owner_org_id, c.area, c.created_by, c.created_at, c.updated_by, c.updated_at, c.review_at"

func scanComp(r interface{ Scan(...any) error }) (*contest.Compartment, error) {
	var c contest.Compartment
	var tmp [5]int64
	if err := r.Scan(append([]any{&c.ID, &c.Name, &c.Description}, metaDest(&c.Meta, &tmp)...)...); err != nil {
		return nil, err
	}
	metaFinish(&c.Meta, &tmp)
	return &c, nil
}

// compartmentVisible: administrators and auditors see every compartment,
// supervisors those of their organisation, and anyone sees the compartments
// they are a member of (so they know their own need-to-know groups).
func (d *DB) compartmentFilter(a *contest.Actor) (string, []any) {
	where, args := access.Filter(a, access.Read, contest.KindCompartment, "c", 1)
	if a == nil || a.System {
		return where, args
	}
	args = append(args, a.UserID)
	return "(" + where + " OR EXISTS (SELECT 1 FROM compartment_members m WHERE m.compartment_id = c.id AND m.user_id = $" +
		strconv.Itoa(len(args)) + "))", args
}

func (d *DB) members(ctx context.Context, q queryer, id int64) ([]int64, error) {
	rows, err := q.QueryContext(ctx, "SELECT user_id FROM compartment_members WHERE compartment_id = $1 ORDER BY user_id", id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var u int64
		if err := rows.Scan(&u); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// FindCompartments implements contest.CompartmentService.
func (d *DB) FindCompartments(ctx context.Context, a *contest.Actor) ([]*contest.Compartment, error) {
	where, args := d.compartmentFilter(a)
	rows, err := d.read.QueryContext(ctx, "SELECT "+compCols+" FROM compartments c WHERE "+where+" ORDER BY c.name", args...)
	if err != nil {
		return nil, fmt.Errorf("find compartments: %w", err)
	}
	out, err := collect(rows, scanComp)
	if err != nil {
		return nil, err
	}
	rows.Close()
	ids := make([]int64, len(out))
	for i, c := range out {
		ids[i] = c.ID
	}
	members, err := groupedIDs(ctx, d.read, "SELECT compartment_id, user_id FROM compartment_members WHERE compartment_id IN (%s) ORDER BY user_id", ids)
	if err != nil {
		return nil, err
	}
	for _, c := range out {
		c.Members = members[c.ID]
	}
	if err := d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditList, Kind: contest.KindCompartment,
		Detail: map[string]string{"results": itoa(int64(len(out)))}}); err != nil {
		return nil, err
	}
	return out, nil
}

// FindCompartmentByID implements contest.CompartmentService.
func (d *DB) FindCompartmentByID(ctx context.Context, a *contest.Actor, id int64) (*contest.Compartment, error) {
	where, args := d.compartmentFilter(a)
	args = append(args, id)
	c, err := scanComp(d.read.QueryRowContext(ctx, "SELECT "+compCols+" FROM compartments c WHERE "+where+" AND c.id = $"+strconv.Itoa(len(args)), args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, d.denied(ctx, a, contest.AuditRead, contest.KindCompartment, itoa(id), "hidden or missing", contest.NotFound(contest.KindCompartment))
	} else if err != nil {
		return nil, fmt.Errorf("find compartment: %w", err)
	}
	if c.Members, err = d.members(ctx, d.read, c.ID); err != nil {
		return nil, err
	}
	if err := d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditRead, Kind: contest.KindCompartment, RecordID: itoa(id)}); err != nil {
		return nil, err
	}
	return c, nil
}

// CreateCompartment implements contest.CompartmentService. The creator is
// made its first member, so that a compartment is never created that no one
// can use.
func (d *DB) CreateCompartment(ctx context.Context, a *contest.Actor, c *contest.Compartment) error {
	if err := d.forbid(ctx, a, access.Create, contest.AuditCreate, contest.KindCompartment, ""); err != nil {
		return err
	}
	if err := c.Validate(); err != nil {
		return err
	}
	return d.inWrite(ctx, func(tx *Tx) error {
		c.Meta = contest.Meta{Classification: contest.Official}
		tx.newMeta(a, &c.Meta)
		err := tx.QueryRowContext(ctx, "INSERT INTO compartments (name, description, "+metaCols+") VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) RETURNING id",
			append([]any{c.Name, c.Description}, metaArgs(&c.Meta)...)...).Scan(&c.ID)
		if isUnique(err) {
			return &contest.Error{Code: contest.ECONFLICT, Message: "There is a problem with the information you gave.",
				Fields: []contest.FieldError{{Field: "name", Message: "A compartment with that name already exists"}}}
		} else if err != nil {
			return fmt.Errorf("insert compartment: %w", err)
		}
		if err := tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditCreate, Kind: contest.KindCompartment, RecordID: itoa(c.ID),
			Detail: map[string]string{"name": d.hasher.HMAC(c.Name)}}); err != nil {
			return err
		}
		if a.UserID != 0 {
			if _, err := tx.ExecContext(ctx, "INSERT INTO compartment_members (compartment_id, user_id, added_by, added_at) VALUES ($1,$2,$3,$4)",
				c.ID, a.UserID, a.UserID, micros(tx.now)); err != nil {
				return err
			}
			c.Members = []int64{a.UserID}
			return tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditPermission, Kind: contest.KindCompartment, RecordID: itoa(c.ID),
				Detail: map[string]string{"member_added": itoa(a.UserID)}})
		}
		return nil
	})
}

// SetCompartmentMember implements contest.CompartmentService.
func (d *DB) SetCompartmentMember(ctx context.Context, a *contest.Actor, compartmentID, userID int64, member bool) error {
	if err := d.forbid(ctx, a, access.Admin, contest.AuditPermission, contest.KindCompartment, itoa(compartmentID)); err != nil {
		return err
	}
	err := d.inWrite(ctx, func(tx *Tx) error {
		c, err := scanComp(tx.QueryRowContext(ctx, "SELECT "+compCols+" FROM compartments c WHERE c.id = $1", compartmentID))
		if errors.Is(err, sql.ErrNoRows) {
			return contest.NotFound(contest.KindCompartment)
		} else if err != nil {
			return err
		}
		if !access.Allowed(a, access.Admin, contest.KindCompartment, &c.Meta) {
			return contest.NotFound(contest.KindCompartment)
		}
		u, err := d.userBy(ctx, tx, "id", userID)
		if err != nil {
			return err
		}
		if u == nil || !access.Allowed(a, access.Read, contest.KindUser, &u.Meta) {
			return &contest.Error{Code: contest.EINVALID, Message: "There is a problem with the information you gave.",
				Fields: []contest.FieldError{{Field: "user_id", Message: "Select a user that exists"}}}
		}
		key := "member_removed"
		if member {
			key = "member_added"
			_, err = tx.ExecContext(ctx, `INSERT INTO compartment_members (compartment_id, user_id, added_by, added_at) VALUES ($1,$2,$3,$4)
				ON CONFLICT (compartment_id, user_id) DO NOTHING`, compartmentID, userID, a.UserID, micros(tx.now))
		} else {
			_, err = tx.ExecContext(ctx, "DELETE FROM compartment_members WHERE compartment_id = $1 AND user_id = $2", compartmentID, userID)
		}
		if err != nil {
			return fmt.Errorf("set member: %w", err)
		}
		return tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditPermission, Kind: contest.KindCompartment,
			RecordID: itoa(compartmentID), Detail: map[string]string{key: itoa(userID)}})
	})
	if contest.ErrorCode(err) == contest.ENOTFOUND {
		return d.denied(ctx, a, contest.AuditPermission, contest.KindCompartment, itoa(compartmentID), "hidden or missing", err)
	}
	return err
}
