package web

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// sqlDBer is a store that exposes its database handle (a *db.DB does).
type sqlDBer interface {
	SQL() *sql.DB
}

// sqlSessionStore keeps scs sessions in the sessions table that the db
// package's migrations create (token TEXT PRIMARY KEY, data BLOB/BYTEA,
// expiry integer microseconds since the Unix epoch). The SQL is the same for
// SQLite and PostgreSQL. Because the sessions live in the shared database,
// several contest processes serve the same sessions.
//
// scs is configured with HashTokenInStore, so the table holds a hash of
// each session token, never the token itself.
type sqlSessionStore struct {
	src sqlDBer
}

func newSQLSessionStore(src sqlDBer) *sqlSessionStore { return &sqlSessionStore{src: src} }

func (s *sqlSessionStore) db() *sql.DB { return s.src.SQL() }

// FindCtx returns the data of an unexpired session.
func (s *sqlSessionStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	var b []byte
	err := s.db().QueryRowContext(ctx, `SELECT data FROM sessions WHERE token = $1 AND expiry > $2`,
		token, time.Now().UnixMicro()).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	} else if err != nil {
		return nil, false, err
	}
	return b, true, nil
}

// CommitCtx stores or replaces a session, and now and then sweeps expired
// ones.
func (s *sqlSessionStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	_, err := s.db().ExecContext(ctx, `INSERT INTO sessions (token, data, expiry) VALUES ($1, $2, $3)
		ON CONFLICT (token) DO UPDATE SET data = excluded.data, expiry = excluded.expiry`,
		token, b, expiry.UnixMicro())
	if err != nil {
		return err
	}
	if token != "" && token[0] == '0' { // now and then (the stored token is a hash)
		_, err = s.db().ExecContext(ctx, `DELETE FROM sessions WHERE expiry <= $1`, time.Now().UnixMicro())
	}
	return err
}

// DeleteCtx removes a session.
func (s *sqlSessionStore) DeleteCtx(ctx context.Context, token string) error {
	_, err := s.db().ExecContext(ctx, `DELETE FROM sessions WHERE token = $1`, token)
	return err
}

// Find implements scs.Store.
func (s *sqlSessionStore) Find(token string) ([]byte, bool, error) {
	return s.FindCtx(context.Background(), token)
}

// Commit implements scs.Store.
func (s *sqlSessionStore) Commit(token string, b []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), token, b, expiry)
}

// Delete implements scs.Store.
func (s *sqlSessionStore) Delete(token string) error {
	return s.DeleteCtx(context.Background(), token)
}
