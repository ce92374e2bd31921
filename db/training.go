package db

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strconv"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/access"
)

// Training records: people in partner organisations who completed a
// counter-terrorism awareness module. A partner records its own people
// (the record's owning organisation is theirs); security advisers see and
// count them all. Names are personal data: the audit trail holds their
// HMAC.

const trainingCols = "t.id, t.person_name, t.job, t.module, t.completed_at, t.expires_at, o.name"

func scanTraining(r interface{ Scan(...any) error }) (*contest.TrainingRecord, error) {
	var (
		t        contest.TrainingRecord
		done, ex int64
		tmp      [5]int64
		org      sql.NullString
	)
	if err := r.Scan(append([]any{&t.ID, &t.PersonName, &t.Role, &t.Module, &done, &ex, &org}, metaDest(&t.Meta, &tmp)...)...); err != nil {
		return nil, err
	}
	metaFinish(&t.Meta, &tmp)
	t.CompletedAt, t.ExpiresAt, t.OrgName = fromMicros(done), fromMicros(ex), org.String
	return &t, nil
}

// FindTraining implements contest.ProtectService.
func (d *DB) FindTraining(ctx context.Context, a *contest.Actor, f contest.TrainingFilter) ([]*contest.TrainingRecord, int, error) {
	where, args := access.Filter(a, access.Read, contest.KindTraining, "t", 1)
	al := argList(args)
	if f.OrgID != 0 {
		where += " AND t.owner_org_id = " + al.add(f.OrgID)
	}
	if f.Module != "" {
		where += " AND t.module = " + al.add(f.Module)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	f.Offset = max(f.Offset, 0)
	var total int
	if err := d.read.QueryRowContext(ctx, "SELECT COUNT(*) FROM training_records t WHERE "+where, al...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count training: %w", err)
	}
	rows, err := d.read.QueryContext(ctx, "SELECT "+trainingCols+", "+prefixed("t", metaCols)+" FROM training_records t LEFT JOIN orgs o ON o.id = t.owner_org_id WHERE "+where+
		fmt.Sprintf(" ORDER BY t.completed_at DESC, t.id DESC LIMIT %d OFFSET %d", f.Limit, f.Offset), al...)
	if err != nil {
		return nil, 0, fmt.Errorf("find training: %w", err)
	}
	out, err := collect(rows, scanTraining)
	if err != nil {
		return nil, 0, err
	}
	if err := d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditList, Kind: contest.KindTraining,
		Detail: map[string]string{"results": strconv.Itoa(total), "module": f.Module}}); err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// CreateTraining implements contest.ProtectService.
func (d *DB) CreateTraining(ctx context.Context, a *contest.Actor, t *contest.TrainingRecord) error {
	if err := d.forbid(ctx, a, access.Create, contest.AuditCreate, contest.KindTraining, ""); err != nil {
		return err
	}
	if t.Meta.OwnerOrgID == 0 && !a.System {
		t.Meta.OwnerOrgID = a.OrgID
	}
	if err := t.Validate(d.now()); err != nil {
		return err
	}
	err := d.inWrite(ctx, func(tx *Tx) error {
		org, err := d.orgByID(ctx, tx, t.Meta.OwnerOrgID)
		if err != nil {
			return &contest.Error{Code: contest.EINVALID, Message: "There is a problem with the information you gave.",
				Fields: []contest.FieldError{{Field: "org_id", Message: "Select the person's organisation"}}}
		}
		t.Meta = contest.Meta{Classification: contest.Official, OwnerOrgID: org.ID, Area: org.Area}
		tx.newMeta(a, &t.Meta)
		if dec := access.Decide(a, access.Create, contest.KindTraining, &t.Meta); !dec.Allowed {
			return &deniedErr{reason: dec.Reason, act: contest.AuditCreate, err: contest.Errorf(contest.EFORBIDDEN, "You may record training only for your own organisation.")}
		}
		t.OrgName = org.Name
		if err := tx.QueryRowContext(ctx, "INSERT INTO training_records (person_name, job, module, completed_at, expires_at, "+metaCols+
			") VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13) RETURNING id",
			append([]any{t.PersonName, t.Role, t.Module, micros(t.CompletedAt), micros(t.ExpiresAt)}, metaArgs(&t.Meta)...)...).Scan(&t.ID); err != nil {
			return fmt.Errorf("insert training: %w", err)
		}
		return tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditCreate, Kind: contest.KindTraining, RecordID: itoa(t.ID),
			Detail: map[string]string{"person": d.hasher.HMAC(t.PersonName), "module": t.Module, "org_id": itoa(org.ID)}})
	})
	return d.auditDenied(ctx, a, contest.KindTraining, 0, err)
}

