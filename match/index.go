package match

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Errors returned by Index methods.
var (
	ErrNoID     = errors.New("match: person has no ID")
	ErrExists   = errors.New("match: ID already indexed")
	ErrNotFound = errors.New("match: ID not indexed")
)

// Options configure an Index.
type Options struct {
	// Variants are the name-variant tables; nil means DefaultVariants().
	Variants *Variants
	// Params are the starting parameters; nil means DefaultParams().
	Params *Params
	// MaxBlock is the largest block a query scans. Larger blocks (a very
	// common name with a common birth year) are skipped; the other blocking
	// keys keep the recall. 0 means 100.
	MaxBlock int
	// MaxCandidates bounds the records one query compares: blocks are
	// taken smallest first (the finest keys: name with date of birth,
	// postcode, identifiers) until the next would pass the bound. 0 means
	// 200.
	MaxCandidates int
}

// Index is an incremental, in-memory index of person records. Add, Update
// and Remove take effect at once; Query matches a person against every
// indexed record that shares a blocking key. All methods are safe for
// concurrent use.
type Index struct {
	mu       sync.RWMutex
	vars     *Variants
	tab      tables
	recs     []rec
	free     []uint32
	byID     map[string]uint32
	live     int
	post     postings
	tf       [2]termFreq // given, family
	maxBlock int
	maxCand  int

	params  atomic.Pointer[Params]
	scratch sync.Pool
	// changes counts Add, Update and Remove; estimated is its value at
	// the last Reestimate (see ReestimateInBackground).
	changes, estimated atomic.Int64
	// varEpoch counts LoadVariants calls that changed names; a pairCache
	// of an older epoch is cleared before use.
	varEpoch atomic.Uint64
}

// termFreq counts how often each name id occurs in one role.
type termFreq struct {
	cnt   []uint32
	n     uint64
	sumSq uint64 // sum of cnt^2
}

func (t *termFreq) add(id uint32, d int) {
	if id == 0 {
		return
	}
	for int(id) >= len(t.cnt) {
		t.cnt = append(t.cnt, 0)
	}
	c := uint64(t.cnt[id])
	if d > 0 {
		t.sumSq += 2*c + 1
		t.cnt[id]++
		t.n++
	} else if c > 0 {
		t.sumSq -= 2*c - 1
		t.cnt[id]--
		t.n--
	}
}

// tfCap bounds a term-frequency adjustment, in bits.
const tfCap = 8

// adjust returns log2(average agreement probability / frequency of id):
// positive for a rarer than average value, negative for a common one.
func (t *termFreq) adjust(id uint32) float64 {
	if t.n < 50 {
		return 0
	}
	c := 1.0
	if int(id) < len(t.cnt) && t.cnt[id] > 0 {
		c = float64(t.cnt[id])
	}
	n := float64(t.n)
	avg := float64(t.sumSq) / (n * n)
	a := math.Log2(avg / (c / n))
	return math.Max(-tfCap, math.Min(tfCap, a))
}

type scratch struct {
	mark  []uint32
	gen   uint32
	keys  []uint64
	cand  []uint32
	one   [1]uint32
	ones  []uint32   // storage for blocks of one slot, one per key
	lists [][]uint32 // the blocks of a query
	pc    *pairCache
}

// cache returns the scratch's comparison cache, cleared if the index's
// name variants changed since it was filled.
func (sc *scratch) cache(ix *Index) *pairCache {
	e := ix.varEpoch.Load()
	if sc.pc == nil {
		sc.pc = &pairCache{epoch: e}
	}
	if sc.pc.epoch != e {
		*sc.pc = pairCache{epoch: e}
	}
	return sc.pc
}

// reset makes every one of n slots unmarked.
func (sc *scratch) reset(n int) {
	if len(sc.mark) < n {
		sc.mark = make([]uint32, n+n/4+16)
		sc.gen = 0
	}
	sc.gen++
	if sc.gen == 0 {
		clear(sc.mark)
		sc.gen = 1
	}
}

