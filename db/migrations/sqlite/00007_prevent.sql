-- +goose Up
-- Prevent (issue 6): the statutory-guidance answers of a referral, its
-- screening (timed steps, the decision), referrals routed to the
-- investigation team, vulnerability assessments, consent, the panel
-- (meetings, members, agenda, papers), support plans with their sessions,
-- and the reviews after exit.
ALTER TABLE prevent_referrals ADD COLUMN details TEXT NOT NULL DEFAULT '{}';
ALTER TABLE prevent_referrals ADD COLUMN screening_decision TEXT NOT NULL DEFAULT '';
ALTER TABLE prevent_referrals ADD COLUMN screening_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE prevent_referrals ADD COLUMN signposted_to TEXT NOT NULL DEFAULT '';
ALTER TABLE prevent_referrals ADD COLUMN screened_by INTEGER NOT NULL DEFAULT 0;
ALTER TABLE prevent_referrals ADD COLUMN screened_at INTEGER NOT NULL DEFAULT 0;
CREATE INDEX prevent_referrals_created_by ON prevent_referrals(created_by);
-- A year's statistics read this index alone (it covers the year, the
-- statistics fields, the stage and the access columns).
CREATE INDEX prevent_referrals_stats ON prevent_referrals(referred_at, age, gender, concern, sector, region, stage, classification, owner_org_id, area);

