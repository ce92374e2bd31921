package match

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
)

// Synthetic people for benchmarks and tests. Every name is drawn at random
// from pools of common given and family names, so no generated record
// describes a real person; phone numbers, e-mail domains (example.com,
// example.org) and document numbers (QQ prefix) are of reserved or
// fictional forms.

var synthGiven = []string{
	"Oliver", "George", "Harry", "Jack", "Jacob", "Noah", "Charlie", "Thomas", "Oscar", "William",
	"James", "Leo", "Alfie", "Henry", "Joshua", "Freddie", "Archie", "Ethan", "Isaac", "Alexander",
	"Olivia", "Amelia", "Isla", "Ava", "Emily", "Sophia", "Grace", "Mia", "Poppy", "Ella",
	"Lily", "Evie", "Isabella", "Sophie", "Ivy", "Freya", "Harper", "Willow", "Charlotte", "Jessica",
	"Mohammed", "Ahmed", "Yusuf", "Ibrahim", "Omar", "Ali", "Hamza", "Bilal", "Tariq", "Khalid",
	"Fatima", "Aisha", "Maryam", "Zainab", "Amina", "Khadija", "Hafsa", "Nadia", "Yasmin", "Samira",
	"Abdirahman", "Abdullahi", "Hodan", "Faadumo", "Warsame", "Guled", "Ayaan", "Hibo",
	"Imran", "Rizwan", "Asif", "Sajid", "Gurpreet", "Harpreet", "Rajesh", "Priya", "Anjali", "Sunita",
	"Aleksandr", "Dmitri", "Sergei", "Yuri", "Natalia", "Olga", "Tatiana", "Piotr", "Katarzyna", "Andrzej",
	"Michael", "David", "Daniel", "Matthew", "Robert", "Richard", "Elizabeth", "Margaret", "Catherine", "Susan",
}

var synthFamily = []string{
	"Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas", "Johnson",
	"Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards", "Hughes", "Green", "Hall",
	"Khan", "Ahmed", "Hussain", "Ali", "Patel", "Begum", "Akhtar", "Shah", "Iqbal", "Rahman",
	"Mohamed", "Abdi", "Farah", "Hersi", "Jama", "Warsame", "Osman", "Yusuf", "Aden", "Egal",
	"Chaudhry", "Qureshi", "Siddiqui", "Malik", "Butt", "Mahmood", "Singh", "Kaur", "Sharma", "Gill",
	"Kowalski", "Nowak", "Wojcik", "Ivanov", "Petrov", "Shevchenko", "Novak", "Horvat", "Popescu", "Kovacs",
	"O'Brien", "McDonald", "MacLeod", "O'Neill", "McKenzie", "Al-Rashid", "Al-Amin", "Abu-Zaid", "Bin Salem", "El-Sayed",
	"Murphy", "Kelly", "Campbell", "Stewart", "Clarke", "Lewis", "Harris", "Martin", "Jackson", "Wood",
	"Turner", "Cooper", "Hill", "Ward", "Morris", "Moore", "King", "Baker", "Parker", "Allen",
	"Okafor", "Adeyemi", "Mensah", "Nkemelu", "Boateng", "Nguyen", "Tran", "Chen", "Wang", "Li",
}

var synthStreets = []string{"High", "Station", "Church", "Victoria", "Green", "Manor", "Park", "Queens", "Kings", "Grange",
	"Albert", "Mill", "Springfield", "Stanley", "Clarence", "Coronation", "Alexandra", "Windsor", "Oak", "Cedar",
	"Beech", "Elm", "Willow", "Ash", "Chestnut", "Moss", "Heath", "Brook", "Meadow", "Orchard"}

var synthStreetTypes = []string{"Street", "Road", "Avenue", "Lane", "Close", "Crescent", "Grove", "Terrace", "Way", "Gardens"}

var synthTowns = []struct{ town, area string }{
	{"Birmingham", "B"}, {"Manchester", "M"}, {"Leeds", "LS"}, {"Bradford", "BD"}, {"London", "E"},
	{"London", "N"}, {"London", "SE"}, {"London", "NW"}, {"Cardiff", "CF"}, {"Glasgow", "G"},
	{"Leicester", "LE"}, {"Luton", "LU"}, {"Sheffield", "S"}, {"Liverpool", "L"}, {"Bristol", "BS"},
}

