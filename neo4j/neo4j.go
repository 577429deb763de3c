// Package neo4j is the only package that speaks Cypher or imports the Neo4j driver. It
// implements incidentgraph.GraphService and incidentgraph.Loader over a Neo4j 5 database.
//
// Every query is parameterised. Labels and relationship types come only from the domain's
// allow-lists (incidentgraph.Kinds, incidentgraph.Vocabulary), whether spliced into schema
// statements or passed as dynamic labels and types ($(...)); hop counts are spliced only as
// integers checked against their bounds. Reads use the driver's ExecuteQuery with readers routing or
// managed read transactions, so the same code runs against a cluster (neo4j:// URIs); every
// transaction has a timeout.
package neo4j

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/config"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/internal/turns"
)

// Config says how to reach Neo4j.
type Config struct {
	URI      string // bolt://host:7687 for one server, neo4j://host:7687 for a cluster
	User     string
	Password string
	Database string // "" for the server's default database
	// QueryTimeout bounds every read transaction on the server side.
	QueryTimeout time.Duration
	// WriteTimeout bounds a seed load.
	WriteTimeout time.Duration
	// Scorings is how many similar-incidents questions may fetch and score their candidates at
	// once (0: twice the CPUs); the others wait their turn. Each holds the features of up to
	// SimilarityCandidates incidents, and scoring is CPU work: more at once than the CPUs can
	// score only holds more memory (32 at once held 350 MB).
	Scorings int
}

// DB is a connection pool to one Neo4j database. It is safe for concurrent use.
type DB struct {
	driver   driver.DriverWithContext
	cfg      Config
	patterns atomic.Pointer[[]*incidentgraph.Pattern] // set by UsePatterns, sorted by name
	// explained holds the texts of analysts' queries that EXPLAIN has passed (never a refused
	// one): a text's statement type, procedures and plan shape do not change with its
	// parameters, so a query run again skips that round trip.
	explained *lru.Cache[string, struct{}]
	// hot holds the store's recent read statements for Warm (warm.go).
	hot *hot
	// scoring bounds the similar-incidents questions fetching or scoring candidates at once
	// (Config.Scorings).
	scoring *turns.Turns
	// inTx, set only by this package's tests (SetInTxHookForTest), runs inside a curation
	// write's or an import chunk's transaction once its writes hold their locks (see inTxHook).
	inTx atomic.Pointer[func(ctx context.Context, op string) error]
	// fault, set only by this package's tests (SetCurationFault), runs inside a curation write's
	// transaction after its change and before its audit entry, with a way to read a version as
	// the transaction sees it: an error there must roll the whole write back.
	fault atomic.Pointer[func(op string, versionInTx func(id string) (int, error)) error]
	// noSearchFolding, set only by this package's tests, makes Search look for the text as
	// typed alone, as it did before search keys: the control of the folding's tests.
	noSearchFolding bool
}

var (
	_ incidentgraph.GraphService = (*DB)(nil)
	_ incidentgraph.Loader       = (*DB)(nil)
)

// Open connects to Neo4j and checks that it answers. The error names the URI and nothing more
// from the driver than its one-line reason, so that a misconfigured start fails legibly.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	if cfg.QueryTimeout <= 0 {
		cfg.QueryTimeout = 10 * time.Second
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = 2 * time.Minute
	}
	d, err := driver.NewDriverWithContext(cfg.URI, driver.BasicAuth(cfg.User, cfg.Password, ""), func(c *config.Config) {
		// Retries of transient errors must end before the HTTP request's own deadline.
		c.MaxTransactionRetryTime = cfg.QueryTimeout
		c.ConnectionAcquisitionTimeout = 5 * time.Second
		c.SocketConnectTimeout = 5 * time.Second
		c.UserAgent = "incidentgraph"
	})
	if err != nil {
		return nil, fmt.Errorf("neo4j at %s: %w", cfg.URI, err)
	}
	if err := d.VerifyConnectivity(ctx); err != nil {
		_ = d.Close(context.Background())
		return nil, fmt.Errorf("neo4j at %s is unreachable: %s", cfg.URI, oneLine(err))
	}
	explained, err := lru.New[string, struct{}](1024)
	if err != nil {
		return nil, err
	}
	return &DB{driver: d, cfg: cfg, explained: explained, hot: newHot(), scoring: turns.New(cfg.Scorings, "similarity scorings")}, nil
}

