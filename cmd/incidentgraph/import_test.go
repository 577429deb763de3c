package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/incidentgraph/incidentgraph/internal/testdb"
)

func TestImportGTDCommand(t *testing.T) {
	ctx := context.Background()
	db := testdb.MustOpen(t)
	testdb.MustSeed(t, db)
	before, err := db.Fingerprint(ctx)
	if err != nil {
		t.Fatal(err)
	}

	// A file with bad rows imports nothing and lists every bad row as FILE:ROW: column COL: reason.
	bad := "../../testdata/gtd/bad.csv"
	var out, errs bytes.Buffer
	err = run(ctx, []string{"import", "gtd", bad}, env(t, nil), &out, &errs)
	if err == nil || !strings.Contains(err.Error(), "nothing imported") {
		t.Fatalf("err %v", err)
	}
	for _, want := range []string{bad + ":3: column eventid: ", bad + ":8: column country_txt: ", bad + ":12: column success: "} {
		if !strings.Contains(errs.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs.String())
		}
	}
	if strings.Contains(errs.String(), bad+":2:") {
		t.Errorf("the good row 2 is listed:\n%s", errs.String())
	}
	if after, _ := db.Fingerprint(ctx); after != before {
		t.Error("a rejected file changed the graph")
	}

	// --skip-bad imports the good row and still lists the bad ones.
	out.Reset()
	errs.Reset()
	if err := run(ctx, []string{"import", "gtd", bad, "--skip-bad", "--batch", "2"}, env(t, nil), &out, &errs); err != nil {
		t.Fatalf("--skip-bad: %v\n%s", err, errs.String())
	}
	if !strings.Contains(out.String(), "imported 1 rows") || !strings.Contains(out.String(), "10 bad rows skipped") {
		t.Errorf("summary: %s", out.String())
	}
	if !strings.Contains(errs.String(), bad+":3: column eventid: ") {
		t.Errorf("--skip-bad did not list the bad rows:\n%s", errs.String())
	}
	es, err := db.FindEntitiesByIDs(ctx, []string{"gtd-202401020001", "gtd-202401010005"})
	if err != nil || len(es) != 1 || es[0].ID != "gtd-202401020001" {
		t.Errorf("imported %v (%v), want only the good row", es, err)
	}

	// The sample imports whole; the summary has the figures.
	out.Reset()
	errs.Reset()
	if err := run(ctx, []string{"import", "--batch=10", "gtd", "../../testdata/gtd/sample.csv"}, env(t, nil), &out, &errs); err != nil {
		t.Fatalf("sample: %v\n%s", err, errs.String())
	}
	for _, want := range []string{"imported 29 rows", "29 incidents", "groups created", "rows/s"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("summary lacks %q: %s", want, out.String())
		}
	}
	if !strings.Contains(errs.String(), "imported 29 of 29 rows") {
		t.Errorf("no progress lines when stderr is not a terminal:\n%s", errs.String())
	}
}

func TestImportGTDUsage(t *testing.T) {
	for _, args := range [][]string{{"import"}, {"import", "acled", "x.csv"}, {"import", "gtd", "a.csv", "b.csv"}, {"import", "gtd", "a.csv", "--batch", "0"}} {
		if err := run(context.Background(), args, env(t, nil), &bytes.Buffer{}, &bytes.Buffer{}); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
	err := run(context.Background(), []string{"import", "gtd", "../../testdata/gtd/missing.csv"}, env(t, nil), &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "missing.csv") {
		t.Errorf("missing file: %v", err)
	}
	// A CSV file named .xlsx is refused before anything is read, naming the file.
	misnamed := filepath.Join(t.TempDir(), "gtd.xlsx")
	data, err := os.ReadFile("../../testdata/gtd/sample.csv")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(misnamed, data, 0o644); err != nil {
		t.Fatal(err)
	}
	err = run(context.Background(), []string{"import", "gtd", misnamed}, env(t, nil), &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), misnamed+": named .xlsx but not an Excel workbook") {
		t.Errorf("a CSV named .xlsx: %v", err)
	}
}
