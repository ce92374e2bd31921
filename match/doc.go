// Package match links and de-duplicates person records ("joining the dots").
//
// It needs no database or HTTP. A Person holds names (given, middle, family,
// aliases), a full or partial date of birth, addresses, phone numbers, e-mail
// addresses, identity document numbers and online handles. Records are
// normalised (diacritics, transliteration and nickname variants, particles
// such as Al-, bin, O' and Mc/Mac, UK postcode and telephone formats), blocked
// on several keys so that almost every true pair meets without comparing every
// pair, and scored with Fellegi-Sunter match weights estimated from the data
// without labels: u from random pairs, m by expectation-maximisation on the
// pairs sharing a name, a date of birth or an address (with those fields
// masked), and the prior over all pairs; names get a term-frequency
// adjustment. People of one household (same family name and address,
// different given names: siblings, twins) get the weight of the shared
// name and address taken back. Every scored pair carries an Explanation: the
// prior plus each field's contribution (log2 Bayes factor), which sums to
// the total match weight and is ready to draw as a waterfall.
//
// The Index is incremental: Add, Update and Remove take effect at once and
// Query returns candidates with probabilities and reasons. Reestimate
// estimates the parameters on a sample and swaps them in atomically, and
// ReestimateInBackground does so periodically as records change; the Index
// is safe for concurrent use.
//
// The variant tables (nicknames, transliterations, particles, street words)
// are data files embedded from match/data and can be extended at run time
// with Variants.Load or Index.LoadVariants.
//
// Record IDs are opaque keys: they are carried through to results and never
// inform a match.
package match
