package db

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2Params are the argon2id cost parameters.
type Argon2Params struct {
	Time    uint32
	MemoryK uint32 // KiB
	Threads uint8
}

func (p Argon2Params) withDefaults() Argon2Params {
	if p.Time == 0 {
		p.Time = 3
	}
	if p.MemoryK == 0 {
		p.MemoryK = 64 * 1024
	}
	if p.Threads == 0 {
		p.Threads = 2
	}
	return p
}

// TestArgon2 are cheap parameters for tests only.
var TestArgon2 = Argon2Params{Time: 1, MemoryK: 64, Threads: 1}

// hashPassword returns a PHC-style argon2id string.
func hashPassword(p Argon2Params, password string) string {
	salt := make([]byte, 16)
	rand.Read(salt)
	key := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryK, p.Threads, 32)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.MemoryK, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

// checkPassword compares in constant time. A malformed hash never matches.
func checkPassword(encoded, password string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var v int
	var p Argon2Params
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryK, &p.Time, &p.Threads); err != nil ||
		p.Time == 0 || p.Threads == 0 || p.MemoryK > 4*1024*1024 || p.Time > 100 {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) == 0 || len(want) > 128 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryK, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// validPassword enforces the length rules of ASVS 5.0 (6.2.1, 6.2.9): at
// least 12 characters, at most 128 (argon2 does not truncate), any
// characters allowed.
func validPassword(pw string) string {
	switch n := len([]rune(pw)); {
	case n < 12:
		return "Password must be at least 12 characters"
	case n > 128:
		return "Password must be 128 characters or fewer"
	}
	return ""
}

// hashBounded hashes a password, at most cap(d.sem) at a time, since each
// hash takes the argon2 memory cost.
func (d *DB) hashBounded(password string) string {
	d.sem <- struct{}{}
	defer func() { <-d.sem }()
	return hashPassword(d.argon, password)
}

// checkBounded checks a password under the same bound.
func (d *DB) checkBounded(encoded, password string) bool {
	d.sem <- struct{}{}
	defer func() { <-d.sem }()
	return checkPassword(encoded, password)
}
