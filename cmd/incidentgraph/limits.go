package main

import (
	"flag"
	"fmt"
	"strconv"
	"time"

	"github.com/incidentgraph/incidentgraph/server"
)

// serveLimits are the serve command's limits: the HTTP handler's, the http.Server's and the
// shutdown's. Each has a flag and an environment variable of the same name in upper case; the
// flag wins. The README's "Limits and production switches" lists them with their defaults.
type serveLimits struct {
	server            server.Config
	readHeaderTimeout time.Duration
	readTimeout       time.Duration
	writeTimeout      time.Duration
	idleTimeout       time.Duration
	maxHeaderBytes    int
	shutdownGrace     time.Duration
}

// envDefaults reads defaults from the environment and remembers the first value it cannot read,
// so that a mistyped setting stops the start instead of being ignored.
type envDefaults struct {
	getenv func(string) string
	err    error
}

func (e *envDefaults) fail(k, v, want string) {
	if e.err == nil {
		e.err = fmt.Errorf("%s %q: want %s", k, v, want)
	}
}

func (e *envDefaults) duration(k string, def time.Duration) time.Duration {
	v := e.getenv(k)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		e.fail(k, v, "a duration such as 15s")
		return def
	}
	return d
}

func (e *envDefaults) int(k string, def int) int {
	v := e.getenv(k)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		e.fail(k, v, "a whole number, 0 or more")
		return def
	}
	return n
}

