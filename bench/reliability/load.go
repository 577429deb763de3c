package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptrace"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Outcome classes of a request that got no HTTP answer.
const (
	classRefused    = "refused at connect"      // the dial was refused: nothing was sent
	classClosedIdle = "closed idle before read" // a kept-alive connection the server closed before reading the request
	classHung       = "hung"                    // no answer within the request limit and the margin
	classLost       = "dropped after sending"   // the connection broke after the request was sent, without an answer
	classClient     = "client stopped"          // the harness itself cancelled it (end of a run): not counted
	codeOK          = "OK"
	codeUnreadable  = "UNREADABLE" // an answer whose body is not a GraphQL response
)

// outcome is one request as the client saw it.
type outcome struct {
	Kind       string
	Start      time.Time
	Latency    time.Duration
	Status     int    // 0: no HTTP answer
	Code       string // OK, the first error's extensions.code, or a class above
	RetryAfter bool
	Message    string
	Data       map[string]any // writes only
}

// label is how the outcome is counted in the tables: "200 OK", "503 OVERLOADED", "hung".
func (o outcome) label() string {
	if o.Status == 0 {
		return o.Code
	}
	return fmt.Sprintf("%d %s", o.Status, o.Code)
}

// violation says what is wrong with an outcome, or "" if it is acceptable in any run: an answer
// with a code, or a coded 503 for load shedding or an outage. A hung request, an uncoded 5xx, an
// INTERNAL error or an answer that is not GraphQL are never acceptable; a dropped connection
// is judged by the run (only a shutdown may refuse connections).
func (o outcome) violation() string {
	switch {
	case o.Status == 0 && o.Code == classHung:
		return "a request hung (no answer within its deadline and the margin)"
	case o.Status == 0:
		return ""
	case o.Code == codeUnreadable:
		return fmt.Sprintf("HTTP %d with a body that is not a GraphQL response: %s", o.Status, o.Message)
	case o.Status >= 500 && !(o.Status == http.StatusServiceUnavailable && (o.Code == "OVERLOADED" || o.Code == "UNAVAILABLE")):
		return fmt.Sprintf("HTTP %d %s (only coded 503s are allowed): %s", o.Status, o.Code, o.Message)
	case o.Code == "INTERNAL":
		return fmt.Sprintf("HTTP %d INTERNAL (an uncoded failure): %s", o.Status, o.Message)
	}
	return ""
}

// retryable says whether a write that got this outcome may or may not have been written and is
// to be sent again with the same idempotency key.
func (o outcome) retryable() bool {
	if o.Status == 0 {
		return o.Code != classClient
	}
	switch o.Code {
	case "OVERLOADED", "UNAVAILABLE", "RATE_LIMITED", "TIMEOUT", "INTERNAL":
		return true
	}
	return o.Status >= 500
}

// client sends GraphQL requests to the service, each with its own deadline: the service's
// request limit plus a margin, after which it counts as hung.
type client struct {
	url      string
	http     *http.Client
	deadline time.Duration
	// overdue, when set, runs (in its own goroutine) for a request still unanswered 2 s before
	// it would count as hung: the moment to take the service's goroutine stacks.
	overdue func()
}

func newClient(base string, conns int, deadline time.Duration) *client {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	return &client{url: base + "/graphql", http: &http.Client{Transport: tr}, deadline: deadline}
}

func (c *client) close() { c.http.CloseIdleConnections() }

