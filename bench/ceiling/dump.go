package ceiling

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// Manifest describes a dump: its files and what they hold. It is written beside them as
// manifest.json.
type Manifest struct {
	Nodes         []File // one per label set
	Relationships []File // one per relationship type
	// NodeCount, RelationshipCount and Properties are what the files hold; EmptyLists are the
	// properties of the graph left out because they are lists the CSV format cannot write:
	// empty ones, and string lists holding an empty string (Properties does not count them).
	NodeCount, RelationshipCount, Properties, EmptyLists int64
	// Multiline says a field holds a line break: the importer then needs --multiline-fields.
	Multiline   bool
	DumpSeconds float64 // both passes over the graph and the writing of the files
}

// File is one CSV file of a dump, its header on its first line.
type File struct {
	Path  string
	Group string // the label set (labels joined by ':') or the relationship type
	Rows  int64
}

// manifestName is the manifest's file name in a dump's directory.
const manifestName = "manifest.json"

// The passes over the graph. The first learns each label set's and each relationship type's
// property keys and value types, so that every file's header is known before its first row;
// the second streams the graph. Nodes are named by their element ids, which the importer maps
// as string ids, as it would a user's own keys.
const (
	nodeTypes = `MATCH (n) UNWIND keys(n) AS k
		RETURN labels(n) AS group, k, collect(DISTINCT valueType(n[k])) AS types`
	relTypes = `MATCH ()-[r]->() UNWIND keys(r) AS k
		RETURN type(r) AS group, k, collect(DISTINCT valueType(r[k])) AS types`
	nodeRows = `MATCH (n) RETURN elementId(n) AS id, labels(n) AS labels, properties(n) AS props`
	relRows  = `MATCH (a)-[r]->(b) RETURN elementId(a) AS start, elementId(b) AS end, type(r) AS type, properties(r) AS props`
)

// Dump writes the graph in the database d reaches to neo4j-admin's CSV format in dir (created
// if missing), with manifest.json, and returns the manifest.
func Dump(ctx context.Context, d driver.DriverWithContext, dir string) (*Manifest, error) {
	start := time.Now()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	s := d.NewSession(ctx, driver.SessionConfig{AccessMode: driver.AccessModeRead})
	defer s.Close(ctx)
	m := &Manifest{}
	nodes := &dumper{dir: abs, prefix: "nodes", isNodes: true, m: m}
	rels := &dumper{dir: abs, prefix: "relationships", m: m}
	for _, p := range []struct {
		dumper *dumper
		cypher string
	}{{nodes, nodeTypes}, {rels, relTypes}} {
		if err := p.dumper.learn(ctx, s, p.cypher); err != nil {
			return nil, err
		}
	}
	if err := nodes.write(ctx, s, nodeRows); err != nil {
		return nil, err
	}
	if err := rels.write(ctx, s, relRows); err != nil {
		return nil, err
	}
	m.Nodes, m.Relationships = nodes.files(), rels.files()
	m.DumpSeconds = time.Since(start).Seconds()
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(abs, manifestName), b, 0o644); err != nil {
		return nil, err
	}
	return m, nil
}

// ReadManifest reads the manifest of the dump in dir.
func ReadManifest(dir string) (*Manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, manifestName))
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, manifestName), err)
	}
	return &m, nil
}

// dumper writes the nodes (or the relationships) of a dump, a file per group.
type dumper struct {
	dir, prefix string
	isNodes     bool
	m           *Manifest
	types       map[string]map[string]string // group -> key -> header type
	groups      map[string]*group
	order       []string
}

type group struct {
	file  File
	cols  []column
	f     *os.File
	w     *bufio.Writer
	field []string // the row being written, reused
}

func groupName(v any) (string, error) {
	switch g := v.(type) {
	case string:
		return g, nil
	case []any:
		labels := make([]string, len(g))
		for i, l := range g {
			s, ok := l.(string)
			if !ok {
				return "", fmt.Errorf("a label of type %T", l)
			}
			labels[i] = s
		}
		slices.Sort(labels)
		return strings.Join(labels, ":"), nil
	}
	return "", fmt.Errorf("a group of type %T", v)
}

