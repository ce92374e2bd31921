package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/contest-ct/contest"
)

// Writes go through one writer goroutine per process, which commits them in
// groups: while one commit is being made durable (an fsync on SQLite with
// synchronous=FULL, a WAL flush on PostgreSQL) the callers that arrive queue
// up, and the next transaction runs all of them, each inside its own
// savepoint, and commits once. A caller's work either commits with its
// group or, if its function fails, is rolled back to its savepoint alone; a
// caller is answered only after the commit that holds its work is durable.
// This keeps "nothing acknowledged is lost" while one fsync serves many
// requests (the audit entry of every read is such a write).
//
// Several nodes sharing PostgreSQL each have their own writer; the audit
// chain is still serialised across nodes by the audit_head row lock.

// maxGroup bounds how many callers share one commit.
const maxGroup = 128

// Tx is a write transaction, or one caller's savepoint inside a group
// commit. Statements run through it are not cancelled by the caller's
// context: interrupting a statement could abort the whole group.
type Tx struct {
	*sql.Tx
	db    *DB
	now   time.Time
	after []func()
	group *groupState
}

// groupState is what the callers of one group share: the audit chain's
// head, read once under its lock and written back once before the commit.
type groupState struct {
	headLoaded bool
	seq        int64
	hash       string
	dirty      bool
}

// advance moves the head past e.
func (g *groupState) advance(e *contest.AuditEntry) {
	g.seq, g.hash, g.dirty = e.Seq, e.Hash, true
}

// flush writes the audit head back.
func (g *groupState) flush(d *DB, sqlTx *sql.Tx) error {
	if !g.dirty {
		return nil
	}
	st, err := d.auditStmts(context.Background())
	if err != nil {
		return d.auditErr(err)
	}
	if _, err := sqlTx.Stmt(st.update).Exec(g.seq, g.hash); err != nil {
		return d.auditErr(err)
	}
	return nil
}

// ExecContext runs a statement in the transaction.
func (tx *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return tx.Tx.ExecContext(context.WithoutCancel(ctx), query, args...)
}

// QueryContext runs a query in the transaction.
func (tx *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return tx.Tx.QueryContext(context.WithoutCancel(ctx), query, args...)
}

// QueryRowContext runs a query for one row in the transaction.
func (tx *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return tx.Tx.QueryRowContext(context.WithoutCancel(ctx), query, args...)
}

// StmtContext binds a prepared statement to the transaction.
func (tx *Tx) StmtContext(ctx context.Context, st *sql.Stmt) *sql.Stmt {
	return tx.Tx.StmtContext(context.WithoutCancel(ctx), st)
}

// afterCommit runs fn once the transaction holding this caller's work has
// committed (never if it rolled back).
func (tx *Tx) afterCommit(fn func()) { tx.after = append(tx.after, fn) }

// writeReq is one caller waiting for the writer.
type writeReq struct {
	ctx  context.Context
	fn   func(tx *Tx) error
	done chan error
	tx   Tx
	// An audit-only caller (the entry of a read, a refusal, a sign-in)
	// has no fn: its entry is written with the group's other entries in
	// one statement.
	actor *contest.Actor
	entry *contest.AuditEntry
}

// startWriter starts the writer goroutine; Close stops it.
func (d *DB) startWriter() {
	d.writes = make(chan *writeReq, maxGroup)
	d.writerDone = make(chan struct{})
	d.closing = make(chan struct{})
	go d.writer()
}

func (d *DB) stopWriter() {
	if d.closing == nil {
		return
	}
	d.stopOnce.Do(func() { close(d.closing) })
	<-d.writerDone
}

// WriteGroups reports how many group commits the writer has made and how
// many callers they served.
func (d *DB) WriteGroups() (groups, callers int64) { return d.groups.Load(), d.grouped.Load() }

// inWrite runs fn in a write transaction and returns once the transaction
// has committed (or fn's work has been rolled back). fn must not call
// inWrite itself.
func (d *DB) inWrite(ctx context.Context, fn func(tx *Tx) error) error {
	return d.enqueue(ctx, &writeReq{ctx: ctx, fn: fn, done: make(chan error, 1)})
}

// enqueue hands req to the writer and waits for its answer.
func (d *DB) enqueue(ctx context.Context, req *writeReq) error {
	select {
	case d.writes <- req:
	case <-ctx.Done():
		return ctx.Err()
	case <-d.closing:
		return errors.New("store closed")
	}
	// Wait for the answer even if ctx ends: fn may be running.
	return <-req.done
}

