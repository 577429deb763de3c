package neo4j_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/cypherlex"
	"github.com/incidentgraph/incidentgraph/internal/testdb"
	"github.com/incidentgraph/incidentgraph/neo4j"
)

// writeKeywords are the words that begin a clause that writes, listed here rather than taken
// from the guard's own list, so that a word dropped from that list is caught.
var writeKeywords = []string{"CREATE", "MERGE", "SET", "DELETE", "DETACH", "NODETACH", "REMOVE", "FOREACH", "INSERT"}

// fuzzWriteClauses are whole write clauses that FuzzCypherGuard puts into any text.
var fuzzWriteClauses = []string{
	"CREATE (x:Entity {id: 'x'})", "MERGE (x:Entity {id: 'x'})", "SET n.name = 'x'", "DELETE n",
	"DETACH DELETE n", "NODETACH DELETE n", "REMOVE n.name", "FOREACH (i IN [1] | CREATE ())",
	"INSERT (x:Entity)", "MATCH (n) SET n:Other",
}

// fuzzSeparators are what FuzzCypherGuard puts on either side of the write clause: the line
// ends Cypher knows and the ones it does not (a line comment runs on past U+0085, U+2028 and
// U+2029 as far as Neo4j 5 is concerned), and plain spaces.
var fuzzSeparators = []string{"\n", "\r", "\r\n", "\u0085", "\u2028", "\u2029", " ", "\v"}

// fuzzInsert builds the text with the write clause put in: the clause byte's low four bits pick
// the clause, the next three the separator, the top bit writes the clause in lower case. It
// returns the text and the clause's byte offset.
func fuzzInsert(prefix string, clause uint8, suffix string) (string, int) {
	w := fuzzWriteClauses[int(clause&0x0f)%len(fuzzWriteClauses)]
	if clause&0x80 != 0 {
		w = strings.ToLower(w) // keywords in any case
	}
	sep := fuzzSeparators[(clause>>4)&0x07]
	return prefix + sep + w + sep + suffix, len(prefix) + len(sep)
}

// guardFunc is a read-only guard's verdict on a text without a database: nil accepts it.
type guardFunc func(q string) error

// shippedGuard is the shipped lexical guard (input checks, lexing, token checks).
func shippedGuard(q string) error { return neo4j.GuardTextForTest(q) }

// verdict is what Neo4j's EXPLAIN says a text does, without running it.
type verdict struct {
	planned bool                 // false: Neo4j refused the text (syntax, semantics)
	kind    driver.StatementType // when planned
	reason  string               // when not planned: Neo4j's code
}

// writes reports whether Neo4j says the text writes data or the schema.
func (v verdict) writes() bool {
	switch v.kind {
	case driver.StatementTypeReadWrite, driver.StatementTypeWriteOnly, driver.StatementTypeSchemaWrite:
		return v.planned
	}
	return false
}

// explainer asks Neo4j about a text.
type explainer func(tb testing.TB, q string) verdict

// neo4jExplainer is the oracle that shares nothing with the shipped guard or its lexer: Neo4j's
// own EXPLAIN, through the bare driver, on the test database.
func neo4jExplainer(tb testing.TB) explainer {
	tb.Helper()
	d := testdb.Driver(tb)
	return func(tb testing.TB, q string) verdict {
		tb.Helper()
		res, err := driver.ExecuteQuery(context.Background(), d, "EXPLAIN "+q, nil, driver.EagerResultTransformer,
			driver.ExecuteQueryWithReadersRouting())
		var nerr *driver.Neo4jError
		switch {
		case err == nil:
			return verdict{planned: true, kind: res.Summary.StatementType()}
		case errors.As(err, &nerr) && nerr.Code == "Neo.ClientError.Statement.AccessMode":
			// Refused in a read transaction for writing: Neo4j says it writes.
			return verdict{planned: true, kind: driver.StatementTypeWriteOnly}
		case errors.As(err, &nerr) && strings.HasPrefix(nerr.Code, "Neo.ClientError."):
			return verdict{reason: nerr.Code}
		default:
			tb.Fatalf("EXPLAIN %q: %v", q, err)
			return verdict{}
		}
	}
}

