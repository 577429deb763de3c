package gtd_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/incidentgraph/incidentgraph/gtd"
)

// sampleHeader is the header of the sample in GTD layout: the codebook's columns that Parse reads.
func sampleHeader(tb testing.TB) string {
	tb.Helper()
	data, err := os.ReadFile("../testdata/gtd/sample.csv")
	if err != nil {
		tb.Fatal(err)
	}
	header, _, _ := bytes.Cut(data, []byte("\n"))
	return strings.TrimSpace(string(header))
}

// FuzzParse reads any bytes as a GTD CSV file through the shipped reader and row parser. They
// must never panic, and every answer must pass gtdFaults: refusals carry their row (the line
// it starts on), the column at fault (one the codebook names, or none for the row as a whole)
// and a reason; an incident is what its row says. The seed corpus is in testdata/fuzz/FuzzParse;
// `go test` runs it as ordinary tests.
func FuzzParse(f *testing.F) {
	header := sampleHeader(f)
	columns := map[string]bool{"": true}
	for _, c := range strings.Split(header, ",") {
		columns[c] = true
	}
	f.Add([]byte(header + "\n202403220001,2024,3,22,167,Russia,Moscow Oblast,Krasnogorsk,55.8,37.4,1,0,0,,1,0,2,Armed Assault,,1,,5,,ISIL,,,0,,,1,1,0,145,551,AP,,,START\n"))
	f.Fuzz(func(t *testing.T, file []byte) {
		lines := bytes.Count(file, []byte("\n")) + 1
		r, err := gtd.NewReader(bytes.NewReader(file))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "line 1: ") {
				t.Errorf("a refused header does not say where: %v", err)
			}
			return
		}
		for range 200 { // enough rows for any interesting input; a fuzzed file is small
			row, err := r.Next()
			if err == io.EOF {
				return
			}
			var p *gtd.Problem
			if errors.As(err, &p) {
				for _, fault := range gtdFaults(lines, columns, 0, nil, []*gtd.Problem{p}) {
					t.Error(fault)
				}
				continue
			}
			if err != nil {
				t.Fatalf("row error that is not a *gtd.Problem: %v", err)
			}
			inc, ps := gtd.Parse(row)
			for _, fault := range gtdFaults(lines, columns, row.Number, inc, ps) {
				t.Error(fault)
			}
		}
	})
}

var twelveDigits = regexp.MustCompile(`^\d{12}$`)

// gtdFaults is FuzzParse's oracle for one row (number rowNo, 0 for a row the CSV syntax could
// not split) of a file of lines lines: Parse gives an incident or problems, not both, not
// neither; each problem has the row's number (within the file), a column of columns ("" for
// the row as a whole) and a reason; an incident's id, event id and row are the row's.
func gtdFaults(lines int, columns map[string]bool, rowNo int, inc *gtd.Incident, ps []*gtd.Problem) []string {
	var faults []string
	if rowNo > 0 && (inc == nil) == (len(ps) == 0) {
		faults = append(faults, fmt.Sprintf("row %d: incident %v with %d problems", rowNo, inc != nil, len(ps)))
	}
	for _, p := range ps {
		if p.Row < 1 || p.Row > lines || rowNo > 0 && p.Row != rowNo {
			faults = append(faults, fmt.Sprintf("problem %q: row %d is not the row read (%d) in a file of %d lines", p, p.Row, rowNo, lines))
		}
		if !columns[p.Column] {
			faults = append(faults, fmt.Sprintf("problem %q: column %q is not a column of the GTD", p, p.Column))
		}
		if strings.TrimSpace(p.Reason) == "" {
			faults = append(faults, fmt.Sprintf("problem %q gives no reason", p))
		}
	}
	if inc != nil {
		if !twelveDigits.MatchString(inc.EventID) || inc.Entity == nil || inc.Entity.ID != "gtd-"+inc.EventID || inc.Row != rowNo {
			faults = append(faults, fmt.Sprintf("row %d: incident %q (row %d) is not the row's", rowNo, inc.EventID, inc.Row))
		}
		for _, n := range []*int{inc.Killed, inc.Wounded} {
			if n != nil && *n < 0 {
				faults = append(faults, fmt.Sprintf("row %d: a negative toll %d", rowNo, *n))
			}
		}
	}
	return faults
}

// TestParseOracleFindsFaults is the negative control of FuzzParse's oracle: answers that break
// each rule are reported, and a good one is not.
func TestParseOracleFindsFaults(t *testing.T) {
	columns := map[string]bool{"": true, "iday": true}
	inc := func(id string, row int) *gtd.Incident {
		r, err := gtd.NewReader(strings.NewReader("eventid,iyear,imonth,iday,country_txt,gname\n" + id + ",2024,3,22,Russia,Unknown\n"))
		if err != nil {
			t.Fatal(err)
		}
		rw, err := r.Next()
		if err != nil {
			t.Fatal(err)
		}
		got, ps := gtd.Parse(rw)
		if len(ps) > 0 {
			t.Fatal(ps)
		}
		got.Row = row
		return got
	}
	good := inc("202403220001", 2)
	if faults := gtdFaults(3, columns, 2, good, nil); len(faults) > 0 {
		t.Fatalf("a good incident is faulted: %q", faults)
	}
	bad := *good
	killed := -1
	bad.Killed = &killed
	for _, tc := range []struct {
		name  string
		rowNo int
		inc   *gtd.Incident
		ps    []*gtd.Problem
		want  string
	}{
		{"neither", 2, nil, nil, "incident false with 0 problems"},
		{"both", 2, good, []*gtd.Problem{{Row: 2, Column: "iday", Reason: "r"}}, "incident true with 1 problems"},
		{"other row", 2, nil, []*gtd.Problem{{Row: 3, Column: "iday", Reason: "r"}}, "not the row read"},
		{"no row", 0, nil, []*gtd.Problem{{Row: 0, Reason: "r"}}, "not the row read"},
		{"unknown column", 2, nil, []*gtd.Problem{{Row: 2, Column: "nope", Reason: "r"}}, "not a column"},
		{"no reason", 2, nil, []*gtd.Problem{{Row: 2, Column: "iday"}}, "no reason"},
		{"wrong row of incident", 3, inc("202403220001", 2), nil, "is not the row's"},
		{"negative toll", 2, &bad, nil, "negative toll"},
	} {
		faults := gtdFaults(3, columns, tc.rowNo, tc.inc, tc.ps)
		if !strings.Contains(strings.Join(faults, "\n"), tc.want) {
			t.Errorf("%s: faults %q, want one saying %q", tc.name, faults, tc.want)
		}
	}
}
