package neo4j

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestRuleFragmentsCompose: each composed condition holds the fragments rules.go says it is
// made of, verbatim, and not the ones it says it leaves out; and every fragment speaks of the
// variable it is given, never a fixed one. Control: a fragment written for a fixed `r` is
// caught by the same variable check.
func TestRuleFragmentsCompose(t *testing.T) {
	for _, tc := range []struct {
		name      string
		cond      string
		has, lack []string
	}{
		{"relPredicate is relCondition of r", relPredicate, []string{relCondition("r")}, nil},
		{"relCondition", relCondition("x"), []string{notRetracted("x"), inTimeView("x"), "type(x) IN $types",
			"x.confidence >= $minConfidence", "x.status IN $statuses", "x.assertedBy = $assertedBy"}, []string{standing("x")}},
		{"counts", counts("x"), []string{standing("x"), notRetracted("x"), inTimeView("x")}, []string{"$types", "$statuses"}},
		{"inTimeView", inTimeView("x"), []string{knownBy("x"), "$validAtStart", "$validAtEnd"}, []string{"$includeRetracted"}},
		{"figureInTimeView", figureInTimeView("x"), []string{knownBy("x"), "x.asOfStart"}, []string{"validToEnd", "$validAtStart"}},
		{"orgPredicate narrows relPredicate", orgPredicate, []string{relPredicate}, nil},
		{"an affiliation in a network counts", affiliationLink, []string{counts("a")}, nil},
		{"affiliatesOf walks links that count", affiliatesOf("(x)", "g.id"), []string{counts("a")}, nil},
		{"locatedIn stops at a retraction", locatedIn + locatedInReverse, []string{notRetracted("located")}, []string{standing("located")}},
	} {
		for _, f := range tc.has {
			if !strings.Contains(tc.cond, f) {
				t.Errorf("%s: lacks %q:\n%s", tc.name, f, tc.cond)
			}
		}
		for _, f := range tc.lack {
			if strings.Contains(tc.cond, f) {
				t.Errorf("%s: holds %q, which it must not:\n%s", tc.name, f, tc.cond)
			}
		}
	}
	fragments := map[string]func(string) string{"standing": standing, "notRetracted": notRetracted, "knownBy": knownBy,
		"inTimeView": inTimeView, "figureInTimeView": figureInTimeView, "counts": counts, "relCondition": relCondition}
	for name, f := range fragments {
		if vs := variablesOf(f("rel7")); !slices.Equal(vs, []string{"rel7"}) {
			t.Errorf("%s(rel7) reads the properties of %v, want rel7's only:\n%s", name, vs, f("rel7"))
		}
	}
	t.Run("negative control: a fragment for a fixed variable", func(t *testing.T) {
		fixed := func(v string) string { return standing(v) + " AND " + notRetracted("r") }
		if vs := variablesOf(fixed("rel7")); slices.Equal(vs, []string{"rel7"}) {
			t.Errorf("the variable check passed a fragment that reads r: %v", vs)
		}
	})
}

// variablesOf lists, sorted and once each, the variables whose properties a condition reads.
func variablesOf(cond string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`([A-Za-z_][A-Za-z0-9_]*)\.[a-z][A-Za-z]*\b`).FindAllStringSubmatch(cond, -1) {
		if !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	slices.Sort(out)
	return out
}

// ruleSignatures recognise a rule written out in a Cypher text, however it is spaced.
var ruleSignatures = map[string]*regexp.Regexp{
	"standing (a party's denial or retraction)": regexp.MustCompile(`'(DENIED|RETRACTED)'`),
	"notRetracted (a curator's retraction)":     regexp.MustCompile(`retractedAt\s+IS\s+(NOT\s+)?NULL`),
	"knownBy (the time view's knownAt)":         regexp.MustCompile(`knownFrom\W{0,12}\s*<=?\s*\$\w*knownAt`),
	"inTimeView (the time view's validAt)":      regexp.MustCompile(`validToEnd\W{0,12}[^$]{0,12}>=?\s*\$\w*validAtStart`),
	"figureInTimeView (a figure's validAt)":     regexp.MustCompile(`asOfStart\W{0,12}\s*<=?\s*\$\w*validAtEnd`),
}

// ruleHomes returns, for each rule, the files and lines of the Go string literals that write it
// out, in the Go sources given (file name to text); comments do not count.
func ruleHomes(t *testing.T, sources map[string]string) map[string][]string {
	t.Helper()
	homes := map[string][]string{}
	fset := token.NewFileSet()
	for name, src := range sources {
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			text, err := strconv.Unquote(lit.Value)
			if err != nil {
				t.Fatalf("%s: %v", fset.Position(lit.Pos()), err)
			}
			for rule, re := range ruleSignatures {
				if re.MatchString(text) {
					pos := fset.Position(lit.Pos())
					homes[rule] = append(homes[rule], filepath.Base(pos.Filename)+":"+strconv.Itoa(pos.Line))
				}
			}
			return true
		})
	}
	return homes
}

// TestRulesHaveOneHome: every rule of rules.go is written out once in the package's Go code, in
// rules.go; every other query composes the fragments. Control: a file that writes the rules out
// again is caught by the same scan.
func TestRulesHaveOneHome(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	sources := map[string]string{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sources[f] = string(b)
	}
	homes := ruleHomes(t, sources)
	for rule := range ruleSignatures {
		if h := homes[rule]; len(h) != 1 || !strings.HasPrefix(h[0], "rules.go:") {
			t.Errorf("%s is written out at %v; want once, in rules.go (compose the fragment instead)", rule, h)
		}
	}
	t.Run("negative control: the rules written out again", func(t *testing.T) {
		sources := map[string]string{"rules.go": sources["rules.go"], "copy.go": "package neo4j\n\nconst q = `" +
			"MATCH (a)-[r]->(b) WHERE NOT r.status IN [ 'DENIED','RETRACTED' ] AND r.retractedAt IS NULL" +
			" AND ($knownAt IS NULL OR coalesce(r.knownFrom, '') <= $knownAt)" +
			" AND ($validAtEnd IS NULL OR coalesce(r.validToEnd, '9999') >= $validAtStart)" +
			" AND coalesce(f.asOfStart, '') <= $validAtEnd`\n"}
		homes := ruleHomes(t, sources)
		for rule := range ruleSignatures {
			if len(homes[rule]) != 2 {
				t.Errorf("%s: the scan found %v, want rules.go and copy.go", rule, homes[rule])
			}
		}
	})
}
