package db_test

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/db"
	"github.com/contest-ct/contest/db/dbtest"
	"github.com/contest-ct/contest/pdq"
)

func TestHashBankCSVRoundTrip(t *testing.T) {
	forEngine(t, func(t *testing.T, e db.Engine) {
		ce := mustContentEnv(t, e)
		ctx := context.Background()
		b := &contest.HashBank{Name: "Round trip", Enabled: true, Threshold: 20, Labels: []string{"a", " b ", ""}}
		if err := ce.DB.CreateHashBank(ctx, ce.officer, b); err != nil {
			t.Fatal(err)
		}
		in := "signal_type,signal_value\n" +
			"pdq,f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22\n" +
			"MD5, D41D8CD98F00B204E9800998ECF8427E\n" +
			"sha256,e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n" +
			"pdq,f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22\n"
		n, err := ce.DB.ImportHashBank(ctx, ce.officer, b.ID, strings.NewReader(in))
		if err != nil || n != 3 {
			t.Fatalf("import: %d %v; want 3 new", n, err)
		}
		var out bytes.Buffer
		if err := ce.DB.ExportHashBank(ctx, ce.officer, b.ID, &out); err != nil {
			t.Fatal(err)
		}
		want := "signal_type,signal_value\n" +
			"pdq,f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22\n" +
			"md5,d41d8cd98f00b204e9800998ecf8427e\n" +
			"sha256,e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
		if out.String() != want {
			t.Errorf("export:\n%s\nwant:\n%s", out.String(), want)
		}
		// A bad row anywhere stores nothing, and says which line.
		_, err = ce.DB.ImportHashBank(ctx, ce.officer, b.ID, strings.NewReader("md5,00000000000000000000000000000001\npdq,xyz\n"))
		if contest.ErrorCode(err) != contest.EINVALID || !strings.Contains(contest.ErrorFields(err)[0].Message, "line 2") {
			t.Fatalf("bad csv: %v", err)
		}
		got, err := ce.DB.FindHashBankByID(ctx, ce.officer, b.ID)
		if err != nil || got.Signals != 3 || !slices.Equal(got.Labels, []string{"a", "b"}) || got.Threshold != 20 {
			t.Fatalf("bank after bad import: %+v %v", got, err)
		}
		// Hidden from roles without the policy, and from platforms.
		if _, err := ce.DB.FindHashBankByID(ctx, ce.platform, b.ID); contest.ErrorCode(err) != contest.ENOTFOUND {
			t.Errorf("platform read a bank: %v", err)
		}
		if _, err := ce.DB.FindHashBanks(ctx, ce.investigator); contest.ErrorCode(err) != contest.EFORBIDDEN {
			t.Errorf("investigator listed banks: %v", err)
		}
		if err := ce.DB.CreateHashBank(ctx, ce.officer, &contest.HashBank{Name: "Round trip"}); contest.ErrorCode(err) != contest.ECONFLICT {
			t.Errorf("duplicate name: %v", err)
		}
		if err := ce.DB.CreateHashBank(ctx, ce.officer, &contest.HashBank{Name: "Wide", Threshold: 300}); contest.ErrorCode(err) != contest.EINVALID {
			t.Errorf("threshold 300: %v", err)
		}
	})
}

// randomNear returns h with k random bits flipped.
func randomNear(r *rand.Rand, h pdq.Hash256, k int) pdq.Hash256 {
	for _, b := range r.Perm(256)[:k] {
		h[b/64] ^= 1 << (b % 64)
	}
	return h
}

