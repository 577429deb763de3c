package main

import (
	"os"
	"os/exec"
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

// TestSurvivorsAreReadAtTheirCommit: a package's results name lines of the commit they were
// taken at, so a survivor is matched with its reason by that commit's line, not by the line
// that stands at the same number after later commits. The control is the same results marked
// as taken with uncommitted changes: they are read from the working tree, whose line there is
// another, and the survivor goes unexplained.
func TestSurvivorsAreReadAtTheirCommit(t *testing.T) {
	repo := t.TempDir()
	git := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", repo, "-c", "user.name=t", "-c", "user.email=t@example.org"}, args...)...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	write := func(name, body string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(filepath.Join(repo, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(repo, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git("init", "-q")
	write("pkg/a.go", "package pkg\n\tif n > max {\n")
	git("add", "pkg/a.go")
	git("commit", "-q", "-m", "a")
	commit := git("rev-parse", "HEAD")
	// A later change moves the line down.
	write("pkg/a.go", "package pkg\n\t// a comment\n\tif n > max {\n")

	out := t.TempDir()
	if err := os.WriteFile(filepath.Join(out, "p.json"),
		[]byte(`{"files":[{"file_name":"a.go","mutations":[{"type":"CONDITIONALS_BOUNDARY","status":"LIVED","line":2,"column":7}]}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	eqs, err := readEquivalents(strings.NewReader("pkg/a.go | CONDITIONALS_BOUNDARY | 7 | if n > max { | n never equals max here\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		dirty, source string
		unexplained   int
	}{
		{"0", "if n > max {", 0},
		{"1", "// a comment", 1},
	} {
		if err := os.WriteFile(filepath.Join(out, "p.meta"), []byte("name=p\ndir=pkg\ncommit="+commit+"\ndirty="+tc.dirty+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		p, err := loadPackage(out, "p", &sourceLines{root: repo, files: map[string][]string{}}, eqs)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.Mutants[0].Source; got != tc.source || p.counts().Unexplained != tc.unexplained {
			t.Errorf("dirty=%s: survivor's line %q, %d unexplained; want %q, %d", tc.dirty, got, p.counts().Unexplained, tc.source, tc.unexplained)
		}
	}
}
