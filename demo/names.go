package demo

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Every person in the demo is generated. Given names are common ones;
// English and Welsh family names are invented by joining a place-name
// prefix and suffix ("Brack" + "enley"), and the family names of other
// communities are among the most common in the United Kingdom. A name's
// community is drawn independently of everything else about the record: in
// particular never from the type of concern or the priority, so that the
// demo does not teach anyone a stereotype.

// community is a pool of given and family names that belong together.
type community struct {
	weight       int
	male, female []string
	family       []string // nil: invented English-style family names
}

var communities = []community{
	{weight: 62,
		male: []string{"Oliver", "Jack", "George", "Noah", "Charlie", "Jacob", "Alfie", "Freddie", "Oscar", "Leo", "Archie", "Joshua",
			"Ethan", "Liam", "Connor", "Callum", "Ryan", "Kieran", "Jordan", "Nathan", "Dylan", "Owen", "Rhys", "Dafydd", "Aled",
			"Bradley", "Reece", "Ben", "Sam", "Adam", "Luke", "Jamie", "Daniel", "Matthew", "Craig", "Stuart", "Darren", "Dean",
			"Scott", "Mark", "Paul", "Steven", "Gary", "Kyle", "Aaron", "Lewis", "Tyler", "Mason", "Logan", "Harvey"},
		female: []string{"Olivia", "Amelia", "Isla", "Ava", "Mia", "Ivy", "Lily", "Freya", "Grace", "Poppy", "Chloe", "Megan",
			"Jessica", "Holly", "Lauren", "Bethany", "Shannon", "Kayleigh", "Rebecca", "Hannah", "Nia", "Ffion", "Carys", "Sian",
			"Leanne", "Claire", "Joanne", "Karen", "Donna", "Abigail", "Ellie", "Sophie", "Jade", "Paige"}},
	{weight: 12,
		male: []string{"Mohammed", "Muhammad", "Ibrahim", "Yusuf", "Bilal", "Ayaan", "Zain", "Hassan", "Haris", "Faisal", "Tariq",
			"Kashif", "Arif", "Shahid", "Asif", "Junaid", "Waqas", "Adnan", "Aamir", "Saqib"},
		female: []string{"Aisha", "Maryam", "Fatima", "Zainab", "Hafsa", "Amina", "Sana", "Rukhsana", "Samina", "Iqra", "Mehwish", "Sadia"},
		family: []string{"Hussain", "Ahmed", "Rahman", "Begum", "Akhtar", "Iqbal", "Mirza", "Qureshi", "Chaudhry", "Bibi", "Uddin",
			"Miah", "Islam", "Karim", "Siddiqui", "Anwar", "Aslam", "Bashir", "Latif", "Zaman", "Haq", "Rehman", "Mahmud"}},
	{weight: 6,
		male:   []string{"Harpreet", "Gurpreet", "Jaswinder", "Amrit", "Manpreet", "Arjun", "Vikram", "Sanjay", "Ravi", "Nikhil", "Kiran", "Hitesh"},
		female: []string{"Anjali", "Priya", "Pooja", "Neha", "Simran", "Harleen", "Navdeep", "Reena", "Komal"},
		family: []string{"Singh", "Kaur", "Sandhu", "Gill", "Dhillon", "Sidhu", "Sharma", "Mistry", "Parmar", "Chauhan", "Joshi", "Desai", "Bhatt", "Lad"}},
	{weight: 7,
		male:   []string{"Jakub", "Kacper", "Mateusz", "Szymon", "Bartosz", "Marek", "Tomasz", "Andrei", "Bogdan", "Ionut", "Mihai", "Lukas"},
		female: []string{"Zofia", "Natalia", "Julia", "Katarzyna", "Agnieszka", "Magdalena", "Ioana", "Elena", "Alina", "Monika"},
		family: []string{"Nowak", "Kowalski", "Wisniewski", "Wojcik", "Kaminski", "Kowalczyk", "Mazur", "Krawczyk", "Popescu", "Ionescu",
			"Dumitru", "Petrov", "Horvat", "Stan", "Rusu", "Baran"}},
	{weight: 6,
		male:   []string{"Chinedu", "Emeka", "Oluwaseun", "Tunde", "Kwame", "Kofi", "Yaw", "Abdirahman", "Abdullahi", "Mahad", "Segun", "Ifeanyi"},
		female: []string{"Ngozi", "Adaeze", "Folake", "Ama", "Akosua", "Hodan", "Fadumo", "Ayan", "Chioma", "Yetunde"},
		family: []string{"Okafor", "Okeke", "Eze", "Adeyemi", "Oyelaran", "Adebisi", "Mensah", "Owusu", "Asante", "Appiah", "Abdi",
			"Warsame", "Jama", "Nur", "Olawale", "Nwosu"}},
	{weight: 4,
		male:   []string{"Karim", "Khaled", "Samir", "Rami", "Ahmad", "Mustafa", "Hamza", "Amir", "Rashad", "Walid", "Bashar"},
		female: []string{"Layla", "Yasmin", "Rania", "Huda", "Noor", "Dalia", "Mariam", "Salma"},
		family: []string{"Haddad", "Mansour", "Saleh", "Hamdan", "Darwish", "Kareem", "Aziz", "Rahimi", "Mohammadi", "Ahmadi", "Karimi",
			"Rasul", "Najjar", "Sabbagh"}},
	{weight: 3,
		male:   []string{"Sean", "Ciaran", "Declan", "Conor", "Padraig", "Fraser", "Ewan", "Iain", "Niall", "Ruairi"},
		female: []string{"Niamh", "Aoife", "Siobhan", "Roisin", "Kirsty", "Morag", "Eilidh", "Caoimhe"},
		family: []string{"Byrne", "Doyle", "Walsh", "Docherty", "MacLeod", "Quinn", "Gallagher", "McLaughlin", "Brennan", "Duffy", "Kavanagh", "Lynch"}},
}