// TestHashBankMatchesBruteForce: every match a brute-force scan of the
// banks finds, at each bank's own threshold, and nothing else.
func TestHashBankMatchesBruteForce(t *testing.T) {
	forEngine(t, func(t *testing.T, e db.Engine) {
		ce := mustContentEnv(t, e)
		ctx := context.Background()
		r := rand.New(rand.NewPCG(8, 8))
		thresholds := []int{31, 10, 50}
		type stored struct {
			h         pdq.Hash256
			bank      int64
			threshold int
		}
		var all []stored
		var queries []pdq.Hash256
		for i, th := range thresholds {
			b := &contest.HashBank{Name: "Bank " + string(rune('A'+i)), Enabled: true, Threshold: th}
			if err := ce.DB.CreateHashBank(ctx, ce.officer, b); err != nil {
				t.Fatal(err)
			}
			var csv strings.Builder
			for j := 0; j < 300; j++ {
				var h pdq.Hash256
				for w := range h {
					h[w] = r.Uint64()
				}
				csv.WriteString("pdq," + h.String() + "\n")
				all = append(all, stored{h, b.ID, th})
				if j%15 == 0 {
					queries = append(queries, randomNear(r, h, r.IntN(60)))
				}
			}
			if _, err := ce.DB.ImportHashBank(ctx, ce.officer, b.ID, strings.NewReader(csv.String())); err != nil {
				t.Fatal(err)
			}
		}
		found := 0
		for _, q := range queries {
			ms, err := ce.DB.MatchSignal(ctx, ce.officer, "pdq", q.String(), -1)
			if err != nil {
				t.Fatal(err)
			}
			var got, want []string
			for _, m := range ms {
				got = append(got, m.Signal)
			}
			for _, s := range all {
				if pdq.Distance(s.h, q) <= s.threshold {
					want = append(want, s.h.String())
				}
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("query %s: got %v, brute force %v", q, got, want)
			}
			found += len(want)
		}
		if found < 10 {
			t.Errorf("only %d matches in all: the test proves little", found)
		}
	})
}

// TestHashBankTwoNodes: a signal imported through one node is matched by
// another node sharing the database, whose index was built before.
func TestHashBankTwoNodes(t *testing.T) {
	forEngine(t, func(t *testing.T, e db.Engine) {
		ctx := context.Background()
		var cfg db.Config
		if e == db.Postgres {
			cfg = db.Config{DSN: dbtest.MustPostgresDatabase(t), SecretKey: dbtest.Key, Argon2: db.TestArgon2}
		} else {
			cfg = db.Config{DataDir: filepath.Join(t.TempDir(), "shared"), SecretKey: dbtest.Key, Argon2: db.TestArgon2, NotDurable: true}
		}
		open := func() *db.DB {
			d, err := db.Open(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { d.Close() })
			return d
		}
		n1, n2 := open(), open()
		sys := contest.SystemActor("test")
		b := &contest.HashBank{Name: "Shared", Enabled: true}
		if err := n1.CreateHashBank(ctx, sys, b); err != nil {
			t.Fatal(err)
		}
		h1 := pdq.MustParseHash("f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22")
		h2 := pdq.MustParseHash("0000000000000000000000000000000000000000000000000000000000000000")
		if _, err := n1.ImportHashBank(ctx, sys, b.ID, strings.NewReader("pdq,"+h1.String()+"\n")); err != nil {
			t.Fatal(err)
		}
		// Node 2 builds its index now.
		if ms, err := n2.MatchSignal(ctx, sys, "pdq", h1.String(), -1); err != nil || len(ms) != 1 {
			t.Fatalf("node 2 first match: %v %v", ms, err)
		}
		// Node 1 adds another; node 2 catches up before its next query.
		if _, err := n1.ImportHashBank(ctx, sys, b.ID, strings.NewReader("pdq,"+h2.String()+"\n")); err != nil {
			t.Fatal(err)
		}
		if ms, err := n2.MatchSignal(ctx, sys, "pdq", randomNear(rand.New(rand.NewPCG(1, 2)), h2, 5).String(), -1); err != nil || len(ms) != 1 || ms[0].Distance != 5 {
			t.Fatalf("node 2 after node 1's import: %+v %v", ms, err)
		}
		// Node 1 disables the bank; node 2 stops matching at once.
		b.Enabled = false
		if err := n1.UpdateHashBank(ctx, sys, b); err != nil {
			t.Fatal(err)
		}
		if ms, err := n2.MatchSignal(ctx, sys, "pdq", h1.String(), -1); err != nil || len(ms) != 0 {
			t.Fatalf("node 2 after disabling: %+v %v", ms, err)
		}
	})
}

