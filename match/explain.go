package match

// Explanation is why a pair was scored as it was: the prior plus one
// contribution per field. Prior + the sum of every Weight and TFAdjustment
// equals Total, and Probability = 2^Total / (1 + 2^Total). The structure
// draws directly as a waterfall chart (see Waterfall) and marshals to JSON.
type Explanation struct {
	// Prior is the log2 prior odds of a match (see Params.Lambda).
	Prior float64 `json:"prior"`
	// Contributions has one entry per field, in a fixed order, and then,
	// only when it applies, a "household" entry: records with the same
	// family name and address but different given names (siblings, twins)
	// get the weight of family name and address taken back, because a
	// shared home is no evidence that they are one person.
	Contributions []Contribution `json:"contributions"`
	// Total is the match weight in bits (log2 odds).
	Total float64 `json:"total"`
	// Probability is the match probability.
	Probability float64 `json:"probability"`
	// NamesSwapped is true when given and family names agreed only when
	// read the other way round.
	NamesSwapped bool `json:"names_swapped,omitempty"`
}

// Contribution is one field's part of a match weight.
type Contribution struct {
	Field string `json:"field"`
	// Level is the comparison level ("exact", "variant", "close",
	// "different" ...) or "missing" when either record lacks the field.
	Level string `json:"level"`
	// M and U are the probabilities of this level among matches and
	// non-matches (zero when missing).
	M float64 `json:"m,omitempty"`
	U float64 `json:"u,omitempty"`
	// Weight is log2(M/U), the Bayes factor in bits; 0 when missing.
	Weight float64 `json:"weight"`
	// TFAdjustment is added for an exact name agreement: positive for a
	// name rarer than average, negative for a common one.
	TFAdjustment float64 `json:"tf_adjustment,omitempty"`
}

// Bar is one step of a waterfall chart: the running total moves from
// Start to End.
type Bar struct {
	Label string  `json:"label"`
	Start float64 `json:"start"`
	End   float64 `json:"end"`
}

// Waterfall returns the bars of a waterfall chart: the prior, then each
// field (and its term-frequency adjustment as a bar of its own), then the
// total.
func (e Explanation) Waterfall() []Bar {
	bars := []Bar{{Label: "prior", Start: 0, End: e.Prior}}
	at := e.Prior
	for _, c := range e.Contributions {
		bars = append(bars, Bar{Label: c.Field + ": " + c.Level, Start: at, End: at + c.Weight})
		at += c.Weight
		if c.TFAdjustment != 0 {
			bars = append(bars, Bar{Label: c.Field + ": term frequency", Start: at, End: at + c.TFAdjustment})
			at += c.TFAdjustment
		}
	}
	return append(bars, Bar{Label: "total", Start: 0, End: at})
}

func (ix *Index) explain(p *Params, res *cmpResult) Explanation {
	e := Explanation{Prior: p.prior, NamesSwapped: res.swapped, Contributions: make([]Contribution, 0, nFields)}
	total := p.prior
	tfG, tfF := ix.tfAdjust(res)
	for f := range nFields {
		c := Contribution{Field: fieldNames[f], Level: "missing"}
		if l := res.v.level(f); l != missing {
			c.Level = levelNames[f][l]
			c.M, c.U, c.Weight = p.m[f][l], p.u[f][l], p.w[f][l]
			switch f {
			case fGiven:
				c.TFAdjustment = tfG
			case fFamily:
				c.TFAdjustment = tfF
			}
		}
		total += c.Weight + c.TFAdjustment
		e.Contributions = append(e.Contributions, c)
	}
	if h := household(p, res.v, tfF); h != 0 {
		e.Contributions = append(e.Contributions, Contribution{Field: "household", Level: "same family and address, different given names", Weight: h})
		total += h
	}
	e.Total = total
	e.Probability = prob(total)
	return e
}
