package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The connection limits of `serve` (read_header_timeout, read_timeout, idle_timeout,
// max_header_bytes) are the http.Server's; these tests start the real command with one of them
// small and everything else large, and watch a raw connection. Each has its control: the same
// connection to the same command with that limit large (largeLimits), which is not cut.
const (
	smallTimeout = 300 * time.Millisecond
	// cutBound bounds the wait for a cut that a small limit must make: far longer than the limit,
	// so only a limit that is not enforced reaches it.
	cutBound = 30 * time.Second
	// controlWait is how long a control connection sits idle to show that it is not cut: several
	// times smallTimeout, and far below the large limits.
	controlWait = 3 * time.Second
	// trickleEvery paces a client that sends its request a byte at a time.
	trickleEvery = 10 * time.Millisecond
)

// largeLimits are the limits of the control server: far above anything the tests wait for.
var largeLimits = []string{"--read_header_timeout=10m", "--read_timeout=10m", "--idle_timeout=10m", "--max_header_bytes=131072"}

// serveWith starts `incidentgraph serve` with the large limits and then args (a flag given
// again overrides), waits until it is ready, and stops it when the test ends.
func serveWith(t *testing.T, args ...string) string {
	t.Helper()
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	errOut := &lockedBuffer{}
	getenv := env(t, map[string]string{"HTTP_ADDR": addr})
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append(append([]string{"serve"}, largeLimits...), args...), getenv, io.Discard, errOut)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve %v: %v\n%s", args, err, errOut.String())
		}
	})
	waitReady(t, addr, done)
	return addr
}

func dial(t *testing.T, addr string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	must(t, err)
	t.Cleanup(func() { conn.Close() })
	return conn
}

// trickle writes data to conn one byte every trickleEvery, until all is sent, a write fails (the
// server closed the connection) or the test ends. sent waits for it to stop and returns the
// failed write's error, nil if all was sent.
func trickle(t *testing.T, conn net.Conn, data string) (sent func() error) {
	stop, done := make(chan struct{}), make(chan struct{})
	var err error
	go func() {
		defer close(done)
		tick := time.NewTicker(trickleEvery)
		defer tick.Stop()
		for i := range len(data) {
			select {
			case <-stop:
				err = errors.New("stopped by the test's end")
				return
			case <-tick.C:
			}
			if _, err = conn.Write([]byte{data[i]}); err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		close(stop)
		<-done
	})
	return func() error {
		<-done
		return err
	}
}

// readUntilClosed reads conn until the server closes it and returns what came before; open is
// true when the bound passed with the connection still open.
func readUntilClosed(t *testing.T, conn net.Conn, bound time.Duration) (got string, open bool) {
	t.Helper()
	must(t, conn.SetReadDeadline(time.Now().Add(bound)))
	b, err := io.ReadAll(conn)
	var ne net.Error
	switch {
	case err == nil: // EOF: closed
	case errors.As(err, &ne) && ne.Timeout():
		return string(b), true
	case errors.Is(err, net.ErrClosed):
		t.Fatalf("the test closed its own connection: %v", err)
	default: // reset by the server: closed too
	}
	return string(b), false
}

