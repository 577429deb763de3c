package neo4j_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/gtd"
	"github.com/incidentgraph/incidentgraph/internal/testdb"
	"github.com/incidentgraph/incidentgraph/neo4j"
	"github.com/incidentgraph/incidentgraph/seed"
)

// gtdRows reads a GTD file that has no bad rows.

func sample(tb testing.TB) []*gtd.Incident {
	tb.Helper()
	f, err := os.Open("../testdata/gtd/sample.csv")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	return testdb.GTDRows(tb, f)
}

func mustImport(tb testing.TB, db *neo4j.DB, incs []*gtd.Incident, opts neo4j.ImportOptions) *neo4j.ImportStats {
	tb.Helper()
	stats, err := db.ImportGTD(context.Background(), slices.Values(incs), opts)
	if err != nil {
		tb.Fatalf("import: %v", err)
	}
	return stats
}

// rows runs a read through the analysts' Cypher path, the only Cypher a test outside package
// neo4j may send.
func rows(tb testing.TB, db *neo4j.DB, cypher string, params map[string]any) [][]any {
	tb.Helper()
	res, err := db.RunCypher(context.Background(), cypher, params, 1000)
	if err != nil {
		tb.Fatalf("%s: %v", cypher, err)
	}
	out := make([][]any, 0, len(res.Rows))
	for _, r := range res.Rows {
		vs := make([]any, len(res.Columns))
		for i, c := range res.Columns {
			vs[i] = r[c]
		}
		out = append(out, vs)
	}
	return out
}

