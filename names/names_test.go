package names

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// foldGroups are spellings of one name that Fold must bring to one string.
// rule names the folder rule that joins the group (see TestFoldRulesAreNeeded):
// "" for groups that NFKC and case folding alone already join.
var foldGroups = []struct {
	name  string
	rule  string
	forms []string
}{
	// Islamic State.
	{"Islamic State, case", "", []string{"Islamic State", "ISLAMIC STATE", "islamic state"}},
	{"État islamique", "marks", []string{"État islamique", "Etat islamique", "ÉTAT ISLAMIQUE", "etat islamique"}},
	{"État islamique, punctuation", "spaces", []string{"État islamique", "État-islamique", "  État   islamique. ", "«État islamique»"}},
	{"Daech, case", "", []string{"Daech", "DAECH", "daech"}},
	{"Da'esh apostrophes", "spaces", []string{"Daesh", "Da'esh", "Da’esh", "Daʿesh"}},
	{"داعش harakat, tatweel", "arabic", []string{"داعش", "دَاعِش", "داعـش", "دَاعِـشْ"}},
	{"داعش presentation forms", "", []string{"داعش", "ﺩﺍﻋﺶ"}},
	{"الدولة الإسلامية hamza, ta marbuta, harakat", "arabic", []string{
		"الدولة الإسلامية",
		"الدولة الاسلامية", // no hamza
		"الدوله الاسلاميه", // ha for ta marbuta
		"الدَّوْلَةُ الإِسْلَامِيَّةُ",
		"ٱلدولة ٱلإسلامية", // alef wasla
		"الدولـة الإسلاميـة",
		"الدولة الإسلاميّة",
	}},
	{"Исламское государство, case and spaces", "spaces", []string{"Исламское государство", "ИСЛАМСКОЕ ГОСУДАРСТВО", "исламское  государство", "«Исламское государство»"}},
	{"ИГИЛ", "", []string{"ИГИЛ", "игил", "Игил"}},
	{"ИГ", "", []string{"ИГ", "иг"}},
	// Crocus City Hall.
	{"Crocus City Hall", "", []string{"Crocus City Hall", "CROCUS CITY HALL", "crocus city hall"}},
	{"Крокус Сити Холл", "", []string{"Крокус Сити Холл", "Крокус Сити холл", "КРОКУС СИТИ ХОЛЛ"}},
	{"Крокус Сити Холл, quotes", "spaces", []string{"Крокус Сити Холл", "«Крокус Сити Холл»", "„Крокус Сити Холл“", "Крокус-Сити-Холл"}},
	// Places.
	{"Kabul", "", []string{"Kabul", "KABUL"}},
	{"كابل, Persian keheh", "arabic", []string{"كابل", "کابل", "كابُل", "کابُل"}},
	{"Moscow", "", []string{"Moscow", "MOSCOW"}},
	{"Москва", "", []string{"Москва", "МОСКВА", "москва"}},
	{"Manchester Arena", "spaces", []string{"Manchester Arena", "Manchester  Arena", "MANCHESTER-ARENA"}},
	{"Bataclan", "", []string{"Bataclan", "BATACLAN", "bataclan"}},
	{"Хорасан", "", []string{"Хорасан", "ХОРАСАН"}},
	{"خراسان", "arabic", []string{"خراسان", "خُراسان", "خراسـان"}},
	{"Талибан", "", []string{"Талибан", "талибан"}},
	{"طالبان", "arabic", []string{"طالبان", "طالِبان", "طالبـان"}},
	{"تحریک طالبان پاکستان, Persian and Urdu letters", "arabic", []string{"تحریک طالبان پاکستان", "تحريك طالبان پاكستان"}},
	{"هيئة تحرير الشام, hamza on yeh", "arabic", []string{"هيئة تحرير الشام", "هيئه تحرير الشام", "هييه تحرير الشام"}},
	{"alef maqsura", "arabic", []string{"موسى", "موسي", "موسی"}},
	{"hamza on waw", "arabic", []string{"مؤسسة", "موسسه"}},
	{"standalone hamza dropped", "arabic", []string{"أبو علاء", "ابو علا"}},
	{"Nangarhar, Pashto and Persian gaf", "arabic", []string{"ننګرهار", "ننگرهار"}},
	{"Urdu heh", "arabic", []string{"ہلمند", "هلمند", "ھلمند"}},
	{"Kurdish ae", "arabic", []string{"کۆبانە", "کۆبانه"}},
	{"Arabic-Indic digits", "arabic", []string{"هجوم 2015", "هجوم ٢٠١٥", "هجوم ۲۰۱۵"}},
	{"Persian zero-width non-joiner", "spaces", []string{"جلال‌آباد", "جلالآباد"}},
	{"ё", "cyrillic", []string{"Королёв", "Королев", "КОРОЛЁВ", "королев"}},
	{"Latin accents", "marks", []string{"Kraków", "Krakow", "KRAKÓW"}},
	{"dotted capital I", "marks", []string{"İstanbul", "istanbul"}},
	{"sharp s", "", []string{"Straße", "STRASSE", "strasse"}},
	{"fullwidth", "", []string{"ＩＳＩＳ", "ISIS", "isis"}},
	{"Cherokee folds to capitals", "", []string{"ᏣᎳᎩ", "ꮳꮃꭹ"}},
}

