package export

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"io"
	"strings"
	"time"
)

// CSV: one zip holding nodes.csv and edges.csv (UTF-8, comma-separated, a header row). The
// headers are the plain names link-chart importers look for: Id and Label for nodes (Gephi's
// spreadsheet import, Linkurious, i2's import specifications), Id, Source, Target and Label for
// edges, then every attribute capitalised (Kind, Status, Confidence, AssertedBy, Sources,
// Quote, ValidFrom, ValidTo, AssertedOn, …). Lists (aliases, sources) are joined with " | ".
//
// Every file in the zip carries the same fixed modification time, so the archive is the same,
// byte for byte, whenever it is made.

// zipTime is the modification time of the files in the zip: fixed, not now.
var zipTime = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

func header(name string) string { return strings.ToUpper(name[:1]) + name[1:] }

func writeCSV(w io.Writer, d *Document) error {
	nodes := [][]string{{"Id", "Label", "Kind"}}
	for _, a := range nodeAttrs {
		nodes[0] = append(nodes[0], header(a.name))
	}
	for _, n := range d.Nodes {
		row := []string{n.ID, label(n), string(n.Kind)}
		for _, a := range nodeAttrs {
			v, _ := a.value(n)
			row = append(row, v)
		}
		nodes = append(nodes, row)
	}
	// "Type" is the relationship type; "Label" repeats it for tools that caption edges by label.
	edges := [][]string{{"Id", "Source", "Target"}}
	for _, a := range edgeAttrs {
		edges[0] = append(edges[0], header(a.name))
		if a.name == "type" {
			edges[0] = append(edges[0], "Label")
		}
	}
	for _, r := range d.Edges {
		row := []string{r.ID, r.FromID, r.ToID}
		for _, a := range edgeAttrs {
			v, _ := a.value(r, d)
			row = append(row, v)
			if a.name == "type" {
				row = append(row, v)
			}
		}
		edges = append(edges, row)
	}

	z := zip.NewWriter(w)
	for _, f := range []struct {
		name string
		rows [][]string
	}{{"nodes.csv", nodes}, {"edges.csv", edges}} {
		var buf bytes.Buffer
		cw := csv.NewWriter(&buf)
		if err := cw.WriteAll(f.rows); err != nil {
			return err
		}
		fw, err := z.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: zipTime})
		if err != nil {
			return err
		}
		if _, err := fw.Write(buf.Bytes()); err != nil {
			return err
		}
	}
	return z.Close()
}
