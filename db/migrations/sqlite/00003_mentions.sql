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

-- +goose Down
DROP TABLE possible_matches;
DROP TABLE person_mentions;
