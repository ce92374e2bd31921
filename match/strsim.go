package match

// JaroWinkler returns the Jaro-Winkler similarity of two byte strings, from
// 0 (nothing in common) to 1 (equal), with the usual prefix scale 0.1 over
// at most four characters. Strings longer than 64 bytes are cut to 64.
func JaroWinkler(a, b string) float64 {
	if a == b {
		if a == "" {
			return 0
		}
		return 1
	}
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	if len(a) > 64 {
		a = a[:64]
	}
	if len(b) > 64 {
		b = b[:64]
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	window := len(b)/2 - 1
	if window < 0 {
		window = 0
	}
	var amatch, bmatch uint64
	m := 0
	for i := 0; i < len(a); i++ {
		lo, hi := i-window, i+window+1
		if lo < 0 {
			lo = 0
		}
		if hi > len(b) {
			hi = len(b)
		}
		for j := lo; j < hi; j++ {
			if bmatch&(1<<uint(j)) == 0 && a[i] == b[j] {
				amatch |= 1 << uint(i)
				bmatch |= 1 << uint(j)
				m++
				break
			}
		}
	}
	if m == 0 {
		return 0
	}
	t, j := 0, 0
	for i := 0; i < len(a); i++ {
		if amatch&(1<<uint(i)) == 0 {
			continue
		}
		for bmatch&(1<<uint(j)) == 0 {
			j++
		}
		if a[i] != b[j] {
			t++
		}
		j++
	}
	fm := float64(m)
	jaro := (fm/float64(len(a)) + fm/float64(len(b)) + (fm-float64(t/2))/fm) / 3
	p := 0
	for p < 4 && p < len(a) && a[p] == b[p] {
		p++
	}
	return jaro + float64(p)*0.1*(1-jaro)
}

// closeStrings reports whether a and b differ by one substituted, inserted
// or deleted character, or by two swapped neighbours.
func closeStrings(a, b string) bool {
	if a == b {
		return true
	}
	la, lb := len(a), len(b)
	switch {
	case la == lb:
		diff, first := 0, -1
		for i := 0; i < la; i++ {
			if a[i] != b[i] {
				if diff == 0 {
					first = i
				}
				diff++
				if diff > 2 {
					return false
				}
			}
		}
		if diff == 1 {
			return true
		}
		return diff == 2 && first+1 < la && a[first] == b[first+1] && a[first+1] == b[first] && a[first+2:] == b[first+2:]
	case la == lb+1:
		return oneInsert(b, a)
	case lb == la+1:
		return oneInsert(a, b)
	}
	return false
}

// oneInsert reports whether long is short with one byte inserted.
func oneInsert(short, long string) bool {
	i := 0
	for i < len(short) && short[i] == long[i] {
		i++
	}
	return short[i:] == long[i+1:]
}
