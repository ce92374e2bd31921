// Package db stores contest's records in SQLite (the embedded default,
// through modernc.org/sqlite) or PostgreSQL (through pgx), behind the service
// interfaces of the root package. The SQL text is shared between the engines
// wherever they agree: placeholders are $N (both drivers bind by number),
// times are integer microseconds, flags are integers.
//
// Every exported method makes the one access decision (package access) and
// writes its audit entry in the same transaction as the change, so an action
// whose audit entry cannot be written does not happen. Reads write their
// audit entry before any data is returned.
//
// Several contest processes may share one PostgreSQL database: the only
// state held in process is the connection pools and the audit HMAC key, and
// the audit chain is serialised by a row lock on audit_head.
package db

import (
	"context"
	"crypto/rand"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/audit"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

//go:embed migrations
var migrations embed.FS

// Engine names a database engine.
type Engine string

// The engines.
const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// Config says where the data is and how to treat it.
type Config struct {
	// DSN is a postgres:// URL, or empty for SQLite in DataDir.
	DSN string
	// DataDir holds the SQLite database file and the secret key file
	// (default ./contest-data).
	DataDir string
	// SecretKey is the installation's audit HMAC key (at least 32 bytes).
	// When empty it is read from DataDir/secret.key (SQLite) or the
	// settings table (PostgreSQL, shared by all nodes), and made on first
	// use.
	SecretKey []byte
	// Now returns the current time; tests fix it.
	Now func() time.Time
	// Logger receives structured logs.
	Logger *slog.Logger
	// Argon2 parameters for password hashes; zero values take the
	// defaults (t=3, 64 MiB, p=2). Tests use tiny ones.
	Argon2 Argon2Params
	// ReadConns is the size of the read pool (default 8).
	ReadConns int
	// Durable makes SQLite fsync every commit (synchronous=FULL); without
	// it commits survive a crash of the process but not of the machine.
	// Default true.
	NotDurable bool
}

// DB is the store. It implements contest.Store.
type DB struct {
	engine Engine
	read   *sql.DB // SQLite: many connections; PostgreSQL: the same pool as write
	write  *sql.DB // SQLite: one connection
	cfg    Config
	now    func() time.Time
	log    *slog.Logger
	hasher *audit.Hasher
	argon  Argon2Params
	sem    chan struct{} // bounds concurrent password hashing
	path   string

	stmts         *auditStatements
	mentionInsert *sql.Stmt

	// The writer goroutine and its queue (write.go).
	writes     chan *writeReq
	closing    chan struct{}
	writerDone chan struct{}
	stopOnce   sync.Once
	groups     atomic.Int64
	grouped    atomic.Int64

	// matcher is this node's person-match index (match.go).
	matcher matcher

	dummyOnce sync.Once
	dummyHash string
}

var _ contest.Store = (*DB)(nil)

// Open opens (creating if need be) the database, applies migrations and
// loads the audit key.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.ReadConns <= 0 {
		cfg.ReadConns = 8
	}
	if cfg.DataDir == "" {
		cfg.DataDir = "contest-data"
	}
	d := &DB{cfg: cfg, now: func() time.Time { return cfg.Now().UTC() }, log: cfg.Logger, argon: cfg.Argon2.withDefaults()}
	d.sem = make(chan struct{}, 2)
	var err error
	if strings.HasPrefix(cfg.DSN, "postgres://") || strings.HasPrefix(cfg.DSN, "postgresql://") {
		d.engine = Postgres
		d.write, err = sql.Open("pgx", cfg.DSN)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		d.write.SetMaxOpenConns(cfg.ReadConns + 4)
		d.write.SetMaxIdleConns(cfg.ReadConns)
		d.write.SetConnMaxIdleTime(5 * time.Minute)
		d.read = d.write
	} else {
		if cfg.DSN != "" {
			return nil, contest.Errorf(contest.EINVALID, "--db must be a postgres:// URL; leave it empty for SQLite in --data")
		}
		d.engine = SQLite
		if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("make data directory: %w", err)
		}
		d.path = filepath.Join(cfg.DataDir, "contest.db")
		sync := "FULL"
		if cfg.NotDurable {
			sync = "NORMAL"
		}
		// busy_timeout first, so that it covers the pragmas after it.
		base := "file:" + (&url.URL{Path: d.path}).EscapedPath() + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)" +
			"&_pragma=synchronous(" + sync + ")&_pragma=foreign_keys(ON)&_pragma=temp_store(MEMORY)&_pragma=cache_size(-32000)"
		d.write, err = sql.Open("sqlite", base+"&_txlock=immediate")
		if err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		d.write.SetMaxOpenConns(1)
		d.write.SetMaxIdleConns(1)
		d.write.SetConnMaxLifetime(0)
		d.read, err = sql.Open("sqlite", base+"&_pragma=query_only(ON)")
		if err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		d.read.SetMaxOpenConns(cfg.ReadConns)
		d.read.SetMaxIdleConns(cfg.ReadConns)
	}
	if err := d.migrate(ctx); err != nil {
		d.Close()
		return nil, err
	}
	if err := d.prepareAudit(ctx); err != nil {
		d.Close()
		return nil, fmt.Errorf("prepare audit: %w", err)
	}
	if d.mentionInsert, err = d.write.PrepareContext(ctx, mentionInsertSQL); err != nil {
		d.Close()
		return nil, fmt.Errorf("prepare mentions: %w", err)
	}
	if err := d.loadKey(ctx); err != nil {
		d.Close()
		return nil, err
	}
	d.startWriter()
	return d, nil
}

