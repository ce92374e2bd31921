package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/access"
)

// hiddenErr is returned from inside a write transaction when the record
// is hidden from the actor or missing; pursueWrite audits the refusal after
// the transaction and answers with the same not-found for both.
type hiddenErr struct {
	kind   contest.Kind
	id     int64
	reason string
}

func (e *hiddenErr) Error() string { return "hidden " + string(e.kind) }

// pursueWrite runs fn in a write transaction, turning a hiddenErr into an
// audited refusal.
func (d *DB) pursueWrite(ctx context.Context, a *contest.Actor, act contest.AuditAction, fn func(tx *Tx) error) error {
	err := d.inWrite(ctx, fn)
	var h *hiddenErr
	if errors.As(err, &h) {
		return d.denied(ctx, a, act, h.kind, itoa(h.id), h.reason, contest.NotFound(h.kind))
	}
	return err
}

// investigationIn reads an investigation with its compartments in tx and
// checks that a may act on it; a hidden one is a hiddenErr.
func investigationIn(ctx context.Context, tx *Tx, a *contest.Actor, act access.Action, id int64) (*contest.Investigation, error) {
	inv, m, err := scanInvestigation(tx.QueryRowContext(ctx, "SELECT "+investigationCols+", "+prefixed("t", metaCols)+" FROM investigations t WHERE t.id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &hiddenErr{contest.KindInvestigation, id, "missing"}
	} else if err != nil {
		return nil, fmt.Errorf("investigation: %w", err)
	}
	if err := loadCompartments(ctx, tx, contest.KindInvestigation, map[int64]*contest.Meta{id: m}); err != nil {
		return nil, err
	}
	if dec := access.Decide(a, act, contest.KindInvestigation, m); !dec.Allowed {
		return nil, &hiddenErr{contest.KindInvestigation, id, dec.Reason}
	}
	return inv, nil
}

// subjectIn reads a subject with its compartments in tx and checks that a
// may act on it.
func subjectIn(ctx context.Context, tx *Tx, a *contest.Actor, act access.Action, id int64) (*contest.Subject, error) {
	got, err := subjectsByID(ctx, tx, []int64{id})
	if err != nil {
		return nil, err
	}
	s := got[id]
	if s == nil {
		return nil, &hiddenErr{contest.KindSubject, id, "missing"}
	}
	if dec := access.Decide(a, act, contest.KindSubject, &s.Meta); !dec.Allowed {
		return nil, &hiddenErr{contest.KindSubject, id, dec.Reason}
	}
	return s, nil
}

const leadCols = "t.id, t.source, t.summary, t.status, t.investigation_id, t.closed_reason"

func scanLead(r interface{ Scan(...any) error }) (*contest.Lead, error) {
	var l contest.Lead
	var tmp [5]int64
	if err := r.Scan(append([]any{&l.ID, &l.Source, &l.Summary, &l.Status, &l.InvestigationID, &l.ClosedReason}, metaDest(&l.Meta, &tmp)...)...); err != nil {
		return nil, err
	}
	metaFinish(&l.Meta, &tmp)
	return &l, nil
}

// CreateLead implements contest.PursueService.
func (d *DB) CreateLead(ctx context.Context, a *contest.Actor, l *contest.Lead) error {
	if err := d.forbid(ctx, a, access.Create, contest.AuditCreate, contest.KindLead, ""); err != nil {
		return err
	}
	if err := l.Validate(); err != nil {
		return err
	}
	if !a.System && !a.Vetting.Covers(l.Meta.Classification) {
		return fieldErr("classification", "You cannot mark a lead above your own vetting")
	}
	return d.inWrite(ctx, func(tx *Tx) error {
		l.Status, l.InvestigationID, l.Meta.Compartments = "open", 0, nil
		tx.newMeta(a, &l.Meta)
		if err := tx.QueryRowContext(ctx, "INSERT INTO leads (source, summary, status, "+metaCols+") VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) RETURNING id",
			append([]any{l.Source, l.Summary, l.Status}, metaArgs(&l.Meta)...)...).Scan(&l.ID); err != nil {
			return fmt.Errorf("insert lead: %w", err)
		}
		return tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditCreate, Kind: contest.KindLead, RecordID: itoa(l.ID),
			Detail: map[string]string{"source": l.Source}})
	})
}

