package db

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/access"
)

const meetingCols = "t.id, t.held_at, t.chair_user_id, t.status"

func scanMeeting(r interface{ Scan(...any) error }) (*contest.PanelMeeting, error) {
	m := &contest.PanelMeeting{}
	var held int64
	var tmp [5]int64
	if err := r.Scan(append([]any{&m.ID, &held, &m.ChairUserID, &m.Status}, metaDest(&m.Meta, &tmp)...)...); err != nil {
		return nil, err
	}
	metaFinish(&m.Meta, &tmp)
	m.HeldAt = fromMicros(held)
	return m, nil
}

// meetingByID reads a meeting with its compartments and members, whoever
// asks.
func meetingByID(ctx context.Context, q rowQueryer, id int64) (*contest.PanelMeeting, error) {
	m, err := scanMeeting(q.QueryRowContext(ctx, "SELECT "+meetingCols+", "+prefixed("t", metaCols)+" FROM panel_meetings t WHERE t.id = $1", id))
	if err != nil {
		return nil, err
	}
	if err := loadCompartments(ctx, q, contest.KindPanelMeeting, map[int64]*contest.Meta{id: &m.Meta}); err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, "SELECT pm.user_id, COALESCE(u.display_name, ''), pm.attendance FROM panel_members pm LEFT JOIN users u ON u.id = pm.user_id WHERE pm.meeting_id = $1 ORDER BY u.display_name, pm.user_id", id)
	if err != nil {
		return nil, fmt.Errorf("panel members: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var pm contest.PanelMember
		if err := rows.Scan(&pm.UserID, &pm.Name, &pm.Attendance); err != nil {
			return nil, err
		}
		m.Members = append(m.Members, &pm)
	}
	return m, rows.Err()
}

// clearedFor reports whether the actor's vetting covers the record's
// marking and they are in all its compartments: what a meeting's member
// needs, besides membership, to see a case on its agenda.
func clearedFor(a *contest.Actor, m *contest.Meta) bool {
	if a.System {
		return true
	}
	if !a.Vetting.Covers(m.Classification) {
		return false
	}
	for _, c := range m.Compartments {
		if !a.InCompartment(c) {
			return false
		}
	}
	return true
}

// isMember reports whether the actor is a member of the meeting.
func isMember(a *contest.Actor, m *contest.PanelMeeting) bool {
	return slices.ContainsFunc(m.Members, func(pm *contest.PanelMember) bool { return pm.UserID == a.UserID })
}

var errNotMember = contest.Errorf(contest.EFORBIDDEN, "Only the members of this meeting may do that.")

// meetingWrite runs fn on a meeting the actor may update, auditing the
// change with fn's detail; members only unless anyone is true.
func (d *DB) meetingWrite(ctx context.Context, a *contest.Actor, id int64, part string, members bool,
	fn func(tx *Tx, m *contest.PanelMeeting) (map[string]string, error)) error {
	if err := d.forbid(ctx, a, access.Update, contest.AuditUpdate, contest.KindPanelMeeting, itoa(id)); err != nil {
		return err
	}
	hidden := ""
	err := d.inWrite(ctx, func(tx *Tx) error {
		m, err := meetingByID(ctx, tx, id)
		if errors.Is(err, sql.ErrNoRows) {
			hidden = "missing"
			return contest.NotFound(contest.KindPanelMeeting)
		} else if err != nil {
			return fmt.Errorf("panel meeting: %w", err)
		}
		if dec := access.Decide(a, access.Update, contest.KindPanelMeeting, &m.Meta); !dec.Allowed {
			hidden = dec.Reason
			return contest.NotFound(contest.KindPanelMeeting)
		}
		if members && !isMember(a, m) {
			return errNotMember
		}
		detail, err := fn(tx, m)
		if err != nil {
			return err
		}
		detail["part"] = part
		return tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditUpdate, Kind: contest.KindPanelMeeting, RecordID: itoa(id), Detail: detail})
	})
	if hidden != "" {
		return d.denied(ctx, a, contest.AuditUpdate, contest.KindPanelMeeting, itoa(id), hidden, contest.NotFound(contest.KindPanelMeeting))
	}
	return err
}

