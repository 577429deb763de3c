package server_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/rs/zerolog"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/internal/testdb"
	"github.com/incidentgraph/incidentgraph/neo4j"
	"github.com/incidentgraph/incidentgraph/server"
)

// Curation end to end: the real server, the real Neo4j and real bearer tokens. These tests
// write, so each starts from a freshly loaded seed and leaves one behind for the read-only
// tests of this package.

const iskAffiliateID = "islamic-state-khorasan-province--affiliate-of--islamic-state--associated-press"

type curationFixture struct {
	ts     *testServer
	db     *neo4j.DB
	tokens map[incidentgraph.Role]string
}

func newCurationFixture(t *testing.T) *curationFixture {
	t.Helper()
	db := testdb.MustOpen(t)
	testdb.MustSeed(t, db)
	t.Cleanup(func() { testdb.MustSeed(t, db) })
	ctx := context.Background()
	if err := db.EnsureCurationSchema(ctx); err != nil {
		t.Fatal(err)
	}
	svc := services(t, db, db)
	svc.Curation = db
	logs := &syncBuffer{}
	hs := httptest.NewServer(server.NewServer(zerolog.New(logs), server.DefaultConfig(), svc))
	t.Cleanup(hs.Close)
	f := &curationFixture{ts: &testServer{Server: hs, logs: logs}, db: db, tokens: map[incidentgraph.Role]string{}}
	for _, role := range incidentgraph.Roles {
		secret, err := db.CreateToken(ctx, "cur-"+string(role), role, nil)
		if err != nil {
			t.Fatal(err)
		}
		f.tokens[role] = secret
	}
	return f
}

func (f *curationFixture) as(t *testing.T, role incidentgraph.Role, query string, vars map[string]any) *gqlResponse {
	t.Helper()
	return f.ts.postAs(t, f.tokens[role], query, vars)
}

