package neo4j_test

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/seed"
)

const (
	parisAttack      = "paris-attacks-2015"
	isWestAfrica     = "islamic-state-west-africa-province"
	isEastAsia       = "islamic-state-east-asia-province"
	alQaidaID        = "al-qaida"
	pakistaniTaliban = "tehrik-i-taliban-pakistan"
	afghanTaliban    = "taliban"
	pakistanID       = "pakistan"
)

type relFilter = incidentgraph.RelationshipFilter

func wantCode(t *testing.T, err error, code, contains string) {
	t.Helper()
	if err == nil {
		t.Errorf("no error; want %s", code)
		return
	}
	if got := incidentgraph.ErrorCode(err); got != code {
		t.Errorf("error %v has code %s, want %s", err, got, code)
	}
	if !strings.Contains(err.Error(), contains) {
		t.Errorf("error %q does not mention %q", err, contains)
	}
}

func nodeSet(g *incidentgraph.Subgraph) map[string]bool {
	s := map[string]bool{}
	for _, n := range g.Nodes {
		s[n.ID] = true
	}
	return s
}

// --- AffiliateNetwork ---------------------------------------------------------------------

func TestAffiliateNetworkOfTheIslamicState(t *testing.T) {
	ctx := context.Background()
	db := seeded(t)
	g, err := db.AffiliateNetwork(ctx, is, 2, relFilter{}, 100)
	if err != nil {
		t.Fatal(err)
	}
	assertNetwork(t, g, is, 2, relFilter{})
	got := nodeSet(g)
	for _, id := range []string{is, isk, isWestAfrica, isEastAsia, alQaidaID, pakistaniTaliban, afghanTaliban} {
		if !got[id] {
			t.Errorf("network of %s at depth 2 lacks %s: %v", is, id, entityIDs(g.Nodes))
		}
	}
	if g.Truncated {
		t.Error("truncated with room to spare")
	}
	if g.Nodes[0].ID != is {
		t.Errorf("centre %s is not first", g.Nodes[0].ID)
	}
	// TTP and the Taliban are two hops away, through IS-K: at depth 1 they are not in the network.
	one, err := db.AffiliateNetwork(ctx, is, 1, relFilter{}, 100)
	if err != nil {
		t.Fatal(err)
	}
	assertNetwork(t, one, is, 1, relFilter{})
	if n := nodeSet(one); n[pakistaniTaliban] || n[afghanTaliban] || !n[isk] {
		t.Errorf("depth 1 network: %v", entityIDs(one.Nodes))
	}
}

func TestAffiliateNetworkLeavesOutGeographyAndOtherTypes(t *testing.T) {
	ctx := context.Background()
	db := seeded(t)
	// TTP originated from Pakistan, three hops from the Islamic State. A neighbourhood over the
	// same types reaches Pakistan; the network does not, since a country of origin is geography.
	g, err := db.AffiliateNetwork(ctx, is, 3, relFilter{}, 100)
	if err != nil {
		t.Fatal(err)
	}
	assertNetwork(t, g, is, 3, relFilter{})
	if nodeSet(g)[pakistanID] {
		t.Errorf("network reaches %s through ORIGINATED_FROM: %v", pakistanID, entityIDs(g.Nodes))
	}
	control, err := db.Neighborhood(ctx, is, 3, relFilter{Types: incidentgraph.OrganizationalTypes}, 100)
	if err != nil {
		t.Fatal(err)
	}
	if !nodeSet(control)[pakistanID] {
		t.Fatalf("control: the neighbourhood over organisational types does not reach %s", pakistanID)
	}

	// Types outside the organisational ones are dropped from f.Types: OPERATES_IN would reach
	// the places where the affiliates operate (as the neighbourhood shows).
	types := relFilter{Types: []incidentgraph.RelType{"AFFILIATE_OF", "OPERATES_IN"}}
	g, err = db.AffiliateNetwork(ctx, is, 2, types, 100)
	if err != nil {
		t.Fatal(err)
	}
	assertNetwork(t, g, is, 2, types)
	for _, e := range g.Edges {
		if e.Type != "AFFILIATE_OF" {
			t.Errorf("edge %s of type %s with types [AFFILIATE_OF OPERATES_IN]", e.ID, e.Type)
		}
	}
	for _, n := range g.Nodes {
		if !n.Kind.IsActor() {
			t.Errorf("network holds %s, a %s", n.ID, n.Kind)
		}
	}
	if got := nodeSet(g); got[alQaidaID] || !got[isk] {
		t.Errorf("AFFILIATE_OF network: %v", entityIDs(g.Nodes))
	}
	control, err = db.Neighborhood(ctx, is, 2, types, 100)
	if err != nil {
		t.Fatal(err)
	}
	if !nodeSet(control)["west-africa"] {
		t.Fatal("control: the neighbourhood over AFFILIATE_OF and OPERATES_IN does not reach west-africa")
	}
}

