package server_test

import (
	"context"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/incidentgraph/incidentgraph/internal/testdb"
	"github.com/incidentgraph/incidentgraph/neo4j"
)

// wire is a TCP path to the test database that counts the bytes the service sends Neo4j (every
// Cypher round trip sends some), and that a test can cut and restore, as a network outage would
// come and go.
type wire struct {
	ln   net.Listener
	sent atomic.Int64
	// dials counts the connections the service opened to the database.
	dials atomic.Int64
	cut   atomic.Bool
	mu    sync.Mutex
	open  []net.Conn
}

// newWire starts a wire and opens the store through it, with a short query timeout so that a
// request that meets the outage gives up quickly.
func newWire(t *testing.T) (*wire, *neo4j.DB) {
	t.Helper()
	cfg := testdb.Config(t)
	target := strings.TrimPrefix(cfg.URI, "bolt://")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	w := &wire{ln: ln}
	go w.serve(target)
	t.Cleanup(func() { ln.Close(); w.drop() })
	cfg.URI = "bolt://" + ln.Addr().String()
	cfg.QueryTimeout = 2 * time.Second
	db, err := neo4j.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close(context.Background()) })
	return w, db
}

func (w *wire) serve(target string) {
	for {
		c, err := w.ln.Accept()
		if err != nil {
			return
		}
		w.dials.Add(1)
		if w.cut.Load() {
			c.Close() // the database is unreachable: connections are reset
			continue
		}
		u, err := net.Dial("tcp", target)
		if err != nil {
			c.Close()
			continue
		}
		w.mu.Lock()
		w.open = append(w.open, c, u)
		w.mu.Unlock()
		go func() { _, _ = io.Copy(counting{u, &w.sent}, c); u.Close() }()
		go func() { _, _ = io.Copy(c, u); c.Close() }()
	}
}

// bytesSent is what the service has sent Neo4j so far.
func (w *wire) bytesSent() int64 { return w.sent.Load() }

// counting counts what is written to the database as it is written.
type counting struct {
	io.Writer
	n *atomic.Int64
}

func (c counting) Write(p []byte) (int, error) {
	n, err := c.Writer.Write(p)
	c.n.Add(int64(n))
	return n, err
}

// drop closes every connection through the wire.
func (w *wire) drop() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, c := range w.open {
		c.Close()
	}
	w.open = nil
}

// Cut takes the database away; Restore brings it back.
func (w *wire) Cut()     { w.cut.Store(true); w.drop() }
func (w *wire) Restore() { w.cut.Store(false) }
