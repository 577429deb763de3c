package cypherlex_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/incidentgraph/incidentgraph/cypherlex"
)

// FuzzLex lexes any text. Lex must not panic, and its answer must pass lexFaults: the tokens are
// what the text says where they say it is, or the error points into the text. Then the text is
// wrapped where it can only be data (a string literal with every quote escaped, a block comment,
// a line comment, a backticked name): whatever it holds, it must not come out as code. The seed
// corpus is in testdata/fuzz/FuzzLex; `go test` runs it as ordinary tests.
func FuzzLex(f *testing.F) {
	f.Add("MATCH (n:Entity) RETURN n")
	f.Fuzz(func(t *testing.T, q string) {
		toks, err := cypherlex.Lex(q)
		for _, fault := range lexFaults(q, toks, err) {
			t.Error(fault)
		}
		_ = cypherlex.Parameters(toks)
		_ = cypherlex.Line(q, len(q)/2)

		if !utf8.ValidString(q) {
			return // the wrapped forms below are for text a client can send
		}
		esc := strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(q)
		lineComment := strings.NewReplacer("\n", " ", "\r", " ", "\u0085", " ", "\u2028", " ", "\u2029", " ").Replace(q)
		for _, w := range []struct {
			text string
			want []string
		}{
			{"RETURN '" + esc + "' AS x", []string{"RETURN", "'" + esc + "'", "AS", "x"}},
			{"RETURN 1 /*" + strings.ReplaceAll(q, "*/", "* /") + "*/ AS x", []string{"RETURN", "1", "AS", "x"}},
			{"RETURN 1 AS x //" + lineComment, []string{"RETURN", "1", "AS", "x"}},
			{"RETURN 1 AS `" + strings.ReplaceAll(q, "`", "``") + "`", []string{"RETURN", "1", "AS", q}},
		} {
			toks, err := cypherlex.Lex(w.text)
			if err != nil {
				t.Errorf("%q: %v", w.text, err)
				continue
			}
			if got := texts(toks); fmt.Sprint(got) != fmt.Sprint(w.want) || len(got) != len(w.want) {
				t.Errorf("%q: tokens %q, want %q", w.text, got, w.want)
			}
		}
	})
}

// lexFaults is FuzzLex's oracle for Lex(q) = toks, err: on success, tokens come in order without
// overlapping, each within q; every token but a backticked name is exactly q's bytes at its
// position; words and numbers are ASCII letters, digits and _; punctuation is one printable
// ASCII character; a string starts and ends with the same quote. On failure, there are no
// tokens and the error is a *cypherlex.Error at an offset inside q with a message.
func lexFaults(q string, toks []cypherlex.Token, err error) []string {
	var faults []string
	if err != nil {
		var le *cypherlex.Error
		if !errors.As(err, &le) {
			return []string{fmt.Sprintf("error %v is a %T, not a *cypherlex.Error", err, err)}
		}
		if toks != nil {
			faults = append(faults, "tokens returned along with an error")
		}
		if le.Pos < 0 || le.Pos >= len(q) || le.Msg == "" {
			faults = append(faults, fmt.Sprintf("error at offset %d of %d bytes, message %q", le.Pos, len(q), le.Msg))
		}
		return faults
	}
	end := 0
	for _, tk := range toks {
		if tk.Pos < end || tk.Pos >= len(q) {
			faults = append(faults, fmt.Sprintf("token %q at %d: before the end of the previous one (%d) or outside the text", tk.Text, tk.Pos, end))
			continue
		}
		if tk.Kind == cypherlex.Quoted {
			// The name is unescaped: at least its two backticks and its text, with `` as `.
			if q[tk.Pos] != '`' {
				faults = append(faults, fmt.Sprintf("backticked name %q at %d does not start with a backtick", tk.Text, tk.Pos))
			}
			end = tk.Pos + 2 + len(tk.Text)
			continue
		}
		if !strings.HasPrefix(q[tk.Pos:], tk.Text) || tk.Text == "" {
			faults = append(faults, fmt.Sprintf("token %q at %d is not the text there", tk.Text, tk.Pos))
			continue
		}
		end = tk.Pos + len(tk.Text)
		switch tk.Kind {
		case cypherlex.Ident, cypherlex.Number:
			for _, c := range []byte(tk.Text) {
				if !(c == '_' || c == '.' && tk.Kind == cypherlex.Number || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
					faults = append(faults, fmt.Sprintf("word %q at %d holds %q", tk.Text, tk.Pos, c))
					break
				}
			}
		case cypherlex.Punct:
			if len(tk.Text) != 1 || tk.Text[0] <= ' ' || tk.Text[0] >= 0x7f {
				faults = append(faults, fmt.Sprintf("punctuation %q at %d", tk.Text, tk.Pos))
			}
		case cypherlex.String:
			if len(tk.Text) < 2 || tk.Text[0] != tk.Text[len(tk.Text)-1] || tk.Text[0] != '\'' && tk.Text[0] != '"' {
				faults = append(faults, fmt.Sprintf("string %q at %d is not quoted", tk.Text, tk.Pos))
			}
		default:
			faults = append(faults, fmt.Sprintf("token %q at %d of unknown kind %d", tk.Text, tk.Pos, tk.Kind))
		}
	}
	return faults
}

// TestLexOracleFindsFaults is the negative control of FuzzLex's oracle: answers a broken lexer
// could give are reported; the shipped lexer's answers are not.
func TestLexOracleFindsFaults(t *testing.T) {
	q := "RETURN 'a' AS `b`"
	good, err := cypherlex.Lex(q)
	if err != nil {
		t.Fatal(err)
	}
	if faults := lexFaults(q, good, nil); len(faults) > 0 {
		t.Fatalf("the lexer's own answer is faulted: %q", faults)
	}
	tok := func(k cypherlex.Kind, text string, pos int) []cypherlex.Token {
		return []cypherlex.Token{{Kind: k, Text: text, Pos: pos}}
	}
	for _, tc := range []struct {
		name string
		toks []cypherlex.Token
		err  error
		want string
	}{
		{"wrong text", tok(cypherlex.Ident, "MATCH", 0), nil, "is not the text there"},
		{"outside", tok(cypherlex.Ident, "x", len(q)), nil, "outside the text"},
		{"overlap", append(tok(cypherlex.Ident, "RETURN", 0), good[0]), nil, "before the end"},
		{"comment kept as a string", tok(cypherlex.String, "RETURN 'a'", 0), nil, "is not quoted"},
		{"two-byte punctuation", tok(cypherlex.Punct, "RE", 0), nil, "punctuation"},
		{"word with a quote", tok(cypherlex.Ident, "RETURN 'a'", 0), nil, "holds"},
		{"not a backtick", tok(cypherlex.Quoted, "b", 0), nil, "does not start with a backtick"},
		{"unknown kind", tok(cypherlex.Kind(9), "R", 0), nil, "unknown kind"},
		{"foreign error", nil, errors.New("x"), "not a *cypherlex.Error"},
		{"error outside", nil, &cypherlex.Error{Pos: len(q), Msg: "m"}, "error at offset"},
		{"error and tokens", good, &cypherlex.Error{Pos: 1, Msg: "m"}, "along with an error"},
	} {
		faults := lexFaults(q, tc.toks, tc.err)
		if !strings.Contains(strings.Join(faults, "\n"), tc.want) {
			t.Errorf("%s: faults %q, want one saying %q", tc.name, faults, tc.want)
		}
	}
}
