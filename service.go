package incidentgraph

import "context"

// Limits that keep every question bounded in depth, size and cost. The API documents them.
const (
	MaxPageSize          = 100
	MaxRelationships     = 500
	MaxNeighborhoodDepth = 3
	MaxNeighborhoodNodes = 500
	MaxPathDepth         = 10
	MaxSearchTextLength  = 200
	MaxIDsPerRequest     = 100
)

// GraphService answers the questions researchers ask of the graph. Implementations check
// nothing the caller could not: bounds are enforced by the caller (the GraphQL layer) and again
// by the store, which must never run an unbounded query.
type GraphService interface {
	// Search finds entities by name or alias, best match first.
	Search(ctx context.Context, text string, kinds []Kind, limit int) ([]*Entity, error)
	// FindEntitiesByIDs returns the entities that exist among ids, in any order.
	FindEntitiesByIDs(ctx context.Context, ids []string) ([]*Entity, error)
	// FindRelationships returns, for each entity id, its relationships that pass the filter,
	// strongest first, at most limit each.
	FindRelationships(ctx context.Context, ids []string, f RelationshipFilter, limit int) (map[string][]*Relationship, error)
	// FindFigures returns the figures reported about each subject id, oldest first, in the time
	// view tv.
	FindFigures(ctx context.Context, subjectIDs []string, tv TimeView) (map[string][]*Figure, error)
	// FindIncidents returns one page of incidents, oldest first.
	FindIncidents(ctx context.Context, f IncidentFilter, p Page) (*EntityPage, error)
	// FindOrganizations returns one page of organizations, by name.
	FindOrganizations(ctx context.Context, f OrganizationFilter, p Page) (*EntityPage, error)
	// Neighborhood returns the entities within depth hops of id and the relationships among them.
	Neighborhood(ctx context.Context, id string, depth int, f RelationshipFilter, limit int) (*Subgraph, error)
	// ShortestPath returns one shortest path between two entities, or nil when there is none
	// within maxDepth hops.
	ShortestPath(ctx context.Context, from, to string, maxDepth int, f RelationshipFilter) (*Subgraph, error)
	// PlacesNear returns at most first places on the map within near, nearest first.
	PlacesNear(ctx context.Context, near GeoNear, first int) ([]*PlaceDistance, error)
	// Reader answers a compiled selection of entities, at every depth, in one query.
	Reader
}

// Loader writes a whole dataset (the seed graph) into the store.
type Loader interface {
	// Load writes ds in one transaction: all of it or, on any error, nothing.
	Load(ctx context.Context, ds *Dataset) (*LoadStats, error)
}

// LoadStats says what a load did.
type LoadStats struct {
	Entities      int
	Relationships int
	Figures       int
	Removed       int // items of an earlier seed that the files no longer hold
}
