package contest

// PersonDetails is what a record says about a person: any field may be
// empty. Every strand that stores a person (a subject, a referred person, a
// person in a public report, a casualty, an account holder named in a
// content referral) hands these to the store, which matches them at once
// against every person already known.
//
// Protected characteristics are never part of PersonDetails: they are not
// inputs to matching.
type PersonDetails struct {
	Given       string          `json:"given,omitempty"`
	Middle      string          `json:"middle,omitempty"`
	Family      string          `json:"family,omitempty"`
	Aliases     []string        `json:"aliases,omitempty"` // "Given Family" as written
	DateOfBirth string          `json:"date_of_birth,omitempty"`
	Addresses   []PersonAddress `json:"addresses,omitempty"`
	Phones      []string        `json:"phones,omitempty"`
	Emails      []string        `json:"emails,omitempty"`
	Documents   []string        `json:"documents,omitempty"`
	Handles     []string        `json:"handles,omitempty"`
	// Description is free text ("tall, grey hoodie") kept with the mention
	// for the reader; it is not matched.
	Description string `json:"description,omitempty"`
}

// PersonAddress is a postal address as written.
type PersonAddress struct {
	Number   string   `json:"number,omitempty"`
	Lines    []string `json:"lines,omitempty"`
	Locality string   `json:"locality,omitempty"`
	Postcode string   `json:"postcode,omitempty"`
}

// IsZero reports whether the details say nothing that could be matched.
func (p *PersonDetails) IsZero() bool {
	return p.Given == "" && p.Middle == "" && p.Family == "" && len(p.Aliases) == 0 && p.DateOfBirth == "" &&
		len(p.Addresses) == 0 && len(p.Phones) == 0 && len(p.Emails) == 0 && len(p.Documents) == 0 && len(p.Handles) == 0
}

// Mention is one mention of a person in a stored record. It carries the
// access metadata of the record it came from: whoever may not see that
// record may not see the mention either.
type Mention struct {
	ID         int64         `json:"id"`
	SourceKind Kind          `json:"source_kind"`
	SourceID   int64         `json:"source_id"`
	Role       string        `json:"role"` // how the person figures in the source: subject, referred, reported, casualty ...
	Person     PersonDetails `json:"person"`
	// PersonID is the person this mention has been confirmed as, or 0.
	PersonID int64 `json:"person_id,omitempty"`
	Meta     Meta  `json:"meta"`
}