// FuzzCypherGuard runs the read-only guard's static checks (no database) on any text, and on
// that text with a write clause put in the middle of it between two separators. The guard must
// never panic, and two oracles judge what it accepts:
//   - Neo4j's own EXPLAIN (neo4jFaults): a text the guard accepted must not be one that Neo4j
//     says writes data or the schema. It shares nothing with the shipped lexer, so a fault of
//     that lexer (a line comment running on past \r, say) is seen.
//   - the shipped lexer (staticFaults): an accepted text lexes and has no write keyword outside
//     name positions, and the inserted clause is refused wherever that lexer reads it as code.
//
// The seed corpus is in testdata/fuzz/FuzzCypherGuard; `go test` runs it as ordinary tests
// against the test database. TestCypherGuardOracleFindsFaults and
// TestCypherGuardNeo4jOracleFindsFaults are the oracles' negative controls.
func FuzzCypherGuard(f *testing.F) {
	explain := neo4jExplainer(f)
	f.Add("MATCH (n:Entity) RETURN n", uint8(0), "RETURN 1")
	f.Fuzz(func(t *testing.T, prefix string, clause uint8, suffix string) {
		for _, fault := range staticFaults(shippedGuard, prefix, clause, suffix) {
			t.Error(fault)
		}
		for _, fault := range neo4jFaults(t, shippedGuard, explain, prefix, clause, suffix) {
			t.Error(fault)
		}
	})
}

// fuzzTexts are the texts one fuzz input stands for: the prefix alone, prefix and suffix, and
// both with the write clause put in between (the last).
func fuzzTexts(prefix string, clause uint8, suffix string) []string {
	q, _ := fuzzInsert(prefix, clause, suffix)
	return []string{prefix, prefix + suffix, q}
}

// neo4jFaults returns the texts of one fuzz input that guard accepts and Neo4j says write.
func neo4jFaults(tb testing.TB, guard guardFunc, explain explainer, prefix string, clause uint8, suffix string) []string {
	tb.Helper()
	var faults []string
	for _, q := range fuzzTexts(prefix, clause, suffix) {
		if guard(q) != nil {
			continue // refused: whatever Neo4j would make of it
		}
		if v := explain(tb, q); v.writes() {
			faults = append(faults, fmt.Sprintf("%q: accepted, and Neo4j's EXPLAIN says it writes (statement type %v)", q, v.kind))
		}
	}
	return faults
}

// staticFaults returns what the shipped lexer finds wrong with guard's answers to one fuzz
// input.
func staticFaults(guard guardFunc, prefix string, clause uint8, suffix string) []string {
	var faults []string
	texts := fuzzTexts(prefix, clause, suffix)
	for _, q := range texts {
		if guard(q) == nil {
			faults = append(faults, guardAcceptFaults(q)...)
		}
	}
	q, at := fuzzInsert(prefix, clause, suffix)
	err := guard(q)
	toks, lexErr := cypherlex.Lex(q)
	if lexErr != nil {
		return faults // an accepted text that does not lex is among guardAcceptFaults
	}
	if i := tokenAt(toks, at); i >= 0 && toks[i].Kind == cypherlex.Ident && !nameAt(toks, i) {
		// The clause is code: the text would write.
		if code := incidentgraph.ErrorCode(err); code != incidentgraph.ECYPHER && code != incidentgraph.EINVALID {
			faults = append(faults, fmt.Sprintf("%q: a write clause at offset %d is code, and the guard answers %v (%s)", q, at, err, code))
		}
	}
	return faults
}

// tokenAt returns the index of the token that starts at byte offset pos, or -1.
func tokenAt(toks []cypherlex.Token, pos int) int {
	for i, tk := range toks {
		if tk.Pos == pos {
			return i
		}
	}
	return -1
}

// nameAt reports whether Cypher reads toks[i] as a name rather than a keyword: a property key
// (n.set), a parameter ($set), a label or type (:SET), a map key ({set: 1}) or an alias (AS set).
func nameAt(toks []cypherlex.Token, i int) bool {
	prev := func(text string) bool {
		return i > 0 && (toks[i-1].Is(cypherlex.Punct, text) || toks[i-1].Is(cypherlex.Ident, text))
	}
	return prev(".") || prev("$") || prev(":") || prev("AS") || i+1 < len(toks) && toks[i+1].Is(cypherlex.Punct, ":")
}

// guardAcceptFaults is the property of a text the guard accepted: it lexes, and no word of its
// code is a write keyword, except where Cypher reads a name.
func guardAcceptFaults(q string) []string {
	toks, err := cypherlex.Lex(q)
	if err != nil {
		return []string{fmt.Sprintf("%q: accepted, though it does not lex: %v", q, err)}
	}
	var faults []string
	for i, tk := range toks {
		for _, w := range writeKeywords {
			if tk.Kind == cypherlex.Ident && strings.EqualFold(tk.Text, w) && !nameAt(toks, i) {
				faults = append(faults, fmt.Sprintf("%q: accepted with the write keyword %s at offset %d", q, tk.Text, tk.Pos))
			}
		}
	}
	return faults
}