func TestImportGTDSample(t *testing.T) {
	db := seeded(t)
	ctx := context.Background()
	seedFP := fingerprint(t, db)
	stats := mustImport(t, db, sample(t), neo4j.ImportOptions{BatchSize: 10})
	if stats.Rows != 29 || stats.Incidents != 29 || stats.Chunks != 3 {
		t.Errorf("stats %+v", stats)
	}
	// Groups: ISIL, Khorasan, "ISIL", "islamic state", Al-Qaida and ISWAP (without its
	// acronym) resolve to the seed; the others are new.
	if stats.GroupsResolved < 6 || stats.GroupsCreated < 5 {
		t.Errorf("groups resolved %d, created %d", stats.GroupsResolved, stats.GroupsCreated)
	}
	if fingerprint(t, db) == seedFP {
		t.Fatal("the import changed nothing")
	}
	got := rows(t, db, `MATCH (i:Incident) WHERE i.gtdEventId IS NOT NULL RETURN count(i)`, nil)
	if got[0][0].(int64) != 29 {
		t.Errorf("%v imported incidents, want 29", got)
	}

	// Spot checks of one incident.
	es, err := db.FindEntitiesByIDs(ctx, []string{"gtd-202403220001", "gtd-202006000001", "gtd-201800000001"})
	if err != nil || len(es) != 3 {
		t.Fatalf("%v %v", es, err)
	}
	byID := map[string]int{}
	for i, e := range es {
		byID[e.ID] = i
	}
	m := es[byID["gtd-202403220001"]]
	if m.Date != "2024-03-22" || m.GTDEventID != "202403220001" || !slices.Equal(m.AttackTypes, []int{2, 7}) ||
		m.Outcome != "SUCCESSFUL" || m.Latitude == nil || *m.Latitude != 55.82583 || m.GeoPrecision == nil || *m.GeoPrecision != 1 {
		t.Errorf("Moscow: %+v", m)
	}
	if d := es[byID["gtd-202006000001"]].Date; d != "2020-06" {
		t.Errorf("partial date %q", d)
	}
	if d := es[byID["gtd-201800000001"]].Date; d != "2018" {
		t.Errorf("partial date %q", d)
	}

	// Aliases resolved to the seed's groups; provenance on every link.
	for _, c := range []struct{ from, typ, to string }{
		{"islamic-state", "CLAIMED_RESPONSIBILITY_FOR", "gtd-202403220001"},
		{"islamic-state-khorasan-province", "CLAIMED_RESPONSIBILITY_FOR", "gtd-202108260001"},
		{"islamic-state-khorasan-province", "PERPETRATED", "gtd-202108260002"},
		{"islamic-state", "CLAIMED_RESPONSIBILITY_FOR", "gtd-201906010001"}, // gname "ISIL", an alias
		{"islamic-state", "PERPETRATED", "gtd-201907020001"},                // "islamic state", any case
		{"gtd-group-maute-group", "PERPETRATED", "gtd-201705230001"},
		{"gtd-202108260001", "RELATED_TO", "gtd-202108260002"},
		{"islamic-state-west-africa-province", "PERPETRATED", "gtd-201903150001"}, // "… (ISWAP)"
		// Krasnogorsk in Moscow Oblast, Russia, is the seed's (resolve_test.go); Marawi is new.
		{"gtd-202403220001", "OCCURRED_IN", "krasnogorsk"},
		{"gtd-201705230001", "OCCURRED_IN", "gtd-place-philippines-lanao-del-sur-marawi"},
		{"gtd-place-philippines-lanao-del-sur-marawi", "LOCATED_IN", "gtd-place-philippines-lanao-del-sur"},
		{"gtd-place-philippines-lanao-del-sur", "LOCATED_IN", "gtd-country-philippines"},
		{"gtd-201106000001", "OCCURRED_IN", "gtd-country-kosovo"},
	} {
		r := rows(t, db, `MATCH (a:Entity {id: $from})-[r]->(b:Entity {id: $to}) WHERE type(r) = $type
			RETURN r.status, r.confidence, r.assertedBy, r.sources, r.assertedOn, r.knownFrom, r.origin`,
			map[string]any{"from": c.from, "to": c.to, "type": c.typ})
		if len(r) != 1 {
			t.Errorf("%s -%s-> %s: %d links, want 1", c.from, c.typ, c.to, len(r))
			continue
		}
		// Place links are shared by rows of every date: undated without a release date.
		dated := c.typ != "LOCATED_IN"
		if r[0][2] != "start-consortium" || len(r[0][3].([]any)) == 0 || (r[0][4] != nil) != dated || (r[0][5] != nil) != dated || r[0][6] != "gtd" {
			t.Errorf("%s -%s-> %s: provenance %v", c.from, c.typ, c.to, r[0])
		}
	}
	// A related pair is linked once, whichever row names it (the negative control: not twice).
	if r := rows(t, db, `MATCH (:Incident {id: 'gtd-201511130001'})-[r:RELATED_TO]-(:Incident {id: 'gtd-201511130002'}) RETURN count(r)`, nil); r[0][0].(int64) != 1 {
		t.Errorf("Paris parts linked %v times", r[0][0])
	}
	// "Unknown" is no perpetrator.
	if r := rows(t, db, `MATCH (:Organization)-[r]->(:Incident {id: 'gtd-201201010001'}) RETURN count(r)`, nil); r[0][0].(int64) != 0 {
		t.Errorf("Unknown became %v perpetrators", r[0][0])
	}
	// Unknown tolls are no figure; a known 0 is one.
	figs, err := db.FindFigures(ctx, []string{"gtd-202108260002", "gtd-201903160001", "gtd-202403220001"}, incidentgraph.TimeView{})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(figs["gtd-202108260002"]); n != 0 {
		t.Errorf("unknown tolls became %d figures", n)
	}
	if f := figs["gtd-201903160001"]; len(f) != 2 {
		t.Errorf("known tolls (0 killed, 3 wounded): %d figures", len(f))
	}
	var killed int
	for _, f := range figs["gtd-202403220001"] {
		if f.Metric == "KILLED" {
			killed = f.Value
		}
	}
	if killed != 145 {
		t.Errorf("Moscow killed %d", killed)
	}
	// The seed's groups are linked to, never changed.
	if r := rows(t, db, `MATCH (o:Entity {id: 'islamic-state'}) RETURN o.origin, o.gtdName`, nil); r[0][0] != "seed" || r[0][1] != "Islamic State of Iraq and the Levant (ISIL)" {
		t.Errorf("seed group changed: %v", r)
	}
}

func TestImportGTDIsIdempotentAndUpdatesAChangedRow(t *testing.T) {
	db := seeded(t)
	incs := sample(t)
	mustImport(t, db, incs, neo4j.ImportOptions{})
	first := fingerprint(t, db)
	stats := mustImport(t, db, incs, neo4j.ImportOptions{BatchSize: 7})
	if got := fingerprint(t, db); got != first {
		t.Error("a second import changed the graph")
	}
	if stats.GroupsCreated != 0 {
		t.Errorf("a second import created %d groups", stats.GroupsCreated)
	}

	// A changed row: a new toll and another perpetrator.
	changed := slices.Clone(incs)
	for i, inc := range changed {
		if inc.EventID == "201903150001" {
			c := *inc
			k := 13
			c.Killed = &k
			c.Perpetrators = []gtd.Perpetrator{{GTDName: "Boko Haram", Type: "PERPETRATED", Status: "SUSPECTED", Confidence: 50}}
			changed[i] = &c
		}
	}
	mustImport(t, db, changed, neo4j.ImportOptions{})
	if fingerprint(t, db) == first {
		t.Fatal("a changed row changed nothing")
	}
	r := rows(t, db, `MATCH (o:Organization)-[r]->(:Incident {id: 'gtd-201903150001'}) RETURN o.id, r.status`, nil)
	if len(r) != 1 || r[0][0] != "gtd-group-boko-haram" || r[0][1] != "SUSPECTED" {
		t.Errorf("perpetrators after the change: %v", r)
	}
	r = rows(t, db, `MATCH (f:Figure {subject: 'gtd-201903150001', metric: 'KILLED'}) RETURN f.value`, nil)
	if len(r) != 1 || r[0][0].(int64) != 13 {
		t.Errorf("killed after the change: %v", r)
	}
	// Importing the original again restores the first graph, but for the group it created.
	mustImport(t, db, incs, neo4j.ImportOptions{})
	r = rows(t, db, `MATCH (o:Organization)-[r]->(:Incident {id: 'gtd-201903150001'}) RETURN o.id`, nil)
	if len(r) != 1 || !strings.Contains(r[0][0].(string), "west-africa") {
		t.Errorf("perpetrators after restoring: %v", r)
	}
}

