package db_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/access"
	"github.com/contest-ct/contest/db"
	"github.com/contest-ct/contest/db/dbtest"
)

// TestAccessMatrix checks, for every role x organisation kind x vetting x
// compartment membership, that lists and counts (the SQL filter) admit
// exactly the records that the one decision allows for a single read, and
// that reading a hidden record gives the same answer as a missing one.
func TestAccessMatrix(t *testing.T) {
	forEngine(t, func(t *testing.T, e db.Engine) {
		f := dbtest.MustFixture(t, e)
		sys := contest.SystemActor("test")
		c1 := &contest.Compartment{Name: "Operation Alderbank"}
		c2 := &contest.Compartment{Name: "Operation Brackenfold"}
		for _, c := range []*contest.Compartment{c1, c2} {
			if err := f.DB.CreateCompartment(ctx, sys, c); err != nil {
				t.Fatal(err)
			}
		}
		compSets := [][]int64{nil, {c1.ID}, {c1.ID, c2.ID}}
		owners := []int64{f.Orgs[contest.OrgCTP].ID, f.Orgs[contest.OrgLocalAuthority].ID, f.Orgs[contest.OrgHealth].ID}
		areas := []string{"Northshire", "Southvale"}
		type rec struct {
			kind contest.Kind
			id   int64
			meta contest.Meta
		}
		var recs []rec
		sq := f.DB.SQL()
		n := 0
		for _, cl := range contest.Classifications {
			for _, cs := range compSets {
				for _, ow := range owners {
					for _, ar := range areas {
						n++
						m := contest.Meta{Classification: cl, Compartments: cs, OwnerOrgID: ow, Area: ar}
						var sid, pid int64
						if err := sq.QueryRow(`INSERT INTO subjects (given_name, family_name, status, classification, owner_org_id, area, created_by, created_at, updated_by, updated_at, review_at)
							VALUES ('Test', $1, 'active', $2, $3, $4, 0, 1, 0, 1, 1) RETURNING id`, fmt.Sprint("S", n), int(cl), ow, ar).Scan(&sid); err != nil {
							t.Fatal(err)
						}
						if err := sq.QueryRow(`INSERT INTO prevent_referrals (reference, given_name, family_name, sector, concern, stage, referred_at, classification, owner_org_id, area, created_by, created_at, updated_by, updated_at, review_at)
							VALUES ($1, 'Test', 'P', 'education', 'other', 'referred', 1, $2, $3, $4, 0, 1, 0, 1, 1) RETURNING id`, fmt.Sprint("PR-", n), int(cl), ow, ar).Scan(&pid); err != nil {
							t.Fatal(err)
						}
						for _, c := range cs {
							sq.Exec("INSERT INTO record_compartments (kind, record_id, compartment_id) VALUES ($1,$2,$3)", string(contest.KindSubject), sid, c)
							sq.Exec("INSERT INTO record_compartments (kind, record_id, compartment_id) VALUES ($1,$2,$3)", string(contest.KindPreventCase), pid, c)
						}
						recs = append(recs, rec{contest.KindSubject, sid, m}, rec{contest.KindPreventCase, pid, m})
					}
				}
			}
		}
		checked := 0
		for _, role := range contest.Roles {
			for _, ok := range []contest.OrgKind{contest.OrgCTP, contest.OrgLocalAuthority, contest.OrgHealth, contest.OrgBusiness, contest.OrgSecurityService} {
				for _, v := range contest.Vettings {
					for _, cs := range compSets {
						a := &contest.Actor{UserID: 1, Username: "matrix", OrgID: f.Orgs[ok].ID, OrgKind: ok, OrgArea: "Northshire",
							Role: role, Vetting: v, Compartments: cs, TOTPEnrolled: true, Via: "test"}
						subs, total, err := f.DB.FindSubjects(ctx, a, contest.CaseFilter{Limit: 500})
						if err != nil {
							t.Fatal(err)
						}
						refs, rtotal, err := f.DB.FindPreventReferrals(ctx, a, contest.CaseFilter{Limit: 500})
						if err != nil {
							t.Fatal(err)
						}
						got := map[contest.Kind][]int64{}
						for _, s := range subs {
							got[contest.KindSubject] = append(got[contest.KindSubject], s.ID)
						}
						for _, r := range refs {
							got[contest.KindPreventCase] = append(got[contest.KindPreventCase], r.ID)
						}
						want := map[contest.Kind][]int64{}
						for _, r := range recs {
							if access.Allowed(a, access.Read, r.kind, &r.meta) {
								want[r.kind] = append(want[r.kind], r.id)
							}
						}
						for _, k := range []contest.Kind{contest.KindSubject, contest.KindPreventCase} {
							slices.Sort(got[k])
							if !slices.Equal(got[k], want[k]) {
								t.Fatalf("%s/%s/%s/%v %s: list %v, decision %v", role, ok, v, cs, k, got[k], want[k])
							}
						}
						if total != len(want[contest.KindSubject]) || rtotal != len(want[contest.KindPreventCase]) {
							t.Fatalf("%s/%s/%s/%v: counts %d,%d reveal hidden records", role, ok, v, cs, total, rtotal)
						}
						checked++
					}
				}
			}
		}
		// Single reads: hidden and missing are indistinguishable.
		a := &contest.Actor{UserID: 1, Username: "matrix", OrgID: f.Orgs[contest.OrgCTP].ID, OrgKind: contest.OrgCTP, Role: contest.RoleInvestigator, Vetting: contest.CTC, TOTPEnrolled: true}
		_, errMissing := f.DB.FindSubjectByID(ctx, a, 1<<40)
		for _, r := range recs {
			if r.kind != contest.KindSubject {
				continue
			}
			_, err := f.DB.FindSubjectByID(ctx, a, r.id)
			allowed := access.Allowed(a, access.Read, r.kind, &r.meta)
			if allowed && err != nil {
				t.Fatalf("allowed subject %d: %v", r.id, err)
			}
			if !allowed && (err == nil || err.Error() != errMissing.Error()) {
				t.Fatalf("hidden subject %d answered %v, missing answers %v", r.id, err, errMissing)
			}
		}
		if checked != len(contest.Roles)*5*4*3 {
			t.Fatalf("checked %d combinations", checked)
		}
	})
}
