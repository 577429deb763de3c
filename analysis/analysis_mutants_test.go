package analysis_test

import (
	"slices"
	"testing"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/analysis"
)

// centrality returns each node's degree and betweenness from Centrality.
func centrality(g *incidentgraph.Subgraph) map[string][2]float64 {
	out := map[string][2]float64{}
	for _, s := range analysis.Centrality(g) {
		out[s.Entity.ID] = [2]float64{float64(s.Degree), s.Betweenness}
	}
	return out
}

// TestCentralityEdgeCases: an edge from outside the chart adds nothing (whichever end is
// missing), and two linked nodes have betweenness 0, not the NaN of dividing by (n-1)(n-2) = 0.
func TestCentralityEdgeCases(t *testing.T) {
	node := func(id string) *incidentgraph.Entity { return &incidentgraph.Entity{ID: id} }
	edge := func(from, to string) *incidentgraph.Relationship {
		return &incidentgraph.Relationship{ID: from + "-" + to, FromID: from, ToID: to}
	}
	g := &incidentgraph.Subgraph{Nodes: []*incidentgraph.Entity{node("a"), node("b"), node("c")},
		Edges: []*incidentgraph.Relationship{edge("a", "b"), edge("b", "c"), edge("not-in-chart", "c"), edge("a", "not-in-chart")}}
	got := centrality(g)
	if want := map[string][2]float64{"a": {1, 0}, "b": {2, 1}, "c": {1, 0}}; len(got) != 3 || got["a"] != want["a"] || got["b"] != want["b"] || got["c"] != want["c"] {
		t.Errorf("with dangling edges: %v, want %v", got, want)
	}

	pair := centrality(&incidentgraph.Subgraph{Nodes: []*incidentgraph.Entity{node("a"), node("b")}, Edges: []*incidentgraph.Relationship{edge("a", "b")}})
	for id, s := range pair {
		if s != [2]float64{1, 0} {
			t.Errorf("two linked nodes: %s has degree and betweenness %v, want [1 0]", id, s)
		}
	}
}

func ids(got []*incidentgraph.SimilarIncident) []string {
	var out []string
	for _, s := range got {
		out = append(out, s.Incident.ID)
	}
	return out
}

// TestSimilaritySkipsOnlyWhatItShould: the target among the candidates, a candidate without an
// incident and one with nothing in common are skipped, and the candidates after them still count.
func TestSimilaritySkipsOnlyWhatItShould(t *testing.T) {
	target := moscowLike()
	c := unlike("c")
	c.Perpetrators = []string{"is"}
	got := analysis.Similarity(target, []analysis.IncidentFeatures{target, {}, unlike("nothing-in-common"), c}, names)
	if want := []string{"c"}; !slices.Equal(ids(got), want) {
		t.Errorf("similar %v, want %v", ids(got), want)
	}
}

// TestSharedPlaceOrderAndTies: the most specific shared place wins whatever the order the places
// come in, and between places equally specific the smaller id, whichever comes first.
func TestSharedPlaceOrderAndTies(t *testing.T) {
	place := func(id string, l analysis.PlaceLevel) analysis.Place { return analysis.Place{ID: id, Level: l} }
	for _, tc := range []struct {
		places []analysis.Place
		want   string
	}{
		{[]analysis.Place{place("a-country", analysis.LevelCountry), place("m-city", analysis.LevelCity)}, "m-city"},
		{[]analysis.Place{place("m-city", analysis.LevelCity), place("a-country", analysis.LevelCountry)}, "m-city"},
		{[]analysis.Place{place("a-city", analysis.LevelCity), place("z-city", analysis.LevelCity)}, "a-city"},
		{[]analysis.Place{place("z-city", analysis.LevelCity), place("a-city", analysis.LevelCity)}, "a-city"},
	} {
		target, c := unlike("target"), unlike("c")
		target.Places, c.Places = tc.places, tc.places
		c.Perpetrators, c.VenueKinds, c.Incident.Suicide = nil, nil, false
		c.Incident.AttackTypes, c.Incident.TargetTypes, c.Incident.WeaponTypes, c.Incident.Date = nil, nil, nil, ""
		got := analysis.Similarity(target, []analysis.IncidentFeatures{c}, nil)
		if len(got) != 1 || len(got[0].Reasons) != 1 || !slices.Equal(got[0].Reasons[0].Via, []string{tc.want}) {
			t.Errorf("places %v: %+v, want the one reason %s", tc.places, got, tc.want)
		}
	}
}

// TestSeasonOfAMonth: a date known to the month has a season.
func TestSeasonOfAMonth(t *testing.T) {
	target, c := unlike("target"), unlike("c")
	target.Incident.Date, c.Incident.Date = "2024-03", "2021-04"
	c.Perpetrators, c.VenueKinds, c.Places, c.Incident.Suicide = nil, nil, nil, false
	c.Incident.AttackTypes, c.Incident.TargetTypes, c.Incident.WeaponTypes = nil, nil, nil
	got := analysis.Similarity(target, []analysis.IncidentFeatures{c}, nil)
	if len(got) != 1 || len(got[0].Reasons) != 1 || got[0].Reasons[0].Kind != incidentgraph.ReasonSeason {
		t.Errorf("March and April: %+v, want the one reason SEASON", got)
	}
}

// TestNearnessOutranksIDs: among equal scores the nearer in time comes first even when its id
// sorts last, and an unknown date (the target's or a candidate's) comes after every known one,
// however far.
func TestNearnessOutranksIDs(t *testing.T) {
	mk := func(id string, date incidentgraph.PartialDate) analysis.IncidentFeatures {
		c := unlike(id)
		c.Incident.Date = date
		c.Perpetrators = []string{"is"}
		return c
	}
	target := moscowLike()
	target.Incident.Date = "2024-03-01" // spring: no season in common with the candidates
	got := analysis.Similarity(target, []analysis.IncidentFeatures{
		mk("a-unknown", ""), mk("b-far", "0000-08-01"), mk("c-middle", "1990-08-01"), mk("z-near", "2023-08-01"),
	}, names)
	if want := []string{"z-near", "c-middle", "b-far", "a-unknown"}; !slices.Equal(ids(got), want) {
		t.Errorf("order %v, want %v", ids(got), want)
	}
	// A target of unknown date: nearness says nothing, ids decide.
	target.Incident.Date = ""
	got = analysis.Similarity(target, []analysis.IncidentFeatures{mk("z-near", "2023-08-01"), mk("a-far", "1990-08-01")}, names)
	if want := []string{"a-far", "z-near"}; !slices.Equal(ids(got), want) {
		t.Errorf("target of unknown date: order %v, want %v", ids(got), want)
	}
}