// Synth generates fictional people deterministically from a seed.
type Synth struct {
	rng *rand.Rand
	z   *rand.Zipf
	v   *Variants
	// nick and translit hold one built-in table each (HardSet).
	nick, translit *Variants
}

// NewSynth returns a generator. The same seed gives the same people.
func NewSynth(seed uint64) *Synth {
	rng := rand.New(rand.NewPCG(seed, 0x73796e7468))
	return &Synth{rng: rng, z: rand.NewZipf(rng, 1.1, 2, uint64(len(synthFamily)-1)), v: DefaultVariants(),
		nick: tableVariants("data/nicknames.csv"), translit: tableVariants("data/transliterations.csv")}
}

func (s *Synth) pick(xs []string) string { return xs[s.rng.IntN(len(xs))] }

// postcode returns a random UK-shaped postcode in an area.
func (s *Synth) postcode(area string) string {
	letters := "ABDEFGHJLNPQRSTUWXYZ"
	return fmt.Sprintf("%s%d %d%c%c", area, 1+s.rng.IntN(40), s.rng.IntN(10), letters[s.rng.IntN(len(letters))], letters[s.rng.IntN(len(letters))])
}

// Address returns a random address.
func (s *Synth) Address() Address {
	t := synthTowns[s.rng.IntN(len(synthTowns))]
	return Address{
		Number:   fmt.Sprint(1 + s.rng.IntN(250)),
		Lines:    []string{s.pick(synthStreets) + " " + s.pick(synthStreetTypes)},
		Locality: t.town,
		Postcode: s.postcode(t.area),
	}
}

// Person returns a new random person with the given ID. About 60% have a
// phone number, 40% an e-mail address, 50% a document and 15% a handle.
func (s *Synth) Person(id string) Person {
	p := Person{
		ID:     id,
		Given:  s.pick(synthGiven),
		Family: synthFamily[s.z.Uint64()],
		DOB:    Date{Year: 1940 + s.rng.IntN(68), Month: 1 + s.rng.IntN(12), Day: 1 + s.rng.IntN(28)},
	}
	if s.rng.IntN(4) == 0 {
		p.Middle = s.pick(synthGiven)
	}
	p.Addresses = []Address{s.Address()}
	if s.rng.IntN(10) < 6 {
		p.Phones = []string{fmt.Sprintf("07%03d %06d", 100+s.rng.IntN(900), s.rng.IntN(1000000))}
	}
	if s.rng.IntN(10) < 4 {
		p.Emails = []string{fmt.Sprintf("%s.%s%d@example.%s", foldKey(p.Given), foldKey(p.Family), s.rng.IntN(1000), s.pick([]string{"com", "org"}))}
	}
	if s.rng.IntN(2) == 0 {
		p.Documents = []string{fmt.Sprintf("QQ%06d%c", s.rng.IntN(1000000), "ABCD"[s.rng.IntN(4)])}
	}
	if s.rng.IntN(100) < 15 {
		p.Handles = []string{fmt.Sprintf("@%s_%d", foldKey(p.Given), s.rng.IntN(100000))}
	}
	return p
}

// Sibling returns a new person in p's household: same family name and
// address, another given name and date of birth (the same date when twin).
func (s *Synth) Sibling(p Person, id string, twin bool) Person {
	q := s.Person(id)
	q.Family = p.Family
	q.Addresses = append([]Address(nil), p.Addresses...)
	for q.Given == p.Given || s.v.Same(q.Given, p.Given) {
		q.Given = s.pick(synthGiven)
	}
	if twin {
		q.DOB = p.DOB
	} else {
		for q.DOB.Year == p.DOB.Year {
			q.DOB.Year = p.DOB.Year - 8 + s.rng.IntN(17)
		}
	}
	q.Phones = nil
	return q
}

