package neo4j_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/gtd"
	"github.com/incidentgraph/incidentgraph/internal/testdb"
	"github.com/incidentgraph/incidentgraph/neo4j"
)

// sampleRows picks rows of the sample file by event id, in the file's order.
func sampleRows(t *testing.T, eventIDs ...string) []*gtd.Incident {
	t.Helper()
	var out []*gtd.Incident
	for _, inc := range sample(t) {
		if slices.Contains(eventIDs, inc.EventID) {
			out = append(out, inc)
		}
	}
	if len(out) != len(eventIDs) {
		t.Fatalf("the sample has %d of the rows %v", len(out), eventIDs)
	}
	return out
}

// laterRow is a copy of a row as a later GTD release would list a new incident like it: same
// place and perpetrators, another event id and, when given, other related rows.
func laterRow(inc *gtd.Incident, eventID string, related ...string) *gtd.Incident {
	c := *inc
	e := *inc.Entity
	c.EventID, e.ID, e.GTDEventID = eventID, "gtd-"+eventID, eventID
	c.Entity = &e
	if related != nil {
		c.Related = related
	}
	return &c
}

// mergeInto merges dup into survivor as a curator would, at their current versions.
func mergeInto(t *testing.T, db *neo4j.DB, survivor, dup string) {
	t.Helper()
	if _, err := db.MergeEntities(context.Background(), curator("ann"), survivor, dup, version(t, db, survivor), version(t, db, dup)); err != nil {
		t.Fatalf("merge %s into %s: %v", dup, survivor, err)
	}
}

// one returns the single value a read answers, failing on any other number of rows.
func one(t *testing.T, db *neo4j.DB, what, cypher string, params map[string]any) []any {
	t.Helper()
	r := rows(t, db, cypher, params)
	if len(r) != 1 {
		t.Fatalf("%s: %d rows %v, want 1", what, len(r), r)
	}
	return r[0]
}

