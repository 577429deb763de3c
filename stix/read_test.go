package stix_test

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/stix"
)

// graphOf turns what Read made of one of our bundles back into the graph the export writes:
// the grouping's objects are the nodes, the rest of the entities are named.
func graphOf(t *testing.T, raw []byte, im *stix.Imported) *stix.Graph {
	t.Helper()
	b := decode(t, raw)
	var grouping map[string]any
	for _, o := range b.Objects {
		if o["type"] == "grouping" {
			grouping = o
		}
	}
	if grouping == nil {
		t.Fatal("no grouping")
	}
	refs := strs(grouping["object_refs"])
	g := &stix.Graph{Name: grouping["name"].(string), Truncated: ext(grouping)["truncated"] == true,
		Named: map[string]*incidentgraph.Entity{}, Figures: map[string][]*incidentgraph.Figure{}}
	for _, e := range im.Batch.Entities {
		if slices.Contains(refs, stix.ID(stix.ObjectType(e), e.ID)) {
			g.Nodes = append(g.Nodes, e)
		} else {
			g.Named[e.ID] = e
		}
	}
	g.Edges = im.Batch.Relationships
	for _, f := range im.Batch.Figures {
		g.Figures[f.SubjectID] = append(g.Figures[f.SubjectID], f)
	}
	return g
}

func mustRead(t *testing.T, raw []byte, opts stix.ReadOptions) *stix.Imported {
	t.Helper()
	im, err := stix.Read(raw, opts)
	if err != nil {
		if ie, ok := incidentgraph.AsInputError(err); ok {
			t.Fatalf("%v: %v", err, ie.Problems)
		}
		t.Fatal(err)
	}
	return im
}

// Our bundle reads back into the very items it was made of, and they export as the same bytes.
func TestReadRestoresOurBundle(t *testing.T) {
	g := fixture()
	raw := mustBundle(t, g)
	im := mustRead(t, raw, stix.ReadOptions{})
	want := map[string]*incidentgraph.Entity{}
	for _, e := range append(slices.Clone(g.Nodes), g.Named["wiki-crocus"]) {
		want[e.ID] = e
	}
	got := map[string]*incidentgraph.Entity{}
	for _, e := range im.Batch.Entities {
		got[e.ID] = e
	}
	if err := sameItems(got, want); err != nil {
		t.Error(err)
	}
	wantRels, gotRels := map[string]*incidentgraph.Relationship{}, map[string]*incidentgraph.Relationship{}
	for _, r := range g.Edges {
		wantRels[r.ID] = r
	}
	for _, r := range im.Batch.Relationships {
		gotRels[r.ID] = r
	}
	if err := sameItems(gotRels, wantRels); err != nil {
		t.Error(err)
	}
	if len(im.Batch.Figures) != 2 || len(im.NotHeld) != 0 {
		t.Errorf("figures %d, not held %v", len(im.Batch.Figures), im.NotHeld)
	}
	// Everything the export derives is counted, nothing is an entity.
	wantDerived := map[string]int{"extension-definition": 1, "producer": 1, "export": 1, "asserting-party": 3,
		"asserting-party-link": 3, "denial": 1, "dispute": 1}
	if !reflect.DeepEqual(im.Derived, wantDerived) {
		t.Errorf("derived %v, want %v", im.Derived, wantDerived)
	}
	if again := mustBundle(t, graphOf(t, raw, im)); !bytes.Equal(again, raw) {
		t.Errorf("export → read → export differs:\n%s", firstDiff(raw, again))
	}

	// Controls: a bundle that lost a quote, or a retraction kept only in the extension, does
	// not export as the same bytes.
	for name, mod := range map[string]func(b *bundle){
		"quote": func(b *bundle) { delete(ext(b.byID(stix.ID("relationship", g.Edges[0].ID))), "quote") },
		"kind of event": func(b *bundle) {
			ext(b.byID(stix.ID("incident", "detentions")))["event_type"] = "STATEMENT"
		},
		"an alias's language": func(b *bundle) { delete(ext(b.byID(stix.ID("threat-actor", "islamic-state"))), "alias_details") },
	} {
		b := decode(t, raw)
		mod(b)
		lossy, _ := json.Marshal(b)
		im := mustRead(t, lossy, stix.ReadOptions{})
		if bytes.Equal(mustBundle(t, graphOf(t, lossy, im)), raw) {
			t.Errorf("control %s: the round trip misses the change", name)
		}
	}
}

