package graph_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/executor"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/graph"
)

// fakeGraph is an in-memory GraphService for testing the read path without a database: it
// answers from a small generated graph, counts every call and records every read request.
// Only what the read path asks is implemented; the rest fails the test that reaches it.
type fakeGraph struct {
	incidentgraph.GraphService // nil: an unexpected call panics

	entities map[string]*incidentgraph.Entity
	rels     []*incidentgraph.Relationship

	mu    sync.Mutex
	calls map[string]int
	reads []*incidentgraph.EntitySelection
}

// newFakeGraph returns a graph of n groups, each with m relationships to incidents, each
// asserted by a country on a source.
func newFakeGraph(n, m int) *fakeGraph {
	g := &fakeGraph{entities: map[string]*incidentgraph.Entity{}, calls: map[string]int{}}
	add := func(e *incidentgraph.Entity) { g.entities[e.ID] = e }
	add(&incidentgraph.Entity{ID: "country", Kind: incidentgraph.KindCountry, Name: "A country", Description: "asserts"})
	add(&incidentgraph.Entity{ID: "source", Kind: incidentgraph.KindSource, Name: "A source", Description: "reports", Publisher: "A publisher"})
	for i := range n {
		gid := fmt.Sprintf("group-%d", i)
		add(&incidentgraph.Entity{ID: gid, Kind: incidentgraph.KindOrganization, Name: fmt.Sprintf("Group %d", i),
			Description: "a group", Aliases: []string{fmt.Sprintf("G%d", i)}, SourceIDs: []string{"source"}})
		for j := range m {
			iid := fmt.Sprintf("incident-%d-%d", i, j)
			add(&incidentgraph.Entity{ID: iid, Kind: incidentgraph.KindIncident, Name: fmt.Sprintf("Incident %d/%d", i, j),
				Description: "an attack", Date: "2024-03-22", SourceIDs: []string{"source"}})
			g.rels = append(g.rels, &incidentgraph.Relationship{ID: gid + "--" + iid, Type: "PERPETRATED", FromID: gid, ToID: iid,
				Status: "CONFIRMED", Confidence: 90 - j%50, AssertedByID: "country", SourceIDs: []string{"source"}, Quote: "a quote"})
		}
	}
	return g
}

func (g *fakeGraph) count(name string) {
	g.mu.Lock()
	g.calls[name]++
	g.mu.Unlock()
}

func (g *fakeGraph) Calls() map[string]int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return maps(g.calls)
}

