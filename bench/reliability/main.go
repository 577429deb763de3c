// Command reliability measures how the service holds up, against a real Neo4j on loopback that
// it starts itself (scripts/neo4j.sh, its own home and ports) and the real `incidentgraph serve`
// binary, started afresh for each run with its default limits:
//
//  1. mixed: readers (entity, neighbourhood, search, incidents) and curators (create, add,
//     update, retract, with versions and idempotency keys) at a fixed concurrency for a fixed
//     time: outcomes by code, p50/p99 per kind, the server's memory, goroutines, threads and
//     connections;
//  2. fault: the same load; Neo4j is killed (SIGKILL) in the middle and restarted: time until
//     /readyz is ready again, requests failed with a code versus hung or dropped, acknowledged
//     writes lost (read back through the API), goroutines, threads and connections afterwards;
//  3. overload: far more clients than the in-flight limit: shed with coded 503s, no crash,
//     memory bounded;
//  4. shutdown: SIGTERM under load: every request answered or refused at connect, the process
//     gone within its grace period, acknowledged writes kept.
//
// It checks properties (nothing acknowledged lost, nothing hung, no crash, no 5xx but coded
// 503s, recovery after the restart, goroutines back to baseline after the load) and exits 1 if
// one fails; the figures (timings, memory) are reported, never asserted. The full run writes
// docs/RELIABILITY.md; -smoke runs each part for a few seconds and writes nothing.
//
// Each service runs with a metrics listener of its own (METRICS_ADDR), from which the harness
// reads the goroutine count (go_goroutines).
//
//	go run ./bench/reliability -service bin/incidentgraph            # make reliability
//	go run ./bench/reliability -service bin/incidentgraph -smoke     # make reliability-smoke
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

type config struct {
	service, script, logs, out string
	neo                        neo4jCtl
	fresh, keep, smoke         bool
	readers, writers           int
	mixed, faultBefore         time.Duration
	faultAfter, overload       time.Duration
	shutdownBefore             time.Duration
	overloadClients            int
	maxRSSMB                   int64
	goroutineMargin            int
	goroutineWait              time.Duration
	runs                       map[string]bool
	// The service's own limits, as it runs with them by default: the client's deadline is the
	// request limit plus a margin, and SIGTERM must end the process within the grace.
	requestTimeout, margin, grace time.Duration
}