type gqlAnswer struct {
	Data   map[string]any `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

// do sends one operation; token may be empty (anonymous). ctx ends the request early only when
// the harness stops (classClient); the deadline is the client's own.
func (c *client) do(ctx context.Context, kind, token, query string, vars map[string]any) outcome {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	o := outcome{Kind: kind, Start: time.Now()}
	rctx, cancel := context.WithTimeout(ctx, c.deadline)
	defer cancel()
	if c.overdue != nil && c.deadline > 2*time.Second {
		t := time.AfterFunc(c.deadline-2*time.Second, c.overdue)
		defer t.Stop()
	}
	var wrote, reused bool
	trace := &httptrace.ClientTrace{
		GotConn:      func(i httptrace.GotConnInfo) { reused = i.Reused },
		WroteRequest: func(httptrace.WroteRequestInfo) { wrote = true },
	}
	req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(rctx, trace), http.MethodPost, c.url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.http.Do(req)
	if err == nil {
		var b []byte
		b, err = io.ReadAll(resp.Body)
		resp.Body.Close()
		if err == nil {
			o.Latency = time.Since(o.Start)
			o.Status = resp.StatusCode
			o.RetryAfter = resp.Header.Get("Retry-After") != ""
			var a gqlAnswer
			switch {
			case json.Unmarshal(b, &a) != nil || (a.Data == nil && len(a.Errors) == 0):
				o.Code, o.Message = codeUnreadable, string(b[:min(len(b), 200)])
			case len(a.Errors) > 0:
				o.Code, _ = a.Errors[0].Extensions["code"].(string)
				if o.Code == "" {
					o.Code = "NO_CODE"
				}
				o.Message = a.Errors[0].Message
			default:
				o.Code, o.Data = codeOK, a.Data
			}
			return o
		}
	}
	o.Latency = time.Since(o.Start)
	o.Message = err.Error()
	switch {
	case ctx.Err() != nil:
		o.Code = classClient
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(rctx.Err(), context.DeadlineExceeded):
		o.Code = classHung
	case errors.Is(err, syscall.ECONNREFUSED):
		o.Code = classRefused
	case reused && strings.Contains(err.Error(), "server closed idle connection"):
		o.Code = classClosedIdle
	case !wrote && errors.Is(err, syscall.ECONNRESET):
		// Reset before the request was written: it never reached the service.
		o.Code = classRefused
	default:
		o.Code = classLost
	}
	return o
}

// reads are the read questions of the mixed load.
var readKinds = []string{"entity", "neighborhood", "search", "incidents"}

var (
	readIDs     = []string{"islamic-state", "islamic-state-khorasan-province", "taliban", "moscow-concert-hall-attack-2024", "kabul-airport-bombing-2021", "al-qaida"}
	searchTexts = []string{"Daesh", "ISKP", "Crocus", "Taliban", "Kabul", "Manchester"}
	groupIDs    = []string{"islamic-state", "islamic-state-khorasan-province", "al-qaida"}
)

const (
	qEntity       = `query Entity($id: ID!) { entity(id: $id) { id name version relationships(first: 20) { id type status confidence other { id name } } } }`
	qNeighborhood = `query Neighborhood($id: ID!) { neighborhood(id: $id, depth: 2, limit: 100) { nodes { id name } edges { id type source target } truncated } }`
	qSearch       = `query Search($t: String!) { search(text: $t, first: 10) { id name } }`
	qIncidents    = `query Incidents($g: ID) { incidents(filter: {perpetrator: $g, includeAffiliates: true}, first: 20) { totalCount nodes { id name } } }`
)

// read asks one read question of the given kind.
func (c *client) read(ctx context.Context, rng *rand.Rand, kind string) outcome {
	switch kind {
	case "entity":
		return c.do(ctx, kind, "", qEntity, map[string]any{"id": readIDs[rng.IntN(len(readIDs))]})
	case "neighborhood":
		return c.do(ctx, kind, "", qNeighborhood, map[string]any{"id": readIDs[rng.IntN(len(readIDs))]})
	case "search":
		return c.do(ctx, kind, "", qSearch, map[string]any{"t": searchTexts[rng.IntN(len(searchTexts))]})
	default:
		return c.do(ctx, kind, "", qIncidents, map[string]any{"g": groupIDs[rng.IntN(len(groupIDs))]})
	}
}

// recorder collects the outcomes of a run from every worker.
type recorder struct {
	mu  sync.Mutex
	all []outcome
}

func (r *recorder) add(o outcome) {
	o.Data = nil // only the writer keeps what a write answered
	r.mu.Lock()
	r.all = append(r.all, o)
	r.mu.Unlock()
}

func (r *recorder) outcomes() []outcome {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]outcome(nil), r.all...)
}

// kindStats are the figures of one kind of request.
type kindStats struct {
	Kind     string
	N, OK    int
	P50, P99 time.Duration // of the answered requests
}

// summarise counts outcomes by label and computes each kind's percentiles (over requests that
// got an HTTP answer; refusals and losses are counted, not timed).
func summarise(all []outcome) (byLabel map[string]int, kinds []kindStats) {
	byLabel = map[string]int{}
	lat := map[string][]time.Duration{}
	ks := map[string]*kindStats{}
	for _, o := range all {
		if o.Code == classClient {
			continue
		}
		byLabel[o.label()]++
		k := ks[o.Kind]
		if k == nil {
			k = &kindStats{Kind: o.Kind}
			ks[o.Kind] = k
		}
		k.N++
		if o.Code == codeOK {
			k.OK++
		}
		if o.Status != 0 {
			lat[o.Kind] = append(lat[o.Kind], o.Latency)
		}
	}
	for name, k := range ks {
		l := lat[name]
		sort.Slice(l, func(i, j int) bool { return l[i] < l[j] })
		k.P50, k.P99 = percentile(l, 0.50), percentile(l, 0.99)
		kinds = append(kinds, *k)
	}
	sort.Slice(kinds, func(i, j int) bool { return kindOrder(kinds[i].Kind) < kindOrder(kinds[j].Kind) })
	return byLabel, kinds
}

var kindOrders = []string{"entity", "neighborhood", "search", "incidents", "createEntity", "addRelationship", "updateRelationship", "retractRelationship", "updateEntity"}

func kindOrder(k string) int {
	for i, n := range kindOrders {
		if n == k {
			return i
		}
	}
	return len(kindOrders)
}

// percentile of sorted durations, nearest rank.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p+0.999999) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}
