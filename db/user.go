package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/access"
)

const userCols = "u.id, u.org_id, u.username, u.display_name, u.email, u.role, u.vetting, u.disabled, u.totp_secret, u.last_sign_in, u.session_epoch, " +
	"u.classification, u.owner_org_id, u.area, u.created_by, u.created_at, u.updated_by, u.updated_at, u.review_at"

type userRow struct {
	contest.User
	totpSecret string
	epoch      int64
}

func scanUser(r interface{ Scan(...any) error }) (*userRow, error) {
	var u userRow
	var role string
	var disabled int
	var last int64
	var tmp [5]int64
	dest := []any{&u.ID, &u.OrgID, &u.Username, &u.DisplayName, &u.Email, &role, &u.Vetting, &disabled, &u.totpSecret, &last, &u.epoch}
	if err := r.Scan(append(dest, metaDest(&u.Meta, &tmp)...)...); err != nil {
		return nil, err
	}
	metaFinish(&u.Meta, &tmp)
	u.Role, u.Disabled, u.LastSignIn = contest.Role(role), disabled != 0, fromMicros(last)
	u.VettingName, u.TOTPEnabled = u.Vetting.String(), u.totpSecret != ""
	return &u, nil
}

func (d *DB) userCompartments(ctx context.Context, q queryer, id int64) ([]int64, error) {
	rows, err := q.QueryContext(ctx, "SELECT compartment_id FROM compartment_members WHERE user_id = $1 ORDER BY compartment_id", id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var c int64
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// FindUsers implements contest.UserService.
func (d *DB) FindUsers(ctx context.Context, a *contest.Actor, f contest.UserFilter) ([]*contest.User, int, error) {
	where, args := access.Filter(a, access.Read, contest.KindUser, "u", 1)
	add := func(cond string, v any) {
		args = append(args, v)
		where += " AND " + strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args)))
	}
	if f.OrgID != 0 {
		add("u.org_id = ?", f.OrgID)
	}
	if f.Role != "" {
		add("u.role = ?", string(f.Role))
	}
	if f.Username != "" {
		add("u.username LIKE ?", "%"+strings.ToLower(f.Username)+"%")
	}
	if f.Disabled != nil {
		add("u.disabled = ?", map[bool]int{false: 0, true: 1}[*f.Disabled])
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	if f.Offset < 0 {
		f.Offset = 0
	}
	var total int
	if err := d.read.QueryRowContext(ctx, "SELECT COUNT(*) FROM users u WHERE "+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count users: %w", err)
	}
	rows, err := d.read.QueryContext(ctx, "SELECT "+userCols+" FROM users u WHERE "+where+
		fmt.Sprintf(" ORDER BY u.username LIMIT %d OFFSET %d", f.Limit, f.Offset), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("find users: %w", err)
	}
	defer rows.Close()
	var out []*contest.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, &u.User)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	rows.Close()
	ids := make([]int64, len(out))
	for i, u := range out {
		ids[i] = u.ID
	}
	comps, err := groupedIDs(ctx, d.read, "SELECT user_id, compartment_id FROM compartment_members WHERE user_id IN (%s) ORDER BY compartment_id", ids)
	if err != nil {
		return nil, 0, err
	}
	for _, u := range out {
		u.Compartments = comps[u.ID]
	}
	if err := d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditList, Kind: contest.KindUser,
		Detail: map[string]string{"results": strconv.Itoa(total)}}); err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

func (d *DB) userBy(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, col string, v any) (*userRow, error) {
	u, err := scanUser(q.QueryRowContext(ctx, "SELECT "+userCols+" FROM users u WHERE u."+col+" = $1", v))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return u, err
}

func (d *DB) findUser(ctx context.Context, a *contest.Actor, col string, v any, rid string) (*contest.User, error) {
	u, err := d.userBy(ctx, d.read, col, v)
	if err != nil {
		return nil, fmt.Errorf("find user: %w", err)
	}
	if u == nil {
		return nil, d.denied(ctx, a, contest.AuditRead, contest.KindUser, rid, "missing", contest.NotFound(contest.KindUser))
	}
	if dec := access.Decide(a, access.Read, contest.KindUser, &u.Meta); !dec.Allowed {
		return nil, d.denied(ctx, a, contest.AuditRead, contest.KindUser, itoa(u.ID), dec.Reason, contest.NotFound(contest.KindUser))
	}
	if u.Compartments, err = d.userCompartments(ctx, d.read, u.ID); err != nil {
		return nil, err
	}
	if err := d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditRead, Kind: contest.KindUser, RecordID: itoa(u.ID)}); err != nil {
		return nil, err
	}
	return &u.User, nil
}

