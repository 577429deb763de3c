package incidentgraph

import "context"

// Bounds of analysts' own Cypher and of saved patterns.
const (
	MaxCypherLength     = 10000   // characters of one query
	DefaultCypherRows   = 100     // rows returned when no limit is asked for
	MaxCypherRows       = 1000    // rows returned at most
	MaxCypherGraphItems = 2000    // nodes plus edges in a result's graph at most
	MaxCypherBytes      = 4 << 20 // bytes of a result's rows at most (as JSON)
)

// CypherResult is the answer to a read-only Cypher query: the columns, the rows (each a map
// from column name to a JSON-ready value), a link chart of every node, relationship and path
// returned, and whether a cap cut the answer.
type CypherResult struct {
	Columns   []string
	Rows      []map[string]any
	Graph     *Subgraph
	Truncated bool
}

// Pattern is a saved, named, parameterised read-only Cypher query.
type Pattern struct {
	Name        string
	Description string
	Params      []PatternParam
	Cypher      string
}

// PatternParam is one declared parameter of a pattern.
type PatternParam struct {
	Name        string
	Type        string // one of PatternParamTypes
	Description string
	Required    bool
	Default     any // nil when none
}

// PatternParamTypes are the types a pattern parameter may declare.
var PatternParamTypes = []string{"STRING", "ID", "INT", "FLOAT", "BOOLEAN", "DATE", "STRING_LIST"}

// CypherService runs analysts' read-only Cypher and the saved patterns.
type CypherService interface {
	// RunCypher runs query with params, read-only, returning at most limit rows. A query that
	// is not read-only, or uses what the allow-lists do not name, is refused with ECYPHER and
	// changes nothing.
	RunCypher(ctx context.Context, query string, params map[string]any, limit int) (*CypherResult, error)
	// Patterns lists the saved patterns, by name.
	Patterns() []*Pattern
	// RunPattern runs a saved pattern with params checked against its declaration.
	RunPattern(ctx context.Context, name string, params map[string]any, limit int) (*CypherResult, error)
}
