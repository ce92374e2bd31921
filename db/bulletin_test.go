package db_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/access"
	"github.com/contest-ct/contest/db"
	"github.com/contest-ct/contest/db/dbtest"
)

// protectFixture adds to the dbtest fixture what the Protect tests need: a
// retail sector led by the fixture's sector lead with two member
// businesses, and people of every vetting level in those businesses.
type protectFixture struct {
	*dbtest.Fixture
	sector          *contest.Sector
	shopA, shopB    *contest.Org
	people          map[int64]*contest.User // by id, the extra people
	sender, adviser *contest.Actor
}

func mustProtect(t *testing.T, e db.Engine) *protectFixture {
	t.Helper()
	f := dbtest.MustFixture(t, e)
	sys := contest.SystemActor("test")
	pf := &protectFixture{Fixture: f, people: map[int64]*contest.User{}}
	pf.shopA = &contest.Org{Name: "Harbour Street Shops", Kind: contest.OrgBusiness, Area: "Southvale"}
	pf.shopB = &contest.Org{Name: "Kingsway Arcade", Kind: contest.OrgBusiness, Area: "Northshire"}
	for _, o := range []*contest.Org{pf.shopA, pf.shopB} {
		if err := f.DB.CreateOrg(ctx, sys, o); err != nil {
			t.Fatal(err)
		}
	}
	pf.sector = &contest.Sector{Name: "Retail", LeadOrgID: f.Orgs[contest.OrgSectorLead].ID}
	if err := f.DB.CreateSector(ctx, sys, pf.sector); err != nil {
		t.Fatal(err)
	}
	for _, o := range []*contest.Org{pf.shopA, pf.shopB} {
		if err := f.DB.SetSectorMember(ctx, sys, pf.sector.ID, o.ID, true); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	for _, o := range []*contest.Org{pf.shopA, pf.shopB, f.Orgs[contest.OrgSectorLead]} {
		for _, v := range contest.Vettings {
			n++
			u := &contest.User{Username: fmt.Sprintf("p%d.%s", n, strings.ToLower(v.String())), DisplayName: fmt.Sprintf("Partner %d", n),
				Email: fmt.Sprintf("p%d@example.org", n), Role: contest.RolePartner, Vetting: v, OrgID: o.ID}
			if v == contest.BPSS && o == pf.shopB {
				u.Email = "" // in-app only
			}
			if err := f.DB.CreateUser(ctx, sys, u, f.Password); err != nil {
				t.Fatal(err)
			}
			pf.people[u.ID] = u
		}
	}
	pf.sender = f.MustActor(t, contest.RoleSupervisor)
	pf.adviser = f.MustActor(t, contest.RoleSecurityAdv)
	return pf
}

// actorFor is the actor of one of the extra people.
func (pf *protectFixture) actorFor(t *testing.T, u *contest.User) *contest.Actor {
	t.Helper()
	a, err := pf.DB.ActorForUser(ctx, u.ID, "test", "test")
	if err != nil {
		t.Fatal(err)
	}
	a.TOTPEnrolled = true
	return a
}

func (pf *protectFixture) mustPublish(t *testing.T, b *contest.Bulletin) int {
	t.Helper()
	if err := pf.DB.CreateBulletin(ctx, pf.sender, b); err != nil {
		t.Fatalf("create bulletin: %v", err)
	}
	n, err := pf.DB.PublishBulletin(ctx, pf.sender, b.ID)
	if err != nil {
		t.Fatalf("publish: %v", err)
	}
	return n
}

func outboxKeys(t *testing.T, d *db.DB, bulletinID int64, channel string) []string {
	t.Helper()
	rows, err := d.SQL().Query("SELECT delivery_key FROM outbox WHERE bulletin_id = $1 AND channel = $2 ORDER BY delivery_key", bulletinID, channel)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k string
		rows.Scan(&k)
		out = append(out, k)
	}
	return out
}

