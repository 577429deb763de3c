package main

import (
	"strings"
	"testing"
)

// TestMutateAsGremlinsDoes applies each mutator at a line and column as gremlins reports them,
// and refuses a position that holds no operator the mutator changes.
func TestMutateAsGremlinsDoes(t *testing.T) {
	src := "package p\n\nfunc f(a, b int) bool {\n\tfor a < b && b != 0 {\n\t\ta++\n\t\tbreak\n\t}\n\treturn a-b >= -1\n}\n"
	for _, tc := range []struct {
		line, col int
		mutator   string
		want      string
	}{
		{4, 8, "CONDITIONALS_BOUNDARY", "\tfor a <= b && b != 0 {"},
		{4, 8, "CONDITIONALS_NEGATION", "\tfor a >= b && b != 0 {"},
		{4, 12, "INVERT_LOGICAL", "\tfor a < b || b != 0 {"},
		{4, 17, "CONDITIONALS_NEGATION", "\tfor a < b && b == 0 {"},
		{5, 4, "INCREMENT_DECREMENT", "\t\ta--"},
		{6, 3, "INVERT_LOOPCTRL", "\t\tcontinue"},
		{8, 10, "ARITHMETIC_BASE", "\treturn a+b >= -1"},
		{8, 16, "INVERT_NEGATIVES", "\treturn a-b >= +1"},
	} {
		out, err := mutate([]byte(src), tc.line, tc.col, tc.mutator)
		if err != nil {
			t.Errorf("%d:%d %s: %v", tc.line, tc.col, tc.mutator, err)
			continue
		}
		if got := lineOf(string(out), tc.line); got != tc.want {
			t.Errorf("%d:%d %s: %q, want %q", tc.line, tc.col, tc.mutator, got, tc.want)
		}
	}
	for _, bad := range []struct {
		line, col int
		mutator   string
	}{{4, 9, "CONDITIONALS_BOUNDARY"}, {4, 12, "ARITHMETIC_BASE"}, {4, 17, "CONDITIONALS_BOUNDARY"}} {
		if _, err := mutate([]byte(src), bad.line, bad.col, bad.mutator); err == nil {
			t.Errorf("%d:%d %s: mutated", bad.line, bad.col, bad.mutator)
		}
	}
}

func lineOf(s string, n int) string { return strings.Split(s, "\n")[n-1] }
