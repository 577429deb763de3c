package main

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/incidentgraph/incidentgraph/web"
)

func TestCPUPerRequest(t *testing.T) {
	for _, c := range []struct {
		name          string
		before, after float64
		requests      int
		want          float64
		ok            bool
	}{
		{"half a second over 250 requests", 1.0, 1.5, 250, 2, true},
		{"no CPU used", 2.0, 2.0, 10, 0, true},
		{"no request answered", 1.0, 1.5, 0, 0, false},
		{"CPU time went backwards: another process", 3.0, 1.0, 10, 0, false},
	} {
		got, ok := cpuPerRequest(procUsage{CPUSecs: c.before}, procUsage{CPUSecs: c.after}, c.requests)
		if ok != c.ok || got != c.want {
			t.Errorf("%s: got %v, %v; want %v, %v", c.name, got, ok, c.want, c.ok)
		}
	}
}

// readProc reads a live process's CPU time from /proc: this test's own grows while it works
// (polled, with a deadline), and a process that does not exist is an error.
func TestReadProcCPUGrows(t *testing.T) {
	start, err := readProc(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if start.RSSKB <= 0 || start.PeakKB < start.RSSKB {
		t.Errorf("memory not read: %+v", start)
	}
	deadline := time.Now().Add(30 * time.Second)
	x := 0
	for {
		for i := range 1_000_000 {
			x += i
		}
		now, err := readProc(os.Getpid())
		if err != nil {
			t.Fatal(err)
		}
		if now.CPUSecs >= start.CPUSecs+0.05 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("CPU time did not grow: %v then %v (%d)", start.CPUSecs, now.CPUSecs, x)
		}
	}
	if _, err := readProc(1 << 30); err == nil {
		t.Error("a process that does not exist was read")
	}
}

func TestMixedTabsFollowGraphiQL(t *testing.T) {
	exs, err := web.Examples()
	if err != nil {
		t.Fatal(err)
	}
	known := questions(seedParams())
	tabs, err := mixedTabs(exs, tabQuestions, known)
	if err != nil {
		t.Fatal(err)
	}
	if len(tabs) != len(exs) {
		t.Fatalf("%d tabs of %d examples", len(tabs), len(exs))
	}
	var names, withToken, qs []string
	for _, tb := range tabs {
		names = append(names, tb.Name)
		if tb.NeedsToken {
			withToken = append(withToken, tb.Name)
		}
		if tb.Question != "" {
			qs = append(qs, tb.Question)
		}
	}
	if !slices.IsSorted(names) {
		t.Errorf("not in GraphiQL's order: %v", names)
	}
	if want := []string{"17-read-only-cypher", "18-curate-add-relationship"}; !slices.Equal(withToken, want) {
		t.Errorf("tabs with a token: %v, want %v", withToken, want)
	}
	if want := []string{"entity", "path", "search", "incidents", "network", "common", "similar", "timeline"}; !slices.Equal(qs, want) {
		t.Errorf("the Library's and the floor's rotation: %v, want %v", qs, want)
	}
	ours, lib := &side{Name: sideOurs, URL: "http://ours/"}, &side{Name: sideLibrary, URL: "http://lib/"}
	w := mixedWork(tabs, known, ours, lib, "igt_x")
	if len(w.Ours) != len(tabs) || len(w.Library) != len(qs) || len(w.Floor) != len(qs) {
		t.Fatalf("mixed work: %d, %d, %d", len(w.Ours), len(w.Library), len(w.Floor))
	}
	for i, tg := range w.Ours {
		if got, want := tg.Header.Get("Authorization") != "", tabs[i].NeedsToken; got != want {
			t.Errorf("%s: token sent %v, needed %v", tabs[i].Name, got, want)
		}
	}
	if w.Floor[0].Name != "entity" || !strings.Contains(string(w.Library[0].Body), "entities(where") {
		t.Errorf("the rotation does not start with the entity question: %s", w.Library[0].Body)
	}

	// Controls: a mapping naming a tab that is gone, or a question that does not exist, fails.
	gone := map[string]string{"01-isk-affiliations": "entity", "99-renamed": "path"}
	if _, err := mixedTabs(exs, gone, known); err == nil || !strings.Contains(err.Error(), "99-renamed") {
		t.Errorf("a missing tab: %v", err)
	}
	if _, err := mixedTabs(exs, map[string]string{"01-isk-affiliations": "nosuch"}, known); err == nil {
		t.Error("an unknown question was accepted")
	}
}

