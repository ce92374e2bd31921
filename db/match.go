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
	"sync"
	"sync/atomic"
	"time"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/access"
	"github.com/contest-ct/contest/match"
)

// Join the dots. Every mention of a person (tx.addMention) is compared,
// once its record has committed, with every mention stored before it, in
// an in-memory match index (package match). Candidates at or above
// MatchThreshold become possible matches with their reasons; a match that
// touches a closed subject also opens a re-assessment of that subject.
//
// Each node keeps its own index and brings it up to date from
// person_mentions (ids only grow) before every use, and mentions not yet
// compared are found by matched_at = 0, so several nodes sharing
// PostgreSQL agree; two nodes comparing the same mention at once write the
// same pairs, which the unique key keeps to one.

// MatchThreshold is the match probability from which a candidate goes to
// the possible-matches queue.
const MatchThreshold = 0.8

// matchScanLimit bounds how many possible matches one list reads before
// filtering by what the actor may see.
const matchScanLimit = 5000

type matcher struct {
	mu      sync.Mutex // guards ix, last and source
	ix      *match.Index
	last    int64 // the highest mention id indexed
	changed int64 // the latest updated_at indexed
	source  map[int64]sourceRef
	running atomic.Bool
	nudge   chan struct{}
}

type sourceRef struct {
	kind contest.Kind
	id   int64
}

// toPerson converts what a record says about a person to the form the
// matcher compares.
func toPerson(id int64, p *contest.PersonDetails) match.Person {
	out := match.Person{ID: itoa(id), Given: p.Given, Middle: p.Middle, Family: p.Family,
		Phones: p.Phones, Emails: p.Emails, Documents: p.Documents, Handles: p.Handles}
	for _, a := range p.Aliases {
		out.Aliases = append(out.Aliases, match.SplitName(a))
	}
	if dob, err := match.ParseDate(p.DateOfBirth); err == nil {
		out.DOB = dob
	}
	for _, a := range p.Addresses {
		out.Addresses = append(out.Addresses, match.Address{Number: a.Number, Lines: a.Lines, Locality: a.Locality, Postcode: a.Postcode})
	}
	return out
}

// syncIndex adds to the index every mention stored since it last looked,
// and updates those changed since. The caller holds m.mu.
func (d *DB) syncIndex(ctx context.Context) error {
	m := &d.matcher
	if m.ix == nil {
		m.ix = match.NewIndex(match.Options{})
		m.source = map[int64]sourceRef{}
	}
	// Changes are found by updated_at, read again from a little before the
	// last one seen: nodes' clocks differ, and updating twice is harmless.
	since := m.changed - int64(time.Minute/time.Microsecond)
	for _, q := range []struct {
		sql string
		arg int64
	}{
		{"SELECT id, source_kind, source_id, person, updated_at FROM person_mentions WHERE id > $1 ORDER BY id", m.last},
		{"SELECT id, source_kind, source_id, person, updated_at FROM person_mentions WHERE updated_at > $1 AND updated_at > created_at ORDER BY id", since},
	} {
		if err := d.indexRows(ctx, q.sql, q.arg); err != nil {
			return err
		}
	}
	return nil
}

