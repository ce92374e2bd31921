package db_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/db"
	"github.com/contest-ct/contest/db/dbtest"
)

// MustSubmit stores a report as the actor and fails the test on error.
func MustSubmit(tb testing.TB, d *db.DB, a *contest.Actor, r *contest.Report) *contest.Report {
	tb.Helper()
	if r.Channel == "" {
		r.Channel = contest.ChannelOnline
	}
	if err := d.SubmitReport(ctx, a, r); err != nil {
		tb.Fatalf("submit: %v", err)
	}
	return r
}

func reportCount(tb testing.TB, d *db.DB, q string, args ...any) int {
	tb.Helper()
	var n int
	if err := d.SQL().QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
		tb.Fatalf("%s: %v", q, err)
	}
	return n
}

// TestReportPublicSubmit stores a public report and checks that the row,
// a mention of every person (and of the reporter), the normalised
// identifiers and the audit entry with the client address are all there,
// and that the public reporter cannot read it back.
func TestReportPublicSubmit(t *testing.T) {
	for _, e := range dbtest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			fx := dbtest.MustFixture(t, e)
			d := fx.DB
			pub := contest.PublicReporter("198.51.100.7", "public-web")
			r := MustSubmit(t, d, pub, &contest.Report{What: "Two men photographing the bridge supports", Where: "Riverside Walk, NE1 4XD",
				When:     time.Now().Add(-time.Hour).UTC().Truncate(time.Second),
				People:   []contest.ReportPerson{{Name: "Alex Quinlan Marsh", Description: "tall, grey hoodie"}, {Description: "short, red cap", Phone: "+44 7700 900123"}},
				Vehicles: []string{"ab12 cde"}, Links: []string{"https://example.com/post/1"},
				Contact: contest.ReportContact{Name: "Pat Reporter", Email: "Pat@Example.org"}})
			if !strings.HasPrefix(r.Reference, "CT-") || len(r.Reference) != 14 || r.ID == 0 {
				t.Fatalf("reference %q id %d", r.Reference, r.ID)
			}
			if got := reportCount(t, d, "SELECT COUNT(*) FROM person_mentions WHERE source_kind = 'report' AND source_id = $1", r.ID); got != 3 {
				t.Errorf("mentions = %d, want 3 (two people and the reporter)", got)
			}
			for _, k := range []string{"phone:07700900123", "email:pat@example.org", "vehicle:AB12CDE", "postcode:NE14XD", "link:example.com/post/1"} {
				if got := reportCount(t, d, "SELECT COUNT(*) FROM report_keys WHERE report_id = $1 AND key = $2", r.ID, k); got != 1 {
					t.Errorf("key %s: %d rows", k, got)
				}
			}
			var user, addr, via string
			if err := d.SQL().QueryRowContext(ctx, "SELECT username, client_addr, via FROM audit_log WHERE kind = 'report' AND action = 'create' AND record_id = $1",
				strconv.FormatInt(r.ID, 10)).Scan(&user, &addr, &via); err != nil {
				t.Fatal(err)
			}
			if user != contest.PublicUsername || addr != "198.51.100.7" || via != "public-web" {
				t.Errorf("audit: %s %s %s", user, addr, via)
			}
			if _, err := d.FindReportByID(ctx, pub, r.ID); contest.ErrorCode(err) != contest.ENOTFOUND {
				t.Errorf("public reads back: %v", err)
			}
			// An investigator sees it, complete.
			got, err := d.FindReportByID(ctx, fx.MustActor(t, contest.RoleInvestigator), r.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.What != r.What || len(got.People) != 2 || got.People[1].Phone != "+44 7700 900123" || got.Vehicles[0] != "ab12 cde" ||
				got.Contact.Email != "Pat@Example.org" || !got.When.Equal(r.When) || got.Status != contest.ReportNew {
				t.Errorf("read back %+v", got)
			}
			// A business partner does not: it belongs to no organisation.
			if _, err := d.FindReportByID(ctx, fx.MustActor(t, contest.RolePartner), r.ID); contest.ErrorCode(err) != contest.ENOTFOUND {
				t.Errorf("partner reads public report: %v", err)
			}
		})
	}
}

