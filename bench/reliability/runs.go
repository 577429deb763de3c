package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/incidentgraph/incidentgraph/bench/machine"
)

type harness struct {
	cfg     *config
	neo     *neo4jCtl
	tokens  []string // one curator token per writer
	env     *environment
	runTag  string
	svcSeq  int
	verifyC *client
}

// runResult is what one run measured and which properties failed.
type runResult struct {
	Name, What          string
	Clients             string
	Load                time.Duration
	ByLabel             map[string]int
	Kinds               []kindStats
	Before, Peak, After procSample
	Figures             [][2]string
	Violations          []string
	Verify              *verification
	Ledger              *ledgerFigures
	LogLevels           map[string]int
	Timeline            *timeline
	GoroutineMargin     int    // goroutines over the baseline allowed after the run
	GoroutineControl    [2]int // the goroutine check's negative control: caught, planted
}

type ledgerFigures struct{ Acked, Retries, Resolved, Pending int }

func (r *runResult) figure(name, format string, a ...any) {
	r.Figures = append(r.Figures, [2]string{name, fmt.Sprintf(format, a...)})
}

func (r *runResult) violate(v string) {
	const most = 20
	if len(r.Violations) < most {
		r.Violations = append(r.Violations, v)
	} else if len(r.Violations) == most {
		r.Violations = append(r.Violations, "… (more left out)")
	}
}

func (h *harness) run(ctx context.Context) ([]*runResult, error) {
	c := h.cfg
	if err := os.MkdirAll(c.logs, 0o755); err != nil {
		return nil, err
	}
	if _, err := os.Stat(c.service); err != nil {
		return nil, fmt.Errorf("the service binary: %w (make build)", err)
	}
	h.runTag = fmt.Sprintf("r%d", time.Now().Unix()%1000000)
	if c.fresh {
		fmt.Println("== Neo4j: emptying", c.neo.home)
		if _, err := h.neo.run(ctx, "reset"); err != nil {
			return nil, err
		}
	}
	fmt.Println("== Neo4j: starting", c.neo.home, "on", c.neo.uri())
	if out, err := h.neo.run(ctx, "start"); err != nil {
		return nil, err
	} else {
		fmt.Print(lastLine(out))
	}
	if !c.keep {
		defer func() {
			if _, err := h.neo.run(context.Background(), "stop"); err != nil {
				fmt.Fprintln(os.Stderr, err)
			}
		}()
	}
	if c.fresh {
		if err := seedGraph(ctx, c.service, h.neo); err != nil {
			return nil, err
		}
	}
	for i := range c.writers {
		t, err := createToken(ctx, c.service, h.neo, "curator", fmt.Sprintf("reliability-%s-%d", h.runTag, i))
		if err != nil {
			return nil, err
		}
		h.tokens = append(h.tokens, t)
	}
	h.env = describe(c)

	var results []*runResult
	type step struct {
		name string
		fn   func(context.Context) (*runResult, error)
	}
	for _, s := range []step{{"mixed", h.mixedRun}, {"fault", h.faultRun}, {"overload", h.overloadRun}, {"shutdown", h.shutdownRun}} {
		if !c.runs[s.name] {
			continue
		}
		if ctx.Err() != nil {
			return results, ctx.Err()
		}
		fmt.Printf("== %s run\n", s.name)
		t0 := time.Now()
		r, err := s.fn(ctx)
		if err != nil {
			return results, fmt.Errorf("%s run: %w", s.name, err)
		}
		printResult(r, time.Since(t0))
		results = append(results, r)
	}
	return results, nil
}

func lastLine(s string) string {
	s = strings.TrimRight(s, "\n")
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return s + "\n"
}

// newService starts a fresh service on a free port.
func (h *harness) newService(name string) (*service, error) {
	h.svcSeq++
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	metricsPort, err := freePort()
	if err != nil {
		return nil, err
	}
	return startService(h.cfg.service, filepath.Join(h.cfg.logs, fmt.Sprintf("%d-%s.log", h.svcSeq, name)), port, metricsPort, h.neo)
}