func TestNeedsToken(t *testing.T) {
	if !needsToken("# Curate\n#\n# Needs a bearer token with role curator or above\nmutation M { x }") {
		t.Error("a tab that says it needs a token")
	}
	if needsToken("# Who is IS-K affiliated with?\nquery Q { entity(id: \"x\") { id } }") {
		t.Error("a tab that does not")
	}
}

// floorRel sees a relationship from the viewer as the service does: incoming when the viewer
// is its end, outgoing otherwise (also when it links the viewer to itself).
func TestFloorRelDirection(t *testing.T) {
	rel := func(from, to string) map[string]any {
		return map[string]any{"type": "AFFILIATE_OF", "from": from, "to": to,
			"props": map[string]any{"id": "r1", "status": "REPORTED", "confidence": int64(90), "assertedBy": "ap", "sources": []any{"s2", "s1"}}}
	}
	for _, c := range []struct {
		from, to, viewer, want string
	}{
		{"isk", "is", "isk", "AFFILIATE_OF r1 OUTGOING REPORTED 90 other=is by=ap sources=s1,s2"},
		{"isk", "is", "is", "AFFILIATE_OF r1 INCOMING REPORTED 90 other=isk by=ap sources=s1,s2"},
		{"is", "is", "is", "AFFILIATE_OF r1 OUTGOING REPORTED 90 other=is by=ap sources=s1,s2"},
	} {
		if got := floorRel(rel(c.from, c.to), c.viewer, true); got != c.want {
			t.Errorf("%s->%s seen from %s: %q, want %q", c.from, c.to, c.viewer, got, c.want)
		}
	}
	// The same relationship from a GraphQL answer compares equal; another direction does not.
	jsonAnswer := decode(t, `{"id": "r1", "type": "AFFILIATE_OF", "direction": "INCOMING", "status": "REPORTED", "confidence": 90,
		"other": {"id": "isk"}, "assertedBy": {"id": "ap"}, "sources": [{"id": "s1"}, {"id": "s2"}]}`)
	if jsonRel(jsonAnswer) != floorRel(rel("isk", "is"), "is", true) {
		t.Errorf("the same relationship compares differently:\n%s\n%s", jsonRel(jsonAnswer), floorRel(rel("isk", "is"), "is", true))
	}
	if jsonRel(jsonAnswer) == floorRel(rel("isk", "is"), "isk", true) {
		t.Error("opposite directions compare equal")
	}
}

func TestTimelineAnswerCheck(t *testing.T) {
	q := timelineQuestion(seedParams())
	floorRow := func(entries ...any) [][]map[string]any {
		return [][]map[string]any{{{"total": int64(2), "entries": entries}}}
	}
	entry := func(id, date string, links ...any) map[string]any {
		return map[string]any{"n": map[string]any{"id": id, "kind": "INCIDENT", "name": id, "date": date}, "links": links}
	}
	link := map[string]any{"type": "CLAIMED_RESPONSIBILITY_FOR", "from": "is", "to": "a",
		"props": map[string]any{"id": "c1", "status": "CLAIMED", "confidence": int64(85), "assertedBy": "is"}}
	floor, err := q.FloorNorm(floorRow(entry("a", "2015-11-13", link), entry("b", "2016")))
	if err != nil {
		t.Fatal(err)
	}
	ours, err := q.OursNorm(decode(t, `{"timeline": {"totalCount": 2, "pageInfo": {"hasNextPage": false}, "nodes": [
		{"entity": {"id": "a"}, "kind": "INCIDENT", "name": "a", "date": "2015-11-13", "links": [
			{"id": "c1", "type": "CLAIMED_RESPONSIBILITY_FOR", "direction": "INCOMING", "status": "CLAIMED", "confidence": 85, "other": {"id": "is"}, "assertedBy": {"id": "is"}}]},
		{"entity": {"id": "b"}, "kind": "INCIDENT", "name": "b", "date": "2016", "links": []}]}}`).(map[string]any))
	if err != nil {
		t.Fatal(err)
	}
	if ours != floor {
		t.Errorf("the same timeline compares differently:\n%s\n%s", ours, floor)
	}
	// Controls: the entries in another order, a link fewer.
	for name, rows := range map[string][][]map[string]any{
		"order": floorRow(entry("b", "2016"), entry("a", "2015-11-13", link)),
		"link":  floorRow(entry("a", "2015-11-13"), entry("b", "2016")),
	} {
		got, err := q.FloorNorm(rows)
		if err != nil {
			t.Fatal(err)
		}
		if got == ours {
			t.Errorf("%s: a different timeline compares equal", name)
		}
	}
	// One entry more than the page: the floor says a next page exists, and lists the page only.
	var many []any
	for i := range timelineFirst + 1 {
		many = append(many, entry(string(rune('a'+i)), "2016"))
	}
	got, err := q.FloorNorm(floorRow(many...))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got, "next=true") || strings.Count(got, "\n") != 1+timelineFirst {
		t.Errorf("a full page:\n%s", got)
	}
}

