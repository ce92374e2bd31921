package match

import (
	"errors"
	"fmt"
	"math"
)

// ErrImplausible is returned when EM converges to parameters that cannot
// describe matches (for example, agreeing dates of birth counting against a
// match), as happens on data with almost no duplicates. The previous
// parameters are kept.
var ErrImplausible = errors.New("match: EM estimate implausible; parameters kept")

// plausible checks that for every main field full agreement does not count
// against a match nor full disagreement for one, and that the prior is
// neither 0 nor 1. (Within candidate pairs a blocked field may carry
// little weight either way: most candidates agree on it.)
func (p *Params) plausible() error {
	if p.lambda < 1e-10 || p.lambda > 0.98 {
		return fmt.Errorf("%w: prior %.6f", ErrImplausible, p.lambda)
	}
	for _, f := range []int{fGiven, fFamily, fDOB, fAddress} {
		last := len(levelNames[f]) - 1
		if p.w[f][0] < -0.5 || p.w[f][last] > 0.5 {
			return fmt.Errorf("%w: %s weights %.2f (agree) %.2f (disagree)", ErrImplausible, fieldNames[f], p.w[f][0], p.w[f][last])
		}
	}
	return nil
}

// Field numbers of the comparison vector.
const (
	fGiven = iota
	fFamily
	fMiddle
	fDOB
	fAddress
	fPhone
	fEmail
	fDocument
	fHandle
	nFields
)

// missing is the comparison level of a field absent from either record. It
// contributes no weight.
const missing uint8 = 15

const maxLevels = 6

// fieldNames and levelNames label the comparison vector in explanations.
var fieldNames = [nFields]string{"given_name", "family_name", "middle_name", "date_of_birth", "address", "phone", "email", "document", "handle"}

var levelNames = [nFields][]string{
	fGiven:    {"exact", "variant", "fuzzy", "weak", "different"},
	fFamily:   {"exact", "variant", "fuzzy", "weak", "different"},
	fMiddle:   {"exact", "initial", "different"},
	fDOB:      {"exact", "close", "year", "different"},
	fAddress:  {"same", "nearly", "partial", "area", "different"},
	fPhone:    {"exact", "close", "different"},
	fEmail:    {"exact", "local_part", "different"},
	fDocument: {"exact", "close", "different"},
	fHandle:   {"exact", "different"},
}

// Params are the Fellegi-Sunter parameters: the prior probability of a
// match (see Lambda), and for each field and comparison level the probability m of that level among matches
// and u among non-matches. A Params value is immutable once built; the
// Index swaps whole values atomically.
type Params struct {
	lambda float64
	m, u   [nFields][maxLevels]float64
	w      [nFields][maxLevels]float64 // log2(m/u)
	maxW   [nFields]float64
	prior  float64 // log2(lambda/(1-lambda))

	// Estimated is true when the values come from EM rather than defaults.
	Estimated bool
	// Iterations is the number of EM iterations run.
	Iterations int
	// Pairs is the number of pairs EM was run on.
	Pairs int
}

// LevelParams describes one comparison level of a field.
type LevelParams struct {
	Level  string  `json:"level"`
	M      float64 `json:"m"`
	U      float64 `json:"u"`
	Weight float64 `json:"weight"`
}

// FieldParams describes the levels of one field.
type FieldParams struct {
	Field  string        `json:"field"`
	Levels []LevelParams `json:"levels"`
}

// Lambda returns the prior probability of a match: for estimated
// parameters, that two records drawn at random are one person (see
// estimate.go); for DefaultParams, that a candidate pair is.
func (p *Params) Lambda() float64 { return p.lambda }

// Fields returns m, u and the match weight log2(m/u) of every field level.
func (p *Params) Fields() []FieldParams {
	out := make([]FieldParams, nFields)
	for f := range nFields {
		out[f].Field = fieldNames[f]
		for l, name := range levelNames[f] {
			out[f].Levels = append(out[f].Levels, LevelParams{Level: name, M: p.m[f][l], U: p.u[f][l], Weight: p.w[f][l]})
		}
	}
	return out
}

// DefaultParams returns hand-set parameters used until EM has run.
func DefaultParams() *Params {
	p := &Params{lambda: 0.05}
	set := func(f int, m, u []float64) {
		copy(p.m[f][:], m)
		copy(p.u[f][:], u)
	}
	set(fGiven, []float64{0.85, 0.05, 0.04, 0.03, 0.03}, []float64{0.03, 0.01, 0.02, 0.05, 0.89})
	set(fFamily, []float64{0.85, 0.04, 0.05, 0.03, 0.03}, []float64{0.05, 0.01, 0.01, 0.04, 0.89})
	set(fMiddle, []float64{0.8, 0.15, 0.05}, []float64{0.05, 0.1, 0.85})
	set(fDOB, []float64{0.85, 0.08, 0.04, 0.03}, []float64{0.01, 0.01, 0.03, 0.95})
	set(fAddress, []float64{0.6, 0.15, 0.1, 0.05, 0.1}, []float64{0.002, 0.003, 0.01, 0.2, 0.785})
	set(fPhone, []float64{0.85, 0.05, 0.1}, []float64{0.001, 0.001, 0.998})
	set(fEmail, []float64{0.85, 0.05, 0.1}, []float64{0.001, 0.001, 0.998})
	set(fDocument, []float64{0.85, 0.1, 0.05}, []float64{0.001, 0.001, 0.998})
	set(fHandle, []float64{0.8, 0.2}, []float64{0.001, 0.999})
	p.finish()
	return p
}

