package pdq

import (
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"testing"
	"time"
)

// benchIndex builds an index of n random hashes (cached across benchmarks).
var benchIndexes = map[int]*Index{}
var benchHashes = map[int][]Hash256{}

func mustBenchIndex(b *testing.B, n int) (*Index, []Hash256) {
	b.Helper()
	if ix, ok := benchIndexes[n]; ok {
		return ix, benchHashes[n]
	}
	r := rand.New(rand.NewPCG(uint64(n), 7))
	hs := make([]Hash256, n)
	for i := range hs {
		hs[i] = randHash(r)
	}
	start := time.Now()
	ix := NewIndex()
	ix.AddBatch(hs)
	b.Logf("built %v in %v: %.1f bytes/hash", ix, time.Since(start), float64(ix.MemoryBytes())/float64(n))
	benchIndexes[n], benchHashes[n] = ix, hs
	return ix, hs
}

// benchQueries runs lookups at distance 31 and reports p50/p99 latency. Half
// the queries are stored hashes with 1..31 bits flipped (one true match or
// more), half are random (no match).
func benchQueries(b *testing.B, n int) {
	ix, hs := mustBenchIndex(b, n)
	r := rand.New(rand.NewPCG(9, 9))
	qs := make([]Hash256, 4096)
	for i := range qs {
		if i%2 == 0 {
			qs[i] = flipBits(r, hs[r.IntN(n)], 1+r.IntN(31))
		} else {
			qs[i] = randHash(r)
		}
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	lat := make([]time.Duration, 0, b.N)
	cpu := make([]time.Duration, 0, b.N)
	var dst []Match
	found := 0
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		c0, t0 := threadCPU(), time.Now()
		dst = ix.QueryAppend(dst[:0], qs[i%len(qs)], MatchThreshold)
		lat = append(lat, time.Since(t0))
		cpu = append(cpu, threadCPU()-c0)
		found += len(dst)
	}
	b.StopTimer()
	pct := func(v []time.Duration, p float64) float64 {
		slices.Sort(v)
		return float64(v[int(p*float64(len(v)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(lat, 0.50), "p50-ms")
	b.ReportMetric(pct(lat, 0.99), "p99-ms")
	b.ReportMetric(pct(cpu, 0.50), "cpu-p50-ms")
	b.ReportMetric(pct(cpu, 0.99), "cpu-p99-ms")
	b.ReportMetric(float64(ix.MemoryBytes())/float64(n), "bytes/hash")
	if found == 0 {
		b.Fatal("no matches found: planted matches are missing")
	}
}

// BenchmarkIndexQuery1M: one lookup against 1,000,000 hashes at distance 31.
func BenchmarkIndexQuery1M(b *testing.B) { benchQueries(b, 1_000_000) }

// BenchmarkIndexQuery10M: the same against 10,000,000 hashes (320 MB of
// hashes); set PDQ_BENCH_10M=1 to run it.
func BenchmarkIndexQuery10M(b *testing.B) {
	if os.Getenv("PDQ_BENCH_10M") == "" {
		b.Skip("set PDQ_BENCH_10M=1 to run the 10M-hash benchmark")
	}
	benchQueries(b, 10_000_000)
}

// BenchmarkBruteForce1M is a linear popcount scan of 1,000,000 hashes.
func BenchmarkBruteForce1M(b *testing.B) {
	_, hs := mustBenchIndex(b, 1_000_000)
	r := rand.New(rand.NewPCG(9, 9))
	var dst []Match
	for b.Loop() {
		q := randHash(r)
		dst = scan(dst[:0], hs, 0, &q, MatchThreshold)
	}
}
