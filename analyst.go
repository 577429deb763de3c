package incidentgraph

import "context"

// Bounds of the analyst questions. The API documents them.
const (
	MaxAffiliateDepth    = 4
	MaxPaths             = 20
	MaxPathsDepth        = 6
	MaxCommonNeighborIDs = 10
	MinCommonNeighborIDs = 2
	MaxSimilarIncidents  = 50
	MaxCentralityDepth   = 3
	MaxCentralityNodes   = 300
	SimilarityCandidates = 2000 // incidents scored at most, the most related first
	MaxAffiliationHops   = 3    // how far includeAffiliates follows affiliations downwards
)

// Path is a chain of relationships between two entities, in order: Edges[i] links Nodes[i] and
// Nodes[i+1] (in either direction). Where several assertions link the same two nodes, the
// strongest one stands for the hop.
type Path struct {
	Nodes []*Entity
	Edges []*Relationship
}

// Length is the number of hops.
func (p *Path) Length() int { return len(p.Edges) }

// WeakestConfidence is the confidence of the path's least sure hop: a chain is as strong as its
// weakest link. A path of no hops has confidence 100.
func (p *Path) WeakestConfidence() int {
	w := MaxConfidence
	for _, r := range p.Edges {
		if r.Confidence < w {
			w = r.Confidence
		}
	}
	return w
}

// CommonNeighbor is an entity directly linked to every one of several entities.
type CommonNeighbor struct {
	Entity *Entity
	// Links holds, for each of the entities asked about (in the order asked), the relationships
	// that link it to Entity.
	Links []*NeighborLink
}

// NeighborLink is how one of the entities asked about is linked to a common neighbour.
type NeighborLink struct {
	OfID          string
	Relationships []*Relationship
}

// SimilarityReason is one thing two incidents have in common, with the weight it adds.
type SimilarityReason struct {
	Kind        string // a SimilarityReasonKind
	Description string // for the reader: "both claimed by Islamic State"
	Weight      float64
	Via         []string // ids of the entities that matched (perpetrators, places), if any
}

// Similarity reason kinds. The score of a candidate is the sum of the weights of its reasons
// divided by what the incident asked about would score against a copy of itself, so 1 means
// alike in every respect it has (package analysis holds the weights).
const (
	ReasonSamePerpetrator       = "SAME_PERPETRATOR"
	ReasonAffiliatedPerpetrator = "AFFILIATED_PERPETRATOR"
	ReasonAttackType            = "ATTACK_TYPE"
	ReasonTargetType            = "TARGET_TYPE"
	ReasonWeaponType            = "WEAPON_TYPE"
	ReasonVenueKind             = "VENUE_KIND"
	ReasonSuicide               = "SUICIDE"
	ReasonSeason                = "SEASON"
	ReasonSharedPlace           = "SHARED_PLACE"
)

// SimilarIncident is a candidate incident with its score (0–1) and the reasons for it.
type SimilarIncident struct {
	Incident *Entity
	Score    float64
	Reasons  []SimilarityReason
}

// TimelineFilter selects the entries of a timeline. Empty fields do not filter.
type TimelineFilter struct {
	Actor             string
	IncludeAffiliates bool
	Place             string
	From, To          PartialDate
	// Rel selects the relationships that link an entry to the actor (and, with KnownAt and
	// ValidAt, the time view).
	Rel RelationshipFilter
	// Near and Within keep the entries on the map there, as for IncidentFilter (events have no
	// coordinates and are found by the places they occurred at).
	Near   *GeoNear
	Within *GeoBox
}

// TimelineEntry is an incident or event with what links it to the actor asked about.
type TimelineEntry struct {
	Entity *Entity
	// Links are the relationships between the actor (or one of its affiliates) and the entry;
	// empty when no actor was asked about.
	Links []*Relationship
}

// TimelinePage is one page of a timeline.
type TimelinePage struct {
	Entries     []*TimelineEntry
	Cursors     []string
	TotalCount  int
	HasNextPage bool
}

// CentralityScope says which subgraph centrality is computed on.
type CentralityScope string

const (
	ScopeNeighborhood     CentralityScope = "NEIGHBORHOOD"
	ScopeAffiliateNetwork CentralityScope = "AFFILIATE_NETWORK"
)

// CentralityScore is one entity's place in a subgraph: how many links it has and how often it
// lies on the shortest paths between others.
type CentralityScore struct {
	Entity      *Entity
	Degree      int     // distinct neighbours in the subgraph
	Betweenness float64 // normalised to 0–1 (Brandes, undirected)
}

// AnalystService answers the analysts' pattern questions. Like GraphService, every method
// reads only and is bounded.
type AnalystService interface {
	// AffiliateNetwork returns the organisational network around a group: every entity within
	// depth hops over OrganizationalTypes (narrowed by f.Types), in both directions.
	AffiliateNetwork(ctx context.Context, id string, depth int, f RelationshipFilter, limit int) (*Subgraph, error)
	// Paths returns up to first distinct simple paths from one entity to another, shortest
	// first, then by weakest confidence, strongest first.
	Paths(ctx context.Context, from, to string, maxDepth, first int, f RelationshipFilter) ([]*Path, error)
	// CommonNeighbors returns the entities directly linked to every one of ids.
	CommonNeighbors(ctx context.Context, ids []string, f RelationshipFilter, limit int) ([]*CommonNeighbor, error)
	// SimilarIncidents ranks other incidents by their similarity to id.
	SimilarIncidents(ctx context.Context, id string, first int, f RelationshipFilter) ([]*SimilarIncident, error)
	// Timeline returns one page of incidents and events in date order.
	Timeline(ctx context.Context, f TimelineFilter, p Page) (*TimelinePage, error)
}
