package db_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/db"
	"github.com/contest-ct/contest/db/dbtest"
)

// TestGroupCommit runs many concurrent writers through the group-commit
// writer. Those whose function fails (by error, SQL error or panic) must
// leave nothing behind, their audit entry included; every other writer's
// work must be committed exactly once, and the audit chain must verify.
func TestGroupCommit(t *testing.T) {
	forEngine(t, func(t *testing.T, e db.Engine) {
		f := dbtest.MustFixture(t, e)
		d := f.DB
		var before int
		if err := d.SQL().QueryRowContext(ctx, "SELECT COUNT(*) FROM audit_log").Scan(&before); err != nil {
			t.Fatal(err)
		}
		const n = 300
		errFail := errors.New("refused by the caller")
		outcome := func(i int) string {
			switch i % 7 {
			case 1:
				return "error"
			case 3:
				return "sql"
			case 5:
				return "panic"
			}
			return "ok"
		}
		a := &contest.Actor{UserID: 1, Username: "group.test", OrgID: 1, ClientAddr: "127.0.0.1", Via: "test"}
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = d.WriteForTest(ctx, a, func(exec func(string, ...any) error) error {
					if err := exec("INSERT INTO settings (key, value) VALUES ($1, $2)", fmt.Sprintf("group-%d", i), "v"); err != nil {
						return err
					}
					switch outcome(i) {
					case "error":
						return errFail
					case "sql":
						// A duplicate key: the statement fails inside the group.
						return exec("INSERT INTO settings (key, value) VALUES ($1, $2)", fmt.Sprintf("group-%d", i), "again")
					case "panic":
						panic("boom")
					}
					return nil
				})
			}()
		}
		wg.Wait()
		want := 0
		for i := range n {
			var got int
			if err := d.SQL().QueryRowContext(ctx, "SELECT COUNT(*) FROM settings WHERE key = $1", fmt.Sprintf("group-%d", i)).Scan(&got); err != nil {
				t.Fatal(err)
			}
			switch o := outcome(i); {
			case o == "ok" && (errs[i] != nil || got != 1):
				t.Errorf("writer %d (ok): err %v, %d rows", i, errs[i], got)
			case o != "ok" && (errs[i] == nil || got != 0):
				t.Errorf("writer %d (%s): err %v, %d rows left behind", i, o, errs[i], got)
			case o == "error" && !errors.Is(errs[i], errFail):
				t.Errorf("writer %d: got %v, want the caller's own error", i, errs[i])
			}
			if outcome(i) == "ok" {
				want++
			}
		}
		var after int
		if err := d.SQL().QueryRowContext(ctx, "SELECT COUNT(*) FROM audit_log").Scan(&after); err != nil {
			t.Fatal(err)
		}
		if after-before != want {
			t.Errorf("audit entries added: %d, want %d (one per committed writer)", after-before, want)
		}
		res, err := d.VerifyAudit(ctx, contest.SystemActor("test"))
		if err != nil || !res.OK {
			t.Fatalf("verify: %+v %v", res, err)
		}
	})
}

// TestWriteCancelled checks that a caller whose context has ended before
// its turn gets the context's error and leaves nothing behind.
func TestWriteCancelled(t *testing.T) {
	forEngine(t, func(t *testing.T, e db.Engine) {
		d := dbtest.MustOpen(t, e, nil)
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		a := &contest.Actor{UserID: 1, Username: "group.test", OrgID: 1}
		err := d.WriteForTest(cctx, a, func(exec func(string, ...any) error) error {
			return exec("INSERT INTO settings (key, value) VALUES ('cancelled', 'v')")
		})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v, want context.Canceled", err)
		}
		var got int
		if err := d.SQL().QueryRowContext(ctx, "SELECT COUNT(*) FROM settings WHERE key = 'cancelled'").Scan(&got); err != nil || got != 0 {
			t.Fatalf("rows %d, err %v", got, err)
		}
	})
}

// TestAuditBatchOneBadEntry checks that when the audit entries of a group,
// written in one statement, fail because of one entry, only that caller is
// refused: the others are retried alone and recorded. Text a database
// cannot store (NUL, invalid UTF-8) is cleaned rather than refused.
func TestAuditBatchOneBadEntry(t *testing.T) {
	forEngine(t, func(t *testing.T, e db.Engine) {
		d := dbtest.MustOpen(t, e, nil)
		poisoned := e == db.Postgres
		if poisoned {
			// A constraint only this test adds makes one entry unstorable.
			if _, err := d.SQL().ExecContext(ctx, "ALTER TABLE audit_log ADD CONSTRAINT test_poison CHECK (record_id <> 'poison')"); err != nil {
				t.Fatal(err)
			}
		}
		a := &contest.Actor{UserID: 1, Username: "batch\x00user\xff", OrgID: 1, ClientAddr: "127.0.0.1", Via: "test"}
		const n = 200
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				id := fmt.Sprint(i)
				if i == n/2 {
					id = "poison"
				}
				errs[i] = d.RecordAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditRead, Kind: contest.KindSubject, RecordID: id})
			}()
		}
		wg.Wait()
		for i, err := range errs {
			bad := poisoned && i == n/2
			if bad && contest.ErrorCode(err) != contest.EAUDIT {
				t.Errorf("poisoned entry: got %v, want EAUDIT", err)
			}
			if !bad && err != nil {
				t.Errorf("entry %d: %v", i, err)
			}
		}
		entries, total, err := d.FindAuditEntries(ctx, contest.SystemActor("test"), contest.AuditFilter{Kind: contest.KindSubject, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		want := n
		if poisoned {
			want--
		}
		if total != want {
			t.Errorf("%d entries recorded, want %d", total, want)
		}
		for _, en := range entries {
			if en.Username != "batch\ufffduser\ufffd" {
				t.Fatalf("username stored as %q", en.Username)
			}
		}
		res, err := d.VerifyAudit(ctx, contest.SystemActor("test"))
		if err != nil || !res.OK {
			t.Fatalf("verify: %+v %v", res, err)
		}
	})
}
