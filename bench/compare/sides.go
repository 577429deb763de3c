package main

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// The Cypher the floor runs and the Library's @cypher fields hold: one copy, read by both.
//
//go:embed queries/*.cypher
var queryFiles embed.FS

func mustQuery(name string) string {
	b, err := queryFiles.ReadFile("queries/" + name + ".cypher")
	if err != nil {
		panic(err)
	}
	return string(b)
}

// side is one way of answering: a GraphQL server over HTTP, or the Go driver (the floor).
type side struct {
	Name string
	// HTTP sides
	URL    string
	cmd    *exec.Cmd
	logf   *os.File
	exited chan error
	// identity asks for answers uncompressed (Accept-Encoding: identity); by default the
	// client accepts gzip, as Go's transport and browsers do.
	identity bool
	// the floor
	db driver.DriverWithContext
}

const (
	sideOurs    = "ours"
	sideLibrary = "library"
	sideFloor   = "floor"
)

// freePort asks the kernel for a loopback port nobody uses.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// startProcess starts a server, its output in logPath, and waits until url answers a GraphQL
// request (or the process dies, or timeout passes).
func startProcess(name, url, logPath string, cmd *exec.Cmd, timeout time.Duration) (*side, error) {
	f, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // its own group: stopped as one
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	exited := make(chan error, 1)
	s := &side{Name: name, URL: url, cmd: cmd, logf: f, exited: exited}
	go func() { exited <- cmd.Wait() }()
	deadline := time.Now().Add(timeout)
	for {
		if _, err := s.post(context.Background(), typenameQuery, nil, ""); err == nil {
			return s, nil
		}
		select {
		case err := <-exited:
			return nil, fmt.Errorf("%s exited before answering (%v); its log: %s", name, err, logPath)
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, fmt.Errorf("%s did not answer at %s within %s; its log: %s", name, url, timeout, logPath)
		}
	}
}

func (s *side) stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-s.exited:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
			<-s.exited
		}
	}
	if s.logf != nil {
		s.logf.Close()
	}
	if s.db != nil {
		s.db.Close(context.Background())
	}
}

// pid is the server process's id, for its memory and CPU; 0 for the floor.
func (s *side) pid() int {
	if s.cmd == nil || s.cmd.Process == nil {
		return 0
	}
	return s.cmd.Process.Pid
}

type gqlResponse struct {
	Data   map[string]any    `json:"data"`
	Errors []json.RawMessage `json:"errors"`
}

func gqlBody(query string, vars map[string]any) []byte {
	b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return b
}

// post asks one GraphQL question (with a bearer token, if not empty) and returns its data, or an error for a transport failure,
// an HTTP error or GraphQL errors.
func (s *side) post(ctx context.Context, query string, vars map[string]any, token string) (map[string]any, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL, bytes.NewReader(gqlBody(query, vars)))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	var r gqlResponse
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("HTTP %d: %.300s", resp.StatusCode, body)
	}
	if resp.StatusCode != http.StatusOK || len(r.Errors) > 0 {
		return nil, fmt.Errorf("HTTP %d: %.500s", resp.StatusCode, body)
	}
	return r.Data, nil
}

// floorRun runs a question's statements through the driver in one read transaction (a managed
// transaction, as the service's own reads) and returns each statement's records as maps. Nodes
// become their properties.
func (s *side) floorRun(ctx context.Context, stmts []floorStatement) ([][]map[string]any, error) {
	sess := s.db.NewSession(ctx, driver.SessionConfig{AccessMode: driver.AccessModeRead})
	defer sess.Close(ctx)
	out, err := sess.ExecuteRead(ctx, func(tx driver.ManagedTransaction) (any, error) {
		var all [][]map[string]any
		for _, st := range stmts {
			res, err := tx.Run(ctx, st.Cypher, st.Params)
			if err != nil {
				return nil, err
			}
			recs, err := res.Collect(ctx)
			if err != nil {
				return nil, err
			}
			rows := make([]map[string]any, len(recs))
			for i, r := range recs {
				m := r.AsMap()
				for k, v := range m {
					if n, ok := v.(driver.Node); ok {
						m[k] = n.Props
					}
				}
				rows[i] = m
			}
			all = append(all, rows)
		}
		return all, nil
	})
	if err != nil {
		return nil, err
	}
	return out.([][]map[string]any), nil
}

// ask asks a question once on a side and returns its normalised answer.
func ask(ctx context.Context, s *side, q question) (string, error) {
	switch s.Name {
	case sideFloor:
		rs, err := s.floorRun(ctx, q.Floor)
		if err != nil {
			return "", err
		}
		return q.FloorNorm(rs)
	case sideOurs:
		d, err := s.post(ctx, q.OursQuery, q.OursVars, "")
		if err != nil {
			return "", err
		}
		return q.OursNorm(d)
	default:
		d, err := s.post(ctx, q.LibQuery, q.LibVars, "")
		if err != nil {
			return "", err
		}
		return q.LibNorm(d)
	}
}

