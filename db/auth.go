package db

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/access"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// Sign-in throttling: after UserFailures failures for one username (whether
// or not the account exists) within ThrottleWindow, or AddrFailures from one
// client address, further attempts are refused until the lock expires.
const (
	UserFailures   = 5
	AddrFailures   = 50
	ThrottleWindow = 15 * time.Minute
)

var errSignIn = &contest.Error{Code: contest.EUNAUTHORIZED, Message: "Enter a correct username, password and security code."}

var errThrottled = &contest.Error{Code: contest.ETOOMANY, Message: "Too many failed sign-in attempts. Wait 15 minutes, then try again."}

func (d *DB) throttled(ctx context.Context, keys ...string) (bool, error) {
	now := micros(d.now())
	for _, k := range keys {
		var until int64
		err := d.read.QueryRowContext(ctx, "SELECT locked_until FROM sign_in_throttle WHERE key = $1", k).Scan(&until)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		} else if err != nil {
			return false, err
		}
		if until > now {
			return true, nil
		}
	}
	return false, nil
}

// recordFailure counts a failure against key inside tx.
func (tx *Tx) recordFailure(ctx context.Context, key string, limit int) error {
	now := micros(tx.now)
	var failures int
	var start int64
	err := tx.QueryRowContext(ctx, "SELECT failures, window_start FROM sign_in_throttle WHERE key = $1", key).Scan(&failures, &start)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && now-start > ThrottleWindow.Microseconds()) {
		failures, start = 0, now
	} else if err != nil {
		return err
	}
	failures++
	var until int64
	if failures >= limit {
		until = now + ThrottleWindow.Microseconds()
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO sign_in_throttle (key, failures, window_start, locked_until) VALUES ($1,$2,$3,$4)
		ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, window_start = excluded.window_start, locked_until = excluded.locked_until`,
		key, failures, start, until)
	return err
}

// SignIn implements contest.AuthService.
func (d *DB) SignIn(ctx context.Context, req contest.SignInRequest) (*contest.Actor, error) {
	username := strings.ToLower(strings.TrimSpace(req.Username))
	if len(username) > 64 || len(req.Password) > 1024 {
		username = username[:min(len(username), 64)]
	}
	ukey, akey := "user:"+username, "addr:"+req.ClientAddr
	who := &contest.Actor{Username: username, ClientAddr: req.ClientAddr, Via: req.Via}
	fail := func(reason string, answer error) (*contest.Actor, error) {
		err := d.inWrite(ctx, func(tx *Tx) error {
			if answer == errSignIn {
				if err := tx.recordFailure(ctx, ukey, UserFailures); err != nil {
					return err
				}
				if err := tx.recordFailure(ctx, akey, AddrFailures); err != nil {
					return err
				}
			}
			return tx.appendAudit(ctx, who, &contest.AuditEntry{Action: contest.AuditSignInFail, Kind: contest.KindSession,
				Outcome: contest.OutcomeDenied, Detail: map[string]string{"reason": reason}})
		})
		if err != nil {
			return nil, d.auditErr(err)
		}
		return nil, answer
	}
	if locked, err := d.throttled(ctx, ukey, akey); err != nil {
		return nil, err
	} else if locked {
		return fail("throttled", errThrottled)
	}
	u, err := d.userBy(ctx, d.read, "username", username)
	if err != nil {
		return nil, err
	}
	var hash string
	if u != nil {
		if err := d.read.QueryRowContext(ctx, "SELECT password_hash FROM users WHERE id = $1", u.ID).Scan(&hash); err != nil {
			return nil, err
		}
	} else {
		// A missing account takes as long to refuse as a wrong password.
		d.dummyOnce.Do(func() { d.dummyHash = hashPassword(d.argon, "not a password anyone has") })
		hash = d.dummyHash
	}
	ok := d.checkBounded(hash, req.Password)
	switch {
	case u == nil:
		return fail("unknown user", errSignIn)
	case !ok:
		who.UserID, who.OrgID = u.ID, u.OrgID
		return fail("bad password", errSignIn)
	case u.Disabled:
		who.UserID, who.OrgID = u.ID, u.OrgID
		return fail("disabled", errSignIn)
	}
	who.UserID, who.OrgID = u.ID, u.OrgID
	enrolled := true
	if u.totpSecret != "" {
		step, ok := checkTOTP(u.totpSecret, req.TOTPCode, d.now())
		if !ok {
			return fail("bad security code", errSignIn)
		}
		var last int64
		if err := d.read.QueryRowContext(ctx, "SELECT totp_last_step FROM users WHERE id = $1", u.ID).Scan(&last); err != nil {
			return nil, err
		}
		if step <= last {
			return fail("security code reused", errSignIn)
		}
		if _, err := d.write.ExecContext(ctx, "UPDATE users SET totp_last_step = $1 WHERE id = $2 AND totp_last_step < $1", step, u.ID); err != nil {
			return nil, err
		}
	} else if u.NeedsTOTP() {
		enrolled = false
	}
	a, err := d.actor(ctx, u, req.ClientAddr, req.Via)
	if err != nil {
		return nil, err
	}
	a.TOTPEnrolled = enrolled
	err = d.inWrite(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE users SET last_sign_in = $1 WHERE id = $2", micros(tx.now), u.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM sign_in_throttle WHERE key = $1", ukey); err != nil {
			return err
		}
		detail := map[string]string{}
		if !enrolled {
			detail["second_factor"] = "enrolment required"
		} else if u.totpSecret != "" {
			detail["second_factor"] = "totp"
		}
		return tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditSignIn, Kind: contest.KindSession, RecordID: itoa(u.ID), Detail: detail})
	})
	if err != nil {
		return nil, d.auditErr(err)
	}
	return a, nil
}

// actor builds the Actor for a user row.
func (d *DB) actor(ctx context.Context, u *userRow, addr, via string) (*contest.Actor, error) {
	org, err := d.orgByID(ctx, d.read, u.OrgID)
	if err != nil {
		return nil, err
	}
	comps, err := d.userCompartments(ctx, d.read, u.ID)
	if err != nil {
		return nil, err
	}
	return &contest.Actor{UserID: u.ID, Username: u.Username, DisplayName: u.DisplayName, OrgID: org.ID, OrgName: org.Name,
		OrgKind: org.Kind, OrgArea: org.Area, Role: u.Role, Vetting: u.Vetting, Compartments: comps, ClientAddr: addr, Via: via,
		TOTPEnrolled: u.totpSecret != "" || !u.NeedsTOTP(), SessionEpoch: u.epoch}, nil
}

// ActorForUser implements contest.AuthService.
func (d *DB) ActorForUser(ctx context.Context, userID int64, clientAddr, via string) (*contest.Actor, error) {
	u, err := d.userBy(ctx, d.read, "id", userID)
	if err != nil {
		return nil, err
	}
	if u == nil || u.Disabled {
		return nil, contest.Errorf(contest.EUNAUTHORIZED, "Your session has ended. Sign in again.")
	}
	return d.actor(ctx, u, clientAddr, via)
}

const tokenPrefix = "ct_"

func tokenHash(tok string) string {
	s := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(s[:])
}

// ActorForToken implements contest.AuthService.
func (d *DB) ActorForToken(ctx context.Context, tok, clientAddr string) (*contest.Actor, error) {
	bad := contest.Errorf(contest.EUNAUTHORIZED, "The bearer token is missing, expired or revoked.")
	if !strings.HasPrefix(tok, tokenPrefix) || len(tok) > 100 {
		return nil, bad
	}
	var uid, expires int64
	var revoked int
	err := d.read.QueryRowContext(ctx, "SELECT user_id, expires_at, revoked FROM api_tokens WHERE token_hash = $1", tokenHash(tok)).Scan(&uid, &expires, &revoked)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (revoked != 0 || expires <= micros(d.now()))) {
		return nil, bad
	} else if err != nil {
		return nil, err
	}
	u, err := d.userBy(ctx, d.read, "id", uid)
	if err != nil {
		return nil, err
	}
	if u == nil || u.Disabled {
		return nil, bad
	}
	a, err := d.actor(ctx, u, clientAddr, "api")
	if err != nil {
		return nil, err
	}
	// A token is issued only after a full sign-in (with the second factor
	// where required), so it carries that assurance.
	a.TOTPEnrolled = true
	return a, nil
}

// CreateToken implements contest.AuthService.
func (d *DB) CreateToken(ctx context.Context, a *contest.Actor, userID int64, name string, ttl time.Duration) (string, error) {
	if userID == 0 {
		userID = a.UserID
	}
	if userID != a.UserID || a.System {
		if err := d.forbid(ctx, a, access.Admin, contest.AuditTokenCreated, contest.KindToken, ""); err != nil {
			return "", err
		}
	} else if err := d.forbid(ctx, a, access.Create, contest.AuditTokenCreated, contest.KindToken, ""); err != nil {
		return "", err
	}
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 100 {
		return "", &contest.Error{Code: contest.EINVALID, Message: "There is a problem with the information you gave.",
			Fields: []contest.FieldError{{Field: "name", Message: "Enter a name for the token, 100 characters or fewer"}}}
	}
	if ttl <= 0 || ttl > 365*24*time.Hour {
		ttl = 90 * 24 * time.Hour
	}
	raw := make([]byte, 32)
	rand.Read(raw)
	tok := tokenPrefix + base64.RawURLEncoding.EncodeToString(raw)
	err := d.inWrite(ctx, func(tx *Tx) error {
		u, err := d.userBy(ctx, tx, "id", userID)
		if err != nil {
			return err
		}
		if u == nil || u.Disabled {
			return contest.NotFound(contest.KindUser)
		}
		var id int64
		if err := tx.QueryRowContext(ctx, "INSERT INTO api_tokens (user_id, name, token_hash, created_at, expires_at) VALUES ($1,$2,$3,$4,$5) RETURNING id",
			userID, name, tokenHash(tok), micros(tx.now), micros(tx.now.Add(ttl))).Scan(&id); err != nil {
			return err
		}
		return tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditTokenCreated, Kind: contest.KindToken, RecordID: itoa(id),
			Detail: map[string]string{"user_id": itoa(userID), "expires": tx.now.Add(ttl).Format(time.RFC3339)}})
	})
	if err != nil {
		return "", err
	}
	return tok, nil
}

// checkTOTP validates a six-digit code for the current step or one either
// side, returning the step it matched.
func checkTOTP(secret, code string, now time.Time) (int64, bool) {
	code = strings.ReplaceAll(strings.TrimSpace(code), " ", "")
	if len(code) != 6 {
		return 0, false
	}
	step := now.Unix() / 30
	opts := totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
	for _, s := range []int64{step - 1, step, step + 1} {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(s*30, 0), opts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return s, true
		}
	}
	return 0, false
}

// BeginTOTP implements contest.AuthService.
func (d *DB) BeginTOTP(ctx context.Context, a *contest.Actor) (string, string, error) {
	if a == nil || a.UserID == 0 {
		return "", "", contest.Errorf(contest.EUNAUTHORIZED, "Sign in first.")
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: "contest", AccountName: a.Username, Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return "", "", fmt.Errorf("totp: %w", err)
	}
	return key.Secret(), key.URL(), nil
}

// ConfirmTOTP implements contest.AuthService.
func (d *DB) ConfirmTOTP(ctx context.Context, a *contest.Actor, secret, code string) error {
	if a == nil || a.UserID == 0 {
		return contest.Errorf(contest.EUNAUTHORIZED, "Sign in first.")
	}
	step, ok := checkTOTP(secret, code, d.now())
	if !ok || len(secret) < 16 || len(secret) > 128 {
		return &contest.Error{Code: contest.EINVALID, Message: "There is a problem with the information you gave.",
			Fields: []contest.FieldError{{Field: "code", Message: "Enter the 6-digit security code shown in your authenticator app"}}}
	}
	return d.inWrite(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE users SET totp_secret = $1, totp_last_step = $2 WHERE id = $3", secret, step, a.UserID); err != nil {
			return err
		}
		return tx.appendAudit(ctx, a, &contest.AuditEntry{Action: contest.AuditPermission, Kind: contest.KindUser, RecordID: itoa(a.UserID),
			Detail: map[string]string{"second_factor": "totp enrolled"}})
	})
}

// SignOut implements contest.AuthService.
func (d *DB) SignOut(ctx context.Context, a *contest.Actor) error {
	return d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditSignOut, Kind: contest.KindSession, RecordID: itoa(a.UserID)})
}
