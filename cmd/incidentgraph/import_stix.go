package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/neo4j"
	"github.com/incidentgraph/incidentgraph/stix"
)

// originSTIX marks what a STIX import owns: it updates only items of this origin, never a
// curator's, the seed's or the GTD import's.
const originSTIX = "stix"

// importSTIXOptions is what `incidentgraph import stix FILE` can be told.
type importSTIXOptions struct {
	file    string
	skipBad bool
	neo4j   neo4j.Config
}

// importSTIXCommand runs `incidentgraph import stix FILE [--skip-bad]`: it reads a STIX 2.1
// bundle (ours, OpenCTI's, MISP's ...) whole, checks it, and writes what the graph holds of it
// in one transaction, so that a bad bundle or a failed write leaves the graph as it was. A
// bundle with a bad object is refused unless --skip-bad, which leaves out the bad objects and
// what depends on them. The summary on stdout lists what was written and what the graph does
// not hold.
func importSTIXCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	o, err := parseImportSTIX(args, getenv, stderr)
	if err != nil {
		return err
	}
	// The database is opened once the bundle is read and good: a bad file costs no connection.
	return importSTIX(ctx, o.file, o.skipBad, func(im *stix.Imported) (*incidentgraph.WriteStats, error) {
		db, err := neo4j.Open(ctx, o.neo4j)
		if err != nil {
			return nil, err
		}
		defer db.Close(context.Background())
		if err := im.Resolve(resolver(ctx, db)); err != nil {
			return nil, err
		}
		return db.WriteBatch(ctx, im.Batch, neo4j.WriteOptions{Origin: originSTIX})
	}, stdout, stderr)
}

// entitySearch is the graph's search by name and alias, as resolver uses it.
type entitySearch interface {
	Search(ctx context.Context, text string, kinds []incidentgraph.Kind, limit int) ([]*incidentgraph.Entity, error)
}

// resolver finds the graph's entity another producer's country or organisation stands for: the
// one country with its ISO code, or the one organisation of the same kind whose name or alias
// is the object's name or one of its aliases (case aside). None, or two, is no match: a new
// entity is better than a wrong link.
func resolver(ctx context.Context, db entitySearch) func(e *incidentgraph.Entity) (string, error) {
	return func(e *incidentgraph.Entity) (string, error) {
		names := append([]string{e.Name}, e.Aliases...)
		match := ""
		for _, name := range names {
			found, err := db.Search(ctx, name, []incidentgraph.Kind{e.Kind}, 20)
			if err != nil {
				return "", err
			}
			for _, c := range found {
				ok := false
				switch e.Kind {
				case incidentgraph.KindCountry:
					ok = strings.EqualFold(c.ISO2, e.ISO2)
				case incidentgraph.KindOrganization:
					ok = (c.OrgType == e.OrgType) && slices.ContainsFunc(append([]string{c.Name}, c.Aliases...), func(a string) bool {
						return slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(a, n) })
					})
				}
				switch {
				case !ok || c.ID == match:
				case match != "":
					return "", nil // two candidates: no match
				default:
					match = c.ID
				}
			}
		}
		return match, nil
	}
}

