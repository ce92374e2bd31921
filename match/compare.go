package match

// cmpResult is the outcome of comparing two records.
type cmpResult struct {
	v       vector
	swapped bool
	// given and family are the name ids on the b side whose term
	// frequencies adjust an exact name agreement, with the role
	// (0 given, 1 family) whose frequency table applies.
	tfID   [2]uint32
	tfRole [2]uint8
}

func nameLevel(a, b *nameInfo) uint8 {
	if a.full == "" || b.full == "" {
		return missing
	}
	if a.full == b.full || a.core == b.core {
		return 0
	}
	if intersects(a.groups, b.groups) || a.full == b.core || a.core == b.full ||
		(len(a.skel) > 1 && a.skel == b.skel) || (a.first == b.first && len(a.first) > 1) {
		return 1
	}
	if len(a.core) == 1 || len(b.core) == 1 {
		if a.core[0] == b.core[0] {
			return 3
		}
		return 4
	}
	jw := JaroWinkler(a.core, b.core)
	switch {
	case jw >= 0.92:
		return 2
	case jw >= 0.8:
		return 3
	}
	return 4
}

func middleLevel(a, b *nameInfo) uint8 {
	if a.full == "" || b.full == "" {
		return missing
	}
	if a.core == b.core || intersects(a.groups, b.groups) || JaroWinkler(a.core, b.core) >= 0.92 {
		return 0
	}
	if a.core[0] == b.core[0] && (len(a.core) == 1 || len(b.core) == 1) {
		return 1
	}
	return 2
}

// rank orders name levels for choosing between straight and swapped
// readings; a missing name sits in the middle.
func rank(l uint8) int {
	if l == missing {
		return 5
	}
	return 2 * int(l)
}

func dobLevel(a, b uint32) uint8 {
	if a == 0 || b == 0 {
		return missing
	}
	if a == b {
		if a&0xffff != 0 && a>>16 != 0 && a>>8&0xff != 0 && a&0xff != 0 {
			return 0
		}
		return 2 // equal but partial
	}
	x, y := unpackDate(a), unpackDate(b)
	if x.Year != 0 && y.Year != 0 && x.Month != 0 && y.Month != 0 && x.Day != 0 && y.Day != 0 {
		if x.Year == y.Year && x.Month == y.Day && x.Day == y.Month {
			return 1
		}
		if digitsClose(x.Year*10000+x.Month*100+x.Day, y.Year*10000+y.Month*100+y.Day) {
			return 1
		}
		if x.Year == y.Year {
			return 2
		}
		return 3
	}
	// Partial: every part known on both sides must agree.
	agree := func(p, q int) bool { return p == 0 || q == 0 || p == q }
	if agree(x.Year, y.Year) && agree(x.Month, y.Month) && agree(x.Day, y.Day) {
		if x.Year != 0 && y.Year != 0 {
			return 2
		}
		return missing
	}
	if x.Year != 0 && x.Year == y.Year {
		return 2
	}
	return 3
}

// digitsClose reports whether two 8-digit numbers differ in one digit or by
// two swapped neighbouring digits.
func digitsClose(a, b int) bool {
	var da, db [8]int
	for i := 7; i >= 0; i-- {
		da[i], db[i] = a%10, b%10
		a /= 10
		b /= 10
	}
	diff, first := 0, -1
	for i := range 8 {
		if da[i] != db[i] {
			if first < 0 {
				first = i
			}
			diff++
		}
	}
	if diff == 1 {
		return true
	}
	return diff == 2 && first < 7 && da[first] == db[first+1] && da[first+1] == db[first]
}

func (v *view) placeAgree(a, b uint32) bool {
	if a == b {
		return true
	}
	k, ok := v.pc.lookup(pcPlace, a, b, len(v.t.strs))
	if ok {
		return v.pc.vals[k] != 0
	}
	agree := JaroWinkler(v.str(a), v.str(b)) >= 0.9
	v.pc.store(k, pcPlace, a, b, b2u(agree))
	return agree
}

func (v *view) postcodeAgree(a, b uint32) bool {
	if a == b {
		return true
	}
	if sa := v.sectorOf(a); sa != 0 {
		return sa == v.sectorOf(b)
	}
	x, y := v.str(a), v.str(b)
	return len(x) == len(y) && closeStrings(x, y)
}

// nameLevel and middleLevel compare two interned names.
func (v *view) nameLevel(a, b uint32) uint8 {
	k, ok := v.pc.lookup(pcName, a, b, len(v.t.names))
	if ok {
		return v.pc.vals[k]
	}
	l := nameLevel(v.name(a), v.name(b))
	v.pc.store(k, pcName, a, b, l)
	return l
}

func (v *view) middleLevel(a, b uint32) uint8 {
	k, ok := v.pc.lookup(pcMiddle, a, b, len(v.t.names))
	if ok {
		return v.pc.vals[k]
	}
	l := middleLevel(v.name(a), v.name(b))
	v.pc.store(k, pcMiddle, a, b, l)
	return l
}

