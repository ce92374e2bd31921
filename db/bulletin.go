package db

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/access"
)

// Bulletins. A bulletin is written as a draft and published in one
// transaction that resolves its audience to organisations (bulletin_orgs),
// keeps the people in them whose vetting covers its classification
// (bulletin_recipients: the in-app delivery, and what acknowledgements are
// counted against), and queues an e-mail per recipient with an address and
// a webhook per organisation whose systems are cleared for it (outbox).
// Nothing is sent inside the transaction; package deliver sends the
// outbox.
//
// Who sees a bulletin: the one access decision (role, vetting against
// classification) and, on top of it, the audience: organisations that
// issue bulletins (counter-terrorism policing, the security service) see
// every published bulletin and their own drafts; every other organisation
// sees only the bulletins sent to it.

const bulletinCols = "t.id, t.type, t.title, t.body, t.public, t.audience, t.status, t.published_at, t.published_by, t.threat_change_id, o.name"

func scanBulletin(r interface{ Scan(...any) error }) (*contest.Bulletin, error) {
	var (
		b        contest.Bulletin
		typ, aud string
		pub      int
		at       int64
		tmp      [5]int64
		sender   sql.NullString
	)
	if err := r.Scan(append([]any{&b.ID, &typ, &b.Title, &b.Body, &pub, &aud, &b.Status, &at, &b.PublishedBy, &b.ThreatChangeID, &sender},
		metaDest(&b.Meta, &tmp)...)...); err != nil {
		return nil, err
	}
	metaFinish(&b.Meta, &tmp)
	b.Type, b.Public, b.PublishedAt, b.SenderName = contest.BulletinType(typ), pub != 0, fromMicros(at), sender.String
	if err := json.Unmarshal([]byte(aud), &b.Audience); err != nil {
		return nil, fmt.Errorf("bulletin %d audience: %w", b.ID, err)
	}
	return &b, nil
}

const bulletinFrom = " FROM bulletins t LEFT JOIN orgs o ON o.id = t.owner_org_id"

// bulletinAudience is the predicate, beyond access.Filter, that keeps the
// bulletins the actor's organisation was sent (or, for issuers, every
// published one and their own drafts). arg appends an argument and returns
// its placeholder.
func bulletinAudience(a *contest.Actor, arg func(any) string) string {
	switch {
	case a.System:
		return "1=1"
	case a.OrgKind.IssuesBulletins():
		return "(t.status = 'published' OR t.owner_org_id = " + arg(a.OrgID) + ")"
	}
	return "(t.status = 'published' AND EXISTS (SELECT 1 FROM bulletin_orgs bo WHERE bo.bulletin_id = t.id AND bo.org_id = " + arg(a.OrgID) + "))"
}

// argList collects query arguments and numbers their placeholders.
type argList []any

func (l *argList) add(v any) string {
	*l = append(*l, v)
	return "$" + strconv.Itoa(len(*l))
}

// bulletinWhere is the full visibility predicate for bulletin lists.
func bulletinWhere(a *contest.Actor) (string, argList) {
	where, args := access.Filter(a, access.Read, contest.KindBulletin, "t", 1)
	al := argList(args)
	return where + " AND " + bulletinAudience(a, al.add), al
}

// FindBulletins implements contest.ProtectService.
func (d *DB) FindBulletins(ctx context.Context, a *contest.Actor, f contest.BulletinFilter) ([]*contest.Bulletin, int, error) {
	where, args := bulletinWhere(a)
	if f.Type != "" {
		where += " AND t.type = " + args.add(string(f.Type))
	}
	if f.Status != "" {
		where += " AND t.status = " + args.add(f.Status)
	}
	if f.Unacknowledged {
		where += " AND EXISTS (SELECT 1 FROM bulletin_recipients r WHERE r.bulletin_id = t.id AND r.user_id = " + args.add(a.UserID) + " AND r.acked_at = 0)"
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	f.Offset = max(f.Offset, 0)
	var total int
	if err := d.read.QueryRowContext(ctx, "SELECT COUNT(*) FROM bulletins t WHERE "+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count bulletins: %w", err)
	}
	rows, err := d.read.QueryContext(ctx, "SELECT "+bulletinCols+", "+prefixed("t", metaCols)+bulletinFrom+" WHERE "+where+
		fmt.Sprintf(" ORDER BY CASE WHEN t.published_at = 0 THEN t.created_at ELSE t.published_at END DESC, t.id DESC LIMIT %d OFFSET %d", f.Limit, f.Offset), args...)
	if err != nil {
		return nil, 0, fmt.Errorf("find bulletins: %w", err)
	}
	defer rows.Close()
	var out []*contest.Bulletin
	byID := map[int64]*contest.Bulletin{}
	for rows.Next() {
		b, err := scanBulletin(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, b)
		byID[b.ID] = b
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	if err := d.markRecipient(ctx, a, byID); err != nil {
		return nil, 0, err
	}
	if err := d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditList, Kind: contest.KindBulletin,
		Detail: map[string]string{"results": strconv.Itoa(total), "type": string(f.Type)}}); err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// markRecipient fills Recipient and Acknowledged for the actor.
func (d *DB) markRecipient(ctx context.Context, a *contest.Actor, byID map[int64]*contest.Bulletin) error {
	if len(byID) == 0 || a.UserID == 0 {
		return nil
	}
	ids := make([]string, 0, len(byID))
	for id := range byID {
		ids = append(ids, itoa(id))
	}
	rows, err := d.read.QueryContext(ctx, "SELECT bulletin_id, acked_at FROM bulletin_recipients WHERE user_id = $1 AND bulletin_id IN ("+strings.Join(ids, ",")+")", a.UserID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, at int64
		if err := rows.Scan(&id, &at); err != nil {
			return err
		}
		byID[id].Recipient, byID[id].Acknowledged = true, fromMicros(at)
	}
	return rows.Err()
}

// bulletinByID reads a bulletin with no access check.
func bulletinByID(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, id int64) (*contest.Bulletin, error) {
	b, err := scanBulletin(q.QueryRowContext(ctx, "SELECT "+bulletinCols+", "+prefixed("t", metaCols)+bulletinFrom+" WHERE t.id = $1", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return b, err
}

// seesBulletin is the visibility rule for one bulletin: the access
// decision, then the audience. It returns the refusal reason or "".
func (d *DB) seesBulletin(ctx context.Context, q queryRower, a *contest.Actor, b *contest.Bulletin) (string, error) {
	if dec := access.Decide(a, access.Read, contest.KindBulletin, &b.Meta); !dec.Allowed {
		return dec.Reason, nil
	}
	switch {
	case a.System:
		return "", nil
	case a.OrgKind.IssuesBulletins():
		if b.Status == contest.BulletinPublished || b.Meta.OwnerOrgID == a.OrgID {
			return "", nil
		}
		return "draft of another organisation", nil
	}
	if b.Status != contest.BulletinPublished {
		return "not published", nil
	}
	var one int
	err := q.QueryRowContext(ctx, "SELECT 1 FROM bulletin_orgs WHERE bulletin_id = $1 AND org_id = $2", b.ID, a.OrgID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return "not sent to the organisation", nil
	}
	return "", err
}

type queryRower interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}

// FindBulletinByID implements contest.ProtectService.
func (d *DB) FindBulletinByID(ctx context.Context, a *contest.Actor, id int64) (*contest.Bulletin, error) {
	b, err := bulletinByID(ctx, d.read, id)
	if err != nil {
		return nil, fmt.Errorf("find bulletin: %w", err)
	}
	if b == nil {
		return nil, d.denied(ctx, a, contest.AuditRead, contest.KindBulletin, itoa(id), "missing", contest.NotFound(contest.KindBulletin))
	}
	reason, err := d.seesBulletin(ctx, d.read, a, b)
	if err != nil {
		return nil, err
	}
	if reason != "" {
		return nil, d.denied(ctx, a, contest.AuditRead, contest.KindBulletin, itoa(id), reason, contest.NotFound(contest.KindBulletin))
	}
	if err := d.markRecipient(ctx, a, map[int64]*contest.Bulletin{b.ID: b}); err != nil {
		return nil, err
	}
	if err := d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditRead, Kind: contest.KindBulletin, RecordID: itoa(id)}); err != nil {
		return nil, err
	}
	return b, nil
}

