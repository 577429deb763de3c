package main

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/incidentgraph/incidentgraph/internal/testdb"
)

// boltSniffer is a TCP proxy in front of the test Neo4j that reads the Bolt messages clients
// send through it and records, for every statement (RUN), the access mode of the transaction
// it ran in: "r" for a read transaction (BEGIN's or RUN's extra says {"mode": "r"}), "w"
// otherwise. It is how the tests see, from outside the service and the driver, that the reads
// a neo4j:// (routing) driver sends are read transactions, the ones a Neo4j cluster routes to
// its secondaries. It also counts ROUTE messages: only a routing driver sends them.
//
// A routing driver asks its first address for the routing table and then connects to the
// servers the table names. A single Neo4j 5 answers with the address the client gave in its
// routing context (the proxy's), so every connection comes back through the proxy.
type boltSniffer struct {
	ln     net.Listener
	target string // Neo4j's host:port

	mu     sync.Mutex
	stmts  []boltStatement
	routes int // ROUTE messages seen
	errs   []error
	conns  []net.Conn
}

// boltStatement is one RUN a client sent: its text and the access mode it ran in.
type boltStatement struct {
	Query string
	Mode  string // "r" or "w"
}

// newBoltSniffer starts a sniffing proxy to the test database; it is closed when the test ends.
func newBoltSniffer(tb testing.TB) *boltSniffer {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	s := &boltSniffer{ln: ln, target: strings.TrimPrefix(testdb.Config(tb).URI, "bolt://")}
	go s.accept()
	tb.Cleanup(s.close)
	return s
}

// URI is the URI that reaches the database through the proxy, with the scheme given.
func (s *boltSniffer) URI(scheme string) string { return scheme + "://" + s.ln.Addr().String() }

func (s *boltSniffer) accept() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		u, err := net.Dial("tcp", s.target)
		if err != nil {
			c.Close()
			continue
		}
		s.mu.Lock()
		s.conns = append(s.conns, c, u)
		s.mu.Unlock()
		manifest := make(chan bool, 1)
		go func() { defer c.Close(); defer u.Close(); s.fromClient(c, u, manifest) }()
		go func() { defer c.Close(); defer u.Close(); s.fromServer(u, c, manifest) }()
	}
}

func (s *boltSniffer) close() {
	s.ln.Close()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.conns {
		c.Close()
	}
}

func (s *boltSniffer) fail(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.errs = append(s.errs, err)
}

// fromClient passes on the handshake, then the client's messages chunk by chunk, reading each
// whole message before its end marker goes on: a statement is recorded before Neo4j can answer
// it, so before the request that sent it can be answered.
func (s *boltSniffer) fromClient(c, u net.Conn, manifest <-chan bool) {
	r := bufio.NewReader(c)
	hello := make([]byte, 20) // magic and four version proposals
	if _, err := io.ReadFull(r, hello); err != nil {
		return
	}
	if _, err := u.Write(hello); err != nil {
		return
	}
	m, ok := <-manifest
	if !ok {
		return
	}
	if m { // the version it chose and its capabilities
		confirm := make([]byte, 4)
		if _, err := io.ReadFull(r, confirm); err != nil {
			return
		}
		caps, err := varint(r)
		if err != nil {
			return
		}
		if _, err := u.Write(append(confirm, caps...)); err != nil {
			return
		}
	}
	var tx struct {
		open bool
		mode string
	}
	var msg []byte
	head := make([]byte, 2)
	for {
		if _, err := io.ReadFull(r, head); err != nil {
			return
		}
		n := int(binary.BigEndian.Uint16(head))
		if n == 0 {
			if len(msg) > 0 { // (an empty message is a keep-alive NOOP)
				s.message(msg, &tx.open, &tx.mode)
				msg = msg[:0]
			}
			if _, err := u.Write(head); err != nil {
				return
			}
			continue
		}
		chunk := make([]byte, n)
		if _, err := io.ReadFull(r, chunk); err != nil {
			return
		}
		msg = append(msg, chunk...)
		if _, err := u.Write(append(head, chunk...)); err != nil {
			return
		}
	}
}

// fromServer passes on the server's choice of version (or its manifest, telling fromClient
// so), then everything else as it comes.
func (s *boltSniffer) fromServer(u, c net.Conn, manifest chan<- bool) {
	defer close(manifest)
	r := bufio.NewReader(u)
	version := make([]byte, 4)
	if _, err := io.ReadFull(r, version); err != nil {
		return
	}
	if _, err := c.Write(version); err != nil {
		return
	}
	if bytes.Equal(version, []byte{0, 0, 1, 0xFF}) {
		// The manifest handshake: the versions the server offers (a count, then four bytes
		// each) and its capabilities; the client answers with its choice (fromClient).
		count, err := varint(r)
		if err != nil {
			return
		}
		var n uint64
		for i := len(count) - 1; i >= 0; i-- {
			n = n<<7 | uint64(count[i]&0x7F)
		}
		offers := make([]byte, 4*n)
		if _, err := io.ReadFull(r, offers); err != nil {
			return
		}
		caps, err := varint(r)
		if err != nil {
			return
		}
		if _, err := c.Write(append(append(count, offers...), caps...)); err != nil {
			return
		}
		manifest <- true
	} else {
		manifest <- false
	}
	_, _ = io.Copy(c, r)
}

// varint reads the bytes of one base-128 variable-length integer, as the manifest handshake
// writes them.
func varint(r *bufio.Reader) ([]byte, error) {
	var b []byte
	for {
		c, err := r.ReadByte()
		if err != nil {
			return nil, err
		}
		b = append(b, c)
		if c&0x80 == 0 || len(b) > 9 {
			return b, nil
		}
	}
}

