package neo4j

import "context"

// SetCurationFault makes every curation write of db call f after its change and before its
// audit entry. Tests use it to fail a write half-way; only this store is affected. It returns
// the reset.
func SetCurationFault(db *DB, f func(op string, versionInTx func(id string) (int, error)) error) func() {
	db.fault.Store(&f)
	return func() { db.fault.Store(nil) }
}

// WarmStatementsForTest returns the statements Warm would plan, text to parameters.
func WarmStatementsForTest(db *DB) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, k := range db.hot.stmts.Keys() {
		if p, ok := db.hot.stmts.Peek(k); ok {
			out[k] = p
		}
	}
	return out
}

// ReadForTest runs cypher through the store's own read path, the one that records for Warm.
func ReadForTest(ctx context.Context, db *DB, cypher string, params map[string]any) error {
	_, err := db.read(ctx, cypher, params)
	return err
}

// HashSecretForTest is the hash Authenticate looks a secret up by.
func HashSecretForTest(secret string) string { return hashSecret(secret) }

// RememberForTest records a statement for Warm as if the store had run it.
func RememberForTest(db *DB, cypher string, params map[string]any) { db.hot.remember(cypher, params) }

// GuardTextForTest is the read-only guard's verdict on a text without a database (input checks,
// lexing, token checks), for the guard's fuzz target and its oracles' controls.
func GuardTextForTest(q string) error {
	_, err := guardText(q, nil)
	return err
}

// GuardTextAsWrittenForTest is GuardTextForTest reading the text as written, without decoding
// its \uXXXX escapes as Neo4j does: the negative control of the decoding.
func GuardTextAsWrittenForTest(q string) error {
	toks, err := lexCypher(q)
	if err != nil {
		return err
	}
	return checkTokens(toks)
}

// KeepSecretsForTest makes db's record of statements for Warm keep every parameter as it was
// sent, secrets included: the negative control of the check that it keeps none.
func KeepSecretsForTest(db *DB) { db.hot.secrets = nil }

// WithoutSearchFoldingForTest makes db's Search look for the text as typed alone, without its
// folded words and transliteration key: the control of the tests of folding.
func WithoutSearchFoldingForTest(db *DB) { db.noSearchFolding = true }