func TestAffiliateNetworkFilters(t *testing.T) {
	ctx := context.Background()
	db := seeded(t)
	network := func(f relFilter) map[string]bool {
		t.Helper()
		g, err := db.AffiliateNetwork(ctx, is, 2, f, 100)
		if err != nil {
			t.Fatalf("%+v: %v", f, err)
		}
		assertNetwork(t, g, is, 2, f)
		return nodeSet(g)
	}
	// The seed's organisational links are at most 90 sure.
	if got := network(relFilter{MinConfidence: 95}); len(got) != 1 {
		t.Errorf("minConfidence 95: %v, want the centre alone", got)
	}
	if got := network(relFilter{MinConfidence: 90}); !got[isk] || got[isWestAfrica] {
		t.Errorf("minConfidence 90: %v, want IS-K (90) without ISWAP (80)", got)
	}
	// Everything about these groups is known from 2024-03-23 on.
	if got := network(relFilter{KnownAt: "2020"}); len(got) != 1 {
		t.Errorf("knownAt 2020: %v, want the centre alone", got)
	}
	if got := network(relFilter{KnownAt: "2024-03-23"}); !got[isk] || !got[pakistaniTaliban] {
		t.Errorf("knownAt 2024-03-23: %v", got)
	}
	if got := network(relFilter{Statuses: []incidentgraph.Status{"CONFIRMED"}}); len(got) != 1 {
		t.Errorf("CONFIRMED only: %v, want the centre alone (every link is REPORTED)", got)
	}
	if got := network(relFilter{AssertedBy: "wikipedia"}); !got[isk] || got[isWestAfrica] {
		t.Errorf("asserted by wikipedia: %v, want IS-K's BRANCH_OF alone", got)
	}
}

func TestAffiliateNetworkAsItHeld(t *testing.T) {
	ctx := context.Background()
	db := seeded(t)
	// IS-K was founded in January 2015: in 2014 it was no part of the network, and neither was
	// what the network reaches only through it.
	g, err := db.AffiliateNetwork(ctx, is, 2, relFilter{ValidAt: "2014"}, 100)
	if err != nil {
		t.Fatal(err)
	}
	assertNetwork(t, g, is, 2, relFilter{ValidAt: "2014"})
	if got := nodeSet(g); got[isk] || got[pakistaniTaliban] || got[afghanTaliban] || !got[isWestAfrica] {
		t.Errorf("validAt 2014: %v", entityIDs(g.Nodes))
	}
	g, err = db.AffiliateNetwork(ctx, is, 2, relFilter{ValidAt: "2015"}, 100)
	if err != nil {
		t.Fatal(err)
	}
	if got := nodeSet(g); !got[isk] || !got[pakistaniTaliban] {
		t.Errorf("validAt 2015: %v", entityIDs(g.Nodes))
	}
}

func TestAffiliateNetworkTruncatesNearestFirst(t *testing.T) {
	ctx := context.Background()
	db := seeded(t)
	full, err := db.AffiliateNetwork(ctx, is, 2, relFilter{}, 100)
	if err != nil {
		t.Fatal(err)
	}
	others := len(full.Nodes) - 1
	exact, err := db.AffiliateNetwork(ctx, is, 2, relFilter{}, others)
	if err != nil {
		t.Fatal(err)
	}
	if exact.Truncated || len(exact.Nodes) != len(full.Nodes) {
		t.Errorf("limit %d = the network's size: truncated %v, %d nodes", others, exact.Truncated, len(exact.Nodes))
	}
	// Five groups are one hop from the Islamic State: a limit of five keeps them all and none of
	// the groups two hops away.
	five, err := db.AffiliateNetwork(ctx, is, 2, relFilter{}, 5)
	if err != nil {
		t.Fatal(err)
	}
	assertNetwork(t, five, is, 2, relFilter{})
	if !five.Truncated || len(five.Nodes) != 6 {
		t.Errorf("limit 5: truncated %v, %d nodes %v", five.Truncated, len(five.Nodes), entityIDs(five.Nodes))
	}
	if got := nodeSet(five); got[pakistaniTaliban] || got[afghanTaliban] || !got[isk] {
		t.Errorf("limit 5 did not keep the nearest: %v", entityIDs(five.Nodes))
	}
}

func TestAffiliateNetworkErrors(t *testing.T) {
	ctx := context.Background()
	db := seeded(t)
	for _, d := range []int{0, 5, -1} {
		_, err := db.AffiliateNetwork(ctx, is, d, relFilter{}, 10)
		wantCode(t, err, incidentgraph.EINVALID, "depth must be between 1 and 4")
	}
	_, err := db.AffiliateNetwork(ctx, "no-such-group", 2, relFilter{}, 10)
	wantCode(t, err, incidentgraph.ENOTFOUND, `"no-such-group"`)
	_, err = db.AffiliateNetwork(ctx, "kabul", 2, relFilter{}, 10)
	wantCode(t, err, incidentgraph.EINVALID, `"kabul" is a PLACE, not an organization`)
	_, err = db.AffiliateNetwork(ctx, moscow, 2, relFilter{}, 10)
	wantCode(t, err, incidentgraph.EINVALID, "INCIDENT")
	_, err = db.AffiliateNetwork(ctx, is, 2, relFilter{Types: []incidentgraph.RelType{"OCCURRED_IN"}}, 10)
	wantCode(t, err, incidentgraph.EINVALID, "AFFILIATE_OF")
	_, err = db.AffiliateNetwork(ctx, is, 2, relFilter{}, 0)
	wantCode(t, err, incidentgraph.EINVALID, "limit")
}