// Bolt message signatures the sniffer reads.
const (
	boltRUN      = 0x10
	boltBEGIN    = 0x11
	boltCOMMIT   = 0x12
	boltROLLBACK = 0x13
	boltRESET    = 0x0F
	boltROUTE    = 0x66
)

// message records what one client message says about statements and their transactions.
func (s *boltSniffer) message(msg []byte, open *bool, mode *string) {
	if len(msg) < 2 || msg[0]&0xF0 != 0xB0 {
		s.fail(fmt.Errorf("not a Bolt message: % x", msg[:min(len(msg), 8)]))
		return
	}
	d := &packDecoder{b: msg[2:]}
	switch msg[1] {
	case boltBEGIN:
		extra, _ := d.value().(map[string]any)
		*open, *mode = true, modeOf(extra)
	case boltRUN:
		query, _ := d.value().(string)
		d.value() // parameters
		extra, _ := d.value().(map[string]any)
		m := modeOf(extra) // an auto-commit statement carries its own mode
		if *open {
			m = *mode
		}
		if d.err != nil {
			s.fail(fmt.Errorf("RUN: %w", d.err))
			return
		}
		s.mu.Lock()
		s.stmts = append(s.stmts, boltStatement{Query: query, Mode: m})
		s.mu.Unlock()
	case boltCOMMIT, boltROLLBACK, boltRESET:
		*open = false
	case boltROUTE:
		s.mu.Lock()
		s.routes++
		s.mu.Unlock()
	}
}

// modeOf reads a BEGIN's or RUN's access mode: "r" when it says so, else "w" (Bolt's default).
func modeOf(extra map[string]any) string {
	if m, _ := extra["mode"].(string); m == "r" {
		return "r"
	}
	return "w"
}

// mark returns a position in the record of statements, for since.
func (s *boltSniffer) mark() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.stmts)
}

// since returns the statements recorded after mark.
func (s *boltSniffer) since(mark int) []boltStatement {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]boltStatement(nil), s.stmts[mark:]...)
}

// counts returns the ROUTE messages seen so far, and the sniffer's own errors.
func (s *boltSniffer) counts() (routes int, errs []error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.routes, append([]error(nil), s.errs...)
}

// packDecoder reads PackStream values: enough of them to skip any parameters and read the
// extra maps of BEGIN and RUN. Structures (dates, points) come back as their fields.
type packDecoder struct {
	b   []byte
	err error
}

func (d *packDecoder) take(n int) []byte {
	if d.err != nil || n < 0 || n > len(d.b) {
		if d.err == nil {
			d.err = io.ErrUnexpectedEOF
		}
		return make([]byte, max(n, 0))
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

func (d *packDecoder) size(n int) int {
	b := d.take(n)
	switch n {
	case 1:
		return int(b[0])
	case 2:
		return int(binary.BigEndian.Uint16(b))
	default:
		return int(binary.BigEndian.Uint32(b))
	}
}

func (d *packDecoder) value() any {
	if d.err != nil {
		return nil
	}
	m := d.take(1)[0]
	switch {
	case m < 0x80: // tiny positive int
		return int64(m)
	case m >= 0xF0: // tiny negative int
		return int64(int8(m))
	case m&0xF0 == 0x80:
		return string(d.take(int(m & 0x0F)))
	case m&0xF0 == 0x90:
		return d.list(int(m & 0x0F))
	case m&0xF0 == 0xA0:
		return d.dict(int(m & 0x0F))
	case m&0xF0 == 0xB0:
		d.take(1) // the structure's signature
		return d.list(int(m & 0x0F))
	}
	switch m {
	case 0xC0:
		return nil
	case 0xC1:
		return math.Float64frombits(binary.BigEndian.Uint64(d.take(8)))
	case 0xC2:
		return false
	case 0xC3:
		return true
	case 0xC8:
		return int64(int8(d.take(1)[0]))
	case 0xC9:
		return int64(int16(binary.BigEndian.Uint16(d.take(2))))
	case 0xCA:
		return int64(int32(binary.BigEndian.Uint32(d.take(4))))
	case 0xCB:
		return int64(binary.BigEndian.Uint64(d.take(8)))
	case 0xCC, 0xCD, 0xCE:
		return d.take(d.size(1 << (m - 0xCC)))
	case 0xD0, 0xD1, 0xD2:
		return string(d.take(d.size(1 << (m - 0xD0))))
	case 0xD4, 0xD5, 0xD6:
		return d.list(d.size(1 << (m - 0xD4)))
	case 0xD8, 0xD9, 0xDA:
		return d.dict(d.size(1 << (m - 0xD8)))
	}
	d.err = fmt.Errorf("unknown PackStream marker %#x", m)
	return nil
}

func (d *packDecoder) list(n int) []any {
	var out []any
	for i := 0; i < n && d.err == nil; i++ {
		out = append(out, d.value())
	}
	return out
}

func (d *packDecoder) dict(n int) map[string]any {
	out := map[string]any{}
	for i := 0; i < n && d.err == nil; i++ {
		k, _ := d.value().(string)
		out[k] = d.value()
	}
	return out
}

// onlyReads says what is wrong with a request's statements for a read: none seen (the request
// did not pass the proxy, or read nothing), or any not in a read transaction.
func onlyReads(stmts []boltStatement) error {
	if len(stmts) == 0 {
		return fmt.Errorf("no statement went through the proxy")
	}
	var bad []string
	for _, st := range stmts {
		if st.Mode != "r" {
			bad = append(bad, oneLineQuery(st.Query))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("%d of %d statements ran in write transactions: %s", len(bad), len(stmts), strings.Join(bad, " | "))
	}
	return nil
}

func oneLineQuery(q string) string {
	q = strings.Join(strings.Fields(q), " ")
	if len(q) > 120 {
		q = q[:120] + "…"
	}
	return q
}