// Engine reports which engine the store runs on.
func (d *DB) Engine() Engine { return d.engine }

// SQL returns the write pool, for tests and tools that need raw access.
func (d *DB) SQL() *sql.DB { return d.write }

// Path is the SQLite database file, or "" on PostgreSQL.
func (d *DB) Path() string { return d.path }

// Close closes the pools.
func (d *DB) Close() error {
	d.stopWriter()
	var errs []error
	if d.read != nil && d.read != d.write {
		errs = append(errs, d.read.Close())
	}
	if d.write != nil {
		errs = append(errs, d.write.Close())
	}
	return errors.Join(errs...)
}

// Ping reports whether the database answers.
func (d *DB) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	var one int
	return d.read.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

func (d *DB) migrate(ctx context.Context) error {
	dir, dialect := "migrations/sqlite", goose.DialectSQLite3
	var opts []goose.ProviderOption
	if d.engine == Postgres {
		dir, dialect = "migrations/postgres", goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return fmt.Errorf("migration lock: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	sub, err := fs.Sub(migrations, dir)
	if err != nil {
		return err
	}
	opts = append(opts, goose.WithDisableGlobalRegistry(true))
	p, err := goose.NewProvider(dialect, d.write, sub, opts...)
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	res, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, r := range res {
		d.log.Info("migration applied", "engine", d.engine, "version", r.Source.Version, "file", filepath.Base(r.Source.Path))
	}
	return nil
}

// MigrationVersion returns the current schema version.
func (d *DB) MigrationVersion(ctx context.Context) (int64, error) {
	var v int64
	err := d.read.QueryRowContext(ctx, "SELECT COALESCE(MAX(version_id), 0) FROM goose_db_version WHERE is_applied = $1", d.boolArg(true)).Scan(&v)
	return v, err
}

func (d *DB) boolArg(b bool) any {
	if d.engine == Postgres {
		return b
	}
	if b {
		return 1
	}
	return 0
}

func (d *DB) loadKey(ctx context.Context) error {
	key := d.cfg.SecretKey
	if len(key) == 0 {
		var err error
		if d.engine == SQLite {
			key, err = keyFromFile(filepath.Join(d.cfg.DataDir, "secret.key"))
		} else {
			key, err = d.keyFromSettings(ctx)
		}
		if err != nil {
			return err
		}
	}
	h, err := audit.NewHasher(key)
	if err != nil {
		return err
	}
	d.hasher = h
	return nil
}

func keyFromFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		k := make([]byte, 32)
		rand.Read(k)
		enc := hex.EncodeToString(k)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, fmt.Errorf("create secret key: %w", err)
		}
		if _, err := f.WriteString(enc + "\n"); err != nil {
			f.Close()
			return nil, fmt.Errorf("write secret key: %w", err)
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return nil, err
		}
		return k, f.Close()
	} else if err != nil {
		return nil, fmt.Errorf("read secret key: %w", err)
	}
	return hex.DecodeString(strings.TrimSpace(string(b)))
}

func (d *DB) keyFromSettings(ctx context.Context) ([]byte, error) {
	k := make([]byte, 32)
	rand.Read(k)
	// Whichever node gets there first sets the key; the others read it.
	if _, err := d.write.ExecContext(ctx, "INSERT INTO settings (key, value) VALUES ('audit_key', $1) ON CONFLICT (key) DO NOTHING", hex.EncodeToString(k)); err != nil {
		return nil, fmt.Errorf("store audit key: %w", err)
	}
	var v string
	if err := d.write.QueryRowContext(ctx, "SELECT value FROM settings WHERE key = 'audit_key'").Scan(&v); err != nil {
		return nil, fmt.Errorf("read audit key: %w", err)
	}
	return hex.DecodeString(v)
}

// micros converts a time to the stored form.
func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

// fromMicros converts the stored form back.
func fromMicros(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMicro(v).UTC()
}
