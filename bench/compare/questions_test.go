package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// The answer check compares normalised answers. These tests show that it sees through what is
// not part of an answer (order within a set, JSON numbers against driver integers) and that it
// catches what is (a missing or changed item, a different total): the second is the negative
// control of `make bench-compare-smoke`.

func decode(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// must returns a normalised answer, failing the test on an error.
func must(t *testing.T) func(string, error) string {
	return func(s string, err error) string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
}

func TestNormRelsIgnoresOrderButNotContent(t *testing.T) {
	mustNorm := must(t)
	a := decode(t, `[
		{"id": "r1", "type": "AFFILIATE_OF", "direction": "OUTGOING", "confidence": 90, "other": {"id": "is"}, "assertedBy": {"id": "ap"}, "sources": [{"id": "s2"}, {"id": "s1"}]},
		{"id": "r2", "type": "ENEMY_OF", "direction": "OUTGOING", "confidence": 85, "other": {"id": "taliban"}, "assertedBy": {"id": "ap"}, "sources": [{"id": "s1"}]}]`)
	reordered := decode(t, `[
		{"id": "r2", "type": "ENEMY_OF", "direction": "OUTGOING", "confidence": 85, "other": {"id": "taliban"}, "assertedBy": {"id": "ap"}, "sources": [{"id": "s1"}]},
		{"id": "r1", "type": "AFFILIATE_OF", "direction": "OUTGOING", "confidence": 90, "other": {"id": "is"}, "assertedBy": {"id": "ap"}, "sources": [{"id": "s1"}, {"id": "s2"}]}]`)
	// The floor's driver gives int64 where JSON gives float64.
	floor := []any{
		map[string]any{"id": "r1", "type": "AFFILIATE_OF", "direction": "OUTGOING", "confidence": int64(90), "other": map[string]any{"id": "is"},
			"assertedBy": map[string]any{"id": "ap"}, "sources": []any{map[string]any{"id": "s1"}, map[string]any{"id": "s2"}}},
		map[string]any{"id": "r2", "type": "ENEMY_OF", "direction": "OUTGOING", "confidence": int64(85), "other": map[string]any{"id": "taliban"},
			"assertedBy": map[string]any{"id": "ap"}, "sources": []any{map[string]any{"id": "s1"}}},
	}
	want := mustNorm(normRels(a))
	if got := mustNorm(normRels(reordered)); got != want {
		t.Errorf("reordered answer normalises differently:\n%s\nvs\n%s", got, want)
	}
	if got := mustNorm(normRels(floor)); got != want {
		t.Errorf("driver values normalise differently:\n%s\nvs\n%s", got, want)
	}
	// Negative controls: one relationship fewer, another source, another direction.
	for name, s := range map[string]string{
		"missing": `[{"id": "r1", "type": "AFFILIATE_OF", "direction": "OUTGOING", "confidence": 90, "other": {"id": "is"}, "assertedBy": {"id": "ap"}, "sources": [{"id": "s2"}, {"id": "s1"}]}]`,
		"source": `[
			{"id": "r1", "type": "AFFILIATE_OF", "direction": "OUTGOING", "confidence": 90, "other": {"id": "is"}, "assertedBy": {"id": "ap"}, "sources": [{"id": "s1"}]},
			{"id": "r2", "type": "ENEMY_OF", "direction": "OUTGOING", "confidence": 85, "other": {"id": "taliban"}, "assertedBy": {"id": "ap"}, "sources": [{"id": "s1"}]}]`,
		"direction": `[
			{"id": "r1", "type": "AFFILIATE_OF", "direction": "INCOMING", "confidence": 90, "other": {"id": "is"}, "assertedBy": {"id": "ap"}, "sources": [{"id": "s2"}, {"id": "s1"}]},
			{"id": "r2", "type": "ENEMY_OF", "direction": "OUTGOING", "confidence": 85, "other": {"id": "taliban"}, "assertedBy": {"id": "ap"}, "sources": [{"id": "s1"}]}]`,
	} {
		if got := mustNorm(normRels(decode(t, s))); got == want {
			t.Errorf("%s: a different answer normalises the same:\n%s", name, got)
		}
	}
	if _, err := normRels(nil); err == nil {
		t.Error("a missing list must be an error, not an empty answer")
	}
}

func TestNormPageKeepsOrderAndTotal(t *testing.T) {
	mustNorm := must(t)
	nodes := decode(t, `[{"id": "a"}, {"id": "b"}]`)
	want := mustNorm(normPage(float64(7), nodes))
	if got := mustNorm(normPage(int64(7), nodes)); got != want {
		t.Errorf("int64 total normalises differently: %s vs %s", got, want)
	}
	for name, got := range map[string]string{
		"total": mustNorm(normPage(float64(8), nodes)),
		"order": mustNorm(normPage(float64(7), decode(t, `[{"id": "b"}, {"id": "a"}]`))),
		"page":  mustNorm(normPage(float64(7), decode(t, `[{"id": "a"}]`))),
	} {
		if got == want {
			t.Errorf("%s: a different page normalises the same: %s", name, got)
		}
	}
}

func TestNormChart(t *testing.T) {
	mustNorm := must(t)
	net := decode(t, `{"nodes": [{"id": "b"}, {"id": "a"}], "edges": [{"id": "e", "type": "AFFILIATE_OF", "source": "b", "target": "a"}]}`)
	same := decode(t, `{"nodes": [{"id": "a"}, {"id": "b"}], "edges": [{"id": "e", "type": "AFFILIATE_OF", "source": "b", "target": "a"}]}`)
	other := decode(t, `{"nodes": [{"id": "a"}, {"id": "b"}], "edges": []}`)
	if mustNorm(normChart(net, false)) != mustNorm(normChart(same, false)) {
		t.Error("node order must not matter")
	}
	if mustNorm(normChart(net, false)) == mustNorm(normChart(other, false)) {
		t.Error("a missing edge must show")
	}
	// Paths: equally short paths through different nodes agree; a longer one does not.
	p1 := decode(t, `{"nodes": [{"id": "k"}, {"id": "x"}, {"id": "m"}], "edges": [{"id": "1"}, {"id": "2"}]}`)
	p2 := decode(t, `{"nodes": [{"id": "k"}, {"id": "y"}, {"id": "m"}], "edges": [{"id": "3"}, {"id": "4"}]}`)
	p3 := decode(t, `{"nodes": [{"id": "k"}, {"id": "y"}, {"id": "z"}, {"id": "m"}], "edges": [{"id": "3"}, {"id": "4"}, {"id": "5"}]}`)
	if mustNorm(normChart(p1, true)) != mustNorm(normChart(p2, true)) {
		t.Error("equally short paths must agree")
	}
	if mustNorm(normChart(p1, true)) == mustNorm(normChart(p3, true)) {
		t.Error("a longer path must not agree")
	}
	if got := mustNorm(normChart(nil, true)); got != "none" {
		t.Errorf("no path: %q", got)
	}
}

func TestLuceneQuery(t *testing.T) {
	for in, want := range map[string]string{
		"Daesh":             "(daesh OR daesh*)",
		"  Islamic  State ": "(islamic OR islamic*) AND (state OR state*)",
		"ISIS-K":            `"isis-k"`,
		`say "hi"`:          `(say OR say*) AND "\"hi\""`,
		"--":                "",
	} {
		if got := luceneQuery(in); got != want {
			t.Errorf("luceneQuery(%q) = %q, want %q", in, got, want)
		}
	}
}

// A comparison run rewriting the report keeps the scaling section an earlier scaling run
// wrote, and a scaling run replaces only that section.
func TestScalingSectionSurvivesAndIsReplaced(t *testing.T) {
	report := "# Benchmarks\n\nfigures\n"
	withScaling := spliceScaling(report, "## Scaling\n\nold")
	if got := existingScaling("/nonexistent"); got != "" {
		t.Fatalf("no report, yet a scaling section: %q", got)
	}
	path := t.TempDir() + "/B.md"
	if err := os.WriteFile(path, []byte(withScaling), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := existingScaling(path); got != "## Scaling\n\nold" {
		t.Fatalf("scaling section read back as %q", got)
	}
	rewritten := spliceScaling("# Benchmarks\n\nnew figures\n", existingScaling(path))
	if !strings.Contains(rewritten, "new figures") || !strings.Contains(rewritten, "old") {
		t.Errorf("rewritten report lost a part:\n%s", rewritten)
	}
	replaced := spliceScaling(rewritten, "## Scaling\n\nnew")
	if strings.Contains(replaced, "\nold") || !strings.Contains(replaced, "\nnew\n") || strings.Count(replaced, scalingBegin) != 1 {
		t.Errorf("scaling section not replaced:\n%s", replaced)
	}
}
