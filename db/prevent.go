package db

import (
	"context"
	"crypto/rand"
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

// Referral stages.
const (
	stageReferred  = "referred"
	stageScreening = "screening"
	stagePanel     = "panel"
	stagePoliceLed = "police_led"
	stageAdopted   = "adopted"
	stageExited    = "exited"
	stageClosed    = "closed"
)

// rowQueryer is a database handle or a transaction.
type rowQueryer interface {
	queryer
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

// referralByID reads one referral with its compartments, whoever asks.
func referralByID(ctx context.Context, q rowQueryer, id int64) (*contest.PreventReferral, error) {
	r, m, err := scanReferral(q.QueryRowContext(ctx, "SELECT "+referralCols+", "+prefixed("t", metaCols)+" FROM prevent_referrals t WHERE t.id = $1", id))
	if err != nil {
		return nil, err
	}
	return r, loadCompartments(ctx, q, contest.KindPreventCase, map[int64]*contest.Meta{id: m})
}

// preventWrite runs fn on referral id in a write transaction if the actor
// may update it, and audits the change as an update of the referral with
// fn's detail and part. A hidden referral is not found, audited as refused.
func (d *DB) preventWrite(ctx context.Context, a *contest.Actor, id int64, part string,
	fn func(tx *Tx, r *contest.PreventReferral) (map[string]string, error)) error {
	if err := d.forbid(ctx, a, access.Update, contest.AuditUpdate, contest.KindPreventCase, itoa(id)); err != nil {
		return err
	}
	hidden := ""
	err := d.inWrite(ctx, func(tx *Tx) error {
		r, err := referralByID(ctx, tx, id)
		if errors.Is(err, sql.ErrNoRows) {
			hidden = "missing"
			return contest.NotFound(contest.KindPreventCase)
		} else if err != nil {
			return fmt.Errorf("referral: %w", err)
		}
		if dec := access.Decide(a, access.Update, contest.KindPreventCase, &r.Meta); !dec.Allowed {
			hidden = dec.Reason
			return contest.NotFound(contest.KindPreventCase)
		}
		detail, err := fn(tx, r)
		if err != nil {
			return err
		}
		if detail == nil {
			detail = map[string]string{}
		}
		detail["part"] = part
		return tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditUpdate, Kind: contest.KindPreventCase, RecordID: itoa(id), Detail: detail})
	})
	if hidden != "" {
		return d.denied(ctx, a, contest.AuditUpdate, contest.KindPreventCase, itoa(id), hidden, contest.NotFound(contest.KindPreventCase))
	}
	return err
}

// preventRead runs fn on referral id if the actor may read it, and audits
// the read with part. A hidden referral is not found, audited as refused.
func (d *DB) preventRead(ctx context.Context, a *contest.Actor, id int64, part string, fn func(r *contest.PreventReferral) error) error {
	r, err := referralByID(ctx, d.read, id)
	if errors.Is(err, sql.ErrNoRows) {
		return d.denied(ctx, a, contest.AuditRead, contest.KindPreventCase, itoa(id), "missing", contest.NotFound(contest.KindPreventCase))
	} else if err != nil {
		return fmt.Errorf("referral: %w", err)
	}
	if dec := access.Decide(a, access.Read, contest.KindPreventCase, &r.Meta); !dec.Allowed {
		return d.denied(ctx, a, contest.AuditRead, contest.KindPreventCase, itoa(id), dec.Reason, contest.NotFound(contest.KindPreventCase))
	}
	if err := fn(r); err != nil {
		return err
	}
	return d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditRead, Kind: contest.KindPreventCase, RecordID: itoa(id),
		Detail: map[string]string{"part": part}})
}

// referenceAlphabet has no letters easily mistaken for digits.
const referenceAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// newReference is PR-<year>-<8 random characters>.
func newReference(now time.Time) string {
	b := make([]byte, 8)
	rand.Read(b)
	for i := range b {
		b[i] = referenceAlphabet[int(b[i])%len(referenceAlphabet)]
	}
	return fmt.Sprintf("PR-%d-%s", now.Year(), b)
}