func (e *envDefaults) float(k string, def float64) float64 {
	v := e.getenv(k)
	if v == "" {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 {
		e.fail(k, v, "a number, 0 or more")
		return def
	}
	return f
}

func (e *envDefaults) bool(k string, def bool) bool {
	v := e.getenv(k)
	if v == "" {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		e.fail(k, v, "true or false")
		return def
	}
	return b
}

// limitFlags declares the limits on fs, with defaults from the environment over the built-in
// ones, and the per-transaction timeout into queryTimeout. It returns an unreadable variable.
func limitFlags(fs *flag.FlagSet, getenv func(string) string, l *serveLimits, queryTimeout *time.Duration) error {
	e := &envDefaults{getenv: getenv}
	d := server.DefaultConfig()
	s := &l.server
	*s = d
	fs.DurationVar(&s.RequestTimeout, "request_timeout", e.duration("REQUEST_TIMEOUT", d.RequestTimeout), "serve: time limit of one request to /graphql or /export; 0: none (REQUEST_TIMEOUT)")
	fs.DurationVar(queryTimeout, "query_timeout", e.duration("QUERY_TIMEOUT", 10*time.Second), "serve: time limit of one Neo4j read transaction, below request_timeout (QUERY_TIMEOUT)")
	fs.Int64Var(&s.MaxBodyBytes, "max_body_bytes", int64(e.int("MAX_BODY_BYTES", int(d.MaxBodyBytes))), "serve: largest request body; 413 above (MAX_BODY_BYTES)")
	fs.IntVar(&s.MaxQueryBytes, "max_query_bytes", e.int("MAX_QUERY_BYTES", d.MaxQueryBytes), "serve: longest query text (MAX_QUERY_BYTES)")
	fs.IntVar(&s.MaxQueryTokens, "max_query_tokens", e.int("MAX_QUERY_TOKENS", d.MaxQueryTokens), "serve: most tokens the parser reads of a query (MAX_QUERY_TOKENS)")
	fs.IntVar(&s.MaxDepth, "max_depth", e.int("MAX_DEPTH", d.MaxDepth), "serve: deepest nesting of fields (MAX_DEPTH)")
	fs.IntVar(&s.MaxAliases, "max_aliases", e.int("MAX_ALIASES", d.MaxAliases), "serve: most aliases in an operation, fragments counted where spread (MAX_ALIASES)")
	fs.IntVar(&s.MaxRootFields, "max_root_fields", e.int("MAX_ROOT_FIELDS", d.MaxRootFields), "serve: most root fields in an operation (MAX_ROOT_FIELDS)")
	fs.IntVar(&s.MaxFields, "max_fields", e.int("MAX_FIELDS", d.MaxFields), "serve: most fields in an operation, fragments counted where spread (MAX_FIELDS)")
	fs.IntVar(&s.MaxDirectives, "max_directives", e.int("MAX_DIRECTIVES", d.MaxDirectives), "serve: most directives on one field (MAX_DIRECTIVES)")
	fs.IntVar(&s.ComplexityLimit, "complexity_limit", e.int("COMPLEXITY_LIMIT", d.ComplexityLimit), "serve: highest operation cost for readers and anonymous callers (COMPLEXITY_LIMIT)")
	fs.IntVar(&s.AnalystComplexityLimit, "analyst_complexity_limit", e.int("ANALYST_COMPLEXITY_LIMIT", d.AnalystComplexityLimit), "serve: highest operation cost for analysts and above (ANALYST_COMPLEXITY_LIMIT)")
	fs.IntVar(&s.MaxInFlight, "max_in_flight", e.int("MAX_IN_FLIGHT", d.MaxInFlight), "serve: GraphQL requests served at once; 503 above; 0 for no limit (MAX_IN_FLIGHT)")
	fs.IntVar(&s.Centralities, "analysis_turns", e.int("ANALYSIS_TURNS", d.Centralities), "serve: similar-incidents and centrality questions each computed at once; more wait their turn; 0: twice the CPUs (ANALYSIS_TURNS)")
	fs.Float64Var(&s.RatePerAddress, "rate_per_address", e.float("RATE_PER_ADDRESS", d.RatePerAddress), "serve: requests a second from one client address; 0 for no limit (RATE_PER_ADDRESS)")
	fs.IntVar(&s.BurstPerAddress, "burst_per_address", e.int("BURST_PER_ADDRESS", d.BurstPerAddress), "serve: burst allowed to one address (BURST_PER_ADDRESS)")
	fs.Float64Var(&s.RatePerToken, "rate_per_token", e.float("RATE_PER_TOKEN", d.RatePerToken), "serve: requests a second with one token; 0 for no limit (RATE_PER_TOKEN)")
	fs.IntVar(&s.BurstPerToken, "burst_per_token", e.int("BURST_PER_TOKEN", d.BurstPerToken), "serve: burst allowed to one token (BURST_PER_TOKEN)")
	fs.BoolVar(&s.Introspection, "introspection", e.bool("INTROSPECTION", d.Introspection), "serve: answer schema introspection (INTROSPECTION)")
	fs.BoolVar(&s.FieldSuggestions, "field_suggestions", e.bool("FIELD_SUGGESTIONS", d.FieldSuggestions), `serve: "did you mean" suggestions in validation errors (FIELD_SUGGESTIONS)`)
	fs.BoolVar(&s.FailFast, "fail_fast", e.bool("FAIL_FAST", d.FailFast), "serve: answer UNAVAILABLE at once while Neo4j is known to be down (FAIL_FAST)")
	fs.DurationVar(&s.ProbeInterval, "probe_interval", e.duration("PROBE_INTERVAL", d.ProbeInterval), "serve: how often a request tries Neo4j during an outage (PROBE_INTERVAL)")
	fs.DurationVar(&s.WarmTimeout, "warm_timeout", e.duration("WARM_TIMEOUT", d.WarmTimeout), "serve: after an outage, how long the service may spend planning its recent statements before it serves again; 0: not at all (WARM_TIMEOUT)")
	fs.DurationVar(&l.readHeaderTimeout, "read_header_timeout", e.duration("READ_HEADER_TIMEOUT", 10*time.Second), "serve: time to read a request's headers (READ_HEADER_TIMEOUT)")
	fs.DurationVar(&l.readTimeout, "read_timeout", e.duration("READ_TIMEOUT", 30*time.Second), "serve: time to read a whole request (READ_TIMEOUT)")
	fs.DurationVar(&l.writeTimeout, "write_timeout", e.duration("WRITE_TIMEOUT", 60*time.Second), "serve: time to answer, above request_timeout (WRITE_TIMEOUT)")
	fs.DurationVar(&l.idleTimeout, "idle_timeout", e.duration("IDLE_TIMEOUT", 2*time.Minute), "serve: how long an idle keep-alive connection is kept (IDLE_TIMEOUT)")
	fs.IntVar(&l.maxHeaderBytes, "max_header_bytes", e.int("MAX_HEADER_BYTES", 128<<10), "serve: largest request line and headers; a GET query is in the URL (MAX_HEADER_BYTES)")
	fs.DurationVar(&l.shutdownGrace, "shutdown_grace", e.duration("SHUTDOWN_GRACE", 10*time.Second), "serve: on SIGTERM, how long in-flight requests may finish (SHUTDOWN_GRACE)")
	return e.err
}

// check refuses limits that contradict each other, after the flags are parsed.
func (l *serveLimits) check(queryTimeout time.Duration) error {
	switch {
	case l.server.RequestTimeout < 0:
		return fmt.Errorf("request_timeout %s must not be negative (0: no limit)", l.server.RequestTimeout)
	case l.server.RequestTimeout == 0 && l.writeTimeout > 0:
		return fmt.Errorf("request_timeout 0 (no limit) needs write_timeout 0 too, or slow answers are cut off unsent")
	case l.writeTimeout > 0 && l.writeTimeout <= l.server.RequestTimeout:
		return fmt.Errorf("write_timeout %s must exceed request_timeout %s, or slow answers are cut off unsent", l.writeTimeout, l.server.RequestTimeout)
	case l.server.RequestTimeout > 0 && queryTimeout > l.server.RequestTimeout:
		return fmt.Errorf("query_timeout %s must not exceed request_timeout %s: the database should stop a slow query before the client gives up", queryTimeout, l.server.RequestTimeout)
	case l.server.Centralities < 0:
		return fmt.Errorf("analysis_turns %d must not be negative (0: twice the CPUs)", l.server.Centralities)
	case l.server.MaxBodyBytes <= 0 || l.server.MaxQueryBytes <= 0:
		return fmt.Errorf("max_body_bytes and max_query_bytes must be above 0")
	}
	return nil
}
