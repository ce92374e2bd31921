-- +goose Up
-- A Prevent officer's own referrals, for the home page.
CREATE INDEX prevent_referrals_owner ON prevent_referrals(owner_user_id, referred_at);
-- Referrals counted by stage within what the reader may see: the index
-- alone answers, in stage order.
CREATE INDEX prevent_referrals_stage_access ON prevent_referrals(stage, classification, owner_org_id, area);

-- +goose Down
DROP INDEX prevent_referrals_stage_access;
DROP INDEX prevent_referrals_owner;
