// Command incidentgraph serves the incident graph over GraphQL and loads its seed data.
//
//	incidentgraph serve [--seed]   serve GraphQL at /graphql and GraphiQL at /
//	incidentgraph seed [--dir D]   validate the seed files and load them into Neo4j
//	incidentgraph validate [--dir D]  validate the seed files only
//	incidentgraph import gtd FILE [--skip-bad] [--batch N] [--release D]
//	                               import a file in the GTD codebook's layout (the seed first)
//	incidentgraph token create --name NAME --role ROLE [--expires 2027-01-01|720h]
//	                               make a bearer token and print its secret, this once only
//	incidentgraph token revoke NAME   revoke a token for good
//	incidentgraph token list          list the tokens (never their secrets)
//	incidentgraph generate --out DIR [--seed N --incidents N --groups N --relationships N]
//	                               write a synthetic GTD-scale data set: gtd.csv and groups.yaml
//	incidentgraph export -format F -of O -id ID [-depth N] [-from ID -to ID] [-types T,...] [-out FILE]
//	                               export a subgraph as GET /export does: cytoscape, graphml, gexf, csv, stix or geojson
//	incidentgraph trusted-documents [--out FILE]
//	                               write the manifest of GraphiQL's example documents for --trusted_documents
//
// Roles, lowest first: reader, analyst (also runs its own Cypher), curator, admin. Callers
// without a token read as readers unless ANONYMOUS_ACCESS=none.
//
// Configuration comes from the environment (HTTP_ADDR, NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD,
// NEO4J_DATABASE, LOG_LEVEL, LOG_FORMAT, CORS_ORIGINS, ANONYMOUS_ACCESS, SEED_DIR, PATTERNS_DIR,
// METRICS_ADDR); flags of the same names in lower case override it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/rs/zerolog"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/neo4j"
	"github.com/incidentgraph/incidentgraph/patterns"
	"github.com/incidentgraph/incidentgraph/seed"
	"github.com/incidentgraph/incidentgraph/server"
	"github.com/incidentgraph/incidentgraph/web"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "incidentgraph: %v\n", err)
		os.Exit(1)
	}
}

// config is everything the commands can be told.
type config struct {
	httpAddr      string
	neo4j         neo4j.Config
	logLevel      string
	logFormat     string
	seedDir       string
	patternsDir   string
	seedOnStart   bool
	corsOrigins   string
	anonymous     string
	shutdownGrace time.Duration
	limits        serveLimits // serve: HTTP, GraphQL and shutdown limits (limits.go)
	metricsAddr   string      // serve: where /metrics listens; empty: nowhere
	// serve: documents remembered by hash (automatic persisted queries; 0: off), and the
	// manifest of the only documents that run (empty: any)
	persistedQueries int
	trustedDocuments string

	// token create and token revoke
	tokenName    string
	tokenRole    string
	tokenExpires string

	// closeOnStop, set only by tests, stops serve with http.Server.Close instead of Shutdown
	// (requests in flight are dropped): the negative control of the shutdown test. The store is
	// then left open, since the abandoned handlers may still be using it.
	closeOnStop bool
}

