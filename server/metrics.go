package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics counts what the service does, for an operator's Prometheus: the Go runtime's figures
// (goroutines, memory, GC), the process's (CPU, memory, descriptors), and the service's own:
// requests by route, status and error code, their durations, the requests in flight, the
// requests shed and the Neo4j breaker's state. It keeps its own registry, not the client
// library's global one, so that two servers in one process (the tests) count apart.
//
// A nil *Metrics records nothing: the routes are then served as they are.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	inFlight *prometheus.GaugeVec
	shed     prometheus.Counter
	breaker  atomic.Pointer[outage] // the breaker the gauge reads; nil while none is watched
}

// NewMetrics returns metrics with a registry of their own.
func NewMetrics() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "incidentgraph_http_requests_total",
		Help: "HTTP requests answered, by route, status and the error code of the answer (the first GraphQL error's extensions.code; none when it carries no error).",
	}, []string{"route", "status", "code"})
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "incidentgraph_http_request_duration_seconds",
		Help: "Time to answer an HTTP request, by route.",
		// Up to the write timeout: the request limit is 15 s by default.
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 15, 30, 60},
	}, []string{"route"})
	m.inFlight = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "incidentgraph_http_requests_in_flight",
		Help: "HTTP requests being answered now, by route.",
	}, []string{"route"})
	m.shed = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "incidentgraph_requests_shed_total",
		Help: "Requests refused with 503 OVERLOADED because max_in_flight requests were being served.",
	})
	breaker := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "incidentgraph_neo4j_breaker_open",
		Help: "1 while Neo4j is known to be unreachable and requests fail fast with UNAVAILABLE; 0 otherwise (and when fail_fast is off).",
	}, func() float64 {
		if o := m.breaker.Load(); o != nil && o.isDown() {
			return 1
		}
		return 0
	})
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.requests, m.duration, m.inFlight, m.shed, breaker,
	)
	return m
}

// Handler serves the metrics in Prometheus's text format (or OpenMetrics where the scraper asks
// for it). It checks no token: it is meant for a listener of its own (see cmd/incidentgraph's
// metrics_addr), never for the public one.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		ErrorHandling: promhttp.ContinueOnError, // a failing collector leaves the others readable
		// Scrapes are cheap but not free: a few at once, each bounded.
		MaxRequestsInFlight: 4,
		Timeout:             10 * time.Second,
		Registry:            m.reg, // promhttp's own counts of scrapes and their errors
	})
}

// route counts the requests to one route: in flight while served, then by status and error
// code, with their duration. It sits outside every other handler of the route, so refusals
// (shed, rate-limited, unauthenticated, malformed) are counted like answers.
func (m *Metrics) route(name string, next http.Handler) http.Handler {
	if m == nil {
		return next
	}
	inFlight := m.inFlight.WithLabelValues(name)
	duration := m.duration.WithLabelValues(name)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		inFlight.Inc()
		rec := &recordingWriter{ResponseWriter: w}
		defer func() {
			inFlight.Dec()
			duration.Observe(time.Since(start).Seconds())
			m.requests.WithLabelValues(name, strconv.Itoa(rec.statusOr200()), rec.code()).Inc()
		}()
		next.ServeHTTP(rec, r)
	})
}

// countShed wraps the load-shedding middleware and counts the requests it refuses: those that
// came out of it without having gone in. It knows nothing of how shedding answers, so it
// counts a refusal whatever the answer looks like.
func (m *Metrics) countShed(shed func(http.Handler) http.Handler) func(http.Handler) http.Handler {
	if m == nil {
		return shed
	}
	return func(next http.Handler) http.Handler {
		inner := shed(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if passed, ok := r.Context().Value(passedShedKey{}).(*bool); ok {
				*passed = true
			}
			next.ServeHTTP(w, r)
		}))
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			passed := false
			inner.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), passedShedKey{}, &passed)))
			if !passed {
				m.shed.Inc()
			}
		})
	}
}

type passedShedKey struct{}

// watchBreaker makes the breaker gauge read o (nil: no breaker, the gauge reads 0).
func (m *Metrics) watchBreaker(o *outage) {
	if m != nil {
		m.breaker.Store(o)
	}
}

// isDown reports whether the breaker is open.
func (o *outage) isDown() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.down
}

// sniffBytes is how much of an answer is kept to find its error code: GraphQL answers put
// "errors" first, and a coded refusal is a few hundred bytes.
const sniffBytes = 4 << 10

// recordingWriter remembers an answer's status and its first bytes, for the error code.
type recordingWriter struct {
	http.ResponseWriter
	status int
	head   []byte
}

func (w *recordingWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *recordingWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if room := sniffBytes - len(w.head); room > 0 {
		w.head = append(w.head, p[:min(room, len(p))]...)
	}
	return w.ResponseWriter.Write(p)
}

// Flush and Unwrap keep what the writer underneath can do (streaming, http.ResponseController).
func (w *recordingWriter) Flush() {
	_ = http.NewResponseController(w.ResponseWriter).Flush()
}

func (w *recordingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *recordingWriter) statusOr200() int {
	if w.status == 0 {
		return http.StatusOK // nothing written: net/http answers 200
	}
	return w.status
}

// code is the first error's extensions.code of a JSON answer, "none" when it carries no coded
// error, and "OTHER" for a code that is not an upper-case identifier, so that the label's values
// stay few whatever an answer holds.
func (w *recordingWriter) code() string {
	h := w.Header()
	if !strings.Contains(h.Get("Content-Type"), "json") {
		return "none"
	}
	head := w.head
	if strings.EqualFold(h.Get("Content-Encoding"), "gzip") {
		head = gunzipPrefix(head)
	}
	return errorCode(head)
}

// gunzipPrefix decompresses what a gzip stream's first bytes hold (a prefix of the answer).
func gunzipPrefix(b []byte) []byte {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil
	}
	// The prefix ends mid-stream: ReadAll stops with io.ErrUnexpectedEOF after what it could
	// decompress, which is what is wanted.
	out, _ := io.ReadAll(io.LimitReader(zr, sniffBytes))
	return out
}

// errorCode reads the code of the first error from the beginning of a GraphQL answer. It looks
// only at answers that begin with "errors" (gqlgen writes them first; the coded refusals have
// nothing else), or with "title" for TAXII's error messages (their "error_code"), and takes the
// first such key: quotes inside messages are escaped, so a
// message cannot fake one.
func errorCode(head []byte) string {
	head = bytes.TrimLeft(head, " \t\r\n")
	key := `"code":"`
	switch {
	case bytes.HasPrefix(head, []byte(`{"errors":[`)):
	case bytes.HasPrefix(head, []byte(`{"title":`)): // a TAXII error message (taxii.go)
		key = `"error_code":"`
	default:
		return "none"
	}
	i := bytes.Index(head, []byte(key))
	if i < 0 {
		return "none"
	}
	rest := head[i+len(key):]
	j := bytes.IndexByte(rest, '"')
	if j < 0 || !validCode(rest[:j]) {
		return "OTHER"
	}
	return string(rest[:j])
}

func validCode(c []byte) bool {
	if len(c) == 0 || len(c) > 64 || c[0] < 'A' || c[0] > 'Z' {
		return false
	}
	for _, b := range c {
		if (b < 'A' || b > 'Z') && (b < '0' || b > '9') && b != '_' {
			return false
		}
	}
	return true
}
