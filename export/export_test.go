package export_test

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/export"
	"github.com/incidentgraph/incidentgraph/internal/testdb"
	"github.com/incidentgraph/incidentgraph/neo4j"
)

var seedOnce sync.Once

// seededDB returns the test database holding the seed graph, loaded once: these tests only read.
func seededDB(t *testing.T) *neo4j.DB {
	t.Helper()
	db := testdb.MustOpen(t)
	seedOnce.Do(func() { testdb.MustSeed(t, db) })
	return db
}

const (
	isk    = "islamic-state-khorasan-province"
	is     = "islamic-state"
	kabul  = "kabul-airport-bombing-2021"
	moscow = "moscow-concert-hall-attack-2024"
)

func request(t *testing.T, query string) *export.Request {
	t.Helper()
	q, err := url.ParseQuery(query)
	if err != nil {
		t.Fatal(err)
	}
	r, err := export.ParseRequest(q)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return r
}

// exportBytes runs the shipped path: parse the arguments, fetch, look up names, write.
func exportBytes(t *testing.T, db *neo4j.DB, query string) []byte {
	t.Helper()
	r := request(t, query)
	doc, err := export.Build(context.Background(), export.Services{Graph: db, Analyst: db}, r)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	var buf bytes.Buffer
	if err := export.Write(&buf, r.Format, doc); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return buf.Bytes()
}

// attr names an attribute as the format does: capitalised in CSV headers.
func attr(f export.Format, name string) string {
	if f == export.CSV {
		return strings.ToUpper(name[:1]) + name[1:]
	}
	return name
}

