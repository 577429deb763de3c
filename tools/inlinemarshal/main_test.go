package main

import (
	"strings"
	"testing"
)

var generated = `
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
` + plainField("_Relationship_type", "Type", "model.RelationshipType", "marshalNRelationshipType2githubᚗcomᚋincidentgraphᚋincidentgraphᚋgraphᚋmodelᚐRelationshipType") +
	plainField("_Relationship_id", "ID", "string", "marshalNID2string") +
	plainField("_Figure_value", "Value", "float64", "marshalNFloat2float64") +
	plainField("_Relationship_quote", "Quote", "*string", "marshalOString2ᚖstring") + `
func (ec *executionContext) marshalNRelationshipType2githubᚗcomᚋincidentgraphᚋincidentgraphᚋgraphᚋmodelᚐRelationshipType(ctx context.Context, sel ast.SelectionSet, v model.RelationshipType) graphql.Marshaler {
	return v
}
`

// plainField is gqlgen's function for a field of a model struct read as it is.
func plainField(fn, field, typ, marshal string) string {
	return `
func (ec *executionContext) ` + fn + `(ctx context.Context, field graphql.CollectedField, obj *model.Relationship) (ret graphql.Marshaler) {
	return graphql.ResolveField(
		ctx,
		ec.OperationContext,
		field,
		func(ctx context.Context, field graphql.CollectedField) (*graphql.FieldContext, error) {
			return ec.fieldContext` + fn + `(ctx, field)
		},
		func(ctx context.Context) (any, error) {
			return obj.` + field + `, nil
		},
		nil,
		func(ctx context.Context, selections ast.SelectionSet, v ` + typ + `) graphql.Marshaler {
			return ec.` + marshal + `(ctx, selections, v)
		},
		true,
		false,
	)
}
`
}

// TestRewrite: both calls become the inline functions, arguments kept, root fields left to
// gqlgen; model fields of strings, IDs and enums are answered by resolvePlain, those of floats
// and pointers are left to gqlgen; running it again changes nothing (go generate runs it on its own output only after
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
		"obj *model.Relationship) (ret graphql.Marshaler) {\n\treturn resolvePlain(\n\t\tctx,\n\t\tec.OperationContext,\n\t\tfield,\n\t\tfunc(ctx context.Context, field graphql.CollectedField) (*graphql.FieldContext, error) {\n\t\t\treturn ec.fieldContext_Relationship_type(",
		"return resolvePlain(\n\t\tctx,\n\t\tec.OperationContext,\n\t\tfield,\n\t\tfunc(ctx context.Context, field graphql.CollectedField) (*graphql.FieldContext, error) {\n\t\t\treturn ec.fieldContext_Relationship_id(",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("the rewrite lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "MarshalSliceConcurrently") || strings.Contains(s, "out.ResolveConcurrently") || strings.Contains(s, "NewDeferredGroup") {
		t.Errorf("a concurrent call is left:\n%s", s)
	}
	if n := strings.Count(s, "return resolvePlain("); n != 2 {
		t.Errorf("%d fields answered by resolvePlain, want 2 (the ID and the enum, not the float or the pointer):\n%s", n, s)
	}
	if _, err := rewrite(out); err == nil {
		t.Error("control: rewritten text (no concurrent call left) passes; a changed gqlgen template would go unnoticed")
	}
	onlySlices := strings.Replace(generated, "out.ResolveConcurrently", "out.SomethingElse", 1)
	if _, err := rewrite([]byte(onlySlices)); err == nil {
		t.Error("control: text without a ResolveConcurrently call passes")
	}
	noPlain := strings.ReplaceAll(generated, "return obj.", "return ec.resolvers.X(obj).")
	if _, err := rewrite([]byte(noPlain)); err == nil {
		t.Error("control: text without a model field read as it is passes")
	}
}
