package graph

import (
	"context"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// TestInlineMarshalKeepsPanicsPerElement: a panic while marshalling one element of a list, or
// in one resolver field, becomes that element's or field's error and null, as in gqlgen's
// concurrent versions; the others are marshalled, each with its index in the path.
func TestInlineMarshalKeepsPanicsPerElement(t *testing.T) {
	ctx := graphql.WithResponseContext(context.Background(), graphql.DefaultErrorPresenter, graphql.DefaultRecover)
	ctx = graphql.WithFieldContext(ctx, &graphql.FieldContext{Field: graphql.CollectedField{Field: &ast.Field{Alias: "list"}}})
	var paths []string
	ret := marshalSliceInline(ctx, 3, func(ctx context.Context, i int) graphql.Marshaler {
		paths = append(paths, graphql.GetFieldContext(ctx).Path().String())
		if i == 1 {
			panic("boom")
		}
		return graphql.MarshalInt(i)
	})
	if ret[1] != graphql.Null || ret[0] == graphql.Null || ret[2] == graphql.Null {
		t.Errorf("elements %v: want the second null, the others marshalled", ret)
	}
	if len(paths) != 3 || paths[0] != "list[0]" || paths[2] != "list[2]" {
		t.Errorf("paths %v", paths)
	}
	if errs := graphql.GetErrors(ctx); len(errs) != 1 {
		t.Errorf("errors %v, want one", errs)
	}

	oc := &graphql.OperationContext{RecoverFunc: graphql.DefaultRecover}
	ctx = graphql.WithResponseContext(context.Background(), graphql.DefaultErrorPresenter, graphql.DefaultRecover)
	fields := []graphql.CollectedField{{Field: &ast.Field{Alias: "a"}}, {Field: &ast.Field{Alias: "b"}}}
	out := graphql.NewFieldSet(fields)
	deferred := graphql.NewDeferredGroup(ctx)
	resolveInline(ctx, oc, out, &deferred, 0, fields[0], true, true, func(context.Context) graphql.Marshaler { panic("boom") })
	resolveInline(ctx, oc, out, &deferred, 1, fields[1], true, false, func(context.Context) graphql.Marshaler { return graphql.MarshalInt(2) })
	if out.Values[0] != graphql.Null || out.Values[1] == graphql.Null || out.Invalids != 1 {
		t.Errorf("values %v, invalids %d: want the panicking non-null field null and counted invalid", out.Values, out.Invalids)
	}
	var errs gqlerror.List = graphql.GetErrors(ctx)
	if len(errs) != 1 {
		t.Errorf("errors %v, want one", errs)
	}
}