func recipientIDs(t *testing.T, d *db.DB, bulletinID int64) []int64 {
	t.Helper()
	rows, err := d.SQL().Query("SELECT user_id FROM bulletin_recipients WHERE bulletin_id = $1 ORDER BY user_id", bulletinID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		out = append(out, id)
	}
	return out
}

// TestBulletinAudienceAndVetting publishes an OFFICIAL-SENSITIVE bulletin
// to the retail sector and checks that exactly the people of the sector's
// organisations whose vetting covers it receive it (in the app, and by
// e-mail where they have an address), that only the organisations whose
// systems are cleared for it get a webhook, and that everyone else can
// neither list it nor read it.
func TestBulletinAudienceAndVetting(t *testing.T) {
	forEngine(t, func(t *testing.T, e db.Engine) {
		pf := mustProtect(t, e)
		sys := contest.SystemActor("test")
		// Shop A's systems are cleared for OFFICIAL-SENSITIVE, shop B's
		// only for OFFICIAL.
		for _, c := range []struct {
			org *contest.Org
			cl  contest.Classification
		}{{pf.shopA, contest.OfficialSensitive}, {pf.shopB, contest.Official}} {
			if _, err := pf.DB.SetPartnerChannels(ctx, sys, &contest.PartnerChannels{OrgID: c.org.ID, WebhookURL: "https://partner.example/hook", Clearance: c.cl}, true); err != nil {
				t.Fatal(err)
			}
		}
		b := &contest.Bulletin{Type: contest.BulletinAdvice, Title: "Hostile reconnaissance at shopping centres", Body: "Staff should report...",
			Audience: contest.Audience{Sectors: []int64{pf.sector.ID}}, Meta: contest.Meta{Classification: contest.OfficialSensitive}}
		n := pf.mustPublish(t, b)
		var want []int64
		wantEmails := 0
		for id, u := range pf.people {
			a := pf.actorFor(t, u)
			if access.Allowed(a, access.Read, contest.KindBulletin, &b.Meta) {
				want = append(want, id)
				if u.Email != "" {
					wantEmails++
				}
			}
		}
		slices.Sort(want)
		got := recipientIDs(t, pf.DB, b.ID)
		if !slices.Equal(got, want) || n != len(want) {
			t.Fatalf("recipients %v (n=%d), want %v", got, n, want)
		}
		if len(want) != 9 { // CTC, SC and DV in three organisations
			t.Fatalf("want 9 covered people, got %d", len(want))
		}
		if emails := outboxKeys(t, pf.DB, b.ID, contest.DeliveryEmail); len(emails) != wantEmails {
			t.Fatalf("e-mails %v, want %d", emails, wantEmails)
		}
		hooks := outboxKeys(t, pf.DB, b.ID, contest.DeliveryWebhook)
		if want := []string{fmt.Sprintf("b%d-o%d-r1-webhook", b.ID, pf.shopA.ID)}; !slices.Equal(hooks, want) {
			t.Fatalf("webhooks %v, want %v (shop B is not cleared)", hooks, want)
		}
		// Every recipient lists and reads it; a BPSS colleague, another
		// partner organisation and a missing id get the same not-found.
		for id, u := range pf.people {
			a := pf.actorFor(t, u)
			list, total, err := pf.DB.FindBulletins(ctx, a, contest.BulletinFilter{})
			if err != nil {
				t.Fatal(err)
			}
			_, rerr := pf.DB.FindBulletinByID(ctx, a, b.ID)
			if slices.Contains(want, id) {
				if total != 1 || len(list) != 1 || !list[0].Recipient || rerr != nil {
					t.Fatalf("%s: recipient sees %d (%v)", u.Username, total, rerr)
				}
			} else if total != 0 || contest.ErrorCode(rerr) != contest.ENOTFOUND {
				t.Fatalf("%s (%s): sees %d, read %v", u.Username, u.Vetting, total, rerr)
			}
		}
		other := pf.MustActor(t, contest.RolePartner) // a business outside the sector
		_, errHidden := pf.DB.FindBulletinByID(ctx, other, b.ID)
		_, errMissing := pf.DB.FindBulletinByID(ctx, other, b.ID+1000)
		if errHidden == nil || errHidden.Error() != errMissing.Error() {
			t.Fatalf("hidden %v, missing %v", errHidden, errMissing)
		}
		// The issuer's analysts see it as an issuing organisation.
		if _, err := pf.DB.FindBulletinByID(ctx, pf.adviser, b.ID); err != nil {
			t.Fatalf("adviser: %v", err)
		}
		if n := MustAuditCount(t, pf.Fixture, contest.AuditFilter{Action: contest.AuditDisclose, Kind: contest.KindBulletin, RecordID: fmt.Sprint(b.ID)}); n != 1 {
			t.Fatalf("%d disclosure entries", n)
		}
	})
}

