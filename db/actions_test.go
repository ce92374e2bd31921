package db_test

import (
	"testing"
	"time"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/db"
)

// TestActionLifecycle takes a TIE action through raise, allocate, result,
// return, result, review and file, with the refusals at each step.
func TestActionLifecycle(t *testing.T) {
	forEngine(t, func(t *testing.T, e db.Engine) {
		w := mustPursueWorld(t, e)
		d := w.f.DB
		t.Run("RaiseValidation", func(t *testing.T) {
			for _, tc := range []struct {
				name  string
				act   contest.Action
				field string
			}{
				{"NoTitle", contest.Action{InvestigationID: w.alder.ID, Category: "trace", Priority: "high"}, "title"},
				{"BadCategory", contest.Action{InvestigationID: w.alder.ID, Title: "x", Category: "guess", Priority: "high"}, "category"},
				{"BadPriority", contest.Action{InvestigationID: w.alder.ID, Title: "x", Category: "trace", Priority: "urgent"}, "priority"},
			} {
				t.Run(tc.name, func(t *testing.T) {
					if err := d.RaiseAction(ctx, w.inv, &tc.act); !hasField(err, tc.field) {
						t.Errorf("got %v, want an error on %s", err, tc.field)
					}
				})
			}
			if err := d.RaiseAction(ctx, w.an, &contest.Action{InvestigationID: w.birch.ID, Title: "x", Category: "trace", Priority: "low"}); contest.ErrorCode(err) != contest.ENOTFOUND {
				t.Errorf("action on a hidden investigation: %v", err)
			}
		})
		act := &contest.Action{InvestigationID: w.alder.ID, Title: "Trace, interview and eliminate the driver of the hire van", Category: "eliminate", Priority: "high"}
		if err := d.RaiseAction(ctx, w.an, act); err != nil {
			t.Fatal(err)
		}
		past := time.Now().UTC().AddDate(0, 0, -1).Truncate(time.Second)
		steps := []struct {
			name   string
			do     func() (*contest.Action, error)
			code   string
			status string
		}{
			{"AnalystMayNotAllocate", func() (*contest.Action, error) { return d.AllocateAction(ctx, w.an, act.ID, w.anID, past) }, contest.EFORBIDDEN, ""},
			{"AllocateOutsideTeam", func() (*contest.Action, error) {
				return d.AllocateAction(ctx, w.sup, act.ID, w.f.Users[contest.RolePreventOfficer].ID, past)
			}, contest.EINVALID, ""},
			{"ResultBeforeAllocation", func() (*contest.Action, error) { return d.ResultAction(ctx, w.an, act.ID, "Done", "1") }, contest.ECONFLICT, ""},
			{"Allocate", func() (*contest.Action, error) { return d.AllocateAction(ctx, w.sup, act.ID, w.anID, past) }, "", contest.ActionAllocated},
			{"ResultByAnotherOfficer", func() (*contest.Action, error) { return d.ResultAction(ctx, w.inv, act.ID, "Done", "1") }, contest.EFORBIDDEN, ""},
			{"EliminateWithoutCode", func() (*contest.Action, error) { return d.ResultAction(ctx, w.an, act.ID, "Seen at work all day", "") }, contest.EINVALID, ""},
			{"UnknownCode", func() (*contest.Action, error) { return d.ResultAction(ctx, w.an, act.ID, "Seen at work all day", "9") }, contest.EINVALID, ""},
			{"Result", func() (*contest.Action, error) {
				return d.ResultAction(ctx, w.an, act.ID, "Seen at work all day by a colleague.", "3")
			}, "", contest.ActionResulted},
			{"ReturnWithoutNote", func() (*contest.Action, error) { return d.ReviewAction(ctx, w.sup, act.ID, false, "") }, contest.EINVALID, ""},
			{"Return", func() (*contest.Action, error) {
				return d.ReviewAction(ctx, w.sup, act.ID, false, "Get the colleague's statement.")
			}, "", contest.ActionAllocated},
			{"ResultAgain", func() (*contest.Action, error) {
				return d.ResultAction(ctx, w.an, act.ID, "Statement taken from an independent colleague.", "3")
			}, "", contest.ActionResulted},
			{"FileBeforeReview", func() (*contest.Action, error) { return d.FileAction(ctx, w.sup, act.ID, "") }, contest.ECONFLICT, ""},
			{"AnalystMayNotReview", func() (*contest.Action, error) { return d.ReviewAction(ctx, w.an, act.ID, true, "") }, contest.EFORBIDDEN, ""},
			{"Accept", func() (*contest.Action, error) { return d.ReviewAction(ctx, w.sup, act.ID, true, "") }, "", contest.ActionReviewed},
			{"File", func() (*contest.Action, error) { return d.FileAction(ctx, w.sup, act.ID, "") }, "", contest.ActionFiled},
			{"FileTwice", func() (*contest.Action, error) { return d.FileAction(ctx, w.sup, act.ID, "") }, contest.ECONFLICT, ""},
		}
		for _, tc := range steps {
			t.Run(tc.name, func(t *testing.T) {
				before, err := d.FindActionByID(ctx, w.inv, act.ID)
				if err != nil {
					t.Fatal(err)
				}
				got, err := tc.do()
				if contest.ErrorCode(err) != tc.code {
					t.Fatalf("got %v, want %q", err, tc.code)
				}
				after, err := d.FindActionByID(ctx, w.inv, act.ID)
				if err != nil {
					t.Fatal(err)
				}
				if tc.code != "" && after.Status != before.Status {
					t.Errorf("refused step changed the status %s -> %s", before.Status, after.Status)
				}
				if tc.code == "" && (got.Status != tc.status || after.Status != tc.status) {
					t.Errorf("status %s (stored %s), want %s", got.Status, after.Status, tc.status)
				}
			})
		}
		final, err := d.FindActionByID(ctx, w.an, act.ID)
		if err != nil {
			t.Fatal(err)
		}
		if final.EliminationCode != "3" || final.ResultedBy != w.anID || final.ReviewedBy != w.supID || final.FiledBy != w.supID ||
			final.Result != "Statement taken from an independent colleague." {
			t.Errorf("filed action %+v", final)
		}
		if _, err := d.FindActionByID(ctx, w.prev, act.ID); contest.ErrorCode(err) != contest.ENOTFOUND {
			t.Errorf("Prevent officer reads the action: %v", err)
		}
	})
}

