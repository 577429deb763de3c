package neo4j_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/generate"
	"github.com/incidentgraph/incidentgraph/internal/testdb"
	"github.com/incidentgraph/incidentgraph/neo4j"
)

// The index test runs every hot question through a Bolt proxy that records the statements the
// store sends (their text and parameters, as the driver packs them), then EXPLAINs each one and
// reads its plan. The statements are the store's own, whichever file builds them: nothing here
// restates a query.

// statement is one RUN message: Cypher text and parameters.
type statement struct {
	query  string
	params map[string]any
}

// recorder is a TCP proxy to Neo4j that decodes the client's Bolt messages and keeps its RUNs.
type recorder struct {
	mu    sync.Mutex
	stmts []statement
}

func (r *recorder) take() []statement {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.stmts
	r.stmts = nil
	return out
}

// newRecorder starts the proxy in front of the test database and returns it with a URI for it.
func newRecorder(t *testing.T) (*recorder, string) {
	t.Helper()
	u, err := url.Parse(testdb.Config(t).URI)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	r := &recorder{}
	go func() {
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
			// The server's first four bytes say which handshake the client continues with.
			chosen := make(chan []byte, 1)
			go func() {
				v := make([]byte, 4)
				if _, err := io.ReadFull(s, v); err == nil {
					chosen <- v
					if _, err := c.Write(v); err == nil {
						_, _ = io.Copy(c, s)
					}
				}
				close(chosen)
				c.Close()
			}()
			go func() {
				pr, pw := io.Pipe()
				go r.readMessages(pr, chosen)
				_, _ = io.Copy(io.MultiWriter(s, pw), c)
				pw.Close()
				s.Close()
			}()
		}
	}()
	return r, "bolt://" + l.Addr().String()
}

// readMessages reads the client side of a Bolt connection: the 20-byte handshake (and, when
// the server answers with the version manifest 0x1FF, the client's chosen version and its
// capabilities as a varint), then chunked messages (2-byte chunk sizes, a zero size ending each
// message).
func (r *recorder) readMessages(in io.Reader, chosen <-chan []byte) {
	defer io.Copy(io.Discard, in) //nolint:errcheck // keep the proxy flowing whatever happens
	if _, err := io.ReadFull(in, make([]byte, 20)); err != nil {
		return
	}
	if v := <-chosen; len(v) == 4 && v[2] == 0x01 && v[3] == 0xFF {
		if _, err := io.ReadFull(in, make([]byte, 4)); err != nil {
			return
		}
		b := []byte{0x80}
		for b[0]&0x80 != 0 {
			if _, err := io.ReadFull(in, b); err != nil {
				return
			}
		}
	}
	var msg []byte
	head := make([]byte, 2)
	for {
		if _, err := io.ReadFull(in, head); err != nil {
			return
		}
		n := int(binary.BigEndian.Uint16(head))
		if n == 0 {
			if len(msg) > 2 && msg[0] == 0xB3 && msg[1] == 0x10 { // RUN: query, parameters, extra
				d := &unpacker{b: msg[2:]}
				q, _ := d.value().(string)
				p, _ := d.value().(map[string]any)
				if d.err == nil {
					r.mu.Lock()
					r.stmts = append(r.stmts, statement{q, p})
					r.mu.Unlock()
				}
			}
			msg = msg[:0]
			continue
		}
		chunk := make([]byte, n)
		if _, err := io.ReadFull(in, chunk); err != nil {
			return
		}
		msg = append(msg, chunk...)
	}
}

// unpacker decodes the PackStream values that statement parameters use.
type unpacker struct {
	b   []byte
	err error
}

func (d *unpacker) next(n int) []byte {
	if d.err != nil || len(d.b) < n {
		d.err = errors.New("short message")
		return make([]byte, n)
	}
	out := d.b[:n]
	d.b = d.b[n:]
	return out
}

func (d *unpacker) size(marker, base byte) int {
	switch marker - base {
	case 0:
		return int(d.next(1)[0])
	case 1:
		return int(binary.BigEndian.Uint16(d.next(2)))
	default:
		return int(binary.BigEndian.Uint32(d.next(4)))
	}
}