// readResponse reads one HTTP response from br within cutBound.
func readResponse(t *testing.T, conn net.Conn, br *bufio.Reader) (*http.Response, string) {
	t.Helper()
	must(t, conn.SetReadDeadline(time.Now().Add(cutBound)))
	resp, err := http.ReadResponse(br, nil)
	must(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	must(t, err)
	return resp, string(b)
}

// slowHeaders is a request whose header block takes about 2 s to send a byte at a time.
func slowHeaders(addr string) string {
	return fmt.Sprintf("GET /healthz HTTP/1.1\r\nHost: %s\r\nX-Padding: %s\r\n\r\n", addr, strings.Repeat("p", 150))
}

// TestServeEnforcesReadHeaderTimeout: a client that sends its headers a byte at a time is cut
// off after read_header_timeout, unanswered; with the limit large (control), the same headers
// are read in full and answered 200.
func TestServeEnforcesReadHeaderTimeout(t *testing.T) {
	small := serveWith(t, "--read_header_timeout="+smallTimeout.String())
	large := serveWith(t)

	conn := dial(t, small)
	start := time.Now()
	sent := trickle(t, conn, slowHeaders(small))
	got, open := readUntilClosed(t, conn, cutBound)
	if open {
		t.Fatalf("read_header_timeout %s: still open after %s", smallTimeout, cutBound)
	}
	took := time.Since(start)
	// net/http closes the connection unanswered, or with a plain 400 of its own when the
	// deadline strikes inside a header line; either way the request never reaches the service,
	// whose every answer carries a Request-Id.
	if got != "" && (!strings.HasPrefix(got, "HTTP/1.1 400 ") || strings.Contains(got, "Request-Id")) {
		t.Errorf("the cut connection was answered: %q", got)
	}
	if took < smallTimeout {
		t.Errorf("cut after %s, before read_header_timeout %s", took, smallTimeout)
	}
	if err := sent(); err == nil {
		t.Errorf("the whole header block was sent before the cut")
	}
	t.Logf("read_header_timeout %s: cut after %s, answered %q", smallTimeout, took.Round(time.Millisecond), firstLine(got))

	// Control: the same headers to the server with the limit large are answered.
	conn = dial(t, large)
	sent = trickle(t, conn, slowHeaders(large))
	resp, body := readResponse(t, conn, bufio.NewReader(conn))
	if resp.StatusCode != http.StatusOK {
		t.Errorf("control: status %d, %s", resp.StatusCode, body)
	}
	must(t, sent())
}

// TestServeEnforcesReadTimeout: a body that trickles in a byte at a time, though it never stops,
// is cut off after read_timeout and never runs; with the limit large (control), the same body is
// read in full and answered 200.
func TestServeEnforcesReadTimeout(t *testing.T) {
	small := serveWith(t, "--read_timeout="+smallTimeout.String())
	large := serveWith(t)
	body := `{"query":"{ __typename }"` + strings.Repeat(" ", 150) + `}` // about 2 s a byte at a time
	head := func(addr string) string {
		return fmt.Sprintf("POST /graphql HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", addr, len(body))
	}

	conn := dial(t, small)
	start := time.Now()
	_, err := io.WriteString(conn, head(small))
	must(t, err)
	sent := trickle(t, conn, body)
	got, open := readUntilClosed(t, conn, cutBound)
	if open {
		t.Fatalf("read_timeout %s: still open after %s", smallTimeout, cutBound)
	}
	took := time.Since(start)
	// The handler sees its body cut short and may answer that before the connection closes.
	if got != "" && (!strings.HasPrefix(got, "HTTP/1.1 400 ") || !strings.Contains(got, `"BAD_REQUEST"`)) {
		t.Errorf("the cut request was answered %q; want nothing or 400 BAD_REQUEST", got)
	}
	if strings.Contains(got, "__typename") {
		t.Errorf("the cut request ran: %q", got)
	}
	if took < smallTimeout {
		t.Errorf("cut after %s, before read_timeout %s", took, smallTimeout)
	}
	if err := sent(); err == nil {
		t.Errorf("the whole body was sent before the cut")
	}
	t.Logf("read_timeout %s: cut after %s, answered %q", smallTimeout, took.Round(time.Millisecond), firstLine(got))

	// Control: the same trickle to the server with the limit large is read and runs.
	conn = dial(t, large)
	_, err = io.WriteString(conn, head(large))
	must(t, err)
	sent = trickle(t, conn, body)
	resp, answer := readResponse(t, conn, bufio.NewReader(conn))
	if resp.StatusCode != http.StatusOK || !strings.Contains(answer, `"__typename":"Query"`) {
		t.Errorf("control: status %d, %s", resp.StatusCode, answer)
	}
	must(t, sent())
}

// TestServeEnforcesIdleTimeout: a keep-alive connection left idle after its answer is closed by
// the server after idle_timeout; with the limit large (control), the same connection is still
// open after controlWait and answers a second request.
func TestServeEnforcesIdleTimeout(t *testing.T) {
	small := serveWith(t, "--idle_timeout="+smallTimeout.String())
	large := serveWith(t)
	// ask sends one keep-alive request on conn and reads its answer.
	ask := func(conn net.Conn, br *bufio.Reader, addr string) {
		t.Helper()
		_, err := fmt.Fprintf(conn, "GET /healthz HTTP/1.1\r\nHost: %s\r\n\r\n", addr)
		must(t, err)
		if resp, body := readResponse(t, conn, br); resp.StatusCode != http.StatusOK || resp.Close {
			t.Fatalf("status %d, close %v: %s", resp.StatusCode, resp.Close, body)
		}
	}

	conn := dial(t, small)
	br := bufio.NewReader(conn)
	ask(conn, br, small)
	idle := time.Now()
	must(t, conn.SetReadDeadline(time.Now().Add(cutBound)))
	got, err := io.ReadAll(br)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("idle_timeout %s: still open after %s", smallTimeout, cutBound)
	}
	took := time.Since(idle)
	if len(got) != 0 {
		t.Errorf("the idle connection was sent %q", got)
	}
	if took < smallTimeout {
		t.Errorf("closed after %s idle, before idle_timeout %s", took, smallTimeout)
	}
	t.Logf("idle_timeout %s: closed after %s idle", smallTimeout, took.Round(time.Millisecond))

	// Control: with the limit large the connection outlives controlWait and serves again.
	conn = dial(t, large)
	br = bufio.NewReader(conn)
	ask(conn, br, large)
	must(t, conn.SetReadDeadline(time.Now().Add(controlWait)))
	if _, err := br.Peek(1); !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("control: the idle connection ended within %s: %v", controlWait, err)
	}
	ask(conn, br, large)
}

// TestServeEnforcesMaxHeaderBytes: headers over max_header_bytes get 431 and nothing runs; with
// the limit large (control), the same request is answered 200. net/http reads up to 4 KiB past
// the limit before refusing, so the header sent is well over both.
func TestServeEnforcesMaxHeaderBytes(t *testing.T) {
	const limit = 4096
	small := serveWith(t, fmt.Sprintf("--max_header_bytes=%d", limit))
	large := serveWith(t)
	send := func(addr string) (int, string) {
		req, err := http.NewRequest(http.MethodPost, "http://"+addr+"/graphql", strings.NewReader(`{"query":"{ __typename }"}`))
		must(t, err)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Padding", strings.Repeat("p", 3*limit))
		resp, err := http.DefaultClient.Do(req)
		must(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if status, body := send(small); status != http.StatusRequestHeaderFieldsTooLarge || strings.Contains(body, "__typename") {
		t.Errorf("max_header_bytes %d, a %d-byte header: status %d, %q; want 431", limit, 3*limit, status, body)
	}
	if status, body := send(large); status != http.StatusOK || !strings.Contains(body, `"__typename":"Query"`) {
		t.Errorf("control: status %d, %s", status, body)
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\r\n")
	return line
}
