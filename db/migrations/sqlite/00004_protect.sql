-- +goose Up
-- Protect: industry sectors, partners' machine channels, bulletins with
-- their audiences, recipients, cascades and delivery outbox, the premises
-- register with assessments, findings and emergency plans, and training
-- records.

-- An industry sector, led by a sector lead organisation, and its members.
CREATE TABLE sectors (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    lead_org_id INTEGER NOT NULL REFERENCES orgs(id),
    created_by INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE TABLE org_sectors (
    sector_id INTEGER NOT NULL REFERENCES sectors(id),
    org_id INTEGER NOT NULL REFERENCES orgs(id),
    PRIMARY KEY (sector_id, org_id)
);
CREATE INDEX org_sectors_org ON org_sectors(org_id);

-- A partner's webhook and feed. The webhook secret signs deliveries (so it
-- is kept as it is); the feed token is kept only as its SHA-256.
CREATE TABLE partner_channels (
    org_id INTEGER PRIMARY KEY REFERENCES orgs(id),
    webhook_url TEXT NOT NULL DEFAULT '',
    webhook_secret TEXT NOT NULL DEFAULT '',
    clearance INTEGER NOT NULL DEFAULT 1,
    feed_token_hash TEXT NOT NULL DEFAULT '',
    feed_issued_at INTEGER NOT NULL DEFAULT 0,
    updated_by INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX partner_channels_feed ON partner_channels(feed_token_hash) WHERE feed_token_hash <> '';

CREATE TABLE bulletins (
    id INTEGER PRIMARY KEY,
    type TEXT NOT NULL,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    public INTEGER NOT NULL DEFAULT 0,
    audience TEXT NOT NULL,
    status TEXT NOT NULL,
    published_at INTEGER NOT NULL DEFAULT 0,
    published_by INTEGER NOT NULL DEFAULT 0,
    threat_change_id INTEGER NOT NULL DEFAULT 0,
    rounds INTEGER NOT NULL DEFAULT 0,
    classification INTEGER NOT NULL,
    owner_org_id INTEGER NOT NULL,
    area TEXT NOT NULL DEFAULT '',
    created_by INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_by INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    review_at INTEGER NOT NULL
);
CREATE INDEX bulletins_public ON bulletins(public, status, published_at);

-- The organisations a bulletin went to, and how (the audience, or a
-- sector lead's cascade).
CREATE TABLE bulletin_orgs (
    bulletin_id INTEGER NOT NULL REFERENCES bulletins(id),
    org_id INTEGER NOT NULL REFERENCES orgs(id),
    via TEXT NOT NULL,
    cascade_id INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (bulletin_id, org_id)
);
CREATE INDEX bulletin_orgs_org ON bulletin_orgs(org_id, bulletin_id);

-- The people a bulletin went to (vetting permitting), and their
-- acknowledgements.
CREATE TABLE bulletin_recipients (
    bulletin_id INTEGER NOT NULL REFERENCES bulletins(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    org_id INTEGER NOT NULL,
    via TEXT NOT NULL,
    cascade_id INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    acked_at INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (bulletin_id, user_id)
);
CREATE INDEX bulletin_recipients_user ON bulletin_recipients(user_id, bulletin_id);

CREATE TABLE bulletin_cascades (
    id INTEGER PRIMARY KEY,
    bulletin_id INTEGER NOT NULL REFERENCES bulletins(id),
    sector_id INTEGER NOT NULL REFERENCES sectors(id),
    by_org_id INTEGER NOT NULL,
    by_user_id INTEGER NOT NULL,
    at INTEGER NOT NULL,
    orgs INTEGER NOT NULL,
    recipients INTEGER NOT NULL
);
CREATE INDEX bulletin_cascades_bulletin ON bulletin_cascades(bulletin_id);

-- The delivery outbox: one row per e-mail or webhook to send, written in
-- the transaction that publishes. delivery_key is the stable Message-ID /
-- idempotency key of the delivery. A worker claims rows by setting
-- lease_owner and lease_until, and marks a row sent in the transaction
-- that follows the last byte of the message (see package deliver).
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    delivery_key TEXT NOT NULL UNIQUE,
    channel TEXT NOT NULL,
    bulletin_id INTEGER NOT NULL,
    user_id INTEGER NOT NULL DEFAULT 0,
    org_id INTEGER NOT NULL,
    target TEXT NOT NULL,
    round INTEGER NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_owner TEXT NOT NULL DEFAULT '',
    lease_until INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    sent_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX outbox_due ON outbox(status, next_attempt_at, id);
CREATE INDEX outbox_bulletin ON outbox(bulletin_id, channel, status);
CREATE INDEX outbox_lease ON outbox(lease_owner, status);

CREATE TABLE premises (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    postcode TEXT NOT NULL DEFAULT '',
    premises_use TEXT NOT NULL DEFAULT '',
    capacity INTEGER NOT NULL,
    responsible_person TEXT NOT NULL,
    responsible_email TEXT NOT NULL DEFAULT '',
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
CREATE INDEX premises_owner ON premises(owner_org_id);
CREATE INDEX premises_review ON premises(next_review_at);

CREATE TABLE premises_assessments (
    id INTEGER PRIMARY KEY,
    premises_id INTEGER NOT NULL REFERENCES premises(id),
    adviser_id INTEGER NOT NULL,
    assessed_at INTEGER NOT NULL,
    summary TEXT NOT NULL,
    next_review_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX premises_assessments_premises ON premises_assessments(premises_id);

CREATE TABLE premises_findings (
    id INTEGER PRIMARY KEY,
    assessment_id INTEGER NOT NULL REFERENCES premises_assessments(id),
    premises_id INTEGER NOT NULL REFERENCES premises(id),
    text TEXT NOT NULL,
    priority TEXT NOT NULL,
    due_at INTEGER NOT NULL,
    resolved_at INTEGER NOT NULL DEFAULT 0,
    resolved_by INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX premises_findings_due ON premises_findings(resolved_at, due_at);
CREATE INDEX premises_findings_premises ON premises_findings(premises_id);

CREATE TABLE premises_plans (
    id INTEGER PRIMARY KEY,
    premises_id INTEGER NOT NULL REFERENCES premises(id),
    name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    content BLOB NOT NULL,
    uploaded_by INTEGER NOT NULL,
    uploaded_at INTEGER NOT NULL
);
CREATE INDEX premises_plans_premises ON premises_plans(premises_id);

CREATE TABLE training_records (
    id INTEGER PRIMARY KEY,
    person_name TEXT NOT NULL,
    job TEXT NOT NULL DEFAULT '',
    module TEXT NOT NULL,
    completed_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    classification INTEGER NOT NULL,
    owner_org_id INTEGER NOT NULL,
    area TEXT NOT NULL DEFAULT '',
    created_by INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_by INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    review_at INTEGER NOT NULL
);
CREATE INDEX training_records_owner ON training_records(owner_org_id, module);

-- +goose Down
DROP TABLE training_records;
DROP TABLE premises_plans;
DROP TABLE premises_findings;
DROP TABLE premises_assessments;
DROP TABLE premises;
DROP TABLE outbox;
DROP TABLE bulletin_cascades;
DROP TABLE bulletin_recipients;
DROP TABLE bulletin_orgs;
DROP TABLE bulletins;
DROP TABLE partner_channels;
DROP TABLE org_sectors;
DROP TABLE sectors;