// TestCypherGuardOracleFindsFaults is the negative control of FuzzCypherGuard's static oracles:
// texts that write are faulted when taken as accepted, names that spell keywords are not, and
// the inserted clause is seen as code exactly where it is code.
func TestCypherGuardOracleFindsFaults(t *testing.T) {
	for _, q := range []string{"MATCH (n) DETACH DELETE n", "MATCH (n) set n.x = 1", "RETURN 1 // c\rCREATE (x)", "RETURN 'a' merge (x)"} {
		if len(guardAcceptFaults(q)) == 0 {
			t.Errorf("%q: a writing text passes the acceptance property", q)
		}
	}
	for _, q := range []string{"MATCH (n) RETURN n.set AS delete, {create: 1}, $merge", "MATCH (n:REMOVE) RETURN n // DELETE", "RETURN 'CREATE (x)' AS `SET`", "RETURN 1 /* DELETE */"} {
		if faults := guardAcceptFaults(q); len(faults) > 0 {
			t.Errorf("%q: a read-only text is faulted: %q", q, faults)
		}
	}
	code := func(prefix string) bool {
		toks, err := cypherlex.Lex(prefix + "\nCREATE (x)\n")
		if err != nil {
			return false
		}
		i := tokenAt(toks, len(prefix)+1)
		return i >= 0 && toks[i].Kind == cypherlex.Ident && !nameAt(toks, i)
	}
	for prefix, want := range map[string]bool{
		"MATCH (n)": true, "RETURN 1 //": true, "RETURN 1 /*": false, "RETURN '": false,
		"MATCH (n) RETURN n.": false, "MATCH (n:": false, "RETURN 1 AS": false, "RETURN `": false,
	} {
		if got := code(prefix); got != want {
			t.Errorf("prefix %q: the clause is code: %v, want %v", prefix, got, want)
		}
	}
	// A guard that accepts everything is faulted where the clause is code, and not where it is
	// data.
	accept := func(string) error { return nil }
	if faults := staticFaults(accept, "MATCH (n)", 0, ""); len(faults) == 0 {
		t.Error("a guard that accepts everything passes the static oracles with a clause in code")
	}
	if faults := staticFaults(accept, "RETURN 1 AS a //", 0x60, ""); len(faults) > 0 {
		t.Errorf("a clause in a comment is faulted: %q", faults)
	}
	// And the guard itself refuses the clause where the oracle says it is code.
	if err := shippedGuard("MATCH (n)\nCREATE (x)\n"); incidentgraph.ErrorCode(err) != incidentgraph.ECYPHER {
		t.Errorf("guard: %v", err)
	}
}

// fuzzCorpusEntry is one file of testdata/fuzz/FuzzCypherGuard.
type fuzzCorpusEntry struct {
	prefix, suffix string
	clause         uint8
}

// readGuardCorpus reads FuzzCypherGuard's seed corpus (the format `go test` writes: a version
// line, then one Go literal per argument).
func readGuardCorpus(t *testing.T) map[string]fuzzCorpusEntry {
	t.Helper()
	dir := filepath.Join("testdata", "fuzz", "FuzzCypherGuard")
	files, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]fuzzCorpusEntry{}
	for _, fi := range files {
		b, err := os.ReadFile(filepath.Join(dir, fi.Name()))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		if len(lines) != 4 || lines[0] != "go test fuzz v1" {
			t.Fatalf("%s: not a corpus entry of three arguments", fi.Name())
		}
		lit := func(line, typ string) string {
			s, ok := strings.CutPrefix(line, typ+"(")
			s, ok2 := strings.CutSuffix(s, ")")
			v, err := strconv.Unquote(s)
			if !ok || !ok2 || err != nil {
				t.Fatalf("%s: %q is not a %s literal", fi.Name(), line, typ)
			}
			return v
		}
		clause := lit(lines[2], "byte")
		e := fuzzCorpusEntry{prefix: lit(lines[1], "string"), suffix: lit(lines[3], "string")}
		if r := []rune(clause); len(clause) == 1 {
			e.clause = clause[0] // '\xNN'
		} else if len(r) == 1 && r[0] < 256 {
			e.clause = uint8(r[0])
		} else {
			t.Fatalf("%s: %q is not a byte", fi.Name(), lines[2])
		}
		out[fi.Name()] = e
	}
	return out
}

// The corpus entries whose inserted clause Neo4j runs as a write, and those in which it is data
// (in a string or a comment as Neo4j reads them), where guards that accept them are right to.
var (
	guardCorpusWrites = []string{
		"cr-ends-line-comment", "crlf-ends-line-comment", "cr-after-block-end-in-line-comment",
		"nested-block-comment-ends-at-first-close", "backslash-ends-single-quoted-string",
		"backslash-ends-double-quoted-string", "line-comment-marks-in-string", "comment-marks-in-backticks",
		"u2028-between-clauses", "lowercase-foreach-crlf", "nodetach-delete-vertical-tabs",
		"remove-between-spaces", "lowercase-merge",
	}
	guardCorpusReads = []string{
		"nel-inside-line-comment", "u2028-inside-line-comment", "u2029-inside-line-comment",
		"vertical-tab-inside-line-comment", "cr-inside-block-comment", "cr-inside-string",
		"escaped-quote-closes-late", "escaped-double-quote-closes-late", "inside-string", "inside-block-comment",
	}
)

