package ceiling

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The end of neo4j-admin database import full's output (5.26).
const importOutput = `.......... .......... .......... .......... .......... 100% ∆0ms [1s 191ms]
Post processing COMPLETED in 1s 192ms


IMPORT DONE in 1m 3s 573ms. 
Imported:
  4677 nodes
  5546 relationships
  101083 properties
Peak memory usage: 262.6MiB
neo4j[bench-ceiling]: importer ran 71250 ms (exit 0)
`

func TestParseImportOutput(t *testing.T) {
	r, err := parseImportOutput([]byte(importOutput))
	if err != nil {
		t.Fatal(err)
	}
	if r.Nodes != 4677 || r.Relationships != 5546 || r.Properties != 101083 || r.ToolSeconds != 63.573 || r.ImportSeconds != 71.25 {
		t.Errorf("parsed %+v", r)
	}
	// Output without the summary (a failed import, another tool) is an error, not zeros.
	for name, out := range map[string]string{
		"no IMPORT DONE":  strings.Replace(importOutput, "IMPORT DONE", "IMPORT FAILED", 1),
		"no counts":       strings.Replace(importOutput, "5546 relationships", "", 1),
		"no JVM time":     strings.Replace(importOutput, "importer ran", "importer took", 1),
		"importer failed": strings.Replace(importOutput, "(exit 0)", "(exit 1)", 1),
	} {
		if r, err := parseImportOutput([]byte(out)); err == nil {
			t.Errorf("%s: parsed as %+v", name, r)
		}
	}
}

func TestImportChecksTheCounts(t *testing.T) {
	m := &Manifest{NodeCount: 10, RelationshipCount: 20, Properties: 30}
	if err := (&Result{Nodes: 10, Relationships: 20, Properties: 30}).check(m); err != nil {
		t.Errorf("equal counts: %v", err)
	}
	for _, r := range []Result{
		{Nodes: 9, Relationships: 20, Properties: 30},
		{Nodes: 10, Relationships: 21, Properties: 30},
		{Nodes: 10, Relationships: 20, Properties: 29},
	} {
		if err := r.check(m); err == nil {
			t.Errorf("%+v passed against %+v", r, m)
		}
	}
}

func TestImportArgs(t *testing.T) {
	m := &Manifest{Nodes: []File{{Path: "/d/nodes-000.csv"}}, Relationships: []File{{Path: "/d/relationships-001.csv"}}}
	args := importArgs(m, ImportOptions{Database: "neo4j", OffHeap: "1g"})
	want := []string{"admin-import", "--nodes=/d/nodes-000.csv", "--relationships=/d/relationships-001.csv",
		"--array-delimiter=U+001F", "--overwrite-destination=true", "--bad-tolerance=0", "--max-off-heap-memory=1g", "neo4j"}
	if !slices.Equal(args, want) {
		t.Errorf("args %q\nwant %q", args, want)
	}
	m.Multiline = true
	if args := importArgs(m, ImportOptions{Database: "neo4j"}); !slices.Contains(args, "--multiline-fields=true") {
		t.Errorf("a dump with line breaks imported without --multiline-fields: %q", args)
	}
}

func TestRates(t *testing.T) {
	r := &Result{Rows: 1000, ImportSeconds: 4, DumpSeconds: 1}
	if r.Rate() != 250 || r.TotalRate() != 200 {
		t.Errorf("rate %v, total %v; want 250, 200", r.Rate(), r.TotalRate())
	}
	for _, r := range []*Result{nil, {ImportSeconds: 4}, {Rows: 1000}} {
		if r.Rate() != 0 || r.TotalRate() != 0 {
			t.Errorf("%+v: rate %v, total %v without rows or seconds", r, r.Rate(), r.TotalRate())
		}
	}
}

func TestAddToRun(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.json")
	if err := os.WriteFile(path, []byte(`{"Env": {"Incidents": 10000}, "Cells": [1, 2]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := AddToRun(path, &Result{Rows: 10000, ImportSeconds: 2}); err != nil {
		t.Fatal(err)
	}
	var run struct {
		Env     struct{ Incidents int }
		Cells   []int
		Ceiling *Result
	}
	b, _ := os.ReadFile(path)
	if err := json.Unmarshal(b, &run); err != nil {
		t.Fatal(err)
	}
	if run.Env.Incidents != 10000 || len(run.Cells) != 2 || run.Ceiling == nil || run.Ceiling.Rows != 10000 {
		t.Errorf("run after AddToRun: %s", b)
	}
	// Not a saved run: an error, and the file stays as it was.
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte("[1]"), 0o644)
	if err := AddToRun(bad, &Result{}); err == nil {
		t.Error("added to a JSON array")
	}
	if b, _ := os.ReadFile(bad); string(b) != "[1]" {
		t.Errorf("bad file rewritten: %s", b)
	}
}