func TestCommonAnswerCheckKeepsTheIdsOrder(t *testing.T) {
	p := seedParams()
	q := commonQuestion(p)
	rel := func(id, from string) map[string]any {
		return map[string]any{"type": "CLAIMED_RESPONSIBILITY_FOR", "from": "is", "to": from,
			"props": map[string]any{"id": id, "status": "CLAIMED", "confidence": int64(85), "assertedBy": "is", "sources": []any{"s"}}}
	}
	// The store returns the links in any order; the service puts them in the order of the ids.
	rows := [][]map[string]any{{{"neighbors": []any{map[string]any{"entity": map[string]any{"id": "is"}, "links": []any{
		map[string]any{"of": p.Common[1], "rels": []any{rel("c2", p.Common[1])}},
		map[string]any{"of": p.Common[0], "rels": []any{rel("c1", p.Common[0])}},
	}}}}}}
	floor, err := q.FloorNorm(rows)
	if err != nil {
		t.Fatal(err)
	}
	ours, err := q.OursNorm(decode(t, `{"commonNeighbors": [{"entity": {"id": "is"}, "links": [
		{"of": {"id": "`+p.Common[0]+`"}, "relationships": [{"id": "c1", "type": "CLAIMED_RESPONSIBILITY_FOR", "direction": "OUTGOING", "status": "CLAIMED", "confidence": 85, "assertedBy": {"id": "is"}, "sources": [{"id": "s"}]}]},
		{"of": {"id": "`+p.Common[1]+`"}, "relationships": [{"id": "c2", "type": "CLAIMED_RESPONSIBILITY_FOR", "direction": "OUTGOING", "status": "CLAIMED", "confidence": 85, "assertedBy": {"id": "is"}, "sources": [{"id": "s"}]}]}]}]}`).(map[string]any))
	if err != nil {
		t.Fatal(err)
	}
	if ours != floor {
		t.Errorf("the same neighbours compare differently:\n%s\n%s", ours, floor)
	}
	// Control: the links in the other order are another answer.
	swapped, _ := q.OursNorm(decode(t, `{"commonNeighbors": [{"entity": {"id": "is"}, "links": [
		{"of": {"id": "`+p.Common[1]+`"}, "relationships": [{"id": "c2", "type": "CLAIMED_RESPONSIBILITY_FOR", "direction": "OUTGOING", "status": "CLAIMED", "confidence": 85, "assertedBy": {"id": "is"}, "sources": [{"id": "s"}]}]},
		{"of": {"id": "`+p.Common[0]+`"}, "relationships": [{"id": "c1", "type": "CLAIMED_RESPONSIBILITY_FOR", "direction": "OUTGOING", "status": "CLAIMED", "confidence": 85, "assertedBy": {"id": "is"}, "sources": [{"id": "s"}]}]}]}]}`).(map[string]any))
	if swapped == floor {
		t.Error("links in another order compare equal")
	}
}

