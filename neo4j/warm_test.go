package neo4j_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/internal/testdb"
	"github.com/incidentgraph/incidentgraph/neo4j"
)

// askHotQuestions asks the questions the service answers most (an entity, its neighbourhood,
// incidents, a search) through the store's own methods.
func askHotQuestions(t *testing.T, db *neo4j.DB) {
	t.Helper()
	ctx := context.Background()
	if _, err := db.FindEntitiesByIDs(ctx, []string{is, isk}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Neighborhood(ctx, isk, 2, incidentgraph.RelationshipFilter{}, 50); err != nil {
		t.Fatal(err)
	}
	if _, err := db.FindIncidents(ctx, incidentgraph.IncidentFilter{}, incidentgraph.Page{First: 10}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Search(ctx, "khorasan", nil, 10); err != nil {
		t.Fatal(err)
	}
}

// TestWarmPlansTheStoresOwnStatements: after a few real questions, Warm EXPLAINs every statement
// they ran, without error; a store that has run nothing has nothing to warm (negative control
// for the recording), and a remembered statement that cannot be planned is not counted
// (negative control for the count: it is what Neo4j planned, not what was remembered).
func TestWarmPlansTheStoresOwnStatements(t *testing.T) {
	seeded(t)
	ctx := context.Background()

	cold := testdb.MustOpen(t)
	if n, err := cold.Warm(ctx); n != 0 || err != nil {
		t.Fatalf("a store that ran nothing warmed %d statements (err %v)", n, err)
	}

	db := testdb.MustOpen(t)
	askHotQuestions(t, db)
	remembered := len(neo4j.WarmStatementsForTest(db))
	n, err := db.Warm(ctx)
	if err != nil {
		t.Fatalf("Warm: %v", err)
	}
	t.Logf("warmed %d of %d remembered statements", n, remembered)
	if n == 0 || n != remembered {
		t.Fatalf("Warm planned %d statements, %d remembered; want all of them, more than none", n, remembered)
	}

	// Negative control: a remembered statement that Neo4j cannot plan (an unknown function)
	// is not counted, and does not stop the others.
	neo4j.RememberForTest(db, "RETURN noSuchFunction($x) AS y", map[string]any{"x": 1})
	if n2, err := db.Warm(ctx); err != nil || n2 != n || len(neo4j.WarmStatementsForTest(db)) != remembered+1 {
		t.Fatalf("with one statement that cannot be planned Warm planned %d (err %v); want %d", n2, err, n)
	}

	// Warm stops at its context's end.
	done, cancel := context.WithCancel(ctx)
	cancel()
	if n, err := db.Warm(done); n != 0 || incidentgraph.ErrorCode(err) != incidentgraph.ECANCELED {
		t.Fatalf("Warm with its context ended: %d, %v; want 0 and CANCELED", n, err)
	}
}

// TestWarmNeverHoldsAnalystsCypherOrSecrets: a question asked through RunCypher is never among
// the statements Warm plans, and Authenticate's statement is kept without the secret's hash.
// Negative controls: the same text run through the store's read path is remembered, the
// Authenticate statement is found (so the check looked at it), and a store that keeps its
// statements' parameters as sent fails the secrets check.
func TestWarmNeverHoldsAnalystsCypherOrSecrets(t *testing.T) {
	seeded(t)
	ctx := context.Background()
	db := testdb.MustOpen(t)
	const analysts = "MATCH (n:Entity {id: $id}) RETURN n.name AS analystsOwnText"
	if _, err := db.RunCypher(ctx, analysts, map[string]any{"id": is}, 10); err != nil {
		t.Fatal(err)
	}
	secret := mustCreateToken(t, db, "warm-test-reader", incidentgraph.RoleReader, nil)
	if _, err := db.Authenticate(ctx, secret); err != nil {
		t.Fatal(err)
	}
	stmts := neo4j.WarmStatementsForTest(db)
	if _, ok := stmts[analysts]; ok {
		t.Errorf("Warm holds an analyst's Cypher: %q", analysts)
	}
	for _, f := range warmSecretFaults(stmts, secret) {
		t.Error(f)
	}
	if n, err := db.Warm(ctx); err != nil || n != len(stmts) {
		t.Errorf("Warm with the hash blanked planned %d of %d (err %v)", n, len(stmts), err)
	}

	// Negative control: the same text through the store's own read path is remembered.
	if err := neo4j.ReadForTest(ctx, db, analysts, map[string]any{"id": is}); err != nil {
		t.Fatal(err)
	}
	if _, ok := neo4j.WarmStatementsForTest(db)[analysts]; !ok {
		t.Errorf("a text run through the read path is not remembered: the check above proves nothing")
	}

	// Negative control: a store that keeps the parameters as sent fails the secrets check.
	keeps := testdb.MustOpen(t)
	neo4j.KeepSecretsForTest(keeps)
	if _, err := keeps.Authenticate(ctx, secret); err != nil {
		t.Fatal(err)
	}
	faults := warmSecretFaults(neo4j.WarmStatementsForTest(keeps), secret)
	if !slices.ContainsFunc(faults, func(f string) bool { return strings.HasPrefix(f, "Warm keeps a token's secret or hash") }) {
		t.Errorf("a store that keeps the token's hash passes the secrets check: %q", faults)
	}
}

// warmSecretFaults is the secrets check of the statements Warm would plan: Authenticate's is
// among them, and no parameter holds the token's secret or the hash it is looked up by.
func warmSecretFaults(stmts map[string]map[string]any, secret string) []string {
	var faults []string
	hash := neo4j.HashSecretForTest(secret)
	sawAuth := false
	for text, params := range stmts {
		if _, ok := params["hash"]; ok {
			sawAuth = true
		}
		for k, v := range params {
			if s, ok := v.(string); ok && (s == secret || s == hash) {
				faults = append(faults, fmt.Sprintf("Warm keeps a token's secret or hash in %s of %q", k, text))
			}
		}
	}
	if !sawAuth {
		faults = append(faults, "Authenticate's statement is not remembered: the secrets check saw nothing")
	}
	return faults
}