func (f *curationFixture) fingerprint(t *testing.T) string {
	t.Helper()
	fp, err := f.db.Fingerprint(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return fp
}

// TestMutationRolesTable tries every mutation as every kind of caller. Refused callers get
// UNAUTHENTICATED or FORBIDDEN; allowed ones get past the check to the service, which answers
// NOT_FOUND or BAD_USER_INPUT for the deliberately missing targets and invalid inputs used
// here, so that the table itself writes nothing (checked by the fingerprint).
func TestMutationRolesTable(t *testing.T) {
	f := newCurationFixture(t)
	before := f.fingerprint(t)
	ops := []struct {
		name, query string
		min         incidentgraph.Role
		passed      string // the code an allowed caller gets
	}{
		{"createEntity", `mutation { createEntity(input: {id: "Bad Id", kind: ORGANIZATION, name: "X", orgType: MILITANT_GROUP}) { id } }`, incidentgraph.RoleCurator, incidentgraph.EINVALID},
		{"updateEntity", `mutation { updateEntity(id: "no-such-entity", version: 1, input: {name: "X"}) { id } }`, incidentgraph.RoleCurator, incidentgraph.ENOTFOUND},
		{"addRelationship", `mutation { addRelationship(input: {from: "no-such-entity", type: AFFILIATE_OF, to: "islamic-state", status: REPORTED, confidence: 50, assertedBy: "associated-press", sources: ["ap-2024-03-23-moscow-attack-explainer"]}) { id } }`, incidentgraph.RoleCurator, incidentgraph.EINVALID},
		{"updateRelationship", `mutation { updateRelationship(id: "no-such-rel", version: 1, input: {confidence: 5}) { id } }`, incidentgraph.RoleCurator, incidentgraph.ENOTFOUND},
		{"retractRelationship", `mutation { retractRelationship(id: "no-such-rel", version: 1, reason: "r") { id } }`, incidentgraph.RoleCurator, incidentgraph.ENOTFOUND},
		{"addSource", `mutation { addSource(input: {id: "ap-2024-03-23-moscow-attack-explainer", title: "T", publisher: "P", published: "2024", sourceType: NEWS}) { id } }`, incidentgraph.RoleCurator, incidentgraph.EINVALID},
		{"addFigureReport", `mutation { addFigureReport(input: {subject: "islamic-state", metric: KILLED, value: 1, asOf: "2024", status: REPORTED, confidence: 50, assertedBy: "associated-press", sources: ["ap-2024-03-23-moscow-attack-explainer"]}) { id } }`, incidentgraph.RoleCurator, incidentgraph.EINVALID},
		{"mergeEntities", `mutation { mergeEntities(survivor: "islamic-state", survivorVersion: 1, duplicate: "no-such-entity", duplicateVersion: 1) { id } }`, incidentgraph.RoleCurator, incidentgraph.ENOTFOUND},
		{"deleteEntity", `mutation { deleteEntity(id: "no-such-entity", version: 1, reason: "r") }`, incidentgraph.RoleAdmin, incidentgraph.ENOTFOUND},
		{"deleteRelationship", `mutation { deleteRelationship(id: "no-such-rel", version: 1, reason: "r") }`, incidentgraph.RoleAdmin, incidentgraph.ENOTFOUND},
	}
	callers := append([]incidentgraph.Role{""}, incidentgraph.Roles...)
	for _, op := range ops {
		for _, role := range callers {
			var r *gqlResponse
			if role == "" {
				r = f.ts.post(t, op.query, nil)
			} else {
				r = f.as(t, role, op.query, nil)
			}
			want := op.passed
			switch {
			case role == "":
				want = incidentgraph.EUNAUTHENTICATED
			case !role.AtLeast(op.min):
				want = incidentgraph.EFORBIDDEN
			}
			if r.code() != want {
				t.Errorf("%s as %q: code %q (%+v), want %s", op.name, role, r.code(), r.Errors, want)
			}
		}
	}
	// auditLog is for admins.
	for _, role := range callers {
		r := f.as(t, role, `{ auditLog(first: 1) { edges { cursor } } }`, nil)
		want := ""
		switch {
		case role == "":
			want = incidentgraph.EUNAUTHENTICATED
		case !role.AtLeast(incidentgraph.RoleAdmin):
			want = incidentgraph.EFORBIDDEN
		}
		if r.code() != want {
			t.Errorf("auditLog as %q: code %q, want %q", role, r.code(), want)
		}
	}
	if f.fingerprint(t) != before {
		t.Fatal("refused mutations changed the graph")
	}
}

const relFieldsQ = `id version confidence status note retraction { by at reason } from { id } to { id }`

// TestCurationOverHTTP follows a curator's work: create, link, correct, retract, merge, and the
// history and audit log that record it, with field-level errors and idempotent retries.
func TestCurationOverHTTP(t *testing.T) {
	f := newCurationFixture(t)
	before := f.fingerprint(t)

	// Invalid input: the seed validator's message and the input path.
	r := f.as(t, incidentgraph.RoleCurator, `mutation($c: Int!) { addRelationship(input: {from: "islamic-state-khorasan-province", type: ALLIED_WITH, to: "taliban", status: ALLEGED, confidence: $c, assertedBy: "russia", sources: ["ap-2024-03-23-moscow-attack-explainer"]}) { id } }`,
		map[string]any{"c": 101})
	if r.code() != incidentgraph.EINVALID || r.Errors[0].Extensions["field"] != "input.confidence" || r.Errors[0].Message != "input.confidence: confidence 101 is out of range 0–100" {
		t.Fatalf("invalid confidence: %+v", r.Errors)
	}
	if f.fingerprint(t) != before {
		t.Fatal("an invalid mutation wrote")
	}

	// Create two entities, with an idempotent retry of the first.
	create := `mutation($id: ID!, $name: String!, $key: String) { createEntity(input: {id: $id, kind: ORGANIZATION, name: $name, orgType: MILITANT_GROUP, sources: ["ap-2024-03-23-moscow-attack-explainer"]}, idempotencyKey: $key) { id name version } }`
	var created struct {
		CreateEntity struct {
			ID, Name string
			Version  int
		}
	}
	mustData(t, f.as(t, incidentgraph.RoleCurator, create, map[string]any{"id": "test-front", "name": "Test Front", "key": "c-1"}), &created)
	if created.CreateEntity.Version != 1 {
		t.Fatalf("created %+v", created)
	}
	afterCreate := f.fingerprint(t)
	if afterCreate == before {
		t.Fatal("createEntity left the fingerprint unchanged")
	}
	var retried struct{ CreateEntity struct{ ID, Name string } }
	mustData(t, f.as(t, incidentgraph.RoleCurator, create, map[string]any{"id": "test-front", "name": "Test Front", "key": "c-1"}), &retried)
	if retried.CreateEntity.ID != "test-front" || f.fingerprint(t) != afterCreate {
		t.Fatalf("retry with the same key: %+v, or it wrote again", retried)
	}
	r = f.as(t, incidentgraph.RoleCurator, create, map[string]any{"id": "test-other", "name": "Other", "key": "c-1"})
	if r.code() != incidentgraph.EINVALID || r.Errors[0].Extensions["field"] != "idempotencyKey" {
		t.Fatalf("same key, another request: %+v", r.Errors)
	}
	mustData(t, f.as(t, incidentgraph.RoleCurator, create, map[string]any{"id": "test-front-dup", "name": "Front for Tests"}), &created)

	// Link the duplicate, then merge it: the link moves, the old id answers the survivor.
	var added struct{ AddRelationship struct{ ID string } }
	mustData(t, f.as(t, incidentgraph.RoleCurator, `mutation { addRelationship(input: {from: "test-front-dup", type: PLEDGED_ALLEGIANCE_TO, to: "islamic-state", status: REPORTED, confidence: 50, assertedBy: "associated-press", sources: ["ap-2024-03-23-moscow-attack-explainer"]}) { id } }`, nil), &added)
	var merged struct{ MergeEntities struct{ ID string } }
	mustData(t, f.as(t, incidentgraph.RoleCurator, `mutation { mergeEntities(survivor: "test-front", survivorVersion: 1, duplicate: "test-front-dup", duplicateVersion: 1) { id } }`, nil), &merged)
	var byOldID struct {
		Entity struct {
			ID, Name      string
			Aliases       []string
			Relationships []struct{ ID string }
		}
	}
	mustData(t, f.ts.post(t, `{ entity(id: "test-front-dup") { id name aliases relationships { id } } }`, nil), &byOldID)
	if byOldID.Entity.ID != "test-front" || len(byOldID.Entity.Relationships) != 1 || byOldID.Entity.Relationships[0].ID != added.AddRelationship.ID {
		t.Fatalf("entity(id: duplicate) after the merge: %+v", byOldID.Entity)
	}

	// Correct and retract a seed relationship; the retraction shows with the flag only.
	upd := `mutation($v: Int!) { updateRelationship(id: "` + iskAffiliateID + `", version: $v, input: {confidence: 60, note: "rated down"}) { ` + relFieldsQ + ` } }`
	var updated struct {
		UpdateRelationship struct{ Version, Confidence int }
	}
	mustData(t, f.as(t, incidentgraph.RoleCurator, upd, map[string]any{"v": 1}), &updated)
	if updated.UpdateRelationship.Confidence != 60 || updated.UpdateRelationship.Version != 2 {
		t.Fatalf("updated %+v", updated)
	}
	r = f.as(t, incidentgraph.RoleCurator, upd, map[string]any{"v": 1})
	if r.code() != incidentgraph.ECONFLICT || r.Errors[0].Extensions["currentVersion"] != float64(2) {
		t.Fatalf("stale update: %+v", r.Errors)
	}
	mustData(t, f.as(t, incidentgraph.RoleCurator, `mutation { retractRelationship(id: "`+iskAffiliateID+`", version: 2, reason: "not in the source") { id } }`, nil), &struct{}{})
	rels := func(include bool) []struct {
		ID         string
		Retraction *struct{ By, At, Reason string }
		History    []struct {
			Operation, Actor string
			Before, After    map[string]any
		}
	} {
		var out struct {
			Entity struct {
				Relationships []struct {
					ID         string
					Retraction *struct{ By, At, Reason string }
					History    []struct {
						Operation, Actor string
						Before, After    map[string]any
					}
				}
			}
		}
		mustData(t, f.ts.post(t, `query($inc: Boolean) { entity(id: "islamic-state-khorasan-province") {
			relationships(filter: {types: [AFFILIATE_OF], includeRetracted: $inc}) { id retraction { by at reason } history { operation actor before after } } } }`,
			map[string]any{"inc": include}), &out)
		return out.Entity.Relationships
	}
	if got := rels(false); len(got) != 0 {
		t.Fatalf("retracted assertion in the default read: %+v", got)
	}
	got := rels(true)
	if len(got) != 1 || got[0].Retraction == nil || got[0].Retraction.By != "cur-curator" || got[0].Retraction.Reason != "not in the source" {
		t.Fatalf("with includeRetracted: %+v", got)
	}
	h := got[0].History
	if len(h) != 2 || h[0].Operation != "updateRelationship" || h[1].Operation != "retractRelationship" || h[0].Actor != "cur-curator" ||
		h[0].Before["confidence"] != float64(90) || h[0].After["confidence"] != float64(60) {
		t.Fatalf("history read by an anonymous reader: %+v", h)
	}

	// The audit log, for the admin: every write, newest first, filtered and paged.
	var log struct {
		AuditLog struct {
			Edges []struct {
				Cursor string
				Node   struct {
					Operation, TargetID, Actor, Role string
					RequestID                        *string
				}
			}
			PageInfo struct {
				HasNextPage bool
				EndCursor   *string
			}
		}
	}
	mustData(t, f.as(t, incidentgraph.RoleAdmin, `{ auditLog(first: 100, filter: {actor: "cur-curator"}) { edges { cursor node { operation targetId actor role requestId } } pageInfo { hasNextPage endCursor } } }`, nil), &log)
	var ops []string
	for _, e := range log.AuditLog.Edges {
		ops = append(ops, e.Node.Operation)
		if e.Node.RequestID == nil || *e.Node.RequestID == "" || e.Node.Role != "curator" {
			t.Errorf("entry %+v without request id or role", e.Node)
		}
	}
	// Newest first: retract, update, merge (survivor, duplicate, moved link), add, create dup, create.
	wantOps := []string{"retractRelationship", "updateRelationship", "mergeEntities", "mergeEntities", "mergeEntities", "addRelationship", "createEntity", "createEntity"}
	if b, _ := json.Marshal(ops); string(b) != mustJSON(wantOps) {
		t.Fatalf("audit log operations %v, want %v", ops, wantOps)
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestConcurrentUpdatesOneWins: two curators send an update of the same relationship from the
// same version at once; one wins and the other gets CONFLICT with the current version, in the
// GraphQL shape clients see. The two requests may well run one after the other: that one wins
// whatever the interleaving (the write lock comes before the version check) is forced, and
// checked against a check-then-lock control, by neo4j's TestRaceTwoUpdatesOfOneVersion.
func TestConcurrentUpdatesOneWins(t *testing.T) {
	f := newCurationFixture(t)
	if _, err := f.db.CreateToken(context.Background(), "cur-curator-2", incidentgraph.RoleCurator, nil); err != nil {
		t.Fatal(err)
	}
	second, err := f.db.CreateToken(context.Background(), "cur-curator-3", incidentgraph.RoleCurator, nil)
	if err != nil {
		t.Fatal(err)
	}
	secrets := []string{f.tokens[incidentgraph.RoleCurator], second}
	answers := make([]*gqlResponse, 2)
	var wg sync.WaitGroup
	for i := range secrets {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			answers[i] = f.ts.postAs(t, secrets[i], `mutation($c: Int!) { updateRelationship(id: "`+iskAffiliateID+`", version: 1, input: {confidence: $c}) { version confidence } }`,
				map[string]any{"c": 10 + i})
		}(i)
	}
	wg.Wait()
	won, lost := -1, -1
	for i, a := range answers {
		switch a.code() {
		case "":
			won = i
		case incidentgraph.ECONFLICT:
			lost = i
			if a.Errors[0].Extensions["currentVersion"] != float64(2) {
				t.Errorf("the loser's conflict: %+v, want currentVersion 2", a.Errors[0].Extensions)
			}
		default:
			t.Errorf("answer %d: %+v", i, a.Errors)
		}
	}
	if won < 0 || lost < 0 {
		t.Fatalf("want one winner and one CONFLICT, got %+v / %+v", answers[0].Errors, answers[1].Errors)
	}
	// The stored value is the winner's, and the history holds one update.
	var out struct {
		Entity struct {
			Relationships []struct {
				Confidence, Version int
				History             []struct{ Operation string }
			}
		}
	}
	mustData(t, f.ts.post(t, `{ entity(id: "islamic-state-khorasan-province") { relationships(filter: {types: [AFFILIATE_OF]}) { confidence version history { operation } } } }`, nil), &out)
	rs := out.Entity.Relationships
	if len(rs) != 1 || rs[0].Confidence != 10+won || rs[0].Version != 2 || len(rs[0].History) != 1 {
		t.Fatalf("after the race: %+v, want the winner's confidence %d at version 2 with one change", rs, 10+won)
	}
}
