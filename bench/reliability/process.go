package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// neo4jCtl runs scripts/neo4j.sh for the harness's own database (its home and ports), so that
// the fault run stops and restarts the very process the service talks to.
type neo4jCtl struct {
	script, home, password string
	bolt, http             int
}

func (n *neo4jCtl) uri() string { return fmt.Sprintf("bolt://127.0.0.1:%d", n.bolt) }

func (n *neo4jCtl) run(ctx context.Context, verb string) (string, error) {
	cmd := exec.CommandContext(ctx, n.script, verb)
	cmd.Env = append(os.Environ(), "NEO4J_HOME_DIR="+n.home, "NEO4J_BOLT_PORT="+strconv.Itoa(n.bolt),
		"NEO4J_HTTP_PORT="+strconv.Itoa(n.http), "NEO4J_PASSWORD="+n.password)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("neo4j.sh %s: %w\n%s", verb, err, out)
	}
	return string(out), nil
}

var pidRE = regexp.MustCompile(`\(pid (\d+)`)

// pid is the running server's process id, as neo4j.sh status reports it.
func (n *neo4jCtl) pid(ctx context.Context) (int, error) {
	out, err := n.run(ctx, "status")
	if err != nil {
		return 0, err
	}
	m := pidRE.FindStringSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("neo4j.sh status: no pid in %q", out)
	}
	return strconv.Atoi(m[1])
}

// kill stops the database the hard way (SIGKILL): no clean shutdown, so whatever it
// acknowledged must already be durable.
func (n *neo4jCtl) kill(ctx context.Context) error {
	pid, err := n.pid(ctx)
	if err != nil {
		return err
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		return err
	}
	for range 100 {
		if syscall.Kill(pid, 0) != nil {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("neo4j pid %d survived SIGKILL", pid)
}

// service is one `incidentgraph serve` process.
type service struct {
	cmd         *exec.Cmd
	base        string // http://127.0.0.1:PORT
	metricsBase string // its metrics listener, http://127.0.0.1:PORT
	logPath     string
	logf        *os.File
	exited      chan struct{}
	waitErr     error
	start       time.Time
}

// startService starts the binary with the default limits (only the addresses, the database and
// the log level are set; metricsPort is its metrics listener's, for the goroutine count) and
// waits until /readyz passes.
func startService(bin, logPath string, port, metricsPort int, neo *neo4jCtl, extraEnv ...string) (*service, error) {
	f, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ(), "HTTP_ADDR=127.0.0.1:"+strconv.Itoa(port), "NEO4J_URI="+neo.uri(),
		"NEO4J_USER=neo4j", "NEO4J_PASSWORD="+neo.password, "LOG_LEVEL=info", "LOG_FORMAT=json", "SEED_ON_START=false",
		"METRICS_ADDR=127.0.0.1:"+strconv.Itoa(metricsPort))
	cmd.Env = append(cmd.Env, extraEnv...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, err
	}
	s := &service{cmd: cmd, base: fmt.Sprintf("http://127.0.0.1:%d", port), metricsBase: fmt.Sprintf("http://127.0.0.1:%d", metricsPort), logPath: logPath, logf: f,
		exited: make(chan struct{}), start: time.Now()}
	go func() { s.waitErr = cmd.Wait(); close(s.exited) }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		if s.ready(context.Background()) {
			return s, nil
		}
		select {
		case <-s.exited:
			f.Close()
			return nil, fmt.Errorf("incidentgraph serve exited before it was ready (%v); its log: %s", s.waitErr, logPath)
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, fmt.Errorf("incidentgraph serve not ready within 60 s; its log: %s", logPath)
		}
	}
}

func (s *service) pid() int { return s.cmd.Process.Pid }

func (s *service) alive() bool {
	select {
	case <-s.exited:
		return false
	default:
		return true
	}
}

// ready asks /readyz once, with a short deadline of its own.
func (s *service) ready(ctx context.Context) bool {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.base+"/readyz", nil)
	resp, err := readyClient.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

var readyClient = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}

// stop sends SIGTERM and waits for the exit (SIGKILL after 30 s).
func (s *service) stop() {
	if s.alive() {
		_ = syscall.Kill(s.pid(), syscall.SIGTERM)
		select {
		case <-s.exited:
		case <-time.After(30 * time.Second):
			_ = syscall.Kill(-s.pid(), syscall.SIGKILL)
			<-s.exited
		}
	}
	s.logf.Close()
}