func (d *unpacker) value() any {
	m := d.next(1)[0]
	switch {
	case m <= 0x7F:
		return int64(m)
	case m >= 0xF0:
		return int64(int8(m))
	case m >= 0x80 && m <= 0x8F:
		return string(d.next(int(m & 0x0F)))
	case m >= 0x90 && m <= 0x9F:
		return d.list(int(m & 0x0F))
	case m >= 0xA0 && m <= 0xAF:
		return d.dict(int(m & 0x0F))
	}
	switch m {
	case 0xC0:
		return nil
	case 0xC1:
		return math.Float64frombits(binary.BigEndian.Uint64(d.next(8)))
	case 0xC2:
		return false
	case 0xC3:
		return true
	case 0xC8:
		return int64(int8(d.next(1)[0]))
	case 0xC9:
		return int64(int16(binary.BigEndian.Uint16(d.next(2))))
	case 0xCA:
		return int64(int32(binary.BigEndian.Uint32(d.next(4))))
	case 0xCB:
		return int64(binary.BigEndian.Uint64(d.next(8)))
	case 0xD0, 0xD1, 0xD2:
		return string(d.next(d.size(m, 0xD0)))
	case 0xD4, 0xD5, 0xD6:
		return d.list(d.size(m, 0xD4))
	case 0xD8, 0xD9, 0xDA:
		return d.dict(d.size(m, 0xD8))
	}
	d.err = fmt.Errorf("PackStream marker %#x is not a parameter value", m)
	return nil
}

func (d *unpacker) list(n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = d.value()
	}
	return out
}

func (d *unpacker) dict(n int) map[string]any {
	out := make(map[string]any, n)
	for range n {
		k, _ := d.value().(string)
		out[k] = d.value()
	}
	return out
}

// planOperators EXPLAINs a statement and returns its plan's operators, each with its details
// (e.g. "NodeUniqueIndexSeek n:Entity(id) WHERE id = $id").
func planOperators(ctx context.Context, t *testing.T, d driver.DriverWithContext, s statement) []string {
	t.Helper()
	res, err := driver.ExecuteQuery(ctx, d, "EXPLAIN "+s.query, s.params, driver.EagerResultTransformer,
		driver.ExecuteQueryWithReadersRouting())
	if err != nil {
		t.Fatalf("EXPLAIN %s: %v", s.query, err)
	}
	p := res.Summary.Plan()
	if p == nil {
		t.Fatalf("EXPLAIN %s: no plan", s.query)
	}
	// The driver's Plan.Children aliases every child to the last one (v5.28), so the operators
	// are read from the plan's text, which the server sends with the root.
	text, _ := p.Arguments()["string-representation"].(string)
	// A table: its first border line "+----+----+…" marks the columns (operator, id, details,
	// …); the operator cell holds the tree drawn with "|" and "+Operator".
	var out []string
	var cols []int
	for _, line := range strings.Split(text, "\n") {
		if cols == nil {
			if strings.HasPrefix(line, "+-") {
				for i, c := range line {
					if c == '+' {
						cols = append(cols, i)
					}
				}
			}
			continue
		}
		if len(cols) < 4 || len(line) < cols[3] || line[0] != '|' {
			continue
		}
		cell := line[cols[0]+1 : cols[1]]
		_, op, ok := strings.Cut(cell, "+")
		if !ok || strings.TrimSpace(op) == "" {
			continue
		}
		op, _, _ = strings.Cut(strings.TrimSpace(op), "@")
		out = append(out, op+" "+strings.TrimSpace(line[cols[2]+1:cols[3]]))
	}
	if len(out) == 0 {
		t.Fatalf("EXPLAIN %s: no operators read from the plan:\n%s", s.query, text)
	}
	return out
}

