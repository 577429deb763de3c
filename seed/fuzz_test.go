package seed

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/incidentgraph/incidentgraph"
)

// FuzzRead feeds any bytes as a seed file, beside the valid base file of the validator's tests
// (so that references can resolve and the fuzzer reaches the checks of relationships and
// figures), through Read: the shipped reader and validator. Whatever the bytes, Read must not
// panic, its answer must pass readAnswerFaults, and reading the same files again must give the
// same answer. The seed corpus is in testdata/fuzz/FuzzRead; `go test` runs it as ordinary tests.
func FuzzRead(f *testing.F) {
	f.Add([]byte(rel("")))
	f.Add([]byte(fig("")))
	f.Fuzz(func(t *testing.T, src []byte) {
		fsys := fstest.MapFS{
			"base.yaml": &fstest.MapFile{Data: []byte(base)},
			"t.yaml":    &fstest.MapFile{Data: src},
		}
		lines := map[string]int{
			"base.yaml": strings.Count(base, "\n") + 1,
			"t.yaml":    bytes.Count(src, []byte("\n")) + 1,
		}
		ds, err := Read(fsys)
		for _, fault := range readAnswerFaults(ds, err, lines) {
			t.Error(fault)
		}
		// The answer depends on the files alone (no map order, no state kept between reads).
		ds2, err2 := Read(fsys)
		if !reflect.DeepEqual(ds, ds2) || !reflect.DeepEqual(err, err2) {
			t.Fatalf("two reads of the same files differ:\n%v\n%v", err, err2)
		}
	})
}

// readAnswerFaults is FuzzRead's oracle: Read returns either a dataset or Problems, never both,
// never neither; every problem names one of the files read (lines gives each file's number of
// lines), a line within that file and a reason.
func readAnswerFaults(ds *incidentgraph.Dataset, err error, lines map[string]int) []string {
	if err == nil {
		if ds == nil {
			return []string{"Read returned neither a dataset nor problems"}
		}
		return nil
	}
	var faults []string
	if ds != nil {
		faults = append(faults, "Read returned a dataset along with problems")
	}
	var ps Problems
	if !errors.As(err, &ps) {
		return append(faults, fmt.Sprintf("Read error %v (%T), want Problems", err, err))
	}
	if len(ps) == 0 {
		faults = append(faults, "Read refused with an empty list of problems")
	}
	for _, p := range ps {
		n, ok := lines[p.File]
		if !ok {
			faults = append(faults, fmt.Sprintf("problem %q names no file that was read", p))
		}
		if strings.TrimSpace(p.Reason) == "" {
			faults = append(faults, fmt.Sprintf("problem %q gives no reason", p))
		}
		// yaml reports a few syntax errors (an unknown anchor, an invalid escape) without a line,
		// which the reader cannot then know; every other problem is at a line of its file (or
		// one past the last when the file does not end in a line break: yaml counts the end of
		// input as a line).
		unlocated := p.Line == 0 && strings.HasPrefix(p.Reason, "YAML syntax error")
		if !unlocated && (p.Line < 1 || p.Line > n+1) {
			faults = append(faults, fmt.Sprintf("problem %q: line %d is not a line of %s (it has %d)", p, p.Line, p.File, n))
		}
	}
	return faults
}

// TestReadOracleFindsFaults is the negative control of FuzzRead's oracle: answers that break
// each rule are reported, and the answers of the shipped reader are not.
func TestReadOracleFindsFaults(t *testing.T) {
	lines := map[string]int{"t.yaml": 3}
	ds := &incidentgraph.Dataset{}
	ok := Problems{{File: "t.yaml", Line: 2, Reason: "r"}}
	for _, tc := range []struct {
		name string
		ds   *incidentgraph.Dataset
		err  error
		want string
	}{
		{"neither", nil, nil, "neither a dataset nor problems"},
		{"both", ds, ok, "a dataset along with problems"},
		{"not problems", nil, errors.New("x"), "want Problems"},
		{"empty problems", nil, Problems{}, "empty list"},
		{"unknown file", nil, Problems{{File: "u.yaml", Line: 1, Reason: "r"}}, "names no file"},
		{"no reason", nil, Problems{{File: "t.yaml", Line: 1, Reason: " "}}, "no reason"},
		{"no line", nil, Problems{{File: "t.yaml", Line: 0, Reason: "unknown kind"}}, "line 0 is not a line"},
		{"past the end", nil, Problems{{File: "t.yaml", Line: 5, Reason: "r"}}, "line 5 is not a line"},
	} {
		faults := readAnswerFaults(tc.ds, tc.err, lines)
		if len(faults) == 0 || !strings.Contains(strings.Join(faults, "\n"), tc.want) {
			t.Errorf("%s: faults %q, want one saying %q", tc.name, faults, tc.want)
		}
	}
	if faults := readAnswerFaults(nil, ok, lines); len(faults) > 0 {
		t.Errorf("a good refusal is faulted: %q", faults)
	}
	if faults := readAnswerFaults(ds, nil, lines); len(faults) > 0 {
		t.Errorf("a dataset is faulted: %q", faults)
	}
}
