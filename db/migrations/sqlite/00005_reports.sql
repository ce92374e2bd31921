-- +goose Up
-- Reports from the public, call handlers and businesses, and what the
-- triage desk decides about them. Lists given in a report (people,
-- vehicles, links, contact, business detail) are kept as JSON in detail;
-- the identifiers in them are indexed, normalised, in report_keys.
CREATE TABLE reports (
    id INTEGER PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    channel TEXT NOT NULL,
    what TEXT NOT NULL,
    place TEXT NOT NULL DEFAULT '',
    happened_at INTEGER NOT NULL DEFAULT 0,
    detail TEXT NOT NULL,
    threat_to_life INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    grade_source INTEGER NOT NULL DEFAULT 0,
    grade_assessment TEXT NOT NULL DEFAULT '',
    grade_handling TEXT NOT NULL DEFAULT '',
    grade_rank INTEGER NOT NULL DEFAULT 99,
    outcome TEXT NOT NULL DEFAULT '',
    outcome_reason TEXT NOT NULL DEFAULT '',
    linked_investigation INTEGER NOT NULL DEFAULT 0,
    triaged_by INTEGER NOT NULL DEFAULT 0,
    triaged_at INTEGER NOT NULL DEFAULT 0,
    cluster_id INTEGER NOT NULL DEFAULT 0,
    signature TEXT NOT NULL DEFAULT '',
    received_at INTEGER NOT NULL,
    due_at INTEGER NOT NULL,
    classification INTEGER NOT NULL,
    owner_org_id INTEGER NOT NULL,
    area TEXT NOT NULL DEFAULT '',
    created_by INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_by INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    review_at INTEGER NOT NULL
);
CREATE INDEX reports_queue ON reports(status, threat_to_life, received_at);
CREATE INDEX reports_cluster ON reports(cluster_id, status);

-- Normalised identifiers (phone:, email:, vehicle:, postcode:, link:) and
-- the MinHash bands (band:) of each report, for exact matches across
-- reports and for finding near-duplicates.
CREATE TABLE report_keys (
    key TEXT NOT NULL,
    report_id INTEGER NOT NULL REFERENCES reports(id),
    PRIMARY KEY (key, report_id)
);
CREATE INDEX report_keys_report ON report_keys(report_id);

-- Attachments, kept in the database (so that every node sharing it has
-- them) byte for byte as received.
CREATE TABLE report_attachments (
    id INTEGER PRIMARY KEY,
    report_id INTEGER NOT NULL REFERENCES reports(id),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    data BLOB NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX report_attachments_report ON report_attachments(report_id);

-- Clusters the desk marked as a false rumour, with the public statement.
CREATE TABLE report_rumours (
    cluster_id INTEGER PRIMARY KEY,
    statement TEXT NOT NULL,
    reason TEXT NOT NULL,
    decided_by INTEGER NOT NULL,
    published_at INTEGER NOT NULL
);

-- The regulated explosives precursors and poisons businesses report on
-- (Poisons Act 1972, Schedules 1A and 1B). Data, not code.
CREATE TABLE report_substances (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    category TEXT NOT NULL
);
INSERT INTO report_substances (code, name, category) VALUES
    ('hydrogen_peroxide', 'Hydrogen peroxide', 'regulated_precursor'),
    ('nitromethane', 'Nitromethane', 'regulated_precursor'),
    ('nitric_acid', 'Nitric acid', 'regulated_precursor'),
    ('potassium_chlorate', 'Potassium chlorate', 'regulated_precursor'),
    ('potassium_perchlorate', 'Potassium perchlorate', 'regulated_precursor'),
    ('sodium_chlorate', 'Sodium chlorate', 'regulated_precursor'),
    ('sodium_perchlorate', 'Sodium perchlorate', 'regulated_precursor'),
    ('sulphuric_acid', 'Sulphuric acid', 'regulated_precursor'),
    ('ammonium_nitrate', 'Ammonium nitrate', 'reportable_precursor'),
    ('hexamine', 'Hexamine', 'reportable_precursor'),
    ('acetone', 'Acetone', 'reportable_precursor'),
    ('potassium_nitrate', 'Potassium nitrate', 'reportable_precursor'),
    ('sodium_nitrate', 'Sodium nitrate', 'reportable_precursor'),
    ('calcium_nitrate', 'Calcium nitrate', 'reportable_precursor'),
    ('calcium_ammonium_nitrate', 'Calcium ammonium nitrate', 'reportable_precursor'),
    ('aluminium_powder', 'Aluminium powders', 'reportable_precursor'),
    ('magnesium_powder', 'Magnesium powders', 'reportable_precursor'),
    ('magnesium_nitrate', 'Magnesium nitrate hexahydrate', 'reportable_precursor'),
    ('aluminium_phosphide', 'Aluminium phosphide', 'regulated_poison'),
    ('arsenic', 'Arsenic and its compounds', 'regulated_poison'),
    ('barium_salts', 'Barium salts', 'regulated_poison'),
    ('mercury_salts', 'Mercuric chloride, iodide and organic mercury compounds', 'regulated_poison'),
    ('sodium_azide', 'Sodium azide', 'regulated_poison'),
    ('strychnine', 'Strychnine and its salts', 'regulated_poison'),
    ('thallium_salts', 'Thallium salts', 'regulated_poison'),
    ('zinc_phosphide', 'Zinc phosphide', 'regulated_poison'),
    ('sodium_cyanide', 'Cyanides (sodium, potassium)', 'reportable_poison'),
    ('fluoroacetic_acid', 'Fluoroacetic acid and its salts', 'reportable_poison'),
    ('nicotine', 'Nicotine and its salts (concentrated)', 'reportable_poison');

-- +goose Down
DROP TABLE report_substances;
DROP TABLE report_rumours;
DROP TABLE report_attachments;
DROP TABLE report_keys;
DROP TABLE reports;
