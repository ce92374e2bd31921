package db_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/db"
	"github.com/contest-ct/contest/db/dbtest"
	"github.com/pquerna/otp/totp"
)

// bulkEngines runs fn as a subtest on every engine under test.
func bulkEngines(t *testing.T, fn func(t *testing.T, f *dbtest.Fixture)) {
	for _, e := range dbtest.Engines() {
		t.Run(string(e), func(t *testing.T) { fn(t, dbtest.MustFixture(t, e)) })
	}
}

func auditHead(t *testing.T, d *db.DB) int64 {
	t.Helper()
	var seq int64
	if err := d.SQL().QueryRow("SELECT seq FROM audit_head WHERE id = 1").Scan(&seq); err != nil {
		t.Fatal(err)
	}
	return seq
}

func countRows(t *testing.T, d *db.DB, table string) int {
	t.Helper()
	var n int
	if err := d.SQL().QueryRow("SELECT COUNT(*) FROM " + table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestBulkLoad(t *testing.T) {
	bulkEngines(t, func(t *testing.T, f *dbtest.Fixture) {
		ctx := context.Background()
		d, sys := f.DB, contest.SystemActor("test")
		comp := &contest.Compartment{Name: "Op BRASS LANTERN"}
		if err := d.CreateCompartment(ctx, sys, comp); err != nil {
			t.Fatal(err)
		}
		ctp, la := f.Orgs[contest.OrgCTP], f.Orgs[contest.OrgLocalAuthority]
		referredAt := time.Date(2025, 6, 2, 10, 0, 0, 0, time.UTC)
		var invs []*contest.Investigation
		var subjects []*contest.Subject
		err := d.BulkLoad(ctx, sys, func(b *db.Bulk) error {
			for i, name := range []string{"BRASS LANTERN", "QUIET HARBOUR", "TIN ORCHARD"} {
				v := &contest.Investigation{Operation: name, Summary: "Synthetic", LeadUserID: f.Users[contest.RoleInvestigator].ID,
					Meta: contest.Meta{Classification: contest.OfficialSensitive, OwnerOrgID: ctp.ID}}
				if i == 0 {
					v.Meta.Compartments = []int64{comp.ID}
				}
				if err := b.Investigation(v); err != nil {
					return err
				}
				invs = append(invs, v)
			}
			for i := range 5 {
				s := &contest.Subject{InvestigationID: invs[i%3].ID, GivenName: "Aldo", FamilyName: "Pemberwick" + strconv.Itoa(i),
					Status: contest.SubjectActive, Priority: "P2", Meta: contest.Meta{Classification: contest.OfficialSensitive,
						OwnerOrgID: ctp.ID, Compartments: invs[i%3].Meta.Compartments}}
				if err := b.Subject(s); err != nil {
					return err
				}
				subjects = append(subjects, s)
			}
			closed := &contest.Subject{GivenName: "Brin", FamilyName: "Hollowmere", Status: contest.SubjectClosed, ClosedReason: "no further concern",
				Meta: contest.Meta{Classification: contest.Secret, OwnerOrgID: ctp.ID}}
			if err := b.Subject(closed); err != nil {
				return err
			}
			subjects = append(subjects, closed)
			for i := range 4 {
				area := "Northshire"
				if i == 3 {
					area = "Elsewhere"
				}
				r := &contest.PreventReferral{Reference: "PR-T-" + strconv.Itoa(i), GivenName: "Cal", FamilyName: "Brackenley", Sector: "education",
					Concern: "conflicted", Age: 14, Gender: "male", Region: "North West", ReferredAt: referredAt,
					Meta: contest.Meta{Classification: contest.OfficialSensitive, OwnerOrgID: la.ID, Area: area}}
				if err := b.PreventReferral(r); err != nil {
					return err
				}
			}
			return b.SetTOTPSecret(f.Users[contest.RoleAdmin].ID, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
		})
		if err != nil {
			t.Fatalf("BulkLoad: %v", err)
		}
		for _, c := range []struct {
			table string
			want  int
		}{{"investigations", 3}, {"subjects", 6}, {"prevent_referrals", 4}, {"record_compartments", 3}} {
			if n := countRows(t, d, c.table); n != c.want {
				t.Errorf("%s: %d rows, want %d", c.table, n, c.want)
			}
		}
		if invs[0].ID == 0 || invs[0].Meta.CreatedAt.IsZero() || subjects[5].ID == 0 {
			t.Fatalf("ids and meta not filled: %+v", invs[0])
		}

		// The system sees the record with its compartment; an investigator
		// outside the compartment gets not-found, one inside sees it.
		got, err := d.FindInvestigationByID(ctx, sys, invs[0].ID)
		if err != nil || len(got.Meta.Compartments) != 1 || got.Meta.Compartments[0] != comp.ID || got.Operation != "BRASS LANTERN" {
			t.Fatalf("read back: %+v, %v", got, err)
		}
		inv := f.MustActor(t, contest.RoleInvestigator)
		if _, err := d.FindInvestigationByID(ctx, inv, invs[0].ID); contest.ErrorCode(err) != contest.ENOTFOUND {
			t.Fatalf("outside the compartment: err %v, want not found", err)
		}
		if _, err := d.FindInvestigationByID(ctx, inv, invs[1].ID); err != nil {
			t.Fatalf("uncompartmented investigation: %v", err)
		}
		if err := d.SetCompartmentMember(ctx, sys, comp.ID, inv.UserID, true); err != nil {
			t.Fatal(err)
		}
		inv = f.MustActor(t, contest.RoleInvestigator)
		if _, err := d.FindInvestigationByID(ctx, inv, invs[0].ID); err != nil {
			t.Fatalf("inside the compartment: %v", err)
		}
		s, err := d.FindSubjectByID(ctx, sys, subjects[5].ID)
		if err != nil || s.InvestigationID != 0 || s.Status != contest.SubjectClosed || s.Meta.Classification != contest.Secret {
			t.Fatalf("closed subject: %+v, %v", s, err)
		}
		// The local authority's panel member sees its own area only.
		refs, n, err := d.FindPreventReferrals(ctx, f.MustActor(t, contest.RolePanelMember), contest.CaseFilter{})
		if err != nil || n != 3 || len(refs) != 3 || !refs[0].ReferredAt.Equal(referredAt) {
			t.Fatalf("panel member sees %d referrals (%v), want 3 of Northshire", n, err)
		}

		// One create entry per kind with the count, one for the TOTP.
		aud := f.MustActor(t, contest.RoleAuditor)
		for kind, want := range map[contest.Kind]string{contest.KindInvestigation: "3", contest.KindSubject: "6", contest.KindPreventCase: "4"} {
			es, _, err := d.FindAuditEntries(ctx, aud, contest.AuditFilter{Action: contest.AuditCreate, Kind: kind})
			if err != nil || len(es) != 1 || es[0].Detail["count"] != want {
				t.Fatalf("%s audit: %+v, %v; want one entry with count %s", kind, es, err, want)
			}
		}
		es, _, err := d.FindAuditEntries(ctx, aud, contest.AuditFilter{Action: contest.AuditPermission, Kind: contest.KindUser,
			RecordID: strconv.FormatInt(f.Users[contest.RoleAdmin].ID, 10)})
		if err != nil || len(es) != 1 || es[0].Detail["second_factor"] != "totp enrolled" {
			t.Fatalf("totp audit: %+v, %v", es, err)
		}

		// The administrator now needs the code, and signs in with it.
		req := contest.SignInRequest{Username: f.Users[contest.RoleAdmin].Username, Password: f.Password, ClientAddr: "192.0.2.7", Via: "test"}
		if _, err := d.SignIn(ctx, req); contest.ErrorCode(err) != contest.EUNAUTHORIZED {
			t.Fatalf("sign-in without code: %v, want refused", err)
		}
		req.TOTPCode, _ = totp.GenerateCode("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", time.Now())
		if a, err := d.SignIn(ctx, req); err != nil || !a.TOTPEnrolled {
			t.Fatalf("sign-in with code: %+v, %v", a, err)
		}

		res, err := d.VerifyAudit(ctx, sys)
		if err != nil || !res.OK {
			t.Fatalf("audit chain: %+v, %v", res, err)
		}
	})
}

func TestBulkLoadAllOrNothing(t *testing.T) {
	bulkEngines(t, func(t *testing.T, f *dbtest.Fixture) {
		ctx := context.Background()
		d, sys := f.DB, contest.SystemActor("test")
		ok := func(b *db.Bulk) error {
			return b.Investigation(&contest.Investigation{Operation: "COPPER WREN", Meta: contest.Meta{Classification: contest.Secret}})
		}
		boom := errors.New("boom")
		tests := []struct {
			name string
			fn   func(b *db.Bulk) error
			code string
			err  error
		}{
			{"ErrFromFn", func(b *db.Bulk) error {
				if err := ok(b); err != nil {
					return err
				}
				return boom
			}, "", boom},
			{"ErrDuplicateOperation", func(b *db.Bulk) error {
				if err := ok(b); err != nil {
					return err
				}
				return ok(b)
			}, contest.ECONFLICT, nil},
			{"ErrUnknownCompartment", func(b *db.Bulk) error {
				if err := ok(b); err != nil {
					return err
				}
				return b.Investigation(&contest.Investigation{Operation: "PALE FERRY", Meta: contest.Meta{Compartments: []int64{98765}}})
			}, contest.EINVALID, nil},
			{"ErrEmptyOperation", func(b *db.Bulk) error { return b.Investigation(&contest.Investigation{Operation: " "}) }, contest.EINVALID, nil},
			{"ErrSubjectStatus", func(b *db.Bulk) error {
				return b.Subject(&contest.Subject{GivenName: "Ida", FamilyName: "Quarnby", Status: "wanted"})
			}, contest.EINVALID, nil},
			{"ErrReferralReference", func(b *db.Bulk) error {
				return b.PreventReferral(&contest.PreventReferral{GivenName: "Ida", FamilyName: "Quarnby", Sector: "health", Concern: "other"})
			}, contest.EINVALID, nil},
			{"ErrTOTPUnknownUser", func(b *db.Bulk) error { return b.SetTOTPSecret(424242, "JBSWY3DPEHPK3PXP") }, contest.ENOTFOUND, nil},
			{"ErrTOTPBadSecret", func(b *db.Bulk) error {
				return b.SetTOTPSecret(f.Users[contest.RoleAdmin].ID, "not base32 at all!")
			}, contest.EINVALID, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				head := auditHead(t, d)
				err := d.BulkLoad(ctx, sys, tt.fn)
				if tt.err != nil && !errors.Is(err, tt.err) {
					t.Fatalf("err %v, want %v", err, tt.err)
				}
				if tt.code != "" && contest.ErrorCode(err) != tt.code {
					t.Fatalf("err %v, want code %s", err, tt.code)
				}
				if n := countRows(t, d, "investigations"); n != 0 {
					t.Fatalf("%d investigations left after a failed load", n)
				}
				if h := auditHead(t, d); h != head {
					t.Fatalf("audit head moved from %d to %d on a failed load", head, h)
				}
			})
		}
		// A signed-in administrator is not the operator: refused and audited.
		head := auditHead(t, d)
		admin := f.MustActor(t, contest.RoleAdmin)
		if err := d.BulkLoad(ctx, admin, ok); contest.ErrorCode(err) != contest.EFORBIDDEN {
			t.Fatalf("admin bulk load: %v, want forbidden", err)
		}
		if n := countRows(t, d, "investigations"); n != 0 {
			t.Fatalf("refused load inserted %d investigations", n)
		}
		if h := auditHead(t, d); h != head+1 {
			t.Fatalf("refusal not audited: head %d -> %d", head, h)
		}
		if res, err := d.VerifyAudit(ctx, sys); err != nil || !res.OK {
			t.Fatalf("audit chain: %+v, %v", res, err)
		}
	})
}