// assertNetwork checks what every network promises: a closed chart of actors around the
// centre, its links organisational and passing the filter, and no node farther than depth.
func assertNetwork(t *testing.T, g *incidentgraph.Subgraph, centre string, depth int, f relFilter) {
	t.Helper()
	assertChart(t, g)
	if len(g.Nodes) == 0 || g.Nodes[0].ID != centre {
		t.Errorf("network of %s does not start with it: %v", centre, entityIDs(g.Nodes))
		return
	}
	kinds := map[string]incidentgraph.Kind{}
	for _, n := range g.Nodes {
		kinds[n.ID] = n.Kind
		if !n.Kind.IsActor() {
			t.Errorf("network holds %s, a %s", n.ID, n.Kind)
		}
	}
	adj := map[string][]string{}
	for _, e := range g.Edges {
		if !slices.Contains(incidentgraph.OrganizationalTypes, e.Type) || (len(f.Types) > 0 && !slices.Contains(f.Types, e.Type)) {
			t.Errorf("edge %s of type %s", e.ID, e.Type)
		}
		if e.Type == "ORIGINATED_FROM" && kinds[e.ToID] == incidentgraph.KindCountry {
			t.Errorf("edge %s: an origin in a country", e.ID)
		}
		if e.Confidence < f.MinConfidence {
			t.Errorf("edge %s: confidence %d < %d", e.ID, e.Confidence, f.MinConfidence)
		}
		adj[e.FromID] = append(adj[e.FromID], e.ToID)
		adj[e.ToID] = append(adj[e.ToID], e.FromID)
	}
	// The edges among the nodes include every hop that brought a node in, so a breadth-first
	// search over them reaches every node within depth.
	dist := map[string]int{centre: 0}
	queue := []string{centre}
	for len(queue) > 0 {
		a := queue[0]
		queue = queue[1:]
		for _, b := range adj[a] {
			if _, seen := dist[b]; !seen {
				dist[b] = dist[a] + 1
				queue = append(queue, b)
			}
		}
	}
	last := 0
	for _, n := range g.Nodes {
		d, ok := dist[n.ID]
		if !ok || d > depth {
			t.Errorf("%s is not within %d hops of %s over the network's edges", n.ID, depth, centre)
			continue
		}
		if d < last {
			t.Errorf("%s (%d hops) comes after a node %d hops away", n.ID, d, last)
		}
		last = d
	}
}

// --- Paths --------------------------------------------------------------------------------

