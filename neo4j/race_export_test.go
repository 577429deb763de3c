package neo4j

import "context"

// HookImportChunk is the op a GTD import chunk's transaction passes to the in-transaction hook.
const HookImportChunk = hookImportChunk

// SetInTxHookForTest makes db call h inside every curation write's transaction after its change
// (op: the operation, e.g. incidentgraph.OpUpdateEntity) and inside every GTD import chunk's
// before its commit (op: HookImportChunk), with the locks those writes took held; an error
// rolls the transaction back. Only this store is affected. It returns the reset.
func SetInTxHookForTest(db *DB, h func(ctx context.Context, op string) error) func() {
	db.inTx.Store(&h)
	return func() { db.inTx.Store(nil) }
}

// HoldScoringsForTest takes every turn to score similar incidents (Config.Scorings), so that
// the next question has to wait; it returns the function that gives them back.
func HoldScoringsForTest(db *DB) func() { return db.scoring.HoldAll() }
