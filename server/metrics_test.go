package server_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/rs/zerolog"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/internal/testdb"
	"github.com/incidentgraph/incidentgraph/neo4j"
	"github.com/incidentgraph/incidentgraph/server"
)

// scrape reads /metrics from base and parses it as Prometheus's text format.
func scrape(t *testing.T, base string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET /metrics: %d %q: %.200s", resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("GET /metrics is not the text format: %v", err)
	}
	return fams
}

// value is the value of the series of family name whose labels include want (a counter, a
// gauge, or a histogram's count); 0 when there is no such series, as for a counter not yet
// incremented.
func value(fams map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	f := fams[name]
	if f == nil {
		return 0
	}
	sum := 0.0
next:
	for _, m := range f.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if have[k] != v {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			sum += m.GetCounter().GetValue()
		case m.Gauge != nil:
			sum += m.GetGauge().GetValue()
		case m.Histogram != nil:
			sum += float64(m.GetHistogram().GetSampleCount())
		}
	}
	return sum
}

// moved is the oracle of the counters: the series moved by exactly by between two scrapes.
func moved(before, after map[string]*dto.MetricFamily, name string, labels map[string]string, by float64) error {
	if d := value(after, name, labels) - value(before, name, labels); d != by {
		return fmt.Errorf("%s%v moved by %v, want %v", name, labels, d, by)
	}
	return nil
}

func series(route, status, code string) map[string]string {
	return map[string]string{"route": route, "status": status, "code": code}
}

// metricsServers starts the service over db with metrics counted, and the metrics handler on a
// server of its own, as cmd/incidentgraph serves it; both close when the test ends.
func metricsServers(t *testing.T, db *neo4j.DB) (api, metrics *httptest.Server) {
	t.Helper()
	m := server.NewMetrics()
	svc := services(t, db, db)
	svc.Metrics = m
	api = httptest.NewServer(server.NewServer(zerolog.Nop(), server.DefaultConfig(), svc))
	t.Cleanup(api.Close)
	metrics = httptest.NewServer(m.Handler())
	t.Cleanup(metrics.Close)
	return api, metrics
}

