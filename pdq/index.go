package pdq

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"sync"
	"unsafe"
)

// Index is an exact Hamming-distance index of PDQ hashes: a query returns
// every stored hash within the query's distance, exactly as a brute-force scan
// would, usually after looking at a small fraction of them.
//
// Design (multi-index hashing, Norouzi et al.): the first m*w bits of each
// hash are cut into m slots of w bits. For each slot a bucket directory
// lists, for every w-bit value, the ids of the hashes whose slot has that
// value. Ids are bit-packed with just enough bits for the index size (20 bits
// up to 1M hashes, 24 up to 16M); the directory is uint16 offsets under a
// uint32 every 64 buckets. The memory budget of 64 bytes per hash then sets
// the shape: 32 bytes for the hash, about 1.5 for directories (which fixes w:
// 16 bits at 1M hashes, 19 at 10M), and the rest for ids, which fixes m (12
// slots at 1M, 10 at 10M).
//
// Search: if the slots are given radii r_s with sum(r_s+1) >= t+1, any hash
// within distance t of the query differs in at most r_s bits in some slot s
// (otherwise the distance would be at least sum(r_s+1) > t). A query probes,
// in each slot, every key within r_s bits of its own and checks the listed
// hashes with a full 256-bit popcount. At t = 31 with 12 slots that is radius 2
// in eight slots and radius 1 in four; with 10 slots, radius 3 in two and 2 in
// eight.
//
// Hashes added since the last build sit in an unindexed tail that queries
// scan linearly; the index is rebuilt when the tail grows past
// max(32768, n/64). Small indexes (under 65536 hashes) are just scanned.
//
// An Index is safe for concurrent use: queries share a read lock, adds take
// the write lock.
type Index struct {
	mu     sync.RWMutex
	hashes []Hash256 // id = position
	built  int       // hashes[:built] are in the slot directories
	w      uint      // key bits per slot
	idBits uint      // bits per packed id
	slots  []slot
	masks  [4][]uint32 // masks[r]: all w-bit masks of weight <= r, by weight
}

const (
	minIndexed    = 1 << 16 // below this, scan
	minTail       = 1 << 15
	maxIndexedIDs = 1 << 26
	// bytesPerHash is the memory budget the shape is chosen for.
	bytesPerHash = 64
)

// slot is one slot's bucket directory and id lists. The directory stores the
// entry offset of each bucket k in the narrowest of three forms that fits:
// uint8 offsets relative to a uint32 base every 16 buckets (1.25 bytes per
// bucket), uint16 offsets under a base every 64 buckets (2.06 bytes), or
// plain uint32 offsets (for very uneven, clustered data).
type slot struct {
	base  []uint32 // offset of bucket g<<groupShift
	rel8  []uint8  // offset of bucket k minus base[k>>4]; len 2^w+1
	rel16 []uint16 // offset of bucket k minus base[k>>6]; len 2^w+1
	off32 []uint32 // offset of bucket k
	ids   []byte   // idBits per entry, little-endian bit packing, 8 bytes of padding
}

// Match is one stored hash found by a query.
type Match struct {
	ID       int // position in insertion order, from 0
	Distance int
}

// NewIndex returns an empty index.
func NewIndex() *Index { return &Index{} }

// Len returns the number of stored hashes.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return len(ix.hashes)
}

// Hash returns the stored hash with the given id.
func (ix *Index) Hash(id int) Hash256 {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.hashes[id]
}

// Add stores one hash and returns its id.
func (ix *Index) Add(h Hash256) int {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.grow(1)
	ix.hashes = append(ix.hashes, h)
	ix.maybeRebuild()
	return len(ix.hashes) - 1
}

// ErrUnmatchable is returned for hashes whose quality is below
// MinMatchableQuality: they must neither be stored for matching nor matched.
var ErrUnmatchable = errors.New("pdq: hash quality too low to match (<= 49)")

// AddHash stores a hash with its quality, refusing unmatchable ones.
func (ix *Index) AddHash(h Hash) (int, error) {
	if !h.Matchable() {
		return -1, ErrUnmatchable
	}
	return ix.Add(h.Hash256), nil
}

// QueryHash queries with a hash and its quality: an unmatchable hash (quality
// <= 49) matches nothing and returns ErrUnmatchable.
func (ix *Index) QueryHash(h Hash, maxDist int) ([]Match, error) {
	if !h.Matchable() {
		return nil, ErrUnmatchable
	}
	return ix.Query(h.Hash256, maxDist), nil
}