// CreateBulletin implements contest.ProtectService.
func (d *DB) CreateBulletin(ctx context.Context, a *contest.Actor, b *contest.Bulletin) error {
	if err := d.forbid(ctx, a, access.Create, contest.AuditCreate, contest.KindBulletin, ""); err != nil {
		return err
	}
	if err := b.Validate(); err != nil {
		return err
	}
	if !a.System && !a.Vetting.Covers(b.Meta.Classification) {
		return &contest.Error{Code: contest.EINVALID, Message: "There is a problem with the information you gave.",
			Fields: []contest.FieldError{{Field: "classification", Message: "You may not mark a bulletin above what your vetting covers"}}}
	}
	return d.inWrite(ctx, func(tx *Tx) error { return tx.insertBulletin(ctx, a, b) })
}

func (tx *Tx) insertBulletin(ctx context.Context, a *contest.Actor, b *contest.Bulletin) error {
	b.Meta = contest.Meta{Classification: b.Meta.Classification, Area: b.Meta.Area}
	tx.newMeta(a, &b.Meta)
	b.Status = contest.BulletinDraft
	aud, err := json.Marshal(b.Audience)
	if err != nil {
		return err
	}
	if err := tx.QueryRowContext(ctx, "INSERT INTO bulletins (type, title, body, public, audience, status, threat_change_id, "+metaCols+
		") VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15) RETURNING id",
		append([]any{string(b.Type), b.Title, b.Body, b2i(b.Public), string(aud), b.Status, b.ThreatChangeID}, metaArgs(&b.Meta)...)...).Scan(&b.ID); err != nil {
		return fmt.Errorf("insert bulletin: %w", err)
	}
	return tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditCreate, Kind: contest.KindBulletin, RecordID: itoa(b.ID),
		Detail: map[string]string{"type": string(b.Type), "title": tx.db.hasher.HMAC(b.Title), "classification": b.Meta.Classification.String()}})
}

// PublishBulletin implements contest.ProtectService.
func (d *DB) PublishBulletin(ctx context.Context, a *contest.Actor, id int64) (int, error) {
	if err := d.forbid(ctx, a, access.Update, contest.AuditDisclose, contest.KindBulletin, itoa(id)); err != nil {
		return 0, err
	}
	var n int
	err := d.inWrite(ctx, func(tx *Tx) error {
		b, err := bulletinByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if b == nil || !access.Allowed(a, access.Update, contest.KindBulletin, &b.Meta) || (!a.System && b.Meta.OwnerOrgID != a.OrgID) {
			return contest.NotFound(contest.KindBulletin)
		}
		if b.Status != contest.BulletinDraft {
			return contest.Errorf(contest.ECONFLICT, "The bulletin has already been published.")
		}
		n, err = tx.publish(ctx, a, b)
		return err
	})
	if code := contest.ErrorCode(err); code == contest.ENOTFOUND {
		return 0, d.denied(ctx, a, contest.AuditDisclose, contest.KindBulletin, itoa(id), "missing or hidden", err)
	} else if err != nil {
		return 0, err
	}
	d.wakeOutbox()
	return n, nil
}

// publish marks b published and sends it to its audience, in tx.
func (tx *Tx) publish(ctx context.Context, a *contest.Actor, b *contest.Bulletin) (int, error) {
	if _, err := tx.ExecContext(ctx, "UPDATE bulletins SET status = 'published', published_at = $1, published_by = $2, rounds = 1, updated_at = $1, updated_by = $2 WHERE id = $3",
		micros(tx.now), a.UserID, b.ID); err != nil {
		return 0, fmt.Errorf("publish bulletin: %w", err)
	}
	b.Status, b.PublishedAt, b.PublishedBy = contest.BulletinPublished, tx.now, a.UserID
	orgs, err := tx.audienceOrgs(ctx, b.Audience)
	if err != nil {
		return 0, err
	}
	s, err := tx.send(ctx, b, orgs, "audience", 0, 1)
	if err != nil {
		return 0, err
	}
	return s.people, tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditDisclose, Kind: contest.KindBulletin, RecordID: itoa(b.ID),
		Recipient: fmt.Sprintf("%d organisations", s.orgs), Detail: s.detail("publish")})
}

