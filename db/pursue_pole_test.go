package db_test

import (
	"testing"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/db"
)

// TestPursuePOLELinks records entities on two investigations and links
// between them: a link is listed only to someone who may see both ends,
// and hidden ends are never hinted at.
func TestPursuePOLELinks(t *testing.T) {
	forEngine(t, func(t *testing.T, e db.Engine) {
		w := mustPursueWorld(t, e)
		d := w.f.DB
		ent := func(a *contest.Actor, inv int64, typ, label string) *contest.Entity {
			t.Helper()
			x := &contest.Entity{InvestigationID: inv, Type: typ, Label: label}
			if err := d.CreateEntity(ctx, a, x); err != nil {
				t.Fatal(err)
			}
			return x
		}
		phone := ent(w.an, w.alder.ID, "telephone", "07700 900123")
		van := ent(w.an, w.alder.ID, "vehicle", "Blue hire van, index withheld")
		flat := ent(w.inv, w.birch.ID, "address", "Flat 2, 14 Synthetic Road")
		if err := d.CreateEntity(ctx, w.an, &contest.Entity{InvestigationID: w.birch.ID, Type: "person", Label: "x"}); contest.ErrorCode(err) != contest.ENOTFOUND {
			t.Errorf("entity on a hidden investigation: %v", err)
		}
		if err := d.CreateEntity(ctx, w.an, &contest.Entity{InvestigationID: w.alder.ID, Type: "rumour", Label: "x"}); !hasField(err, "type") {
			t.Errorf("unknown type: %v", err)
		}
		link := func(from, to int64) contest.Link {
			return contest.Link{From: from, To: to, Type: "seen with", Source: "Surveillance log 12", SourceGrade: "1", IntelGrade: "B", Handling: "P"}
		}
		for _, tc := range []struct {
			name  string
			a     *contest.Actor
			l     contest.Link
			code  string
			field string
		}{
			{"SameEntity", w.an, link(phone.ID, phone.ID), contest.EINVALID, "to"},
			{"BadGrade", w.an, contest.Link{From: phone.ID, To: van.ID, Type: "x", Source: "y", SourceGrade: "4", IntelGrade: "F", Handling: "X"}, contest.EINVALID, "source_grade"},
			{"NoSource", w.an, contest.Link{From: phone.ID, To: van.ID, Type: "x", SourceGrade: "1", IntelGrade: "A", Handling: "P"}, contest.EINVALID, "source"},
			{"HiddenEnd", w.an, link(phone.ID, flat.ID), contest.ENOTFOUND, ""},
			{"WithinAlder", w.an, link(phone.ID, van.ID), "", ""},
			{"AcrossInvestigations", w.inv, link(van.ID, flat.ID), "", ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				l := tc.l
				err := d.CreateLink(ctx, tc.a, &l)
				if contest.ErrorCode(err) != tc.code || (tc.field != "" && !hasField(err, tc.field)) {
					t.Fatalf("got %v, want %q on %q", err, tc.code, tc.field)
				}
			})
		}
		count := func(a *contest.Actor, id int64) int {
			t.Helper()
			ls, err := d.FindLinks(ctx, a, id)
			if err != nil {
				t.Fatal(err)
			}
			return len(ls)
		}
		if n := count(w.an, van.ID); n != 1 {
			t.Errorf("analyst sees %d links of the van, want 1 (the link to a Birch entity is hidden)", n)
		}
		if n := count(w.inv, van.ID); n != 2 {
			t.Errorf("opener sees %d links of the van, want 2", n)
		}
		if _, err := d.FindLinks(ctx, w.an, flat.ID); contest.ErrorCode(err) != contest.ENOTFOUND {
			t.Errorf("links of a hidden entity: %v", err)
		}
		if _, err := d.FindLinks(ctx, w.an, 987654); contest.ErrorCode(err) != contest.ENOTFOUND {
			t.Errorf("links of a missing entity: %v", err)
		}
		es, err := d.FindEntities(ctx, w.an, w.alder.ID)
		if err != nil || len(es) != 2 {
			t.Errorf("entities of Alder: %d, %v", len(es), err)
		}
	})
}
