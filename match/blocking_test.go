package match

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestPostingsAgainstMap adds and removes random key-slot pairs, with
// keys crowded into few home entries so that probe runs wrap and
// deletions move entries, and checks every key against a plain map.
func TestPostingsAgainstMap(t *testing.T) {
	tests := []struct {
		name  string
		keys  int
		steps int
	}{
		{"few keys, long runs", 50, 20000},
		{"many keys", 5000, 50000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			var p postings
			want := map[uint64][]uint32{}
			key := func() uint64 {
				// Low bits crowd into 8 home entries; top bits pick the shard.
				return uint64(rng.IntN(tc.keys))<<8 | uint64(rng.IntN(8)) | uint64(rng.IntN(4))<<58 | 1<<40
			}
			for range tc.steps {
				k, slot := key(), uint32(rng.IntN(20))
				if rng.IntN(3) == 0 {
					p.remove(k, slot)
					if i := slices.Index(want[k], slot); i >= 0 {
						want[k] = slices.Delete(want[k], i, i+1)
					}
					continue
				}
				// The index files a record under a key at most once.
				if !slices.Contains(want[k], slot) {
					p.add(k, slot)
					want[k] = append(want[k], slot)
				}
			}
			n := 0
			var one [1]uint32
			for k, slots := range want {
				got := slices.Clone(p.get(k, one[:]))
				slices.Sort(got)
				w := slices.Clone(slots)
				slices.Sort(w)
				if !slices.Equal(got, w) {
					t.Fatalf("key %x: got %v, want %v", k, got, w)
				}
				if len(w) > 0 {
					n++
				}
			}
			if p.keys() != n {
				t.Errorf("%d keys, want %d", p.keys(), n)
			}
		})
	}
}
