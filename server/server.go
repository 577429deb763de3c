// Package server is the HTTP face of the service: GraphQL at /graphql, GraphiQL at /, health
// checks, and the middleware every request passes (request ids, access log, limits), with
// bearer-token authentication in front of /graphql.
package server

import (
	"context"
	"net/http"
	"time"

	"github.com/rs/zerolog"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/export"
)

// Config holds the HTTP-side limits. A zero limit means no limit, except where said; the
// defaults (DefaultConfig) are documented in the README's "Limits and production switches".
type Config struct {
	// RequestTimeout bounds a whole request to /graphql or /export, from its token lookup to
	// its answer (TIMEOUT past it); 0 bounds nothing. Neo4j's own query timeout sits below it,
	// so a slow query is stopped by the database before the client gives up.
	RequestTimeout time.Duration
	// MaxBodyBytes bounds a request body (413 above it).
	MaxBodyBytes int64
	// MaxQueryBytes bounds the length of a query's text (GET or POST).
	MaxQueryBytes int
	// MaxQueryTokens bounds the tokens gqlparser reads from a query before giving up, so that a
	// long document costs no more than this to refuse.
	MaxQueryTokens int
	// MaxDepth bounds how deep fields nest; MaxAliases, MaxRootFields and MaxFields bound the
	// aliases, root fields and fields of an operation, fragments counted where they are spread;
	// MaxDirectives bounds the directives on one field.
	MaxDepth, MaxAliases, MaxRootFields, MaxFields, MaxDirectives int
	// ComplexityLimit bounds a GraphQL operation's cost (lists count as their page size times
	// their children), which also bounds its depth. AnalystComplexityLimit applies instead to
	// callers with role analyst or above.
	ComplexityLimit, AnalystComplexityLimit int
	// MaxInFlight bounds the GraphQL requests served at once; more are shed with 503 and
	// Retry-After.
	MaxInFlight int
	// RatePerAddress and RatePerToken are the sustained requests a second allowed to one client
	// address and to one token, with bursts of BurstPerAddress and BurstPerToken; 429 and
	// Retry-After above them. Zero: no limit.
	RatePerAddress, RatePerToken   float64
	BurstPerAddress, BurstPerToken int
	// Introspection and FieldSuggestions ("did you mean ...?" in validation errors) are on for
	// this research tool; a deployment that wants to hide its schema turns both off.
	Introspection, FieldSuggestions bool
	// FailFast answers UNAVAILABLE at once while Neo4j is known to be unreachable; ProbeInterval
	// is how often it is tried then. WarmTimeout bounds the warm-up of Neo4j's plan cache when
	// it answers again (breaker.go), during which requests still fail fast; 0: no warm-up.
	FailFast      bool
	ProbeInterval time.Duration
	WarmTimeout   time.Duration
	// AllowedOrigins lists the web origins (e.g. https://charts.example.org) whose pages may
	// call /graphql from the browser; "*" allows any. Empty: same origin only.
	AllowedOrigins []string
	// AnonymousAccess says what callers without a bearer token may do: AnonymousRead (read, as
	// readers; "" means the same) or AnonymousNone (nothing).
	AnonymousAccess string
	// PersistedQueries is how many documents automatic persisted queries (Apollo's protocol)
	// remember by hash, least recently used forgotten first; 0 turns them off (trusted.go).
	PersistedQueries int
	// TrustedDocuments, when set, are the only documents that run (trusted.go); nil: any.
	TrustedDocuments *TrustedDocuments
	// Centralities is how many centrality questions may fetch their neighbourhood and score it
	// at once (0: twice the CPUs); the others wait their turn (internal/turns).
	Centralities int

	// hooks are set only by this package's tests; the zero value is the service.
	hooks testHooks
}

// testHooks each take one safeguard out of the server, so that a test can show the check of that
// safeguard fails without it (its negative control). Only this package's tests set them.
type testHooks struct {
	// noAuthDeadline: the request's time limit is applied inside authentication, so it does
	// not cover the token lookup.
	noAuthDeadline bool
	// closeBeforeWarmUp: the breaker closes as soon as Neo4j answers again, before it warms the
	// plan cache.
	closeBeforeWarmUp bool
	// noCompiledReads: root fields' selections are not read ahead (graph.CompiledReads); every
	// field asks the store for itself.
	noCompiledReads bool
	// gqlgenAnswers: executed answers are written by gqlgen's transports (json.Marshal, which
	// re-compacts data) rather than as the executor wrote them (rawAnswers).
	gqlgenAnswers bool
	// holdCentralities: every turn to compute centrality is taken, so that a centrality
	// question waits until its request ends.
	holdCentralities bool
	// taxiiNoMore: TAXII pages never say there is more, so paging stops after the first page.
	taxiiNoMore bool
	// taxiiWrongMediaType: TAXII resources are served as application/json.
	taxiiWrongMediaType bool
}

// DefaultConfig returns the limits the service runs with unless told otherwise.
func DefaultConfig() Config {
	return Config{
		RequestTimeout:         15 * time.Second,
		MaxBodyBytes:           1 << 20,
		MaxQueryBytes:          32 << 10,
		MaxQueryTokens:         10000,
		MaxDepth:               15,
		MaxAliases:             30,
		MaxRootFields:          20,
		MaxFields:              2000,
		MaxDirectives:          5,
		ComplexityLimit:        20000,
		AnalystComplexityLimit: 100000,
		MaxInFlight:            64,
		// Off by address: the comparison benchmark and the load runs drive one service from
		// one address, and a research group behind one proxy shares an address.
		RatePerAddress:   0,
		BurstPerAddress:  100,
		RatePerToken:     100,
		BurstPerToken:    200,
		Introspection:    true,
		FieldSuggestions: true,
		FailFast:         true,
		ProbeInterval:    time.Second,
		// Planning a cold statement costs about a second on two cores, and the store remembers
		// at most 64: ten seconds plans the hot ones, and is still short next to a restart.
		WarmTimeout:     10 * time.Second,
		AnonymousAccess: AnonymousRead,
		// A thousand texts of at most MaxQueryBytes each: 32 MiB at worst, for clients (the
		// explorer, GraphiQL's examples) that then send 64-byte hashes instead of documents.
		PersistedQueries: 1000,
	}
}

// Pinger reports whether the database answers.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Services are what the server answers with. *neo4j.DB is all of them; tests may pass others.
type Services struct {
	Graph   incidentgraph.GraphService
	Analyst incidentgraph.AnalystService
	Cypher  incidentgraph.CypherService
	Tokens  incidentgraph.TokenService
	// Curation writes the graph for curators; nil leaves the mutations unavailable.
	Curation incidentgraph.CurationService
	DB       Pinger
	// Whole answers /export?of=all, the whole graph within its bounds; nil refuses of=all.
	Whole export.WholeGraph
	// Metrics counts the requests for /metrics (metrics.go); nil counts nothing.
	Metrics *Metrics
}

// NewServer returns the service's HTTP handler. Every dependency is passed in; nothing is global.
func NewServer(logger zerolog.Logger, cfg Config, svc Services) http.Handler {
	mux := http.NewServeMux()
	addRoutes(mux, logger, cfg, svc)
	// Outermost first: the logger, then the request id (so every line carries it), then the
	// access log, which sees the final status.
	var h http.Handler = mux
	h = accessLog()(h)
	h = requestID()(h)
	h = loggerHandler(logger)(h)
	return h
}
