package db_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/db"
	"github.com/contest-ct/contest/db/dbtest"
	"github.com/contest-ct/contest/pdq"
)

// MustPNG draws a synthetic test image: smooth shapes that give a PDQ hash
// of full quality. seed varies the picture; rot turns it by 90 degrees.
func MustPNG(tb testing.TB, seed int, rot bool) []byte {
	tb.Helper()
	const w, h = 160, 120
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	if rot {
		img = image.NewRGBA(image.Rect(0, 0, h, w))
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			fx, fy := float64(x)/w, float64(y)/h
			v := 128 + 60*math.Sin(fx*float64(3+seed)*math.Pi) + 50*math.Cos(fy*float64(2+seed%3)*math.Pi+float64(seed))
			if (x/20+y/30+seed)%3 == 0 {
				v = 255 - v
			}
			c := color.RGBA{uint8(v), uint8(255 - v), uint8(int(v) * (seed + 1) % 256), 255}
			if rot {
				// (x, y) goes to (h-1-y, x): a quarter turn clockwise.
				img.Set(h-1-y, x, c)
			} else {
				img.Set(x, y, c)
			}
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// MustFlatPNG is an image of one colour: PDQ quality 0.
func MustFlatPNG(tb testing.TB) []byte {
	tb.Helper()
	img := image.NewGray(image.Rect(0, 0, 64, 64))
	for i := range img.Pix {
		img.Pix[i] = 90
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// contentEnv is the fixture plus a platform partner user and a second
// platform.
type contentEnv struct {
	*dbtest.Fixture
	officer, supervisor, platform, otherPlatform, investigator *contest.Actor
	platformOrg, otherOrg                                      *contest.Org
}

func mustContentEnv(t *testing.T, e db.Engine) *contentEnv {
	t.Helper()
	f := dbtest.MustFixture(t, e)
	ctx := context.Background()
	sys := contest.SystemActor("test")
	other := &contest.Org{Name: "Test Other Platform", Kind: contest.OrgOnlinePlatform}
	if err := f.DB.CreateOrg(ctx, sys, other); err != nil {
		t.Fatal(err)
	}
	ce := &contentEnv{Fixture: f, platformOrg: f.Orgs[contest.OrgOnlinePlatform], otherOrg: other,
		officer: f.MustActor(t, contest.RoleContentOfficer), supervisor: f.MustActor(t, contest.RoleSupervisor),
		investigator: f.MustActor(t, contest.RoleInvestigator)}
	for i, org := range []*contest.Org{ce.platformOrg, other} {
		u := &contest.User{Username: "platform.user" + string(rune('a'+i)), DisplayName: "Platform User", Role: contest.RolePartner,
			Vetting: contest.BPSS, OrgID: org.ID}
		if err := f.DB.CreateUser(ctx, sys, u, f.Password); err != nil {
			t.Fatal(err)
		}
		a, err := f.DB.ActorForUser(ctx, u.ID, "192.0.2.7", "test")
		if err != nil {
			t.Fatal(err)
		}
		a.TOTPEnrolled = true
		if i == 0 {
			ce.platform = a
		} else {
			ce.otherPlatform = a
		}
	}
	return ce
}

// mustReferral creates one referral for assessment.
func (ce *contentEnv) mustReferral(t *testing.T, url string) *contest.ContentReferral {
	t.Helper()
	c := &contest.ContentReferral{URL: url, ContentType: "video", AccountHandle: "@synthetic_handle_" + url[len(url)-1:]}
	if err := ce.DB.CreateContentReferrals(context.Background(), ce.officer, []*contest.ContentReferral{c}); err != nil {
		t.Fatalf("create referral: %v", err)
	}
	return c
}

func TestContentReferralLifecycle(t *testing.T) {
	forEngine(t, func(t *testing.T, e db.Engine) {
		ce := mustContentEnv(t, e)
		ctx := context.Background()
		c := ce.mustReferral(t, "https://video.example.com/watch?v=1")
		if c.Status != contest.ContentForAssessment || !strings.HasPrefix(c.Reference, "CR-") || c.Platform != "example.com" {
			t.Fatalf("new referral: %+v", c)
		}
		// Bad input leaves nothing behind.
		if _, err := ce.DB.AssessContentReferral(ctx, ce.officer, c.ID, contest.ContentAssessment{Offence: "piracy"}); contest.ErrorCode(err) != contest.EINVALID {
			t.Fatalf("bad assessment: %v", err)
		}
		// Sending before an assessment is refused.
		if _, err := ce.DB.SendContentReferral(ctx, ce.officer, c.ID, ce.platformOrg.ID, ""); contest.ErrorCode(err) != contest.ECONFLICT {
			t.Fatalf("send unassessed: %v", err)
		}
		got, err := ce.DB.AssessContentReferral(ctx, ce.officer, c.ID, contest.ContentAssessment{Offence: "ta2006_s2", Note: "Synthetic: disseminates a publication."})
		if err != nil || got.Status != contest.ContentAssessed || got.Offence != "ta2006_s2" {
			t.Fatalf("assess: %+v %v", got, err)
		}
		// The platform does not see it before the request is sent.
		if _, err := ce.DB.FindContentReferralByID(ctx, ce.platform, c.ID); contest.ErrorCode(err) != contest.ENOTFOUND {
			t.Fatalf("platform saw an unsent referral: %v", err)
		}
		// Only a platform organisation can receive it.
		if _, err := ce.DB.SendContentReferral(ctx, ce.officer, c.ID, ce.Orgs[contest.OrgHealth].ID, ""); contest.ErrorCode(err) != contest.EINVALID {
			t.Fatalf("send to a health body: %v", err)
		}
		sent, err := ce.DB.SendContentReferral(ctx, ce.officer, c.ID, ce.platformOrg.ID, "")
		if err != nil || sent.Status != contest.ContentReferred || sent.RequestedAt.IsZero() {
			t.Fatalf("send: %+v %v", sent, err)
		}
		if n, err := ce.DB.PendingPlatformNotifications(ctx); err != nil || n != 1 {
			t.Fatalf("pending notifications = %d, %v; want 1", n, err)
		}
		// Now the platform sees it, without the internal assessment; the
		// other platform does not.
		seen, err := ce.DB.FindContentReferralByID(ctx, ce.platform, c.ID)
		if err != nil || seen.AssessmentNote != "" || seen.AccountHandle != "" || seen.Offence != "ta2006_s2" {
			t.Fatalf("platform view: %+v %v", seen, err)
		}
		if _, err := ce.DB.FindContentReferralByID(ctx, ce.otherPlatform, c.ID); contest.ErrorCode(err) != contest.ENOTFOUND {
			t.Fatalf("other platform: %v", err)
		}
		if _, err := ce.DB.RespondContentReferral(ctx, ce.otherPlatform, c.ID, contest.ContentRemoved, "", ""); contest.ErrorCode(err) != contest.ENOTFOUND {
			t.Fatalf("other platform responded: %v", err)
		}
		// The platform reports the outcome.
		done, err := ce.DB.RespondContentReferral(ctx, ce.platform, c.ID, contest.ContentRemoved, "PLAT-778", "Removed under our terrorism policy")
		if err != nil || done.Status != contest.ContentRemoved || done.PlatformRef != "PLAT-778" || done.RespondedAt.IsZero() {
			t.Fatalf("respond: %+v %v", done, err)
		}
		if _, err := ce.DB.AssessContentReferral(ctx, ce.officer, c.ID, contest.ContentAssessment{Offence: "none", Note: "x"}); contest.ErrorCode(err) != contest.ECONFLICT {
			t.Fatalf("re-assess after sending: %v", err)
		}
		// Platforms may not assess, capture or send.
		if _, err := ce.DB.AssessContentReferral(ctx, ce.platform, c.ID, contest.ContentAssessment{Offence: "none", Note: "x"}); contest.ErrorCode(err) != contest.EFORBIDDEN {
			t.Fatalf("platform assessed: %v", err)
		}
		if _, _, err := ce.DB.AddCapture(ctx, ce.platform, c.ID, "a.png", MustPNG(t, 1, false)); contest.ErrorCode(err) != contest.EFORBIDDEN {
			t.Fatalf("platform captured: %v", err)
		}
		// The account handle is a person mention.
		var n int
		if err := ce.DB.SQL().QueryRow("SELECT COUNT(*) FROM person_mentions WHERE source_kind = $1 AND source_id = $2", string(contest.KindContentRef), c.ID).Scan(&n); err != nil || n != 1 {
			t.Fatalf("mentions = %d, %v", n, err)
		}
		// Every step is in the audit trail.
		es, _, err := ce.DB.FindAuditEntries(ctx, ce.MustActor(t, contest.RoleAuditor), contest.AuditFilter{Kind: contest.KindContentRef, RecordID: strconv.FormatInt(c.ID, 10), Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		acts := map[string]int{}
		for _, e := range es {
			acts[string(e.Action)+"/"+e.Outcome]++
		}
		if acts["create/allowed"] != 1 || acts["disclose/allowed"] != 1 || acts["update/allowed"] != 2 || acts["update/denied"] != 3 || acts["read/denied"] != 2 {
			t.Errorf("audit actions %v", acts)
		}
	})
}

func TestContentPlatformListsOnlyItsOwn(t *testing.T) {
	forEngine(t, func(t *testing.T, e db.Engine) {
		ce := mustContentEnv(t, e)
		ctx := context.Background()
		for i, org := range []*contest.Org{ce.platformOrg, ce.platformOrg, ce.otherOrg} {
			c := ce.mustReferral(t, "https://example.org/post/"+string(rune('a'+i)))
			if _, err := ce.DB.AssessContentReferral(ctx, ce.officer, c.ID, contest.ContentAssessment{Offence: "ta2006_s1", Note: "Synthetic"}); err != nil {
				t.Fatal(err)
			}
			if _, err := ce.DB.SendContentReferral(ctx, ce.officer, c.ID, org.ID, ""); err != nil {
				t.Fatal(err)
			}
		}
		ce.mustReferral(t, "https://example.org/post/unsent")
		for _, tc := range []struct {
			name string
			a    *contest.Actor
			want int
		}{
			{"Officer", ce.officer, 4}, {"Platform", ce.platform, 2}, {"OtherPlatform", ce.otherPlatform, 1},
		} {
			list, total, err := ce.DB.FindContentReferrals(ctx, tc.a, contest.ContentFilter{})
			if err != nil || total != tc.want || len(list) != tc.want {
				t.Errorf("%s: %d listed, total %d, %v; want %d", tc.name, len(list), total, err, tc.want)
			}
			stats, err := ce.DB.ContentStats(ctx, tc.a)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, r := range stats {
				n += r.Referrals
			}
			if want := min(tc.want, 3); n != want {
				t.Errorf("%s: statistics count %d referrals, want %d", tc.name, n, want)
			}
		}
		if _, _, err := ce.DB.FindContentReferrals(ctx, ce.investigator, contest.ContentFilter{}); contest.ErrorCode(err) != contest.EFORBIDDEN {
			t.Errorf("investigator listed referrals: %v", err)
		}
	})
}

func TestContentBulkReferral(t *testing.T) {
	forEngine(t, func(t *testing.T, e db.Engine) {
		ce := mustContentEnv(t, e)
		ctx := context.Background()
		urls, err := contest.ParseURLList("https://a.example.net/1\n\n# comment\nhttps://a.example.net/2\nhttps://a.example.net/1\n")
		if err != nil || len(urls) != 2 {
			t.Fatalf("parse: %v %v", urls, err)
		}
		var refs []*contest.ContentReferral
		for _, u := range urls {
			refs = append(refs, &contest.ContentReferral{URL: u, ContentType: "image"})
		}
		if err := ce.DB.CreateContentReferrals(ctx, ce.officer, refs); err != nil {
			t.Fatal(err)
		}
		// One bad URL in a batch stores nothing.
		bad := []*contest.ContentReferral{{URL: "https://ok.example/1", ContentType: "image"}, {URL: "ftp://x", ContentType: "image"}}
		if err := ce.DB.CreateContentReferrals(ctx, ce.officer, bad); contest.ErrorCode(err) != contest.EINVALID {
			t.Fatalf("bad batch: %v", err)
		}
		_, total, err := ce.DB.FindContentReferrals(ctx, ce.officer, contest.ContentFilter{})
		if err != nil || total != 2 {
			t.Fatalf("total %d, %v; want 2", total, err)
		}
		if _, err := contest.ParseURLList("https://fine.example/\njavascript:alert(1)\n"); contest.ErrorCode(err) != contest.EINVALID ||
			!strings.Contains(contest.ErrorFields(err)[0].Message, "Line 2") {
			t.Errorf("bad list: %v", err)
		}
	})
}

func TestContentQueueLinksForAssessment(t *testing.T) {
	forEngine(t, func(t *testing.T, e db.Engine) {
		ce := mustContentEnv(t, e)
		ctx := context.Background()
		comp := &contest.Compartment{Name: "Operation Queue"}
		if err := ce.DB.CreateCompartment(ctx, contest.SystemActor("test"), comp); err != nil {
			t.Fatal(err)
		}
		business := ce.MustActor(t, contest.RolePartner)
		meta := &contest.Meta{Classification: contest.Official, OwnerOrgID: ce.Orgs[contest.OrgBusiness].ID, Area: "Northshire"}
		links := []string{"https://www.example.com/v/1", "not a link", "https://www.example.com/v/1", "http://files.example.org/a.pdf"}
		n, err := ce.DB.QueueLinksForTest(ctx, business, 41, links, meta)
		if err != nil || n != 2 {
			t.Fatalf("queued %d, %v; want 2", n, err)
		}
		// The same report again adds nothing.
		if n, err := ce.DB.QueueLinksForTest(ctx, business, 41, links, meta); err != nil || n != 0 {
			t.Fatalf("requeued %d, %v; want 0", n, err)
		}
		list, total, err := ce.DB.FindContentReferrals(ctx, ce.officer, contest.ContentFilter{Status: contest.ContentForAssessment})
		if err != nil || total != 2 {
			t.Fatalf("for assessment: %d %v", total, err)
		}
		for _, c := range list {
			if c.SourceReportID != 41 || c.Platform == "" || c.Meta.OwnerOrgID != meta.OwnerOrgID {
				t.Errorf("candidate %+v", c)
			}
		}
		// A report in a compartment gives candidates in it: hidden from an
		// officer outside it.
		secret := &contest.Meta{Classification: contest.Official, OwnerOrgID: meta.OwnerOrgID, Compartments: []int64{comp.ID}}
		if n, err := ce.DB.QueueLinksForTest(ctx, business, 42, []string{"https://example.com/hidden"}, secret); err != nil || n != 1 {
			t.Fatalf("queue compartmented: %d %v", n, err)
		}
		if _, total, _ := ce.DB.FindContentReferrals(ctx, ce.officer, contest.ContentFilter{}); total != 2 {
			t.Errorf("officer outside the compartment counts %d, want 2", total)
		}
		if _, err := ce.DB.QueueLinksForTest(ctx, business, 0, links, meta); err == nil {
			t.Error("report id 0 accepted")
		}
	})
}

func TestContentCaptureHashesAndMatches(t *testing.T) {
	forEngine(t, func(t *testing.T, e db.Engine) {
		ce := mustContentEnv(t, e)
		ctx := context.Background()
		img := MustPNG(t, 2, false)
		ph, err := pdq.HashBytes(img)
		if err != nil || !ph.Matchable() {
			t.Fatalf("test image: %v quality %d", err, ph.Quality)
		}
		bank := &contest.HashBank{Name: "Synthetic known material", Enabled: true, Labels: []string{"test"}}
		if err := ce.DB.CreateHashBank(ctx, ce.officer, bank); err != nil {
			t.Fatal(err)
		}
		if bank.Threshold != 31 {
			t.Errorf("default threshold %d", bank.Threshold)
		}
		csv := "signal_type,signal_value\npdq," + ph.String() + "\n"
		if n, err := ce.DB.ImportHashBank(ctx, ce.officer, bank.ID, strings.NewReader(csv)); err != nil || n != 1 {
			t.Fatalf("import: %d %v", n, err)
		}
		c := ce.mustReferral(t, "https://example.com/x/1")
		// The same picture turned a quarter: matched through the dihedral
		// hashes, not the plain one.
		rot := MustPNG(t, 2, true)
		rh, _ := pdq.HashBytes(rot)
		if d := pdq.Distance(rh.Hash256, ph.Hash256); d <= 31 {
			t.Fatalf("rotated hash is only %d bits away: the test proves nothing", d)
		}
		cp, ms, err := ce.DB.AddCapture(ctx, ce.officer, c.ID, "../../screen shot.png", rot)
		if err != nil {
			t.Fatal(err)
		}
		if cp.MediaType != "image/png" || cp.FileName != "screen shot.png" || len(cp.Hashes.SHA256) != 64 || len(cp.Hashes.MD5) != 32 || cp.Hashes.PDQ == "" {
			t.Errorf("capture %+v", cp)
		}
		if len(ms) != 1 || ms[0].BankID != bank.ID || ms[0].Distance > 31 {
			t.Fatalf("matches %+v", ms)
		}
		got, err := ce.DB.FindContentReferralByID(ctx, ce.officer, c.ID)
		if err != nil || got.RaisedAt.IsZero() || len(got.Matches) != 1 || len(got.Captures) != 1 {
			t.Fatalf("raised referral: %+v %v", got, err)
		}
		// The raised referral heads the queue.
		ce.mustReferral(t, "https://example.com/x/2")
		list, _, _ := ce.DB.FindContentReferrals(ctx, ce.officer, contest.ContentFilter{})
		if len(list) != 2 || list[0].ID != c.ID {
			t.Errorf("queue order %v", list)
		}
		// The download gives the bytes back; a platform may not have it.
		_, data, err := ce.DB.OpenCapture(ctx, ce.officer, c.ID, cp.ID)
		if err != nil || !bytes.Equal(data, rot) {
			t.Fatalf("open capture: %v", err)
		}
		if _, _, err := ce.DB.OpenCapture(ctx, ce.officer, c.ID+100, cp.ID); contest.ErrorCode(err) != contest.ENOTFOUND {
			t.Errorf("capture under another referral: %v", err)
		}
		// Exact hashes: a second bank holding the file's SHA-256.
		exact := &contest.HashBank{Name: "Exact", Enabled: true}
		if err := ce.DB.CreateHashBank(ctx, ce.officer, exact); err != nil {
			t.Fatal(err)
		}
		if _, err := ce.DB.ImportHashBank(ctx, ce.officer, exact.ID, strings.NewReader("sha256,"+cp.Hashes.SHA256+"\nmd5,"+cp.Hashes.MD5+"\n")); err != nil {
			t.Fatal(err)
		}
		_, ms, err = ce.DB.HashFile(ctx, ce.officer, rot)
		if err != nil || len(ms) != 3 {
			t.Fatalf("hash file matches %d, %v; want 3 (pdq, md5, sha256)", len(ms), err)
		}
		// Disabling a bank stops its matches at once.
		bank.Enabled = false
		if err := ce.DB.UpdateHashBank(ctx, ce.officer, bank); err != nil {
			t.Fatal(err)
		}
		if ms, _ := ce.DB.MatchSignal(ctx, ce.officer, "pdq", ph.String(), -1); len(ms) != 0 {
			t.Errorf("disabled bank matched: %+v", ms)
		}
		// A low-quality image is hashed but never matched.
		flat := MustFlatPNG(t)
		fh, err := pdq.HashBytes(flat)
		if err != nil || fh.Matchable() {
			t.Fatalf("flat image quality %d %v", fh.Quality, err)
		}
		low := &contest.HashBank{Name: "Low", Enabled: true}
		if err := ce.DB.CreateHashBank(ctx, ce.officer, low); err != nil {
			t.Fatal(err)
		}
		if _, err := ce.DB.ImportHashBank(ctx, ce.officer, low.ID, strings.NewReader("pdq,"+fh.String()+"\n")); err != nil {
			t.Fatal(err)
		}
		h, ms, err := ce.DB.HashFile(ctx, ce.officer, flat)
		if err != nil || len(ms) != 0 || h.PDQ != fh.String() || h.Quality > 49 {
			t.Errorf("low quality: %+v %+v %v", h, ms, err)
		}
		if ms, _ := ce.DB.MatchSignal(ctx, ce.officer, "pdq", fh.String(), fh.Quality); len(ms) != 0 {
			t.Errorf("low quality signal matched: %+v", ms)
		}
		// Too large and empty files are refused.
		if _, _, err := ce.DB.AddCapture(ctx, ce.officer, c.ID, "big", make([]byte, contest.MaxCaptureBytes+1)); contest.ErrorCode(err) != contest.EINVALID {
			t.Errorf("oversized capture: %v", err)
		}
	})
}

func TestContentMatchReportImages(t *testing.T) {
	forEngine(t, func(t *testing.T, e db.Engine) {
		ce := mustContentEnv(t, e)
		ctx := context.Background()
		bank := MustKnownImageBank(t, ce)
		meta := &contest.Meta{Classification: contest.Official, OwnerOrgID: ce.Orgs[contest.OrgBusiness].ID}
		atts := []*contest.Attachment{{Filename: "flyer.png", Data: MustPNG(t, 3, true)}, {Filename: "other.png", Data: MustPNG(t, 9, false)},
			{Filename: "notes.txt", Data: []byte("text")}}
		ms, err := ce.DB.MatchReportImagesForTest(ctx, ce.MustActor(t, contest.RolePartner), 77, atts, meta)
		if err != nil || len(ms) != 1 || ms[0].BankID != bank.ID {
			t.Fatalf("matches %+v %v", ms, err)
		}
		list, total, err := ce.DB.FindContentReferrals(ctx, ce.officer, contest.ContentFilter{})
		if err != nil || total != 1 || list[0].SourceReportID != 77 || list[0].RaisedAt.IsZero() {
			t.Fatalf("candidates %+v %d %v", list, total, err)
		}
		got, err := ce.DB.FindContentReferralByID(ctx, ce.officer, list[0].ID)
		if err != nil || len(got.Captures) != 1 || got.Captures[0].FileName != "flyer.png" || len(got.Matches) != 1 {
			t.Fatalf("candidate %+v %v", got, err)
		}
	})
}
