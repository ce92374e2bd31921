package match

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Person is one record about a person, as it arrives from any source.
// Every field except ID is optional.
type Person struct {
	// ID is an opaque key chosen by the caller. It is returned in results and
	// never used for matching.
	ID string `json:"id"`
	// Given, Middle and Family are the person's names as written.
	Given  string `json:"given,omitempty"`
	Middle string `json:"middle,omitempty"`
	Family string `json:"family,omitempty"`
	// Aliases are other names the person is known by.
	Aliases []Name `json:"aliases,omitempty"`
	// DOB is the date of birth, possibly partial.
	DOB Date `json:"dob,omitzero"`
	// Addresses are current and former addresses.
	Addresses []Address `json:"addresses,omitempty"`
	// Phones, Emails, Documents and Handles are contact details, identity
	// document numbers (passport, national insurance, social security ...)
	// and online handles, in any common format.
	Phones    []string `json:"phones,omitempty"`
	Emails    []string `json:"emails,omitempty"`
	Documents []string `json:"documents,omitempty"`
	Handles   []string `json:"handles,omitempty"`
}

// Name is an alternative name of a person.
type Name struct {
	Given  string `json:"given,omitempty"`
	Middle string `json:"middle,omitempty"`
	Family string `json:"family,omitempty"`
}

// Address is a postal address. Lines holds the street line first, then any
// further lines (building, district).
type Address struct {
	Number   string   `json:"number,omitempty"`
	Lines    []string `json:"lines,omitempty"`
	Locality string   `json:"locality,omitempty"`
	Postcode string   `json:"postcode,omitempty"`
}

// Date is a possibly partial date: a zero Year, Month or Day is unknown.
// Values are kept as given, even when they do not form a calendar date,
// because a wrongly typed date is still evidence.
type Date struct {
	Year  int `json:"year,omitempty"`
	Month int `json:"month,omitempty"`
	Day   int `json:"day,omitempty"`
}

// IsZero reports whether nothing of the date is known.
func (d Date) IsZero() bool { return d.Year == 0 && d.Month == 0 && d.Day == 0 }

// String formats the date as YYYY-MM-DD with "??" for unknown parts.
func (d Date) String() string {
	part := func(v, w int) string {
		if v == 0 {
			return strings.Repeat("?", w)
		}
		return fmt.Sprintf("%0*d", w, v)
	}
	return part(d.Year, 4) + "-" + part(d.Month, 2) + "-" + part(d.Day, 2)
}

// ErrDate is returned by ParseDate for text that is not a date.
var ErrDate = errors.New("match: not a date")

// ParseDate reads a full or partial date of birth. It accepts YYYYMMDD,
// YYYY-MM-DD, YYYY/MM/DD, DD/MM/YYYY and DD-MM-YYYY (UK order), DD.MM.YYYY,
// YYYY-MM, MM/YYYY and YYYY. Parts written as "?", "??", "XX" or "00" are
// unknown. An empty string gives the zero Date and no error. Day and month
// are not checked against the calendar (see Date).
func ParseDate(s string) (Date, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Date{}, nil
	}
	num := func(p string, max int) (int, bool) {
		p = strings.TrimSpace(p)
		if p == "" || strings.Trim(p, "?xX") == "" || strings.Trim(p, "0") == "" {
			return 0, true
		}
		if len(p) > 4 {
			return 0, false
		}
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 || v > max {
			return 0, false
		}
		return v, true
	}
	bad := fmt.Errorf("%w: %q", ErrDate, s)
	if !strings.ContainsAny(s, "-/. ") {
		switch len(s) {
		case 8:
			y, ok1 := num(s[:4], 9999)
			m, ok2 := num(s[4:6], 99)
			d, ok3 := num(s[6:], 99)
			if ok1 && ok2 && ok3 {
				return Date{y, m, d}, nil
			}
		case 6:
			y, ok1 := num(s[:4], 9999)
			m, ok2 := num(s[4:], 99)
			if ok1 && ok2 {
				return Date{Year: y, Month: m}, nil
			}
		case 4:
			if y, ok := num(s, 9999); ok {
				return Date{Year: y}, nil
			}
		}
		return Date{}, bad
	}
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '-' || r == '/' || r == '.' || r == ' ' })
	switch len(parts) {
	case 3:
		if len(strings.TrimSpace(parts[0])) == 4 { // Y M D
			y, ok1 := num(parts[0], 9999)
			m, ok2 := num(parts[1], 99)
			d, ok3 := num(parts[2], 99)
			if ok1 && ok2 && ok3 {
				return Date{y, m, d}, nil
			}
		} else if len(strings.TrimSpace(parts[2])) == 4 { // D M Y (UK)
			d, ok1 := num(parts[0], 99)
			m, ok2 := num(parts[1], 99)
			y, ok3 := num(parts[2], 9999)
			if ok1 && ok2 && ok3 {
				return Date{y, m, d}, nil
			}
		}
	case 2:
		if len(strings.TrimSpace(parts[0])) == 4 {
			y, ok1 := num(parts[0], 9999)
			m, ok2 := num(parts[1], 99)
			if ok1 && ok2 {
				return Date{Year: y, Month: m}, nil
			}
		} else if len(strings.TrimSpace(parts[1])) == 4 {
			m, ok1 := num(parts[0], 99)
			y, ok2 := num(parts[1], 9999)
			if ok1 && ok2 {
				return Date{Year: y, Month: m}, nil
			}
		}
	}
	return Date{}, bad
}

// pack stores a date in 32 bits: 16 bits year, 8 bits month, 8 bits day.
func (d Date) pack() uint32 {
	clamp := func(v, max int) uint32 {
		if v < 0 || v > max {
			return 0
		}
		return uint32(v)
	}
	return clamp(d.Year, 0xffff)<<16 | clamp(d.Month, 0xff)<<8 | clamp(d.Day, 0xff)
}

func unpackDate(p uint32) Date {
	return Date{Year: int(p >> 16), Month: int(p >> 8 & 0xff), Day: int(p & 0xff)}
}
