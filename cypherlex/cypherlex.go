// Package cypherlex splits Cypher text into tokens: identifiers, backticked names, strings,
// numbers and punctuation, with comments and whitespace dropped. It only reads text; it knows
// nothing of a database. The read-only guard for analysts' Cypher (package neo4j) and the saved
// patterns' parameter check (package patterns) read queries through it, so both agree on what
// is code, what is a comment and what is a string.
package cypherlex

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Kind is what a token is.
type Kind int

const (
	Ident  Kind = iota // an unquoted identifier or keyword
	Quoted             // a backticked name, its text unescaped
	String             // a string literal, quotes included
	Number             // a number literal
	Punct              // one ASCII punctuation character
)

// Token is one token and where it starts.
type Token struct {
	Kind Kind
	Text string
	Pos  int // byte offset in the query
}

// Is reports whether t is of kind and spells text: punctuation exactly, words in any case.
func (t Token) Is(kind Kind, text string) bool {
	return t.Kind == kind && (kind == Punct && t.Text == text || kind != Punct && strings.EqualFold(t.Text, text))
}

// Error says why text is not Cypher a client may send, and where.
type Error struct {
	Pos int
	// Refused is true for text that is well formed but not allowed (control characters, and
	// non-ASCII outside strings, comments and backticked names); false for text that is not
	// well formed (an unterminated string, comment or name).
	Refused bool
	Msg     string
}

func (e *Error) Error() string { return e.Msg }

// Lex splits q into tokens. Outside string literals, comments and backticked names only ASCII
// is accepted: fullwidth letters, zero-width characters and homoglyphs can then never spell a
// keyword that a check reading the tokens would miss, and a line comment ends at the first
// line break of any kind (\n, \r, U+0085, U+2028, U+2029), so it can never hide code that
// Neo4j would run.
func Lex(q string) ([]Token, error) {
	var toks []Token
	i := 0
	for i < len(q) {
		c := q[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f':
			i++
		case c == '/' && i+1 < len(q) && q[i+1] == '/':
		comment:
			for i < len(q) && q[i] != '\n' && q[i] != '\r' {
				r, n := utf8.DecodeRuneInString(q[i:])
				switch r {
				case '\u2028', '\u2029', '\u0085':
					break comment
				}
				i += n
			}
		case c == '/' && i+1 < len(q) && q[i+1] == '*':
			end := strings.Index(q[i+2:], "*/")
			if end < 0 {
				return nil, &Error{Pos: i, Msg: fmt.Sprintf("unterminated comment at offset %d", i)}
			}
			i += 2 + end + 2
		case c == '\'' || c == '"':
			start := i
			i++
			for i < len(q) && q[i] != c {
				if q[i] == '\\' {
					i++
				}
				i++
			}
			if i >= len(q) {
				return nil, &Error{Pos: start, Msg: fmt.Sprintf("unterminated string at offset %d", start)}
			}
			i++
			toks = append(toks, Token{String, q[start:i], start})
		case c == '`':
			start := i
			var name strings.Builder
			i++
			for {
				end := strings.IndexByte(q[i:], '`')
				if end < 0 {
					return nil, &Error{Pos: start, Msg: fmt.Sprintf("unterminated backticked name at offset %d", start)}
				}
				name.WriteString(q[i : i+end])
				i += end + 1
				if i < len(q) && q[i] == '`' { // `` is an escaped backtick
					name.WriteByte('`')
					i++
					continue
				}
				break
			}
			toks = append(toks, Token{Quoted, name.String(), start})
		case isIdentStart(c):
			start := i
			for i < len(q) && (isIdentStart(q[i]) || isDigit(q[i])) {
				i++
			}
			toks = append(toks, Token{Ident, q[start:i], start})
		case isDigit(c):
			start := i
			for i < len(q) && (isIdentStart(q[i]) || isDigit(q[i]) || q[i] == '.' && i+1 < len(q) && isDigit(q[i+1])) {
				i++
			}
			toks = append(toks, Token{Number, q[start:i], start})
		case c < 0x20 || c == 0x7f:
			return nil, &Error{Pos: i, Refused: true, Msg: fmt.Sprintf("control character U+%04X at offset %d is not allowed", c, i)}
		case c < utf8.RuneSelf:
			toks = append(toks, Token{Punct, string(c), i})
			i++
		default:
			r, _ := utf8.DecodeRuneInString(q[i:])
			return nil, &Error{Pos: i, Refused: true, Msg: fmt.Sprintf("character U+%04X at offset %d is not allowed: outside strings, comments and backticked names a query must be ASCII", r, i)}
		}
	}
	return toks, nil
}

func isIdentStart(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool      { return c >= '0' && c <= '9' }

// Parameters returns the $parameters the tokens use, each as the token of its name (a $ in a
// string or comment is text, not a parameter).
func Parameters(toks []Token) []Token {
	var out []Token
	for i := 0; i+1 < len(toks); i++ {
		if toks[i].Is(Punct, "$") && toks[i+1].Pos == toks[i].Pos+1 && (toks[i+1].Kind == Ident || toks[i+1].Kind == Quoted) {
			out = append(out, toks[i+1])
		}
	}
	return out
}

// Line returns the 1-based line of byte offset pos in q.
func Line(q string, pos int) int {
	return 1 + strings.Count(q[:min(pos, len(q))], "\n")
}
