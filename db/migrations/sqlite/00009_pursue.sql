-- +goose Up
-- Pursue (issue 5): leads, the decisions on subjects of interest, actions
-- as in a major incident room, and outcomes.
CREATE TABLE leads (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL,
    summary TEXT NOT NULL,
    status TEXT NOT NULL,
    investigation_id INTEGER NOT NULL DEFAULT 0,
    closed_reason TEXT NOT NULL DEFAULT '',
    classification INTEGER NOT NULL,
    owner_org_id INTEGER NOT NULL,
    area TEXT NOT NULL DEFAULT '',
    created_by INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_by INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    review_at INTEGER NOT NULL
);
CREATE INDEX leads_status ON leads(status, id);

-- Each classification change of an investigation, with its reason.
CREATE TABLE investigation_classifications (
    id INTEGER PRIMARY KEY,
    investigation_id INTEGER NOT NULL REFERENCES investigations(id),
    from_classification INTEGER NOT NULL,
    to_classification INTEGER NOT NULL,
    reason TEXT NOT NULL,
    decided_by INTEGER NOT NULL,
    decided_at INTEGER NOT NULL
);
CREATE INDEX investigation_classifications_inv ON investigation_classifications(investigation_id, id);

-- Each priority decision on a subject: the tier, the rationale and the
-- next review date, recorded by a named person.
CREATE TABLE subject_priorities (
    id INTEGER PRIMARY KEY,
    subject_id INTEGER NOT NULL REFERENCES subjects(id),
    tier TEXT NOT NULL,
    rationale TEXT NOT NULL,
    next_review_at INTEGER NOT NULL,
    decided_by INTEGER NOT NULL,
    decided_at INTEGER NOT NULL
);
CREATE INDEX subject_priorities_subject ON subject_priorities(subject_id, id);

-- A structured assessment of intent, capability and imminence, completed
-- by a person. Nothing computes it.
CREATE TABLE subject_assessments (
    id INTEGER PRIMARY KEY,
    subject_id INTEGER NOT NULL REFERENCES subjects(id),
    intent TEXT NOT NULL,
    capability TEXT NOT NULL,
    imminence TEXT NOT NULL,
    notes TEXT NOT NULL DEFAULT '',
    assessed_by INTEGER NOT NULL,
    assessed_at INTEGER NOT NULL
);
CREATE INDEX subject_assessments_subject ON subject_assessments(subject_id, id);

-- Decided scheduled re-assessments moved out of the queue when a subject is
-- closed again (the queue holds one scheduled re-assessment per subject).
CREATE TABLE subject_review_history (
    id INTEGER PRIMARY KEY,
    subject_id INTEGER NOT NULL REFERENCES subjects(id),
    reason TEXT NOT NULL,
    status TEXT NOT NULL,
    decided_by INTEGER NOT NULL,
    decided_at INTEGER NOT NULL,
    decision_reason TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE actions (
    id INTEGER PRIMARY KEY,
    investigation_id INTEGER NOT NULL REFERENCES investigations(id),
    subject_id INTEGER NOT NULL DEFAULT 0,
    title TEXT NOT NULL,
    details TEXT NOT NULL DEFAULT '',
    category TEXT NOT NULL,
    priority TEXT NOT NULL,
    status TEXT NOT NULL,
    raised_by INTEGER NOT NULL,
    raised_at INTEGER NOT NULL,
    allocated_to INTEGER NOT NULL DEFAULT 0,
    allocated_by INTEGER NOT NULL DEFAULT 0,
    allocated_at INTEGER NOT NULL DEFAULT 0,
    due_at INTEGER NOT NULL DEFAULT 0,
    result TEXT NOT NULL DEFAULT '',
    elimination_code TEXT NOT NULL DEFAULT '',
    resulted_by INTEGER NOT NULL DEFAULT 0,
    resulted_at INTEGER NOT NULL DEFAULT 0,
    review_note TEXT NOT NULL DEFAULT '',
    reviewed_by INTEGER NOT NULL DEFAULT 0,
    reviewed_at INTEGER NOT NULL DEFAULT 0,
    filed_by INTEGER NOT NULL DEFAULT 0,
    filed_at INTEGER NOT NULL DEFAULT 0,
    classification INTEGER NOT NULL,
    owner_org_id INTEGER NOT NULL,
    area TEXT NOT NULL DEFAULT '',
    created_by INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_by INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    review_at INTEGER NOT NULL
);
CREATE INDEX actions_investigation ON actions(investigation_id, id);
CREATE INDEX actions_allocated ON actions(allocated_to, status);
CREATE INDEX actions_due ON actions(status, due_at);

CREATE TABLE outcomes (
    id INTEGER PRIMARY KEY,
    investigation_id INTEGER NOT NULL REFERENCES investigations(id),
    subject_id INTEGER NOT NULL DEFAULT 0,
    type TEXT NOT NULL,
    occurred_on TEXT NOT NULL,
    legislation TEXT NOT NULL DEFAULT '',
    offence TEXT NOT NULL DEFAULT '',
    sentence TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    classification INTEGER NOT NULL,
    owner_org_id INTEGER NOT NULL,
    area TEXT NOT NULL DEFAULT '',
    created_by INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_by INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    review_at INTEGER NOT NULL
);
CREATE INDEX outcomes_investigation ON outcomes(investigation_id, id);
CREATE INDEX outcomes_type ON outcomes(type);

-- POLE: people, objects, locations and events of an investigation, and
-- typed links between any two, each with its source and 3x5x2 grading.
CREATE TABLE pole_entities (
    id INTEGER PRIMARY KEY,
    investigation_id INTEGER NOT NULL REFERENCES investigations(id),
    type TEXT NOT NULL,
    label TEXT NOT NULL,
    details TEXT NOT NULL DEFAULT '',
    classification INTEGER NOT NULL,
    owner_org_id INTEGER NOT NULL,
    area TEXT NOT NULL DEFAULT '',
    created_by INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_by INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    review_at INTEGER NOT NULL
);
CREATE INDEX pole_entities_investigation ON pole_entities(investigation_id, id);

CREATE TABLE pole_links (
    id INTEGER PRIMARY KEY,
    from_entity INTEGER NOT NULL REFERENCES pole_entities(id),
    to_entity INTEGER NOT NULL REFERENCES pole_entities(id),
    type TEXT NOT NULL,
    source TEXT NOT NULL,
    source_grade TEXT NOT NULL,
    intel_grade TEXT NOT NULL,
    handling TEXT NOT NULL,
    classification INTEGER NOT NULL,
    owner_org_id INTEGER NOT NULL,
    area TEXT NOT NULL DEFAULT '',
    created_by INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_by INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    review_at INTEGER NOT NULL
);
CREATE INDEX pole_links_from ON pole_links(from_entity);
CREATE INDEX pole_links_to ON pole_links(to_entity);

-- +goose Down
DROP TABLE pole_links;
DROP TABLE pole_entities;
DROP TABLE outcomes;
DROP TABLE actions;
DROP TABLE subject_review_history;
DROP TABLE subject_assessments;
DROP TABLE subject_priorities;
DROP TABLE investigation_classifications;
DROP TABLE leads;