// sendStats is what one sending queued.
type sendStats struct{ orgs, people, emails, webhooks int }

func (s sendStats) detail(what string) map[string]string {
	return map[string]string{"what": what, "organisations": strconv.Itoa(s.orgs), "people": strconv.Itoa(s.people),
		"emails": strconv.Itoa(s.emails), "webhooks": strconv.Itoa(s.webhooks)}
}

// audienceOrgs resolves an audience to organisation ids.
func (tx *Tx) audienceOrgs(ctx context.Context, au contest.Audience) ([]int64, error) {
	var (
		conds []string
		args  argList
	)
	if au.AllPartners {
		kinds := make([]string, len(contest.PartnerKinds))
		for i, k := range contest.PartnerKinds {
			kinds[i] = args.add(string(k))
		}
		conds = append(conds, "o.kind IN ("+strings.Join(kinds, ",")+")")
	}
	if len(au.Orgs) > 0 {
		conds = append(conds, "o.id IN ("+intList(au.Orgs)+")")
	}
	if len(au.Sectors) > 0 {
		l := intList(au.Sectors)
		conds = append(conds, "o.id IN (SELECT org_id FROM org_sectors WHERE sector_id IN ("+l+"))",
			"o.id IN (SELECT lead_org_id FROM sectors WHERE id IN ("+l+"))")
	}
	if len(au.Regions) > 0 {
		ps := make([]string, len(au.Regions))
		for i, r := range au.Regions {
			ps[i] = args.add(strings.ToLower(r))
		}
		conds = append(conds, "lower(o.area) IN ("+strings.Join(ps, ",")+")")
	}
	if len(conds) == 0 {
		return nil, nil
	}
	rows, err := tx.QueryContext(ctx, "SELECT o.id FROM orgs o WHERE "+strings.Join(conds, " OR ")+" ORDER BY o.id", args...)
	if err != nil {
		return nil, fmt.Errorf("audience: %w", err)
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

// b2i stores a flag as the integer both engines keep it as.
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func intList(ids []int64) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(s, ",")
}

// send adds the organisations (those not yet sent the bulletin) and their
// people whose vetting covers it as recipients, and queues the e-mails and
// webhooks of this round for them.
func (tx *Tx) send(ctx context.Context, b *contest.Bulletin, orgs []int64, via string, cascadeID int64, round int) (sendStats, error) {
	var s sendStats
	if len(orgs) == 0 {
		return s, nil
	}
	// Organisations already sent the bulletin are left as they are.
	have := map[int64]bool{}
	rows, err := tx.QueryContext(ctx, "SELECT org_id FROM bulletin_orgs WHERE bulletin_id = $1", b.ID)
	if err != nil {
		return s, err
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return s, err
		}
		have[id] = true
	}
	rows.Close()
	var fresh []int64
	var orgRows [][]any
	for _, id := range orgs {
		if !have[id] {
			fresh = append(fresh, id)
			orgRows = append(orgRows, []any{b.ID, id, via, cascadeID})
		}
	}
	if len(fresh) == 0 {
		return s, nil
	}
	if err := tx.insertRows(ctx, "INSERT INTO bulletin_orgs (bulletin_id, org_id, via, cascade_id) VALUES ", orgRows); err != nil {
		return s, fmt.Errorf("bulletin organisations: %w", err)
	}
	s.orgs = len(fresh)
	// The people: every enabled user of those organisations whom the one
	// access decision lets read the bulletin.
	urows, err := tx.QueryContext(ctx, "SELECT u.id, u.org_id, u.role, u.vetting, o.kind, o.area FROM users u JOIN orgs o ON o.id = u.org_id"+
		" WHERE u.disabled = 0 AND u.org_id IN (SELECT org_id FROM bulletin_orgs WHERE bulletin_id = $1 AND via = $2 AND cascade_id = $3)", b.ID, via, cascadeID)
	if err != nil {
		return s, fmt.Errorf("recipients: %w", err)
	}
	var recips [][]any
	for urows.Next() {
		var (
			r          contest.Actor
			role, kind string
		)
		if err := urows.Scan(&r.UserID, &r.OrgID, &role, &r.Vetting, &kind, &r.OrgArea); err != nil {
			urows.Close()
			return s, err
		}
		r.Role, r.OrgKind, r.TOTPEnrolled = contest.Role(role), contest.OrgKind(kind), true
		if access.Allowed(&r, access.Read, contest.KindBulletin, &b.Meta) {
			recips = append(recips, []any{b.ID, r.UserID, r.OrgID, via, cascadeID, micros(tx.now)})
		}
	}
	urows.Close()
	if err := urows.Err(); err != nil {
		return s, err
	}
	if err := tx.insertRows(ctx, "INSERT INTO bulletin_recipients (bulletin_id, user_id, org_id, via, cascade_id, created_at) VALUES ", recips); err != nil {
		return s, fmt.Errorf("bulletin recipients: %w", err)
	}
	s.people = len(recips)
	s.emails, s.webhooks, err = tx.queue(ctx, b, round, "r.via = $4 AND r.cascade_id = $5", "bo.via = $4 AND bo.cascade_id = $5", via, cascadeID)
	return s, err
}

