package cypherlex_test

import (
	"slices"
	"testing"

	"github.com/incidentgraph/incidentgraph/cypherlex"
)

// TestTokenIs: words compare in any case, punctuation exactly, and a token is never another
// kind's text. The guard and the pattern check find keywords (DELETE, CALL) and parameters ($)
// with Is: a word that matched every text, or a keyword missed for its case, would let a write
// through or refuse a read.
func TestTokenIs(t *testing.T) {
	word := cypherlex.Token{Kind: cypherlex.Ident, Text: "Delete"}
	dollar := cypherlex.Token{Kind: cypherlex.Punct, Text: "$"}
	for _, tc := range []struct {
		tok  cypherlex.Token
		kind cypherlex.Kind
		text string
		want bool
	}{
		{word, cypherlex.Ident, "DELETE", true},
		{word, cypherlex.Ident, "delete", true},
		{word, cypherlex.Ident, "DETACH", false}, // another word
		{word, cypherlex.Punct, "Delete", false}, // another kind
		{dollar, cypherlex.Punct, "$", true},
		{dollar, cypherlex.Punct, "(", false},
		{dollar, cypherlex.Ident, "$", false},
		{cypherlex.Token{Kind: cypherlex.Quoted, Text: "delete"}, cypherlex.Quoted, "DELETE", true},
		{cypherlex.Token{Kind: cypherlex.Quoted, Text: "delete"}, cypherlex.Quoted, "create", false},
	} {
		if got := tc.tok.Is(tc.kind, tc.text); got != tc.want {
			t.Errorf("%+v.Is(%v, %q) = %v, want %v", tc.tok, tc.kind, tc.text, got, tc.want)
		}
	}
}

// TestLexEdgeCases: an empty block comment, an escaped backtick at the end of a name, a
// parameter glued to a keyword, and a number followed by a dot that starts no fraction.
func TestLexEdgeCases(t *testing.T) {
	for _, tc := range []struct {
		q    string
		want []string
	}{
		{"RETURN 1 /**/ + 2", []string{"RETURN", "1", "+", "2"}},
		{"RETURN 1 AS `a```", []string{"RETURN", "1", "AS", "a`"}},
		{"RETURN 1 AS ````", []string{"RETURN", "1", "AS", "`"}},
		{"RETURN 1..2", []string{"RETURN", "1", ".", ".", "2"}},
		{"RETURN 1.", []string{"RETURN", "1", "."}},
		{"RETURN '\\\\' AS x", []string{"RETURN", `'\\'`, "AS", "x"}},
		{"RETURN 'a'", []string{"RETURN", "'a'"}},
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

// TestLexCharacterClasses: the first and last letters of each case, the underscore and the
// first and last digits start the tokens they should, and nothing next to them in ASCII does.
func TestLexCharacterClasses(t *testing.T) {
	toks, err := cypherlex.Lex("a z A Z _ 0 9 @ [ ` ` { / :")
	if err != nil {
		t.Fatal(err)
	}
	want := []cypherlex.Kind{cypherlex.Ident, cypherlex.Ident, cypherlex.Ident, cypherlex.Ident, cypherlex.Ident,
		cypherlex.Number, cypherlex.Number, cypherlex.Punct, cypherlex.Punct, cypherlex.Quoted, cypherlex.Punct,
		cypherlex.Punct, cypherlex.Punct}
	var got []cypherlex.Kind
	for _, tok := range toks {
		got = append(got, tok.Kind)
	}
	if !slices.Equal(got, want) {
		t.Errorf("kinds %v of %q, want %v", got, texts(toks), want)
	}
	// Inside a name, digits and both cases continue it.
	if toks, err := cypherlex.Lex("a0z9AZ_ 09az"); err != nil || !slices.Equal(texts(toks), []string{"a0z9AZ_", "09az"}) {
		t.Errorf("tokens %q, %v", texts(toks), err)
	}
}

// TestParametersAtTheEnd: a $ that ends the query names no parameter.
func TestParametersAtTheEnd(t *testing.T) {
	toks, err := cypherlex.Lex("RETURN $x, $")
	if err != nil {
		t.Fatal(err)
	}
	if got := texts(cypherlex.Parameters(toks)); !slices.Equal(got, []string{"x"}) {
		t.Errorf("parameters %q, want [x]", got)
	}
}

// TestUnescapeEdges: every hex digit in both cases and none of the characters beside them in
// ASCII; an escape that ends the text; escapes after four and five backslashes.
func TestUnescapeEdges(t *testing.T) {
	for in, want := range map[string]string{
		`\u0030\u0039\u0061\u0066\u0041\u0046`: "09afAF",
		`\u004A\u004a`:                         "JJ",
		`RETURN 1 AS \u0078`:                   "RETURN 1 AS x",
		`'\\\\u0041'`:                          `'\\\\u0041'`,
		`'\\\\\u0041'`:                         `'\\\\A'`,
		`\u0041\u0042`:                         "AB",
		`x\u0041`:                              "xA",
		`\u0041\`:                              `A\`,
	} {
		if got, err := cypherlex.Unescape(in); err != nil || got != want {
			t.Errorf("Unescape(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{`\u002/`, `\u002:`, `\u002@`, `\u002G`, "\\u002`", `\u002g`, `\u004`, `x\u`} {
		if _, err := cypherlex.Unescape(bad); err == nil {
			t.Errorf("Unescape(%q) accepted", bad)
		}
	}
}