// TestMetricsCountRequestsByRouteAndCode: /metrics, on a listener of its own, answers in the
// text format with the Go runtime's and the process's figures, and the request counters move
// with requests, by route, status and code.
func TestMetricsCountRequestsByRouteAndCode(t *testing.T) {
	db := seededDB(t)
	ts, ms := metricsServers(t, db)
	api := &testServer{Server: ts}

	before := scrape(t, ms.URL)
	for _, name := range []string{"go_goroutines", "go_memstats_heap_alloc_bytes", "process_resident_memory_bytes", "process_open_fds"} {
		if value(before, name, nil) <= 0 {
			t.Errorf("%s: %v, want a positive figure", name, value(before, name, nil))
		}
	}
	if f := before["incidentgraph_neo4j_breaker_open"]; f == nil || value(before, "incidentgraph_neo4j_breaker_open", nil) != 0 {
		t.Errorf("breaker gauge: %v, want present and 0 with Neo4j up", f)
	}

	// Negative control: the oracle catches a counter that does not move. Nothing was asked of
	// the API since the first scrape, so the counter a request would move has not.
	if err := moved(before, scrape(t, ms.URL), "incidentgraph_http_requests_total", series("/graphql", "200", "none"), 1); err == nil {
		t.Fatal("negative control: the oracle passed a counter that did not move")
	}

	var ok struct{ Entity struct{ Name string } }
	mustData(t, api.post(t, `{ entity(id: "islamic-state") { name } }`, nil), &ok)
	if r := api.postRaw(t, "application/json", []byte(`{"query": `)); r.status != http.StatusBadRequest || r.code() != "BAD_REQUEST" {
		t.Fatalf("invalid JSON: %d %s", r.status, r.code())
	}
	if r := api.post(t, `{ entity(id: "islamic-state") { nosuchfield } }`, nil); r.code() != "GRAPHQL_VALIDATION_FAILED" {
		t.Fatalf("invalid query: %d %s", r.status, r.code())
	}
	resp, err := http.Get(ts.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// A gzipped answer with an error: the code is read through the compression. The vocabulary
	// makes the answer larger than gzhttp's 1 KiB minimum; the page size is out of bounds on a
	// field that may be null, so the vocabulary stays in the answer.
	req, _ := http.NewRequest(http.MethodGet, ts.URL+"/graphql?query="+url.QueryEscape(
		`{ relationshipTypes { type description fromKinds toKinds } entity(id: "islamic-state") { relationships(first: 501) { type } } }`), nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err = http.DefaultTransport.RoundTrip(req) // the transport as is: it does not unzip for us
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	gzipped := resp.Header.Get("Content-Encoding") == "gzip"
	if !gzipped {
		t.Logf("the answer with an error: %d, %s, %d bytes", resp.StatusCode, resp.Header, resp.ContentLength)
	}

	after := scrape(t, ms.URL)
	for _, err := range []error{
		moved(before, after, "incidentgraph_http_requests_total", series("/graphql", "200", "none"), 1),
		moved(before, after, "incidentgraph_http_requests_total", series("/graphql", "400", "BAD_REQUEST"), 1),
		moved(before, after, "incidentgraph_http_requests_total", series("/graphql", "200", "GRAPHQL_VALIDATION_FAILED"), 1),
		moved(before, after, "incidentgraph_http_requests_total", series("/healthz", "200", "none"), 1),
		moved(before, after, "incidentgraph_http_requests_total", series("/graphql", "200", incidentgraph.EINVALID), 1),
		moved(before, after, "incidentgraph_http_request_duration_seconds", map[string]string{"route": "/graphql"}, 4),
		moved(before, after, "incidentgraph_http_request_duration_seconds", map[string]string{"route": "/healthz"}, 1),
		// Controls, by family: each request was counted under its own labels and no other.
		// The refusal's status and code stay together (not 200 BAD_REQUEST, nor 400 none), ...
		moved(before, after, "incidentgraph_http_requests_total", series("/graphql", "200", "BAD_REQUEST"), 0),
		moved(before, after, "incidentgraph_http_requests_total", series("/graphql", "400", "none"), 0),
		// ... the health check is not counted as a /graphql request, nor GraphQL's answers
		// under /healthz ...
		moved(before, after, "incidentgraph_http_requests_total", map[string]string{"route": "/healthz", "code": incidentgraph.EINVALID}, 0),
		moved(before, after, "incidentgraph_http_requests_total", map[string]string{"route": "/graphql"}, 4),
		// ... and a route nobody asked moved in neither family.
		moved(before, after, "incidentgraph_http_requests_total", map[string]string{"route": "/export"}, 0),
		moved(before, after, "incidentgraph_http_request_duration_seconds", map[string]string{"route": "/export"}, 0),
		// Refused requests (400, validation) are not shed requests.
		moved(before, after, "incidentgraph_requests_shed_total", nil, 0),
	} {
		if err != nil {
			t.Error(err)
		}
	}
	// Negative control of the histogram's oracle: its count is exact, one off fails.
	if moved(before, after, "incidentgraph_http_request_duration_seconds", map[string]string{"route": "/graphql"}, 5) == nil {
		t.Error("negative control: the oracle passed a histogram count that is one off")
	}
	if !gzipped {
		t.Error("the answer with an error was not gzipped: the code was not read through compression")
	}
	if n := value(after, "incidentgraph_http_requests_in_flight", map[string]string{"route": "/graphql"}); n != 0 {
		t.Errorf("in flight after every answer: %v", n)
	}
	// Nothing that errs opened the breaker: only Neo4j's absence does (TestMetricsShowTheBreaker).
	if v := value(after, "incidentgraph_neo4j_breaker_open", nil); v != 0 {
		t.Errorf("breaker after client errors with Neo4j up: %v, want 0", v)
	}
}

// TestMetricsAreNotOnThePublicListener: the service's own listener has no /metrics, with or
// without metrics being counted; they are served only where the operator puts Handler.
func TestMetricsAreNotOnThePublicListener(t *testing.T) {
	db := seededDB(t)
	for _, counted := range []bool{false, true} {
		svc := services(t, db, db)
		if counted {
			svc.Metrics = server.NewMetrics()
		}
		ts := httptest.NewServer(server.NewServer(zerolog.Nop(), server.DefaultConfig(), svc))
		for _, path := range []string{"/metrics", "/metrics/", "/graphql/metrics"} {
			resp, err := http.Get(ts.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK || strings.Contains(string(b), "go_goroutines") {
				t.Errorf("counted %v: GET %s on the public listener: %d %.200s", counted, path, resp.StatusCode, b)
			}
		}
		ts.Close()
	}
	// Control: the same request to the metrics handler answers, so the check above can fail.
	ms := httptest.NewServer(server.NewMetrics().Handler())
	defer ms.Close()
	if fams := scrape(t, ms.URL); fams["go_goroutines"] == nil {
		t.Error("no go_goroutines where metrics are served")
	}
}

// gatedStore is the real store whose entity reads wait at a gate: a request is then certainly
// in flight (inside the in-flight limit) until the test opens it, however the machine schedules.
type gatedStore struct {
	*neo4j.DB
	entered chan struct{}
	once    *sync.Once
	open    chan struct{}
}

func (s gatedStore) FindEntitiesByIDs(ctx context.Context, ids []string) ([]*incidentgraph.Entity, error) {
	s.once.Do(func() { close(s.entered) })
	<-s.open
	return s.DB.FindEntitiesByIDs(ctx, ids)
}

func (s gatedStore) Read(ctx context.Context, ids []string, sel *incidentgraph.EntitySelection) (*incidentgraph.ReadAnswer, error) {
	s.once.Do(func() { close(s.entered) })
	<-s.open
	return s.DB.Read(ctx, ids, sel)
}

// TestMetricsCountShedRequestsAndInFlight: with one request allowed at once and one held in
// flight, the next is shed; the shed counter, the 503 OVERLOADED series and the in-flight gauge
// say so, and the gauge returns to 0 once the held request is answered.
func TestMetricsCountShedRequestsAndInFlight(t *testing.T) {
	db := seededDB(t)
	store := gatedStore{DB: db, entered: make(chan struct{}), once: &sync.Once{}, open: make(chan struct{})}
	m := server.NewMetrics()
	svc := services(t, store, db)
	svc.Metrics = m
	cfg := server.DefaultConfig()
	cfg.MaxInFlight = 1
	ts := httptest.NewServer(server.NewServer(zerolog.Nop(), cfg, svc))
	defer ts.Close()
	ms := httptest.NewServer(m.Handler())
	defer ms.Close()
	api := &testServer{Server: ts}
	before := scrape(t, ms.URL)

	held := make(chan *gqlResponse, 1)
	go func() {
		resp, err := http.Post(ts.URL+"/graphql", "application/json", strings.NewReader(`{"query":"{ entity(id: \"islamic-state\") { name } }"}`))
		if err != nil {
			held <- &gqlResponse{}
			return
		}
		resp.Body.Close()
		held <- &gqlResponse{status: resp.StatusCode}
	}()
	<-store.entered
	if r := api.post(t, `{ relationshipTypes { name } }`, nil); r.status != http.StatusServiceUnavailable || r.code() != server.CodeOverloaded {
		t.Errorf("a second request with one in flight: %d %s, want 503 OVERLOADED", r.status, r.code())
	}
	during := scrape(t, ms.URL)
	if n := value(during, "incidentgraph_http_requests_in_flight", map[string]string{"route": "/graphql"}); n != 1 {
		t.Errorf("in flight while one request is held: %v, want 1", n)
	}
	// Controls of the gauge: before the request it read 0, and the held request is in flight
	// on its own route only.
	if n := value(before, "incidentgraph_http_requests_in_flight", map[string]string{"route": "/graphql"}); n != 0 {
		t.Errorf("in flight before any request: %v, want 0", n)
	}
	for _, route := range []string{"/export", "/healthz", "/readyz", "/"} {
		if n := value(during, "incidentgraph_http_requests_in_flight", map[string]string{"route": route}); n != 0 {
			t.Errorf("in flight on %s while a /graphql request is held: %v, want 0", route, n)
		}
	}
	if err := moved(before, during, "incidentgraph_requests_shed_total", nil, 1); err != nil {
		t.Error(err)
	}
	close(store.open)
	if r := <-held; r.status != http.StatusOK {
		t.Errorf("the held request: status %d", r.status)
	}
	// Control of the shed counter: with the slot free again, a request is served, not shed.
	var ok struct{ Entity struct{ Name string } }
	mustData(t, api.post(t, `{ entity(id: "taliban") { name } }`, nil), &ok)
	after := scrape(t, ms.URL)
	for _, err := range []error{
		moved(before, after, "incidentgraph_requests_shed_total", nil, 1),
		moved(before, after, "incidentgraph_http_requests_total", series("/graphql", "503", server.CodeOverloaded), 1),
		moved(before, after, "incidentgraph_http_requests_total", series("/graphql", "200", "none"), 2),
		// The shed request is counted as 503 OVERLOADED only, not as served.
		moved(before, after, "incidentgraph_http_requests_total", map[string]string{"route": "/graphql"}, 3),
		moved(before, after, "incidentgraph_http_requests_total", series("/graphql", "503", incidentgraph.EUNAVAIL), 0),
	} {
		if err != nil {
			t.Error(err)
		}
	}
	if n := value(after, "incidentgraph_http_requests_in_flight", map[string]string{"route": "/graphql"}); n != 0 {
		t.Errorf("in flight after the held request was answered: %v, want 0", n)
	}
}

// TestMetricsShowTheBreaker: with the network path to Neo4j cut, /readyz fails and the breaker
// gauge reads 1; before, it read 0.
func TestMetricsShowTheBreaker(t *testing.T) {
	seededDB(t)
	p, db := testdb.OpenThroughProxy(t, 2*time.Second)
	ts, ms := metricsServers(t, db)
	readyz := func() int {
		resp, err := http.Get(ts.URL + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if s := readyz(); s != http.StatusOK {
		t.Fatalf("readyz: %d", s)
	}
	// Control: a request that fails for another reason (a bad argument) leaves the breaker
	// closed: it reads 0 with Neo4j answering.
	api := &testServer{Server: ts}
	if r := api.post(t, `{ search(text: "") { id } }`, nil); r.code() != incidentgraph.EINVALID {
		t.Fatalf("empty search: %+v", r.Errors)
	}
	if v := value(scrape(t, ms.URL), "incidentgraph_neo4j_breaker_open", nil); v != 0 {
		t.Errorf("breaker with Neo4j answering: %v, want 0", v)
	}
	before := scrape(t, ms.URL)
	p.Cut()
	if s := readyz(); s != http.StatusServiceUnavailable {
		t.Fatalf("readyz with Neo4j cut off: %d", s)
	}
	fams := scrape(t, ms.URL)
	if v := value(fams, "incidentgraph_neo4j_breaker_open", nil); v != 1 {
		t.Errorf("breaker with Neo4j cut off: %v, want 1", v)
	}
	if v := value(fams, "incidentgraph_http_requests_total", series("/readyz", "503", "none")); v != 1 {
		t.Errorf("failed readiness checks counted: %v, want 1", v)
	}
	// A request refused by the open breaker is counted as 503 UNAVAILABLE, and is not a shed
	// request (the other 503): the two counters tell an outage from an overload.
	if r := api.post(t, `{ entity(id: "islamic-state") { name } }`, nil); r.status != http.StatusServiceUnavailable || r.code() != incidentgraph.EUNAVAIL {
		t.Fatalf("a request with the breaker open: %d %s", r.status, r.code())
	}
	after := scrape(t, ms.URL)
	for _, err := range []error{
		moved(before, after, "incidentgraph_http_requests_total", series("/graphql", "503", incidentgraph.EUNAVAIL), 1),
		moved(before, after, "incidentgraph_http_requests_total", series("/graphql", "503", server.CodeOverloaded), 0),
		moved(before, after, "incidentgraph_requests_shed_total", nil, 0),
	} {
		if err != nil {
			t.Error(err)
		}
	}
}
