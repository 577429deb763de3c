package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/internal/stixvalidate"
	"github.com/incidentgraph/incidentgraph/internal/testdb"
	"github.com/incidentgraph/incidentgraph/neo4j"
	"github.com/incidentgraph/incidentgraph/stix"
)

const stixValidatorTool = "../../tools/stix2-validator"

// exportSTIX runs `incidentgraph export -format stix` with args into dir/name and returns the bytes.
func exportSTIX(t *testing.T, dir, name string, args ...string) []byte {
	t.Helper()
	out := filepath.Join(dir, name)
	var stdout, stderr bytes.Buffer
	all := append([]string{"export", "-format", "stix", "-out", out}, args...)
	if err := run(context.Background(), all, env(t, nil), &stdout, &stderr); err != nil {
		t.Fatalf("%v: %v\n%s", all, err, stderr.String())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// importSTIXFile runs `incidentgraph import stix FILE` with extra flags.
func importSTIXFile(t *testing.T, file string, extra ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), append([]string{"import", "stix", file}, extra...), env(t, nil), &stdout, &stderr)
	return stdout.String(), stderr.String(), err
}

func mustImportSTIX(t *testing.T, file string, extra ...string) string {
	t.Helper()
	out, errs, err := importSTIXFile(t, file, extra...)
	if err != nil {
		t.Fatalf("import stix %s: %v\n%s", file, err, errs)
	}
	return out
}