func (d *dumper) learn(ctx context.Context, s driver.SessionWithContext, cypher string) error {
	d.types = map[string]map[string]string{}
	res, err := s.Run(ctx, cypher, nil)
	if err != nil {
		return err
	}
	for res.Next(ctx) {
		rec := res.Record().AsMap()
		g, err := groupName(rec["group"])
		if err != nil {
			return err
		}
		k, _ := rec["k"].(string)
		if d.types[g] == nil {
			d.types[g] = map[string]string{}
		}
		ts, _ := rec["types"].([]any)
		for _, vt := range ts {
			s, _ := vt.(string)
			ht, err := headerType(s)
			if err == nil {
				ht, err = mergeTypes(d.types[g][k], ht)
			}
			if err != nil {
				return fmt.Errorf("%s %s, property %s: %w", d.prefix, g, k, err)
			}
			d.types[g][k] = ht
		}
	}
	return res.Err()
}

// open starts the file of group g with its header.
func (d *dumper) open(g string) (*group, error) {
	cols := sortedColumns(d.types[g])
	h, err := headerLine(d.isNodes, cols)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", d.prefix, g, err)
	}
	path := filepath.Join(d.dir, fmt.Sprintf("%s-%03d.csv", d.prefix, len(d.order)))
	// The importer splits its --nodes and --relationships values on commas.
	if strings.Contains(path, ",") {
		return nil, fmt.Errorf("the dump's path %q holds a comma, which the importer's options cannot", path)
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	gr := &group{file: File{Path: path, Group: g}, cols: cols, f: f, w: bufio.NewWriterSize(f, 1<<20)}
	gr.w.WriteString(h + "\n")
	if d.groups == nil {
		d.groups = map[string]*group{}
	}
	d.groups[g] = gr
	d.order = append(d.order, g)
	return gr, nil
}

func (d *dumper) write(ctx context.Context, s driver.SessionWithContext, cypher string) (err error) {
	defer func() {
		for _, g := range d.order {
			gr := d.groups[g]
			if ferr := gr.w.Flush(); err == nil {
				err = ferr
			}
			if cerr := gr.f.Close(); err == nil {
				err = cerr
			}
		}
	}()
	res, err := s.Run(ctx, cypher, nil)
	if err != nil {
		return err
	}
	for res.Next(ctx) {
		if err := d.row(res.Record().AsMap()); err != nil {
			return err
		}
	}
	return res.Err()
}

// row writes one node or relationship to its group's file.
func (d *dumper) row(rec map[string]any) error {
	var name string
	var lead []string
	if d.isNodes {
		labels, _ := rec["labels"].([]any)
		g, err := groupName(labels)
		if err != nil {
			return err
		}
		ls := strings.Split(g, ":")
		if g == "" {
			ls = nil
		}
		lf, err := labelsField(ls)
		if err != nil {
			return err
		}
		name, lead = g, []string{quote(rec["id"].(string)), lf}
		d.m.NodeCount++
	} else {
		name = rec["type"].(string)
		lead = []string{quote(rec["start"].(string)), quote(rec["end"].(string)), quote(name)}
		d.m.RelationshipCount++
	}
	gr := d.groups[name]
	if gr == nil {
		var err error
		if gr, err = d.open(name); err != nil {
			return err
		}
	}
	props, _ := rec["props"].(map[string]any)
	gr.field = append(gr.field[:0], lead...)
	used := 0
	for _, c := range gr.cols {
		v, ok := props[c.Key]
		if !ok {
			gr.field = append(gr.field, "")
			continue
		}
		used++
		f, empty, err := fieldOf(c.Type, v)
		if err != nil {
			return fmt.Errorf("%s %s, property %s: %w", d.prefix, name, c.Key, err)
		}
		switch {
		case empty:
			d.m.EmptyLists++
		default:
			d.m.Properties++
		}
		if strings.ContainsAny(f, "\r\n") {
			d.m.Multiline = true
		}
		gr.field = append(gr.field, f)
	}
	if used != len(props) {
		return fmt.Errorf("%s %s: a property the first pass did not see (the graph changed during the dump)", d.prefix, name)
	}
	gr.file.Rows++
	_, err := gr.w.WriteString(strings.Join(gr.field, ",") + "\n")
	return err
}

func (d *dumper) files() []File {
	out := make([]File, 0, len(d.order))
	for _, g := range d.order {
		out = append(out, d.groups[g].file)
	}
	return out
}
