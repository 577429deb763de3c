package export_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/export"
)

// cytoscapeData writes d as Cytoscape JSON and returns each element's data by id.
func cytoscapeData(t *testing.T, d *export.Document) map[string]map[string]any {
	t.Helper()
	var b bytes.Buffer
	if err := export.Write(&b, export.Cytoscape, d); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Elements struct {
			Nodes, Edges []struct {
				Data map[string]any `json:"data"`
			}
		} `json:"elements"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]any{}
	for _, e := range append(doc.Elements.Nodes, doc.Elements.Edges...) {
		out[e.Data["id"].(string)] = e.Data
	}
	return out
}

// TestExportProvenanceText: the asserting party by name, by id when the graph does not name it;
// each source cited with what is known of it (publisher, date, URL) and by id when unknown;
// coordinates to their last digit; booleans as booleans; an empty alias list left out.
func TestExportProvenanceText(t *testing.T) {
	lat, lon := 55.82567, 37.38722
	attack := &incidentgraph.Entity{ID: "attack", Kind: incidentgraph.KindIncident, Name: "Attack", Suicide: true}
	venue := &incidentgraph.Entity{ID: "venue", Kind: incidentgraph.KindPlace, Name: "Venue", Latitude: &lat, Longitude: &lon}
	group := &incidentgraph.Entity{ID: "group", Kind: incidentgraph.KindOrganization, Name: "Group", Aliases: []string{"G"}}
	named := map[string]*incidentgraph.Entity{
		"ap":       {ID: "ap", Kind: incidentgraph.KindOrganization, Name: "The Associated Press"},
		"nameless": {ID: "nameless", Kind: incidentgraph.KindOrganization},
		"full":     {ID: "full", Kind: incidentgraph.KindSource, Name: "Report", Publisher: "AP", Published: "2024-03-23", URL: "https://example.org/r"},
		"bare":     {ID: "bare", Kind: incidentgraph.KindSource, Name: "Bare"},
		"dated":    {ID: "dated", Kind: incidentgraph.KindSource, Name: "Dated", Published: "2024"},
		"pub":      {ID: "pub", Kind: incidentgraph.KindSource, Name: "Pub", Publisher: "P"},
	}
	for _, e := range []*incidentgraph.Entity{attack, venue, group} {
		named[e.ID] = e
	}
	edge := func(id, party string, sources ...string) *incidentgraph.Relationship {
		return &incidentgraph.Relationship{ID: id, Type: "OCCURRED_AT", FromID: "attack", ToID: "venue", Status: "REPORTED",
			Confidence: 80, AssertedByID: party, SourceIDs: sources}
	}
	d := &export.Document{Name: "t", Nodes: []*incidentgraph.Entity{attack, venue, group},
		Edges: []*incidentgraph.Relationship{edge("e1", "ap", "full", "bare"), edge("e2", "nameless", "dated", "pub"), edge("e3", "ghost", "unknown")},
		Named: named}
	data := cytoscapeData(t, d)

	for id, want := range map[string]string{"e1": "The Associated Press", "e2": "nameless", "e3": "ghost"} {
		if got := data[id]["assertedBy"]; got != want {
			t.Errorf("%s: assertedBy %v, want %q", id, got, want)
		}
	}
	for id, want := range map[string][]string{
		"e1": {"Report (AP, 2024-03-23) https://example.org/r", "Bare"},
		"e2": {"Dated (2024)", "Pub (P)"},
		"e3": {"unknown"},
	} {
		var got []string
		for _, s := range data[id]["sources"].([]any) {
			got = append(got, s.(string))
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: sources %q, want %q", id, got, want)
		}
	}
	if data["venue"]["latitude"] != lat || data["venue"]["longitude"] != lon {
		t.Errorf("coordinates %v, %v, want %v, %v", data["venue"]["latitude"], data["venue"]["longitude"], lat, lon)
	}
	if data["attack"]["suicide"] != true {
		t.Errorf("suicide %v, want true", data["attack"]["suicide"])
	}
	if _, ok := data["attack"]["aliases"]; ok {
		t.Errorf("an entity without aliases has aliases %v", data["attack"]["aliases"])
	}
	if a, ok := data["group"]["aliases"].([]any); !ok || len(a) != 1 || a[0] != "G" {
		t.Errorf("aliases %v, want [G]", data["group"]["aliases"])
	}
}

// TestBoundsBelowTheLowest: a number under an argument's lowest value is refused like one over
// its highest.
func TestBoundsBelowTheLowest(t *testing.T) {
	for query, want := range map[string]string{
		"format=csv&of=neighborhood&id=a&depth=0":          "depth must be a whole number between 1 and 3",
		"format=csv&of=neighborhood&id=a&limit=0":          "limit must be a whole number between 1 and",
		"format=csv&of=neighborhood&id=a&minConfidence=-1": "minConfidence must be a whole number between 0 and 100",
	} {
		q, _ := url.ParseQuery(query)
		if _, err := export.ParseRequest(q); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", query, err, want)
		}
	}
	if _, err := export.ParseRequest(url.Values{"format": {"csv"}, "of": {"neighborhood"}, "id": {"a"}, "depth": {"1"}, "limit": {"1"}, "minConfidence": {"0"}}); err != nil {
		t.Errorf("the lowest values: %v", err)
	}
}

// recordingFinder is the real store, recording the ids NewDocument asks it for.
type recordingFinder struct {
	export.EntityFinder
	asked []string
}

func (f *recordingFinder) FindEntitiesByIDs(ctx context.Context, ids []string) ([]*incidentgraph.Entity, error) {
	f.asked = append(f.asked, ids...)
	return f.EntityFinder.FindEntitiesByIDs(ctx, ids)
}

// TestNewDocumentLooksUpOnlyWhatIsMissing: the asserting parties and sources that are not among
// the nodes are looked up, each once; those among the nodes and empty ids are not.
func TestNewDocumentLooksUpOnlyWhatIsMissing(t *testing.T) {
	db := seededDB(t)
	node := func(id string) *incidentgraph.Entity { return &incidentgraph.Entity{ID: id, Name: id} }
	g := &incidentgraph.Subgraph{
		Nodes: []*incidentgraph.Entity{node(isk), node(is), node("united-states")},
		Edges: []*incidentgraph.Relationship{
			{ID: "e1", FromID: isk, ToID: is, AssertedByID: "united-states", SourceIDs: []string{"ap-2024-03-23-moscow-attack-explainer", is}},
			{ID: "e2", FromID: is, ToID: isk, AssertedByID: "", SourceIDs: []string{"ap-2024-03-23-moscow-attack-explainer"}},
		},
	}
	f := &recordingFinder{EntityFinder: db}
	d, err := export.NewDocument(context.Background(), f, "t", g)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"ap-2024-03-23-moscow-attack-explainer"}; !slices.Equal(f.asked, want) {
		t.Errorf("looked up %q, want %q", f.asked, want)
	}
	if src := d.Named["ap-2024-03-23-moscow-attack-explainer"]; src == nil || src.Kind != incidentgraph.KindSource {
		t.Errorf("the source was not looked up: %+v", src)
	}
	if d.Named["united-states"].Name != "united-states" {
		t.Errorf("a node was replaced by a lookup: %+v", d.Named["united-states"])
	}
}

// TestGEXFSpellsAndGraphMLEnd: an edge with neither validFrom nor validTo has no spell, one with
// only one of them has a spell open at the other end; the GraphML file ends with a line break.
func TestGEXFSpellsAndGraphMLEnd(t *testing.T) {
	a := &incidentgraph.Entity{ID: "a", Kind: incidentgraph.KindOrganization, Name: "A"}
	b := &incidentgraph.Entity{ID: "b", Kind: incidentgraph.KindOrganization, Name: "B"}
	edge := func(id string, from, to incidentgraph.PartialDate) *incidentgraph.Relationship {
		return &incidentgraph.Relationship{ID: id, Type: "AFFILIATE_OF", FromID: "a", ToID: "b", Status: "REPORTED",
			Confidence: 80, AssertedByID: "a", SourceIDs: []string{"a"}, ValidFrom: from, ValidTo: to}
	}
	d := &export.Document{Name: "t", Nodes: []*incidentgraph.Entity{a, b},
		Edges: []*incidentgraph.Relationship{edge("always", "", ""), edge("until", "", "2019-03"), edge("since", "2015", "")},
		Named: map[string]*incidentgraph.Entity{"a": a, "b": b}}
	var buf bytes.Buffer
	if err := export.Write(&buf, export.GEXF, d); err != nil {
		t.Fatal(err)
	}
	p := parse(t, export.GEXF, buf.Bytes())
	want := map[string][][2]string{"always": nil, "until": {{"", "2019-03-31"}}, "since": {{"2015-01-01", ""}}}
	if len(p.Edges) != len(want) {
		t.Fatalf("%d edges, want %d", len(p.Edges), len(want))
	}
	for _, e := range p.Edges {
		if w, ok := want[e.ID]; !ok || !slices.Equal(e.Spells, w) {
			t.Errorf("edge %s: spells %q, want %q", e.ID, e.Spells, w)
		}
	}
	buf.Reset()
	if err := export.Write(&buf, export.GraphML, d); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasSuffix(buf.Bytes(), []byte("</graphml>\n")) {
		t.Errorf("GraphML ends %q", buf.Bytes()[max(0, buf.Len()-20):])
	}
}

// recordingGraph is the real store, recording the subjects AddFigures asks figures of.
type recordingGraph struct {
	incidentgraph.GraphService
	subjects []string
}

func (g *recordingGraph) FindFigures(ctx context.Context, ids []string, tv incidentgraph.TimeView) (map[string][]*incidentgraph.Figure, error) {
	g.subjects = append(g.subjects, ids...)
	return g.GraphService.FindFigures(ctx, ids, tv)
}

// TestAddFiguresAsksOfIncidentsAndEvents: figures are asked of the document's incidents and
// events, each once, in the nodes' order, and of nothing else (organizations and places hold
// none); the control is the organization and the place among the nodes, which must not be
// asked.
func TestAddFiguresAsksOfIncidentsAndEvents(t *testing.T) {
	db := seededDB(t)
	const event = "moscow-attack-detentions-2024"
	node := func(id string, k incidentgraph.Kind) *incidentgraph.Entity {
		return &incidentgraph.Entity{ID: id, Kind: k, Name: id}
	}
	g := &incidentgraph.Subgraph{Nodes: []*incidentgraph.Entity{
		node(kabul, incidentgraph.KindIncident), node(event, incidentgraph.KindEvent),
		node(is, incidentgraph.KindOrganization), node("khorasan", incidentgraph.KindPlace),
	}}
	d, err := export.NewDocument(context.Background(), db, "t", g)
	if err != nil {
		t.Fatal(err)
	}
	rg := &recordingGraph{GraphService: db}
	if err := d.AddFigures(context.Background(), rg, incidentgraph.TimeView{}); err != nil {
		t.Fatal(err)
	}
	want := []string{kabul, event}
	slices.Sort(want)
	if !slices.Equal(rg.subjects, want) {
		t.Errorf("figures asked of %q, want %q", rg.subjects, want)
	}
	if len(d.Figures[kabul]) == 0 {
		t.Errorf("the Kabul bombing's figures were not added")
	}
}