// indexRows adds or updates in the index the mentions a query returns.
func (d *DB) indexRows(ctx context.Context, query string, arg int64) error {
	m := &d.matcher
	rows, err := d.read.QueryContext(ctx, query, arg)
	if err != nil {
		return fmt.Errorf("match index: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, sid, updated int64
		var kind, body string
		if err := rows.Scan(&id, &kind, &sid, &body, &updated); err != nil {
			return err
		}
		var p contest.PersonDetails
		if err := json.Unmarshal([]byte(body), &p); err != nil {
			return fmt.Errorf("mention %d: %w", id, err)
		}
		if _, known := m.source[id]; known {
			err = m.ix.Update(toPerson(id, &p))
		} else {
			err = m.ix.Add(toPerson(id, &p))
		}
		if err != nil {
			return fmt.Errorf("mention %d: %w", id, err)
		}
		m.source[id] = sourceRef{contest.Kind(kind), sid}
		m.last = max(m.last, id)
		m.changed = max(m.changed, updated)
	}
	return rows.Err()
}

// EstimateMatchParams re-estimates the match parameters from the mentions
// stored (expectation-maximisation, no labels). A failed estimate keeps
// the parameters in use and is returned.
func (d *DB) EstimateMatchParams(ctx context.Context) error {
	m := &d.matcher
	m.mu.Lock()
	defer m.mu.Unlock()
	if err := d.syncIndex(ctx); err != nil {
		return err
	}
	if m.ix.Len() < 1000 {
		return nil // too few to estimate from; the defaults stand
	}
	_, err := m.ix.Reestimate(ctx, 20000, 1)
	return err
}

// pendingMention is a mention not yet compared.
type pendingMention struct {
	id  int64
	src sourceRef
	p   contest.PersonDetails
}

// foundPair is a possible match about to be stored.
type foundPair struct {
	mention, candidate int64
	cand               match.Candidate
	srcs               [2]sourceRef
}

// MatchPending compares every mention not yet compared with those stored
// before it, stores the possible matches and opens the re-assessments of
// closed subjects they touch. It returns how many mentions it compared.
// The matcher started by StartMatcher calls it; tests call it directly.
func (d *DB) MatchPending(ctx context.Context) (int, error) {
	m := &d.matcher
	m.mu.Lock()
	defer m.mu.Unlock()
	total := 0
	for {
		if err := d.syncIndex(ctx); err != nil {
			return total, err
		}
		pending, err := d.pendingMentions(ctx, 500)
		if err != nil || len(pending) == 0 {
			return total, err
		}
		var pairs []foundPair
		for _, pm := range pending {
			for _, c := range m.ix.Query(toPerson(pm.id, &pm.p), match.QueryOptions{MinProbability: MatchThreshold, Limit: 20, ExcludeID: itoa(pm.id)}) {
				cid, err := strconv.ParseInt(c.ID, 10, 64)
				if err != nil {
					continue
				}
				csrc := m.source[cid]
				if csrc == pm.src {
					continue // two people named in one record
				}
				// A pair is stored newer first, whichever side found it,
				// so that it is stored once.
				fp := foundPair{mention: pm.id, candidate: cid, cand: c, srcs: [2]sourceRef{pm.src, csrc}}
				if cid > pm.id {
					fp.mention, fp.candidate, fp.srcs = cid, pm.id, [2]sourceRef{csrc, pm.src}
				}
				pairs = append(pairs, fp)
			}
		}
		if err := d.storePairs(ctx, pending, pairs); err != nil {
			return total, err
		}
		total += len(pending)
	}
}

func (d *DB) pendingMentions(ctx context.Context, limit int) ([]pendingMention, error) {
	rows, err := d.read.QueryContext(ctx, "SELECT id, source_kind, source_id, person FROM person_mentions WHERE matched_at = 0 ORDER BY id LIMIT "+strconv.Itoa(limit))
	if err != nil {
		return nil, fmt.Errorf("pending mentions: %w", err)
	}
	defer rows.Close()
	var out []pendingMention
	for rows.Next() {
		var pm pendingMention
		var kind, body string
		if err := rows.Scan(&pm.id, &kind, &pm.src.id, &body); err != nil {
			return nil, err
		}
		pm.src.kind = contest.Kind(kind)
		if err := json.Unmarshal([]byte(body), &pm.p); err != nil {
			return nil, fmt.Errorf("mention %d: %w", pm.id, err)
		}
		out = append(out, pm)
	}
	return out, rows.Err()
}

// reasonsOf turns a match explanation into the stored reasons: the prior,
// then each field's weight (its term-frequency adjustment included).
func reasonsOf(e match.Explanation) []contest.MatchReason {
	out := []contest.MatchReason{{Field: "prior", Level: "", Weight: e.Prior, Detail: "the odds of any two mentions being one person"}}
	for _, c := range e.Contributions {
		r := contest.MatchReason{Field: c.Field, Level: c.Level, Weight: c.Weight + c.TFAdjustment}
		if c.M > 0 {
			r.Detail = fmt.Sprintf("m=%.3f u=%.5f", c.M, c.U)
		}
		if c.TFAdjustment != 0 {
			r.Detail += fmt.Sprintf("; name frequency %+.2f bits", c.TFAdjustment)
		}
		out = append(out, r)
	}
	if e.NamesSwapped {
		out = append(out, contest.MatchReason{Field: "names", Level: "swapped", Detail: "given and family names agree when read the other way round"})
	}
	return out
}

func (d *DB) storePairs(ctx context.Context, pending []pendingMention, pairs []foundPair) error {
	sys := contest.SystemActor("matcher")
	return d.inWrite(ctx, func(tx *Tx) error {
		stored := 0
		for _, p := range pairs {
			reasons, err := json.Marshal(reasonsOf(p.cand.Explanation))
			if err != nil {
				return err
			}
			var pmID int64
			err = tx.QueryRowContext(ctx, `INSERT INTO possible_matches (mention_id, candidate_id, weight, probability, reasons, status, created_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (mention_id, candidate_id) DO NOTHING RETURNING id`,
				p.mention, p.candidate, p.cand.Explanation.Total, p.cand.Probability, string(reasons), contest.MatchOpen, micros(tx.now)).Scan(&pmID)
			if errors.Is(err, sql.ErrNoRows) {
				continue // another node stored it first
			} else if err != nil {
				return fmt.Errorf("store possible match: %w", err)
			}
			stored++
			for i, src := range p.srcs {
				if src.kind != contest.KindSubject {
					continue
				}
				other := p.srcs[1-i]
				if err := tx.openReassessment(ctx, src.id, pmID, fmt.Sprintf("New possible match (probability %.2f) with a mention in a %s record.",
					p.cand.Probability, strings.ReplaceAll(string(other.kind), "_", " "))); err != nil {
					return err
				}
			}
		}
		ids := make([]int64, len(pending))
		for i, pm := range pending {
			ids[i] = pm.id
		}
		if _, err := tx.ExecContext(ctx, "UPDATE person_mentions SET matched_at = $1 WHERE matched_at = 0 AND id IN ("+inList(ids)+")", micros(tx.now)); err != nil {
			return fmt.Errorf("mark mentions compared: %w", err)
		}
		return tx.appendAudit(ctx, sys, &contest.AuditEntry{Action: contest.AuditCreate, Kind: contest.KindPossibleMatch,
			Detail: map[string]string{"mentions_compared": strconv.Itoa(len(pending)), "possible_matches": strconv.Itoa(stored)}})
	})
}

// openReassessment opens a re-assessment of a subject if it is closed.
func (tx *Tx) openReassessment(ctx context.Context, subjectID, pmID int64, reason string) error {
	var status string
	err := tx.QueryRowContext(ctx, "SELECT status FROM subjects WHERE id = $1", subjectID).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	} else if err != nil {
		return fmt.Errorf("subject status: %w", err)
	}
	if status == contest.SubjectActive {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO subject_reassessments (subject_id, possible_match_id, reason, status, created_at)
		VALUES ($1, $2, $3, 'open', $4) ON CONFLICT (subject_id, possible_match_id) DO NOTHING`, subjectID, pmID, reason, micros(tx.now)); err != nil {
		return fmt.Errorf("open re-assessment: %w", err)
	}
	return nil
}

// StartMatcher compares new mentions in the background until ctx ends:
// at once when this node stores one, and every few seconds for those
// stored by other nodes.
func (d *DB) StartMatcher(ctx context.Context) {
	m := &d.matcher
	if !m.running.CompareAndSwap(false, true) {
		return
	}
	m.nudge = make(chan struct{}, 1)
	go func() {
		defer m.running.Store(false)
		tick := time.NewTicker(3 * time.Second)
		defer tick.Stop()
		for first := true; ; first = false {
			if n, err := d.MatchPending(ctx); err != nil && ctx.Err() == nil {
				d.log.Error("matching failed", "err", err)
			} else if n > 0 {
				d.log.Info("mentions compared", "mentions", n)
			}
			if first {
				// The m and u probabilities follow the data: re-estimated
				// (EM, no labels) when enough has changed.
				m.mu.Lock()
				ix := m.ix
				m.mu.Unlock()
				if ix != nil {
					ix.ReestimateInBackground(ctx, 10*time.Minute, 20000, 1000, func(err error) {
						d.log.Warn("match parameters kept: re-estimation failed", "err", err)
					})
				}
			}
			select {
			case <-ctx.Done():
				return
			case <-m.nudge:
			case <-tick.C:
			}
		}
	}()
}

// nudgeMatcher wakes the background matcher, if it runs.
func (d *DB) nudgeMatcher() {
	if d.matcher.running.Load() {
		select {
		case d.matcher.nudge <- struct{}{}:
		default:
		}
	}
}

// mentionCols are person_mentions' columns in scanMention's order.
const mentionCols = "t.id, t.source_kind, t.source_id, t.role, t.person, t.person_id"

func scanMention(r interface{ Scan(...any) error }) (*contest.Mention, error) {
	var m contest.Mention
	var kind, body string
	var tmp [5]int64
	if err := r.Scan(append([]any{&m.ID, &kind, &m.SourceID, &m.Role, &body, &m.PersonID}, metaDest(&m.Meta, &tmp)...)...); err != nil {
		return nil, err
	}
	metaFinish(&m.Meta, &tmp)
	m.SourceKind = contest.Kind(kind)
	if err := json.Unmarshal([]byte(body), &m.Person); err != nil {
		return nil, fmt.Errorf("mention %d: %w", m.ID, err)
	}
	return &m, nil
}

// loadMentions reads mentions with the compartments of their records.
func loadMentions(ctx context.Context, q queryer, ids []int64) (map[int64]*contest.Mention, error) {
	out := map[int64]*contest.Mention{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := q.QueryContext(ctx, "SELECT "+mentionCols+", "+prefixed("t", metaCols)+" FROM person_mentions t WHERE t.id IN ("+inList(ids)+")")
	if err != nil {
		return nil, fmt.Errorf("mentions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		m, err := scanMention(rows)
		if err != nil {
			return nil, err
		}
		out[m.ID] = m
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// The compartments are those of the record each mention came from.
	byKind := map[contest.Kind]map[int64]*contest.Meta{}
	for _, m := range out {
		if byKind[m.SourceKind] == nil {
			byKind[m.SourceKind] = map[int64]*contest.Meta{}
		}
		byKind[m.SourceKind][m.SourceID] = &contest.Meta{}
	}
	for kind, metas := range byKind {
		if err := loadCompartments(ctx, q, kind, metas); err != nil {
			return nil, err
		}
	}
	for _, m := range out {
		m.Meta.Compartments = byKind[m.SourceKind][m.SourceID].Compartments
	}
	return out, nil
}

// sees reports whether a may see the record a mention came from.
func sees(a *contest.Actor, m *contest.Mention) bool {
	return m != nil && access.Decide(a, access.Read, m.SourceKind, &m.Meta).Allowed
}

const possibleMatchCols = "pm.id, pm.mention_id, pm.candidate_id, pm.weight, pm.probability, pm.reasons, pm.status, pm.decided_by, pm.decided_at, pm.decision_reason, pm.created_at"

func scanPossibleMatch(r interface{ Scan(...any) error }) (*contest.PossibleMatch, [2]int64, error) {
	var pm contest.PossibleMatch
	var ids [2]int64
	var reasons string
	var decided, created int64
	if err := r.Scan(&pm.ID, &ids[0], &ids[1], &pm.Weight, &pm.Probability, &reasons, &pm.Status, &pm.DecidedBy, &decided, &pm.DecisionReason, &created); err != nil {
		return nil, ids, err
	}
	if err := json.Unmarshal([]byte(reasons), &pm.Reasons); err != nil {
		return nil, ids, fmt.Errorf("possible match %d: %w", pm.ID, err)
	}
	pm.DecidedAt, pm.CreatedAt = fromMicros(decided), fromMicros(created)
	return &pm, ids, nil
}

// FindPossibleMatches implements contest.MatchService.
func (d *DB) FindPossibleMatches(ctx context.Context, a *contest.Actor, f contest.MatchFilter) ([]*contest.PossibleMatch, int, error) {
	if err := d.forbid(ctx, a, access.Read, contest.AuditList, contest.KindPossibleMatch, ""); err != nil {
		return nil, 0, err
	}
	var conds []string
	var args []any
	if f.Status != "" {
		args = append(args, f.Status)
		conds = append(conds, "pm.status = $"+strconv.Itoa(len(args)))
	}
	if f.SourceKind != "" {
		args = append(args, string(f.SourceKind), f.SourceID)
		n := len(args)
		conds = append(conds, fmt.Sprintf(`(EXISTS (SELECT 1 FROM person_mentions m WHERE m.id IN (pm.mention_id, pm.candidate_id) AND m.source_kind = $%d AND m.source_id = $%d))`, n-1, n))
	}
	where := ""
	if len(conds) > 0 {
		where = " WHERE " + strings.Join(conds, " AND ")
	}
	rows, err := d.read.QueryContext(ctx, "SELECT "+possibleMatchCols+" FROM possible_matches pm"+where+
		" ORDER BY pm.probability DESC, pm.id DESC LIMIT "+strconv.Itoa(matchScanLimit), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("possible matches: %w", err)
	}
	type row struct {
		pm  *contest.PossibleMatch
		ids [2]int64
	}
	var found []row
	var ids []int64
	for rows.Next() {
		pm, pair, err := scanPossibleMatch(rows)
		if err != nil {
			rows.Close()
			return nil, 0, err
		}
		found = append(found, row{pm, pair})
		ids = append(ids, pair[0], pair[1])
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	slices.Sort(ids)
	mentions, err := loadMentions(ctx, d.read, slices.Compact(ids))
	if err != nil {
		return nil, 0, err
	}
	var out []*contest.PossibleMatch
	for _, r := range found {
		m, c := mentions[r.ids[0]], mentions[r.ids[1]]
		switch {
		case sees(a, m) && sees(a, c):
			r.pm.Mention, r.pm.Candidate = m, c
			out = append(out, r.pm)
		case f.SourceKind != "":
			// The actor sees only the side of the record asked about: they
			// learn that the match was referred, and nothing else.
			own := m
			if m == nil || m.SourceKind != f.SourceKind || m.SourceID != f.SourceID {
				own = c
			}
			if sees(a, own) && own.SourceKind == f.SourceKind && own.SourceID == f.SourceID {
				out = append(out, &contest.PossibleMatch{ID: r.pm.ID, Mention: own, Status: contest.MatchReferred, CreatedAt: r.pm.CreatedAt})
			}
		}
	}
	out, total := pageOf(out, f.Offset, f.Limit)
	detail := map[string]string{"results": strconv.Itoa(total), "status": f.Status}
	if f.SourceKind != "" {
		detail["source"] = string(f.SourceKind) + "/" + itoa(f.SourceID)
	}
	if err := d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditList, Kind: contest.KindPossibleMatch, Detail: detail}); err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// pageOf is one page of a list filtered in Go, and the list's length. A
// limit outside 1 to 500 means 50.
func pageOf[T any](items []T, offset, limit int) ([]T, int) {
	total := len(items)
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	offset = max(offset, 0)
	return items[min(offset, total):min(offset+limit, total)], total
}

// possibleMatch reads one match with both sides, or not-found for an actor
// who may not see both.
func (d *DB) possibleMatch(ctx context.Context, q interface {
	queryer
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, a *contest.Actor, id int64) (*contest.PossibleMatch, string, error) {
	pm, ids, err := scanPossibleMatch(q.QueryRowContext(ctx, "SELECT "+possibleMatchCols+" FROM possible_matches pm WHERE pm.id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "missing", contest.NotFound(contest.KindPossibleMatch)
	} else if err != nil {
		return nil, "", fmt.Errorf("possible match: %w", err)
	}
	mentions, err := loadMentions(ctx, q, ids[:])
	if err != nil {
		return nil, "", err
	}
	pm.Mention, pm.Candidate = mentions[ids[0]], mentions[ids[1]]
	if !access.Can(a, access.Read, contest.KindPossibleMatch) || !sees(a, pm.Mention) || !sees(a, pm.Candidate) {
		return nil, "hidden", contest.NotFound(contest.KindPossibleMatch)
	}
	return pm, "", nil
}

// FindPossibleMatchByID implements contest.MatchService.
func (d *DB) FindPossibleMatchByID(ctx context.Context, a *contest.Actor, id int64) (*contest.PossibleMatch, error) {
	pm, why, err := d.possibleMatch(ctx, d.read, a, id)
	if why != "" {
		return nil, d.denied(ctx, a, contest.AuditRead, contest.KindPossibleMatch, itoa(id), why, err)
	} else if err != nil {
		return nil, err
	}
	if err := d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditRead, Kind: contest.KindPossibleMatch, RecordID: itoa(id)}); err != nil {
		return nil, err
	}
	return pm, nil
}

// DecidePossibleMatch implements contest.MatchService.
func (d *DB) DecidePossibleMatch(ctx context.Context, a *contest.Actor, id int64, decision, reason string) (*contest.PossibleMatch, error) {
	if err := d.forbid(ctx, a, access.Update, contest.AuditUpdate, contest.KindPossibleMatch, itoa(id)); err != nil {
		return nil, err
	}
	var fe contest.FieldErrors
	if decision != contest.DecideConfirm && decision != contest.DecideReject && decision != contest.DecideUnlink {
		fe.Add("decision", "Select confirm, reject or unlink")
	}
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		fe.Add("reason", "Enter the reason for your decision")
	case len(reason) > 2000:
		fe.Add("reason", "Reason must be 2000 characters or fewer")
	}
	if err := fe.Err(); err != nil {
		return nil, err
	}
	var out *contest.PossibleMatch
	var hidden string
	err := d.inWrite(ctx, func(tx *Tx) error {
		pm, why, err := d.possibleMatch(ctx, tx, a, id)
		if why != "" {
			hidden = why
			return err
		} else if err != nil {
			return err
		}
		want := map[string]string{contest.DecideConfirm: contest.MatchOpen, contest.DecideReject: contest.MatchOpen, contest.DecideUnlink: contest.MatchConfirmed}[decision]
		if pm.Status != want {
			return contest.Errorf(contest.ECONFLICT, "This match is %s: it cannot be given the decision %q.", pm.Status, decision)
		}
		status := map[string]string{contest.DecideConfirm: contest.MatchConfirmed, contest.DecideReject: contest.MatchRejected, contest.DecideUnlink: "unlinked"}[decision]
		if _, err := tx.ExecContext(ctx, "UPDATE possible_matches SET status = $1, decided_by = $2, decided_at = $3, decision_reason = $4 WHERE id = $5",
			status, a.UserID, micros(tx.now), reason, id); err != nil {
			return fmt.Errorf("decide possible match: %w", err)
		}
		switch decision {
		case contest.DecideConfirm:
			err = tx.linkMentions(ctx, pm.Mention, pm.Candidate)
		case contest.DecideUnlink:
			err = tx.relink(ctx, pm.Mention.PersonID)
		}
		if err != nil {
			return err
		}
		pm.Status, pm.DecidedBy, pm.DecidedAt, pm.DecisionReason = status, a.UserID, tx.now, reason
		out = pm
		return tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditUpdate, Kind: contest.KindPossibleMatch, RecordID: itoa(id),
			Detail: map[string]string{"decision": decision, "reason": d.hasher.HMAC(reason),
				"mentions": itoa(pm.Mention.ID) + "," + itoa(pm.Candidate.ID)}})
	})
	if hidden != "" {
		return nil, d.denied(ctx, a, contest.AuditUpdate, contest.KindPossibleMatch, itoa(id), hidden, contest.NotFound(contest.KindPossibleMatch))
	}
	if err != nil {
		return nil, err
	}
	// Re-read so that both sides show their person after the change.
	mentions, err := loadMentions(ctx, d.read, []int64{out.Mention.ID, out.Candidate.ID})
	if err != nil {
		return nil, err
	}
	out.Mention, out.Candidate = mentions[out.Mention.ID], mentions[out.Candidate.ID]
	return out, nil
}

// mentionPerson is the person a mention belongs to: its person_id, or itself.
func mentionPerson(m *contest.Mention) int64 {
	if m.PersonID != 0 {
		return m.PersonID
	}
	return m.ID
}

// linkMentions makes two mentions, and every mention already confirmed as
// either, one person: the lowest mention id of the lot names it.
func (tx *Tx) linkMentions(ctx context.Context, a, b *contest.Mention) error {
	pa, pb := mentionPerson(a), mentionPerson(b)
	target := min(pa, pb)
	_, err := tx.ExecContext(ctx, "UPDATE person_mentions SET person_id = $1 WHERE id IN ($2, $3) OR (person_id <> 0 AND person_id IN ($4, $5))",
		target, a.ID, b.ID, pa, pb)
	if err != nil {
		return fmt.Errorf("link mentions: %w", err)
	}
	return nil
}

// relink recomputes a person after a confirmation is undone: the mentions
// still joined by confirmed matches stay together, the others part.
func (tx *Tx) relink(ctx context.Context, person int64) error {
	if person == 0 {
		return nil
	}
	rows, err := tx.QueryContext(ctx, "SELECT id FROM person_mentions WHERE person_id = $1", person)
	if err != nil {
		return err
	}
	parent := map[int64]int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		parent[id] = id
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	find := func(x int64) int64 {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	edges, err := tx.QueryContext(ctx, `SELECT pm.mention_id, pm.candidate_id FROM possible_matches pm
		JOIN person_mentions m ON m.id = pm.mention_id WHERE pm.status = 'confirmed' AND m.person_id = $1`, person)
	if err != nil {
		return err
	}
	for edges.Next() {
		var x, y int64
		if err := edges.Scan(&x, &y); err != nil {
			edges.Close()
			return err
		}
		if _, ok := parent[y]; !ok {
			continue
		}
		rx, ry := find(x), find(y)
		if rx != ry {
			parent[max(rx, ry)] = min(rx, ry)
		}
	}
	edges.Close()
	if err := edges.Err(); err != nil {
		return err
	}
	size := map[int64]int{}
	for id := range parent {
		size[find(id)]++
	}
	for id := range parent {
		root := find(id)
		if size[root] == 1 {
			root = 0
		}
		if _, err := tx.ExecContext(ctx, "UPDATE person_mentions SET person_id = $1 WHERE id = $2", root, id); err != nil {
			return err
		}
	}
	return nil
}

// MentionsOfPerson implements contest.MatchService.
func (d *DB) MentionsOfPerson(ctx context.Context, a *contest.Actor, mentionID int64) ([]*contest.Mention, error) {
	ms, err := loadMentions(ctx, d.read, []int64{mentionID})
	if err != nil {
		return nil, err
	}
	m := ms[mentionID]
	if m == nil {
		return nil, d.denied(ctx, a, contest.AuditRead, contest.KindPossibleMatch, "mention/"+itoa(mentionID), "missing", contest.NotFound(contest.KindPossibleMatch))
	}
	if !access.Can(a, access.Read, contest.KindPossibleMatch) || !sees(a, m) {
		return nil, d.denied(ctx, a, contest.AuditRead, contest.KindPossibleMatch, "mention/"+itoa(mentionID), "hidden", contest.NotFound(contest.KindPossibleMatch))
	}
	out := []*contest.Mention{m}
	if m.PersonID != 0 {
		var ids []int64
		rows, err := d.read.QueryContext(ctx, "SELECT id FROM person_mentions WHERE person_id = $1 AND id <> $2 ORDER BY id", m.PersonID, m.ID)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			ids = append(ids, id)
		}
		rows.Close()
		others, err := loadMentions(ctx, d.read, ids)
		if err != nil {
			return nil, err
		}
		for _, id := range ids {
			if sees(a, others[id]) {
				out = append(out, others[id])
			}
		}
	}
	if err := d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditRead, Kind: contest.KindPossibleMatch, RecordID: "mention/" + itoa(mentionID),
		Detail: map[string]string{"results": strconv.Itoa(len(out))}}); err != nil {
		return nil, err
	}
	return out, nil
}
