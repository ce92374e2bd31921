package contest_test

import (
	"testing"

	"github.com/contest-ct/contest"
)

func TestParseClassification(t *testing.T) {
	tests := []struct {
		in   string
		want contest.Classification
		ok   bool
	}{
		{"OFFICIAL", contest.Official, true},
		{"official-sensitive", contest.OfficialSensitive, true},
		{" Official Sensitive ", contest.OfficialSensitive, true},
		{"TOP_SECRET", contest.TopSecret, true},
		{"secret", contest.Secret, true},
		{"RESTRICTED", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		got, err := contest.ParseClassification(tt.in)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("ParseClassification(%q) = %v, %v", tt.in, got, err)
		}
	}
}

func TestVettingCovers(t *testing.T) {
	for _, v := range contest.Vettings {
		for _, c := range contest.Classifications {
			want := int(c) <= int(v)
			if got := v.Covers(c); got != want {
				t.Errorf("%s covers %s = %v, want %v", v, c, got, want)
			}
		}
	}
	if contest.VettingNone.Covers(contest.Official) {
		t.Error("no vetting covers OFFICIAL")
	}
}

func TestUserValidate(t *testing.T) {
	u := &contest.User{Username: "  Good.Name ", DisplayName: "A Person", Role: contest.RoleAnalyst, Vetting: contest.SC, OrgID: 1}
	if err := u.Validate(); err != nil || u.Username != "good.name" {
		t.Fatalf("valid user: %v %q", err, u.Username)
	}
	bad := &contest.User{Username: "a b", Role: "x", Email: "nope"}
	fields := contest.ErrorFields(bad.Validate())
	if len(fields) != 6 {
		t.Fatalf("want 6 field errors, got %v", fields)
	}
	if !(&contest.User{Role: contest.RoleAdmin, Vetting: contest.CTC}).NeedsTOTP() || !(&contest.User{Role: contest.RoleAnalyst, Vetting: contest.SC}).NeedsTOTP() ||
		(&contest.User{Role: contest.RoleAnalyst, Vetting: contest.CTC}).NeedsTOTP() {
		t.Fatal("NeedsTOTP wrong")
	}
}

func TestErrors(t *testing.T) {
	if contest.ErrorCode(nil) != "" || contest.ErrorMessage(assertErr{}) != "Internal error." || contest.ErrorCode(assertErr{}) != contest.EINTERNAL {
		t.Fatal("foreign errors must be internal and hidden")
	}
	if contest.NotFound(contest.KindSubject).Message != "The subject was not found." {
		t.Fatal(contest.NotFound(contest.KindSubject).Message)
	}
}

type assertErr struct{}

func (assertErr) Error() string { return "secret detail" }