var communityWeights = func() []int {
	w := make([]int, len(communities))
	for i, c := range communities {
		w[i] = c.weight
	}
	return w
}()

// Invented English and Welsh family names: a prefix and a suffix.
var (
	familyPrefix = []string{"Ash", "Brack", "Brem", "Cal", "Carn", "Chal", "Cress", "Dun", "Elm", "Fen", "Hal", "Hather", "Ket",
		"Lang", "Lind", "Mell", "Nether", "Oak", "Pem", "Quen", "Rad", "Ran", "Rook", "Sel", "Stan", "Tal", "Thorn", "Ull", "Wen",
		"Whit", "Wyck", "Hob", "Kin", "Lox", "Ard", "Bram", "Cop", "Ember", "Gild", "Hed", "Ick", "Mapple", "Nor", "Orm", "Pid",
		"Sax", "Tod", "Wad", "Yel", "Brock"}
	familySuffix = []string{"by", "ford", "ham", "ley", "ton", "wick", "worth", "field", "more", "stead", "well", "cott", "den",
		"hurst", "low", "mere", "shaw", "thorpe", "ridge", "bury", "dale", "combe", "wood", "brook", "croft", "gate", "enley", "over"}
)

// notFamily are surnames the generator never produces, because a common
// given name beside them could call a well-known person to mind. The tests
// check the output against a separate list.
var notFamily = map[string]bool{
	"Marley": true, "Garfield": true, "Dunham": true, "Halford": true, "Oldfield": true, "Dalton": true,
	"Stanton": true, "Whitworth": true, "Ashby": true, "Langford": true, "Radford": true, "Selby": true,
	"Thornton": true, "Stanley": true, "Oakley": true, "Ashley": true, "Langley": true, "Whitfield": true,
	"Whitmore": true, "Norbury": true, "Norton": true, "Ashton": true, "Ashford": true, "Stanford": true,
	"Bradbury": true, "Hobley": true, "Brockwell": true, "Thornley": true, "Lindley": true, "Woodward": true,
}

// person is a generated identity.
type person struct {
	given, family string
	male          bool
	dob           time.Time
}

