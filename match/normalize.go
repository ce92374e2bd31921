package match

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// foldMap spells letters with diacritics, ligatures and Cyrillic letters in
// plain lower-case ASCII.
var foldMap = map[rune]string{
	'à': "a", 'á': "a", 'â': "a", 'ã': "a", 'ä': "a", 'å': "a", 'ā': "a", 'ă': "a", 'ą': "a", 'ǎ': "a",
	'æ': "ae", 'ç': "c", 'ć': "c", 'č': "c", 'ĉ': "c", 'ċ': "c", 'ď': "d", 'đ': "d", 'ð': "d",
	'è': "e", 'é': "e", 'ê': "e", 'ë': "e", 'ē': "e", 'ė': "e", 'ę': "e", 'ě': "e", 'ə': "e",
	'ğ': "g", 'ģ': "g", 'ĝ': "g", 'ġ': "g", 'ħ': "h", 'ĥ': "h",
	'ì': "i", 'í': "i", 'î': "i", 'ï': "i", 'ī': "i", 'į': "i", 'ı': "i", 'ǐ': "i",
	'ĵ': "j", 'ķ': "k", 'ł': "l", 'ľ': "l", 'ĺ': "l", 'ļ': "l", 'ŀ': "l",
	'ñ': "n", 'ń': "n", 'ň': "n", 'ņ': "n",
	'ò': "o", 'ó': "o", 'ô': "o", 'õ': "o", 'ö': "o", 'ø': "o", 'ō': "o", 'ő': "o", 'œ': "oe", 'ǒ': "o",
	'ŕ': "r", 'ř': "r", 'ś': "s", 'š': "s", 'ş': "s", 'ș': "s", 'ŝ': "s", 'ß': "ss",
	'ť': "t", 'ţ': "t", 'ț': "t", 'þ': "th",
	'ù': "u", 'ú': "u", 'û': "u", 'ü': "u", 'ū': "u", 'ů': "u", 'ű': "u", 'ų': "u", 'ǔ': "u",
	'ý': "y", 'ÿ': "y", 'ŷ': "y", 'ź': "z", 'ż': "z", 'ž': "z",
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'ґ': "g", 'д': "d", 'е': "e", 'ё': "e", 'є': "ye", 'ж': "zh",
	'з': "z", 'и': "i", 'і': "i", 'ї': "yi", 'й': "y", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o",
	'п': "p", 'р': "r", 'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch",
	'ш': "sh", 'щ': "shch", 'ъ': "", 'ы': "y", 'ь': "", 'э': "e", 'ю': "yu", 'я': "ya",
}

// fold lower-cases s, removes diacritics, transliterates Cyrillic, deletes
// apostrophes (O'Brien -> obrien) and turns every other non-alphanumeric
// character into a space.
func fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	var b strings.Builder
	b.Grow(len(s))
	if ascii {
		for i := 0; i < len(s); i++ {
			c := s[i]
			switch {
			case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
				b.WriteByte(c)
			case c >= 'A' && c <= 'Z':
				b.WriteByte(c + 32)
			case c == '\'' || c == '`':
			default:
				b.WriteByte(' ')
			}
		}
		return b.String()
	}
	for _, r := range s {
		r = unicode.ToLower(r)
		switch {
		case r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9'):
			b.WriteRune(r)
		case r == '\'' || r == '`' || r == '’' || r == '‘' || r == 'ʼ' || r == 'ʻ' || r == 'ʿ' || r == 'ʾ':
		default:
			if f, ok := foldMap[r]; ok {
				b.WriteString(f)
			} else if unicode.IsLetter(r) || unicode.IsDigit(r) {
				b.WriteRune(r)
			} else {
				b.WriteByte(' ')
			}
		}
	}
	return b.String()
}

// foldKey folds s and drops everything but letters and digits, and writes a
// leading Mac as Mc: the form used as a key into the variant tables.
func foldKey(s string) string {
	f := fold(s)
	var b strings.Builder
	b.Grow(len(f))
	for _, w := range strings.Fields(f) {
		b.WriteString(w)
	}
	return macToMc(b.String())
}

// macToMc writes the Scottish and Irish Mac prefix as Mc so that MacDonald
// and McDonald agree. Short words (mack, macy) are left alone.
func macToMc(w string) string {
	if len(w) > 5 && strings.HasPrefix(w, "mac") {
		return "mc" + w[3:]
	}
	return w
}

