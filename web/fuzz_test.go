package web

import (
	"bytes"
	"net/url"
	"strings"
	"testing"

	"github.com/contest-ct/contest"
)

// The fuzz targets cover every parser of outside input in the package:
// JSON bodies, audit and user filters from query strings, and form values.
// Run one with, for example, go test -fuzz FuzzDecodeJSON ./web/

func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{`{"name":"x","kind":"health"}`, `{"name":1}`, `{"x":1}`, `[]`, `{}{}`, `{"name":"\u0000"}`, ``, `{`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var in userPatch
		err := decodeJSON(bytes.NewReader(b), &in)
		if err != nil {
			if c := contest.ErrorCode(err); c != contest.EINVALID {
				t.Fatalf("decode error has code %q: %v", c, err)
			}
			for _, fe := range contest.ErrorFields(err) {
				if fe.Field == "" || fe.Message == "" {
					t.Fatalf("empty field error: %+v", fe)
				}
			}
		}
	})
}

func FuzzParseAuditFilter(f *testing.F) {
	for _, s := range []string{"action=sign_in&limit=5", "from=2026-01-01&to=2025-01-01", "user_id=-1", "offset=x", "kind=user&outcome=denied", "value=%ff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		af, err := parseAuditFilter(q)
		if err != nil {
			if contest.ErrorCode(err) != contest.EINVALID {
				t.Fatalf("code %q", contest.ErrorCode(err))
			}
			return
		}
		if af.Limit < 1 || af.Limit > 1000 || af.Offset < 0 {
			t.Fatalf("accepted limit %d offset %d", af.Limit, af.Offset)
		}
		if !af.From.IsZero() && !af.To.IsZero() && af.To.Before(af.From) {
			t.Fatal("accepted To before From")
		}
	})
}

func FuzzParseUserFilter(f *testing.F) {
	for _, s := range []string{"role=analyst&status=active", "org_id=0", "limit=501", "username=" + strings.Repeat("a", 70)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		uf, err := parseUserFilter(q)
		if err != nil {
			return
		}
		if uf.Role != "" && !uf.Role.Valid() {
			t.Fatalf("accepted role %q", uf.Role)
		}
		if uf.Limit < 1 || uf.Limit > 500 || uf.Offset < 0 || uf.OrgID < 0 {
			t.Fatalf("accepted %+v", uf)
		}
	})
}

func FuzzUserForm(f *testing.F) {
	f.Add("username=ab.cd&display_name=Test+Person&org_id=1&role=analyst&vetting=SC&password=x")
	f.Add("display_name=&org_id=-4&vetting=zz")
	f.Fuzz(func(t *testing.T, raw string) {
		form, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		if _, err := checkValues(form); err != nil {
			return
		}
		if u, _, err := userFromForm(form); err == nil {
			if !u.Role.Valid() || u.OrgID <= 0 || u.Vetting < contest.BPSS {
				t.Fatalf("accepted %+v", u)
			}
		}
		if upd, err := userUpdateFromForm(form); err == nil && upd.Role != nil && !upd.Role.Valid() {
			t.Fatalf("accepted role %q", *upd.Role)
		}
	})
}