// check compares an export with the subgraph the domain service answered: the same node ids,
// the same edge ids (those whose ends are both nodes, as the API's Subgraph has them), each
// edge with its ends, type and provenance, and everything in id order.
func check(f export.Format, p *parsed, g *incidentgraph.Subgraph) error {
	want := map[string]*incidentgraph.Entity{}
	for _, n := range g.Nodes {
		want[n.ID] = n
	}
	wantEdges := map[string]*incidentgraph.Relationship{}
	for _, e := range g.Edges {
		if want[e.FromID] != nil && want[e.ToID] != nil {
			wantEdges[e.ID] = e
		}
	}
	if got, w := keys(p.Nodes), keys(want); !slices.Equal(got, w) {
		return fmt.Errorf("nodes %v, want %v", got, w)
	}
	if got, w := keys(p.Edges), keys(wantEdges); !slices.Equal(got, w) {
		return fmt.Errorf("edges %v, want %v", got, w)
	}
	for id, n := range p.Nodes {
		e := want[id]
		if n.Attrs[attr(f, "kind")] != string(e.Kind) || n.Attrs[attr(f, "label")] != e.Name {
			return fmt.Errorf("node %s: kind %q label %q, want %s %q", id, n.Attrs[attr(f, "kind")], n.Attrs[attr(f, "label")], e.Kind, e.Name)
		}
	}
	for id, got := range p.Edges {
		e := wantEdges[id]
		if got.Source != e.FromID || got.Target != e.ToID {
			return fmt.Errorf("edge %s: %s -> %s, want %s -> %s", id, got.Source, got.Target, e.FromID, e.ToID)
		}
		for name, w := range map[string]string{
			"type": string(e.Type), "status": string(e.Status), "confidence": strconv.Itoa(e.Confidence),
			"assertedById": e.AssertedByID, "validFrom": string(e.ValidFrom), "validTo": string(e.ValidTo),
			"assertedOn": string(e.AssertedOn), "quote": e.Quote,
		} {
			if g := got.Attrs[attr(f, name)]; g != w {
				return fmt.Errorf("edge %s: %s %q, want %q", id, name, g, w)
			}
		}
		ids := got.Attrs[attr(f, "sourceIds")]
		if f == export.Cytoscape {
			ids = strings.NewReplacer(`["`, "", `"]`, "", `","`, " | ", "[]", "").Replace(ids)
		}
		if ids != strings.Join(e.SourceIDs, " | ") {
			return fmt.Errorf("edge %s: sourceIds %q, want %v", id, ids, e.SourceIDs)
		}
		// Provenance on every edge: who asserts it, by name, and on which sources, readable.
		if got.Attrs[attr(f, "assertedBy")] == "" || got.Attrs[attr(f, "status")] == "" ||
			(len(e.SourceIDs) > 0 && len(got.Attrs[attr(f, "sources")]) <= 2) {
			return fmt.Errorf("edge %s lacks provenance: %v", id, got.Attrs)
		}
	}
	var order []string
	for _, id := range keys(want) {
		order = append(order, "n:"+id)
	}
	for _, id := range keys(wantEdges) {
		order = append(order, "e:"+id)
	}
	if !slices.Equal(p.Order, order) {
		return fmt.Errorf("not in id order: %v", p.Order)
	}
	return nil
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// subgraphs are the four kinds of export with the subgraph the domain services answer for each,
// asked directly (not through the export package).
func subgraphs(t *testing.T, db *neo4j.DB) map[string]*incidentgraph.Subgraph {
	t.Helper()
	ctx := context.Background()
	all := incidentgraph.RelationshipFilter{Direction: incidentgraph.Both}
	out := map[string]*incidentgraph.Subgraph{}
	var err error
	if out["of=neighborhood&id="+isk], err = db.Neighborhood(ctx, isk, 1, all, 200); err != nil {
		t.Fatal(err)
	}
	if out["of=path&from="+kabul+"&to="+moscow], err = db.ShortestPath(ctx, kabul, moscow, 6, all); err != nil {
		t.Fatal(err)
	}
	ps, err := db.Paths(ctx, kabul, moscow, 4, 3, all)
	if err != nil || len(ps) < 2 {
		t.Fatalf("paths: %d, %v", len(ps), err)
	}
	union := &incidentgraph.Subgraph{}
	for _, p := range ps {
		union.Nodes = append(union.Nodes, p.Nodes...)
		union.Edges = append(union.Edges, p.Edges...)
	}
	out["of=paths&from="+kabul+"&to="+moscow+"&first=3"] = union
	if out["of=network&id="+is], err = db.AffiliateNetwork(ctx, is, 2, all, 200); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestEveryFormatHoldsExactlyTheSubgraph(t *testing.T) {
	db := seededDB(t)
	subs := subgraphs(t, db)
	queries := keys(subs)
	for _, f := range export.Formats {
		for i, q := range queries {
			t.Run(string(f)+"/"+q, func(t *testing.T) {
				p := parse(t, f, exportBytes(t, db, "format="+string(f)+"&"+q))
				if err := check(f, p, subs[q]); err != nil {
					t.Fatal(err)
				}
				// Negative controls: the oracle fails on another subgraph, and on this one less
				// an edge or a node.
				other := subs[queries[(i+1)%len(queries)]]
				if check(f, p, other) == nil {
					t.Error("check passes against another subgraph")
				}
				g := subs[q]
				less := &incidentgraph.Subgraph{Nodes: g.Nodes, Edges: slices.DeleteFunc(slices.Clone(g.Edges),
					func(e *incidentgraph.Relationship) bool { return e.ID == g.Edges[0].ID })}
				if check(f, p, less) == nil {
					t.Error("check passes with an edge missing")
				}
				fewer := &incidentgraph.Subgraph{Edges: g.Edges, Nodes: slices.DeleteFunc(slices.Clone(g.Nodes),
					func(n *incidentgraph.Entity) bool { return n.ID == g.Nodes[0].ID })}
				if check(f, p, fewer) == nil {
					t.Error("check passes with a node missing")
				}
			})
		}
	}
}

func TestFiltersAndTimeViewReachTheExport(t *testing.T) {
	db := seededDB(t)
	branch := incidentgraph.DefaultRelationshipID(isk, "BRANCH_OF", is, "wikipedia") // confidence 85
	for _, f := range export.Formats {
		base := "format=" + string(f) + "&of=neighborhood&id=" + isk
		all := parse(t, f, exportBytes(t, db, base))
		if _, ok := all.Edges[branch]; !ok {
			t.Fatalf("%s: without a filter the export lacks %s", f, branch)
		}
		sure := parse(t, f, exportBytes(t, db, base+"&minConfidence=86"))
		if _, ok := sure.Edges[branch]; ok {
			t.Errorf("%s: minConfidence=86 kept %s (confidence 85)", f, branch)
		}
		for id, e := range sure.Edges {
			if c, _ := strconv.Atoi(e.Attrs[attr(f, "confidence")]); c < 86 {
				t.Errorf("%s: minConfidence=86 kept %s at %d", f, id, c)
			}
		}
		typed := parse(t, f, exportBytes(t, db, base+"&types=ENEMY_OF,BRANCH_OF&types=AFFILIATE_OF"))
		for id, e := range typed.Edges {
			if ty := e.Attrs[attr(f, "type")]; ty != "ENEMY_OF" && ty != "BRANCH_OF" && ty != "AFFILIATE_OF" {
				t.Errorf("%s: types filter kept %s (%s)", f, id, ty)
			}
		}
		if _, ok := typed.Edges[branch]; !ok || len(typed.Edges) >= len(all.Edges) {
			t.Errorf("%s: types filter: %d of %d edges, BRANCH_OF kept %v", f, len(typed.Edges), len(all.Edges), ok)
		}
		// The Islamic State's network as it held in 2014 has no IS-K (a province from 2015).
		net := "format=" + string(f) + "&of=network&id=" + is
		if _, ok := parse(t, f, exportBytes(t, db, net)).Nodes[isk]; !ok {
			t.Fatalf("%s: the network lacks IS-K", f)
		}
		if _, ok := parse(t, f, exportBytes(t, db, net+"&validAt=2014")).Nodes[isk]; ok {
			t.Errorf("%s: validAt=2014 kept IS-K", f)
		}
	}
}

func TestSameRequestSameBytes(t *testing.T) {
	db := seededDB(t)
	for _, f := range export.Formats {
		q := "format=" + string(f) + "&of=neighborhood&id=" + moscow + "&depth=2"
		a, b := exportBytes(t, db, q), exportBytes(t, db, q)
		if !bytes.Equal(a, b) {
			t.Errorf("%s: two exports of the same request differ", f)
		}
		if c := exportBytes(t, db, q+"&minConfidence=50"); bytes.Equal(a, c) {
			t.Errorf("%s: a narrower request gives the same bytes", f)
		}
	}
}

func TestGraphMLDeclaresTypedKeys(t *testing.T) {
	db := seededDB(t)
	doc, err := decodeGraphML(exportBytes(t, db, "format=graphml&of=neighborhood&id="+kabul))
	if err != nil {
		t.Fatal(err) // also when the root is not graphml in the GraphML namespace
	}
	if doc.Graph.EdgeDefault != "directed" {
		t.Errorf("edgedefault %q", doc.Graph.EdgeDefault)
	}
	types := map[string]string{}
	for _, k := range doc.Keys {
		types[k.For+":"+k.Name] = k.Type
	}
	for key, want := range map[string]string{
		"node:label": "string", "node:kind": "string", "node:name": "string", "node:date": "string",
		"node:latitude": "double", "node:suicide": "boolean", "node:founded": "string",
		"edge:type": "string", "edge:status": "string", "edge:confidence": "int", "edge:assertedBy": "string",
		"edge:sources": "string", "edge:validFrom": "string", "edge:validTo": "string", "edge:assertedOn": "string",
		"edge:quote": "string",
	} {
		if types[key] != want {
			t.Errorf("key %s: attr.type %q, want %q", key, types[key], want)
		}
	}
	p, _ := parseGraphML(exportBytes(t, db, "format=graphml&of=neighborhood&id="+kabul))
	if n := p.Nodes[kabul]; n.Attrs["date"] != "2021-08-26" || n.Attrs["suicide"] != "true" || n.Attrs["kind"] != "INCIDENT" {
		t.Errorf("Kabul: %v", n.Attrs)
	}
	// Negative control: a document in another namespace is refused by the same reader.
	wrong := bytes.Replace(exportBytes(t, db, "format=graphml&of=neighborhood&id="+kabul), []byte("graphml.graphdrawing.org/xmlns\""), []byte("example.org/other\""), 1)
	if _, err := decodeGraphML(wrong); err == nil {
		t.Error("the reader accepts GraphML in another namespace")
	}
}

func TestGEXFIsDynamicWithSpells(t *testing.T) {
	db := seededDB(t)
	b := exportBytes(t, db, "format=gexf&of=neighborhood&id="+isk)
	doc, err := decodeGEXF(b)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Version != "1.3" || doc.Graph.Mode != "dynamic" || doc.Graph.TimeFormat != "date" || doc.Graph.DefaultEdgeType != "directed" {
		t.Errorf("gexf version %q, graph mode %q timeformat %q defaultedgetype %q", doc.Version, doc.Graph.Mode, doc.Graph.TimeFormat, doc.Graph.DefaultEdgeType)
	}
	classes := map[string]map[string]string{}
	for _, as := range doc.Graph.Attributes {
		classes[as.Class] = map[string]string{}
		for _, a := range as.Attributes {
			classes[as.Class][a.Title] = a.Type
		}
	}
	if classes["node"]["kind"] != "string" || classes["edge"]["confidence"] != "integer" || classes["edge"]["assertedBy"] != "string" || classes["edge"]["status"] != "string" {
		t.Errorf("declared attributes: %v", classes)
	}
	p, err := parseGEXF(b)
	if err != nil {
		t.Fatal(err)
	}
	affiliate := incidentgraph.DefaultRelationshipID(isk, "AFFILIATE_OF", is, "associated-press")
	for what, got := range map[string][][2]string{
		"IS-K (founded 2015-01)":            p.Nodes[isk].Spells,
		"AFFILIATE_OF (valid from 2015-01)": p.Edges[affiliate].Spells,
		"Kabul (2021-08-26)":                p.Nodes[kabul].Spells,
	} {
		want := map[string][][2]string{
			"IS-K (founded 2015-01)":            {{"2015-01-01", ""}},
			"AFFILIATE_OF (valid from 2015-01)": {{"2015-01-01", ""}},
			"Kabul (2021-08-26)":                {{"2021-08-26", "2021-08-26"}},
		}[what]
		if !slices.Equal(got, want) {
			t.Errorf("%s: spells %v, want %v", what, got, want)
		}
	}
	if s := p.Nodes["afghanistan"].Spells; s != nil {
		t.Errorf("a country has spells %v; it exists throughout", s)
	}
	// A year widens to its whole span: where the Islamic State operates from 2014.
	net, _ := parseGEXF(exportBytes(t, db, "format=gexf&of=neighborhood&id="+is))
	widened := false
	for _, e := range net.Edges {
		if e.Attrs["validFrom"] == "2014" {
			widened = true
			if !slices.Equal(e.Spells, [][2]string{{"2014-01-01", ""}}) {
				t.Errorf("%s valid from 2014: spells %v", e.ID, e.Spells)
			}
		}
	}
	if !widened {
		t.Error("no edge valid from 2014 around the Islamic State")
	}
}

func TestCSVZip(t *testing.T) {
	db := seededDB(t)
	b := exportBytes(t, db, "format=csv&of=neighborhood&id="+moscow)
	files, names, err := readZip(b)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(names, []string{"nodes.csv", "edges.csv"}) {
		t.Fatalf("zip holds %v", names)
	}
	if h := files["nodes.csv"][0]; !slices.Equal(h[:3], []string{"Id", "Label", "Kind"}) {
		t.Errorf("nodes header %v", h)
	}
	eh := files["edges.csv"][0]
	if !slices.Equal(eh[:4], []string{"Id", "Source", "Target", "Type"}) {
		t.Errorf("edges header %v", eh)
	}
	for _, col := range []string{"Status", "Confidence", "AssertedBy", "Sources", "Quote", "ValidFrom", "ValidTo", "AssertedOn"} {
		if !slices.Contains(eh, col) {
			t.Errorf("edges header lacks %s: %v", col, eh)
		}
	}
	// The claim of the Moscow attack, with its provenance in the row.
	p, _ := parseCSV(b)
	claim := p.Edges[incidentgraph.DefaultRelationshipID(is, "CLAIMED_RESPONSIBILITY_FOR", moscow, is)]
	if claim.Attrs["Status"] != "CLAIMED" || claim.Attrs["Confidence"] != "85" || claim.Attrs["AssertedBy"] == "" || claim.Attrs["Sources"] == "" {
		t.Errorf("the claim: %v", claim.Attrs)
	}
}

func TestCytoscapeShape(t *testing.T) {
	db := seededDB(t)
	p, err := parseCytoscape(exportBytes(t, db, "format=cytoscape&of=path&from="+kabul+"&to="+moscow))
	if err != nil {
		t.Fatal(err)
	}
	for id, e := range p.Edges {
		if _, err := strconv.Atoi(e.Attrs["confidence"]); err != nil || !strings.HasPrefix(e.Attrs["sources"], "[") {
			t.Errorf("edge %s: confidence %q is not a number or sources %q not a list", id, e.Attrs["confidence"], e.Attrs["sources"])
		}
	}
	if len(p.Nodes) != 3 || len(p.Edges) != 2 {
		t.Errorf("Kabul to Moscow: %d nodes, %d edges, want 3 and 2", len(p.Nodes), len(p.Edges))
	}
	if _, err := parseCytoscape([]byte(`{"elements":{"nodes":[{"data":{"id":1}}],"edges":[]}}`)); err == nil {
		t.Error("the reader accepts a numeric id") // its negative control
	}
}

func TestNotFoundAndNoPath(t *testing.T) {
	db := seededDB(t)
	svc := export.Services{Graph: db, Analyst: db}
	for q, want := range map[string]string{
		"format=csv&of=neighborhood&id=no-such-entity":                        `no entity with id "no-such-entity"`,
		"format=csv&of=network&id=no-such-entity":                             `no-such-entity`,
		"format=csv&of=path&from=" + kabul + "&to=no-such-entity":             `no-such-entity`,
		"format=csv&of=paths&from=no-such-entity&to=" + kabul:                 `no-such-entity`,
		"format=csv&of=path&from=" + kabul + "&to=" + moscow + "&maxDepth=1":  "no path",
		"format=csv&of=paths&from=" + kabul + "&to=" + moscow + "&maxDepth=1": "no path",
	} {
		_, err := export.Build(context.Background(), svc, request(t, q))
		if incidentgraph.ErrorCode(err) != incidentgraph.ENOTFOUND || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want NOT_FOUND %q", q, err, want)
		}
	}
}

func TestParseRequest(t *testing.T) {
	r := request(t, "format=gexf&of=network&id="+is)
	if r.Depth != 2 || r.Limit != 200 || r.Filter.Direction != incidentgraph.Both || r.FileName() != "incidentgraph-network-islamic-state.gexf" {
		t.Errorf("network defaults: %+v, %s", r, r.FileName())
	}
	r = request(t, "format=cytoscape&of=paths&from=a&to=b&types=ENEMY_OF,+BRANCH_OF&types=ENEMY_OF&statuses=CLAIMED&minConfidence=40&assertedBy=x&knownAt=2024-03&validAt=2020")
	if r.MaxDepth != 4 || r.First != 5 || r.FileName() != "incidentgraph-paths-a--b.cyjs" ||
		!slices.Equal(r.Filter.Types, []incidentgraph.RelType{"ENEMY_OF", "BRANCH_OF"}) || !slices.Equal(r.Filter.Statuses, []incidentgraph.Status{"CLAIMED"}) ||
		r.Filter.MinConfidence != 40 || r.Filter.AssertedBy != "x" || r.Filter.KnownAt != "2024-03" || r.Filter.ValidAt != "2020" {
		t.Errorf("paths: %+v", r)
	}
	if r := request(t, "format=csv&of=path&from=a&to=b"); r.MaxDepth != 6 || r.FileName() != "incidentgraph-path-a--b.zip" {
		t.Errorf("path: %+v", r)
	}
	if r := request(t, "format=graphml&of=neighborhood&id=a&depth=3&limit=500"); r.Depth != 3 || r.Limit != 500 || r.FileName() != "incidentgraph-neighborhood-a.graphml" {
		t.Errorf("neighborhood: %+v", r)
	}
	if r := request(t, "format=stix&of=all&minConfidence=50"); r.FileName() != "incidentgraph-all.json" || r.Filter.MinConfidence != 50 {
		t.Errorf("all: %+v, %s", r, r.FileName())
	}
	for q, want := range map[string]string{
		"of=neighborhood&id=a":                              "format is required",
		"format=png&of=neighborhood&id=a":                   `format: give one of cytoscape, graphml, gexf, csv, stix, geojson (got "png")`,
		"format=stix&of=all&id=a":                           `unknown argument "id" for of=all`,
		"format=csv":                                        "of is required",
		"format=csv&of=chart&id=a":                          "of: give one of",
		"format=csv&of=neighborhood":                        "id is required",
		"format=csv&of=neighborhood&id=Islamic State":       `id: "Islamic State" is not an entity id`,
		"format=csv&of=neighborhood&id=a&id=b":              "id is given 2 times",
		"format=csv&of=neighborhood&id=a&depth=4":           "depth must be a whole number between 1 and 3",
		"format=csv&of=network&id=a&depth=5":                "depth must be a whole number between 1 and 4",
		"format=csv&of=neighborhood&id=a&depth=two":         "depth must be a whole number",
		"format=csv&of=neighborhood&id=a&limit=501":         "limit must be a whole number between 1 and 500",
		"format=csv&of=path&from=a&to=b&maxDepth=11":        "maxDepth must be a whole number between 1 and 10",
		"format=csv&of=paths&from=a&to=b&maxDepth=7":        "maxDepth must be a whole number between 1 and 6",
		"format=csv&of=paths&from=a&to=b&first=21":          "first must be a whole number between 1 and 20",
		"format=csv&of=path&from=a":                         "to is required",
		"format=csv&of=path&from=a&to=b&depth=2":            `unknown argument "depth" for of=path`,
		"format=csv&of=neighborhood&id=a&maxdepth=2":        `unknown argument "maxdepth"`,
		"format=csv&of=neighborhood&id=a&types=KILLED":      `types: "KILLED" is not a relationship type`,
		"format=csv&of=neighborhood&id=a&statuses=TRUE":     `statuses: "TRUE" is not a status`,
		"format=csv&of=neighborhood&id=a&minConfidence=101": "minConfidence must be a whole number between 0 and 100",
		"format=csv&of=neighborhood&id=a&assertedBy=US":     `assertedBy: "US" is not an entity id`,
		"format=csv&of=neighborhood&id=a&knownAt=2024-13":   "knownAt: ",
		"format=csv&of=neighborhood&id=a&validAt=yesterday": "validAt: ",
	} {
		parsed, _ := url.ParseQuery(q)
		_, err := export.ParseRequest(parsed)
		if incidentgraph.ErrorCode(err) != incidentgraph.EINVALID || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want BAD_USER_INPUT %q", q, err, want)
		}
	}
}