// dumpGoroutines saves the service's goroutine stacks (its operators' listener serves them)
// beside its log, once per load: a request about to count as hung is still running there.
func (h *harness) dumpGoroutines(s *service, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.metricsBase+"/debug/pprof/goroutine?debug=2", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Printf("   overdue request: goroutine stacks unavailable: %v\n", err)
		return
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	path := filepath.Join(h.cfg.logs, fmt.Sprintf("%d-%s-goroutines.txt", h.svcSeq, name))
	if err := os.WriteFile(path, b, 0o644); err != nil {
		fmt.Printf("   overdue request: %v\n", err)
		return
	}
	fmt.Printf("   overdue request: the service's goroutine stacks are in %s\n", path)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (h *harness) sample(s *service) procSample {
	p, _ := readProcSample(s.pid(), h.neo.bolt, portOf(s.base))
	p.Goroutines = -1
	if n, err := s.goroutines(context.Background()); err == nil {
		p.Goroutines = n
	}
	return p
}

func portOf(base string) int {
	var p int
	fmt.Sscanf(base[strings.LastIndexByte(base, ':')+1:], "%d", &p)
	return p
}

// sampler reads the service's /proc and goroutines every 100 ms and keeps the peaks.
type sampler struct {
	mu   sync.Mutex
	peak procSample
	stop chan struct{}
	done chan struct{}
}

func (h *harness) startSampler(s *service) *sampler {
	sm := &sampler{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(sm.done)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			if p, err := readProcSample(s.pid(), h.neo.bolt, portOf(s.base)); err == nil {
				sm.mu.Lock()
				sm.peak.RSSKB = max(sm.peak.RSSKB, p.RSSKB)
				sm.peak.PeakKB = max(sm.peak.PeakKB, p.PeakKB)
				sm.peak.Threads = max(sm.peak.Threads, p.Threads)
				sm.peak.FDs = max(sm.peak.FDs, p.FDs)
				sm.peak.BoltConns = max(sm.peak.BoltConns, p.BoltConns)
				sm.peak.ClientConns = max(sm.peak.ClientConns, p.ClientConns)
				sm.mu.Unlock()
			}
			if n, err := s.goroutines(context.Background()); err == nil {
				sm.mu.Lock()
				sm.peak.Goroutines = max(sm.peak.Goroutines, n)
				sm.mu.Unlock()
			}
			select {
			case <-sm.stop:
				return
			case <-t.C:
			}
		}
	}()
	return sm
}

func (sm *sampler) finish() procSample {
	close(sm.stop)
	<-sm.done
	sm.mu.Lock()
	defer sm.mu.Unlock()
	return sm.peak
}

// load is the mixed load of readers and writers, running until finish.
type load struct {
	c            *client
	rec          *recorder
	led          *ledger
	stop, giveUp chan struct{}
	readers      sync.WaitGroup
	writers      sync.WaitGroup
}

