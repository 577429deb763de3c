package neo4j_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/internal/testdb"
	"github.com/incidentgraph/incidentgraph/neo4j"
)

// The one writer (DB.WriteBatch) against the real Neo4j. Each check is a function that returns
// what went other than it should; the test runs it on the shipped store, and its negative
// control runs it on the shipped store with one of its statements sabotaged (see
// sabotagedStore), which the check must catch.

const (
	wCell   = "test-writer-cell"
	wReport = "test-writer-report"
)

// writerBatch is a small reader's batch over the seed graph: a new organization and source, the
// cell's affiliation to the Islamic State on that source, and a later toll of the Moscow attack.
func writerBatch() *incidentgraph.Batch {
	rel := &incidentgraph.Relationship{Type: "AFFILIATE_OF", FromID: wCell, ToID: is, Status: "REPORTED", Confidence: 60,
		AssertedByID: "associated-press", SourceIDs: []string{wReport}, ValidFrom: "2023", Note: "written by the writer's test"}
	rel.ID = incidentgraph.DefaultRelationshipID(rel.FromID, rel.Type, rel.ToID, rel.AssertedByID)
	fig := &incidentgraph.Figure{SubjectID: moscow, Metric: "KILLED", Value: 150, Qualifier: "AT_LEAST", AsOf: "2024-05",
		Status: "REPORTED", Confidence: 60, AssertedByID: "associated-press", SourceIDs: []string{wReport}}
	fig.ID = incidentgraph.DefaultFigureID(fig)
	return &incidentgraph.Batch{
		Entities: []*incidentgraph.Entity{
			{ID: wCell, Kind: incidentgraph.KindOrganization, Name: "Test Writer Cell", OrgType: "MILITANT_GROUP", Founded: "2022", SourceIDs: []string{wReport}},
			{ID: wReport, Kind: incidentgraph.KindSource, Name: "A report for the writer's test", Publisher: "Test Desk", Published: "2024-05", SourceType: "NEWS"},
		},
		Relationships: []*incidentgraph.Relationship{rel},
		Figures:       []*incidentgraph.Figure{fig},
	}
}

var stix = neo4j.WriteOptions{Origin: "stix"}

