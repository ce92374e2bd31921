package match

import (
	"context"
	"math/rand/v2"
	"strconv"
	"testing"
)

// labeledSet is records with the person each describes.
type labeledSet struct {
	people []Person
	entity []int
}

func variationSet(seed uint64, n int) labeledSet {
	s := NewSynth(seed)
	rng := rand.New(rand.NewPCG(seed, 9))
	var ls labeledSet
	var base []int
	for i := range n {
		id := "r" + strconv.Itoa(i)
		if len(base) > 0 && rng.IntN(5) == 0 {
			j := base[rng.IntN(len(base))]
			ls.people = append(ls.people, s.Variation(ls.people[j], id))
			ls.entity = append(ls.entity, ls.entity[j])
			continue
		}
		ls.people = append(ls.people, s.Person(id))
		ls.entity = append(ls.entity, i)
		base = append(base, i)
	}
	return ls
}

func hardSet(seed uint64, n int) labeledSet {
	var ls labeledSet
	for _, r := range NewSynth(seed).HardSet(n) {
		ls.people = append(ls.people, r.Person)
		ls.entity = append(ls.entity, r.Entity)
	}
	return ls
}

// truthParams derives the parameters from the labels: m from every true
// pair, u from random pairs of different people, lambda from the count of
// true pairs.
func truthParams(ix *Index, ls labeledSet) *Params {
	v := view{t: &ix.tab, readonly: true}
	var mc, uc [nFields][maxLevels]float64
	count := func(c *[nFields][maxLevels]float64, a, b int) {
		vec := v.compare(&ix.recs[a], &ix.recs[b]).v
		for f := range nFields {
			if l := vec.level(f); l != missing {
				c[f][l]++
			}
		}
	}
	byEntity := map[int][]int{}
	for i, e := range ls.entity {
		byEntity[e] = append(byEntity[e], i)
	}
	truePairs := 0
	for _, recs := range byEntity {
		for i := range recs {
			for j := i + 1; j < len(recs); j++ {
				count(&mc, recs[i], recs[j])
				truePairs++
			}
		}
	}
	rng := rand.New(rand.NewPCG(1, 1))
	for range randomPairs {
		a, b := rng.IntN(len(ls.people)), rng.IntN(len(ls.people))
		if ls.entity[a] != ls.entity[b] {
			count(&uc, a, b)
		}
	}
	p := &Params{}
	for f := range nFields {
		nl := float64(len(levelNames[f]))
		var sm, su float64
		for l := range levelNames[f] {
			sm += mc[f][l]
			su += uc[f][l]
		}
		for l := range levelNames[f] {
			p.m[f][l] = (mc[f][l] + 0.5) / (sm + 0.5*nl)
			p.u[f][l] = (uc[f][l] + 0.5) / (su + 0.5*nl)
		}
	}
	n := float64(len(ls.people))
	p.lambda = float64(truePairs) / (n * (n - 1) / 2)
	p.finish()
	return p
}

// f1 scores every candidate pair with p at probability 0.5.
func f1(ix *Index, ls labeledSet, p *Params) float64 {
	per := map[int]int{}
	for _, e := range ls.entity {
		per[e]++
	}
	truePairs := 0
	for _, k := range per {
		truePairs += k * (k - 1) / 2
	}
	v := view{t: &ix.tab, readonly: true}
	sc := &scratch{}
	tp, fp := 0, 0
	for i := range ix.recs {
		a := &ix.recs[i]
		for _, c := range ix.candidates(&v, a, uint32(i), true, sc) {
			r := v.compare(a, &ix.recs[c])
			if ix.weight(p, &r) < 0 {
				continue
			}
			if ls.entity[i] == ls.entity[c] {
				tp++
			} else {
				fp++
			}
		}
	}
	prec, rec := float64(tp)/float64(max(1, tp+fp)), float64(tp)/float64(max(1, truePairs))
	return 2 * prec * rec / max(1e-9, prec+rec)
}

// TestEMNearTruth checks that the parameters EM estimates without labels
// score generated sets almost as well as the parameters derived from the
// labels themselves, with term-frequency adjustment in both.
func TestEMNearTruth(t *testing.T) {
	tests := []struct {
		name string
		set  labeledSet
		// slack is how much lower the F1 of the estimate may be; minF1 is
		// the least F1 of the estimate.
		slack, minF1 float64
	}{
		{"variations 20k", variationSet(3, 20000), 0.01, 0.95},
		{"hard set", hardSet(5, 150), 0.01, 0.97},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ix := NewIndex(Options{})
			if err := ix.AddAll(tc.set.people); err != nil {
				t.Fatal(err)
			}
			est, err := ix.Reestimate(context.Background(), 5000, 1)
			if err != nil {
				t.Fatalf("Reestimate: %v", err)
			}
			truth := truthParams(ix, tc.set)
			fe, ft := f1(ix, tc.set, est), f1(ix, tc.set, truth)
			t.Logf("F1 with EM estimate %.4f (lambda %.3g), with truth-derived parameters %.4f (lambda %.3g)", fe, est.Lambda(), ft, truth.Lambda())
			for _, f := range []int{fGiven, fFamily, fDOB, fAddress} {
				t.Logf("  %-13s agree m %.3f (truth %.3f) u %.5f (truth %.5f)", fieldNames[f], est.m[f][0], truth.m[f][0], est.u[f][0], truth.u[f][0])
			}
			if fe < ft-tc.slack || fe < tc.minF1 {
				t.Errorf("F1 with EM %.4f, with truth %.4f: want at least %.4f and %.2f", fe, ft, ft-tc.slack, tc.minF1)
			}
		})
	}
}
