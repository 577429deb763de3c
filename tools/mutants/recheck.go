package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"go/scanner"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Gremlins decides a mutant's fate from one test run bounded by a multiple of the coverage
// run's time. On a loaded machine an ordinary run can overrun that bound (a survivor then
// counts as TIMED OUT, as if detected), and a runaway test killed for its memory can count as
// LIVED. recheck runs the tests again for those two outcomes, one mutant at a time, with a
// bound several times the unmutated tests' own time, and records what it finds.

// replacements are gremlins' mutations (its engine/mappings.go): per mutator, what each
// operator becomes.
var replacements = map[string]map[token.Token]token.Token{
	"ARITHMETIC_BASE":       {token.ADD: token.SUB, token.MUL: token.QUO, token.QUO: token.MUL, token.REM: token.MUL, token.SUB: token.ADD},
	"CONDITIONALS_BOUNDARY": {token.GEQ: token.GTR, token.GTR: token.GEQ, token.LEQ: token.LSS, token.LSS: token.LEQ},
	"CONDITIONALS_NEGATION": {token.EQL: token.NEQ, token.GEQ: token.LSS, token.GTR: token.LEQ, token.LEQ: token.GTR, token.LSS: token.GEQ, token.NEQ: token.EQL},
	"INCREMENT_DECREMENT":   {token.DEC: token.INC, token.INC: token.DEC},
	"INVERT_LOGICAL":        {token.LAND: token.LOR, token.LOR: token.LAND},
	"INVERT_LOOPCTRL":       {token.BREAK: token.CONTINUE, token.CONTINUE: token.BREAK},
	"INVERT_NEGATIVES":      {token.SUB: token.ADD},
}

// mutate returns src with the operator at line:col replaced as mutator does it.
func mutate(src []byte, line, col int, mutator string) ([]byte, error) {
	fset := token.NewFileSet()
	f := fset.AddFile("x.go", -1, len(src))
	var s scanner.Scanner
	s.Init(f, src, nil, 0)
	for {
		pos, tok, lit := s.Scan()
		if tok == token.EOF {
			return nil, fmt.Errorf("no operator at %d:%d", line, col)
		}
		p := fset.Position(pos)
		if p.Line != line || p.Column != col {
			continue
		}
		to, ok := replacements[mutator][tok]
		if !ok {
			return nil, fmt.Errorf("%s does not change %q at %d:%d", mutator, tok, line, col)
		}
		n := len(tok.String())
		if lit != "" {
			n = len(lit)
		}
		off := f.Offset(pos)
		out := append([]byte{}, src[:off]...)
		out = append(out, to.String()...)
		return append(out, src[off+n:]...), nil
	}
}

// goTest runs the package's tests in dir within limit: "pass", "fail", "timeout" or "unviable"
// (the mutant does not build).
func goTest(dir string, limit time.Duration) (string, time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), limit+30*time.Second)
	defer cancel()
	start := time.Now()
	cmd := exec.CommandContext(ctx, "go", "test", "-count=1", "-failfast", "-timeout", limit.String(), ".")
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	took := time.Since(start)
	switch {
	case err == nil:
		return "pass", took
	case ctx.Err() != nil || strings.Contains(out.String(), "panic: test timed out"):
		return "timeout", took
	case strings.Contains(out.String(), "[build failed]") || strings.Contains(out.String(), "[setup failed]"):
		return "unviable", took
	default:
		return "fail", took
	}
}

func recheckMain(args []string) {
	fs := flag.NewFlagSet("recheck", flag.ExitOnError)
	in := fs.String("in", "docs/mutation", "scripts/mutants.sh's results")
	name := fs.String("name", "", "the package's name in the results")
	work := fs.String("work", "", "the package's directory in a copy of the tree")
	least := fs.Duration("least", 30*time.Second, "the least bound of a test run")
	uncovered := fs.Bool("uncovered", false, "also run the mutants gremlins found not covered (it counts a switch case's condition so), recording the outcome beside their status")
	_ = fs.Parse(args)
	if err := recheck(*in, *name, *work, *least, *uncovered); err != nil {
		fmt.Fprintln(os.Stderr, "mutants recheck:", err)
		os.Exit(2)
	}
}

func recheck(in, name, work string, least time.Duration, uncovered bool) error {
	path := filepath.Join(in, name+".json")
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		return err
	}
	verdict, base := goTest(work, 10*time.Minute)
	if verdict != "pass" {
		return errors.New("the unmutated tests do not pass")
	}
	limit := max(least, 5*base)
	fmt.Printf("mutants recheck: %s: unmutated tests %.1f s; rechecking with a bound of %s\n", name, base.Seconds(), limit)
	files, _ := doc["files"].([]any)
	changed := 0
	for _, fv := range files {
		file, _ := fv.(map[string]any)
		fname, _ := file["file_name"].(string)
		muts, _ := file["mutations"].([]any)
		for _, mv := range muts {
			m, _ := mv.(map[string]any)
			status, _ := m["status"].(string)
			// A timeout already confirmed with a bound as generous is not run again: it costs
			// the whole bound.
			if status != statusTimedOut && status != statusLived && !(uncovered && status == statusNotCovered) ||
				status == statusTimedOut && m["rechecked"] == true {
				continue
			}
			typ, _ := m["type"].(string)
			line, col := int(m["line"].(float64)), int(m["column"].(float64))
			src, err := os.ReadFile(filepath.Join(work, fname))
			if err != nil {
				return err
			}
			mutated, err := mutate(src, line, col, typ)
			if err != nil {
				return fmt.Errorf("%s: %v", fname, err)
			}
			if err := os.WriteFile(filepath.Join(work, fname), mutated, 0o644); err != nil {
				return err
			}
			v, took := goTest(work, limit)
			if err := os.WriteFile(filepath.Join(work, fname), src, 0o644); err != nil {
				return err
			}
			now := map[string]string{"pass": statusLived, "fail": statusKilled, "timeout": statusTimedOut, "unviable": statusNotViable}[v]
			if status == statusNotCovered {
				// The score stays gremlins' (over covered mutants); what running it showed is
				// kept beside: detected (a test runs that code after all) or not.
				m["run_anyway"] = now
				fmt.Printf("mutants recheck: %s:%d:%d %s: not covered, run anyway: %s (%.1f s)\n", fname, line, col, typ, now, took.Seconds())
				continue
			}
			fmt.Printf("mutants recheck: %s:%d:%d %s: %s, now %s (%.1f s)\n", fname, line, col, typ, status, now, took.Seconds())
			m["rechecked"] = true
			if now != status {
				m["status"] = now
				m["gremlins_status"] = status
				changed++
			}
		}
	}
	doc["rechecked_bound_seconds"] = limit.Seconds()
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	fmt.Printf("mutants recheck: %s: %d outcomes changed\n", name, changed)
	return os.WriteFile(path, out, 0o644)
}
