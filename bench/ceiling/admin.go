package ceiling

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"time"
)

// ImportOptions say how the bulk importer is run.
type ImportOptions struct {
	// Script is scripts/neo4j.sh; its admin-import command runs the importer on the home its
	// environment names (NEO4J_HOME_DIR), which must be stopped.
	Script string
	// Env is added to this process's environment for the script (NEO4J_HOME_DIR, NEO4J_HEAP).
	Env []string
	// Database is the database imported into, emptied first (--overwrite-destination).
	Database string
	// OffHeap bounds the importer's off-heap memory (--max-off-heap-memory; its default is 90%
	// of the machine's free memory, which a shared machine does not have to give).
	OffHeap string
	// Log receives the importer's whole output (nil: discarded).
	Log io.Writer
}

// Result is one ceiling measurement, saved with a scaling run's cells (key "Ceiling").
type Result struct {
	// Rows is the GTD rows the real import read for the same graph (0: not known).
	Rows int64
	// What the importer reports it wrote; equal to the dump's counts, or Import fails.
	Nodes, Relationships, Properties int64
	// EmptyLists are the source graph's empty-list properties, which the CSV format cannot write.
	EmptyLists int64
	// DumpSeconds is the dump of the graph to CSV; ImportSeconds the importer's command alone,
	// from its JVM's start to its exit, as scripts/neo4j.sh times it ("importer ran N ms");
	// ToolSeconds the importer's own figure ("IMPORT DONE in ..."), which leaves out its JVM's
	// start and its setup; ScriptSeconds the whole admin-import, the script's checks included.
	DumpSeconds, ImportSeconds, ToolSeconds, ScriptSeconds float64
	Multiline                                              bool   // the importer read with --multiline-fields=true
	OffHeap, Heap                                          string // the importer's memory
}

// Rate is the GTD rows per second of the importer alone (0 when not known).
func (r *Result) Rate() float64 {
	if r == nil || r.Rows <= 0 || r.ImportSeconds <= 0 {
		return 0
	}
	return float64(r.Rows) / r.ImportSeconds
}

// TotalRate is the GTD rows per second of the dump and the importer together.
func (r *Result) TotalRate() float64 {
	if r == nil || r.Rows <= 0 || r.ImportSeconds+r.DumpSeconds <= 0 {
		return 0
	}
	return float64(r.Rows) / (r.ImportSeconds + r.DumpSeconds)
}

// importArgs are the importer's options for the dump m.
func importArgs(m *Manifest, o ImportOptions) []string {
	args := []string{"admin-import"}
	for _, f := range m.Nodes {
		args = append(args, "--nodes="+f.Path)
	}
	for _, f := range m.Relationships {
		args = append(args, "--relationships="+f.Path)
	}
	args = append(args,
		"--array-delimiter="+arrayDelimiterFlag,
		"--overwrite-destination=true",
		// A bad entry means the dump is wrong: fail rather than skip it.
		"--bad-tolerance=0",
	)
	if m.Multiline {
		args = append(args, "--multiline-fields=true")
	}
	if o.OffHeap != "" {
		args = append(args, "--max-off-heap-memory="+o.OffHeap)
	}
	return append(args, o.Database)
}

// Import loads the dump m into an empty database with neo4j-admin, timing the command alone,
// and checks that the importer wrote as many nodes, relationships and properties as the dump
// holds.
func Import(ctx context.Context, m *Manifest, o ImportOptions) (*Result, error) {
	if o.Database == "" {
		o.Database = "neo4j"
	}
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, o.Script, importArgs(m, o)...)
	cmd.Env = append(os.Environ(), o.Env...)
	var w io.Writer = &out
	if o.Log != nil {
		w = io.MultiWriter(&out, o.Log)
	}
	cmd.Stdout, cmd.Stderr = w, w
	start := time.Now()
	err := cmd.Run()
	took := time.Since(start)
	if err != nil {
		return nil, fmt.Errorf("%s admin-import: %w\n%s", o.Script, err, tail(out.Bytes(), 2000))
	}
	r, err := parseImportOutput(out.Bytes())
	if err != nil {
		return nil, fmt.Errorf("%w\n%s", err, tail(out.Bytes(), 2000))
	}
	r.ScriptSeconds = took.Seconds()
	r.DumpSeconds, r.EmptyLists, r.Multiline, r.OffHeap = m.DumpSeconds, m.EmptyLists, m.Multiline, o.OffHeap
	r.Heap = envValue(cmd.Env, "NEO4J_HEAP")
	if err := r.check(m); err != nil {
		return r, err
	}
	return r, nil
}

