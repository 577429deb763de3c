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
	gql := crossOrigin(cfg.AllowedOrigins)(limitBody(cfg.MaxBodyBytes)(authenticate(svc.Tokens, cfg.AnonymousAccess)(newGraphQLHandler(cfg, svc))))
	mux.Handle("/graphql", gql)
	mux.Handle("GET /healthz", handleHealthz())
	mux.Handle("GET /readyz", handleReadyz(svc.DB))
	mux.Handle("/", web.Handler()) // GraphiQL and its assets, built into the binary
}
