package main

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/incidentgraph/incidentgraph/export"
	"github.com/incidentgraph/incidentgraph/internal/testdb"
)

// The command exports the whole graph as a STIX bundle: the bytes GET /export gives for the
// same arguments.
func TestExportCommandWholeGraphAsSTIX(t *testing.T) {
	ctx := context.Background()
	db := testdb.MustOpen(t)
	testdb.MustSeed(t, db)
	entities, relationships, _, err := db.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	export1 := func(extra ...string) ([]byte, string) {
		t.Helper()
		out := filepath.Join(t.TempDir(), "all.json")
		var stdout, stderr bytes.Buffer
		args := append([]string{"export", "-format", "stix", "-of", "all", "-out", out}, extra...)
		if err := run(ctx, args, env(t, nil), &stdout, &stderr); err != nil {
			t.Fatalf("%v\n%s", err, stderr.String())
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		return b, stderr.String()
	}
	got, log := export1()
	if line := fmt.Sprintf("%d nodes, %d edges (stix,", entities, relationships); !strings.Contains(log, line) {
		t.Errorf("stderr %q, want %q", log, line)
	}
	r, err := export.ParseRequest(url.Values{"format": {"stix"}, "of": {"all"}})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := export.Build(ctx, export.Services{Graph: db, Analyst: db, Whole: db}, r)
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := export.Write(&want, export.STIX, doc); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want.Bytes()) || !bytes.HasPrefix(got, []byte("{\n  \"type\": \"bundle\"")) {
		t.Error("the command's bundle differs from the export package's")
	}
	// Negative control: a filter gives another, smaller bundle.
	if sure, _ := export1("-minConfidence", "90"); bytes.Equal(sure, got) || len(sure) >= len(got) {
		t.Errorf("minConfidence=90: %d bytes, unfiltered %d", len(sure), len(got))
	}
}
