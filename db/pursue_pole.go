package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/access"
)

const entityCols = "t.id, t.investigation_id, t.type, t.label, t.details"

func scanEntity(r interface{ Scan(...any) error }) (*contest.Entity, error) {
	var e contest.Entity
	var tmp [5]int64
	if err := r.Scan(append([]any{&e.ID, &e.InvestigationID, &e.Type, &e.Label, &e.Details}, metaDest(&e.Meta, &tmp)...)...); err != nil {
		return nil, err
	}
	metaFinish(&e.Meta, &tmp)
	return &e, nil
}

// CreateEntity implements contest.POLEService.
func (d *DB) CreateEntity(ctx context.Context, a *contest.Actor, e *contest.Entity) error {
	if err := d.forbid(ctx, a, access.Create, contest.AuditCreate, contest.KindEntity, ""); err != nil {
		return err
	}
	if err := e.Validate(); err != nil {
		return err
	}
	return d.pursueWrite(ctx, a, contest.AuditCreate, func(tx *Tx) error {
		inv, err := investigationIn(ctx, tx, a, access.Read, e.InvestigationID)
		if err != nil {
			return err
		}
		e.Meta = contest.Meta{Classification: inv.Meta.Classification, OwnerOrgID: inv.Meta.OwnerOrgID, Area: inv.Meta.Area, Compartments: inv.Meta.Compartments}
		tx.newMeta(a, &e.Meta)
		if err := tx.QueryRowContext(ctx, "INSERT INTO pole_entities (investigation_id, type, label, details, "+metaCols+
			") VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12) RETURNING id",
			append([]any{e.InvestigationID, e.Type, e.Label, e.Details}, metaArgs(&e.Meta)...)...).Scan(&e.ID); err != nil {
			return fmt.Errorf("insert entity: %w", err)
		}
		if err := tx.setCompartments(ctx, contest.KindEntity, e.ID, e.Meta.Compartments); err != nil {
			return err
		}
		return tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditCreate, Kind: contest.KindEntity, RecordID: itoa(e.ID),
			Detail: map[string]string{"investigation": itoa(e.InvestigationID), "type": e.Type, "label": d.hasher.HMAC(e.Label)}})
	})
}

// FindEntities implements contest.POLEService: the visible entities of a
// visible investigation, in the order recorded.
func (d *DB) FindEntities(ctx context.Context, a *contest.Actor, investigationID int64) ([]*contest.Entity, error) {
	if _, err := d.FindInvestigationByID(ctx, a, investigationID); err != nil {
		return nil, err
	}
	where, args := access.FilterFew(a, access.Read, contest.KindEntity, "t", 1)
	args = append(args, investigationID)
	rows, err := d.read.QueryContext(ctx, "SELECT "+entityCols+", "+prefixed("t", metaCols)+" FROM pole_entities t WHERE "+where+
		" AND t.investigation_id = $"+strconv.Itoa(len(args))+" ORDER BY t.id LIMIT 2000", args...)
	if err != nil {
		return nil, fmt.Errorf("find entities: %w", err)
	}
	out, err := collect(rows, scanEntity)
	if err != nil {
		return nil, err
	}
	return out, d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditList, Kind: contest.KindEntity,
		Detail: map[string]string{"results": strconv.Itoa(len(out)), "investigation_id": itoa(investigationID)}})
}

// entityIn reads an entity in tx that a may see.
func entityIn(ctx context.Context, tx *Tx, a *contest.Actor, id int64) (*contest.Entity, error) {
	e, err := scanEntity(tx.QueryRowContext(ctx, "SELECT "+entityCols+", "+prefixed("t", metaCols)+" FROM pole_entities t WHERE t.id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &hiddenErr{contest.KindEntity, id, "missing"}
	} else if err != nil {
		return nil, fmt.Errorf("entity: %w", err)
	}
	if err := loadCompartments(ctx, tx, contest.KindEntity, map[int64]*contest.Meta{id: &e.Meta}); err != nil {
		return nil, err
	}
	if dec := access.Decide(a, access.Read, contest.KindEntity, &e.Meta); !dec.Allowed {
		return nil, &hiddenErr{contest.KindEntity, id, dec.Reason}
	}
	return e, nil
}

// CreateLink implements contest.POLEService. Both ends must be visible to
// the actor; the link is marked as high as the higher end and sits in the
// compartments of both.
func (d *DB) CreateLink(ctx context.Context, a *contest.Actor, l *contest.Link) error {
	if err := d.forbid(ctx, a, access.Create, contest.AuditCreate, contest.KindLink, ""); err != nil {
		return err
	}
	if err := l.Validate(); err != nil {
		return err
	}
	return d.pursueWrite(ctx, a, contest.AuditCreate, func(tx *Tx) error {
		from, err := entityIn(ctx, tx, a, l.From)
		if err != nil {
			return err
		}
		to, err := entityIn(ctx, tx, a, l.To)
		if err != nil {
			return err
		}
		comps := slices.Concat(from.Meta.Compartments, to.Meta.Compartments)
		l.Meta = contest.Meta{Classification: max(from.Meta.Classification, to.Meta.Classification), OwnerOrgID: from.Meta.OwnerOrgID,
			Area: from.Meta.Area, Compartments: comps}
		tx.newMeta(a, &l.Meta)
		if err := tx.QueryRowContext(ctx, "INSERT INTO pole_links (from_entity, to_entity, type, source, source_grade, intel_grade, handling, "+metaCols+
			") VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15) RETURNING id",
			append([]any{l.From, l.To, l.Type, l.Source, l.SourceGrade, l.IntelGrade, l.Handling}, metaArgs(&l.Meta)...)...).Scan(&l.ID); err != nil {
			return fmt.Errorf("insert link: %w", err)
		}
		if err := tx.setCompartments(ctx, contest.KindLink, l.ID, l.Meta.Compartments); err != nil {
			return err
		}
		return tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditCreate, Kind: contest.KindLink, RecordID: itoa(l.ID),
			Detail: map[string]string{"from": itoa(l.From), "to": itoa(l.To), "grading": l.SourceGrade + l.IntelGrade + l.Handling}})
	})
}

