package match_test

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/contest-ct/contest/match"
)

func FuzzReadCSV(f *testing.F) {
	f.Add("rec_id, given_name, surname\nrec-1-org, ann, lee\n")
	f.Add("rec_id,date_of_birth,postcode,phone\nx,1985-13-45,sw1a1aa,+44 (0)20\n")
	f.Add("rec_id\n\"unterminated\n")
	f.Fuzz(func(t *testing.T, in string) {
		ps, err := match.ReadCSV(strings.NewReader(in), "rec_id")
		if err != nil {
			return
		}
		ix := match.NewIndex(match.Options{})
		for _, p := range ps {
			if p.ID == "" {
				t.Fatalf("record without id: %+v", p)
			}
			_ = ix.Add(p)
			ix.Query(p, match.QueryOptions{})
		}
	})
}

func FuzzParsers(f *testing.F) {
	for _, s := range []string{"Mohammed Al-Rashid", "O'Brien", "Сергей", "19850312", "12/03/1985", "SW1A 1AA", "+44 (0)20 7946 0018", "ß", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := match.NormalizeName(s)
		if match.NormalizeName(n) != n {
			t.Errorf("NormalizeName not idempotent on %q: %q then %q", s, n, match.NormalizeName(n))
		}
		_ = match.Phonetic(s)
		if d, err := match.ParseDate(s); err == nil && (d.Month > 99 || d.Day > 99 || d.Year > 9999 || d.Year < 0) {
			t.Errorf("ParseDate(%q) = %+v", s, d)
		}
		pc := match.NormalizePostcode(s)
		if match.NormalizePostcode(pc) != pc {
			t.Errorf("NormalizePostcode not idempotent on %q: %q", s, pc)
		}
		ph := match.NormalizePhone(s)
		if match.NormalizePhone(ph) != ph {
			t.Errorf("NormalizePhone not idempotent on %q: %q then %q", s, ph, match.NormalizePhone(ph))
		}
		if !utf8.ValidString(s) {
			return
		}
		if jw := match.JaroWinkler(s, n); jw < 0 || jw > 1 {
			t.Errorf("JaroWinkler out of range: %v", jw)
		}
		_ = bytes.MinRead
	})
}
