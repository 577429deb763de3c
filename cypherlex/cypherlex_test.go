package cypherlex_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/incidentgraph/incidentgraph/cypherlex"
)

func texts(toks []cypherlex.Token) []string {
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = t.Text
	}
	return out
}

func TestLexDropsCommentsAndKeepsStringsWhole(t *testing.T) {
	for _, tc := range []struct {
		q    string
		want []string
	}{
		{"MATCH (n) RETURN n", []string{"MATCH", "(", "n", ")", "RETURN", "n"}},
		{"RETURN 1 // DETACH DELETE n", []string{"RETURN", "1"}},
		{"RETURN 1 /* DELETE */ + 2", []string{"RETURN", "1", "+", "2"}},
		{"RETURN 'a // not a comment' AS x", []string{"RETURN", "'a // not a comment'", "AS", "x"}},
		{`RETURN "it\"s" AS x`, []string{"RETURN", `"it\"s"`, "AS", "x"}},
		{"RETURN 1 AS `odd``name`", []string{"RETURN", "1", "AS", "odd`name"}},
		// A line comment ends at any line break: what follows is code, not comment.
		{"RETURN 1 // c\rDELETE n", []string{"RETURN", "1", "DELETE", "n"}},
		{"RETURN 1.5e3", []string{"RETURN", "1.5e3"}},
	} {
		toks, err := cypherlex.Lex(tc.q)
		if err != nil {
			t.Errorf("%q: %v", tc.q, err)
			continue
		}
		if got := texts(toks); !slices.Equal(got, tc.want) {
			t.Errorf("%q: tokens %q, want %q", tc.q, got, tc.want)
		}
	}
}

func TestLexRefusesWhatCouldDisguiseAKeyword(t *testing.T) {
	for _, tc := range []struct {
		q       string
		refused bool
	}{
		{"ＣＲＥＡＴＥ (n)", true},          // fullwidth letters
		{"DE\u200dLETE n", true},      // a zero-width joiner inside a keyword
		{"RETURN 1\x00", true},        // a control character
		{"RETURN 'open", false},       // not well formed: a client's mistake
		{"RETURN 1 /* open", false},   //
		{"RETURN 1 AS `open", false},  //
		{"RETURN 'ｆｕｌｌ' AS x", false}, // inside a string it is text: no error at all
	} {
		_, err := cypherlex.Lex(tc.q)
		var lerr *cypherlex.Error
		if tc.q == "RETURN 'ｆｕｌｌ' AS x" {
			if err != nil {
				t.Errorf("%q: %v, want no error", tc.q, err)
			}
			continue
		}
		if !errors.As(err, &lerr) {
			t.Errorf("%q: error %v, want a *cypherlex.Error", tc.q, err)
			continue
		}
		if lerr.Refused != tc.refused {
			t.Errorf("%q: refused %v, want %v (%s)", tc.q, lerr.Refused, tc.refused, lerr.Msg)
		}
	}
}

func TestParametersAndLines(t *testing.T) {
	q := "MATCH (n {id: $id})\n// $commented\nWHERE n.name = '$text' AND n.x IN $`odd name`\nRETURN $ spaced"
	toks, err := cypherlex.Lex(q)
	if err != nil {
		t.Fatal(err)
	}
	ps := cypherlex.Parameters(toks)
	if got := texts(ps); !slices.Equal(got, []string{"id", "odd name"}) {
		t.Errorf("parameters %q, want [id, odd name]", got)
	}
	if len(ps) == 2 {
		if l := cypherlex.Line(q, ps[0].Pos); l != 1 {
			t.Errorf("$id on line %d, want 1", l)
		}
		if l := cypherlex.Line(q, ps[1].Pos); l != 3 {
			t.Errorf("$`odd name` on line %d, want 3", l)
		}
	}
}
