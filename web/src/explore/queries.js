// The GraphQL documents the explorer sends to /graphql. web/test/explore.test.mjs validates each
// against schema.graphqls, so a schema change that breaks the explorer fails `npm test`.

const SUBGRAPH_FIELDS = `
  nodes { id kind name }
  edges { id type source target status confidence style assertedBy }
`;

export const SEARCH = `query ExplorerSearch($text: String!, $first: Int) {
  search(text: $text, first: $first) { id kind name aliases }
}`;

export const NEIGHBORHOOD = `query ExplorerNeighborhood($id: ID!, $depth: Int, $filter: RelationshipFilter, $knownAt: PartialDate, $limit: Int) {
  neighborhood(id: $id, depth: $depth, filter: $filter, knownAt: $knownAt, limit: $limit) {
    ${SUBGRAPH_FIELDS}
    truncated
  }
}`;

export const PATHS = `query ExplorerPaths($from: ID!, $to: ID!, $maxDepth: Int, $first: Int, $filter: RelationshipFilter, $knownAt: PartialDate) {
  paths(from: $from, to: $to, maxDepth: $maxDepth, first: $first, filter: $filter, knownAt: $knownAt) {
    length weakestConfidence
    ${SUBGRAPH_FIELDS}
  }
}`;

const SOURCE_FIELDS = 'id title publisher published url';

const FIGURE_FIELDS = `id metric value qualifier population asOf status confidence quote note
  assertedBy { id name } sources { ${SOURCE_FIELDS} }`;

export const ENTITY = `query ExplorerEntity($id: ID!, $knownAt: PartialDate) {
  entity(id: $id) {
    id kind name aliases description
    sources { ${SOURCE_FIELDS} }
    ... on Organization { orgType gtdName founded dissolved }
    ... on Country { iso2 }
    ... on Person { role nationality anonymous }
    ... on Place { placeType countryCode latitude longitude }
    ... on Incident {
      date endDate summary attackTypes targetTypes weaponTypes suicide outcome gtdEventId
      figures(knownAt: $knownAt) { ${FIGURE_FIELDS} }
    }
    ... on Event { eventType date endDate summary figures(knownAt: $knownAt) { ${FIGURE_FIELDS} } }
    ... on Source { title publisher published url sourceType accessed }
  }
}`;

// An edge's provenance: GraphEdge carries the id, the full Relationship is read from its source
// entity's relationships of that type (few), so the chart query stays small.
export const RELATIONSHIPS = `query ExplorerRelationship($id: ID!, $types: [RelationshipType!], $knownAt: PartialDate) {
  entity(id: $id) {
    id
    relationships(filter: {types: $types, direction: OUTGOING}, first: 500, knownAt: $knownAt) {
      id type status confidence confidenceLevel quote basis validFrom validTo assertedOn note
      from { id name } to { id name } assertedBy { id name }
      sources { ${SOURCE_FIELDS} }
    }
  }
}`;

export const RELATIONSHIP_TYPES = `query ExplorerRelationshipTypes {
  relationshipTypes { type description }
}`;

// The map: the incidents in view (a GeoBox), up to a date, with what places them (their own
// coordinates, else the places they occurred at: geo.js incidentPoints).
export const MAP_INCIDENTS = `query ExplorerMapIncidents($within: GeoBox!, $to: PartialDate, $first: Int, $after: String) {
  incidents(filter: {within: $within, to: $to}, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      id name date latitude longitude geoPrecision
      relationships(filter: {types: [OCCURRED_AT, OCCURRED_IN], direction: OUTGOING}, first: 10) {
        type
        to { id ... on Place { latitude longitude geoPrecision } }
      }
    }
  }
}`;

// The oldest incident's date: where the time slider starts.
export const FIRST_INCIDENT = `query ExplorerFirstIncident {
  incidents(first: 1) { nodes { date } }
}`;
