package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/incidentgraph/incidentgraph/internal/testdb"
)

// withBadCell returns a copy of a GTD CSV file with one cell of data row n (1 for the first
// row after the header) replaced, and the file line that row starts on.
func withBadCell(t *testing.T, data []byte, n int, column, value string) ([]byte, int) {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(data))
	header, err := r.Read()
	if err != nil {
		t.Fatal(err)
	}
	col := slices.Index(header, column)
	if col < 0 {
		t.Fatalf("no column %s in %v", column, header)
	}
	for i := 1; ; i++ {
		rec, err := r.Read()
		if err == io.EOF {
			t.Fatalf("the file has %d data rows, fewer than %d", i-1, n)
		}
		if err != nil {
			t.Fatal(err)
		}
		if i != n {
			continue
		}
		line, _ := r.FieldPos(0)
		// Replace the cell on the row's own line: the cells up to it hold no quotes (checked),
		// so they end at the first commas.
		lines := strings.SplitAfter(string(data), "\n")
		cells := strings.SplitN(lines[line-1], ",", col+2)
		if len(cells) != col+2 || cells[col] != rec[col] || strings.Contains(strings.Join(cells[:col+1], ","), `"`) {
			t.Fatalf("row %d does not start on line %d with plain cells: %q", n, line, lines[line-1])
		}
		cells[col] = value
		lines[line-1] = strings.Join(cells, ",")
		return []byte(strings.Join(lines, "")), line
	}
}

// TestImportGTDChecksAManyChunkFileBeforeWritingAny: the README's "the whole file is checked
// first", on a file of 120 rows written in 6 chunks of 20 whose only bad row is the 115th, in
// the last chunk: the import refuses it naming the file, the line and the reason, and nothing
// is written (the first five chunks' rows, all good, included). Control: the same file with
// that cell as generated imports, in six chunks, and changes the graph.
func TestImportGTDChecksAManyChunkFileBeforeWritingAny(t *testing.T) {
	ctx := context.Background()
	db := testdb.MustOpen(t)
	testdb.MustSeed(t, db)
	dir := t.TempDir()
	var out, errs bytes.Buffer
	if err := run(ctx, []string{"generate", "--seed", "7", "--incidents", "120", "--groups", "10", "--out", dir}, noEnv, &out, &errs); err != nil {
		t.Fatalf("generate: %v\n%s", err, errs.String())
	}
	good, err := os.ReadFile(filepath.Join(dir, "gtd.csv"))
	if err != nil {
		t.Fatal(err)
	}
	badData, line := withBadCell(t, good, 115, "imonth", "13")
	if line != 116 {
		t.Fatalf("row 115 starts on line %d, want 116 (one line per row after the header)", line)
	}
	bad := filepath.Join(dir, "late-bad-row.csv")
	if err := os.WriteFile(bad, badData, 0o644); err != nil {
		t.Fatal(err)
	}
	before, err := db.Fingerprint(ctx)
	if err != nil {
		t.Fatal(err)
	}

	out.Reset()
	errs.Reset()
	err = run(ctx, []string{"import", "gtd", bad, "--batch", "20"}, env(t, nil), &out, &errs)
	if err == nil || !strings.Contains(err.Error(), bad+": 1 bad row(s); nothing imported") {
		t.Fatalf("a file with a bad row in its last chunk: %v", err)
	}
	want := fmt.Sprintf("%s:%d: column imonth: %q is not a month", bad, line, "13")
	listed := strings.Split(strings.TrimSpace(errs.String()), "\n")
	if len(listed) != 1 || !strings.HasPrefix(listed[0], want) {
		t.Errorf("stderr lists %q, want the one line %q…", listed, want)
	}
	if strings.Contains(errs.String(), "imported ") {
		t.Errorf("the refused import reported progress:\n%s", errs.String())
	}
	if after, err := db.Fingerprint(ctx); err != nil || after != before {
		t.Fatalf("a file refused for a row in its last chunk changed the graph (err %v)", err)
	}

	// Control: the file as generated, the one cell back, imports, chunk by chunk.
	fixed := filepath.Join(dir, "fixed.csv")
	if err := os.WriteFile(fixed, good, 0o644); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	errs.Reset()
	if err := run(ctx, []string{"import", "gtd", fixed, "--batch", "20"}, env(t, nil), &out, &errs); err != nil {
		t.Fatalf("the fixed file: %v\n%s", err, errs.String())
	}
	if !strings.Contains(out.String(), "imported 120 rows") || !strings.Contains(out.String(), "0 bad rows skipped") {
		t.Errorf("summary: %s", out.String())
	}
	for rows := 20; rows <= 120; rows += 20 {
		if !strings.Contains(errs.String(), fmt.Sprintf("imported %d of 120 rows", rows)) {
			t.Errorf("no progress line after %d rows: the file was not written in chunks of 20:\n%s", rows, errs.String())
		}
	}
	if after, err := db.Fingerprint(ctx); err != nil || after == before {
		t.Errorf("the fixed file's import left the graph as it was (err %v)", err)
	}
}