func b2u(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

// pairCache remembers comparisons of two interned ids (name levels, place
// and postcode agreement): the same pairs of names and places recur
// throughout a data set. It is direct-mapped and belongs to one goroutine.
// Ids of a query overlay are never cached; the Index clears the caches
// when name variants change (see Index.LoadVariants).
type pairCache struct {
	keys  [1 << 14]uint64
	vals  [1 << 14]uint8
	epoch uint64
}

const (
	pcName uint64 = 1 + iota
	pcMiddle
	pcPlace
)

const pcIDLimit = 1 << 29

// lookup returns the slot of the pair and whether it holds the answer. A
// nil cache, or an id at or above shared (in a query overlay), never
// holds it.
func (c *pairCache) lookup(kind uint64, a, b uint32, shared int) (uint64, bool) {
	if c == nil || int(a) >= shared || int(b) >= shared || a >= pcIDLimit || b >= pcIDLimit {
		return ^uint64(0), false
	}
	key := kind<<60 | uint64(a)<<30 | uint64(b)
	i := (key * 0x9e3779b97f4a7c15) >> (64 - 14)
	return i, c.keys[i] == key
}

func (c *pairCache) store(i, kind uint64, a, b uint32, val uint8) {
	if i == ^uint64(0) {
		return
	}
	c.keys[i] = kind<<60 | uint64(a)<<30 | uint64(b)
	c.vals[i] = val
}

// addrLevel compares two addresses on house number, street, other lines,
// locality and postcode: "same" when all parts present on both agree (at
// least three), "nearly" when all but one agree, "partial" when two or
// more agree, "area" when one does.
func (v *view) addrLevel(a, b []uint32) uint8 {
	n, k := 0, 0
	for i := range 5 {
		if a[i] == 0 || b[i] == 0 {
			continue
		}
		n++
		var ok bool
		switch i {
		case 0:
			ok = a[0] == b[0]
		case 4:
			ok = v.postcodeAgree(a[4], b[4])
		default:
			ok = v.placeAgree(a[i], b[i])
		}
		if ok {
			k++
		}
	}
	switch {
	case n == 0:
		return missing
	case k == n && n >= 3:
		return 0
	case k >= n-1 && k >= 2:
		return 1
	case k >= 2:
		return 2
	case k == 1:
		return 3
	}
	return 4
}

// listLevel compares two lists of identifiers: 0 when one is shared,
// close when two are one typing error apart (if allowed), else different.
func (v *view) listLevel(a, b []uint32, closeLevel, diffLevel uint8, isClose func(x, y string) bool) uint8 {
	if len(a) == 0 || len(b) == 0 {
		return missing
	}
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return 0
			}
		}
	}
	if isClose != nil {
		for _, x := range a {
			for _, y := range b {
				if isClose(v.str(x), v.str(y)) {
					return closeLevel
				}
			}
		}
	}
	return diffLevel
}

func closeDoc(x, y string) bool { return len(x) >= 5 && len(y) >= 5 && closeStrings(x, y) }

func closePhone(x, y string) bool {
	return len(x) >= 7 && len(x) == len(y) && closeStrings(x, y)
}

func localPartEqual(x, y string) bool {
	i, j := indexByte(x, '@'), indexByte(y, '@')
	return i > 0 && j > 0 && x[:i] == y[:j]
}

func indexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

// compare builds the comparison vector of records a and b.
func (v *view) compare(a, b *rec) cmpResult {
	res := cmpResult{v: allMissing()}
	// Names: every name of a against every name of b, straight and with
	// given and family swapped; keep the best reading.
	as, bs := a.sections(), b.sections()
	an, bn := as[cNames], bs[cNames]
	best := 1 << 30
	for i := 0; i+2 < len(an); i += 3 {
		ag, am, af := an[i], an[i+1], an[i+2]
		for j := 0; j+2 < len(bn); j += 3 {
			bg, bm, bf := bn[j], bn[j+1], bn[j+2]
			gl, fl := v.nameLevel(ag, bg), v.nameLevel(af, bf)
			if r := rank(gl) + rank(fl); r < best {
				best = r
				res.v.set(fGiven, gl)
				res.v.set(fFamily, fl)
				res.v.set(fMiddle, v.middleLevel(am, bm))
				res.swapped = false
				res.tfID = [2]uint32{bg, bf}
				res.tfRole = [2]uint8{0, 1}
			}
			if ag == 0 || af == 0 || bg == 0 || bf == 0 {
				continue
			}
			sg, sf := v.nameLevel(ag, bf), v.nameLevel(af, bg)
			if r := rank(sg) + rank(sf); r < best {
				best = r
				// Which comparison fills which slot must not depend on
				// the order of a and b: the better one goes to family.
				tfID, tfRole := [2]uint32{bf, bg}, [2]uint8{1, 0}
				if rank(sg) < rank(sf) {
					sg, sf = sf, sg
					tfID, tfRole = [2]uint32{bg, bf}, [2]uint8{0, 1}
				}
				res.v.set(fGiven, sg)
				res.v.set(fFamily, sf)
				res.v.set(fMiddle, v.middleLevel(am, bm))
				res.swapped = true
				res.tfID, res.tfRole = tfID, tfRole
			}
		}
	}
	if res.swapped {
		res.v |= swappedBit
	}
	res.v.set(fDOB, dobLevel(a.dob, b.dob))
	aa, ba := as[cAddrs], bs[cAddrs]
	addr := missing
	for i := 0; i+4 < len(aa); i += 5 {
		for j := 0; j+4 < len(ba); j += 5 {
			if l := v.addrLevel(aa[i:i+5], ba[j:j+5]); addr == missing || (l != missing && l < addr) {
				addr = l
			}
		}
	}
	res.v.set(fAddress, addr)
	res.v.set(fPhone, v.listLevel(as[cPhones], bs[cPhones], 1, 2, closePhone))
	res.v.set(fEmail, v.listLevel(as[cEmails], bs[cEmails], 1, 2, localPartEqual))
	res.v.set(fDocument, v.listLevel(as[cDocs], bs[cDocs], 1, 2, closeDoc))
	res.v.set(fHandle, v.listLevel(as[cHandles], bs[cHandles], 1, 1, nil))
	return res
}