func TestImportGTDInterruptedIsCompletedByARerun(t *testing.T) {
	db := seeded(t)
	incs := sample(t)
	mustImport(t, db, incs, neo4j.ImportOptions{BatchSize: 5})
	whole := fingerprint(t, db)

	testdb.MustSeed(t, db)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stats, err := db.ImportGTD(ctx, slices.Values(incs), neo4j.ImportOptions{BatchSize: 5, Progress: func(int) { cancel() }})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	if stats.Rows != 5 || stats.Chunks != 1 {
		t.Errorf("interrupted stats %+v", stats)
	}
	r := rows(t, db, `MATCH (i:Incident) WHERE i.gtdEventId IS NOT NULL RETURN count(i)`, nil)
	if r[0][0].(int64) != 5 {
		t.Errorf("%v incidents after the first chunk, want 5", r[0][0])
	}
	if fingerprint(t, db) == whole {
		t.Fatal("the interrupted import already holds everything (the negative control)")
	}
	mustImport(t, db, incs, neo4j.ImportOptions{BatchSize: 5})
	if fingerprint(t, db) != whole {
		t.Error("the rerun did not complete the graph of an uninterrupted import")
	}
}

// Two writers creating the same new incident: the unique constraint refuses the second, the
// import reports it (a conflict that says to rerun) instead of swallowing it, and the graph holds
// one incident. The other writer is a transaction of the test's that creates the incident and
// stays open until the import's CREATE waits on it (seen in SHOW TRANSACTIONS, not guessed by
// a sleep): so the import's existence check cannot see it, as with two imports racing.
func TestImportGTDRefusesAndReportsADuplicateCreatedMeanwhile(t *testing.T) {
	db := seeded(t)
	ctx := context.Background()
	incs := sample(t)[:1]
	id := "gtd-" + incs[0].EventID
	d := testDriver(t)
	s := d.NewSession(ctx, driver.SessionConfig{AccessMode: driver.AccessModeWrite})
	defer s.Close(ctx)
	tx, err := s.BeginTransaction(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Close(ctx)
	res, err := tx.Run(ctx, `CREATE (:Entity:Incident {id: $id, kind: 'INCIDENT', name: 'the other writer', origin: 'gtd'})`,
		map[string]any{"id": id})
	if err == nil {
		_, err = res.Consume(ctx)
	}
	if err != nil {
		t.Fatal(err)
	}

	done := make(chan error, 1)
	go func() {
		_, err := db.ImportGTD(ctx, slices.Values(incs), neo4j.ImportOptions{})
		done <- err
	}()
	// Wait until the import is blocked on the open transaction's lock (or has finished, which
	// fails below). The bound only stops a hung test.
	deadline := time.Now().Add(2 * time.Minute)
	for blocked := false; !blocked; {
		select {
		case err := <-done:
			t.Fatalf("the import finished before it met the other writer's incident: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("the import never waited on the other writer")
		}
		r, err := driver.ExecuteQuery(ctx, d, `SHOW TRANSACTIONS YIELD status WHERE status STARTS WITH 'Blocked' RETURN count(*) AS n`,
			nil, driver.EagerResultTransformer)
		if err != nil {
			t.Fatal(err)
		}
		n, _ := r.Records[0].Get("n")
		blocked = n.(int64) > 0
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	err = <-done
	var de *incidentgraph.Error
	if err == nil || !errors.As(err, &de) || de.Code != incidentgraph.ECONFLICT || !strings.Contains(err.Error(), "run the import again") {
		t.Fatalf("import err %v, want a conflict saying to rerun", err)
	}
	count := func() int64 {
		return rows(t, db, `MATCH (n:Entity {id: $id}) RETURN count(n)`, map[string]any{"id": id})[0][0].(int64)
	}
	if n := count(); n != 1 {
		t.Fatalf("%d entities %s, want 1", n, id)
	}
	// The rerun the message asks for completes the import (the negative control: with nothing
	// competing, the same import reports no error), still with one incident, now the import's.
	mustImport(t, db, incs, neo4j.ImportOptions{})
	r := rows(t, db, `MATCH (n:Entity {id: $id}) RETURN n.name, EXISTS { (n)-[:OCCURRED_IN]->() }`, map[string]any{"id": id})
	if len(r) != 1 || r[0][0] == "the other writer" || r[0][1] != true {
		t.Errorf("after the rerun: %v, want one incident written by the import", r)
	}
}

func TestSeedReloadLeavesImportedItems(t *testing.T) {
	db := seeded(t)
	mustImport(t, db, sample(t), neo4j.ImportOptions{})
	before := fingerprint(t, db)
	ds, err := seed.Read(seed.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	stats, err := db.Load(context.Background(), ds)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Removed != 0 || fingerprint(t, db) != before {
		t.Errorf("a seed reload removed %d items or changed the graph", stats.Removed)
	}
}

// The summary counts the relationships an import created: a place's LOCATED_IN links, shared
// by rows in several chunks, count once, and a second import of the same rows creates none.
func TestImportGTDCountsTheRelationshipsItCreated(t *testing.T) {
	db := seeded(t)
	ctx := context.Background()
	_, before, _, err := db.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Chunks of 3 rows: places and their links are named again in later chunks.
	stats := mustImport(t, db, sample(t), neo4j.ImportOptions{BatchSize: 3})
	_, after, _, err := db.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if after-before == 0 || stats.Relationships != after-before {
		t.Errorf("the summary counts %d relationships, the graph gained %d", stats.Relationships, after-before)
	}
	// Negative control: the same rows again create nothing, and the summary says so.
	again := mustImport(t, db, sample(t), neo4j.ImportOptions{BatchSize: 3})
	if _, n, _, _ := db.Counts(ctx); again.Relationships != 0 || n != after {
		t.Errorf("a second import counts %d relationships; the graph went from %d to %d", again.Relationships, after, n)
	}
}

func TestImportGTDNeedsTheSeed(t *testing.T) {
	db := testdb.MustOpen(t)
	if err := db.DeleteAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, err := db.ImportGTD(context.Background(), slices.Values(sample(t)), neo4j.ImportOptions{})
	if err == nil || !strings.Contains(err.Error(), "start-consortium") {
		t.Errorf("err %v", err)
	}
	if fp := rows(t, db, `MATCH (n) RETURN count(n)`, nil); fp[0][0].(int64) != 0 {
		t.Errorf("%v nodes written without the seed", fp[0][0])
	}
}

// BenchmarkImportGTD imports a synthetic file of b.N×1,000 rows in the sample's shape (every
// row a new incident, 300 groups, 500 cities) and reports rows per second.
func BenchmarkImportGTD(b *testing.B) {
	db := testdb.MustOpen(b)
	testdb.MustSeed(b, db)
	var sb strings.Builder
	sb.WriteString("eventid,iyear,imonth,iday,country_txt,provstate,city,latitude,longitude,specificity,attacktype1,targtype1,weaptype1,gname,gname2,guncertain1,claimed,nkill,nwound,related,scite1\n")
	n := 1000 * b.N
	id := func(i int) string { return fmt.Sprintf("201501%02d%04d", 1+i%28, i/28) }
	for i := 0; i < n; i++ {
		related, second := "", ""
		if i%10 == 1 {
			related = id(i - 1)
		}
		if i%7 == 0 {
			second = "Unknown"
		} else if i%11 == 0 {
			second = fmt.Sprintf("Group %d", i%97)
		}
		fmt.Fprintf(&sb, "%s,2015,1,%d,Country %d,Province %d,City %d,10.5,20.5,1,%d,%d,%d,Group %d,%s,%d,%d,%d,-9,%s,Citation %d\n",
			id(i), 1+i%28, i%50, i%200, i%500, 1+i%9, 1+i%22, 1+i%13, i*i%300, second, i%2, i%5/4, i%40, related, i%1000)
	}
	incs := testdb.GTDRows(b, strings.NewReader(sb.String()))
	b.ResetTimer()
	stats := mustImport(b, db, incs, neo4j.ImportOptions{})
	b.ReportMetric(float64(stats.Rows)/b.Elapsed().Seconds(), "rows/s")
}
