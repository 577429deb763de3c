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
//
// A Neo4j that comes back after a restart has an empty plan cache: the requests that were held
// off would all plan the same statements at once, on a few cores, and run into their deadline
// (the fault run in docs/RELIABILITY.md). So when the database answers again and db is a
// Warmer, the breaker first has it plan its recent statements, one after another and bounded by
// warmTimeout, and only then closes; meanwhile requests keep failing fast and /readyz answers 503 ("warming").
type outage struct {
	db           Pinger
	interval     time.Duration
	probeTimeout time.Duration
	warmTimeout  time.Duration // 0: no warm-up
	log          zerolog.Logger
	// closeBeforeWarmUp, set only by tests (Config.hooks), closes the breaker before the warm-up:
	// the negative control of the check that requests wait for it.
	closeBeforeWarmUp bool

	mu      sync.Mutex
	down    bool
	probing bool
	lastTry time.Time // of the database, while down
	// warming is set while a warm-up runs (and closed when it ends), so that a readiness check or
	// a probe that finds the database back meanwhile neither closes the breaker early nor starts
	// a second warm-up.
	warming chan struct{}
}

// Warmer is a database that can plan its recent statements ahead of the load (*neo4j.DB's Warm):
// it returns how many it planned and stops at ctx's end.
type Warmer interface {
	Warm(ctx context.Context) (int, error)
}

func newOutage(db Pinger, interval, warmTimeout time.Duration, log zerolog.Logger) *outage {
	if interval <= 0 {
		interval = time.Second
	}
	return &outage{db: db, interval: interval, probeTimeout: 500 * time.Millisecond, warmTimeout: warmTimeout, log: log}
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

// answered records that the database answered. After an outage it warms the database's plan
// cache first (when it can), holding the breaker open meanwhile; a caller that finds a warm-up
// running returns at once, the breaker still open (a readiness check then answers "warming").
func (o *outage) answered() {
	o.mu.Lock()
	if !o.down {
		o.mu.Unlock()
		return
	}
	if o.warming != nil {
		o.mu.Unlock()
		return
	}
	w, ok := o.db.(Warmer)
	if !ok || o.warmTimeout <= 0 {
		o.down = false
		o.mu.Unlock()
		o.log.Info().Msg("neo4j answers again: requests are served")
		return
	}
	ch := make(chan struct{})
	o.warming = ch
	if o.closeBeforeWarmUp {
		o.down = false
	}
	o.mu.Unlock()

	// Not the caller's context: the probing request or readiness check may give up, but the
	// warm-up is for everyone's requests.
	ctx, cancel := context.WithTimeout(context.Background(), o.warmTimeout)
	start := time.Now()
	n, err := w.Warm(ctx)
	cancel()
	took := time.Since(start)

	o.mu.Lock()
	defer o.mu.Unlock()
	o.warming = nil
	defer close(ch)
	if incidentgraph.ErrorCode(err) == incidentgraph.EUNAVAIL {
		// Gone again during the warm-up: the outage goes on.
		o.lastTry = time.Now()
		o.log.Warn().Err(err).Int("warmed", n).Dur("took", took).Msg("neo4j went away again while its plan cache was warmed: requests still fail fast")
		return
	}
	o.down = false
	// A warm-up cut short by its time limit still helps: what is left is planned by requests.
	o.log.Info().Err(err).Int("warmed", n).Dur("took", took).Msg("neo4j answers again and its plan cache is warmed: requests are served")
}

// failFast answers UNAVAILABLE at once while the database is known to be unreachable, but for
// the one request an interval that tries it first.
func (o *outage) failFast(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.mu.Lock()
		down := o.down
		probe := down && !o.probing && o.warming == nil && time.Since(o.lastTry) >= o.interval
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
				down = o.isDown()
			} else {
				o.failed(err)
			}
		}
		if down {
			zerolog.Ctx(r.Context()).Warn().Str("code", incidentgraph.EUNAVAIL).Msg("graphql: refused at once: neo4j is unreachable")
			w.Header().Set("Retry-After", "1")
			writeError(w, r, incidentgraph.EUNAVAIL,
				"the graph database is unavailable; try again later")
			return
		}
		next.ServeHTTP(w, r)
	})
}