func fingerprint(t *testing.T, db *neo4j.DB) string {
	t.Helper()
	fp, err := db.Fingerprint(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return fp
}

// firstDifference names the first line two bundles differ on.
func firstDifference(a, b []byte) string {
	la, lb := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := range min(len(la), len(lb)) {
		if la[i] != lb[i] {
			return la[i] + "\n  became " + lb[i]
		}
	}
	return "one is longer"
}

// The whole seed graph, exported as STIX, imported into an empty graph and exported again, gives
// the same bytes; a second import changes nothing; everything imported is of origin stix; the
// bundle passes the OASIS validator. An import that drops one property fails the comparison.
func TestImportSTIXRoundTrip(t *testing.T) {
	ctx := context.Background()
	db := testdb.MustOpen(t)
	testdb.MustSeed(t, db)
	seeded, relationships, figures, err := db.Counts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	first := exportSTIX(t, dir, "first.json", "-of", "all")

	testdb.MustEmpty(t, db)
	out := mustImportSTIX(t, filepath.Join(dir, "first.json"))
	t.Logf("%s", out)
	if n, r, f, _ := db.Counts(ctx); n != seeded || r != relationships || f != figures {
		t.Errorf("imported %d entities, %d relationships, %d figures; the seed has %d, %d, %d", n, r, f, seeded, relationships, figures)
	}
	second := exportSTIX(t, dir, "second.json", "-of", "all")
	if !bytes.Equal(first, second) {
		t.Errorf("export → import → export differs (%d bytes, then %d): %s", len(first), len(second), firstDifference(first, second))
	}
	if rows := testdb.Read(t, `CALL () { MATCH (n:Entity) WHERE n.origin <> 'stix' RETURN count(n) AS n }
		CALL () { MATCH (:Entity)-[r]->(:Entity) WHERE r.origin <> 'stix' RETURN count(r) AS r }
		RETURN n + r AS other`, nil); rows[0]["other"].(int64) != 0 {
		t.Errorf("%d imported items are not of origin stix", rows[0]["other"])
	}

	// Importing the same bundle again changes nothing.
	before := fingerprint(t, db)
	again := mustImportSTIX(t, filepath.Join(dir, "first.json"))
	if fingerprint(t, db) != before || !strings.Contains(again, " 0 created, 0 updated") {
		t.Errorf("a second import changed the graph:\n%s", again)
	}

	// The OASIS validator, as strictly as the export's own test runs it, passes the round
	// trip's bundle and fails a broken one in the same run.
	var bundle map[string]any
	if err := json.Unmarshal(second, &bundle); err != nil {
		t.Fatal(err)
	}
	for _, o := range bundle["objects"].([]any) {
		if m := o.(map[string]any); m["type"] == "relationship" {
			m["target_ref"] = "location--00000000-0000-5000-8000-000000000000"
			break
		}
	}
	broken, _ := json.Marshal(bundle)
	brokenFile := filepath.Join(dir, "dangling.json")
	if err := os.WriteFile(brokenFile, broken, 0o644); err != nil {
		t.Fatal(err)
	}
	results, status := stixvalidate.Run(t, stixValidatorTool, filepath.Join(dir, "second.json"), brokenFile)
	r := results[filepath.Join(dir, "second.json")]
	t.Logf("round-trip bundle: %d bytes, valid %v, %d errors, %d warnings", len(second), r.Valid, len(r.Errors), len(r.Warnings))
	if !r.Valid || len(r.Errors) > 0 || len(r.Warnings) > 0 {
		t.Errorf("the round trip's bundle: errors %v, warnings %v", r.Errors, r.Warnings)
	}
	if c := results[brokenFile]; c.Valid || len(c.Errors) == 0 || status == 0 {
		t.Errorf("control: a dangling reference passes the validator (status %d)", status)
	}

	// Negative control: the same harness with an import that loses the relationships' quotes.
	testdb.MustEmpty(t, db)
	var stdout, stderr bytes.Buffer
	err = importSTIX(ctx, filepath.Join(dir, "first.json"), false, func(im *stix.Imported) (*incidentgraph.WriteStats, error) {
		for _, r := range im.Batch.Relationships {
			r.Quote = ""
		}
		return db.WriteBatch(ctx, im.Batch, neo4j.WriteOptions{Origin: originSTIX})
	}, &stdout, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	if lossy := exportSTIX(t, dir, "lossy.json", "-of", "all"); bytes.Equal(first, lossy) {
		t.Error("control: an import that drops the quotes gives the same bundle")
	}
}

// A subgraph the GTD import wrote exports as a bundle the OASIS validator passes, and that bundle
// reads back into the same subgraph.
func TestImportSTIXOfAGTDSubgraph(t *testing.T) {
	ctx := context.Background()
	db := testdb.MustOpen(t)
	testdb.MustSeed(t, db)
	var stdout, stderr bytes.Buffer
	if err := run(ctx, []string{"import", "gtd", "../../testdata/gtd/sample.csv"}, env(t, nil), &stdout, &stderr); err != nil {
		t.Fatalf("import gtd: %v\n%s", err, stderr.String())
	}
	dir := t.TempDir()
	first := exportSTIX(t, dir, "gtd.json", "-of", "neighborhood", "-id", "gtd-202108260001", "-depth", "2")
	if !bytes.Contains(first, []byte(`"gtd_event_id": "202108260001"`)) {
		t.Fatal("the neighbourhood holds no GTD incident")
	}
	results, status := stixvalidate.Run(t, stixValidatorTool, filepath.Join(dir, "gtd.json"))
	r := results[filepath.Join(dir, "gtd.json")]
	t.Logf("GTD neighbourhood: %d bytes, valid %v, %d errors, %d warnings", len(first), r.Valid, len(r.Errors), len(r.Warnings))
	if status != 0 || !r.Valid || len(r.Errors) > 0 || len(r.Warnings) > 0 {
		t.Errorf("GTD neighbourhood: errors %v, warnings %v", r.Errors, r.Warnings)
	}
	// Into an empty graph and out again: the same neighbourhood.
	testdb.MustEmpty(t, db)
	mustImportSTIX(t, filepath.Join(dir, "gtd.json"))
	if second := exportSTIX(t, dir, "again.json", "-of", "neighborhood", "-id", "gtd-202108260001", "-depth", "2"); !bytes.Equal(first, second) {
		t.Errorf("the GTD neighbourhood does not survive the round trip: %s", firstDifference(first, second))
	}
}

// OpenCTI's and MISP's bundles import with their provenance; what the graph does not hold is
// listed; curators' changes are kept and their merges followed on a second import.
func TestImportSTIXForeignBundles(t *testing.T) {
	ctx := context.Background()
	db := testdb.MustOpen(t)
	testdb.MustEmpty(t, db)
	octi := "../../stix/testdata/opencti-bundle.json"
	out := mustImportSTIX(t, octi)
	for _, want := range []string{
		"10 entities, 4 relationships, 0 figures",
		"entities: 10 created",
		"not held by the graph, not imported (5): indicator 1, malware 1, marking-definition 1, relationship with indicator 1, relationship with malware 1",
		"custom properties the graph has no field for (26): x_opencti_aliases 1, x_opencti_id 13,",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	rows := testdb.Read(t, `MATCH (a:Entity {id: $from})-[r:TARGETED]->(b:Entity) RETURN r.assertedBy AS by, r.sources AS sources,
		r.confidence AS confidence, r.origin AS origin`, map[string]any{"from": "intrusion-set-30221995-ac79-4321-a3cb-492d8e0b445c"})
	if len(rows) != 1 || rows[0]["by"] != "identity-434ebbd0-dd64-4401-b847-e1cf1627dddf" || rows[0]["confidence"] != int64(70) ||
		rows[0]["origin"] != "stix" || len(rows[0]["sources"].([]any)) != 2 {
		t.Errorf("TARGETED as written: %v", rows)
	}
	before := fingerprint(t, db)
	if again := mustImportSTIX(t, octi); fingerprint(t, db) != before || !strings.Contains(again, "entities: 0 created, 0 updated, 10 unchanged") {
		t.Errorf("a second import changed the graph:\n%s", again)
	}

	// A curator's edit is kept; a curator's merge is followed.
	group := "intrusion-set-30221995-ac79-4321-a3cb-492d8e0b445c"
	ann := incidentgraph.Write{Actor: "ann", Role: incidentgraph.RoleCurator, RequestID: "req-ann"}
	desc := "Curated: the brigade as the desk's analysts describe it."
	if _, err := db.UpdateEntity(ctx, ann, group, 1, &incidentgraph.EntityInput{Description: &desc}); err != nil {
		t.Fatal(err)
	}
	person := "identity-26e8ebe9-46e1-412a-898d-8c52061f5124"
	id, name, kind := "a-example", "A. Example", incidentgraph.KindPerson
	if _, err := db.CreateEntity(ctx, ann, &incidentgraph.EntityInput{ID: &id, Name: &name, Kind: &kind}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.MergeEntities(ctx, ann, "a-example", person, 1, 1); err != nil {
		t.Fatal(err)
	}
	out = mustImportSTIX(t, octi)
	if !strings.Contains(out, "1 kept (another origin's), 1 merged away") {
		t.Errorf("the curator's items are not counted as kept and merged:\n%s", out)
	}
	es, err := db.FindEntitiesByIDs(ctx, []string{group, person})
	if err != nil || len(es) != 1 || es[0].Description != desc {
		t.Errorf("after a curator's edit and merge: %v (%v)", es, err)
	}
	rows = testdb.Read(t, `MATCH (:Entity {id: $incident})-[r:ATTRIBUTED_TO]->() RETURN r.assertedBy AS by`,
		map[string]any{"incident": "incident-618f31d4-569c-470c-8a8f-d9eba3cb600b"})
	if len(rows) != 1 || rows[0]["by"] != "a-example" {
		t.Errorf("the merged analyst's attribution: %v", rows)
	}

	// MISP: the event is the source of what it contains; observables and attributes are listed.
	out = mustImportSTIX(t, "../../stix/testdata/misp-bundle.json")
	if !strings.Contains(out, "not held by the graph, not imported (5): indicator 1, ipv4-addr 1, marking-definition 1, observed-data 1, x-misp-attribute 1") {
		t.Errorf("MISP summary:\n%s", out)
	}
	rows = testdb.Read(t, `MATCH (:Entity {id: $actor})-[r]->(:Entity) RETURN type(r) AS type, r.sources AS sources ORDER BY type`,
		map[string]any{"actor": "threat-actor-db148356-6af2-4726-80d4-39e4e8503625"})
	if len(rows) != 2 || rows[1]["type"] != "TARGETED" || rows[1]["sources"].([]any)[0] != "report-2db45182-464a-4bd7-9a68-4b7d52aa5c98" ||
		rows[0]["sources"].([]any)[0] != "stix-bundle-068993a6-92c0-49a0-8bbc-e7cf12c06aff" {
		t.Errorf("MISP relationships: %v", rows)
	}
}

// A bad bundle is refused whole with an EINVALID error and every problem on stderr; nothing is
// written. --skip-bad writes the rest.
func TestImportSTIXRefusesABadBundle(t *testing.T) {
	db := testdb.MustOpen(t)
	testdb.MustSeed(t, db)
	before := fingerprint(t, db)
	dir := t.TempDir()
	raw, err := os.ReadFile("../../stix/testdata/opencti-bundle.json")
	if err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.json")
	dangling := "identity--00000000-0000-4000-8000-000000000000"
	if err := os.WriteFile(bad, bytes.Replace(raw, []byte(`"created_by_ref": "identity--26e8ebe9-46e1-412a-898d-8c52061f5124"`),
		[]byte(`"created_by_ref": "`+dangling+`"`), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	notJSON := filepath.Join(dir, "notjson.json")
	if err := os.WriteFile(notJSON, raw[:100], 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ file, stderr string }{
		{bad, bad + ": $.objects[11].created_by_ref: refers to " + dangling + " which is not in the bundle\n"},
		{notJSON, notJSON + ": $: not JSON: unexpected EOF\n"},
	} {
		_, errs, err := importSTIXFile(t, c.file)
		if err == nil || incidentgraph.ErrorCode(err) != incidentgraph.EINVALID || !strings.Contains(err.Error(), "nothing imported") {
			t.Errorf("%s: err %v", c.file, err)
		}
		if errs != c.stderr {
			t.Errorf("%s: stderr %q, want %q", c.file, errs, c.stderr)
		}
		if fingerprint(t, db) != before {
			t.Errorf("%s: a refused bundle changed the graph", c.file)
		}
	}
	// Control: with --skip-bad the attribution is left out, listed, and the rest written.
	out, errs, err := importSTIXFile(t, bad, "--skip-bad")
	if err != nil || !strings.Contains(out, "10 entities, 3 relationships") || !strings.Contains(errs, "(left out)") {
		t.Errorf("--skip-bad: %v\n%s\n%s", err, out, errs)
	}
	if fingerprint(t, db) == before {
		t.Error("--skip-bad wrote nothing")
	}
}

// The bar is drawn on a terminal only.
func TestImportSTIXProgress(t *testing.T) {
	var term, log bytes.Buffer
	for _, c := range []struct {
		w        *bytes.Buffer
		terminal bool
	}{{&term, true}, {&log, false}} {
		p := stixProgress(c.w, c.terminal)
		for i := 1; i <= 40; i++ {
			p.read(i, 40)
		}
		p.done()
	}
	if !strings.Contains(term.String(), "reading") || !strings.Contains(term.String(), "40/40") {
		t.Errorf("terminal: %q", term.String())
	}
	if log.Len() != 0 {
		t.Errorf("not a terminal: %q", log.String())
	}
}

// Another producer's country and group that the graph holds are read as the graph's own
// entities (by ISO code; by name or alias), linked to and never changed; a name the graph does
// not hold makes a new entity.
func TestImportSTIXResolvesTheGraphsEntities(t *testing.T) {
	db := testdb.MustOpen(t)
	testdb.MustSeed(t, db)
	raw, err := os.ReadFile("../../stix/testdata/opencti-bundle.json")
	if err != nil {
		t.Fatal(err)
	}
	var b map[string]any
	if err := json.Unmarshal(raw, &b); err != nil {
		t.Fatal(err)
	}
	objects := b["objects"].([]any)
	group, country := objects[2].(map[string]any), objects[3].(map[string]any)
	group["name"], group["aliases"] = "ISIL", []any{"Daesh"}
	country["name"], country["country"] = "Russian Federation", "RU"
	file := filepath.Join(t.TempDir(), "resolves.json")
	raw, _ = json.Marshal(b)
	if err := os.WriteFile(file, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	before := testdb.Read(t, `MATCH (n:Entity) WHERE n.id IN ['islamic-state', 'russia'] RETURN n.id AS id, properties(n) AS p ORDER BY id`, nil)
	out := mustImportSTIX(t, file)
	if !strings.Contains(out, "found in the graph under its own id (2): COUNTRY 1, ORGANIZATION 1") || !strings.Contains(out, "2 kept (another origin's)") {
		t.Errorf("summary:\n%s", out)
	}
	rows := testdb.Read(t, `MATCH (a:Entity {id: 'islamic-state'})-[r:ORIGINATED_FROM]->(b:Entity {id: 'russia'}) RETURN r.origin AS origin`, nil)
	if len(rows) != 1 || rows[0]["origin"] != "stix" {
		t.Errorf("the bundle's ORIGINATED_FROM between the resolved entities: %v", rows)
	}
	if after := testdb.Read(t, `MATCH (n:Entity) WHERE n.id IN ['islamic-state', 'russia'] RETURN n.id AS id, properties(n) AS p ORDER BY id`, nil); !reflect.DeepEqual(after, before) {
		t.Errorf("the seed's entities changed:\n%v\n%v", before, after)
	}
	if es, _ := db.FindEntitiesByIDs(context.Background(), []string{"intrusion-set-30221995-ac79-4321-a3cb-492d8e0b445c", "location-e3de3a11-c0a5-413b-b5e0-70a86d2710ab"}); len(es) != 0 {
		t.Errorf("resolved objects written as new entities too: %v", es)
	}
	// Control: the fixture as it is names a group and a country the seed does not hold.
	testdb.MustSeed(t, db)
	out = mustImportSTIX(t, "../../stix/testdata/opencti-bundle.json")
	if strings.Contains(out, "found in the graph") {
		t.Errorf("resolved what the graph does not hold:\n%s", out)
	}
	if es, _ := db.FindEntitiesByIDs(context.Background(), []string{"intrusion-set-30221995-ac79-4321-a3cb-492d8e0b445c"}); len(es) != 1 {
		t.Error("an unresolved group is not written")
	}
}
