package match_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/contest-ct/contest/match"
)

// MustIndex returns an index holding people, failing the test on error.
func MustIndex(t testing.TB, people ...match.Person) *match.Index {
	t.Helper()
	ix := match.NewIndex(match.Options{})
	for _, p := range people {
		if err := ix.Add(p); err != nil {
			t.Fatalf("Add(%s): %v", p.ID, err)
		}
	}
	return ix
}

// MustDate parses a date, failing the test on error.
func MustDate(t testing.TB, s string) match.Date {
	t.Helper()
	d, err := match.ParseDate(s)
	if err != nil {
		t.Fatalf("ParseDate(%q): %v", s, err)
	}
	return d
}

func TestNormalizeName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"O'Brien", "obrien"},
		{"MacDonald", "mcdonald"},
		{"McDonald", "mcdonald"},
		{"Al-Rashid", "rashid"},
		{"al Rashid", "rashid"},
		{"Abu Zaid", "zaid"},
		{"bin Salem", "salem"},
		{"José", "jose"},
		{"Łukasz", "lukasz"},
		{"Müller", "muller"},
		{"Ørsted", "orsted"},
		{"Сергей", "sergey"},
		{"van der Berg", "berg"},
		{"  ", ""},
	}
	for _, tc := range tests {
		if got := match.NormalizeName(tc.in); got != tc.want {
			t.Errorf("NormalizeName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestVariants(t *testing.T) {
	v := match.DefaultVariants()
	tests := []struct {
		a, b string
		same bool
	}{
		{"Mohammed", "Muhammad", true},
		{"Mohamed", "Mohammad", true},
		{"Yusuf", "Yousef", true},
		{"William", "Bill", true},
		{"Elizabeth", "Betty", true},
		{"Abdirahman", "Abdulrahman", true},
		{"Sergey", "Sergei", true},
		{"Chaudhry", "Choudhury", true},
		{"Zainab", "Zeynep", true},
		{"William", "Robert", false},
		{"Fatima", "Aisha", false},
	}
	for _, tc := range tests {
		if got := v.Same(tc.a, tc.b); got != tc.same {
			t.Errorf("Same(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.same)
		}
	}
	// Extending the tables at run time needs no code change.
	if v.Same("Zebedee", "Zeb") {
		t.Fatal("Zeb is not yet a variant")
	}
	if err := v.Load(strings.NewReader("# local nicknames\nzebedee,zeb,zebby\n"), match.Names); err != nil {
		t.Fatal(err)
	}
	if !v.Same("Zebedee", "Zeb") {
		t.Error("loaded variant not used")
	}
	if err := v.Load(strings.NewReader("lonely\n"), match.Names); err == nil {
		t.Error("a one-name group should be an error")
	}
}

func TestPhonetic(t *testing.T) {
	same := [][2]string{{"Mohammed", "Muhammad"}, {"Hussein", "Husain"}, {"Smith", "Smyth"}, {"Mustafa", "Moustafa"}, {"Khaled", "Khalid"}}
	for _, p := range same {
		if a, b := match.Phonetic(p[0]), match.Phonetic(p[1]); a != b {
			t.Errorf("Phonetic(%q)=%q, Phonetic(%q)=%q, want equal", p[0], a, p[1], b)
		}
	}
	if match.Phonetic("Smith") == match.Phonetic("Jones") {
		t.Error("Smith and Jones share a skeleton")
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want match.Date
		err  bool
	}{
		{"19850312", match.Date{Year: 1985, Month: 3, Day: 12}, false},
		{"1985-03-12", match.Date{Year: 1985, Month: 3, Day: 12}, false},
		{"12/03/1985", match.Date{Year: 1985, Month: 3, Day: 12}, false},
		{"12.03.1985", match.Date{Year: 1985, Month: 3, Day: 12}, false},
		{"1985", match.Date{Year: 1985}, false},
		{"1985-03", match.Date{Year: 1985, Month: 3}, false},
		{"03/1985", match.Date{Year: 1985, Month: 3}, false},
		{"??/03/1985", match.Date{Year: 1985, Month: 3}, false},
		{"19151131", match.Date{Year: 1915, Month: 11, Day: 31}, false},
		{"", match.Date{}, false},
		{"yesterday", match.Date{}, true},
		{"1985-03-12-01", match.Date{}, true},
	}
	for _, tc := range tests {
		got, err := match.ParseDate(tc.in)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("ParseDate(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func TestNormalizePostcodePhone(t *testing.T) {
	pc := []struct{ in, want string }{
		{"sw1a1aa", "SW1A 1AA"}, {"SW1A 1AA", "SW1A 1AA"}, {" m1  1ae ", "M1 1AE"}, {"B33 8TH", "B33 8TH"},
		{"CR2 6XH", "CR2 6XH"}, {"DN55 1PT", "DN55 1PT"}, {"ec1a 1bb", "EC1A 1BB"}, {"LS6 OAB", "LS6 0AB"}, {"2152", "2152"},
	}
	for _, tc := range pc {
		if got := match.NormalizePostcode(tc.in); got != tc.want {
			t.Errorf("NormalizePostcode(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	ph := []struct{ in, want string }{
		{"07700 900123", "+447700900123"}, {"+44 7700 900123", "+447700900123"}, {"+44 (0)20 7946 0018", "+442079460018"},
		{"0044 20 7946 0018", "+442079460018"}, {"020 7946 0018", "+442079460018"}, {"447700900123", "+447700900123"},
		{"+33 1 23 45 67 89", "+33123456789"}, {"", ""},
	}
	for _, tc := range ph {
		if got := match.NormalizePhone(tc.in); got != tc.want {
			t.Errorf("NormalizePhone(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := match.NormalizeEmail(" Jo.Bloggs+news@GoogleMail.com "); got != "jobloggs@gmail.com" {
		t.Errorf("NormalizeEmail = %q", got)
	}
	if got := match.NormalizeDocument("qq 12 34 56 c"); got != "QQ123456C" {
		t.Errorf("NormalizeDocument = %q", got)
	}
}

func TestJaroWinkler(t *testing.T) {
	tests := []struct {
		a, b string
		want float64
	}{
		{"martha", "marhta", 0.961}, {"dwayne", "duane", 0.84}, {"dixon", "dicksonx", 0.813}, {"abc", "abc", 1}, {"", "abc", 0},
	}
	for _, tc := range tests {
		if got := match.JaroWinkler(tc.a, tc.b); math.Abs(got-tc.want) > 0.001 {
			t.Errorf("JaroWinkler(%q, %q) = %.4f, want %.3f", tc.a, tc.b, got, tc.want)
		}
	}
}

// person is a compact constructor for test records.
func person(id, given, family, dob, postcode string) match.Person {
	d, _ := match.ParseDate(dob)
	p := match.Person{ID: id, Given: given, Family: family, DOB: d}
	if postcode != "" {
		p.Addresses = []match.Address{{Number: "12", Lines: []string{"Station Road"}, Locality: "Leeds", Postcode: postcode}}
	}
	return p
}

func TestQueryVariationsFound(t *testing.T) {
	base := []match.Person{
		person("a", "Mohammed", "Al-Rashid", "1985-03-12", "LS6 2AB"),
		person("b", "William", "MacDonald", "1972-11-05", "M14 5RT"),
		person("c", "Yusuf", "Chaudhry", "1990-01-02", "B11 1AA"),
		person("d", "Olga", "Kowalski", "1968-07-21", "E1 6AN"),
	}
	ix := MustIndex(t, base...)
	tests := []struct {
		name string
		q    match.Person
		want string
	}{
		{"transliteration and particle", person("q1", "Muhammad", "Rashid", "12/03/1985", "ls62ab"), "a"},
		{"nickname and Mc", person("q2", "Bill", "McDonald", "1972-11-05", ""), "b"},
		{"swapped names", person("q3", "Chaudhry", "Yousef", "1990-01-02", "B11 1AA"), "c"},
		{"day and month swapped", person("q4", "Olga", "Kowalski", "1968-21-07", "E1 6AN"), "d"},
		{"typo in family name", person("q5", "Olga", "Kowalsky", "1968-07-21", "E1 6AN"), "d"},
		{"year of birth only", person("q6", "William", "Macdonald", "1972", "M14 5RT"), "b"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := ix.Query(tc.q, match.QueryOptions{MinProbability: 0.5})
			if len(res) == 0 || res[0].ID != tc.want {
				t.Fatalf("Query(%+v) = %+v, want %s first", tc.q, res, tc.want)
			}
			for _, c := range res[1:] {
				if c.Probability > 0.5 {
					t.Errorf("unexpected second match %s (%.3f)", c.ID, c.Probability)
				}
			}
		})
	}
}

func TestReasonsSumToTotal(t *testing.T) {
	ix := MustIndex(t, person("a", "Mohammed", "Al-Rashid", "1985-03-12", "LS6 2AB"))
	res := ix.Query(person("q", "Muhammad", "Rashid", "1985-03-12", "LS6 2AB"), match.QueryOptions{})
	if len(res) != 1 {
		t.Fatalf("got %d candidates, want 1", len(res))
	}
	e := res[0].Explanation
	sum := e.Prior
	for _, c := range e.Contributions {
		sum += c.Weight + c.TFAdjustment
		if c.Level == "missing" && c.Weight != 0 {
			t.Errorf("missing field %s has weight %v", c.Field, c.Weight)
		}
	}
	if math.Abs(sum-e.Total) > 1e-9 {
		t.Errorf("prior + contributions = %v, total %v", sum, e.Total)
	}
	if p := 1 / (1 + math.Exp2(-e.Total)); math.Abs(p-e.Probability) > 1e-12 {
		t.Errorf("probability %v does not follow from total %v", e.Probability, e.Total)
	}
	bars := e.Waterfall()
	if last := bars[len(bars)-1]; last.Label != "total" || math.Abs(last.End-e.Total) > 1e-9 {
		t.Errorf("waterfall ends at %+v, want total %v", last, e.Total)
	}
	b, err := json.Marshal(res[0])
	if err != nil || !strings.Contains(string(b), `"contributions"`) {
		t.Errorf("JSON %s, %v", b, err)
	}
}

func TestIncrementalAddUpdateRemove(t *testing.T) {
	ix := MustIndex(t)
	q := person("q", "Amina", "Warsame", "2001-04-09", "BS5 6XX")
	if res := ix.Query(q, match.QueryOptions{MinProbability: 0.5}); len(res) != 0 {
		t.Fatalf("empty index returned %v", res)
	}
	if err := ix.Add(person("x1", "Aamina", "Warsaame", "2001-04-09", "BS5 6XX")); err != nil {
		t.Fatal(err)
	}
	if res := ix.Query(q, match.QueryOptions{MinProbability: 0.5}); len(res) != 1 || res[0].ID != "x1" {
		t.Fatalf("record not matchable right after Add: %v", res)
	}
	if err := ix.Add(person("x1", "A", "B", "", "")); err == nil {
		t.Error("duplicate ID accepted")
	}
	if err := ix.Update(person("x1", "Peter", "Novak", "1950-01-01", "G42 1AA")); err != nil {
		t.Fatal(err)
	}
	if res := ix.Query(q, match.QueryOptions{MinProbability: 0.5}); len(res) != 0 {
		t.Fatalf("old version still matches after Update: %v", res)
	}
	if res := ix.Query(person("q2", "Piotr", "Nowak", "1950-01-01", "G42 1AA"), match.QueryOptions{MinProbability: 0.5}); len(res) != 1 {
		t.Fatalf("new version not found after Update: %v", res)
	}
	if !ix.Remove("x1") || ix.Remove("x1") {
		t.Fatal("Remove should succeed once")
	}
	if ix.Len() != 0 {
		t.Fatalf("Len = %d after Remove", ix.Len())
	}
	if err := ix.Update(person("x1", "A", "B", "", "")); err == nil {
		t.Error("Update of a removed record accepted")
	}
}

func TestTermFrequencyRareNameWeighsMore(t *testing.T) {
	s := match.NewSynth(7)
	var ps []match.Person
	for i := range 400 {
		p := s.Person(fmt.Sprint("bg", i))
		if i%4 == 0 {
			p.Family = "Khan" // a common name
		}
		ps = append(ps, p)
	}
	ix := MustIndex(t, ps...)
	common := ix.Explain(person("a", "Zara", "Khan", "", ""), person("b", "Zara", "Khan", "", ""))
	ix.Add(person("r", "Zara", "Quennell-Oduya", "", ""))
	rare := ix.Explain(person("a", "Zara", "Quennell-Oduya", "", ""), person("b", "Zara", "Quennell-Oduya", "", ""))
	fam := func(e match.Explanation) match.Contribution {
		for _, c := range e.Contributions {
			if c.Field == "family_name" {
				return c
			}
		}
		t.Fatal("no family_name contribution")
		return match.Contribution{}
	}
	c, r := fam(common), fam(rare)
	if c.Level != "exact" || r.Level != "exact" {
		t.Fatalf("levels %s, %s", c.Level, r.Level)
	}
	if !(r.TFAdjustment > 0 && c.TFAdjustment < 0 && rare.Total > common.Total) {
		t.Errorf("rare name adjustment %.2f (total %.2f), common %.2f (total %.2f): rare should weigh more", r.TFAdjustment, rare.Total, c.TFAdjustment, common.Total)
	}
}

// synthDataset builds people with duplicate records; truth maps a record
// ID to its person.
func synthDataset(s *match.Synth, people, dups int) ([]match.Person, map[string]int) {
	truth := map[string]int{}
	var out, base []match.Person
	for i := range people {
		p := s.Person(fmt.Sprint("s", i))
		truth[p.ID] = i
		base = append(base, p)
		out = append(out, p)
	}
	for i := range dups {
		j := (i * 7919) % people
		q := s.Variation(base[j], fmt.Sprint("d", i))
		truth[q.ID] = j
		out = append(out, q)
	}
	return out, truth
}

func TestEMRecoversSensibleParameters(t *testing.T) {
	ps, _ := synthDataset(match.NewSynth(3), 3000, 1500)
	ix := MustIndex(t, ps...)
	p, err := ix.Reestimate(context.Background(), 0, 1)
	if err != nil {
		t.Fatalf("Reestimate: %v", err)
	}
	if !p.Estimated || p.Pairs == 0 {
		t.Fatalf("not estimated: %+v", p)
	}
	for _, f := range p.Fields() {
		switch f.Field {
		case "given_name", "date_of_birth", "address", "document":
			first, last := f.Levels[0], f.Levels[len(f.Levels)-1]
			if !(first.M > first.U && first.Weight > 0.5) {
				t.Errorf("%s: agreement m=%.3f u=%.4f weight %.2f; want m>u and weight > 0.5", f.Field, first.M, first.U, first.Weight)
			}
			if !(last.M < last.U && last.Weight < 0) {
				t.Errorf("%s: disagreement m=%.3f u=%.3f weight %.2f; want m<u", f.Field, last.M, last.U, last.Weight)
			}
		}
	}
	if ix.Params() != p {
		t.Error("new parameters not swapped in")
	}
}

func TestHarderUKVariation(t *testing.T) {
	s := match.NewSynth(11)
	ps, truth := synthDataset(s, 2000, 1000)
	// Households: siblings and twins at one address must not be merged.
	for i := range 100 {
		p := ps[i]
		sib := s.Sibling(p, fmt.Sprint("sib", i), i%2 == 0)
		truth[sib.ID] = 100000 + i
		ps = append(ps, sib)
	}
	// Many people sharing one common name.
	for i := range 60 {
		p := s.Person(fmt.Sprint("mk", i))
		p.Given, p.Family = "Mohammed", "Khan"
		truth[p.ID] = 200000 + i
		ps = append(ps, p)
	}
	res, err := match.Dedupe(context.Background(), ps, match.BatchOptions{Threshold: -1})
	if err != nil {
		t.Fatal(err)
	}
	trueTotal := 0
	per := map[int]int{}
	for _, p := range ps {
		per[truth[p.ID]]++
	}
	for _, n := range per {
		trueTotal += n * (n - 1) / 2
	}
	var tp, fp, found, household, sameName int
	for _, p := range res.Pairs {
		same := truth[p.Left] == truth[p.Right]
		if same {
			found++
		}
		if p.Probability < 0.5 {
			continue
		}
		if same {
			tp++
			continue
		}
		fp++
		if strings.HasPrefix(p.Left, "sib") || strings.HasPrefix(p.Right, "sib") {
			household++
		}
		if strings.HasPrefix(p.Left, "mk") && strings.HasPrefix(p.Right, "mk") {
			sameName++
		}
	}
	prec, rec := float64(tp)/float64(max(1, tp+fp)), float64(tp)/float64(trueTotal)
	f1 := 2 * prec * rec / (prec + rec)
	t.Logf("UK variation: %d records, %d true pairs, blocking recall %.4f, TP %d FP %d (household %d, same name %d), P %.4f R %.4f F1 %.4f",
		len(ps), trueTotal, float64(found)/float64(trueTotal), tp, fp, household, sameName, prec, rec, f1)
	if f1 < 0.96 {
		t.Errorf("F1 %.4f < 0.96", f1)
	}
	// Household false matches left (measured 4 of 100 siblings and twins):
	// a twin against a record of the sibling with the given name missing,
	// or with given and family names swapped. Same-name false matches
	// (measured 2 of 1,770 pairs of Mohammed Khans) have dates of birth
	// one digit apart.
	if household > 5 || sameName > 3 {
		t.Errorf("%d household and %d same-name false matches, want at most 5 and 3", household, sameName)
	}
}

func TestConcurrentUse(t *testing.T) {
	s := match.NewSynth(5)
	ps, _ := synthDataset(s, 500, 100)
	ix := MustIndex(t, ps[:300]...)
	var wg sync.WaitGroup
	wg.Add(4)
	go func() {
		defer wg.Done()
		for _, p := range ps[300:] {
			if err := ix.Add(p); err != nil {
				t.Error(err)
			}
		}
	}()
	go func() {
		defer wg.Done()
		for _, p := range ps[:100] {
			p.Phones = append(p.Phones, "07700 900001")
			if err := ix.Update(p); err != nil {
				t.Error(err)
			}
		}
		for _, p := range ps[100:150] {
			ix.Remove(p.ID)
		}
	}()
	go func() {
		defer wg.Done()
		for _, p := range ps {
			ix.Query(p, match.QueryOptions{})
		}
	}()
	go func() {
		defer wg.Done()
		for range 3 {
			if _, err := ix.Reestimate(context.Background(), 200, 1); err != nil && !strings.Contains(err.Error(), "implausible") {
				t.Error(err)
			}
		}
	}()
	wg.Wait()
	if got, want := ix.Len(), len(ps)-50; got != want {
		t.Errorf("Len = %d, want %d", got, want)
	}
}

func TestReadCSV(t *testing.T) {
	in := "rec_id, given_name, surname, street_number, address_1, address_2, suburb, postcode, state, date_of_birth, soc_sec_id, phone, email, other\n" +
		"rec-1-org, michaela, neumann, 8, stanley street, miami, winston hills, 4223, nsw, 19151111, 5304218, 07700 900123, m@example.com, x\n" +
		"rec-2-org, , , , , , , , , , \n"
	ps, err := match.ReadCSV(strings.NewReader(in), "rec_id")
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 {
		t.Fatalf("got %d records", len(ps))
	}
	p := ps[0]
	if p.ID != "rec-1-org" || p.Given != "michaela" || p.Family != "neumann" || p.DOB != (match.Date{Year: 1915, Month: 11, Day: 11}) ||
		len(p.Addresses) != 1 || p.Addresses[0].Postcode != "4223" || p.Addresses[0].Lines[1] != "miami" ||
		p.Documents[0] != "5304218" || p.Phones[0] != "07700 900123" || p.Emails[0] != "m@example.com" {
		t.Errorf("record read as %+v", p)
	}
	if _, err := match.ReadCSV(strings.NewReader("a,b\n1,2\n"), "rec_id"); err == nil {
		t.Error("missing id column accepted")
	}
}

func TestIDNeverInformsMatch(t *testing.T) {
	a := person("rec-7-org", "Amelia", "Turner", "1999-09-09", "CF24 1AB")
	b := person("rec-7-dup-0", "Grace", "Okafor", "1950-01-01", "G42 1AA")
	ix := MustIndex(t, a)
	if res := ix.Query(b, match.QueryOptions{MinProbability: 0.001}); len(res) != 0 {
		t.Errorf("records sharing only an id pattern matched: %+v", res)
	}
}

func TestReadCSVParallelSameAsReadCSV(t *testing.T) {
	s := match.NewSynth(9)
	var b strings.Builder
	b.WriteString("rec_id, given_name, surname, street_number, address_1, suburb, postcode, date_of_birth, phone\n")
	for i := range 20000 {
		p := s.Person(fmt.Sprint("r", i))
		a := p.Addresses[0]
		fmt.Fprintf(&b, "%s, %s, %s, %s, %s, %s, %s, %04d%02d%02d, %s\n", p.ID, p.Given, p.Family, a.Number, a.Lines[0], a.Locality, a.Postcode,
			p.DOB.Year, p.DOB.Month, p.DOB.Day, strings.Join(p.Phones, ""))
	}
	tests := []struct {
		name string
		in   string
	}{
		{"plain", b.String()},
		{"no final line end", strings.TrimSuffix(b.String(), "\n")},
		{"quoted", b.String() + "\"r-q\", \"a, b\", c\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want, err := match.ReadCSV(strings.NewReader(tc.in), "rec_id")
			if err != nil {
				t.Fatal(err)
			}
			got, err := match.ReadCSVParallel(strings.NewReader(tc.in), "rec_id", 4)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) {
				t.Fatalf("got %d records, want %d", len(got), len(want))
			}
			for i := range want {
				if !reflect.DeepEqual(got[i], want[i]) {
					t.Fatalf("record %d: got %+v, want %+v", i, got[i], want[i])
				}
			}
		})
	}
}

func TestLoadVariantsReachesCachedComparisons(t *testing.T) {
	// "Zeb" is indexed too, so that its comparisons are cached.
	ix := MustIndex(t, person("a", "Zebedee", "Quarrington", "1970-02-03", "LS6 2AB"), person("b", "Zeb", "Ostrowski", "1999-09-09", ""))
	q := person("q", "Zeb", "Quarrington", "1970-02-03", "LS6 2AB")
	given := func() string {
		res := ix.Query(q, match.QueryOptions{MinProbability: 1e-9})
		if len(res) != 1 {
			t.Fatalf("got %d candidates, want 1", len(res))
		}
		return res[0].Explanation.Contributions[0].Level
	}
	if got := given(); got == "variant" {
		t.Fatalf("given level %q before the variant is loaded", got)
	}
	if err := ix.LoadVariants(strings.NewReader("zebedee,zeb\n"), match.Names); err != nil {
		t.Fatal(err)
	}
	if got := given(); got != "variant" {
		t.Errorf("given level %q after loading zebedee,zeb; want variant", got)
	}
}

func TestAddAllSameAsAdd(t *testing.T) {
	ps, _ := synthDataset(match.NewSynth(13), 8000, 2000)
	one := MustIndex(t, ps...)
	all := match.NewIndex(match.Options{})
	if err := all.AddAll(ps); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(ps); i += 37 {
		q := ps[i]
		a := one.Query(q, match.QueryOptions{ExcludeID: q.ID})
		b := all.Query(q, match.QueryOptions{ExcludeID: q.ID})
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("query %s: Add gives %+v, AddAll %+v", q.ID, a, b)
		}
	}
	dup := append(append([]match.Person(nil), ps[:5000]...), ps[100])
	ix := match.NewIndex(match.Options{})
	if err := ix.AddAll(dup); err == nil || ix.Len() != 5000 {
		t.Errorf("AddAll with a duplicate ID: error %v, %d indexed; want an error and 5000", err, ix.Len())
	}
}

func TestThreadCPUTimeAdvances(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	a, ok := match.ThreadCPUTime()
	if !ok {
		t.Skip("no thread CPU clock on this platform")
	}
	x := 0
	for i := range 20_000_000 {
		x += i % 7
	}
	b, _ := match.ThreadCPUTime()
	if b <= a {
		t.Errorf("thread CPU time went from %v to %v over a busy loop (%d)", a, b, x)
	}
}

func TestReestimateInBackground(t *testing.T) {
	ps, _ := synthDataset(match.NewSynth(17), 1500, 400)
	// Mix the duplicate records (generated last) in with the rest.
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(ps), func(i, j int) { ps[i], ps[j] = ps[j], ps[i] })
	ix := MustIndex(t, ps[:1000]...)
	if ix.Params().Estimated {
		t.Fatal("parameters estimated before any estimate ran")
	}
	errs := make(chan error, 10)
	ix.ReestimateInBackground(t.Context(), 5*time.Millisecond, 0, 100, func(err error) {
		select {
		case errs <- err:
		default:
		}
	})
	// waitFor polls (it is not a timing assertion: the limit only stops a
	// hung test).
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); !ok(); time.Sleep(5 * time.Millisecond) {
			select {
			case err := <-errs:
				t.Fatalf("background estimate: %v", err)
			default:
			}
			if time.Now().After(deadline) {
				t.Fatalf("no %s", what)
			}
		}
	}
	waitFor("first estimate", func() bool { return ix.Params().Estimated })
	first := ix.Params()
	// Fewer changes than minChanges: no new estimate is due, but records
	// stay matchable at once.
	if err := ix.AddAll(ps[1000:1050]); err != nil {
		t.Fatal(err)
	}
	if res := ix.Query(ps[1000], match.QueryOptions{MinProbability: 0.5}); len(res) == 0 || res[0].ID != ps[1000].ID {
		t.Errorf("record not matchable right after AddAll: %+v", res)
	}
	if err := ix.AddAll(ps[1050:]); err != nil {
		t.Fatal(err)
	}
	waitFor("estimate after more records", func() bool { return ix.Params() != first })
	if p := ix.Params(); !p.Estimated || p.Lambda() <= 0 {
		t.Errorf("new parameters %+v", p)
	}
}
