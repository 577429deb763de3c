package neo4j_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/internal/testdb"
	"github.com/incidentgraph/incidentgraph/neo4j"
	"github.com/incidentgraph/incidentgraph/seed"
)

const (
	is     = "islamic-state"
	isk    = "islamic-state-khorasan-province"
	moscow = "moscow-concert-hall-attack-2024"
	kabul  = "kabul-airport-bombing-2021"
	apArt  = "ap-2024-03-23-moscow-attack-explainer"
)

// seeded opens the test database with the seed graph loaded, once per test binary.
func seeded(t *testing.T) *neo4j.DB {
	t.Helper()
	db := testdb.MustOpen(t)
	testdb.MustSeed(t, db)
	return db
}

func TestLoadIsIdempotent(t *testing.T) {
	ctx := context.Background()
	db := testdb.MustOpen(t)
	ds := testdb.MustSeed(t, db)

	e1, r1, f1, err := db.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if e1 != len(ds.Entities) || r1 != len(ds.Relationships) || f1 != len(ds.Figures) {
		t.Fatalf("after load: %d entities, %d relationships, %d figures; the files hold %d, %d, %d",
			e1, r1, f1, len(ds.Entities), len(ds.Relationships), len(ds.Figures))
	}
	before, err := db.Fingerprint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	stats, err := db.Load(ctx, ds)
	if err != nil {
		t.Fatalf("second load: %v", err)
	}
	if stats.Removed != 0 {
		t.Errorf("second load removed %d items", stats.Removed)
	}
	e2, r2, f2, err := db.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if e1 != e2 || r1 != r2 || f1 != f2 {
		t.Errorf("counts changed on a second load: %d/%d/%d → %d/%d/%d", e1, r1, f1, e2, r2, f2)
	}
	after, err := db.Fingerprint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if before != after {
		t.Error("graph content changed on a second load of the same files")
	}
}

func TestLoadRemovesWhatTheFilesNoLongerHold(t *testing.T) {
	ctx := context.Background()
	db := testdb.MustOpen(t)
	ds := testdb.MustSeed(t, db)
	// Drop one relationship and one figure from the dataset and load again.
	smaller := *ds
	smaller.Relationships = ds.Relationships[1:]
	smaller.Figures = ds.Figures[1:]
	stats, err := db.Load(ctx, &smaller)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Removed != 2 {
		t.Errorf("removed %d items, want 2", stats.Removed)
	}
	_, r, f, err := db.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if r != len(ds.Relationships)-1 || f != len(ds.Figures)-1 {
		t.Errorf("after reload: %d relationships, %d figures; want %d, %d", r, f, len(ds.Relationships)-1, len(ds.Figures)-1)
	}
}

func TestFailedLoadLeavesGraphAsItWas(t *testing.T) {
	ctx := context.Background()
	db := testdb.MustOpen(t)
	ds := testdb.MustSeed(t, db)
	before, err := db.Fingerprint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// A dataset that changes an entity, then refers to one that does not exist: the loader must
	// roll back the change it already made. (The seed validator would refuse this dataset; this
	// is the store's own guard for other callers.)
	broken := *ds
	broken.Entities = slices.Clone(ds.Entities)
	for i, e := range broken.Entities {
		if e.ID == is {
			changed := *e
			changed.Name = "renamed by a failed load"
			broken.Entities[i] = &changed
		}
	}
	bad := *ds.Relationships[0]
	bad.ID = "dangling"
	bad.ToID = "no-such-entity"
	broken.Relationships = append(slices.Clone(ds.Relationships), &bad)
	_, err = db.Load(ctx, &broken)
	// The end check refuses the dataset before anything is written (a write that fails after it
	// has written is rolled back too: TestWriteBatchFailingLateWritesNothing).
	if err == nil || !strings.Contains(err.Error(), "1 of ") || !strings.Contains(err.Error(), "have an end that does not exist") {
		t.Fatalf("load with a dangling reference: err = %v, want the relationship end check to fail", err)
	}
	after, err := db.Fingerprint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if before != after {
		t.Error("a failed load changed the graph")
	}

	// Control: without the dangling relationship the same load commits, and the fingerprint
	// sees the rename that the failed load rolled back.
	broken.Relationships = ds.Relationships
	if _, err := db.Load(ctx, &broken); err != nil {
		t.Fatalf("control load: %v", err)
	}
	if renamed, err := db.Fingerprint(ctx); err != nil || renamed == before {
		t.Fatalf("control: the committed rename left the fingerprint as it was (err %v)", err)
	}
}