// TestBulletinValidation: bad input is refused with field errors and
// nothing is stored; a partner may not write bulletins.
func TestBulletinValidation(t *testing.T) {
	forEngine(t, func(t *testing.T, e db.Engine) {
		pf := mustProtect(t, e)
		cases := []struct {
			name  string
			b     contest.Bulletin
			field string
		}{
			{"NoAudience", contest.Bulletin{Type: contest.BulletinAdvice, Title: "T", Body: "B", Meta: contest.Meta{Classification: contest.Official}}, "audience"},
			{"NoTitle", contest.Bulletin{Type: contest.BulletinAdvice, Body: "B", Audience: contest.Audience{AllPartners: true}, Meta: contest.Meta{Classification: contest.Official}}, "title"},
			{"BadType", contest.Bulletin{Type: "gossip", Title: "T", Body: "B", Audience: contest.Audience{AllPartners: true}, Meta: contest.Meta{Classification: contest.Official}}, "type"},
			{"PublicSensitive", contest.Bulletin{Type: contest.BulletinRumour, Public: true, Title: "T", Body: "B", Audience: contest.Audience{AllPartners: true}, Meta: contest.Meta{Classification: contest.OfficialSensitive}}, "public"},
			{"AboveVetting", contest.Bulletin{Type: contest.BulletinAdvice, Title: "T", Body: "B", Audience: contest.Audience{AllPartners: true}, Meta: contest.Meta{Classification: contest.TopSecret}}, "classification"},
		}
		for _, c := range cases {
			b := c.b
			err := pf.DB.CreateBulletin(ctx, pf.sender, &b)
			fields := contest.ErrorFields(err)
			if contest.ErrorCode(err) != contest.EINVALID || !slices.ContainsFunc(fields, func(f contest.FieldError) bool { return f.Field == c.field }) {
				t.Errorf("%s: %v", c.name, err)
			}
		}
		b := contest.Bulletin{Type: contest.BulletinAdvice, Title: "T", Body: "B", Audience: contest.Audience{AllPartners: true}, Meta: contest.Meta{Classification: contest.Official}}
		if err := pf.DB.CreateBulletin(ctx, pf.MustActor(t, contest.RolePartner), &b); contest.ErrorCode(err) != contest.EFORBIDDEN {
			t.Fatalf("partner creates: %v", err)
		}
		var n int
		pf.DB.SQL().QueryRow("SELECT COUNT(*) FROM bulletins").Scan(&n)
		if n != 0 {
			t.Fatalf("%d bulletins stored", n)
		}
	})
}

