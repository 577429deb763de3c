// Command compare answers the same questions three ways over one Neo4j and compares them: this
// service over HTTP, the Neo4j GraphQL Library (@neo4j/graphql served by Apollo Server, in
// ./library) and the same Cypher through the Go driver, the floor. It first checks that the
// three give the same answer to every question (and fails if not), then loads each with vegeta
// at each concurrency for a fixed time after a warm-up, and writes docs/BENCHMARKS.md with PNG
// charts beside it. Besides the questions it measures `{__typename}` on the service (the round
// trip the p50 target allows) and a mixed cell: GraphiQL's example tabs in turn on the service,
// the questions of the tabs they can express on the others (mixed.go). Each server's CPU time
// per request comes from /proc before and after each cell.
//
//	go run ./bench/compare -neo4j-uri bolt://127.0.0.1:7689 -neo4j-password … -service bin/incidentgraph
//	go run ./bench/compare -smoke …   # answers checked, a second per cell at 1 and 8, no report
//
// This is the one place outside neo4j/ that speaks Cypher and imports the driver: the floor
// is by definition hand-written Cypher on the raw driver, and the same statements (./queries)
// are the Library's @cypher fields. Nothing here is part of the service.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/incidentgraph/incidentgraph/web"
)

type config struct {
	neo4jURI, neo4jUser, neo4jPassword string
	service, libraryDir, node          string
	duration, warmup                   time.Duration
	concurrency                        []int
	only                               map[string]bool
	smoke                              bool
	out, logs, dataLabel               string
	params                             params
	set                                map[string]bool // flags given on the command line
	pick                               bool            // choose the questions' ids from the data
	pickIncidents                      int             // with pick: the incidents question's group is the one nearest this many incidents (0: the busiest)
	importRate                         float64         // rows per second of the import that loaded the graph (0: not measured)
	gzip                               bool            // the load accepts gzip
	cells                              string          // also save the measurements here (JSON)
	scaling                            []string        // write the scaling section from these saved runs
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench-compare:", err)
		os.Exit(1)
	}
}