// TestFingerprintSeesEveryChange is the control for every test that shows "nothing changed" by
// an equal fingerprint: a real write to a node property, a relationship property or a label
// changes it, and undoing the write brings the first fingerprint back.
func TestFingerprintSeesEveryChange(t *testing.T) {
	ctx := context.Background()
	db := testdb.MustOpen(t)
	ds := testdb.MustSeed(t, db)
	fp := func() string {
		t.Helper()
		s, err := db.Fingerprint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	load := func(d *incidentgraph.Dataset) {
		t.Helper()
		if _, err := db.Load(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	base := fp()

	changes := map[string]func(d *incidentgraph.Dataset){
		"entity name": func(d *incidentgraph.Dataset) {
			e := *d.Entities[0]
			e.Name += " (changed)"
			d.Entities[0] = &e
		},
		"relationship confidence": func(d *incidentgraph.Dataset) {
			r := *d.Relationships[0]
			r.Confidence = (r.Confidence + 1) % (incidentgraph.MaxConfidence + 1)
			d.Relationships[0] = &r
		},
		"relationship removed": func(d *incidentgraph.Dataset) { d.Relationships = d.Relationships[1:] },
		"figure value": func(d *incidentgraph.Dataset) {
			f := *d.Figures[0]
			f.Value++
			d.Figures[0] = &f
		},
	}
	for name, change := range changes {
		changed := *ds
		changed.Entities = slices.Clone(ds.Entities)
		changed.Relationships = slices.Clone(ds.Relationships)
		changed.Figures = slices.Clone(ds.Figures)
		change(&changed)
		load(&changed)
		if fp() == base {
			t.Errorf("%s: the fingerprint did not change", name)
		}
		load(ds)
		if fp() != base {
			t.Errorf("%s: undoing the change did not restore the fingerprint", name)
		}
	}
}

func TestSearchFindsAliases(t *testing.T) {
	ctx := context.Background()
	db := seeded(t)
	for _, tc := range []struct {
		text, want string
		first      bool // must rank first, not merely be found
	}{
		{"Daesh", is, true},
		{"daesh", is, true},
		{"ISIL", is, true},
		{"IS", is, true},
		{"ISKP", isk, true},
		{"ISIS-K", isk, true},
		{"is-k", isk, true},
		{"Islamic State Khorasan Province", isk, true},
		{"Crocus", moscow, false},
		{"crocus city hall attack", moscow, true},
		{"Kabul", kabul, false},
		{"Khora", isk, false}, // a word prefix
		{"Daech", is, false},  // one typo: the French spelling
		{"Khorassan", isk, false},
	} {
		got, err := db.Search(ctx, tc.text, nil, 10)
		if err != nil {
			t.Fatalf("Search(%q): %v", tc.text, err)
		}
		ids := entityIDs(got)
		if tc.first && (len(ids) == 0 || ids[0] != tc.want) {
			t.Errorf("Search(%q) = %v, want %s first", tc.text, ids, tc.want)
		}
		if !slices.Contains(ids, tc.want) {
			t.Errorf("Search(%q) = %v, want it to contain %s", tc.text, ids, tc.want)
		}
	}
}

func TestSearchFiltersKindsAndSurvivesLuceneSyntax(t *testing.T) {
	ctx := context.Background()
	db := seeded(t)
	got, err := db.Search(ctx, "Crocus", []incidentgraph.Kind{incidentgraph.KindPlace}, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) == 0 {
		t.Fatal("no place matches Crocus")
	}
	for _, e := range got {
		if e.Kind != incidentgraph.KindPlace {
			t.Errorf("kind filter PLACE returned %s (%s)", e.ID, e.Kind)
		}
	}
	for _, text := range []string{`"(]`, `AND OR NOT`, `*`, `name:IS~ ^2`, `\`, `a"b`, `[1 TO 5]`} {
		if _, err := db.Search(ctx, text, nil, 10); err != nil {
			t.Errorf("Search(%q) failed: %v", text, err)
		}
	}
}

func TestMoscowAttackKeepsConflictingAssertionsApart(t *testing.T) {
	ctx := context.Background()
	db := seeded(t)
	rels, err := db.FindRelationships(ctx, []string{moscow}, incidentgraph.RelationshipFilter{Direction: incidentgraph.Both}, 500)
	if err != nil {
		t.Fatal(err)
	}
	find := func(typ incidentgraph.RelType, from, to, by string) *incidentgraph.Relationship {
		for _, r := range rels[moscow] {
			if r.Type == typ && r.FromID == from && r.ToID == to && r.AssertedByID == by {
				return r
			}
		}
		t.Errorf("no %s %s → %s asserted by %s", typ, from, to, by)
		return nil
	}
	if r := find("CLAIMED_RESPONSIBILITY_FOR", is, moscow, is); r != nil {
		if r.Status != "CLAIMED" || !slices.Contains(r.SourceIDs, apArt) {
			t.Errorf("IS claim: status %s, sources %v", r.Status, r.SourceIDs)
		}
	}
	if r := find("ATTRIBUTED_TO", moscow, isk, "us-official-anonymous"); r != nil {
		if !slices.Contains(r.SourceIDs, apArt) || r.Quote == "" {
			t.Errorf("U.S. attribution to IS-K: sources %v, quote %q", r.SourceIDs, r.Quote)
		}
	}
	if r := find("DENIED", "ukraine", moscow, "ukraine-foreign-ministry"); r != nil && r.Status != "DENIED" {
		t.Errorf("Ukraine's denial has status %s", r.Status)
	}
	if r := find("ACCUSED_OF", "ukraine", moscow, "russia"); r != nil && r.Status != "ALLEGED" {
		t.Errorf("Russia's allegation has status %s", r.Status)
	}

	// Filters: only claims; only strong links; only outgoing.
	claims, err := db.FindRelationships(ctx, []string{moscow}, incidentgraph.RelationshipFilter{
		Statuses: []incidentgraph.Status{"CLAIMED"}, Direction: incidentgraph.Both}, 500)
	if err != nil {
		t.Fatal(err)
	}
	if len(claims[moscow]) == 0 {
		t.Error("status filter CLAIMED found nothing")
	}
	for _, r := range claims[moscow] {
		if r.Status != "CLAIMED" {
			t.Errorf("status filter let %s through", r.Status)
		}
	}
	strong, err := db.FindRelationships(ctx, []string{moscow}, incidentgraph.RelationshipFilter{MinConfidence: 70, Direction: incidentgraph.Outgoing}, 500)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range strong[moscow] {
		if r.Confidence < 70 || r.FromID != moscow {
			t.Errorf("filter minConfidence 70, OUTGOING let %s (%d, from %s) through", r.ID, r.Confidence, r.FromID)
		}
	}
	if len(strong[moscow]) >= len(rels[moscow]) {
		t.Error("filters removed nothing: the test data cannot tell them apart")
	}
}

func TestEveryRelationshipHasProvenance(t *testing.T) {
	ctx := context.Background()
	db := seeded(t)
	ds, err := seed.Read(seed.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(ds.Entities))
	kinds := map[string]incidentgraph.Kind{}
	for i, e := range ds.Entities {
		ids[i] = e.ID
		kinds[e.ID] = e.Kind
	}
	rels, err := db.FindRelationships(ctx, ids, incidentgraph.RelationshipFilter{Direction: incidentgraph.Outgoing}, 500)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, list := range rels {
		for _, r := range list {
			n++
			if !r.Status.Valid() {
				t.Errorf("%s: status %q", r.ID, r.Status)
			}
			if r.Confidence < 0 || r.Confidence > 100 {
				t.Errorf("%s: confidence %d", r.ID, r.Confidence)
			}
			if !kinds[r.AssertedByID].IsActor() {
				t.Errorf("%s: asserted by %q, not an actor in the graph", r.ID, r.AssertedByID)
			}
			if len(r.SourceIDs) == 0 {
				t.Errorf("%s: no source", r.ID)
			}
			for _, s := range r.SourceIDs {
				if kinds[s] != incidentgraph.KindSource {
					t.Errorf("%s: source %q is not a SOURCE in the graph", r.ID, s)
				}
			}
			if r.AssertedOn.IsZero() {
				t.Errorf("%s: no assertedOn date", r.ID)
			}
		}
	}
	if n != len(ds.Relationships) {
		t.Errorf("read back %d relationships, the files hold %d", n, len(ds.Relationships))
	}
}

func TestFiguresKeepTheirHistory(t *testing.T) {
	ctx := context.Background()
	db := seeded(t)
	figs, err := db.FindFigures(ctx, []string{moscow}, incidentgraph.TimeView{})
	if err != nil {
		t.Fatal(err)
	}
	var killed []int
	for _, f := range figs[moscow] {
		if f.Metric == "KILLED" {
			killed = append(killed, f.Value)
			if len(f.SourceIDs) == 0 || f.AsOf.IsZero() || f.AssertedByID == "" {
				t.Errorf("figure %s lacks provenance", f.ID)
			}
		}
	}
	if !slices.Contains(killed, 133) || !slices.Contains(killed, 145) {
		t.Errorf("Moscow KILLED reports = %v, want both 133 and 145", killed)
	}
	for i := 1; i < len(figs[moscow]); i++ {
		if figs[moscow][i-1].AsOf > figs[moscow][i].AsOf {
			t.Error("figures are not oldest first")
		}
	}
}

func TestShortestPathJoinsKabulAndMoscowThroughISK(t *testing.T) {
	ctx := context.Background()
	db := seeded(t)
	g, err := db.ShortestPath(ctx, kabul, moscow, 6, incidentgraph.RelationshipFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if g == nil {
		t.Fatal("no path between the Kabul and Moscow attacks")
	}
	assertChart(t, g)
	ids := entityIDs(g.Nodes)
	if ids[0] != kabul || ids[len(ids)-1] != moscow {
		t.Errorf("path runs %v, want it from %s to %s", ids, kabul, moscow)
	}
	// Only attribution links: then the path must go through IS-K.
	g, err = db.ShortestPath(ctx, kabul, moscow, 6, incidentgraph.RelationshipFilter{Types: []incidentgraph.RelType{"ATTRIBUTED_TO"}})
	if err != nil {
		t.Fatal(err)
	}
	if g == nil || !slices.Contains(entityIDs(g.Nodes), isk) || len(g.Edges) != 2 {
		t.Fatalf("attribution path = %+v, want Kabul → IS-K ← Moscow", g)
	}
	// A filter nothing passes: no path.
	g, err = db.ShortestPath(ctx, kabul, moscow, 6, incidentgraph.RelationshipFilter{MinConfidence: 101})
	if err != nil || g != nil {
		t.Errorf("impossible filter: path %+v, error %v; want none", g, err)
	}
	if _, err := db.ShortestPath(ctx, kabul, "no-such-entity", 6, incidentgraph.RelationshipFilter{}); incidentgraph.ErrorCode(err) != incidentgraph.ENOTFOUND {
		t.Errorf("unknown end: error %v, want NOT_FOUND", err)
	}
}

func TestNeighborhoodIsADeduplicatedChart(t *testing.T) {
	ctx := context.Background()
	db := seeded(t)
	one, err := db.Neighborhood(ctx, isk, 1, incidentgraph.RelationshipFilter{}, 200)
	if err != nil {
		t.Fatal(err)
	}
	assertChart(t, one)
	if one.Nodes[0].ID != isk || !slices.Contains(entityIDs(one.Nodes), is) {
		t.Errorf("depth 1 around IS-K = %v", entityIDs(one.Nodes))
	}
	two, err := db.Neighborhood(ctx, isk, 2, incidentgraph.RelationshipFilter{}, 200)
	if err != nil {
		t.Fatal(err)
	}
	assertChart(t, two)
	if len(two.Nodes) <= len(one.Nodes) {
		t.Errorf("depth 2 has %d nodes, depth 1 %d", len(two.Nodes), len(one.Nodes))
	}
	small, err := db.Neighborhood(ctx, isk, 2, incidentgraph.RelationshipFilter{}, 3)
	if err != nil {
		t.Fatal(err)
	}
	assertChart(t, small)
	if len(small.Nodes) != 4 || !small.Truncated {
		t.Errorf("limit 3: %d nodes (truncated %v), want the centre and 3 more, truncated", len(small.Nodes), small.Truncated)
	}
	if _, err := db.Neighborhood(ctx, "no-such-entity", 1, incidentgraph.RelationshipFilter{}, 10); incidentgraph.ErrorCode(err) != incidentgraph.ENOTFOUND {
		t.Errorf("unknown centre: error %v, want NOT_FOUND", err)
	}
}

func TestIncidentPagesAndFilters(t *testing.T) {
	ctx := context.Background()
	db := seeded(t)
	all, err := db.FindIncidents(ctx, incidentgraph.IncidentFilter{}, incidentgraph.Page{First: 100})
	if err != nil {
		t.Fatal(err)
	}
	if all.TotalCount != len(all.Entities) || all.HasNextPage {
		t.Fatalf("one big page: total %d, got %d, next %v", all.TotalCount, len(all.Entities), all.HasNextPage)
	}
	// Page by two: the same incidents, in the same order, each once.
	var paged []string
	p := incidentgraph.Page{First: 2}
	for {
		page, err := db.FindIncidents(ctx, incidentgraph.IncidentFilter{}, p)
		if err != nil {
			t.Fatal(err)
		}
		if page.TotalCount != all.TotalCount {
			t.Errorf("totalCount %d on a page, %d overall", page.TotalCount, all.TotalCount)
		}
		paged = append(paged, entityIDs(page.Entities)...)
		if !page.HasNextPage {
			break
		}
		p.After = page.Cursors[len(page.Cursors)-1]
	}
	if !slices.Equal(paged, entityIDs(all.Entities)) {
		t.Errorf("paged %v, all at once %v", paged, entityIDs(all.Entities))
	}
	for i := 1; i < len(all.Entities); i++ {
		if all.Entities[i-1].Date.Start() > all.Entities[i].Date.Start() {
			t.Errorf("incidents not oldest first: %s before %s", all.Entities[i-1].Date, all.Entities[i].Date)
		}
	}

	for _, tc := range []struct {
		name    string
		f       incidentgraph.IncidentFilter
		want    []string
		wantNot []string
	}{
		{"perpetrator IS-K", incidentgraph.IncidentFilter{Perpetrator: isk}, []string{kabul, moscow}, []string{"paris-attacks-2015"}},
		{"perpetrator IS", incidentgraph.IncidentFilter{Perpetrator: is}, []string{"paris-attacks-2015", moscow}, []string{kabul}},
		{"in Russia", incidentgraph.IncidentFilter{Place: "russia"}, []string{moscow}, []string{kabul}},
		{"2015 to 2017", incidentgraph.IncidentFilter{From: "2015", To: "2017"}, []string{"paris-attacks-2015", "manchester-arena-bombing-2017"}, []string{kabul, moscow}},
		{"bombings", incidentgraph.IncidentFilter{AttackType: 3}, []string{kabul}, []string{moscow}},
	} {
		page, err := db.FindIncidents(ctx, tc.f, incidentgraph.Page{First: 100})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		ids := entityIDs(page.Entities)
		for _, w := range tc.want {
			if !slices.Contains(ids, w) {
				t.Errorf("%s: %v lacks %s", tc.name, ids, w)
			}
		}
		for _, w := range tc.wantNot {
			if slices.Contains(ids, w) {
				t.Errorf("%s: %v holds %s", tc.name, ids, w)
			}
		}
	}
	if _, err := db.FindIncidents(ctx, incidentgraph.IncidentFilter{}, incidentgraph.Page{First: 2, After: "not-a-cursor"}); incidentgraph.ErrorCode(err) != incidentgraph.EINVALID {
		t.Errorf("bad cursor: %v, want BAD_USER_INPUT", err)
	}
}

func TestOrganizationsFilters(t *testing.T) {
	ctx := context.Background()
	db := seeded(t)
	page, err := db.FindOrganizations(ctx, incidentgraph.OrganizationFilter{AffiliateOf: is}, incidentgraph.Page{First: 100})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(entityIDs(page.Entities), isk) {
		t.Errorf("affiliates of IS = %v, want IS-K among them", entityIDs(page.Entities))
	}
	page, err = db.FindOrganizations(ctx, incidentgraph.OrganizationFilter{NameContains: "daesh"}, incidentgraph.Page{First: 100})
	if err != nil {
		t.Fatal(err)
	}
	if ids := entityIDs(page.Entities); !slices.Contains(ids, is) {
		t.Errorf("name contains daesh = %v, want IS among them", ids)
	}
	for _, e := range page.Entities {
		if !strings.Contains(strings.ToLower(e.Name+" "+strings.Join(e.Aliases, " ")), "daesh") {
			t.Errorf("name contains daesh returned %s (%s, %v)", e.ID, e.Name, e.Aliases)
		}
	}
	page, err = db.FindOrganizations(ctx, incidentgraph.OrganizationFilter{OrgTypes: []string{"MEDIA"}}, incidentgraph.Page{First: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range page.Entities {
		if e.OrgType != "MEDIA" {
			t.Errorf("orgType MEDIA returned %s (%s)", e.ID, e.OrgType)
		}
	}
}

// assertChart checks what every link chart promises: nodes once each, every edge once, and
// every edge's ends among the nodes.
func assertChart(t *testing.T, g *incidentgraph.Subgraph) {
	t.Helper()
	nodes := map[string]bool{}
	for _, n := range g.Nodes {
		if nodes[n.ID] {
			t.Errorf("node %s appears twice", n.ID)
		}
		nodes[n.ID] = true
	}
	edges := map[string]bool{}
	for _, e := range g.Edges {
		if edges[e.ID] {
			t.Errorf("edge %s appears twice", e.ID)
		}
		edges[e.ID] = true
		if !nodes[e.FromID] || !nodes[e.ToID] {
			t.Errorf("edge %s (%s → %s) has an end outside the chart", e.ID, e.FromID, e.ToID)
		}
	}
}

func entityIDs(es []*incidentgraph.Entity) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.ID
	}
	return out
}