// TestBulletinAcknowledgeAndResend: recipients acknowledge; the sender's
// report says who has and who has not; sending again queues e-mail only
// to those who have not, under new keys.
func TestBulletinAcknowledgeAndResend(t *testing.T) {
	forEngine(t, func(t *testing.T, e db.Engine) {
		pf := mustProtect(t, e)
		b := &contest.Bulletin{Type: contest.BulletinThreatUpdate, Title: "Update", Body: "Be alert",
			Audience: contest.Audience{Orgs: []int64{pf.shopA.ID}}, Meta: contest.Meta{Classification: contest.Official}}
		n := pf.mustPublish(t, b)
		if n != 4 {
			t.Fatalf("sent to %d, want the 4 people of shop A", n)
		}
		var acker *contest.User
		for _, u := range pf.people {
			if u.OrgID == pf.shopA.ID && u.Vetting == contest.SC {
				acker = u
			}
		}
		if err := pf.DB.AcknowledgeBulletin(ctx, pf.actorFor(t, acker), b.ID); err != nil {
			t.Fatal(err)
		}
		// Twice is harmless.
		if err := pf.DB.AcknowledgeBulletin(ctx, pf.actorFor(t, acker), b.ID); err != nil {
			t.Fatal(err)
		}
		rep, err := pf.DB.BulletinReport(ctx, pf.sender, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Recipients != 4 || rep.Acknowledged != 1 || len(rep.Pending) != 3 || len(rep.Acked) != 1 || rep.Acked[0].UserID != acker.ID {
			t.Fatalf("report %+v", rep)
		}
		// A partner may not see the sender's report.
		if _, err := pf.DB.BulletinReport(ctx, pf.actorFor(t, acker), b.ID); contest.ErrorCode(err) != contest.ENOTFOUND {
			t.Fatalf("recipient reads the report: %v", err)
		}
		before := outboxKeys(t, pf.DB, b.ID, contest.DeliveryEmail)
		again, err := pf.DB.ResendBulletin(ctx, pf.sender, b.ID)
		if err != nil || again != 3 {
			t.Fatalf("resend: %d %v", again, err)
		}
		after := outboxKeys(t, pf.DB, b.ID, contest.DeliveryEmail)
		if len(after) != len(before)+3 {
			t.Fatalf("e-mails before %v, after %v", before, after)
		}
		for _, k := range after {
			if strings.HasSuffix(k, "-r2-email") && strings.Contains(k, fmt.Sprintf("-u%d-", acker.ID)) {
				t.Fatalf("resent to someone who acknowledged: %s", k)
			}
		}
		// Someone outside the audience cannot acknowledge.
		if err := pf.DB.AcknowledgeBulletin(ctx, pf.MustActor(t, contest.RolePartner), b.ID); contest.ErrorCode(err) != contest.ENOTFOUND {
			t.Fatalf("outsider acknowledges: %v", err)
		}
	})
}

// TestSectorCascade: the retail sector lead forwards a bulletin sent to it
// to its sector's members; the cascade is tracked; another organisation
// may not forward to the sector.
func TestSectorCascade(t *testing.T) {
	forEngine(t, func(t *testing.T, e db.Engine) {
		pf := mustProtect(t, e)
		lead := pf.Orgs[contest.OrgSectorLead]
		b := &contest.Bulletin{Type: contest.BulletinAdvice, Title: "Single truth", Body: "The facts are...",
			Audience: contest.Audience{Orgs: []int64{lead.ID}}, Meta: contest.Meta{Classification: contest.Official}}
		pf.mustPublish(t, b)
		var leadUser, shopUser *contest.User
		for _, u := range pf.people {
			if u.OrgID == lead.ID && u.Vetting == contest.BPSS {
				leadUser = u
			}
			if u.OrgID == pf.shopB.ID && u.Vetting == contest.CTC {
				shopUser = u
			}
		}
		// Before the cascade the shop does not see it.
		if _, err := pf.DB.FindBulletinByID(ctx, pf.actorFor(t, shopUser), b.ID); contest.ErrorCode(err) != contest.ENOTFOUND {
			t.Fatalf("shop sees it before the cascade: %v", err)
		}
		// A shop cannot forward to the sector it is only a member of.
		if _, err := pf.DB.CascadeBulletin(ctx, pf.actorFor(t, shopUser), b.ID, pf.sector.ID); contest.ErrorCode(err) != contest.ENOTFOUND {
			t.Fatalf("shop forwards: %v", err)
		}
		c, err := pf.DB.CascadeBulletin(ctx, pf.actorFor(t, leadUser), b.ID, pf.sector.ID)
		if err != nil {
			t.Fatal(err)
		}
		if c.Orgs != 2 || c.Recipients != 8 {
			t.Fatalf("cascade %+v, want 2 organisations and their 8 people", c)
		}
		if _, err := pf.DB.FindBulletinByID(ctx, pf.actorFor(t, shopUser), b.ID); err != nil {
			t.Fatalf("shop after the cascade: %v", err)
		}
		if err := pf.DB.AcknowledgeBulletin(ctx, pf.actorFor(t, shopUser), b.ID); err != nil {
			t.Fatal(err)
		}
		// Forwarding again adds nobody.
		c2, err := pf.DB.CascadeBulletin(ctx, pf.actorFor(t, leadUser), b.ID, pf.sector.ID)
		if err != nil || c2.Orgs != 0 {
			t.Fatalf("second cascade %+v %v", c2, err)
		}
		// The sender sees the cascade with its acknowledgements; the lead
		// sees its own cascades.
		for _, a := range []*contest.Actor{pf.sender, pf.actorFor(t, leadUser)} {
			rep, err := pf.DB.BulletinReport(ctx, a, b.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Cascades) != 2 || rep.Cascades[0].Acked != 1 || rep.Cascades[0].Recipients != 8 || rep.Cascades[0].SectorName != "Retail" {
				t.Fatalf("cascades %+v", rep.Cascades)
			}
		}
		// A member of the sector's other businesses gets it by e-mail.
		if keys := outboxKeys(t, pf.DB, b.ID, contest.DeliveryEmail); len(keys) != 4+7 {
			t.Fatalf("e-mails %v, want 4 to the lead and 7 from the cascade", keys)
		}
	})
}

// TestThreatLevelBulletin: changing the national threat level publishes a
// threat update to all partners in the same transaction, so that if the
// bulletin cannot be stored the level does not change either.
func TestThreatLevelBulletin(t *testing.T) {
	forEngine(t, func(t *testing.T, e db.Engine) {
		pf := mustProtect(t, e)
		ss := pf.MustActor(t, contest.RoleAdmin)
		if _, err := pf.DB.SetThreatLevel(ctx, ss, contest.ThreatSevere, "Assessment of recent plots"); err != nil {
			t.Fatal(err)
		}
		list, _, err := pf.DB.FindBulletins(ctx, pf.adviser, contest.BulletinFilter{Type: contest.BulletinThreatUpdate})
		if err != nil || len(list) != 1 {
			t.Fatalf("threat bulletins %d %v", len(list), err)
		}
		b := list[0]
		if !strings.Contains(b.Title, "SEVERE") || !b.Audience.AllPartners || b.Status != contest.BulletinPublished || b.ThreatChangeID == 0 {
			t.Fatalf("bulletin %+v", b)
		}
		// Every partner organisation received it; the issuers did not.
		var orgs int
		pf.DB.SQL().QueryRow("SELECT COUNT(*) FROM bulletin_orgs WHERE bulletin_id = $1", b.ID).Scan(&orgs)
		if want := len(contest.PartnerKinds) + 2; orgs != want {
			t.Fatalf("sent to %d organisations, want %d", orgs, want)
		}
		var issuers int
		pf.DB.SQL().QueryRow("SELECT COUNT(*) FROM bulletin_orgs bo JOIN orgs o ON o.id = bo.org_id WHERE bo.bulletin_id = $1 AND o.kind IN ('ct_policing', 'security_service')", b.ID).Scan(&issuers)
		if issuers != 0 {
			t.Fatalf("sent to %d issuing organisations", issuers)
		}
		// Now make storing the bulletin fail: the change must not happen.
		var q string
		if e == db.Postgres {
			for _, s := range []string{"CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused'; END; $$",
				"CREATE TRIGGER refuse BEFORE INSERT ON bulletin_recipients FOR EACH ROW EXECUTE FUNCTION refuse()"} {
				if _, err := pf.DB.SQL().Exec(s); err != nil {
					t.Fatal(err)
				}
			}
		} else {
			q = "CREATE TRIGGER refuse BEFORE INSERT ON bulletin_recipients BEGIN SELECT RAISE(ABORT, 'refused'); END"
			if _, err := pf.DB.SQL().Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := pf.DB.SetThreatLevel(ctx, ss, contest.ThreatCritical, "Attack expected"); err == nil {
			t.Fatal("the change succeeded without its bulletin")
		}
		cur, err := pf.DB.CurrentThreatLevel(ctx)
		if err != nil || cur.Level != contest.ThreatSevere {
			t.Fatalf("level %v %v, want SEVERE unchanged", cur, err)
		}
		var n int
		pf.DB.SQL().QueryRow("SELECT COUNT(*) FROM bulletins").Scan(&n)
		if n != 1 {
			t.Fatalf("%d bulletins after the failed change", n)
		}
	})
}

// TestPublicStatementsAndFeed: a public rumour-control statement is on the
// public list; a partner's feed token (stored hashed) gives the bulletins
// sent to its organisation within its clearance, and a bad token nothing.
func TestPublicStatementsAndFeed(t *testing.T) {
	forEngine(t, func(t *testing.T, e db.Engine) {
		pf := mustProtect(t, e)
		sys := contest.SystemActor("test")
		public := &contest.Bulletin{Type: contest.BulletinRumour, Public: true, Title: "No incident at Kingsway", Body: "Reports of an attack are false.",
			Audience: contest.Audience{AllPartners: true}, Meta: contest.Meta{Classification: contest.Official}}
		pf.mustPublish(t, public)
		secret := &contest.Bulletin{Type: contest.BulletinAdvice, Title: "Sensitive", Body: "...",
			Audience: contest.Audience{Orgs: []int64{pf.shopA.ID}}, Meta: contest.Meta{Classification: contest.OfficialSensitive}}
		pf.mustPublish(t, secret)
		draft := &contest.Bulletin{Type: contest.BulletinRumour, Public: true, Title: "Draft", Body: "...",
			Audience: contest.Audience{AllPartners: true}, Meta: contest.Meta{Classification: contest.Official}}
		if err := pf.DB.CreateBulletin(ctx, pf.sender, draft); err != nil {
			t.Fatal(err)
		}
		st, err := pf.DB.PublicStatements(ctx, 10)
		if err != nil || len(st) != 1 || st[0].ID != public.ID {
			t.Fatalf("public statements %v %v", st, err)
		}
		tok, err := pf.DB.IssueFeedToken(ctx, sys, pf.shopA.ID)
		if err != nil {
			t.Fatal(err)
		}
		var stored string
		pf.DB.SQL().QueryRow("SELECT feed_token_hash FROM partner_channels WHERE org_id = $1", pf.shopA.ID).Scan(&stored)
		if stored == "" || strings.Contains(stored, tok) || stored == tok {
			t.Fatalf("feed token stored as %q", stored)
		}
		org, list, err := pf.DB.FeedBulletins(ctx, tok, "test", 10)
		if err != nil || org.ID != pf.shopA.ID || len(list) != 1 || list[0].ID != public.ID {
			t.Fatalf("feed at OFFICIAL: %v %v %v", org, list, err)
		}
		if _, err := pf.DB.SetPartnerChannels(ctx, sys, &contest.PartnerChannels{OrgID: pf.shopA.ID, Clearance: contest.OfficialSensitive}, false); err != nil {
			t.Fatal(err)
		}
		if _, list, _ = pf.DB.FeedBulletins(ctx, tok, "test", 10); len(list) != 2 {
			t.Fatalf("feed cleared for OFFICIAL-SENSITIVE has %d", len(list))
		}
		if _, _, err := pf.DB.FeedBulletins(ctx, tok+"x", "test", 10); contest.ErrorCode(err) != contest.EUNAUTHORIZED {
			t.Fatalf("bad token: %v", err)
		}
		// A new token replaces the old.
		if _, err := pf.DB.IssueFeedToken(ctx, sys, pf.shopA.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := pf.DB.FeedBulletins(ctx, tok, "test", 10); contest.ErrorCode(err) != contest.EUNAUTHORIZED {
			t.Fatalf("old token still works: %v", err)
		}
	})
}

// mustManyPartners adds n users with e-mail addresses spread over
// organisations of partner kinds, straight into the tables (password
// hashing n times would take minutes), and returns them.
func mustManyPartners(tb testing.TB, d *db.DB, n, perOrg int) {
	tb.Helper()
	sq := d.SQL()
	now := time.Now().UnixMicro()
	tx, err := sq.Begin()
	if err != nil {
		tb.Fatal(err)
	}
	defer tx.Rollback()
	var orgID int64
	for i := 0; i < n; i++ {
		if i%perOrg == 0 {
			if err := tx.QueryRow(`INSERT INTO orgs (name, kind, area, classification, owner_org_id, created_at, updated_at, review_at)
				VALUES ($1, 'business', 'Bench', 1, 0, $2, $2, $2) RETURNING id`, fmt.Sprintf("Bench Business %d", i/perOrg), now).Scan(&orgID); err != nil {
				tb.Fatal(err)
			}
		}
		if _, err := tx.Exec(`INSERT INTO users (org_id, username, display_name, email, role, vetting, password_hash, owner_org_id, created_at, updated_at, review_at)
			VALUES ($1, $2, $3, $4, 'partner', 2, 'x', $1, $5, $5, $5)`, orgID, fmt.Sprintf("bench.%d", i), fmt.Sprintf("Bench Person %d", i), fmt.Sprintf("bench%d@example.org", i), now); err != nil {
			tb.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
}

// TestPublishTenThousand publishes a bulletin to 10,000 people (all
// partners, 100 people an organisation): each is decided person by person
// and queued (10,000 recipients, 10,000 e-mails). How long it takes is for
// BenchmarkPublish10000 (target 1 s), not for a test.
func TestPublishTenThousand(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	forEngine(t, func(t *testing.T, e db.Engine) {
		f := dbtest.MustFixture(t, e)
		mustManyPartners(t, f.DB, 10000, 100)
		sender := f.MustActor(t, contest.RoleSupervisor)
		b := &contest.Bulletin{Type: contest.BulletinThreatUpdate, Title: "To everyone", Body: "Text",
			Audience: contest.Audience{AllPartners: true}, Meta: contest.Meta{Classification: contest.Official}}
		if err := f.DB.CreateBulletin(ctx, sender, b); err != nil {
			t.Fatal(err)
		}
		n, err := f.DB.PublishBulletin(ctx, sender, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		var emails int
		if err := f.DB.SQL().QueryRow("SELECT COUNT(*) FROM outbox WHERE bulletin_id = $1", b.ID).Scan(&emails); err != nil {
			t.Fatal(err)
		}
		if n < 10000 || emails < 10000 {
			t.Fatalf("queued %d recipients and %d e-mails", n, emails)
		}
	})
}

// BenchmarkPublish10000 measures publishing to 10,000 people.
func BenchmarkPublish10000(b *testing.B) {
	for _, e := range dbtest.Engines() {
		b.Run(string(e), func(b *testing.B) {
			f := dbtest.MustFixture(b, e)
			mustManyPartners(b, f.DB, 10000, 100)
			sender := f.MustActor(b, contest.RoleSupervisor)
			for b.Loop() {
				bl := &contest.Bulletin{Type: contest.BulletinThreatUpdate, Title: "To everyone", Body: "Text",
					Audience: contest.Audience{AllPartners: true}, Meta: contest.Meta{Classification: contest.Official}}
				if err := f.DB.CreateBulletin(ctx, sender, bl); err != nil {
					b.Fatal(err)
				}
				if _, err := f.DB.PublishBulletin(ctx, sender, bl.ID); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/bulletin")
		})
	}
}
