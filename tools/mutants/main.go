// Command mutants writes docs/MUTATION.md from the results of scripts/mutants.sh (make mutants):
// per package, how many mutants the tests killed, how many survived, how many no test reaches,
// and for every survivor either the reason it is equivalent to the original code (from the
// equivalents file) or a mark that it still needs a test. It exits 1 when a package's score is
// under the minimum or a survivor is unexplained, after writing the report.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Gremlins' statuses in its JSON output.
const (
	statusKilled     = "KILLED"
	statusLived      = "LIVED"
	statusTimedOut   = "TIMED OUT"
	statusNotCovered = "NOT COVERED"
	statusNotViable  = "NOT VIABLE"
)

// gremlinsResult is the part of gremlins' JSON output (-o) the report reads.
type gremlinsResult struct {
	Files []struct {
		FileName  string `json:"file_name"`
		Mutations []struct {
			Type      string `json:"type"`
			Status    string `json:"status"`
			Line      int    `json:"line"`
			Column    int    `json:"column"`
			RunAnyway string `json:"run_anyway"`
		} `json:"mutations"`
	} `json:"files"`
}

// mutant is one mutation of one package, its file relative to the repository root.
type mutant struct {
	File   string
	Line   int
	Column int
	Type   string
	Status string
	Source string // the mutated line, trimmed
	Reason string // why it is equivalent, for a survivor the equivalents file names
	// RunAnyway is the outcome of running a not-covered mutant all the same ("" if it was not).
	RunAnyway string
}

// pkgResult is one package's run: its metadata (scripts/mutants.sh writes NAME.meta) and mutants.
type pkgResult struct {
	Meta    map[string]string
	Mutants []mutant
}

// counts of one package's mutants by outcome.
type counts struct {
	Killed, TimedOut, Lived, NotCovered, NotViable, Unexplained int
}

func (c counts) covered() int { return c.Killed + c.TimedOut + c.Lived }

// score is the share of covered mutants the tests detected (killed or timed out), in percent.
func (c counts) score() float64 {
	if c.covered() == 0 {
		return 100
	}
	return 100 * float64(c.Killed+c.TimedOut) / float64(c.covered())
}

func (p *pkgResult) counts() counts {
	var c counts
	for _, m := range p.Mutants {
		switch m.Status {
		case statusKilled:
			c.Killed++
		case statusTimedOut:
			c.TimedOut++
		case statusLived:
			c.Lived++
			if m.Reason == "" {
				c.Unexplained++
			}
		case statusNotCovered:
			c.NotCovered++
		case statusNotViable:
			c.NotViable++
		}
	}
	return c
}

// equivalence is one line of the equivalents file: a surviving mutant recognised by its file,
// mutator, column and the text of its line (not the line number, which moves with every edit
// above it), and why no test can tell it from the original.
type equivalence struct {
	File, Type string
	Column     int
	Source     string
	Reason     string
}

func (e equivalence) key() string {
	return fmt.Sprintf("%s|%s|%d|%s", e.File, e.Type, e.Column, e.Source)
}

// readEquivalents parses lines "file | MUTATOR | column | source line | reason"; # starts a comment.
func readEquivalents(r io.Reader) (map[string]equivalence, error) {
	eqs := map[string]equivalence{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.SplitN(line, " | ", 5)
		if len(parts) != 5 {
			return nil, fmt.Errorf("line %d: want 'file | MUTATOR | column | source line | reason', got %q", n, line)
		}
		col, err := strconv.Atoi(strings.TrimSpace(parts[2]))
		if err != nil {
			return nil, fmt.Errorf("line %d: column %q: %v", n, parts[2], err)
		}
		e := equivalence{File: strings.TrimSpace(parts[0]), Type: strings.TrimSpace(parts[1]), Column: col,
			Source: strings.TrimSpace(parts[3]), Reason: strings.TrimSpace(parts[4])}
		if e.Reason == "" {
			return nil, fmt.Errorf("line %d: no reason given", n)
		}
		eqs[e.key()] = e
	}
	return eqs, sc.Err()
}

// readMeta parses scripts/mutants.sh's key=value metadata.
func readMeta(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	meta := map[string]string{}
	for _, l := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(l, "="); ok {
			meta[k] = v
		}
	}
	return meta, nil
}

// sourceLines caches the repository's files by commit and path, as lines.
type sourceLines struct {
	root  string
	files map[string][]string
}