// queue writes the outbox rows of one round: an e-mail to each recipient
// with an address and a webhook to each organisation whose systems are
// cleared for the classification, both restricted by the extra
// conditions (on bulletin_recipients r and bulletin_orgs bo, with
// arguments from $4).
func (tx *Tx) queue(ctx context.Context, b *contest.Bulletin, round int, recipCond, orgCond string, extra ...any) (emails, hooks int, err error) {
	now := micros(tx.now)
	args := append([]any{b.ID, now, "-r" + strconv.Itoa(round)}, extra...)
	res, err := tx.ExecContext(ctx, `INSERT INTO outbox (delivery_key, channel, bulletin_id, user_id, org_id, target, round, status, next_attempt_at, created_at)
		SELECT 'b' || r.bulletin_id || '-u' || r.user_id || $3 || '-email', 'email', r.bulletin_id, r.user_id, r.org_id, u.email, `+strconv.Itoa(round)+`, 'pending', $2, $2
		FROM bulletin_recipients r JOIN users u ON u.id = r.user_id
		WHERE r.bulletin_id = $1 AND u.email <> '' AND u.disabled = 0 AND `+recipCond+`
		ON CONFLICT (delivery_key) DO NOTHING`, args...)
	if err != nil {
		return 0, 0, fmt.Errorf("queue e-mails: %w", err)
	}
	n, _ := res.RowsAffected()
	emails = int(n)
	args = append(args, int(b.Meta.Classification))
	res, err = tx.ExecContext(ctx, `INSERT INTO outbox (delivery_key, channel, bulletin_id, user_id, org_id, target, round, status, next_attempt_at, created_at)
		SELECT 'b' || bo.bulletin_id || '-o' || bo.org_id || $3 || '-webhook', 'webhook', bo.bulletin_id, 0, bo.org_id, pc.webhook_url, `+strconv.Itoa(round)+`, 'pending', $2, $2
		FROM bulletin_orgs bo JOIN partner_channels pc ON pc.org_id = bo.org_id
		WHERE bo.bulletin_id = $1 AND pc.webhook_url <> '' AND pc.webhook_secret <> '' AND pc.clearance >= $`+strconv.Itoa(len(args))+` AND `+orgCond+`
		ON CONFLICT (delivery_key) DO NOTHING`, args...)
	if err != nil {
		return 0, 0, fmt.Errorf("queue webhooks: %w", err)
	}
	n, _ = res.RowsAffected()
	return emails, int(n), nil
}

// insertRows inserts rows with multi-row VALUES lists, a few hundred rows
// a statement. prefix must hold no placeholders.
func (tx *Tx) insertRows(ctx context.Context, prefix string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	per := max(1, 2000/len(rows[0]))
	var sb strings.Builder
	for start := 0; start < len(rows); start += per {
		chunk := rows[start:min(start+per, len(rows))]
		sb.Reset()
		sb.WriteString(prefix)
		args := make([]any, 0, len(chunk)*len(chunk[0]))
		for i, r := range chunk {
			if i > 0 {
				sb.WriteByte(',')
			}
			sb.WriteByte('(')
			for j, v := range r {
				if j > 0 {
					sb.WriteByte(',')
				}
				args = append(args, v)
				if tx.db.engine == SQLite {
					// SQLite looks "$N" up as a name, in a list: with
					// thousands of them parsing is quadratic.
					sb.WriteByte('?')
				} else {
					sb.WriteString("$" + strconv.Itoa(len(args)))
				}
			}
			sb.WriteByte(')')
		}
		if _, err := tx.ExecContext(ctx, sb.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

// threatBulletin publishes the bulletin a change of the national threat
// level makes: a threat update to all partners, OFFICIAL, in the
// transaction that records the change.
func (tx *Tx) threatBulletin(ctx context.Context, a *contest.Actor, t *contest.ThreatChange, from string) error {
	title := "UK national threat level is now " + t.Level.String()
	if from == t.Level.String() {
		title = "UK national threat level confirmed at " + t.Level.String()
	}
	change := "has been changed from " + from + " to " + t.Level.String()
	if from == "none" {
		change = "is " + t.Level.String()
	}
	body := fmt.Sprintf("The national threat level from terrorism in the UK %s: %s.\n\n"+
		"Review your protective security measures and make sure your staff know what to do.\n\n"+
		"If you are caught up in an attack: RUN to a place of safety; HIDE if you cannot run, turn your phone to silent; "+
		"TELL the police by calling 999 when it is safe to do so.\n\n"+
		"Report anything suspicious to the police on 101, or in confidence to the Anti-Terrorist Hotline on 0800 789 321. In an emergency call 999.",
		change, strings.ToLower(t.Level.Meaning()))
	b := &contest.Bulletin{Type: contest.BulletinThreatUpdate, Title: title, Body: body, ThreatChangeID: t.ID,
		Audience: contest.Audience{AllPartners: true}, Meta: contest.Meta{Classification: contest.Official}}
	if err := tx.insertBulletin(ctx, a, b); err != nil {
		return err
	}
	_, err := tx.publish(ctx, a, b)
	tx.db.wakeOutbox()
	return err
}

// AcknowledgeBulletin implements contest.ProtectService.
func (d *DB) AcknowledgeBulletin(ctx context.Context, a *contest.Actor, id int64) error {
	b, err := bulletinByID(ctx, d.read, id)
	if err != nil {
		return err
	}
	var reason string
	if b == nil {
		reason = "missing"
	} else if reason, err = d.seesBulletin(ctx, d.read, a, b); err != nil {
		return err
	}
	if reason != "" {
		return d.denied(ctx, a, contest.AuditUpdate, contest.KindBulletin, itoa(id), reason, contest.NotFound(contest.KindBulletin))
	}
	return d.inWrite(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE bulletin_recipients SET acked_at = $1 WHERE bulletin_id = $2 AND user_id = $3 AND acked_at = 0", micros(tx.now), id, a.UserID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var acked int64
			err := tx.QueryRowContext(ctx, "SELECT acked_at FROM bulletin_recipients WHERE bulletin_id = $1 AND user_id = $2", id, a.UserID).Scan(&acked)
			switch {
			case err == nil:
				return nil // already acknowledged
			case !errors.Is(err, sql.ErrNoRows):
				return err
			}
			// Someone who joined the organisation after the bulletin was
			// sent acknowledges it in the app.
			var via string
			err = tx.QueryRowContext(ctx, "SELECT via FROM bulletin_orgs WHERE bulletin_id = $1 AND org_id = $2", id, a.OrgID).Scan(&via)
			if errors.Is(err, sql.ErrNoRows) {
				return contest.Errorf(contest.EFORBIDDEN, "The bulletin was not sent to you, so there is nothing to acknowledge.")
			} else if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "INSERT INTO bulletin_recipients (bulletin_id, user_id, org_id, via, created_at, acked_at) VALUES ($1,$2,$3,'in-app',$4,$4)",
				id, a.UserID, a.OrgID, micros(tx.now)); err != nil {
				return err
			}
		}
		return tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditUpdate, Kind: contest.KindBulletin, RecordID: itoa(id),
			Detail: map[string]string{"acknowledged": "true"}})
	})
}

