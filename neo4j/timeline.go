package neo4j

// WORK IN PROGRESS: placeholder bodies, replaced by the real implementation before this lands.

import (
	"context"
	"errors"

	"github.com/incidentgraph/incidentgraph"
)

var _ = context.Background

func (db *DB) SimilarIncidents(ctx context.Context, id string, first int, f incidentgraph.RelationshipFilter) ([]*incidentgraph.SimilarIncident, error) {
	return nil, errors.New("not implemented")
}

func (db *DB) Timeline(ctx context.Context, f incidentgraph.TimelineFilter, p incidentgraph.Page) (*incidentgraph.TimelinePage, error) {
	return nil, errors.New("not implemented")
}
