package neo4j_test

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/incidentgraph/incidentgraph/internal/testdb"
	"github.com/incidentgraph/incidentgraph/neo4j"
)

// A negative control has to show that a check fails when the behaviour it checks is broken.
// Much of that behaviour is Cypher the store sends, so the broken variant is the shipped store
// with one condition of one statement taken out: it is opened through a Bolt proxy that
// rewrites the text of the store's RUN messages (see sabotagedStore). Nothing in the store knows;
// the statements are the shipped ones but for the rewrite, which must apply, or the control
// fails (a rewrite that no longer matches the shipped text is a control that tests nothing).

// sabotage is one rewrite of the store's statements: every occurrence of from becomes to.
type sabotage struct {
	from, to string
	applied  atomic.Int64 // statements rewritten
}

// mustHaveApplied fails the test unless every rewrite met its text in some statement.
func mustHaveApplied(t *testing.T, ss ...*sabotage) {
	t.Helper()
	for _, s := range ss {
		if s.applied.Load() == 0 {
			t.Errorf("the sabotage %q → %q met no statement: the store's text changed, and the control tests nothing", s.from, s.to)
		}
	}
}

// sabotagedStore opens the test database through a proxy that rewrites the store's statements by
// ss, and returns the store; it is closed when the test ends.
func sabotagedStore(t *testing.T, ss ...*sabotage) *neo4j.DB {
	t.Helper()
	cfg := testdb.Config(t)
	u, err := url.Parse(cfg.URI)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", u.Host)
			if err != nil {
				c.Close()
				continue
			}
			mu.Lock()
			conns = append(conns, c, s)
			mu.Unlock()
			chosen := make(chan []byte, 1)
			wg.Add(2)
			go func() { // server to client, as it comes; its first four bytes say which handshake follows
				defer wg.Done()
				defer c.Close()
				v := make([]byte, 4)
				if _, err := io.ReadFull(s, v); err != nil {
					close(chosen)
					return
				}
				chosen <- v
				if _, err := c.Write(v); err == nil {
					_, _ = io.Copy(c, s)
				}
			}()
			go func() { // client to server, RUN messages rewritten
				defer wg.Done()
				defer s.Close()
				_ = rewriteBolt(bufio.NewReader(c), s, chosen, ss)
			}()
		}
	}()
	cfg.URI = "bolt://" + l.Addr().String()
	db, err := neo4j.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close(context.Background()) })
	return db
}

// rewriteBolt copies the client's side of a Bolt connection to the server: the 20-byte
// handshake (and, when the server answers with the version manifest 0x1FF, the client's chosen
// version and its capabilities as a varint) as they are, then each chunked message, a RUN's
// query text rewritten by ss and the message chunked again.
func rewriteBolt(in *bufio.Reader, out io.Writer, chosen <-chan []byte, ss []*sabotage) error {
	hs := make([]byte, 20)
	if _, err := io.ReadFull(in, hs); err != nil {
		return err
	}
	if _, err := out.Write(hs); err != nil {
		return err
	}
	if v := <-chosen; len(v) == 4 && v[2] == 0x01 && v[3] == 0xFF {
		b := make([]byte, 4)
		if _, err := io.ReadFull(in, b); err != nil {
			return err
		}
		for b[len(b)-1]&0x80 != 0 || len(b) == 4 {
			c, err := in.ReadByte()
			if err != nil {
				return err
			}
			b = append(b, c)
		}
		if _, err := out.Write(b); err != nil {
			return err
		}
	}
	var msg []byte
	head := make([]byte, 2)
	for {
		if _, err := io.ReadFull(in, head); err != nil {
			return err
		}
		n := int(binary.BigEndian.Uint16(head))
		if n > 0 {
			chunk := make([]byte, n)
			if _, err := io.ReadFull(in, chunk); err != nil {
				return err
			}
			msg = append(msg, chunk...)
			continue
		}
		if len(msg) > 2 && msg[0] == 0xB3 && msg[1] == 0x10 { // RUN: query, parameters, extra
			msg = rewriteRun(msg, ss)
		}
		if err := writeChunked(out, msg); err != nil {
			return err
		}
		msg = msg[:0]
	}
}

// rewriteRun returns a RUN message with its query text rewritten (the message as it is when
// its text cannot be read).
func rewriteRun(msg []byte, ss []*sabotage) []byte {
	d := &unpacker{b: msg[2:]}
	q, ok := d.value().(string)
	if !ok || d.err != nil {
		return msg
	}
	rest := d.b
	changed := q
	for _, s := range ss {
		if strings.Contains(changed, s.from) {
			changed = strings.ReplaceAll(changed, s.from, s.to)
			s.applied.Add(1)
		}
	}
	if changed == q {
		return msg
	}
	out := []byte{0xB3, 0x10}
	switch n := len(changed); {
	case n < 16:
		out = append(out, 0x80|byte(n))
	case n < 1<<8:
		out = append(out, 0xD0, byte(n))
	case n < 1<<16:
		out = binary.BigEndian.AppendUint16(append(out, 0xD1), uint16(n))
	default:
		out = binary.BigEndian.AppendUint32(append(out, 0xD2), uint32(n))
	}
	out = append(out, changed...)
	return append(out, rest...)
}

// writeChunked writes one message in chunks of at most 65,535 bytes and its end marker.
func writeChunked(w io.Writer, msg []byte) error {
	var b []byte
	for len(msg) > 0 {
		n := min(len(msg), 0xFFFF)
		b = binary.BigEndian.AppendUint16(b, uint16(n))
		b = append(b, msg[:n]...)
		msg = msg[n:]
	}
	b = append(b, 0, 0)
	_, err := w.Write(b)
	return err
}

// TestSabotagedStoreRewritesOnlyWhatItIsTold: through the proxy the store answers as it does
// directly, a message of many chunks included, but where a rewrite applies; this is the
// harness's own control. Nothing here depends on what the database holds.
func TestSabotagedStoreRewritesOnlyWhatItIsTold(t *testing.T) {
	ctx := context.Background()
	db := testdb.MustOpen(t)
	counts := func(db *neo4j.DB) [3]int {
		t.Helper()
		e, r, f, err := db.Counts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return [3]int{e, r, f}
	}
	noop := &sabotage{from: "no statement holds this text", to: "x"}
	plain := sabotagedStore(t, noop)
	if got, want := counts(plain), counts(db); got != want {
		t.Errorf("counts through the proxy %v, directly %v", got, want)
	}
	if noop.applied.Load() != 0 {
		t.Error("a rewrite that matches nothing counts as applied")
	}
	// A message of several chunks (its parameters) goes through whole.
	ids := make([]string, 20000)
	for i := range ids {
		ids[i] = fmt.Sprintf("id-%d", i)
	}
	res, err := plain.RunCypher(ctx, "RETURN size($ids) AS n, $ids[19999] AS last", map[string]any{"ids": ids}, 1)
	if err != nil || len(res.Rows) != 1 || res.Rows[0]["n"] != int64(len(ids)) || res.Rows[0]["last"] != ids[len(ids)-1] {
		t.Fatalf("a message of several chunks: %v (%v)", res, err)
	}
	// A rewrite applies: the entities counted as -1.
	minus := &sabotage{from: "RETURN count(n) AS entities", to: "RETURN -1 AS entities"}
	broken := sabotagedStore(t, minus)
	if got, want := counts(broken), counts(db); got[0] != -1 || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("counts through a rewrite of the entities' count: %v, want -1 and %v", got, want[1:])
	}
	mustHaveApplied(t, minus)
}