// scans returns the operators that read a whole store or a whole index: every AllNodesScan
// and relationship scan, every label scan (no hot query may scan a label: each starts from an
// index), and every full index scan (NodeIndexScan walks every entry, as a timeline that reads
// the date index end to end to test each incident for a link would).
func scans(ops []string) []string {
	var bad []string
	for _, op := range ops {
		name, _, _ := strings.Cut(op, " ")
		switch {
		case name == "AllNodesScan", strings.HasSuffix(name, "RelationshipsScan"),
			strings.HasSuffix(name, "RelationshipTypeScan"),
			strings.HasSuffix(name, "LabelScan"), strings.HasSuffix(name, "LabelsScan"),
			name == "NodeIndexScan", strings.HasSuffix(name, "RelationshipIndexScan"):
			bad = append(bad, op)
		}
	}
	return bad
}

// reads returns the operators that find nodes to start from (scans, seeks, procedure calls).
func reads(ops []string) []string {
	var out []string
	for _, op := range ops {
		if strings.Contains(op, "Scan") || strings.Contains(op, "Seek") || strings.HasPrefix(op, "ProcedureCall") {
			out = append(out, op)
		}
	}
	return out
}

func testDriver(t *testing.T) driver.DriverWithContext {
	t.Helper()
	return testdb.Driver(t)
}

// hotIDs are what the hot questions start from: two groups (the first with affiliates), an
// incident of each, and a text that finds the first group.
type hotIDs struct {
	group, otherGroup, incident, otherIncident, search string
}

type question struct {
	name string
	ask  func(ctx context.Context, db *neo4j.DB) error
}

// hotQuestions are the questions users ask most, each as the resolver asks the store.
func hotQuestions(ids hotIDs) []question {
	all := incidentgraph.RelationshipFilter{}
	page := incidentgraph.Page{First: 20}
	return []question{
		{"lookup by id", func(ctx context.Context, db *neo4j.DB) error {
			_, err := db.FindEntitiesByIDs(ctx, []string{ids.group, ids.incident})
			return err
		}},
		{"relationships", func(ctx context.Context, db *neo4j.DB) error {
			_, err := db.FindRelationships(ctx, []string{ids.group, ids.incident}, all, 100)
			return err
		}},
		{"figures", func(ctx context.Context, db *neo4j.DB) error {
			_, err := db.FindFigures(ctx, []string{ids.incident, ids.otherIncident}, incidentgraph.TimeView{})
			return err
		}},
		{"alias search", func(ctx context.Context, db *neo4j.DB) error {
			_, err := db.Search(ctx, ids.search, nil, 10)
			return err
		}},
		{"incidents by perpetrator and date with affiliates", func(ctx context.Context, db *neo4j.DB) error {
			_, err := db.FindIncidents(ctx, incidentgraph.IncidentFilter{Perpetrator: ids.group, IncludeAffiliates: true,
				From: "1990", To: "2024-12"}, page)
			return err
		}},
		{"neighbourhood", func(ctx context.Context, db *neo4j.DB) error {
			_, err := db.Neighborhood(ctx, ids.group, 2, all, 200)
			return err
		}},
		{"centrality's fetch", func(ctx context.Context, db *neo4j.DB) error {
			_, err := db.Neighborhood(ctx, ids.group, 2, all, incidentgraph.MaxCentralityNodes)
			return err
		}},
		{"shortest path", func(ctx context.Context, db *neo4j.DB) error {
			_, err := db.ShortestPath(ctx, ids.incident, ids.otherIncident, 6, all)
			return err
		}},
		{"affiliate network", func(ctx context.Context, db *neo4j.DB) error {
			_, err := db.AffiliateNetwork(ctx, ids.group, 2, all, 200)
			return err
		}},
		{"paths", func(ctx context.Context, db *neo4j.DB) error {
			_, err := db.Paths(ctx, ids.incident, ids.otherIncident, 4, 5, all)
			return err
		}},
		{"common neighbours", func(ctx context.Context, db *neo4j.DB) error {
			_, err := db.CommonNeighbors(ctx, []string{ids.group, ids.otherGroup}, all, 20)
			return err
		}},
		{"timeline", func(ctx context.Context, db *neo4j.DB) error {
			_, err := db.Timeline(ctx, incidentgraph.TimelineFilter{Actor: ids.group, IncludeAffiliates: true}, page)
			return err
		}},
		{"similar incidents", func(ctx context.Context, db *neo4j.DB) error {
			_, err := db.SimilarIncidents(ctx, ids.incident, 5, all)
			return err
		}},
	}
}

