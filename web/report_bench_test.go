package web_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/contest-ct/contest/db"
	"github.com/contest-ct/contest/db/dbtest"
	"github.com/contest-ct/contest/web"
)

// BenchmarkPublicReports drives POST /api/v1/public/reports through the
// whole HTTP handler (middleware, limiter, JSON, store) from many
// concurrent reporters, each request from its own client address, on a
// durable store (SQLite with synchronous=FULL; PostgreSQL when
// CONTEST_TEST_POSTGRES is set). It reports reports/s and the p50 and p99
// latency of one request. Target on the 2-core VM with SQLite: at least
// 2,000 reports/s with p99 at most 50 ms.
func BenchmarkPublicReports(b *testing.B) {
	for _, e := range dbtest.Engines() {
		b.Run(string(e), func(b *testing.B) {
			cfg := db.Config{DataDir: b.TempDir(), SecretKey: dbtest.Key, Argon2: db.TestArgon2}
			if e == db.Postgres {
				cfg.DSN = dbtest.MustPostgresDatabase(b)
			}
			d, err := db.Open(context.Background(), cfg)
			if err != nil {
				b.Fatal(err)
			}
			defer d.Close()
			srv, err := web.New(web.Config{Store: d})
			if err != nil {
				b.Fatal(err)
			}
			h := srv.Handler()
			var (
				n   atomic.Int64
				mu  sync.Mutex
				lat []time.Duration
			)
			b.SetParallelism(16)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				var mine []time.Duration
				for pb.Next() {
					i := n.Add(1)
					body := fmt.Sprintf(`{"what":"Person seen photographing the entrance and the security cameras, report %d","where":"Station Road %d, NE1 4XD",`+
						`"when":"2026-11-20T10:00:00Z","people":[{"name":"Ellis Marlow","description":"dark coat, rucksack"}],"vehicles":["KT%02d ABC"],`+
						`"contact":{"phone":"01632 960%03d"}}`, i, i%500, i%100, i%1000)
					r := httptest.NewRequest("POST", "/api/v1/public/reports", strings.NewReader(body))
					r.Header.Set("Content-Type", "application/json")
					r.RemoteAddr = fmt.Sprintf("10.%d.%d.%d:40000", i>>16&255, i>>8&255, i&255)
					w := httptest.NewRecorder()
					start := time.Now()
					h.ServeHTTP(w, r)
					mine = append(mine, time.Since(start))
					if w.Code != 201 {
						b.Errorf("status %d: %s", w.Code, w.Body.String())
						return
					}
				}
				mu.Lock()
				lat = append(lat, mine...)
				mu.Unlock()
			})
			b.StopTimer()
			slices.Sort(lat)
			if len(lat) > 0 {
				b.ReportMetric(float64(len(lat))/b.Elapsed().Seconds(), "reports/s")
				b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
				b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
			}
		})
	}
}
