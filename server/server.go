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
)

// Config holds the HTTP-side limits.
type Config struct {
	// RequestTimeout bounds a whole GraphQL request. Neo4j's own query timeout sits below it, so
	// a slow query is stopped by the database before the client gives up.
	RequestTimeout time.Duration
	// MaxBodyBytes bounds a request body.
	MaxBodyBytes int64
	// ComplexityLimit bounds a GraphQL operation's cost (lists count as their page size times
	// their children), which also bounds its depth.
	ComplexityLimit int
	// AllowedOrigins lists the web origins (e.g. https://charts.example.org) whose pages may
	// call /graphql from the browser; "*" allows any. Empty: same origin only.
	AllowedOrigins []string
	// AnonymousAccess says what callers without a bearer token may do: AnonymousRead (read, as
	// readers; "" means the same) or AnonymousNone (nothing).
	AnonymousAccess string
}

// DefaultConfig returns the limits the service runs with unless told otherwise.
func DefaultConfig() Config {
	return Config{RequestTimeout: 15 * time.Second, MaxBodyBytes: 1 << 20, ComplexityLimit: 20000, AnonymousAccess: AnonymousRead}
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
	DB      Pinger
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