// FindUserByID implements contest.UserService.
func (d *DB) FindUserByID(ctx context.Context, a *contest.Actor, id int64) (*contest.User, error) {
	return d.findUser(ctx, a, "id", id, itoa(id))
}

// FindUserByUsername implements contest.UserService.
func (d *DB) FindUserByUsername(ctx context.Context, a *contest.Actor, username string) (*contest.User, error) {
	n := strings.ToLower(strings.TrimSpace(username))
	return d.findUser(ctx, a, "username", n, d.hasher.HMAC(n))
}

// CreateUser implements contest.UserService.
func (d *DB) CreateUser(ctx context.Context, a *contest.Actor, u *contest.User, password string) error {
	if err := d.forbid(ctx, a, access.Create, contest.AuditCreate, contest.KindUser, ""); err != nil {
		return err
	}
	err := u.Validate()
	var fe contest.FieldErrors
	if err != nil {
		fe = contest.ErrorFields(err)
	}
	if msg := validPassword(password); msg != "" {
		fe.Add("password", msg)
	}
	if err := fe.Err(); err != nil {
		return err
	}
	hash := d.hashBounded(password)
	return d.inWrite(ctx, func(tx *Tx) error {
		org, err := d.orgByID(ctx, tx, u.OrgID)
		if err != nil {
			if contest.ErrorCode(err) == contest.ENOTFOUND {
				return &contest.Error{Code: contest.EINVALID, Message: "There is a problem with the information you gave.",
					Fields: []contest.FieldError{{Field: "org_id", Message: "Select an organisation that exists"}}}
			}
			return err
		}
		u.Meta = contest.Meta{Classification: contest.Official, OwnerOrgID: org.ID, Area: org.Area}
		tx.newMeta(a, &u.Meta)
		err = tx.QueryRowContext(ctx, `INSERT INTO users (org_id, username, display_name, email, role, vetting, password_hash, `+metaCols+`)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15) RETURNING id`,
			append([]any{u.OrgID, u.Username, u.DisplayName, u.Email, string(u.Role), int(u.Vetting), hash}, metaArgs(&u.Meta)...)...).Scan(&u.ID)
		if isUnique(err) {
			return &contest.Error{Code: contest.ECONFLICT, Message: "There is a problem with the information you gave.",
				Fields: []contest.FieldError{{Field: "username", Message: "That username is already taken"}}}
		} else if err != nil {
			return fmt.Errorf("insert user: %w", err)
		}
		u.VettingName = u.Vetting.String()
		return tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditCreate, Kind: contest.KindUser, RecordID: itoa(u.ID),
			Detail: map[string]string{"username": u.Username, "role": string(u.Role), "vetting": u.Vetting.String(), "org_id": itoa(u.OrgID)}})
	})
}

// changeUser loads a user the actor may administer inside tx.
func (d *DB) changeUser(ctx context.Context, tx *Tx, a *contest.Actor, id int64, act contest.AuditAction) (*userRow, error) {
	u, err := d.userBy(ctx, tx, "id", id)
	if err != nil {
		return nil, err
	}
	if u == nil {
		return nil, contest.NotFound(contest.KindUser)
	}
	if dec := access.Decide(a, access.Update, contest.KindUser, &u.Meta); !dec.Allowed {
		return nil, contest.NotFound(contest.KindUser)
	}
	return u, nil
}

