package neo4j

import (
	"context"
	"maps"

	lru "github.com/hashicorp/golang-lru/v2"
	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// warmStatements is how many distinct statement texts the store remembers for Warm. The store
// builds a few dozen texts (hop counts and page shapes multiply some); planning one cold costs
// about a second on a small machine, so more would not fit a warm-up's time anyway.
const warmStatements = 64

// secretParams name the parameters whose values must never be kept: Authenticate's hash of a
// token's secret. Warm plans with an empty string in their place, which plans the same: Neo4j
// caches a plan by the statement's text and its parameters' types, not their values.
var secretParams = map[string]any{"hash": ""}

// hot remembers the texts of the store's own read statements, each with the parameters of its
// first run, least recently used forgotten first, so that Warm can plan them again after
// Neo4j restarts with an empty plan cache. Only db.read records: analysts' free Cypher
// (RunCypher) runs in its own transactions and never passes here.
type hot struct {
	stmts *lru.Cache[string, map[string]any]
	// secrets are the parameters blanked before a statement is kept: secretParams. Only this
	// package's tests change it (KeepSecretsForTest), for the negative control of the check that
	// no secret is kept.
	secrets map[string]any
}

func newHot() *hot {
	c, err := lru.New[string, map[string]any](warmStatements)
	if err != nil {
		panic(err) // only for a size below 1
	}
	return &hot{stmts: c, secrets: secretParams}
}

// remember records one statement the store ran. A text already remembered is only marked as
// recently used: its first parameters plan it as well as any (a plan is cached by the text and
// the parameters' types), and every read passes here, so it costs no copy. A new text's
// parameters are copied (callers own their maps) with secrets blanked.
func (h *hot) remember(cypher string, params map[string]any) {
	if _, ok := h.stmts.Get(cypher); ok {
		return
	}
	p := maps.Clone(params)
	for k, blank := range h.secrets {
		if _, ok := p[k]; ok {
			p[k] = blank
		}
	}
	h.stmts.Add(cypher, p)
}

// Warm plans again the statements the store ran lately, one after another, so that the first
// requests after a Neo4j restart find their plans cached instead of all planning the same
// statements at once. EXPLAIN plans and caches a statement without running it. Warm stops at
// ctx's end and returns how many statements it planned; a statement that fails to plan (a
// schema changed since) is skipped, but an unreachable database ends the warm-up with its error.
func (db *DB) Warm(ctx context.Context) (int, error) {
	n := 0
	// Oldest first: if the time runs out, the most recent are the ones left cold, but each
	// statement costs the same and none is known to matter more.
	for _, cypher := range db.hot.stmts.Keys() {
		if err := ctx.Err(); err != nil {
			return n, classify(ctx, err)
		}
		params, ok := db.hot.stmts.Peek(cypher)
		if !ok {
			continue
		}
		_, err := driver.ExecuteQuery(ctx, db.driver, explainPrefix+cypher, params, driver.EagerResultTransformer,
			driver.ExecuteQueryWithDatabase(db.cfg.Database),
			driver.ExecuteQueryWithReadersRouting(),
			driver.ExecuteQueryWithTransactionConfig(driver.WithTxTimeout(db.cfg.QueryTimeout)))
		if err != nil {
			if err := classify(ctx, err); isCoded(err) {
				return n, err
			}
			continue
		}
		n++
	}
	return n, nil
}

// isCoded reports whether classify recognised err (unavailable, timed out, canceled).
func isCoded(err error) bool {
	_, ok := err.(*codedError)
	return ok
}
