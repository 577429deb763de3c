package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is an output buffer that the server's goroutines and the test may share.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestShutdownDrainsRequestsInFlight holds a request in flight (its body half sent), then stops
// the server as SIGTERM does: new connections are refused at once, the held request is still
// answered in full, and only then does serve return. No sleeps decide anything: the request is
// held by the test's own hand. Negative control: a serve that stops with http.Server.Close
// instead of Shutdown fails the same checks.
func TestShutdownDrainsRequestsInFlight(t *testing.T) {
	if faults := shutdownFaults(t, false); len(faults) > 0 {
		t.Error(strings.Join(faults, "\n"))
	}
	t.Run("negative control: Close instead of Shutdown", func(t *testing.T) {
		faults := shutdownFaults(t, true)
		if len(faults) == 0 {
			t.Error("a serve that drops requests in flight passes the checks")
		}
		t.Logf("the checks catch it: %q", faults)
	})
}

// shutdownFaults serves the seed graph, holds a request in flight, stops serve as SIGTERM does
// (with Close instead of Shutdown when closeOnStop is set), and returns the checks of the
// shutdown that fail.
func shutdownFaults(t *testing.T, closeOnStop bool) []string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, errOut := &lockedBuffer{}, &lockedBuffer{}
	c, err := parse("serve", []string{"--seed", "--shutdown_grace=30s"}, env(t, map[string]string{"HTTP_ADDR": addr, "LOG_LEVEL": "info"}), errOut)
	must(t, err)
	c.closeOnStop = closeOnStop
	logger, err := newLogger(c, errOut)
	must(t, err)
	done := make(chan error, 1)
	go func() { done <- serve(ctx, c, logger, out) }()
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		select {
		case err := <-done:
			t.Fatalf("serve stopped early: %v\n%s", err, errOut.String())
		default:
		}
		if resp, err := http.Get("http://" + addr + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("not ready within a minute:\n%s", errOut.String())
		}
	}

	body := `{"query":"{ entity(id: \"islamic-state\") { id } }"}`
	conn, err := net.Dial("tcp", addr)
	must(t, err)
	defer conn.Close()
	half := len(body) / 2
	// Expect: 100-continue makes the server say when the handler starts reading the body: from
	// then on the request is in flight for certain (before that, the connection may still wait
	// in the listener's backlog, which closing the listener drops).
	_, err = fmt.Fprintf(conn, "POST /graphql HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n", addr, len(body))
	must(t, err)
	br := bufio.NewReader(conn)
	status, err := br.ReadString('\n')
	must(t, err)
	if !strings.HasPrefix(status, "HTTP/1.1 100 ") {
		t.Fatalf("want 100 Continue before the body, got %q", status)
	}
	if blank, err := br.ReadString('\n'); err != nil || blank != "\r\n" {
		t.Fatalf("after 100 Continue: %q %v", blank, err)
	}
	_, err = io.WriteString(conn, body[:half])
	must(t, err)

	var faults []string
	fault := func(format string, args ...any) { faults = append(faults, fmt.Sprintf(format, args...)) }
	cancel() // as SIGTERM does through signal.NotifyContext
	// The listener closes first: poll until a new connection is refused.
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("the server still accepts connections 15 s after the signal")
		}
	}
	returned := false
	select {
	case err := <-done:
		fault("serve returned with a request in flight: %v", err)
		returned = true
	default:
	}

	if _, err := io.WriteString(conn, body[half:]); err != nil {
		fault("the rest of the request in flight: %v", err)
	} else if resp, err := http.ReadResponse(br, nil); err != nil {
		fault("the answer to the request in flight: %v", err)
	} else {
		answer, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(answer), `"id":"islamic-state"`) {
			fault("the request in flight during shutdown: %d %s", resp.StatusCode, answer)
		}
	}
	if !returned {
		select {
		case err := <-done:
			if err != nil {
				fault("shutdown: %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("serve did not return after the last request")
		}
	}
	if !strings.Contains(errOut.String(), "draining requests in flight") {
		fault("log: %s", errOut.String())
	}
	return faults
}