// name returns "Given Family".
func (p person) name() string { return p.given + " " + p.family }

// dobString is the date of birth as stored.
func (p person) dobString() string { return p.dob.Format("2006-01-02") }

// ageAt is the age in whole years at t.
func (p person) ageAt(t time.Time) int {
	age := t.Year() - p.dob.Year()
	if t.YearDay() < p.dob.YearDay() {
		age--
	}
	return age
}

// gen draws the demo's random data; one seeded generator makes the whole
// load deterministic.
type gen struct {
	r *rand.Rand
}

func newGen(seed int64) *gen {
	return &gen{r: rand.New(rand.NewPCG(uint64(seed), uint64(seed)^0x9e3779b97f4a7c15))}
}

// pick returns a random element of xs.
func pick[T any](g *gen, xs []T) T { return xs[g.r.IntN(len(xs))] }

// weighted returns an index drawn with the given weights.
func (g *gen) weighted(w []int) int {
	total := 0
	for _, x := range w {
		total += x
	}
	n := g.r.IntN(total)
	for i, x := range w {
		if n < x {
			return i
		}
		n -= x
	}
	return len(w) - 1
}

// chance reports true with probability p.
func (g *gen) chance(p float64) bool { return g.r.Float64() < p }

// between returns a time uniformly in [from, to).
func (g *gen) between(from, to time.Time) time.Time {
	d := to.Sub(from)
	if d <= 0 {
		return from
	}
	return from.Add(time.Duration(g.r.Int64N(int64(d))))
}

func (g *gen) inventedFamily() string {
	for {
		f := pick(g, familyPrefix) + pick(g, familySuffix)
		// Avoid doubled letters at the join looking like a typo, and
		// names we keep out.
		if !notFamily[f] && !strings.Contains(strings.ToLower(f), "lll") {
			return f
		}
	}
}

// person draws a new identity whose date of birth makes them age years old
// (a whole number) at t.
func (g *gen) person(male bool, age int, at time.Time) person {
	c := communities[g.weighted(communityWeights)]
	p := person{male: male}
	if male {
		p.given = pick(g, c.male)
	} else {
		p.given = pick(g, c.female)
	}
	if c.family == nil {
		p.family = g.inventedFamily()
	} else {
		p.family = pick(g, c.family)
	}
	// Born between age+1 and age years before at.
	p.dob = g.between(at.AddDate(-age-1, 0, 1), at.AddDate(-age, 0, 0)).Truncate(24 * time.Hour)
	return p
}

// displayName draws a name for a demo user.
func (g *gen) displayName() string {
	p := g.person(g.chance(0.5), 40, time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC))
	return p.name()
}

// Spelling variants of given names, as a records officer might meet them.
var givenVariants = map[string][]string{
	"Mohammed": {"Muhammad", "Mohamed", "Mohammad"}, "Muhammad": {"Mohammed", "Muhammed"}, "Jakub": {"Jacob", "Kuba"},
	"Jacob": {"Jakub", "Jake"}, "Daniel": {"Dan", "Danny"}, "Matthew": {"Matt"}, "Joshua": {"Josh"}, "Callum": {"Calum"},
	"Rhys": {"Reece"}, "Reece": {"Rhys", "Reese"}, "Sean": {"Shaun", "Shawn"}, "Ciaran": {"Kieran"}, "Kieran": {"Ciaran"},
	"Ibrahim": {"Ebrahim", "Ibraheem"}, "Yusuf": {"Yousef", "Joseph"}, "Aisha": {"Ayesha"}, "Fatima": {"Fatimah"},
	"Zainab": {"Zaynab"}, "Hassan": {"Hasan"}, "Samir": {"Sameer"}, "Amir": {"Ameer"}, "Tomasz": {"Thomas", "Tom"},
	"Andrei": {"Andrew"}, "Steven": {"Stephen", "Steve"}, "Jamie": {"James"}, "Oliver": {"Ollie"}, "Alfie": {"Alfred"},
	"Freddie": {"Frederick", "Fred"}, "Rebecca": {"Becky"}, "Katarzyna": {"Kasia"}, "Hannah": {"Hanna"}, "Layla": {"Leila"},
	"Yasmin": {"Yasmine", "Jasmine"}, "Abdirahman": {"Abdi Rahman"}, "Oluwaseun": {"Seun"}, "Chinedu": {"Chi"},
}