// startLoad starts readers and writers against s. A client pauses backoff after a refusal (503,
// 429) or a broken connection, as a client honouring Retry-After would, but shorter, so that an
// outage is tried often. refusalsOK says whether connections may be refused (only in a shutdown).
func (h *harness) startLoad(ctx context.Context, s *service, r *runResult, prefix string, refusalsOK bool) *load {
	c := h.cfg
	l := &load{c: newClient(s.base, c.readers+c.writers, c.requestTimeout+c.margin), rec: &recorder{}, led: newLedger(),
		stop: make(chan struct{}), giveUp: make(chan struct{})}
	var dump sync.Once
	l.c.overdue = func() { dump.Do(func() { h.dumpGoroutines(s, prefix) }) }
	judge := func(o outcome) {
		if v := o.violation(); v != "" {
			r.violate(o.Kind + ": " + v)
		}
		if o.Status == 0 && o.Code != classClient && o.Code != classHung {
			if o.Code == classLost || !refusalsOK {
				r.violate(fmt.Sprintf("%s: %s: %s", o.Kind, o.Code, o.Message))
			}
		}
	}
	var mu sync.Mutex
	safeViolate := func(v string) { mu.Lock(); r.violate(v); mu.Unlock() }
	const backoff = 100 * time.Millisecond
	for i := range c.readers {
		l.readers.Add(1)
		go func() {
			defer l.readers.Done()
			rng := rand.New(rand.NewPCG(uint64(i), 7))
			for {
				select {
				case <-l.stop:
					return
				default:
				}
				o := l.c.read(ctx, rng, readKinds[rng.IntN(len(readKinds))])
				l.rec.add(o)
				mu.Lock()
				judge(o)
				mu.Unlock()
				if o.Status == 0 || o.Status == http.StatusServiceUnavailable || o.Status == http.StatusTooManyRequests {
					time.Sleep(backoff)
				}
			}
		}()
	}
	for i := range c.writers {
		wr := &writer{c: l.c, rec: l.rec, led: l.led, token: h.tokens[i], prefix: fmt.Sprintf("rel-%s-%s-w%d", h.runTag, prefix, i),
			backoff: backoff, violate: safeViolate}
		wr.rec = &judgingRecorder{recorder: l.rec, judge: func(o outcome) {
			// Writers judge refusals themselves (a write is retried); only drops are judged here.
			if o.Status == 0 && o.Code != classClient && o.Code != classHung && (o.Code == classLost || !refusalsOK) {
				safeViolate(fmt.Sprintf("%s: %s: %s", o.Kind, o.Code, o.Message))
			}
		}}
		l.writers.Add(1)
		go func() {
			defer l.writers.Done()
			wr.run(ctx, l.stop, l.giveUp)
		}()
	}
	return l
}

// judgingRecorder records like a recorder and judges each outcome on the way.
type judgingRecorder struct {
	*recorder
	judge func(outcome)
}

func (j *judgingRecorder) add(o outcome) {
	j.judge(o)
	j.recorder.add(o)
}

// finish stops the load: readers at once; writers finish their cycle's write in progress
// (retrying) for up to drain, then give up and leave it in doubt.
func (l *load) finish(drain time.Duration) {
	close(l.stop)
	l.readers.Wait()
	done := make(chan struct{})
	go func() { l.writers.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(drain):
	}
	close(l.giveUp)
	<-done
	l.c.close()
}

// settle waits for the service's idle state after a run and samples it. Goroutines of closed
// connections and finished requests end on their own schedule, so while they are over the
// baseline (before) it samples again, every 250 ms for up to goroutine-wait: a leak stays over
// it, a slow ending does not.
func (h *harness) settle(s *service, before procSample) procSample {
	time.Sleep(2 * time.Second)
	p := h.sample(s)
	for deadline := time.Now().Add(h.cfg.goroutineWait); goroutineExcess(before, p, h.cfg.goroutineMargin) != "" && time.Now().Before(deadline); {
		time.Sleep(250 * time.Millisecond)
		p = h.sample(s)
	}
	return p
}

