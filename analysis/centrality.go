package analysis

import (
	"cmp"
	"slices"

	"gonum.org/v1/gonum/graph/network"
	"gonum.org/v1/gonum/graph/simple"

	"github.com/incidentgraph/incidentgraph"
)

// Centrality scores every node of g: its degree (distinct neighbours, whatever the number or
// direction of the assertions between them) and its undirected betweenness, normalised to 0–1.
// Edges with an end outside g's nodes, and self-loops, are ignored. Scores are sorted by
// betweenness, then degree (both descending), then id.
func Centrality(g *incidentgraph.Subgraph) []*incidentgraph.CentralityScore {
	if g == nil {
		return []*incidentgraph.CentralityScore{}
	}
	ug := simple.NewUndirectedGraph()
	index := make(map[string]int64, len(g.Nodes))
	var nodes []*incidentgraph.Entity
	for _, e := range g.Nodes {
		if _, dup := index[e.ID]; dup {
			continue
		}
		index[e.ID] = int64(len(nodes))
		ug.AddNode(simple.Node(len(nodes)))
		nodes = append(nodes, e)
	}
	for _, r := range g.Edges {
		a, okA := index[r.FromID]
		b, okB := index[r.ToID]
		// simple.UndirectedGraph holds one edge per pair, so parallel assertions count once;
		// it panics on self-loops.
		if okA && okB && a != b {
			ug.SetEdge(ug.NewEdge(simple.Node(a), simple.Node(b)))
		}
	}
	between := network.Betweenness(ug)
	n := float64(len(nodes))
	scores := make([]*incidentgraph.CentralityScore, len(nodes))
	for i, e := range nodes {
		s := &incidentgraph.CentralityScore{Entity: e, Degree: ug.From(int64(i)).Len()}
		if n > 2 {
			// Betweenness sums over ordered pairs (s, t), so an undirected graph counts every
			// pair twice: (n-1)(n-2) is twice the (n-1)(n-2)/2 pairs that could pass through a node.
			s.Betweenness = between[int64(i)] / ((n - 1) * (n - 2))
		}
		scores[i] = s
	}
	slices.SortStableFunc(scores, func(x, y *incidentgraph.CentralityScore) int {
		return cmp.Or(cmp.Compare(y.Betweenness, x.Betweenness), cmp.Compare(y.Degree, x.Degree), cmp.Compare(x.Entity.ID, y.Entity.ID))
	})
	return scores
}

// SortByDegree orders scores by degree, then betweenness (both descending), then id.
func SortByDegree(scores []*incidentgraph.CentralityScore) {
	slices.SortStableFunc(scores, func(x, y *incidentgraph.CentralityScore) int {
		return cmp.Or(cmp.Compare(y.Degree, x.Degree), cmp.Compare(y.Betweenness, x.Betweenness), cmp.Compare(x.Entity.ID, y.Entity.ID))
	})
}
