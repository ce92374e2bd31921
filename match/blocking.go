package match

// Blocking: every record is filed under several keys, and a query compares
// only records that share at least one key. The keys are chosen so that a
// true pair nearly always shares one even when several fields are wrong:
//
//	family-name sound + birth year      name pair (either order)
//	given-name sound + postcode         family-name sound + postcode
//	given-name sound + birth day/month  full date of birth (day/month order ignored)
//	house number + postcode             document, phone, e-mail, handle
//
// and finer keys that stay small in a large index where the keys above
// grow past the block limit (a common name pair, a common family name in
// one birth year):
//
//	name pair + birth year              name pair + birth day/month
//	family-name sound + date of birth   given-name sound + date of birth
//
// Name sounds are phonetic skeletons and variant-group ids, so Mohammed
// meets Muhammad and Bill meets William.

const (
	tagSkel uint64 = iota + 1
	tagGroup
	kFamYear
	kNamePair
	kGivenPC
	kFamPC
	kGivenMD
	kDOB
	kDoc
	kPhone
	kEmail
	kHandle
	kNumPC
	kStr
	kNameYear
	kNameMD
	kFamDOB
	kGivenDOB
)

// mix hashes a tag and values into a 64-bit key.
func mix(tag uint64, xs ...uint64) uint64 {
	h := tag*0x9e3779b97f4a7c15 + 0x632be59bd9b4e019
	for _, x := range xs {
		h ^= x
		h *= 0xbf58476d1ce4e5b9
		h ^= h >> 31
		h *= 0x94d049bb133111eb
		h ^= h >> 29
	}
	return h
}

// hashString is FNV-1a of s, mixed with a tag.
func hashString(tag uint64, s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return mix(tag, h)
}

// blockKeys appends the blocking keys of r to out, without duplicates.
func blockKeys(v *view, r *rec, out []uint64) []uint64 {
	start := len(out)
	add := func(k uint64) {
		for _, x := range out[start:] {
			if x == k {
				return
			}
		}
		out = append(out, k)
	}
	d := unpackDate(r.dob)
	md1, md2 := uint64(d.Month), uint64(d.Day)
	if md1 > md2 {
		md1, md2 = md2, md1
	}
	addrs := r.section(cAddrs)
	names := r.section(cNames)
	year := uint64(d.Year)
	fullDOB := year != 0 && md1 != 0 && md2 != 0
	for i := 0; i+2 < len(names); i += 3 {
		g, f := v.name(names[i]), v.name(names[i+2])
		for _, tf := range f.toks {
			if year != 0 {
				add(mix(kFamYear, tf, year))
			}
			if fullDOB {
				add(mix(kFamDOB, tf, year, md1, md2))
			}
			for _, tg := range g.toks {
				a, b := tf, tg
				if a > b {
					a, b = b, a
				}
				add(mix(kNamePair, a, b))
				if year != 0 {
					add(mix(kNameYear, a, b, year))
				}
				if md1 != 0 && md2 != 0 {
					add(mix(kNameMD, a, b, md1, md2))
				}
			}
			for j := 0; j+4 < len(addrs); j += 5 {
				if pc := addrs[j+4]; pc != 0 {
					add(mix(kFamPC, tf, hashString(kStr, v.str(pc))))
				}
			}
		}
		for _, tg := range g.toks {
			for j := 0; j+4 < len(addrs); j += 5 {
				if pc := addrs[j+4]; pc != 0 {
					add(mix(kGivenPC, tg, hashString(kStr, v.str(pc))))
				}
			}
			if md1 != 0 && md2 != 0 {
				add(mix(kGivenMD, tg, md1, md2))
			}
			if fullDOB {
				add(mix(kGivenDOB, tg, year, md1, md2))
			}
		}
	}
	if fullDOB {
		add(mix(kDOB, year, md1, md2))
	}
	for j := 0; j+4 < len(addrs); j += 5 {
		if num, pc := addrs[j], addrs[j+4]; num != 0 && pc != 0 {
			add(mix(kNumPC, hashString(kStr, v.str(num)), hashString(kStr, v.str(pc))))
		}
	}
	for _, s := range []struct {
		sec int
		tag uint64
	}{{cDocs, kDoc}, {cPhones, kPhone}, {cEmails, kEmail}, {cHandles, kHandle}} {
		for _, id := range r.section(s.sec) {
			add(hashString(s.tag, v.str(id)))
		}
	}
	return out
}

// postings maps a blocking key to the slots filed under it, in shards by
// the key's top bits so that a large batch can be filed by several
// goroutines at once (see Index.AddAll).
type postings struct {
	sh [postShards]postShard
}