func parse(cmd string, args []string, getenv func(string) string, stderr io.Writer) (*config, error) {
	env := func(k, def string) string {
		if v := getenv(k); v != "" {
			return v
		}
		return def
	}
	c := &config{shutdownGrace: 10 * time.Second}
	fs := flag.NewFlagSet("incidentgraph "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.httpAddr, "http_addr", env("HTTP_ADDR", "127.0.0.1:8080"), "address to serve HTTP on (HTTP_ADDR)")
	fs.StringVar(&c.neo4j.URI, "neo4j_uri", env("NEO4J_URI", "bolt://127.0.0.1:7687"), "Neo4j URI; neo4j:// for a cluster (NEO4J_URI)")
	fs.StringVar(&c.neo4j.User, "neo4j_user", env("NEO4J_USER", "neo4j"), "Neo4j user (NEO4J_USER)")
	fs.StringVar(&c.neo4j.Password, "neo4j_password", env("NEO4J_PASSWORD", ""), "Neo4j password (NEO4J_PASSWORD)")
	fs.StringVar(&c.neo4j.Database, "neo4j_database", env("NEO4J_DATABASE", ""), "Neo4j database; empty for the server's default (NEO4J_DATABASE)")
	fs.StringVar(&c.logLevel, "log_level", env("LOG_LEVEL", "info"), "debug, info, warn or error (LOG_LEVEL)")
	fs.StringVar(&c.logFormat, "log_format", env("LOG_FORMAT", "json"), "json or console (LOG_FORMAT)")
	fs.StringVar(&c.seedDir, "dir", env("SEED_DIR", ""), "seed files to read instead of those built in (SEED_DIR)")
	fs.StringVar(&c.patternsDir, "patterns_dir", env("PATTERNS_DIR", ""), "serve: saved patterns (*.cypher) to use instead of those built in (PATTERNS_DIR)")
	fs.StringVar(&c.corsOrigins, "cors_origins", env("CORS_ORIGINS", ""), "comma-separated web origins allowed to call /graphql from a browser; * for any (CORS_ORIGINS)")
	fs.BoolVar(&c.seedOnStart, "seed", env("SEED_ON_START", "") == "true", "serve: load the seed files before serving (SEED_ON_START=true)")
	fs.StringVar(&c.anonymous, "anonymous_access", env("ANONYMOUS_ACCESS", server.AnonymousRead), "serve: what callers without a token may do: read or none (ANONYMOUS_ACCESS)")
	if cmd == "serve" {
		fs.StringVar(&c.metricsAddr, "metrics_addr", env("METRICS_ADDR", ""), "serve: address of a separate listener for Prometheus's /metrics, e.g. 127.0.0.1:9090; empty: none (METRICS_ADDR)")
		if err := limitFlags(fs, getenv, &c.limits, &c.neo4j.QueryTimeout); err != nil {
			return nil, err
		}
		e := &envDefaults{getenv: getenv}
		fs.IntVar(&c.persistedQueries, "persisted_queries", e.int("PERSISTED_QUERIES", server.DefaultConfig().PersistedQueries), "serve: documents remembered by hash for automatic persisted queries; 0 turns them off (PERSISTED_QUERIES)")
		fs.StringVar(&c.trustedDocuments, "trusted_documents", env("TRUSTED_DOCUMENTS", ""), "serve: manifest (JSON, sha256 hash to document) of the only GraphQL documents that run; empty: any (TRUSTED_DOCUMENTS)")
		if e.err != nil {
			return nil, e.err
		}
	}
	if cmd == "token create" {
		fs.StringVar(&c.tokenName, "name", "", "the token's name: lower-case letters, digits, '.', '_' or '-'")
		fs.StringVar(&c.tokenRole, "role", "", "reader, analyst, curator or admin")
		fs.StringVar(&c.tokenExpires, "expires", "", "when the token stops working: a date (2027-01-01), a time (RFC 3339) or a duration from now (720h); empty: never")
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	rest := fs.Args()
	if cmd == "token revoke" && c.tokenName == "" && len(rest) > 0 {
		c.tokenName, rest = rest[0], rest[1:]
	}
	if len(rest) > 0 {
		return nil, fmt.Errorf("unexpected argument %q", rest[0])
	}
	if !server.ValidAnonymousAccess(c.anonymous) {
		return nil, fmt.Errorf("ANONYMOUS_ACCESS %q: use read or none", c.anonymous)
	}
	if cmd == "serve" {
		if err := c.limits.check(c.neo4j.QueryTimeout); err != nil {
			return nil, err
		}
		c.shutdownGrace = c.limits.shutdownGrace
		// One bound for both analyses that compute in the service: similar incidents (in the
		// store) and centrality (in the resolvers).
		c.neo4j.Scorings = c.limits.server.Centralities
	}
	return c, nil
}

func newLogger(c *config, w io.Writer) (zerolog.Logger, error) {
	level, err := zerolog.ParseLevel(strings.ToLower(c.logLevel))
	if err != nil || level == zerolog.NoLevel {
		return zerolog.Nop(), fmt.Errorf("LOG_LEVEL %q: use debug, info, warn or error", c.logLevel)
	}
	switch c.logFormat {
	case "json":
	case "console":
		w = zerolog.ConsoleWriter{Out: w, TimeFormat: time.TimeOnly}
	default:
		return zerolog.Nop(), fmt.Errorf("LOG_FORMAT %q: use json or console", c.logFormat)
	}
	return zerolog.New(w).Level(level).With().Timestamp().Logger(), nil
}

// run is the whole program; main only calls it. Tests call it with their own environment.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	if cmd == "token" {
		if len(args) == 0 || strings.HasPrefix(args[0], "-") {
			return errors.New("token: use token create, token revoke NAME or token list")
		}
		cmd, args = "token "+args[0], args[1:]
		if cmd == "token revoke" && len(args) > 0 && !strings.HasPrefix(args[0], "-") {
			// The name may come before the flags as well as after them.
			args = append(args[1:], args[0])
		}
	}
	if cmd == "generate" {
		// Its own flags: it needs no database or server configuration.
		return generateData(args, stdout, stderr)
	}
	if cmd == "import" {
		if len(args) > 0 && args[0] == "stix" {
			return importSTIXCommand(ctx, args[1:], getenv, stdout, stderr)
		}
		return importCommand(ctx, args, getenv, stdout, stderr)
	}
	if cmd == "export" {
		return exportCommand(ctx, args, getenv, stdout, stderr)
	}
	if cmd == "trusted-documents" {
		return writeTrustedDocuments(args, stdout, stderr)
	}
	c, err := parse(cmd, args, getenv, stderr)
	if err != nil {
		return err
	}
	logger, err := newLogger(c, stderr)
	if err != nil {
		return err
	}
	switch cmd {
	case "validate":
		ds, err := readSeed(c.seedDir)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "seed files are valid: %d entities, %d relationships, %d figures\n",
			len(ds.Entities), len(ds.Relationships), len(ds.Figures))
		return nil
	case "seed":
		db, err := neo4j.Open(ctx, c.neo4j)
		if err != nil {
			return err
		}
		defer db.Close(context.Background())
		return loadSeed(ctx, db, c.seedDir, stdout)
	case "serve":
		return serve(ctx, c, logger, stdout)
	case "token create", "token revoke", "token list":
		db, err := neo4j.Open(ctx, c.neo4j)
		if err != nil {
			return err
		}
		defer db.Close(context.Background())
		return token(ctx, cmd, c, db, stdout)
	default:
		return fmt.Errorf("unknown command %q: use serve, seed, validate, token, import, export, generate or trusted-documents", cmd)
	}
}