// NewIndex returns an empty index.
func NewIndex(opt Options) *Index {
	ix := &Index{vars: opt.Variants, tab: newTables(), byID: map[string]uint32{}, maxBlock: opt.MaxBlock}
	if ix.vars == nil {
		ix.vars = DefaultVariants()
	}
	if ix.maxBlock <= 0 {
		ix.maxBlock = 100
	}
	ix.maxCand = opt.MaxCandidates
	if ix.maxCand <= 0 {
		ix.maxCand = 200
	}
	p := opt.Params
	if p == nil {
		p = DefaultParams()
	}
	ix.params.Store(p)
	ix.scratch.New = func() any { return &scratch{} }
	return ix
}

// Len returns the number of indexed records.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.live
}

// Params returns the parameters in use.
func (ix *Index) Params() *Params { return ix.params.Load() }

// SetParams replaces the parameters atomically.
func (ix *Index) SetParams(p *Params) { ix.params.Store(p) }

// Add indexes a new record. It is matchable as soon as Add returns.
func (ix *Index) Add(p Person) error {
	if p.ID == "" {
		return ErrNoID
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if _, ok := ix.byID[p.ID]; ok {
		return fmt.Errorf("%w: %q", ErrExists, p.ID)
	}
	ix.insert(&p)
	return nil
}

// AddAll indexes many records under one lock. It stops at the first
// error (an empty or duplicate ID); records before it stay indexed. A
// large batch is filed by every core.
func (ix *Index) AddAll(ps []Person) error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	workers := runtime.GOMAXPROCS(0)
	if len(ps) < 4096 || workers == 1 {
		for i := range ps {
			if err := ix.checkNew(ps[i].ID); err != nil {
				return err
			}
			ix.insert(&ps[i])
		}
		return nil
	}
	const chunk = 1 << 16
	for start := 0; start < len(ps); start += chunk {
		batch := ps[start:min(start+chunk, len(ps))]
		first := uint32(len(ix.recs))
		v := view{t: &ix.tab}
		var err error
		for i := range batch {
			if err = ix.checkNew(batch[i].ID); err != nil {
				break
			}
			r := v.encode(ix.vars, &batch[i])
			r.id = cloneString(batch[i].ID)
			ix.byID[r.id] = uint32(len(ix.recs))
			ix.recs = append(ix.recs, r)
			ix.live++
			ix.changes.Add(1)
		}
		ix.fileBatch(first, uint32(len(ix.recs)), workers)
		if err != nil {
			return err
		}
	}
	return nil
}

func (ix *Index) checkNew(id string) error {
	if id == "" {
		return ErrNoID
	}
	if _, ok := ix.byID[id]; ok {
		return fmt.Errorf("%w: %q", ErrExists, id)
	}
	return nil
}

// fileBatch files the blocking keys and term counts of slots [lo, hi):
// the keys are computed by workers goroutines, then each shard of the
// postings is filled by one goroutine, in slot order.
func (ix *Index) fileBatch(lo, hi uint32, workers int) {
	type keyed struct {
		k    uint64
		slot uint32
	}
	bufs := make([][]keyed, workers)
	var wg sync.WaitGroup
	per := (int(hi-lo) + workers - 1) / workers
	for w := range workers {
		a, b := lo+uint32(w*per), min(hi, lo+uint32((w+1)*per))
		wg.Add(1)
		go func() {
			defer wg.Done()
			v := view{t: &ix.tab}
			var keys []uint64
			for s := a; s < b; s++ {
				keys = blockKeys(&v, &ix.recs[s], keys[:0])
				for _, k := range keys {
					bufs[w] = append(bufs[w], keyed{k, s})
				}
			}
		}()
	}
	for s := lo; s < hi; s++ {
		if names := ix.recs[s].section(cNames); len(names) >= 3 {
			ix.tf[0].add(names[0], 1)
			ix.tf[1].add(names[2], 1)
		}
	}
	wg.Wait()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, buf := range bufs {
				for _, e := range buf {
					if sh := shardOf(e.k); sh%workers == w {
						ix.post.sh[sh].add(e.k, e.slot)
					}
				}
			}
		}()
	}
	wg.Wait()
}