// reportScope decides what of a bulletin's delivery the actor may see:
// everything for the issuing organisation's staff who may change
// bulletins, a sector lead's own cascades for the sector lead. It returns
// the cascade ids the actor is limited to (nil for everything).
func (d *DB) reportScope(ctx context.Context, a *contest.Actor, b *contest.Bulletin) ([]int64, bool, error) {
	if a.System || (b.Meta.OwnerOrgID == a.OrgID && access.Allowed(a, access.Update, contest.KindBulletin, &b.Meta)) {
		return nil, true, nil
	}
	rows, err := d.read.QueryContext(ctx, "SELECT id FROM bulletin_cascades WHERE bulletin_id = $1 AND by_org_id = $2", b.ID, a.OrgID)
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, false, err
		}
		ids = append(ids, id)
	}
	return ids, len(ids) > 0, rows.Err()
}

// BulletinReport implements contest.ProtectService.
func (d *DB) BulletinReport(ctx context.Context, a *contest.Actor, id int64) (*contest.BulletinReport, error) {
	b, err := bulletinByID(ctx, d.read, id)
	if err != nil {
		return nil, err
	}
	reason := "missing"
	var cascades []int64
	if b != nil {
		if reason, err = d.seesBulletin(ctx, d.read, a, b); err != nil {
			return nil, err
		}
		if reason == "" {
			var ok bool
			if cascades, ok, err = d.reportScope(ctx, a, b); err != nil {
				return nil, err
			} else if !ok {
				reason = "not the sender"
			}
		}
	}
	if reason != "" {
		return nil, d.denied(ctx, a, contest.AuditRead, contest.KindBulletin, itoa(id), reason, contest.NotFound(contest.KindBulletin))
	}
	scope := ""
	if cascades != nil {
		scope = " AND r.cascade_id IN (" + intList(cascades) + ")"
	}
	rep := &contest.BulletinReport{}
	if err := d.read.QueryRowContext(ctx, "SELECT COUNT(*), COALESCE(SUM(CASE WHEN r.acked_at > 0 THEN 1 ELSE 0 END), 0), COUNT(DISTINCT r.org_id) FROM bulletin_recipients r WHERE r.bulletin_id = $1"+scope, id).
		Scan(&rep.Recipients, &rep.Acknowledged, &rep.Orgs); err != nil {
		return nil, fmt.Errorf("bulletin report: %w", err)
	}
	if err := d.read.QueryRowContext(ctx, "SELECT rounds FROM bulletins WHERE id = $1", id).Scan(&rep.Rounds); err != nil {
		return nil, err
	}
	list := func(cond, order string, limit int) ([]*contest.Recipient, error) {
		rows, err := d.read.QueryContext(ctx, "SELECT r.user_id, u.display_name, r.org_id, o.name, u.email <> '', r.via, r.acked_at FROM bulletin_recipients r"+
			" JOIN users u ON u.id = r.user_id JOIN orgs o ON o.id = r.org_id WHERE r.bulletin_id = $1 AND "+cond+scope+" ORDER BY "+order+" LIMIT "+strconv.Itoa(limit), id)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []*contest.Recipient
		for rows.Next() {
			var rc contest.Recipient
			var at int64
			if err := rows.Scan(&rc.UserID, &rc.DisplayName, &rc.OrgID, &rc.OrgName, &rc.Email, &rc.Via, &at); err != nil {
				return nil, err
			}
			rc.AckedAt = fromMicros(at)
			out = append(out, &rc)
		}
		return out, rows.Err()
	}
	if rep.Pending, err = list("r.acked_at = 0", "o.name, u.display_name", 200); err != nil {
		return nil, err
	}
	if rep.Acked, err = list("r.acked_at > 0", "r.acked_at DESC", 50); err != nil {
		return nil, err
	}
	cscope := ""
	if cascades != nil {
		cscope = " AND c.id IN (" + intList(cascades) + ")"
	}
	crows, err := d.read.QueryContext(ctx, "SELECT c.id, c.sector_id, s.name, c.by_org_id, o.name, c.by_user_id, c.at, c.orgs, c.recipients,"+
		" (SELECT COUNT(*) FROM bulletin_recipients r WHERE r.bulletin_id = c.bulletin_id AND r.cascade_id = c.id AND r.acked_at > 0)"+
		" FROM bulletin_cascades c JOIN sectors s ON s.id = c.sector_id JOIN orgs o ON o.id = c.by_org_id WHERE c.bulletin_id = $1"+cscope+" ORDER BY c.id", id)
	if err != nil {
		return nil, err
	}
	for crows.Next() {
		var c contest.Cascade
		var at int64
		if err := crows.Scan(&c.ID, &c.SectorID, &c.SectorName, &c.ByOrgID, &c.ByOrgName, &c.ByUserID, &at, &c.Orgs, &c.Recipients, &c.Acked); err != nil {
			crows.Close()
			return nil, err
		}
		c.BulletinID, c.At = id, fromMicros(at)
		rep.Cascades = append(rep.Cascades, &c)
	}
	crows.Close()
	if cascades == nil {
		drows, err := d.read.QueryContext(ctx, "SELECT channel, status, COUNT(*) FROM outbox WHERE bulletin_id = $1 GROUP BY channel, status ORDER BY channel", id)
		if err != nil {
			return nil, err
		}
		by := map[string]*contest.DeliveryCounts{}
		for drows.Next() {
			var ch, st string
			var n int
			if err := drows.Scan(&ch, &st, &n); err != nil {
				drows.Close()
				return nil, err
			}
			dc := by[ch]
			if dc == nil {
				dc = &contest.DeliveryCounts{Channel: ch}
				by[ch] = dc
				rep.Deliveries = append(rep.Deliveries, dc)
			}
			switch st {
			case "pending":
				dc.Pending += n
			case "sent":
				dc.Sent += n
			default:
				dc.Failed += n
			}
		}
		drows.Close()
	}
	if err := d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditRead, Kind: contest.KindBulletin, RecordID: itoa(id),
		Detail: map[string]string{"view": "delivery report", "recipients": strconv.Itoa(rep.Recipients)}}); err != nil {
		return nil, err
	}
	return rep, nil
}