// TestActionOverdueAndWorkload checks the overdue list and the workload by
// officer, and that neither counts actions the viewer may not see.
func TestActionOverdueAndWorkload(t *testing.T) {
	forEngine(t, func(t *testing.T, e db.Engine) {
		w := mustPursueWorld(t, e)
		d := w.f.DB
		now := time.Now().UTC()
		raise := func(a *contest.Actor, inv int64, title string) *contest.Action {
			t.Helper()
			act := &contest.Action{InvestigationID: inv, Title: title, Category: "trace", Priority: "medium"}
			if err := d.RaiseAction(ctx, a, act); err != nil {
				t.Fatal(err)
			}
			return act
		}
		late := raise(w.inv, w.alder.ID, "Trace the registered keeper")
		soon := raise(w.inv, w.alder.ID, "Interview the landlord")
		hidden := raise(w.inv, w.birch.ID, "Trace the caller")
		for _, x := range []struct {
			act *contest.Action
			to  int64
			due time.Time
		}{{late, w.anID, now.AddDate(0, 0, -3)}, {soon, w.anID, now.AddDate(0, 0, 5)}, {hidden, w.invID, now.AddDate(0, 0, -1)}} {
			a := w.sup
			if x.act == hidden {
				// Birch's team is the investigator alone: only a
				// supervisor in it could allocate, so do it as the system.
				a = contest.SystemActor("test")
			}
			if _, err := d.AllocateAction(ctx, a, x.act.ID, x.to, x.due); err != nil {
				t.Fatal(err)
			}
		}
		for _, tc := range []struct {
			name  string
			a     *contest.Actor
			f     contest.ActionFilter
			want  []int64
			total int
		}{
			{"OverdueForTeam", w.an, contest.ActionFilter{Overdue: true}, []int64{late.ID}, 1},
			{"OverdueForOpener", w.inv, contest.ActionFilter{Overdue: true}, []int64{late.ID, hidden.ID}, 2},
			{"AllOfAlder", w.an, contest.ActionFilter{InvestigationID: w.alder.ID}, []int64{late.ID, soon.ID}, 2},
			{"AnalystsWork", w.an, contest.ActionFilter{AllocatedTo: w.anID}, []int64{late.ID, soon.ID}, 2},
			{"HiddenInvestigation", w.an, contest.ActionFilter{InvestigationID: w.birch.ID}, nil, 0},
			{"Prevent", w.prev, contest.ActionFilter{}, nil, 0},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, n, err := d.FindActions(ctx, tc.a, tc.f)
				if tc.a == w.prev {
					if contest.ErrorCode(err) != contest.EFORBIDDEN {
						t.Errorf("got %v, want forbidden", err)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				var ids []int64
				for _, a := range got {
					ids = append(ids, a.ID)
					if tc.f.Overdue && !a.Overdue(now) {
						t.Errorf("action %d listed as overdue is not", a.ID)
					}
				}
				if n != tc.total || len(ids) != len(tc.want) || (len(ids) > 0 && ids[0] != tc.want[0]) {
					t.Errorf("got %v (total %d), want %v (total %d)", ids, n, tc.want, tc.total)
				}
			})
		}
		for _, tc := range []struct {
			name string
			a    *contest.Actor
			want map[int64][2]int
		}{
			{"Team", w.an, map[int64][2]int{w.anID: {2, 1}}},
			{"Opener", w.inv, map[int64][2]int{w.anID: {2, 1}, w.invID: {1, 1}}},
		} {
			t.Run("Workload"+tc.name, func(t *testing.T) {
				wl, err := d.ActionWorkload(ctx, tc.a)
				if err != nil {
					t.Fatal(err)
				}
				got := map[int64][2]int{}
				for _, x := range wl {
					got[x.UserID] = [2]int{x.Allocated, x.Overdue}
				}
				if len(got) != len(tc.want) {
					t.Fatalf("workload %v, want %v", got, tc.want)
				}
				for u, v := range tc.want {
					if got[u] != v {
						t.Errorf("workload %v, want %v", got, tc.want)
					}
				}
			})
		}
	})
}