CREATE TABLE prevent_screening_steps (
    id INTEGER PRIMARY KEY,
    referral_id INTEGER NOT NULL REFERENCES prevent_referrals(id),
    step TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    finished_at INTEGER NOT NULL,
    done_by INTEGER NOT NULL,
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX prevent_screening_steps_referral ON prevent_screening_steps(referral_id, id);

CREATE TABLE prevent_deconflictions (
    id INTEGER PRIMARY KEY,
    referral_id INTEGER NOT NULL UNIQUE REFERENCES prevent_referrals(id),
    reference TEXT NOT NULL,
    possible_matches TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    classification INTEGER NOT NULL,
    owner_org_id INTEGER NOT NULL,
    area TEXT NOT NULL DEFAULT '',
    created_by INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_by INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    review_at INTEGER NOT NULL
);

CREATE TABLE prevent_assessments (
    id INTEGER PRIMARY KEY,
    referral_id INTEGER NOT NULL REFERENCES prevent_referrals(id),
    ratings TEXT NOT NULL,
    engagement INTEGER NOT NULL,
    intent INTEGER NOT NULL,
    capability INTEGER NOT NULL,
    summary TEXT NOT NULL DEFAULT '',
    assessed_by INTEGER NOT NULL,
    assessed_at INTEGER NOT NULL
);
CREATE INDEX prevent_assessments_referral ON prevent_assessments(referral_id, id);

CREATE TABLE prevent_consents (
    id INTEGER PRIMARY KEY,
    referral_id INTEGER NOT NULL REFERENCES prevent_referrals(id),
    decision TEXT NOT NULL,
    basis TEXT NOT NULL,
    given_by TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    recorded_by INTEGER NOT NULL,
    recorded_at INTEGER NOT NULL
);
CREATE INDEX prevent_consents_referral ON prevent_consents(referral_id, id);

CREATE TABLE panel_meetings (
    id INTEGER PRIMARY KEY,
    held_at INTEGER NOT NULL,
    chair_user_id INTEGER NOT NULL,
    status TEXT NOT NULL,
    classification INTEGER NOT NULL,
    owner_org_id INTEGER NOT NULL,
    area TEXT NOT NULL DEFAULT '',
    created_by INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_by INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    review_at INTEGER NOT NULL
);
CREATE INDEX panel_meetings_area ON panel_meetings(area, held_at);

CREATE TABLE panel_members (
    meeting_id INTEGER NOT NULL REFERENCES panel_meetings(id),
    user_id INTEGER NOT NULL,
    attendance TEXT NOT NULL DEFAULT 'expected',
    PRIMARY KEY (meeting_id, user_id)
);
CREATE INDEX panel_members_user ON panel_members(user_id);

CREATE TABLE panel_agenda (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES panel_meetings(id),
    referral_id INTEGER NOT NULL REFERENCES prevent_referrals(id),
    position INTEGER NOT NULL,
    decision TEXT NOT NULL DEFAULT '',
    minutes TEXT NOT NULL DEFAULT '',
    actions TEXT NOT NULL DEFAULT '',
    minuted_by INTEGER NOT NULL DEFAULT 0,
    minuted_at INTEGER NOT NULL DEFAULT 0,
    UNIQUE (meeting_id, referral_id)
);
CREATE INDEX panel_agenda_referral ON panel_agenda(referral_id);

CREATE TABLE panel_papers (
    id INTEGER PRIMARY KEY,
    meeting_id INTEGER NOT NULL REFERENCES panel_meetings(id),
    referral_id INTEGER NOT NULL DEFAULT 0,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    added_by INTEGER NOT NULL,
    added_at INTEGER NOT NULL
);
CREATE INDEX panel_papers_meeting ON panel_papers(meeting_id);

CREATE TABLE support_plans (
    id INTEGER PRIMARY KEY,
    referral_id INTEGER NOT NULL UNIQUE REFERENCES prevent_referrals(id),
    providers TEXT NOT NULL,
    goals TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    outcome TEXT NOT NULL DEFAULT '',
    exit_reason TEXT NOT NULL DEFAULT '',
    opened_by INTEGER NOT NULL,
    opened_at INTEGER NOT NULL,
    exited_by INTEGER NOT NULL DEFAULT 0,
    exited_at INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE support_sessions (
    id INTEGER PRIMARY KEY,
    plan_id INTEGER NOT NULL REFERENCES support_plans(id),
    provider TEXT NOT NULL,
    held_at INTEGER NOT NULL,
    progress TEXT NOT NULL,
    recorded_by INTEGER NOT NULL,
    recorded_at INTEGER NOT NULL
);
CREATE INDEX support_sessions_plan ON support_sessions(plan_id, held_at);

CREATE TABLE prevent_reviews (
    id INTEGER PRIMARY KEY,
    referral_id INTEGER NOT NULL REFERENCES prevent_referrals(id),
    months INTEGER NOT NULL,
    due_at INTEGER NOT NULL,
    owner_user_id INTEGER NOT NULL,
    outcome TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    done_by INTEGER NOT NULL DEFAULT 0,
    done_at INTEGER NOT NULL DEFAULT 0,
    UNIQUE (referral_id, months)
);
CREATE INDEX prevent_reviews_owner ON prevent_reviews(owner_user_id, done_at, due_at);

-- The Desistance and Disengagement Programme: people on licence or subject
-- to measures, mandated or voluntary.
CREATE TABLE ddp_cases (
    id INTEGER PRIMARY KEY,
    given_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    date_of_birth TEXT NOT NULL DEFAULT '',
    basis TEXT NOT NULL,
    mandated INTEGER NOT NULL,
    provider TEXT NOT NULL,
    status TEXT NOT NULL,
    owner_user_id INTEGER NOT NULL,
    classification INTEGER NOT NULL,
    owner_org_id INTEGER NOT NULL,
    area TEXT NOT NULL DEFAULT '',
    created_by INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    updated_by INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    review_at INTEGER NOT NULL
);

CREATE TABLE ddp_sessions (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES ddp_cases(id),
    provider TEXT NOT NULL,
    held_at INTEGER NOT NULL,
    progress TEXT NOT NULL,
    recorded_by INTEGER NOT NULL,
    recorded_at INTEGER NOT NULL
);
CREATE INDEX ddp_sessions_case ON ddp_sessions(case_id, held_at);

-- +goose Down
DROP TABLE ddp_sessions;
DROP TABLE ddp_cases;
DROP TABLE prevent_reviews;
DROP TABLE support_sessions;
DROP TABLE support_plans;
DROP TABLE panel_papers;
DROP TABLE panel_agenda;
DROP TABLE panel_members;
DROP TABLE panel_meetings;
DROP TABLE prevent_consents;
DROP TABLE prevent_assessments;
DROP TABLE prevent_deconflictions;
DROP TABLE prevent_screening_steps;
DROP INDEX prevent_referrals_stats;
DROP INDEX prevent_referrals_created_by;
ALTER TABLE prevent_referrals DROP COLUMN screened_at;
ALTER TABLE prevent_referrals DROP COLUMN screened_by;
ALTER TABLE prevent_referrals DROP COLUMN signposted_to;
ALTER TABLE prevent_referrals DROP COLUMN screening_reason;
ALTER TABLE prevent_referrals DROP COLUMN screening_decision;
ALTER TABLE prevent_referrals DROP COLUMN details;
