package db

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/contest-ct/contest"
)

// Backup writes a consistent copy of the database to path. On SQLite it
// uses VACUUM INTO, which reads one snapshot while the service runs; on
// PostgreSQL use pg_dump, and Backup says so. The backup is audited as an
// export.
func (d *DB) Backup(ctx context.Context, a *contest.Actor, path string) error {
	if d.engine == Postgres {
		return contest.Errorf(contest.EINVALID, "On PostgreSQL, back up with pg_dump (for example: pg_dump --format=custom --file=contest.dump \"$CONTEST_DB\").")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	if _, err := os.Stat(abs); err == nil {
		return contest.Errorf(contest.EINVALID, "%s already exists; choose a new file.", path)
	}
	if err := d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditExport, Kind: contest.KindAudit, Recipient: "backup",
		Detail: map[string]string{"file": d.hasher.HMAC(abs)}}); err != nil {
		return err
	}
	if _, err := d.write.ExecContext(ctx, "VACUUM INTO $1", abs); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}
