// Command incidentgraph serves the incident graph over GraphQL and loads its seed data.
//
//	incidentgraph serve [--seed]   serve GraphQL at /graphql and GraphiQL at /
//	incidentgraph seed [--dir D]   validate the seed files and load them into Neo4j
//	incidentgraph validate [--dir D]  validate the seed files only
//
// Configuration comes from the environment (HTTP_ADDR, NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD,
// NEO4J_DATABASE, LOG_LEVEL, LOG_FORMAT, CORS_ORIGINS); flags of the same names in lower case override it.
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
	"time"

	"github.com/rs/zerolog"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/neo4j"
	"github.com/incidentgraph/incidentgraph/seed"
	"github.com/incidentgraph/incidentgraph/server"
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
	seedOnStart   bool
	corsOrigins   string
	shutdownGrace time.Duration
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
	fs.StringVar(&c.corsOrigins, "cors_origins", env("CORS_ORIGINS", ""), "comma-separated web origins allowed to call /graphql from a browser; * for any (CORS_ORIGINS)")
	fs.BoolVar(&c.seedOnStart, "seed", env("SEED_ON_START", "") == "true", "serve: load the seed files before serving (SEED_ON_START=true)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
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
	default:
		return fmt.Errorf("unknown command %q: use serve, seed or validate", cmd)
	}
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

func serve(ctx context.Context, c *config, logger zerolog.Logger, stdout io.Writer) error {
	db, err := neo4j.Open(ctx, c.neo4j)
	if err != nil {
		return err
	}
	defer db.Close(context.Background())
	if c.seedOnStart {
		if err := loadSeed(ctx, db, c.seedDir, stdout); err != nil {
			return err
		}
	}
	ln, err := net.Listen("tcp", c.httpAddr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", c.httpAddr, err)
	}
	scfg := server.DefaultConfig()
	for _, o := range strings.Split(c.corsOrigins, ",") {
		if o = strings.TrimSpace(o); o != "" {
			scfg.AllowedOrigins = append(scfg.AllowedOrigins, o)
		}
	}
	srv := &http.Server{
		Handler:           server.NewServer(logger, scfg, server.Services{Graph: db, Analyst: db, Cypher: db, Tokens: db, DB: db}),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	logger.Info().Str("addr", "http://"+ln.Addr().String()+"/").Str("neo4j", c.neo4j.URI).Msg("serving GraphQL at /graphql and GraphiQL at /")
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info().Msg("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), c.shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
