package neo4j_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/neo4j"
)

// treeLevels is the benchmark's nested question below the Islamic State: its incidents, their
// places, the incidents at each place.
var treeLevels = []incidentgraph.RelationshipFilter{
	{Types: incidentgraph.PerpetratorTypes, Direction: incidentgraph.Both},
	{Types: []incidentgraph.RelType{"OCCURRED_IN", "OCCURRED_AT"}, Direction: incidentgraph.Outgoing},
	{Types: []incidentgraph.RelType{"OCCURRED_IN", "OCCURRED_AT"}, Direction: incidentgraph.Incoming},
}

func treeRelIDs(rels []*incidentgraph.Relationship) string {
	ids := make([]string, len(rels))
	for i, r := range rels {
		ids[i] = fmt.Sprintf("%s:%s-%s", r.ID, r.FromID, r.ToID)
	}
	return fmt.Sprint(ids)
}

// TestRelationshipTreeAnswersAsFindRelationships: every level of the one-query tree holds, for
// each entity at that depth, what FindRelationships answers for it with the same filter and page
// size (same relationships, same order), and names every entity those relationships reach.
// The control: the same check against a different page size fails.
func TestRelationshipTreeAnswersAsFindRelationships(t *testing.T) {
	db := seeded(t)
	ctx := context.Background()
	limits := []int{20, 5, 30}
	root, named, levels, err := db.FindRelationshipTree(ctx, is, treeLevels, limits, []bool{true, false, false}, false, false)
	if err != nil {
		t.Fatal(err)
	}
	if root == nil || root.ID != is {
		t.Fatalf("root %+v", root)
	}
	compare := func(limits []int) (mismatches, parents int) {
		for d, byParent := range levels {
			for parent, rels := range byParent {
				parents++
				want, err := db.FindRelationships(ctx, []string{parent}, treeLevels[d], limits[d])
				if err != nil {
					t.Fatal(err)
				}
				if treeRelIDs(rels) != treeRelIDs(want[parent]) {
					mismatches++
				}
			}
		}
		return mismatches, parents
	}
	if bad, parents := compare(limits); bad > 0 || parents < 5 {
		t.Errorf("%d of %d entities' relationships differ from FindRelationships", bad, parents)
	}
	if bad, _ := compare([]int{1, 1, 1}); bad == 0 {
		t.Error("the comparison misses a different page size")
	}
	for d, byParent := range levels {
		for _, rels := range byParent {
			for _, r := range rels {
				ids := []string{r.FromID, r.ToID}
				if d == 0 { // the level asked with provenance
					ids = append(append(ids, r.AssertedByID), r.SourceIDs...)
				}
				for _, id := range ids {
					if named[id] == nil {
						t.Errorf("%s names %s, which the answer does not hold", r.ID, id)
					}
				}
			}
		}
	}
}

func TestRelationshipTreeMissingRootAndBounds(t *testing.T) {
	db := seeded(t)
	ctx := context.Background()
	root, _, _, err := db.FindRelationshipTree(ctx, "no-such-entity", treeLevels[:1], []int{5}, []bool{false}, true, true)
	if err != nil || root != nil {
		t.Errorf("a missing root: %v, %v", root, err)
	}
	five := slices.Repeat(treeLevels[:1], neo4j.MaxTreeLevels+1)
	if _, _, _, err := db.FindRelationshipTree(ctx, is, five, make([]int, len(five)), make([]bool, len(five)), true, true); err == nil {
		t.Errorf("%d levels accepted", len(five))
	}
}

// TestRelationshipTreeUsesIndexes EXPLAINs the tree's shapes (the entity question, brief and
// whole, and the nested question) and fails on a scan, as the hot queries' check does.
func TestRelationshipTreeUsesIndexes(t *testing.T) {
	seeded(t)
	all := []incidentgraph.RelationshipFilter{{}}
	checkPlans(t, testDriver(t), []question{
		{"entity question, brief", func(ctx context.Context, db *neo4j.DB) error {
			_, _, _, err := db.FindRelationshipTree(ctx, isk, all, []int{100}, []bool{true}, true, true)
			return err
		}},
		{"entity question, whole", func(ctx context.Context, db *neo4j.DB) error {
			_, _, _, err := db.FindRelationshipTree(ctx, isk, all, []int{100}, []bool{true}, false, false)
			return err
		}},
		{"nested question", func(ctx context.Context, db *neo4j.DB) error {
			_, _, _, err := db.FindRelationshipTree(ctx, is, treeLevels, []int{20, 5, 30}, []bool{false, false, false}, true, true)
			return err
		}},
	})
}
