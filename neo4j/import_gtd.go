package neo4j

import (
	"context"
	"iter"

	"github.com/incidentgraph/incidentgraph/gtd"
)

// ImportGTD imports parsed GTD rows: the GTD's mapping (gtd.Mapper) turns them into batches,
// Import resolves their names and writes them. Only this adapter knows package gtd.
func (db *DB) ImportGTD(ctx context.Context, incidents iter.Seq[*gtd.Incident], opts ImportOptions) (*ImportStats, error) {
	return Import[*gtd.Incident](ctx, db, incidents, gtd.Mapper{Release: opts.Release}, opts)
}

var _ Mapper[*gtd.Incident] = gtd.Mapper{}