// FindLeads implements contest.PursueService: the visible leads, newest
// first, optionally of one status.
func (d *DB) FindLeads(ctx context.Context, a *contest.Actor, status string) ([]*contest.Lead, error) {
	if err := d.forbid(ctx, a, access.Read, contest.AuditList, contest.KindLead, ""); err != nil {
		return nil, err
	}
	where, args := access.FilterFew(a, access.Read, contest.KindLead, "t", 1)
	if status != "" {
		args = append(args, status)
		where += fmt.Sprintf(" AND t.status = $%d", len(args))
	}
	rows, err := d.read.QueryContext(ctx, "SELECT "+leadCols+", "+prefixed("t", metaCols)+" FROM leads t WHERE "+where+" ORDER BY t.id DESC LIMIT 500", args...)
	if err != nil {
		return nil, fmt.Errorf("find leads: %w", err)
	}
	out, err := collect(rows, scanLead)
	if err != nil {
		return nil, err
	}
	return out, d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditList, Kind: contest.KindLead,
		Detail: map[string]string{"results": itoa(int64(len(out))), "status": status}})
}

// leadIn reads an open lead a may update.
func leadIn(ctx context.Context, tx *Tx, a *contest.Actor, id int64) (*contest.Lead, error) {
	l, err := scanLead(tx.QueryRowContext(ctx, "SELECT "+leadCols+", "+prefixed("t", metaCols)+" FROM leads t WHERE t.id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, &hiddenErr{contest.KindLead, id, "missing"}
	} else if err != nil {
		return nil, fmt.Errorf("lead: %w", err)
	}
	if dec := access.Decide(a, access.Update, contest.KindLead, &l.Meta); !dec.Allowed {
		return nil, &hiddenErr{contest.KindLead, id, dec.Reason}
	}
	if l.Status != "open" {
		return nil, contest.Errorf(contest.ECONFLICT, "This lead has already been %s.", l.Status)
	}
	return l, nil
}

// DiscardLead implements contest.PursueService.
func (d *DB) DiscardLead(ctx context.Context, a *contest.Actor, id int64, reason string) error {
	if err := d.forbid(ctx, a, access.Update, contest.AuditUpdate, contest.KindLead, itoa(id)); err != nil {
		return err
	}
	reason = strings.TrimSpace(reason)
	if err := reasonErr(reason); err != nil {
		return err
	}
	return d.pursueWrite(ctx, a, contest.AuditUpdate, func(tx *Tx) error {
		if _, err := leadIn(ctx, tx, a, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE leads SET status = 'discarded', closed_reason = $1, updated_by = $2, updated_at = $3 WHERE id = $4",
			reason, a.UserID, micros(tx.now), id); err != nil {
			return fmt.Errorf("discard lead: %w", err)
		}
		return tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditUpdate, Kind: contest.KindLead, RecordID: itoa(id),
			Detail: map[string]string{"status": "discarded", "reason": d.hasher.HMAC(reason)}})
	})
}

// reasonErr checks a recorded reason.
func reasonErr(reason string) error {
	switch {
	case reason == "":
		return fieldErr("reason", "Enter the reason")
	case len(reason) > 2000:
		return fieldErr("reason", "Reason must be 2000 characters or fewer")
	}
	return nil
}

func fieldErr(field, msg string) error {
	var fe contest.FieldErrors
	fe.Add(field, msg)
	return fe.Err()
}

