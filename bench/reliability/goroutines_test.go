package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/incidentgraph/incidentgraph/server"
)

// The goroutine count comes from the service's real metrics handler, and matches the runtime's
// figure closely (the scrape itself adds a few).
func TestGoroutinesFromMetrics(t *testing.T) {
	ms := httptest.NewServer(server.NewMetrics().Handler())
	defer ms.Close()
	s := &service{metricsBase: ms.URL}
	n, err := s.goroutines(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if n < 2 {
		t.Errorf("go_goroutines %d: this test alone runs more", n)
	}
	// Control: where there is no metrics listener, the count is an error, never a zero.
	notFound := httptest.NewServer(http.NotFoundHandler())
	defer notFound.Close()
	if n, err := (&service{metricsBase: notFound.URL}).goroutines(context.Background()); err == nil {
		t.Errorf("no metrics: %d goroutines and no error", n)
	}
}

// The property and its control: back within the margin passes, one over it fails, an unread
// count fails; the control finds the planted excess, and the peak under load when more client
// connections were open than the margin.
func TestGoroutineExcessAndControl(t *testing.T) {
	const margin = 5
	base := procSample{Goroutines: 20}
	for _, c := range []struct {
		after int
		bad   bool
	}{{20, false}, {25, false}, {12, false}, {26, true}, {200, true}, {-1, true}} {
		if got := goroutineExcess(base, procSample{Goroutines: c.after}, margin) != ""; got != c.bad {
			t.Errorf("before 20, after %d: violation %v, want %v", c.after, got, c.bad)
		}
	}
	if goroutineExcess(procSample{Goroutines: -1}, base, margin) == "" {
		t.Error("an unread baseline passed")
	}
	if p, c := goroutineControl(base, procSample{Goroutines: 60, ClientConns: 40}, margin); p != 2 || c != 2 {
		t.Errorf("control under load: %d of %d caught, want 2 of 2", c, p)
	}
	// Few connections under load: only the planted excess is tried.
	if p, c := goroutineControl(base, procSample{Goroutines: 22, ClientConns: 2}, margin); p != 1 || c != 1 {
		t.Errorf("control with 2 connections: %d of %d caught, want 1 of 1", c, p)
	}
	// A count that does not follow the load (a constant, as a broken reading would give) fails
	// the control: under load with 40 connections open it is not over the baseline.
	if p, c := goroutineControl(base, procSample{Goroutines: 20, ClientConns: 40}, margin); c == p {
		t.Errorf("a peak without the connections' goroutines: control %d of %d, want a miss", c, p)
	}
}