// nameInfo is a normalised name (one of given, middle or family).
type nameInfo struct {
	words  string   // folded words, space separated: "al rashid"
	full   string   // all words joined, particles kept: "alrashid"
	core   string   // particles dropped: "rashid"
	first  string   // first word of core: "mary" of "mary ann"
	skel   string   // phonetic skeleton of core
	groups []uint32 // variant groups of core, first and full
	toks   []uint64 // blocking tokens: skeleton and variant groups
}

// normName normalises one name field. It returns the zero nameInfo for a
// name with no letters.
func (v *Variants) normName(s string) nameInfo {
	words := strings.Fields(fold(s))
	if len(words) == 0 {
		return nameInfo{}
	}
	for i, w := range words {
		words[i] = macToMc(w)
	}
	var ni nameInfo
	ni.words = strings.Join(words, " ")
	ni.full = strings.Join(words, "")
	if ni.words == ni.full {
		ni.words = ni.full
	}
	v.mu.RLock()
	defer v.mu.RUnlock()
	var core []string
	for _, w := range words {
		if !v.particles[w] {
			core = append(core, w)
		}
	}
	if len(core) == 0 {
		core = words
	}
	ni.core = strings.Join(core, "")
	ni.first = core[0]
	if ni.core == ni.full {
		ni.core = ni.full
	}
	ni.skel = skeleton(ni.core)
	add := func(k string) {
		for _, g := range v.groups[k] {
			dup := false
			for _, h := range ni.groups {
				dup = dup || h == g
			}
			if !dup {
				ni.groups = append(ni.groups, g)
			}
		}
	}
	add(ni.core)
	add(ni.first)
	add(ni.full)
	ni.toks = append(ni.toks, hashString(tagSkel, ni.skel))
	for i, g := range ni.groups {
		if i == 3 {
			break
		}
		ni.toks = append(ni.toks, mix(tagGroup, uint64(g)))
	}
	return ni
}

// NormalizeName returns the folded form of a name with particles removed
// (Al-Rashid -> rashid, O'Brien -> obrien, MacDonald -> mcdonald).
func NormalizeName(s string) string {
	return defaultNormalizer().normName(s).core
}

var defaultNorm *Variants

func defaultNormalizer() *Variants {
	if defaultNorm == nil {
		defaultNorm = DefaultVariants()
	}
	return defaultNorm
}

func init() { defaultNorm = DefaultVariants() }

// Phonetic returns a phonetic skeleton of a folded name: the first sound,
// then the consonants with vowels, h, w and y dropped and repeats collapsed,
// after mapping c, q to k, z to s, x to ks and ph to f. Spellings such as
// Mohammed, Muhammad and Mohamed share one skeleton, as do Hussein and
// Husain, Smith and Smyth.
func Phonetic(name string) string { return skeleton(foldKey(name)) }

func skeleton(s string) string {
	if s == "" {
		return ""
	}
	var out [48]byte
	n := 0
	var prev byte
	for i := 0; i < len(s) && n < len(out)-1; i++ {
		c := s[i]
		switch {
		case c == 'p' && i+1 < len(s) && s[i+1] == 'h':
			c = 'f'
			i++
		case c == 'c' || c == 'q':
			c = 'k'
		case c == 'z':
			c = 's'
		case c == 'j' && i == 0:
			c = 'y'
		}
		if i == 0 {
			if isVowel(c) {
				c = 'a'
			}
			out[n] = c
			n++
			prev = c
			if c == 'x' {
				out[0] = 'k'
				out[1] = 's'
				n, prev = 2, 's'
			}
			continue
		}
		if isVowel(c) || c == 'h' || c == 'w' || c == 'y' {
			continue
		}
		if c == 'x' {
			if prev != 'k' {
				out[n] = 'k'
				n++
			}
			c = 's'
		}
		if c == prev {
			continue
		}
		out[n] = c
		n++
		prev = c
	}
	return string(out[:n])
}

func isVowel(c byte) bool {
	return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'
}