// UpdateUser implements contest.UserService. Changing role or vetting is a
// permission change.
func (d *DB) UpdateUser(ctx context.Context, a *contest.Actor, id int64, upd contest.UserUpdate) (*contest.User, error) {
	if err := d.forbid(ctx, a, access.Update, contest.AuditUpdate, contest.KindUser, itoa(id)); err != nil {
		return nil, err
	}
	var out *contest.User
	err := d.inWrite(ctx, func(tx *Tx) error {
		u, err := d.changeUser(ctx, tx, a, id, contest.AuditUpdate)
		if err != nil {
			return err
		}
		before := u.User
		if upd.DisplayName != nil {
			u.DisplayName = *upd.DisplayName
		}
		if upd.Email != nil {
			u.Email = *upd.Email
		}
		if upd.Role != nil {
			u.Role = *upd.Role
		}
		if upd.Vetting != nil {
			u.Vetting = *upd.Vetting
		}
		if upd.OrgID != nil {
			u.OrgID = *upd.OrgID
		}
		if err := u.Validate(); err != nil {
			return err
		}
		if u.OrgID != before.OrgID {
			org, err := d.orgByID(ctx, tx, u.OrgID)
			if err != nil {
				return &contest.Error{Code: contest.EINVALID, Message: "There is a problem with the information you gave.",
					Fields: []contest.FieldError{{Field: "org_id", Message: "Select an organisation that exists"}}}
			}
			u.Meta.OwnerOrgID, u.Meta.Area = org.ID, org.Area
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET display_name=$1, email=$2, role=$3, vetting=$4, org_id=$5, owner_org_id=$6, area=$7,
			updated_by=$8, updated_at=$9 WHERE id=$10`, u.DisplayName, u.Email, string(u.Role), int(u.Vetting), u.OrgID,
			u.Meta.OwnerOrgID, u.Meta.Area, a.UserID, micros(tx.now), id); err != nil {
			return fmt.Errorf("update user: %w", err)
		}
		detail := d.changes("display_name", before.DisplayName, u.DisplayName, "email", before.Email, u.Email)
		act := contest.AuditUpdate
		if before.Role != u.Role || before.Vetting != u.Vetting || before.OrgID != u.OrgID {
			act = contest.AuditPermission
			if before.Role != u.Role {
				detail["role"] = string(before.Role) + " -> " + string(u.Role)
			}
			if before.Vetting != u.Vetting {
				detail["vetting"] = before.Vetting.String() + " -> " + u.Vetting.String()
			}
			if before.OrgID != u.OrgID {
				detail["org_id"] = itoa(before.OrgID) + " -> " + itoa(u.OrgID)
			}
		}
		u.VettingName = u.Vetting.String()
		out = &u.User
		return tx.appendAudit(ctx, a, &contest.AuditEntry{Action: act, Kind: contest.KindUser, RecordID: itoa(id), Detail: detail})
	})
	if contest.ErrorCode(err) == contest.ENOTFOUND {
		return nil, d.denied(ctx, a, contest.AuditUpdate, contest.KindUser, itoa(id), "hidden or missing", err)
	}
	return out, err
}

// SetUserDisabled implements contest.UserService. Disabling deletes the
// user's API tokens' validity and bumps the session epoch, and every request
// reloads the actor, so the user's sessions end at once.
func (d *DB) SetUserDisabled(ctx context.Context, a *contest.Actor, id int64, disabled bool) error {
	if err := d.forbid(ctx, a, access.Admin, contest.AuditPermission, contest.KindUser, itoa(id)); err != nil {
		return err
	}
	if id == a.UserID && disabled {
		return contest.Errorf(contest.EINVALID, "You cannot disable your own account.")
	}
	err := d.inWrite(ctx, func(tx *Tx) error {
		if _, err := d.changeUser(ctx, tx, a, id, contest.AuditPermission); err != nil {
			return err
		}
		flag := 0
		if disabled {
			flag = 1
		}
		if _, err := tx.ExecContext(ctx, "UPDATE users SET disabled=$1, session_epoch=session_epoch+1, updated_by=$2, updated_at=$3 WHERE id=$4",
			flag, a.UserID, micros(tx.now), id); err != nil {
			return err
		}
		return tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditPermission, Kind: contest.KindUser, RecordID: itoa(id),
			Detail: map[string]string{"disabled": strconv.FormatBool(disabled)}})
	})
	if contest.ErrorCode(err) == contest.ENOTFOUND {
		return d.denied(ctx, a, contest.AuditPermission, contest.KindUser, itoa(id), "hidden or missing", err)
	}
	return err
}

// ResetPassword implements contest.UserService.
func (d *DB) ResetPassword(ctx context.Context, a *contest.Actor, id int64, password string) error {
	if err := d.forbid(ctx, a, access.Admin, contest.AuditPermission, contest.KindUser, itoa(id)); err != nil {
		return err
	}
	if msg := validPassword(password); msg != "" {
		return &contest.Error{Code: contest.EINVALID, Message: "There is a problem with the information you gave.",
			Fields: []contest.FieldError{{Field: "password", Message: msg}}}
	}
	hash := d.hashBounded(password)
	err := d.inWrite(ctx, func(tx *Tx) error {
		u, err := d.changeUser(ctx, tx, a, id, contest.AuditPermission)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE users SET password_hash=$1, session_epoch=session_epoch+1, updated_by=$2, updated_at=$3 WHERE id=$4",
			hash, a.UserID, micros(tx.now), id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM sign_in_throttle WHERE key = $1", "user:"+u.Username); err != nil {
			return err
		}
		return tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditPermission, Kind: contest.KindUser, RecordID: itoa(id),
			Detail: map[string]string{"password": "reset"}})
	})
	if contest.ErrorCode(err) == contest.ENOTFOUND {
		return d.denied(ctx, a, contest.AuditPermission, contest.KindUser, itoa(id), "hidden or missing", err)
	}
	return err
}