// Variation returns another record of the same person as it might arrive
// from another source: each of these happens with some probability: a
// transliteration or nickname of the given name, given and family swapped,
// a typing error in a name, a missing name, day and month of birth swapped
// or one digit wrong, a new address (the person moved), the phone written
// in another format, missing contact details.
func (s *Synth) Variation(p Person, id string) Person {
	q := p
	q.ID = id
	q.Addresses = append([]Address(nil), p.Addresses...)
	r := s.rng
	if r.IntN(100) < 30 {
		q.Given = s.variantOf(q.Given)
	}
	if r.IntN(100) < 10 {
		q.Family = s.variantOf(q.Family)
	}
	if r.IntN(100) < 8 {
		q.Given, q.Family = q.Family, q.Given
	}
	if r.IntN(100) < 15 {
		q.Family = s.typo(q.Family)
	} else if r.IntN(100) < 15 {
		q.Given = s.typo(q.Given)
	}
	if r.IntN(100) < 5 {
		q.Given = ""
	}
	switch x := r.IntN(100); {
	case x < 5:
		q.DOB.Day, q.DOB.Month = q.DOB.Month, q.DOB.Day
	case x < 12:
		q.DOB.Year += []int{-1, 1, -10, 10}[r.IntN(4)]
	case x < 17:
		q.DOB = Date{Year: q.DOB.Year}
	case x < 20:
		q.DOB = Date{}
	}
	if r.IntN(100) < 25 {
		q.Addresses = []Address{s.Address()} // moved
	} else if r.IntN(100) < 20 {
		a := q.Addresses[0]
		a.Postcode = strings.ToLower(strings.ReplaceAll(a.Postcode, " ", ""))
		a.Lines = []string{strings.Replace(a.Lines[0], "Street", "St", 1)}
		q.Addresses[0] = a
	}
	if len(q.Phones) > 0 {
		if r.IntN(2) == 0 {
			q.Phones = []string{"+44 " + strings.TrimPrefix(q.Phones[0], "0")}
		} else if r.IntN(3) == 0 {
			q.Phones = nil
		}
	}
	if r.IntN(2) == 0 {
		q.Emails = nil
	}
	if r.IntN(3) == 0 {
		q.Documents = nil
	}
	return q
}

// variantOf returns another spelling of a name from the variant tables,
// or the name itself.
func (s *Synth) variantOf(name string) string {
	k := foldKey(name)
	s.v.mu.RLock()
	defer s.v.mu.RUnlock()
	gs := s.v.groups[k]
	if len(gs) == 0 {
		return name
	}
	g := gs[s.rng.IntN(len(gs))]
	var members []string
	for w, ids := range s.v.groups {
		for _, id := range ids {
			if id == g && w != k {
				members = append(members, w)
			}
		}
	}
	if len(members) == 0 {
		return name
	}
	// Map iteration order is random: sort for determinism.
	slices.Sort(members)
	m := members[s.rng.IntN(len(members))]
	return strings.ToUpper(m[:1]) + m[1:]
}

// typo makes one typing error: a dropped, doubled, swapped or replaced
// letter.
func (s *Synth) typo(name string) string {
	b := []byte(name)
	if len(b) < 3 {
		return name
	}
	i := 1 + s.rng.IntN(len(b)-2)
	switch s.rng.IntN(4) {
	case 0:
		b = append(b[:i], b[i+1:]...)
	case 1:
		b = append(b[:i+1], b[i:]...)
	case 2:
		b[i], b[i+1] = b[i+1], b[i]
	default:
		b[i] = "aeioustnrl"[s.rng.IntN(10)]
	}
	return string(b)
}

// Kinds of record in a hard set (see Synth.HardSet). The first are further
// records of a person already in the set; the last three are different
// people who look alike.
const (
	VarBase            = "base"            // the first record of a person
	VarTransliteration = "transliteration" // given or family name spelt from another script differently
	VarNickname        = "nickname"        // a nickname or short form of the given name
	VarSwapped         = "swapped"         // given and family name swapped
	VarTypo            = "typo"            // a typing error in a name and perhaps the date of birth
	VarMoved           = "moved"           // a new address, no shared contact details
	VarCommonName      = "common_name"     // another record of one of many people sharing a common name
	VarSibling         = "sibling"         // another person: same family name and address, another given name and date of birth
	VarTwin            = "twin"            // another person: as sibling, same date of birth
	VarNamesake        = "namesake"        // another person with the same common given and family name
)

// HardVariations lists the kinds of further record of the same person, and
// HardLookalikes the kinds of different person, in a hard set.
var (
	HardVariations = []string{VarTransliteration, VarNickname, VarSwapped, VarTypo, VarMoved, VarCommonName}
	HardLookalikes = []string{VarSibling, VarTwin, VarNamesake}
)

