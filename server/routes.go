package server

import (
	"context"
	"net/http"
	"time"

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
		down = newOutage(svc.DB, cfg.ProbeInterval, cfg.WarmTimeout, logger)
		down.closeBeforeWarmUp = cfg.hooks.closeBeforeWarmUp
	}
	m := svc.Metrics // nil: nothing is counted
	m.watchBreaker(down)
	// /graphql and /export share one in-flight limit, one set of rate buckets and the breaker:
	// an export is a read like any other.
	shed := m.countShed(shedLoad(cfg.MaxInFlight))
	perAddress := limitRate(newRateLimits(cfg.RatePerAddress, cfg.BurstPerAddress, nil), "address", clientAddress)
	perToken := limitRate(newRateLimits(cfg.RatePerToken, cfg.BurstPerToken, nil), "token", tokenName)
	// The request's time limit is applied here and nowhere else, to /graphql and /export alike.
	// It covers the token lookup too, not only the GraphQL operation or the export: a Neo4j
	// that takes a connection and never answers (starting after a restart, or hung) must not
	// hold a request for ever. The test hook moves it inside authentication.
	deadline := withDeadline(cfg.RequestTimeout)
	guard := func(h http.Handler, checkRequest func(http.Handler) http.Handler) http.Handler {
		h = perToken(h)
		if cfg.hooks.noAuthDeadline {
			h = deadline(h)
		}
		h = authenticate(svc.Tokens, cfg.AnonymousAccess)(h)
		if !cfg.hooks.noAuthDeadline {
			h = deadline(h)
		}
		if down != nil {
			h = down.failFast(h)
		}
		if checkRequest != nil {
			h = checkRequest(h)
		}
		return crossOrigin(cfg.AllowedOrigins)(shed(perAddress(h)))
	}
	// Each route is counted outside its guard, so that refusals count like answers. /metrics
	// is not among them: it is served on a listener of its own (cmd/incidentgraph).
	mux.Handle("/graphql", m.route("/graphql", guard(newGraphQLHandler(cfg, svc, down), graphqlRequests(cfg.MaxBodyBytes, cfg.MaxQueryBytes))))
	mux.Handle("GET /export", m.route("/export", guard(handleExport(svc), nil)))
	// TAXII 2.1 (taxii.go) reads like /export, through the same guard; its refusals are
	// rewritten as TAXII error messages.
	mux.Handle("/taxii2/", m.route("/taxii2/", taxiiRefusals(guard(handleTAXII(cfg, svc), nil))))
	mux.Handle("GET /healthz", m.route("/healthz", handleHealthz()))
	mux.Handle("GET /readyz", m.route("/readyz", handleReadyz(svc.DB, down)))
	mux.Handle("/", m.route("/", web.Handler())) // GraphiQL and its assets, built into the binary
}

// withDeadline bounds everything a request does after it by d, Config.RequestTimeout; 0 (or
// less) bounds nothing.
func withDeadline(d time.Duration) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		if d <= 0 {
			return next
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx, cancel := context.WithTimeout(r.Context(), d)
			defer cancel()
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}
