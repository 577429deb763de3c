// Command inlinemarshal rewrites gqlgen's generated executor so that the elements of lists and
// the resolver fields of objects below the root are marshalled in the calling goroutine, and an
// object's group of @defer'd fields is made only when it has one (see graph/marshal.go for
// why). It runs after gqlgen in graph's go:generate and fails when the
// generated code no longer has the shape it rewrites, so that a gqlgen upgrade that changes it
// is noticed rather than silently left concurrent.
//
// Usage: go run ./tools/inlinemarshal FILE
package main

import (
	"fmt"
	"os"
	"regexp"
)

var (
	slices = regexp.MustCompile(`graphql\.MarshalSliceConcurrently\(ctx, len\(v\), \d+, (?:true|false), `)
	fields = regexp.MustCompile(`out\.ResolveConcurrently\(ec\.OperationContext, &deferred, i,(\s+)(true|false), (true|false),`)
	groups = regexp.MustCompile(`deferred := graphql\.NewDeferredGroup\(ctx\)`)
)

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
	if !slices.Match(src) {
		return nil, fmt.Errorf("no graphql.MarshalSliceConcurrently call of the expected shape: has gqlgen's template changed?")
	}
	if !fields.Match(src) {
		return nil, fmt.Errorf("no out.ResolveConcurrently call of the expected shape: has gqlgen's template changed?")
	}
	if !groups.Match(src) {
		return nil, fmt.Errorf("no graphql.NewDeferredGroup call of the expected shape: has gqlgen's template changed?")
	}
	src = slices.ReplaceAll(src, []byte("marshalSliceInline(ctx, len(v), "))
	src = fields.ReplaceAll(src, []byte("resolveInline(ctx, ec.OperationContext, out, &deferred, i, field,$1$2, $3,"))
	src = groups.ReplaceAll(src, []byte("deferred := deferredGroup(ctx, fields)"))
	return src, nil
}
