// Package audit computes the tamper-evident form of contest's audit trail:
// the keyed HMAC that hides sensitive values inside entries (as HashiCorp
// Vault's audit devices do) and the hash chain that links every entry to the
// one before it, so that editing, deleting, inserting or reordering a stored
// entry is found by Verify. Storage is elsewhere; this package is pure.
package audit

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/contest-ct/contest"
)

// HMACPrefix marks a value that has been replaced by its HMAC.
const HMACPrefix = "hmac-sha256:"

// Genesis is the previous hash of the first entry.
var Genesis = strings.Repeat("0", 64)

// Hasher holds the installation's secret key.
type Hasher struct {
	key []byte
}

// NewHasher returns a Hasher for key, which must be at least 32 bytes.
func NewHasher(key []byte) (*Hasher, error) {
	if len(key) < 32 {
		return nil, contest.Errorf(contest.EINTERNAL, "audit key must be at least 32 bytes")
	}
	return &Hasher{key: slices.Clone(key)}, nil
}

// HMAC returns "hmac-sha256:<hex>" of v under the key; "" stays "".
func (h *Hasher) HMAC(v string) string {
	if v == "" {
		return ""
	}
	m := hmac.New(sha256.New, h.key)
	m.Write([]byte(v))
	return HMACPrefix + hex.EncodeToString(m.Sum(nil))
}

// TimeFormat is how times enter the chain. It must never change, or old
// hashes stop matching.
const TimeFormat = "2006-01-02T15:04:05.000000Z"

// Normalize puts the entry's time into the form the chain hashes (UTC,
// microsecond precision, which both databases keep exactly).
func Normalize(e *contest.AuditEntry) {
	e.Time = e.Time.UTC().Truncate(time.Microsecond)
	// Text from outside (a typed user name, an id from a URL) may hold
	// bytes a database will not store as text: NUL, or invalid UTF-8.
	for _, p := range []*string{&e.Username, &e.RecordID, &e.ClientAddr, &e.Via, &e.Justification, &e.Recipient} {
		*p = cleanText(*p)
	}
	for k, v := range e.Detail {
		if c := cleanText(v); c != v {
			e.Detail[k] = c
		}
	}
}

func cleanText(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\ufffd")
	}
	if strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "\ufffd")
	}
	return s
}

// Sum returns the chain hash of e: SHA-256 over the previous hash and every
// field of the entry in a fixed, length-prefixed encoding. e.Hash is ignored.
func Sum(e *contest.AuditEntry) string {
	var buf [512]byte
	b := buf[:0]
	field := func(v string) {
		b = binary.BigEndian.AppendUint64(b, uint64(len(v)))
		b = append(b, v...)
	}
	num := func(v int64) {
		var tmp [20]byte
		field(string(strconv.AppendInt(tmp[:0], v, 10)))
	}
	field(e.PrevHash)
	num(e.Seq)
	var tb [32]byte
	field(string(e.Time.UTC().AppendFormat(tb[:0], TimeFormat)))
	num(e.UserID)
	field(e.Username)
	num(e.OrgID)
	field(string(e.Action))
	field(string(e.Kind))
	field(e.RecordID)
	field(e.Outcome)
	field(e.ClientAddr)
	field(e.Via)
	field(e.Justification)
	field(e.Recipient)
	field(EncodeDetail(e.Detail))
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// EncodeDetail is the canonical text of a detail map: sorted keys, each key
// and value length-prefixed. It is also how detail is stored.
func EncodeDetail(d map[string]string) string {
	if len(d) == 0 {
		return ""
	}
	keys := make([]string, 0, len(d))
	for k := range d {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(strconv.Itoa(len(k)))
		b.WriteByte(':')
		b.WriteString(k)
		b.WriteString(strconv.Itoa(len(d[k])))
		b.WriteByte(':')
		b.WriteString(d[k])
	}
	return b.String()
}

// DecodeDetail reverses EncodeDetail. It returns false for malformed text.
func DecodeDetail(s string) (map[string]string, bool) {
	if s == "" {
		return nil, true
	}
	d := map[string]string{}
	next := func() (string, bool) {
		i := strings.IndexByte(s, ':')
		if i <= 0 {
			return "", false
		}
		n, err := strconv.Atoi(s[:i])
		if err != nil || n < 0 || i+1+n > len(s) {
			return "", false
		}
		v := s[i+1 : i+1+n]
		s = s[i+1+n:]
		return v, true
	}
	for s != "" {
		k, ok := next()
		if !ok {
			return nil, false
		}
		v, ok := next()
		if !ok {
			return nil, false
		}
		d[k] = v
	}
	return d, true
}

// Chain checks entries one at a time, in sequence order.
type Chain struct {
	prev    string
	nextSeq int64
	n       int64
	bad     bool
	// FirstBad is the sequence number where the chain first broke.
	FirstBad int64
	// Problem says what was wrong there.
	Problem string
}

// NewChain starts checking at the first entry.
func NewChain() *Chain { return &Chain{prev: Genesis, nextSeq: 1} }

// Add checks the next stored entry and reports whether the chain is still
// whole. After the first failure it stays broken.
func (c *Chain) Add(e *contest.AuditEntry) bool {
	if c.bad {
		return false
	}
	c.n++
	fail := func(p string) bool {
		c.bad, c.FirstBad, c.Problem = true, e.Seq, p
		return false
	}
	switch {
	case e.Seq != c.nextSeq:
		// A missing or inserted entry, or one moved: name where the
		// sequence first departs from 1, 2, 3...
		c.bad, c.FirstBad = true, c.nextSeq
		c.Problem = "entry " + strconv.FormatInt(c.nextSeq, 10) + " is missing or out of order (found " + strconv.FormatInt(e.Seq, 10) + ")"
		return false
	case e.PrevHash != c.prev:
		return fail("previous-hash link does not match the entry before it")
	case Sum(e) != e.Hash:
		return fail("entry contents do not match its hash")
	}
	c.prev = e.Hash
	c.nextSeq++
	return true
}

// Count is how many entries were checked.
func (c *Chain) Count() int64 { return c.n }

// OK reports whether every entry so far was good.
func (c *Chain) OK() bool { return !c.bad }

// Head is the hash of the last good entry.
func (c *Chain) Head() string { return c.prev }