const postShards = 64

func shardOf(k uint64) int { return int(k >> 58) }

func (p *postings) add(k uint64, slot uint32)           { p.sh[shardOf(k)].add(k, slot) }
func (p *postings) remove(k uint64, slot uint32)        { p.sh[shardOf(k)].remove(k, slot) }
func (p *postings) get(k uint64, one []uint32) []uint32 { return p.sh[shardOf(k)].get(k, one) }

// keys returns the number of distinct keys.
func (p *postings) keys() int {
	n := 0
	for i := range p.sh {
		n += p.sh[i].n
	}
	return n
}

// postShard is one shard of postings: an open-addressing hash table
// (linear probing, at most three quarters full) from key to either one
// slot or, with listFlag, an index into lists. A key with one slot (most
// document numbers, phones and e-mails) costs one table entry. Keys are
// hashes already; the key 0 marks an empty entry, so a key 0 is filed as
// 1.
type postShard struct {
	keys  []uint64
	vals  []uint32
	n     int
	lists [][]uint32
	freeL []uint32
}

const listFlag = 1 << 31

// find returns the index of k in the table, or of the empty entry where
// it would go.
func (p *postShard) find(k uint64) int {
	mask := len(p.keys) - 1
	i := int(k) & mask
	for p.keys[i] != 0 && p.keys[i] != k {
		i = (i + 1) & mask
	}
	return i
}

func (p *postShard) grow() {
	keys, vals := p.keys, p.vals
	size := max(64, 2*len(keys))
	p.keys, p.vals = make([]uint64, size), make([]uint32, size)
	for i, k := range keys {
		if k != 0 {
			j := p.find(k)
			p.keys[j], p.vals[j] = k, vals[i]
		}
	}
}

func (p *postShard) add(k uint64, slot uint32) {
	if k == 0 {
		k = 1
	}
	if 4*(p.n+1) > 3*len(p.keys) {
		p.grow()
	}
	i := p.find(k)
	if p.keys[i] == 0 {
		p.keys[i], p.vals[i] = k, slot
		p.n++
		return
	}
	cur := p.vals[i]
	if cur&listFlag == 0 {
		if cur == slot {
			return
		}
		var li uint32
		if n := len(p.freeL); n > 0 {
			li = p.freeL[n-1]
			p.freeL = p.freeL[:n-1]
			p.lists[li] = append(p.lists[li][:0], cur, slot)
		} else {
			li = uint32(len(p.lists))
			p.lists = append(p.lists, []uint32{cur, slot})
		}
		p.vals[i] = listFlag | li
		return
	}
	li := cur &^ listFlag
	p.lists[li] = append(p.lists[li], slot)
}

func (p *postShard) remove(k uint64, slot uint32) {
	if k == 0 {
		k = 1
	}
	if len(p.keys) == 0 {
		return
	}
	i := p.find(k)
	if p.keys[i] == 0 {
		return
	}
	cur := p.vals[i]
	if cur&listFlag == 0 {
		if cur == slot {
			p.delete(i)
		}
		return
	}
	li := cur &^ listFlag
	l := p.lists[li]
	for j, s := range l {
		if s == slot {
			l[j] = l[len(l)-1]
			l = l[:len(l)-1]
			break
		}
	}
	if len(l) == 1 {
		p.vals[i] = l[0]
		p.lists[li] = nil
		p.freeL = append(p.freeL, li)
		return
	}
	p.lists[li] = l
}

// delete empties entry i and moves later entries of its probe run back so
// that every key stays reachable from its home entry.
func (p *postShard) delete(i int) {
	mask := len(p.keys) - 1
	j := i
	for {
		j = (j + 1) & mask
		if p.keys[j] == 0 {
			break
		}
		home := int(p.keys[j]) & mask
		// Move entry j to i when its home is not in (i, j] cyclically.
		if (j > i && (home <= i || home > j)) || (j < i && home <= i && home > j) {
			p.keys[i], p.vals[i] = p.keys[j], p.vals[j]
			i = j
		}
	}
	p.keys[i], p.vals[i] = 0, 0
	p.n--
}

// get returns the slots under k; one (length 1) is storage for a single
// slot.
func (p *postShard) get(k uint64, one []uint32) []uint32 {
	if k == 0 {
		k = 1
	}
	if len(p.keys) == 0 {
		return nil
	}
	i := p.find(k)
	if p.keys[i] == 0 {
		return nil
	}
	cur := p.vals[i]
	if cur&listFlag == 0 {
		one[0] = cur
		return one
	}
	return p.lists[cur&^listFlag]
}
