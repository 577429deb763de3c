package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"

	"github.com/incidentgraph/incidentgraph/export"
	"github.com/incidentgraph/incidentgraph/neo4j"
)

// exportArgs are the flags that become the export's arguments: the same names as GET /export
// takes, read and checked by the same export.ParseRequest, so the two cannot drift apart.
var exportArgs = []struct{ name, usage string }{
	{"format", "cytoscape, graphml, gexf, csv, stix or geojson"},
	{"of", "neighborhood (-id, -depth, -limit), path (-from, -to, -maxDepth), paths (-from, -to, -maxDepth, -first), network (-id, -depth, -limit) or all (the whole graph)"},
	{"id", "the entity at the centre (neighborhood, network)"},
	{"depth", "hops from -id: neighborhood 1–3 (default 1), network 1–4 (default 2)"},
	{"limit", "most nodes, 1–500 (default 200)"},
	{"from", "where the path starts (path, paths)"},
	{"to", "where the path ends (path, paths)"},
	{"maxDepth", "most hops: path 1–10 (default 6), paths 1–6 (default 4)"},
	{"first", "how many paths, 1–20 (default 5)"},
	{"types", "only these relationship types, comma-separated (or the flag repeated)"},
	{"statuses", "only these statuses, comma-separated (or the flag repeated)"},
	{"minConfidence", "only relationships at least this sure (0–100)"},
	{"assertedBy", "only relationships asserted by this entity"},
	{"knownAt", "only what could be known on this date (YYYY, YYYY-MM or YYYY-MM-DD)"},
	{"validAt", "only relationships that held on this date"},
}

// repeated collects every value of a flag given several times.
type repeated []string

func (r *repeated) String() string     { return strings.Join(*r, ",") }
func (r *repeated) Set(v string) error { *r = append(*r, v); return nil }

// exportCommand runs `incidentgraph export -format F -of O -id ID [...] [-out FILE]`: the same
// export as GET /export, from the database at NEO4J_URI, to a file or to stdout.
func exportCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	env := func(k, def string) string {
		if v := getenv(k); v != "" {
			return v
		}
		return def
	}
	fs := flag.NewFlagSet("incidentgraph export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	values := map[string]*repeated{}
	for _, a := range exportArgs {
		values[a.name] = &repeated{}
		fs.Var(values[a.name], a.name, a.usage)
	}
	out := fs.String("out", "", "write to this file instead of stdout")
	var cfg neo4j.Config
	fs.StringVar(&cfg.URI, "neo4j_uri", env("NEO4J_URI", "bolt://127.0.0.1:7687"), "Neo4j URI (NEO4J_URI)")
	fs.StringVar(&cfg.User, "neo4j_user", env("NEO4J_USER", "neo4j"), "Neo4j user (NEO4J_USER)")
	fs.StringVar(&cfg.Password, "neo4j_password", env("NEO4J_PASSWORD", ""), "Neo4j password (NEO4J_PASSWORD)")
	fs.StringVar(&cfg.Database, "neo4j_database", env("NEO4J_DATABASE", ""), "Neo4j database; empty for the server's default (NEO4J_DATABASE)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("export: unexpected argument %q", fs.Arg(0))
	}
	q := url.Values{}
	for _, a := range exportArgs {
		for _, v := range *values[a.name] {
			q.Add(a.name, v)
		}
	}
	// The arguments are checked before the database is opened: a typo costs no connection.
	req, err := export.ParseRequest(q)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	db, err := neo4j.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close(context.Background())
	doc, err := export.Build(ctx, export.Services{Graph: db, Analyst: db, Whole: db}, req)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	// Written whole to memory first (the subgraph is bounded), so that a failure leaves no
	// half-written file.
	var buf bytes.Buffer
	if err := export.Write(&buf, req.Format, doc); err != nil {
		return err
	}
	if *out == "" {
		_, err := stdout.Write(buf.Bytes())
		return err
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "%s: %d nodes, %d edges (%s, %d bytes)\n", *out, len(doc.Nodes), len(doc.Edges), req.Format, buf.Len())
	return nil
}