// logLevels counts the service's log lines by level, and returns the first error-level lines.
func (s *service) logLevels() (map[string]int, []string, error) {
	f, err := os.Open(s.logPath)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	levels := map[string]int{}
	var errs []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		line := sc.Bytes()
		lvl := "other"
		if i := bytes.Index(line, []byte(`"level":"`)); i >= 0 {
			rest := line[i+9:]
			if j := bytes.IndexByte(rest, '"'); j > 0 {
				lvl = string(rest[:j])
			}
		}
		levels[lvl]++
		if (lvl == "error" || lvl == "fatal" || lvl == "panic" || lvl == "other") && len(errs) < 5 {
			errs = append(errs, string(line[:min(len(line), 400)]))
		}
	}
	return levels, errs, sc.Err()
}

// accessLogged counts the access-log lines of /graphql: the requests the service read and
// answered, by status.
func (s *service) accessLogged() (map[int]int, error) {
	f, err := os.Open(s.logPath)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[int]int{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	statusRE := regexp.MustCompile(`"status":(\d+)`)
	for sc.Scan() {
		line := sc.Bytes()
		if !bytes.Contains(line, []byte(`"message":"request"`)) || !bytes.Contains(line, []byte(`"path":"/graphql"`)) {
			continue
		}
		if m := statusRE.FindSubmatch(line); m != nil {
			n, _ := strconv.Atoi(string(m[1]))
			out[n]++
		}
	}
	return out, sc.Err()
}

// procSample is what /proc says of a process: resident memory, its peak, threads, open file
// descriptors and its TCP connections, established, to the database's Bolt port and from
// clients; and its goroutines, from its /metrics (-1 where they could not be read).
type procSample struct {
	RSSKB, PeakKB int64
	Threads       int
	Goroutines    int
	FDs           int
	BoltConns     int
	ClientConns   int
}

func readProcSample(pid, boltPort, httpPort int) (procSample, error) {
	var p procSample
	dir := filepath.Join("/proc", strconv.Itoa(pid))
	status, err := os.ReadFile(filepath.Join(dir, "status"))
	if err != nil {
		return p, err
	}
	for _, line := range strings.Split(string(status), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB"))
		switch k {
		case "VmRSS":
			p.RSSKB, _ = strconv.ParseInt(v, 10, 64)
		case "VmHWM":
			p.PeakKB, _ = strconv.ParseInt(v, 10, 64)
		case "Threads":
			p.Threads, _ = strconv.Atoi(v)
		}
	}
	fds, err := os.ReadDir(filepath.Join(dir, "fd"))
	if err != nil {
		return p, err
	}
	p.FDs = len(fds)
	sockets := map[string]bool{}
	for _, fd := range fds {
		if l, err := os.Readlink(filepath.Join(dir, "fd", fd.Name())); err == nil && strings.HasPrefix(l, "socket:[") {
			sockets[strings.TrimSuffix(strings.TrimPrefix(l, "socket:["), "]")] = true
		}
	}
	for _, table := range []string{"tcp", "tcp6"} {
		b, err := os.ReadFile(filepath.Join(dir, "net", table))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n")[1:] {
			f := strings.Fields(line)
			// sl local rem st tx:rx tr:tm retrnsmt uid timeout inode
			if len(f) < 10 || f[3] != "01" || !sockets[f[9]] { // 01: ESTABLISHED
				continue
			}
			switch {
			case hexPort(f[2]) == boltPort:
				p.BoltConns++
			case hexPort(f[1]) == httpPort:
				p.ClientConns++
			}
		}
	}
	return p, nil
}

func hexPort(addr string) int {
	_, port, ok := strings.Cut(addr, ":")
	if !ok {
		return -1
	}
	n, err := strconv.ParseInt(port, 16, 32)
	if err != nil {
		return -1
	}
	return int(n)
}

var errNoSecret = errors.New("no token secret in the output")

// createToken runs `incidentgraph token create` and returns the secret it prints once.
func createToken(ctx context.Context, bin string, neo *neo4jCtl, role, name string) (string, error) {
	cmd := exec.CommandContext(ctx, bin, "token", "create", "--role", role, "--name", name)
	cmd.Env = append(os.Environ(), "NEO4J_URI="+neo.uri(), "NEO4J_USER=neo4j", "NEO4J_PASSWORD="+neo.password, "LOG_LEVEL=warn")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("token create: %w\n%s", err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "igt_") {
			return strings.TrimSpace(line), nil
		}
	}
	return "", fmt.Errorf("token create: %w: %s", errNoSecret, out)
}

// seedGraph loads the seed graph with `incidentgraph seed`.
func seedGraph(ctx context.Context, bin string, neo *neo4jCtl) error {
	cmd := exec.CommandContext(ctx, bin, "seed")
	cmd.Env = append(os.Environ(), "NEO4J_URI="+neo.uri(), "NEO4J_USER=neo4j", "NEO4J_PASSWORD="+neo.password, "LOG_LEVEL=warn")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("seed: %w\n%s", err, out)
	}
	return nil
}
