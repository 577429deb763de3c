package names

import (
	"strings"
	"unicode/utf8"
)

// MinKeyLength is the shortest transliteration key that counts as a match: shorter keys ("is",
// "k") are the start, or the whole, of too many others.
const MinKeyLength = 3

// MatchKind says how a searched text matches a name, from the loosest to the closest, so that
// kinds compare with < and >.
type MatchKind int

const (
	NoMatch MatchKind = iota
	// Typo: each word of the text is within one edit (a letter added, dropped, changed or two
	// swapped) of a word of the name, or the start of one; only words of four letters or more
	// are allowed an edit, as the search's fuzzy pass does.
	Typo
	// Word: each word of the text, folded, is a word of the name or the start of one, or its
	// key is the key of a word of the name or the start of the name's key.
	Word
	// Transliterated: the text and the name share a key (Key, or the key of the name without
	// its acronym) of at least MinKeyLength letters: "Daech" and "داعش" for "Daesh".
	Transliterated
	// Folded: the text is the name after Fold ("etat islamique" for "État islamique"), or the
	// name without its parenthesised acronym, or the acronym.
	Folded
	// Exact: the same text, ignoring case and surrounding space.
	Exact
)

func (k MatchKind) String() string {
	switch k {
	case Typo:
		return "typo"
	case Word:
		return "word"
	case Transliterated:
		return "transliterated"
	case Folded:
		return "folded"
	case Exact:
		return "exact"
	}
	return "none"
}

// Match says how text matches name: the closest kind that holds. It mirrors what the search
// looks up (the text as typed, folded, its key and its words' keys; Keys of each name), so
// that a search can tell a researcher which name of an entity it found and why.
func Match(text, name string) MatchKind {
	t, n := strings.TrimSpace(text), strings.TrimSpace(name)
	if t == "" || n == "" {
		return NoMatch
	}
	if strings.EqualFold(t, n) {
		return Exact
	}
	base, acronym := StripAcronym(n)
	ft := Fold(t)
	if ft != "" && (ft == Fold(n) || ft == Fold(base) || (acronym != "" && ft == Fold(acronym))) {
		return Folded
	}
	kt := Key(t)
	if len(kt) >= MinKeyLength && (kt == Key(n) || kt == Key(base)) {
		return Transliterated
	}
	tw, nw := strings.Fields(ft), strings.Fields(Fold(n))
	if len(tw) == 0 {
		return NoMatch
	}
	if everyWord(tw, nw, 0) || everyWord(wordKeyList(tw), wordKeyList(nw), 0) ||
		(len(kt) >= MinKeyLength && strings.HasPrefix(Key(n), kt)) {
		return Word
	}
	if everyWord(tw, nw, 1) || everyWord(wordKeyList(tw), wordKeyList(nw), 1) {
		return Typo
	}
	return NoMatch
}

// Best returns the index among candidates of the name text matches most closely, and how; the
// earlier name wins a tie (put an entity's name first). It returns -1 and NoMatch when none
// matches.
func Best(text string, candidates []string) (int, MatchKind) {
	best, how := -1, NoMatch
	for i, c := range candidates {
		if k := Match(text, c); k > how {
			best, how = i, k
			if k == Exact {
				break
			}
		}
	}
	return best, how
}

// wordKeyList is the key of each word (words whose key is empty are left out).
func wordKeyList(words []string) []string {
	out := make([]string, 0, len(words))
	for _, w := range words {
		if k := Key(w); k != "" {
			out = append(out, k)
		}
	}
	return out
}

// everyWord reports whether each of words is a word of in, or the start of one, or (edits 1,
// for words of four letters or more) within one edit of one.
func everyWord(words, in []string, edits int) bool {
	if len(words) == 0 {
		return false
	}
	for _, w := range words {
		found := false
		for _, x := range in {
			if strings.HasPrefix(x, w) || (edits > 0 && utf8.RuneCountInString(w) >= 4 && withinOneEdit(w, x)) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// withinOneEdit reports whether a and b differ by at most one insertion, deletion,
// substitution or swap of adjacent letters (Lucene's fuzzy queries count a swap as one edit).
func withinOneEdit(a, b string) bool {
	x, y := []rune(a), []rune(b)
	if len(x) > len(y) {
		x, y = y, x
	}
	if len(y)-len(x) > 1 {
		return false
	}
	i := 0
	for i < len(x) && x[i] == y[i] {
		i++
	}
	if i == len(x) {
		return true // equal, or y has one more letter at the end
	}
	if len(x) == len(y) {
		if string(x[i+1:]) == string(y[i+1:]) {
			return true // one substitution
		}
		return i+1 < len(x) && x[i] == y[i+1] && x[i+1] == y[i] && string(x[i+2:]) == string(y[i+2:])
	}
	return string(x[i:]) == string(y[i+1:]) // one letter more in y
}
