-- +goose Up
-- Online terrorist content (issue 8): referrals to platforms, the files
-- officers capture (kept here, so every node serves them), the hash banks of
-- known material with their signals, the matches found, and the
-- notifications waiting to go to platforms.
CREATE TABLE content_referrals (
    id INTEGER PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    url TEXT NOT NULL,
    platform TEXT NOT NULL DEFAULT '',
    platform_org_id INTEGER NOT NULL DEFAULT 0,
    content_type TEXT NOT NULL,
    status TEXT NOT NULL,
    account_handle TEXT NOT NULL DEFAULT '',
    offence TEXT NOT NULL DEFAULT '',
    assessment_note TEXT NOT NULL DEFAULT '',
    assessed_by INTEGER NOT NULL DEFAULT 0,
    assessed_at INTEGER NOT NULL DEFAULT 0,
    requested_at INTEGER NOT NULL DEFAULT 0,
    platform_ref TEXT NOT NULL DEFAULT '',
    response TEXT NOT NULL DEFAULT '',
    response_note TEXT NOT NULL DEFAULT '',
    responded_at INTEGER NOT NULL DEFAULT 0,
    source_report_id INTEGER NOT NULL DEFAULT 0,
    raised_at INTEGER NOT NULL DEFAULT 0,
    classification INTEGER NOT NULL,
    owner_org_id INTEGER NOT NULL,
    area TEXT NOT NULL DEFAULT '',
    created_by INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_by INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    review_at INTEGER NOT NULL
);
CREATE INDEX content_referrals_status ON content_referrals(status, raised_at);
CREATE INDEX content_referrals_owner ON content_referrals(owner_org_id, status);
CREATE INDEX content_referrals_report ON content_referrals(source_report_id);

CREATE TABLE content_captures (
    id INTEGER PRIMARY KEY,
    referral_id INTEGER NOT NULL REFERENCES content_referrals(id),
    file_name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    md5 TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    pdq TEXT NOT NULL DEFAULT '',
    quality INTEGER NOT NULL DEFAULT 0,
    data BLOB NOT NULL,
    created_by INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX content_captures_referral ON content_captures(referral_id);
CREATE INDEX content_captures_sha256 ON content_captures(sha256);

CREATE TABLE hash_banks (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    labels TEXT NOT NULL DEFAULT '',
    enabled INTEGER NOT NULL DEFAULT 1,
    threshold INTEGER NOT NULL DEFAULT 31,
    classification INTEGER NOT NULL,
    owner_org_id INTEGER NOT NULL,
    area TEXT NOT NULL DEFAULT '',
    created_by INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_by INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    review_at INTEGER NOT NULL
);

-- Signals only ever grow (ids increase), so that every node's in-memory PDQ
-- index can catch up by reading the rows with an id above the last it saw.
CREATE TABLE hash_bank_signals (
    id INTEGER PRIMARY KEY,
    bank_id INTEGER NOT NULL REFERENCES hash_banks(id),
    signal_type TEXT NOT NULL,
    value TEXT NOT NULL,
    added_by INTEGER NOT NULL,
    added_at INTEGER NOT NULL,
    UNIQUE (bank_id, signal_type, value)
);
CREATE INDEX hash_bank_signals_value ON hash_bank_signals(signal_type, value);

CREATE TABLE content_matches (
    id INTEGER PRIMARY KEY,
    referral_id INTEGER NOT NULL REFERENCES content_referrals(id),
    capture_id INTEGER NOT NULL REFERENCES content_captures(id),
    signal_id INTEGER NOT NULL REFERENCES hash_bank_signals(id),
    bank_id INTEGER NOT NULL,
    signal_type TEXT NOT NULL,
    distance INTEGER NOT NULL,
    matched_at INTEGER NOT NULL,
    UNIQUE (capture_id, signal_id)
);
CREATE INDEX content_matches_referral ON content_matches(referral_id);

-- Notifications to platforms, recorded in the same transaction as the
-- change they announce and left pending for the webhook sender.
CREATE TABLE content_notifications (
    id INTEGER PRIMARY KEY,
    referral_id INTEGER NOT NULL REFERENCES content_referrals(id),
    platform_org_id INTEGER NOT NULL,
    event TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    created_at INTEGER NOT NULL
);
CREATE INDEX content_notifications_status ON content_notifications(status, id);

-- +goose Down
DROP TABLE content_notifications;
DROP TABLE content_matches;
DROP TABLE hash_bank_signals;
DROP TABLE hash_banks;
DROP TABLE content_captures;
DROP TABLE content_referrals;