// writeCreateFaults writes writerBatch on the seed graph through w and checks that everything
// in it is there as the batch says, owned by the batch's origin, and counted as created.
func writeCreateFaults(t *testing.T, w *neo4j.DB) []string {
	db := seeded(t)
	ctx := context.Background()
	b := writerBatch()
	stats, err := w.WriteBatch(ctx, b, stix)
	if err != nil {
		return []string{fmt.Sprintf("write: %v", err)}
	}
	var faults []string
	want := incidentgraph.WriteStats{EntitiesCreated: 2, RelationshipsCreated: 1, FiguresCreated: 1}
	if *stats != want {
		faults = append(faults, fmt.Sprintf("stats %+v, want %+v", *stats, want))
	}
	for _, r := range testdb.Read(t, `MATCH (n:Entity) WHERE n.id IN $ids RETURN n.id AS id, n.name AS name, n.origin AS origin, labels(n) AS labels`,
		map[string]any{"ids": []string{wCell, wReport}}) {
		e := slices.IndexFunc(b.Entities, func(e *incidentgraph.Entity) bool { return e.ID == r["id"] })
		if r["name"] != b.Entities[e].Name || r["origin"] != "stix" || len(r["labels"].([]any)) != 2 {
			faults = append(faults, fmt.Sprintf("entity as written: %v", r))
		}
	}
	rels, err := db.FindRelationships(ctx, []string{wCell}, incidentgraph.RelationshipFilter{}, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(rels[wCell]) != 1 || rels[wCell][0].ToID != is || rels[wCell][0].Confidence != 60 || !slices.Equal(rels[wCell][0].SourceIDs, []string{wReport}) {
		faults = append(faults, fmt.Sprintf("the cell's relationships: %+v", rels[wCell]))
	}
	// The time view: known from the report's publication, held from the cell's founding.
	for _, r := range testdb.Read(t, `MATCH ()-[r {id: $id}]->() RETURN r.origin AS origin, r.knownFrom AS known, r.validFromStart AS from`,
		map[string]any{"id": b.Relationships[0].ID}) {
		if r["origin"] != "stix" || r["known"] != incidentgraph.KnownFrom("", []incidentgraph.PartialDate{"2024-05"}) || r["from"] != "2023-01-01" {
			faults = append(faults, fmt.Sprintf("relationship as written: %v", r))
		}
	}
	figs, err := db.FindFigures(ctx, []string{moscow}, incidentgraph.TimeView{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(figs[moscow], func(f *incidentgraph.Figure) bool { return f.ID == b.Figures[0].ID && f.Value == 150 }) {
		faults = append(faults, "the toll is not among the Moscow attack's figures")
	}
	return faults
}

func TestWriteBatchCreates(t *testing.T) {
	for _, f := range writeCreateFaults(t, seeded(t)) {
		t.Error(f)
	}
	t.Run("negative control: the entities' properties written wrong", func(t *testing.T) {
		wrong := &sabotage{from: "SET n = row.props", to: "SET n = row.props, n.name = 'sabotaged'"}
		if len(writeCreateFaults(t, sabotagedStore(t, wrong))) == 0 {
			t.Error("a writer that renames what it creates passes the check")
		}
		mustHaveApplied(t, wrong)
	})
	t.Run("negative control: relationships written on the wrong end", func(t *testing.T) {
		lost := &sabotage{from: "\t\t\t\tCREATE (a)-[r:AFFILIATE_OF", to: "\t\t\t\tWITH a, a AS b, row CREATE (a)-[r:AFFILIATE_OF"}
		faults := writeCreateFaults(t, sabotagedStore(t, lost))
		if len(faults) == 0 {
			t.Error("a writer that loses relationships passes the check")
		}
		mustHaveApplied(t, lost)
	})
}

// writeTwiceFaults writes writerBatch twice through w: the second write must change nothing and
// say so.
func writeTwiceFaults(t *testing.T, w *neo4j.DB) []string {
	db := seeded(t)
	ctx := context.Background()
	if _, err := w.WriteBatch(ctx, writerBatch(), stix); err != nil {
		return []string{fmt.Sprintf("first write: %v", err)}
	}
	before := fingerprint(t, db)
	stats, err := w.WriteBatch(ctx, writerBatch(), stix)
	if err != nil {
		return []string{fmt.Sprintf("second write: %v", err)}
	}
	var faults []string
	want := incidentgraph.WriteStats{EntitiesUnchanged: 2, RelationshipsUnchanged: 1, FiguresUnchanged: 1}
	if *stats != want {
		faults = append(faults, fmt.Sprintf("second write's stats %+v, want %+v", *stats, want))
	}
	if fingerprint(t, db) != before {
		faults = append(faults, "the second write of the same batch changed the graph")
	}
	// And a changed item is rewritten: the check can see an update.
	b := writerBatch()
	b.Relationships[0].Confidence = 70
	stats, err = w.WriteBatch(ctx, b, stix)
	if err != nil || stats.RelationshipsUpdated != 1 || stats.EntitiesUnchanged != 2 {
		faults = append(faults, fmt.Sprintf("a changed relationship: %+v %v, want 1 updated", stats, err))
	}
	return faults
}

func TestWriteBatchIsIdempotent(t *testing.T) {
	for _, f := range writeTwiceFaults(t, seeded(t)) {
		t.Error(f)
	}
	t.Run("negative control: every rewrite stamps its items", func(t *testing.T) {
		always := &sabotage{from: "properties(n) <> row.props", to: "true"}
		stamp := &sabotage{from: "SET n = row.props, n:", to: "SET n = row.props, n.writtenAt = timestamp(), n:"}
		if len(writeTwiceFaults(t, sabotagedStore(t, always, stamp))) == 0 {
			t.Error("a writer whose rewrite changes the graph passes the check")
		}
		mustHaveApplied(t, always, stamp)
	})
	t.Run("negative control: existing entities taken for new ones", func(t *testing.T) {
		blind := &sabotage{from: "RETURN id, n.origin, n.founded", to: "WITH id, n WHERE false RETURN id, n.origin, n.founded"}
		if len(writeTwiceFaults(t, sabotagedStore(t, blind))) == 0 {
			t.Error("a writer that recreates what exists passes the check")
		}
		mustHaveApplied(t, blind)
	})
}

// writeCuratedFaults has a curator correct IS-K and an affiliation, then writes through w a
// batch of origin stix naming both (and a seed entity, another origin's): all three must stay as
// they were and be counted as kept, while the batch's own items are written.
func writeCuratedFaults(t *testing.T, w *neo4j.DB) []string {
	db := curated(t)
	ctx := context.Background()
	if _, err := db.UpdateEntity(ctx, curator("ann"), isk, 1, &incidentgraph.EntityInput{Description: ptr("Curated description.")}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateRelationship(ctx, curator("ann"), iskAffiliate, 1, &incidentgraph.RelationshipInput{Confidence: ptr(42)}); err != nil {
		t.Fatal(err)
	}
	es, err := db.FindEntitiesByIDs(ctx, []string{isk, "taliban"})
	if err != nil || len(es) != 2 {
		t.Fatalf("%v %v", es, err)
	}
	rels, err := db.FindRelationships(ctx, []string{isk}, incidentgraph.RelationshipFilter{}, 500)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(rels[isk], func(r *incidentgraph.Relationship) bool { return r.ID == iskAffiliate })
	if i < 0 {
		t.Fatal("IS-K's affiliation is not in the seed")
	}
	b := writerBatch()
	for _, e := range es {
		c := *e
		c.Description, c.Name = "Overwritten by a reader.", e.Name+" (reader)"
		b.Entities = append(b.Entities, &c)
	}
	r := *rels[isk][i]
	r.Confidence, r.Note = 5, "overwritten by a reader"
	b.Relationships = append(b.Relationships, &r)
	stats, err := w.WriteBatch(ctx, b, stix)
	if err != nil {
		return []string{fmt.Sprintf("write: %v", err)}
	}
	var faults []string
	if stats.EntitiesKept != 2 || stats.RelationshipsKept != 1 || stats.EntitiesCreated != 2 || stats.RelationshipsCreated != 1 {
		faults = append(faults, fmt.Sprintf("stats %+v, want 2 entities and 1 relationship kept, 2 and 1 created", *stats))
	}
	after, err := db.FindEntitiesByIDs(ctx, []string{isk, "taliban"})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range after {
		if strings.HasSuffix(e.Name, "(reader)") || e.Description == "Overwritten by a reader." {
			faults = append(faults, fmt.Sprintf("%s was overwritten: %q, %q", e.ID, e.Name, e.Description))
		}
	}
	rels, err = db.FindRelationships(ctx, []string{isk}, incidentgraph.RelationshipFilter{}, 500)
	if err != nil {
		t.Fatal(err)
	}
	if i := slices.IndexFunc(rels[isk], func(r *incidentgraph.Relationship) bool { return r.ID == iskAffiliate }); i < 0 || rels[isk][i].Confidence != 42 {
		faults = append(faults, "the curator's correction of the affiliation was overwritten")
	}
	for _, r := range testdb.Read(t, `MATCH (n:Entity) WHERE n.id IN $ids RETURN n.id AS id, n.origin AS origin`, map[string]any{"ids": []string{isk, "taliban"}}) {
		if r["origin"] == "stix" {
			faults = append(faults, fmt.Sprintf("%s now belongs to the reader", r["id"]))
		}
	}
	return faults
}

func TestWriteBatchLeavesOtherOriginsItems(t *testing.T) {
	for _, f := range writeCuratedFaults(t, seeded(t)) {
		t.Error(f)
	}
	// The origin is checked twice: when the write reads what exists, and again under each
	// item's lock. Both taken out, the reader overwrites the curators' work.
	t.Run("negative control: the origin rule taken out", func(t *testing.T) {
		mine := &sabotage{from: "RETURN id, n.origin, n.founded", to: "RETURN id, 'stix', n.founded"}
		locked := &sabotage{from: "WITH n, row WHERE n.origin = $origin", to: "WITH n, row WHERE true"}
		relMine := &sabotage{from: "RETURN id, r.origin, a.id, b.id", to: "RETURN id, 'stix', a.id, b.id"}
		relLocked := &sabotage{from: "WITH r, row WHERE r.origin = $origin", to: "WITH r, row WHERE true"}
		faults := writeCuratedFaults(t, sabotagedStore(t, mine, locked, relMine, relLocked))
		if len(faults) == 0 {
			t.Error("a writer that overwrites other origins' items passes the check")
		}
		t.Logf("the check catches it: %q", faults)
		mustHaveApplied(t, mine, locked, relMine, relLocked)
	})
}

// writeRedirectFaults writes the batch with an incident, has a curator merge the cell into IS-K
// and the incident into the Moscow attack, then writes the batch again through w with a link
// naming the cell and a figure about the incident: neither may come back, and what names them
// must be on their survivors.
func writeRedirectFaults(t *testing.T, w *neo4j.DB) []string {
	db := curated(t)
	ctx := context.Background()
	const incident = "test-writer-incident"
	withIncident := func() *incidentgraph.Batch {
		b := writerBatch()
		b.Entities = append(b.Entities, &incidentgraph.Entity{ID: incident, Kind: incidentgraph.KindIncident,
			Name: "An attack in a report", Date: "2024-03-22", SourceIDs: []string{wReport}})
		return b
	}
	if _, err := db.WriteBatch(ctx, withIncident(), stix); err != nil {
		t.Fatal(err)
	}
	if _, err := db.MergeEntities(ctx, curator("ann"), isk, wCell, version(t, db, isk), version(t, db, wCell)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.MergeEntities(ctx, curator("ann"), moscow, incident, version(t, db, moscow), version(t, db, incident)); err != nil {
		t.Fatal(err)
	}
	b := withIncident()
	rel := &incidentgraph.Relationship{Type: "RIVAL_OF", FromID: wCell, ToID: "taliban", Status: "REPORTED", Confidence: 55,
		AssertedByID: "associated-press", SourceIDs: []string{wReport}}
	rel.ID = incidentgraph.DefaultRelationshipID(rel.FromID, rel.Type, rel.ToID, rel.AssertedByID)
	fig := &incidentgraph.Figure{SubjectID: incident, Metric: "WOUNDED", Value: 12, Qualifier: "ABOUT", AsOf: "2024-05",
		Status: "REPORTED", Confidence: 50, AssertedByID: "associated-press", SourceIDs: []string{wReport}}
	fig.ID = incidentgraph.DefaultFigureID(fig)
	b.Relationships = append(b.Relationships, rel)
	b.Figures = append(b.Figures, fig)
	stats, err := w.WriteBatch(ctx, b, stix)
	if err != nil {
		return []string{fmt.Sprintf("write after the merges: %v", err)}
	}
	var faults []string
	if stats.EntitiesRedirected != 2 {
		faults = append(faults, fmt.Sprintf("stats %+v, want the cell and the incident redirected", *stats))
	}
	if es, err := db.FindEntitiesByIDs(ctx, []string{wCell, incident}); err != nil || len(es) != 0 {
		faults = append(faults, fmt.Sprintf("merged-away entities are back: %v %v", entityIDs(es), err))
	}
	rels, err := db.FindRelationships(ctx, []string{isk}, incidentgraph.RelationshipFilter{}, 500)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(rels[isk], func(r *incidentgraph.Relationship) bool {
		return r.ID == rel.ID && r.FromID == isk && r.ToID == "taliban"
	}) {
		faults = append(faults, "the new link naming the cell is not on IS-K")
	}
	got := testdb.Read(t, `MATCH (f:Figure {id: $id}) RETURN f.subject AS subject`, map[string]any{"id": fig.ID})
	if len(got) != 1 || got[0]["subject"] != moscow {
		faults = append(faults, fmt.Sprintf("the figure about the incident: %v, want it about the Moscow attack", got))
	}
	return faults
}

func TestWriteBatchWritesRedirectedIDsOnTheSurvivor(t *testing.T) {
	for _, f := range writeRedirectFaults(t, seeded(t)) {
		t.Error(f)
	}
	t.Run("negative control: redirects not looked up", func(t *testing.T) {
		blind := &sabotage{from: "MATCH (r0:Redirect {id: id})", to: "MATCH (r0:Redirect {id: id + ' (sabotaged)'})"}
		faults := writeRedirectFaults(t, sabotagedStore(t, blind))
		if len(faults) == 0 {
			t.Error("a writer that recreates merged-away ids passes the check")
		}
		t.Logf("the check catches it: %q", faults)
		mustHaveApplied(t, blind)
	})
}

// writeRefusedFaults writes through w a batch that renames the Islamic State and adds bad (a
// relationship that must refuse the batch): the write must fail with wantCode and a message
// holding every string of want, and leave the graph as it was. With bad nil, it must commit.
func writeRefusedFaults(t *testing.T, w *neo4j.DB, bad *incidentgraph.Relationship, wantCode string, want ...string) []string {
	db := seeded(t)
	ctx := context.Background()
	es, err := db.FindEntitiesByIDs(ctx, []string{is})
	if err != nil || len(es) != 1 {
		t.Fatal(es, err)
	}
	before := fingerprint(t, db)
	b := writerBatch()
	renamed := *es[0]
	renamed.Name = "renamed by a refused write"
	b.Entities = append(b.Entities, &renamed)
	if bad != nil {
		b.Relationships = append(b.Relationships, bad)
	}
	_, err = w.WriteBatch(ctx, b, neo4j.WriteOptions{Origin: "seed"}) // the Islamic State is the seed's: renamed when written
	var faults []string
	if bad == nil {
		if err != nil {
			return []string{fmt.Sprintf("the batch without the bad relationship: %v", err)}
		}
		if fingerprint(t, db) == before {
			faults = append(faults, "the committed write left the fingerprint as it was")
		}
		return faults
	}
	if err == nil {
		return []string{"the batch was written"}
	}
	if code := incidentgraph.ErrorCode(err); code != wantCode {
		faults = append(faults, fmt.Sprintf("error %v: code %s, want %s", err, code, wantCode))
	}
	for _, s := range want {
		if !strings.Contains(err.Error(), s) {
			faults = append(faults, fmt.Sprintf("error %q does not name %q", err, s))
		}
	}
	if fingerprint(t, db) != before {
		faults = append(faults, "the refused write changed the graph")
	}
	return faults
}

func TestWriteBatchRefusesADanglingEnd(t *testing.T) {
	dangling := &incidentgraph.Relationship{ID: "test-dangling", Type: "AFFILIATE_OF", FromID: wCell, ToID: "no-such-entity",
		Status: "REPORTED", Confidence: 50, AssertedByID: "associated-press"}
	for _, f := range writeRefusedFaults(t, seeded(t), dangling, incidentgraph.EINVALID, "test-dangling", "no-such-entity") {
		t.Error(f)
	}
	t.Run("control: without it the batch commits and the fingerprint sees it", func(t *testing.T) {
		for _, f := range writeRefusedFaults(t, seeded(t), nil, "") {
			t.Error(f)
		}
	})
	t.Run("negative control: the end check taken out", func(t *testing.T) {
		// The graph's answer says the missing end is there: the writer no longer sees it
		// missing before it writes.
		blind := &sabotage{from: "MATCH (n:Entity {id: id})\n\t\tRETURN id, n.origin",
			to: "OPTIONAL MATCH (n:Entity {id: id}) WITH id, n WHERE n IS NOT NULL OR id = 'no-such-entity'\n\t\tRETURN id, n.origin"}
		if len(writeRefusedFaults(t, sabotagedStore(t, blind), dangling, incidentgraph.EINVALID, "test-dangling", "no-such-entity")) == 0 {
			t.Error("a writer without the end check passes the check")
		}
		mustHaveApplied(t, blind)
	})
}

func TestWriteBatchRefusesAnUnknownRelationshipType(t *testing.T) {
	for _, typ := range []incidentgraph.RelType{"FUNDS_SECRETLY", "AFFILIATE_OF]->(b) DETACH DELETE a //", "affiliate_of"} {
		bad := &incidentgraph.Relationship{ID: "test-unknown-type", Type: typ, FromID: wCell, ToID: is,
			Status: "REPORTED", Confidence: 50, AssertedByID: "associated-press"}
		for _, f := range writeRefusedFaults(t, seeded(t), bad, incidentgraph.EINVALID, "test-unknown-type", string(typ)) {
			t.Errorf("type %q: %s", typ, f)
		}
	}
	t.Run("control: the same relationship with a type of the vocabulary is written", func(t *testing.T) {
		ok := &incidentgraph.Relationship{ID: "test-unknown-type", Type: "ENEMY_OF", FromID: wCell, ToID: is,
			Status: "REPORTED", Confidence: 50, AssertedByID: "associated-press"}
		if faults := writeRefusedFaults(t, seeded(t), ok, incidentgraph.EINVALID); len(faults) == 0 || faults[0] != "the batch was written" {
			t.Errorf("a relationship of the vocabulary: %q, want it written", faults)
		}
	})
}

// A write that fails after it has written (here the test hook at the end of its transaction)
// leaves nothing behind.
func TestWriteBatchFailingLateWritesNothing(t *testing.T) {
	db := seeded(t)
	ctx := context.Background()
	before := fingerprint(t, db)
	late := errors.New("failing at the end of the transaction")
	reset := neo4j.SetInTxHookForTest(db, func(_ context.Context, op string) error {
		if op == "writeBatch" {
			return late
		}
		return nil
	})
	_, err := db.WriteBatch(ctx, writerBatch(), stix)
	reset()
	if !errors.Is(err, late) {
		t.Fatalf("err = %v, want the hook's", err)
	}
	if fingerprint(t, db) != before {
		t.Error("a write that failed at its end changed the graph")
	}
	// Control: the same write without the failure commits.
	if _, err := db.WriteBatch(ctx, writerBatch(), stix); err != nil {
		t.Fatal(err)
	}
	if fingerprint(t, db) == before {
		t.Error("control: the committed write left the fingerprint as it was")
	}
}

func TestWriteBatchRefusesBadBatchesBeforeWriting(t *testing.T) {
	db := seeded(t)
	ctx := context.Background()
	dup := writerBatch()
	dup.Entities = append(dup.Entities, dup.Entities[0])
	noKind := writerBatch()
	noKind.Entities[0].Kind = "CELL"
	noSubject := writerBatch()
	noSubject.Figures[0].SubjectID = "no-such-incident"
	for name, c := range map[string]struct {
		b    *incidentgraph.Batch
		opts neo4j.WriteOptions
		want string
	}{
		"an origin of curators":  {writerBatch(), neo4j.WriteOptions{Origin: incidentgraph.OriginCuration}, "curation"},
		"no origin":              {writerBatch(), neo4j.WriteOptions{}, "origin"},
		"an entity twice":        {dup, stix, "given twice"},
		"an unknown kind":        {noKind, stix, "CELL"},
		"a figure about nothing": {noSubject, stix, "no-such-incident"},
		"control: a good batch":  {writerBatch(), stix, ""},
	} {
		before := fingerprint(t, db)
		_, err := db.WriteBatch(ctx, c.b, c.opts)
		if c.want == "" {
			if err != nil {
				t.Errorf("%s: %v", name, err)
			}
			continue
		}
		if incidentgraph.ErrorCode(err) != incidentgraph.EINVALID || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %s naming %q", name, err, incidentgraph.EINVALID, c.want)
		}
		if fingerprint(t, db) != before {
			t.Errorf("%s: the refused write changed the graph", name)
		}
	}
}
