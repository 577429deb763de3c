// The Neo4j GraphQL Library (@neo4j/graphql) served by Apollo Server: the peer side of
// `make bench-compare`. Type definitions map our labels and relationship properties; questions
// the Library has no native form for (paths, affiliate networks, a relationship list over every
// type, full-text ranking) are @cypher fields whose statements are the same files the Go
// driver floor runs (../queries), so both sides ask Neo4j the same thing.
//
// The analysts' questions (timeline, common neighbours, similar incidents) run the store's own
// statements (../queries/timeline.cypher, common_neighbors.cypher, similar.cypher) inside a
// CALL and shape their records into GraphQL types in Cypher; similar incidents are scored in
// Cypher too (similar_score.cypher), where the service scores in Go. Their relationship filter
// is that of a query with no filter: the parameters are field arguments with those defaults.
//
// Environment: NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD, PORT (default 4000), REL_TYPES (a JSON
// list of every relationship type of the vocabulary: what an unfiltered question follows; the
// harness passes incidentgraph.RelTypes()).
import { readFileSync } from "node:fs";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { Neo4jGraphQL } from "@neo4j/graphql";
import neo4j from "neo4j-driver";

const q = (name) => readFileSync(new URL(`../queries/${name}.cypher`, import.meta.url), "utf8");

// The Library reads arguments of @cypher fields as $name parameters.
const relTypes = JSON.parse(process.env.REL_TYPES ?? "[]");
const gqlList = (xs) => `[${xs.map((x) => JSON.stringify(x)).join(", ")}]`;
// The relationship filter's parameters of the store's statements, at their unfiltered values.
const filterArgs = (types) => `types: [String!]! = ${gqlList(types)}, statuses: [String!]! = [],
    minConfidence: Int = 0, assertedBy: String = null, includeRetracted: Boolean = false,
    knownAt: String = null, validAtStart: String = null, validAtEnd: String = null`;
const similarTypes = ["CLAIMED_RESPONSIBILITY_FOR", "PERPETRATED", "ATTRIBUTED_TO", "OCCURRED_AT", "OCCURRED_IN"];

// A relationship of an analyst answer, seen from the entity with id `viewer` as the service
// sees it: outgoing to its end unless the viewer is that end. `l` is the store's map
// {props, type, from, to}.
const relView = (l, viewer) => `{
      id: ${l}.props.id, type: ${l}.type, status: ${l}.props.status, confidence: ${l}.props.confidence,
      direction: CASE WHEN ${l}.to = ${viewer} AND ${l}.from <> ${viewer} THEN 'INCOMING' ELSE 'OUTGOING' END,
      other: head(COLLECT { MATCH (o:Entity {id: CASE WHEN ${l}.to = ${viewer} AND ${l}.from <> ${viewer} THEN ${l}.from ELSE ${l}.to END}) RETURN o {.id, .name} }),
      assertedBy: head(COLLECT { MATCH (a:Entity {id: ${l}.props.assertedBy}) RETURN a {.id, .name} }),
      sources: COLLECT { MATCH (s:Entity) WHERE s.id IN ${l}.props.sources RETURN s {.id, .name} }
    }`;

const timeline = `CALL () {
${q("timeline")}
}
RETURN {
  totalCount: total,
  hasNextPage: size(entries) > $first,
  entries: [e IN entries[0..$first] | {
    id: e.n.id, kind: e.n.kind, name: e.n.name, date: e.n.date,
    links: [l IN e.links | ${relView("l", "e.n.id")}]
  }]
} AS timeline`;

const commonNeighbors = `CALL () {
${q("common_neighbors")}
}
RETURN {neighbors: [nb IN neighbors | {
  entity: {id: nb.entity.id, kind: nb.entity.kind, name: nb.entity.name},
  links: [id IN $ids | head([l IN nb.links WHERE l.of = id | {
    of: head(COLLECT { MATCH (o:Entity {id: l.of}) RETURN o {.id, .name} }),
    relationships: [r IN l.rels | ${relView("r", "nb.entity.id")}]
  }])]
}]} AS common`;

const similarIncidents = `CALL () {
${q("similar")}
}
${q("similar_score")}`;