// A GTD import never undoes a curator's merge. Rows are imported; curators merge what the
// import created into other entities (its group into a seed group, one incident into another,
// its country and the GTD's publisher into entities they created, a place through a chain of
// two merges); the same rows imported again change nothing, and later rows naming the merged
// entities write their links on the survivors.
func TestImportGTDFollowsMergeRedirects(t *testing.T) {
	db := curated(t)
	ctx := context.Background()
	const (
		maute, kabul1, kabul2, kosovo = "201705230001", "202108260001", "202108260002", "201106000001"
		group, seedGroup              = "gtd-group-maute-group", "islamic-state-east-asia-province"
		dupIncident, keptIncident     = "gtd-" + kabul2, "gtd-" + kabul1
		country, curatedCountry       = "gtd-country-kosovo", "republic-of-kosovo"
		publisher, curatedPublisher   = "start-consortium", "start-umd"
		placeHop, placeSurvivor       = "marawi-city", "marawi"
	)
	incs := sampleRows(t, kabul1, kabul2, maute, kosovo)
	mustImport(t, db, incs, neo4j.ImportOptions{BatchSize: 2})

	// What the first import wrote that the merges move: the perpetrator link of the Maute row,
	// the Kabul pair's links, the Kosovo row's place link, and the Maute row's city.
	mauteLink := one(t, db, "the Maute row's perpetrator link",
		`MATCH (o:Organization {id: $g})-[r]->(:Incident {id: $i}) RETURN r.id`, map[string]any{"g": group, "i": "gtd-" + maute})[0].(string)
	perpetrators := rows(t, db, `MATCH (:Organization)-[r]->(:Incident {id: $i}) RETURN r.id`, map[string]any{"i": "gtd-" + maute})
	kosovoLink := one(t, db, "the Kosovo row's place link",
		`MATCH (:Incident {id: $i})-[r:OCCURRED_IN]->(:Country {id: $c}) RETURN r.id`, map[string]any{"i": "gtd-" + kosovo, "c": country})[0].(string)
	place := one(t, db, "the Maute row's place",
		`MATCH (:Incident {id: $i})-[:OCCURRED_IN]->(p:Place) RETURN p.id`, map[string]any{"i": "gtd-" + maute})[0].(string)
	dupLinks := rows(t, db, `MATCH (:Entity {id: $i})-[r]-(o:Entity) WHERE o.id <> $k RETURN r.id ORDER BY r.id`,
		map[string]any{"i": dupIncident, "k": keptIncident})
	if len(dupLinks) < 2 {
		t.Fatalf("links of %s: %v", dupIncident, dupLinks)
	}

	// The curators' work.
	k := incidentgraph.KindCountry
	o, p := incidentgraph.KindOrganization, incidentgraph.KindPlace
	for _, in := range []*incidentgraph.EntityInput{
		{ID: ptr(curatedCountry), Kind: &k, Name: ptr("Republic of Kosovo"), ISO2: ptr("XK")},
		{ID: ptr(curatedPublisher), Kind: &o, Name: ptr("START, University of Maryland"), OrgType: ptr("RESEARCH")},
		{ID: ptr(placeHop), Kind: &p, Name: ptr("Marawi City"), PlaceType: ptr("CITY"), CountryCode: ptr("PH")},
		{ID: ptr(placeSurvivor), Kind: &p, Name: ptr("Marawi"), PlaceType: ptr("CITY"), CountryCode: ptr("PH")},
	} {
		if _, err := db.CreateEntity(ctx, curator("ann"), in); err != nil {
			t.Fatal(err)
		}
	}
	mergeInto(t, db, seedGroup, group)
	mergeInto(t, db, keptIncident, dupIncident)
	mergeInto(t, db, curatedCountry, country)
	mergeInto(t, db, curatedPublisher, publisher)
	mergeInto(t, db, placeHop, place)
	mergeInto(t, db, placeSurvivor, placeHop)
	// A merge points every redirect to the survivor at once; a chain (place → marawi-city →
	// marawi), as a writer that did not could leave, must be followed all the same.
	if _, err := driver.ExecuteQuery(ctx, testDriver(t), `MATCH (r:Redirect {id: $id}) SET r.to = $hop`,
		map[string]any{"id": place, "hop": placeHop}, driver.EagerResultTransformer); err != nil {
		t.Fatal(err)
	}
	merged := []string{group, dupIncident, country, publisher, place, placeHop}
	gone := func(when string) {
		t.Helper()
		if es, err := db.FindEntitiesByIDs(ctx, merged); err != nil || len(es) != 0 {
			t.Fatalf("%s: merged-away entities are back: %v (%v)", when, entityIDs(es), err)
		}
	}
	gone("after the merges")
	afterMerges := fingerprint(t, db)

	// The same rows again: nothing changes, nothing merged away comes back.
	stats, err := db.ImportGTD(ctx, slices.Values(incs), neo4j.ImportOptions{BatchSize: 2})
	if err != nil {
		t.Fatalf("re-import after the merges: %v", err)
	}
	if stats.Rows != len(incs) || stats.GroupsCreated != 0 {
		t.Errorf("re-import stats %+v", stats)
	}
	gone("after the re-import")
	if fingerprint(t, db) != afterMerges {
		t.Error("re-importing the same rows after the merges changed the graph")
	}
	// The links are where the merges moved them, once each, under their ids.
	if r := rows(t, db, `MATCH (o:Organization)-[r]->(:Incident {id: $i}) RETURN o.id, r.id ORDER BY r.id`, map[string]any{"i": "gtd-" + maute}); len(r) != len(perpetrators) ||
		!slices.ContainsFunc(r, func(l []any) bool { return l[0] == seedGroup && l[1] == mauteLink }) {
		t.Errorf("perpetrators of the Maute row: %v, want %d links, %s's from %s", r, len(perpetrators), mauteLink, seedGroup)
	}
	if r := rows(t, db, `MATCH (:Incident {id: $i})-[r:OCCURRED_IN]->(c) RETURN c.id, r.id`, map[string]any{"i": "gtd-" + kosovo}); len(r) != 1 ||
		r[0][0] != curatedCountry || r[0][1] != kosovoLink {
		t.Errorf("place of the Kosovo row: %v, want [%s %s]", r, curatedCountry, kosovoLink)
	}
	for _, l := range dupLinks {
		r := rows(t, db, `MATCH (a)-[r {id: $id}]-(b) WHERE a.id < b.id RETURN a.id, b.id`, map[string]any{"id": l[0]})
		if len(r) != 1 || !slices.Contains(r[0], any(keptIncident)) {
			t.Errorf("link %v of the merged incident: %v, want one, on %s", l[0], r, keptIncident)
		}
	}

	// A later release: new rows in the merged place and country, by the merged group, related
	// to the merged incident. Their links go to the survivors, asserted by the publisher's.
	later := []*gtd.Incident{
		laterRow(incs[0], "202108270001", kabul2),
		laterRow(incs[2], "201705240001"),
		laterRow(incs[3], "201106000002"),
	}
	mustImport(t, db, append(slices.Clone(incs), later...), neo4j.ImportOptions{BatchSize: 2})
	gone("after importing later rows")
	for _, c := range []struct{ from, typ, to string }{
		{seedGroup, "PERPETRATED", "gtd-201705240001"},
		{"gtd-201705240001", "OCCURRED_IN", placeSurvivor},
		{"gtd-201106000002", "OCCURRED_IN", curatedCountry},
		{"gtd-202108270001", "RELATED_TO", keptIncident},
	} {
		r := rows(t, db, `MATCH (a:Entity {id: $from})-[r]-(b:Entity {id: $to}) WHERE type(r) = $type RETURN r.assertedBy`,
			map[string]any{"from": c.from, "type": c.typ, "to": c.to})
		if len(r) != 1 || r[0][0] != curatedPublisher {
			t.Errorf("%s %s %s: %v, want one link asserted by %s", c.from, c.typ, c.to, r, curatedPublisher)
		}
	}
	if r := rows(t, db, `MATCH (i:Incident)-[r]-() WHERE i.id IN $ids AND r.assertedBy <> $p RETURN r.id, r.assertedBy`,
		map[string]any{"ids": []string{"gtd-202108270001", "gtd-201705240001", "gtd-201106000002"}, "p": curatedPublisher}); len(r) != 0 {
		t.Errorf("links of the later rows asserted by another than %s: %v", curatedPublisher, r)
	}
	if r := rows(t, db, `MATCH (f:Figure) WHERE f.subject IN $ids OR f.assertedBy IN $ids RETURN f.id`, map[string]any{"ids": merged}); len(r) != 0 {
		t.Errorf("figures about or by merged-away entities: %v", r)
	}
	// And once more: idempotent.
	again := fingerprint(t, db)
	mustImport(t, db, append(slices.Clone(incs), later...), neo4j.ImportOptions{BatchSize: 3})
	if fingerprint(t, db) != again {
		t.Error("importing the later release a second time changed the graph")
	}
}

