package neo4j_test

import (
	"context"
	"slices"
	"testing"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/internal/testdb"
)

// killedAt returns the Moscow attack's death tolls in a time view, oldest first.
func killedAt(t *testing.T, db interface {
	FindFigures(context.Context, []string, incidentgraph.TimeView) (map[string][]*incidentgraph.Figure, error)
}, tv incidentgraph.TimeView) []int {
	t.Helper()
	figs, err := db.FindFigures(context.Background(), []string{moscow}, tv)
	if err != nil {
		t.Fatal(err)
	}
	out := []int{}
	for _, f := range figs[moscow] {
		if f.Metric == "KILLED" {
			out = append(out, f.Value)
		}
	}
	return out
}

// The Moscow toll was "at least 133" in the article of 23 March 2024 and 145 later: known at
// the 23rd is 133 alone, known the day before is nothing, known today is both.
func TestFiguresAsKnownOnADate(t *testing.T) {
	db := seeded(t)
	for _, tc := range []struct {
		tv   incidentgraph.TimeView
		want []int
	}{
		{incidentgraph.TimeView{}, []int{133, 145}},
		{incidentgraph.TimeView{KnownAt: "2024-03-22"}, []int{}},
		{incidentgraph.TimeView{KnownAt: "2024-03-23"}, []int{133}},
		{incidentgraph.TimeView{KnownAt: "2024-03"}, []int{133}}, // the whole of March
		{incidentgraph.TimeView{KnownAt: "2024"}, []int{133}},
		{incidentgraph.TimeView{KnownAt: "2025-05-31"}, []int{133}},
		{incidentgraph.TimeView{KnownAt: "2025-06-01"}, []int{133, 145}},
		{incidentgraph.TimeView{ValidAt: "2024-03-23"}, []int{133}}, // the toll as of that day
		{incidentgraph.TimeView{ValidAt: "2023"}, []int{}},
	} {
		if got := killedAt(t, db, tc.tv); !slices.Equal(got, tc.want) {
			t.Errorf("%+v: Moscow killed = %v, want %v", tc.tv, got, tc.want)
		}
	}
}

func relIDs(t *testing.T, db interface {
	FindRelationships(context.Context, []string, incidentgraph.RelationshipFilter, int) (map[string][]*incidentgraph.Relationship, error)
}, id string, f incidentgraph.RelationshipFilter) []string {
	t.Helper()
	f.Direction = incidentgraph.Both
	rels, err := db.FindRelationships(context.Background(), []string{id}, f, incidentgraph.MaxRelationships)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rels[id] {
		out = append(out, string(r.Type)+">"+r.ToID+"<"+r.FromID)
	}
	return out
}

// validAt: IS-K became the Islamic State's Khorasan province in January 2015, so its
// affiliation held in 2015 (and at some time in January 2015) but not in 2014; the Taliban hold
// Afghanistan from 15 August 2021. Every date is checked on both sides of the boundary.
func TestRelationshipsAsTheyHeldOnADate(t *testing.T) {
	db := seeded(t)
	affiliation := "AFFILIATE_OF>" + is + "<" + isk
	enmity := "ENEMY_OF>taliban<" + isk // bounded by IS-K's founding, not by a date of its own
	control := "OPERATES_IN>afghanistan<taliban"
	for _, tc := range []struct {
		id      string
		validAt incidentgraph.PartialDate
		rel     string
		held    bool
	}{
		{isk, "", affiliation, true},
		{isk, "2014", affiliation, false},
		{isk, "2014-12-31", affiliation, false},
		{isk, "2015", affiliation, true},
		{isk, "2015-01-15", affiliation, true},
		{isk, "2024-03-22", affiliation, true},
		{isk, "2014", enmity, false},
		{isk, "2016", enmity, true},
		{"taliban", "2021-08-14", control, false},
		{"taliban", "2021-08", control, true},
		{"taliban", "2021-08-15", control, true},
		{"taliban", "2020", control, false},
	} {
		got := slices.Contains(relIDs(t, db, tc.id, incidentgraph.RelationshipFilter{ValidAt: tc.validAt}), tc.rel)
		if got != tc.held {
			t.Errorf("validAt %q: %s held = %v, want %v", tc.validAt, tc.rel, got, tc.held)
		}
	}
}