// A retraction travels in the extension and reads back with its party, time and reason.
func TestReadRestoresARetraction(t *testing.T) {
	g := fixture()
	at := stix.Epoch.AddDate(54, 0, 0)
	g.Edges[5].Retraction = &incidentgraph.Retraction{By: "curator", At: at, Reason: "withdrawn by its source"}
	raw := mustBundle(t, g)
	im := mustRead(t, raw, stix.ReadOptions{})
	for _, r := range im.Batch.Relationships {
		if r.ID == g.Edges[5].ID {
			if !reflect.DeepEqual(r.Retraction, g.Edges[5].Retraction) {
				t.Errorf("retraction %+v, want %+v", r.Retraction, g.Edges[5].Retraction)
			}
			if !bytes.Equal(mustBundle(t, graphOf(t, raw, im)), raw) {
				t.Error("a retracted relationship does not survive the round trip")
			}
			return
		}
	}
	t.Fatal("the retracted relationship is not read")
}

func firstDiff(a, b []byte) string {
	la, lb := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := range min(len(la), len(lb)) {
		if la[i] != lb[i] {
			return "line " + la[i] + "\n  vs " + lb[i]
		}
	}
	return "lengths differ"
}

func readFixture(t *testing.T, name string, mod func(objects []map[string]any)) *stix.Imported {
	t.Helper()
	raw, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	if mod != nil {
		raw = rewrite(t, raw, mod)
	}
	return mustRead(t, raw, stix.ReadOptions{Name: name})
}