// CreatePanelMeeting implements contest.PanelService.
func (d *DB) CreatePanelMeeting(ctx context.Context, a *contest.Actor, m *contest.PanelMeeting, memberIDs []int64) error {
	if err := d.forbid(ctx, a, access.Create, contest.AuditCreate, contest.KindPanelMeeting, ""); err != nil {
		return err
	}
	if !a.System && a.OrgKind != contest.OrgLocalAuthority {
		return d.denied(ctx, a, contest.AuditCreate, contest.KindPanelMeeting, "", "not a local authority",
			contest.Errorf(contest.EFORBIDDEN, "Panel meetings are convened by the local authority."))
	}
	var fe contest.FieldErrors
	if m.HeldAt.IsZero() {
		fe.Add("held_at", "Enter the date of the meeting")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	if m.ChairUserID == 0 {
		m.ChairUserID = a.UserID
	}
	ids := append([]int64{m.ChairUserID}, memberIDs...)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	return d.inWrite(ctx, func(tx *Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM users WHERE disabled = 0 AND id IN ("+inList(ids)+")").Scan(&n); err != nil {
			return fmt.Errorf("panel members: %w", err)
		}
		if n != len(ids) {
			fe := contest.FieldErrors{}
			fe.Add("members", "Select members from the list of users")
			return fe.Err()
		}
		m.Status = "scheduled"
		m.Meta = contest.Meta{Classification: contest.OfficialSensitive, Area: a.OrgArea}
		tx.newMeta(a, &m.Meta)
		if err := tx.QueryRowContext(ctx, "INSERT INTO panel_meetings (held_at, chair_user_id, status, "+metaCols+") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
			append([]any{micros(m.HeldAt), m.ChairUserID, m.Status}, metaArgs(&m.Meta)...)...).Scan(&m.ID); err != nil {
			return fmt.Errorf("panel meeting: %w", err)
		}
		m.Members = nil
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, "INSERT INTO panel_members (meeting_id, user_id, attendance) VALUES ($1, $2, $3)", m.ID, id, contest.AttendExpected); err != nil {
				return fmt.Errorf("panel member: %w", err)
			}
			m.Members = append(m.Members, &contest.PanelMember{UserID: id, Attendance: contest.AttendExpected})
		}
		return tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditCreate, Kind: contest.KindPanelMeeting, RecordID: itoa(m.ID),
			Detail: map[string]string{"area": m.Meta.Area, "members": inList(ids)}})
	})
}

// FindPanelMeetings implements contest.PanelService: newest first.
func (d *DB) FindPanelMeetings(ctx context.Context, a *contest.Actor) ([]*contest.PanelMeeting, error) {
	if err := d.forbid(ctx, a, access.Read, contest.AuditList, contest.KindPanelMeeting, ""); err != nil {
		return nil, err
	}
	where, args := access.Filter(a, access.Read, contest.KindPanelMeeting, "t", 1)
	rows, err := d.read.QueryContext(ctx, "SELECT "+meetingCols+", "+prefixed("t", metaCols)+" FROM panel_meetings t WHERE "+where+" ORDER BY t.held_at DESC, t.id DESC LIMIT 200", args...)
	if err != nil {
		return nil, fmt.Errorf("panel meetings: %w", err)
	}
	out, err := collect(rows, scanMeeting)
	if err != nil {
		return nil, err
	}
	if err := d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditList, Kind: contest.KindPanelMeeting,
		Detail: map[string]string{"results": itoa(int64(len(out)))}}); err != nil {
		return nil, err
	}
	return out, nil
}