// seedScans is scans for the seed graph: a whole-index walk of its ~80 ids is what the planner
// rightly picks there or not, depending on when the index statistics were last sampled, so only
// AllNodesScan and label and relationship scans fail on it. Full index scans are refused on the
// generated graph (TestHotQueriesUseIndexesAtScale), where they would cost.
func seedScans(ops []string) []string {
	var bad []string
	for _, op := range scans(ops) {
		if name, _, _ := strings.Cut(op, " "); name != "NodeIndexScan" {
			bad = append(bad, op)
		}
	}
	return bad
}

// checkPlans asks every question through a recording proxy, EXPLAINs each statement the store
// sent, and fails on a scan.
func checkPlans(t *testing.T, d driver.DriverWithContext, questions []question) {
	checkPlansWith(t, d, questions, scans)
}

// checkPlansWith is checkPlans with the scans that fail chosen by scanCheck.
func checkPlansWith(t *testing.T, d driver.DriverWithContext, questions []question, scanCheck func([]string) []string) {
	ctx := context.Background()
	rec, uri := newRecorder(t)
	cfg := testdb.Config(t)
	cfg.URI = uri
	db, err := neo4j.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close(context.Background()) })
	for _, q := range questions {
		t.Run(q.name, func(t *testing.T) {
			rec.take()
			if err := q.ask(ctx, db); err != nil {
				for _, s := range rec.take() {
					t.Logf("sent %s\nwith %v", s.query, s.params)
				}
				t.Fatal(err)
			}
			stmts := rec.take()
			if len(stmts) == 0 {
				t.Fatal("no statement recorded")
			}
			for _, s := range stmts {
				ops := planOperators(ctx, t, d, s)
				t.Logf("reads: %s", strings.Join(reads(ops), " | "))
				if bad := scanCheck(ops); len(bad) > 0 {
					t.Errorf("scans %v in\n%s", bad, s.query)
				}
			}
		})
	}
}

// TestHotQueriesUseIndexes EXPLAINs every statement behind the hot questions on the seed graph
// and fails on a full scan or on a label scan where an index should serve (see seedScans). On a graph this
// small the planner leans towards scans (they cost little), so a plan that seeks here is one
// the query's shape forces, not one the statistics happen to favour.
func TestHotQueriesUseIndexes(t *testing.T) {
	seeded(t)
	checkPlansWith(t, testDriver(t), hotQuestions(hotIDs{group: is, otherGroup: isk, incident: moscow,
		otherIncident: kabul, search: "ISKP"}), seedScans)
}

// atScaleRows is the size of the generated graph the plans are checked on: a few thousand
// incidents, so that the planner's statistics (counts per label, index selectivity) make the
// choices they make at GTD scale, and small enough to import in a few seconds.
const atScaleRows = 3000

