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
// wait holds a goroutine and a connection attempt). It is a circuit breaker with one probe:
// an UNAVAILABLE answer from the database or a failed readiness check opens it; while it is
// open, one goroutine pings the database every interval, and the first answer closes it, as
// does a readiness check that passes. No request pays for probing.
type outage struct {
	db       Pinger
	interval time.Duration
	log      zerolog.Logger

	mu      sync.Mutex
	down    bool
	probing bool
}

func newOutage(db Pinger, interval time.Duration, log zerolog.Logger) *outage {
	if interval <= 0 {
		interval = time.Second
	}
	return &outage{db: db, interval: interval, log: log}
}

// isDown reports whether the database is known to be unreachable.
func (o *outage) isDown() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.down
}

// failed records that the database did not answer, and starts the probe if none runs.
func (o *outage) failed(err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if !o.down {
		o.log.Warn().Err(err).Msg("neo4j is unreachable: requests fail fast until it answers again")
	}
	o.down = true
	if !o.probing && o.db != nil {
		o.probing = true
		go o.probe()
	}
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

// probe pings the database until it answers or the outage is over, then ends.
func (o *outage) probe() {
	t := time.NewTicker(o.interval)
	defer t.Stop()
	for range t.C {
		if !o.isDown() {
			break
		}
		ctx, cancel := context.WithTimeout(context.Background(), max(o.interval, 2*time.Second))
		err := o.db.Ping(ctx)
		cancel()
		if err == nil {
			o.answered()
			break
		}
	}
	o.mu.Lock()
	o.probing = false
	retry := o.down // an outage reported after the loop's last look
	o.mu.Unlock()
	if retry {
		o.failed(nil)
	}
}

// failFast answers UNAVAILABLE at once while the database is known to be unreachable.
func (o *outage) failFast(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if o.isDown() {
			zerolog.Ctx(r.Context()).Warn().Str("code", incidentgraph.EUNAVAIL).Msg("graphql: refused at once: neo4j is unreachable")
			w.Header().Set("Retry-After", "1")
			writeError(w, r, http.StatusServiceUnavailable, incidentgraph.EUNAVAIL,
				"the graph database is unavailable; try again later")
			return
		}
		next.ServeHTTP(w, r)
	})
}