// token administers bearer tokens. The secret of a new token goes to stdout once, on a line of
// its own (the last), so that a script can take it; nothing keeps it but the caller.
func token(ctx context.Context, cmd string, c *config, tokens incidentgraph.TokenService, stdout io.Writer) error {
	switch cmd {
	case "token create":
		if c.tokenName == "" || c.tokenRole == "" {
			return errors.New("token create: --name and --role are required")
		}
		expires, err := parseExpiry(c.tokenExpires, time.Now())
		if err != nil {
			return err
		}
		secret, err := tokens.CreateToken(ctx, c.tokenName, incidentgraph.Role(c.tokenRole), expires)
		if err != nil {
			return err
		}
		until := "never expires"
		if expires != nil {
			until = "expires " + expires.Format(time.RFC3339)
		}
		fmt.Fprintf(stdout, "token %q created with role %s; it %s. Its secret follows and will not be shown again:\n%s\n",
			c.tokenName, c.tokenRole, until, secret)
		return nil
	case "token revoke":
		if c.tokenName == "" {
			return errors.New("token revoke: name the token to revoke")
		}
		if err := tokens.RevokeToken(ctx, c.tokenName); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "token %q revoked\n", c.tokenName)
		return nil
	default:
		list, err := tokens.ListTokens(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tROLE\tCREATED\tEXPIRES\tREVOKED")
		for _, t := range list {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", t.Name, t.Role, t.CreatedAt.UTC().Format(time.RFC3339),
				orDash(t.ExpiresAt, "never"), orDash(t.RevokedAt, "-"))
		}
		return tw.Flush()
	}
}

// parseExpiry reads --expires: a date (midnight UTC), an RFC 3339 time, or a duration from now.
// A moment that has passed is refused: it would make a token that never works.
func parseExpiry(s string, now time.Time) (*time.Time, error) {
	if s == "" {
		return nil, nil
	}
	var t time.Time
	if d, err := time.ParseDuration(s); err == nil {
		t = now.Add(d)
	} else if t, err = time.Parse(time.DateOnly, s); err != nil {
		if t, err = time.Parse(time.RFC3339, s); err != nil {
			return nil, fmt.Errorf("--expires %q: use a date (2027-01-01), an RFC 3339 time or a duration (720h)", s)
		}
	}
	if !t.After(now) {
		return nil, fmt.Errorf("--expires %q is not in the future", s)
	}
	return &t, nil
}

func orDash(t *time.Time, none string) string {
	if t == nil {
		return none
	}
	return t.UTC().Format(time.RFC3339)
}

func readSeed(dir string) (*incidentgraph.Dataset, error) {
	if dir == "" {
		return seed.Read(seed.Embedded())
	}
	return seed.ReadDir(dir)
}

func loadSeed(ctx context.Context, db *neo4j.DB, dir string, out io.Writer) error {
	start := time.Now()
	ds, err := readSeed(dir)
	if err != nil {
		return err
	}
	stats, err := db.Load(ctx, ds)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "seed loaded in %s: %d entities, %d relationships, %d figures (%d stale items removed)\n",
		time.Since(start).Round(time.Millisecond), stats.Entities, stats.Relationships, stats.Figures, stats.Removed)
	return nil
}

