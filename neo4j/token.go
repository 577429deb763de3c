package neo4j

// WORK IN PROGRESS: placeholder bodies, replaced by the real implementation before this lands.

import (
	"context"
	"errors"
	"time"

	"github.com/incidentgraph/incidentgraph"
)

var _ = context.Background

func (db *DB) CreateToken(ctx context.Context, name string, role incidentgraph.Role, expiresAt *time.Time) (string, error) {
	return "", errors.New("not implemented")
}

func (db *DB) RevokeToken(ctx context.Context, name string) error {
	return errors.New("not implemented")
}

func (db *DB) ListTokens(ctx context.Context) ([]*incidentgraph.Token, error) {
	return nil, errors.New("not implemented")
}

func (db *DB) Authenticate(ctx context.Context, secret string) (*incidentgraph.Token, error) {
	return nil, errors.New("not implemented")
}