// finish computes the weights from m, u and lambda.
func (p *Params) finish() {
	const floor = 1e-6
	p.lambda = math.Max(1e-12, math.Min(1-floor, p.lambda))
	p.prior = math.Log2(p.lambda / (1 - p.lambda))
	for f := range nFields {
		p.maxW[f] = 0
		for l := range levelNames[f] {
			m, u := math.Max(p.m[f][l], floor), math.Max(p.u[f][l], floor)
			p.w[f][l] = math.Log2(m / u)
			p.maxW[f] = math.Max(p.maxW[f], p.w[f][l])
		}
	}
}

// vector is a comparison vector: one level per field, 4 bits each, and
// swappedBit when the names agreed only with given and family swapped.
type vector uint64

const swappedBit vector = 1 << 63

func (v vector) level(f int) uint8 { return uint8(v>>(4*f)) & 15 }

func (v *vector) set(f int, l uint8) {
	*v = *v&^(15<<(4*f)) | vector(l)<<(4*f)
}

func allMissing() vector {
	var v vector
	for f := range nFields {
		v.set(f, missing)
	}
	return v
}

// EM runs expectation-maximisation on a histogram of comparison vectors of
// candidate pairs and returns the estimated parameters, starting from init.
// The match class is the one whose exact levels are the more likely.
//
// When fixU is set, u stays as in init (estimated from random pairs, see
// randomU) and only m and the prior are estimated: random pairs are almost
// all non-matches, so their agreement rates are the unbiased u, while the
// candidate pairs of blocking over-represent agreement on blocked fields.
func em(hist map[vector]float64, init *Params, maxIter int, fixU bool) *Params {
	p := *init
	type pat struct {
		v vector
		n float64
	}
	pats := make([]pat, 0, len(hist))
	total := 0.0
	for v, n := range hist {
		pats = append(pats, pat{v, n})
		total += n
	}
	if total == 0 {
		return init
	}
	const pseudo = 0.01
	var mSum, uSum [nFields][maxLevels]float64
	iter := 0
	for iter = 1; iter <= maxIter; iter++ {
		mSum, uSum = [nFields][maxLevels]float64{}, [nFields][maxLevels]float64{}
		matchTotal := 0.0
		lm, lu := math.Log(p.lambda), math.Log(1-p.lambda)
		var logm, logu [nFields][maxLevels]float64
		for f := range nFields {
			for l := range levelNames[f] {
				logm[f][l] = math.Log(math.Max(p.m[f][l], 1e-9))
				logu[f][l] = math.Log(math.Max(p.u[f][l], 1e-9))
			}
		}
		for _, pt := range pats {
			a, b := lm, lu
			for f := range nFields {
				l := pt.v.level(f)
				if l == missing {
					continue
				}
				a += logm[f][l]
				b += logu[f][l]
			}
			var g float64 // posterior match probability
			if a-b > 40 {
				g = 1
			} else {
				g = 1 / (1 + math.Exp(b-a))
			}
			matchTotal += g * pt.n
			for f := range nFields {
				l := pt.v.level(f)
				if l == missing {
					continue
				}
				mSum[f][l] += g * pt.n
				uSum[f][l] += (1 - g) * pt.n
			}
		}
		old := p
		p.lambda = matchTotal / total
		delta := math.Abs(p.lambda - old.lambda)
		for f := range nFields {
			nl := len(levelNames[f])
			var sm, su float64
			for l := range nl {
				sm += mSum[f][l] + pseudo
				su += uSum[f][l] + pseudo
			}
			for l := range nl {
				p.m[f][l] = (mSum[f][l] + pseudo) / sm
				if !fixU {
					p.u[f][l] = (uSum[f][l] + pseudo) / su
				}
				delta = math.Max(delta, math.Abs(p.m[f][l]-old.m[f][l]))
				delta = math.Max(delta, math.Abs(p.u[f][l]-old.u[f][l]))
			}
		}
		if delta < 1e-6 {
			break
		}
	}
	// If the classes came out the wrong way round, swap them.
	agree := 0
	for f := range nFields {
		if p.m[f][0] > p.u[f][0] {
			agree++
		} else {
			agree--
		}
	}
	if agree < 0 && !fixU {
		p.m, p.u = p.u, p.m
		p.lambda = 1 - p.lambda
	}
	p.Estimated = true
	p.Iterations = iter
	p.Pairs = int(total)
	p.finish()
	return &p
}