// CreatePreventReferral implements contest.PreventService. The referral is
// owned by the referrer's organisation and marked OFFICIAL-SENSITIVE; the
// person is recorded as a mention in the same transaction, so matching
// sees them at once.
func (d *DB) CreatePreventReferral(ctx context.Context, a *contest.Actor, req *contest.ReferralRequest) (*contest.PreventReferral, error) {
	if err := d.forbid(ctx, a, access.Create, contest.AuditCreate, contest.KindPreventCase, ""); err != nil {
		return nil, err
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	details, err := json.Marshal(req.Details)
	if err != nil {
		return nil, fmt.Errorf("referral details: %w", err)
	}
	var out *contest.PreventReferral
	err = d.inWrite(ctx, func(tx *Tx) error {
		v := &contest.PreventReferral{Reference: newReference(tx.now), GivenName: req.GivenName, FamilyName: req.FamilyName,
			DateOfBirth: req.DateOfBirth, Sector: req.Sector, Concern: req.Concern, Age: req.Age, Gender: req.Gender, Region: req.Region,
			Stage: stageReferred, ReferredAt: tx.now, Meta: contest.Meta{Classification: contest.OfficialSensitive, Area: req.Area}}
		// A referrer may refer anyone, from any area: the referral is
		// their organisation's, and the area decides which local
		// authority sees it.
		tx.newMeta(a, &v.Meta)
		err := tx.QueryRowContext(ctx, "INSERT INTO prevent_referrals (reference, given_name, family_name, date_of_birth, sector, concern, age, gender, region, stage, referred_at, owner_user_id, details, "+
			metaCols+") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 0, $12, $13, $14, $15, $16, $17, $18, $19, $20) RETURNING id",
			append([]any{v.Reference, v.GivenName, v.FamilyName, v.DateOfBirth, v.Sector, v.Concern, v.Age, v.Gender, v.Region, v.Stage,
				micros(v.ReferredAt), string(details)}, metaArgs(&v.Meta)...)...).Scan(&v.ID)
		if err != nil {
			return fmt.Errorf("create referral: %w", err)
		}
		meta := v.Meta
		// Only what identifies the person is matched: age, gender and
		// region are for statistics only.
		if _, err := tx.addMention(ctx, a, contest.KindPreventCase, v.ID, "referred", &meta,
			&contest.PersonDetails{Given: v.GivenName, Family: v.FamilyName, DateOfBirth: v.DateOfBirth}); err != nil {
			return err
		}
		out = v
		return tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditCreate, Kind: contest.KindPreventCase, RecordID: itoa(v.ID),
			Detail: map[string]string{"reference": v.Reference, "sector": v.Sector, "area": v.Meta.Area}})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// PreventReferralDetails implements contest.PreventService.
func (d *DB) PreventReferralDetails(ctx context.Context, a *contest.Actor, id int64) (*contest.ReferralDetails, error) {
	var out contest.ReferralDetails
	err := d.preventRead(ctx, a, id, "details", func(*contest.PreventReferral) error {
		var body string
		if err := d.read.QueryRowContext(ctx, "SELECT details FROM prevent_referrals WHERE id = $1", id).Scan(&body); err != nil {
			return fmt.Errorf("referral details: %w", err)
		}
		return json.Unmarshal([]byte(body), &out)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// referrerOutcome is what a referrer may learn from the stage and the
// screening decision: police-led and panel cases look the same to them.
func referrerOutcome(stage, decision, signposted string) (outcome, message, sign string) {
	switch {
	case stage == stageReferred || stage == stageScreening:
		return contest.ReferrerReceived, "Your referral has been received and is being considered.", ""
	case stage == stageClosed && decision == contest.ScreenNotPrevent:
		return contest.ReferrerNoAction, "Your referral has been considered. It is not being taken forward by Prevent.", signposted
	case stage == stageClosed:
		return contest.ReferrerNoAction, "Your referral has been considered. It is not being taken forward by Prevent.", ""
	}
	return contest.ReferrerTakenForward, "Your referral has been considered and is being taken forward. Details are not shared.", ""
}

// PreventReferrerView implements contest.PreventService: the referrer, or
// anyone in the referring organisation, learns only the coarse outcome.
func (d *DB) PreventReferrerView(ctx context.Context, a *contest.Actor, reference string) (*contest.ReferrerView, error) {
	reference = strings.ToUpper(strings.TrimSpace(reference))
	notFound := contest.NotFound(contest.KindPreventCase)
	if !access.Can(a, access.Create, contest.KindPreventCase) && !access.Can(a, access.Read, contest.KindPreventCase) {
		return nil, d.denied(ctx, a, contest.AuditRead, contest.KindPreventCase, "", "role", notFound)
	}
	var (
		id                          int64
		v                           contest.ReferrerView
		at, createdBy, ownerOrg     int64
		stage, decision, signposted string
	)
	err := d.read.QueryRowContext(ctx, "SELECT id, reference, referred_at, created_by, owner_org_id, stage, screening_decision, signposted_to FROM prevent_referrals WHERE reference = $1",
		reference).Scan(&id, &v.Reference, &at, &createdBy, &ownerOrg, &stage, &decision, &signposted)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, d.denied(ctx, a, contest.AuditRead, contest.KindPreventCase, "", "missing", notFound)
	} else if err != nil {
		return nil, fmt.Errorf("referral by reference: %w", err)
	}
	if createdBy != a.UserID && ownerOrg != a.OrgID {
		return nil, d.denied(ctx, a, contest.AuditRead, contest.KindPreventCase, itoa(id), "not the referrer", notFound)
	}
	v.ReferredAt = fromMicros(at)
	v.Outcome, v.Message, v.SignpostedTo = referrerOutcome(stage, decision, signposted)
	if err := d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditRead, Kind: contest.KindPreventCase, RecordID: itoa(id),
		Detail: map[string]string{"part": "referrer view", "outcome": v.Outcome}}); err != nil {
		return nil, err
	}
	return &v, nil
}

// ctPolice reports whether the actor is counter-terrorism (or other)
// police, who screen referrals.
func ctPolice(a *contest.Actor) bool {
	return a.System || a.OrgKind == contest.OrgCTP || a.OrgKind == contest.OrgPolice
}

var errNotPolice = contest.Errorf(contest.EFORBIDDEN, "Referrals are screened by counter-terrorism police.")

// ScreenPreventReferral implements contest.PreventService. The person is
// matched at once (pending mentions first), then the referral's possible
// matches as the screener may see them (FindPossibleMatches: matches with a
// record the screener may not see are "referred" stubs) are examined as
// the system: any with a Pursue record routes the referral to the
// investigation team as a deconfliction, which Prevent users never see.
// The step and its note are the same either way.
func (d *DB) ScreenPreventReferral(ctx context.Context, a *contest.Actor, id int64) (*contest.Screening, error) {
	if !ctPolice(a) {
		return nil, d.denied(ctx, a, contest.AuditUpdate, contest.KindPreventCase, itoa(id), "not police", errNotPolice)
	}
	started := d.now()
	// Visible to the screener? (Audited; a hidden one is not found.)
	if err := d.preventRead(ctx, a, id, "screening", func(*contest.PreventReferral) error { return nil }); err != nil {
		return nil, err
	}
	if _, err := d.MatchPending(ctx); err != nil {
		return nil, fmt.Errorf("pursue check: %w", err)
	}
	pms, _, err := d.FindPossibleMatches(ctx, a, contest.MatchFilter{SourceKind: contest.KindPreventCase, SourceID: id, Limit: 500})
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, pm := range pms {
		if pm.Status != contest.MatchRejected {
			ids = append(ids, pm.ID)
		}
	}
	pursue, err := pursueMatches(ctx, d.read, ids)
	if err != nil {
		return nil, err
	}
	err = d.preventWrite(ctx, a, id, "screening", func(tx *Tx, r *contest.PreventReferral) (map[string]string, error) {
		if r.Stage != stageReferred && r.Stage != stageScreening {
			return nil, contest.Errorf(contest.ECONFLICT, "This referral has already been screened.")
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO prevent_screening_steps (referral_id, step, started_at, finished_at, done_by, note) VALUES ($1, $2, $3, $4, $5, $6)",
			id, contest.StepPursueCheck, micros(started), micros(tx.now), a.UserID, "Checked against Pursue records."); err != nil {
			return nil, fmt.Errorf("screening step: %w", err)
		}
		owner := r.OwnerUserID
		if owner == 0 {
			owner = a.UserID
		}
		if _, err := tx.ExecContext(ctx, "UPDATE prevent_referrals SET stage = $1, owner_user_id = $2, updated_by = $3, updated_at = $4 WHERE id = $5",
			stageScreening, owner, a.UserID, micros(tx.now), id); err != nil {
			return nil, fmt.Errorf("screening: %w", err)
		}
		if len(pursue) > 0 {
			if err := tx.routeToInvestigation(ctx, r, pursue); err != nil {
				return nil, err
			}
		}
		// The audit detail, like the answer, says nothing of a match.
		return map[string]string{"step": contest.StepPursueCheck}, nil
	})
	if err != nil {
		return nil, err
	}
	return d.FindPreventScreening(ctx, a, id)
}

// pursueMatches are those of the possible matches ids that join a mention
// to a Pursue record (a subject or an investigation).
func pursueMatches(ctx context.Context, q queryer, ids []int64) ([]int64, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err := q.QueryContext(ctx, "SELECT DISTINCT pm.id FROM possible_matches pm JOIN person_mentions m ON m.id IN (pm.mention_id, pm.candidate_id)"+
		" WHERE pm.id IN ("+inList(ids)+") AND m.source_kind IN ($1, $2) ORDER BY pm.id", string(contest.KindSubject), string(contest.KindInvestigation))
	if err != nil {
		return nil, fmt.Errorf("pursue matches: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// routeToInvestigation records the referral as a deconfliction for the
// investigation team, owned by the counter-terrorism police, as the
// system: the Prevent screener never sees it.
func (tx *Tx) routeToInvestigation(ctx context.Context, r *contest.PreventReferral, pms []int64) error {
	body, _ := json.Marshal(pms)
	sys := contest.SystemActor("prevent screening")
	m := contest.Meta{Classification: max(r.Meta.Classification, contest.OfficialSensitive), OwnerOrgID: r.Meta.OwnerOrgID, Area: r.Meta.Area}
	tx.newMeta(sys, &m)
	var did int64
	err := tx.QueryRowContext(ctx, "INSERT INTO prevent_deconflictions (referral_id, reference, possible_matches, status, "+metaCols+
		") VALUES ($1, $2, $3, 'open', $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (referral_id) DO UPDATE SET possible_matches = excluded.possible_matches RETURNING id",
		append([]any{r.ID, r.Reference, string(body)}, metaArgs(&m)...)...).Scan(&did)
	if err != nil {
		return fmt.Errorf("deconfliction: %w", err)
	}
	return tx.appendAudit(ctx, sys, &contest.AuditEntry{Action: contest.AuditCreate, Kind: contest.KindDeconfliction, RecordID: itoa(did),
		Detail: map[string]string{"referral": itoa(r.ID), "possible_matches": string(body)}})
}

// FindDeconflictions implements contest.PreventService.
func (d *DB) FindDeconflictions(ctx context.Context, a *contest.Actor) ([]*contest.Deconfliction, error) {
	if err := d.forbid(ctx, a, access.Read, contest.AuditList, contest.KindDeconfliction, ""); err != nil {
		return nil, err
	}
	where, args := access.Filter(a, access.Read, contest.KindDeconfliction, "t", 1)
	rows, err := d.read.QueryContext(ctx, "SELECT t.id, t.referral_id, t.reference, t.possible_matches, t.status, t.reason, "+prefixed("t", metaCols)+
		" FROM prevent_deconflictions t WHERE "+where+" ORDER BY CASE WHEN t.status = 'open' THEN 0 ELSE 1 END, t.id DESC LIMIT 500", args...)
	if err != nil {
		return nil, fmt.Errorf("deconflictions: %w", err)
	}
	defer rows.Close()
	var out []*contest.Deconfliction
	for rows.Next() {
		var v contest.Deconfliction
		var body string
		var tmp [5]int64
		if err := rows.Scan(append([]any{&v.ID, &v.ReferralID, &v.Reference, &body, &v.Status, &v.Reason}, metaDest(&v.Meta, &tmp)...)...); err != nil {
			return nil, err
		}
		metaFinish(&v.Meta, &tmp)
		v.CreatedAt = v.Meta.CreatedAt
		if err := json.Unmarshal([]byte(body), &v.PossibleMatches); err != nil {
			return nil, err
		}
		out = append(out, &v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if err := d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditList, Kind: contest.KindDeconfliction,
		Detail: map[string]string{"results": itoa(int64(len(out)))}}); err != nil {
		return nil, err
	}
	return out, nil
}

// DecidePreventScreening implements contest.PreventService.
func (d *DB) DecidePreventScreening(ctx context.Context, a *contest.Actor, id int64, decision, reason, signpostedTo string) (*contest.Screening, error) {
	if !ctPolice(a) {
		return nil, d.denied(ctx, a, contest.AuditUpdate, contest.KindPreventCase, itoa(id), "not police", errNotPolice)
	}
	var fe contest.FieldErrors
	reason, signpostedTo = strings.TrimSpace(reason), strings.TrimSpace(signpostedTo)
	stage := map[string]string{contest.ScreenNotPrevent: stageClosed, contest.ScreenPoliceLed: stagePoliceLed, contest.ScreenPanel: stagePanel}[decision]
	if stage == "" {
		fe.Add("decision", "Select the screening decision")
	}
	switch {
	case reason == "":
		fe.Add("reason", "Enter the reason for the decision")
	case len(reason) > 4000:
		fe.Add("reason", "Reason must be 4000 characters or fewer")
	}
	if decision == contest.ScreenNotPrevent && signpostedTo == "" {
		fe.Add("signposted_to", "Enter where the person was signposted, or none")
	}
	if len(signpostedTo) > 200 {
		fe.Add("signposted_to", "Signposted to must be 200 characters or fewer")
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	if decision != contest.ScreenNotPrevent {
		signpostedTo = ""
	}
	err := d.preventWrite(ctx, a, id, "screening decision", func(tx *Tx, r *contest.PreventReferral) (map[string]string, error) {
		if r.Stage != stageScreening {
			if r.Stage == stageReferred {
				return nil, contest.Errorf(contest.ECONFLICT, "Run the Pursue check before deciding.")
			}
			return nil, contest.Errorf(contest.ECONFLICT, "This referral has already been screened.")
		}
		var last int64
		if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(finished_at), 0) FROM prevent_screening_steps WHERE referral_id = $1", id).Scan(&last); err != nil {
			return nil, fmt.Errorf("screening steps: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO prevent_screening_steps (referral_id, step, started_at, finished_at, done_by, note) VALUES ($1, $2, $3, $4, $5, $6)",
			id, contest.StepDecision, last, micros(tx.now), a.UserID, ""); err != nil {
			return nil, fmt.Errorf("screening step: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE prevent_referrals SET stage = $1, screening_decision = $2, screening_reason = $3, signposted_to = $4, screened_by = $5, screened_at = $6, updated_by = $5, updated_at = $6 WHERE id = $7",
			stage, decision, reason, signpostedTo, a.UserID, micros(tx.now), id); err != nil {
			return nil, fmt.Errorf("screening decision: %w", err)
		}
		return map[string]string{"decision": decision, "reason": d.hasher.HMAC(reason), "stage": stage}, nil
	})
	if err != nil {
		return nil, err
	}
	return d.FindPreventScreening(ctx, a, id)
}

// FindPreventScreening implements contest.PreventService.
func (d *DB) FindPreventScreening(ctx context.Context, a *contest.Actor, id int64) (*contest.Screening, error) {
	s := &contest.Screening{ReferralID: id}
	err := d.preventRead(ctx, a, id, "screening", func(*contest.PreventReferral) error {
		var at int64
		if err := d.read.QueryRowContext(ctx, "SELECT screening_decision, screening_reason, signposted_to, screened_by, screened_at FROM prevent_referrals WHERE id = $1", id).
			Scan(&s.Decision, &s.Reason, &s.SignpostedTo, &s.DecidedBy, &at); err != nil {
			return fmt.Errorf("screening: %w", err)
		}
		s.DecidedAt = fromMicros(at)
		rows, err := d.read.QueryContext(ctx, "SELECT step, started_at, finished_at, done_by, note FROM prevent_screening_steps WHERE referral_id = $1 ORDER BY id", id)
		if err != nil {
			return fmt.Errorf("screening steps: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var st contest.ScreeningStep
			var from, to int64
			if err := rows.Scan(&st.Step, &from, &to, &st.By, &st.Note); err != nil {
				return err
			}
			st.StartedAt, st.FinishedAt = fromMicros(from), fromMicros(to)
			st.Took = st.FinishedAt.Sub(st.StartedAt)
			s.Steps = append(s.Steps, &st)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// ReviewMonths are when a case is reviewed after exit.
var ReviewMonths = []int{6, 12}

func checkText(fe *contest.FieldErrors, field, what, v string, required bool) {
	switch {
	case v == "" && required:
		fe.Add(field, "Enter "+what)
	case len(v) > 4000:
		fe.Add(field, strings.ToUpper(what[:1])+what[1:]+" must be 4000 characters or fewer")
	}
}

// OpenSupportPlan implements contest.PreventService.
func (d *DB) OpenSupportPlan(ctx context.Context, a *contest.Actor, referralID int64, providers []string, goals string) (*contest.SupportPlan, error) {
	var fe contest.FieldErrors
	var ps []string
	for _, p := range providers {
		if p = strings.TrimSpace(p); p != "" && !slices.Contains(ps, p) {
			ps = append(ps, p)
		}
	}
	if len(ps) == 0 {
		fe.Add("providers", "Enter at least one intervention provider")
	}
	for _, p := range ps {
		if len(p) > 200 {
			fe.Add("providers", "Each provider must be 200 characters or fewer")
			break
		}
	}
	goals = strings.TrimSpace(goals)
	checkText(&fe, "goals", "the goals of the plan", goals, true)
	if err := fe.Err(); err != nil {
		return nil, err
	}
	body, _ := json.Marshal(ps)
	err := d.preventWrite(ctx, a, referralID, "support plan", func(tx *Tx, r *contest.PreventReferral) (map[string]string, error) {
		if r.Stage != stageAdopted && r.Stage != stagePoliceLed {
			return nil, contest.Errorf(contest.ECONFLICT, "Support starts once the panel has adopted the case, or for a police-led case.")
		}
		if err := tx.requireConsent(ctx, referralID); err != nil {
			return nil, err
		}
		res, err := tx.ExecContext(ctx, "INSERT INTO support_plans (referral_id, providers, goals, status, opened_by, opened_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (referral_id) DO NOTHING",
			referralID, string(body), goals, contest.PlanOpen, a.UserID, micros(tx.now))
		if err != nil {
			return nil, fmt.Errorf("support plan: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil, contest.Errorf(contest.ECONFLICT, "This case already has a support plan.")
		}
		return map[string]string{"providers": strings.Join(ps, "; ")}, nil
	})
	if err != nil {
		return nil, err
	}
	return d.FindSupportPlan(ctx, a, referralID)
}

// AddSupportSession implements contest.PreventService.
func (d *DB) AddSupportSession(ctx context.Context, a *contest.Actor, referralID int64, s *contest.SupportSession) error {
	var fe contest.FieldErrors
	s.Provider, s.Progress = strings.TrimSpace(s.Provider), strings.TrimSpace(s.Progress)
	if s.Provider == "" {
		fe.Add("provider", "Select the provider")
	}
	if s.HeldAt.IsZero() {
		fe.Add("held_at", "Enter the date of the session")
	} else if s.HeldAt.After(d.now().Add(24 * time.Hour)) {
		fe.Add("held_at", "The date of the session must be today or in the past")
	}
	checkText(&fe, "progress", "the progress made", s.Progress, true)
	if err := fe.Err(); err != nil {
		return err
	}
	return d.preventWrite(ctx, a, referralID, "support session", func(tx *Tx, r *contest.PreventReferral) (map[string]string, error) {
		var planID int64
		var status, providers string
		err := tx.QueryRowContext(ctx, "SELECT id, status, providers FROM support_plans WHERE referral_id = $1", referralID).Scan(&planID, &status, &providers)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, contest.Errorf(contest.ECONFLICT, "Open a support plan before recording sessions.")
		} else if err != nil {
			return nil, fmt.Errorf("support plan: %w", err)
		}
		if status != contest.PlanOpen {
			return nil, contest.Errorf(contest.ECONFLICT, "Support has ended for this case.")
		}
		var ps []string
		if err := json.Unmarshal([]byte(providers), &ps); err != nil {
			return nil, err
		}
		if !slices.Contains(ps, s.Provider) {
			fe := contest.FieldErrors{}
			fe.Add("provider", "Select one of the plan's providers")
			return nil, fe.Err()
		}
		if err := tx.requireConsent(ctx, referralID); err != nil {
			return nil, err
		}
		s.RecordedBy, s.RecordedAt = a.UserID, tx.now
		if err := tx.QueryRowContext(ctx, "INSERT INTO support_sessions (plan_id, provider, held_at, progress, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
			planID, s.Provider, micros(s.HeldAt), s.Progress, a.UserID, micros(tx.now)).Scan(&s.ID); err != nil {
			return nil, fmt.Errorf("support session: %w", err)
		}
		return map[string]string{"session": itoa(s.ID), "provider": s.Provider}, nil
	})
}

// ExitSupportPlan implements contest.PreventService.
func (d *DB) ExitSupportPlan(ctx context.Context, a *contest.Actor, referralID int64, outcome, reason string) (*contest.SupportPlan, error) {
	var fe contest.FieldErrors
	if !contest.ChoiceValid(contest.ExitOutcomes, outcome) {
		fe.Add("outcome", "Select the outcome of support")
	}
	reason = strings.TrimSpace(reason)
	checkText(&fe, "reason", "the reason for exit", reason, true)
	if err := fe.Err(); err != nil {
		return nil, err
	}
	err := d.preventWrite(ctx, a, referralID, "support exit", func(tx *Tx, r *contest.PreventReferral) (map[string]string, error) {
		res, err := tx.ExecContext(ctx, "UPDATE support_plans SET status = $1, outcome = $2, exit_reason = $3, exited_by = $4, exited_at = $5 WHERE referral_id = $6 AND status = $7",
			contest.PlanExited, outcome, reason, a.UserID, micros(tx.now), referralID, contest.PlanOpen)
		if err != nil {
			return nil, fmt.Errorf("exit: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil, contest.Errorf(contest.ECONFLICT, "This case has no open support plan.")
		}
		if _, err := tx.ExecContext(ctx, "UPDATE prevent_referrals SET stage = $1, updated_by = $2, updated_at = $3 WHERE id = $4",
			stageExited, a.UserID, micros(tx.now), referralID); err != nil {
			return nil, fmt.Errorf("exit: %w", err)
		}
		// The reviews go to the case's owner (the exiting officer if
		// it has none) and appear in their queue when due.
		owner := r.OwnerUserID
		if owner == 0 {
			owner = a.UserID
		}
		for _, m := range ReviewMonths {
			if _, err := tx.ExecContext(ctx, "INSERT INTO prevent_reviews (referral_id, months, due_at, owner_user_id) VALUES ($1, $2, $3, $4)",
				referralID, m, micros(tx.now.AddDate(0, m, 0)), owner); err != nil {
				return nil, fmt.Errorf("schedule review: %w", err)
			}
		}
		return map[string]string{"outcome": outcome, "reason": d.hasher.HMAC(reason), "reviews_for": itoa(owner)}, nil
	})
	if err != nil {
		return nil, err
	}
	return d.FindSupportPlan(ctx, a, referralID)
}

// FindSupportPlan implements contest.PreventService.
func (d *DB) FindSupportPlan(ctx context.Context, a *contest.Actor, referralID int64) (*contest.SupportPlan, error) {
	var out *contest.SupportPlan
	err := d.preventRead(ctx, a, referralID, "support plan", func(*contest.PreventReferral) error {
		p := &contest.SupportPlan{ReferralID: referralID}
		var providers string
		var opened, exited int64
		err := d.read.QueryRowContext(ctx, "SELECT id, providers, goals, status, outcome, exit_reason, opened_by, opened_at, exited_by, exited_at FROM support_plans WHERE referral_id = $1", referralID).
			Scan(&p.ID, &providers, &p.Goals, &p.Status, &p.Outcome, &p.ExitReason, &p.OpenedBy, &opened, &p.ExitedBy, &exited)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		} else if err != nil {
			return fmt.Errorf("support plan: %w", err)
		}
		if err := json.Unmarshal([]byte(providers), &p.Providers); err != nil {
			return err
		}
		p.OpenedAt, p.ExitedAt = fromMicros(opened), fromMicros(exited)
		rows, err := d.read.QueryContext(ctx, "SELECT id, provider, held_at, progress, recorded_by, recorded_at FROM support_sessions WHERE plan_id = $1 ORDER BY held_at, id", p.ID)
		if err != nil {
			return fmt.Errorf("support sessions: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			s := &contest.SupportSession{}
			var held, rec int64
			if err := rows.Scan(&s.ID, &s.Provider, &held, &s.Progress, &s.RecordedBy, &rec); err != nil {
				return err
			}
			s.HeldAt, s.RecordedAt = fromMicros(held), fromMicros(rec)
			p.Sessions = append(p.Sessions, s)
		}
		out = p
		return rows.Err()
	})
	return out, err
}

const reviewCols = "v.id, v.referral_id, t.reference, v.months, v.due_at, v.owner_user_id, v.outcome, v.note, v.done_by, v.done_at"

func scanReview(r interface{ Scan(...any) error }) (*contest.Review, error) {
	v := &contest.Review{}
	var due, done int64
	if err := r.Scan(&v.ID, &v.ReferralID, &v.Reference, &v.Months, &due, &v.OwnerUserID, &v.Outcome, &v.Note, &v.DoneBy, &done); err != nil {
		return nil, err
	}
	v.DueAt, v.DoneAt = fromMicros(due), fromMicros(done)
	return v, nil
}

// FindReviewQueue implements contest.PreventService: the same access rule
// as the referrals list, as an SQL predicate.
func (d *DB) FindReviewQueue(ctx context.Context, a *contest.Actor) ([]*contest.Review, error) {
	if err := d.forbid(ctx, a, access.Read, contest.AuditList, contest.KindPreventCase, ""); err != nil {
		return nil, err
	}
	where, args := access.Filter(a, access.Read, contest.KindPreventCase, "t", 2)
	rows, err := d.read.QueryContext(ctx, "SELECT "+reviewCols+" FROM prevent_reviews v JOIN prevent_referrals t ON t.id = v.referral_id WHERE v.owner_user_id = $1 AND v.done_at = 0 AND "+
		where+" ORDER BY v.due_at, v.id LIMIT 500", append([]any{a.UserID}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("review queue: %w", err)
	}
	out, err := collect(rows, scanReview)
	if err != nil {
		return nil, err
	}
	if err := d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditList, Kind: contest.KindPreventCase,
		Detail: map[string]string{"part": "review queue", "results": itoa(int64(len(out)))}}); err != nil {
		return nil, err
	}
	return out, nil
}

// FindReviews implements contest.PreventService.
func (d *DB) FindReviews(ctx context.Context, a *contest.Actor, referralID int64) ([]*contest.Review, error) {
	var out []*contest.Review
	err := d.preventRead(ctx, a, referralID, "reviews", func(*contest.PreventReferral) error {
		rows, err := d.read.QueryContext(ctx, "SELECT "+reviewCols+" FROM prevent_reviews v JOIN prevent_referrals t ON t.id = v.referral_id WHERE v.referral_id = $1 ORDER BY v.months", referralID)
		if err != nil {
			return fmt.Errorf("reviews: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			v, err := scanReview(rows)
			if err != nil {
				return err
			}
			out = append(out, v)
		}
		return rows.Err()
	})
	return out, err
}

// RecordReviewOutcome implements contest.PreventService.
func (d *DB) RecordReviewOutcome(ctx context.Context, a *contest.Actor, reviewID int64, outcome, note string) (*contest.Review, error) {
	var fe contest.FieldErrors
	if !contest.ChoiceValid(contest.ReviewOutcomes, outcome) {
		fe.Add("outcome", "Select the outcome of the review")
	}
	note = strings.TrimSpace(note)
	checkText(&fe, "note", "a note of the review", note, true)
	if err := fe.Err(); err != nil {
		return nil, err
	}
	var referralID int64
	err := d.read.QueryRowContext(ctx, "SELECT referral_id FROM prevent_reviews WHERE id = $1", reviewID).Scan(&referralID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, d.denied(ctx, a, contest.AuditUpdate, contest.KindPreventCase, "", "missing review", contest.NotFound(contest.KindPreventCase))
	} else if err != nil {
		return nil, fmt.Errorf("review: %w", err)
	}
	var out *contest.Review
	err = d.preventWrite(ctx, a, referralID, "review", func(tx *Tx, r *contest.PreventReferral) (map[string]string, error) {
		res, err := tx.ExecContext(ctx, "UPDATE prevent_reviews SET outcome = $1, note = $2, done_by = $3, done_at = $4 WHERE id = $5 AND done_at = 0",
			outcome, note, a.UserID, micros(tx.now), reviewID)
		if err != nil {
			return nil, fmt.Errorf("review: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil, contest.Errorf(contest.ECONFLICT, "This review has already been recorded.")
		}
		out, err = scanReview(tx.QueryRowContext(ctx, "SELECT "+reviewCols+" FROM prevent_reviews v JOIN prevent_referrals t ON t.id = v.referral_id WHERE v.id = $1", reviewID))
		if err != nil {
			return nil, err
		}
		return map[string]string{"review": itoa(reviewID), "outcome": outcome, "note": d.hasher.HMAC(note)}, nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

const ddpCols = "t.id, t.given_name, t.family_name, t.date_of_birth, t.basis, t.mandated, t.provider, t.status, t.owner_user_id"

func scanDDP(r interface{ Scan(...any) error }) (*contest.DDPCase, error) {
	c := &contest.DDPCase{}
	var mandated int64
	var tmp [5]int64
	if err := r.Scan(append([]any{&c.ID, &c.GivenName, &c.FamilyName, &c.DateOfBirth, &c.Basis, &mandated, &c.Provider, &c.Status, &c.OwnerUserID},
		metaDest(&c.Meta, &tmp)...)...); err != nil {
		return nil, err
	}
	metaFinish(&c.Meta, &tmp)
	c.Mandated = mandated != 0
	return c, nil
}

// CreateDDPCase implements contest.DDPService. The case is the creator's
// organisation's, for its area, and its person is matched at once.
func (d *DB) CreateDDPCase(ctx context.Context, a *contest.Actor, c *contest.DDPCase) error {
	if err := d.forbid(ctx, a, access.Create, contest.AuditCreate, contest.KindDDPCase, ""); err != nil {
		return err
	}
	if err := c.Validate(); err != nil {
		return err
	}
	return d.inWrite(ctx, func(tx *Tx) error {
		c.Status, c.OwnerUserID = "open", a.UserID
		c.Meta = contest.Meta{Classification: contest.OfficialSensitive, Area: a.OrgArea}
		tx.newMeta(a, &c.Meta)
		mandated := 0
		if c.Mandated {
			mandated = 1
		}
		if err := tx.QueryRowContext(ctx, "INSERT INTO ddp_cases (given_name, family_name, date_of_birth, basis, mandated, provider, status, owner_user_id, "+metaCols+
			") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id",
			append([]any{c.GivenName, c.FamilyName, c.DateOfBirth, c.Basis, mandated, c.Provider, c.Status, c.OwnerUserID}, metaArgs(&c.Meta)...)...).Scan(&c.ID); err != nil {
			return fmt.Errorf("ddp case: %w", err)
		}
		meta := c.Meta
		if _, err := tx.addMention(ctx, a, contest.KindDDPCase, c.ID, "ddp", &meta,
			&contest.PersonDetails{Given: c.GivenName, Family: c.FamilyName, DateOfBirth: c.DateOfBirth}); err != nil {
			return err
		}
		return tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditCreate, Kind: contest.KindDDPCase, RecordID: itoa(c.ID),
			Detail: map[string]string{"basis": c.Basis, "mandated": fmt.Sprint(c.Mandated)}})
	})
}

// FindDDPCases implements contest.DDPService: open cases first.
func (d *DB) FindDDPCases(ctx context.Context, a *contest.Actor) ([]*contest.DDPCase, error) {
	if err := d.forbid(ctx, a, access.Read, contest.AuditList, contest.KindDDPCase, ""); err != nil {
		return nil, err
	}
	where, args := access.Filter(a, access.Read, contest.KindDDPCase, "t", 1)
	rows, err := d.read.QueryContext(ctx, "SELECT "+ddpCols+", "+prefixed("t", metaCols)+" FROM ddp_cases t WHERE "+where+" ORDER BY t.status DESC, t.id DESC LIMIT 500", args...)
	if err != nil {
		return nil, fmt.Errorf("ddp cases: %w", err)
	}
	out, err := collect(rows, scanDDP)
	if err != nil {
		return nil, err
	}
	if err := d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditList, Kind: contest.KindDDPCase,
		Detail: map[string]string{"results": itoa(int64(len(out)))}}); err != nil {
		return nil, err
	}
	return out, nil
}

// ddpByID reads a case with its compartments and sessions.
func ddpByID(ctx context.Context, q rowQueryer, id int64) (*contest.DDPCase, error) {
	c, err := scanDDP(q.QueryRowContext(ctx, "SELECT "+ddpCols+", "+prefixed("t", metaCols)+" FROM ddp_cases t WHERE t.id = $1", id))
	if err != nil {
		return nil, err
	}
	if err := loadCompartments(ctx, q, contest.KindDDPCase, map[int64]*contest.Meta{id: &c.Meta}); err != nil {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, "SELECT id, provider, held_at, progress, recorded_by, recorded_at FROM ddp_sessions WHERE case_id = $1 ORDER BY held_at, id", id)
	if err != nil {
		return nil, fmt.Errorf("ddp sessions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		s := &contest.SupportSession{}
		var held, rec int64
		if err := rows.Scan(&s.ID, &s.Provider, &held, &s.Progress, &s.RecordedBy, &rec); err != nil {
			return nil, err
		}
		s.HeldAt, s.RecordedAt = fromMicros(held), fromMicros(rec)
		c.Sessions = append(c.Sessions, s)
	}
	return c, rows.Err()
}

// FindDDPCaseByID implements contest.DDPService.
func (d *DB) FindDDPCaseByID(ctx context.Context, a *contest.Actor, id int64) (*contest.DDPCase, error) {
	c, err := ddpByID(ctx, d.read, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, d.denied(ctx, a, contest.AuditRead, contest.KindDDPCase, itoa(id), "missing", contest.NotFound(contest.KindDDPCase))
	} else if err != nil {
		return nil, fmt.Errorf("ddp case: %w", err)
	}
	if dec := access.Decide(a, access.Read, contest.KindDDPCase, &c.Meta); !dec.Allowed {
		return nil, d.denied(ctx, a, contest.AuditRead, contest.KindDDPCase, itoa(id), dec.Reason, contest.NotFound(contest.KindDDPCase))
	}
	if err := d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditRead, Kind: contest.KindDDPCase, RecordID: itoa(id)}); err != nil {
		return nil, err
	}
	return c, nil
}

// AddDDPSession implements contest.DDPService.
func (d *DB) AddDDPSession(ctx context.Context, a *contest.Actor, caseID int64, s *contest.SupportSession) error {
	if err := d.forbid(ctx, a, access.Update, contest.AuditUpdate, contest.KindDDPCase, itoa(caseID)); err != nil {
		return err
	}
	var fe contest.FieldErrors
	s.Progress = strings.TrimSpace(s.Progress)
	if s.HeldAt.IsZero() {
		fe.Add("held_at", "Enter the date of the session")
	} else if s.HeldAt.After(d.now().Add(24 * time.Hour)) {
		fe.Add("held_at", "The date of the session must be today or in the past")
	}
	checkText(&fe, "progress", "the progress made", s.Progress, true)
	if err := fe.Err(); err != nil {
		return err
	}
	hidden := ""
	err := d.inWrite(ctx, func(tx *Tx) error {
		c, err := ddpByID(ctx, tx, caseID)
		if errors.Is(err, sql.ErrNoRows) {
			hidden = "missing"
			return contest.NotFound(contest.KindDDPCase)
		} else if err != nil {
			return fmt.Errorf("ddp case: %w", err)
		}
		if dec := access.Decide(a, access.Update, contest.KindDDPCase, &c.Meta); !dec.Allowed {
			hidden = dec.Reason
			return contest.NotFound(contest.KindDDPCase)
		}
		if c.Status != "open" {
			return contest.Errorf(contest.ECONFLICT, "This case is closed.")
		}
		s.Provider, s.RecordedBy, s.RecordedAt = c.Provider, a.UserID, tx.now
		if err := tx.QueryRowContext(ctx, "INSERT INTO ddp_sessions (case_id, provider, held_at, progress, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
			caseID, s.Provider, micros(s.HeldAt), s.Progress, a.UserID, micros(tx.now)).Scan(&s.ID); err != nil {
			return fmt.Errorf("ddp session: %w", err)
		}
		return tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditUpdate, Kind: contest.KindDDPCase, RecordID: itoa(caseID),
			Detail: map[string]string{"session": itoa(s.ID)}})
	})
	if hidden != "" {
		return d.denied(ctx, a, contest.AuditUpdate, contest.KindDDPCase, itoa(caseID), hidden, contest.NotFound(contest.KindDDPCase))
	}
	return err
}

// PreventStatistics implements contest.PreventStatsService: one grouped
// pass over the year's visible referrals (by the referred_at index),
// folded into the journey and each breakdown. A referral was discussed at a
// panel if it reached the panel stage or later or was on an agenda.
func (d *DB) PreventStatistics(ctx context.Context, a *contest.Actor, fy int) (*contest.PreventStats, error) {
	if err := d.forbid(ctx, a, access.Read, contest.AuditList, contest.KindPreventCase, ""); err != nil {
		return nil, err
	}
	if fy < 2000 || fy > 2100 {
		var fe contest.FieldErrors
		fe.Add("year", "Enter a financial year from 2000 to 2100, like 2025 for April 2025 to March 2026")
		return nil, fe.Err()
	}
	s := &contest.PreventStats{FinancialYear: fy, From: time.Date(fy, time.April, 1, 0, 0, 0, 0, time.UTC),
		To: time.Date(fy+1, time.April, 1, 0, 0, 0, 0, time.UTC), DataDate: d.now()}
	where, args := access.Filter(a, access.Read, contest.KindPreventCase, "t", 3)
	// The rows come from the covering index prevent_referrals_stats and
	// are counted here: cheaper than a five-column GROUP BY's sort.
	q := "SELECT t.age, t.gender, t.concern, t.sector, t.region, t.stage, t.id IN (SELECT g.referral_id FROM panel_agenda g)" +
		" FROM prevent_referrals t WHERE t.referred_at >= $1 AND t.referred_at < $2 AND " + where
	rows, err := d.read.QueryContext(ctx, q, append([]any{micros(s.From), micros(s.To)}, args...)...)
	if err != nil {
		return nil, fmt.Errorf("prevent statistics: %w", err)
	}
	defer rows.Close()
	type acc map[string]*contest.StatRow
	by := [5]acc{{}, {}, {}, {}, {}}
	var (
		age                                  int
		gender, concern, sector, region, stg string
		onAgenda                             bool
	)
	for rows.Next() {
		if err := rows.Scan(&age, &gender, &concern, &sector, &region, &stg, &onAgenda); err != nil {
			return nil, err
		}
		var n [4]int
		n[0] = 1
		switch stg {
		case stageExited:
			n[1], n[2], n[3] = 1, 1, 1
		case stageAdopted:
			n[1], n[2] = 1, 1
		case stagePanel:
			n[1] = 1
		default:
			if onAgenda {
				n[1] = 1
			}
		}
		for i, k := range [5]string{contest.AgeBand(age), gender, concern, sector, region} {
			r := by[i][k]
			if r == nil {
				r = &contest.StatRow{Key: k}
				by[i][k] = r
			}
			r.Referred, r.Discussed, r.Adopted, r.Exited = r.Referred+n[0], r.Discussed+n[1], r.Adopted+n[2], r.Exited+n[3]
		}
		j := &s.Journey
		j.Referred, j.Discussed, j.Adopted, j.Exited = j.Referred+n[0], j.Discussed+n[1], j.Adopted+n[2], j.Exited+n[3]
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	s.Journey.Key, s.Journey.Label = "all", "All referrals"
	// Coded breakdowns list every code in the release's order (zeros
	// included); regions, being free text, by count.
	coded := func(m acc, cs []contest.Choice) []contest.StatRow {
		out := make([]contest.StatRow, 0, len(cs))
		for _, c := range cs {
			r := contest.StatRow{Key: c.Code}
			if x := m[c.Code]; x != nil {
				r = *x
			}
			r.Label = c.Label
			out = append(out, r)
			delete(m, c.Code)
		}
		for k, x := range m { // codes outside the list (older data)
			x.Label = k
			out = append(out, *x)
		}
		return out
	}
	s.ByAge = coded(by[0], contest.AgeBands)
	s.ByGender = coded(by[1], contest.PreventGenders)
	s.ByConcern = coded(by[2], contest.PreventConcerns)
	s.BySector = coded(by[3], contest.PreventSectors)
	s.ByRegion = []contest.StatRow{}
	for k, x := range by[4] {
		x.Label = k
		if k == "" {
			x.Label = "Not recorded"
		}
		s.ByRegion = append(s.ByRegion, *x)
	}
	slices.SortFunc(s.ByRegion, func(x, y contest.StatRow) int {
		if x.Referred != y.Referred {
			return y.Referred - x.Referred
		}
		return strings.Compare(x.Label, y.Label)
	})
	if err := d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditList, Kind: contest.KindPreventCase,
		Detail: map[string]string{"part": "statistics", "financial_year": strconv.Itoa(fy), "results": strconv.Itoa(s.Journey.Referred)}}); err != nil {
		return nil, err
	}
	return s, nil
}

// ResolveDeconfliction implements contest.PreventService.
func (d *DB) ResolveDeconfliction(ctx context.Context, a *contest.Actor, id int64, conflict bool, reason string) (*contest.Deconfliction, error) {
	if err := d.forbid(ctx, a, access.Update, contest.AuditUpdate, contest.KindDeconfliction, itoa(id)); err != nil {
		return nil, err
	}
	var fe contest.FieldErrors
	reason = strings.TrimSpace(reason)
	checkText(&fe, "reason", "the reason", reason, true)
	if err := fe.Err(); err != nil {
		return nil, err
	}
	status := "no_conflict"
	if conflict {
		status = "conflict"
	}
	var out *contest.Deconfliction
	hidden := ""
	err := d.inWrite(ctx, func(tx *Tx) error {
		v := &contest.Deconfliction{ID: id}
		var body string
		var tmp [5]int64
		err := tx.QueryRowContext(ctx, "SELECT t.referral_id, t.reference, t.possible_matches, t.status, "+prefixed("t", metaCols)+" FROM prevent_deconflictions t WHERE t.id = $1", id).
			Scan(append([]any{&v.ReferralID, &v.Reference, &body, &v.Status}, metaDest(&v.Meta, &tmp)...)...)
		if errors.Is(err, sql.ErrNoRows) {
			hidden = "missing"
			return contest.NotFound(contest.KindDeconfliction)
		} else if err != nil {
			return fmt.Errorf("deconfliction: %w", err)
		}
		metaFinish(&v.Meta, &tmp)
		if dec := access.Decide(a, access.Update, contest.KindDeconfliction, &v.Meta); !dec.Allowed {
			hidden = dec.Reason
			return contest.NotFound(contest.KindDeconfliction)
		}
		if v.Status != "open" {
			return contest.Errorf(contest.ECONFLICT, "This referral has already been deconflicted.")
		}
		if _, err := tx.ExecContext(ctx, "UPDATE prevent_deconflictions SET status = $1, reason = $2, updated_by = $3, updated_at = $4 WHERE id = $5", status, reason, a.UserID, micros(tx.now), id); err != nil {
			return fmt.Errorf("deconfliction: %w", err)
		}
		if err := json.Unmarshal([]byte(body), &v.PossibleMatches); err != nil {
			return err
		}
		v.Status, v.Reason, v.CreatedAt = status, reason, v.Meta.CreatedAt
		out = v
		return tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditUpdate, Kind: contest.KindDeconfliction, RecordID: itoa(id),
			Detail: map[string]string{"status": status, "reason": d.hasher.HMAC(reason)}})
	})
	if hidden != "" {
		return nil, d.denied(ctx, a, contest.AuditUpdate, contest.KindDeconfliction, itoa(id), hidden, contest.NotFound(contest.KindDeconfliction))
	}
	return out, err
}
