package names

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxAcronymRunes bounds what StripAcronym takes for an acronym: the
// longest in use are six or seven letters (ISWAP, IS-KP, ISIS-K), and a
// longer parenthesised word is more likely a place or a gloss.
const maxAcronymRunes = 10

// StripAcronym splits a name that ends in a parenthesised acronym, as
// "Tehrik-i-Taliban Pakistan (TTP)" or "Islamic State of Iraq and the
// Levant (ISIL)", into the name without it and the acronym. An acronym is
// one word of at most ten characters, letters, digits, hyphens, dots,
// ampersands or slashes, with at least two letters and no lower-case
// letter; a word in a script without case (Arabic داعش) counts. A name
// without one is returned whole, with an empty acronym, and so is a name
// that is nothing but the parenthesis. Both results are trimmed.
func StripAcronym(name string) (base, acronym string) {
	trimmed := strings.TrimSpace(name)
	if !strings.HasSuffix(trimmed, ")") {
		return trimmed, ""
	}
	open := strings.LastIndexByte(trimmed, '(')
	if open < 0 {
		return trimmed, ""
	}
	inner := strings.TrimSpace(trimmed[open+1 : len(trimmed)-1])
	base = strings.TrimSpace(trimmed[:open])
	if base == "" || !isAcronym(inner) {
		return trimmed, ""
	}
	return base, inner
}

func isAcronym(s string) bool {
	if n := utf8.RuneCountInString(s); n < 2 || n > maxAcronymRunes {
		return false
	}
	letters := 0
	for _, r := range s {
		switch {
		case unicode.IsLetter(r):
			if unicode.IsLower(r) {
				return false
			}
			letters++
		case unicode.IsDigit(r), r == '-', r == '.', r == '&', r == '/':
		default:
			return false
		}
	}
	return letters >= 2
}

// Keys returns the search keys to store for one name or alias, in a fixed
// order without duplicates or empty strings: the folded name, its key and,
// when the name ends in a parenthesised acronym, the folded name without
// it, that name's key and the folded acronym alone. The acronym gets no key
// of its own: squeezed, TTP would become "tp" and meet every other
// two-letter key.
func Keys(name string) []string {
	keys := make([]string, 0, 5)
	add := func(k string) {
		if k == "" {
			return
		}
		for _, have := range keys {
			if have == k {
				return
			}
		}
		keys = append(keys, k)
	}
	add(Fold(name))
	add(Key(name))
	if base, acronym := StripAcronym(name); acronym != "" {
		add(Fold(base))
		add(Key(base))
		add(Fold(acronym))
	}
	return keys
}