// collect fills a result's tables from a load, reads every acknowledged write back and records
// the service's log levels.
func (h *harness) collect(ctx context.Context, r *runResult, l *load, s *service) error {
	r.ByLabel, r.Kinds = summarise(l.rec.outcomes())
	if s != nil && s.alive() {
		vc := newClient(s.base, 4, h.cfg.requestTimeout+h.cfg.margin)
		defer vc.close()
		resolved, left := l.led.resolvePending(ctx, vc, r.violate)
		if left > 0 {
			r.violate(fmt.Sprintf("%d writes still in doubt after retrying them with their keys", left))
		}
		_ = resolved
		v, err := l.led.verify(ctx, vc, h.tokens[0])
		if err != nil {
			return err
		}
		r.Verify = &v
		for _, m := range v.Missing {
			r.violate("acknowledged write lost: " + m)
		}
		if v.ControlCaught != v.ControlPlanted {
			r.violate(fmt.Sprintf("negative control: the write check found %d of %d planted discrepancies", v.ControlCaught, v.ControlPlanted))
		}
	}
	l.led.mu.Lock()
	r.Ledger = &ledgerFigures{Acked: l.led.acked, Retries: l.led.retries, Resolved: l.led.resolved, Pending: len(l.led.pending)}
	for _, w := range l.led.wrong {
		r.violate("write answered the wrong version: " + w)
	}
	l.led.mu.Unlock()
	return nil
}

func (h *harness) logs(r *runResult, s *service) {
	lv, errs, err := s.logLevels()
	if err != nil {
		r.violate("reading the service's log: " + err.Error())
		return
	}
	r.LogLevels = lv
	for _, e := range errs {
		r.figure("error-level log line", "`%s`", e)
	}
}

func (h *harness) mixedRun(ctx context.Context) (*runResult, error) {
	c := h.cfg
	r := &runResult{Name: "mixed", What: "readers and curators at a fixed concurrency", Load: c.mixed,
		Clients: fmt.Sprintf("%d readers + %d curators", c.readers, c.writers)}
	s, err := h.startRun(ctx, r)
	if err != nil {
		return nil, err
	}
	defer s.stop()
	sm := h.startSampler(s)
	l := h.startLoad(ctx, s, r, "mixed", false)
	sleepCtx(ctx, c.mixed)
	l.finish(c.requestTimeout + c.margin)
	h.endLoad(r, s, sm, "the service exited during the run")
	if err := h.collect(ctx, r, l, s); err != nil {
		return nil, err
	}
	h.logs(r, s)
	return r, nil
}

// startRun starts the run's own service, warms it with one question of each kind and takes the
// baseline sample. The caller stops the service.
func (h *harness) startRun(ctx context.Context, r *runResult) (*service, error) {
	s, err := h.newService(r.Name)
	if err != nil {
		return nil, err
	}
	warm(ctx, s)
	r.Before = h.sample(s)
	return s, nil
}

// endLoad closes a run's load: the peak, a violation (died, with the exit) if the service is
// gone, and otherwise its state once settled and the goroutine check. It says whether the
// service is alive.
func (h *harness) endLoad(r *runResult, s *service, sm *sampler, died string) bool {
	r.Peak = sm.finish()
	if !s.alive() {
		r.violate(died + ": " + fmt.Sprint(s.waitErr))
		return false
	}
	r.After = h.settle(s, r.Before)
	h.checkGoroutines(r)
	return true
}

func warm(ctx context.Context, s *service) {
	c := newClient(s.base, 1, 20*time.Second)
	defer c.close()
	rng := rand.New(rand.NewPCG(1, 1))
	for _, k := range readKinds {
		c.read(ctx, rng, k)
	}
}

