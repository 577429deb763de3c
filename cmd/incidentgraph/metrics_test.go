package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
)

// TestMetricsAddrFromFlagOverEnvironment: no metrics listener unless told; the flag wins over
// METRICS_ADDR.
func TestMetricsAddrFromFlagOverEnvironment(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{nil, nil, ""},
		{map[string]string{"METRICS_ADDR": "127.0.0.1:9090"}, nil, "127.0.0.1:9090"},
		{map[string]string{"METRICS_ADDR": "127.0.0.1:9090"}, []string{"--metrics_addr=127.0.0.1:9191"}, "127.0.0.1:9191"},
		{map[string]string{"METRICS_ADDR": "127.0.0.1:9090"}, []string{"--metrics_addr="}, ""},
	} {
		c, err := parse("serve", tc.args, envOf(tc.env), io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if c.metricsAddr != tc.want {
			t.Errorf("env %v, flags %v: metrics_addr %q, want %q", tc.env, tc.args, c.metricsAddr, tc.want)
		}
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	defer ln.Close()
	return ln.Addr().String()
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	must(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestServeMetricsOnTheirOwnListener: with METRICS_ADDR the service answers /metrics there,
// with the runtime's goroutines and its own request counts, and only there: the public
// listener has no /metrics, the metrics listener nothing else.
func TestServeMetricsOnTheirOwnListener(t *testing.T) {
	addr, metricsAddr := freeAddr(t), freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	var errOut bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--seed"}, env(t, map[string]string{"HTTP_ADDR": addr, "METRICS_ADDR": metricsAddr}), io.Discard, &errOut)
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	waitReady(t, addr, done)
	status, body := get(t, "http://"+metricsAddr+"/metrics")
	if status != http.StatusOK || !strings.Contains(body, "\ngo_goroutines ") {
		t.Fatalf("GET /metrics on METRICS_ADDR: %d %.300s", status, body)
	}
	// waitReady's /readyz requests are counted by the service it started.
	if !strings.Contains(body, `incidentgraph_http_requests_total{code="none",route="/readyz",status="200"}`) {
		t.Errorf("the readiness checks are not counted:\n%s", body)
	}
	if status, body := get(t, "http://"+addr+"/metrics"); status != http.StatusNotFound || strings.Contains(body, "go_goroutines") {
		t.Errorf("GET /metrics on the public listener: %d %.200s", status, body)
	}
	if status, _ := get(t, "http://"+metricsAddr+"/graphql?query={__typename}"); status != http.StatusNotFound {
		t.Errorf("GET /graphql on the metrics listener: %d, want 404", status)
	}
	// The goroutine stacks, for a request that does not end, on the operators' listener only;
	// this goroutine's own frame (run's caller) must be among them.
	const stacks = "/debug/pprof/goroutine?debug=2"
	if status, body := get(t, "http://"+metricsAddr+stacks); status != http.StatusOK || !strings.Contains(body, "TestServeMetricsOnTheirOwnListener") {
		t.Errorf("GET %s on the metrics listener: %d %.200s", stacks, status, body)
	}
	if status, body := get(t, "http://"+addr+stacks); status == http.StatusOK && strings.Contains(body, "goroutine ") {
		t.Errorf("GET %s on the public listener answered the stacks", stacks)
	}
}