// FindPanelMeetingByID implements contest.PanelService.
func (d *DB) FindPanelMeetingByID(ctx context.Context, a *contest.Actor, id int64) (*contest.PanelMeeting, error) {
	m, err := meetingByID(ctx, d.read, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, d.denied(ctx, a, contest.AuditRead, contest.KindPanelMeeting, itoa(id), "missing", contest.NotFound(contest.KindPanelMeeting))
	} else if err != nil {
		return nil, fmt.Errorf("panel meeting: %w", err)
	}
	if dec := access.Decide(a, access.Read, contest.KindPanelMeeting, &m.Meta); !dec.Allowed {
		return nil, d.denied(ctx, a, contest.AuditRead, contest.KindPanelMeeting, itoa(id), dec.Reason, contest.NotFound(contest.KindPanelMeeting))
	}
	rows, err := d.read.QueryContext(ctx, "SELECT g.id, g.referral_id, r.reference, g.position, g.decision, g.minutes, g.actions, g.minuted_by, g.minuted_at"+
		" FROM panel_agenda g JOIN prevent_referrals r ON r.id = g.referral_id WHERE g.meeting_id = $1 ORDER BY g.position", id)
	if err != nil {
		return nil, fmt.Errorf("panel agenda: %w", err)
	}
	for rows.Next() {
		var it contest.AgendaItem
		var at int64
		if err := rows.Scan(&it.ID, &it.ReferralID, &it.Reference, &it.Position, &it.Decision, &it.Minutes, &it.Actions, &it.MinutedBy, &at); err != nil {
			rows.Close()
			return nil, err
		}
		it.MinutedAt = fromMicros(at)
		m.Agenda = append(m.Agenda, &it)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	member := isMember(a, m)
	m.PapersHidden = !member
	var cases []int64
	if member {
		for _, it := range m.Agenda {
			r, err := referralByID(ctx, d.read, it.ReferralID)
			if err != nil {
				return nil, fmt.Errorf("agenda case: %w", err)
			}
			if !clearedFor(a, &r.Meta) {
				continue // membership never overrides the marking
			}
			var body string
			if err := d.read.QueryRowContext(ctx, "SELECT details FROM prevent_referrals WHERE id = $1", it.ReferralID).Scan(&body); err != nil {
				return nil, fmt.Errorf("agenda case: %w", err)
			}
			var det contest.ReferralDetails
			if err := json.Unmarshal([]byte(body), &det); err != nil {
				return nil, fmt.Errorf("agenda case %d: %w", it.ReferralID, err)
			}
			it.Case, it.Details = r, &det
			cases = append(cases, it.ReferralID)
		}
		rows, err := d.read.QueryContext(ctx, "SELECT id, referral_id, title, body, added_by, added_at FROM panel_papers WHERE meeting_id = $1 ORDER BY id", id)
		if err != nil {
			return nil, fmt.Errorf("panel papers: %w", err)
		}
		for rows.Next() {
			var p contest.PanelPaper
			var at int64
			if err := rows.Scan(&p.ID, &p.ReferralID, &p.Title, &p.Body, &p.AddedBy, &at); err != nil {
				rows.Close()
				return nil, err
			}
			p.AddedAt = fromMicros(at)
			m.Papers = append(m.Papers, &p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	if err := d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditRead, Kind: contest.KindPanelMeeting, RecordID: itoa(id),
		Detail: map[string]string{"papers": fmt.Sprint(member), "cases": inList(cases)}}); err != nil {
		return nil, err
	}
	return m, nil
}

// MaxAgenda is how many cases one meeting's agenda takes; the rest wait
// for the next meeting.
const MaxAgenda = 30

// BuildPanelAgenda implements contest.PanelService: the longest waiting
// first.
func (d *DB) BuildPanelAgenda(ctx context.Context, a *contest.Actor, meetingID int64) (int, error) {
	added := 0
	err := d.meetingWrite(ctx, a, meetingID, "agenda", false, func(tx *Tx, m *contest.PanelMeeting) (map[string]string, error) {
		rows, err := tx.QueryContext(ctx, "SELECT r.id FROM prevent_referrals r WHERE r.stage = $1 AND lower(r.area) = $2"+
			" AND NOT EXISTS (SELECT 1 FROM panel_agenda g WHERE g.referral_id = r.id AND g.decision = '') ORDER BY r.referred_at, r.id LIMIT "+strconv.Itoa(MaxAgenda),
			stagePanel, strings.ToLower(m.Meta.Area))
		if err != nil {
			return nil, fmt.Errorf("cases due: %w", err)
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		var pos int
		if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(position), 0) FROM panel_agenda WHERE meeting_id = $1", meetingID).Scan(&pos); err != nil {
			return nil, err
		}
		for _, id := range ids {
			pos++
			if _, err := tx.ExecContext(ctx, "INSERT INTO panel_agenda (meeting_id, referral_id, position) VALUES ($1, $2, $3)", meetingID, id, pos); err != nil {
				return nil, fmt.Errorf("agenda item: %w", err)
			}
		}
		added = len(ids)
		return map[string]string{"added": inList(ids)}, nil
	})
	return added, err
}

// SetPanelAttendance implements contest.PanelService.
func (d *DB) SetPanelAttendance(ctx context.Context, a *contest.Actor, meetingID, userID int64, attendance string) error {
	switch attendance {
	case contest.AttendExpected, contest.AttendPresent, contest.AttendApologies, contest.AttendAbsent:
	default:
		fe := contest.FieldErrors{}
		fe.Add("attendance", "Select present, apologies or absent")
		return fe.Err()
	}
	return d.meetingWrite(ctx, a, meetingID, "attendance", true, func(tx *Tx, m *contest.PanelMeeting) (map[string]string, error) {
		res, err := tx.ExecContext(ctx, "UPDATE panel_members SET attendance = $1 WHERE meeting_id = $2 AND user_id = $3", attendance, meetingID, userID)
		if err != nil {
			return nil, fmt.Errorf("attendance: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			fe := contest.FieldErrors{}
			fe.Add("user_id", "Select a member of this meeting")
			return nil, fe.Err()
		}
		return map[string]string{"user": itoa(userID), "attendance": attendance}, nil
	})
}

// AddPanelPaper implements contest.PanelService.
func (d *DB) AddPanelPaper(ctx context.Context, a *contest.Actor, meetingID int64, p *contest.PanelPaper) error {
	var fe contest.FieldErrors
	p.Title, p.Body = strings.TrimSpace(p.Title), strings.TrimSpace(p.Body)
	switch {
	case p.Title == "":
		fe.Add("title", "Enter the title of the paper")
	case len(p.Title) > 200:
		fe.Add("title", "Title must be 200 characters or fewer")
	}
	switch {
	case p.Body == "":
		fe.Add("body", "Enter the paper")
	case len(p.Body) > 20000:
		fe.Add("body", "The paper must be 20000 characters or fewer")
	}
	if err := fe.Err(); err != nil {
		return err
	}
	return d.meetingWrite(ctx, a, meetingID, "paper", true, func(tx *Tx, m *contest.PanelMeeting) (map[string]string, error) {
		if p.ReferralID != 0 {
			var n int
			if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM panel_agenda WHERE meeting_id = $1 AND referral_id = $2", meetingID, p.ReferralID).Scan(&n); err != nil {
				return nil, err
			}
			if n == 0 {
				fe := contest.FieldErrors{}
				fe.Add("referral_id", "Select a case on this meeting's agenda")
				return nil, fe.Err()
			}
		}
		p.AddedBy, p.AddedAt = a.UserID, tx.now
		if err := tx.QueryRowContext(ctx, "INSERT INTO panel_papers (meeting_id, referral_id, title, body, added_by, added_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
			meetingID, p.ReferralID, p.Title, p.Body, a.UserID, micros(tx.now)).Scan(&p.ID); err != nil {
			return nil, fmt.Errorf("panel paper: %w", err)
		}
		return map[string]string{"paper": itoa(p.ID), "title": d.hasher.HMAC(p.Title)}, nil
	})
}

// RecordPanelDecision implements contest.PanelService. The case moves on:
// adopted, closed, or back to the police.
func (d *DB) RecordPanelDecision(ctx context.Context, a *contest.Actor, meetingID, itemID int64, decision, minutes, actions string) (*contest.AgendaItem, error) {
	var fe contest.FieldErrors
	stage := map[string]string{contest.PanelAdopt: stageAdopted, contest.PanelNotAdopt: stageClosed, contest.PanelReferPolice: stagePoliceLed}[decision]
	if stage == "" {
		fe.Add("decision", "Select the panel's decision")
	}
	minutes, actions = strings.TrimSpace(minutes), strings.TrimSpace(actions)
	checkText(&fe, "minutes", "the minutes of the discussion", minutes, true)
	checkText(&fe, "actions", "the actions", actions, false)
	if err := fe.Err(); err != nil {
		return nil, err
	}
	var out *contest.AgendaItem
	err := d.meetingWrite(ctx, a, meetingID, "decision", true, func(tx *Tx, m *contest.PanelMeeting) (map[string]string, error) {
		var it contest.AgendaItem
		err := tx.QueryRowContext(ctx, "SELECT g.id, g.referral_id, r.reference, g.position, g.decision FROM panel_agenda g JOIN prevent_referrals r ON r.id = g.referral_id WHERE g.id = $1 AND g.meeting_id = $2",
			itemID, meetingID).Scan(&it.ID, &it.ReferralID, &it.Reference, &it.Position, &it.Decision)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, contest.Errorf(contest.ENOTFOUND, "There is no such case on this meeting's agenda.")
		} else if err != nil {
			return nil, fmt.Errorf("agenda item: %w", err)
		}
		r, err := referralByID(ctx, tx, it.ReferralID)
		if err != nil {
			return nil, fmt.Errorf("agenda case: %w", err)
		}
		if !clearedFor(a, &r.Meta) {
			// A case the member may not see is not theirs to decide.
			return nil, contest.Errorf(contest.ENOTFOUND, "There is no such case on this meeting's agenda.")
		}
		if it.Decision != "" {
			return nil, contest.Errorf(contest.ECONFLICT, "The panel has already decided on this case.")
		}
		now := micros(tx.now)
		if _, err := tx.ExecContext(ctx, "UPDATE panel_agenda SET decision = $1, minutes = $2, actions = $3, minuted_by = $4, minuted_at = $5 WHERE id = $6",
			decision, minutes, actions, a.UserID, now, itemID); err != nil {
			return nil, fmt.Errorf("minute: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE prevent_referrals SET stage = $1, updated_by = $2, updated_at = $3 WHERE id = $4 AND stage = $5",
			stage, a.UserID, now, it.ReferralID, stagePanel); err != nil {
			return nil, fmt.Errorf("case stage: %w", err)
		}
		if err := tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditUpdate, Kind: contest.KindPreventCase, RecordID: itoa(it.ReferralID),
			Detail: map[string]string{"part": "panel decision", "meeting": itoa(meetingID), "stage": stage}}); err != nil {
			return nil, err
		}
		it.Decision, it.Minutes, it.Actions, it.MinutedBy, it.MinutedAt = decision, minutes, actions, a.UserID, tx.now.Truncate(time.Microsecond)
		out = &it
		return map[string]string{"item": itoa(itemID), "decision": decision, "minutes": d.hasher.HMAC(minutes)}, nil
	})
	return out, err
}

// PanelMemberIDs implements contest.PanelService: the ids of enabled users
// by user name, for whoever may convene a meeting.
func (d *DB) PanelMemberIDs(ctx context.Context, a *contest.Actor, usernames []string) ([]int64, error) {
	if err := d.forbid(ctx, a, access.Create, contest.AuditCreate, contest.KindPanelMeeting, ""); err != nil {
		return nil, err
	}
	var out []int64
	var unknown []string
	for _, u := range usernames {
		u = strings.ToLower(strings.TrimSpace(u))
		if u == "" {
			continue
		}
		var id int64
		err := d.read.QueryRowContext(ctx, "SELECT id FROM users WHERE username = $1 AND disabled = 0", u).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			unknown = append(unknown, u)
			continue
		} else if err != nil {
			return nil, fmt.Errorf("panel member: %w", err)
		}
		out = append(out, id)
	}
	if len(unknown) > 0 {
		var fe contest.FieldErrors
		fe.Add("members", "There is no user named "+strings.Join(unknown, ", "))
		return nil, fe.Err()
	}
	return out, nil
}
