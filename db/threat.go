package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/access"
)

// CurrentThreatLevel implements contest.ThreatService. With no history the
// level is SUBSTANTIAL, with no rationale, until someone sets it.
func (d *DB) CurrentThreatLevel(ctx context.Context) (*contest.ThreatChange, error) {
	var t contest.ThreatChange
	var at int64
	err := d.read.QueryRowContext(ctx, "SELECT id, level, rationale, changed_by, changed_at FROM threat_levels ORDER BY id DESC LIMIT 1").
		Scan(&t.ID, &t.Level, &t.Rationale, &t.ChangedBy, &at)
	if errors.Is(err, sql.ErrNoRows) {
		t.Level = contest.ThreatSubstantial
	} else if err != nil {
		return nil, fmt.Errorf("threat level: %w", err)
	}
	t.ChangedAt, t.LevelName, t.Meaning = fromMicros(at), t.Level.String(), t.Level.Meaning()
	return &t, nil
}

// ThreatHistory implements contest.ThreatService.
func (d *DB) ThreatHistory(ctx context.Context, a *contest.Actor) ([]*contest.ThreatChange, error) {
	if err := d.forbid(ctx, a, access.Read, contest.AuditList, contest.KindThreatLevel, ""); err != nil {
		return nil, err
	}
	rows, err := d.read.QueryContext(ctx, "SELECT id, level, rationale, changed_by, changed_at FROM threat_levels ORDER BY id DESC")
	if err != nil {
		return nil, fmt.Errorf("threat history: %w", err)
	}
	defer rows.Close()
	var out []*contest.ThreatChange
	for rows.Next() {
		var t contest.ThreatChange
		var at int64
		if err := rows.Scan(&t.ID, &t.Level, &t.Rationale, &t.ChangedBy, &at); err != nil {
			return nil, err
		}
		t.ChangedAt, t.LevelName, t.Meaning = fromMicros(at), t.Level.String(), t.Level.Meaning()
		out = append(out, &t)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditList, Kind: contest.KindThreatLevel}); err != nil {
		return nil, err
	}
	return out, nil
}

// SetThreatLevel implements contest.ThreatService.
func (d *DB) SetThreatLevel(ctx context.Context, a *contest.Actor, level contest.ThreatLevel, rationale string) (*contest.ThreatChange, error) {
	if err := d.forbid(ctx, a, access.Update, contest.AuditUpdate, contest.KindThreatLevel, ""); err != nil {
		return nil, err
	}
	var fe contest.FieldErrors
	if !level.Valid() {
		fe.Add("level", "Select a threat level")
	}
	rationale = strings.TrimSpace(rationale)
	switch {
	case rationale == "":
		fe.Add("rationale", "Enter the rationale for the change")
	case len(rationale) > 4000:
		fe.Add("rationale", "Rationale must be 4000 characters or fewer")
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	t := &contest.ThreatChange{Level: level, LevelName: level.String(), Meaning: level.Meaning(), Rationale: rationale, ChangedBy: a.UserID}
	err := d.inWrite(ctx, func(tx *Tx) error {
		t.ChangedAt = tx.now
		var prev int
		err := tx.QueryRowContext(ctx, "SELECT level FROM threat_levels ORDER BY id DESC LIMIT 1").Scan(&prev)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if err := tx.QueryRowContext(ctx, "INSERT INTO threat_levels (level, rationale, changed_by, changed_at) VALUES ($1,$2,$3,$4) RETURNING id",
			int(level), rationale, a.UserID, micros(tx.now)).Scan(&t.ID); err != nil {
			return fmt.Errorf("insert threat level: %w", err)
		}
		from := "none"
		if prev != 0 {
			from = contest.ThreatLevel(prev).String()
		}
		if err := tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditUpdate, Kind: contest.KindThreatLevel, RecordID: itoa(t.ID),
			Detail: map[string]string{"level": from + " -> " + level.String(), "rationale": d.hasher.HMAC(rationale)}}); err != nil {
			return err
		}
		// Every partner is told in the same transaction (Protect).
		return tx.threatBulletin(ctx, a, t, from)
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}