// Labeled is a generated record with its truth.
type Labeled struct {
	Person
	// Entity identifies the person the record describes.
	Entity int
	// Kind is how the record was made (VarBase, VarNickname, ...).
	Kind string
	// Of is the index in the set of the record it was made from or looks
	// like, or -1 for a base record.
	Of int
}

// HardSet returns records with the variation of UK reports: for every kind
// in HardVariations, n people each with a base record and a further record
// of that kind; for every kind in HardLookalikes, n base records each with
// a different person who looks alike. The common-name and namesake people
// all share a handful of common names. Every record has a date of birth
// and an address; contact details are few, so that names, dates and
// addresses decide.
func (s *Synth) HardSet(n int) []Labeled {
	var out []Labeled
	entity := 0
	add := func(p Person, kind string, of int) int {
		e := entity
		if of >= 0 && kind != VarSibling && kind != VarTwin && kind != VarNamesake {
			e = out[of].Entity
		} else {
			entity++
		}
		p.ID = fmt.Sprintf("%s-%d", kind, len(out))
		out = append(out, Labeled{Person: p, Entity: e, Kind: kind, Of: of})
		return len(out) - 1
	}
	common := [][2]string{{"Mohammed", "Khan"}, {"Muhammad", "Ahmed"}, {"David", "Smith"}, {"Fatima", "Begum"}, {"Mohamed", "Abdi"}}
	translit := s.namesWithVariants(s.translit)
	nick := s.namesWithVariants(s.nick)
	for _, kind := range append(append([]string(nil), HardVariations...), HardLookalikes...) {
		for i := range n {
			p := s.sparse(s.Person(""))
			switch kind {
			case VarTransliteration:
				p.Given = translit[s.rng.IntN(len(translit))]
			case VarNickname:
				p.Given = nick[s.rng.IntN(len(nick))]
			case VarCommonName, VarNamesake:
				c := common[i%len(common)]
				p.Given, p.Family = c[0], c[1]
			}
			b := add(p, VarBase, -1)
			q := p
			q.Addresses = append([]Address(nil), p.Addresses...)
			switch kind {
			case VarTransliteration:
				q.Given = s.variantIn(s.translit, p.Given)
				if s.rng.IntN(3) == 0 {
					q.Family = s.variantIn(s.translit, p.Family)
				}
			case VarNickname:
				q.Given = s.variantIn(s.nick, p.Given)
			case VarSwapped:
				q.Given, q.Family = p.Family, p.Given
			case VarTypo:
				if s.rng.IntN(2) == 0 {
					q.Given = s.typo(q.Given)
				} else {
					q.Family = s.typo(q.Family)
				}
				if s.rng.IntN(3) == 0 {
					q.DOB.Day, q.DOB.Month = q.DOB.Month, q.DOB.Day
				}
			case VarMoved:
				q.Addresses = []Address{s.Address()}
				q.Phones, q.Emails, q.Documents, q.Handles = nil, nil, nil, nil
			case VarCommonName:
				q = s.Variation(p, "")
				q.Given, q.Family = p.Given, p.Family
				if q.DOB.IsZero() {
					q.DOB = p.DOB
				}
			case VarSibling, VarTwin:
				q = s.sparse(s.Sibling(p, "", kind == VarTwin))
			case VarNamesake:
				q = s.sparse(s.Person(""))
				q.Given, q.Family = p.Given, p.Family
			}
			add(q, kind, b)
		}
	}
	return out
}

// sparse drops most contact details: in the reports that matter, names,
// dates of birth and addresses are what there is.
func (s *Synth) sparse(p Person) Person {
	if s.rng.IntN(4) != 0 {
		p.Phones = nil
	}
	if s.rng.IntN(4) != 0 {
		p.Emails = nil
	}
	if s.rng.IntN(4) != 0 {
		p.Documents = nil
	}
	p.Handles = nil
	return p
}

// namesWithVariants returns the given names of the generator's pool that
// have another spelling in v.
func (s *Synth) namesWithVariants(v *Variants) []string {
	var out []string
	for _, g := range synthGiven {
		if s.variantIn(v, g) != g {
			out = append(out, g)
		}
	}
	return out
}

// variantIn returns another spelling of name from the tables v, or name.
func (s *Synth) variantIn(v *Variants, name string) string {
	saved := s.v
	s.v = v
	defer func() { s.v = saved }()
	return s.variantOf(name)
}
