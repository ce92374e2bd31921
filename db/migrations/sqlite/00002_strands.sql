-- +goose Up
-- The first records of the strands, enough for the demo and the home pages;
-- the strand issues extend them.
CREATE TABLE investigations (
    id INTEGER PRIMARY KEY,
    operation TEXT NOT NULL UNIQUE,
    summary TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    lead_user_id INTEGER NOT NULL DEFAULT 0,
    opened_at INTEGER NOT NULL,
    closed_at INTEGER NOT NULL DEFAULT 0,
    classification INTEGER NOT NULL,
    owner_org_id INTEGER NOT NULL,
    area TEXT NOT NULL DEFAULT '',
    created_by INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_by INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    review_at INTEGER NOT NULL
);
CREATE INDEX investigations_lead ON investigations(lead_user_id, status);

CREATE TABLE subjects (
    id INTEGER PRIMARY KEY,
    investigation_id INTEGER REFERENCES investigations(id),
    given_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    date_of_birth TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    priority TEXT NOT NULL DEFAULT '',
    owner_user_id INTEGER NOT NULL DEFAULT 0,
    closed_reason TEXT NOT NULL DEFAULT '',
    next_review_at INTEGER NOT NULL DEFAULT 0,
    classification INTEGER NOT NULL,
    owner_org_id INTEGER NOT NULL,
    area TEXT NOT NULL DEFAULT '',
    created_by INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_by INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    review_at INTEGER NOT NULL
);
CREATE INDEX subjects_status ON subjects(status, next_review_at);
CREATE INDEX subjects_investigation ON subjects(investigation_id);
CREATE INDEX subjects_owner ON subjects(owner_user_id, status);

CREATE TABLE prevent_referrals (
    id INTEGER PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    given_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    date_of_birth TEXT NOT NULL DEFAULT '',
    sector TEXT NOT NULL,
    concern TEXT NOT NULL,
    age INTEGER NOT NULL DEFAULT 0,
    gender TEXT NOT NULL DEFAULT '',
    region TEXT NOT NULL DEFAULT '',
    stage TEXT NOT NULL,
    referred_at INTEGER NOT NULL,
    owner_user_id INTEGER NOT NULL DEFAULT 0,
    classification INTEGER NOT NULL,
    owner_org_id INTEGER NOT NULL,
    area TEXT NOT NULL DEFAULT '',
    created_by INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_by INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    review_at INTEGER NOT NULL
);
CREATE INDEX prevent_referrals_area ON prevent_referrals(area, stage);
CREATE INDEX prevent_referrals_referred ON prevent_referrals(referred_at);

-- +goose Down
DROP TABLE prevent_referrals;
DROP TABLE subjects;
DROP TABLE investigations;