// TestReportRejects checks bad input and channel rules: nothing is stored.
func TestReportRejects(t *testing.T) {
	fx := dbtest.MustFixture(t, db.SQLite)
	d := fx.DB
	pub := contest.PublicReporter("198.51.100.8", "public-api")
	cases := []struct {
		name  string
		a     *contest.Actor
		r     contest.Report
		code  string
		field string
	}{
		{"no what", pub, contest.Report{Channel: contest.ChannelOnline}, contest.EINVALID, "what"},
		{"bad email", pub, contest.Report{Channel: contest.ChannelOnline, What: "x", Contact: contest.ReportContact{Email: "nope"}}, contest.EINVALID, "contact-email"},
		{"bad link", pub, contest.Report{Channel: contest.ChannelOnline, What: "x", Links: []string{"javascript:alert(1)"}}, contest.EINVALID, "links"},
		{"future", pub, contest.Report{Channel: contest.ChannelOnline, What: "x", When: time.Now().Add(30 * 24 * time.Hour)}, contest.EINVALID, "when"},
		{"control chars", pub, contest.Report{Channel: contest.ChannelOnline, What: "a\x00b"}, contest.EINVALID, "what"},
		{"public hotline", pub, contest.Report{Channel: contest.ChannelHotline, What: "x"}, contest.EFORBIDDEN, ""},
		{"public business", pub, contest.Report{Channel: contest.ChannelPrecursor, What: "x"}, contest.EFORBIDDEN, ""},
		{"analyst business", fx.MustActor(t, contest.RoleAnalyst), contest.Report{Channel: contest.ChannelPrecursor, What: "x"}, contest.EFORBIDDEN, ""},
		{"partner hotline", fx.MustActor(t, contest.RolePartner), contest.Report{Channel: contest.ChannelHotline, What: "x", CallTime: time.Now()}, contest.EFORBIDDEN, ""},
		{"unknown substance", fx.MustActor(t, contest.RolePartner), contest.Report{Channel: contest.ChannelPrecursor, What: "x", Substance: "water",
			Event: "theft", When: time.Now()}, contest.EINVALID, "substance"},
		{"bad attachment", pub, contest.Report{Channel: contest.ChannelOnline, What: "x",
			Attachments: []*contest.Attachment{{Filename: "a.jpg", Data: []byte("<html><script>alert(1)</script>")}}}, contest.EINVALID, "attachments"},
	}
	for _, tc := range cases {
		err := d.SubmitReport(ctx, tc.a, &tc.r)
		if contest.ErrorCode(err) != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
			continue
		}
		if tc.field != "" && (len(contest.ErrorFields(err)) == 0 || contest.ErrorFields(err)[0].Field != tc.field) {
			t.Errorf("%s: fields %v, want %s", tc.name, contest.ErrorFields(err), tc.field)
		}
	}
	if n := reportCount(t, d, "SELECT COUNT(*) FROM reports"); n != 0 {
		t.Errorf("%d reports stored from bad input", n)
	}
}

