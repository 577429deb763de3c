package graph

import (
	"slices"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// TestRegistryCoversTheSchema: every field of every type that holds graph data has a role in
// the compiler's registry, and the registry names no field the schema lacks. The control: the
// same check on the schema with one more field on Organization and on Relationship reports
// both.
func TestRegistryCoversTheSchema(t *testing.T) {
	s := NewExecutableSchema(Config{}).Schema()
	if bad := unregistered(s); len(bad) > 0 {
		t.Errorf("fields the registry does not know, or knows and the schema lacks: %v", bad)
	}
	var srcs []*ast.Source
	for _, src := range sources {
		srcs = append(srcs, src)
	}
	srcs = append(srcs, &ast.Source{Name: "extra.graphqls", Input: `extend type Organization { extra: Int }
extend type Relationship { weight: Int }`})
	extended, err := gqlparser.LoadSchema(srcs...)
	if err != nil {
		t.Fatal(err)
	}
	bad := unregistered(extended)
	if !slices.Contains(bad, "Organization.extra") || !slices.Contains(bad, "Relationship.weight") {
		t.Errorf("control: the check misses fields added to the schema: %v", bad)
	}
}