// CreateInvestigation implements contest.PursueService. In one transaction
// it creates the operation's compartment, adds the team (and the person
// opening it) and no one else, stores the investigation in the compartment
// and converts the lead.
func (d *DB) CreateInvestigation(ctx context.Context, a *contest.Actor, n *contest.NewInvestigation) (*contest.Investigation, error) {
	if err := d.forbid(ctx, a, access.Create, contest.AuditCreate, contest.KindInvestigation, ""); err != nil {
		return nil, err
	}
	if err := n.Validate(); err != nil {
		return nil, err
	}
	if !a.System && !a.Vetting.Covers(n.Classification) {
		return nil, fieldErr("classification", "You cannot mark an investigation above your own vetting")
	}
	var inv *contest.Investigation
	err := d.pursueWrite(ctx, a, contest.AuditCreate, func(tx *Tx) error {
		if n.LeadID != 0 {
			if _, err := leadIn(ctx, tx, a, n.LeadID); err != nil {
				return err
			}
		}
		team := append([]int64{}, n.Team...)
		if a.UserID != 0 {
			team = append(team, a.UserID)
		}
		if n.LeadUserID != 0 {
			team = append(team, n.LeadUserID)
		}
		var fe contest.FieldErrors
		for _, name := range n.TeamUsernames {
			name = strings.ToLower(strings.TrimSpace(name))
			if name == "" {
				continue
			}
			var u int64
			err := tx.QueryRowContext(ctx, "SELECT id FROM users WHERE lower(username) = $1 AND disabled = 0", name).Scan(&u)
			if errors.Is(err, sql.ErrNoRows) {
				fe.Add("team", "No active user has the username "+name)
				continue
			} else if err != nil {
				return fmt.Errorf("team: %w", err)
			}
			team = append(team, u)
		}
		for _, u := range team {
			var n int
			if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM users WHERE disabled = 0 AND id = $1", u).Scan(&n); err != nil {
				return fmt.Errorf("team: %w", err)
			}
			if n == 0 {
				fe.Add("team", fmt.Sprintf("User %d is not an active user", u))
			}
		}
		if err := fe.Err(); err != nil {
			return err
		}
		comp := contest.Meta{Classification: contest.Official}
		tx.newMeta(a, &comp)
		var compID int64
		err := tx.QueryRowContext(ctx, "INSERT INTO compartments (name, description, "+metaCols+") VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) RETURNING id",
			append([]any{"Operation " + n.Operation, "The team of Operation " + n.Operation + "."}, metaArgs(&comp)...)...).Scan(&compID)
		if isUnique(err) {
			return fieldErr("operation", "An operation or compartment with that name already exists")
		} else if err != nil {
			return fmt.Errorf("insert compartment: %w", err)
		}
		if err := tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditCreate, Kind: contest.KindCompartment, RecordID: itoa(compID),
			Detail: map[string]string{"name": d.hasher.HMAC("Operation " + n.Operation)}}); err != nil {
			return err
		}
		seen := map[int64]bool{}
		for _, u := range team {
			if seen[u] {
				continue
			}
			seen[u] = true
			if _, err := tx.ExecContext(ctx, "INSERT INTO compartment_members (compartment_id, user_id, added_by, added_at) VALUES ($1,$2,$3,$4)",
				compID, u, a.UserID, micros(tx.now)); err != nil {
				return fmt.Errorf("add member: %w", err)
			}
			if err := tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditPermission, Kind: contest.KindCompartment, RecordID: itoa(compID),
				Detail: map[string]string{"member_added": itoa(u)}}); err != nil {
				return err
			}
		}
		v := &contest.Investigation{Operation: n.Operation, Summary: n.Summary, Status: "open", LeadUserID: n.LeadUserID, OpenedAt: tx.now,
			Meta: contest.Meta{Classification: n.Classification, Area: n.Area, Compartments: []int64{compID}}}
		if v.LeadUserID == 0 {
			v.LeadUserID = a.UserID
		}
		tx.newMeta(a, &v.Meta)
		err = tx.QueryRowContext(ctx, "INSERT INTO investigations (operation, summary, status, lead_user_id, opened_at, "+metaCols+
			") VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13) RETURNING id",
			append([]any{v.Operation, v.Summary, v.Status, v.LeadUserID, micros(v.OpenedAt)}, metaArgs(&v.Meta)...)...).Scan(&v.ID)
		if isUnique(err) {
			return fieldErr("operation", "An operation with that name already exists")
		} else if err != nil {
			return fmt.Errorf("insert investigation: %w", err)
		}
		if err := tx.setCompartments(ctx, contest.KindInvestigation, v.ID, v.Meta.Compartments); err != nil {
			return err
		}
		detail := map[string]string{"operation": v.Operation, "classification": v.Meta.Classification.String(), "compartment": itoa(compID)}
		if n.LeadID != 0 {
			detail["lead"] = itoa(n.LeadID)
			if _, err := tx.ExecContext(ctx, "UPDATE leads SET status = 'converted', investigation_id = $1, updated_by = $2, updated_at = $3 WHERE id = $4",
				v.ID, a.UserID, micros(tx.now), n.LeadID); err != nil {
				return fmt.Errorf("convert lead: %w", err)
			}
			if err := tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditUpdate, Kind: contest.KindLead, RecordID: itoa(n.LeadID),
				Detail: map[string]string{"status": "converted", "investigation": itoa(v.ID)}}); err != nil {
				return err
			}
		}
		inv = v
		return tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditCreate, Kind: contest.KindInvestigation, RecordID: itoa(v.ID), Detail: detail})
	})
	return inv, err
}

