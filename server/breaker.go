package server

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/incidentgraph/incidentgraph"
)

// outage remembers that Neo4j is unreachable, so that requests during an outage fail at once
// with UNAVAILABLE instead of each waiting out the driver's retries and its own deadline (each
// wait holds a goroutine and a connection attempt). It is a circuit breaker: an UNAVAILABLE
// answer from the database or a failed readiness check opens it; while it is open, at most one
// request an interval pings the database first (half-open, bounded by probeTimeout), and its
// answer closes the breaker or keeps it open; a readiness check that passes closes it too. It
// starts no goroutine of its own, so it needs no stopping and never outlives the driver.
type outage struct {
	db           Pinger
	interval     time.Duration
	probeTimeout time.Duration
	log          zerolog.Logger

	mu      sync.Mutex
	down    bool
	probing bool
	lastTry time.Time // of the database, while down
}

func newOutage(db Pinger, interval time.Duration, log zerolog.Logger) *outage {
	if interval <= 0 {
		interval = time.Second
	}
	return &outage{db: db, interval: interval, probeTimeout: 500 * time.Millisecond, log: log}
}

// failed records that the database did not answer.
func (o *outage) failed(err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if !o.down {
		o.log.Warn().Err(err).Msg("neo4j is unreachable: requests fail fast until it answers again")
	}
	o.down, o.lastTry = true, time.Now()
}

// answered records that the database answered.
func (o *outage) answered() {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.down {
		o.log.Info().Msg("neo4j answers again: requests are served")
	}
	o.down = false
}

// failFast answers UNAVAILABLE at once while the database is known to be unreachable, but for
// the one request an interval that tries it first.
func (o *outage) failFast(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.mu.Lock()
		down := o.down
		probe := down && !o.probing && time.Since(o.lastTry) >= o.interval
		if probe {
			o.probing = true
		}
		o.mu.Unlock()
		if probe {
			ctx, cancel := context.WithTimeout(r.Context(), o.probeTimeout)
			err := o.db.Ping(ctx)
			cancel()
			o.mu.Lock()
			o.probing = false
			o.mu.Unlock()
			if err == nil {
				o.answered()
				down = false
			} else {
				o.failed(err)
			}
		}
		if down {
			zerolog.Ctx(r.Context()).Warn().Str("code", incidentgraph.EUNAVAIL).Msg("graphql: refused at once: neo4j is unreachable")
			w.Header().Set("Retry-After", "1")
			writeError(w, r, http.StatusServiceUnavailable, incidentgraph.EUNAVAIL,
				"the graph database is unavailable; try again later")
			return
		}
		next.ServeHTTP(w, r)
	})
}
