package names

import "testing"

func TestMatch(t *testing.T) {
	cases := []struct {
		text, name string
		want       MatchKind
	}{
		{"ИГИЛ", "ИГИЛ", Exact},
		{"игил", "ИГИЛ", Exact},
		{"Etat islamique", "État islamique", Folded},
		{"الدولة الاسلامية", "الدولة الإسلامية", Folded},
		{"الدوله الإسلاميه", "الدولة الإسلامية", Folded},
		{"ttp", "Tehrik-i-Taliban Pakistan (TTP)", Folded},
		{"Daech", "Daesh", Transliterated},
		{"داعش", "Daesh", Transliterated},
		{"Крокус", "Crocus City Hall", Word},
		{"Islamic", "Islamic State", Word},
		{"isla sta", "Islamic State", Word},
		// Keys drop vowels and doubled letters: a typo there still meets the key.
		{"Исламское госудрство", "Исламское государство", Transliterated},
		{"Khorassan", "Islamic State Khorasan Province", Word},
		// س for ش: the key "ds" is the start of the key "dsh" of داعش.
		{"داعس", "داعش", Word},
		{"Исламское госудаство", "Исламское государство", Typo},
		{"الدولة الإسلامبة", "الدولة الإسلامية", Typo},
		{"Bataklan", "Bataclan", Transliterated},
		{"Batacmam", "Bataclan", NoMatch},
		{"Taliban", "Islamic State", NoMatch},
		{"isk", "Islamic State", NoMatch}, // a short word is allowed no edit
		{"", "Islamic State", NoMatch},
	}
	for _, c := range cases {
		if got := Match(c.text, c.name); got != c.want {
			t.Errorf("Match(%q, %q) = %s, want %s", c.text, c.name, got, c.want)
		}
	}
}

func TestBest(t *testing.T) {
	names := []string{"Islamic State", "ISIS", "Daesh", "داعش", "Daech"}
	if i, k := Best("Daech", names); i != 4 || k != Exact {
		t.Errorf("Best(Daech) = %d %s, want the alias Daech, exact", i, k)
	}
	if i, k := Best("داعش", names); i != 3 || k != Exact {
		t.Errorf("Best(داعش) = %d %s, want the Arabic alias, exact", i, k)
	}
	if i, k := Best("Da'esh", names); i != 2 || k != Folded {
		t.Errorf("Best(Da'esh) = %d %s, want Daesh, folded", i, k)
	}
	if i, k := Best("Taliban", names); i != -1 || k != NoMatch {
		t.Errorf("Best(Taliban) = %d %s, want none", i, k)
	}
}

func TestWithinOneEdit(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"abcd", "abcd", true}, {"abcd", "abxd", true}, {"abcd", "abd", true}, {"abcd", "abcde", true},
		{"abcd", "bacd", true}, {"abcd", "badc", false}, {"abcd", "ab", false}, {"abcd", "xbcy", false},
	} {
		if got := withinOneEdit(c.a, c.b); got != c.want {
			t.Errorf("withinOneEdit(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}