// TrainingCounts implements contest.ProtectService: for each sector (an
// organisation counts in every sector it is a member or the lead of, and
// under "No sector" if none), the people trained, and the records current
// and expired, over the records the actor may see.
func (d *DB) TrainingCounts(ctx context.Context, a *contest.Actor) ([]*contest.TrainingCount, error) {
	where, args := access.Filter(a, access.Read, contest.KindTraining, "t", 1)
	al := argList(args)
	now := al.add(micros(d.now()))
	q := `SELECT COALESCE(s.id, 0), COALESCE(s.name, ''), t.module, COUNT(DISTINCT t.owner_org_id || ':' || lower(t.person_name)),
		SUM(CASE WHEN t.expires_at > ` + now + ` THEN 1 ELSE 0 END), SUM(CASE WHEN t.expires_at > ` + now + ` THEN 0 ELSE 1 END)
		FROM training_records t
		LEFT JOIN (SELECT org_id, sector_id FROM org_sectors UNION SELECT lead_org_id, id FROM sectors) m ON m.org_id = t.owner_org_id
		LEFT JOIN sectors s ON s.id = m.sector_id
		WHERE ` + where + ` GROUP BY COALESCE(s.id, 0), COALESCE(s.name, ''), t.module`
	rows, err := d.read.QueryContext(ctx, q, al...)
	if err != nil {
		return nil, fmt.Errorf("training counts: %w", err)
	}
	defer rows.Close()
	by := map[int64]*contest.TrainingCount{}
	for rows.Next() {
		var (
			id             int64
			name, module   string
			people, cu, ex int
		)
		if err := rows.Scan(&id, &name, &module, &people, &cu, &ex); err != nil {
			return nil, err
		}
		c := by[id]
		if c == nil {
			if name == "" {
				name = "No sector"
			}
			c = &contest.TrainingCount{SectorID: id, Sector: name, ByModule: map[string]int{}}
			by[id] = c
		}
		c.Current += cu
		c.Expired += ex
		c.ByModule[module] += cu
		c.People = max(c.People, people)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// People: distinct people over all modules, counted once more.
	prows, err := d.read.QueryContext(ctx, `SELECT COALESCE(m.sector_id, 0), COUNT(DISTINCT t.owner_org_id || ':' || lower(t.person_name)) FROM training_records t
		LEFT JOIN (SELECT org_id, sector_id FROM org_sectors UNION SELECT lead_org_id, id FROM sectors) m ON m.org_id = t.owner_org_id
		WHERE `+where+` GROUP BY COALESCE(m.sector_id, 0)`, al[:len(al)-1]...)
	if err != nil {
		return nil, fmt.Errorf("training people: %w", err)
	}
	defer prows.Close()
	for prows.Next() {
		var id int64
		var n int
		if err := prows.Scan(&id, &n); err != nil {
			return nil, err
		}
		if c := by[id]; c != nil {
			c.People = n
		}
	}
	out := make([]*contest.TrainingCount, 0, len(by))
	for _, c := range by {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		if (out[i].SectorID == 0) != (out[j].SectorID == 0) {
			return out[j].SectorID == 0
		}
		return out[i].Sector < out[j].Sector
	})
	if err := d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditList, Kind: contest.KindTraining,
		Detail: map[string]string{"what": "counts by sector", "sectors": strconv.Itoa(len(out))}}); err != nil {
		return nil, err
	}
	return out, nil
}