// TestReportBusiness: a business reports a precursor theft; the 24-hour
// deadline runs from the event; the business sees its own report only.
func TestReportBusiness(t *testing.T) {
	fx := dbtest.MustFixture(t, db.SQLite)
	d := fx.DB
	partner := fx.MustActor(t, contest.RolePartner)
	ev := time.Now().Add(-5 * time.Hour).UTC().Truncate(time.Second)
	r := MustSubmit(t, d, partner, &contest.Report{Channel: contest.ChannelPrecursor, What: "Customer asked for 25 litres, paid cash",
		Substance: "hydrogen_peroxide", Event: "attempted_purchase", When: ev, Indicators: []string{"unusual_quantity", "unusual_payment"}})
	got, err := d.FindReportByID(ctx, partner, r.ID)
	if err != nil {
		t.Fatalf("business reads own report: %v", err)
	}
	if !got.BusinessDeadlineAt().Equal(ev.Add(24*time.Hour)) || len(got.Indicators) != 2 || got.Substance != "hydrogen_peroxide" {
		t.Errorf("got %+v", got)
	}
	if got.DueAt.Sub(got.ReceivedAt) != contest.TargetBusiness {
		t.Errorf("due %v after receipt", got.DueAt.Sub(got.ReceivedAt))
	}
	other := MustSubmit(t, d, contest.PublicReporter("192.0.2.1", "test"), &contest.Report{What: "Something else entirely"})
	list, total, err := d.FindReports(ctx, partner, contest.ReportFilter{})
	if err != nil || total != 1 || list[0].ID != r.ID {
		t.Errorf("partner list: %d %v (other %d)", total, err, other.ID)
	}
	subs, err := d.FindSubstances(ctx)
	if err != nil || len(subs) < 20 {
		t.Errorf("substances: %d %v", len(subs), err)
	}
}

// TestTriageQueueOrder: threat to life first, then the longest waiting,
// then the best grade; near-duplicates come as one line with a count.
func TestTriageQueueOrder(t *testing.T) {
	for _, e := range dbtest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			fx := dbtest.MustFixture(t, e)
			d := fx.DB
			inv := fx.MustActor(t, contest.RoleInvestigator)
			pub := contest.PublicReporter("192.0.2.5", "test")
			old := MustSubmit(t, d, pub, &contest.Report{What: "Abandoned suitcase left by the ticket barriers for an hour", Where: "Central Station"})
			time.Sleep(2 * time.Millisecond)
			dup1 := MustSubmit(t, d, pub, &contest.Report{What: "Abandoned suitcase left by the ticket barriers for over an hour", Where: "Central Station concourse"})
			dup2 := MustSubmit(t, d, pub, &contest.Report{What: "abandoned suitcase left by ticket barriers, an hour now!", Where: "central station"})
			time.Sleep(2 * time.Millisecond)
			unrelated := MustSubmit(t, d, pub, &contest.Report{What: "Van parked repeatedly outside the synagogue at night, engine running", Where: "Elm Road"})
			time.Sleep(2 * time.Millisecond)
			life := MustSubmit(t, d, inv, &contest.Report{Channel: contest.ChannelHotline, What: "Caller says neighbour is making a device", CallTime: time.Now().Add(-time.Minute),
				ThreatToLife: true, CallerDetails: "Anonymous caller"})
			if dup1.ClusterID != old.ID || dup2.ClusterID != old.ID {
				t.Errorf("clusters: old %d, dup1 %d, dup2 %d", old.ID, dup1.ClusterID, dup2.ClusterID)
			}
			if unrelated.ClusterID != unrelated.ID {
				t.Errorf("unrelated joined cluster %d", unrelated.ClusterID)
			}
			q, total, err := d.TriageQueue(ctx, inv, 10)
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, it := range q {
				ids = append(ids, it.Report.ID)
			}
			want := []int64{life.ID, old.ID, unrelated.ID}
			if total != 3 || len(ids) != 3 || ids[0] != want[0] || ids[1] != want[1] || ids[2] != want[2] {
				t.Fatalf("queue %v (total %d), want %v", ids, total, want)
			}
			if q[1].Count != 3 || q[0].Count != 1 {
				t.Errorf("counts %d %d", q[0].Count, q[1].Count)
			}
			// Grading the unrelated report does not lift it over the older
			// cluster: waiting time comes before grade.
			if _, err := d.TriageReport(ctx, inv, unrelated.ID, contest.TriageDecision{Grade: contest.Grade{Source: 1, Assessment: "A", Handling: "P"}}); err != nil {
				t.Fatal(err)
			}
			q, _, _ = d.TriageQueue(ctx, inv, 10)
			if q[1].Report.ID != old.ID || q[2].Report.Grade.String() != "1A P" {
				t.Errorf("after grading: %d then %q", q[1].Report.ID, q[2].Report.Grade.String())
			}
			// The whole cluster is resolved at once.
			n, err := d.ResolveCluster(ctx, inv, old.ID, contest.TriageDecision{Grade: contest.Grade{Source: 2, Assessment: "B", Handling: "P"},
				Outcome: contest.OutcomeLocalPolice, Reason: "Local lost property matter"})
			if err != nil || n != 3 {
				t.Fatalf("resolve: %d %v", n, err)
			}
			q, total, _ = d.TriageQueue(ctx, inv, 10)
			if total != 2 || q[0].Report.ID != life.ID || q[1].Report.ID != unrelated.ID {
				t.Errorf("queue after resolve: %d", total)
			}
			got, _ := d.FindReportByID(ctx, inv, dup2.ID)
			if got.Status != contest.ReportClosed || got.Outcome != contest.OutcomeLocalPolice || got.TriagedBy != inv.UserID {
				t.Errorf("dup2 after resolve %+v", got)
			}
			if c := reportCount(t, d, "SELECT COUNT(*) FROM audit_log WHERE kind = 'report' AND action = 'update' AND username = $1", inv.Username); c != 4 {
				t.Errorf("%d update audit entries, want 4", c)
			}
			// The partner (a business) may not triage.
			if _, err := d.TriageReport(ctx, fx.MustActor(t, contest.RolePartner), life.ID, contest.TriageDecision{Grade: contest.Grade{Source: 1, Assessment: "A", Handling: "P"}}); contest.ErrorCode(err) != contest.EFORBIDDEN {
				t.Errorf("partner triage: %v", err)
			}
			// An outcome needs a reason.
			if _, err := d.TriageReport(ctx, inv, life.ID, contest.TriageDecision{Grade: contest.Grade{Source: 1, Assessment: "A", Handling: "P"}, Outcome: contest.OutcomeNewLead}); contest.ErrorCode(err) != contest.EINVALID {
				t.Errorf("no reason: %v", err)
			}
		})
	}
}

