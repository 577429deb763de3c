package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/gtd"
	"github.com/incidentgraph/incidentgraph/neo4j"
)

// importOptions is what `incidentgraph import gtd FILE` can be told.
type importOptions struct {
	file    string
	skipBad bool
	batch   int
	release string
	exact   bool
	neo4j   neo4j.Config
}

// importCommand runs `incidentgraph import gtd FILE [--skip-bad] [--batch N] [--release D] [--exact-names]`.
// FILE is CSV, or an Excel workbook (.xlsx: its first sheet). It reads the file twice: once to check every row (a file with a bad row imports nothing
// unless --skip-bad), once to write it in chunks, so that memory does not grow with the file.
func importCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	o, err := parseImport(args, getenv, stderr)
	if err != nil {
		return err
	}
	start := time.Now()
	total, problems, err := checkGTD(o.file)
	if err != nil {
		return err
	}
	for _, p := range problems {
		fmt.Fprintf(stderr, "%s:%s\n", o.file, p.Error())
	}
	if len(problems) > 0 && !o.skipBad {
		return incidentgraph.Errorf(incidentgraph.EINVALID, "%s: %d bad row(s); nothing imported (use --skip-bad to import the other %d)",
			o.file, countRows(problems), total-countRows(problems))
	}
	db, err := neo4j.Open(ctx, o.neo4j)
	if err != nil {
		return err
	}
	defer db.Close(context.Background())

	bad := map[int]bool{}
	for _, p := range problems {
		bad[p.Row] = true
	}
	good := total - len(bad)
	progress := newProgress(stderr, good)
	r, err := gtd.OpenFile(o.file)
	if err != nil {
		return fmt.Errorf("%s: %w", o.file, err)
	}
	defer r.Close()
	stats, err := db.ImportGTD(ctx, func(yield func(*gtd.Incident) bool) {
		for {
			row, err := r.Next()
			if err != nil {
				if err == io.EOF {
					return
				}
				continue // a row the check pass already reported
			}
			inc, ps := gtd.Parse(row)
			if len(ps) > 0 || bad[row.Number] {
				continue
			}
			if !yield(inc) {
				return
			}
		}
	}, neo4j.ImportOptions{BatchSize: o.batch, Release: incidentgraph.PartialDate(o.release), Progress: progress,
		ExactNames: o.exact})
	secs := time.Since(start).Seconds()
	if stats != nil {
		rate := 0.0
		if secs > 0 {
			rate = float64(stats.Rows) / secs
		}
		fmt.Fprintf(stdout, "imported %d rows from %s in %.1f s (%.0f rows/s): %d incidents, %d groups created, %d resolved, "+
			"%d places created, %d resolved, %d sources, %d relationships, %d figures; %d possible duplicates recorded; %d bad rows skipped\n",
			stats.Rows, o.file, secs, rate, stats.Incidents, stats.GroupsCreated, stats.GroupsResolved,
			stats.Places, stats.PlacesResolved, stats.Sources, stats.Relationships, stats.Figures, stats.PossibleDuplicates, countRows(problems))
	}
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return fmt.Errorf("import interrupted after whole chunks; run it again to complete it: %w", err)
		}
		return err
	}
	return nil
}

func parseImport(args []string, getenv func(string) string, stderr io.Writer) (*importOptions, error) {
	env := func(k, def string) string {
		if v := getenv(k); v != "" {
			return v
		}
		return def
	}
	o := &importOptions{}
	fs := flag.NewFlagSet("incidentgraph import gtd", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&o.skipBad, "skip-bad", false, "import the good rows of a file with bad ones (still listing them)")
	fs.IntVar(&o.batch, "batch", 1000, "rows per transaction")
	fs.StringVar(&o.release, "release", "", "the GTD release the file comes from (YYYY, YYYY-MM or YYYY-MM-DD), when known")
	fs.BoolVar(&o.exact, "exact-names", false, "resolve group, country and place names as given only (no folding, acronyms or places by distance)")
	fs.StringVar(&o.neo4j.URI, "neo4j_uri", env("NEO4J_URI", "bolt://127.0.0.1:7687"), "Neo4j URI (NEO4J_URI)")
	fs.StringVar(&o.neo4j.User, "neo4j_user", env("NEO4J_USER", "neo4j"), "Neo4j user (NEO4J_USER)")
	fs.StringVar(&o.neo4j.Password, "neo4j_password", env("NEO4J_PASSWORD", ""), "Neo4j password (NEO4J_PASSWORD)")
	fs.StringVar(&o.neo4j.Database, "neo4j_database", env("NEO4J_DATABASE", ""), "Neo4j database (NEO4J_DATABASE)")
	// Flags may come before, between or after the two arguments.
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		pos, args = append(pos, args[0]), args[1:]
	}
	if len(pos) != 2 || pos[0] != "gtd" {
		return nil, errors.New("import: use import gtd FILE [--skip-bad] [--batch N] [--release DATE] [--exact-names], or import stix FILE [--skip-bad]")
	}
	if o.batch < 1 || o.batch > 100000 {
		return nil, fmt.Errorf("--batch %d: use 1 to 100000", o.batch)
	}
	if o.release != "" {
		if _, err := incidentgraph.ParsePartialDate(o.release); err != nil {
			return nil, fmt.Errorf("--release: %w", err)
		}
	}
	o.file = pos[1]
	return o, nil
}

// checkGTD reads the whole file once and returns its number of data rows and every problem.
func checkGTD(file string) (int, []*gtd.Problem, error) {
	r, err := gtd.OpenFile(file)
	if err != nil {
		return 0, nil, fmt.Errorf("%s: %w", file, err)
	}
	defer r.Close()
	var problems []*gtd.Problem
	seen := map[string]int{}
	n := 0
	for {
		row, err := r.Next()
		if err == io.EOF {
			return n, problems, nil
		}
		n++
		var p *gtd.Problem
		if errors.As(err, &p) {
			problems = append(problems, p)
			continue
		}
		if err != nil {
			return 0, nil, fmt.Errorf("%s: %w", file, err)
		}
		inc, ps := gtd.Parse(row)
		problems = append(problems, ps...)
		if inc != nil {
			if first, dup := seen[inc.EventID]; dup {
				problems = append(problems, &gtd.Problem{Row: row.Number, Column: "eventid", Reason: fmt.Sprintf("%s repeats row %d", inc.EventID, first)})
			} else {
				seen[inc.EventID] = row.Number
			}
		}
	}
}

// countRows counts the distinct rows among problems (a row may have several).
func countRows(ps []*gtd.Problem) int {
	rows := map[int]bool{}
	for _, p := range ps {
		rows[p.Row] = true
	}
	return len(rows)
}

// newProgress shows a bar with rows, rate and ETA on a terminal, and a log line per chunk
// otherwise.
func newProgress(w io.Writer, total int) func(int) {
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		bar := progressbar.NewOptions(total, progressbar.OptionSetWriter(w), progressbar.OptionSetDescription("importing"),
			progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString("rows"),
			progressbar.OptionSetPredictTime(true), progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }))
		return func(rows int) { _ = bar.Set(rows) }
	}
	start := time.Now()
	return func(rows int) {
		secs := time.Since(start).Seconds()
		fmt.Fprintf(w, "imported %d of %d rows (%.0f rows/s)\n", rows, total, float64(rows)/max(secs, 1e-9))
	}
}
