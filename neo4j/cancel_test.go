package neo4j_test

import (
	"context"
	"testing"

	"github.com/incidentgraph/incidentgraph"
)

// TestCanceledRequestIsNotAnInternalError: a caller that gives up (a client that closed its
// connection) gets CANCELED, which the edge logs at warn, not an internal error that pages an
// operator. Control: the same read with a live context answers.
func TestCanceledRequestIsNotAnInternalError(t *testing.T) {
	db := seeded(t)
	live := context.Background()
	if _, err := db.FindEntitiesByIDs(live, []string{is}); err != nil {
		t.Fatalf("control: the read with a live context: %v", err)
	}
	ctx, cancel := context.WithCancel(live)
	cancel()
	_, err := db.FindEntitiesByIDs(ctx, []string{is})
	if code := incidentgraph.ErrorCode(err); code != incidentgraph.ECANCELED {
		t.Fatalf("a canceled read: %v (code %s), want %s", err, code, incidentgraph.ECANCELED)
	}
	_, err = db.Versions(ctx, []string{is})
	if code := incidentgraph.ErrorCode(err); code != incidentgraph.ECANCELED {
		t.Fatalf("a canceled versions read: %v (code %s), want %s", err, code, incidentgraph.ECANCELED)
	}
}
