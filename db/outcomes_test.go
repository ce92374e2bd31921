package db_test

import (
	"testing"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/db"
)

// TestOutcomeRecording checks the structured outcomes, their validation and
// that counts leave out what the viewer may not see.
func TestOutcomeRecording(t *testing.T) {
	forEngine(t, func(t *testing.T, e db.Engine) {
		w := mustPursueWorld(t, e)
		d := w.f.DB
		for _, tc := range []struct {
			name  string
			a     *contest.Actor
			o     contest.Outcome
			code  string
			field string
		}{
			{"ArrestWithoutLegislation", w.inv, contest.Outcome{InvestigationID: w.alder.ID, Type: "arrest", OccurredOn: "2026-10-01"}, contest.EINVALID, "legislation"},
			{"ChargeWithoutOffence", w.inv, contest.Outcome{InvestigationID: w.alder.ID, Type: "charge", OccurredOn: "2026-10-02"}, contest.EINVALID, "offence"},
			{"ConvictionWithoutSentence", w.inv, contest.Outcome{InvestigationID: w.alder.ID, Type: "conviction", OccurredOn: "2026-10-02", Offence: "x"}, contest.EINVALID, "sentence"},
			{"BadDate", w.inv, contest.Outcome{InvestigationID: w.alder.ID, Type: "disruption", OccurredOn: "1 Oct"}, contest.EINVALID, "occurred_on"},
			{"UnknownType", w.inv, contest.Outcome{InvestigationID: w.alder.ID, Type: "caution", OccurredOn: "2026-10-01"}, contest.EINVALID, "type"},
			{"AnalystMayNot", w.an, contest.Outcome{InvestigationID: w.alder.ID, Type: "disruption", OccurredOn: "2026-10-01"}, contest.EFORBIDDEN, ""},
			{"HiddenInvestigation", w.sup, contest.Outcome{InvestigationID: w.birch.ID, Type: "disruption", OccurredOn: "2026-10-01"}, contest.ENOTFOUND, ""},
			{"Arrest", w.inv, contest.Outcome{InvestigationID: w.alder.ID, Type: "arrest", OccurredOn: "2026-10-01", Legislation: "Terrorism Act 2000 s41"}, "", ""},
			{"Charge", w.sup, contest.Outcome{InvestigationID: w.alder.ID, Type: "charge", OccurredOn: "2026-10-14", Offence: "Terrorism Act 2006 s5 (preparation)"}, "", ""},
			{"PlotDisrupted", w.inv, contest.Outcome{InvestigationID: w.alder.ID, Type: "plot_disrupted", OccurredOn: "2026-10-01"}, "", ""},
			{"BirchDisruption", w.inv, contest.Outcome{InvestigationID: w.birch.ID, Type: "disruption", OccurredOn: "2026-09-01"}, "", ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				err := d.RecordOutcome(ctx, tc.a, &tc.o)
				if contest.ErrorCode(err) != tc.code || (tc.field != "" && !hasField(err, tc.field)) {
					t.Fatalf("got %v, want %q on %q", err, tc.code, tc.field)
				}
			})
		}
		got, err := d.FindOutcomes(ctx, w.an, w.alder.ID)
		if err != nil || len(got) != 3 || got[0].Legislation != "Terrorism Act 2000 s41" || got[0].Meta.Classification != contest.OfficialSensitive {
			t.Errorf("outcomes %+v, %v", got, err)
		}
		if _, err := d.FindOutcomes(ctx, w.an, w.birch.ID); contest.ErrorCode(err) != contest.ENOTFOUND {
			t.Errorf("outcomes of a hidden investigation: %v", err)
		}
		for _, tc := range []struct {
			name string
			a    *contest.Actor
			want map[string]int
		}{
			{"Team", w.an, map[string]int{"arrest": 1, "charge": 1, "plot_disrupted": 1, "disruption": 0, "conviction": 0}},
			{"Opener", w.inv, map[string]int{"arrest": 1, "charge": 1, "plot_disrupted": 1, "disruption": 1, "conviction": 0}},
		} {
			t.Run("Count"+tc.name, func(t *testing.T) {
				n, err := d.CountOutcomes(ctx, tc.a)
				if err != nil {
					t.Fatal(err)
				}
				for k, v := range tc.want {
					if n[k] != v {
						t.Errorf("counts %v, want %v", n, tc.want)
						break
					}
				}
			})
		}
	})
}
