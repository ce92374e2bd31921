package match

import "strings"

// Records are stored compactly: every string is interned once in a table
// and a record holds 32-bit ids in one slice.
//
// data[0] packs the counts of names, addresses, phones, e-mails, documents
// and handles (5 bits each). Then come 3 ids per name (given, middle,
// family; index into the name table), 5 ids per address (number, street,
// other lines, locality, postcode; index into the string table), then one
// string id per phone, e-mail, document and handle.
type rec struct {
	id   string
	dob  uint32
	data []uint32
}

const (
	cNames = iota
	cAddrs
	cPhones
	cEmails
	cDocs
	cHandles
	nCounts
)

var countWidth = [nCounts]int{3, 5, 1, 1, 1, 1}

func (r *rec) count(k int) int { return int(r.data[0]>>(5*k)) & 31 }

// section returns the ids of section k.
func (r *rec) section(k int) []uint32 {
	off := 1
	for i := range k {
		off += r.count(i) * countWidth[i]
	}
	return r.data[off : off+r.count(k)*countWidth[k]]
}

// sections returns every section at once.
func (r *rec) sections() (out [nCounts][]uint32) {
	c, off := r.data[0], 1
	for k := range nCounts {
		n := (int(c>>(5*k)) & 31) * countWidth[k]
		out[k] = r.data[off : off+n]
		off += n
	}
	return out
}

func (r *rec) live() bool { return r.data != nil }

// tables are the intern tables of an index. A query interns into an
// overlay so that the shared tables are never written under a read lock.
type tables struct {
	nameID map[string]uint32
	names  []nameInfo
	strID  map[string]uint32
	strs   []string
	// sector holds, for a UK postcode's string id, the id of its sector
	// ("LS6 2AB" -> "LS6 2"); 0 for other strings.
	sector []uint32
}

func newTables() tables {
	return tables{nameID: map[string]uint32{"": 0}, names: []nameInfo{{}}, strID: map[string]uint32{"": 0}, strs: []string{""}, sector: []uint32{0}}
}

// view resolves ids of the shared tables and of a query overlay.
type view struct {
	t       *tables
	xnames  []nameInfo
	xstrs   []string
	xsector []uint32
	// readonly means new strings go to the overlay.
	readonly bool
	xnameID  map[string]uint32
	xstrID   map[string]uint32
	// pc, when not nil, caches comparisons; a view with a cache belongs
	// to one goroutine.
	pc *pairCache
}

func (v *view) name(id uint32) *nameInfo {
	if int(id) < len(v.t.names) {
		return &v.t.names[id]
	}
	return &v.xnames[int(id)-len(v.t.names)]
}

func (v *view) str(id uint32) string {
	if int(id) < len(v.t.strs) {
		return v.t.strs[id]
	}
	return v.xstrs[int(id)-len(v.t.strs)]
}

func (v *view) internStr(s string) uint32 {
	if s == "" {
		return 0
	}
	if id, ok := v.t.strID[s]; ok {
		return id
	}
	if v.readonly {
		if id, ok := v.xstrID[s]; ok {
			return id
		}
		if v.xstrID == nil {
			v.xstrID = map[string]uint32{}
		}
		id := uint32(len(v.t.strs) + len(v.xstrs))
		v.xstrs = append(v.xstrs, s)
		v.xsector = append(v.xsector, 0)
		v.xstrID[s] = id
		return id
	}
	s = strings.Clone(s)
	id := uint32(len(v.t.strs))
	v.t.strs = append(v.t.strs, s)
	v.t.sector = append(v.t.sector, 0)
	v.t.strID[s] = id
	return id
}

// internPostcode interns a normalised postcode and its sector.
func (v *view) internPostcode(pc string) uint32 {
	id := v.internStr(pc)
	if id == 0 || v.sectorOf(id) != 0 {
		return id
	}
	sec, _ := postcodeSector(pc)
	if sec == "" {
		return id
	}
	sid := v.internStr(sec)
	if int(id) < len(v.t.strs) {
		v.t.sector[id] = sid
	} else {
		v.xsector[int(id)-len(v.t.strs)] = sid
	}
	return id
}

