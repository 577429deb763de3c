// Command inlinemarshal rewrites gqlgen's generated executor so that the elements of lists and
// the resolver fields of objects below the root are marshalled in the calling goroutine, an
// object's group of @defer'd fields is made only when it has one, and a model field that holds
// a string, an ID, a boolean, an int or an enum is written from the struct without a field
// context or the field interceptors (see graph/marshal.go for why). It runs after gqlgen in
// graph's go:generate and fails when the generated code no longer has the shape it rewrites,
// so that a gqlgen upgrade that changes it is noticed rather than silently left as it was.
//
// Usage: go run ./tools/inlinemarshal FILE
package main

import (
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
)

var (
	sliceCalls = regexp.MustCompile(`graphql\.MarshalSliceConcurrently\(ctx, len\(v\), \d+, (?:true|false), `)
	fields     = regexp.MustCompile(`out\.ResolveConcurrently\(ec\.OperationContext, &deferred, i,(\s+)(true|false), (true|false),`)
	groups     = regexp.MustCompile(`deferred := graphql\.NewDeferredGroup\(ctx\)`)
	// plain is a field of a model struct read as it is (obj.Field, no resolver, no directive);
	// its fourth group is the marshal function.
	plain = regexp.MustCompile(`(func \(ec \*executionContext\) _\w+\(ctx context\.Context, field graphql\.CollectedField, obj \*model\.\w+\) \(ret graphql\.Marshaler\) \{\n\treturn )` +
		`graphql\.ResolveField(\(\n\t\tctx,\n\t\tec\.OperationContext,\n\t\tfield,\n` +
		`\t\tfunc\(ctx context\.Context, field graphql\.CollectedField\) \(\*graphql\.FieldContext, error\) \{\n\t\t\treturn ec\.fieldContext_\w+\(ctx, field\)\n\t\t\},\n` +
		`\t\tfunc\(ctx context\.Context\) \(any, error\) \{\n\t\t\treturn obj\.\w+, nil\n\t\t\},\n` +
		`\t\tnil,\n` +
		`\t\tfunc\(ctx context\.Context, selections ast\.SelectionSet, v [\w.]+\) graphql\.Marshaler \{\n\t\t\treturn ec\.)(marshal[^(\s]+)(\(ctx, selections, v\))`)
	// enums are the marshal functions of enums: they return the value, which writes itself.
	enums = regexp.MustCompile(`func \(ec \*executionContext\) (marshalN[^(\s]+)\(ctx context\.Context, sel ast\.SelectionSet, v model\.\w+\) graphql\.Marshaler \{\n\treturn v\n\}`)
)

// plainMarshals are the marshal functions that cannot fail on a value: gqlgen's MarshalString,
// MarshalID, MarshalBoolean and MarshalInt never return null, and enums write themselves. A
// field marshalled by another (a float, which may be NaN; a pointer, which may be nil; a list;
// an object) keeps gqlgen's path, whose errors need the field's context.
var plainMarshals = map[string]bool{
	"marshalNString2string": true, "marshalNID2string": true, "marshalNBoolean2bool": true, "marshalNInt2int": true,
}

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "inlinemarshal:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("usage: inlinemarshal FILE")
	}
	src, err := os.ReadFile(args[0])
	if err != nil {
		return err
	}
	out, err := rewrite(src)
	if err != nil {
		return fmt.Errorf("%s: %w", args[0], err)
	}
	return os.WriteFile(args[0], out, 0o644)
}

// rewrite returns src with both calls rewritten; it fails when either shape is missing.
func rewrite(src []byte) ([]byte, error) {
	if !sliceCalls.Match(src) {
		return nil, fmt.Errorf("no graphql.MarshalSliceConcurrently call of the expected shape: has gqlgen's template changed?")
	}
	if !fields.Match(src) {
		return nil, fmt.Errorf("no out.ResolveConcurrently call of the expected shape: has gqlgen's template changed?")
	}
	if !groups.Match(src) {
		return nil, fmt.Errorf("no graphql.NewDeferredGroup call of the expected shape: has gqlgen's template changed?")
	}
	safe := maps.Clone(plainMarshals)
	for _, m := range enums.FindAllSubmatch(src, -1) {
		safe[string(m[1])] = true
	}
	n := 0
	src = plain.ReplaceAllFunc(src, func(fn []byte) []byte {
		m := plain.FindSubmatch(fn)
		if !safe[string(m[3])] {
			return fn
		}
		n++
		return slices.Concat(m[1], []byte("resolvePlain"), m[2], m[3], m[4])
	})
	if n == 0 {
		return nil, fmt.Errorf("no model field read as it is with a string, ID, boolean, int or enum marshaller: has gqlgen's template changed?")
	}
	src = sliceCalls.ReplaceAll(src, []byte("marshalSliceInline(ctx, len(v), "))
	src = fields.ReplaceAll(src, []byte("resolveInline(ctx, ec.OperationContext, out, &deferred, i, field,$1$2, $3,"))
	src = groups.ReplaceAll(src, []byte("deferred := deferredGroup(ctx, fields)"))
	return src, nil
}