func parseFlags() (*config, error) {
	c := &config{}
	env := func(k, def string) string {
		if v := os.Getenv(k); v != "" {
			return v
		}
		return def
	}
	flag.StringVar(&c.neo4jURI, "neo4j-uri", env("NEO4J_URI", "bolt://127.0.0.1:7687"), "the Neo4j all three sides use (NEO4J_URI)")
	flag.StringVar(&c.neo4jUser, "neo4j-user", env("NEO4J_USER", "neo4j"), "Neo4j user (NEO4J_USER)")
	flag.StringVar(&c.neo4jPassword, "neo4j-password", env("NEO4J_PASSWORD", ""), "Neo4j password (NEO4J_PASSWORD)")
	flag.StringVar(&c.service, "service", "bin/incidentgraph", "this service's binary (started with serve)")
	flag.StringVar(&c.libraryDir, "library", "bench/compare/library", "the Library server's folder (after npm ci)")
	flag.StringVar(&c.node, "node", "node", "the Node.js executable")
	flag.DurationVar(&c.duration, "duration", 10*time.Second, "load time per question, concurrency and side")
	flag.DurationVar(&c.warmup, "warmup", 2*time.Second, "warm-up load before each measured run (not counted)")
	conc := flag.String("concurrency", "1,8,32", "concurrent clients, comma-separated")
	only := flag.String("questions", "", "only these questions, comma-separated (entity,incidents,network,path,search,nested,timeline,common,similar,mixed)")
	flag.BoolVar(&c.smoke, "smoke", false, "smoke run: answers checked, then -duration 1s, -warmup 300ms at concurrency 1 and 8, no report written")
	flag.StringVar(&c.out, "out", "docs/BENCHMARKS.md", "the report to write; its charts go beside it in benchmarks/")
	flag.StringVar(&c.logs, "logs", filepath.Join(os.TempDir(), "bench-compare"), "where the servers' logs go")
	flag.StringVar(&c.dataLabel, "data", "the seed graph (seed/data)", "what graph is loaded, for the report")
	p, d := &c.params, seedParams()
	flag.StringVar(&p.Entity, "entity", d.Entity, "entity question: the entity's id")
	flag.StringVar(&p.Group, "group", d.Group, "incidents question: the group's id")
	flag.StringVar(&p.From, "from", d.From, "incidents question: first day (YYYY-MM-DD)")
	flag.StringVar(&p.To, "to", d.To, "incidents question: last day (YYYY-MM-DD)")
	flag.StringVar(&p.Network, "network", d.Network, "network question: the group's id")
	flag.StringVar(&p.PathFrom, "path-from", d.PathFrom, "path question: from this entity")
	flag.StringVar(&p.PathTo, "path-to", d.PathTo, "path question: to this entity")
	flag.StringVar(&p.SearchText, "search", d.SearchText, "search question: the words typed (plain words)")
	flag.StringVar(&p.Nested, "nested", d.Nested, "nested question: the group at the top")
	flag.StringVar(&p.Timeline, "timeline", d.Timeline, "timeline question: the actor (its affiliates included)")
	common := flag.String("common", strings.Join(d.Common, ","), "common question: the entities' ids, comma-separated")
	flag.StringVar(&p.Similar, "similar", d.Similar, "similar question: the incident's id")
	flag.BoolVar(&c.gzip, "gzip", true, "the load's requests accept gzip (false: Accept-Encoding: identity), to measure compression's cost")
	flag.Float64Var(&c.importRate, "import-rate", 0, "the import's rows per second while loading the graph, for the report's targets (0: not shown)")
	flag.IntVar(&c.pickIncidents, "pick-incidents", 0, "with -pick: ask the incidents question about the generated group whose incidents (its affiliates' included) number nearest this, so that the answer keeps its size as the graph grows (0: the busiest group)")
	flag.BoolVar(&c.pick, "pick", false, "choose the questions' ids from a generated graph (flags given still win)")
	flag.StringVar(&c.cells, "cells", "", "save this run's measurements to this JSON file (one size of a scaling run) instead of writing the report")
	scaling := flag.String("scaling-report", "", "write only the scaling section of -out from these saved runs (comma-separated -cells files); starts nothing")
	flag.Parse()
	if *scaling != "" {
		c.scaling = strings.Split(*scaling, ",")
	}
	set := map[string]bool{}
	c.set = set
	flag.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if c.smoke {
		if !set["duration"] {
			c.duration = time.Second
		}
		if !set["warmup"] {
			c.warmup = 300 * time.Millisecond
		}
		if !set["concurrency"] {
			*conc = "1,8"
		}
	}
	for _, s := range strings.Split(*conc, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-concurrency: %q is not a positive number", s)
		}
		c.concurrency = append(c.concurrency, n)
	}
	if *only != "" {
		c.only = map[string]bool{}
		for _, s := range strings.Split(*only, ",") {
			c.only[strings.TrimSpace(s)] = true
		}
	}
	p.Common = strings.Split(*common, ",")
	for _, d := range []string{p.From, p.To} {
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			return nil, fmt.Errorf("-from/-to: %q is not a YYYY-MM-DD day", d)
		}
	}
	return c, nil
}