// The redirect lookups are index seeks, and the import sends one per chunk (plus one for the
// GTD's own source and publisher): EXPLAINed from the statements the import sent, recorded by
// the Bolt proxy.
func TestImportGTDRedirectLookupsSeek(t *testing.T) {
	db := curated(t)
	ctx := context.Background()
	incs := sampleRows(t, "202108260001", "202108260002", "201705230001", "201106000001", "201511130001")
	mustImport(t, db, incs, neo4j.ImportOptions{})
	mergeInto(t, db, "islamic-state-east-asia-province", "gtd-group-maute-group")
	mergeInto(t, db, "gtd-202108260001", "gtd-202108260002")

	rec, uri := newRecorder(t)
	cfg := testdb.Config(t)
	cfg.URI = uri
	viaProxy, err := neo4j.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer viaProxy.Close(ctx)
	rec.take()
	stats, err := viaProxy.ImportGTD(ctx, slices.Values(incs), neo4j.ImportOptions{BatchSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	var lookups, withRedirect int
	d := testDriver(t)
	for _, s := range rec.take() {
		if !strings.Contains(s.query, ":Redirect") || strings.HasPrefix(strings.TrimSpace(s.query), "CREATE CONSTRAINT") {
			continue
		}
		withRedirect++
		if strings.Contains(s.query, "r0:Redirect") {
			lookups++
		}
		ops := planOperators(ctx, t, d, s)
		t.Logf("reads: %s", strings.Join(reads(ops), " | "))
		for _, op := range scans(ops) {
			// The search of group and country names by name and alias reads every organization
			// and country by design (few, and only for names no index finds); nothing else scans.
			if strings.Contains(op, "Redirect") || !strings.Contains(s.query, "toLower(") {
				t.Errorf("scan %s in\n%s", op, s.query)
			}
		}
	}
	if lookups != stats.Chunks+1 || withRedirect <= lookups {
		t.Errorf("%d redirect lookups (%d statements naming redirects) for %d chunks, want one a chunk and one for the dataset",
			lookups, withRedirect, stats.Chunks)
	}
}

// A loop of redirects, which no merge makes, stops the import with a conflict that names the
// id, and nothing is written; with the loop mended the same rows import. The negative control
// runs the same checks with the store's hop bound taken out of its redirect lookup (the
// lookup then takes an id of the loop for the survivor): they must fail.
func TestImportGTDRefusesARedirectLoop(t *testing.T) {
	if faults := redirectLoopFaults(t, nil); len(faults) > 0 {
		t.Error(strings.Join(faults, "\n"))
	}
	t.Run("negative control: the hop bound ignored", func(t *testing.T) {
		noBound := &sabotage{from: "IS NOT NULL AS tooLong", to: "IS NULL AND false AS tooLong"}
		faults := redirectLoopFaults(t, noBound)
		if len(faults) == 0 {
			t.Error("with the hop bound ignored, a loop of redirects passes the checks")
		}
		t.Logf("the checks catch it:\n%s", strings.Join(faults, "\n"))
		mustHaveApplied(t, noBound)
	})
}

// redirectLoopFaults makes a loop of redirects, imports rows that name an id in it through the
// store (through a sabotaged one when s is set), and returns what went other than it should.
func redirectLoopFaults(t *testing.T, s *sabotage) []string {
	db := curated(t)
	importer := db
	if s != nil {
		importer = sabotagedStore(t, s)
	}
	ctx := context.Background()
	const group = "gtd-group-maute-group"
	incs := sampleRows(t, "201705230001")
	mustImport(t, db, incs, neo4j.ImportOptions{})
	mergeInto(t, db, "islamic-state-east-asia-province", group)
	set := func(cypher string) {
		t.Helper()
		if _, err := driver.ExecuteQuery(ctx, testDriver(t), cypher, map[string]any{"id": group}, driver.EagerResultTransformer); err != nil {
			t.Fatal(err)
		}
	}
	set(`MATCH (r:Redirect {id: $id}) SET r.to = 'loop-a' CREATE (:Redirect {id: 'loop-a', to: $id})`)
	var faults []string
	before := fingerprint(t, db)
	_, err := importer.ImportGTD(ctx, slices.Values(incs), neo4j.ImportOptions{})
	if code := incidentgraph.ErrorCode(err); code != incidentgraph.ECONFLICT || !strings.Contains(err.Error(), group) || !strings.Contains(err.Error(), "redirects") {
		faults = append(faults, fmt.Sprintf("importing through a loop of redirects: %v (%s), want a conflict naming %s", err, code, group))
	}
	if fingerprint(t, db) != before {
		faults = append(faults, "an import stopped by a loop of redirects wrote something")
	}
	set(`MATCH (r:Redirect {id: $id}) SET r.to = 'islamic-state-east-asia-province'`)
	if _, err := importer.ImportGTD(ctx, slices.Values(incs), neo4j.ImportOptions{}); err != nil {
		faults = append(faults, fmt.Sprintf("the rows after the loop was mended: %v", err))
	}
	if es, err := db.FindEntitiesByIDs(ctx, []string{group}); err != nil || len(es) != 0 {
		faults = append(faults, fmt.Sprintf("%s is back: %v (%v)", group, entityIDs(es), err))
	}
	return faults
}