// ResendBulletin implements contest.ProtectService.
func (d *DB) ResendBulletin(ctx context.Context, a *contest.Actor, id int64) (int, error) {
	if err := d.forbid(ctx, a, access.Update, contest.AuditDisclose, contest.KindBulletin, itoa(id)); err != nil {
		return 0, err
	}
	var people int
	err := d.inWrite(ctx, func(tx *Tx) error {
		b, err := bulletinByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if b == nil || !access.Allowed(a, access.Update, contest.KindBulletin, &b.Meta) || (!a.System && b.Meta.OwnerOrgID != a.OrgID) {
			return contest.NotFound(contest.KindBulletin)
		}
		if b.Status != contest.BulletinPublished {
			return contest.Errorf(contest.ECONFLICT, "Publish the bulletin before sending it again.")
		}
		var round int
		if err := tx.QueryRowContext(ctx, "UPDATE bulletins SET rounds = rounds + 1 WHERE id = $1 RETURNING rounds", id).Scan(&round); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM bulletin_recipients WHERE bulletin_id = $1 AND acked_at = 0", id).Scan(&people); err != nil {
			return err
		}
		emails, hooks, err := tx.queue(ctx, b, round, "r.acked_at = 0",
			"NOT EXISTS (SELECT 1 FROM bulletin_recipients r2 WHERE r2.bulletin_id = bo.bulletin_id AND r2.org_id = bo.org_id AND r2.acked_at > 0)")
		if err != nil {
			return err
		}
		return tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditDisclose, Kind: contest.KindBulletin, RecordID: itoa(id),
			Recipient: fmt.Sprintf("%d people who have not acknowledged", people),
			Detail:    sendStats{people: people, emails: emails, webhooks: hooks}.detail("resend round " + strconv.Itoa(round))})
	})
	if contest.ErrorCode(err) == contest.ENOTFOUND {
		return 0, d.denied(ctx, a, contest.AuditDisclose, contest.KindBulletin, itoa(id), "missing or hidden", err)
	} else if err != nil {
		return 0, err
	}
	d.wakeOutbox()
	return people, nil
}

// CascadeBulletin implements contest.ProtectService.
func (d *DB) CascadeBulletin(ctx context.Context, a *contest.Actor, id, sectorID int64) (*contest.Cascade, error) {
	b, err := bulletinByID(ctx, d.read, id)
	if err != nil {
		return nil, err
	}
	reason := "missing"
	if b != nil {
		if reason, err = d.seesBulletin(ctx, d.read, a, b); err != nil {
			return nil, err
		}
	}
	if reason != "" {
		return nil, d.denied(ctx, a, contest.AuditDisclose, contest.KindBulletin, itoa(id), reason, contest.NotFound(contest.KindBulletin))
	}
	if b.Status != contest.BulletinPublished {
		return nil, contest.Errorf(contest.ECONFLICT, "Only a published bulletin can be forwarded.")
	}
	c := &contest.Cascade{BulletinID: id, SectorID: sectorID, ByOrgID: a.OrgID, ByUserID: a.UserID}
	err = d.inWrite(ctx, func(tx *Tx) error {
		var lead int64
		err := tx.QueryRowContext(ctx, "SELECT lead_org_id, name FROM sectors WHERE id = $1", sectorID).Scan(&lead, &c.SectorName)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && lead != a.OrgID) {
			return contest.Errorf(contest.EFORBIDDEN, "Only the lead organisation of a sector may forward bulletins to it.")
		} else if err != nil {
			return err
		}
		var round int
		if err := tx.QueryRowContext(ctx, "SELECT rounds FROM bulletins WHERE id = $1", id).Scan(&round); err != nil {
			return err
		}
		c.At = tx.now
		if err := tx.QueryRowContext(ctx, "INSERT INTO bulletin_cascades (bulletin_id, sector_id, by_org_id, by_user_id, at, orgs, recipients) VALUES ($1,$2,$3,$4,$5,0,0) RETURNING id",
			id, sectorID, a.OrgID, a.UserID, micros(tx.now)).Scan(&c.ID); err != nil {
			return err
		}
		var members []int64
		rows, err := tx.QueryContext(ctx, "SELECT org_id FROM org_sectors WHERE sector_id = $1 ORDER BY org_id", sectorID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var m int64
			if err := rows.Scan(&m); err != nil {
				rows.Close()
				return err
			}
			members = append(members, m)
		}
		rows.Close()
		s, err := tx.send(ctx, b, members, "cascade", c.ID, max(round, 1))
		if err != nil {
			return err
		}
		c.Orgs, c.Recipients = s.orgs, s.people
		if _, err := tx.ExecContext(ctx, "UPDATE bulletin_cascades SET orgs = $1, recipients = $2 WHERE id = $3", s.orgs, s.people, c.ID); err != nil {
			return err
		}
		return tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditDisclose, Kind: contest.KindBulletin, RecordID: itoa(id),
			Recipient: fmt.Sprintf("sector %q: %d organisations", c.SectorName, s.orgs), Detail: s.detail("cascade " + itoa(c.ID))})
	})
	if contest.ErrorCode(err) == contest.EFORBIDDEN {
		return nil, d.denied(ctx, a, contest.AuditDisclose, contest.KindBulletin, itoa(id), "not the sector lead", err)
	} else if err != nil {
		return nil, err
	}
	d.wakeOutbox()
	return c, nil
}