// NormalizePostcode writes a UK postcode in its standard form, upper case
// with one space before the inward code ("sw1a1aa" -> "SW1A 1AA"). Other
// postcodes (such as 4-digit Australian ones) are returned upper case with
// spaces and punctuation removed.
func NormalizePostcode(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z':
			b = append(b, c-32)
		case c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
			b = append(b, c)
		}
	}
	if n := len(b); n >= 5 && n <= 7 {
		// Inward code: digit, letter, letter. A letter O typed for zero in
		// the inward digit is common.
		if b[n-3] == 'O' {
			b[n-3] = '0'
		}
		if isUKOutward(b[:n-3]) && b[n-3] >= '0' && b[n-3] <= '9' && isUpper(b[n-2]) && isUpper(b[n-1]) {
			return string(b[:n-3]) + " " + string(b[n-3:])
		}
	}
	return string(b)
}

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isUKOutward reports whether b is a UK outward code: A9, A9A, A99, AA9,
// AA9A or AA99.
func isUKOutward(b []byte) bool {
	if len(b) < 2 || len(b) > 4 || !isUpper(b[0]) {
		return false
	}
	i := 1
	if isUpper(b[i]) {
		i++
	}
	if i >= len(b) || !isDigit(b[i]) {
		return false
	}
	i++
	if i == len(b) {
		return true
	}
	if i == len(b)-1 && (isDigit(b[i]) || isUpper(b[i])) {
		return true
	}
	return false
}

// postcodeSector returns the UK postcode sector ("SW1A 1") and district
// ("SW1A") of a normalised postcode, or empty strings for other postcodes.
func postcodeSector(p string) (sector, district string) {
	i := strings.IndexByte(p, ' ')
	if i < 0 || len(p) < i+2 {
		return "", ""
	}
	return p[:i+2], p[:i]
}

// NormalizePhone writes a telephone number as digits with a leading + and
// country code when known. UK national numbers (07700 900123, 020 7946 0018)
// become +44..., "+44 (0)20 ..." and "0044 20 ..." too. Numbers without a
// country code that are not UK-shaped are returned as digits only.
func NormalizePhone(s string) string {
	plus := false
	var d []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '+' && len(d) == 0 {
			plus = true
		}
		if isDigit(c) {
			d = append(d, c)
		}
	}
	if len(d) == 0 {
		return ""
	}
	if !plus && len(d) > 2 && d[0] == '0' && d[1] == '0' {
		plus, d = true, d[2:]
	}
	if plus {
		if len(d) >= 12 && d[0] == '4' && d[1] == '4' && d[2] == '0' && d[3] != '0' {
			d = append(d[:2], d[3:]...) // +44 (0)20 ...
		}
		return "+" + string(d)
	}
	if d[0] == '0' && (len(d) == 10 || len(d) == 11) {
		return "+44" + string(d[1:])
	}
	if len(d) == 12 && d[0] == '4' && d[1] == '4' {
		return "+" + string(d)
	}
	return string(d)
}

// NormalizeEmail lower-cases an e-mail address, removes a +tag from the
// local part and, for Gmail, the dots Gmail ignores.
func NormalizeEmail(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.TrimPrefix(s, "mailto:")
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 {
		return strings.Join(strings.Fields(s), "")
	}
	local, domain := s[:at], s[at+1:]
	if i := strings.IndexByte(local, '+'); i > 0 {
		local = local[:i]
	}
	if domain == "googlemail.com" {
		domain = "gmail.com"
	}
	if domain == "gmail.com" {
		local = strings.ReplaceAll(local, ".", "")
	}
	return local + "@" + domain
}

// NormalizeDocument keeps the letters and digits of an identity document
// number, upper case ("ab 12 34 56 c" -> "AB123456C").
func NormalizeDocument(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z':
			b = append(b, c-32)
		case c >= 'A' && c <= 'Z', isDigit(c):
			b = append(b, c)
		}
	}
	return string(b)
}

// NormalizeHandle lower-cases an online handle and removes a leading @ and
// any URL before the last path element.
func NormalizeHandle(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.TrimRight(s, "/")
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		s = s[i+1:]
	}
	return strings.Join(strings.Fields(strings.TrimLeft(s, "@")), "")
}

// normStreet folds a street line, spells out abbreviations (st -> street)
// and joins the words without spaces, so that "pridhamstreet" and
// "Pridham St." agree. A leading house number is split off.
func (v *Variants) normStreet(s string) (number, street string) {
	words := strings.Fields(fold(s))
	if len(words) > 1 && isDigit(words[0][0]) {
		number, words = words[0], words[1:]
	}
	v.mu.RLock()
	defer v.mu.RUnlock()
	var b strings.Builder
	for _, w := range words {
		if full, ok := v.streets[w]; ok {
			w = full
		}
		b.WriteString(w)
	}
	return number, b.String()
}

// normPlace folds a locality or address line and removes spaces.
func normPlace(s string) string {
	var b strings.Builder
	for _, w := range strings.Fields(fold(s)) {
		b.WriteString(w)
	}
	return b.String()
}

// normNumber normalises a house number ("12a", "12 A" -> "12A").
func normNumber(s string) string { return NormalizeDocument(s) }
