package web

import (
	"bytes"
	"encoding/json"
	"net/url"
	"testing"

	"github.com/contest-ct/contest"
)

// FuzzReferralForm: any referral form (a URL-encoded body) never panics;
// a refusal is always field errors, each naming a field of the form; an
// accepted one is within every limit.
func FuzzReferralForm(f *testing.F) {
	good := url.Values{"family_name": {"Testa"}, "area": {"Northshire"}, "child_under_18": {"no"}, "sector": {"education"},
		"concern": {"other"}, "how_concern_arose": {"a"}, "behaviour": {"b"}, "indicators": {"c"}, "discussed_with_person": {"no"}, "age": {"15"}}
	f.Add(good.Encode())
	f.Add("age=-1&child_under_18=yes&date_of_birth=2010-13-40")
	f.Add("family_name=%00&area=" + string(bytes.Repeat([]byte("x"), 300)))
	fields := map[string]bool{}
	for _, k := range []string{"given_name", "family_name", "date_of_birth", "area", "child_under_18", "sector", "how_concern_arose",
		"behaviour", "indicators", "online_activity", "contacts", "threats_of_harm", "special_needs", "other_safeguarding",
		"discussed_with_person", "discussion", "parental_support", "concern", "age", "gender", "region"} {
		fields[k] = true
	}
	f.Fuzz(func(t *testing.T, body string) {
		form, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		r, err := referralFromForm(form)
		if err != nil {
			fs := contest.ErrorFields(err)
			if contest.ErrorCode(err) != contest.EINVALID || len(fs) == 0 {
				t.Fatalf("refusal %v is not field errors", err)
			}
			for _, fe := range fs {
				if !fields[fe.Field] {
					t.Fatalf("error on %q, not a field of the form", fe.Field)
				}
			}
			return
		}
		if r.FamilyName == "" || r.Area == "" || len(r.FamilyName) > 200 || r.Age < 0 || r.Age > 120 ||
			!contest.ChoiceValid(contest.PreventSectors, r.Sector) || !contest.ChoiceValid(contest.PreventConcerns, r.Concern) {
			t.Fatalf("accepted %+v", r)
		}
	})
}

// FuzzReferralJSON: any API body decodes and validates without panicking,
// and an accepted referral is within every limit.
func FuzzReferralJSON(f *testing.F) {
	f.Add(`{"family_name":"Testa","area":"Northshire","sector":"health","concern":"incel","details":{"how_concern_arose":"a","behaviour":"b","indicators":"c","discussed_with_person":"yes"}}`)
	f.Add(`{"age":1e40}`)
	f.Add(`{"details":{"child_under_18":true}}`)
	f.Fuzz(func(t *testing.T, body string) {
		var in contest.ReferralRequest
		if err := decodeJSON(bytes.NewReader([]byte(body)), &in); err != nil {
			if contest.ErrorCode(err) != contest.EINVALID {
				t.Fatalf("decode error %v is not EINVALID", err)
			}
			return
		}
		if err := in.Validate(); err != nil {
			if contest.ErrorCode(err) != contest.EINVALID || len(contest.ErrorFields(err)) == 0 {
				t.Fatalf("refusal %v is not field errors", err)
			}
			return
		}
		if in.FamilyName == "" || in.Area == "" || in.Details.Behaviour == "" || (in.Details.ChildUnder18 && in.Details.ParentalSupport == "") {
			t.Fatalf("accepted %+v", in)
		}
		if _, err := json.Marshal(in); err != nil {
			t.Fatal(err)
		}
	})
}

// ReferralFromValues exposes the form parser to the external tests.
var ReferralFromValues = referralFromForm