// TestReportRumourAndKeys: identical identifiers across reports are shown
// with the reason; a cluster marked a false rumour publishes its statement.
func TestReportRumourAndKeys(t *testing.T) {
	for _, e := range dbtest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			fx := dbtest.MustFixture(t, e)
			d := fx.DB
			pub := contest.PublicReporter("192.0.2.9", "test")
			a := MustSubmit(t, d, pub, &contest.Report{What: "Blue car circling the stadium", Vehicles: []string{"AB12 CDE"}})
			b := MustSubmit(t, d, pub, &contest.Report{What: "Someone filming the gates from a car", Vehicles: []string{"ab-12-cde"},
				People: []contest.ReportPerson{{Name: "Sam Driver", Phone: "07700 900456"}}})
			c := MustSubmit(t, d, pub, &contest.Report{What: "Leaflets", People: []contest.ReportPerson{{Phone: "+447700900456"}}})
			inv := fx.MustActor(t, contest.RoleInvestigator)
			ms, err := d.FindReportKeyMatches(ctx, inv, b.ID)
			if err != nil {
				t.Fatal(err)
			}
			found := map[string]int64{}
			for _, m := range ms {
				found[m.Field] = m.ReportID
				if !strings.Contains(m.Reason, "exact match") {
					t.Errorf("reason %q", m.Reason)
				}
			}
			if found["vehicle"] != a.ID || found["phone"] != c.ID || len(ms) != 2 {
				t.Errorf("matches %v", found)
			}
			// The rumour.
			r1 := MustSubmit(t, d, pub, &contest.Report{What: "Heard there was a shooting at Westgate shopping centre today", Where: "Westgate"})
			r2 := MustSubmit(t, d, pub, &contest.Report{What: "There was a shooting at the Westgate shopping centre today?", Where: "Westgate centre"})
			if r2.ClusterID != r1.ID {
				t.Fatalf("rumour not clustered: %d %d", r1.ID, r2.ClusterID)
			}
			if _, err := d.MarkRumour(ctx, inv, r1.ID, "There was no shooting.", "CCTV checked"); contest.ErrorCode(err) != contest.EFORBIDDEN {
				t.Errorf("investigator publishes: %v", err)
			}
			sup := fx.MustActor(t, contest.RoleSupervisor)
			n, err := d.MarkRumour(ctx, sup, r1.ID, "There has been no shooting at Westgate. Please do not share the rumour.", "Officers attended; CCTV checked")
			if err != nil || n != 2 {
				t.Fatalf("rumour: %d %v", n, err)
			}
			st, err := d.FindRumourStatements(ctx, 10)
			if err != nil || len(st) != 1 || st[0].ClusterID != r1.ID || !strings.Contains(st[0].Statement, "no shooting") {
				t.Errorf("statements %v %v", st, err)
			}
			got, _ := d.FindReportByID(ctx, sup, r2.ID)
			if got.Outcome != contest.OutcomeFalseRumour || got.Grade.String() != "3E P" {
				t.Errorf("r2 %+v", got)
			}
		})
	}
}

