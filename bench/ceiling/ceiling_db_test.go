package ceiling

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/incidentgraph/incidentgraph/internal/testdb"
)

// probe adds to the seed graph what the seed does not hold: the awkward strings, a node of two
// labels beside the usual ones, one without labels, lists of every kind, relationship
// properties of each type.
const probe = `CREATE (a:CeilingProbe:Second {s: $s, q: '"', e: '',
		u: 'ünïcödé € 東京', a: ['x;y', 'z,w', 'semi;colon'], n: [1, -2], f: 0.1, g: 1.0 / 3, b: true, none: [],
		at: datetime('2026-12-07T17:00:00.123456789Z'), off: datetime('2024-03-22T20:00:00+03:00')})
	CREATE (b {plain: 1})
	CREATE (a)-[:CEILING_PROBE {w: -1, s: '', l: [true, false], d: 2.5}]->(b)
	CREATE (b)-[:CEILING_PROBE]->(a)`

// The bulk importer's copy of a graph holds the same nodes and relationships, with the same
// labels, types and properties (empty lists left out and counted), as the graph dumped.
func TestAdminImportCopiesTheGraph(t *testing.T) {
	ctx := context.Background()
	db := testdb.MustOpen(t)
	testdb.MustSeed(t, db)
	src := testdb.Driver(t)
	probeParams := map[string]any{"s": "he said \"hi\", ok\nnext line\r\nand a third"}
	if _, err := driver.ExecuteQuery(ctx, src, probe, probeParams, driver.EagerResultTransformer); err != nil {
		t.Fatal(err)
	}

	dir := filepath.Join(t.TempDir(), "dump")
	m, err := Dump(ctx, src, dir)
	if err != nil {
		t.Fatal(err)
	}
	if !m.Multiline {
		t.Error("the probe's line break is not noted: the importer would read it without --multiline-fields")
	}
	if m2, err := ReadManifest(dir); err != nil || m2.NodeCount != m.NodeCount || len(m2.Relationships) != len(m.Relationships) {
		t.Errorf("manifest.json reads back as %+v, %v", m2, err)
	}

	script, err := filepath.Abs("../../scripts/neo4j.sh")
	if err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	bolt, http := freePort(t), freePort(t)
	env := []string{"NEO4J_HOME_DIR=" + home, "NEO4J_HEAP=512m", "NEO4J_PAGECACHE=64m",
		"NEO4J_BOLT_PORT=" + bolt, "NEO4J_HTTP_PORT=" + http, "NEO4J_PASSWORD=ceiling-test"}
	opts := ImportOptions{Script: script, Env: env, OffHeap: "256m"}
	r, err := Import(ctx, m, opts)
	if err != nil {
		t.Fatal(err)
	}
	if r.Nodes != m.NodeCount || r.Relationships != m.RelationshipCount || r.EmptyLists != m.EmptyLists || r.ImportSeconds <= 0 {
		t.Errorf("result %+v for manifest %+v", r, m)
	}
	// Import's own check: a dump that claims one node more fails it, though the importer ran.
	tampered := *m
	tampered.NodeCount++
	if _, err := Import(ctx, &tampered, opts); err == nil || !strings.Contains(err.Error(), "the importer wrote") {
		t.Errorf("a dump of one node more passed the count check: %v", err)
	}

	neo4jsh := func(cmd string) {
		c := exec.Command(script, cmd)
		c.Env = append(os.Environ(), env...)
		if out, err := c.CombinedOutput(); err != nil {
			t.Fatalf("neo4j.sh %s: %v\n%s", cmd, err, out)
		}
	}
	neo4jsh("start")
	t.Cleanup(func() { neo4jsh("stop") })
	dst, err := driver.NewDriverWithContext("bolt://127.0.0.1:"+bolt, driver.BasicAuth("neo4j", "ceiling-test", ""))
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close(ctx)

	want, dropped := fingerprint(t, src, true)
	got, _ := fingerprint(t, dst, false)
	if want.nodes != int64(len(got.node)) || want.rels != int64(len(got.rel)) {
		t.Errorf("the copy has %d nodes and %d relationships; the source %d and %d", len(got.node), len(got.rel), want.nodes, want.rels)
	}
	if m.NodeCount != want.nodes || m.RelationshipCount != want.rels {
		t.Errorf("the dump counted %d nodes, %d relationships; the source has %d, %d", m.NodeCount, m.RelationshipCount, want.nodes, want.rels)
	}
	if dropped != m.EmptyLists || dropped == 0 {
		t.Errorf("the source has %d empty lists, the dump left out %d", dropped, m.EmptyLists)
	}
	for _, d := range diffGraphs(want, got) {
		t.Error(d)
	}

	// The comparison sees a changed property and an extra node in the copy.
	for _, change := range []string{
		`MATCH (n:CeilingProbe) SET n.f = 0.2`,
		`CREATE (:CeilingProbe {extra: true})`,
	} {
		if _, err := driver.ExecuteQuery(ctx, dst, change, nil, driver.EagerResultTransformer); err != nil {
			t.Fatal(err)
		}
		changed, _ := fingerprint(t, dst, false)
		if len(diffGraphs(want, changed)) == 0 {
			t.Errorf("%s: the copies compare equal", change)
		}
	}
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return fmt.Sprint(l.Addr().(*net.TCPAddr).Port)
}