// foldApart are pairs Fold must keep different: different names, and
// letters that Fold deliberately keeps.
var foldApart = []struct{ a, b, why string }{
	{"Kabul", "Kandahar", "different cities"},
	{"Paris", "Parish", "different words"},
	{"Niger", "Nigeria", "different countries"},
	{"Gaza", "Giza", "different cities"},
	{"Mosul", "Moscow", "different cities"},
	{"كابل", "قندهار", "Kabul and Kandahar in Arabic script"},
	{"غزة", "عزة", "ghayn and ʿayn are different letters"},
	{"حماة", "حماس", "Hama and Hamas"},
	{"حمص", "خمص", "ha and kha are different letters"},
	{"پاکستان", "باكستان", "pe is kept apart from beh"},
	{"мой", "мои", "й keeps its breve: a letter of its own"},
	{"Київ", "Киів", "ї keeps its diaeresis"},
	{"हिन्दी", "हन्द", "Devanagari vowel signs stay"},
	{"Łódź", "Lodz", "ł has no decomposition: Key joins these, Fold does not"},
	{"جلال آباد", "جلالآباد", "a space is not a zero-width non-joiner"},
}

func TestFoldGroups(t *testing.T) {
	for _, g := range foldGroups {
		t.Run(g.name, func(t *testing.T) {
			want := Fold(g.forms[0])
			if want == "" {
				t.Fatalf("Fold(%q) is empty", g.forms[0])
			}
			for _, f := range g.forms[1:] {
				if got := Fold(f); got != want {
					t.Errorf("Fold(%q) = %q, Fold(%q) = %q: want equal", f, got, g.forms[0], want)
				}
			}
		})
	}
}

