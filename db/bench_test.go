package db_test

import (
	"testing"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/db"
	"github.com/contest-ct/contest/db/dbtest"
)

// BenchmarkAuditEntry measures one audit entry written and committed on its
// own (the cost every audited read adds). Target: under 200 µs.
func BenchmarkAuditEntry(b *testing.B) {
	for _, e := range dbtest.Engines() {
		b.Run(string(e), func(b *testing.B) {
			d := dbtest.MustOpen(b, e, nil)
			a := &contest.Actor{UserID: 1, Username: "bench.user", OrgID: 1, ClientAddr: "127.0.0.1", Via: "bench"}
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				if err := d.RecordAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditRead, Kind: contest.KindSubject, RecordID: "42",
					Detail: map[string]string{"name": d.AuditHMAC("Example Person")}}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/entry")
		})
	}
}

// BenchmarkAuditEntryDurable is BenchmarkAuditEntry with synchronous=FULL,
// the production setting on SQLite.
func BenchmarkAuditEntryDurable(b *testing.B) {
	d, err := db.Open(ctx, db.Config{DataDir: b.TempDir(), SecretKey: dbtest.Key, Argon2: db.TestArgon2})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	a := &contest.Actor{UserID: 1, Username: "bench.user", OrgID: 1, ClientAddr: "127.0.0.1", Via: "bench"}
	for b.Loop() {
		if err := d.RecordAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditRead, Kind: contest.KindSubject, RecordID: "42"}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/entry")
}

// BenchmarkAuditVerify measures `contest audit verify` over 100,000
// entries. Target: at least 100,000 entries per second.
func BenchmarkAuditVerify(b *testing.B) {
	for _, e := range dbtest.Engines() {
		b.Run(string(e), func(b *testing.B) {
			d := dbtest.MustOpen(b, e, nil)
			a := &contest.Actor{UserID: 1, Username: "bench.user", OrgID: 1, ClientAddr: "127.0.0.1", Via: "bench"}
			const n = 100000
			if err := d.BenchFillAudit(ctx, a, n); err != nil {
				b.Fatal(err)
			}
			sys := contest.SystemActor("bench")
			b.ResetTimer()
			var entries int64
			for b.Loop() {
				res, err := d.VerifyAudit(ctx, sys)
				if err != nil || !res.OK {
					b.Fatalf("%+v %v", res, err)
				}
				entries += res.Entries
			}
			b.ReportMetric(float64(entries)/b.Elapsed().Seconds(), "entries/s")
		})
	}
}

// BenchmarkAuditEntryConcurrent measures audit entries written by many
// callers at once (as the audited reads of a busy server are), durable
// (synchronous=FULL on SQLite): group commit lets one fsync serve many
// entries, so the cost of one entry is the elapsed time over the entries.
func BenchmarkAuditEntryConcurrent(b *testing.B) {
	for _, e := range dbtest.Engines() {
		b.Run(string(e), func(b *testing.B) {
			var d *db.DB
			if e == db.SQLite {
				var err error
				d, err = db.Open(ctx, db.Config{DataDir: b.TempDir(), SecretKey: dbtest.Key, Argon2: db.TestArgon2})
				if err != nil {
					b.Fatal(err)
				}
				defer d.Close()
			} else {
				d = dbtest.MustOpen(b, e, nil)
			}
			a := &contest.Actor{UserID: 1, Username: "bench.user", OrgID: 1, ClientAddr: "127.0.0.1", Via: "bench"}
			b.SetParallelism(16)
			g0, c0 := d.WriteGroups()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := d.RecordAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditRead, Kind: contest.KindSubject, RecordID: "42",
						Detail: map[string]string{"name": d.AuditHMAC("Example Person")}}); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/entry")
			g1, c1 := d.WriteGroups()
			b.ReportMetric(float64(c1-c0)/float64(max(g1-g0, 1)), "entries/commit")
		})
	}
}
