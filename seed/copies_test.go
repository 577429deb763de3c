package seed

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// A rule of the domain written out again in this package would come with its message. These
// tests look for the domain's messages in the package's source.

// minCopied is the length from which a fixed part of a domain message found in a seed string
// counts as a copy. Shorter parts ("missing required key ", ": no entity with id ") are the
// shared wording of the seed format's own rules.
const minCopied = 24

var verbRE = regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z%]`)

// stringLits returns the string literals of a Go source; calls (the name of the function)
// restricts them to the second argument of calls to it, the format of problems.add.
func stringLits(t *testing.T, name string, src []byte, call string) []string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), name, src, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	lit := func(e ast.Expr) {
		if b, ok := e.(*ast.BasicLit); ok && b.Kind == token.STRING {
			if s, err := strconv.Unquote(b.Value); err == nil {
				out = append(out, s)
			}
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.CallExpr:
			if sel, ok := n.Fun.(*ast.SelectorExpr); call != "" && ok && sel.Sel.Name == call && len(n.Args) > 1 {
				lit(n.Args[1])
			}
		case *ast.BasicLit:
			if call == "" {
				lit(n)
			}
		}
		return true
	})
	return out
}

// copies returns the domain formats of which a seed string holds a long fixed part.
func copies(formats, seedStrings []string) []string {
	var out []string
	for _, f := range formats {
		for _, part := range verbRE.Split(f, -1) {
			if len(part) < minCopied {
				continue
			}
			for _, s := range seedStrings {
				if strings.Contains(s, part) {
					out = append(out, f+" in "+strconv.Quote(s))
				}
			}
		}
	}
	return out
}

func domainFormats(t *testing.T) []string {
	src, err := os.ReadFile(filepath.Join("..", "curation.go"))
	if err != nil {
		t.Fatal(err)
	}
	fs := stringLits(t, "curation.go", src, "add")
	if len(fs) < 30 {
		t.Fatalf("found %d problem formats in curation.go; the scan no longer sees them", len(fs))
	}
	return fs
}

// TestNoDomainRuleCopied: no string of this package's code holds a message of the domain's
// rules.
func TestNoDomainRuleCopied(t *testing.T) {
	formats := domainFormats(t)
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range copies(formats, stringLits(t, name, src, "")) {
			t.Errorf("%s: a domain rule written out again: %s", name, c)
		}
	}
}

// TestNoDomainRuleCopiedCatchesCopies is its negative control: the rules this package once
// copied, written out again, are found.
func TestNoDomainRuleCopiedCatchesCopies(t *testing.T) {
	formats := domainFormats(t)
	for _, src := range []string{
		`package seed
func f(o *obj) { o.add(nil, "url %q must be an absolute http or https URL", "x") }`,
		`package seed
func f(o *obj) { o.add(nil, "from and to are the same entity %s: a relationship links two entities", "x") }`,
		`package seed
const m = "latitude and longitude go together: give both or neither"`,
	} {
		if len(copies(formats, stringLits(t, "copy.go", []byte(src), ""))) == 0 {
			t.Errorf("a copied rule was not found in:\n%s", src)
		}
	}
}
