package match_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/contest-ct/contest/match"
)

// febrlDir is where the FEBRL benchmark files live, relative to this
// package.
const febrlDir = "../../shared/data/febrl"

// MustReadFEBRL reads one FEBRL file, skipping the test when the data set
// is not present.
func MustReadFEBRL(t testing.TB, name string) []match.Person {
	t.Helper()
	path := filepath.Join(febrlDir, name)
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		t.Skipf("FEBRL data not found at %s (see shared/data/febrl/SOURCE.md); skipping evaluation", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ps, err := match.ReadCSV(f, "rec_id")
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

// entity is the evaluation-only ground truth: FEBRL's rec-<n>-... ids.
// The matcher never sees it.
func entity(id string) string {
	parts := strings.Split(id, "-")
	if len(parts) < 2 {
		return id
	}
	return parts[1]
}

type scores struct {
	tp, fp, fn            int
	precision, recall, f1 float64
	blockingRecall        float64
	elapsed               time.Duration
}

func score(pairs []match.Pair, threshold float64, truePairs int) scores {
	var s scores
	found := 0
	for _, p := range pairs {
		same := entity(p.Left) == entity(p.Right)
		if same {
			found++
		}
		if p.Probability < threshold {
			continue
		}
		if same {
			s.tp++
		} else {
			s.fp++
		}
	}
	s.fn = truePairs - s.tp
	s.precision = float64(s.tp) / float64(max(1, s.tp+s.fp))
	s.recall = float64(s.tp) / float64(truePairs)
	s.f1 = 2 * s.precision * s.recall / max(1e-9, s.precision+s.recall)
	s.blockingRecall = float64(found) / float64(truePairs)
	return s
}

func dedupeTruePairs(ps []match.Person) int {
	n := map[string]int{}
	for _, p := range ps {
		n[entity(p.ID)]++
	}
	total := 0
	for _, k := range n {
		total += k * (k - 1) / 2
	}
	return total
}

func TestFEBRL4Link(t *testing.T) {
	a, b := MustReadFEBRL(t, "dataset4a.csv"), MustReadFEBRL(t, "dataset4b.csv")
	start := time.Now()
	res, err := match.Link(context.Background(), a, b, match.BatchOptions{Threshold: -1})
	if err != nil {
		t.Fatal(err)
	}
	s := score(res.Pairs, 0.5, 5000)
	s.elapsed = time.Since(start)
	t.Logf("FEBRL4 link: compared %d pairs, blocking recall %.4f; TP %d FP %d FN %d; P %.4f R %.4f F1 %.4f; %v (index %v, EM %v, score %v); lambda %.4f",
		res.Compared, s.blockingRecall, s.tp, s.fp, s.fn, s.precision, s.recall, s.f1, s.elapsed.Round(time.Millisecond),
		res.IndexTime.Round(time.Millisecond), res.EstimateTime.Round(time.Millisecond), res.ScoreTime.Round(time.Millisecond), res.Params.Lambda())
	for _, f := range res.Params.Fields() {
		t.Logf("  %s %+v", f.Field, f.Levels)
	}
	if s.blockingRecall < 0.999 {
		t.Errorf("blocking recall %.4f < 0.999", s.blockingRecall)
	}
	// Target 0.995; measured 0.9976 (24 missed pairs, no false match).
	// Most misses are FEBRL duplicates whose given name was replaced by
	// another name and that share no document number: the same evidence
	// as twins at one address, which must not be merged.
	if s.f1 < 0.997 {
		t.Errorf("F1 %.4f < 0.997", s.f1)
	}
}

func TestFEBRL3Dedupe(t *testing.T) {
	ps := MustReadFEBRL(t, "dataset3.csv")
	truth := dedupeTruePairs(ps)
	start := time.Now()
	res, err := match.Dedupe(context.Background(), ps, match.BatchOptions{Threshold: -1})
	if err != nil {
		t.Fatal(err)
	}
	s := score(res.Pairs, 0.5, truth)
	s.elapsed = time.Since(start)
	t.Logf("FEBRL3 dedupe: %d true pairs, compared %d pairs, blocking recall %.4f; TP %d FP %d FN %d; P %.4f R %.4f F1 %.4f; %v; lambda %.4f",
		truth, res.Compared, s.blockingRecall, s.tp, s.fp, s.fn, s.precision, s.recall, s.f1, s.elapsed.Round(time.Millisecond), res.Params.Lambda())
	for _, f := range res.Params.Fields() {
		t.Logf("  %s %+v", f.Field, f.Levels)
	}
	if s.blockingRecall < 0.997 {
		t.Errorf("blocking recall %.4f < 0.997", s.blockingRecall)
	}
	// Target 0.99; measured 0.9952 (62 missed pairs, no false match);
	// see TestFEBRL4Link for the misses.
	if s.f1 < 0.995 {
		t.Errorf("F1 %.4f < 0.995", s.f1)
	}
}
