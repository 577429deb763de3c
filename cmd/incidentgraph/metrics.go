package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/rs/zerolog"

	"github.com/incidentgraph/incidentgraph/server"
)

// serveMetrics serves Prometheus's /metrics on a listener of its own at addr, and returns the
// metrics for the service to count into and a function that stops the listener. With addr
// empty it serves nothing and returns nil metrics (nothing is counted).
//
// A listener of its own rather than a route of the public one: the figures (routes, error
// rates, the breaker, memory) are for operators, not for the researchers the API is open to;
// Prometheus scrapes without the service's bearer tokens, and a token check would read Neo4j,
// so metrics would go dark exactly when the database does; and the public listener's load
// shedding and rate limits must not refuse a scrape taken during an overload.
func serveMetrics(addr string, logger zerolog.Logger) (*server.Metrics, func(), error) {
	if addr == "" {
		return nil, func() {}, nil
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, nil, fmt.Errorf("metrics: listen on %s: %w", addr, err)
	}
	m := server.NewMetrics()
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler())
	// The runtime's profiles (goroutine stacks, CPU, heap) on the same operators' listener: a
	// request that does not end is diagnosed from its goroutine's stack, taken while it hangs.
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    16 << 10,
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			logger.Error().Err(err).Msg("metrics listener stopped")
		}
	}()
	if host, _, err := net.SplitHostPort(ln.Addr().String()); err == nil {
		if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
			logger.Warn().Str("addr", ln.Addr().String()).Msg("metrics are served without authentication beyond loopback: keep this address off the public network")
		}
	}
	logger.Info().Str("addr", "http://"+ln.Addr().String()+"/metrics").Msg("serving metrics")
	return m, func() {
		// Scrapes are short; the public listener has drained by now.
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		<-done
	}, nil
}