// The floor scores similar incidents as the service does (analysis.Similarity on the store's
// features); the answer check compares its ranking with the other sides'.
func TestSimilarFloorScoresAsTheService(t *testing.T) {
	incident := func(id, date string, attack ...int64) map[string]any {
		var at []any
		for _, a := range attack {
			at = append(at, a)
		}
		return map[string]any{"id": id, "kind": "INCIDENT", "name": id, "date": date, "attackTypes": at}
	}
	features := func(props map[string]any, perps ...string) map[string]any {
		var ps []any
		for _, p := range perps {
			ps = append(ps, map[string]any{"id": p, "name": p})
		}
		return map[string]any{"incident": props, "perpetrators": ps, "venueKinds": []any{}, "places": []any{}}
	}
	rows := [][]map[string]any{{{"found": true, "kind": "INCIDENT",
		"target": features(incident("t", "2024-03-22", 2), "is"),
		"candidates": []any{
			features(incident("far", "2015-11-13", 2), "is"), // the same perpetrator and attack type, not the season: 0.9
			features(incident("near", "2024-02-20", 2), "is"),
			features(incident("half", "2024-01-01"), "is"), // the same perpetrator only
			features(incident("none", "2024-01-01", 3)),    // nothing in common
		},
		"networks": []any{map[string]any{"id": "is", "network": []any{}}},
	}}}
	q := similarQuestion(seedParams())
	got, err := q.FloorNorm(rows)
	if err != nil {
		t.Fatal(err)
	}
	want := "3 similar incidents\n" +
		"near 0.900\n  SAME_PERPETRATOR 3.00 via=is\n  ATTACK_TYPE 1.50 via=\n" +
		"far 0.900\n  SAME_PERPETRATOR 3.00 via=is\n  ATTACK_TYPE 1.50 via=\n" +
		"half 0.600\n  SAME_PERPETRATOR 3.00 via=is\n"
	if got != want {
		t.Errorf("floor ranking:\n%s\nwant\n%s", got, want)
	}
	// The service's answer in JSON compares equal; a different score does not.
	ours := `{"similarIncidents": [
		{"incident": {"id": "near"}, "score": 0.9, "reasons": [{"kind": "SAME_PERPETRATOR", "weight": 3, "via": [{"id": "is"}]}, {"kind": "ATTACK_TYPE", "weight": 1.5, "via": []}]},
		{"incident": {"id": "far"}, "score": 0.9, "reasons": [{"kind": "SAME_PERPETRATOR", "weight": 3, "via": [{"id": "is"}]}, {"kind": "ATTACK_TYPE", "weight": 1.5, "via": []}]},
		{"incident": {"id": "half"}, "score": 0.6, "reasons": [{"kind": "SAME_PERPETRATOR", "weight": 3, "via": [{"id": "is"}]}]}]}`
	if s, err := q.OursNorm(decode(t, ours).(map[string]any)); err != nil || s != got {
		t.Errorf("the service's answer compares differently (%v):\n%s", err, s)
	}
	if s, _ := q.OursNorm(decode(t, strings.Replace(ours, "0.6,", "0.601,", 1)).(map[string]any)); s == got {
		t.Error("a different score compares equal")
	}
	// Not an incident: an error, not an empty ranking.
	rows[0][0]["kind"] = "ORGANIZATION"
	if _, err := q.FloorNorm(rows); err == nil {
		t.Error("an organisation was scored")
	}
}

// The scaling section lists the questions of the scaling runs, not the {__typename} reference
// every run also measures.
func TestScalingLeavesOutTheRoundTrip(t *testing.T) {
	dir := t.TempDir()
	var files []string
	for i, n := range []int64{10000, 200000} {
		cells := []cell{
			{Question: typenameCell, Side: sideOurs, Concurrency: 1, P50: msd(0.2), Throughput: 4000},
			{Question: "entity", Side: sideOurs, Concurrency: 1, P50: msd(float64(3 + i)), Throughput: 300},
		}
		f := fmt.Sprintf("%s/%d.json", dir, n)
		if err := saveCells(f, &environment{Incidents: n}, seedParams(), cells); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	out := dir + "/B.md"
	if err := writeScaling(out, files); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	if !strings.Contains(doc, "| entity | 1 | ours |") || !strings.Contains(doc, "1.33× | < 1.5× (met)") {
		t.Errorf("no entity row against the 1.5× target:\n%s", doc)
	}
	if strings.Contains(doc, "| typename |") {
		t.Errorf("the round trip is in the scaling section:\n%s", doc)
	}
}
