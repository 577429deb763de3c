// Command ceiling measures the machine's import ceiling for one graph (see package ceiling):
//
//	ceiling dump -out DIR
//	    the graph in the database at NEO4J_URI (NEO4J_USER, NEO4J_PASSWORD) to neo4j-admin's
//	    CSV format in DIR, with DIR/manifest.json
//	ceiling import -dir DIR [-rows N] [-cells FILE]
//	    neo4j-admin database import full of that dump into the stopped home that
//	    scripts/neo4j.sh's environment names (NEO4J_HOME_DIR, NEO4J_HEAP), timed; with -rows,
//	    the rows per second of the GTD rows the real import read; with -cells, the result
//	    added to that saved scaling run
//
// make bench-compare-scaling runs both at every size.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/incidentgraph/incidentgraph/bench/ceiling"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "ceiling:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: ceiling dump|import [flags]")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	switch args[0] {
	case "dump":
		return dump(ctx, args[1:])
	case "import":
		return importDump(ctx, args[1:])
	}
	return fmt.Errorf("unknown command %q: dump or import", args[0])
}

func dump(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("dump", flag.ContinueOnError)
	out := fs.String("out", "", "directory to write the CSV files and manifest.json to (required)")
	uri := fs.String("uri", envOr("NEO4J_URI", "bolt://127.0.0.1:7687"), "Neo4j to dump")
	user := fs.String("user", envOr("NEO4J_USER", "neo4j"), "Neo4j user")
	password := fs.String("password", os.Getenv("NEO4J_PASSWORD"), "Neo4j password")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("dump: -out is required")
	}
	d, err := driver.NewDriverWithContext(*uri, driver.BasicAuth(*user, *password, ""))
	if err != nil {
		return err
	}
	defer d.Close(ctx)
	m, err := ceiling.Dump(ctx, d, *out)
	if err != nil {
		return err
	}
	fmt.Printf("dumped %d nodes, %d relationships, %d properties (%d empty lists left out) to %d files in %.1f s\n",
		m.NodeCount, m.RelationshipCount, m.Properties, m.EmptyLists, len(m.Nodes)+len(m.Relationships), m.DumpSeconds)
	return nil
}

func importDump(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	dir := fs.String("dir", "", "the dump's directory (required)")
	rows := fs.Int64("rows", 0, "the GTD rows the real import read for this graph (0: no rate)")
	cells := fs.String("cells", "", "add the result to this saved scaling run (bench/compare -cells)")
	script := fs.String("script", "scripts/neo4j.sh", "scripts/neo4j.sh, which runs the importer")
	offHeap := fs.String("off-heap", "1g", "the importer's --max-off-heap-memory")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" {
		return fmt.Errorf("import: -dir is required")
	}
	m, err := ceiling.ReadManifest(*dir)
	if err != nil {
		return err
	}
	log, err := os.Create(filepath.Join(*dir, "admin-import.log"))
	if err != nil {
		return err
	}
	defer log.Close()
	r, err := ceiling.Import(ctx, m, ceiling.ImportOptions{Script: *script, OffHeap: *offHeap, Log: log})
	if err != nil {
		return err
	}
	r.Rows = *rows
	fmt.Printf("neo4j-admin imported %d nodes, %d relationships, %d properties in %.1f s (its own timer %.1f s, the script %.1f s)",
		r.Nodes, r.Relationships, r.Properties, r.ImportSeconds, r.ToolSeconds, r.ScriptSeconds)
	if r.Rows > 0 {
		fmt.Printf(": %d GTD rows, %.0f rows/s; with the CSV dump (%.1f s) %.0f rows/s", r.Rows, r.Rate(), r.DumpSeconds, r.TotalRate())
	}
	fmt.Println()
	if *cells != "" {
		return ceiling.AddToRun(*cells, r)
	}
	return nil
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