// AddBatch stores many hashes at once (one rebuild at most) and returns the
// id of the first.
func (ix *Index) AddBatch(hs []Hash256) int {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	first := len(ix.hashes)
	ix.grow(len(hs))
	ix.hashes = append(ix.hashes, hs...)
	ix.maybeRebuild()
	return first
}

// grow makes room for n more hashes with at most 1/8 spare capacity, so the
// slice never costs more than 36 bytes per hash.
func (ix *Index) grow(n int) {
	need := len(ix.hashes) + n
	if need <= cap(ix.hashes) {
		return
	}
	c := max(need, len(ix.hashes)+len(ix.hashes)/8, 1024)
	nh := make([]Hash256, len(ix.hashes), c)
	adviseHugePages(unsafe.Pointer(unsafe.SliceData(nh)), uintptr(c)*32)
	copy(nh, ix.hashes)
	ix.hashes = nh
}

func (ix *Index) maybeRebuild() {
	n := len(ix.hashes)
	if n < minIndexed || n > maxIndexedIDs {
		return
	}
	if n-ix.built > max(minTail, ix.built/64) {
		ix.rebuild()
	}
}

// indexShape picks, for n hashes, the id width and the slot layout (w bits
// per slot, m slots) that minimises the estimated cost of a query at the
// default threshold (bucket entries checked, plus two cache misses per probed
// bucket) among the layouts whose memory, with 32 bytes for the hash itself,
// fits in bytesPerHash (with half a byte to spare).
func indexShape(n int) (idBits, w uint, m int) {
	idBits = max(uint(bits.Len(uint(n-1))), 16)
	best := math.Inf(1)
	for ww := uint(12); ww <= 20; ww++ {
		for mm := 1; mm <= 16 && uint(mm)*ww <= 256; mm++ {
			// Directory bytes per bucket: 1.25 when groups of 16 buckets
			// comfortably fit uint8 offsets (random data), else 2.07.
			perBucket := 2.07
			if 16*float64(n)/float64(uint64(1)<<ww) <= 160 {
				perBucket = 1.26
			}
			dir := float64(mm) * float64(uint64(1)<<ww) * perBucket
			mem := 32 + float64(mm)*float64(idBits)/8 + dir/float64(n)
			if mem > bytesPerHash-0.5 {
				continue
			}
			a, b := (MatchThreshold+1)/mm, (MatchThreshold+1)%mm
			if maxRadius(a, b) > 3 {
				continue
			}
			probes := 0.0
			for s := 0; s < mm; s++ {
				r := a
				if s >= b {
					r = a - 1
				}
				probes += ball(ww, r)
			}
			cost := probes*float64(n)/float64(uint64(1)<<ww) + 2*probes
			if cost < best {
				best, w, m = cost, ww, mm
			}
		}
	}
	return idBits, w, m
}

// maxRadius is the largest slot radius for t+1 = a*m + b.
func maxRadius(a, b int) int {
	if b > 0 {
		return a
	}
	return a - 1
}

// ball is the number of w-bit keys within r bits of a key.
func ball(w uint, r int) float64 {
	sum, c := 0.0, 1.0
	for i := 0; i <= r; i++ {
		sum += c
		c = c * float64(int(w)-i) / float64(i+1)
	}
	return sum
}

// slotKey extracts bits [off, off+w) of h.
func slotKey(h *Hash256, off, w uint) uint32 {
	i, sh := off>>6, off&63
	v := h[i] >> sh
	if sh+w > 64 && i < 3 {
		v |= h[i+1] << (64 - sh)
	}
	return uint32(v) & (1<<w - 1)
}

