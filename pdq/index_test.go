package pdq

import (
	"bufio"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func randHash(r *rand.Rand) Hash256 {
	return Hash256{r.Uint64(), r.Uint64(), r.Uint64(), r.Uint64()}
}

// flipBits returns h with n distinct random bits flipped.
func flipBits(r *rand.Rand, h Hash256, n int) Hash256 {
	for _, k := range r.Perm(256)[:n] {
		h[k>>6] ^= 1 << (uint(k) & 63)
	}
	return h
}

// MustMatchBruteForce checks that the index returns exactly the brute-force
// matches of q at distance t.
func MustMatchBruteForce(t *testing.T, ix *Index, hs []Hash256, q Hash256, dist int) int {
	t.Helper()
	got := ix.Query(q, dist)
	want := BruteForce(hs, q, dist)
	if !slices.Equal(got, want) {
		t.Fatalf("query at %d: index found %d matches, brute force %d\nindex: %v\nbrute: %v", dist, len(got), len(want), head(got), head(want))
	}
	return len(want)
}

func head(m []Match) []Match {
	if len(m) > 10 {
		return m[:10]
	}
	return m
}

func TestIndexAgainstBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	tests := []struct {
		name      string
		n         int
		clustered bool
	}{
		{"small random (scan only)", 5000, false},
		{"random", 200000, false},
		{"clustered", 200000, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hs := make([]Hash256, tc.n)
			centres := make([]Hash256, 50)
			for i := range centres {
				centres[i] = randHash(r)
			}
			for i := range hs {
				if tc.clustered {
					// Near-duplicates of a few images, 0..40 bits apart:
					// buckets are very uneven and many hashes match.
					hs[i] = flipBits(r, centres[r.IntN(len(centres))], r.IntN(41))
				} else {
					hs[i] = randHash(r)
				}
			}
			ix := NewIndex()
			// Half in one batch, the rest one by one (exercises the tail
			// and incremental rebuilds).
			ix.AddBatch(hs[:tc.n/2])
			for _, h := range hs[tc.n/2:] {
				ix.Add(h)
			}
			if ix.Len() != tc.n {
				t.Fatalf("Len = %d, want %d", ix.Len(), tc.n)
			}
			total := 0
			for i := 0; i < 200; i++ {
				var q Hash256
				switch i % 3 {
				case 0:
					q = randHash(r)
				case 1:
					q = flipBits(r, hs[r.IntN(tc.n)], r.IntN(40))
				default:
					q = flipBits(r, centres[r.IntN(len(centres))], r.IntN(20))
				}
				for _, d := range []int{0, 5, 16, 31, 32, 39, 45} {
					total += MustMatchBruteForce(t, ix, hs, q, d)
				}
			}
			if total == 0 {
				t.Fatal("no matches at all: test is vacuous")
			}
			t.Logf("%s: %d matches checked, %v", tc.name, total, ix)
		})
	}
}

func TestIndexDihedral(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	hs := make([]Hash256, 100000)
	for i := range hs {
		hs[i] = randHash(r)
	}
	ix := NewIndex()
	ix.AddBatch(hs)
	var qs []Hash256
	for i := 0; i < 8; i++ {
		qs = append(qs, flipBits(r, hs[i*1000], 20+i))
	}
	qs = append(qs, flipBits(r, hs[0], 3)) // same id twice: keep the nearer
	got := ix.QueryDihedral(qs, MatchThreshold)
	if len(got) != 8 {
		t.Fatalf("got %d matches, want 8: %v", len(got), got)
	}
	if got[0].ID != 0 || got[0].Distance != 3 {
		t.Fatalf("first match %+v, want id 0 at distance 3", got[0])
	}
}

func readHashList(t *testing.T, name string) []Hash256 {
	t.Helper()
	path := filepath.Join(sharedData, "hashlists", name)
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		t.Skipf("shared PDQ data not present (%s); skipping", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var hs []Hash256
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		h, err := ParseHash(sc.Text())
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		hs = append(hs, h)
	}
	return hs
}

// TestIndexNeedlesHaystack reproduces upstream's `test-mih test2 32 needles
// haystack`, which prints "TOTAL MATCH COUNT: 13875" for brute force and MIH.
// That figure is cumulative: upstream's test does not clear its match vector
// between needles, so it sums, over the needles, the matches found so far.
// The distinct (needle, haystack) pairs within distance 32 number 250; both
// figures are checked. The haystack is padded with random hashes so the
// directories are really used.
func TestIndexNeedlesHaystack(t *testing.T) {
	needles := readHashList(t, "needles.txt")
	hay := readHashList(t, "haystack.txt")
	if len(needles) != 100 || len(hay) != 1350 {
		t.Fatalf("got %d needles, %d haystack; want 100, 1350", len(needles), len(hay))
	}
	r := rand.New(rand.NewPCG(5, 6))
	all := slices.Clone(hay)
	for len(all) < 100000 {
		all = append(all, randHash(r))
	}
	ix := NewIndex()
	ix.AddBatch(all)
	pairs, cumulative := 0, 0
	for _, q := range needles {
		ms := ix.Query(q, 32)
		if !slices.Equal(ms, BruteForce(all, q, 32)) {
			t.Fatalf("index and brute force disagree for %v", q)
		}
		for _, m := range ms {
			if m.ID < len(hay) {
				pairs++
			}
		}
		cumulative += pairs
	}
	if pairs != 250 || cumulative != 13875 {
		t.Fatalf("needles x haystack at distance 32: %d pairs (want 250), cumulative %d (want upstream's 13875)", pairs, cumulative)
	}
}

func TestIndexQualityRule(t *testing.T) {
	ix := NewIndex()
	h := MustParseHash("d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22")
	tests := []struct {
		quality int
		wantErr bool
	}{{0, true}, {49, true}, {50, false}, {100, false}}
	for _, tc := range tests {
		_, err := ix.AddHash(Hash{Hash256: h, Quality: tc.quality})
		if (err != nil) != tc.wantErr {
			t.Errorf("AddHash quality %d: err %v, wantErr %v", tc.quality, err, tc.wantErr)
		}
		ms, err := ix.QueryHash(Hash{Hash256: h, Quality: tc.quality}, MatchThreshold)
		if (err != nil) != tc.wantErr || (err == nil && len(ms) == 0) {
			t.Errorf("QueryHash quality %d: %v, %v", tc.quality, ms, err)
		}
	}
	if ix.Len() != 2 {
		t.Errorf("stored %d hashes, want the 2 matchable ones", ix.Len())
	}
}
