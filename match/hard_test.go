package match_test

import (
	"context"
	"testing"

	"github.com/contest-ct/contest/match"
)

// TestHardSetPerVariation measures, for each kind of UK-style variation of
// the generated hard set, the recall of further records of one person and
// the precision of the pairs judged to match; and for each kind of
// lookalike (siblings, twins, namesakes), how many are merged with the
// person they look like. Parameters are estimated by EM from the set
// itself; no labels are used until scoring.
func TestHardSetPerVariation(t *testing.T) {
	set := match.NewSynth(21).HardSet(200)
	people := make([]match.Person, len(set))
	byID := map[string]int{}
	for i, r := range set {
		people[i] = r.Person
		byID[r.ID] = i
	}
	res, err := match.Dedupe(context.Background(), people, match.BatchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Params.Estimated {
		t.Errorf("parameters not estimated by EM")
	}
	type tally struct{ records, found, pairs, wrong int }
	per := map[string]*tally{}
	for _, k := range append(append([]string(nil), match.HardVariations...), match.HardLookalikes...) {
		per[k] = &tally{}
	}
	for _, r := range set {
		if r.Kind != match.VarBase {
			per[r.Kind].records++
		}
	}
	for _, p := range res.Pairs {
		a, b := set[byID[p.Left]], set[byID[p.Right]]
		same := a.Entity == b.Entity
		for _, r := range []match.Labeled{a, b} {
			if r.Kind == match.VarBase {
				continue
			}
			k := per[r.Kind]
			k.pairs++
			if !same {
				k.wrong++
			}
			other := a
			if r.ID == a.ID {
				other = b
			}
			if byID[other.ID] == r.Of {
				k.found++
			}
		}
	}
	tests := []struct {
		kind string
		// minRecall is for further records of a person; maxMerged for
		// lookalikes (the share merged with the one they look like).
		minRecall, minPrecision, maxMerged float64
	}{
		{match.VarTransliteration, 0.97, 0.97, 0},
		{match.VarNickname, 0.97, 0.97, 0},
		{match.VarSwapped, 0.97, 0.97, 0},
		{match.VarTypo, 0.95, 0.97, 0},
		{match.VarMoved, 0.90, 0.97, 0},
		{match.VarCommonName, 0.85, 0.95, 0},
		{match.VarSibling, 0, 0, 0.02},
		{match.VarTwin, 0, 0, 0.05},
		{match.VarNamesake, 0, 0, 0.02},
	}
	for _, tc := range tests {
		k := per[tc.kind]
		share := float64(k.found) / float64(max(1, k.records))
		prec := 1 - float64(k.wrong)/float64(max(1, k.pairs))
		if tc.maxMerged > 0 {
			t.Logf("%-16s %4d records, %3d merged with the one they look like (%.3f), %d pairs judged a match", tc.kind, k.records, k.found, share, k.pairs)
			if share > tc.maxMerged {
				t.Errorf("%s: %.3f merged, want at most %.3f", tc.kind, share, tc.maxMerged)
			}
			continue
		}
		t.Logf("%-16s %4d records, recall %.3f, precision %.3f (%d of %d pairs wrong)", tc.kind, k.records, share, prec, k.wrong, k.pairs)
		if share < tc.minRecall || prec < tc.minPrecision {
			t.Errorf("%s: recall %.3f (want >= %.2f), precision %.3f (want >= %.2f)", tc.kind, share, tc.minRecall, prec, tc.minPrecision)
		}
	}
}
