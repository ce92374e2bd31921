-- +goose Up
-- Notices to online platforms (a content referral addressed to them) go
-- out by signed webhook: claimed under a lease by one node, retried with
-- backoff, marked sent or given up.
ALTER TABLE content_notifications ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE content_notifications ADD COLUMN next_attempt_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE content_notifications ADD COLUMN lease_owner TEXT NOT NULL DEFAULT '';
ALTER TABLE content_notifications ADD COLUMN lease_until INTEGER NOT NULL DEFAULT 0;
ALTER TABLE content_notifications ADD COLUMN last_error TEXT NOT NULL DEFAULT '';
ALTER TABLE content_notifications ADD COLUMN sent_at INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE content_notifications DROP COLUMN sent_at;
ALTER TABLE content_notifications DROP COLUMN last_error;
ALTER TABLE content_notifications DROP COLUMN lease_until;
ALTER TABLE content_notifications DROP COLUMN lease_owner;
ALTER TABLE content_notifications DROP COLUMN next_attempt_at;
ALTER TABLE content_notifications DROP COLUMN attempts;
