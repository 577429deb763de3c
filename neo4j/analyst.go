package neo4j

// WORK IN PROGRESS: placeholder bodies, replaced by the real implementation before this lands.

import (
	"context"
	"errors"

	"github.com/incidentgraph/incidentgraph"
)

var _ = context.Background

func (db *DB) AffiliateNetwork(ctx context.Context, id string, depth int, f incidentgraph.RelationshipFilter, limit int) (*incidentgraph.Subgraph, error) {
	return nil, errors.New("not implemented")
}

func (db *DB) Paths(ctx context.Context, from, to string, maxDepth, first int, f incidentgraph.RelationshipFilter) ([]*incidentgraph.Path, error) {
	return nil, errors.New("not implemented")
}

func (db *DB) CommonNeighbors(ctx context.Context, ids []string, f incidentgraph.RelationshipFilter, limit int) ([]*incidentgraph.CommonNeighbor, error) {
	return nil, errors.New("not implemented")
}