// PublicStatements implements contest.ProtectService.
func (d *DB) PublicStatements(ctx context.Context, limit int) ([]*contest.Bulletin, error) {
	if limit <= 0 || limit > 100 {
		limit = 20
	}
	rows, err := d.read.QueryContext(ctx, "SELECT "+bulletinCols+", "+prefixed("t", metaCols)+bulletinFrom+
		" WHERE t.public = 1 AND t.status = 'published' AND t.classification = 1 AND t.type = 'rumour_control' ORDER BY t.published_at DESC, t.id DESC LIMIT "+strconv.Itoa(limit))
	if err != nil {
		return nil, fmt.Errorf("public statements: %w", err)
	}
	defer rows.Close()
	var out []*contest.Bulletin
	for rows.Next() {
		b, err := scanBulletin(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

const feedTokenPrefix = "cf_"

// FeedBulletins implements contest.ProtectService. The feed reader is
// audited as the organisation ("feed" via), like a signed-in reader.
func (d *DB) FeedBulletins(ctx context.Context, token, clientAddr string, limit int) (*contest.Org, []*contest.Bulletin, error) {
	bad := contest.Errorf(contest.EUNAUTHORIZED, "The feed token is not valid.")
	if !strings.HasPrefix(token, feedTokenPrefix) || len(token) > 100 {
		return nil, nil, bad
	}
	var orgID int64
	var clearance contest.Classification
	err := d.read.QueryRowContext(ctx, "SELECT org_id, clearance FROM partner_channels WHERE feed_token_hash = $1", tokenHash(token)).Scan(&orgID, &clearance)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, d.denied(ctx, &contest.Actor{Username: "feed", Via: "feed", ClientAddr: clientAddr}, contest.AuditSignInFail, contest.KindBulletin, "", "bad feed token", bad)
	} else if err != nil {
		return nil, nil, err
	}
	org, err := d.orgByID(ctx, d.read, orgID)
	if err != nil {
		return nil, nil, err
	}
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	rows, err := d.read.QueryContext(ctx, "SELECT "+bulletinCols+", "+prefixed("t", metaCols)+bulletinFrom+
		" JOIN bulletin_orgs bo ON bo.bulletin_id = t.id AND bo.org_id = $1 WHERE t.status = 'published' AND t.classification <= $2"+
		" ORDER BY t.published_at DESC, t.id DESC LIMIT "+strconv.Itoa(limit), orgID, int(clearance))
	if err != nil {
		return nil, nil, fmt.Errorf("feed: %w", err)
	}
	out, err := collect(rows, scanBulletin)
	if err != nil {
		return nil, nil, err
	}
	fa := &contest.Actor{OrgID: org.ID, OrgName: org.Name, OrgKind: org.Kind, Username: "feed:" + itoa(org.ID), Via: "feed", ClientAddr: clientAddr}
	if err := d.audit(ctx, fa, &contest.AuditEntry{Action: contest.AuditList, Kind: contest.KindBulletin,
		Detail: map[string]string{"channel": "atom feed", "results": strconv.Itoa(len(out))}}); err != nil {
		return nil, nil, err
	}
	return org, out, nil
}

// FindSectors implements contest.ProtectService.
func (d *DB) FindSectors(ctx context.Context, a *contest.Actor) ([]*contest.Sector, error) {
	if err := d.forbid(ctx, a, access.Read, contest.AuditList, contest.KindOrg, ""); err != nil {
		return nil, err
	}
	rows, err := d.read.QueryContext(ctx, "SELECT s.id, s.name, s.lead_org_id, o.name FROM sectors s JOIN orgs o ON o.id = s.lead_org_id ORDER BY s.name")
	if err != nil {
		return nil, fmt.Errorf("find sectors: %w", err)
	}
	var out []*contest.Sector
	var ids []int64
	for rows.Next() {
		var s contest.Sector
		if err := rows.Scan(&s.ID, &s.Name, &s.LeadOrgID, &s.LeadName); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, &s)
		ids = append(ids, s.ID)
	}
	rows.Close()
	members, err := groupedIDs(ctx, d.read, "SELECT sector_id, org_id FROM org_sectors WHERE sector_id IN (%s) ORDER BY org_id", ids)
	if err != nil {
		return nil, err
	}
	for _, s := range out {
		s.Members = members[s.ID]
	}
	if err := d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditList, Kind: contest.KindOrg,
		Detail: map[string]string{"what": "sectors", "results": strconv.Itoa(len(out))}}); err != nil {
		return nil, err
	}
	return out, nil
}

// CreateSector implements contest.ProtectService (administrators).
func (d *DB) CreateSector(ctx context.Context, a *contest.Actor, s *contest.Sector) error {
	if err := d.forbid(ctx, a, access.Create, contest.AuditCreate, contest.KindOrg, ""); err != nil {
		return err
	}
	if err := s.Validate(); err != nil {
		return err
	}
	return d.inWrite(ctx, func(tx *Tx) error {
		var kind string
		err := tx.QueryRowContext(ctx, "SELECT kind FROM orgs WHERE id = $1", s.LeadOrgID).Scan(&kind)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && contest.OrgKind(kind) != contest.OrgSectorLead) {
			return &contest.Error{Code: contest.EINVALID, Message: "There is a problem with the information you gave.",
				Fields: []contest.FieldError{{Field: "lead_org_id", Message: "Select an industry sector lead organisation"}}}
		} else if err != nil {
			return err
		}
		err = tx.QueryRowContext(ctx, "INSERT INTO sectors (name, lead_org_id, created_by, created_at) VALUES ($1,$2,$3,$4) RETURNING id",
			s.Name, s.LeadOrgID, a.UserID, micros(tx.now)).Scan(&s.ID)
		if isUnique(err) {
			return &contest.Error{Code: contest.ECONFLICT, Message: "There is a problem with the information you gave.",
				Fields: []contest.FieldError{{Field: "name", Message: "A sector with that name already exists"}}}
		} else if err != nil {
			return fmt.Errorf("insert sector: %w", err)
		}
		return tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditCreate, Kind: contest.KindOrg, RecordID: "sector:" + itoa(s.ID),
			Detail: map[string]string{"sector": s.Name, "lead_org_id": itoa(s.LeadOrgID)}})
	})
}

