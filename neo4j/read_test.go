package neo4j_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/neo4j"
)

// nestedLevels is the benchmark's nested question below the Islamic State: its incidents, their
// places, the incidents at each place.
var nestedLevels = []incidentgraph.RelationshipFilter{
	{Types: incidentgraph.PerpetratorTypes, Direction: incidentgraph.Both},
	{Types: []incidentgraph.RelType{"OCCURRED_IN", "OCCURRED_AT"}, Direction: incidentgraph.Outgoing},
	{Types: []incidentgraph.RelType{"OCCURRED_IN", "OCCURRED_AT"}, Direction: incidentgraph.Incoming},
}

// chain returns a selection that follows filters level after level with the page sizes
// limits; with provenance, the first level reads asserters and sources too.
func chain(filters []incidentgraph.RelationshipFilter, limits []int, provenance bool) *incidentgraph.EntitySelection {
	root := &incidentgraph.EntitySelection{Full: true}
	at := root
	for d, f := range filters {
		next := &incidentgraph.EntitySelection{}
		rs := &incidentgraph.RelationshipSelection{Slot: d, Filter: f, Limit: limits[d], Other: next}
		if d == 0 && provenance {
			rs.AssertedBy = &incidentgraph.EntitySelection{}
			rs.Sources = &incidentgraph.EntitySelection{Full: true}
		}
		at.Relationships = append(at.Relationships, rs)
		at = next
	}
	return root
}

func readRelIDs(rels []*incidentgraph.Relationship) string {
	ids := make([]string, len(rels))
	for i, r := range rels {
		ids[i] = fmt.Sprintf("%s:%s-%s", r.ID, r.FromID, r.ToID)
	}
	return fmt.Sprint(ids)
}

