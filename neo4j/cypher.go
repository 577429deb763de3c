package neo4j

// WORK IN PROGRESS: placeholder bodies, replaced by the real implementation before this lands.

import (
	"context"
	"errors"

	"github.com/incidentgraph/incidentgraph"
)

var _ = context.Background

func (db *DB) RunCypher(ctx context.Context, query string, params map[string]any, limit int) (*incidentgraph.CypherResult, error) {
	return nil, errors.New("not implemented")
}

func (db *DB) CheckCypher(ctx context.Context, query string, params map[string]any) error {
	return errors.New("not implemented")
}