// graphPrint is a graph as sorted canonical strings: a node is its labels and properties, a
// relationship its type, properties and its two nodes'.
type graphPrint struct {
	node, rel   []string
	nodes, rels int64
}

// fingerprint reads the graph d reaches. With dropEmpty the empty-list properties are left out
// (the CSV format cannot write them) and counted.
func fingerprint(t *testing.T, d driver.DriverWithContext, dropEmpty bool) (graphPrint, int64) {
	t.Helper()
	ctx := context.Background()
	var g graphPrint
	var dropped int64
	canon := func(head any, props map[string]any) string {
		for k, v := range props {
			if l, ok := v.([]any); ok && (len(l) == 0 || slices.Contains(l, any(""))) && dropEmpty {
				delete(props, k)
				dropped++
			}
		}
		b, err := json.Marshal([]any{head, props}) // map keys sorted
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	res, err := driver.ExecuteQuery(ctx, d, `MATCH (n) RETURN elementId(n) AS id, labels(n) AS l, properties(n) AS p`, nil, driver.EagerResultTransformer)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]string{}
	for _, rec := range res.Records {
		m := rec.AsMap()
		labels := []string{}
		for _, l := range m["l"].([]any) {
			labels = append(labels, l.(string))
		}
		sort.Strings(labels)
		c := canon(labels, m["p"].(map[string]any))
		byID[m["id"].(string)] = c
		g.node = append(g.node, c)
	}
	res, err = driver.ExecuteQuery(ctx, d, `MATCH (a)-[r]->(b) RETURN elementId(a) AS a, elementId(b) AS b, type(r) AS t, properties(r) AS p`, nil, driver.EagerResultTransformer)
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range res.Records {
		m := rec.AsMap()
		g.rel = append(g.rel, canon([]string{m["t"].(string), byID[m["a"].(string)], byID[m["b"].(string)]}, m["p"].(map[string]any)))
	}
	sort.Strings(g.node)
	sort.Strings(g.rel)
	g.nodes, g.rels = int64(len(g.node)), int64(len(g.rel))
	return g, dropped
}

// diffGraphs lists what one graph holds and the other does not (at most a few of each).
func diffGraphs(a, b graphPrint) []string {
	var out []string
	for _, p := range []struct {
		what string
		a, b []string
	}{{"node", a.node, b.node}, {"relationship", a.rel, b.rel}} {
		count := map[string]int{}
		for _, s := range p.a {
			count[s]++
		}
		for _, s := range p.b {
			count[s]--
		}
		keys := make([]string, 0, len(count))
		for s, n := range count {
			if n != 0 {
				keys = append(keys, s)
			}
		}
		sort.Strings(keys)
		for i, s := range keys {
			if i == 5 {
				out = append(out, fmt.Sprintf("… and %d more %ss differ", len(keys)-5, p.what))
				break
			}
			side := "only in the source"
			if count[s] < 0 {
				side = "only in the copy"
			}
			out = append(out, fmt.Sprintf("%s %s: %s", p.what, side, s))
		}
	}
	return out
}