// TestReadAnswersAsFindRelationships: every level of the one-query read holds, for each entity
// at that depth, what FindRelationships answers for it with the same filter and page size
// (same relationships, same order), and names every entity those relationships reach. The
// control: the same check against a different page size fails.
func TestReadAnswersAsFindRelationships(t *testing.T) {
	db := seeded(t)
	ctx := context.Background()
	limits := []int{20, 5, 30}
	ans, err := db.Read(ctx, []string{is}, chain(nestedLevels, limits, true))
	if err != nil {
		t.Fatal(err)
	}
	if e := ans.Entities[is]; e == nil || e.Description == "" {
		t.Fatalf("root %+v: want the whole entity", e)
	}
	compare := func(limits []int) (mismatches, parents int) {
		for d, byParent := range ans.Relationships {
			for parent, rels := range byParent {
				parents++
				want, err := db.FindRelationships(ctx, []string{parent}, nestedLevels[d], limits[d])
				if err != nil {
					t.Fatal(err)
				}
				if readRelIDs(rels) != readRelIDs(want[parent]) {
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
	for d, byParent := range ans.Relationships {
		for _, rels := range byParent {
			for _, r := range rels {
				ids := []string{r.FromID, r.ToID}
				if d == 0 { // the level asked with provenance
					ids = append(append(ids, r.AssertedByID), r.SourceIDs...)
				}
				for _, id := range ids {
					if ans.Entities[id] == nil {
						t.Errorf("%s names %s, which the answer does not hold", r.ID, id)
					}
				}
			}
		}
	}
}

// TestReadFiguresSourcesAndKinds: a read's figures answer as FindFigures in the same time
// view; the entity's own sources are named; a field read only of some kinds (a fragment on
// Incident) answers nothing for the others. Controls: another time view changes the figures;
// without the kinds the organisation would answer the field too.
func TestReadFiguresSourcesAndKinds(t *testing.T) {
	db := seeded(t)
	ctx := context.Background()
	view := incidentgraph.TimeView{KnownAt: "2024-03-23"}
	figs := &incidentgraph.FigureSelection{Slot: 0, View: view, AssertedBy: &incidentgraph.EntitySelection{}, Sources: &incidentgraph.EntitySelection{}}
	sel := &incidentgraph.EntitySelection{Full: true, Sources: &incidentgraph.EntitySelection{Full: true},
		Relationships: []*incidentgraph.RelationshipSelection{{Slot: 0, Kinds: []incidentgraph.Kind{incidentgraph.KindIncident}, Limit: 10}},
		Figures:       []*incidentgraph.FigureSelection{figs}}
	ans, err := db.Read(ctx, []string{moscow, isk, "no-such-entity"}, sel)
	if err != nil {
		t.Fatal(err)
	}
	if ans.Entities["no-such-entity"] != nil {
		t.Error("a missing id answered")
	}
	want, err := db.FindFigures(ctx, []string{moscow}, view)
	if err != nil {
		t.Fatal(err)
	}
	if got := figIDs(ans.Figures[0][moscow]); got != figIDs(want[moscow]) || len(want[moscow]) == 0 {
		t.Errorf("figures %s, FindFigures %s", got, figIDs(want[moscow]))
	}
	later, err := db.FindFigures(ctx, []string{moscow}, incidentgraph.TimeView{})
	if err != nil {
		t.Fatal(err)
	}
	if figIDs(later[moscow]) == figIDs(ans.Figures[0][moscow]) {
		t.Error("control: the figures of another time view are the same; the check cannot tell views apart")
	}
	for _, f := range ans.Figures[0][moscow] {
		for _, id := range append([]string{f.AssertedByID}, f.SourceIDs...) {
			if ans.Entities[id] == nil {
				t.Errorf("figure %s names %s, which the answer does not hold", f.ID, id)
			}
		}
	}
	for _, id := range ans.Entities[moscow].SourceIDs {
		if s := ans.Entities[id]; s == nil || s.Kind != incidentgraph.KindSource {
			t.Errorf("the incident's source %s: %+v", id, s)
		}
	}
	if len(ans.Relationships[0][moscow]) == 0 {
		t.Error("the incident answered no relationships")
	}
	if n := len(ans.Relationships[0][isk]); n != 0 {
		t.Errorf("the organisation answered %d relationships of a field read only of incidents", n)
	}
	sel.Relationships[0].Kinds = nil
	all, err := db.Read(ctx, []string{isk}, sel)
	if err != nil {
		t.Fatal(err)
	}
	if len(all.Relationships[0][isk]) == 0 {
		t.Error("control: without kinds the organisation answers nothing either; the check cannot fail")
	}
}

func figIDs(fs []*incidentgraph.Figure) string {
	ids := make([]string, len(fs))
	for i, f := range fs {
		ids[i] = f.ID
	}
	return fmt.Sprint(ids)
}

// TestReadBounds: a selection deeper than MaxReadDepth, with more fields than MaxReadFields or
// with slots not numbered 0 to n-1 is refused before any query.
func TestReadBounds(t *testing.T) {
	db := seeded(t)
	ctx := context.Background()
	deep := make([]incidentgraph.RelationshipFilter, incidentgraph.MaxReadDepth+1)
	if _, err := db.Read(ctx, []string{is}, chain(deep, make([]int, len(deep)), false)); incidentgraph.ErrorCode(err) != incidentgraph.EINVALID {
		t.Errorf("%d levels: %v", len(deep), err)
	}
	if _, err := db.Read(ctx, []string{is}, chain(deep[:incidentgraph.MaxReadDepth], make([]int, incidentgraph.MaxReadDepth), false)); err != nil {
		t.Errorf("%d levels: %v", incidentgraph.MaxReadDepth, err)
	}
	wide := &incidentgraph.EntitySelection{}
	for i := range incidentgraph.MaxReadFields + 1 {
		wide.Figures = append(wide.Figures, &incidentgraph.FigureSelection{Slot: i})
	}
	if _, err := db.Read(ctx, []string{is}, wide); incidentgraph.ErrorCode(err) != incidentgraph.EINVALID {
		t.Errorf("%d fields: %v", len(wide.Figures), err)
	}
	dup := &incidentgraph.EntitySelection{Figures: []*incidentgraph.FigureSelection{{Slot: 0}, {Slot: 0}}}
	if _, err := db.Read(ctx, []string{is}, dup); err == nil || errors.Is(err, context.Canceled) {
		t.Errorf("two fields in one slot: %v", err)
	}
}

// TestReadUsesIndexes EXPLAINs the read's shapes (the entity question, brief and whole, and the
// nested question) and fails on a scan, as the hot queries' check does.
func TestReadUsesIndexes(t *testing.T) {
	seeded(t)
	entity := func(full bool) *incidentgraph.EntitySelection {
		return &incidentgraph.EntitySelection{Full: full, Relationships: []*incidentgraph.RelationshipSelection{{Slot: 0, Limit: 100,
			Full: full, Other: &incidentgraph.EntitySelection{Full: full}, AssertedBy: &incidentgraph.EntitySelection{Full: full}, Sources: &incidentgraph.EntitySelection{Full: full}}}}
	}
	checkPlans(t, testDriver(t), []question{
		{"entity question, brief", func(ctx context.Context, db *neo4j.DB) error {
			_, err := db.Read(ctx, []string{isk}, entity(false))
			return err
		}},
		{"entity question, whole", func(ctx context.Context, db *neo4j.DB) error {
			_, err := db.Read(ctx, []string{isk}, entity(true))
			return err
		}},
		{"nested question", func(ctx context.Context, db *neo4j.DB) error {
			_, err := db.Read(ctx, []string{is}, chain(nestedLevels, []int{20, 5, 30}, false))
			return err
		}},
		{"figures", func(ctx context.Context, db *neo4j.DB) error {
			_, err := db.Read(ctx, []string{moscow}, &incidentgraph.EntitySelection{Figures: []*incidentgraph.FigureSelection{{Slot: 0}}})
			return err
		}},
	})
}
