package main

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// The harness's oracle for answers: only coded 503s may be 5xx, INTERNAL and non-GraphQL bodies
// never pass; each rule is shown to pass the acceptable answer beside it.
func TestOutcomeViolation(t *testing.T) {
	for _, c := range []struct {
		o   outcome
		bad bool
	}{
		{outcome{Status: 200, Code: codeOK}, false},
		{outcome{Status: 503, Code: "OVERLOADED"}, false},
		{outcome{Status: 503, Code: "UNAVAILABLE"}, false},
		{outcome{Status: 200, Code: "TIMEOUT"}, false},
		{outcome{Status: 429, Code: "RATE_LIMITED"}, false},
		{outcome{Status: 0, Code: classRefused}, false}, // judged by the run
		{outcome{Status: 503, Code: "NO_CODE"}, true},
		{outcome{Status: 500, Code: "UNAVAILABLE"}, true},
		{outcome{Status: 502, Code: codeUnreadable}, true},
		{outcome{Status: 200, Code: "INTERNAL"}, true},
		{outcome{Status: 0, Code: classHung}, true},
	} {
		if got := c.o.violation() != ""; got != c.bad {
			t.Errorf("%s: violation %v, want %v", c.o.label(), got, c.bad)
		}
	}
}

// The client's classes, against real sockets: an answer is parsed, a closed port is refused at
// connect, a server that never answers is hung after the deadline, and one that drops the
// connection after reading the request is a loss.
func TestClientClasses(t *testing.T) {
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(503)
		_, _ = w.Write([]byte(`{"errors":[{"message":"busy","extensions":{"code":"OVERLOADED"}}]}`))
	}))
	defer ok.Close()
	release := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer hang.Close()
	defer close(release)
	drop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	}))
	defer drop.Close()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String()
	l.Close()

	ctx := context.Background()
	for _, c := range []struct {
		base, want string
		status     int
	}{
		{ok.URL, "OVERLOADED", 503},
		{closed, classRefused, 0},
		{hang.URL, classHung, 0},
		{drop.URL, classLost, 0},
	} {
		cl := newClient(c.base, 1, 300*time.Millisecond)
		o := cl.do(ctx, "entity", "", qEntity, map[string]any{"id": "x"})
		cl.close()
		if o.Code != c.want || o.Status != c.status {
			t.Errorf("%s: got %s (%s), want %d %s", c.base, o.label(), o.Message, c.status, c.want)
		}
		if c.want == "OVERLOADED" && !o.RetryAfter {
			t.Errorf("Retry-After not seen")
		}
	}
}