func sleepCtx(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// timeline is the fault run's outcomes by half-second, and its events.
type timeline struct {
	Start                    time.Time
	Bucket                   time.Duration
	OK, Coded, Bad           []int
	Kill, Neo4jUp, ServiceUp time.Duration
}

func (h *harness) faultRun(ctx context.Context) (*runResult, error) {
	c := h.cfg
	r := &runResult{Name: "fault", What: "the mixed load; Neo4j killed (SIGKILL) in the middle and restarted", Load: c.faultBefore,
		Clients: fmt.Sprintf("%d readers + %d curators", c.readers, c.writers)}
	s, err := h.startRun(ctx, r)
	if err != nil {
		return nil, err
	}
	defer s.stop()

	// /readyz every 100 ms, as a load balancer would ask it, recording when it changes.
	type change struct {
		at    time.Time
		ready bool
	}
	var changesMu sync.Mutex
	var changes []change
	pollStop := make(chan struct{})
	pollDone := make(chan struct{})
	go func() {
		defer close(pollDone)
		last := true
		for {
			ok := s.ready(ctx)
			if ok != last {
				changesMu.Lock()
				changes = append(changes, change{time.Now(), ok})
				changesMu.Unlock()
				last = ok
			}
			select {
			case <-pollStop:
				return
			case <-time.After(100 * time.Millisecond):
			}
		}
	}()

	sm := h.startSampler(s)
	start := time.Now()
	l := h.startLoad(ctx, s, r, "fault", false)
	sleepCtx(ctx, c.faultBefore)
	kill := time.Now()
	if err := h.neo.kill(ctx); err != nil {
		return nil, err
	}
	fmt.Println("   Neo4j killed; restarting it")
	if _, err := h.neo.run(ctx, "start"); err != nil {
		return nil, err
	}
	neoUp := time.Now()
	var serviceUp time.Time
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		changesMu.Lock()
		if n := len(changes); n > 0 && changes[n-1].ready && changes[n-1].at.After(kill) {
			serviceUp = changes[n-1].at
		}
		changesMu.Unlock()
		if !serviceUp.IsZero() {
			break
		}
	}
	if serviceUp.IsZero() {
		r.violate("no recovery: /readyz not ready within 60 s after Neo4j was ready again")
	}
	sleepCtx(ctx, c.faultAfter)
	r.Load = time.Since(start)
	l.finish(c.requestTimeout + c.margin)
	close(pollStop)
	<-pollDone
	h.endLoad(r, s, sm, "the service exited during the run")
	if err := h.collect(ctx, r, l, s); err != nil {
		return nil, err
	}
	h.logs(r, s)

	// What the outage looked like to clients.
	all := l.rec.outcomes()
	var firstDown time.Time
	changesMu.Lock()
	for _, ch := range changes {
		if !ch.ready && ch.at.After(kill) {
			firstDown = ch.at
			break
		}
	}
	changesMu.Unlock()
	end := serviceUp
	if end.IsZero() {
		end = time.Now()
	}
	var during []outcome
	var firstOK time.Time
	for _, o := range all {
		if !o.Start.Before(kill) && o.Start.Before(end) {
			during = append(during, o)
		}
		if o.Code == codeOK && !o.Start.Before(neoUp) {
			if t := o.Start.Add(o.Latency); firstOK.IsZero() || t.Before(firstOK) {
				firstOK = t
			}
		}
	}
	byLabel, _ := summarise(during)
	var failLat []time.Duration
	coded, hung, dropped, ok := 0, 0, 0, 0
	for _, o := range during {
		switch {
		case o.Code == codeOK:
			ok++
		case o.Code == classHung:
			hung++
		case o.Status == 0:
			dropped++
		default:
			coded++
			failLat = append(failLat, o.Latency)
		}
	}
	sort.Slice(failLat, func(i, j int) bool { return failLat[i] < failLat[j] })
	if !firstDown.IsZero() {
		r.figure("kill → /readyz unready", "%s", round(firstDown.Sub(kill)))
	}
	r.figure("kill → Neo4j ready again (neo4j.sh start after SIGKILL)", "%s", round(neoUp.Sub(kill)))
	if !serviceUp.IsZero() {
		r.figure("Neo4j ready → service /readyz ready", "%s", round(serviceUp.Sub(neoUp)))
		r.figure("kill → service /readyz ready (outage as clients saw it)", "%s", round(serviceUp.Sub(kill)))
	}
	if !firstOK.IsZero() {
		r.figure("Neo4j ready → first request answered OK", "%s", round(firstOK.Sub(neoUp)))
	}
	r.figure("requests during the outage (kill → ready)", "%d: %d failed with a code, %d answered OK, %d hung, %d dropped", len(during), coded, ok, hung, dropped)
	r.figure("outage outcomes", "%s", labels(byLabel))
	if len(failLat) > 0 {
		r.figure("coded failures during the outage: p50 / p99 / max latency", "%s / %s / %s",
			round(percentile(failLat, .5)), round(percentile(failLat, .99)), round(failLat[len(failLat)-1]))
	}
	// The chart's timeline.
	tl := &timeline{Start: start, Bucket: 500 * time.Millisecond, Kill: kill.Sub(start), Neo4jUp: neoUp.Sub(start)}
	if !serviceUp.IsZero() {
		tl.ServiceUp = serviceUp.Sub(start)
	}
	n := int(r.Load/tl.Bucket) + 1
	tl.OK, tl.Coded, tl.Bad = make([]int, n), make([]int, n), make([]int, n)
	for _, o := range all {
		i := int(o.Start.Sub(start) / tl.Bucket)
		if i < 0 || i >= n || o.Code == classClient {
			continue
		}
		switch {
		case o.Code == codeOK:
			tl.OK[i]++
		case o.Status != 0 && o.violation() == "":
			tl.Coded[i]++
		default:
			tl.Bad[i]++
		}
	}
	r.Timeline = tl
	return r, nil
}