func (d *DB) writer() {
	defer close(d.writerDone)
	group := make([]*writeReq, 0, maxGroup)
	for {
		var first *writeReq
		select {
		case first = <-d.writes:
		case <-d.closing:
			// Answer whoever is still queued.
			for {
				select {
				case r := <-d.writes:
					r.done <- errors.New("store closed")
				default:
					return
				}
			}
		}
		group = append(group[:0], first)
	fill:
		for len(group) < maxGroup {
			select {
			case r := <-d.writes:
				group = append(group, r)
			default:
				break fill
			}
		}
		d.commitGroup(group)
	}
}

// commitGroup runs the callers' functions in one transaction and commits.
func (d *DB) commitGroup(group []*writeReq) {
	// Callers that gave up before their turn are not run.
	live := group[:0]
	for _, r := range group {
		if err := r.ctx.Err(); err != nil {
			r.done <- err
			continue
		}
		live = append(live, r)
	}
	if len(live) == 0 {
		return
	}
	d.groups.Add(1)
	d.grouped.Add(int64(len(live)))
	now := d.now()
	sqlTx, err := d.write.BeginTx(context.Background(), nil)
	if err != nil {
		for _, r := range live {
			r.done <- fmt.Errorf("begin: %w", err)
		}
		return
	}
	errs := make([]error, len(live))
	single := len(live) == 1 && live[0].fn != nil
	g := &groupState{}
	var audits []*writeReq
	var auditErrs []int
	for i, r := range live {
		r.tx = Tx{Tx: sqlTx, db: d, now: now, group: g}
		if r.fn == nil {
			audits = append(audits, r)
			auditErrs = append(auditErrs, i)
			continue
		}
		saved := *g
		if single {
			errs[i] = d.run(r)
			continue
		}
		if _, err := sqlTx.Exec("SAVEPOINT w"); err != nil {
			d.failGroup(sqlTx, live, fmt.Errorf("savepoint: %w", err))
			return
		}
		if errs[i] = d.run(r); errs[i] != nil {
			*g = saved
			if _, err := sqlTx.Exec("ROLLBACK TO SAVEPOINT w"); err != nil {
				d.failGroup(sqlTx, live, fmt.Errorf("rollback to savepoint: %w", err))
				return
			}
		}
		if _, err := sqlTx.Exec("RELEASE SAVEPOINT w"); err != nil {
			d.failGroup(sqlTx, live, fmt.Errorf("release savepoint: %w", err))
			return
		}
	}
	if single && errs[0] != nil {
		sqlTx.Rollback()
		live[0].done <- errs[0]
		return
	}
	if len(audits) > 0 {
		aerrs := make([]error, len(audits))
		tx := &Tx{Tx: sqlTx, db: d, now: now, group: g}
		if err := tx.appendAudits(context.Background(), audits, aerrs); err != nil {
			d.failGroup(sqlTx, live, d.auditErr(err))
			return
		}
		for k, i := range auditErrs {
			errs[i] = aerrs[k]
		}
	}
	if err := g.flush(d, sqlTx); err != nil {
		d.failGroup(sqlTx, live, err)
		return
	}
	if err := sqlTx.Commit(); err != nil {
		d.log.Error("group commit failed", "callers", len(live), "err", err)
		for _, r := range live {
			r.done <- fmt.Errorf("commit: %w", err)
		}
		return
	}
	for i, r := range live {
		if errs[i] == nil {
			for _, fn := range r.tx.after {
				fn()
			}
		}
		r.done <- errs[i]
	}
}

// run calls the caller's function, turning a panic into an internal error
// so that one bad request cannot stop the writer.
func (d *DB) run(r *writeReq) (err error) {
	defer func() {
		if p := recover(); p != nil {
			d.log.Error("panic in write transaction", "panic", p, "stack", string(debug.Stack()))
			err = fmt.Errorf("panic in write transaction: %v", p)
		}
	}()
	return r.fn(&r.tx)
}

// failGroup rolls back a group whose transaction broke and answers every
// caller with the error.
func (d *DB) failGroup(sqlTx *sql.Tx, live []*writeReq, err error) {
	sqlTx.Rollback()
	d.log.Error("group transaction failed", "callers", len(live), "err", err)
	for _, r := range live {
		r.done <- err
	}
}
