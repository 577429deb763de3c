package server

import (
	"net/http"

	"github.com/rs/zerolog"

	"github.com/incidentgraph/incidentgraph/web"
)

// addRoutes is the whole HTTP surface of the service.
func addRoutes(mux *http.ServeMux, logger zerolog.Logger, cfg Config, svc Services) {
	// Authentication sits inside CORS, so that preflights pass and refusals carry CORS headers
	// that let browser clients read them.
	// Cheapest refusals first: load shedding, the address's rate, the request's shape, a known
	// outage; then the token (a database lookup) and its rate. Nothing before GraphQL reads
	// the database but authentication.
	var down *outage
	if cfg.FailFast {
		down = newOutage(svc.DB, cfg.ProbeInterval, logger)
	}
	gql := newGraphQLHandler(cfg, svc, down)
	gql = limitRate(newRateLimits(cfg.RatePerToken, cfg.BurstPerToken, nil), "token", tokenName)(gql)
	gql = authenticate(svc.Tokens, cfg.AnonymousAccess)(gql)
	if down != nil {
		gql = down.failFast(gql)
	}
	gql = graphqlRequests(cfg.MaxBodyBytes, cfg.MaxQueryBytes)(gql)
	gql = limitRate(newRateLimits(cfg.RatePerAddress, cfg.BurstPerAddress, nil), "address", clientAddress)(gql)
	gql = shedLoad(cfg.MaxInFlight)(gql)
	gql = crossOrigin(cfg.AllowedOrigins)(gql)
	mux.Handle("/graphql", gql)
	mux.Handle("GET /export", crossOrigin(cfg.AllowedOrigins)(authenticate(svc.Tokens, cfg.AnonymousAccess)(handleExport(cfg, svc))))
	mux.Handle("GET /healthz", handleHealthz())
	mux.Handle("GET /readyz", handleReadyz(svc.DB, down))
	mux.Handle("/", web.Handler()) // GraphiQL and its assets, built into the binary
}
