// The Neo4j GraphQL Library (@neo4j/graphql) served by Apollo Server: the peer side of
// `make bench-compare`. Type definitions map our labels and relationship properties; questions
// the Library has no native form for (paths, affiliate networks, a relationship list over every
// type, full-text ranking) are @cypher fields whose statements are the same files the Go
// driver floor runs (../queries), so both sides ask Neo4j the same thing.
//
// Environment: NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD, PORT (default 4000).
import { readFileSync } from "node:fs";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { Neo4jGraphQL } from "@neo4j/graphql";
import neo4j from "neo4j-driver";

const q = (name) => readFileSync(new URL(`../queries/${name}.cypher`, import.meta.url), "utf8");

// The Library reads arguments of @cypher fields as $name parameters.
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

  type Query {
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
    search(q: String!, exact: String!, limit: Int!): [Entity!]!
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