// knownAt on relationships: the article of 23 March 2024 is the source of the Islamic State's
// claim; the claim is not known the day before.
func TestRelationshipsAsKnownOnADate(t *testing.T) {
	db := seeded(t)
	claim := "CLAIMED_RESPONSIBILITY_FOR>" + moscow + "<" + is
	for _, tc := range []struct {
		knownAt incidentgraph.PartialDate
		known   bool
	}{
		{"", true}, {"2024-03-22", false}, {"2024-03-23", true}, {"2024-03", true}, {"2023", false}, {"2024", true},
	} {
		rels := relIDs(t, db, moscow, incidentgraph.RelationshipFilter{KnownAt: tc.knownAt})
		if got := slices.Contains(rels, claim); got != tc.known {
			t.Errorf("knownAt %q: IS claim known = %v, want %v", tc.knownAt, got, tc.known)
		}
		if tc.knownAt == "2024-03-22" && len(rels) != 0 {
			t.Errorf("knownAt 2024-03-22: %d relationships of the Moscow attack known, want none: %v", len(rels), rels)
		}
	}
}

// An assertion made on a partial date is known only once its whole span has passed: made "some
// day in March 2024", it is known at "2024-03" and on 31 March, not on 23 March.
func TestPartialDatesCompareByTheirWholeSpan(t *testing.T) {
	ctx := context.Background()
	db := testdb.MustOpen(t)
	ds := testdb.MustSeed(t, db)
	src := &incidentgraph.Entity{ID: "monthly-bulletin-2024-03", Kind: incidentgraph.KindSource, Name: "A monthly bulletin",
		Publisher: "Bulletin", Published: "2024-03", SourceType: "NEWS"}
	rel := &incidentgraph.Relationship{ID: "partial-date-assertion", Type: "RELATED_TO", FromID: isk, ToID: "taliban",
		Status: "REPORTED", Confidence: 50, AssertedByID: "associated-press", SourceIDs: []string{src.ID},
		AssertedOn: "2024-03", ValidFrom: "2015-06", ValidTo: "2016"}
	more := *ds
	more.Entities = append(slices.Clone(ds.Entities), src)
	more.Relationships = append(slices.Clone(ds.Relationships), rel)
	if _, err := db.Load(ctx, &more); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { testdb.MustSeed(t, db) })
	const key = "RELATED_TO>taliban<" + isk
	for _, tc := range []struct {
		f    incidentgraph.RelationshipFilter
		want bool
	}{
		{incidentgraph.RelationshipFilter{}, true},
		{incidentgraph.RelationshipFilter{KnownAt: "2024-03-23"}, false},
		{incidentgraph.RelationshipFilter{KnownAt: "2024-03-31"}, true},
		{incidentgraph.RelationshipFilter{KnownAt: "2024-03"}, true},
		{incidentgraph.RelationshipFilter{KnownAt: "2024-02"}, false},
		{incidentgraph.RelationshipFilter{ValidAt: "2015-05"}, false},
		{incidentgraph.RelationshipFilter{ValidAt: "2015"}, true}, // June 2015 lies in 2015
		{incidentgraph.RelationshipFilter{ValidAt: "2016-12-31"}, true},
		{incidentgraph.RelationshipFilter{ValidAt: "2017"}, false},
	} {
		if got := slices.Contains(relIDs(t, db, isk, tc.f), key); got != tc.want {
			t.Errorf("%+v: partial-date assertion present = %v, want %v", tc.f, got, tc.want)
		}
	}
}

// The link-chart questions take the time view too: before 23 March 2024 nothing links Kabul to
// Moscow, since nothing about the Moscow attack was known.
func TestLinkChartsAsKnownOnADate(t *testing.T) {
	ctx := context.Background()
	db := seeded(t)
	p, err := db.ShortestPath(ctx, kabul, moscow, 6, incidentgraph.RelationshipFilter{KnownAt: "2024-03-22"})
	if err != nil {
		t.Fatal(err)
	}
	if p != nil {
		t.Errorf("a path from Kabul to Moscow known on 2024-03-22: %v", entityIDs(p.Nodes))
	}
	if p, err = db.ShortestPath(ctx, kabul, moscow, 6, incidentgraph.RelationshipFilter{KnownAt: "2024-03-23"}); err != nil || p == nil {
		t.Fatalf("no path from Kabul to Moscow known on 2024-03-23 (err %v)", err)
	}
	g, err := db.Neighborhood(ctx, is, 1, incidentgraph.RelationshipFilter{ValidAt: "2014"}, 200)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(entityIDs(g.Nodes), isk) {
		t.Error("IS-K is in the Islamic State's neighbourhood as it was in 2014")
	}
	if g, err = db.Neighborhood(ctx, is, 1, incidentgraph.RelationshipFilter{ValidAt: "2016"}, 200); err != nil || !slices.Contains(entityIDs(g.Nodes), isk) {
		t.Errorf("IS-K missing from the Islamic State's neighbourhood as it was in 2016 (err %v)", err)
	}
}
