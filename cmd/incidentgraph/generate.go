package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"text/tabwriter"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/incidentgraph/incidentgraph/generate"
)

// generateData is the generate command: a synthetic data set at GTD scale (gtd.csv in the GTD
// codebook's layout and groups.yaml in the seed format), the same for the same flags. It needs
// no database, so it has flags of its own rather than the service's configuration.
func generateData(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("incidentgraph generate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg generate.Config
	fs.Uint64Var(&cfg.Seed, "seed", 1, "seed number: the same seed and sizes write the same files")
	fs.IntVar(&cfg.Incidents, "incidents", 200000, "rows of gtd.csv")
	fs.IntVar(&cfg.Groups, "groups", 3000, "synthetic groups in groups.yaml (the seed's two are named too)")
	fs.IntVar(&cfg.Relationships, "relationships", 0,
		fmt.Sprintf("at least this many relationships after an import of both files; 0: %d per incident", generate.PerIncident))
	out := fs.String("out", "", "directory to write gtd.csv and groups.yaml to (required)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("generate: unexpected argument %q", fs.Arg(0))
	}
	if *out == "" {
		return errors.New("generate: --out DIR is required")
	}
	start := time.Now()
	s, err := generate.Write(cfg, *out)
	if err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	p := message.NewPrinter(language.English) // thousands separators
	p.Fprintf(stdout, "wrote %s: %d rows, %d group names (%d rows name the seed's groups), %d rows in %d related chains\n",
		filepath.Join(*out, generate.CSVFile), s.Rows, s.GroupsNamed, s.SeedGroupRows, s.ChainedRows, s.Chains)
	p.Fprintf(stdout, "wrote %s: %d groups, %d entities, %d relationships\n",
		filepath.Join(*out, generate.GroupsFile), s.Groups, s.Entities, s.StructureLinks)
	p.Fprintf(stdout, "relationships an import of both makes: %d (asked for at least %d)\n", s.Relationships(), s.Target)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	for _, l := range []struct {
		name string
		n    int
		how  string
	}{
		{"place", s.PlaceLinks, "1 per row"},
		{"perpetrator", s.PerpetratorLinks, "1 per named group of a row"},
		{"related", s.RelatedLinks, p.Sprintf("1 per pair of rows that list each other (%d eventids listed)", s.RelatedListed)},
		{"gazetteer", s.GazetteerLinks, "1 per city and province used"},
		{"structure", s.StructureLinks, "groups.yaml"},
	} {
		p.Fprintf(tw, "  %s\t%d\t  %s\t\n", l.name, l.n, l.how)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if s.Relationships() < s.Target {
		fmt.Fprintf(stdout, "warning: fewer relationships than asked for; raise --incidents\n")
	}
	fmt.Fprintf(stdout, "in %s\n", time.Since(start).Round(time.Millisecond))
	return nil
}