// SetSectorMember implements contest.ProtectService (administrators).
func (d *DB) SetSectorMember(ctx context.Context, a *contest.Actor, sectorID, orgID int64, member bool) error {
	if err := d.forbid(ctx, a, access.Update, contest.AuditUpdate, contest.KindOrg, itoa(orgID)); err != nil {
		return err
	}
	return d.inWrite(ctx, func(tx *Tx) error {
		var one int
		if err := tx.QueryRowContext(ctx, "SELECT 1 FROM sectors WHERE id = $1", sectorID).Scan(&one); errors.Is(err, sql.ErrNoRows) {
			return contest.Errorf(contest.ENOTFOUND, "The sector was not found.")
		} else if err != nil {
			return err
		}
		if _, err := d.orgByID(ctx, tx, orgID); err != nil {
			return err
		}
		var err error
		if member {
			_, err = tx.ExecContext(ctx, "INSERT INTO org_sectors (sector_id, org_id) VALUES ($1,$2) ON CONFLICT DO NOTHING", sectorID, orgID)
		} else {
			_, err = tx.ExecContext(ctx, "DELETE FROM org_sectors WHERE sector_id = $1 AND org_id = $2", sectorID, orgID)
		}
		if err != nil {
			return err
		}
		return tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditUpdate, Kind: contest.KindOrg, RecordID: itoa(orgID),
			Detail: map[string]string{"sector": itoa(sectorID), "member": strconv.FormatBool(member)}})
	})
}

// FindPartnerChannels implements contest.ProtectService (administrators).
func (d *DB) FindPartnerChannels(ctx context.Context, a *contest.Actor, orgID int64) (*contest.PartnerChannels, error) {
	if err := d.forbid(ctx, a, access.Update, contest.AuditRead, contest.KindOrg, itoa(orgID)); err != nil {
		return nil, err
	}
	if _, err := d.orgByID(ctx, d.read, orgID); err != nil {
		return nil, d.denied(ctx, a, contest.AuditRead, contest.KindOrg, itoa(orgID), "missing", err)
	}
	p := &contest.PartnerChannels{OrgID: orgID, Clearance: contest.Official}
	var secret, feed string
	var issued int64
	err := d.read.QueryRowContext(ctx, "SELECT webhook_url, webhook_secret, clearance, feed_token_hash, feed_issued_at FROM partner_channels WHERE org_id = $1", orgID).
		Scan(&p.WebhookURL, &secret, &p.Clearance, &feed, &issued)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	p.HasSecret, p.HasFeedToken, p.FeedIssuedAt = secret != "", feed != "", fromMicros(issued)
	if err := d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditRead, Kind: contest.KindOrg, RecordID: itoa(orgID),
		Detail: map[string]string{"what": "partner channels"}}); err != nil {
		return nil, err
	}
	return p, nil
}

func randomToken(prefix string) string {
	b := make([]byte, 24)
	rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// SetPartnerChannels implements contest.ProtectService (administrators).
func (d *DB) SetPartnerChannels(ctx context.Context, a *contest.Actor, p *contest.PartnerChannels, newSecret bool) (string, error) {
	if err := d.forbid(ctx, a, access.Update, contest.AuditUpdate, contest.KindOrg, itoa(p.OrgID)); err != nil {
		return "", err
	}
	if err := p.Validate(); err != nil {
		return "", err
	}
	secret := ""
	if newSecret {
		secret = randomToken("whsec_")
	}
	err := d.inWrite(ctx, func(tx *Tx) error {
		if _, err := d.orgByID(ctx, tx, p.OrgID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO partner_channels (org_id, webhook_url, webhook_secret, clearance, updated_by, updated_at) VALUES ($1,$2,$3,$4,$5,$6)
			ON CONFLICT (org_id) DO UPDATE SET webhook_url = excluded.webhook_url, clearance = excluded.clearance,
			webhook_secret = CASE WHEN excluded.webhook_secret <> '' THEN excluded.webhook_secret ELSE partner_channels.webhook_secret END,
			updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
			p.OrgID, p.WebhookURL, secret, int(p.Clearance), a.UserID, micros(tx.now)); err != nil {
			return fmt.Errorf("partner channels: %w", err)
		}
		return tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditUpdate, Kind: contest.KindOrg, RecordID: itoa(p.OrgID),
			Detail: map[string]string{"webhook_url": d.hasher.HMAC(p.WebhookURL), "clearance": p.Clearance.String(), "new_secret": strconv.FormatBool(newSecret)}})
	})
	return secret, err
}

// IssueFeedToken implements contest.ProtectService (administrators).
func (d *DB) IssueFeedToken(ctx context.Context, a *contest.Actor, orgID int64) (string, error) {
	if err := d.forbid(ctx, a, access.Update, contest.AuditTokenCreated, contest.KindOrg, itoa(orgID)); err != nil {
		return "", err
	}
	tok := randomToken(feedTokenPrefix)
	err := d.inWrite(ctx, func(tx *Tx) error {
		if _, err := d.orgByID(ctx, tx, orgID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO partner_channels (org_id, feed_token_hash, feed_issued_at, updated_by, updated_at) VALUES ($1,$2,$3,$4,$3)
			ON CONFLICT (org_id) DO UPDATE SET feed_token_hash = excluded.feed_token_hash, feed_issued_at = excluded.feed_issued_at,
			updated_by = excluded.updated_by, updated_at = excluded.updated_at`, orgID, tokenHash(tok), micros(tx.now), a.UserID); err != nil {
			return fmt.Errorf("feed token: %w", err)
		}
		return tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditTokenCreated, Kind: contest.KindOrg, RecordID: itoa(orgID),
			Detail: map[string]string{"what": "atom feed token"}})
	})
	if err != nil {
		return "", err
	}
	return tok, nil
}
