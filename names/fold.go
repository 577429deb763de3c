package names

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// folder is Fold's pipeline with each rule switchable, so that the tests can
// show what every rule contributes: a pair that matches under the full
// folder must stop matching when the rule that joins it is switched off.
// Only fullFolder is used outside the tests.
type folder struct {
	// marks removes nonspacing marks (accents, diacritics) on Latin, Greek,
	// Hebrew and script-neutral bases; Cyrillic and other scripts keep
	// theirs.
	marks bool
	// arabic applies the Arabic-script folding: Arabic marks, alef and
	// hamza forms, ta marbuta, alef maqsura, tatweel, the Persian, Urdu,
	// Pashto and Kurdish letter variants and Arabic-Indic digits.
	arabic bool
	// cyrillic folds ё into е.
	cyrillic bool
	// spaces turns punctuation and symbols into spaces, drops apostrophes
	// and invisible format characters, collapses runs of spaces and trims.
	spaces bool
}

// fullFolder is the folder behind Fold: every rule on.
var fullFolder = folder{marks: true, arabic: true, cyrillic: true, spaces: true}

// Fold returns the search form of a name: NFKC, Unicode case folding,
// accents and Arabic-script variants folded, punctuation as single spaces.
// Two spellings of one name that differ only in case, accents, Arabic
// hamza, vowel signs or letter variants, or punctuation fold to the same
// string. Fold is idempotent: Fold(Fold(s)) == Fold(s). The package
// documentation lists every rule.
func Fold(s string) string {
	return fullFolder.fold(s)
}

// fold applies the switched-on rules. NFKC and case folding always run:
// they are the baseline any folder starts from (see caseFold).
func (f folder) fold(s string) string {
	if isASCII(s) {
		return f.foldASCII(s)
	}
	return f.foldUnicode(s)
}

