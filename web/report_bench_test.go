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
//
// Two loads: "surge", many people reporting the same incident (the same
// text; every report joins one cluster), and "distinct", every report
// about something else (each starts its own cluster and adds its
// near-duplicate bands).
func BenchmarkPublicReports(b *testing.B) {
	for _, e := range dbtest.Engines() {
		for _, load := range []string{"surge", "distinct"} {
			b.Run(string(e)+"/"+load, func(b *testing.B) { benchReports(b, e, load == "distinct") })
		}
	}
}

// benchWords make distinct report texts.
var benchWords = strings.Fields(`abandoned ambulance arena backpack balcony barrier bicycle bridge bus camera canal car cargo
	cathedral cellar chemical church cinema college concert courier crowd cyclist delivery depot dog door drone
	embankment engine estate factory fence ferry festival field flat garage gate generator harbour hangar hospital
	hotel hut jacket junction kiosk ladder lane library lorry market marina mosque motorbike museum office park
	parcel pier platform plaza pub quay railway reservoir restaurant roof school scooter shed shop stadium station
	stairwell street substation synagogue taxi temple tent theatre tower tram trolley tunnel university van viaduct
	warehouse window yard`)

func benchReports(b *testing.B, e db.Engine, distinct bool) {
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
			what := fmt.Sprintf("Person seen photographing the entrance and the security cameras, report %d", i)
			if distinct {
				x := uint64(i) * 0x9e3779b97f4a7c15
				var w []string
				for range 10 {
					x = x*6364136223846793005 + 1442695040888963407
					w = append(w, benchWords[(x>>33)%uint64(len(benchWords))])
				}
				what = strings.Join(w, " ")
			}
			body := fmt.Sprintf(`{"what":%q,"where":"Station Road %d, NE1 4XD","when":"2026-11-20T10:00:00Z",`+
				`"people":[{"name":"Ellis Marlow","description":"dark coat, rucksack"}],"vehicles":["KT%02d ABC"],`+
				`"contact":{"phone":"01632 960%03d"}}`, what, i%500, i%100, i%1000)
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
	if distinct {
		var clusters int
		if err := d.SQL().QueryRow("SELECT COUNT(*) FROM reports WHERE cluster_id = 0").Scan(&clusters); err == nil {
			b.ReportMetric(float64(clusters)/float64(len(lat)), "clusters/report")
		}
	}
}