// ChangeClassification implements contest.PursueService. Only a
// supervisor (Admin on investigations) who can see the investigation may
// change its marking, and not above their own vetting; the reason is kept.
func (d *DB) ChangeClassification(ctx context.Context, a *contest.Actor, id int64, to contest.Classification, reason string) (*contest.Investigation, error) {
	if err := d.forbid(ctx, a, access.Admin, contest.AuditUpdate, contest.KindInvestigation, itoa(id)); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	var fe contest.FieldErrors
	if !to.Valid() {
		fe.Add("classification", "Select a classification")
	} else if !a.System && !a.Vetting.Covers(to) {
		fe.Add("classification", "You cannot mark an investigation above your own vetting")
	}
	if err := reasonErr(reason); err != nil {
		fe = append(fe, err.(*contest.Error).Fields...)
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	var out *contest.Investigation
	err := d.pursueWrite(ctx, a, contest.AuditUpdate, func(tx *Tx) error {
		inv, err := investigationIn(ctx, tx, a, access.Admin, id)
		if err != nil {
			return err
		}
		from := inv.Meta.Classification
		if from == to {
			return fieldErr("classification", "The investigation is already "+to.String())
		}
		if _, err := tx.ExecContext(ctx, "UPDATE investigations SET classification = $1, updated_by = $2, updated_at = $3 WHERE id = $4",
			int(to), a.UserID, micros(tx.now), id); err != nil {
			return fmt.Errorf("change classification: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO investigation_classifications (investigation_id, from_classification, to_classification, reason, decided_by, decided_at)
			VALUES ($1,$2,$3,$4,$5,$6)`, id, int(from), int(to), reason, a.UserID, micros(tx.now)); err != nil {
			return fmt.Errorf("record classification: %w", err)
		}
		// Raising protects what the investigation holds: its subjects (and
		// their person mentions), actions, outcomes, entities and their links
		// marked lower are raised with it. Lowering leaves them as they are, since each may
		// be marked higher for its own reasons.
		if to > from {
			for _, q := range []string{
				"UPDATE subjects SET classification = $1 WHERE investigation_id = $2 AND classification < $1",
				"UPDATE actions SET classification = $1 WHERE investigation_id = $2 AND classification < $1",
				"UPDATE outcomes SET classification = $1 WHERE investigation_id = $2 AND classification < $1",
				"UPDATE person_mentions SET classification = $1 WHERE source_kind = 'subject' AND classification < $1 AND source_id IN (SELECT id FROM subjects WHERE investigation_id = $2)",
				"UPDATE pole_entities SET classification = $1 WHERE investigation_id = $2 AND classification < $1",
				`UPDATE pole_links SET classification = $1 WHERE classification < $1 AND (from_entity IN (SELECT id FROM pole_entities WHERE investigation_id = $2)
					OR to_entity IN (SELECT id FROM pole_entities WHERE investigation_id = $2))`,
			} {
				if _, err := tx.ExecContext(ctx, q, int(to), id); err != nil {
					return fmt.Errorf("raise classification: %w", err)
				}
			}
		}
		inv.Meta.Classification, inv.Meta.UpdatedBy, inv.Meta.UpdatedAt = to, a.UserID, tx.now
		out = inv
		return tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditUpdate, Kind: contest.KindInvestigation, RecordID: itoa(id),
			Detail: map[string]string{"classification": from.String() + " -> " + to.String(), "reason": d.hasher.HMAC(reason)}})
	})
	return out, err
}

// FindClassificationChanges implements contest.PursueService.
func (d *DB) FindClassificationChanges(ctx context.Context, a *contest.Actor, id int64) ([]*contest.ClassificationChange, error) {
	if _, err := d.FindInvestigationByID(ctx, a, id); err != nil {
		return nil, err
	}
	rows, err := d.read.QueryContext(ctx, `SELECT id, from_classification, to_classification, reason, decided_by, decided_at
		FROM investigation_classifications WHERE investigation_id = $1 ORDER BY id DESC`, id)
	if err != nil {
		return nil, fmt.Errorf("classification changes: %w", err)
	}
	defer rows.Close()
	var out []*contest.ClassificationChange
	for rows.Next() {
		var c contest.ClassificationChange
		var at int64
		if err := rows.Scan(&c.ID, &c.From, &c.To, &c.Reason, &c.DecidedBy, &at); err != nil {
			return nil, err
		}
		c.DecidedAt = fromMicros(at)
		out = append(out, &c)
	}
	return out, rows.Err()
}

// CreateSubject implements contest.PursueService. A subject of an
// investigation is marked at least as high as the investigation and sits in
// its compartments. The person is recorded as a mention in the same
// transaction, so join-the-dots compares it at once.
func (d *DB) CreateSubject(ctx context.Context, a *contest.Actor, n *contest.NewSubject) (*contest.Subject, error) {
	if err := d.forbid(ctx, a, access.Create, contest.AuditCreate, contest.KindSubject, ""); err != nil {
		return nil, err
	}
	if err := n.Validate(); err != nil {
		return nil, err
	}
	if !a.System && !a.Vetting.Covers(n.Classification) {
		return nil, fieldErr("classification", "You cannot mark a subject above your own vetting")
	}
	var out *contest.Subject
	err := d.pursueWrite(ctx, a, contest.AuditCreate, func(tx *Tx) error {
		s := &contest.Subject{InvestigationID: n.InvestigationID, GivenName: n.GivenName, FamilyName: n.FamilyName, DateOfBirth: n.DateOfBirth,
			Status: contest.SubjectActive, Priority: n.Priority.Tier, OwnerUserID: n.OwnerUserID, NextReviewAt: n.Priority.NextReviewAt,
			Meta: contest.Meta{Classification: n.Classification}}
		if s.OwnerUserID == 0 {
			s.OwnerUserID = a.UserID
		}
		var invID any
		if n.InvestigationID != 0 {
			inv, err := investigationIn(ctx, tx, a, access.Update, n.InvestigationID)
			if err != nil {
				return err
			}
			s.Meta.Classification = max(s.Meta.Classification, inv.Meta.Classification)
			s.Meta.Area, s.Meta.OwnerOrgID, s.Meta.Compartments = inv.Meta.Area, inv.Meta.OwnerOrgID, inv.Meta.Compartments
			invID = n.InvestigationID
		}
		tx.newMeta(a, &s.Meta)
		if err := tx.QueryRowContext(ctx, "INSERT INTO subjects (investigation_id, given_name, family_name, date_of_birth, status, priority, owner_user_id, next_review_at, "+
			metaCols+") VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16) RETURNING id",
			append([]any{invID, s.GivenName, s.FamilyName, s.DateOfBirth, s.Status, s.Priority, s.OwnerUserID, micros(s.NextReviewAt)},
				metaArgs(&s.Meta)...)...).Scan(&s.ID); err != nil {
			return fmt.Errorf("insert subject: %w", err)
		}
		if err := tx.setCompartments(ctx, contest.KindSubject, s.ID, s.Meta.Compartments); err != nil {
			return err
		}
		if _, err := tx.addMention(ctx, a, contest.KindSubject, s.ID, "subject", &s.Meta,
			&contest.PersonDetails{Given: s.GivenName, Family: s.FamilyName, DateOfBirth: s.DateOfBirth}); err != nil {
			return err
		}
		if err := tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditCreate, Kind: contest.KindSubject, RecordID: itoa(s.ID),
			Detail: map[string]string{"investigation": itoa(n.InvestigationID), "priority": s.Priority}}); err != nil {
			return err
		}
		if err := tx.insertPriority(ctx, a, s.ID, &n.Priority); err != nil {
			return err
		}
		if n.Assessment != nil {
			if err := tx.insertAssessment(ctx, a, s.ID, n.Assessment); err != nil {
				return err
			}
		}
		out = s
		return nil
	})
	return out, err
}

func (tx *Tx) insertPriority(ctx context.Context, a *contest.Actor, subjectID int64, p *contest.PriorityDecision) error {
	p.DecidedBy, p.DecidedAt = a.UserID, tx.now
	if err := tx.QueryRowContext(ctx, `INSERT INTO subject_priorities (subject_id, tier, rationale, next_review_at, decided_by, decided_at)
		VALUES ($1,$2,$3,$4,$5,$6) RETURNING id`, subjectID, p.Tier, p.Rationale, micros(p.NextReviewAt), a.UserID, micros(tx.now)).Scan(&p.ID); err != nil {
		return fmt.Errorf("record priority: %w", err)
	}
	return tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditUpdate, Kind: contest.KindSubject, RecordID: itoa(subjectID),
		Detail: map[string]string{"priority": p.Tier, "next_review_at": p.NextReviewAt.Format(time.DateOnly), "rationale": tx.db.hasher.HMAC(p.Rationale)}})
}

func (tx *Tx) insertAssessment(ctx context.Context, a *contest.Actor, subjectID int64, s *contest.SubjectAssessment) error {
	s.AssessedBy, s.AssessedAt = a.UserID, tx.now
	if err := tx.QueryRowContext(ctx, `INSERT INTO subject_assessments (subject_id, intent, capability, imminence, notes, assessed_by, assessed_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id`, subjectID, s.Intent, s.Capability, s.Imminence, s.Notes, a.UserID, micros(tx.now)).Scan(&s.ID); err != nil {
		return fmt.Errorf("record assessment: %w", err)
	}
	return tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditUpdate, Kind: contest.KindSubject, RecordID: itoa(subjectID),
		Detail: map[string]string{"assessment": s.Intent + "/" + s.Capability + "/" + s.Imminence}})
}

// SetSubjectPriority implements contest.PursueService: a named person sets
// the tier with the rationale and the next review date.
func (d *DB) SetSubjectPriority(ctx context.Context, a *contest.Actor, id int64, p *contest.PriorityDecision) error {
	if err := d.forbid(ctx, a, access.Update, contest.AuditUpdate, contest.KindSubject, itoa(id)); err != nil {
		return err
	}
	if err := p.Validate(); err != nil {
		return err
	}
	return d.pursueWrite(ctx, a, contest.AuditUpdate, func(tx *Tx) error {
		if _, err := subjectIn(ctx, tx, a, access.Update, id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "UPDATE subjects SET priority = $1, next_review_at = $2, updated_by = $3, updated_at = $4 WHERE id = $5",
			p.Tier, micros(p.NextReviewAt), a.UserID, micros(tx.now), id); err != nil {
			return fmt.Errorf("set priority: %w", err)
		}
		return tx.insertPriority(ctx, a, id, p)
	})
}

// AssessSubject implements contest.PursueService.
func (d *DB) AssessSubject(ctx context.Context, a *contest.Actor, id int64, s *contest.SubjectAssessment) error {
	if err := d.forbid(ctx, a, access.Update, contest.AuditUpdate, contest.KindSubject, itoa(id)); err != nil {
		return err
	}
	if err := s.Validate(); err != nil {
		return err
	}
	return d.pursueWrite(ctx, a, contest.AuditUpdate, func(tx *Tx) error {
		if _, err := subjectIn(ctx, tx, a, access.Update, id); err != nil {
			return err
		}
		return tx.insertAssessment(ctx, a, id, s)
	})
}

// scheduledReason is the reason of a closed subject's scheduled
// re-assessment on the closed-subject queue.
func scheduledReason(due time.Time) string {
	return "Scheduled review due " + due.Format(time.DateOnly)
}

// UpdateSubject implements contest.PursueService. A change of name or date
// of birth updates the person mention in the same transaction. Closing a
// subject records why and schedules its re-assessment on the closed-subject
// queue for the next review date.
func (d *DB) UpdateSubject(ctx context.Context, a *contest.Actor, id int64, c *contest.SubjectChange) (*contest.Subject, error) {
	if err := d.forbid(ctx, a, access.Update, contest.AuditUpdate, contest.KindSubject, itoa(id)); err != nil {
		return nil, err
	}
	var fe contest.FieldErrors
	c.Reason = strings.TrimSpace(c.Reason)
	switch c.Status {
	case "", contest.SubjectActive:
	case contest.SubjectClosed, contest.SubjectFormer:
		if err := reasonErr(c.Reason); err != nil {
			fe.Add("reason", "Enter why the subject is "+c.Status)
		}
		if c.Status == contest.SubjectClosed && c.NextReviewAt.IsZero() {
			fe.Add("next_review_at", "Enter the date of the closed subject's next review")
		}
	default:
		fe.Add("status", "Select active, closed or former")
	}
	for _, f := range []struct {
		name string
		v    *string
	}{{"given_name", c.GivenName}, {"family_name", c.FamilyName}} {
		if f.v != nil {
			*f.v = strings.TrimSpace(*f.v)
			checkName(&fe, f.name, *f.v)
		}
	}
	if c.DateOfBirth != nil && *c.DateOfBirth != "" && !validDOB(*c.DateOfBirth) {
		fe.Add("date_of_birth", "Date of birth must be a real date, as YYYY-MM-DD, YYYY-MM or YYYY")
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	var out *contest.Subject
	err := d.pursueWrite(ctx, a, contest.AuditUpdate, func(tx *Tx) error {
		s, err := subjectIn(ctx, tx, a, access.Update, id)
		if err != nil {
			return err
		}
		before := *s
		personChanged := false
		if c.GivenName != nil && *c.GivenName != s.GivenName {
			s.GivenName, personChanged = *c.GivenName, true
		}
		if c.FamilyName != nil && *c.FamilyName != s.FamilyName {
			s.FamilyName, personChanged = *c.FamilyName, true
		}
		if c.DateOfBirth != nil && *c.DateOfBirth != s.DateOfBirth {
			s.DateOfBirth, personChanged = *c.DateOfBirth, true
		}
		if c.OwnerUserID != nil {
			s.OwnerUserID = *c.OwnerUserID
		}
		switch c.Status {
		case contest.SubjectActive:
			s.Status, s.ClosedReason = c.Status, ""
		case contest.SubjectClosed, contest.SubjectFormer:
			s.Status, s.ClosedReason = c.Status, c.Reason
		}
		if c.Status == contest.SubjectClosed {
			s.NextReviewAt = c.NextReviewAt
		}
		if _, err := tx.ExecContext(ctx, `UPDATE subjects SET given_name = $1, family_name = $2, date_of_birth = $3, owner_user_id = $4, status = $5,
			closed_reason = $6, next_review_at = $7, updated_by = $8, updated_at = $9 WHERE id = $10`,
			s.GivenName, s.FamilyName, s.DateOfBirth, s.OwnerUserID, s.Status, s.ClosedReason, micros(s.NextReviewAt), a.UserID, micros(tx.now), id); err != nil {
			return fmt.Errorf("update subject: %w", err)
		}
		if personChanged {
			if err := tx.updateMention(ctx, a, contest.KindSubject, id, "subject", &s.Meta,
				&contest.PersonDetails{Given: s.GivenName, Family: s.FamilyName, DateOfBirth: s.DateOfBirth}); err != nil {
				return err
			}
		}
		detail := d.changes("given_name", before.GivenName, s.GivenName, "family_name", before.FamilyName, s.FamilyName,
			"date_of_birth", before.DateOfBirth, s.DateOfBirth, "status", before.Status, s.Status)
		if s.OwnerUserID != before.OwnerUserID {
			detail["owner_user_id"] = itoa(before.OwnerUserID) + " -> " + itoa(s.OwnerUserID)
		}
		if c.Reason != "" {
			detail["reason"] = d.hasher.HMAC(c.Reason)
		}
		if err := tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditUpdate, Kind: contest.KindSubject, RecordID: itoa(id), Detail: detail}); err != nil {
			return err
		}
		if c.Status == contest.SubjectClosed {
			if err := tx.scheduleReassessment(ctx, id, s.NextReviewAt); err != nil {
				return err
			}
		}
		s.Meta.UpdatedBy, s.Meta.UpdatedAt = a.UserID, tx.now
		out = s
		return nil
	})
	return out, err
}

// scheduleReassessment puts a closed subject's scheduled re-assessment on
// the closed-subject queue. The queue holds one scheduled re-assessment per
// subject (possible_match_id 0): a decided one is first moved to
// subject_review_history, an open one takes the new date.
func (tx *Tx) scheduleReassessment(ctx context.Context, subjectID int64, due time.Time) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO subject_review_history (subject_id, reason, status, decided_by, decided_at, decision_reason, created_at)
		SELECT subject_id, reason, status, decided_by, decided_at, decision_reason, created_at FROM subject_reassessments
		WHERE subject_id = $1 AND possible_match_id = 0 AND status <> $2`, subjectID, reassessOpen); err != nil {
		return fmt.Errorf("review history: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM subject_reassessments WHERE subject_id = $1 AND possible_match_id = 0 AND status <> $2", subjectID, reassessOpen); err != nil {
		return fmt.Errorf("review history: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO subject_reassessments (subject_id, possible_match_id, reason, status, created_at)
		VALUES ($1, 0, $2, $3, $4) ON CONFLICT (subject_id, possible_match_id) DO UPDATE SET reason = excluded.reason`,
		subjectID, scheduledReason(due), reassessOpen, micros(tx.now)); err != nil {
		return fmt.Errorf("schedule re-assessment: %w", err)
	}
	return nil
}

// FindSubjectDetail implements contest.PursueService.
func (d *DB) FindSubjectDetail(ctx context.Context, a *contest.Actor, id int64) (*contest.SubjectDetail, error) {
	s, err := d.FindSubjectByID(ctx, a, id)
	if err != nil {
		return nil, err
	}
	out := &contest.SubjectDetail{Subject: s}
	rows, err := d.read.QueryContext(ctx, "SELECT id, tier, rationale, next_review_at, decided_by, decided_at FROM subject_priorities WHERE subject_id = $1 ORDER BY id DESC", id)
	if err != nil {
		return nil, fmt.Errorf("priorities: %w", err)
	}
	for rows.Next() {
		var p contest.PriorityDecision
		var next, at int64
		if err := rows.Scan(&p.ID, &p.Tier, &p.Rationale, &next, &p.DecidedBy, &at); err != nil {
			rows.Close()
			return nil, err
		}
		p.NextReviewAt, p.DecidedAt = fromMicros(next), fromMicros(at)
		out.Priorities = append(out.Priorities, &p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = d.read.QueryContext(ctx, "SELECT id, intent, capability, imminence, notes, assessed_by, assessed_at FROM subject_assessments WHERE subject_id = $1 ORDER BY id DESC", id)
	if err != nil {
		return nil, fmt.Errorf("assessments: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var s contest.SubjectAssessment
		var at int64
		if err := rows.Scan(&s.ID, &s.Intent, &s.Capability, &s.Imminence, &s.Notes, &s.AssessedBy, &at); err != nil {
			return nil, err
		}
		s.AssessedAt = fromMicros(at)
		out.Assessments = append(out.Assessments, &s)
	}
	return out, rows.Err()
}

// checkName checks a changed name.
func checkName(fe *contest.FieldErrors, field, v string) {
	switch {
	case v == "":
		fe.Add(field, "Enter the "+strings.ReplaceAll(field, "_", " "))
	case len(v) > 200:
		fe.Add(field, "Name must be 200 characters or fewer")
	}
}

// validDOB reports whether s is a real date as YYYY, YYYY-MM or YYYY-MM-DD.
func validDOB(s string) bool {
	for _, layout := range []string{"2006", "2006-01", time.DateOnly} {
		if len(s) == len(layout) {
			if _, err := time.Parse(layout, s); err == nil {
				return true
			}
		}
	}
	return false
}

var _ contest.PursueService = (*DB)(nil)
