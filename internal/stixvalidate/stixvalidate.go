// Package stixvalidate runs the pinned OASIS STIX 2 validator (tools/stix2-validator, installed
// into its .venv by `make stix2-validator`, which `make test` runs) on bundle files, with the
// flags every test of the STIX export and import uses, so that they cannot drift apart.
package stixvalidate

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Args run the validator as strictly as it goes: --strict makes every warning an error,
// --enforce-refs requires every relationship's ends in the bundle, and every best-practice
// check runs but two:
//   - uuid-check wants UUIDv4 ids, but the export's ids are UUIDv5 in a namespace of ours so that
//     the same graph gives the same bundle (STIX 2.1 allows producers that);
//   - extref-hashes wants a hash of every web page an external reference links to, and the graph
//     holds none: a made-up hash would be worse than none.
//
// Disabling any check makes this validator version run only the checks its --disable branch
// lists, which leaves out eight others by an oversight; -e puts them back, so that exactly all
// but the two run.
var Args = []string{"--strict", "--enforce-refs", "-d", "uuid-check,extref-hashes",
	"-e", "extension-description,extension-properties,grouping-context,implementation-languages," +
		"infrastructure-types,malware-result,malware-capabilities,processor-architecture"}

// Result is what the validator said of one file.
type Result struct {
	Valid            bool
	Errors, Warnings []string
}

// Run runs the validator installed in tool (the path of tools/stix2-validator from the test's
// package) on files and returns its verdict on each, with its exit status (0 when every file is
// valid).
func Run(tb testing.TB, tool string, files ...string) (map[string]*Result, int) {
	tb.Helper()
	bin := filepath.Join(tool, ".venv", "bin", "stix2_validator")
	if _, err := os.Stat(bin); err != nil {
		tb.Fatalf("the STIX validator is not installed (%v): run `make stix2-validator`", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, bin, append(append([]string{}, Args...), files...)...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	status := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		status = exit.ExitCode()
	} else if err != nil {
		tb.Fatalf("stix2_validator: %v\n%s", err, stderr.String())
	}
	results := map[string]*Result{}
	var cur *Result
	for _, line := range strings.Split(stdout.String(), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "[-] Results for: "):
			cur = &Result{}
			results[strings.TrimPrefix(line, "[-] Results for: ")] = cur
		case cur == nil || line == "" || strings.HasPrefix(line, "====="):
		case line == "[+] STIX JSON: Valid":
			cur.Valid = true
		case line == "[X] STIX JSON: Invalid":
		case strings.HasPrefix(line, "[X] "):
			cur.Errors = append(cur.Errors, line)
		case strings.HasPrefix(line, "[!] "):
			cur.Warnings = append(cur.Warnings, line)
		}
	}
	for _, f := range files {
		if results[f] == nil {
			tb.Fatalf("the validator said nothing of %s:\n%s\n%s", f, stdout.String(), stderr.String())
		}
	}
	return results, status
}