func round(d time.Duration) time.Duration {
	switch {
	case d >= 10*time.Second:
		return d.Round(100 * time.Millisecond)
	case d >= time.Second:
		return d.Round(10 * time.Millisecond)
	default:
		return d.Round(100 * time.Microsecond)
	}
}

func labels(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return m[keys[i]] > m[keys[j]] || m[keys[i]] == m[keys[j]] && keys[i] < keys[j] })
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s: %d", k, m[k])
	}
	return strings.Join(parts, ", ")
}

func (h *harness) overloadRun(ctx context.Context) (*runResult, error) {
	c := h.cfg
	r := &runResult{Name: "overload", What: "far more clients than the in-flight limit (64), reads, no pause after a 503", Load: c.overload,
		Clients: fmt.Sprintf("%d readers", c.overloadClients)}
	s, err := h.startRun(ctx, r)
	if err != nil {
		return nil, err
	}
	defer s.stop()
	sm := h.startSampler(s)
	cl := newClient(s.base, c.overloadClients, c.requestTimeout+c.margin)
	rec := &recorder{}
	var mu sync.Mutex
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := range c.overloadClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(i), 11))
			for {
				select {
				case <-stop:
					return
				default:
				}
				// The heavier reads, so that requests stay in flight long enough to fill the slots.
				o := cl.read(ctx, rng, []string{"neighborhood", "entity", "incidents"}[rng.IntN(3)])
				rec.add(o)
				if v := o.violation(); v != "" || (o.Status == 0 && o.Code != classClient) {
					if v == "" {
						v = o.Code + ": " + o.Message
					}
					mu.Lock()
					r.violate(o.Kind + ": " + v)
					mu.Unlock()
				}
			}
		}()
	}
	sleepCtx(ctx, c.overload)
	close(stop)
	wg.Wait()
	cl.close()
	if !h.endLoad(r, s, sm, "the service crashed under overload") {
		return r, nil
	}
	all := rec.outcomes()
	r.ByLabel, r.Kinds = summarise(all)
	shed, withRetry := 0, 0
	var shedLat []time.Duration
	for _, o := range all {
		if o.Status == http.StatusServiceUnavailable && o.Code == "OVERLOADED" {
			shed++
			shedLat = append(shedLat, o.Latency)
			if o.RetryAfter {
				withRetry++
			}
		}
	}
	sort.Slice(shedLat, func(i, j int) bool { return shedLat[i] < shedLat[j] })
	if shed == 0 {
		r.violate("no request was shed with 503 OVERLOADED: the load did not pass the in-flight limit")
	}
	if withRetry != shed {
		r.violate(fmt.Sprintf("%d of %d shed answers lacked Retry-After", shed-withRetry, shed))
	}
	if r.Peak.RSSKB > c.maxRSSMB<<10 {
		r.violate(fmt.Sprintf("resident memory peaked at %d MiB, over the bound of %d MiB", r.Peak.RSSKB>>10, c.maxRSSMB))
	}
	r.figure("shed with 503 OVERLOADED (all with Retry-After)", "%d of %d (%.0f%%)", shed, len(all), 100*float64(shed)/float64(max(1, len(all))))
	if len(shedLat) > 0 {
		r.figure("shed answers: p50 / p99 latency", "%s / %s", round(percentile(shedLat, .5)), round(percentile(shedLat, .99)))
	}
	// Still serving afterwards.
	after := newClient(s.base, 1, 20*time.Second)
	o := after.read(ctx, rand.New(rand.NewPCG(2, 2)), "entity")
	after.close()
	if o.Code != codeOK {
		r.violate("after the overload the service did not answer a read: " + o.label())
	}
	h.logs(r, s)
	return r, nil
}

