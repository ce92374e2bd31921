package match

import (
	"math"
	"slices"
)

// Estimating the parameters without labels, in the manner of Splink:
//
//   - u, the agreement rates among non-matches, come from random pairs of
//     records (almost all random pairs are non-matches); see randomU.
//   - m, the agreement rates among matches, come from EM with u held
//     fixed, run once per estimation rule on the pairs that share that
//     rule's key, with the fields the key is made of masked (a pair
//     chosen because its dates of birth agree says nothing about how
//     often dates agree among matches). Each field's m is the mean over
//     the rules that leave it unmasked.
//   - lambda, the prior, is the probability that two records drawn at
//     random are a match: EM for lambda alone over every possible pair,
//     where a pair that shares no blocking key counts as a non-match.
//
// Estimating u among candidate pairs instead (as EM on candidate pairs
// alone does) mixes the work of blocking into the weights: on a large set
// most candidates share a name with the record, name agreement then looks
// like no evidence, and EM can split the candidates into "same name" and
// "other" instead of match and non-match.
//
// Pairs in one household (same family name and address, different given
// names) are left out of every estimate: without labels they look like
// matches with a mistyped given name, and counting them would teach EM
// that a different given name is common among matches.

// Estimation rules: the keys whose pairs train m.
const (
	ruleNames = iota // given and family name (kNamePair)
	ruleDOB          // full date of birth (kDOB)
	ruleAddr         // house number and postcode (kNumPC)
	nRules
)

// ruleMask lists the fields each rule's key is made of.
var ruleMask = [nRules][]int{
	ruleNames: {fGiven, fFamily, fMiddle},
	ruleDOB:   {fDOB},
	ruleAddr:  {fAddress},
}

// rulePairsPerKey bounds the pairs one record forms under one rule key.
const rulePairsPerKey = 20

// ruleKeys appends r's keys for one estimation rule.
func ruleKeys(v *view, r *rec, rule int, out []uint64) []uint64 {
	switch rule {
	case ruleNames:
		names := r.section(cNames)
		for i := 0; i+2 < len(names); i += 3 {
			g, f := v.name(names[i]), v.name(names[i+2])
			if len(g.toks) > 0 && len(f.toks) > 0 {
				a, b := f.toks[0], g.toks[0]
				if a > b {
					a, b = b, a
				}
				out = append(out, mix(kNamePair, a, b))
			}
		}
	case ruleDOB:
		d := unpackDate(r.dob)
		md1, md2 := uint64(d.Month), uint64(d.Day)
		if md1 > md2 {
			md1, md2 = md2, md1
		}
		if d.Year != 0 && md1 != 0 && md2 != 0 {
			out = append(out, mix(kDOB, uint64(d.Year), md1, md2))
		}
	case ruleAddr:
		addrs := r.section(cAddrs)
		for j := 0; j+4 < len(addrs); j += 5 {
			if num, pc := addrs[j], addrs[j+4]; num != 0 && pc != 0 {
				out = append(out, mix(kNumPC, hashString(kStr, v.str(num)), hashString(kStr, v.str(pc))))
			}
		}
	}
	return out
}

// isHousehold reports whether a comparison looks like two people of one
// household: family names agree or nearly (read straight, not swapped), addresses
// agree, both given names present and different, and no personal identifier (document number, online
// handle) shared. Phones and e-mail addresses are often a family's.
func isHousehold(v vector) bool {
	g, f, a := v.level(fGiven), v.level(fFamily), v.level(fAddress)
	return v&swappedBit == 0 && g != missing && g >= 3 && f <= 2 && a <= 1 && v.level(fDocument) != 0 && v.level(fHandle) != 0
}

// mask sets the fields of a rule's key to missing.
func mask(v vector, rule int) vector {
	for _, f := range ruleMask[rule] {
		v.set(f, missing)
	}
	return v
}

// trainSet is what an estimate is made from.
type trainSet struct {
	// rules holds, per rule, the masked vectors of pairs sharing a key.
	rules [nRules]map[vector]float64
	// cand holds the vectors of the candidate pairs of the sampled
	// records; possible is the number of pairs they were drawn from
	// (every pair of a sampled record with any record).
	cand     map[vector]float64
	possible float64
}

func newTrainSet() *trainSet {
	s := &trainSet{cand: map[vector]float64{}}
	for i := range s.rules {
		s.rules[i] = map[vector]float64{}
	}
	return s
}

// addRule records a pair found under rule.
func (s *trainSet) addRule(rule int, v vector) {
	if !isHousehold(v) {
		s.rules[rule][mask(v, rule)]++
	}
}

// addCand records a candidate pair.
func (s *trainSet) addCand(v vector) {
	if !isHousehold(v) {
		s.cand[v]++
	}
}

func (s *trainSet) merge(o *trainSet) {
	for r := range s.rules {
		for k, n := range o.rules[r] {
			s.rules[r][k] += n
		}
	}
	for k, n := range o.cand {
		s.cand[k] += n
	}
}

// estimate returns parameters with u as given, m by EM per rule and
// lambda over every possible pair. It returns nil when the sample holds
// no pairs.
func estimate(s *trainSet, u [nFields][maxLevels]float64, maxIter int) *Params {
	var mSum [nFields][maxLevels]float64
	var used [nFields]int
	pairs, iters := 0.0, 0
	for r := range nRules {
		n := 0.0
		for _, c := range s.rules[r] {
			n += c
		}
		if n == 0 {
			continue
		}
		pairs += n
		init := DefaultParams()
		init.u = u
		init.lambda = 0.1
		p := em(s.rules[r], init, maxIter, true)
		iters = max(iters, p.Iterations)
		for f := range nFields {
			if slices.Contains(ruleMask[r], f) {
				continue
			}
			used[f]++
			for l := range levelNames[f] {
				mSum[f][l] += p.m[f][l]
			}
		}
	}
	if pairs == 0 {
		return nil
	}
	p := DefaultParams()
	p.u = u
	for f := range nFields {
		if used[f] == 0 {
			continue // keep the default m
		}
		for l := range levelNames[f] {
			p.m[f][l] = mSum[f][l] / float64(used[f])
		}
	}
	p.lambda = priorAllPairs(s.cand, s.possible, p)
	p.Estimated = true
	p.Iterations = iters
	p.Pairs = int(pairs)
	p.finish()
	return p
}

// priorAllPairs estimates the probability that two records drawn at
// random are a match, by EM for that probability alone: the candidate
// pairs carry their posterior match probability, every other possible
// pair counts as a non-match.
func priorAllPairs(cand map[vector]float64, possible float64, p *Params) float64 {
	if possible <= 0 {
		return p.lambda
	}
	type pat struct{ w, n float64 }
	var pats []pat
	total := 0.0
	for v, n := range cand {
		w := 0.0
		for f := range nFields {
			if l := v.level(f); l != missing {
				w += math.Log2(math.Max(p.m[f][l], 1e-9) / math.Max(p.u[f][l], 1e-9))
			}
		}
		pats = append(pats, pat{w, n})
		total += n
	}
	lambda := math.Max(1e-12, 0.1*total/possible)
	for range 200 {
		prior := math.Log2(lambda / (1 - lambda))
		sum := 0.0
		for _, pt := range pats {
			sum += pt.n * prob(prior+pt.w)
		}
		next := math.Min(0.5, math.Max(1e-12, sum/possible))
		if math.Abs(next-lambda) < 1e-9*lambda {
			lambda = next
			break
		}
		lambda = next
	}
	return lambda
}
