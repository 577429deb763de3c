package neo4j_test

import (
	"context"
	"strings"
	"testing"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/neo4j"
)

// curationQuestions are the statements behind curators' writes and the version and retraction
// fields, each asked as the resolvers ask the store. A relationship is found by its id alone
// there (the type is not known yet), with one unique-index seek per allowed type: a scan would
// read every relationship of the graph once per write.
func curationQuestions(t *testing.T, db *neo4j.DB) []question {
	rels, err := db.FindRelationships(context.Background(), []string{is}, incidentgraph.RelationshipFilter{}, 1)
	if err != nil || len(rels[is]) == 0 {
		t.Fatalf("a relationship of %s to ask about: %v (%d found)", is, err, len(rels[is]))
	}
	rel := rels[is][0].ID
	return []question{
		{"versions of an entity and a relationship", func(ctx context.Context, db *neo4j.DB) error {
			vs, err := db.Versions(ctx, []string{is, rel, "no-such-id"})
			if err == nil && (vs[is] == 0 || vs[rel] == 0) {
				t.Errorf("versions %v: %s or %s missing", vs, is, rel)
			}
			return err
		}},
		{"retractions", func(ctx context.Context, db *neo4j.DB) error {
			_, err := db.Retractions(ctx, []string{rel})
			return err
		}},
		{"update of a relationship named with a stale version", func(ctx context.Context, db *neo4j.DB) error {
			// The version is checked after the relationship is found and locked: its statements
			// run, and the write is refused and rolled back.
			_, err := db.UpdateRelationship(ctx, curator("planner"), rel, 1000, &incidentgraph.RelationshipInput{Note: ptr("x")})
			if incidentgraph.ErrorCode(err) == incidentgraph.ECONFLICT {
				return nil
			}
			return err
		}},
		{"a new relationship whose id is taken", func(ctx context.Context, db *neo4j.DB) error {
			// The duplicate check looks the id up among every type: refused, nothing written.
			_, err := db.AddRelationship(ctx, curator("planner"), &incidentgraph.RelationshipInput{ID: ptr(rel),
				FromID: ptr(isk), Type: ptr(incidentgraph.RelType("ALLIED_WITH")), ToID: ptr(is), AssertedByID: ptr("russia"),
				Status: ptr(incidentgraph.Status("ALLEGED")), Confidence: ptr(10), SourceIDs: []string{"ap-2024-03-23-moscow-attack-explainer"}, SourcesSet: true})
			if incidentgraph.ErrorCode(err) == incidentgraph.EINVALID && strings.Contains(err.Error(), "duplicate relationship id") {
				return nil
			}
			if err == nil {
				t.Errorf("a relationship with the taken id %s was added", rel)
			}
			return err
		}},
	}
}

// TestCurationLookupsUseIndexes EXPLAINs the statements of the curation lookups on the seed
// graph and fails on any scan (full index walks included: a relationship id is found by seeks).
func TestCurationLookupsUseIndexes(t *testing.T) {
	db := curated(t)
	d := testDriver(t)
	// Statistics as the graph now holds them: emptied and seeded again after a test that loaded a
	// generated graph, its indexes keep that graph's samples until they are resampled, and the
	// planner then weighed a scan of the seed's few relationships of a type against the seek.
	if _, err := driver.ExecuteQuery(context.Background(), d, `CALL db.prepareForReplanning()`, nil, driver.EagerResultTransformer); err != nil {
		t.Fatal(err)
	}
	checkPlans(t, d, curationQuestions(t, db))
}
