package graph_test

import (
	"slices"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/graph"
)

// loadSchema returns the API's schema as the server serves it (every part of it).
func loadSchema(t *testing.T) *ast.Schema {
	t.Helper()
	return graph.NewExecutableSchema(graph.Config{}).Schema()
}

// GraphiQL's docs pane is the researchers' manual: every type, field, argument and enum value
// of ours must say what it is, on every type (GraphiQL shows an implementation's fields without
// the interface's descriptions).
func TestEverythingIsDescribed(t *testing.T) {
	s := loadSchema(t)
	for name, def := range s.Types {
		if def.BuiltIn {
			continue
		}
		if def.Description == "" {
			t.Errorf("type %s has no description", name)
		}
		for _, f := range def.Fields {
			if len(f.Name) > 1 && f.Name[:2] == "__" {
				continue
			}
			if f.Description == "" {
				t.Errorf("%s.%s has no description", name, f.Name)
			}
			for _, a := range f.Arguments {
				if a.Description == "" {
					t.Errorf("%s.%s(%s) has no description", name, f.Name, a.Name)
				}
			}
		}
		for _, v := range def.EnumValues {
			if v.Description == "" {
				t.Errorf("%s.%s has no description", name, v.Name)
			}
		}
	}
}

// The schema's enums and the domain's allow-lists must agree: the store splices only
// allow-listed types into Cypher, and clients may send only what the schema lists.
func TestEnumsMatchTheDomain(t *testing.T) {
	s := loadSchema(t)
	values := func(name string) []string {
		var out []string
		for _, v := range s.Types[name].EnumValues {
			out = append(out, v.Name)
		}
		return out
	}
	str := func(xs ...any) []string {
		var out []string
		for _, x := range xs {
			switch x := x.(type) {
			case incidentgraph.RelType:
				out = append(out, string(x))
			case incidentgraph.Kind:
				out = append(out, string(x))
			case incidentgraph.Status:
				out = append(out, string(x))
			}
		}
		return out
	}
	var rel, kinds, statuses []any
	for _, t := range incidentgraph.RelTypes() {
		rel = append(rel, t)
	}
	for _, k := range incidentgraph.Kinds {
		kinds = append(kinds, k)
	}
	for _, st := range incidentgraph.Statuses {
		statuses = append(statuses, st)
	}
	for name, want := range map[string][]string{
		"RelationshipType": str(rel...),
		"EntityKind":       str(kinds...),
		"Status":           str(statuses...),
		"OrganizationType": incidentgraph.OrgTypes,
		"PlaceType":        incidentgraph.PlaceTypes,
		"Outcome":          incidentgraph.Outcomes,
		"EventType":        incidentgraph.EventTypes,
		"SourceType":       incidentgraph.SourceTypes,
		"FigureMetric":     incidentgraph.FigureMetrics,
		"FigureQualifier":  incidentgraph.FigureQualifiers,
	} {
		if got := values(name); !slices.Equal(got, want) {
			t.Errorf("enum %s = %v, domain has %v", name, got, want)
		}
	}
	for name, n := range map[string]int{"AttackType": incidentgraph.MaxAttackType, "TargetType": incidentgraph.MaxTargetType, "WeaponType": incidentgraph.MaxWeaponType} {
		// GTD codes map to enum values by position: value i is code i+1.
		if got := len(values(name)); got != n {
			t.Errorf("enum %s has %d values, GTD has %d codes", name, got, n)
		}
		for i, v := range s.Types[name].EnumValues {
			if want := itoa(i + 1); v.Description != want {
				t.Errorf("%s.%s is described %q, want its GTD code %s", name, v.Name, v.Description, want)
			}
		}
	}
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}
