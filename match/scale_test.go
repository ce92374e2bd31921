package match

import (
	"context"
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// TestScale measures blocking and accuracy on a large generated set with
// known truth. It runs only when MATCH_SCALE is set:
//
//	MATCH_SCALE=1000000 go test -count=1 -run Scale -v ./match/
//
// A fifth of the records are another record (Synth.Variation) of an
// earlier person.
func TestScale(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("MATCH_SCALE"))
	if n <= 0 {
		t.Skip("set MATCH_SCALE=N to run")
	}
	s := NewSynth(1)
	rng := rand.New(rand.NewPCG(1, 2))
	people := make([]Person, 0, n)
	entity := make([]int32, 0, n)
	var base []int32
	for i := range n {
		id := "p" + strconv.Itoa(i)
		if len(base) > 0 && rng.IntN(5) == 0 {
			j := base[rng.IntN(len(base))]
			people = append(people, s.Variation(people[j], id))
			entity = append(entity, entity[j])
			continue
		}
		people = append(people, s.Person(id))
		entity = append(entity, int32(i))
		base = append(base, int32(i))
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	heap0 := ms.HeapAlloc
	t0 := time.Now()
	maxBlock, _ := strconv.Atoi(os.Getenv("MATCH_MAXBLOCK"))
	ix := NewIndex(Options{MaxBlock: maxBlock})
	if err := ix.AddAll(people); err != nil {
		t.Fatal(err)
	}
	addTime := time.Since(t0)
	runtime.GC()
	runtime.ReadMemStats(&ms)
	t.Logf("%d records indexed in %v; heap %d bytes per record; %d blocking keys",
		n, addTime.Round(time.Millisecond), int(ms.HeapAlloc-min(heap0, ms.HeapAlloc))/n, ix.post.keys())

	t0 = time.Now()
	p, err := ix.Reestimate(context.Background(), 20000, 1)
	t.Logf("EM %v: %v; lambda %.3g, %d pairs", time.Since(t0).Round(time.Millisecond), err, p.Lambda(), p.Pairs)
	for _, f := range p.Fields() {
		t.Logf("  %s %+v", f.Field, f.Levels)
	}

	per := map[int32]int{}
	for _, e := range entity {
		per[e]++
	}
	truePairs := 0
	for _, k := range per {
		truePairs += k * (k - 1) / 2
	}
	sc := &scratch{}
	v := view{t: &ix.tab, readonly: true, pc: sc.cache(ix)}
	for _, b := range []int{5, 10, 20, 30, 50, 100, 200} {
		ix.maxCand = b
		compared, found := 0, 0
		for i := range ix.recs {
			for _, c := range ix.candidates(&v, &ix.recs[i], uint32(i), true, sc) {
				compared++
				if entity[i] == entity[c] {
					found++
				}
			}
		}
		t.Logf("at most %3d candidates: %.1f pairs per record, blocking recall %.4f", b, float64(compared)/float64(n), float64(found)/float64(max(1, truePairs)))
	}
	ix.maxCand = 20 // as in Dedupe
	t0 = time.Now()
	var compared, found, tp, fp int
	for i := range ix.recs {
		a := &ix.recs[i]
		for _, c := range ix.candidates(&v, a, uint32(i), true, sc) {
			compared++
			same := entity[i] == entity[c]
			if same {
				found++
			}
			r := v.compare(a, &ix.recs[c])
			if ix.weight(p, &r) >= 0 {
				if same {
					tp++
				} else {
					fp++
				}
			}
		}
	}
	prec, rec := float64(tp)/float64(max(1, tp+fp)), float64(tp)/float64(max(1, truePairs))
	t.Logf("at most 20 candidates, one core: %v; %d pairs compared (%.1f per record), %d true pairs, blocking recall %.4f; TP %d FP %d P %.4f R %.4f F1 %.4f",
		time.Since(t0).Round(time.Millisecond), compared, float64(compared)/float64(n), truePairs,
		float64(found)/float64(max(1, truePairs)), tp, fp, prec, rec, 2*prec*rec/max(1e-9, prec+rec))
}