func parseFlags() (*config, error) {
	c := &config{}
	flag.StringVar(&c.service, "service", "bin/incidentgraph", "the service's binary")
	flag.StringVar(&c.script, "neo4j-script", "scripts/neo4j.sh", "the script that runs Neo4j")
	flag.StringVar(&c.neo.home, "neo4j-home", ".neo4j/reliability", "the harness's Neo4j home")
	flag.IntVar(&c.neo.bolt, "neo4j-bolt", 7697, "its Bolt port")
	flag.IntVar(&c.neo.http, "neo4j-http", 7484, "its HTTP port")
	flag.StringVar(&c.neo.password, "neo4j-password", "incidentgraph-reliability", "its password")
	flag.BoolVar(&c.fresh, "fresh", true, "empty the database first (neo4j.sh reset) and load the seed graph")
	flag.BoolVar(&c.keep, "keep", false, "leave Neo4j running at the end")
	flag.BoolVar(&c.smoke, "smoke", false, "a few seconds per run; check the properties, write no report")
	flag.StringVar(&c.out, "out", "docs/RELIABILITY.md", "the report (full runs); its chart goes beside it in reliability/")
	flag.StringVar(&c.logs, "logs", filepath.Join(os.TempDir(), "reliability"), "where the services' logs go")
	flag.IntVar(&c.readers, "readers", 12, "reading clients in the mixed, fault and shutdown runs")
	flag.IntVar(&c.writers, "writers", 4, "curating clients (one curator token each) in those runs")
	flag.DurationVar(&c.mixed, "mixed", 60*time.Second, "mixed run: load time")
	flag.DurationVar(&c.faultBefore, "fault-before", 15*time.Second, "fault run: load before Neo4j is killed")
	flag.DurationVar(&c.faultAfter, "fault-after", 15*time.Second, "fault run: load after the service is ready again")
	flag.DurationVar(&c.overload, "overload", 20*time.Second, "overload run: load time")
	flag.IntVar(&c.overloadClients, "overload-clients", 256, "overload run: clients (the service serves 64 at once)")
	flag.Int64Var(&c.maxRSSMB, "max-rss-mb", 1024, "overload run: the service's resident memory must stay below this (MiB)")
	flag.IntVar(&c.goroutineMargin, "goroutine-margin", 5, "after each run but shutdown, the service's goroutines must be back within this many of their count before the load")
	flag.DurationVar(&c.goroutineWait, "goroutine-wait", 10*time.Second, "how long after the 2 s settle the goroutines may take to get back within the margin")
	flag.DurationVar(&c.shutdownBefore, "shutdown-before", 5*time.Second, "shutdown run: load before SIGTERM")
	flag.DurationVar(&c.requestTimeout, "request-timeout", 15*time.Second, "the service's request_timeout (its default)")
	flag.DurationVar(&c.margin, "margin", 5*time.Second, "a request unanswered this long after the request timeout counts as hung")
	flag.DurationVar(&c.grace, "grace", 10*time.Second, "the service's shutdown_grace (its default)")
	runs := flag.String("runs", "mixed,fault,overload,shutdown", "which runs, comma-separated")
	flag.Parse()
	set := map[string]bool{}
	flag.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if c.smoke {
		def := func(name string, d *time.Duration, v time.Duration) {
			if !set[name] {
				*d = v
			}
		}
		def("mixed", &c.mixed, 4*time.Second)
		def("fault-before", &c.faultBefore, 3*time.Second)
		def("fault-after", &c.faultAfter, 2*time.Second)
		def("overload", &c.overload, 3*time.Second)
		def("shutdown-before", &c.shutdownBefore, 2*time.Second)
		if !set["readers"] {
			c.readers = 6
		}
		if !set["writers"] {
			c.writers = 2
		}
		if !set["overload-clients"] {
			c.overloadClients = 160
		}
	}
	c.runs = map[string]bool{}
	for _, r := range strings.Split(*runs, ",") {
		switch r = strings.TrimSpace(r); r {
		case "mixed", "fault", "overload", "shutdown":
			c.runs[r] = true
		default:
			return nil, fmt.Errorf("-runs: unknown run %q", r)
		}
	}
	if c.writers < 1 || c.readers < 0 || c.overloadClients <= 64 {
		return nil, fmt.Errorf("-writers must be 1 or more and -overload-clients above the in-flight limit (64)")
	}
	c.neo.script = c.script
	return c, nil
}

func main() {
	c, err := parseFlags()
	if err != nil {
		fmt.Fprintln(os.Stderr, "reliability:", err)
		os.Exit(2)
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	h := &harness{cfg: c, neo: &c.neo}
	results, err := h.run(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "reliability:", err)
		os.Exit(1)
	}
	failed := false
	for _, r := range results {
		for _, v := range r.Violations {
			failed = true
			fmt.Printf("VIOLATION %s: %s\n", r.Name, v)
		}
	}
	if !c.smoke {
		if err := writeReport(c, h.env, results); err != nil {
			fmt.Fprintln(os.Stderr, "reliability:", err)
			os.Exit(1)
		}
		fmt.Printf("wrote %s\n", c.out)
	}
	if failed {
		fmt.Println("reliability: a property was violated (above)")
		os.Exit(1)
	}
	fmt.Println("reliability: every property held: nothing acknowledged was lost, nothing hung, no crash, no 5xx but coded 503s, recovery after the restart, goroutines back to baseline, a clean shutdown")
}
