package analysis

import (
	"math"
	"slices"
	"testing"

	"github.com/incidentgraph/incidentgraph"
)

// chart builds a subgraph from edges written "a-b"; every end becomes a node. extra adds nodes
// without edges.
func chart(edges []string, extra ...string) *incidentgraph.Subgraph {
	g := &incidentgraph.Subgraph{}
	seen := map[string]bool{}
	node := func(id string) {
		if !seen[id] {
			seen[id] = true
			g.Nodes = append(g.Nodes, &incidentgraph.Entity{ID: id})
		}
	}
	for i, e := range edges {
		var a, b string
		for j := range e {
			if e[j] == '-' {
				a, b = e[:j], e[j+1:]
				break
			}
		}
		node(a)
		node(b)
		g.Edges = append(g.Edges, &incidentgraph.Relationship{ID: string(rune('A' + i)), FromID: a, ToID: b})
	}
	for _, id := range extra {
		node(id)
	}
	return g
}

type want struct {
	degree      int
	betweenness float64
}

func check(t *testing.T, got []*incidentgraph.CentralityScore, w map[string]want) {
	t.Helper()
	if len(got) != len(w) {
		t.Fatalf("%d scores, want %d", len(got), len(w))
	}
	for _, s := range got {
		x, ok := w[s.Entity.ID]
		if !ok {
			t.Errorf("unexpected node %s", s.Entity.ID)
			continue
		}
		if s.Degree != x.degree || math.Abs(s.Betweenness-x.betweenness) > 1e-9 {
			t.Errorf("%s: degree %d, betweenness %.4f; want %d, %.4f", s.Entity.ID, s.Degree, s.Betweenness, x.degree, x.betweenness)
		}
	}
}

func ids(scores []*incidentgraph.CentralityScore) []string {
	out := make([]string, len(scores))
	for i, s := range scores {
		out[i] = s.Entity.ID
	}
	return out
}

func TestCentralityOfAPath(t *testing.T) {
	got := Centrality(chart([]string{"a-b", "b-c"}))
	// b lies on the only shortest path of the one pair (a, c) that does not include it.
	check(t, got, map[string]want{"a": {1, 0}, "b": {2, 1}, "c": {1, 0}})
	if got[0].Entity.ID != "b" {
		t.Errorf("order %v, want b first", ids(got))
	}
}

func TestCentralityOfAStar(t *testing.T) {
	got := Centrality(chart([]string{"hub-l1", "hub-l2", "l3-hub", "hub-l4"}))
	// All C(4,2) = 6 leaf pairs go through the hub, out of (n-1)(n-2)/2 = 6.
	check(t, got, map[string]want{"hub": {4, 1}, "l1": {1, 0}, "l2": {1, 0}, "l3": {1, 0}, "l4": {1, 0}})
	if o := ids(got); !slices.Equal(o, []string{"hub", "l1", "l2", "l3", "l4"}) {
		t.Errorf("order %v, want the hub then leaves by id", o)
	}
}

func TestCentralityOfABridgeBetweenTriangles(t *testing.T) {
	got := Centrality(chart([]string{"a-b", "b-c", "c-a", "c-d", "d-e", "e-f", "f-d"}))
	// c carries the 2×3 pairs from {a, b} to {d, e, f}; d the 3×2 from {a, b, c} to {e, f}:
	// 6 of the 5·4/2 = 10 pairs each.
	check(t, got, map[string]want{
		"a": {2, 0}, "b": {2, 0}, "c": {3, 0.6},
		"d": {3, 0.6}, "e": {2, 0}, "f": {2, 0},
	})
	if o := ids(got); !slices.Equal(o, []string{"c", "d", "a", "b", "e", "f"}) {
		t.Errorf("order %v", o)
	}
}

func TestCentralityCountsParallelEdgesAndDirectionsOnce(t *testing.T) {
	// Three assertions between a and b, in both directions, and a self-loop: a has one
	// neighbour. The negative control is the same chart with a distinct third node.
	got := Centrality(chart([]string{"a-b", "b-a", "a-b", "a-a", "b-c"}))
	check(t, got, map[string]want{"a": {1, 0}, "b": {2, 1}, "c": {1, 0}})
	control := Centrality(chart([]string{"a-b", "a-x", "b-c"}))
	check(t, control, map[string]want{"a": {2, 2.0 / 3}, "b": {2, 2.0 / 3}, "c": {1, 0}, "x": {1, 0}})
}

func TestCentralityIgnoresDanglingEdgesAndKeepsIsolatedNodes(t *testing.T) {
	g := chart([]string{"a-b", "b-c"}, "lonely")
	g.Edges = append(g.Edges, &incidentgraph.Relationship{ID: "out", FromID: "b", ToID: "not-in-chart"})
	// n = 4: b carries the one pair (a, c) of the (3·2)/2 = 3 it could.
	check(t, Centrality(g), map[string]want{"a": {1, 0}, "b": {2, 1.0 / 3}, "c": {1, 0}, "lonely": {0, 0}})
}

func TestCentralityOfEmptyAndTinyGraphs(t *testing.T) {
	for _, g := range []*incidentgraph.Subgraph{nil, {}} {
		if got := Centrality(g); got == nil || len(got) != 0 {
			t.Errorf("Centrality(%v) = %v, want an empty non-nil list", g, got)
		}
	}
	check(t, Centrality(chart([]string{"a-b"})), map[string]want{"a": {1, 0}, "b": {1, 0}})
	check(t, Centrality(chart(nil, "a")), map[string]want{"a": {0, 0}})
}

func TestSortByDegree(t *testing.T) {
	// A clique of four with a tail x1-m-y: m is the second broker (it carries the four clique
	// members to y) but has only two neighbours, fewer than any clique member.
	scores := Centrality(chart([]string{"x1-x2", "x1-x3", "x1-x4", "x2-x3", "x2-x4", "x3-x4", "x1-m", "m-y"}))
	if o := ids(scores); !slices.Equal(o, []string{"x1", "m", "x2", "x3", "x4", "y"}) {
		t.Fatalf("by betweenness %v", o)
	}
	SortByDegree(scores)
	if o := ids(scores); !slices.Equal(o, []string{"x1", "x2", "x3", "x4", "m", "y"}) {
		t.Errorf("by degree %v", o)
	}
}