func (ix *Index) rebuild() {
	n := len(ix.hashes)
	idBits, w, m := indexShape(n)
	if w != ix.w || ix.masks[0] == nil {
		ix.w = w
		ix.masks = flipMasks(w)
	}
	ix.idBits = idBits
	if len(ix.slots) != m {
		ix.slots = make([]slot, m)
	}
	nb := 1 << w
	counts := make([]uint32, nb+1)
	for s := 0; s < m; s++ {
		off := uint(s) * w
		clear(counts)
		for i := range ix.hashes {
			counts[slotKey(&ix.hashes[i], off, w)+1]++
		}
		for k := 1; k <= nb; k++ {
			counts[k] += counts[k-1]
		}
		sl := &ix.slots[s]
		*sl = slot{}
		switch {
		case groupsFit(counts, 16, 1<<8):
			sl.base = make([]uint32, nb/16+1)
			sl.rel8 = make([]uint8, nb+1)
			for k := 0; k <= nb; k++ {
				if k&15 == 0 {
					sl.base[k>>4] = counts[k]
				}
				sl.rel8[k] = uint8(counts[k] - sl.base[k>>4])
			}
		case groupsFit(counts, 64, 1<<16):
			sl.base = make([]uint32, nb/64+1)
			sl.rel16 = make([]uint16, nb+1)
			for k := 0; k <= nb; k++ {
				if k&63 == 0 {
					sl.base[k>>6] = counts[k]
				}
				sl.rel16[k] = uint16(counts[k] - sl.base[k>>6])
			}
		default:
			sl.off32 = slices.Clone(counts)
		}
		ids := make([]byte, (uint(n)*idBits+7)/8+8)
		adviseHugePages(unsafe.Pointer(unsafe.SliceData(ids)), uintptr(len(ids)))
		pos := counts // reuse as fill cursor
		for i := range ix.hashes {
			k := slotKey(&ix.hashes[i], off, w)
			p := pos[k]
			pos[k]++
			bit := uint(p) * idBits
			v := binary.LittleEndian.Uint64(ids[bit>>3:])
			v |= uint64(i) << (bit & 7)
			binary.LittleEndian.PutUint64(ids[bit>>3:], v)
		}
		sl.ids = ids
	}
	ix.built = n
}

// groupsFit reports whether every group of g buckets (cumulative counts c)
// spans fewer than limit entries.
func groupsFit(c []uint32, g int, limit uint32) bool {
	nb := len(c) - 1
	for k := 0; k < nb; k += g {
		if c[min(k+g, nb)]-c[k] >= limit {
			return false
		}
	}
	return true
}

// bucket returns the entry range of key k.
func (sl *slot) bucket(k uint32) (lo, hi uint32) {
	switch {
	case sl.rel8 != nil:
		return sl.base[k>>4] + uint32(sl.rel8[k]), sl.base[(k+1)>>4] + uint32(sl.rel8[k+1])
	case sl.rel16 != nil:
		return sl.base[k>>6] + uint32(sl.rel16[k]), sl.base[(k+1)>>6] + uint32(sl.rel16[k+1])
	}
	return sl.off32[k], sl.off32[k+1]
}

// flipMasks returns, for r = 0..3, all w-bit masks of weight <= r ordered by
// weight.
func flipMasks(w uint) (m [4][]uint32) {
	all := []uint32{0}
	m[0] = slices.Clone(all)
	for a := uint(0); a < w; a++ {
		all = append(all, 1<<a)
	}
	m[1] = slices.Clone(all)
	for a := uint(0); a < w; a++ {
		for b := a + 1; b < w; b++ {
			all = append(all, 1<<a|1<<b)
		}
	}
	m[2] = slices.Clone(all)
	for a := uint(0); a < w; a++ {
		for b := a + 1; b < w; b++ {
			for c := b + 1; c < w; c++ {
				all = append(all, 1<<a|1<<b|1<<c)
			}
		}
	}
	m[3] = all
	return m
}

// Query returns every stored hash within maxDist of q, ordered by id.
func (ix *Index) Query(q Hash256, maxDist int) []Match {
	return ix.QueryAppend(nil, q, maxDist)
}

// QueryAppend is Query appending to dst.
func (ix *Index) QueryAppend(dst []Match, q Hash256, maxDist int) []Match {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	start := len(dst)
	dst = ix.query(dst, &q, maxDist)
	return dedupe(dst, start)
}

// QueryDihedral queries with several hashes at once (typically the eight
// dihedral hashes of one image) and returns each stored hash within maxDist
// of any of them once, with its smallest distance, ordered by id.
func (ix *Index) QueryDihedral(qs []Hash256, maxDist int) []Match {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	var dst []Match
	for i := range qs {
		dst = ix.query(dst, &qs[i], maxDist)
	}
	return dedupe(dst, 0)
}

// dedupe sorts dst[start:] by id, then distance, and keeps the first of each
// id.
func dedupe(dst []Match, start int) []Match {
	ms := dst[start:]
	if len(ms) < 2 {
		return dst
	}
	slices.SortFunc(ms, func(a, b Match) int {
		if a.ID != b.ID {
			return a.ID - b.ID
		}
		return a.Distance - b.Distance
	})
	out := ms[:1]
	for _, m := range ms[1:] {
		if m.ID != out[len(out)-1].ID {
			out = append(out, m)
		}
	}
	return dst[:start+len(out)]
}