// TestCypherGuardNeo4jOracleFindsFaults is the negative control of FuzzCypherGuard's Neo4j
// oracle, over the seed corpus: a guard that accepts everything is faulted on every entry whose
// clause Neo4j would run as a write and on no entry where the clause is data; a guard that reads
// \r as no line end (the shipped lexer's old fault) is faulted on the \r entries.
func TestCypherGuardNeo4jOracleFindsFaults(t *testing.T) {
	explain := neo4jExplainer(t)
	corpus := readGuardCorpus(t)
	accept := func(string) error { return nil }
	faulted := func(guard guardFunc, name string) bool {
		e, ok := corpus[name]
		if !ok {
			t.Fatalf("%s is not in the corpus", name)
		}
		return len(neo4jFaults(t, guard, explain, e.prefix, e.clause, e.suffix)) > 0
	}
	for _, name := range guardCorpusWrites {
		if !faulted(accept, name) {
			e := corpus[name]
			q, _ := fuzzInsert(e.prefix, e.clause, e.suffix)
			t.Errorf("%s: a guard that accepts everything is not faulted on %q (Neo4j: %+v)", name, q, explain(t, q))
		}
	}
	for _, name := range guardCorpusReads {
		if faulted(accept, name) {
			t.Errorf("%s: the clause is data to Neo4j, and accepting it is faulted", name)
		}
	}
	crBlind := func(q string) error { return shippedGuard(strings.ReplaceAll(q, "\r", " ")) }
	for _, name := range []string{"cr-ends-line-comment", "cr-after-block-end-in-line-comment"} {
		if !faulted(crBlind, name) {
			t.Errorf("%s: a guard whose line comments run on past \\r is not faulted", name)
		}
	}
}

// cypherUnicodeEscapes are texts that Neo4j 5 reads through Java's \uXXXX escapes, decoded
// before anything else, in code, strings and comments alike: an escaped line break ends a line
// comment, an escaped quote closes a string, an escaped letter spells a keyword. Each writes.
var cypherUnicodeEscapes = []string{
	`WITH 1 AS a // x\u000a CREATE (y) RETURN a`,
	`WITH 1 AS a // x\u000d CREATE (y) RETURN a`,
	`WITH 'x\u0027 AS s CREATE (y) RETURN s //'`,
	`WITH "x\u0022 AS s CREATE (y) RETURN s //"`,
	`WITH 1 AS a /* x \u002a/ CREATE (y) RETURN a /* */`,
	`M\u0041TCH (n:Entity) \u0043REATE (y)`,
	`MATCH (n:Entity) \u0053ET n.name = 'x'`,
}

// TestCypherGuardUnicodeEscapes: the lexical guard reads a text as Neo4j does, escapes decoded,
// so it refuses each of these writes on its own, where Neo4j's oracle says each writes. The
// control is the same guard reading the text as written, which accepts them all; escapes that
// spell what analysts may write still run.
func TestCypherGuardUnicodeEscapes(t *testing.T) {
	explain := neo4jExplainer(t)
	for _, q := range cypherUnicodeEscapes {
		if v := explain(t, q); !v.writes() {
			t.Errorf("%q: Neo4j does not read it as a write (%+v), so it proves nothing", q, v)
		}
		if err := shippedGuard(q); incidentgraph.ErrorCode(err) != incidentgraph.ECYPHER {
			t.Errorf("%q: the guard answers %v, want a refusal", q, err)
		}
		if err := neo4j.GuardTextAsWrittenForTest(q); err != nil {
			t.Errorf("control: %q read as written is refused too (%v), so the decoding is not what refuses it", q, err)
		}
	}
	db := seeded(t)
	ctx := context.Background()
	res, err := db.RunCypher(ctx, `MATCH (n:\u0045ntity {id: $id}) RETURN n.name AS name, '\u00e9\\u0041' AS s`, map[string]any{"id": isk}, 0)
	if err != nil || len(res.Rows) != 1 || res.Rows[0]["s"] != `é\u0041` || res.Rows[0]["name"] == "" {
		t.Errorf("escaped label and string: %+v, %v", res, err)
	}
	_, err = db.RunCypher(ctx, `MATCH (n:\u0041uditEntry) RETURN n`, nil, 0)
	if incidentgraph.ErrorCode(err) != incidentgraph.ECYPHER || !strings.Contains(incidentgraph.ErrorMessage(err), "AuditEntry is not a label") {
		t.Errorf("an escaped internal label: %v", err)
	}
}