// BenchmarkMatchSignal measures GET /api/v1/match's store call end to end:
// catch-up check, index query at distance 31, lookup of the hits and the
// audit entry, with CONTEST_BENCH_SIGNALS PDQ signals in one enabled bank
// (default 100,000). Each query is a stored hash with 10 bits flipped, so
// every query has a match. It reports p50 and p99 latency, and the rate of
// the CSV import that filled the bank.
func BenchmarkMatchSignal(b *testing.B) {
	n := 100_000
	if v := os.Getenv("CONTEST_BENCH_SIGNALS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			b.Fatal(err)
		}
	}
	ctx := context.Background()
	d := dbtest.MustOpen(b, db.SQLite, nil)
	sys := contest.SystemActor("bench")
	bank := &contest.HashBank{Name: "Bench", Enabled: true}
	if err := d.CreateHashBank(ctx, sys, bank); err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(31, 31))
	stored := make([]pdq.Hash256, n)
	var csv strings.Builder
	for i := range stored {
		for w := range stored[i] {
			stored[i][w] = r.Uint64()
		}
		csv.WriteString("pdq," + stored[i].String() + "\n")
	}
	t0 := time.Now()
	if _, err := d.ImportHashBank(ctx, sys, bank.ID, strings.NewReader(csv.String())); err != nil {
		b.Fatal(err)
	}
	importRate := float64(n) / time.Since(t0).Seconds()
	queries := make([]string, 1000)
	for i := range queries {
		queries[i] = randomNear(r, stored[r.IntN(n)], 10).String()
	}
	if _, err := d.MatchSignal(ctx, sys, "pdq", queries[0], -1); err != nil { // builds the index
		b.Fatal(err)
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		ms, err := d.MatchSignal(ctx, sys, "pdq", queries[i%len(queries)], -1)
		lat = append(lat, time.Since(t0))
		if err != nil || len(ms) == 0 {
			b.Fatalf("query %d: %d matches, %v", i, len(ms), err)
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
	b.ReportMetric(importRate, "import-signals/s")
}

// TestHashBankConcurrentImports: while two nodes import into banks at the
// same time, a third keeps matching (catching up between imports); at the
// end it finds every imported hash, so no catch-up skipped a signal that
// committed late with a smaller id.
func TestHashBankConcurrentImports(t *testing.T) {
	forEngine(t, func(t *testing.T, e db.Engine) {
		ctx := context.Background()
		var cfg db.Config
		if e == db.Postgres {
			cfg = db.Config{DSN: dbtest.MustPostgresDatabase(t), SecretKey: dbtest.Key, Argon2: db.TestArgon2}
		} else {
			cfg = db.Config{DataDir: filepath.Join(t.TempDir(), "shared"), SecretKey: dbtest.Key, Argon2: db.TestArgon2, NotDurable: true}
		}
		nodes := make([]*db.DB, 3)
		for i := range nodes {
			d, err := db.Open(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { d.Close() })
			nodes[i] = d
		}
		sys := contest.SystemActor("test")
		banks := make([]*contest.HashBank, 2)
		for i := range banks {
			banks[i] = &contest.HashBank{Name: "Concurrent " + strconv.Itoa(i), Enabled: true, Threshold: 0}
			if err := nodes[0].CreateHashBank(ctx, sys, banks[i]); err != nil {
				t.Fatal(err)
			}
		}
		r := rand.New(rand.NewPCG(5, 5))
		var all []pdq.Hash256
		var batches [2][]string
		for i := 0; i < 2; i++ {
			for j := 0; j < 8; j++ {
				var csv strings.Builder
				for k := 0; k < 25; k++ {
					var h pdq.Hash256
					for w := range h {
						h[w] = r.Uint64()
					}
					all = append(all, h)
					csv.WriteString("pdq," + h.String() + "\n")
				}
				batches[i] = append(batches[i], csv.String())
			}
		}
		errs := make(chan error, 3)
		done := make(chan struct{})
		for i := 0; i < 2; i++ {
			go func(i int) {
				for _, b := range batches[i] {
					if _, err := nodes[i].ImportHashBank(ctx, sys, banks[i].ID, strings.NewReader(b)); err != nil {
						errs <- err
						return
					}
				}
				errs <- nil
			}(i)
		}
		go func() {
			for {
				select {
				case <-done:
					errs <- nil
					return
				default:
				}
				if _, err := nodes[2].MatchSignal(ctx, sys, "pdq", all[0].String(), -1); err != nil {
					errs <- err
					return
				}
			}
		}()
		for i := 0; i < 2; i++ {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		close(done)
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
		for i, h := range all {
			ms, err := nodes[2].MatchSignal(ctx, sys, "pdq", h.String(), -1)
			if err != nil || len(ms) != 1 || ms[0].Distance != 0 {
				t.Fatalf("hash %d of %d: %+v %v", i, len(all), ms, err)
			}
		}
	})
}
