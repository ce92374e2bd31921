package match

import (
	"cmp"
	"context"
	"errors"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// BatchOptions configure Link and Dedupe.
type BatchOptions struct {
	// Threshold is the least probability of a returned pair; 0 means 0.5.
	// A negative value returns every candidate pair (for measuring
	// blocking recall).
	Threshold float64
	// Workers is the number of goroutines; 0 means GOMAXPROCS.
	Workers int
	// EMSample is how many records' candidate pairs train EM; 0 means
	// 10,000. Every record is used when there are fewer.
	EMSample int
	// Params, when set, are used as they are and EM is skipped.
	Params *Params
	// Variants, MaxBlock and MaxCandidates are passed to the Index (see
	// Options). MaxCandidates 0 means 200 for Link and 20 for Dedupe, where
	// every record is a query.
	Variants      *Variants
	MaxBlock      int
	MaxCandidates int
	// OneToOne keeps, in Link, only the best pair of each record, taken
	// greedily by probability: for sources known to hold each person once.
	OneToOne bool
}

// Pair is two records judged to be the same person.
type Pair struct {
	Left        string  `json:"left_id"`
	Right       string  `json:"right_id"`
	Probability float64 `json:"probability"`
}

// BatchResult is the outcome of Link or Dedupe.
type BatchResult struct {
	// Pairs are the pairs at or above the threshold, ordered by left then
	// right record.
	Pairs []Pair
	// Compared is the number of candidate pairs compared.
	Compared int64
	// Params are the parameters used.
	Params *Params
	// IndexTime, EstimateTime and ScoreTime are the wall time of each
	// stage, and IndexCPU, EstimateCPU and ScoreCPU the CPU time the
	// process spent in it on all cores (zero where the platform cannot
	// tell; see ProcessCPUTime).
	IndexTime, EstimateTime, ScoreTime time.Duration
	IndexCPU, EstimateCPU, ScoreCPU    time.Duration
}

// cpuSince returns the process CPU time used since c0.
func cpuSince(c0 time.Duration) time.Duration {
	c, _ := ProcessCPUTime()
	return c - c0
}

func cpuNow() time.Duration {
	c, _ := ProcessCPUTime()
	return c
}

func (o *BatchOptions) defaults() {
	if o.Threshold == 0 {
		o.Threshold = 0.5
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.EMSample <= 0 {
		o.EMSample = 10000
	}
}

type slotPair struct {
	a, b uint32
	p    float64
}

// Dedupe finds the pairs of records in people that are the same person.
// IDs must be unique.
func Dedupe(ctx context.Context, people []Person, opt BatchOptions) (*BatchResult, error) {
	opt.defaults()
	res := &BatchResult{}
	t0, c0 := time.Now(), cpuNow()
	if opt.MaxCandidates <= 0 {
		opt.MaxCandidates = 20
	}
	ix := NewIndex(Options{Variants: opt.Variants, MaxBlock: opt.MaxBlock, MaxCandidates: opt.MaxCandidates, Params: opt.Params})
	if err := ix.AddAll(people); err != nil {
		return nil, err
	}
	res.IndexTime, res.IndexCPU = time.Since(t0), cpuSince(c0)
	t0, c0 = time.Now(), cpuNow()
	if opt.Params == nil {
		if _, err := ix.Reestimate(ctx, opt.EMSample, 1); err != nil && !errors.Is(err, ErrImplausible) {
			return nil, err
		}
	}
	res.Params = ix.Params()
	res.EstimateTime, res.EstimateCPU = time.Since(t0), cpuSince(c0)
	t0, c0 = time.Now(), cpuNow()
	minW := logit2(opt.Threshold)
	if opt.Threshold < 0 {
		minW = -1e300
	}
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	n := len(ix.recs)
	var next atomic.Int64
	var compared atomic.Int64
	out := make([][]slotPair, opt.Workers)
	var wg sync.WaitGroup
	for w := range opt.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sc := &scratch{}
			v := view{t: &ix.tab, readonly: true, pc: sc.cache(ix)}
			var cnt int64
			const chunk = 256
			for {
				start := int(next.Add(chunk)) - chunk
				if start >= n || ctx.Err() != nil {
					break
				}
				for s := start; s < min(start+chunk, n); s++ {
					a := &ix.recs[s]
					for _, c := range ix.candidates(&v, a, uint32(s), true, sc) {
						cnt++
						r := v.compare(a, &ix.recs[c])
						if wt := ix.weight(res.Params, &r); wt >= minW {
							out[w] = append(out[w], slotPair{uint32(s), c, prob(wt)})
						}
					}
				}
			}
			compared.Add(cnt)
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res.Compared = compared.Load()
	var all []slotPair
	for _, o := range out {
		all = append(all, o...)
	}
	slices.SortFunc(all, func(x, y slotPair) int {
		if c := cmp.Compare(x.a, y.a); c != 0 {
			return c
		}
		return cmp.Compare(x.b, y.b)
	})
	res.Pairs = make([]Pair, len(all))
	for i, sp := range all {
		res.Pairs[i] = Pair{ix.recs[sp.a].id, ix.recs[sp.b].id, sp.p}
	}
	res.ScoreTime, res.ScoreCPU = time.Since(t0), cpuSince(c0)
	return res, nil
}

// Link finds the pairs of a record in left and a record in right that are
// the same person. IDs must be unique within left.
func Link(ctx context.Context, left, right []Person, opt BatchOptions) (*BatchResult, error) {
	opt.defaults()
	res := &BatchResult{}
	t0, c0 := time.Now(), cpuNow()
	ix := NewIndex(Options{Variants: opt.Variants, MaxBlock: opt.MaxBlock, MaxCandidates: opt.MaxCandidates, Params: opt.Params})
	if err := ix.AddAll(left); err != nil {
		return nil, err
	}
	res.IndexTime, res.IndexCPU = time.Since(t0), cpuSince(c0)
	ix.mu.RLock()
	defer ix.mu.RUnlock()

	// run calls fn for every right record in idx with its candidates, in
	// parallel.
	run := func(idx []int, fn func(w int, ri int, v *view, q *rec, cands []uint32)) {
		var next atomic.Int64
		var wg sync.WaitGroup
		for w := range opt.Workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				sc := &scratch{}
				pc := sc.cache(ix)
				for {
					i := int(next.Add(1)) - 1
					if i >= len(idx) || ctx.Err() != nil {
						return
					}
					v := view{t: &ix.tab, readonly: true, pc: pc}
					q := v.encode(ix.vars, &right[idx[i]])
					fn(w, idx[i], &v, &q, ix.candidates(&v, &q, ^uint32(0), false, sc))
				}
			}()
		}
		wg.Wait()
	}
	all := make([]int, len(right))
	for i := range all {
		all[i] = i
	}
	t0, c0 = time.Now(), cpuNow()
	params := opt.Params
	if params == nil {
		sample := all
		if len(sample) > opt.EMSample {
			sample = make([]int, opt.EMSample)
			step := float64(len(right)) / float64(opt.EMSample)
			for i := range sample {
				sample[i] = int(float64(i) * step)
			}
		}
		smps := make([]*trainSet, opt.Workers)
		scs := make([]*scratch, opt.Workers)
		for w := range smps {
			smps[w], scs[w] = newTrainSet(), &scratch{}
		}
		run(sample, func(w, _ int, v *view, q *rec, cands []uint32) {
			for _, c := range cands {
				smps[w].addCand(v.compare(q, &ix.recs[c]).v)
			}
			ix.rulePairs(v, q, ^uint32(0), scs[w], smps[w])
		})
		smp := smps[0]
		for _, o := range smps[1:] {
			smp.merge(o)
		}
		smp.possible = float64(len(sample)) * float64(ix.live)
		params = ix.params.Load()
		if len(right) > 1 && ix.live > 0 {
			rng := rand.New(rand.NewPCG(1, 0x7570616972))
			v := view{t: &ix.tab, readonly: true}
			qs := make([]rec, 0, 1024)
			for range 1024 {
				qs = append(qs, v.encode(ix.vars, &right[rng.IntN(len(right))]))
			}
			u := randomU(&v, randomPairs, func() (*rec, *rec) {
				return &qs[rng.IntN(len(qs))], &ix.recs[rng.IntN(len(ix.recs))]
			})
			if est := estimate(smp, u, 500); est != nil && est.plausible() == nil {
				params = est
			}
		}
		ix.params.Store(params)
	}
	res.Params = params
	res.EstimateTime, res.EstimateCPU = time.Since(t0), cpuSince(c0)
	t0, c0 = time.Now(), cpuNow()
	minW := logit2(opt.Threshold)
	if opt.Threshold < 0 {
		minW = -1e300
	}
	out := make([][]slotPair, opt.Workers)
	var compared atomic.Int64
	run(all, func(w, ri int, v *view, q *rec, cands []uint32) {
		compared.Add(int64(len(cands)))
		for _, c := range cands {
			r := v.compare(q, &ix.recs[c])
			if wt := ix.weight(params, &r); wt >= minW {
				out[w] = append(out[w], slotPair{c, uint32(ri), prob(wt)})
			}
		}
	})
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res.Compared = compared.Load()
	var pairs []slotPair
	for _, o := range out {
		pairs = append(pairs, o...)
	}
	if opt.OneToOne {
		slices.SortFunc(pairs, func(x, y slotPair) int {
			if c := cmp.Compare(y.p, x.p); c != 0 {
				return c
			}
			if c := cmp.Compare(x.a, y.a); c != 0 {
				return c
			}
			return cmp.Compare(x.b, y.b)
		})
		usedL, usedR := map[uint32]bool{}, map[uint32]bool{}
		kept := pairs[:0]
		for _, sp := range pairs {
			if !usedL[sp.a] && !usedR[sp.b] {
				usedL[sp.a], usedR[sp.b] = true, true
				kept = append(kept, sp)
			}
		}
		pairs = kept
	}
	slices.SortFunc(pairs, func(x, y slotPair) int {
		if c := cmp.Compare(x.a, y.a); c != 0 {
			return c
		}
		return cmp.Compare(x.b, y.b)
	})
	res.Pairs = make([]Pair, len(pairs))
	for i, sp := range pairs {
		res.Pairs[i] = Pair{ix.recs[sp.a].id, right[sp.b].ID, sp.p}
	}
	res.ScoreTime, res.ScoreCPU = time.Since(t0), cpuSince(c0)
	return res, nil
}