func (ix *Index) query(dst []Match, q *Hash256, t int) []Match {
	if t < 0 {
		return dst
	}
	if t >= 256 {
		t = 256
	}
	hs := ix.hashes
	// Linear part: the unindexed tail, or everything when the directories
	// would not help (small index, or a radius beyond what they cover).
	from := ix.built
	m := len(ix.slots)
	var a, b int // t+1 = a*m + b: b slots get radius a, the others a-1
	if m > 0 {
		a, b = (t+1)/m, (t+1)%m
	}
	if ix.built == 0 || maxRadius(a, b) > 3 {
		from = 0 // no directories, or a radius beyond the probe masks
	}
	if from == 0 {
		return scan(dst, hs, 0, q, t)
	}
	dst = scan(dst, hs[:len(hs):len(hs)], from, q, t)
	q0, q1, q2, q3 := q[0], q[1], q[2], q[3]
	idBits := ix.idBits
	idMask := uint64(1)<<idBits - 1
	// Three passes, each a loop of independent memory accesses that the CPU
	// can overlap: find the bucket ranges of all probes, gather the ids in
	// them, then check the candidate hashes.
	bufp := candPool.Get().(*queryBuf)
	rng, cand := bufp.ranges[:0], bufp.cand[:0]
	defer func() { bufp.ranges, bufp.cand = rng, cand; candPool.Put(bufp) }()
	for s := 0; s < m; s++ {
		r := a
		if s >= b {
			r = a - 1
		}
		if r < 0 {
			continue
		}
		sl := &ix.slots[s]
		key := slotKey(q, uint(s)*ix.w, ix.w)
		for _, m := range ix.masks[r] {
			if lo, hi := sl.bucket(key ^ m); lo < hi {
				rng = append(rng, bucketRange{uint32(s), lo, hi})
			}
		}
	}
	for _, br := range rng {
		ids := ix.slots[br.slot].ids
		for p := br.lo; p < br.hi; p++ {
			bit := uint(p) * idBits
			cand = append(cand, uint32(binary.LittleEndian.Uint64(ids[bit>>3:])>>(bit&7)&idMask))
		}
	}
	// Touch every candidate first: a loop this small keeps many cache misses
	// in flight at once, and the checking loop then finds the lines cached.
	var sink uint64
	for _, id := range cand {
		sink += hs[id][0]
	}
	bufp.sink = sink
	for _, id := range cand {
		h := &hs[id]
		d := bits.OnesCount64(h[0]^q0) + bits.OnesCount64(h[1]^q1) +
			bits.OnesCount64(h[2]^q2) + bits.OnesCount64(h[3]^q3)
		if d <= t {
			dst = append(dst, Match{ID: int(id), Distance: d})
		}
	}
	return dst
}

// queryBuf is per-query scratch space, pooled.
type queryBuf struct {
	ranges []bucketRange
	cand   []uint32
	sink   uint64 // keeps the touch loop from being optimised away
}

type bucketRange struct{ slot, lo, hi uint32 }

var candPool = sync.Pool{New: func() any {
	return &queryBuf{ranges: make([]bucketRange, 0, 1<<12), cand: make([]uint32, 0, 1<<15)}
}}

// scan checks hs[from:] linearly.
func scan(dst []Match, hs []Hash256, from int, q *Hash256, t int) []Match {
	q0, q1, q2, q3 := q[0], q[1], q[2], q[3]
	for i := from; i < len(hs); i++ {
		h := &hs[i]
		d := bits.OnesCount64(h[0]^q0) + bits.OnesCount64(h[1]^q1) +
			bits.OnesCount64(h[2]^q2) + bits.OnesCount64(h[3]^q3)
		if d <= t {
			dst = append(dst, Match{ID: i, Distance: d})
		}
	}
	return dst
}

// BruteForce returns every hash of hs within maxDist of q by a linear scan,
// ordered by index; it is the reference the Index is tested against.
func BruteForce(hs []Hash256, q Hash256, maxDist int) []Match {
	return scan(nil, hs, 0, &q, maxDist)
}

// MemoryBytes returns the bytes the index holds (hash storage capacity,
// ids and directories), for the per-hash memory budget.
func (ix *Index) MemoryBytes() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	n := cap(ix.hashes) * 32
	for i := range ix.slots {
		sl := &ix.slots[i]
		n += cap(sl.ids) + 4*cap(sl.base) + cap(sl.rel8) + 2*cap(sl.rel16) + 4*cap(sl.off32)
	}
	for _, m := range ix.masks {
		n += 4 * cap(m)
	}
	return n
}

// String describes the index layout.
func (ix *Index) String() string {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return fmt.Sprintf("pdq.Index{n=%d indexed=%d slots=%dx%d bits ids=%d bits}", len(ix.hashes), ix.built, len(ix.slots), ix.w, ix.idBits)
}
