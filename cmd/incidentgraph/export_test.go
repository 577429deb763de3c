package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/export"
	"github.com/incidentgraph/incidentgraph/internal/testdb"
)

func TestExportCommand(t *testing.T) {
	ctx := context.Background()
	db := testdb.MustOpen(t)
	testdb.MustSeed(t, db)
	const isk, kabul, moscow = "islamic-state-khorasan-province", "kabul-airport-bombing-2021", "moscow-concert-hall-attack-2024"

	// To a file: the same bytes as the export package writes for the same request.
	out := filepath.Join(t.TempDir(), "isk.zip")
	var stdout, stderr bytes.Buffer
	args := []string{"export", "-format", "csv", "-of", "neighborhood", "-id", isk, "-types", "BRANCH_OF,ENEMY_OF", "-types", "AFFILIATE_OF", "-out", out}
	if err := run(ctx, args, env(t, nil), &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	f := incidentgraph.RelationshipFilter{Types: []incidentgraph.RelType{"BRANCH_OF", "ENEMY_OF", "AFFILIATE_OF"}, Direction: incidentgraph.Both}
	g, err := db.Neighborhood(ctx, isk, 1, f, 200)
	if err != nil {
		t.Fatal(err)
	}
	if line := fmt.Sprintf("%s: %d nodes, %d edges (csv,", out, len(g.Nodes), len(g.Edges)); stdout.Len() != 0 || !strings.Contains(stderr.String(), line) {
		t.Errorf("stdout %q, stderr %q, want %q", stdout.String(), stderr.String(), line)
	}
	doc, err := export.NewDocument(ctx, db, "incidentgraph-neighborhood-"+isk, g)
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := export.Write(&want, export.CSV, doc); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Error("the file differs from the export of the subgraph the service answers")
	}
	// Negative control: without the types filter the subgraph, and so the file, is larger.
	wider := filepath.Join(t.TempDir(), "all.zip")
	if err := run(ctx, []string{"export", "-format=csv", "-of=neighborhood", "-id=" + isk, "-out=" + wider}, env(t, nil), &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if all, _ := os.ReadFile(wider); bytes.Equal(all, got) || len(all) <= len(got) {
		t.Errorf("unfiltered export: %d bytes, filtered %d", len(all), len(got))
	}

	// To stdout: Cytoscape.js JSON of the shortest path, the nodes of the service's path.
	stdout.Reset()
	if err := run(ctx, []string{"export", "-format", "cytoscape", "-of", "path", "-from", kabul, "-to", moscow}, env(t, nil), &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	var cy struct {
		Elements struct {
			Nodes []struct{ Data struct{ ID string } }
			Edges []struct {
				Data struct{ ID, Source, Target string }
			}
		}
	}
	if err := json.Unmarshal(stdout.Bytes(), &cy); err != nil {
		t.Fatalf("stdout is not JSON: %v", err)
	}
	path, err := db.ShortestPath(ctx, kabul, moscow, 6, incidentgraph.RelationshipFilter{Direction: incidentgraph.Both})
	if err != nil {
		t.Fatal(err)
	}
	var gotIDs, wantIDs []string
	for _, n := range cy.Elements.Nodes {
		gotIDs = append(gotIDs, n.Data.ID)
	}
	for _, n := range path.Nodes {
		wantIDs = append(wantIDs, n.ID)
	}
	sort.Strings(wantIDs)
	if !slices.Equal(gotIDs, wantIDs) || len(cy.Elements.Edges) != len(path.Edges) {
		t.Errorf("path nodes %v (%d edges), want %v (%d)", gotIDs, len(cy.Elements.Edges), wantIDs, len(path.Edges))
	}

	// Bad arguments are refused before any connection, with the HTTP endpoint's messages;
	// an unknown entity is NOT_FOUND.
	for _, c := range []struct {
		args       []string
		code, text string
	}{
		{[]string{"export", "-of", "neighborhood", "-id", isk}, incidentgraph.EINVALID, "format is required"},
		{[]string{"export", "-format", "svg", "-of", "neighborhood", "-id", isk}, incidentgraph.EINVALID, `format: give one of`},
		{[]string{"export", "-format", "gexf", "-of", "neighborhood", "-id", isk, "-depth", "9"}, incidentgraph.EINVALID, "depth must be a whole number between 1 and 3"},
		{[]string{"export", "-format", "gexf", "-of", "path", "-from", kabul, "-to", moscow, "-id", isk}, incidentgraph.EINVALID, `unknown argument "id" for of=path`},
		{[]string{"export", "-format", "gexf", "-of", "network", "-id", "no-such-group"}, incidentgraph.ENOTFOUND, "no-such-group"},
	} {
		err := run(ctx, c.args, env(t, nil), &bytes.Buffer{}, &bytes.Buffer{})
		if incidentgraph.ErrorCode(err) != c.code || !strings.Contains(err.Error(), c.text) {
			t.Errorf("%v: %v, want %s %q", c.args, err, c.code, c.text)
		}
	}
	if err := run(ctx, []string{"export", "-format", "csv", "-of", "neighborhood", "-id", isk, "extra"}, env(t, nil), &bytes.Buffer{}, &bytes.Buffer{}); err == nil {
		t.Error("a stray argument is accepted")
	}
}
