package main

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"strings"
	"testing"
)

// metricsLogLines serves with METRICS_ADDR=addr until it is ready, stops it, and returns its
// JSON log lines about the metrics listener.
func metricsLogLines(t *testing.T, metricsAddr string) []map[string]any {
	t.Helper()
	addr := freeAddr(t)
	logs := &lockedBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve"}, env(t, map[string]string{"HTTP_ADDR": addr, "METRICS_ADDR": metricsAddr, "LOG_LEVEL": "info"}), io.Discard, logs)
	}()
	waitReady(t, addr, done)
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve with METRICS_ADDR=%s: %v", metricsAddr, err)
	}
	var lines []map[string]any
	for _, line := range strings.Split(logs.String(), "\n") {
		var l map[string]any
		if json.Unmarshal([]byte(line), &l) != nil {
			continue
		}
		if msg, _ := l["message"].(string); strings.Contains(msg, "metrics") {
			lines = append(lines, l)
		}
	}
	return lines
}

// TestMetricsAddrBeyondLoopbackIsWarnedAbout: the README's "the service warns at start when it
// is not loopback". METRICS_ADDR=:0 (every interface, the usual slip) logs one warn line naming
// the address it listens on; loopback addresses, IPv4 and IPv6, log none. Control: each start
// logged its "serving metrics" line, so a missing warning is not missing logs.
func TestMetricsAddrBeyondLoopbackIsWarnedAbout(t *testing.T) {
	for _, c := range []struct {
		addr string
		warn bool
	}{
		{":0", true},
		{"127.0.0.1:0", false},
		{"[::1]:0", false},
	} {
		var warnings []map[string]any
		serving := false
		for _, l := range metricsLogLines(t, c.addr) {
			msg, _ := l["message"].(string)
			switch {
			case l["level"] == "warn":
				warnings = append(warnings, l)
			case l["level"] == "info" && msg == "serving metrics":
				serving = true
			}
		}
		if !serving {
			t.Errorf("METRICS_ADDR=%s: control: no \"serving metrics\" line was logged", c.addr)
		}
		if !c.warn {
			if len(warnings) != 0 {
				t.Errorf("METRICS_ADDR=%s (loopback): warned %v", c.addr, warnings)
			}
			continue
		}
		if len(warnings) != 1 {
			t.Fatalf("METRICS_ADDR=%s: %d warnings about the metrics listener, want 1: %v", c.addr, len(warnings), warnings)
		}
		w := warnings[0]
		if msg, _ := w["message"].(string); !strings.Contains(msg, "without authentication beyond loopback") {
			t.Errorf("METRICS_ADDR=%s: warning %q does not say why", c.addr, msg)
		}
		listened, _ := w["addr"].(string)
		host, port, err := net.SplitHostPort(listened)
		if err != nil || port == "0" || (host != "::" && host != "0.0.0.0") {
			t.Errorf("METRICS_ADDR=%s: the warning names %q, want the wildcard address it listened on", c.addr, listened)
		}
	}
}
