package main

import (
	"io"
	"testing"
	"time"
)

// TestRequestTimeoutZeroIsNoLimit: request_timeout 0 means no limit, as Config.RequestTimeout
// does, so a query_timeout of any length fits under it, provided write_timeout is 0 as well
// (else an answer slower than write_timeout would be cut off unsent). Controls: with
// write_timeout left at its default, or with a limit shorter than query_timeout, the same
// flags are refused.
func TestRequestTimeoutZeroIsNoLimit(t *testing.T) {
	c, err := parse("serve", []string{"--request_timeout=0", "--write_timeout=0", "--query_timeout=1h"}, envOf(nil), io.Discard)
	if err != nil {
		t.Fatalf("request_timeout 0 with write_timeout 0: %v", err)
	}
	if c.limits.server.RequestTimeout != 0 || c.neo4j.QueryTimeout != time.Hour {
		t.Errorf("request_timeout %v, query_timeout %v; want 0 and 1h", c.limits.server.RequestTimeout, c.neo4j.QueryTimeout)
	}
	for _, args := range [][]string{
		{"--request_timeout=0", "--query_timeout=1h"},
		{"--request_timeout=30m", "--write_timeout=0", "--query_timeout=1h"},
	} {
		if _, err := parse("serve", args, envOf(nil), io.Discard); err == nil {
			t.Errorf("control %v: accepted", args)
		}
	}
}
