package names

import (
	"strings"

	"github.com/gosimple/unidecode"
)

// vowelMode says which vowels a key keeps.
type vowelMode int

const (
	keepVowels         vowelMode = iota // every vowel stays
	dropVowelsInWord                    // each word keeps a leading vowel
	dropVowelsInString                  // only the key's first letter may be a vowel
	dropAllVowels                       // no vowel at all
)

// keyRules is Key's squeeze with each choice switchable, so that the tests
// can measure the alternatives on the same list of names (see
// TestKeyRulesMeasured) and show what each one costs. Only keyRulesChosen is
// used outside the tests.
type keyRules struct {
	vowels vowelMode
	// yVowel counts y as a vowel (Arabic ي, Russian ы and Latin i/y
	// spellings then meet).
	yVowel bool
	// fixups applies the small table of spelling fix-ups (fixupsAfter):
	// sounds that Latin, French, Russian and Arabic transliterations write
	// differently.
	fixups bool
}

// keyRulesChosen is the squeeze behind Key. The package documentation gives
// the measurement that chose it.
var keyRulesChosen = keyRules{vowels: dropVowelsInString, yVowel: true, fixups: true}

// Key returns a transliteration key for a name: its folded form written in
// ASCII, then squeezed so that different romanisations of one name meet
// ("Daesh", "Daech", "داعش"; "Krokus", "Крокус"). Key(Fold(s)) == Key(s).
// The key is for matching only, never for display; it may be empty (a name
// of punctuation only) and it is lossy: different names can share a key
// (Gaza and Giza do), so a search should rank exact and folded matches
// first. The package documentation says what Key can and cannot reach.
func Key(s string) string {
	return keyRulesChosen.key(s)
}

func (k keyRules) key(s string) string {
	f := Fold(s)
	if k.fixups {
		f = fixupsBefore.Replace(f)
	}
	t := strings.ToLower(unidecode.Unidecode(f))
	if k.fixups {
		t = fixupsAfter.Replace(t)
	}
	var b strings.Builder
	b.Grow(len(t))
	var last byte // the last byte written, for collapsing doubled letters
	wordStart := true
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case c == ' ':
			wordStart = true
			continue
		case !(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9'):
			// Apostrophes and signs that unidecode writes for ʿayn, hamza
			// or soft signs (`, ', @, ~) carry no letter.
			continue
		}
		drop := k.isVowel(c) && k.dropsVowel(b.Len() == 0, wordStart)
		wordStart = false
		if drop || c == last {
			continue
		}
		b.WriteByte(c)
		last = c
	}
	return b.String()
}

// dropsVowel reports whether a vowel is dropped at this place: at the
// start of the key, at the start of a word, or elsewhere.
func (k keyRules) dropsVowel(keyStart, wordStart bool) bool {
	switch k.vowels {
	case keepVowels:
		return false
	case dropVowelsInWord:
		return !wordStart
	case dropVowelsInString:
		return !keyStart
	}
	return true
}

func (k keyRules) isVowel(c byte) bool {
	switch c {
	case 'a', 'e', 'i', 'o', 'u':
		return true
	case 'y':
		return k.yVowel
	}
	return false
}

// fixupsBefore rewrites folded text before transliteration. unidecode
// writes Arabic alef as nothing, which leaves a name such as الموصل or
// أسامة with no first letter to match "al-"/"Usama"; alef is written "a".
var fixupsBefore = strings.NewReplacer("ا", "a")

// fixupsAfter rewrites lower-case ASCII after transliteration: one spelling
// for each sound that romanisations write differently. Russian writes Latin
// and Arabic h as kh (Хорасан, Хамас), French writes sh as ch (Daech) and
// Russian writes j as dzh (Джалалабад); Latin and Arabic q is Russian k
// (Qaeda, Каида); Latin c is k before a, o, u and consonants and s before
// e, i, y (Crocus, Крокус; City, Сити); w is v (Peshawar, Пешавар). The
// order matters: the longer spellings are replaced first.
var fixupsAfter = strings.NewReplacer(
	"dzh", "j",
	"kh", "h",
	"sch", "sh",
	"ch", "sh",
	"ck", "k",
	"ce", "se", "ci", "si", "cy", "sy",
	"c", "k",
	"q", "k",
	"w", "v",
	"ph", "f",
)