// TestHotQueriesUseIndexesAtScale loads a generated graph through the real import path (the
// seed with the generated group structure, then the generated GTD file, as `incidentgraph import
// gtd` does), asks the hot questions about its busiest groups and their incidents, and fails on
// any scan. The old shapes of the timeline and of similar incidents' last tier, which the
// checker must flag on this graph, are its negative control.
func TestHotQueriesUseIndexesAtScale(t *testing.T) {
	ctx := context.Background()
	db := testdb.MustOpen(t)
	ds, incs := generated(t, generate.Config{Seed: 3, Incidents: atScaleRows, Groups: 150})
	if err := db.DeleteAll(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Load(ctx, ds); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ImportGTD(ctx, slices.Values(incs), neo4j.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	d := testDriver(t)
	// Fresh index statistics, as a database that has run a while has them: prepareForReplanning
	// resamples every index, waits for it, and clears the plan cache (resampleOutdatedIndexes only
	// schedules it, and the plans then followed whichever statistics were current).
	if _, err := driver.ExecuteQuery(ctx, d, `CALL db.prepareForReplanning()`, nil, driver.EagerResultTransformer); err != nil {
		t.Fatal(err)
	}
	// The two busiest perpetrators with affiliates of their own, and an incident of each with a
	// killed figure.
	busiest := rows(t, db, `
		MATCH (g:Organization)-[:PERPETRATED]->(i:Incident)
		WHERE EXISTS { (:Organization)-[:AFFILIATE_OF|BRANCH_OF]->(g) }
		WITH g, count(i) AS n ORDER BY n DESC, g.id LIMIT 2
		MATCH (g)-[:PERPETRATED]->(i:Incident)
		WHERE EXISTS { MATCH (f:Figure {subject: i.id}) }
		WITH g, n, min(i.id) AS incident
		RETURN g.id, g.name, incident, n ORDER BY n DESC, g.id`, nil)
	if len(busiest) != 2 {
		t.Fatalf("the generated graph has %d busy groups with affiliates: %v", len(busiest), busiest)
	}
	ids := hotIDs{group: busiest[0][0].(string), search: busiest[0][1].(string), incident: busiest[0][2].(string),
		otherGroup: busiest[1][0].(string), otherIncident: busiest[1][2].(string)}
	t.Logf("%d rows imported; asking about %+v (%v and %v incidents)", len(incs), ids, busiest[0][3], busiest[1][3])
	checkPlans(t, d, hotQuestions(ids))
	t.Run("on the map", func(t *testing.T) { checkGeoPlansAtScale(t, db, d) })

	t.Run("negative control", func(t *testing.T) {
		for _, q := range []string{
			// The timeline of an actor before: every dated incident and event, each tested for a link.
			`MATCH (n:Incident|Event) WHERE n.dateStart IS NOT NULL
			   AND EXISTS { MATCH (n)-[r]-(a:Entity) WHERE a.id IN $ids }
			 RETURN n ORDER BY n.dateStart, n.dateEnd, n.id LIMIT 21`,
			// Similar incidents' last tier before: every incident ordered by distance in days.
			`MATCH (t:Entity {id: $ids[0]}) MATCH (c:Incident) WHERE c <> t
			 RETURN c, abs(duration.inDays(date(t.dateStart), date(c.dateStart)).days) AS near ORDER BY near, c.id LIMIT 2000`,
		} {
			ops := planOperators(ctx, t, d, statement{q, map[string]any{"ids": []any{ids.incident}}})
			if len(scans(ops)) == 0 {
				t.Errorf("the check passes a scanning plan: %v for %s", reads(ops), q)
			}
		}
	})
}

// TestScanCheckCatchesAScan is the negative control: a lookup written without the label the
// id index is on scans every node, one on an unindexed property scans the label, and one that
// orders every incident by date walks the whole date index.
func TestScanCheckCatchesAScan(t *testing.T) {
	ctx := context.Background()
	seeded(t)
	d := testDriver(t)
	for _, q := range []string{
		`MATCH (n) WHERE n.id = $id RETURN n`,
		`MATCH (n:Entity) WHERE n.description = $id RETURN n`,
		`MATCH (n:Incident) WHERE n.dateStart IS NOT NULL AND n.description <> $id RETURN n ORDER BY n.dateStart LIMIT 5`,
	} {
		ops := planOperators(ctx, t, d, statement{q, map[string]any{"id": is}})
		if len(scans(ops)) == 0 {
			t.Errorf("the check passes a scanning plan: %v for %s", ops, q)
		}
		// The seed graph's check lets a whole-index walk pass, nothing else.
		if strings.HasPrefix(q, "MATCH (n") && !strings.Contains(q, "ORDER BY") && len(seedScans(ops)) == 0 {
			t.Errorf("the seed graph's check passes a scanning plan: %v for %s", ops, q)
		}
	}
	ops := planOperators(ctx, t, d, statement{`MATCH (n:Entity {id: $id}) RETURN n`, map[string]any{"id": is}})
	if bad := scans(ops); len(bad) > 0 {
		t.Errorf("the check fails an index seek: %v", bad)
	}
}
