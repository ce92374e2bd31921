package match_test

import (
	"fmt"
	"testing"

	"github.com/contest-ct/contest/match"
)

// benchIndex builds an index of n synthetic people (with 20% duplicate
// records) once per size.
var benchIndexes = map[int]*match.Index{}

func benchIndex(b *testing.B, n int) (*match.Index, *match.Synth) {
	b.Helper()
	s := match.NewSynth(42)
	if ix, ok := benchIndexes[n]; ok {
		return ix, s
	}
	ix := match.NewIndex(match.Options{})
	var prev []match.Person
	for i := range n {
		p := s.Person(fmt.Sprint("p", i))
		if i%5 == 4 {
			p = s.Variation(prev[len(prev)-1-i%len(prev)], fmt.Sprint("p", i))
		}
		if len(prev) < 1000 {
			prev = append(prev, p)
		}
		if err := ix.Add(p); err != nil {
			b.Fatal(err)
		}
	}
	benchIndexes[n] = ix
	return ix, s
}

func BenchmarkIndexAdd(b *testing.B) {
	s := match.NewSynth(1)
	ps := make([]match.Person, 100000)
	for i := range ps {
		ps[i] = s.Person(fmt.Sprint("a", i))
	}
	ix := match.NewIndex(match.Options{})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p := ps[i%len(ps)]
		p.ID = fmt.Sprint("b", i)
		if err := ix.Add(p); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkQuery(b *testing.B) {
	for _, n := range []int{100000, 1000000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			if testing.Short() && n > 100000 {
				b.Skip("short")
			}
			ix, s := benchIndex(b, n)
			qs := make([]match.Person, 1000)
			for i := range qs {
				qs[i] = s.Person(fmt.Sprint("q", i))
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				ix.Query(qs[i%len(qs)], match.QueryOptions{MinProbability: 0.5})
			}
		})
	}
}
