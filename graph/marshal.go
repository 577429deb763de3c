package graph

import (
	"context"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// The executor gqlgen generates marshals every element of a list of objects in a goroutine of
// its own (graphql.MarshalSliceConcurrently) and runs each resolver field of an object in one
// more (FieldSet.ResolveConcurrently), so that resolvers that wait on I/O overlap. Here no field
// below a root field waits: CompiledReads has read what the selection asks before the fields
// resolve, and a field it left out asks the store at once. The goroutines then only cost: their
// start, the growth of a fresh stack through gqlgen's deep call chains, and the scheduler, for
// hundreds of elements a request. go:generate (resolver.go) rewrites those two calls in
// generated.go into the two functions below (tools/inlinemarshal), which do the same work in
// the calling goroutine. Root fields keep gqlgen's concurrency: they are the ones that query.

// deferredGroup returns the group that collects an object's @defer'd fields: gqlgen's own when
// one of fields is deferred, else an empty one, which costs nothing (gqlgen's computes the
// object's path for every object, a fifth of a request's allocations).
func deferredGroup(ctx context.Context, fields []graphql.CollectedField) graphql.DeferredGroup {
	for _, f := range fields {
		if f.IsDeferred() {
			return graphql.NewDeferredGroup(ctx)
		}
	}
	return graphql.DeferredGroup{}
}

// marshalSliceInline marshals the n elements of a list one after another, each with its own
// field context (its index in the path) and, as gqlgen's does, a panic in one element becomes
// that element's error and null.
func marshalSliceInline(ctx context.Context, n int, marshal func(ctx context.Context, i int) graphql.Marshaler) graphql.Array {
	ret := make(graphql.Array, n)
	for i := range n {
		fc := &graphql.FieldContext{Index: &i}
		ret[i] = marshalElement(graphql.WithFieldContext(ctx, fc), i, marshal)
	}
	return ret
}

func marshalElement(ctx context.Context, i int, marshal func(ctx context.Context, i int) graphql.Marshaler) (m graphql.Marshaler) {
	defer func() {
		if r := recover(); r != nil {
			graphql.AddError(ctx, graphql.Recover(ctx, r))
			m = graphql.Null
		}
	}()
	return marshal(ctx, i)
}

// resolveInline resolves field i of out in the calling goroutine, as FieldSet.ResolveConcurrently
// would in another: a panic (when recovered) becomes the field's error and null, and a null in
// a non-null field counts as invalid. A deferred field (@defer) is left to gqlgen.
func resolveInline(ctx context.Context, oc *graphql.OperationContext, out *graphql.FieldSet, deferred *graphql.DeferredGroup,
	i int, field graphql.CollectedField, recoverFromPanic, nonNull bool, resolve func(ctx context.Context) graphql.Marshaler,
) {
	if field.IsDeferred() {
		out.ResolveConcurrently(oc, deferred, i, recoverFromPanic, nonNull, resolve)
		return
	}
	v := resolveRecovering(ctx, oc, recoverFromPanic, resolve)
	out.Values[i] = v
	invalid := graphql.RequiredNull
	if nonNull {
		invalid = graphql.Null
	}
	if v == invalid {
		atomic.AddUint32(&out.Invalids, 1)
	}
}

func resolveRecovering(ctx context.Context, oc *graphql.OperationContext, recoverFromPanic bool, resolve func(ctx context.Context) graphql.Marshaler) (m graphql.Marshaler) {
	if recoverFromPanic {
		defer func() {
			if r := recover(); r != nil {
				oc.Error(ctx, oc.Recover(ctx, r))
				m = graphql.Null
			}
		}()
	}
	return resolve(ctx)
}

// resolvePlain answers a field that reads a string, ID, boolean, int or enum straight from its
// model struct: go:generate (tools/inlinemarshal) puts it in the place of graphql.ResolveField,
// with the same arguments, in the functions of such fields. gqlgen's path gives each of them a
// field context of its own (its path, for errors), runs the field interceptors and recovers
// panics; reading obj.Field cannot fail or panic (obj is never nil there) and these marshal
// functions cannot fail on a value, so none of that can be needed, and it was a fifth of the
// allocations of a large answer. The one cost: field interceptors (CompiledReads, the only
// one, acts on root fields) do not see these fields.
func resolvePlain[T any](ctx context.Context, _ *graphql.OperationContext, field graphql.CollectedField,
	_ func(context.Context, graphql.CollectedField) (*graphql.FieldContext, error),
	read func(context.Context) (any, error),
	_ func(context.Context, graphql.Resolver) graphql.Resolver,
	marshal func(context.Context, ast.SelectionSet, T) graphql.Marshaler,
	_, _ bool,
) graphql.Marshaler {
	v, _ := read(ctx)
	return marshal(ctx, field.Selections, v.(T))
}
