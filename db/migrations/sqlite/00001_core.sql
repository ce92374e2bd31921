-- +goose Up
-- Times are integer microseconds since the Unix epoch, UTC, in both engines,
-- so that one SQL text serves SQLite and PostgreSQL.
CREATE TABLE orgs (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    area TEXT NOT NULL DEFAULT '',
    classification INTEGER NOT NULL DEFAULT 1,
    owner_org_id INTEGER NOT NULL DEFAULT 0,
    created_by INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_by INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL,
    review_at INTEGER NOT NULL
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES orgs(id),
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    email TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL,
    vetting INTEGER NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    password_hash TEXT NOT NULL,
    totp_secret TEXT NOT NULL DEFAULT '',
    totp_last_step INTEGER NOT NULL DEFAULT 0,
    last_sign_in INTEGER NOT NULL DEFAULT 0,
    session_epoch INTEGER NOT NULL DEFAULT 0,
    area TEXT NOT NULL DEFAULT '',
    classification INTEGER NOT NULL DEFAULT 1,
    owner_org_id INTEGER NOT NULL,
    created_by INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_by INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL,
    review_at INTEGER NOT NULL
);
CREATE INDEX users_org ON users(org_id);

CREATE TABLE compartments (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    area TEXT NOT NULL DEFAULT '',
    classification INTEGER NOT NULL DEFAULT 1,
    owner_org_id INTEGER NOT NULL,
    created_by INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_by INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL,
    review_at INTEGER NOT NULL
);

CREATE TABLE compartment_members (
    compartment_id INTEGER NOT NULL REFERENCES compartments(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    added_by INTEGER NOT NULL,
    added_at INTEGER NOT NULL,
    PRIMARY KEY (compartment_id, user_id)
);
CREATE INDEX compartment_members_user ON compartment_members(user_id);

-- The compartments of every record of every kind.
CREATE TABLE record_compartments (
    kind TEXT NOT NULL,
    record_id INTEGER NOT NULL,
    compartment_id INTEGER NOT NULL REFERENCES compartments(id),
    PRIMARY KEY (kind, record_id, compartment_id)
);

CREATE TABLE threat_levels (
    id INTEGER PRIMARY KEY,
    level INTEGER NOT NULL,
    rationale TEXT NOT NULL,
    changed_by INTEGER NOT NULL,
    changed_at INTEGER NOT NULL
);

CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    username TEXT NOT NULL,
    org_id INTEGER NOT NULL,
    action TEXT NOT NULL,
    kind TEXT NOT NULL,
    record_id TEXT NOT NULL,
    outcome TEXT NOT NULL,
    client_addr TEXT NOT NULL,
    via TEXT NOT NULL,
    justification TEXT NOT NULL,
    recipient TEXT NOT NULL,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_user ON audit_log(user_id, seq);
CREATE INDEX audit_log_record ON audit_log(kind, record_id);
CREATE INDEX audit_log_at ON audit_log(at);

-- The head of the chain: one row, locked by every append.
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Append-only: the database itself refuses to change or remove an entry.
-- (Someone with file access can still drop the trigger; the hash chain is
-- what catches that.)
-- +goose StatementBegin
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
-- +goose StatementEnd

CREATE TABLE sessions (
    token TEXT PRIMARY KEY,
    data BLOB NOT NULL,
    expiry INTEGER NOT NULL
);
CREATE INDEX sessions_expiry ON sessions(expiry);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0
);

-- Sign-in throttling, keyed by username (whether or not it exists) and by
-- client address.
CREATE TABLE sign_in_throttle (
    key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    window_start INTEGER NOT NULL,
    locked_until INTEGER NOT NULL
);

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- +goose Down
DROP TABLE settings;
DROP TABLE sign_in_throttle;
DROP TABLE api_tokens;
DROP TABLE sessions;
DROP TABLE audit_head;
DROP TABLE audit_log;
DROP TABLE threat_levels;
DROP TABLE record_compartments;
DROP TABLE compartment_members;
DROP TABLE compartments;
DROP TABLE users;
DROP TABLE orgs;