func (h *harness) shutdownRun(ctx context.Context) (*runResult, error) {
	c := h.cfg
	r := &runResult{Name: "shutdown", What: "SIGTERM under the mixed load", Load: c.shutdownBefore,
		Clients: fmt.Sprintf("%d readers + %d curators", c.readers, c.writers)}
	s, err := h.startRun(ctx, r)
	if err != nil {
		return nil, err
	}
	sm := h.startSampler(s)
	l := h.startLoad(ctx, s, r, "shutdown", true)
	sleepCtx(ctx, c.shutdownBefore)
	inFlight := h.sample(s)
	term := time.Now()
	if err := syscall.Kill(s.pid(), syscall.SIGTERM); err != nil {
		return nil, err
	}
	var exitAfter time.Duration
	select {
	case <-s.exited:
		exitAfter = time.Since(term)
	case <-time.After(c.grace + 5*time.Second):
		r.violate(fmt.Sprintf("the process was still running %s after SIGTERM (grace %s)", c.grace+5*time.Second, c.grace))
		s.stop()
		exitAfter = time.Since(term)
	}
	r.Peak = sm.finish()
	// The clients go on for half a second against the closed port: refused at connect.
	sleepCtx(ctx, 500*time.Millisecond)
	l.finish(time.Second)
	s.logf.Close()
	if exitAfter > c.grace {
		r.violate(fmt.Sprintf("the process exited %s after SIGTERM, past its grace of %s", round(exitAfter), c.grace))
	}
	var ee *exec.ExitError
	if s.waitErr != nil && !errors.As(s.waitErr, &ee) {
		r.violate("waiting for the process: " + s.waitErr.Error())
	} else if s.waitErr != nil {
		r.violate("the process exited with " + s.waitErr.Error())
	}

	all := l.rec.outcomes()
	answered := map[int]int{}
	nAnswered, refused, closedIdle, lost := 0, 0, 0, 0
	for _, o := range all {
		switch {
		case o.Status != 0:
			answered[o.Status]++
			nAnswered++
		case o.Code == classRefused:
			refused++
		case o.Code == classClosedIdle:
			closedIdle++
		case o.Code == classLost || o.Code == classHung:
			lost++
		}
	}
	// The service's own account: every /graphql request it read and answered is in its access
	// log. The clients must have received every one of those answers.
	logged, err := s.accessLogged()
	if err != nil {
		return nil, err
	}
	nLogged := 0
	for _, n := range logged {
		nLogged += n
	}
	warmed := len(readKinds) // warm's requests, logged but not recorded
	if nLogged-warmed != nAnswered {
		r.violate(fmt.Sprintf("the service logged %d answered /graphql requests, the clients received %d", nLogged-warmed, nAnswered))
	}
	r.figure("SIGTERM → process exited", "%s (grace %s), exit status 0: %v", round(exitAfter), c.grace, s.waitErr == nil)
	r.figure("connections to the service at SIGTERM", "%d", inFlight.ClientConns)
	r.figure("requests", "%d answered (service's access log: %d), %d refused at connect, %d closed idle before the service read them, %d lost or hung",
		nAnswered, nLogged-warmed, refused, closedIdle, lost)

	// A new service: the writes left in doubt are sent again with their keys, then every
	// acknowledged write is read back.
	s2, err := h.newService("shutdown-after")
	if err != nil {
		return nil, err
	}
	defer s2.stop()
	if err := h.collect(ctx, r, l, s2); err != nil {
		return nil, err
	}
	r.After = h.sample(s2)
	h.logs(r, s)
	return r, nil
}

