package cypherlex

import (
	"errors"
	"strings"
	"testing"
)

func TestUnescape(t *testing.T) {
	for _, tc := range []struct{ in, out string }{
		{`RETURN 1`, `RETURN 1`},
		{`M\u0041TCH (n:\u0045ntity)`, `MATCH (n:Entity)`},
		{`RETURN '\u00e9'`, `RETURN 'é'`},
		{`// x\u000a CREATE`, "// x\n CREATE"},
		{`RETURN '\\u0041'`, `RETURN '\\u0041'`}, // an escaped backslash starts no escape
		{`RETURN '\\\u0041'`, `RETURN '\\A'`},    // an odd run: the last backslash does
		{`RETURN '\ud83d\ude00'`, `RETURN '😀'`},  // a surrogate pair, each half escaped
		{`RETURN 'a\u005c'`, `RETURN 'a\'`},      // a backslash given by an escape
		{`RETURN "\x"`, `RETURN "\x"`},
	} {
		got, err := Unescape(tc.in)
		if err != nil || got != tc.out {
			t.Errorf("Unescape(%q) = %q, %v; want %q", tc.in, got, err, tc.out)
		}
	}
	for _, tc := range []struct {
		in      string
		refused bool
		msg     string
	}{
		{`RETURN '\u00'`, false, "four hexadecimal digits"},
		{`RETURN '\u00zz'`, false, "four hexadecimal digits"},
		{`RETURN '\uu0041'`, false, "four hexadecimal digits"},
		{`RETURN '\ud83d'`, false, "lone UTF-16 surrogate"},
		{`RETURN '\u005cu0041'`, true, "spells another escape"},
	} {
		_, err := Unescape(tc.in)
		var lerr *Error
		if !errors.As(err, &lerr) || lerr.Refused != tc.refused || !strings.Contains(lerr.Msg, tc.msg) {
			t.Errorf("Unescape(%q): %v, want an error (refused %v) saying %q", tc.in, err, tc.refused, tc.msg)
		}
	}
}