const typeDefs = /* GraphQL */ `
  "Every relationship is an assertion with provenance: these are its properties."
  type Assertion @relationshipProperties {
    id: ID!
    status: String!
    confidence: Int!
    assertedBy: String!
    sources: [String!]!
    quote: String
    basis: String
    validFrom: String
    validTo: String
    assertedOn: String
    note: String
  }

  "Any entity (the :Entity label every node of ours carries)."
  type Entity @node(labels: ["Entity"]) {
    id: ID!
    kind: String!
    name: String!
    aliases: [String!]!
    description: String
    "Incidents that occurred in this place (or country)."
    incidentsIn: [Incident!]! @relationship(type: "OCCURRED_IN", direction: IN, properties: "Assertion")
    "Incidents that occurred at this site."
    incidentsAt: [Incident!]! @relationship(type: "OCCURRED_AT", direction: IN, properties: "Assertion")
    "Every relationship in both directions, strongest first: no native form over all types."
    relationships: [RelationshipView!]!
      @cypher(statement: """${q("entity_relationships")}""", columnName: "rel")
  }

  type Organization @node(labels: ["Organization", "Entity"]) {
    id: ID!
    kind: String!
    name: String!
    aliases: [String!]!
    gtdName: String
    orgType: String
    perpetrated: [Incident!]! @relationship(type: "PERPETRATED", direction: OUT, properties: "Assertion")
    claimed: [Incident!]! @relationship(type: "CLAIMED_RESPONSIBILITY_FOR", direction: OUT, properties: "Assertion")
    attributed: [Incident!]! @relationship(type: "ATTRIBUTED_TO", direction: IN, properties: "Assertion")
    affiliateOf: [Organization!]! @relationship(type: "AFFILIATE_OF", direction: OUT, properties: "Assertion")
    affiliates: [Organization!]! @relationship(type: "AFFILIATE_OF", direction: IN, properties: "Assertion")
  }

  type Incident @node(labels: ["Incident", "Entity"]) {
    id: ID!
    kind: String!
    name: String!
    date: String!
    dateStart: String
    dateEnd: String
    gtdEventId: String
    attackTypes: [Int!]
    occurredIn: [Entity!]! @relationship(type: "OCCURRED_IN", direction: OUT, properties: "Assertion")
    occurredAt: [Entity!]! @relationship(type: "OCCURRED_AT", direction: OUT, properties: "Assertion")
  }

  "An end of a relationship or a node of a chart (not a node type: a map from @cypher)."
  type Ref {
    id: ID!
    kind: String!
    name: String!
  }

  type RelationshipView {
    id: ID!
    type: String!
    direction: String!
    status: String!
    confidence: Int!
    other: Ref!
    assertedBy: Ref
    sources: [Ref!]!
  }

  type EdgeView {
    id: ID!
    type: String!
    source: ID!
    target: ID!
    status: String!
    confidence: Int!
  }

  type Chart {
    nodes: [Ref!]!
    edges: [EdgeView!]!
    truncated: Boolean
  }

  "An entity named in an analyst answer."
  type Named {
    id: ID!
    name: String
  }

  type RelView {
    id: ID!
    type: String!
    direction: String!
    status: String!
    confidence: Int!
    other: Named
    assertedBy: Named
    sources: [Named!]!
  }

  type TimelineEntryView {
    id: ID!
    kind: String!
    name: String!
    date: String
    links: [RelView!]!
  }

  type TimelinePage {
    totalCount: Int!
    hasNextPage: Boolean!
    entries: [TimelineEntryView!]!
  }

  type NeighborLinkView {
    of: Named!
    relationships: [RelView!]!
  }

  type CommonNeighborView {
    entity: Ref!
    links: [NeighborLinkView!]!
  }

  type CommonNeighbors {
    neighbors: [CommonNeighborView!]!
  }

  type ReasonView {
    kind: String!
    weight: Float!
    via: [Named!]!
  }

  type IncidentView {
    id: ID!
    name: String!
    date: String
  }

  type SimilarView {
    incident: IncidentView!
    score: Float!
    reasons: [ReasonView!]!
  }

  type SimilarIncidents {
    items: [SimilarView!]!
  }

  type Query {
    "Incidents and events in date order for an actor (and its affiliates), a page and the total count: the store's statement."
    timeline(actor: ID!, includeAffiliates: Boolean = false, first: Int = 20, place: ID = null, from: String = null,
      to: String = null, afterStart: String = null, afterEnd: String = null, afterId: String = null,
      ${filterArgs(relTypes)}): TimelinePage
      @cypher(statement: """${timeline}""", columnName: "timeline")
    "The entities linked to every one of ids, with their links: the store's statement."
    commonNeighbors(ids: [ID!]!, limit: Int = 20, ${filterArgs(relTypes)}): CommonNeighbors
      @cypher(statement: """${commonNeighbors}""", columnName: "common")
    "The incidents most like one: the store's statement for the candidates, scored in Cypher."
    similarIncidents(id: ID!, first: Int = 5, candidates: Int = 2000, ${filterArgs(similarTypes)}): SimilarIncidents
      @cypher(statement: """${similarIncidents}""", columnName: "similar")
    "A group's incidents with its affiliate network's, between two days (first and last), oldest first."
    groupIncidents(group: ID!, from: String!, to: String!, first: Int!): [Incident!]!
      @cypher(statement: """${q("incidents_page")}""", columnName: "n")
    "How many incidents groupIncidents would list without a page size."
    groupIncidentsCount(group: ID!, from: String!, to: String!): Int!
      @cypher(statement: """${q("incidents_count")}""", columnName: "total")
    "The two-hop organisational network around a group."
    affiliateNetwork(id: ID!): Chart @cypher(statement: """${q("network")}""", columnName: "network")
    "One shortest path between two entities."
    shortestPath(from: ID!, to: ID!): Chart @cypher(statement: """${q("path")}""", columnName: "path")
    "Names and aliases by a Lucene query, exact matches first."
    search(q: String!, exact: String!, folded: String!, key: String!, limit: Int!): [Entity!]!
      @cypher(statement: """${q("search")}""", columnName: "node")
  }
`;

const driver = neo4j.driver(
  process.env.NEO4J_URI ?? "bolt://127.0.0.1:7687",
  neo4j.auth.basic(process.env.NEO4J_USER ?? "neo4j", process.env.NEO4J_PASSWORD ?? ""),
);
const schema = await new Neo4jGraphQL({ typeDefs, driver }).getSchema();
const server = new ApolloServer({ schema });
const { url } = await startStandaloneServer(server, {
  listen: { host: "127.0.0.1", port: Number(process.env.PORT ?? 4000) },
});
console.log(`library ready at ${url}`);

const stop = async () => {
  await server.stop();
  await driver.close();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