// rewrite changes a bundle's objects: the tests' variants of a fixture.
func rewrite(t *testing.T, raw []byte, mod func(objects []map[string]any)) []byte {
	t.Helper()
	var b map[string]any
	if err := json.Unmarshal(raw, &b); err != nil {
		t.Fatal(err)
	}
	var objects []map[string]any
	for _, o := range b["objects"].([]any) {
		objects = append(objects, o.(map[string]any))
	}
	mod(objects)
	out, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func entity(im *stix.Imported, id string) *incidentgraph.Entity {
	for _, e := range im.Batch.Entities {
		if e.ID == id {
			return e
		}
	}
	return nil
}

func relationship(im *stix.Imported, id string) *incidentgraph.Relationship {
	for _, r := range im.Batch.Relationships {
		if r.ID == id {
			return r
		}
	}
	return nil
}

const (
	octiOrg     = "identity-434ebbd0-dd64-4401-b847-e1cf1627dddf"
	octiAnalyst = "identity-26e8ebe9-46e1-412a-898d-8c52061f5124"
	octiGroup   = "intrusion-set-30221995-ac79-4321-a3cb-492d8e0b445c"
	octiReport  = "report-6fa5b2ce-a5ca-4789-884d-6c345d750ef9"
	octiBundle  = "stix-bundle-e1d229fc-882b-4f40-bb49-5c9da3918ebe"
	mispBundle  = "stix-bundle-068993a6-92c0-49a0-8bbc-e7cf12c06aff"
)

// An OpenCTI bundle: its objects through the export's table read backwards, each relationship
// with its party, sources and confidence, what the graph does not hold counted.
func TestReadOpenCTIBundle(t *testing.T) {
	im := readFixture(t, "opencti-bundle.json", nil)
	for id, want := range map[string]func(e *incidentgraph.Entity) bool{
		octiOrg:     func(e *incidentgraph.Entity) bool { return e.Kind == "ORGANIZATION" && e.OrgType == "OTHER" },
		octiAnalyst: func(e *incidentgraph.Entity) bool { return e.Kind == "PERSON" && e.Role == "analyst" },
		octiGroup: func(e *incidentgraph.Entity) bool {
			return e.Kind == "ORGANIZATION" && e.OrgType == "MILITANT_GROUP" && reflect.DeepEqual(e.Aliases, []string{"NRB", "Ridge Brigade"}) &&
				slices.Contains(e.SourceIDs, octiReport)
		},
		"location-e3de3a11-c0a5-413b-b5e0-70a86d2710ab": func(e *incidentgraph.Entity) bool { return e.Kind == "COUNTRY" && e.ISO2 == "ML" },
		"location-746d0ae7-b0af-4a08-8c7c-a7298165f1f0": func(e *incidentgraph.Entity) bool {
			return e.Kind == "PLACE" && e.PlaceType == "CITY" && e.CountryCode == "ML" && *e.Latitude == 16.27
		},
		"incident-618f31d4-569c-470c-8a8f-d9eba3cb600b": func(e *incidentgraph.Entity) bool {
			return e.Kind == "INCIDENT" && e.Date == "2024-02-10" && e.Outcome == "SUCCESSFUL"
		},
		octiReport: func(e *incidentgraph.Entity) bool {
			return e.Kind == "SOURCE" && e.Publisher == "Sahel Watch Desk (fixture)" && e.Published == "2024-03-01" &&
				e.URL == "https://example.org/sahel-watch/q1"
		},
		octiBundle: func(e *incidentgraph.Entity) bool {
			return e.Kind == "SOURCE" && e.SourceType == "DATASET" && e.Name == "STIX bundle opencti-bundle.json"
		},
	} {
		if e := entity(im, id); e == nil || !want(e) {
			t.Errorf("%s read as %+v", id, e)
		}
	}
	for _, c := range []struct {
		id, typ, by string
		sources     []string
		confidence  int
		note        string
	}{
		// Its external reference and the report that contains it are its sources.
		{"relationship-278a1cf4-d98c-4648-b2ae-50b91a549a64", "TARGETED", octiOrg, []string{"", octiReport}, 70, "The brigade targets the town's markets."},
		// No reference: the report that contains it; the analyst asserts it.
		{"relationship-6514a394-d650-41bd-ae40-7dddab3d03f2", "ATTRIBUTED_TO", octiAnalyst, []string{octiReport}, 60, ""},
		// In no report, no reference: the bundle is its source.
		{"relationship-8b0a8620-f925-4d8f-b465-d7f30cab9bbe", "ORIGINATED_FROM", octiOrg, []string{octiBundle}, 50, ""},
		// STIX suggests no located-at from an incident: RELATED_TO, the STIX type in the note.
		{"relationship-a5aae36d-15cf-4bc3-a13f-2596ab247124", "RELATED_TO", octiOrg, []string{octiBundle}, 90, "(STIX relationship_type located-at)"},
	} {
		r := relationship(im, c.id)
		if r == nil {
			t.Errorf("%s not read", c.id)
			continue
		}
		sources := slices.Clone(r.SourceIDs)
		if len(sources) > 0 && strings.HasPrefix(sources[0], "reference-") {
			if s := entity(im, sources[0]); s == nil || s.Publisher != "Local radio (fixture)" || s.URL != "https://example.org/radio/gao-markets" {
				t.Errorf("%s: reference source %+v", c.id, s)
			}
			sources[0] = ""
		}
		if string(r.Type) != c.typ || r.AssertedByID != c.by || !reflect.DeepEqual(sources, c.sources) || r.Confidence != c.confidence ||
			r.Note != c.note || r.Status != "REPORTED" {
			t.Errorf("%s read as %s by %s from %v, confidence %d, note %q, %s", c.id, r.Type, r.AssertedByID, r.SourceIDs, r.Confidence, r.Note, r.Status)
		}
	}
	wantNotHeld := map[string]int{"indicator": 1, "malware": 1, "marking-definition": 1, "relationship with indicator": 1, "relationship with malware": 1}
	if !reflect.DeepEqual(im.NotHeld, wantNotHeld) || len(im.Batch.Relationships) != 4 {
		t.Errorf("not held %v (want %v), %d relationships", im.NotHeld, wantNotHeld, len(im.Batch.Relationships))
	}
	if im.Custom["x_opencti_id"] != 13 || im.Custom["x_opencti_location_type"] != 2 {
		t.Errorf("custom properties %v", im.Custom)
	}
	if entity(im, octiBundle+"-author") != nil {
		t.Error("an unnamed author although every relationship names its creator")
	}

	// Controls: without its creator a relationship is asserted by the bundle's unnamed author;
	// a revoked one is RETRACTED; without its reference, the report alone is its source.
	im = readFixture(t, "opencti-bundle.json", func(objects []map[string]any) {
		delete(objects[12], "created_by_ref")
		objects[11]["revoked"] = true
		delete(objects[10], "external_references")
	})
	if r := relationship(im, "relationship-8b0a8620-f925-4d8f-b465-d7f30cab9bbe"); r.AssertedByID != octiBundle+"-author" {
		t.Errorf("no creator: asserted by %s", r.AssertedByID)
	}
	if r := relationship(im, "relationship-6514a394-d650-41bd-ae40-7dddab3d03f2"); r.Status != "RETRACTED" {
		t.Errorf("revoked: %s", r.Status)
	}
	if r := relationship(im, "relationship-278a1cf4-d98c-4648-b2ae-50b91a549a64"); !reflect.DeepEqual(r.SourceIDs, []string{octiReport}) {
		t.Errorf("no reference: sources %v", r.SourceIDs)
	}
}

// A MISP bundle: the event is a report whose objects cite it; the attributes, observables and
// custom objects the graph does not hold are counted.
func TestReadMISPBundle(t *testing.T) {
	im := readFixture(t, "misp-bundle.json", nil)
	report := "report-2db45182-464a-4bd7-9a68-4b7d52aa5c98"
	org := "identity-e0060497-fed6-4d08-a524-d57670c963ea"
	if e := entity(im, "threat-actor-db148356-6af2-4726-80d4-39e4e8503625"); e == nil || e.OrgType != "MILITANT_GROUP" ||
		!reflect.DeepEqual(e.SourceIDs, []string{report}) {
		t.Errorf("threat actor %+v", e)
	}
	if e := entity(im, "location-8583f3b8-5401-48f4-a668-be903c3bc6be"); e == nil || e.Kind != "COUNTRY" || e.ISO2 != "NE" {
		t.Errorf("country %+v", e)
	}
	if e := entity(im, report); e == nil || e.Publisher != "Example CERT (fixture)" || e.Published != "2024-04-03" {
		t.Errorf("event %+v", e)
	}
	r := relationship(im, "relationship-dd23422d-2f0b-4676-88c5-6a6664b4e138")
	if r == nil || r.Type != "TARGETED" || r.AssertedByID != org || !reflect.DeepEqual(r.SourceIDs, []string{report}) || r.Confidence != 0 {
		t.Errorf("targets %+v", r)
	}
	r = relationship(im, "relationship-121a74e4-cef3-4abd-9ce5-dec71657c398")
	if r == nil || r.Type != "RELATED_TO" || r.AssertedByID != mispBundle+"-author" || !reflect.DeepEqual(r.SourceIDs, []string{mispBundle}) {
		t.Errorf("an unsourced relationship %+v", r)
	}
	if a := entity(im, mispBundle+"-author"); a == nil || a.Kind != "ORGANIZATION" {
		t.Errorf("the bundle's unnamed author %+v", a)
	}
	wantNotHeld := map[string]int{"indicator": 1, "observed-data": 1, "ipv4-addr": 1, "x-misp-attribute": 1, "marking-definition": 1}
	if !reflect.DeepEqual(im.NotHeld, wantNotHeld) {
		t.Errorf("not held %v, want %v", im.NotHeld, wantNotHeld)
	}
	if im.Custom["x_misp_comment"] != 1 {
		t.Errorf("custom %v", im.Custom)
	}
	// Control: the same relationship inside the event has the event as source and its creator
	// as party.
	im = readFixture(t, "misp-bundle.json", func(objects []map[string]any) {
		objects[1]["object_refs"] = append(objects[1]["object_refs"].([]any), "relationship--121a74e4-cef3-4abd-9ce5-dec71657c398")
	})
	if r := relationship(im, "relationship-121a74e4-cef3-4abd-9ce5-dec71657c398"); r.AssertedByID != org || !reflect.DeepEqual(r.SourceIDs, []string{report}) {
		t.Errorf("inside the event: by %s from %v", r.AssertedByID, r.SourceIDs)
	}
}

// Reading the same bundle twice gives the same batch: ids come from STIX ids, not from chance.
func TestReadIsDeterministic(t *testing.T) {
	a, b := readFixture(t, "opencti-bundle.json", nil), readFixture(t, "opencti-bundle.json", nil)
	if !reflect.DeepEqual(a, b) {
		t.Error("two reads of a bundle differ")
	}
	// Control: another bundle id gives another bundle source.
	c := readFixture(t, "opencti-bundle.json", func(objects []map[string]any) {})
	raw, _ := os.ReadFile("testdata/opencti-bundle.json")
	raw = bytes.Replace(raw, []byte("bundle--e1d229fc"), []byte("bundle--f1d229fc"), 1)
	d := mustRead(t, raw, stix.ReadOptions{Name: "opencti-bundle.json"})
	if !reflect.DeepEqual(a, c) || reflect.DeepEqual(a, d) {
		t.Error("the bundle id does not name the bundle's source")
	}
}

func TestReadReportsProgress(t *testing.T) {
	raw, _ := os.ReadFile("testdata/opencti-bundle.json")
	var calls [][2]int
	mustRead(t, raw, stix.ReadOptions{Progress: func(done, total int) { calls = append(calls, [2]int{done, total}) }})
	if len(calls) != 16 || calls[15] != [2]int{16, 16} {
		t.Errorf("progress %v", calls)
	}
	for i := 1; i < len(calls); i++ {
		if calls[i][0] <= calls[i-1][0] {
			t.Errorf("progress goes back: %v", calls)
		}
	}
}

// A party that is not a node and not an identity (a state that asserts, outside the subgraph)
// is only in the bundle as the identity it asserts through: that identity carries it whole, so
// that it reads back and exports again as the same bytes.
func TestReadRestoresAPartyThatIsNotANode(t *testing.T) {
	g := fixture()
	var russia *incidentgraph.Entity
	g.Nodes = slices.DeleteFunc(g.Nodes, func(e *incidentgraph.Entity) bool {
		if e.ID == "russia" {
			russia = e
		}
		return e.ID == "russia"
	})
	g.Edges = slices.DeleteFunc(g.Edges, func(r *incidentgraph.Relationship) bool { return r.ToID == "russia" })
	g.Named["russia"] = russia
	raw := mustBundle(t, g)
	im := mustRead(t, raw, stix.ReadOptions{})
	if got := entity(im, "russia"); !reflect.DeepEqual(got, russia) {
		t.Errorf("russia read back as %+v", got)
	}
	if again := mustBundle(t, graphOf(t, raw, im)); !bytes.Equal(again, raw) {
		t.Errorf("export → read → export differs:\n%s", firstDiff(raw, again))
	}
	// Control: the party's identity without the item's fields reads back no Russia, and the
	// export loses the identity its assertions are created by.
	b := decode(t, raw)
	x := ext(b.byID(stix.ID("identity", "identity:russia")))
	for k := range x {
		if k != "extension_type" && k != "derived" && k != "item" {
			delete(x, k)
		}
	}
	lossy, _ := json.Marshal(b)
	im = mustRead(t, lossy, stix.ReadOptions{})
	if entity(im, "russia") != nil || bytes.Equal(mustBundle(t, graphOf(t, lossy, im)), raw) {
		t.Error("control: a party without its fields survives the round trip")
	}
}

// Other producers' countries and organisations can be read as the graph's own entities; what
// names them follows. Our items, people, places and sources are never offered.
func TestResolveNamesTheGraphsEntities(t *testing.T) {
	im := readFixture(t, "opencti-bundle.json", nil)
	var asked []string
	err := im.Resolve(func(e *incidentgraph.Entity) (string, error) {
		asked = append(asked, string(e.Kind)+" "+e.Name)
		switch {
		case e.Kind == "COUNTRY" && e.ISO2 == "ML":
			return "mali", nil
		case e.ID == octiGroup:
			return "northern-ridge-brigade", nil
		}
		return "", nil
	})
	if err != nil {
		t.Fatal(err)
	}
	wantAsked := []string{"ORGANIZATION Sahel Watch Desk (fixture)", "ORGANIZATION Northern Ridge Brigade (fixture)", "COUNTRY Mali"}
	if !reflect.DeepEqual(asked, wantAsked) {
		t.Errorf("asked %v, want %v", asked, wantAsked)
	}
	if entity(im, "mali") == nil || entity(im, octiGroup) != nil || !reflect.DeepEqual(im.Resolved, map[string]int{"COUNTRY": 1, "ORGANIZATION": 1}) {
		t.Errorf("entities after resolving: %v", im.Resolved)
	}
	r := relationship(im, "relationship-8b0a8620-f925-4d8f-b465-d7f30cab9bbe")
	if r.FromID != "northern-ridge-brigade" || r.ToID != "mali" {
		t.Errorf("ORIGINATED_FROM now %s → %s", r.FromID, r.ToID)
	}
	// Control: a resolver that finds nothing changes nothing.
	a, b := readFixture(t, "opencti-bundle.json", nil), readFixture(t, "opencti-bundle.json", nil)
	if err := b.Resolve(func(*incidentgraph.Entity) (string, error) { return "", nil }); err != nil || !reflect.DeepEqual(a, b) {
		t.Errorf("resolving nothing changed the batch (%v)", err)
	}
	// Our own bundle offers nothing: its items carry their ids.
	ours := mustRead(t, mustBundle(t, fixture()), stix.ReadOptions{})
	_ = ours.Resolve(func(e *incidentgraph.Entity) (string, error) { t.Errorf("asked of our %s", e.ID); return "", nil })
}
