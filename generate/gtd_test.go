package generate

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/incidentgraph/incidentgraph/gtd"
)

// readGTD reads a file through the importer's reader and returns its incidents and problems.
func readGTD(t *testing.T, data []byte) ([]*gtd.Incident, []error) {
	t.Helper()
	r, err := gtd.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var incs []*gtd.Incident
	var problems []error
	for {
		row, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			problems = append(problems, err)
			continue
		}
		inc, ps := gtd.Parse(row)
		for _, p := range ps {
			problems = append(problems, p)
		}
		if inc != nil {
			incs = append(incs, inc)
		}
	}
	return incs, problems
}

// The importer's reader takes every row, and what it reads adds up to the summary's count of
// the relationships an import makes.
func TestTheImporterReadsEveryRow(t *testing.T) {
	dir, sum := sample(t)
	data, err := os.ReadFile(filepath.Join(dir, CSVFile))
	if err != nil {
		t.Fatal(err)
	}
	incs, problems := readGTD(t, data)
	if len(problems) > 0 {
		t.Fatalf("%d bad rows, the first: %v", len(problems), problems[0])
	}
	if len(incs) != sampleConfig.Incidents {
		t.Fatalf("%d incidents read, want %d", len(incs), sampleConfig.Incidents)
	}
	perps, pairs := 0, map[[2]string]bool{}
	places := map[[3]string]bool{}
	unknownKilled := 0
	for _, inc := range incs {
		perps += len(inc.Perpetrators)
		for _, o := range inc.Related {
			a, b := inc.EventID, o
			if b < a {
				a, b = b, a
			}
			pairs[[2]string{a, b}] = true
		}
		if inc.Province != "" {
			places[[3]string{inc.Country, inc.Province, ""}] = true
			if inc.City != "" {
				places[[3]string{inc.Country, inc.Province, inc.City}] = true
			}
		}
		if inc.Killed == nil {
			unknownKilled++
		}
	}
	if perps != sum.PerpetratorLinks || len(pairs) != sum.RelatedLinks || len(places) != sum.GazetteerLinks ||
		unknownKilled != sum.UnknownKilled {
		t.Errorf("the importer reads %d perpetrator links, %d related pairs, %d places and %d unknown tolls; the summary says %d, %d, %d and %d",
			perps, len(pairs), len(places), unknownKilled, sum.PerpetratorLinks, sum.RelatedLinks, sum.GazetteerLinks, sum.UnknownKilled)
	}

	// A row the codebook does not allow is reported.
	bad := append(bytes.Clone(data), []byte("201401010001,2014,13,1"+string(bytes.Repeat([]byte(","), len(Columns)-4))+"\n")...)
	if _, problems := readGTD(t, bad); len(problems) == 0 {
		t.Error("the importer's reader took a row with month 13")
	}
}
