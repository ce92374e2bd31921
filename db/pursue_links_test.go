package db_test

import (
	"slices"
	"testing"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/db"
)

// TestPursueLinkAnalysis walks a small graph in which a shorter path
// passes through an entity of an investigation the analyst is not in: the
// analyst's answers never use it, nor count it.
func TestPursueLinkAnalysis(t *testing.T) {
	forEngine(t, func(t *testing.T, e db.Engine) {
		w := mustPursueWorld(t, e)
		d := w.f.DB
		ent := func(a *contest.Actor, inv int64, label string) int64 {
			t.Helper()
			x := &contest.Entity{InvestigationID: inv, Type: "person", Label: label}
			if err := d.CreateEntity(ctx, a, x); err != nil {
				t.Fatal(err)
			}
			return x.ID
		}
		A, B, C, D, X := ent(w.an, w.alder.ID, "Avery"), ent(w.an, w.alder.ID, "Bexley"), ent(w.an, w.alder.ID, "Corran"), ent(w.an, w.alder.ID, "Dunmore"), ent(w.an, w.alder.ID, "Exton")
		H := ent(w.inv, w.birch.ID, "Hidcote")
		for _, p := range [][2]int64{{A, B}, {B, C}, {C, D}, {X, A}, {X, C}, {A, H}, {H, D}} {
			if err := d.CreateLink(ctx, w.inv, &contest.Link{From: p[0], To: p[1], Type: "associate", Source: "Synthetic log", SourceGrade: "2", IntelGrade: "C", Handling: "P"}); err != nil {
				t.Fatal(err)
			}
		}
		for _, tc := range []struct {
			name     string
			a        *contest.Actor
			from, to int64
			want     []int64
		}{
			{"AnalystAvoidsHidden", w.an, A, D, []int64{A, B, C, D}},
			{"OpenerThroughHidcote", w.inv, A, D, []int64{A, H, D}},
			{"Self", w.an, A, A, []int64{A}},
		} {
			t.Run("Shortest"+tc.name, func(t *testing.T) {
				got, err := d.ShortestConnection(ctx, tc.a, tc.from, tc.to)
				if err != nil || !slices.Equal(got, tc.want) {
					t.Errorf("got %v, %v; want %v", got, err, tc.want)
				}
			})
		}
		if _, err := d.ShortestConnection(ctx, w.an, A, H); contest.ErrorCode(err) != contest.ENOTFOUND {
			t.Errorf("path to a hidden entity: %v", err)
		}
		for _, tc := range []struct {
			name  string
			a     *contest.Actor
			steps int
			want  []int64
		}{
			{"AnalystOneStep", w.an, 1, []int64{A, B, X}},
			{"AnalystTwoSteps", w.an, 2, []int64{A, B, C, X}},
			{"OpenerOneStep", w.inv, 1, []int64{A, B, X, H}},
		} {
			t.Run("Neighbourhood"+tc.name, func(t *testing.T) {
				n, err := d.Neighbourhood(ctx, tc.a, A, tc.steps)
				if err != nil {
					t.Fatal(err)
				}
				got := slices.Sorted(slices.Values(n.Entities))
				if !slices.Equal(got, slices.Sorted(slices.Values(tc.want))) {
					t.Errorf("got %v, want %v", got, tc.want)
				}
				for _, l := range n.Links {
					if tc.a == w.an && (l.From == H || l.To == H) {
						t.Errorf("analyst's network holds a link to the hidden entity")
					}
				}
			})
		}
		if _, err := d.Neighbourhood(ctx, w.an, A, 4); !hasField(err, "steps") {
			t.Errorf("four steps: %v", err)
		}
		for _, tc := range []struct {
			name string
			a    *contest.Actor
			ids  []int64
			want []int64
		}{
			{"AandC", w.an, []int64{A, C}, sorted([]int64{B, X})},
			{"AandDAnalyst", w.an, []int64{A, D}, nil},
			{"AandDOpener", w.inv, []int64{A, D}, []int64{H}},
		} {
			t.Run("Common"+tc.name, func(t *testing.T) {
				got, err := d.CommonAssociates(ctx, tc.a, tc.ids)
				if err != nil || !slices.Equal(got, tc.want) {
					t.Errorf("got %v, %v; want %v", got, err, tc.want)
				}
			})
		}
		if _, err := d.CommonAssociates(ctx, w.an, []int64{A}); !hasField(err, "ids") {
			t.Errorf("one entity: %v", err)
		}
	})
}
