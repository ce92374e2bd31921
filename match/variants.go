package match

import (
	"bufio"
	"embed"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
)

//go:embed data/*.csv
var dataFS embed.FS

// Variants holds the name-variant tables: nickname and transliteration
// groups, name particles and street-word abbreviations. The built-in tables
// come from the embedded files in match/data; more can be loaded at run time
// with Load, LoadFile or Index.LoadVariants, without code changes.
//
// A Variants value is safe for concurrent use.
type Variants struct {
	mu        sync.RWMutex
	groups    map[string][]uint32 // folded name -> group ids
	canon     []string            // group id -> preferred spelling
	particles map[string]bool
	streets   map[string]string // abbreviation -> full word
}

// Kind selects a variant table for Load.
type Kind int

// Table kinds accepted by Variants.Load.
const (
	// Names are nickname or transliteration groups: one group per line,
	// preferred form first.
	Names Kind = iota
	// Particles are words such as al, bin or van: one or more per line.
	Particles
	// Streets are street-word groups: full word first, then abbreviations.
	Streets
)

var (
	defaultOnce sync.Once
	defaultVars *Variants
)

// DefaultVariants returns a fresh copy of the built-in tables.
func DefaultVariants() *Variants {
	defaultOnce.Do(func() {
		v := &Variants{groups: map[string][]uint32{}, particles: map[string]bool{}, streets: map[string]string{}}
		for _, f := range []struct {
			name string
			kind Kind
		}{{"data/nicknames.csv", Names}, {"data/transliterations.csv", Names}, {"data/particles.csv", Particles}, {"data/streets.csv", Streets}} {
			b, err := dataFS.ReadFile(f.name)
			if err != nil {
				panic("match: embedded table missing: " + f.name)
			}
			if err := v.Load(strings.NewReader(string(b)), f.kind); err != nil {
				panic("match: embedded table " + f.name + ": " + err.Error())
			}
		}
		defaultVars = v
	})
	return defaultVars.clone()
}

// tableVariants returns the name groups of one embedded table only.
func tableVariants(name string) *Variants {
	v := &Variants{groups: map[string][]uint32{}, particles: map[string]bool{}, streets: map[string]string{}}
	b, err := dataFS.ReadFile(name)
	if err == nil {
		err = v.Load(strings.NewReader(string(b)), Names)
	}
	if err != nil {
		panic("match: embedded table " + name + ": " + err.Error())
	}
	return v
}

func (v *Variants) clone() *Variants {
	v.mu.RLock()
	defer v.mu.RUnlock()
	c := &Variants{groups: make(map[string][]uint32, len(v.groups)), canon: append([]string(nil), v.canon...),
		particles: make(map[string]bool, len(v.particles)), streets: make(map[string]string, len(v.streets))}
	for k, g := range v.groups {
		c.groups[k] = append([]uint32(nil), g...)
	}
	for k, b := range v.particles {
		c.particles[k] = b
	}
	for k, s := range v.streets {
		c.streets[k] = s
	}
	return c
}

// LoadFile loads a table file; see Load.
func (v *Variants) LoadFile(path string, kind Kind) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return v.Load(f, kind)
}

// Load adds the entries of a table in the format of the files in match/data:
// comma-separated values, one group per line, '#' starts a comment. Names
// are folded (lower case, diacritics removed, letters only) before use.
func (v *Variants) Load(r io.Reader, kind Kind) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	v.mu.Lock()
	defer v.mu.Unlock()
	line := 0
	for sc.Scan() {
		line++
		text := sc.Text()
		if i := strings.IndexByte(text, '#'); i >= 0 {
			text = text[:i]
		}
		var words []string
		seen := map[string]bool{}
		for _, f := range strings.Split(text, ",") {
			w := foldKey(f)
			if w == "" || seen[w] {
				continue
			}
			seen[w] = true
			words = append(words, w)
		}
		if len(words) == 0 {
			continue
		}
		switch kind {
		case Names:
			if len(words) < 2 {
				return fmt.Errorf("match: variants line %d: a group needs at least two names", line)
			}
			id := uint32(len(v.canon))
			v.canon = append(v.canon, words[0])
			for _, w := range words {
				v.groups[w] = append(v.groups[w], id)
			}
		case Particles:
			for _, w := range words {
				v.particles[w] = true
			}
		case Streets:
			for _, w := range words[1:] {
				v.streets[w] = words[0]
			}
		default:
			return fmt.Errorf("match: unknown table kind %d", kind)
		}
	}
	return sc.Err()
}

// Groups returns the ids of the variant groups that a name belongs to.
func (v *Variants) Groups(name string) []uint32 {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return append([]uint32(nil), v.groups[foldKey(name)]...)
}

// Canonical returns the preferred spelling of the first variant group of a
// name, or the folded name itself when it is in no group.
func (v *Variants) Canonical(name string) string {
	k := foldKey(name)
	v.mu.RLock()
	defer v.mu.RUnlock()
	if g := v.groups[k]; len(g) > 0 {
		return v.canon[g[0]]
	}
	return k
}

// Same reports whether two names are spelling or nickname variants of each
// other (or fold to the same form).
func (v *Variants) Same(a, b string) bool {
	a, b = foldKey(a), foldKey(b)
	if a == b {
		return a != ""
	}
	v.mu.RLock()
	defer v.mu.RUnlock()
	return intersects(v.groups[a], v.groups[b])
}

func intersects(a, b []uint32) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return true
			}
		}
	}
	return false
}

func (v *Variants) isParticle(w string) bool {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return v.particles[w]
}