func TestPathsFromKabulToMoscow(t *testing.T) {
	ctx := context.Background()
	db := seeded(t)
	paths, err := db.Paths(ctx, kabul, moscow, 6, 20, relFilter{})
	if err != nil {
		t.Fatal(err)
	}
	assertPaths(t, paths, kabul, moscow, 6, 20, relFilter{})
	if len(paths) < 2 {
		t.Fatalf("%d paths, want more than one", len(paths))
	}
	if got := pathIDs(paths[0]); !slices.Equal(got, []string{kabul, isk, moscow}) {
		t.Errorf("first path %v, want through IS-K", got)
	}
	// Through IS-K and the Islamic State: IS-K is linked to the Islamic State twice
	// (AFFILIATE_OF 90, BRANCH_OF 85), the Islamic State to the attack three times (claim 85,
	// attributions 85 and 60). The path appears once, its hops the strongest links.
	viaIS := []string{kabul, isk, is, moscow}
	var found *incidentgraph.Path
	for _, p := range paths {
		if slices.Equal(pathIDs(p), viaIS) {
			if found != nil {
				t.Errorf("path %v appears twice", viaIS)
			}
			found = p
		}
	}
	if found == nil {
		t.Fatalf("no path %v among %d", viaIS, len(paths))
	}
	if e := found.Edges[1]; e.Type != "AFFILIATE_OF" || e.Confidence != 90 {
		t.Errorf("IS-K–IS hop is %s (%d), want AFFILIATE_OF (90)", e.ID, e.Confidence)
	}
	if e := found.Edges[2]; e.Confidence != 85 || e.ID != "islamic-state--claimed-responsibility-for--moscow-concert-hall-attack-2024--islamic-state" {
		t.Errorf("IS–Moscow hop is %s (%d), want the claim (85, smallest id of the two at 85)", e.ID, e.Confidence)
	}
	// The control for the collapse: the parallel links exist.
	rels, err := db.FindRelationships(ctx, []string{moscow}, relFilter{}, 500)
	if err != nil {
		t.Fatal(err)
	}
	parallel := 0
	for _, r := range rels[moscow] {
		if r.FromID == is || r.ToID == is {
			parallel++
		}
	}
	if parallel < 2 {
		t.Fatalf("control: %d links between %s and %s", parallel, is, moscow)
	}

	// first cuts the same ranking.
	one, err := db.Paths(ctx, kabul, moscow, 6, 1, relFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(one) != 1 || !slices.Equal(pathIDs(one[0]), pathIDs(paths[0])) {
		t.Errorf("first 1: %v", one)
	}
	three, err := db.Paths(ctx, kabul, moscow, 6, 3, relFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range three {
		if !slices.Equal(pathIDs(p), pathIDs(paths[i])) {
			t.Errorf("first 3, path %d: %v, first 20 had %v", i, pathIDs(p), pathIDs(paths[i]))
		}
	}
}

func TestPathsFilters(t *testing.T) {
	ctx := context.Background()
	db := seeded(t)
	paths := func(maxDepth int, f relFilter) [][]string {
		t.Helper()
		ps, err := db.Paths(ctx, kabul, moscow, maxDepth, 20, f)
		if err != nil {
			t.Fatalf("%+v: %v", f, err)
		}
		assertPaths(t, ps, kabul, moscow, maxDepth, 20, f)
		out := [][]string{}
		for _, p := range ps {
			out = append(out, pathIDs(p))
		}
		return out
	}
	direct := []string{kabul, isk, moscow}
	has := func(ps [][]string, want []string) bool {
		return slices.ContainsFunc(ps, func(p []string) bool { return slices.Equal(p, want) })
	}
	// The U.S. official's attribution of Moscow to IS-K is 65 sure.
	if !has(paths(6, relFilter{}), direct) {
		t.Fatal("control: no direct path through IS-K without a filter")
	}
	strong := paths(6, relFilter{MinConfidence: 70})
	if has(strong, direct) || len(strong) == 0 {
		t.Errorf("minConfidence 70: %v; want other paths, not the one over a 65 link", strong)
	}
	if got := paths(6, relFilter{MinConfidence: 96}); len(got) != 0 {
		t.Errorf("minConfidence 96: %v, want none", got)
	}
	// Everything about the Moscow attack is known from 2024-03-23.
	if got := paths(6, relFilter{KnownAt: "2020"}); len(got) != 0 {
		t.Errorf("knownAt 2020: %v, want none", got)
	}
	if got := paths(6, relFilter{KnownAt: "2024-03-23"}); !has(got, direct) {
		t.Errorf("knownAt 2024-03-23: %v", got)
	}
	// IS-K was founded in January 2015: in 2014 no path runs through it.
	throughISK := func(ps [][]string) bool {
		return slices.ContainsFunc(ps, func(p []string) bool { return slices.Contains(p, isk) })
	}
	if got := paths(6, relFilter{ValidAt: "2014"}); throughISK(got) {
		t.Errorf("validAt 2014: %v", got)
	}
	if got := paths(6, relFilter{ValidAt: "2024"}); !has(got, direct) {
		t.Errorf("validAt 2024: %v", got)
	}
	// Depth bounds the paths; the attacks are two hops apart.
	if got := paths(1, relFilter{}); len(got) != 0 {
		t.Errorf("maxDepth 1: %v", got)
	}
	if got := paths(2, relFilter{}); len(got) != 1 || !has(got, direct) {
		t.Errorf("maxDepth 2: %v", got)
	}
	only := relFilter{Types: []incidentgraph.RelType{"ATTRIBUTED_TO"}}
	if got := paths(6, only); !has(got, direct) {
		t.Errorf("ATTRIBUTED_TO only: %v", got)
	}
}

func TestPathsErrors(t *testing.T) {
	ctx := context.Background()
	db := seeded(t)
	for _, d := range []int{0, 7} {
		_, err := db.Paths(ctx, kabul, moscow, d, 5, relFilter{})
		wantCode(t, err, incidentgraph.EINVALID, "maxDepth must be between 1 and 6")
	}
	for _, n := range []int{0, 21} {
		_, err := db.Paths(ctx, kabul, moscow, 4, n, relFilter{})
		wantCode(t, err, incidentgraph.EINVALID, "first must be between 1 and 20")
	}
	_, err := db.Paths(ctx, kabul, kabul, 4, 5, relFilter{})
	wantCode(t, err, incidentgraph.EINVALID, "different")
	_, err = db.Paths(ctx, "nowhere", moscow, 4, 5, relFilter{})
	wantCode(t, err, incidentgraph.ENOTFOUND, `"nowhere" (from)`)
	_, err = db.Paths(ctx, kabul, "nowhere", 4, 5, relFilter{})
	wantCode(t, err, incidentgraph.ENOTFOUND, `"nowhere" (to)`)
}

func pathIDs(p *incidentgraph.Path) []string { return entityIDs(p.Nodes) }

// assertPaths checks what every answer of Paths promises.
func assertPaths(t *testing.T, paths []*incidentgraph.Path, from, to string, maxDepth, first int, f relFilter) {
	t.Helper()
	if paths == nil {
		t.Error("nil paths; want an empty list")
	}
	if len(paths) > first {
		t.Errorf("%d paths, asked for %d", len(paths), first)
	}
	seen := map[string]bool{}
	for i, p := range paths {
		ids := pathIDs(p)
		key := strings.Join(ids, " ")
		if seen[key] {
			t.Errorf("path %v appears twice", ids)
		}
		seen[key] = true
		if len(p.Nodes) != len(p.Edges)+1 || p.Length() < 1 || p.Length() > maxDepth {
			t.Errorf("path %v: %d nodes, %d edges (maxDepth %d)", ids, len(p.Nodes), len(p.Edges), maxDepth)
			continue
		}
		if ids[0] != from || ids[len(ids)-1] != to {
			t.Errorf("path %v does not run from %s to %s", ids, from, to)
		}
		if len(slices.Compact(slices.Sorted(slices.Values(ids)))) != len(ids) {
			t.Errorf("path %v is not simple", ids)
		}
		for j, e := range p.Edges {
			a, b := ids[j], ids[j+1]
			if !(e.FromID == a && e.ToID == b) && !(e.FromID == b && e.ToID == a) {
				t.Errorf("path %v: edge %d (%s) does not link %s and %s", ids, j, e.ID, a, b)
			}
			if e.Confidence < f.MinConfidence || (len(f.Types) > 0 && !slices.Contains(f.Types, e.Type)) {
				t.Errorf("path %v: edge %s fails the filter", ids, e.ID)
			}
		}
		if i > 0 && rankPaths(paths[i-1], p) > 0 {
			t.Errorf("path %v ranks after %v", pathIDs(paths[i-1]), ids)
		}
	}
}

func rankPaths(p, q *incidentgraph.Path) int {
	return cmp.Or(cmp.Compare(p.Length(), q.Length()), cmp.Compare(q.WeakestConfidence(), p.WeakestConfidence()),
		slices.Compare(pathIDs(p), pathIDs(q)))
}

// --- CommonNeighbors ----------------------------------------------------------------------

func TestCommonNeighborsOfAttacks(t *testing.T) {
	ctx := context.Background()
	db := seeded(t)
	for _, tc := range []struct {
		ids  []string
		want string
	}{
		{[]string{parisAttack, moscow}, is},
		{[]string{moscow, parisAttack}, is},
		{[]string{kabul, moscow}, isk},
	} {
		got, err := db.CommonNeighbors(ctx, tc.ids, relFilter{}, 100)
		if err != nil {
			t.Fatal(err)
		}
		assertCommon(t, got, tc.ids, 100, relFilter{})
		if !slices.Contains(neighborIDs(got), tc.want) {
			t.Errorf("%v share %v, want %s among them", tc.ids, neighborIDs(got), tc.want)
		}
	}
	// The Islamic State links to the Moscow attack three times: all three, strongest first.
	got, err := db.CommonNeighbors(ctx, []string{parisAttack, moscow}, relFilter{}, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, cn := range got {
		if cn.Entity.ID == is {
			if rs := cn.Links[1].Relationships; len(rs) != 3 || rs[0].Confidence != 85 || rs[2].Confidence != 60 {
				t.Errorf("IS–Moscow link: %d relationships", len(rs))
			}
		}
	}
}

func TestCommonNeighborsFiltersAndLimit(t *testing.T) {
	ctx := context.Background()
	db := seeded(t)
	common := func(ids []string, f relFilter, limit int) []string {
		t.Helper()
		got, err := db.CommonNeighbors(ctx, ids, f, limit)
		if err != nil {
			t.Fatalf("%v %+v: %v", ids, f, err)
		}
		assertCommon(t, got, ids, limit, f)
		return neighborIDs(got)
	}
	pair := []string{kabul, moscow}
	if !slices.Contains(common(pair, relFilter{}, 100), isk) {
		t.Fatal("control: Kabul and Moscow do not share IS-K")
	}
	// Moscow's attribution to IS-K is 65 sure.
	if got := common(pair, relFilter{MinConfidence: 70}, 100); slices.Contains(got, isk) {
		t.Errorf("minConfidence 70: %v", got)
	}
	if got := common(pair, relFilter{KnownAt: "2020"}, 100); len(got) != 0 {
		t.Errorf("knownAt 2020: %v", got)
	}
	if got := common(pair, relFilter{ValidAt: "2014"}, 100); slices.Contains(got, isk) {
		t.Errorf("validAt 2014, before IS-K was founded: %v", got)
	}
	if got := common(pair, relFilter{ValidAt: "2021-08-26"}, 100); !slices.Contains(got, isk) {
		t.Errorf("validAt 2021-08-26: %v", got)
	}
	// IS-K and the Moscow attack are linked directly: neither is its own common neighbour, and
	// they share the Islamic State, Russia and the synagogue plot.
	both := []string{moscow, isk}
	all := common(both, relFilter{}, 100)
	for _, want := range []string{is, "russia", "moscow-synagogue-plot-2024"} {
		if !slices.Contains(all, want) {
			t.Errorf("%v share %v, want %s", both, all, want)
		}
	}
	if got := common(both, relFilter{}, 1); len(got) != 1 || got[0] != all[0] {
		t.Errorf("limit 1: %v, want %v", got, all[:1])
	}
	three := common([]string{parisAttack, moscow, "manchester-arena-bombing-2017"}, relFilter{}, 100)
	if !slices.Contains(three, is) {
		t.Errorf("three attacks share %v", three)
	}
}

func TestCommonNeighborsErrors(t *testing.T) {
	ctx := context.Background()
	db := seeded(t)
	_, err := db.CommonNeighbors(ctx, []string{kabul}, relFilter{}, 10)
	wantCode(t, err, incidentgraph.EINVALID, "between 2 and 10")
	eleven := make([]string, 11)
	for i := range eleven {
		eleven[i] = fmt.Sprintf("e%d", i)
	}
	_, err = db.CommonNeighbors(ctx, eleven, relFilter{}, 10)
	wantCode(t, err, incidentgraph.EINVALID, "between 2 and 10")
	_, err = db.CommonNeighbors(ctx, []string{kabul, moscow, kabul}, relFilter{}, 10)
	wantCode(t, err, incidentgraph.EINVALID, `"kabul-airport-bombing-2021" is given twice`)
	_, err = db.CommonNeighbors(ctx, []string{kabul, "nowhere"}, relFilter{}, 10)
	wantCode(t, err, incidentgraph.ENOTFOUND, `"nowhere"`)
	for _, l := range []int{0, 101} {
		_, err = db.CommonNeighbors(ctx, []string{kabul, moscow}, relFilter{}, l)
		wantCode(t, err, incidentgraph.EINVALID, "limit")
	}
}

func neighborIDs(cns []*incidentgraph.CommonNeighbor) []string {
	out := make([]string, len(cns))
	for i, cn := range cns {
		out[i] = cn.Entity.ID
	}
	return out
}

// assertCommon checks what every answer of CommonNeighbors promises.
func assertCommon(t *testing.T, cns []*incidentgraph.CommonNeighbor, ids []string, limit int, f relFilter) {
	t.Helper()
	if cns == nil {
		t.Error("nil neighbours; want an empty list")
	}
	if len(cns) > limit {
		t.Errorf("%d neighbours, limit %d", len(cns), limit)
	}
	score := func(cn *incidentgraph.CommonNeighbor) int {
		s := 0
		for _, l := range cn.Links {
			if len(l.Relationships) > 0 {
				s += l.Relationships[0].Confidence
			}
		}
		return s
	}
	seen := map[string]bool{}
	for i, cn := range cns {
		n := cn.Entity.ID
		if seen[n] {
			t.Errorf("%s appears twice", n)
		}
		seen[n] = true
		if slices.Contains(ids, n) {
			t.Errorf("%s is one of %v", n, ids)
		}
		if len(cn.Links) != len(ids) {
			t.Errorf("%s: %d links for %d ids", n, len(cn.Links), len(ids))
			continue
		}
		for j, l := range cn.Links {
			if l.OfID != ids[j] {
				t.Errorf("%s: link %d is of %s, want %s", n, j, l.OfID, ids[j])
			}
			if len(l.Relationships) == 0 {
				t.Errorf("%s: no relationship to %s", n, l.OfID)
			}
			for k, r := range l.Relationships {
				if !(r.FromID == l.OfID && r.ToID == n) && !(r.FromID == n && r.ToID == l.OfID) {
					t.Errorf("%s: relationship %s does not link it to %s", n, r.ID, l.OfID)
				}
				if r.Confidence < f.MinConfidence {
					t.Errorf("%s: relationship %s fails the filter", n, r.ID)
				}
				if k > 0 && r.Confidence > l.Relationships[k-1].Confidence {
					t.Errorf("%s: relationships to %s not strongest first", n, l.OfID)
				}
			}
		}
		if i > 0 {
			p := cns[i-1]
			if c := cmp.Or(cmp.Compare(score(cn), score(p)), cmp.Compare(p.Entity.Name, cn.Entity.Name), cmp.Compare(p.Entity.ID, n)); c > 0 {
				t.Errorf("%s ranks after %s", n, p.Entity.ID)
			}
		}
	}
}

// --- Properties over the seed graph -------------------------------------------------------

func seedDataset(t *testing.T) *incidentgraph.Dataset {
	t.Helper()
	ds, err := seed.Read(seed.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// oracle answers the analyst questions in memory, over the seed files, for filters without a
// time view: the reference the store's answers are checked against.
type oracle struct {
	kinds map[string]incidentgraph.Kind
	names map[string]string
	rels  []*incidentgraph.Relationship
}

func newOracle(ds *incidentgraph.Dataset) *oracle {
	o := &oracle{kinds: map[string]incidentgraph.Kind{}, names: map[string]string{}, rels: ds.Relationships}
	for _, e := range ds.Entities {
		o.kinds[e.ID] = e.Kind
		o.names[e.ID] = e.Name
	}
	return o
}

func (o *oracle) passes(r *incidentgraph.Relationship, f relFilter) bool {
	return (len(f.Types) == 0 || slices.Contains(f.Types, r.Type)) && r.Confidence >= f.MinConfidence &&
		(len(f.Statuses) == 0 || slices.Contains(f.Statuses, r.Status)) && (f.AssertedBy == "" || r.AssertedByID == f.AssertedBy)
}

// links maps each entity to its neighbours and the relationships to each, strongest first.
func (o *oracle) links(keep func(*incidentgraph.Relationship) bool) map[string]map[string][]*incidentgraph.Relationship {
	adj := map[string]map[string][]*incidentgraph.Relationship{}
	add := func(a, b string, r *incidentgraph.Relationship) {
		if adj[a] == nil {
			adj[a] = map[string][]*incidentgraph.Relationship{}
		}
		adj[a][b] = append(adj[a][b], r)
	}
	for _, r := range o.rels {
		if keep(r) && r.FromID != r.ToID {
			add(r.FromID, r.ToID, r)
			add(r.ToID, r.FromID, r)
		}
	}
	for _, m := range adj {
		for _, rs := range m {
			slices.SortFunc(rs, strongestFirst)
		}
	}
	return adj
}

func strongestFirst(a, b *incidentgraph.Relationship) int {
	return cmp.Or(cmp.Compare(b.Confidence, a.Confidence), cmp.Compare(a.ID, b.ID), cmp.Compare(a.Type, b.Type))
}

// paths returns every simple path from one entity to another within maxDepth hops, each hop
// its strongest relationship.
func (o *oracle) paths(from, to string, maxDepth int, f relFilter) map[string]*incidentgraph.Path {
	adj := o.links(func(r *incidentgraph.Relationship) bool { return o.passes(r, f) })
	out := map[string]*incidentgraph.Path{}
	var walk func(ids []string)
	walk = func(ids []string) {
		last := ids[len(ids)-1]
		if last == to {
			p := &incidentgraph.Path{}
			for i, id := range ids {
				p.Nodes = append(p.Nodes, &incidentgraph.Entity{ID: id})
				if i > 0 {
					p.Edges = append(p.Edges, adj[ids[i-1]][id][0])
				}
			}
			out[strings.Join(ids, " ")] = p
			return
		}
		if len(ids) > maxDepth {
			return
		}
		for next := range adj[last] {
			if !slices.Contains(ids, next) {
				walk(append(slices.Clip(ids), next))
			}
		}
	}
	walk([]string{from})
	return out
}

// network returns the affiliate network's nodes in the order promised (by distance, then id)
// and its edge ids.
func (o *oracle) network(centre string, depth int, f relFilter) ([]string, map[string]bool) {
	org := func(r *incidentgraph.Relationship) bool {
		k := o.kinds[r.ToID]
		return o.passes(r, f) && slices.Contains(incidentgraph.OrganizationalTypes, r.Type) &&
			o.kinds[r.FromID].IsActor() && k.IsActor() && (r.Type != "ORIGINATED_FROM" || k != incidentgraph.KindCountry)
	}
	adj := o.links(org)
	dist := map[string]int{centre: 0}
	order := []string{centre}
	for d, frontier := 1, []string{centre}; d <= depth; d++ {
		var next []string
		for _, a := range frontier {
			for b := range adj[a] {
				if _, seen := dist[b]; !seen {
					dist[b] = d
					next = append(next, b)
				}
			}
		}
		slices.Sort(next)
		order = append(order, next...)
		frontier = next
	}
	edges := map[string]bool{}
	for _, r := range o.rels {
		_, a := dist[r.FromID]
		_, b := dist[r.ToID]
		if a && b && org(r) {
			edges[r.ID] = true
		}
	}
	return order, edges
}

// common returns the common neighbours of ids, ranked as promised, with their links' ids.
func (o *oracle) common(ids []string, f relFilter) []string {
	adj := o.links(func(r *incidentgraph.Relationship) bool { return o.passes(r, f) })
	score := map[string]int{}
	var out []string
	for m := range adj[ids[0]] {
		if slices.Contains(ids, m) {
			continue
		}
		s := 0
		for _, id := range ids {
			rs := adj[id][m]
			if len(rs) == 0 {
				s = -1
				break
			}
			s += rs[0].Confidence
		}
		if s >= 0 {
			score[m] = s
			out = append(out, m)
		}
	}
	slices.SortFunc(out, func(a, b string) int {
		return cmp.Or(cmp.Compare(score[b], score[a]), cmp.Compare(o.names[a], o.names[b]), cmp.Compare(a, b))
	})
	return out
}

var propertyFilters = []relFilter{
	{},
	{MinConfidence: 70},
	{Types: []incidentgraph.RelType{"ATTRIBUTED_TO", "AFFILIATE_OF", "ENEMY_OF", "OCCURRED_IN", "LOCATED_IN", "TARGETED"}},
	{Statuses: []incidentgraph.Status{"REPORTED", "CLAIMED"}, AssertedBy: "associated-press"},
}

// sampleIDs returns every seed entity id, sorted, and pairs of them spread over the list.
func sampleIDs(ds *incidentgraph.Dataset) ([]string, [][2]string) {
	var ids []string
	for _, e := range ds.Entities {
		ids = append(ids, e.ID)
	}
	slices.Sort(ids)
	var pairs [][2]string
	for i, a := range ids {
		if b := ids[(i*17+5)%len(ids)]; b != a {
			pairs = append(pairs, [2]string{a, b})
		}
	}
	return ids, pairs
}

func TestPathsAgreeWithTheSeedEverywhere(t *testing.T) {
	ctx := context.Background()
	db := seeded(t)
	o := newOracle(seedDataset(t))
	_, pairs := sampleIDs(seedDataset(t))
	found := 0
	for i, pair := range pairs {
		from, to := pair[0], pair[1]
		maxDepth, first := 4, 20
		if i%8 == 0 {
			maxDepth, first = 6, 5
		}
		for _, f := range propertyFilters[:2+i%3] {
			got, err := db.Paths(ctx, from, to, maxDepth, first, f)
			if err != nil {
				t.Fatalf("Paths(%s, %s, %+v): %v", from, to, f, err)
			}
			assertPaths(t, got, from, to, maxDepth, first, f)
			want := o.paths(from, to, maxDepth, f)
			if len(want) > 0 && len(got) == 0 {
				t.Errorf("Paths(%s, %s, %+v): none; the seed has %d", from, to, f, len(want))
				continue
			}
			found += len(got)
			longest, shortest := 0, maxDepth+1
			for _, p := range want {
				shortest = min(shortest, p.Length())
			}
			for _, p := range got {
				longest = max(longest, p.Length())
				w, ok := want[strings.Join(pathIDs(p), " ")]
				if !ok {
					t.Errorf("Paths(%s, %s, %+v): %v is no path of the seed", from, to, f, pathIDs(p))
					continue
				}
				for j, e := range p.Edges {
					if e.ID != w.Edges[j].ID {
						t.Errorf("path %v: hop %d is %s, the strongest is %s", pathIDs(p), j, e.ID, w.Edges[j].ID)
					}
				}
			}
			if len(got) > 0 && got[0].Length() != shortest {
				t.Errorf("Paths(%s, %s, %+v): first has %d hops, the shortest %d", from, to, f, got[0].Length(), shortest)
			}
			// Every path shorter than the longest returned ranks before it, so it must be there.
			for key, p := range want {
				if p.Length() < longest && !slices.ContainsFunc(got, func(q *incidentgraph.Path) bool { return strings.Join(pathIDs(q), " ") == key }) {
					t.Errorf("Paths(%s, %s, %+v) lacks %s (%d hops; it returned paths of %d)", from, to, f, key, p.Length(), longest)
				}
			}
		}
	}
	if found < len(pairs) {
		t.Errorf("only %d paths over %d pairs: the sample proves little", found, len(pairs))
	}
}

func TestAffiliateNetworksAgreeWithTheSeedEverywhere(t *testing.T) {
	ctx := context.Background()
	db := seeded(t)
	ds := seedDataset(t)
	o := newOracle(ds)
	grown := 0
	for _, e := range ds.Entities {
		if e.Kind != incidentgraph.KindOrganization {
			continue
		}
		for _, depth := range []int{1, 2, 4} {
			for _, f := range propertyFilters {
				g, err := db.AffiliateNetwork(ctx, e.ID, depth, f, incidentgraph.MaxNeighborhoodNodes)
				if err != nil {
					t.Fatalf("AffiliateNetwork(%s, %d, %+v): %v", e.ID, depth, f, err)
				}
				assertNetwork(t, g, e.ID, depth, f)
				nodes, edges := o.network(e.ID, depth, f)
				if got := entityIDs(g.Nodes); !slices.Equal(got, nodes) {
					t.Errorf("AffiliateNetwork(%s, %d, %+v) = %v, want %v", e.ID, depth, f, got, nodes)
				}
				got := map[string]bool{}
				for _, r := range g.Edges {
					got[r.ID] = true
				}
				if fmt.Sprint(got) != fmt.Sprint(edges) {
					t.Errorf("AffiliateNetwork(%s, %d, %+v) edges %v, want %v", e.ID, depth, f, got, edges)
				}
				if len(nodes) > 2 {
					grown++
				}
				// The same network cut to its nearest nodes is a prefix of it.
				if len(nodes) > 2 {
					cut, err := db.AffiliateNetwork(ctx, e.ID, depth, f, len(nodes)-2)
					if err != nil {
						t.Fatal(err)
					}
					if !cut.Truncated || !slices.Equal(entityIDs(cut.Nodes), nodes[:len(nodes)-1]) {
						t.Errorf("AffiliateNetwork(%s, %d, %+v, limit %d) = %v (truncated %v), want %v", e.ID, depth, f, len(nodes)-2, entityIDs(cut.Nodes), cut.Truncated, nodes[:len(nodes)-1])
					}
				}
			}
		}
	}
	if grown < 10 {
		t.Errorf("only %d networks of more than two nodes: the sample proves little", grown)
	}
}

func TestCommonNeighborsAgreeWithTheSeedEverywhere(t *testing.T) {
	ctx := context.Background()
	db := seeded(t)
	ds := seedDataset(t)
	o := newOracle(ds)
	ids, pairs := sampleIDs(ds)
	var asks [][]string
	for _, p := range pairs {
		asks = append(asks, p[:])
	}
	for i := 0; i+2 < len(ids); i += 7 {
		asks = append(asks, []string{ids[i], ids[(i+11)%len(ids)], ids[(i+29)%len(ids)]})
	}
	// Pairs known to share neighbours, so that the sample is not all empty answers.
	asks = append(asks, []string{parisAttack, moscow}, []string{kabul, moscow}, []string{moscow, isk}, []string{is, isk})
	shared := 0
	for i, ask := range asks {
		for _, f := range propertyFilters[:1+i%4] {
			got, err := db.CommonNeighbors(ctx, ask, f, incidentgraph.MaxPageSize)
			if err != nil {
				t.Fatalf("CommonNeighbors(%v, %+v): %v", ask, f, err)
			}
			assertCommon(t, got, ask, incidentgraph.MaxPageSize, f)
			if want := o.common(ask, f); !slices.Equal(neighborIDs(got), want) {
				t.Errorf("CommonNeighbors(%v, %+v) = %v, want %v", ask, f, neighborIDs(got), want)
			}
			shared += len(got)
		}
	}
	if shared < 20 {
		t.Errorf("only %d common neighbours over the sample: it proves little", shared)
	}
}