// TestReportAttachments: the bytes are kept unchanged, the SHA-256 is
// recorded, the type comes from the bytes, and only staff who may see the
// report get it.
func TestReportAttachments(t *testing.T) {
	fx := dbtest.MustFixture(t, db.SQLite)
	d := fx.DB
	png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{7}, 100)...)
	r := MustSubmit(t, d, contest.PublicReporter("192.0.2.1", "test"), &contest.Report{What: "Photo of the package",
		Attachments: []*contest.Attachment{{Filename: "../../etc/x.html", Data: png}}})
	at := r.Attachments[0]
	if at.ContentType != "image/png" || at.Filename != "x.html" || len(at.SHA256) != 64 {
		t.Errorf("attachment %+v", at)
	}
	inv := fx.MustActor(t, contest.RoleInvestigator)
	got, err := d.FindAttachment(ctx, inv, r.ID, at.ID)
	if err != nil || !bytes.Equal(got.Data, png) || got.SHA256 != at.SHA256 {
		t.Fatalf("download: %v", err)
	}
	if _, err := d.FindAttachment(ctx, fx.MustActor(t, contest.RolePartner), r.ID, at.ID); contest.ErrorCode(err) != contest.ENOTFOUND {
		t.Errorf("partner download: %v", err)
	}
	if cd := db.ContentDisposition("a\"b.png"); !strings.HasPrefix(cd, "attachment;") || strings.Contains(cd, `a"b`) {
		t.Errorf("disposition %q", cd)
	}
}

// TestReportExport writes JSON lines with every reference, audited with
// the recipient; only supervisors may export.
func TestReportExport(t *testing.T) {
	fx := dbtest.MustFixture(t, db.SQLite)
	d := fx.DB
	pub := contest.PublicReporter("192.0.2.1", "test")
	refs := map[string]bool{}
	for _, w := range []string{"one", "two", "three"} {
		refs[MustSubmit(t, d, pub, &contest.Report{What: "Report " + w}).Reference] = true
	}
	if _, err := d.ExportReports(ctx, fx.MustActor(t, contest.RoleInvestigator), "x", &bytes.Buffer{}); contest.ErrorCode(err) != contest.EFORBIDDEN {
		t.Errorf("investigator export: %v", err)
	}
	var buf bytes.Buffer
	n, err := d.ExportReports(ctx, contest.SystemActor("cli"), "Inspectorate", &buf)
	if err != nil || n != 3 {
		t.Fatalf("export %d %v", n, err)
	}
	sc := bufio.NewScanner(&buf)
	for sc.Scan() {
		var r contest.Report
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		delete(refs, r.Reference)
	}
	if len(refs) != 0 {
		t.Errorf("missing %v", refs)
	}
	if c := reportCount(t, d, "SELECT COUNT(*) FROM audit_log WHERE action = 'export' AND kind = 'report' AND recipient = 'Inspectorate'"); c != 1 {
		t.Errorf("export audit entries %d", c)
	}
}

