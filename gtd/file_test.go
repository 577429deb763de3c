package gtd_test

import (
	"encoding/csv"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"

	"github.com/incidentgraph/incidentgraph/gtd"
)

// csvRecords reads a Windows-1252 CSV file with the standard library alone (not the package's
// reader), so that the workbooks below are built independently of what they test.
func csvRecords(t *testing.T, name string) [][]string {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(charmap.Windows1252.NewDecoder().Reader(f))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// cell is a CSV cell as a spreadsheet holds it: a number where it reads as one, as Excel stores
// the GTD's codes, counts, eventids and coordinates; text otherwise.
func cell(s string) any {
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && !strings.ContainsAny(s, "eEnN") {
		return f
	}
	return s
}

// writeWorkbook writes rows to the first sheet of a new workbook; each row starts at the
// spreadsheet row given (1-based), so rows may be left empty in between.
func writeWorkbook(t *testing.T, name string, rows map[int][]string) {
	t.Helper()
	wb := excelize.NewFile()
	defer wb.Close()
	sheet := wb.GetSheetList()[0]
	for n, rec := range rows {
		vals := make([]any, len(rec))
		for i, c := range rec {
			vals[i] = cell(c)
		}
		if err := wb.SetSheetRow(sheet, "A"+strconv.Itoa(n), &vals); err != nil {
			t.Fatal(err)
		}
	}
	// A second sheet, which the reader must not read.
	if _, err := wb.NewSheet("Notes"); err != nil {
		t.Fatal(err)
	}
	if err := wb.SetCellValue("Notes", "A1", "eventid"); err != nil {
		t.Fatal(err)
	}
	if err := wb.SaveAs(name); err != nil {
		t.Fatal(err)
	}
}

func sameNumber(a, b string) bool {
	x, errX := strconv.ParseFloat(a, 64)
	y, errY := strconv.ParseFloat(b, 64)
	return errX == nil && errY == nil && x == y
}

type readRow struct {
	number   int
	cells    map[string]string
	incident *gtd.Incident
	problems []*gtd.Problem
}

// readRows reads a file through the shipped reader (gtd.OpenFile) and parses every row.
func readRows(t *testing.T, name string, header []string) []readRow {
	t.Helper()
	r, err := gtd.OpenFile(name)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out []readRow
	for {
		row, err := r.Next()
		if err == io.EOF {
			return out
		}
		var p *gtd.Problem
		if errors.As(err, &p) {
			out = append(out, readRow{number: p.Row, problems: []*gtd.Problem{p}})
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		cells := map[string]string{}
		for _, h := range header {
			cells[h] = row.Get(h)
		}
		inc, ps := gtd.Parse(row)
		out = append(out, readRow{number: row.Number, cells: cells, incident: inc, problems: ps})
	}
}

// The sample as a workbook reads as the sample as CSV: the same rows, numbered the same, with
// the same cells and the same incidents.
func TestWorkbookReadsAsTheCSV(t *testing.T) {
	const sample = "../testdata/gtd/sample.csv"
	recs := csvRecords(t, sample)
	rows := map[int][]string{}
	for i, rec := range recs {
		rows[i+1] = rec
	}
	book := filepath.Join(t.TempDir(), "sample.xlsx")
	writeWorkbook(t, book, rows)

	fromCSV, fromBook := readRows(t, sample, recs[0]), readRows(t, book, recs[0])
	if len(fromCSV) != 29 || len(fromBook) != len(fromCSV) {
		t.Fatalf("%d rows from the CSV, %d from the workbook; want 29 each", len(fromCSV), len(fromBook))
	}
	for i := range fromCSV {
		c, b := fromCSV[i], fromBook[i]
		if c.number != b.number {
			t.Errorf("row %d of the CSV is row %d of the workbook", c.number, b.number)
		}
		for col, v := range c.cells {
			// A workbook stores numbers, not their text: "34.5660" is 34.566 there.
			if b.cells[col] != v && !sameNumber(b.cells[col], v) {
				t.Errorf("row %d, column %s: %q in the CSV, %q in the workbook", c.number, col, v, b.cells[col])
			}
		}
		if len(c.problems) > 0 || len(b.problems) > 0 {
			t.Errorf("row %d: problems %v (CSV), %v (workbook)", c.number, c.problems, b.problems)
		}
		if !reflect.DeepEqual(c.incident, b.incident) {
			t.Errorf("row %d: the incidents differ:\n CSV      %+v\n workbook %+v", c.number, c.incident, b.incident)
		}
	}
	// The comparison can fail: a workbook with one cell changed reads differently (the
	// negative control).
	changed := rows[2]
	changed = append([]string(nil), changed...)
	for i, h := range recs[0] {
		if h == "nkill" {
			changed[i] = "146"
		}
	}
	rows[2] = changed
	writeWorkbook(t, book, rows)
	if other := readRows(t, book, recs[0]); reflect.DeepEqual(other[0].incident, fromCSV[0].incident) {
		t.Error("a changed nkill reads as the CSV's row")
	}
}

// A bad row of a workbook is reported with the spreadsheet's row number and the column: rows
// left empty count, as they do in Excel.
func TestWorkbookBadRowPointsAtTheSpreadsheetRow(t *testing.T) {
	recs := csvRecords(t, "../testdata/gtd/sample.csv")
	header, good := recs[0], recs[1]
	bad := append([]string(nil), recs[2]...)
	col := -1
	for i, h := range header {
		if h == "iday" {
			col = i
		}
	}
	bad[col] = "45"
	book := filepath.Join(t.TempDir(), "bad.xlsx")
	writeWorkbook(t, book, map[int][]string{1: header, 2: good, 7: bad})
	got := readRows(t, book, header)
	if len(got) != 2 || got[0].number != 2 || len(got[0].problems) != 0 {
		t.Fatalf("rows %+v, want row 2 good and one more", got)
	}
	if got[1].number != 7 || len(got[1].problems) != 1 {
		t.Fatalf("the bad row: number %d, problems %v; want row 7 with one problem", got[1].number, got[1].problems)
	}
	if p := got[1].problems[0]; p.Row != 7 || p.Column != "iday" || !strings.Contains(p.Error(), "7: column iday: ") {
		t.Errorf("problem %+v (%v), want row 7, column iday", p, p)
	}
}

// The name chooses the format and the first bytes must agree with it.
func TestMisnamedFilesAreClearErrors(t *testing.T) {
	dir := t.TempDir()
	book := filepath.Join(dir, "gtd.xlsx")
	writeWorkbook(t, book, map[int][]string{1: gtd.Required})
	data, err := os.ReadFile(book)
	if err != nil {
		t.Fatal(err)
	}
	csvText, err := os.ReadFile("../testdata/gtd/sample.csv")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"workbook.csv", data, "name a workbook .xlsx"},
		{"sample.xlsx", csvText, "not an Excel workbook"},
		{"old.xls", []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0}, "(.xls), which is not read"},
		{"empty.xlsx", nil, "not an Excel workbook"},
	} {
		name := filepath.Join(dir, c.name)
		if err := os.WriteFile(name, c.data, 0o644); err != nil {
			t.Fatal(err)
		}
		r, err := gtd.OpenFile(name)
		if err == nil {
			r.Close()
			t.Errorf("%s: read without an error", c.name)
		} else if !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
	// Named right, both open (the negative control): the workbook, and the CSV as .csv.
	for _, name := range []string{book, "../testdata/gtd/sample.csv"} {
		r, err := gtd.OpenFile(name)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		r.Close()
	}
}