func TestFoldExamples(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"ИГИЛ", "игил"},
		{"Исламское государство", "исламское государство"},
		{"داعش", "داعش"},
		{"الدولة الإسلامية", "الدوله الاسلاميه"},
		{"État islamique", "etat islamique"},
		{"Крокус Сити Холл", "крокус сити холл"},
		{"Tehrik-i-Taliban Pakistan (TTP)", "tehrik i taliban pakistan ttp"},
		{"  Jama'at-ul-Ahrar,  ", "jamaat ul ahrar"},
		{"!!!", ""},
		{"", ""},
	} {
		if got := Fold(tc.in); got != tc.want {
			t.Errorf("Fold(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestFoldApart(t *testing.T) {
	for _, p := range foldApart {
		if Fold(p.a) == Fold(p.b) {
			t.Errorf("Fold(%q) == Fold(%q) == %q: want different (%s)", p.a, p.b, Fold(p.a), p.why)
		}
	}
}

// TestFoldRulesAreNeeded is the control for TestFoldGroups: every group
// that names a rule must fall apart when Fold runs without that rule, and
// every group must fall apart under the baseline folder (NFKC and case
// folding only) unless it names no rule. So the Arabic groups match
// because of the Arabic folding, not by accident of the data.
func TestFoldRulesAreNeeded(t *testing.T) {
	without := map[string]folder{
		"marks":    {arabic: true, cyrillic: true, spaces: true},
		"arabic":   {marks: true, cyrillic: true, spaces: true},
		"cyrillic": {marks: true, arabic: true, spaces: true},
		"spaces":   {marks: true, arabic: true, cyrillic: true},
	}
	baseline := folder{}
	for _, g := range foldGroups {
		if g.rule == "" {
			continue
		}
		weaker, ok := without[g.rule]
		if !ok {
			t.Fatalf("group %q names unknown rule %q", g.name, g.rule)
		}
		for name, f := range map[string]folder{"without " + g.rule: weaker, "baseline": baseline} {
			if allEqual(f.fold, g.forms) {
				t.Errorf("group %q still matches %s: the %s rule is not what joins it", g.name, name, g.rule)
			}
		}
	}
}

// TestArabicVariantsNeedArabicFolding runs the Arabic spelling variants
// through the baseline folder (NFKC and case folding only) pair by pair and
// asserts that no pair matches there, while every pair matches under Fold.
func TestArabicVariantsNeedArabicFolding(t *testing.T) {
	pairs := [][2]string{
		{"الدولة الإسلامية", "الدولة الاسلامية"}, // hamza below
		{"أبو", "ابو"},              // hamza above
		{"آمرلي", "امرلي"},          // madda
		{"ٱلدولة", "الدولة"},        // alef wasla
		{"الدولة", "الدوله"},        // ta marbuta
		{"موسى", "موسي"},            // alef maqsura
		{"مؤسسة", "موسسة"},          // hamza on waw
		{"هيئة", "هييه"},            // hamza on yeh
		{"علاء", "علا"},             // standalone hamza
		{"داعـش", "داعش"},           // tatweel
		{"دَاعِش", "داعش"},          // harakat
		{"الإسلاميّة", "الإسلامية"}, // shadda
		{"رحمٰن", "رحمن"},           // superscript alef
		{"کابل", "كابل"},            // Persian keheh
		{"تحریک", "تحريك"},          // Persian yeh and keheh
		{"ہلمند", "هلمند"},          // Urdu heh goal
		{"ننګرهار", "ننگرهار"},      // Pashto gaf
		{"٢٠١٥", "2015"},            // Arabic-Indic digits
	}
	weak := folder{}
	noArabic := folder{marks: true, cyrillic: true, spaces: true}
	for _, p := range pairs {
		if Fold(p[0]) != Fold(p[1]) {
			t.Errorf("Fold(%q) = %q, Fold(%q) = %q: want equal", p[0], Fold(p[0]), p[1], Fold(p[1]))
		}
		if weak.fold(p[0]) == weak.fold(p[1]) {
			t.Errorf("baseline folder joins %q and %q: the pair does not test the Arabic folding", p[0], p[1])
		}
		if noArabic.fold(p[0]) == noArabic.fold(p[1]) {
			t.Errorf("Fold without its Arabic rules joins %q and %q", p[0], p[1])
		}
	}
}

func allEqual(fold func(string) string, forms []string) bool {
	want := fold(forms[0])
	for _, f := range forms[1:] {
		if fold(f) != want {
			return false
		}
	}
	return true
}

// keyMeet are transliterations that Key must bring together. required marks
// the pairs Key is built for; the others are measured (TestKeyRulesMeasured)
// and asserted for the chosen rules too.
var keyMeet = []struct {
	a, b     string
	required bool
}{
	{"Daesh", "داعش", true},
	{"Daech", "داعش", true},
	{"Daech", "Daesh", true},
	{"Da'esh", "Daesh", true},
	{"ДАИШ", "Daesh", true},
	{"Krokus", "Крокус", true},
	{"Krokus City Hall", "Крокус Сити Холл", true},
	{"Crocus City Hall", "Крокус Сити Холл", false},
	{"Crocus City Hall", "Крокус Сити холл", false},
	{"Kabul", "Кабул", true},
	{"Kabul", "كابل", true},
	{"Kabul", "کابل", true},
	{"Moskva", "Москва", true},
	{"Moscow", "Москва", false},
	{"Manchester", "Манчестер", true},
	{"Bataclan", "Батаклан", false},
	{"Khorasan", "Хорасан", true},
	{"Khorasan", "خراسان", true},
	{"Khurasan", "خراسان", false},
	{"Taliban", "Талибан", true},
	{"Taliban", "طالبان", true},
	{"Talibaan", "Taliban", false},
	{"Tehrik-i-Taliban Pakistan", "تحریک طالبان پاکستان", false},
	{"Tehreek-e-Taliban Pakistan", "Tehrik-i-Taliban Pakistan", false},
	{"Hamas", "حماس", false},
	{"Hamas", "Хамас", false},
	{"al-Qaeda", "Аль-Каида", false},
	{"al-Qaida", "al-Qaeda", false},
	{"Hezbollah", "حزب الله", false},
	{"Boko Haram", "Боко Харам", false},
	{"Mosul", "Мосул", false},
	{"Kandahar", "قندهار", false},
	{"Nangarhar", "ننگرهار", false},
	{"Nangarhar", "ننګرهار", false},
	{"Peshawar", "پشاور", false},
	{"Peshawar", "Пешавар", false},
	{"Jalalabad", "Джалалабад", false},
	{"Jalalabad", "جلال‌آباد", false},
	{"Raqqa", "Ракка", false},
	{"Kunduz", "Кундуз", false},
	{"Helmand", "هلمند", false},
}

// keyMisses are transliterations that the chosen Key does not join: a
// vowel at the start of the name written differently (Osama, Усама, أسامة),
// the Arabic article (al-Raqqa, الرقة) and ta marbuta, Arabic long vowels
// written as و and ي, Russian Г for h (Кандагар). They count in the
// measurement as pairs to join and are pinned, with the documentation, by
// TestKeyLimits.
var keyMisses = []struct{ a, b string }{
	{"Osama bin Laden", "Усама бен Ладен"},
	{"Usama bin Laden", "أسامة بن لادن"},
	{"Abu Bakr al-Baghdadi", "أبو بكر البغدادي"},
	{"Raqqa", "الرقة"},
	{"Kandahar", "Кандагар"},
}

// keyApart are different names that Key must keep apart.
var keyApart = []struct{ a, b string }{
	{"Kabul", "Kandahar"},
	{"كابل", "قندهار"},
	{"Paris", "Parish"},
	{"Moscow", "Mosul"},
	{"Москва", "Мосул"},
	{"Iraq", "Iran"},
	{"Khorasan", "Khartoum"},
	{"Hamas", "Hama"},
	{"حماس", "حماة"},
	{"Daesh", "Dushanbe"},
	{"Manchester", "Manhattan"},
	{"Bataclan", "Batman"},
	{"Taliban", "Tablighi"},
	{"Mali", "Malawi"},
	{"Oman", "Amman"},
	{"Iran", "Oran"},
	{"Yemen", "Oman"},
	{"Istanbul", "Islamabad"},
	{"Crocus City Hall", "Caracas"},
	{"Aden", "Eden"},
	{"Idlib", "Adlib"},
}

// keyCollisions are different names that the chosen Key joins: the price
// of dropping vowels, listed in the package documentation. They are
// measured with keyApart and pinned so that the documentation stays true.
var keyCollisions = []struct{ a, b string }{
	{"Gaza", "Giza"},
	{"Niger", "Nigeria"},
	{"Krokus", "Caracas"},
	{"Kabul", "Kabil"},
	{"Sudan", "Sedan"},
}

// keyAliases are names of one entity that are translations or acronyms,
// not transliterations: Key does not join them and is not meant to; a
// search reaches them through stored aliases. Pinned for the documentation.
var keyAliases = []struct{ a, b string }{
	{"ISIS", "ИГИЛ"},
	{"Islamic State", "Исламское государство"},
	{"Islamic State", "الدولة الإسلامية"},
	{"Islamic State", "État islamique"},
	{"Daesh", "ISIL"},
	{"Pakistan", "باكستان"},
}

func TestKeyMeets(t *testing.T) {
	for _, p := range keyMeet {
		if ka, kb := Key(p.a), Key(p.b); ka != kb {
			t.Errorf("Key(%q) = %q, Key(%q) = %q: want equal", p.a, ka, p.b, kb)
		}
	}
}

func TestKeyApart(t *testing.T) {
	for _, p := range keyApart {
		if ka, kb := Key(p.a), Key(p.b); ka == kb {
			t.Errorf("Key(%q) == Key(%q) == %q: want different", p.a, p.b, ka)
		}
	}
}

// TestKeyLimits pins what the package documentation says Key cannot do:
// these pairs share a key although they are different names, or differ
// although they are one entity.
func TestKeyLimits(t *testing.T) {
	for _, p := range keyCollisions {
		if Key(p.a) != Key(p.b) {
			t.Errorf("Key(%q) = %q, Key(%q) = %q: the documented collision is gone, update doc.go", p.a, Key(p.a), p.b, Key(p.b))
		}
		if Fold(p.a) == Fold(p.b) {
			t.Errorf("Fold(%q) == Fold(%q): a search can no longer tell them apart by the folded form", p.a, p.b)
		}
	}
	for _, p := range append(slices.Clone(keyAliases), keyMisses...) {
		if Key(p.a) == Key(p.b) {
			t.Errorf("Key(%q) == Key(%q) == %q: the documented limit is gone, update doc.go", p.a, p.b, Key(p.a))
		}
	}
}

func TestKeyExamples(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Daesh", "dsh"},
		{"داعش", "dsh"},
		{"Крокус", "krks"},
		{"Kabul", "kbl"},
		{"Khorasan", "hrsn"},
		{"!!!", ""},
		{"", ""},
	} {
		if got := Key(tc.in); got != tc.want {
			t.Errorf("Key(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// score counts the keyMeet pairs a squeeze joins and the keyApart and
// keyCollisions pairs it keeps apart.
func (k keyRules) score() (meet, required, apart int) {
	for _, p := range keyMeet {
		if k.key(p.a) == k.key(p.b) {
			meet++
			if p.required {
				required++
			}
		}
	}
	for _, p := range keyMisses {
		if k.key(p.a) == k.key(p.b) {
			meet++
		}
	}
	for _, p := range append(slices.Clone(keyApart), keyCollisions...) {
		if k.key(p.a) != k.key(p.b) {
			apart++
		}
	}
	return meet, required, apart
}

// TestKeyRulesMeasured measures every squeeze Key could use on the same
// lists and asserts that the chosen one joins every required pair and has
// the best total (pairs joined plus pairs kept apart). The alternatives
// are the controls: keeping vowels or dropping the fix-ups loses required
// pairs, which the test also asserts, so the fix-ups and the vowel rule
// are shown to be needed. Run with -v to see the table.
func TestKeyRulesMeasured(t *testing.T) {
	requiredTotal := 0
	for _, p := range keyMeet {
		if p.required {
			requiredTotal++
		}
	}
	apartTotal := len(keyApart) + len(keyCollisions)
	modes := map[vowelMode]string{keepVowels: "keep vowels", dropVowelsInWord: "drop vowels, keep word-initial", dropVowelsInString: "drop vowels, keep key-initial", dropAllVowels: "drop all vowels"}
	best, chosen := -1, -1
	var table strings.Builder
	for _, mode := range []vowelMode{keepVowels, dropVowelsInWord, dropVowelsInString, dropAllVowels} {
		for _, y := range []bool{false, true} {
			for _, fix := range []bool{false, true} {
				k := keyRules{vowels: mode, yVowel: y, fixups: fix}
				meet, required, apart := k.score()
				total := meet + apart
				fmt.Fprintf(&table, "%-32s y-vowel=%-5v fixups=%-5v join %2d/%d (required %2d/%d) apart %2d/%d total %2d\n",
					modes[mode], y, fix, meet, len(keyMeet)+len(keyMisses), required, requiredTotal, apart, apartTotal, total)
				if required == requiredTotal && total > best {
					best = total
				}
				if k == keyRulesChosen {
					chosen = total
					if required != requiredTotal {
						t.Errorf("chosen rules join %d of %d required pairs", required, requiredTotal)
					}
				}
				if (mode == keepVowels || !fix || !y) && required == requiredTotal {
					t.Errorf("%s, y-vowel=%v, fixups=%v joins every required pair: the control no longer shows the chosen rules are needed", modes[mode], y, fix)
				}
			}
		}
	}
	t.Logf("squeezes measured on %d pairs to join and %d to keep apart:\n%s", len(keyMeet)+len(keyMisses), apartTotal, table.String())
	if chosen != best {
		t.Errorf("chosen rules score %d, the best squeeze that joins every required pair scores %d", chosen, best)
	}
}

func TestKeyOfFold(t *testing.T) {
	for _, g := range foldGroups {
		for _, f := range g.forms {
			if Key(Fold(f)) != Key(f) {
				t.Errorf("Key(Fold(%q)) = %q, Key(%q) = %q", f, Key(Fold(f)), f, Key(f))
			}
		}
	}
}

func TestStripAcronym(t *testing.T) {
	for _, tc := range []struct{ in, base, acronym string }{
		{"Tehrik-i-Taliban Pakistan (TTP)", "Tehrik-i-Taliban Pakistan", "TTP"},
		{"Islamic State of Iraq and the Levant (ISIL)", "Islamic State of Iraq and the Levant", "ISIL"},
		{"Islamic State – Khorasan Province (ISIS-K)", "Islamic State – Khorasan Province", "ISIS-K"},
		{"Islamic State West Africa Province (ISWAP) ", "Islamic State West Africa Province", "ISWAP"},
		{"Исламское государство Ирака и Леванта (ИГИЛ)", "Исламское государство Ирака и Леванта", "ИГИЛ"},
		{"الدولة الإسلامية في العراق والشام (داعش)", "الدولة الإسلامية في العراق والشام", "داعش"},
		{"Tehrik-i-Taliban Pakistan ( TTP )", "Tehrik-i-Taliban Pakistan", "TTP"},
		// Not acronyms: the name comes back whole.
		{"Tehrik-i-Taliban Pakistan", "Tehrik-i-Taliban Pakistan", ""},
		{"Harakat al-Shabaab (al-Shabaab)", "Harakat al-Shabaab (al-Shabaab)", ""},
		{"Paris attacks (2015)", "Paris attacks (2015)", ""},
		{"Kabul airport bombing (Kabul)", "Kabul airport bombing (Kabul)", ""},
		{"Islamic State (IS K)", "Islamic State (IS K)", ""},
		{"Group (A)", "Group (A)", ""},
		{"Group (ABCDEFGHIJK)", "Group (ABCDEFGHIJK)", ""},
		{"(TTP)", "(TTP)", ""},
		{"TTP)", "TTP)", ""},
		{"", "", ""},
	} {
		base, acronym := StripAcronym(tc.in)
		if base != tc.base || acronym != tc.acronym {
			t.Errorf("StripAcronym(%q) = %q, %q; want %q, %q", tc.in, base, acronym, tc.base, tc.acronym)
		}
	}
}

func TestKeys(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"Tehrik-i-Taliban Pakistan (TTP)", []string{
			"tehrik i taliban pakistan ttp", "thrktlbnpkstntp",
			"tehrik i taliban pakistan", "thrktlbnpkstn", "ttp"}},
		{"Крокус Сити Холл", []string{"крокус сити холл", "krksthl"}},
		{"الدولة الإسلامية في العراق والشام (داعش)", []string{
			"الدوله الاسلاميه في العراق والشام داعش", Key("الدولة الإسلامية في العراق والشام (داعش)"),
			"الدوله الاسلاميه في العراق والشام", Key("الدولة الإسلامية في العراق والشام"), "داعش"}},
		{"daesh", []string{"daesh", "dsh"}},
		{"dsh", []string{"dsh"}}, // folded form and key coincide: stored once
		{"!!!", []string{}},
	} {
		got := Keys(tc.in)
		if !slices.Equal(got, tc.want) {
			t.Errorf("Keys(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if again := Keys(tc.in); !slices.Equal(again, got) {
			t.Errorf("Keys(%q) is not deterministic: %q then %q", tc.in, got, again)
		}
	}
}

// The searches that found nothing before: each query, through Keys, must
// share a key with the stored name it means.
func TestKeysReachStoredNames(t *testing.T) {
	for _, tc := range []struct{ query, stored string }{
		{"ИГИЛ", "Исламское государство Ирака и Леванта (ИГИЛ)"},
		{"Исламское государство", "исламское государство"},
		{"داعش", "الدولة الإسلامية في العراق والشام (داعش)"},
		{"الدولة الإسلامية", "الدولة الاسلامية"},
		{"État islamique", "Etat islamique"},
		{"Крокус Сити Холл", "Krokus City Hall"},
		{"Daech", "Daesh"},
		{"داعش", "Daesh"},
		{"Крокус Сити Холл", "Crocus City Hall"},
		{"TTP", "Tehrik-i-Taliban Pakistan (TTP)"},
		{"Tehrik-i-Taliban Pakistan", "Tehrik-i-Taliban Pakistan (TTP)"},
	} {
		if !shareKey(tc.query, tc.stored) {
			t.Errorf("Keys(%q) = %q and Keys(%q) = %q share nothing", tc.query, Keys(tc.query), tc.stored, Keys(tc.stored))
		}
	}
	// Control: the same harness rejects pairs that are different names.
	for _, p := range [][2]string{{"ИГИЛ", "Исламское государство"}, {"Kabul", "Kandahar (KDH)"}} {
		if shareKey(p[0], p[1]) {
			t.Errorf("Keys(%q) and Keys(%q) share a key: want none", p[0], p[1])
		}
	}
}

func shareKey(query, stored string) bool {
	have := Keys(stored)
	for _, k := range Keys(query) {
		if slices.Contains(have, k) {
			return true
		}
	}
	return false
}

var fuzzSeeds = []string{
	"Tehrik-i-Taliban Pakistan (TTP)", "الدَّوْلَةُ الإِسْلَامِيَّةُ", "Крокус Сити Холл", "Королёв",
	"ﺩﺍﻋﺶ", "İstanbul", "Straße", "ＩＳＩＳ", "हिन्दी", "جلال‌آباد", "a ि b", "'\u0301", "\xff\xfe",
	"ǅ", "ΐ", "ﬀ", "\u0345", "ᾳ", "ß\u0301", "«»", "٢٠١٥",
}

func FuzzFold(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	for _, g := range foldGroups {
		for _, s := range g.forms {
			f.Add(s)
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, problem := range foldProblems(Fold, Key, s) {
			t.Error(problem)
		}
		if isASCII(s) {
			if slow := fullFolder.foldUnicode(s); slow != Fold(s) {
				t.Errorf("ASCII path folds %q to %q, the general path to %q", s, Fold(s), slow)
			}
		}
		for _, key := range Keys(s) {
			if key == "" {
				t.Errorf("Keys(%q) holds an empty key", s)
			}
		}
	})
}

// foldProblems checks the properties FuzzFold asks of a folder and a key
// function on one input, and describes each one that fails.
func foldProblems(fold, key func(string) string, s string) []string {
	var problems []string
	once := fold(s)
	if twice := fold(once); twice != once {
		problems = append(problems, fmt.Sprintf("fold is not idempotent on %q: %q then %q", s, once, twice))
	}
	if !norm.NFKC.IsNormalString(once) {
		problems = append(problems, fmt.Sprintf("fold(%q) = %q is not NFKC", s, once))
	}
	if key(once) != key(s) {
		problems = append(problems, fmt.Sprintf("key(fold(%q)) = %q, key(%q) = %q", s, key(once), s, key(s)))
	}
	if strings.HasPrefix(once, " ") || strings.HasSuffix(once, " ") || strings.Contains(once, "  ") {
		problems = append(problems, fmt.Sprintf("fold(%q) = %q: untrimmed or doubled spaces", s, once))
	}
	k := key(s)
	for i := 0; i < len(k); i++ {
		if c := k[i]; !(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9') {
			problems = append(problems, fmt.Sprintf("key(%q) = %q: byte %q is not a lower-case ASCII letter or digit", s, k, c))
			break
		}
	}
	return problems
}

// TestFoldProblemsCatchesBrokenFolders is the control for FuzzFold: the
// same checks reject folders and keys that break each property.
func TestFoldProblemsCatchesBrokenFolders(t *testing.T) {
	rawCaseFold := func(s string) string { return cases.Fold().String(s) } // Cherokee flips case on every fold
	lowerKey := strings.ToLower                                            // does not fold, keeps non-ASCII
	untrimmed := func(s string) string { return " " + Fold(s) }
	decomposed := func(s string) string { return norm.NFD.String(Fold(s)) }
	for _, tc := range []struct {
		name      string
		fold, key func(string) string
		in        string
	}{
		{"x/text case folding alone", rawCaseFold, Key, "ᏣᎳᎩ"},
		{"key that does not fold", Fold, lowerKey, "État"},
		{"untrimmed fold", untrimmed, Key, "Kabul"},
		{"fold that leaves й decomposed", decomposed, Key, "Мой"},
	} {
		if len(foldProblems(tc.fold, tc.key, tc.in)) == 0 {
			t.Errorf("%s on %q: no problem found", tc.name, tc.in)
		}
	}
	for _, s := range fuzzSeeds {
		if problems := foldProblems(Fold, Key, s); len(problems) > 0 {
			t.Errorf("Fold and Key on %q: %v", s, problems)
		}
	}
}

var benchNames = []string{
	"Tehrik-i-Taliban Pakistan (TTP)",
	"الدولة الإسلامية في العراق والشام",
	"Исламское государство Ирака и Леванта",
}

func BenchmarkFold(b *testing.B) {
	for _, name := range benchNames {
		b.Run(benchLabel(name), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Fold(name)
			}
		})
	}
}

func BenchmarkKey(b *testing.B) {
	for _, name := range benchNames {
		b.Run(benchLabel(name), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Key(name)
			}
		})
	}
}

func BenchmarkKeys(b *testing.B) {
	name := benchNames[0]
	b.ReportAllocs()
	for b.Loop() {
		Keys(name)
	}
}

func benchLabel(name string) string {
	switch {
	case strings.ContainsRune(name, 'ل'):
		return "arabic"
	case strings.ContainsRune(name, 'И'):
		return "cyrillic"
	}
	return "latin"
}