// FuzzSniffAttachment: any bytes give an allowed type or a clear EINVALID,
// never a panic, and never HTML.
func FuzzSniffAttachment(f *testing.F) {
	f.Add([]byte("\x89PNG\r\n\x1a\n0000"))
	f.Add([]byte("<html><body>x"))
	f.Add([]byte("%PDF-1.7"))
	f.Add([]byte("plain words"))
	f.Add([]byte{0xff, 0xd8, 0xff, 0xe0})
	f.Fuzz(func(t *testing.T, b []byte) {
		ct, err := db.SniffAttachment(b)
		if err != nil {
			if contest.ErrorCode(err) != contest.EINVALID {
				t.Fatalf("error code %v", err)
			}
			return
		}
		if strings.Contains(ct, "html") || strings.Contains(ct, "xml") || strings.Contains(ct, "javascript") {
			t.Fatalf("allowed %q", ct)
		}
	})
}

// TestReportOverdue: a report waiting beyond its target time stands out;
// a threat to life has a one-hour target.
func TestReportOverdue(t *testing.T) {
	now := time.Now().UTC()
	d := dbtest.MustOpen(t, db.SQLite, func() time.Time { return now })
	inv := &contest.Actor{UserID: 1, Username: "desk", Role: contest.RoleInvestigator, OrgKind: contest.OrgCTP, Vetting: contest.SC, TOTPEnrolled: true}
	pub := contest.PublicReporter("192.0.2.3", "test")
	now = now.Add(-4 * 24 * time.Hour)
	old := MustSubmit(t, d, pub, &contest.Report{What: "Old report about a parked lorry"})
	now = now.Add(4*24*time.Hour - 2*time.Hour)
	life := MustSubmit(t, d, contest.SystemActor("test"), &contest.Report{Channel: contest.ChannelHotline, What: "Caller fears an attack tonight",
		CallTime: now, ThreatToLife: true})
	now = now.Add(2 * time.Hour)
	fresh := MustSubmit(t, d, pub, &contest.Report{What: "New report of a drone over the stadium"})
	q, _, err := d.TriageQueue(ctx, inv, 10)
	if err != nil || len(q) != 3 {
		t.Fatalf("queue %v %v", q, err)
	}
	want := map[int64]bool{old.ID: true, life.ID: true, fresh.ID: false}
	for _, it := range q {
		if got := it.Report.Overdue(now); got != want[it.Report.ID] {
			t.Errorf("report %d overdue = %v", it.Report.ID, got)
		}
	}
	if q[0].Report.ID != life.ID || q[1].Report.ID != old.ID {
		t.Errorf("order %d %d %d", q[0].Report.ID, q[1].Report.ID, q[2].Report.ID)
	}
}

// TestTriageLinked: a report is linked only to an investigation the
// triager may see; otherwise a field error, and the report is unchanged.
func TestTriageLinked(t *testing.T) {
	for _, e := range dbtest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			fx := dbtest.MustFixture(t, e)
			d := fx.DB
			now := time.Now().UnixMicro()
			var inv int64
			if err := d.SQL().QueryRowContext(ctx, `INSERT INTO investigations (operation, summary, status, opened_at, classification, owner_org_id, area,
				created_by, created_at, updated_by, updated_at, review_at) VALUES ('OPERATION TESTLINK', '', 'open', $1, 1, $2, '', 0, $1, 0, $1, $1) RETURNING id`,
				now, fx.Orgs[contest.OrgCTP].ID).Scan(&inv); err != nil {
				t.Fatal(err)
			}
			r := MustSubmit(t, d, contest.PublicReporter("192.0.2.2", "test"), &contest.Report{What: "Seen again near the depot"})
			a := fx.MustActor(t, contest.RoleInvestigator)
			g := contest.Grade{Source: 2, Assessment: "C", Handling: "P"}
			_, err := d.TriageReport(ctx, a, r.ID, contest.TriageDecision{Grade: g, Outcome: contest.OutcomeLinked, Reason: "Same van", LinkedInvestigation: inv + 1000})
			if f := contest.ErrorFields(err); len(f) != 1 || f[0].Field != "linked_investigation" {
				t.Fatalf("unknown investigation: %v", err)
			}
			if got, _ := d.FindReportByID(ctx, a, r.ID); got.Status != contest.ReportNew {
				t.Errorf("changed on refusal: %s", got.Status)
			}
			got, err := d.TriageReport(ctx, a, r.ID, contest.TriageDecision{Grade: g, Outcome: contest.OutcomeLinked, Reason: "Same van", LinkedInvestigation: inv})
			if err != nil || got.LinkedInvestigation != inv || got.Status != contest.ReportClosed {
				t.Errorf("linked: %+v %v", got, err)
			}
		})
	}
}