func printResult(r *runResult, took time.Duration) {
	total := 0
	for _, n := range r.ByLabel {
		total += n
	}
	fmt.Printf("   %s: %d requests in %s (run took %s): %s\n", r.Name, total, round(r.Load), round(took), labels(r.ByLabel))
	for _, k := range r.Kinds {
		fmt.Printf("   %-20s n=%-6d ok=%-6d p50=%-10s p99=%s\n", k.Kind, k.N, k.OK, round(k.P50), round(k.P99))
	}
	fmt.Printf("   service: RSS %d→%d (peak %d) MiB, goroutines %d→%d (peak %d), threads %d→%d (peak %d), bolt conns %d→%d (peak %d), fds %d→%d\n",
		r.Before.RSSKB>>10, r.After.RSSKB>>10, r.Peak.RSSKB>>10, r.Before.Goroutines, r.After.Goroutines, r.Peak.Goroutines,
		r.Before.Threads, r.After.Threads, r.Peak.Threads,
		r.Before.BoltConns, r.After.BoltConns, r.Peak.BoltConns, r.Before.FDs, r.After.FDs)
	if r.GoroutineControl[1] > 0 {
		fmt.Printf("   goroutine check: baseline + %d allowed; control: %d of %d planted excesses found\n", r.GoroutineMargin, r.GoroutineControl[0], r.GoroutineControl[1])
	}
	if r.Ledger != nil {
		fmt.Printf("   writes: %d acknowledged, %d retries, %d answered only on a retry, %d in doubt\n", r.Ledger.Acked, r.Ledger.Retries, r.Ledger.Resolved, r.Ledger.Pending)
	}
	if r.Verify != nil {
		fmt.Printf("   read back: %d entities, %d relationships, %d missing; control: %d of %d planted found\n",
			r.Verify.Entities, r.Verify.Relationships, len(r.Verify.Missing), r.Verify.ControlCaught, r.Verify.ControlPlanted)
	}
	for _, f := range r.Figures {
		fmt.Printf("   %s: %s\n", f[0], f[1])
	}
	if r.LogLevels != nil {
		fmt.Printf("   service log lines by level: %v\n", r.LogLevels)
	}
}

// environment is what the report states about the machine and the software.
type environment struct {
	Date, Machine, Memory, Go, Neo4j, Commit string
	CPUs                                     int
}

func describe(c *config) *environment {
	e := &environment{Date: time.Now().UTC().Format("2006-01-02 15:04 MST"), Go: runtime.Version(), CPUs: runtime.NumCPU()}
	e.Machine, e.Memory = machine.Describe()
	if b, err := os.ReadFile(filepath.Join(filepath.Dir(c.script), "..", "tools", "neo4j", "pom.xml")); err == nil {
		s := string(b)
		if i := strings.Index(s, "<neo4j.version>"); i >= 0 {
			s = s[i+len("<neo4j.version>"):]
			if j := strings.Index(s, "<"); j >= 0 {
				e.Neo4j = "Neo4j " + s[:j] + " Community"
			}
		}
	}
	if out, err := exec.Command("git", "rev-parse", "--short", "HEAD").Output(); err == nil {
		e.Commit = strings.TrimSpace(string(out))
	}
	return e
}