// line is line n of file as of commit, the one a package's results were taken at: later
// commits move and change lines, and a survivor is matched with its reason by the text of its
// line. Without the commit (none given, or unknown to git) it is the working tree's line.
func (s *sourceLines) line(commit, file string, n int) string {
	key := commit + ":" + file
	lines, ok := s.files[key]
	if !ok {
		var b []byte
		err := errors.New("no commit")
		if commit != "" {
			b, err = exec.Command("git", "-C", s.root, "show", commit+":"+file).Output()
		}
		if err != nil {
			b, _ = os.ReadFile(filepath.Join(s.root, file))
		}
		lines = strings.Split(string(b), "\n")
		s.files[key] = lines
	}
	if n < 1 || n > len(lines) {
		return ""
	}
	return strings.TrimSpace(lines[n-1])
}

// loadPackage reads NAME.meta and NAME.json from dir and matches survivors with eqs.
func loadPackage(dir, name string, src *sourceLines, eqs map[string]equivalence) (*pkgResult, error) {
	meta, err := readMeta(filepath.Join(dir, name+".meta"))
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(filepath.Join(dir, name+".json"))
	if err != nil {
		return nil, err
	}
	var gr gremlinsResult
	if err := json.Unmarshal(b, &gr); err != nil {
		return nil, fmt.Errorf("%s.json: %v", name, err)
	}
	p := &pkgResult{Meta: meta}
	// A run with uncommitted changes mutated neither the commit's code nor, surely, today's:
	// today's is the nearer guess.
	commit := meta["commit"]
	if meta["dirty"] == "1" {
		commit = ""
	}
	for _, f := range gr.Files {
		file := filepath.ToSlash(filepath.Join(meta["dir"], f.FileName))
		for _, m := range f.Mutations {
			mu := mutant{File: file, Line: m.Line, Column: m.Column, Type: m.Type, Status: m.Status,
				Source: src.line(commit, file, m.Line), RunAnyway: m.RunAnyway}
			if mu.Status == statusLived {
				e := equivalence{File: file, Type: m.Type, Column: m.Column, Source: mu.Source}
				mu.Reason = eqs[e.key()].Reason
			}
			p.Mutants = append(p.Mutants, mu)
		}
	}
	sort.Slice(p.Mutants, func(i, j int) bool {
		a, b := p.Mutants[i], p.Mutants[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Column != b.Column {
			return a.Column < b.Column
		}
		return a.Type < b.Type
	})
	return p, nil
}

// failures says which packages miss the minimum score or have unexplained survivors.
func failures(pkgs []*pkgResult, minScore float64) []string {
	var out []string
	for _, p := range pkgs {
		if p.Meta["notRun"] != "" {
			out = append(out, fmt.Sprintf("%s: not run", p.Meta["name"]))
			continue
		}
		c := p.counts()
		if c.score() < minScore {
			out = append(out, fmt.Sprintf("%s: %.1f%% of covered mutants killed, under %.0f%%", p.Meta["name"], c.score(), minScore))
		}
		if c.Unexplained > 0 {
			out = append(out, fmt.Sprintf("%s: %d surviving mutants with neither a test nor a reason", p.Meta["name"], c.Unexplained))
		}
	}
	return out
}

func describe(p *pkgResult) string {
	d := "`" + p.Meta["dir"] + "`"
	if p.Meta["mutate"] != "" {
		var fs []string
		for _, f := range strings.Fields(p.Meta["mutate"]) {
			fs = append(fs, "`"+filepath.ToSlash(filepath.Join(p.Meta["dir"], f))+"`")
		}
		d = strings.Join(fs, ", ")
	}
	return d
}

func duration(s string) string {
	n, err := strconv.Atoi(s)
	if err != nil {
		return s
	}
	if n < 60 {
		return fmt.Sprintf("%d s", n)
	}
	return fmt.Sprintf("%d min %02d s", n/60, n%60)
}

// atOnce notes how many mutants were tested at once, when more than one.
func atOnce(p *pkgResult) string {
	if w := p.Meta["workers"]; w != "" && w != "1" {
		return " (" + w + " at once)"
	}
	return ""
}

func commit(p *pkgResult) string {
	c := p.Meta["commit"]
	if len(c) > 12 {
		c = c[:12]
	}
	if p.Meta["dirty"] == "1" {
		c += " + uncommitted changes"
	}
	if r := p.Meta["rechecked"]; r != "" && r != p.Meta["commit"] {
		if len(r) > 12 {
			r = r[:12]
		}
		c += ", survivors rechecked with the tests of " + r
	}
	return c
}

// write renders the report.
func write(w io.Writer, pkgs []*pkgResult, minScore float64, equivalentsFile string) {
	fmt.Fprintf(w, "# Mutation testing\n\n")
	fmt.Fprintf(w, "Written by `make mutants` (scripts/mutants.sh, then tools/mutants); do not edit by hand.\n\n")
	gv := ""
	for _, p := range pkgs {
		if gv == "" {
			gv = p.Meta["gremlins"]
		}
	}
	fmt.Fprintf(w, "[Gremlins](https://github.com/go-gremlins/gremlins) %s changes one operator at a time in the code\n", gv)
	fmt.Fprintf(w, "below (arithmetic, comparisons and their boundaries, negated conditions, `&&`/`||`, `++`/`--`,\n")
	fmt.Fprintf(w, "unary minus, `break`/`continue`) and runs the package's tests against each change. A mutant is\n")
	fmt.Fprintf(w, "*killed* when a test fails (or the run times out: the change made the code loop), *survives*\n")
	fmt.Fprintf(w, "when every test passes, and is *not covered* when no test of the run executes its line (those\n")
	fmt.Fprintf(w, "are not run). The score is killed / (killed + survived), over covered mutants; the goal is\n")
	fmt.Fprintf(w, "%.0f%% in every package, and every survivor either killed by a test or explained below as\n", minScore)
	fmt.Fprintf(w, "equivalent (no test can tell it from the original; the reasons live in `%s`).\n\n", equivalentsFile)
	fmt.Fprintf(w, "Every mutant gremlins found timed out or surviving is run again alone with a bound of five\n")
	fmt.Fprintf(w, "times the unmutated tests' time (at least 30 s), so that a loaded machine neither\n")
	fmt.Fprintf(w, "passes a survivor off as a timeout nor the reverse; *timed out* counts those that still ran\n")
	fmt.Fprintf(w, "past it.\n\n")
	fmt.Fprintf(w, "Gremlins counts the condition of a `switch` case as not covered even when tests run it (it\n")
	fmt.Fprintf(w, "matches mutants against the coverage profile's statement blocks, and a case's expression lies\n")
	fmt.Fprintf(w, "outside them), so switch-heavy files show more not-covered mutants than their tests leave\n")
	fmt.Fprintf(w, "unrun; those mutants are neither run nor scored. Where they were run anyway (`recheck\n")
	fmt.Fprintf(w, "-uncovered`), the section *Not covered* says how many a test detected.\n\n")
	fmt.Fprintf(w, "Where only some files of a package are mutated, only the tests in the named test files run\n")
	fmt.Fprintf(w, "(a `-run` pattern of their functions): those of the package's tests that check the code under\n")
	fmt.Fprintf(w, "mutation, against a Neo4j of the run's own. Times are wall-clock on the 2-core development\n")
	fmt.Fprintf(w, "machine, shared with other work, niced, one package at a time and one mutant at a time unless\n")
	fmt.Fprintf(w, "the time says otherwise. A later recheck with newer tests (named in the commit column) is\n")
	fmt.Fprintf(w, "not in the time.\n\n")

	fmt.Fprintf(w, "| package | code mutated | killed | timed out | survived | not covered | not viable | score | time | commit | date |\n")
	fmt.Fprintf(w, "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|\n")
	for _, p := range pkgs {
		if p.Meta["notRun"] != "" {
			fmt.Fprintf(w, "| %s | not run yet | | | | | | | | | |\n", p.Meta["name"])
			continue
		}
		c := p.counts()
		fmt.Fprintf(w, "| %s | %s | %d | %d | %d | %d | %d | %.1f%% | %s | %s | %s |\n", p.Meta["name"], describe(p),
			c.Killed, c.TimedOut, c.Lived, c.NotCovered, c.NotViable, c.score(), duration(p.Meta["seconds"])+atOnce(p), commit(p), p.Meta["date"])
	}
	fmt.Fprintln(w)

	fmt.Fprintf(w, "## Tests run\n\n")
	for _, p := range pkgs {
		if p.Meta["notRun"] != "" {
			continue
		}
		if p.Meta["tests"] == "" {
			but := ""
			if skip := strings.Fields(p.Meta["skip"]); len(skip) > 0 {
				but = " but " + strings.Join(skip, ", ")
			}
			fmt.Fprintf(w, "- %s: all of `%s`'s tests%s.\n", p.Meta["name"], p.Meta["dir"], but)
			continue
		}
		var fs []string
		for _, f := range strings.Fields(p.Meta["tests"]) {
			fs = append(fs, "`"+f+"`")
		}
		fmt.Fprintf(w, "- %s: the tests of %s in `%s`.\n", p.Meta["name"], strings.Join(fs, ", "), p.Meta["dir"])
	}
	fmt.Fprintln(w)

	fmt.Fprintf(w, "## Surviving mutants\n\n")
	any := false
	for _, p := range pkgs {
		for _, m := range p.Mutants {
			if m.Status != statusLived {
				continue
			}
			if !any {
				fmt.Fprintf(w, "| package | where | mutator | line | why it is equivalent |\n|---|---|---|---|---|\n")
				any = true
			}
			reason := m.Reason
			if reason == "" {
				reason = "**unexplained: needs a test**"
			}
			fmt.Fprintf(w, "| %s | %s:%d:%d | %s | `%s` | %s |\n", p.Meta["name"], m.File, m.Line, m.Column, m.Type,
				strings.ReplaceAll(m.Source, "|", `\|`), strings.ReplaceAll(reason, "|", `\|`))
		}
	}
	if !any {
		fmt.Fprintf(w, "None.\n")
	}
	fmt.Fprintln(w)

	fmt.Fprintf(w, "## Not covered\n\n")
	fmt.Fprintf(w, "Lines with mutants that no test of the run executes (so that no test checks them).\n\n")
	any = false
	for _, p := range pkgs {
		lines := map[string][]int{}
		var files []string
		for _, m := range p.Mutants {
			if m.Status != statusNotCovered {
				continue
			}
			if _, ok := lines[m.File]; !ok {
				files = append(files, m.File)
			}
			if l := lines[m.File]; len(l) == 0 || l[len(l)-1] != m.Line {
				lines[m.File] = append(l, m.Line)
			}
		}
		ran, detected := 0, 0
		for _, m := range p.Mutants {
			if m.Status == statusNotCovered && m.RunAnyway != "" {
				ran++
				if m.RunAnyway == statusKilled || m.RunAnyway == statusTimedOut {
					detected++
				}
			}
		}
		if ran > 0 {
			fmt.Fprintf(w, "- %s: %d of its not-covered mutants run anyway; a test detected %d of them (a switch case's condition, or code run after all), %d passed every test.\n", p.Meta["name"], ran, detected, ran-detected)
		}
		for _, f := range files {
			var ls []string
			for _, l := range lines[f] {
				ls = append(ls, strconv.Itoa(l))
			}
			fmt.Fprintf(w, "- %s: `%s` lines %s\n", p.Meta["name"], f, strings.Join(ls, ", "))
			any = true
		}
	}
	if !any {
		fmt.Fprintf(w, "None.\n")
	}
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "recheck" {
		recheckMain(os.Args[2:])
		return
	}
	in := flag.String("in", "docs/mutation", "scripts/mutants.sh's results")
	out := flag.String("out", "docs/MUTATION.md", "the report")
	eqPath := flag.String("equivalent", "docs/mutation-equivalent.txt", "reasons why surviving mutants are equivalent")
	pkgList := flag.String("packages", "", "the packages, in the report's order (space-separated)")
	minScore := flag.Float64("min", 85, "the least score of a package, in percent")
	flag.Parse()

	fail := func(err error) {
		fmt.Fprintln(os.Stderr, "mutants:", err)
		os.Exit(2)
	}
	eqs := map[string]equivalence{}
	if f, err := os.Open(*eqPath); err == nil {
		eqs, err = readEquivalents(f)
		f.Close()
		if err != nil {
			fail(fmt.Errorf("%s: %v", *eqPath, err))
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		fail(err)
	}
	src := &sourceLines{root: ".", files: map[string][]string{}}
	var pkgs []*pkgResult
	for _, name := range strings.Fields(*pkgList) {
		if _, err := os.Stat(filepath.Join(*in, name+".meta")); errors.Is(err, os.ErrNotExist) {
			fmt.Fprintf(os.Stderr, "mutants: no results for %s in %s: listed as not run\n", name, *in)
			pkgs = append(pkgs, &pkgResult{Meta: map[string]string{"name": name, "notRun": "1"}})
			continue
		}
		p, err := loadPackage(*in, name, src, eqs)
		if err != nil {
			fail(err)
		}
		pkgs = append(pkgs, p)
	}
	f, err := os.Create(*out)
	if err != nil {
		fail(err)
	}
	write(f, pkgs, *minScore, *eqPath)
	if err := f.Close(); err != nil {
		fail(err)
	}
	for _, p := range pkgs {
		if p.Meta["notRun"] != "" {
			fmt.Printf("%-16s not run\n", p.Meta["name"])
			continue
		}
		c := p.counts()
		fmt.Printf("%-16s %4d killed %3d timed out %3d survived (%d unexplained) %4d not covered  %.1f%%\n",
			p.Meta["name"], c.Killed, c.TimedOut, c.Lived, c.Unexplained, c.NotCovered, c.score())
	}
	if fs := failures(pkgs, *minScore); len(fs) > 0 {
		for _, f := range fs {
			fmt.Fprintln(os.Stderr, "mutants:", f)
		}
		os.Exit(1)
	}
}