// sectorOf returns the sector id of a postcode's string id, or 0.
func (v *view) sectorOf(id uint32) uint32 {
	if int(id) < len(v.t.sector) {
		return v.t.sector[id]
	}
	return v.xsector[int(id)-len(v.t.strs)]
}

func (v *view) internName(vars *Variants, raw string) uint32 {
	if raw == "" {
		return 0
	}
	// Cheap path: the raw spelling itself is often already a key.
	if id, ok := v.t.nameID[raw]; ok {
		return id
	}
	ni := vars.normName(raw)
	if ni.full == "" {
		return 0
	}
	if id, ok := v.t.nameID[ni.full]; ok {
		if !v.readonly {
			v.aliasName(raw, id)
		}
		return id
	}
	if v.readonly {
		if id, ok := v.xnameID[ni.full]; ok {
			return id
		}
		if v.xnameID == nil {
			v.xnameID = map[string]uint32{}
		}
		id := uint32(len(v.t.names) + len(v.xnames))
		v.xnames = append(v.xnames, ni)
		v.xnameID[ni.full] = id
		return id
	}
	id := uint32(len(v.t.names))
	v.t.names = append(v.t.names, ni)
	v.t.nameID[ni.full] = id
	v.aliasName(raw, id)
	return id
}

// aliasName files a raw spelling ("Mohammed") under the id of its
// normalised form ("mohammed"), so that the next record spelt the same way
// skips normalisation. Spellings longer than maxAlias are not kept.
func (v *view) aliasName(raw string, id uint32) {
	const maxAlias = 40
	if _, ok := v.t.nameID[raw]; !ok && len(raw) <= maxAlias {
		v.t.nameID[strings.Clone(raw)] = id
	}
}

// encode normalises a person into a compact record.
func (v *view) encode(vars *Variants, p *Person) rec {
	r := rec{id: p.ID, dob: p.DOB.pack()}
	var names [][3]uint32
	addName := func(g, m, f string) {
		n := [3]uint32{v.internName(vars, g), v.internName(vars, m), v.internName(vars, f)}
		if n != [3]uint32{} && len(names) < 31 {
			names = append(names, n)
		}
	}
	addName(p.Given, p.Middle, p.Family)
	for _, a := range p.Aliases {
		addName(a.Given, a.Middle, a.Family)
	}
	var addrs [][5]uint32
	for _, a := range p.Addresses {
		var line1 string
		var rest []string
		if len(a.Lines) > 0 {
			line1, rest = a.Lines[0], a.Lines[1:]
		}
		num, street := vars.normStreet(line1)
		if a.Number != "" {
			num = a.Number
		}
		other := normPlace(strings.Join(rest, " "))
		x := [5]uint32{v.internStr(normNumber(num)), v.internStr(street), v.internStr(other),
			v.internStr(normPlace(a.Locality)), v.internPostcode(NormalizePostcode(a.Postcode))}
		if x != [5]uint32{} && len(addrs) < 31 {
			addrs = append(addrs, x)
		}
	}
	list := func(in []string, norm func(string) string) []uint32 {
		var out []uint32
		for _, s := range in {
			if id := v.internStr(norm(s)); id != 0 && len(out) < 31 {
				dup := false
				for _, o := range out {
					dup = dup || o == id
				}
				if !dup {
					out = append(out, id)
				}
			}
		}
		return out
	}
	phones := list(p.Phones, NormalizePhone)
	emails := list(p.Emails, NormalizeEmail)
	docs := list(p.Documents, NormalizeDocument)
	handles := list(p.Handles, NormalizeHandle)
	n := 1 + 3*len(names) + 5*len(addrs) + len(phones) + len(emails) + len(docs) + len(handles)
	d := make([]uint32, 1, n)
	d[0] = uint32(len(names)) | uint32(len(addrs))<<5 | uint32(len(phones))<<10 |
		uint32(len(emails))<<15 | uint32(len(docs))<<20 | uint32(len(handles))<<25
	for _, x := range names {
		d = append(d, x[:]...)
	}
	for _, x := range addrs {
		d = append(d, x[:]...)
	}
	d = append(d, phones...)
	d = append(d, emails...)
	d = append(d, docs...)
	d = append(d, handles...)
	r.data = d
	return r
}
