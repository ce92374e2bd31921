package db

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// SessionStore keeps web sessions in the database, so that any node can
// serve any request. It implements scs.CtxStore.
type SessionStore struct{ d *DB }

// SessionStore returns the store for scs.
func (d *DB) SessionStore() *SessionStore { return &SessionStore{d: d} }

// FindCtx returns a session's data if it exists and has not expired.
func (s *SessionStore) FindCtx(ctx context.Context, token string) ([]byte, bool, error) {
	var b []byte
	err := s.d.read.QueryRowContext(ctx, "SELECT data FROM sessions WHERE token = $1 AND expiry > $2", token, micros(s.d.now())).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	return b, err == nil, err
}

// CommitCtx stores a session.
func (s *SessionStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	_, err := s.d.write.ExecContext(ctx, `INSERT INTO sessions (token, data, expiry) VALUES ($1,$2,$3)
		ON CONFLICT (token) DO UPDATE SET data = excluded.data, expiry = excluded.expiry`, token, b, micros(expiry))
	return err
}

// DeleteCtx removes a session.
func (s *SessionStore) DeleteCtx(ctx context.Context, token string) error {
	_, err := s.d.write.ExecContext(ctx, "DELETE FROM sessions WHERE token = $1", token)
	return err
}

// Find implements scs.Store.
func (s *SessionStore) Find(token string) ([]byte, bool, error) {
	return s.FindCtx(context.Background(), token)
}

// Commit implements scs.Store.
func (s *SessionStore) Commit(token string, b []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), token, b, expiry)
}

// Delete implements scs.Store.
func (s *SessionStore) Delete(token string) error { return s.DeleteCtx(context.Background(), token) }

// DeleteExpired removes expired sessions; serve runs it periodically.
func (s *SessionStore) DeleteExpired(ctx context.Context) (int64, error) {
	r, err := s.d.write.ExecContext(ctx, "DELETE FROM sessions WHERE expiry <= $1", micros(s.d.now()))
	if err != nil {
		return 0, err
	}
	return r.RowsAffected()
}