// work is what one cell sends: for the HTTP sides the requests, for the floor the questions,
// each sent in turn (request i is the (i mod n)-th, whichever client sends it). A side with
// nothing to send is not measured in the cell.
type work struct {
	Name          string
	Ours, Library []vegeta.Target
	Floor         []question
}

func gqlTarget(url, query string, vars map[string]any, token string) vegeta.Target {
	t := vegeta.Target{Method: http.MethodPost, URL: url, Body: gqlBody(query, vars),
		Header: http.Header{"Content-Type": []string{"application/json"}}}
	if token != "" {
		t.Header.Set("Authorization", "Bearer "+token)
	}
	return t
}

// questionWork is one question asked over and over on each side.
func questionWork(q question, ours, library *side) work {
	return work{Name: q.Name,
		Ours:    []vegeta.Target{gqlTarget(ours.URL, q.OursQuery, q.OursVars, "")},
		Library: []vegeta.Target{gqlTarget(library.URL, q.LibQuery, q.LibVars, "")},
		Floor:   []question{q}}
}

// has says whether the cell sends anything to side s.
func (w work) has(s *side) bool {
	switch s.Name {
	case sideOurs:
		return len(w.Ours) > 0
	case sideLibrary:
		return len(w.Library) > 0
	}
	return len(w.Floor) > 0
}

// floorAsk runs a question's statements and the Go work the floor does on their records.
func (s *side) floorAsk(ctx context.Context, q question) error {
	rs, err := s.floorRun(ctx, q.Floor)
	if err == nil && q.FloorClient != nil {
		_, err = q.FloorClient(rs)
	}
	return err
}

// load drives one side with c concurrent clients for d and returns vegeta's metrics. HTTP sides
// get vegeta's attacker at an unbounded rate with exactly c workers: each worker sends its next
// request when the last one answered (a closed loop, like c users). The floor has no HTTP: c
// goroutines run the Cypher in the same closed loop, and the results go into the same metrics.
func load(ctx context.Context, s *side, w work, c int, d time.Duration) *vegeta.Metrics {
	m := &vegeta.Metrics{}
	if s.Name == sideFloor {
		results := make(chan *vegeta.Result)
		var wg sync.WaitGroup
		var next atomic.Uint64
		end := time.Now().Add(d)
		for range c {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for time.Now().Before(end) {
					q := w.Floor[(next.Add(1)-1)%uint64(len(w.Floor))]
					start := time.Now()
					err := s.floorAsk(ctx, q)
					r := &vegeta.Result{Attack: w.Name, Timestamp: start, Latency: time.Since(start), Code: 200}
					if err != nil {
						r.Code, r.Error = 0, err.Error()
					}
					results <- r
				}
			}()
		}
		go func() { wg.Wait(); close(results) }()
		for r := range results {
			m.Add(r)
		}
		m.Close()
		return m
	}
	tgts := w.Ours
	if s.Name == sideLibrary {
		tgts = w.Library
	}
	tgts = slices.Clone(tgts)
	for i := range tgts {
		tgts[i].Header = tgts[i].Header.Clone()
		if s.identity {
			tgts[i].Header.Set("Accept-Encoding", "identity")
		}
	}
	atk := vegeta.NewAttacker(vegeta.Workers(uint64(c)), vegeta.MaxWorkers(uint64(c)),
		vegeta.Connections(c), vegeta.KeepAlive(true), vegeta.Timeout(30*time.Second))
	// The static targeter hands out its targets in turn, one per request.
	for r := range atk.Attack(vegeta.NewStaticTargeter(tgts...), vegeta.Rate{Freq: 0}, d, w.Name) {
		// A GraphQL error answers HTTP 200: count it as the error it is.
		if r.Error == "" && bytes.Contains(r.Body, []byte(`"errors"`)) {
			r.Error = "GraphQL errors: " + strings.TrimSpace(string(r.Body[:min(len(r.Body), 200)]))
		}
		r.Body = nil
		m.Add(r)
	}
	m.Close()
	return m
}

// procUsage is a server's resident memory and CPU time so far, from /proc.
type procUsage struct {
	RSSKB, PeakKB int64
	CPUSecs       float64
}

// clockTicks is USER_HZ, the unit of /proc/PID/stat's times: 100 on every Linux platform Go
// supports (the kernel fixes it for user space whatever its internal HZ).
const clockTicks = 100

func readProc(pid int) (procUsage, error) {
	var u procUsage
	if pid == 0 {
		return u, nil
	}
	status, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		return u, err
	}
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			u.RSSKB, _ = strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		}
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			u.PeakKB, _ = strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		}
	}
	stat, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		return u, err
	}
	// The command name (field 2) may hold spaces; the fields after its closing parenthesis are
	// state (3) … utime (14), stime (15).
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return u, errors.New("unreadable /proc stat")
	}
	f := strings.Fields(string(stat[i+1:]))
	if len(f) < 13 {
		return u, errors.New("short /proc stat")
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	u.CPUSecs = float64(ut+st) / clockTicks
	return u, nil
}
