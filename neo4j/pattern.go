package neo4j

// WORK IN PROGRESS: placeholder bodies, replaced by the real implementation before this lands.

import (
	"context"
	"errors"

	"github.com/incidentgraph/incidentgraph"
)

func (db *DB) RunPattern(ctx context.Context, name string, params map[string]any, limit int) (*incidentgraph.CypherResult, error) {
	return nil, errors.New("not implemented")
}

func (db *DB) Patterns() []*incidentgraph.Pattern { return nil }