func run() error {
	c, err := parseFlags()
	if err != nil {
		return err
	}
	if len(c.scaling) > 0 {
		if err := writeScaling(c.out, c.scaling); err != nil {
			return err
		}
		fmt.Printf("wrote the scaling section of %s\n", c.out)
		return nil
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	if err := os.MkdirAll(c.logs, 0o755); err != nil {
		return err
	}

	db, err := driver.NewDriverWithContext(c.neo4jURI, driver.BasicAuth(c.neo4jUser, c.neo4jPassword, ""))
	if err != nil {
		return err
	}
	if err := db.VerifyConnectivity(ctx); err != nil {
		return fmt.Errorf("neo4j at %s: %w", c.neo4jURI, err)
	}
	floor := &side{Name: sideFloor, db: db}
	defer floor.stop()
	env, err := describe(ctx, c, floor)
	if err != nil {
		return err
	}
	fmt.Printf("data: %s\n", env.Data)
	if c.pick {
		if err := pickParams(ctx, floor, &c.params, c.set, c.pickIncidents); err != nil {
			return err
		}
	}

	ourPort, err := freePort()
	if err != nil {
		return err
	}
	svc := exec.Command(c.service, "serve")
	// Warn-level logs: the access log of every request would measure disk writes, and the
	// Library logs nothing per request either.
	// No per-token rate limit: the mixed cell's one curator token stands for many analysts, and
	// at 100 requests a second (the default) it would measure the limiter's 429s.
	svc.Env = append(os.Environ(), "HTTP_ADDR=127.0.0.1:"+strconv.Itoa(ourPort), "NEO4J_URI="+c.neo4jURI,
		"NEO4J_USER="+c.neo4jUser, "NEO4J_PASSWORD="+c.neo4jPassword, "LOG_LEVEL=warn", "SEED_ON_START=false", "RATE_PER_TOKEN=0")
	ours, err := startProcess(sideOurs, fmt.Sprintf("http://127.0.0.1:%d/graphql", ourPort),
		filepath.Join(c.logs, "service.log"), svc, 60*time.Second)
	if err != nil {
		return err
	}
	defer ours.stop()

	libPort, err := freePort()
	if err != nil {
		return err
	}
	lib := exec.Command(c.node, "server.mjs")
	lib.Dir = c.libraryDir
	lib.Env = append(os.Environ(), "PORT="+strconv.Itoa(libPort), "NEO4J_URI="+c.neo4jURI,
		"NEO4J_USER="+c.neo4jUser, "NEO4J_PASSWORD="+c.neo4jPassword, "NODE_ENV=production", "REL_TYPES="+relTypesJSON())
	library, err := startProcess(sideLibrary, fmt.Sprintf("http://127.0.0.1:%d/", libPort),
		filepath.Join(c.logs, "library.log"), lib, 60*time.Second)
	if err != nil {
		return err
	}
	defer library.stop()

	ours.identity, library.identity = !c.gzip, !c.gzip
	sides := []*side{ours, library, floor}
	var qs []question
	for _, q := range questions(c.params) {
		if c.only == nil || c.only[q.Name] {
			qs = append(qs, q)
		}
	}
	// The mixed cell: GraphiQL's tabs on the service; on the Library and the floor, the
	// questions of the tabs they can express, on the tabs' (the seed's) ids.
	var mixed *work
	var tabs []tab
	seedQs := questions(seedParams())
	if c.only == nil || c.only[mixedCell] {
		exs, err := web.Examples()
		if err != nil {
			return err
		}
		if tabs, err = mixedTabs(exs, tabQuestions, seedQs); err != nil {
			return err
		}
		token, err := createToken(ctx, c, "curator", fmt.Sprintf("bench-compare-%d", time.Now().Unix()))
		if err != nil {
			return err
		}
		w := mixedWork(tabs, seedQs, ours, library, token)
		mixed = &w
		if err := checkTabs(ctx, ours, tabs, token); err != nil {
			return err
		}
	}

	// The same answer from all three, or nothing is measured.
	check := qs
	if mixed != nil {
		check = slices.Clone(qs)
		for _, q := range mixed.Floor {
			q.Name = mixedCell + "/" + q.Name
			check = append(check, q)
		}
	}
	var mismatches []string
	for _, q := range check {
		want, err := ask(ctx, floor, q)
		if err != nil {
			return fmt.Errorf("%s: the floor: %w", q.Name, err)
		}
		before := len(mismatches)
		for _, s := range sides[:2] {
			got, err := ask(ctx, s, q)
			switch {
			case err != nil:
				mismatches = append(mismatches, fmt.Sprintf("%s: %s failed: %v", q.Name, s.Name, err))
			case got != want:
				mismatches = append(mismatches, fmt.Sprintf("%s: %s answers\n%s\nbut the floor answers\n%s", q.Name, s.Name, indent(got), indent(want)))
			}
		}
		if len(mismatches) == before {
			fmt.Printf("%-18s same answer on all sides: %s\n", q.Name, firstLine(want))
		} else {
			fmt.Printf("%-18s DIFFERENT ANSWERS\n", q.Name)
		}
	}
	if len(mismatches) > 0 {
		return fmt.Errorf("the sides disagree:\n%s", strings.Join(mismatches, "\n"))
	}

	works := []work{typenameWork(ours)}
	for _, q := range qs {
		works = append(works, questionWork(q, ours, library))
	}
	if mixed != nil {
		works = append(works, *mixed)
	}
	var cells []cell
	for _, w := range works {
		for _, n := range c.concurrency {
			for _, s := range sides {
				if !w.has(s) {
					continue
				}
				if ctx.Err() != nil {
					return ctx.Err()
				}
				load(ctx, s, w, n, c.warmup)
				before, err := readProc(s.pid())
				if err != nil {
					return err
				}
				m := load(ctx, s, w, n, c.duration)
				after, err := readProc(s.pid())
				if err != nil {
					return err
				}
				cl := newCell(w.Name, s.Name, n, m, before, after, c.duration)
				fmt.Println(cl)
				cells = append(cells, cl)
			}
		}
	}

	var failed []string
	for _, cl := range cells {
		if cl.Errors > 0 {
			failed = append(failed, fmt.Sprintf("%s %s c=%d: %d errors (%s)", cl.Question, cl.Side, cl.Concurrency, cl.Errors, cl.FirstError))
		}
	}
	if c.cells != "" {
		// One size of a scaling run: the scaling report is written from the saved runs.
		if err := saveCells(c.cells, env, c.params, cells); err != nil {
			return err
		}
		fmt.Printf("saved %s\n", c.cells)
		if len(failed) > 0 {
			return errors.New("requests failed:\n" + strings.Join(failed, "\n"))
		}
		return nil
	}
	if c.smoke {
		if len(failed) > 0 {
			return errors.New("requests failed:\n" + strings.Join(failed, "\n"))
		}
		fmt.Println("smoke run passed: the three sides agree on every question and answered every request")
		return nil
	}
	if err := writeReport(c, env, qs, tabs, cells); err != nil {
		return err
	}
	fmt.Printf("wrote %s\n", c.out)
	if len(failed) > 0 {
		return errors.New("requests failed (the report shows them):\n" + strings.Join(failed, "\n"))
	}
	return nil
}

// checkTabs asks the service every example tab once: each must answer without an error (the
// tabs that need a role with the token), before the mixed cell sends them under load.
func checkTabs(ctx context.Context, ours *side, tabs []tab, token string) error {
	var failed []string
	for _, t := range tabs {
		tok := ""
		if t.NeedsToken {
			tok = token
		}
		if _, err := ours.post(ctx, t.Query, t.Vars, tok); err != nil {
			failed = append(failed, fmt.Sprintf("%s: %v", t.Name, err))
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("the service fails example tabs:\n%s", strings.Join(failed, "\n"))
	}
	fmt.Printf("%-18s the service answers all %d example tabs\n", mixedCell, len(tabs))
	return nil
}

// relTypesJSON is every relationship type of the vocabulary as a JSON list, for the Library's
// unfiltered relationship filter (REL_TYPES).
func relTypesJSON() string {
	b, _ := json.Marshal(allRelTypes())
	return string(b)
}

func indent(s string) string { return "    " + strings.ReplaceAll(s, "\n", "\n    ") }

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 100 {
		s = s[:100] + "…"
	}
	return s
}
