package incidentgraph

import "testing"

// TestDistance pins the edit distance the hints rank by: insertions, deletions, substitutions
// and a swap of two neighbouring letters each count one, in runes, not bytes. Optimal string
// alignment edits no substring twice, so "ca" is three edits from "abc" (full Damerau would
// say two).
func TestDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"a", "", 1},
		{"", "ab", 2},
		{"name", "name", 0},
		{"nmae", "name", 1}, // one swap
		{"ab", "ba", 1},
		{"abc", "acb", 1},
		{"abcd", "acbd", 1},
		{"abcd", "badc", 2}, // two swaps
		{"kitten", "sitting", 3},
		{"ca", "abc", 3},
		{"flaw", "lawn", 2},
		{"ёж", "еж", 1}, // runes: one substitution, though two bytes differ
		{"ИГИЛ", "ИГЛИ", 1},
		{"abc", "xyz", 3},
		{"a", "b", 1},
	} {
		if got := distance(c.a, c.b); got != c.want {
			t.Errorf("distance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
		if got := distance(c.b, c.a); got != c.want {
			t.Errorf("distance(%q, %q) = %d, want %d (it is symmetric)", c.b, c.a, got, c.want)
		}
	}
}

// TestClosest covers each way a candidate is chosen and the bounds between them. The far and
// short cases are the controls: a hint that named any candidate would fail them.
func TestClosest(t *testing.T) {
	for _, c := range []struct {
		name       string
		s          string
		candidates []string
		want       string
	}{
		{"no candidates", "name", nil, ""},
		{"case only", "PERPETRATED", []string{"PERPETRATOR", "perpetrated"}, "perpetrated"},
		{"one swap", "nmae", []string{"kind", "name"}, "name"},
		{"nearest wins", "confidense", []string{"confederate", "confidence"}, "confidence"},
		{"a tie keeps the first", "cat", []string{"bat", "cut"}, "bat"},
		{"within a third of its length", "abcdef", []string{"abcdXY"}, "abcdXY"},
		{"beyond a third of its length", "abcdef", []string{"abXYZf"}, ""},
		{"one edit even when short", "ab", []string{"xb"}, "xb"},
		{"two edits when short", "ab", []string{"xy"}, ""},
		{"far", "located", []string{"perpetrated", "claimed"}, ""},
		{"contained, four letters", "kabu", []string{"zzzzzzzzzz", "Hamid Karzai kabul airport"}, "Hamid Karzai kabul airport"},
		{"contained, three letters is too short", "kab", []string{"Hamid Karzai kabul airport"}, ""},
		{"contained ignoring case", "KABUL", []string{"Hamid Karzai Kabul Airport"}, "Hamid Karzai Kabul Airport"},
	} {
		if got := Closest(c.s, c.candidates); got != c.want {
			t.Errorf("%s: Closest(%q, %q) = %q, want %q", c.name, c.s, c.candidates, got, c.want)
		}
	}
}

// TestDidYouMean checks the hint's wording, and that no hint is given when nothing is close.
func TestDidYouMean(t *testing.T) {
	if got, want := DidYouMean("nmae", []string{"name"}), " (did you mean name?)"; got != want {
		t.Errorf("DidYouMean = %q, want %q", got, want)
	}
	if got := DidYouMean("located", []string{"perpetrated"}); got != "" {
		t.Errorf("DidYouMean with nothing close = %q, want no hint", got)
	}
}
