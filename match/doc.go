// Package match links and de-duplicates person records ("joining the dots").
//
// It needs no database or HTTP. A Person holds names (given, middle, family,
// aliases), a full or partial date of birth, addresses, phone numbers, e-mail
// addresses, identity document numbers and online handles. Records are
// normalised (diacritics, transliteration and nickname variants, particles
// such as Al-, bin, O' and Mc/Mac, UK postcode and telephone formats), blocked
// on several keys so that almost every true pair meets without comparing every
// pair, and scored with Fellegi-Sunter match weights whose m and u
// probabilities are estimated from the data by expectation-maximisation, with
// term-frequency adjustment for names. Every scored pair carries an
// Explanation: the prior plus each field's contribution (log2 Bayes factor),
// which sums to the total match weight and is ready to draw as a waterfall.
//
// The Index is incremental: Add, Update and Remove take effect at once and
// Query returns candidates with probabilities and reasons. Reestimate re-runs
// EM on a sample and swaps the parameters atomically; the Index is safe for
// concurrent use.
//
// The variant tables (nicknames, transliterations, particles, street words)
// are data files embedded from match/data and can be extended at run time
// with Variants.Load or Index.LoadVariants.
//
// Record IDs are opaque keys: they are carried through to results and never
// inform a match.
package match
