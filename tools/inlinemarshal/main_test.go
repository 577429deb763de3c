package main

import (
	"strings"
	"testing"
)

const generated = `
	out := graphql.NewFieldSet(fields)
	deferred := graphql.NewDeferredGroup(ctx)
		case "other":
			out.ResolveConcurrently(ec.OperationContext, &deferred, i,
				true, true,
				func(ctx context.Context) graphql.Marshaler {
					return ec._Relationship_other(ctx, field, obj)
				})
		case "quote":
			out.Values[i] = ec._Relationship_quote(ctx, field, obj)
	...
	ret := graphql.MarshalSliceConcurrently(ctx, len(v), 0, false, func(ctx context.Context, i int) graphql.Marshaler {
		fc := graphql.GetFieldContext(ctx)
	...
			out.ResolveRootConcurrently(innerCtx, ec.OperationContext, i,
`

// TestRewrite: both calls become the inline functions, arguments kept, root fields left to
// gqlgen; running it again changes nothing (go generate runs it on its own output only after
// gqlgen, but check-generate compares two runs). Controls: text without either shape fails.
func TestRewrite(t *testing.T) {
	out, err := rewrite([]byte(generated))
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	for _, want := range []string{
		"resolveInline(ctx, ec.OperationContext, out, &deferred, i, field,\n\t\t\t\ttrue, true,\n\t\t\t\tfunc(ctx context.Context) graphql.Marshaler {",
		"ret := marshalSliceInline(ctx, len(v), func(ctx context.Context, i int) graphql.Marshaler {",
		"out.ResolveRootConcurrently(innerCtx, ec.OperationContext, i,",
		"deferred := deferredGroup(ctx, fields)",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("the rewrite lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "MarshalSliceConcurrently") || strings.Contains(s, "out.ResolveConcurrently") || strings.Contains(s, "NewDeferredGroup") {
		t.Errorf("a concurrent call is left:\n%s", s)
	}
	if _, err := rewrite(out); err == nil {
		t.Error("control: rewritten text (no concurrent call left) passes; a changed gqlgen template would go unnoticed")
	}
	onlySlices := strings.Replace(generated, "out.ResolveConcurrently", "out.SomethingElse", 1)
	if _, err := rewrite([]byte(onlySlices)); err == nil {
		t.Error("control: text without a ResolveConcurrently call passes")
	}
}