// check compares what the importer wrote with what the dump holds.
func (r *Result) check(m *Manifest) error {
	if r.Nodes != m.NodeCount || r.Relationships != m.RelationshipCount || r.Properties != m.Properties {
		return fmt.Errorf("the importer wrote %d nodes, %d relationships, %d properties; the dump holds %d, %d, %d",
			r.Nodes, r.Relationships, r.Properties, m.NodeCount, m.RelationshipCount, m.Properties)
	}
	return nil
}

var (
	doneRe     = regexp.MustCompile(`IMPORT DONE in ([^\n]*?)\.\s`)
	ranRe      = regexp.MustCompile(`(?m)^neo4j\[[^\]]*\]: importer ran (\d+) ms \(exit 0\)$`)
	durationRe = regexp.MustCompile(`(\d+)(ms|d|h|m|s)\b`)
	countRe    = regexp.MustCompile(`(?m)^\s*(\d+) (nodes|relationships|properties)\s*$`)
)

// parseImportOutput reads the importer's summary:
//
//	IMPORT DONE in 2s 544ms.
//	Imported:
//	  4 nodes
//	  1 relationships
//	  10 properties
//	...
//	neo4j[home]: importer ran 4321 ms (exit 0)
func parseImportOutput(out []byte) (*Result, error) {
	done := doneRe.FindSubmatch(out)
	if done == nil {
		return nil, fmt.Errorf("the importer's output has no \"IMPORT DONE in\" line")
	}
	r := &Result{}
	units := map[string]time.Duration{"d": 24 * time.Hour, "h": time.Hour, "m": time.Minute, "s": time.Second, "ms": time.Millisecond}
	var d time.Duration
	for _, p := range durationRe.FindAllSubmatch(done[1], -1) {
		n, _ := strconv.Atoi(string(p[1]))
		d += time.Duration(n) * units[string(p[2])]
	}
	r.ToolSeconds = d.Seconds()
	ran := ranRe.FindSubmatch(out)
	if ran == nil {
		return nil, fmt.Errorf("the output of scripts/neo4j.sh admin-import has no \"importer ran N ms (exit 0)\" line")
	}
	msec, _ := strconv.ParseInt(string(ran[1]), 10, 64)
	r.ImportSeconds = float64(msec) / 1000
	seen := map[string]bool{}
	for _, c := range countRe.FindAllSubmatch(out, -1) {
		n, _ := strconv.ParseInt(string(c[1]), 10, 64)
		switch string(c[2]) {
		case "nodes":
			r.Nodes = n
		case "relationships":
			r.Relationships = n
		case "properties":
			r.Properties = n
		}
		seen[string(c[2])] = true
	}
	if len(seen) != 3 {
		return nil, fmt.Errorf("the importer's output lacks its counts of nodes, relationships and properties")
	}
	return r, nil
}

// RunKey is the key of the ceiling in a scaling run's saved cells (bench/compare's scalingRun).
const RunKey = "Ceiling"

// AddToRun adds r to the scaling run saved at path (a JSON object), under RunKey.
func AddToRun(path string, r *Result) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var run map[string]json.RawMessage
	if err := json.Unmarshal(b, &run); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if run[RunKey], err = json.Marshal(r); err != nil {
		return err
	}
	if b, err = json.MarshalIndent(run, "", "  "); err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

func envValue(env []string, key string) string {
	v := ""
	for _, kv := range env {
		if len(kv) > len(key) && kv[:len(key)+1] == key+"=" {
			v = kv[len(key)+1:] // the last one wins, as in exec
		}
	}
	return v
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}