func (ix *Index) insert(p *Person) {
	v := view{t: &ix.tab}
	r := v.encode(ix.vars, p)
	r.id = cloneString(p.ID)
	var slot uint32
	if n := len(ix.free); n > 0 {
		slot = ix.free[n-1]
		ix.free = ix.free[:n-1]
		ix.recs[slot] = r
	} else {
		slot = uint32(len(ix.recs))
		ix.recs = append(ix.recs, r)
	}
	ix.byID[r.id] = slot
	ix.live++
	ix.changes.Add(1)
	ix.link(&v, slot, 1)
}

// link adds (d=1) or removes (d=-1) the blocking keys and term counts of
// the record in slot.
func (ix *Index) link(v *view, slot uint32, d int) {
	r := &ix.recs[slot]
	if names := r.section(cNames); len(names) >= 3 {
		ix.tf[0].add(names[0], d)
		ix.tf[1].add(names[2], d)
	}
	sc := ix.scratch.Get().(*scratch)
	sc.keys = blockKeys(v, r, sc.keys[:0])
	for _, k := range sc.keys {
		if d > 0 {
			ix.post.add(k, slot)
		} else {
			ix.post.remove(k, slot)
		}
	}
	ix.scratch.Put(sc)
}

// Update replaces the record with the same ID.
func (ix *Index) Update(p Person) error {
	if p.ID == "" {
		return ErrNoID
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	slot, ok := ix.byID[p.ID]
	if !ok {
		return fmt.Errorf("%w: %q", ErrNotFound, p.ID)
	}
	v := view{t: &ix.tab}
	ix.link(&v, slot, -1)
	r := v.encode(ix.vars, &p)
	r.id = ix.recs[slot].id
	ix.recs[slot] = r
	ix.link(&v, slot, 1)
	ix.changes.Add(1)
	return nil
}

// Remove deletes a record; it reports whether the ID was indexed.
func (ix *Index) Remove(id string) bool {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	slot, ok := ix.byID[id]
	if !ok {
		return false
	}
	v := view{t: &ix.tab}
	ix.link(&v, slot, -1)
	delete(ix.byID, id)
	ix.recs[slot] = rec{}
	ix.free = append(ix.free, slot)
	ix.live--
	ix.changes.Add(1)
	return true
}

// Candidate is an indexed record that may be the queried person.
type Candidate struct {
	ID          string      `json:"id"`
	Probability float64     `json:"probability"`
	Explanation Explanation `json:"explanation"`
}

// QueryOptions tune a Query.
type QueryOptions struct {
	// MinProbability drops candidates below it (default 0.01).
	MinProbability float64
	// Limit is the most candidates returned, best first (default 20).
	Limit int
	// ExcludeID leaves out the record with this ID (the person itself
	// when it is already indexed).
	ExcludeID string
}

// Query matches p against the index and returns the candidates with their
// probability and reasons, most probable first. p need not be indexed.
func (ix *Index) Query(p Person, opt QueryOptions) []Candidate {
	if opt.MinProbability <= 0 {
		opt.MinProbability = 0.01
	}
	if opt.Limit <= 0 {
		opt.Limit = 20
	}
	params := ix.params.Load()
	minW := logit2(opt.MinProbability)
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	sc := ix.scratch.Get().(*scratch)
	defer ix.scratch.Put(sc)
	v := view{t: &ix.tab, readonly: true, pc: sc.cache(ix)}
	q := v.encode(ix.vars, &p)
	self := ^uint32(0)
	if s, ok := ix.byID[opt.ExcludeID]; ok && opt.ExcludeID != "" {
		self = s
	}
	cands := ix.candidates(&v, &q, self, false, sc)
	var out []Candidate
	for _, c := range cands {
		r := &ix.recs[c]
		res := v.compare(&q, r)
		w := ix.weight(params, &res)
		if w < minW {
			continue
		}
		e := ix.explain(params, &res)
		out = append(out, Candidate{ID: r.id, Probability: e.Probability, Explanation: e})
	}
	slices.SortFunc(out, func(a, b Candidate) int {
		if c := cmp.Compare(b.Probability, a.Probability); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	if len(out) > opt.Limit {
		out = out[:opt.Limit]
	}
	return out
}

// candidates returns the slots sharing a blocking key with q, skipping
// self, and with onlyAfter only slots greater than self. The result lives
// in sc.
func (ix *Index) candidates(v *view, q *rec, self uint32, onlyAfter bool, sc *scratch) []uint32 {
	sc.reset(len(ix.recs))
	sc.keys = blockKeys(v, q, sc.keys[:0])
	sc.cand = sc.cand[:0]
	if cap(sc.ones) < len(sc.keys) {
		sc.ones = make([]uint32, len(sc.keys)+8)
	}
	sc.lists = sc.lists[:0]
	for i, k := range sc.keys {
		if list := ix.post.get(k, sc.ones[i:i+1]); len(list) > 0 && len(list) <= ix.maxBlock {
			sc.lists = append(sc.lists, list)
		}
	}
	slices.SortFunc(sc.lists, func(a, b []uint32) int { return cmp.Compare(len(a), len(b)) })
	for _, list := range sc.lists {
		if len(sc.cand)+len(list) > ix.maxCand+1 {
			break
		}
		for _, c := range list {
			if c == self || (onlyAfter && c < self) || sc.mark[c] == sc.gen {
				continue
			}
			sc.mark[c] = sc.gen
			sc.cand = append(sc.cand, c)
		}
	}
	return sc.cand
}

// weight returns the total match weight of a comparison in bits.
func (ix *Index) weight(p *Params, res *cmpResult) float64 {
	w := p.prior
	for f := range nFields {
		if l := res.v.level(f); l != missing {
			w += p.w[f][l]
		}
	}
	tfG, tfF := ix.tfAdjust(res)
	return w + tfG + tfF + household(p, res.v, tfF)
}

// tfAdjust returns the term-frequency adjustments of an exact given-name
// and family-name agreement.
func (ix *Index) tfAdjust(res *cmpResult) (given, family float64) {
	if res.v.level(fGiven) == 0 {
		given = ix.tf[res.tfRole[0]].adjust(res.tfID[0])
	}
	if res.v.level(fFamily) == 0 {
		family = ix.tf[res.tfRole[1]].adjust(res.tfID[1])
	}
	return given, family
}

// household returns the correction for two people of one household: when
// the family names agree, the addresses are the same or nearly, and both
// given names are present but different (not variants, not a typing error
// apart), and no document number or handle is shared, the shared family
// name and address are explained by the family
// living together (siblings, twins, parent and child) and are no evidence
// that the two records are one person. The correction takes their weight
// back (tfFamily is the family name's term-frequency adjustment), so that
// given names, date of birth and identifiers decide: twins, who share a
// date of birth, are told apart by their given names unless an identifier
// links them.
func household(p *Params, v vector, tfFamily float64) float64 {
	if !isHousehold(v) {
		return 0
	}
	h := tfFamily
	for _, f := range []int{fFamily, fAddress} {
		if l := v.level(f); l != missing {
			h += p.w[f][l]
		}
	}
	return -max(0, h)
}

func logit2(p float64) float64 {
	p = math.Max(1e-12, math.Min(1-1e-12, p))
	return math.Log2(p / (1 - p))
}

func prob(w float64) float64 { return 1 / (1 + math.Exp2(-w)) }

// Explain compares two records directly and returns the reasons, whether or
// not they share a blocking key. Neither need be indexed, but the index's
// parameters and name frequencies are used.
func (ix *Index) Explain(a, b Person) Explanation {
	params := ix.params.Load()
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	v := view{t: &ix.tab, readonly: true}
	ra, rb := v.encode(ix.vars, &a), v.encode(ix.vars, &b)
	res := v.compare(&ra, &rb)
	return ix.explain(params, &res)
}

// Reestimate estimates the parameters from a sample of up to sample
// records drawn at random (all records when sample <= 0) and swaps them in
// atomically; queries keep running meanwhile. u comes from random pairs,
// m from EM on the pairs sharing a name, a date of birth or an address,
// and the prior from the candidate pairs of the sample (see estimate.go).
// It returns the new parameters, or the old ones and ErrImplausible when
// the estimate cannot describe matches.
func (ix *Index) Reestimate(ctx context.Context, sample int, seed uint64) (*Params, error) {
	ix.mu.RLock()
	changes := ix.changes.Load()
	n := len(ix.recs)
	var slots []uint32
	if sample <= 0 || sample >= ix.live {
		for i := range ix.recs {
			if ix.recs[i].live() {
				slots = append(slots, uint32(i))
			}
		}
	} else {
		rng := rand.New(rand.NewPCG(seed, 0x6d61746368))
		seen := map[uint32]bool{}
		for len(slots) < sample && n > 0 {
			s := uint32(rng.IntN(n))
			if ix.recs[s].live() && !seen[s] {
				seen[s] = true
				slots = append(slots, s)
			}
		}
	}
	all := len(slots) == ix.live
	v := view{t: &ix.tab, readonly: true}
	live := make([]uint32, 0, ix.live)
	for i := range ix.recs {
		if ix.recs[i].live() {
			live = append(live, uint32(i))
		}
	}
	if len(live) < 2 {
		ix.mu.RUnlock()
		return ix.params.Load(), nil
	}
	rng := rand.New(rand.NewPCG(seed, 0x7570616972))
	u := randomU(&v, randomPairs, func() (*rec, *rec) {
		return &ix.recs[live[rng.IntN(len(live))]], &ix.recs[live[rng.IntN(len(live))]]
	})
	smp := newTrainSet()
	sc := ix.scratch.Get().(*scratch)
	v.pc = sc.cache(ix)
	for i, s := range slots {
		if i%1024 == 0 && ctx.Err() != nil {
			ix.scratch.Put(sc)
			ix.mu.RUnlock()
			return nil, ctx.Err()
		}
		r := &ix.recs[s]
		ix.rulePairs(&v, r, s, sc, smp)
		for _, c := range ix.candidates(&v, r, s, all, sc) {
			smp.addCand(v.compare(r, &ix.recs[c]).v)
		}
	}
	ix.scratch.Put(sc)
	nl := float64(ix.live)
	smp.possible = float64(len(slots)) * (nl - 1)
	if all {
		smp.possible /= 2
	}
	ix.mu.RUnlock()
	ix.estimated.Store(changes)
	p := estimate(smp, u, 500)
	if p == nil {
		return ix.params.Load(), nil
	}
	if err := p.plausible(); err != nil {
		return ix.params.Load(), err
	}
	ix.params.Store(p)
	return p, nil
}

// ReestimateInBackground starts a goroutine that calls Reestimate with
// the given sample size every interval, when at least minChanges records
// have been added, updated or removed since the last estimate, until ctx
// is done. Queries and changes carry on meanwhile; the new parameters are
// swapped in atomically. An estimate that fails keeps the parameters in
// use, and its error goes to onErr when onErr is not nil.
func (ix *Index) ReestimateInBackground(ctx context.Context, every time.Duration, sample int, minChanges int64, onErr func(error)) {
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for seed := uint64(1); ; seed++ {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			if ix.changes.Load()-ix.estimated.Load() < max(1, minChanges) {
				continue
			}
			if _, err := ix.Reestimate(ctx, sample, seed); err != nil && ctx.Err() == nil && onErr != nil {
				onErr(err)
			}
		}
	}()
}

// rulePairs adds to smp the pairs that q forms under each estimation rule
// (at most rulePairsPerKey per key, spread over the block), skipping self.
func (ix *Index) rulePairs(v *view, q *rec, self uint32, sc *scratch, smp *trainSet) {
	for rule := range nRules {
		sc.reset(len(ix.recs))
		sc.keys = ruleKeys(v, q, rule, sc.keys[:0])
		for _, k := range sc.keys {
			list := ix.post.get(k, sc.one[:])
			step := max(1, len(list)/rulePairsPerKey)
			for i := 0; i < len(list); i += step {
				c := list[i]
				if c == self || sc.mark[c] == sc.gen {
					continue
				}
				sc.mark[c] = sc.gen
				smp.addRule(rule, v.compare(q, &ix.recs[c]).v)
			}
		}
	}
}

// randomPairs is how many random pairs estimate u.
const randomPairs = 200000

// randomU estimates u, the probability of each comparison level among
// non-matches, from n random pairs drawn by next (pairs of a record with
// itself are skipped). Random pairs are almost all non-matches.
func randomU(v *view, n int, next func() (*rec, *rec)) [nFields][maxLevels]float64 {
	var cnt [nFields][maxLevels]float64
	for range n {
		a, b := next()
		if a == b {
			continue
		}
		vec := v.compare(a, b).v
		for f := range nFields {
			if l := vec.level(f); l != missing {
				cnt[f][l]++
			}
		}
	}
	var u [nFields][maxLevels]float64
	for f := range nFields {
		nl := float64(len(levelNames[f]))
		total := 0.0
		for l := range levelNames[f] {
			total += cnt[f][l]
		}
		for l := range levelNames[f] {
			u[f][l] = (cnt[f][l] + 0.5) / (total + 0.5*nl)
		}
	}
	return u
}

// LoadVariants adds entries to the index's variant tables (see
// Variants.Load) and re-keys the indexed records whose names change
// meaning, so that the new variants take effect for records already
// indexed. Street tables apply to records added afterwards.
func (ix *Index) LoadVariants(r io.Reader, kind Kind) error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if err := ix.vars.Load(r, kind); err != nil {
		return err
	}
	if kind == Streets {
		return nil
	}
	fresh := make([]nameInfo, len(ix.tab.names))
	changed := map[uint32]bool{}
	for id := 1; id < len(ix.tab.names); id++ {
		old := &ix.tab.names[id]
		fresh[id] = ix.vars.normName(old.words)
		fresh[id].full = old.full // the intern key stays
		if fresh[id].core != old.core || !slices.Equal(fresh[id].toks, old.toks) || !slices.Equal(fresh[id].groups, old.groups) {
			changed[uint32(id)] = true
		}
	}
	if len(changed) == 0 {
		return nil
	}
	var affected []uint32
	v := view{t: &ix.tab}
	for s := range ix.recs {
		r := &ix.recs[s]
		if !r.live() {
			continue
		}
		for _, id := range r.section(cNames) {
			if changed[id] {
				affected = append(affected, uint32(s))
				break
			}
		}
	}
	for _, s := range affected {
		ix.link(&v, s, -1)
	}
	for id := range changed {
		ix.tab.names[id] = fresh[id]
	}
	ix.varEpoch.Add(1)
	for _, s := range affected {
		ix.link(&v, s, 1)
	}
	return nil
}

func cloneString(s string) string {
	b := make([]byte, len(s))
	copy(b, s)
	return string(b)
}