func maps(m map[string]int) map[string]int {
	out := make(map[string]int, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func (g *fakeGraph) FindEntitiesByIDs(_ context.Context, ids []string) ([]*incidentgraph.Entity, error) {
	g.count("FindEntitiesByIDs")
	var out []*incidentgraph.Entity
	for _, id := range ids {
		if e := g.entities[id]; e != nil {
			out = append(out, e)
		}
	}
	return out, nil
}

// relsOf answers one entity's relationships under f (types and direction only), strongest
// first, at most limit.
func (g *fakeGraph) relsOf(id string, f incidentgraph.RelationshipFilter, limit int) []*incidentgraph.Relationship {
	out := []*incidentgraph.Relationship{}
	for _, r := range g.rels {
		if len(f.Types) > 0 && !slices.Contains(f.Types, r.Type) {
			continue
		}
		out0 := r.FromID == id && f.Direction != incidentgraph.Incoming
		in := r.ToID == id && f.Direction != incidentgraph.Outgoing
		if out0 || in {
			out = append(out, r)
		}
	}
	slices.SortStableFunc(out, func(a, b *incidentgraph.Relationship) int { return b.Confidence - a.Confidence })
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}

func (g *fakeGraph) FindRelationships(_ context.Context, ids []string, f incidentgraph.RelationshipFilter, limit int) (map[string][]*incidentgraph.Relationship, error) {
	g.count("FindRelationships")
	out := map[string][]*incidentgraph.Relationship{}
	for _, id := range ids {
		out[id] = g.relsOf(id, f, limit)
	}
	return out, nil
}

func (g *fakeGraph) FindFigures(_ context.Context, ids []string, _ incidentgraph.TimeView) (map[string][]*incidentgraph.Figure, error) {
	g.count("FindFigures")
	return map[string][]*incidentgraph.Figure{}, nil
}

func (g *fakeGraph) Search(_ context.Context, _ string, _ []incidentgraph.Kind, limit int) ([]*incidentgraph.Entity, error) {
	g.count("Search")
	var out []*incidentgraph.Entity
	for i := 0; len(out) < limit; i++ {
		e := g.entities[fmt.Sprintf("group-%d", i)]
		if e == nil {
			break
		}
		out = append(out, e)
	}
	return out, nil
}

// Read answers a selection as the store does, from the in-memory graph.
func (g *fakeGraph) Read(_ context.Context, ids []string, sel *incidentgraph.EntitySelection) (*incidentgraph.ReadAnswer, error) {
	g.count("Read")
	g.mu.Lock()
	g.reads = append(g.reads, sel)
	g.mu.Unlock()
	rels, figs := sel.Slots()
	ans := &incidentgraph.ReadAnswer{Entities: map[string]*incidentgraph.Entity{}, Full: map[string]bool{},
		Relationships: make([]map[string][]*incidentgraph.Relationship, rels), Figures: make([]map[string][]*incidentgraph.Figure, figs)}
	for i := range ans.Relationships {
		ans.Relationships[i] = map[string][]*incidentgraph.Relationship{}
	}
	for i := range ans.Figures {
		ans.Figures[i] = map[string][]*incidentgraph.Figure{}
	}
	var visit func(id string, s *incidentgraph.EntitySelection)
	visit = func(id string, s *incidentgraph.EntitySelection) {
		e := g.entities[id]
		if e == nil || s == nil {
			return
		}
		ans.Entities[id], ans.Full[id] = e, true
		if s.Sources != nil {
			for _, sid := range e.SourceIDs {
				visit(sid, s.Sources)
			}
		}
		for _, rs := range s.Relationships {
			if len(rs.Kinds) > 0 && !slices.Contains(rs.Kinds, e.Kind) {
				continue
			}
			found := g.relsOf(id, rs.Filter, rs.Limit)
			ans.Relationships[rs.Slot][id] = found
			for _, r := range found {
				other := r.ToID
				if other == id {
					other = r.FromID
				}
				visit(other, rs.Other)
				visit(r.AssertedByID, rs.AssertedBy)
				for _, sid := range r.SourceIDs {
					visit(sid, rs.Sources)
				}
			}
		}
		for _, fs := range s.Figures {
			ans.Figures[fs.Slot][id] = []*incidentgraph.Figure{}
		}
	}
	for _, id := range ids {
		visit(id, sel)
	}
	return ans, nil
}

// run executes query with the compiled reads (or without them) over svc, as the server does
// (graph.CompiledReads and per-operation Loaders), and returns the response's data as JSON.
func run(t testing.TB, svc incidentgraph.GraphService, query string, compiled bool) string {
	t.Helper()
	return runWith(t, newExecutor(svc, compiled), svc, query, compiled)
}

func runWith(t testing.TB, exec *executor.Executor, svc incidentgraph.GraphService, query string, compiled bool) string {
	t.Helper()
	ctx := graphql.StartOperationTrace(context.Background())
	opCtx, errs := exec.CreateOperationContext(ctx, &graphql.RawParams{Query: query})
	if errs != nil {
		t.Fatalf("%s: %v", query, errs)
	}
	ctx = graphql.WithOperationContext(ctx, opCtx)
	l := graph.NewLoaders(svc)
	if !compiled {
		l = l.WithoutCompiledReadsForTest()
	}
	ctx = graph.WithLoaders(ctx, l)
	h, ctx := exec.DispatchOperation(ctx, opCtx)
	resp := h(ctx)
	if len(resp.Errors) > 0 {
		t.Fatalf("%s: %v", query, resp.Errors)
	}
	return string(resp.Data)
}

func newExecutor(svc incidentgraph.GraphService, compiled bool) *executor.Executor {
	exec := executor.New(graph.NewExecutableSchema(graph.Config{Resolvers: &graph.Resolver{Graph: svc}}))
	exec.SetQueryCache(lru.New[*ast.QueryDocument](10))
	if compiled {
		exec.Use(graph.CompiledReads{})
	}
	return exec
}

const entityQuestion = `{ entity(id: "group-0") { id name description
	relationships(first: 100) { id type status confidence quote
		other { id kind name } assertedBy { id name } sources { id publisher } } } }`

// TestEntityQuestionIsOneRead: the entity question asks the store one read, whose selection
// is what the query reads (one relationships field, whole, with its ends, asserters and
// sources); the answer is the one the fields give asking for themselves, which costs more
// calls (the control).
func TestEntityQuestionIsOneRead(t *testing.T) {
	g := newFakeGraph(3, 20)
	got := run(t, g, entityQuestion, true)
	if calls := g.Calls(); calls["Read"] != 1 || len(calls) != 1 {
		t.Errorf("calls %v, want one Read", calls)
	}
	sel := g.reads[0]
	if !sel.Full || len(sel.Relationships) != 1 {
		t.Fatalf("selection %+v: want the whole entity and one relationships field", sel)
	}
	rs := sel.Relationships[0]
	if rs.Limit != 100 || !rs.Full || rs.Other == nil || rs.Other.Full || rs.AssertedBy == nil || rs.Sources == nil || !rs.Sources.Full {
		t.Errorf("relationships field compiled as %+v", rs)
	}
	off := newFakeGraph(3, 20)
	want := run(t, off, entityQuestion, false)
	if got != want {
		t.Errorf("compiled answer\n%s\nfields asking for themselves\n%s", got, want)
	}
	if calls := off.Calls(); calls["Read"] != 0 || calls["FindEntitiesByIDs"] < 3 {
		t.Errorf("control: without compiled reads the calls are %v", calls)
	}
}

// TestListCompilesKindsAndSlots: a search whose items read two relationships fields (one on
// every kind, one only on organisations through a fragment) and nested relationships below
// costs the search and one read; the fragment's field is read of organisations only, and each
// field has its own slot.
func TestListCompilesKindsAndSlots(t *testing.T) {
	g := newFakeGraph(4, 5)
	q := `{ search(text: "group", first: 4) { id
		a: relationships(first: 2) { other { id relationships(first: 3, filter: {direction: INCOMING}) { id } } }
		... on Organization { b: relationships(first: 5, filter: {types: [PERPETRATED]}) { id } } } }`
	var data struct {
		Search []struct {
			A []struct {
				Other struct{ Relationships []struct{ ID string } }
			}
			B []struct{ ID string }
		}
	}
	if err := json.Unmarshal([]byte(run(t, g, q, true)), &data); err != nil {
		t.Fatal(err)
	}
	if calls := g.Calls(); calls["Search"] != 1 || calls["Read"] != 1 || len(calls) != 2 {
		t.Errorf("calls %v, want one Search and one Read", calls)
	}
	if len(data.Search) != 4 || len(data.Search[0].A) != 2 || len(data.Search[0].B) != 5 || len(data.Search[0].A[0].Other.Relationships) != 1 {
		t.Errorf("answer %+v", data)
	}
	sel := g.reads[0]
	if len(sel.Relationships) != 2 {
		t.Fatalf("%d relationships fields compiled, want 2", len(sel.Relationships))
	}
	slots := []int{sel.Relationships[0].Slot, sel.Relationships[1].Slot}
	a, b := sel.Relationships[0], sel.Relationships[1]
	if len(a.Kinds) != 0 || !slices.Equal(b.Kinds, []incidentgraph.Kind{incidentgraph.KindOrganization}) {
		t.Errorf("kinds: a %v, b %v; want every kind, and organisations only", a.Kinds, b.Kinds)
	}
	if a.Other == nil || len(a.Other.Relationships) != 1 || a.Other.Relationships[0].Filter.Direction != incidentgraph.Incoming {
		t.Errorf("the nested field: %+v", a.Other)
	}
	if nested := a.Other.Relationships[0].Slot; slices.Contains(slots, nested) || nested > 2 {
		t.Errorf("slots %v and %d: each field needs its own", slots, nested)
	}
}

// BenchmarkEntityQuestion measures the GraphQL layer's work on the entity question (compile,
// execute, marshal) over the in-memory store: the service's CPU per request without Neo4j,
// HTTP or JSON decoding of the driver.
func BenchmarkEntityQuestion(b *testing.B) {
	for _, m := range []int{20, 100} {
		b.Run(fmt.Sprintf("relationships=%d", m), func(b *testing.B) {
			g := newFakeGraph(1, m)
			exec := newExecutor(g, true)
			b.ReportAllocs()
			for b.Loop() {
				runWith(b, exec, g, entityQuestion, true)
			}
		})
	}
}