// importSTIX reads the bundle in file and hands what it holds to write (which resolves it
// against the graph and writes it with the store's one writer, origin stix), then prints the
// summary.
func importSTIX(ctx context.Context, file string, skipBad bool, write func(*stix.Imported) (*incidentgraph.WriteStats, error),
	stdout, stderr io.Writer) error {
	start := time.Now()
	data, err := os.ReadFile(file)
	if err != nil {
		return incidentgraph.Errorf(incidentgraph.EINVALID, "%s: %v", file, err)
	}
	bar := stixProgress(stderr, isTerminal(stderr))
	im, err := stix.Read(data, stix.ReadOptions{SkipBad: skipBad, Name: filepath.Base(file), Progress: bar.read})
	bar.done()
	if err != nil {
		ie, ok := incidentgraph.AsInputError(err)
		if !ok {
			return err
		}
		for _, p := range ie.Problems {
			fmt.Fprintf(stderr, "%s: %s: %s\n", file, p.Field, p.Message)
		}
		return incidentgraph.Errorf(incidentgraph.EINVALID, "%s: %d problem(s); nothing imported (use --skip-bad to import the rest)",
			file, len(ie.Problems))
	}
	for _, p := range im.Left {
		fmt.Fprintf(stderr, "%s: %s: %s (left out)\n", file, p.Field, p.Message)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	stats, err := write(im)
	if err != nil {
		return fmt.Errorf("%s: nothing imported: %w", file, err)
	}
	writeSTIXSummary(stdout, file, im, stats, time.Since(start))
	return nil
}

func parseImportSTIX(args []string, getenv func(string) string, stderr io.Writer) (*importSTIXOptions, error) {
	env := func(k, def string) string {
		if v := getenv(k); v != "" {
			return v
		}
		return def
	}
	o := &importSTIXOptions{}
	fs := flag.NewFlagSet("incidentgraph import stix", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&o.skipBad, "skip-bad", false, "import the good objects of a bundle with bad ones (still listing them)")
	fs.StringVar(&o.neo4j.URI, "neo4j_uri", env("NEO4J_URI", "bolt://127.0.0.1:7687"), "Neo4j URI (NEO4J_URI)")
	fs.StringVar(&o.neo4j.User, "neo4j_user", env("NEO4J_USER", "neo4j"), "Neo4j user (NEO4J_USER)")
	fs.StringVar(&o.neo4j.Password, "neo4j_password", env("NEO4J_PASSWORD", ""), "Neo4j password (NEO4J_PASSWORD)")
	fs.StringVar(&o.neo4j.Database, "neo4j_database", env("NEO4J_DATABASE", ""), "Neo4j database (NEO4J_DATABASE)")
	// Flags may come before or after the file.
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
	if len(pos) != 1 {
		return nil, errors.New("import: use import stix FILE [--skip-bad]")
	}
	o.file = pos[0]
	return o, nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// readProgress draws a bar of the objects read on a terminal, and nothing elsewhere (a log has
// the summary): reading is the long part, the write is one transaction.
type readProgress struct {
	bar *progressbar.ProgressBar
	w   io.Writer
}

func stixProgress(w io.Writer, terminal bool) *readProgress {
	if !terminal {
		return &readProgress{}
	}
	return &readProgress{w: w}
}

func (p *readProgress) read(done, total int) {
	if p.w == nil {
		return
	}
	if p.bar == nil {
		p.bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(p.w), progressbar.OptionSetDescription("reading"),
			progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString("objects"),
			progressbar.OptionSetPredictTime(true), progressbar.OptionOnCompletion(func() { fmt.Fprintln(p.w) }))
	}
	_ = p.bar.Set(done)
}

func (p *readProgress) done() {
	if p.bar != nil && !p.bar.IsFinished() {
		_ = p.bar.Finish()
	}
}

// writeSTIXSummary says what the import wrote and, by type, every object it did not write.
func writeSTIXSummary(w io.Writer, file string, im *stix.Imported, s *incidentgraph.WriteStats, took time.Duration) {
	fmt.Fprintf(w, "imported %s (%s, %d objects) in %.1f s: %d entities, %d relationships, %d figures\n",
		file, im.BundleID, im.Objects, took.Seconds(), len(im.Batch.Entities), len(im.Batch.Relationships), len(im.Batch.Figures))
	fmt.Fprintf(w, "  entities: %d created, %d updated, %d unchanged, %d kept (another origin's), %d merged away (written on their survivor)\n",
		s.EntitiesCreated, s.EntitiesUpdated, s.EntitiesUnchanged, s.EntitiesKept, s.EntitiesRedirected)
	fmt.Fprintf(w, "  relationships: %d created, %d updated, %d unchanged, %d kept (another origin's), %d skipped\n",
		s.RelationshipsCreated, s.RelationshipsUpdated, s.RelationshipsUnchanged, s.RelationshipsKept, s.Skipped)
	fmt.Fprintf(w, "  figures: %d created, %d updated, %d unchanged, %d kept (another origin's)\n",
		s.FiguresCreated, s.FiguresUpdated, s.FiguresUnchanged, s.FiguresKept)
	counts := func(label string, m map[string]int) {
		if len(m) == 0 {
			return
		}
		keys := make([]string, 0, len(m))
		total := 0
		for k, n := range m {
			keys = append(keys, k)
			total += n
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = fmt.Sprintf("%s %d", k, m[k])
		}
		fmt.Fprintf(w, "  %s (%d): %s\n", label, total, strings.Join(parts, ", "))
	}
	counts("found in the graph under its own id", im.Resolved)
	counts("not held by the graph, not imported", im.NotHeld)
	counts("made by our export only for STIX, made again on export", im.Derived)
	counts("custom properties the graph has no field for", im.Custom)
	if len(im.Left) > 0 {
		fmt.Fprintf(w, "  left out (--skip-bad): %d problem(s), listed above\n", len(im.Left))
	}
}
