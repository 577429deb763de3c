package server

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/rs/zerolog"
)

// handleHealthz answers as long as the process serves HTTP; it checks no dependency, so that
// an orchestrator does not restart the service because Neo4j is down.
func handleHealthz() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
}

// handleReadyz answers 200 when Neo4j answers a query, 503 otherwise. Its answer also opens or
// closes the fail-fast breaker (down, nil when off), so an orchestrator's polling both learns of
// an outage and ends it for the requests.
func handleReadyz(db Pinger, down *outage) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		if err := db.Ping(ctx); err != nil {
			zerolog.Ctx(r.Context()).Warn().Err(err).Msg("not ready: neo4j does not answer")
			if down != nil {
				down.failed(err)
			}
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "neo4j": "unreachable"})
			return
		}
		if down != nil {
			// After an outage the breaker warms Neo4j's plan cache before it serves again; until
			// then the service is not ready (this check may be the one that runs the warm-up, or
			// may find another running, or find Neo4j gone again during it).
			if down.answered(); down.isDown() {
				writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "neo4j": "warming"})
				return
			}
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "neo4j": "ok"})
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