// TestReportClustering: near-duplicates cluster only when the text is
// similar and the time and place agree; unrelated reports that share
// common words stay apart.
func TestReportClustering(t *testing.T) {
	d := dbtest.MustOpen(t, db.SQLite, nil)
	pub := contest.PublicReporter("192.0.2.77", "test")
	day := time.Now().UTC().Add(-6 * 24 * time.Hour).Truncate(time.Hour)
	head := MustSubmit(t, d, pub, &contest.Report{What: "A drone was flying over the stadium during the match for twenty minutes",
		Where: "Kingsmere stadium", When: day})
	cases := []struct {
		name  string
		r     contest.Report
		joins bool
	}{
		{"reworded", contest.Report{What: "drone flying over the stadium during the match, about twenty minutes", Where: "stadium, Kingsmere", When: day.Add(time.Hour)}, true},
		{"no place or time", contest.Report{What: "A drone was flying over the stadium during the match for 20 minutes"}, true},
		{"other place", contest.Report{What: "A drone was flying over the stadium during the match for twenty minutes", Where: "Ashbridge park", When: day}, false},
		{"days later", contest.Report{What: "A drone was flying over the stadium during the match for twenty minutes", Where: "Kingsmere stadium", When: day.Add(5 * 24 * time.Hour)}, false},
		{"same words, other story", contest.Report{What: "The match at the stadium was stopped because a fan was taken ill", Where: "Kingsmere stadium", When: day}, false},
	}
	for _, tc := range cases {
		if tc.r.When.After(time.Now()) {
			tc.r.When = time.Now().Add(-time.Minute)
		}
		r := MustSubmit(t, d, pub, &tc.r)
		if got := r.ClusterID == head.ID; got != tc.joins {
			t.Errorf("%s: cluster %d (head %d), joins = %v, want %v", tc.name, r.ClusterID, head.ID, got, tc.joins)
		}
	}
}

// TestReportOneWrite: storing a public report (with people, identifiers,
// a contact and an attachment) is exactly one write transaction, so that
// the group commit can share its fsync with other reports.
func TestReportOneWrite(t *testing.T) {
	for _, e := range dbtest.Engines() {
		t.Run(string(e), func(t *testing.T) {
			d := dbtest.MustOpen(t, e, nil)
			pub := contest.PublicReporter("192.0.2.90", "test")
			MustSubmit(t, d, pub, &contest.Report{What: "Warm-up report so that statements are prepared"})
			for i, r := range []*contest.Report{
				{What: "Unrelated first report about a van", People: []contest.ReportPerson{{Name: "Avery Tolland", Phone: "07700 900111"}}},
				{What: "Unrelated first report about a van!", Vehicles: []string{"AB12 CDE"}, Contact: contest.ReportContact{Email: "r@example.org"},
					Attachments: []*contest.Attachment{{Filename: "a.txt", Data: []byte("plain text note")}}},
			} {
				_, before := d.WriteGroups()
				MustSubmit(t, d, pub, r)
				if _, after := d.WriteGroups(); after-before != 1 {
					t.Errorf("report %d: %d write transactions, want 1", i, after-before)
				}
			}
		})
	}
}
