-- +goose Up
-- A Prevent officer's own referrals, for the home page.
CREATE INDEX prevent_referrals_owner ON prevent_referrals(owner_user_id, referred_at);

-- +goose Down
DROP INDEX prevent_referrals_owner;
