package contest_test

import (
	"testing"
	"time"

	"github.com/contest-ct/contest"
)

func TestAgeBandsAndFinancialYear(t *testing.T) {
	for _, c := range []struct {
		age  int
		band string
	}{{0, "unknown"}, {-3, "unknown"}, {1, "under_15"}, {14, "under_15"}, {15, "15_20"}, {20, "15_20"}, {21, "21_30"}, {40, "31_40"}, {50, "41_50"}, {51, "over_50"}} {
		if got := contest.AgeBand(c.age); got != c.band {
			t.Errorf("AgeBand(%d) = %s, want %s", c.age, got, c.band)
		}
	}
	for _, c := range []struct {
		at   time.Time
		want int
	}{{time.Date(2026, 3, 31, 23, 0, 0, 0, time.UTC), 2025}, {time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), 2026}, {time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), 2026}} {
		if got := contest.FinancialYearOf(c.at); got != c.want {
			t.Errorf("FinancialYearOf(%s) = %d, want %d", c.at, got, c.want)
		}
	}
}

func TestScoreIsTheSumOfRatings(t *testing.T) {
	var rs []contest.FactorRating
	for i, f := range contest.Factors {
		rs = append(rs, contest.FactorRating{Factor: f.Code, Rating: i % 4, Evidence: "e"})
	}
	got, err := contest.ValidateRatings(rs)
	if err != nil {
		t.Fatal(err)
	}
	want := contest.DimensionScores{}
	for i, f := range contest.Factors {
		switch f.Dimension {
		case contest.DimEngagement:
			want.Engagement += i % 4
		case contest.DimIntent:
			want.Intent += i % 4
		case contest.DimCapability:
			want.Capability += i % 4
		}
	}
	if s := contest.Score(got); s != want {
		t.Errorf("Score = %+v, want %+v", s, want)
	}
	// Ratings of unknown factors count for nothing.
	if s := contest.Score([]contest.FactorRating{{Factor: "religion", Rating: 3}}); s != (contest.DimensionScores{}) {
		t.Errorf("unknown factor scored %+v", s)
	}
}

func TestConsentWhoMayAnswer(t *testing.T) {
	for _, c := range []struct {
		basis, by, name string
		ok              bool
	}{
		{contest.BasisAdult, contest.ConsentByPerson, "", true},
		{contest.BasisAdult, contest.ConsentByParent, "P", false},
		{contest.BasisChild, contest.ConsentByParent, "P", true},
		{contest.BasisChild, contest.ConsentByParent, "", false},
		{contest.BasisChild, contest.ConsentByPerson, "", false},
		{contest.BasisLacksCapacity, contest.ConsentByDeputy, "D", true},
		{contest.BasisLacksCapacity, contest.ConsentByPerson, "", false},
		{"", contest.ConsentByPerson, "", false},
	} {
		err := (&contest.Consent{Decision: contest.ConsentGiven, Basis: c.basis, GivenBy: c.by, Name: c.name}).Validate()
		if (err == nil) != c.ok {
			t.Errorf("%s answered by %s (%q): %v", c.basis, c.by, c.name, err)
		}
	}
}
