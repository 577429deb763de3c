// Package incidentgraph holds the domain of the incident graph service: the entities
// (organizations, incidents, places, people, sources …), the relationship vocabulary with its
// provenance rules, and the questions the application asks of its store.
//
// It imports nothing outside the standard library. Implementations live in packages named for
// what they depend on: neo4j/ speaks Cypher, graph/ speaks GraphQL, server/ speaks HTTP, seed/
// reads the seed files. cmd/incidentgraph wires them together.
package incidentgraph