// Close releases the connection pool.
func (db *DB) Close(ctx context.Context) error { return db.driver.Close(ctx) }

// Ping checks that the database answers a query (for /readyz).
func (db *DB) Ping(ctx context.Context) error {
	_, err := db.read(ctx, "RETURN 1", nil)
	return err
}

// read runs one read query with readers routing and the query timeout.
func (db *DB) read(ctx context.Context, cypher string, params map[string]any) (*driver.EagerResult, error) {
	res, err := driver.ExecuteQuery(ctx, db.driver, cypher, params, driver.EagerResultTransformer,
		driver.ExecuteQueryWithDatabase(db.cfg.Database),
		driver.ExecuteQueryWithReadersRouting(),
		driver.ExecuteQueryWithTransactionConfig(driver.WithTxTimeout(db.cfg.QueryTimeout)))
	if err == nil {
		db.hot.remember(cypher, params)
	}
	return res, classify(ctx, err)
}

// readTx runs work in one managed read transaction (for answers that need several statements
// to see the same snapshot). work may run more than once: the driver retries transient errors.
func readTx[T any](ctx context.Context, db *DB, work func(tx driver.ManagedTransaction) (T, error)) (T, error) {
	s := db.driver.NewSession(ctx, driver.SessionConfig{DatabaseName: db.cfg.Database, AccessMode: driver.AccessModeRead})
	defer s.Close(context.Background())
	v, err := driver.ExecuteRead(ctx, s, work, driver.WithTxTimeout(db.cfg.QueryTimeout))
	return v, classify(ctx, err)
}

// single runs one statement in tx and returns the first value of its one record (a count, a
// flag), or T's zero value when that value is not a T.
func single[T any](ctx context.Context, tx driver.ManagedTransaction, cypher string, params map[string]any) (T, error) {
	var zero T
	res, err := tx.Run(ctx, cypher, params)
	if err != nil {
		return zero, err
	}
	rec, err := res.Single(ctx)
	if err != nil {
		return zero, err
	}
	v, _ := rec.Values[0].(T)
	return v, nil
}

// records runs one statement in tx and returns all its records.
func records(ctx context.Context, tx driver.ManagedTransaction, cypher string, params map[string]any) ([]*driver.Record, error) {
	res, err := tx.Run(ctx, cypher, params)
	if err != nil {
		return nil, err
	}
	return res.Collect(ctx)
}

// classify turns driver errors that clients can act on into coded domain errors. Everything
// else stays an internal error, masked at the edge and logged there. The context decides first:
// the driver reports a deadline that passed mid-query as a connectivity error.
func classify(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	timeout := incidentgraph.Errorf(incidentgraph.ETIMEOUT, "the query took too long and was stopped")
	last := lastAttempt(err)
	var nerr *driver.Neo4jError
	var cerr *driver.ConnectivityError
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded), errors.Is(last, context.DeadlineExceeded):
		return &codedError{timeout, err}
	case errors.Is(ctx.Err(), context.Canceled), errors.Is(last, context.Canceled):
		// The caller gave up (a client that closed its connection): not a fault of ours.
		return &codedError{incidentgraph.Errorf(incidentgraph.ECANCELED, "the request was canceled"), err}
	case errors.As(last, &nerr) && strings.HasPrefix(nerr.Code, "Neo.ClientError.Transaction.TransactionTimedOut"):
		return &codedError{timeout, err}
	case errors.As(last, &cerr):
		return &codedError{incidentgraph.Errorf(incidentgraph.EUNAVAIL, "the graph database is unavailable; try again later"), err}
	}
	return err
}

// lastAttempt returns the error of the last attempt when the driver gave up retrying a managed
// transaction (its TransactionExecutionLimit does not unwrap), and err itself otherwise.
func lastAttempt(err error) error {
	var limit *driver.TransactionExecutionLimit
	if errors.As(err, &limit) && len(limit.Errors) > 0 {
		return limit.Errors[len(limit.Errors)-1]
	}
	return err
}

// codedError carries a client-safe domain error and, for the log, the driver error behind it.
type codedError struct {
	public *incidentgraph.Error
	cause  error
}

func (e *codedError) Error() string { return e.public.Message + ": " + e.cause.Error() }
func (e *codedError) Unwrap() []error {
	return []error{e.public, e.cause}
}

func oneLine(err error) string {
	s := err.Error()
	for i, c := range s {
		if c == '\n' {
			return s[:i]
		}
	}
	return s
}
