package export_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/export"
	"github.com/incidentgraph/incidentgraph/neo4j"
	"github.com/incidentgraph/incidentgraph/stix"
)

// wholeBytes runs of=all through the shipped path with the store as its WholeGraph service.
func wholeBytes(t *testing.T, db *neo4j.DB, query string) []byte {
	t.Helper()
	r := request(t, query)
	doc, err := export.Build(context.Background(), export.Services{Graph: db, Analyst: db, Whole: db}, r)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	var buf strings.Builder
	if err := export.Write(&buf, r.Format, doc); err != nil {
		t.Fatal(err)
	}
	return []byte(buf.String())
}

func TestWholeGraphExport(t *testing.T) {
	db := seededDB(t)
	ctx := context.Background()
	entities, relationships, _, err := db.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range export.Formats {
		p := parse(t, f, wholeBytes(t, db, "format="+string(f)+"&of=all"))
		if len(p.Nodes) != entities || len(p.Edges) != relationships {
			t.Errorf("%s: %d nodes and %d edges, the graph holds %d and %d", f, len(p.Nodes), len(p.Edges), entities, relationships)
		}
		// A filter narrows the relationships, never the entities.
		sure := parse(t, f, wholeBytes(t, db, "format="+string(f)+"&of=all&minConfidence=90"))
		if len(sure.Nodes) != entities || len(sure.Edges) >= relationships || len(sure.Edges) == 0 {
			t.Errorf("%s: minConfidence=90: %d nodes, %d edges", f, len(sure.Nodes), len(sure.Edges))
		}
	}
	// Past its bounds the store refuses, whichever is passed, and says what to do.
	all := incidentgraph.RelationshipFilter{Direction: incidentgraph.Both}
	for _, c := range []struct {
		nodes, edges int
		want         string
	}{
		{entities - 1, relationships, "entities, more than the"},
		{entities, relationships - 1, "relationships that pass these filters"},
	} {
		_, err := db.WholeGraph(ctx, all, c.nodes, c.edges)
		if incidentgraph.ErrorCode(err) != incidentgraph.EINVALID || !strings.Contains(err.Error(), c.want) {
			t.Errorf("bounds %d, %d: %v, want BAD_USER_INPUT %q", c.nodes, c.edges, err, c.want)
		}
	}
	// Control: at exactly the graph's size it answers.
	if g, err := db.WholeGraph(ctx, all, entities, relationships); err != nil || len(g.Nodes) != entities || len(g.Edges) != relationships {
		t.Errorf("at the graph's size: %v", err)
	}
	// Without a WholeGraph service of=all is an internal error, not a silent empty file.
	_, err = export.Build(ctx, export.Services{Graph: db, Analyst: db}, request(t, "format=csv&of=all"))
	if err == nil || incidentgraph.ErrorCode(err) != incidentgraph.EINTERNAL {
		t.Errorf("of=all without a service: %v", err)
	}
}

// The STIX bundle carries what the other formats leave out: figures with their history, the
// sources of entities as reports, and the asserting parties outside the subgraph.
func TestSTIXCarriesFiguresSourcesAndParties(t *testing.T) {
	db := seededDB(t)
	b := exportBytes(t, db, "format=stix&of=neighborhood&id="+moscow)
	var bundle struct {
		Objects []map[string]any `json:"objects"`
	}
	if err := json.Unmarshal(b, &bundle); err != nil {
		t.Fatal(err)
	}
	objects := map[string]map[string]any{}
	for _, o := range bundle.Objects {
		objects[o["id"].(string)] = o
	}
	attack := objects[stix.ID("incident", moscow)]
	x := attack["extensions"].(map[string]any)[stix.ExtensionID].(map[string]any)
	killed := map[float64]bool{}
	for _, f := range x["figures"].([]any) {
		if f := f.(map[string]any); f["metric"] == "KILLED" {
			killed[f["value"].(float64)] = true
			if ref, _ := f["asserted_by_ref"].(string); ref != "" && objects[ref] == nil {
				t.Errorf("figure %v: its party %s is not in the bundle", f["id"], ref)
			}
		}
	}
	if !killed[133] || !killed[145] {
		t.Errorf("the Moscow attack's KILLED figures: %v, want 133 and 145", killed)
	}
	// The AP explainer, cited by the attack and by many of its relationships, is a report of them.
	report := objects[stix.ID("report", "ap-2024-03-23-moscow-attack-explainer")]
	if report == nil || len(report["object_refs"].([]any)) < 5 {
		t.Fatalf("the AP explainer's report: %v", report)
	}
	// Every reference resolves within the bundle.
	for _, o := range bundle.Objects {
		for k, v := range o {
			if ref, ok := v.(string); ok && strings.HasSuffix(k, "_ref") && objects[ref] == nil {
				t.Errorf("%s: %s %s is not in the bundle", o["id"], k, ref)
			}
			if refs, ok := v.([]any); ok && strings.HasSuffix(k, "_refs") {
				for _, r := range refs {
					if objects[r.(string)] == nil {
						t.Errorf("%s: %s names %s, not in the bundle", o["id"], k, r)
					}
				}
			}
		}
	}
	// Control: the other formats carry no figures.
	if strings.Contains(string(exportBytes(t, db, "format=cytoscape&of=neighborhood&id="+moscow)), "AT_LEAST") {
		t.Error("cytoscape carries figures")
	}
}
