// Package graph is the GraphQL layer: gqlgen's generated executor, and resolvers that translate
// between GraphQL and the domain. Resolvers stay thin: they check bounds, call the
// incidentgraph.GraphService and map results; they never see a driver type or Cypher.
package graph

//go:generate go tool gqlgen generate
//go:generate go run ../tools/inlinemarshal generated.go

import (
	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/internal/turns"
)

// Resolver is the root resolver. It holds the dependencies every request shares.
type Resolver struct {
	Graph   incidentgraph.GraphService
	Analyst incidentgraph.AnalystService
	// CypherService runs analysts' Cypher and the saved patterns. (Not "Cypher": that is the
	// query resolver's method for the `cypher` field.)
	CypherService incidentgraph.CypherService
	// Curation writes the graph for curators (mutations, versions, history, the audit log).
	Curation incidentgraph.CurationService
	// Centralities bounds the centrality questions fetching a neighbourhood and scoring it at
	// once (nil: no bound).
	Centralities *turns.Turns
}