// foldUnicode is the general pipeline; fold takes it for any name with a
// byte outside ASCII.
func (f folder) foldUnicode(s string) string {
	s = caseFold(s)
	if !f.marks && !f.arabic && !f.cyrillic && !f.spaces {
		return norm.NFKC.String(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	var base rune         // the last rune that was not a mark
	baseKept := false     // base was written: its marks may be kept
	pendingSpace := false // a separator was seen since the last kept rune
	compose := false      // a mark or Hangul jamo was written: NFC is needed
	// NFKD, not NFD: case folding can undo NFKC (ΐ folds to a decomposed
	// sequence), and NFKD of the folded text is NFD of its NFKC.
	for _, r := range norm.NFKD.String(s) {
		if unicode.IsMark(r) {
			// A mark goes with its base: the marks of a dropped rune or
			// separator go too, or they would attach to another base when
			// the result is folded again. Spacing marks (Mc: Devanagari
			// vowel signs) are part of their letter and stay with it.
			if !baseKept || (!unicode.Is(unicode.Mc, r) && f.dropMark(base, r)) {
				continue
			}
			b.WriteRune(r)
			compose = true
			continue
		}
		base, baseKept = r, false
		if f.arabic {
			m, ok := arabicFold(r)
			if !ok {
				continue
			}
			r = m
		}
		if f.spaces {
			switch {
			case isApostrophe(r) || unicode.Is(unicode.Cf, r):
				continue
			case !unicode.IsLetter(r) && !unicode.IsNumber(r):
				pendingSpace = true
				continue
			}
			if pendingSpace && b.Len() > 0 {
				b.WriteByte(' ')
			}
			pendingSpace = false
		}
		b.WriteRune(r)
		baseKept = true
		if r >= 0x1100 && r <= 0x11FF {
			compose = true
		}
	}
	// Recompose the marks that were kept (Cyrillic й, Devanagari signs)
	// and Hangul syllables. The loop only removes marks and writes letters
	// that are already folded, so the result is NFKC and folding it again
	// changes nothing (FuzzFold checks both). Without marks or jamo there
	// is nothing to compose: every other canonical composition needs a
	// mark as its second part.
	if !compose {
		return b.String()
	}
	return norm.NFC.String(b.String())
}

// caseFold is NFKC, then full Unicode case folding with the Cherokee
// correction.
func caseFold(s string) string {
	return strings.Map(cherokeeFold, cases.Fold().String(norm.NFKC.String(s)))
}

// cherokeeFold corrects golang.org/x/text/cases Fold for Cherokee. Unicode
// folds Cherokee to its capital letters (CaseFolding.txt: U+AB70–U+ABBF to
// U+13A0–U+13EF, U+13F8–U+13FD to U+13F0–U+13F5), because the capitals were
// encoded first; x/text folds the capitals to the small letters and the
// small letters back, so folding twice would not give the same text.
func cherokeeFold(r rune) rune {
	switch {
	case r >= 0xAB70 && r <= 0xABBF:
		return r - 0xAB70 + 0x13A0
	case r >= 0x13F8 && r <= 0x13FD:
		return r - 8
	}
	return r
}

// foldASCII is fold for a name of ASCII bytes only, the common case at
// import: NFKC, NFD and the mark and Arabic rules change nothing there, and
// case folding is lower-casing. It must give what foldUnicode gives
// (FuzzFold checks both on every ASCII input).
func (f folder) foldASCII(s string) string {
	b := make([]byte, 0, len(s))
	pendingSpace := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if f.spaces {
			switch {
			case c == '\'' || c == '`':
				continue
			case !(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9'):
				pendingSpace = true
				continue
			}
			if pendingSpace && len(b) > 0 {
				b = append(b, ' ')
			}
			pendingSpace = false
		}
		b = append(b, c)
	}
	return string(b)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// dropMark reports whether the nonspacing mark r, attached to base, is
// removed.
func (f folder) dropMark(base, r rune) bool {
	switch {
	case isArabicMark(r) || unicode.Is(unicode.Arabic, base):
		// Harakat, tanwin, shadda, sukun, superscript alef, the hamza and
		// madda that NFD splits off أ إ آ ؤ ئ ۀ ۓ, and Quranic signs.
		return f.arabic
	case unicode.Is(unicode.Cyrillic, base):
		// ё is е with a diaeresis after NFD; й, ї, ў keep their marks:
		// they are letters of their own.
		return f.cyrillic && r == '\u0308' && base == 'е'
	case unicode.Is(unicode.Latin, base), unicode.Is(unicode.Greek, base),
		unicode.Is(unicode.Hebrew, base),
		unicode.Is(unicode.Common, base), unicode.Is(unicode.Inherited, base):
		return f.marks
	}
	// Other scripts (Devanagari, Thai, …) write vowels as marks: removing
	// them would merge different words.
	return false
}

// isArabicMark reports whether the mark r belongs to Arabic script whatever
// its base: honorific signs (U+0610–U+061A), harakat and tanwin
// (U+064B–U+065F), superscript alef (U+0670), Quranic annotation signs
// (U+06D6–U+06ED) and the Arabic Extended-A marks (U+08D3–U+08FF).
func isArabicMark(r rune) bool {
	return (r >= 0x064B && r <= 0x065F) || r == 0x0670 ||
		(r >= 0x06D6 && r <= 0x06ED) || (r >= 0x08D3 && r <= 0x08FF) ||
		(r >= 0x0610 && r <= 0x061A)
}

// arabicFold maps one Arabic-script letter to its folded form; ok is false
// when the rune is dropped.
func arabicFold(r rune) (m rune, ok bool) {
	switch r {
	case 'أ', 'إ', 'آ', 'ٱ', 'ٲ', 'ٳ':
		return 'ا', true
	case 'ؤ':
		return 'و', true
	case 'ئ', 'ى', 'ی', 'ې', 'ۍ', 'ێ', 'ے':
		// Hamza on yeh, alef maqsura, Persian/Urdu yeh, Pashto yehs, Urdu
		// yeh barree: all written ي in Arabic spellings of a name.
		return 'ي', true
	case 'ة', 'ۃ', 'ە', 'ہ', 'ھ':
		// Ta marbuta (Arabic, Urdu), Kurdish ae, Urdu heh goal and
		// do-chashmi heh.
		return 'ه', true
	case 'ک', 'ڪ':
		// Persian keheh, swash kaf.
		return 'ك', true
	case 'ګ':
		// Pashto gaf (kaf with ring) is the Persian and Urdu gaf.
		return 'گ', true
	case 'ء', 'ٴ', 'ـ':
		// Standalone hamza and high hamza are dropped, not kept: they are
		// the letters most often left out or written differently
		// (علاء/علا, هيئة/هيئه); tatweel is only a stretch of the line.
		return 0, false
	}
	switch {
	case r >= '٠' && r <= '٩': // Arabic-Indic digits U+0660–U+0669
		return '0' + (r - '٠'), true
	case r >= '۰' && r <= '۹': // Extended (Persian, Urdu) U+06F0–U+06F9
		return '0' + (r - '۰'), true
	}
	return r, true
}

// isApostrophe reports whether r is one of the apostrophes and modifier
// letters used inside transliterated words (Jama'at, Shari‘a, Daʿesh):
// they are dropped rather than turned into a space, so that the word stays
// one word.
func isApostrophe(r rune) bool {
	switch r {
	case '\'', '`', '´', '‘', '’', '‛', 'ʹ', 'ʻ', 'ʼ', 'ʽ', 'ʾ', 'ʿ', 'ˈ':
		return true
	}
	return false
}
