package neo4j_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/gtd"
	"github.com/incidentgraph/incidentgraph/neo4j"
	"github.com/incidentgraph/incidentgraph/seed"
)

// Curation against the real Neo4j: versions, one-transaction writes, idempotency, retraction,
// the audit trail, merges and origins (a seed reload keeps curated work).

const (
	iskAffiliate  = "islamic-state-khorasan-province--affiliate-of--islamic-state--associated-press"
	iswapAffilate = "islamic-state-west-africa-province--affiliate-of--islamic-state--associated-press"
	iseapAffilate = "islamic-state-east-asia-province--affiliate-of--islamic-state--associated-press"
)

func curated(t *testing.T) *neo4j.DB {
	t.Helper()
	db := seeded(t)
	if err := db.EnsureCurationSchema(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

func curator(name string) incidentgraph.Write {
	return incidentgraph.Write{Actor: name, Role: incidentgraph.RoleCurator, RequestID: "req-" + name}
}

func ptr[T any](v T) *T { return &v }

func version(t *testing.T, db *neo4j.DB, id string) int {
	t.Helper()
	vs, err := db.Versions(context.Background(), []string{id})
	if err != nil {
		t.Fatal(err)
	}
	return vs[id]
}

func mustCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := incidentgraph.ErrorCode(err); got != code {
		t.Fatalf("error %v: code %s, want %s", err, got, code)
	}
}

func newOrg(id, name string) *incidentgraph.EntityInput {
	k := incidentgraph.KindOrganization
	return &incidentgraph.EntityInput{ID: &id, Kind: &k, Name: &name, OrgType: ptr("MILITANT_GROUP"),
		SourceIDs: []string{apArt}, SourcesSet: true}
}

func TestCurationVersionsRefuseStaleWrites(t *testing.T) {
	db := curated(t)
	ctx := context.Background()
	e, err := db.CreateEntity(ctx, curator("ann"), newOrg("test-front", "Test Front"))
	if err != nil {
		t.Fatal(err)
	}
	if e.ID != "test-front" || version(t, db, "test-front") != 1 {
		t.Fatalf("created %+v at version %d, want test-front at 1", e, version(t, db, "test-front"))
	}
	if _, err := db.UpdateEntity(ctx, curator("ann"), "test-front", 1, &incidentgraph.EntityInput{Description: ptr("A test group.")}); err != nil {
		t.Fatal(err)
	}
	if v := version(t, db, "test-front"); v != 2 {
		t.Fatalf("version after an update: %d, want 2", v)
	}
	before := fingerprint(t, db)
	_, err = db.UpdateEntity(ctx, curator("bob"), "test-front", 1, &incidentgraph.EntityInput{Description: ptr("Overwritten.")})
	mustCode(t, err, incidentgraph.ECONFLICT)
	if c, ok := incidentgraph.AsConflict(err); !ok || c.Current != 2 {
		t.Fatalf("conflict %v: want the current version 2 in it", err)
	}
	if fingerprint(t, db) != before {
		t.Fatal("a refused update changed the graph")
	}
	// The same update naming the current version goes through (the control).
	if _, err := db.UpdateEntity(ctx, curator("bob"), "test-front", 2, &incidentgraph.EntityInput{Description: ptr("Corrected.")}); err != nil {
		t.Fatal(err)
	}
	if fingerprint(t, db) == before {
		t.Fatal("an accepted update left the fingerprint unchanged")
	}
	// Relationships too.
	_, err = db.UpdateRelationship(ctx, curator("bob"), iskAffiliate, 7, &incidentgraph.RelationshipInput{Confidence: ptr(70)})
	if c, ok := incidentgraph.AsConflict(err); !ok || c.Current != 1 {
		t.Fatalf("stale relationship update: %v, want CONFLICT with current version 1", err)
	}
}

func TestCurationValidationUsesTheSeedRulesWithInputPaths(t *testing.T) {
	db := curated(t)
	ctx := context.Background()
	before := fingerprint(t, db)
	rel := func(mod func(*incidentgraph.RelationshipInput)) *incidentgraph.RelationshipInput {
		in := &incidentgraph.RelationshipInput{FromID: ptr(isk), ToID: ptr(is), Type: ptr(incidentgraph.RelType("ALLIED_WITH")),
			Status: ptr(incidentgraph.Status("ALLEGED")), Confidence: ptr(20), AssertedByID: ptr("russia"),
			SourceIDs: []string{apArt}, SourcesSet: true}
		mod(in)
		return in
	}
	cases := []struct {
		name, field, message string
		in                   *incidentgraph.RelationshipInput
	}{
		{"confidence", "input.confidence", "confidence 150 is out of range 0–100", rel(func(in *incidentgraph.RelationshipInput) { in.Confidence = ptr(150) })},
		{"no sources", "input.sources", "missing required key sources", rel(func(in *incidentgraph.RelationshipInput) { in.SourceIDs = nil })},
		{"unknown end", "input.to", "to: no entity with id nobody", rel(func(in *incidentgraph.RelationshipInput) { in.ToID = ptr("nobody") })},
		{"kinds", "input.to", "ALLIED_WITH cannot point to " + moscow + " (INCIDENT)", rel(func(in *incidentgraph.RelationshipInput) { in.ToID = ptr(moscow) })},
		{"asserter", "input.assertedBy", "assertedBy: " + apArt + " is a SOURCE", rel(func(in *incidentgraph.RelationshipInput) { in.AssertedByID = ptr(apArt) })},
		{"source kind", "input.sources[0]", "sources: russia is a COUNTRY, not a SOURCE", rel(func(in *incidentgraph.RelationshipInput) { in.SourceIDs = []string{"russia"} })},
		{"loop", "input.to", "from and to are the same entity", rel(func(in *incidentgraph.RelationshipInput) { in.ToID = ptr(isk) })},
	}
	for _, c := range cases {
		_, err := db.AddRelationship(ctx, curator("ann"), c.in)
		ie, ok := incidentgraph.AsInputError(err)
		if !ok {
			t.Errorf("%s: %v, want an input error", c.name, err)
			continue
		}
		mustCode(t, err, incidentgraph.EINVALID)
		found := false
		for _, p := range ie.Problems {
			found = found || (p.Field == c.field && strings.Contains(p.Message, c.message))
		}
		if !found {
			t.Errorf("%s: problems %+v, want %s: %q", c.name, ie.Problems, c.field, c.message)
		}
	}
	if fingerprint(t, db) != before {
		t.Fatal("refused writes changed the graph")
	}
	// The control: the valid input is written.
	if _, err := db.AddRelationship(ctx, curator("ann"), rel(func(*incidentgraph.RelationshipInput) {})); err != nil {
		t.Fatal(err)
	}
	if fingerprint(t, db) == before {
		t.Fatal("a valid relationship left the fingerprint unchanged")
	}
}

func TestCurationFailingHalfWayWritesNothing(t *testing.T) {
	db := curated(t)
	ctx := context.Background()
	before := fingerprint(t, db)
	boom := errors.New("fault after the change")
	sawChange := 0
	reset := neo4j.SetCurationFault(db, func(op string, versionInTx func(string) (int, error)) error {
		v, err := versionInTx(iskAffiliate)
		if err != nil {
			return err
		}
		sawChange = v
		return boom
	})
	_, err := db.UpdateRelationship(ctx, curator("ann"), iskAffiliate, 1, &incidentgraph.RelationshipInput{Confidence: ptr(55)})
	reset()
	if !errors.Is(err, boom) {
		t.Fatalf("update with a fault: %v, want the fault", err)
	}
	if sawChange != 2 {
		t.Fatalf("inside the transaction the version was %d when the fault struck, want 2 (the change written)", sawChange)
	}
	if got := fingerprint(t, db); got != before {
		t.Fatal("a write that failed half-way changed the graph")
	}
	if v := version(t, db, iskAffiliate); v != 1 {
		t.Fatalf("version after the rolled-back write: %d, want 1", v)
	}
	// The control: the same write without the fault changes the graph.
	if _, err := db.UpdateRelationship(ctx, curator("ann"), iskAffiliate, 1, &incidentgraph.RelationshipInput{Confidence: ptr(55)}); err != nil {
		t.Fatal(err)
	}
	if fingerprint(t, db) == before {
		t.Fatal("the same write without the fault left the fingerprint unchanged")
	}
}

func TestCurationIdempotency(t *testing.T) {
	db := curated(t)
	ctx := context.Background()
	w := curator("ann")
	w.IdempotencyKey = "k-1"
	in := &incidentgraph.RelationshipInput{Confidence: ptr(60), Note: ptr("rated down")}
	first, err := db.UpdateRelationship(ctx, w, iskAffiliate, 1, in)
	if err != nil {
		t.Fatal(err)
	}
	after := fingerprint(t, db)
	again, err := db.UpdateRelationship(ctx, w, iskAffiliate, 1, in)
	if err != nil {
		t.Fatalf("a retry with the same key: %v, want the first answer", err)
	}
	if again.Confidence != 60 || again.Note != first.Note || again.ID != first.ID {
		t.Fatalf("retry answered %+v, want %+v", again, first)
	}
	if fingerprint(t, db) != after {
		t.Fatal("a retry wrote again")
	}
	if v := version(t, db, iskAffiliate); v != 2 {
		t.Fatalf("version after a write and its retry: %d, want 2", v)
	}
	hs, err := db.History(ctx, []string{iskAffiliate}, 100)
	h := hs[iskAffiliate]
	if err != nil || len(h) != 1 {
		t.Fatalf("history after a write and its retry: %d entries (%v), want 1", len(h), err)
	}
	// The same key with another request is refused, and writes nothing.
	_, err = db.UpdateRelationship(ctx, w, iskAffiliate, 2, &incidentgraph.RelationshipInput{Confidence: ptr(10)})
	mustCode(t, err, incidentgraph.EINVALID)
	if !strings.Contains(err.Error(), "different request") {
		t.Fatalf("reused key: %v", err)
	}
	if fingerprint(t, db) != after {
		t.Fatal("a refused reuse of a key wrote")
	}
	// Keys are per caller: another curator's k-1 is a new request.
	w2 := curator("bob")
	w2.IdempotencyKey = "k-1"
	if _, err := db.UpdateRelationship(ctx, w2, iskAffiliate, 2, &incidentgraph.RelationshipInput{Confidence: ptr(10)}); err != nil {
		t.Fatalf("another caller's same key: %v", err)
	}
}

func TestRetractionIsKeptButLeftOutOfReads(t *testing.T) {
	db := curated(t)
	ctx := context.Background()
	r, err := db.RetractRelationship(ctx, curator("ann"), iskAffiliate, 1, "the article does not support it")
	if err != nil {
		t.Fatal(err)
	}
	if r.ID != iskAffiliate {
		t.Fatalf("retracted %s", r.ID)
	}
	has := func(f incidentgraph.RelationshipFilter) bool {
		rels, err := db.FindRelationships(ctx, []string{isk}, f, 500)
		if err != nil {
			t.Fatal(err)
		}
		return slices.ContainsFunc(rels[isk], func(r *incidentgraph.Relationship) bool { return r.ID == iskAffiliate })
	}
	if has(incidentgraph.RelationshipFilter{}) {
		t.Error("a retracted assertion is in the default read")
	}
	if !has(incidentgraph.RelationshipFilter{IncludeRetracted: true}) {
		t.Error("a retracted assertion is missing with includeRetracted")
	}
	if has := has(incidentgraph.RelationshipFilter{IncludeRetracted: true}); !has {
		t.Fatal("control failed")
	}
	g, err := db.Neighborhood(ctx, isk, 1, incidentgraph.RelationshipFilter{}, 500)
	if err != nil {
		t.Fatal(err)
	}
	if slices.ContainsFunc(g.Edges, func(r *incidentgraph.Relationship) bool { return r.ID == iskAffiliate }) {
		t.Error("a retracted assertion is in a neighbourhood")
	}
	rs, err := db.Retractions(ctx, []string{iskAffiliate, iswapAffilate})
	if err != nil {
		t.Fatal(err)
	}
	if rt := rs[iskAffiliate]; rt == nil || rt.By != "ann" || rt.Reason != "the article does not support it" || rt.At.IsZero() {
		t.Fatalf("retraction %+v", rt)
	}
	if rs[iswapAffilate] != nil {
		t.Fatal("a standing assertion has a retraction")
	}
	_, err = db.RetractRelationship(ctx, curator("ann"), iskAffiliate, 2, "again")
	mustCode(t, err, incidentgraph.ECONFLICT)
}

func TestAuditTrailAndHistory(t *testing.T) {
	db := curated(t)
	ctx := context.Background()
	if _, err := db.UpdateRelationship(ctx, curator("ann"), iswapAffilate, 1, &incidentgraph.RelationshipInput{Confidence: ptr(70)}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.RetractRelationship(ctx, curator("bob"), iswapAffilate, 2, "unchecked identification"); err != nil {
		t.Fatal(err)
	}
	hs, err := db.History(ctx, []string{iswapAffilate, iseapAffilate}, 100)
	if err != nil {
		t.Fatal(err)
	}
	h := hs[iswapAffilate]
	if len(hs[iseapAffilate]) != 0 {
		t.Fatalf("an unchanged relationship has a history: %+v", hs[iseapAffilate])
	}
	if len(h) != 2 || h[0].Operation != incidentgraph.OpUpdateRelationship || h[1].Operation != incidentgraph.OpRetractRelationship {
		t.Fatalf("history %+v, want the update then the retraction", h)
	}
	if h[0].Actor != "ann" || h[0].Role != incidentgraph.RoleCurator || h[0].RequestID != "req-ann" || h[0].Version != 2 || h[1].Actor != "bob" || h[1].Version != 3 {
		t.Fatalf("history actors and versions: %+v %+v", h[0], h[1])
	}
	var before, after map[string]any
	if json.Unmarshal([]byte(h[0].Before), &before) != nil || json.Unmarshal([]byte(h[0].After), &after) != nil {
		t.Fatalf("before/after are not JSON: %q %q", h[0].Before, h[0].After)
	}
	if before["confidence"] != float64(80) || after["confidence"] != float64(70) {
		t.Fatalf("before %v after %v, want confidence 80 then 70", before["confidence"], after["confidence"])
	}
	if h[1].Reason != "unchecked identification" {
		t.Fatalf("retraction reason %q", h[1].Reason)
	}
	// The log, newest first, filtered and paged.
	page, err := db.AuditLog(ctx, incidentgraph.AuditFilter{TargetID: iswapAffilate}, incidentgraph.Page{First: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Changes) != 1 || !page.HasNextPage || page.Changes[0].Operation != incidentgraph.OpRetractRelationship {
		t.Fatalf("first page %+v", page)
	}
	next, err := db.AuditLog(ctx, incidentgraph.AuditFilter{TargetID: iswapAffilate}, incidentgraph.Page{First: 1, After: page.Cursors[0]})
	if err != nil {
		t.Fatal(err)
	}
	if len(next.Changes) != 1 || next.HasNextPage || next.Changes[0].Operation != incidentgraph.OpUpdateRelationship {
		t.Fatalf("second page %+v", next)
	}
	byBob, err := db.AuditLog(ctx, incidentgraph.AuditFilter{Actor: "bob"}, incidentgraph.Page{First: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(byBob.Changes) != 1 || byBob.Changes[0].Actor != "bob" {
		t.Fatalf("bob's entries: %+v", byBob.Changes)
	}
	// Audit entries are not entities: no read meets them.
	if es, err := db.FindEntitiesByIDs(ctx, []string{h[0].ID}); err != nil || len(es) != 0 {
		t.Fatalf("an audit entry read as an entity: %v %v", es, err)
	}
}

func TestSeedReloadKeepsCuratedWork(t *testing.T) {
	db := curated(t)
	ctx := context.Background()
	if _, err := db.UpdateRelationship(ctx, curator("ann"), iskAffiliate, 1, &incidentgraph.RelationshipInput{Confidence: ptr(42)}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.RetractRelationship(ctx, curator("ann"), iswapAffilate, 1, "unchecked"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateEntity(ctx, curator("ann"), newOrg("test-cell", "Test Cell")); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateEntity(ctx, curator("ann"), isk, 1, &incidentgraph.EntityInput{Description: ptr("Curated description.")}); err != nil {
		t.Fatal(err)
	}
	// Reload a seed that changes the three relationships' confidence: the uncurated one takes
	// the new value (the control: the load does write), the curated ones keep the curators'.
	ds, err := seed.Read(seed.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range ds.Relationships {
		if r.ID == iskAffiliate || r.ID == iswapAffilate || r.ID == iseapAffilate {
			r.Confidence = 11
		}
	}
	if _, err := db.Load(ctx, ds); err != nil {
		t.Fatal(err)
	}
	rels, err := db.FindRelationships(ctx, []string{is}, incidentgraph.RelationshipFilter{IncludeRetracted: true}, 500)
	if err != nil {
		t.Fatal(err)
	}
	conf := map[string]int{}
	for _, r := range rels[is] {
		conf[r.ID] = r.Confidence
	}
	if conf[iseapAffilate] != 11 {
		t.Errorf("uncurated relationship after reload: confidence %d, want the reloaded 11", conf[iseapAffilate])
	}
	if conf[iskAffiliate] != 42 {
		t.Errorf("corrected relationship after reload: confidence %d, want the curator's 42", conf[iskAffiliate])
	}
	if _, ok := conf[iswapAffilate]; !ok {
		t.Error("retracted relationship removed by the reload")
	}
	if rs, err := db.Retractions(ctx, []string{iswapAffilate}); err != nil || rs[iswapAffilate] == nil {
		t.Errorf("retraction lost by the reload (%v)", err)
	}
	es, err := db.FindEntitiesByIDs(ctx, []string{"test-cell", isk})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]*incidentgraph.Entity{}
	for _, e := range es {
		byID[e.ID] = e
	}
	if byID["test-cell"] == nil {
		t.Error("curated entity removed by the reload")
	}
	if e := byID[isk]; e == nil || e.Description != "Curated description." {
		t.Errorf("corrected entity after reload: %+v", e)
	}
}

func TestMergeMovesEverythingAndTheOldIDResolves(t *testing.T) {
	db := curated(t)
	ctx := context.Background()
	for _, in := range []*incidentgraph.EntityInput{newOrg("test-front", "Test Front"), newOrg("test-front-dup", "Front for Tests")} {
		if _, err := db.CreateEntity(ctx, curator("ann"), in); err != nil {
			t.Fatal(err)
		}
	}
	rel, err := db.AddRelationship(ctx, curator("ann"), &incidentgraph.RelationshipInput{FromID: ptr("test-front-dup"), ToID: ptr(is),
		Type: ptr(incidentgraph.RelType("PLEDGED_ALLEGIANCE_TO")), Status: ptr(incidentgraph.Status("REPORTED")), Confidence: ptr(50),
		AssertedByID: ptr("associated-press"), SourceIDs: []string{apArt}, SourcesSet: true})
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.MergeEntities(ctx, curator("ann"), "test-front", "test-front-dup", 1, 9)
	mustCode(t, err, incidentgraph.ECONFLICT)
	e, err := db.MergeEntities(ctx, curator("ann"), "test-front", "test-front-dup", 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(e.Aliases, "Front for Tests") {
		t.Errorf("survivor's aliases %v, want the duplicate's name", e.Aliases)
	}
	to, err := db.ResolveID(ctx, "test-front-dup")
	if err != nil || to != "test-front" {
		t.Fatalf("the duplicate's id resolves to %q (%v), want test-front", to, err)
	}
	rels, err := db.FindRelationships(ctx, []string{"test-front"}, incidentgraph.RelationshipFilter{}, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(rels["test-front"]) != 1 || rels["test-front"][0].ID != rel.ID || rels["test-front"][0].FromID != "test-front" || rels["test-front"][0].Confidence != 50 {
		t.Fatalf("survivor's relationships %+v, want %s moved with its properties", rels["test-front"], rel.ID)
	}
	if es, _ := db.FindEntitiesByIDs(ctx, []string{"test-front-dup"}); len(es) != 0 {
		t.Fatal("the duplicate is still there")
	}
	hs, err := db.History(ctx, []string{"test-front"}, 10)
	h := hs["test-front"]
	if err != nil || len(h) != 2 || h[1].Operation != incidentgraph.OpMergeEntities {
		t.Fatalf("survivor's history %+v (%v)", h, err)
	}
	_, err = db.CreateEntity(ctx, curator("bob"), newOrg("test-front-dup", "Another"))
	if ie, ok := incidentgraph.AsInputError(err); !ok || ie.Problems[0].Field != "input.id" || !strings.Contains(ie.Problems[0].Message, "merged into test-front") {
		t.Fatalf("creating an entity with a merged-away id: %v", err)
	}
	// A seed reload after the merge neither fails nor brings the duplicate back.
	if _, err := db.Load(ctx, mustSeed(t)); err != nil {
		t.Fatal(err)
	}
	if to, _ := db.ResolveID(ctx, "test-front-dup"); to != "test-front" {
		t.Fatalf("after a reload the duplicate's id resolves to %q", to)
	}
}

func TestHardDeletesAreAudited(t *testing.T) {
	db := curated(t)
	ctx := context.Background()
	admin := incidentgraph.Write{Actor: "root", Role: incidentgraph.RoleAdmin}
	_, err := db.DeleteRelationship(ctx, admin, iseapAffilate, 1, "")
	mustCode(t, err, incidentgraph.EINVALID)
	if ok, err := db.DeleteRelationship(ctx, admin, iseapAffilate, 1, "duplicate of another record"); err != nil || !ok {
		t.Fatal(err)
	}
	if v := version(t, db, iseapAffilate); v != 0 {
		t.Fatal("deleted relationship still has a version")
	}
	hs, err := db.History(ctx, []string{iseapAffilate}, 10)
	h := hs[iseapAffilate]
	if err != nil || len(h) != 1 || h[0].Operation != incidentgraph.OpDeleteRelationship || h[0].Before == "" || h[0].After != "" {
		t.Fatalf("history of a deleted relationship: %+v (%v)", h, err)
	}
	_, err = db.DeleteRelationship(ctx, admin, iseapAffilate, 1, "again")
	mustCode(t, err, incidentgraph.ENOTFOUND)
}

// A curated assertion carries the time-view properties a loaded one has: it is known from its
// source's publication, so a knownAt before that leaves it out.
func TestCuratedItemsJoinTheTimeView(t *testing.T) {
	db := curated(t)
	ctx := context.Background()
	src, err := db.CreateEntity(ctx, curator("ann"), &incidentgraph.EntityInput{ID: ptr("test-report-2025"), Kind: ptr(incidentgraph.KindSource),
		Name: ptr("A later report"), Publisher: ptr("Test Desk"), Published: ptr(incidentgraph.PartialDate("2025-02")), SourceType: ptr("NEWS")})
	if err != nil {
		t.Fatal(err)
	}
	rel, err := db.AddRelationship(ctx, curator("ann"), &incidentgraph.RelationshipInput{FromID: ptr(isk), ToID: ptr("taliban"),
		Type: ptr(incidentgraph.RelType("RIVAL_OF")), Status: ptr(incidentgraph.Status("REPORTED")), Confidence: ptr(60),
		AssertedByID: ptr("associated-press"), SourceIDs: []string{src.ID}, SourcesSet: true})
	if err != nil {
		t.Fatal(err)
	}
	if rel.AssertedOn != "2025-02" {
		t.Errorf("assertedOn %q, want the source's publication 2025-02", rel.AssertedOn)
	}
	known := func(at incidentgraph.PartialDate) bool {
		rels, err := db.FindRelationships(ctx, []string{isk}, incidentgraph.RelationshipFilter{KnownAt: at}, 500)
		if err != nil {
			t.Fatal(err)
		}
		return slices.ContainsFunc(rels[isk], func(r *incidentgraph.Relationship) bool { return r.ID == rel.ID })
	}
	if known("2025-01") || !known("2025-02") || !known("") {
		t.Errorf("known at 2025-01: %v (want false), at 2025-02: %v and at any time: %v (want true)", known("2025-01"), known("2025-02"), known(""))
	}
	// A figure report joins the figures of its subject, in the time view too.
	f, err := db.AddFigureReport(ctx, curator("ann"), &incidentgraph.Figure{SubjectID: moscow, Metric: "KILLED", Value: 149, Qualifier: "AT_LEAST",
		AsOf: "2025-02", Status: "REPORTED", Confidence: 70, AssertedByID: "associated-press", SourceIDs: []string{src.ID}})
	if err != nil {
		t.Fatal(err)
	}
	has := func(tv incidentgraph.TimeView) bool {
		figs, err := db.FindFigures(ctx, []string{moscow}, tv)
		if err != nil {
			t.Fatal(err)
		}
		return slices.ContainsFunc(figs[moscow], func(x *incidentgraph.Figure) bool { return x.ID == f.ID && x.Value == 149 })
	}
	if !has(incidentgraph.TimeView{}) || has(incidentgraph.TimeView{KnownAt: "2024-12"}) {
		t.Errorf("curated figure: listed %v (want true), known in 2024-12 %v (want false)", has(incidentgraph.TimeView{}), has(incidentgraph.TimeView{KnownAt: "2024-12"}))
	}
	_, err = db.AddFigureReport(ctx, curator("ann"), &incidentgraph.Figure{SubjectID: isk, Metric: "KILLED", Value: 1,
		AsOf: "2025", Status: "REPORTED", Confidence: 70, AssertedByID: "associated-press", SourceIDs: []string{src.ID}})
	if ie, ok := incidentgraph.AsInputError(err); !ok || ie.Problems[0].Field != "input.subject" {
		t.Fatalf("a figure about an organization: %v", err)
	}
}

// Correcting an organisation's founding date re-bounds its relationships in the time view, and
// a seed reload keeps them bounded by the corrected date. Negative control: the reload through
// a store whose load leaves curated entities' dates out of its time view (the files' dates
// bound the relationships, as the load did before) must fail the check.
func TestCorrectedDatesReboundRelationships(t *testing.T) {
	if fault := reloadKeepsCorrectedDates(t, nil); fault != "" {
		t.Error(fault)
	}
	t.Run("negative control: the load's time view without the graph's dates", func(t *testing.T) {
		filesOnly := &sabotage{from: "RETURN id, n.origin, n.founded, n.dissolved, n.published", to: "RETURN id, n.origin, null AS founded, null AS dissolved, n.published"}
		if reloadKeepsCorrectedDates(t, filesOnly) == "" {
			t.Error("a load that bounds relationships by the files' dates passes the check")
		}
		mustHaveApplied(t, filesOnly)
	})
}

// reloadKeepsCorrectedDates corrects IS-K's founding date, reloads the seed (through a store
// sabotaged by s when it is set) and returns what is wrong with its affiliation's time view
// afterwards ("": nothing).
func reloadKeepsCorrectedDates(t *testing.T, s *sabotage) string {
	db := curated(t)
	loader := db
	if s != nil {
		loader = sabotagedStore(t, s)
	}
	ctx := context.Background()
	heldIn := func(at incidentgraph.PartialDate) bool {
		rels, err := db.FindRelationships(ctx, []string{isk}, incidentgraph.RelationshipFilter{ValidAt: at}, 500)
		if err != nil {
			t.Fatal(err)
		}
		return slices.ContainsFunc(rels[isk], func(r *incidentgraph.Relationship) bool { return r.ID == iskAffiliate })
	}
	if !heldIn("2016") {
		t.Fatal("control: IS-K's affiliation (valid from 2015-01, founded 2015-01) does not hold in 2016 before the correction")
	}
	if _, err := db.UpdateEntity(ctx, curator("ann"), isk, 1, &incidentgraph.EntityInput{Founded: ptr(incidentgraph.PartialDate("2019"))}); err != nil {
		t.Fatal(err)
	}
	if heldIn("2016") || !heldIn("2020") {
		t.Fatalf("after founding moved to 2019: holds in 2016 %v (want false), in 2020 %v (want true)", heldIn("2016"), heldIn("2020"))
	}
	if _, err := loader.Load(ctx, mustSeed(t)); err != nil {
		t.Fatal(err)
	}
	if heldIn("2016") {
		return "a seed reload re-bounded the relationship by the seed's founding date, not the corrected one"
	}
	return ""
}

func mustSeed(t *testing.T) *incidentgraph.Dataset {
	t.Helper()
	ds, err := seed.Read(seed.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// A GTD import leaves what curators did to imported items: a corrected incident keeps the
// correction and a retracted perpetrator link stays (retracted) when the row is imported again
// with another perpetrator, while the uncurated toll takes the new value (the control).
func TestGTDImportKeepsCuratedWork(t *testing.T) {
	db := curated(t)
	ctx := context.Background()
	incs := sample(t)
	mustImport(t, db, incs, neo4j.ImportOptions{})
	const incident = "gtd-201903150001"
	links := rows(t, db, `MATCH (:Organization)-[r]->(:Incident {id: $id}) RETURN r.id`, map[string]any{"id": incident})
	if len(links) != 1 {
		t.Fatalf("perpetrator links of %s: %v", incident, links)
	}
	link := links[0][0].(string)
	if _, err := db.UpdateEntity(ctx, curator("ann"), incident, 1, &incidentgraph.EntityInput{Summary: ptr("Corrected by a curator.")}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.RetractRelationship(ctx, curator("ann"), link, 1, "misattributed"); err != nil {
		t.Fatal(err)
	}
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
	if r := rows(t, db, `MATCH (n:Incident {id: $id}) RETURN n.summary`, map[string]any{"id": incident}); len(r) != 1 || r[0][0] != "Corrected by a curator." {
		t.Errorf("the corrected incident after a re-import: %v", r)
	}
	if rs, err := db.Retractions(ctx, []string{link}); err != nil || rs[link] == nil {
		t.Errorf("the retracted link after a re-import: %v (%v)", rs, err)
	}
	if r := rows(t, db, `MATCH (f:Figure {subject: $id, metric: 'KILLED'}) RETURN f.value`, map[string]any{"id": incident}); len(r) != 1 || r[0][0].(int64) != 13 {
		t.Errorf("control: the uncurated toll after the re-import: %v, want 13", r)
	}
}

// Merging two loaded entities survives a seed reload: the duplicate is not recreated and its
// moved relationships stay on the survivor (the files still name the duplicate). Negative
// control: the reload through a store whose load does not look for redirects must fail.
func TestSeedReloadAfterMergingLoadedEntities(t *testing.T) {
	for _, f := range reloadAfterMergeFaults(t, nil) {
		t.Error(f)
	}
	t.Run("negative control: the load's redirect check taken out", func(t *testing.T) {
		noCheck := &sabotage{from: "MATCH (r0:Redirect {id: id})", to: "MATCH (r0:Redirect {id: id + ' (sabotaged)'})"}
		faults := reloadAfterMergeFaults(t, noCheck)
		if len(faults) == 0 {
			t.Error("a load that recreates merged-away entities passes the checks")
		}
		t.Logf("the checks catch it: %q", faults)
		mustHaveApplied(t, noCheck)
	})
}

// reloadAfterMergeFaults merges a loaded entity into another, reloads the seed (through a store
// sabotaged by s when it is set) and returns what went other than it should.
func reloadAfterMergeFaults(t *testing.T, s *sabotage) []string {
	db := curated(t)
	loader := db
	if s != nil {
		loader = sabotagedStore(t, s)
	}
	ctx := context.Background()
	const dup = "islamic-state-east-asia-province"
	if _, err := db.MergeEntities(ctx, curator("ann"), isk, dup, 1, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := loader.Load(ctx, mustSeed(t)); err != nil {
		return []string{fmt.Sprintf("reload after a merge: %v", err)}
	}
	var faults []string
	if es, err := db.FindEntitiesByIDs(ctx, []string{dup}); err != nil || len(es) != 0 {
		faults = append(faults, fmt.Sprintf("the reload brought the duplicate back: %v %v", entityIDs(es), err))
	}
	rels, err := db.FindRelationships(ctx, []string{isk}, incidentgraph.RelationshipFilter{}, 500)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(rels[isk], func(r *incidentgraph.Relationship) bool { return r.ID == iseapAffilate && r.FromID == isk }) {
		faults = append(faults, "the duplicate's affiliation is not on the survivor after the reload")
	}
	return faults
}