// FindLinks implements contest.POLEService: the links of a visible entity
// whose other end the actor may also see. A link to a hidden entity is
// left out without a trace.
func (d *DB) FindLinks(ctx context.Context, a *contest.Actor, entityID int64) ([]*contest.Link, error) {
	var e *contest.Entity
	err := func() error {
		v, err := scanEntity(d.read.QueryRowContext(ctx, "SELECT "+entityCols+", "+prefixed("t", metaCols)+" FROM pole_entities t WHERE t.id = $1", entityID))
		if err != nil {
			return err
		}
		e = v
		return loadCompartments(ctx, d.read, contest.KindEntity, map[int64]*contest.Meta{entityID: &e.Meta})
	}()
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !access.Allowed(a, access.Read, contest.KindEntity, &e.Meta)) {
		return nil, d.denied(ctx, a, contest.AuditRead, contest.KindEntity, itoa(entityID), "hidden or missing", contest.NotFound(contest.KindEntity))
	} else if err != nil {
		return nil, fmt.Errorf("entity: %w", err)
	}
	where, args := access.FilterFew(a, access.Read, contest.KindLink, "t", 1)
	args = append(args, entityID)
	n := "$" + strconv.Itoa(len(args))
	rows, err := d.read.QueryContext(ctx, `SELECT t.id, t.from_entity, t.to_entity, t.type, t.source, t.source_grade, t.intel_grade, t.handling, `+
		prefixed("t", metaCols)+" FROM pole_links t WHERE "+where+" AND (t.from_entity = "+n+" OR t.to_entity = "+n+") ORDER BY t.id LIMIT 2000", args...)
	if err != nil {
		return nil, fmt.Errorf("find links: %w", err)
	}
	defer rows.Close()
	var out []*contest.Link
	for rows.Next() {
		var l contest.Link
		var tmp [5]int64
		if err := rows.Scan(append([]any{&l.ID, &l.From, &l.To, &l.Type, &l.Source, &l.SourceGrade, &l.IntelGrade, &l.Handling}, metaDest(&l.Meta, &tmp)...)...); err != nil {
			return nil, err
		}
		metaFinish(&l.Meta, &tmp)
		out = append(out, &l)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditList, Kind: contest.KindLink,
		Detail: map[string]string{"results": strconv.Itoa(len(out)), "entity": itoa(entityID)}})
}

// FindEntityByID implements contest.POLEService.
func (d *DB) FindEntityByID(ctx context.Context, a *contest.Actor, id int64) (*contest.Entity, error) {
	e, err := scanEntity(d.read.QueryRowContext(ctx, "SELECT "+entityCols+", "+prefixed("t", metaCols)+" FROM pole_entities t WHERE t.id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, d.denied(ctx, a, contest.AuditRead, contest.KindEntity, itoa(id), "missing", contest.NotFound(contest.KindEntity))
	} else if err != nil {
		return nil, fmt.Errorf("entity: %w", err)
	}
	if err := loadCompartments(ctx, d.read, contest.KindEntity, map[int64]*contest.Meta{id: &e.Meta}); err != nil {
		return nil, err
	}
	if dec := access.Decide(a, access.Read, contest.KindEntity, &e.Meta); !dec.Allowed {
		return nil, d.denied(ctx, a, contest.AuditRead, contest.KindEntity, itoa(id), dec.Reason, contest.NotFound(contest.KindEntity))
	}
	return e, d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditRead, Kind: contest.KindEntity, RecordID: itoa(id)})
}

var _ contest.POLEService = (*DB)(nil)
