package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSurvivorsNeedATestOrAReason loads a package's results as scripts/mutants.sh leaves them:
// the survivor the equivalents file names is explained, the other is not, and only a package
// at the minimum score with every survivor explained passes.
func TestSurvivorsNeedATestOrAReason(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	if err := os.MkdirAll(filepath.Join(src, "pkg"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "pkg", "a.go"), []byte("package pkg\n\tif n > max {\n\tn = n + 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	put := func(name, body string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	put("p.meta", "name=p\ndir=pkg\ncommit=0123456789abcdef\ndirty=0\nseconds=75\n")
	var muts []string
	for range 8 {
		muts = append(muts, `{"type":"ARITHMETIC_BASE","status":"KILLED","line":3,"column":8}`)
	}
	muts = append(muts,
		`{"type":"INCREMENT_DECREMENT","status":"TIMED OUT","line":3,"column":3}`,
		`{"type":"CONDITIONALS_BOUNDARY","status":"LIVED","line":2,"column":7}`,
		`{"type":"CONDITIONALS_NEGATION","status":"LIVED","line":2,"column":7}`,
		`{"type":"ARITHMETIC_BASE","status":"NOT COVERED","line":3,"column":8}`)
	put("p.json", `{"files":[{"file_name":"a.go","mutations":[`+strings.Join(muts, ",")+`]}]}`)

	eqs, err := readEquivalents(strings.NewReader("# comment\npkg/a.go | CONDITIONALS_BOUNDARY | 7 | if n > max { | n never equals max here\n"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := loadPackage(dir, "p", &sourceLines{root: src, files: map[string][]string{}}, eqs)
	if err != nil {
		t.Fatal(err)
	}
	c := p.counts()
	if c.Killed != 8 || c.TimedOut != 1 || c.Lived != 2 || c.NotCovered != 1 || c.Unexplained != 1 {
		t.Fatalf("counts %+v", c)
	}
	if got := c.score(); got < 81.8 || got > 81.9 {
		t.Errorf("score %.2f, want 9/11", got)
	}
	for _, m := range p.Mutants {
		if m.Status == statusLived && m.Source != "if n > max {" {
			t.Errorf("survivor's line %q", m.Source)
		}
	}

	// The same results fail on both counts; a lower minimum leaves only the unexplained
	// survivor, and explaining it too passes.
	if fs := failures([]*pkgResult{p}, 85); len(fs) != 2 {
		t.Errorf("failures at 85%%: %q, want the score and the unexplained survivor", fs)
	}
	if fs := failures([]*pkgResult{p}, 80); len(fs) != 1 || !strings.Contains(fs[0], "neither a test nor a reason") {
		t.Errorf("failures at 80%%: %q, want the unexplained survivor only", fs)
	}
	for i := range p.Mutants {
		if p.Mutants[i].Status == statusLived {
			p.Mutants[i].Reason = "because"
		}
	}
	if fs := failures([]*pkgResult{p}, 80); len(fs) != 0 {
		t.Errorf("failures with every survivor explained: %q", fs)
	}

	var b strings.Builder
	write(&b, []*pkgResult{p}, 85, "docs/mutation-equivalent.txt")
	for _, want := range []string{"| p | `pkg` | 8 | 1 | 2 | 1 | 0 | 81.8% | 1 min 15 s | 0123456789ab |", "`pkg/a.go` lines 3"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, b.String())
		}
	}
}

// TestEquivalentsFileIsStrict refuses lines the report could not match or that give no reason.
func TestEquivalentsFileIsStrict(t *testing.T) {
	for _, bad := range []string{
		"pkg/a.go | CONDITIONALS_BOUNDARY | 7 | if n > max {",
		"pkg/a.go | CONDITIONALS_BOUNDARY | seven | if n > max { | reason",
		"pkg/a.go | CONDITIONALS_BOUNDARY | 7 | if n > max { |  ",
	} {
		if _, err := readEquivalents(strings.NewReader(bad)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if _, err := readEquivalents(strings.NewReader("pkg/a.go | CONDITIONALS_BOUNDARY | 7 | if a | b { | a reason\n")); err != nil {
		t.Errorf("a source line with a bar: %v", err)
	}
}