// variant returns the same person as a later report might record them:
// exactly, or with a spelling variant of the given name, a typing slip in
// the family name, the names swapped, or day and month of birth swapped.
func (g *gen) variant(p person) (person, string) {
	v := p
	switch g.r.IntN(6) {
	case 0, 1:
		return v, "exact"
	case 2:
		if vs := givenVariants[p.given]; len(vs) > 0 {
			v.given = pick(g, vs)
			return v, "given name variant"
		}
		fallthrough
	case 3:
		if f := typo(g, p.family); f != p.family {
			v.family = f
			return v, "family name typo"
		}
		return v, "exact"
	case 4:
		v.given, v.family = p.family, p.given
		return v, "names transposed"
	default:
		if d, m := p.dob.Day(), int(p.dob.Month()); d <= 12 && d != m {
			v.dob = time.Date(p.dob.Year(), time.Month(d), m, 0, 0, 0, 0, time.UTC)
			return v, "day and month transposed"
		}
		return v, "exact"
	}
}

// typo makes one keying slip in s: two letters swapped, a letter doubled or
// a letter dropped. The first letter is kept.
func typo(g *gen, s string) string {
	if len(s) < 4 {
		return s
	}
	i := 1 + g.r.IntN(len(s)-2)
	switch g.r.IntN(3) {
	case 0:
		return s[:i] + s[i+1:i+2] + s[i:i+1] + s[i+2:]
	case 1:
		return s[:i+1] + s[i:]
	default:
		return s[:i] + s[i+1:]
	}
}

// Operation code names: two invented words, in capitals.
var (
	opFirst = []string{"AMBER", "ASHEN", "BRASS", "BRIGHT", "CINDER", "COBALT", "COPPER", "CRIMSON", "DAWN", "DUSK", "EMBER",
		"FALLOW", "FLINT", "FROST", "GILDED", "GRANITE", "HAZEL", "HOLLOW", "INDIGO", "IRON", "IVORY", "JADE", "KESTREL", "LANTERN",
		"LINEN", "MARBLE", "MERIDIAN", "MOSS", "NORTHERN", "OCHRE", "PALE", "PEWTER", "QUIET", "RAVEN", "RUSSET", "SABLE",
		"SALT", "SILVER", "SLATE", "SORREL", "STILL", "SWIFT", "TALLOW", "TIMBER", "TIN", "UMBER", "VELVET", "WILLOW", "WINTER", "ZEPHYR"}
	opSecond = []string{"ANVIL", "ARCHER", "BADGER", "BEACON", "BRAMBLE", "CANDLE", "CASTLE", "COMPASS", "CRANE", "CROFT",
		"FALCON", "FERRY", "FIELD", "FOUNTAIN", "GABLE", "GATE", "HARBOUR", "HARROW", "HERON", "KEEL", "KNOT", "LARCH", "LEDGER",
		"MANTLE", "MEADOW", "MILL", "ORCHARD", "OTTER", "PARAPET", "PILGRIM", "QUARRY", "QUILL", "RAMPART", "RIVET", "SADDLE",
		"SHINGLE", "SPINDLE", "SPIRE", "STAG", "TANNER", "THISTLE", "TIDE", "TOWER", "VANE", "WARDEN", "WEIR", "WHARF", "WREN", "YEW", "YARROW"}
)

// operation draws a code name not in used, and marks it used.
func (g *gen) operation(used map[string]bool) string {
	for {
		n := pick(g, opFirst) + " " + pick(g, opSecond)
		if !used[n] {
			used[n] = true
			return n
		}
	}
}

// refNumber formats a Prevent referral reference.
func refNumber(fyStart, i int) string {
	return fmt.Sprintf("PR%02d%02d-%05d", fyStart%100, (fyStart+1)%100, i)
}
