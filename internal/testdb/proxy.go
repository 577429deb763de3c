package testdb

import (
	"context"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/incidentgraph/incidentgraph/neo4j"
)

// Proxy forwards TCP connections to the test database until it is cut: a network path to
// Neo4j that a test can take away, to see how the service behaves when the database is gone.
type Proxy struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
	// stalled drops what the database sends: a Neo4j that takes connections and requests and
	// never answers (one that is starting, or hangs).
	stalled atomic.Bool
}

// NewProxy starts a proxy to the test database and returns it with a URI that reaches the
// database through it, in the test database's scheme: a neo4j:// (routing) driver comes back
// through the proxy too, since a single Neo4j's routing table names the address the driver
// asked. The proxy is cut when the test ends.
func NewProxy(tb testing.TB) (*Proxy, string) {
	tb.Helper()
	scheme, target, _ := strings.Cut(Config(tb).URI, "://")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	p := &Proxy{ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			u, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, u)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(u, c); u.Close() }()
			go func() { _, _ = io.Copy(c, p.answers(u)); c.Close() }()
		}
	}()
	tb.Cleanup(p.Cut)
	return p, scheme + "://" + ln.Addr().String()
}

// Stall makes the database's side of every connection, open or new, go silent: its bytes are
// read and dropped. Requests reach Neo4j and no answer comes back.
func (p *Proxy) Stall() { p.stalled.Store(true) }

// answers reads from the database, handing on what it sends unless the proxy is stalled.
func (p *Proxy) answers(u net.Conn) io.Reader {
	return readerFunc(func(b []byte) (int, error) {
		for {
			n, err := u.Read(b)
			if !p.stalled.Load() || err != nil {
				return n, err
			}
		}
	})
}

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(b []byte) (int, error) { return f(b) }

// Cut closes the listener and every connection through it.
func (p *Proxy) Cut() {
	p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// OpenThroughProxy connects to the test database through a new proxy, with the given query
// timeout, for tests that cut the network path to Neo4j (p.Cut()) under a running service. The
// connection is closed when the test ends.
func OpenThroughProxy(tb testing.TB, queryTimeout time.Duration) (*Proxy, *neo4j.DB) {
	tb.Helper()
	cfg := Config(tb)
	p, uri := NewProxy(tb)
	cfg.URI = uri
	cfg.QueryTimeout = queryTimeout
	db, err := neo4j.Open(context.Background(), cfg)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = db.Close(context.Background()) })
	return p, db
}
