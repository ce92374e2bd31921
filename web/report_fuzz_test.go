package web

import (
	"net/url"
	"strings"
	"testing"

	"github.com/contest-ct/contest"
)

// FuzzParsePublicJSON: any body gives a report that validates or a clear
// EINVALID, never a panic.
func FuzzParsePublicJSON(f *testing.F) {
	f.Add(`{"what":"x","when":"2026-11-20T10:00:00Z","people":[{"name":"A B"}],"vehicles":["AB12CDE"],"links":["https://e.example/"],"contact":{"email":"a@b.example"}}`)
	f.Add(`{"what":""}`)
	f.Add(`[]`)
	f.Add(`{"what":"\u0000"}`)
	f.Add(`{"people":[` + strings.Repeat(`{"name":"x"},`, 30) + `{}]}`)
	f.Fuzz(func(t *testing.T, body string) {
		r, err := parsePublicJSON(strings.NewReader(body))
		if err != nil {
			if contest.ErrorCode(err) != contest.EINVALID {
				t.Fatalf("code %v", err)
			}
			return
		}
		if r.What == "" || len(r.People) > contest.MaxReportPeople {
			t.Fatalf("accepted %+v", r)
		}
	})
}

// FuzzParseReportForm: any form gives a report or a clear EINVALID.
func FuzzParseReportForm(f *testing.F) {
	f.Add("what=x&when-day=2&when-month=11&when-year=2026&when-time=14:30")
	f.Add("when-day=31&when-month=2&when-year=2026")
	f.Add("vehicles=AB12%0AXY99&person-1-email=bad")
	f.Fuzz(func(t *testing.T, q string) {
		v, err := url.ParseQuery(q)
		if err != nil {
			return
		}
		r, err := parseReportForm(v)
		if err == nil {
			r.Channel = contest.ChannelOnline
			err = r.Validate()
		}
		if err != nil && contest.ErrorCode(err) != contest.EINVALID {
			t.Fatalf("code %v", err)
		}
	})
}
