package main

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/incidentgraph/incidentgraph/server"
)

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// TestServeLimitsFromFlagsOverEnvironment: the built-in default, then the environment, then the
// flag, for each kind of limit; a mistyped variable or contradictory limits stop the start.
func TestServeLimitsFromFlagsOverEnvironment(t *testing.T) {
	def, err := parse("serve", nil, envOf(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want := server.DefaultConfig()
	if def.limits.server.MaxDepth != want.MaxDepth || def.limits.server.MaxBodyBytes != want.MaxBodyBytes ||
		!def.limits.server.Introspection || def.limits.maxHeaderBytes != 128<<10 || def.neo4j.QueryTimeout != 10*time.Second {
		t.Errorf("defaults: %+v", def.limits)
	}
	env := envOf(map[string]string{
		"MAX_DEPTH": "7", "MAX_BODY_BYTES": "2048", "RATE_PER_ADDRESS": "2.5", "INTROSPECTION": "false",
		"READ_HEADER_TIMEOUT": "3s", "QUERY_TIMEOUT": "4s", "MAX_IN_FLIGHT": "9", "SHUTDOWN_GRACE": "20s",
		"ANALYSIS_TURNS": "3",
	})
	fromEnv, err := parse("serve", nil, env, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	s := fromEnv.limits.server
	if s.MaxDepth != 7 || s.MaxBodyBytes != 2048 || s.RatePerAddress != 2.5 || s.Introspection || s.MaxInFlight != 9 ||
		s.Centralities != 3 || fromEnv.neo4j.Scorings != 3 ||
		fromEnv.limits.readHeaderTimeout != 3*time.Second || fromEnv.neo4j.QueryTimeout != 4*time.Second || fromEnv.shutdownGrace != 20*time.Second {
		t.Errorf("from the environment: %+v", fromEnv.limits)
	}
	flags, err := parse("serve", []string{"--max_depth=8", "--max_body_bytes=4096", "--rate_per_address=0", "--introspection=true",
		"--read_header_timeout=5s", "--query_timeout=6s", "--max_in_flight=0", "--field_suggestions=false"}, env, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	s = flags.limits.server
	if s.MaxDepth != 8 || s.MaxBodyBytes != 4096 || s.RatePerAddress != 0 || !s.Introspection || s.MaxInFlight != 0 || s.FieldSuggestions ||
		flags.limits.readHeaderTimeout != 5*time.Second || flags.neo4j.QueryTimeout != 6*time.Second {
		t.Errorf("flags over the environment: %+v", flags.limits)
	}
	for _, tc := range []struct {
		env  map[string]string
		args []string
		want string
	}{
		{map[string]string{"MAX_DEPTH": "deep"}, nil, `MAX_DEPTH "deep"`},
		{map[string]string{"REQUEST_TIMEOUT": "15"}, nil, `REQUEST_TIMEOUT "15"`},
		{map[string]string{"FAIL_FAST": "maybe"}, nil, `FAIL_FAST "maybe"`},
		{map[string]string{"ANALYSIS_TURNS": "-2"}, nil, `ANALYSIS_TURNS "-2"`},
		{map[string]string{"RATE_PER_TOKEN": "-1"}, nil, `RATE_PER_TOKEN "-1"`},
		{nil, []string{"--write_timeout=10s"}, "must exceed request_timeout"},
		{nil, []string{"--query_timeout=1m"}, "must not exceed request_timeout"},
		{nil, []string{"--request_timeout=-1s"}, "must not be negative"},
		{nil, []string{"--request_timeout=0"}, "needs write_timeout 0 too"},
		{nil, []string{"--max_body_bytes=0"}, "must be above 0"},
		{nil, []string{"--analysis_turns=-1"}, "analysis_turns -1 must not be negative"},
	} {
		if _, err := parse("serve", tc.args, envOf(tc.env), io.Discard); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("env %v, args %v: error %v, want one with %q", tc.env, tc.args, err, tc.want)
		}
	}
	// Other commands take no serve limits: the flag is unknown to them.
	if _, err := parse("seed", []string{"--max_depth=3"}, envOf(nil), io.Discard); err == nil {
		t.Error("seed accepted --max_depth")
	}
}

// TestWarmTimeoutFromFlagOverEnvironment: the plan-cache warm-up's bound comes from the default,
// then WARM_TIMEOUT, then --warm_timeout; 0 turns it off.
func TestWarmTimeoutFromFlagOverEnvironment(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		args []string
		want time.Duration
	}{
		{nil, nil, server.DefaultConfig().WarmTimeout},
		{map[string]string{"WARM_TIMEOUT": "3s"}, nil, 3 * time.Second},
		{map[string]string{"WARM_TIMEOUT": "3s"}, []string{"--warm_timeout=0"}, 0},
	} {
		c, err := parse("serve", tc.args, envOf(tc.env), io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.limits.server.WarmTimeout; got != tc.want {
			t.Errorf("env %v, flags %v: warm timeout %v, want %v", tc.env, tc.args, got, tc.want)
		}
	}
	if server.DefaultConfig().WarmTimeout <= 0 {
		t.Error("the warm-up is off by default")
	}
}