// usePatterns reads the saved patterns and has the database check each one (it must parse, be
// read-only by EXPLAIN and declare every parameter) before the server answers anything: a
// broken pattern stops the start with its file and reason.
func usePatterns(ctx context.Context, db *neo4j.DB, dir string) error {
	fsys := patterns.Embedded()
	if dir != "" {
		fsys = os.DirFS(dir)
	}
	ps, err := patterns.Read(fsys)
	if err != nil {
		return fmt.Errorf("saved patterns: %w", err)
	}
	if err := db.UsePatterns(ctx, ps); err != nil {
		return fmt.Errorf("saved patterns: %w", err)
	}
	return nil
}

// writeTrustedDocuments writes the manifest of GraphiQL's example documents, as built into the
// binary, for --trusted_documents. The explorer's documents are JavaScript strings that Go cannot
// evaluate; a deployment that serves the explorer adds them to the manifest.
func writeTrustedDocuments(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("incidentgraph trusted-documents", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "file to write the manifest to; empty: standard output")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	examples, err := web.Examples()
	if err != nil {
		return err
	}
	texts := make([]string, len(examples))
	for i, ex := range examples {
		texts[i] = ex.Query
	}
	if *out == "" {
		return server.WriteTrustedDocuments(stdout, texts)
	}
	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	if err := server.WriteTrustedDocuments(f, texts); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func serve(ctx context.Context, c *config, logger zerolog.Logger, stdout io.Writer) error {
	// The manifest first: one that cannot be read, or whose hashes are not its documents', stops
	// the start before anything is opened.
	var trusted *server.TrustedDocuments
	if c.trustedDocuments != "" {
		var err error
		if trusted, err = server.LoadTrustedDocuments(c.trustedDocuments); err != nil {
			return err
		}
		logger.Info().Str("file", c.trustedDocuments).Int("documents", trusted.Len()).Msg("trusted documents: only these run")
	}
	db, err := neo4j.Open(ctx, c.neo4j)
	if err != nil {
		return err
	}
	if !c.closeOnStop { // Close abandons handlers that may still be reading the store
		defer db.Close(context.Background())
	}
	if c.seedOnStart {
		if err := loadSeed(ctx, db, c.seedDir, stdout); err != nil {
			return err
		}
	}
	if err := usePatterns(ctx, db, c.patternsDir); err != nil {
		return err
	}
	// The audit log's and idempotency keys' constraints, before the first write can come.
	if err := db.EnsureCurationSchema(ctx); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", c.httpAddr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", c.httpAddr, err)
	}
	metrics, stopMetrics, err := serveMetrics(c.metricsAddr, logger)
	if err != nil {
		ln.Close()
		return err
	}
	defer stopMetrics()
	scfg := c.limits.server
	scfg.AnonymousAccess = c.anonymous
	scfg.PersistedQueries = c.persistedQueries
	scfg.TrustedDocuments = trusted
	for _, o := range strings.Split(c.corsOrigins, ",") {
		if o = strings.TrimSpace(o); o != "" {
			scfg.AllowedOrigins = append(scfg.AllowedOrigins, o)
		}
	}
	srv := &http.Server{
		Handler:           server.NewServer(logger, scfg, server.Services{Graph: db, Analyst: db, Cypher: db, Tokens: db, Curation: db, DB: db, Whole: db, Metrics: metrics}),
		ReadHeaderTimeout: c.limits.readHeaderTimeout,
		ReadTimeout:       c.limits.readTimeout,
		WriteTimeout:      c.limits.writeTimeout,
		IdleTimeout:       c.limits.idleTimeout,
		MaxHeaderBytes:    c.limits.maxHeaderBytes,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	logger.Info().Str("addr", "http://"+ln.Addr().String()+"/").Str("neo4j", c.neo4j.URI).Str("anonymous_access", c.anonymous).Msg("serving GraphQL at /graphql and GraphiQL at /")
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// Shutdown stops accepting at once, waits for the requests in flight (up to the grace),
	// and only then does serve return and its deferred Close release the driver.
	logger.Info().Dur("grace", c.shutdownGrace).Msg("shutting down: draining requests in flight")
	sctx, cancel := context.WithTimeout(context.Background(), c.shutdownGrace)
	defer cancel()
	stop := srv.Shutdown
	if c.closeOnStop {
		stop = func(context.Context) error { return srv.Close() }
	}
	if err := stop(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
