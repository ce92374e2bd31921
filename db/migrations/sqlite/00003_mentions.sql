-- +goose Up
-- Every mention of a person in any strand, with the access metadata of the
-- record it came from, and the matches found between mentions.
CREATE TABLE person_mentions (
    id INTEGER PRIMARY KEY,
    source_kind TEXT NOT NULL,
    source_id INTEGER NOT NULL,
    role TEXT NOT NULL DEFAULT '',
    person TEXT NOT NULL,
    person_id INTEGER NOT NULL DEFAULT 0,
    -- When this mention was compared with every earlier one (0: not yet).
    matched_at INTEGER NOT NULL DEFAULT 0,
    classification INTEGER NOT NULL,
    owner_org_id INTEGER NOT NULL,
    area TEXT NOT NULL DEFAULT '',
    created_by INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_by INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    review_at INTEGER NOT NULL
);
CREATE INDEX person_mentions_source ON person_mentions(source_kind, source_id);
CREATE INDEX person_mentions_person ON person_mentions(person_id);
CREATE INDEX person_mentions_unmatched ON person_mentions(matched_at, id);
CREATE INDEX person_mentions_updated ON person_mentions(updated_at);

-- A candidate pair found by matching: the newer mention and an older one,
-- with the weight, probability and reasons. A named person confirms or
-- rejects it.
CREATE TABLE possible_matches (
    id INTEGER PRIMARY KEY,
    mention_id INTEGER NOT NULL REFERENCES person_mentions(id),
    candidate_id INTEGER NOT NULL REFERENCES person_mentions(id),
    weight REAL NOT NULL,
    probability REAL NOT NULL,
    reasons TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open',
    decided_by INTEGER NOT NULL DEFAULT 0,
    decided_at INTEGER NOT NULL DEFAULT 0,
    decision_reason TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    UNIQUE (mention_id, candidate_id)
);
CREATE INDEX possible_matches_status ON possible_matches(status, created_at);
CREATE INDEX possible_matches_candidate ON possible_matches(candidate_id);

-- A new match or link to a closed subject opens a re-assessment for whoever
-- manages that subject, carrying the new information.
CREATE TABLE subject_reassessments (
    id INTEGER PRIMARY KEY,
    subject_id INTEGER NOT NULL REFERENCES subjects(id),
    possible_match_id INTEGER NOT NULL DEFAULT 0,
    reason TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open',
    decided_by INTEGER NOT NULL DEFAULT 0,
    decided_at INTEGER NOT NULL DEFAULT 0,
    decision_reason TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);
CREATE INDEX subject_reassessments_status ON subject_reassessments(status, created_at);
CREATE UNIQUE INDEX subject_reassessments_match ON subject_reassessments(subject_id, possible_match_id);

-- +goose Down
DROP TABLE subject_reassessments;
DROP TABLE possible_matches;
DROP TABLE person_mentions;
