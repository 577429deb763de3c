package cypherlex

import (
	"fmt"
	"strings"
	"unicode/utf16"
)

// Unescape decodes the \uXXXX escapes of a query as Neo4j's Cypher 5 parser does before it reads
// anything else: in code, strings and comments alike, as Java decodes its source. An escaped
// line break ends a line comment there, an escaped quote closes a string and an escaped letter
// spells a keyword, so a check that reads the text as written would not see what Neo4j runs.
// A backslash starts an escape when an even number of backslashes stand right before it (Java's
// rule); one u follows, then four hexadecimal digits. UTF-16 surrogate pairs, each escaped, make
// one character.
//
// The decoded text is what should be checked and run: Neo4j reads it as it is, because Unescape
// refuses a text whose decoding would spell a further escape (\u005Cu0041), which Neo4j would
// read differently from the decoded text. A malformed escape, a lone surrogate or such a text
// is refused with an *Error (Refused false: the text is not well formed, or true: it is
// disguised).
func Unescape(q string) (string, error) {
	if !strings.Contains(q, `\u`) {
		return q, nil
	}
	out, changed, err := unescape(q)
	if err != nil || !changed {
		return q, err
	}
	if _, again, err := unescape(out); err != nil || again {
		return "", &Error{Refused: true, Msg: "a \\u escape that spells another escape is not allowed: write the character itself"}
	}
	return out, nil
}

func unescape(q string) (string, bool, error) {
	var b strings.Builder
	var pending []uint16 // UTF-16 units decoded from a run of escapes
	flush := func(at int) error {
		if len(pending) == 0 {
			return nil
		}
		for _, r := range utf16.Decode(pending) {
			if r == 0xFFFD {
				return &Error{Pos: at, Msg: fmt.Sprintf("the \\u escapes before offset %d are not a whole character (a lone UTF-16 surrogate)", at)}
			}
			b.WriteRune(r)
		}
		pending = pending[:0]
		return nil
	}
	changed := false
	backslashes := 0 // contiguous backslashes written just before i
	for i := 0; i < len(q); {
		c := q[i]
		if c == '\\' && backslashes%2 == 0 && i+1 < len(q) && q[i+1] == 'u' {
			j := i + 2 // one u: Neo4j reads \uu0041 as a malformed escape, unlike Java
			var unit uint16
			if j+4 > len(q) {
				return "", false, &Error{Pos: i, Msg: fmt.Sprintf("the \\u escape at offset %d needs four hexadecimal digits", i)}
			}
			for _, h := range []byte(q[j : j+4]) {
				d, ok := hexDigit(h)
				if !ok {
					return "", false, &Error{Pos: i, Msg: fmt.Sprintf("the \\u escape at offset %d needs four hexadecimal digits", i)}
				}
				unit = unit<<4 | uint16(d)
			}
			pending = append(pending, unit)
			changed = true
			backslashes = 0 // the character an escape gives starts no further escape
			i = j + 4
			continue
		}
		if err := flush(i); err != nil {
			return "", false, err
		}
		if c == '\\' {
			backslashes++
		} else {
			backslashes = 0
		}
		b.WriteByte(c)
		i++
	}
	if err := flush(len(q)); err != nil {
		return "", false, err
	}
	return b.String(), changed, nil
}

func hexDigit(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
