package server

import (
	"context"
	"fmt"
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"golang.org/x/time/rate"

	"github.com/incidentgraph/incidentgraph"
)

// Codes of operations refused by the shape limits. Like gqlgen's COMPLEXITY_LIMIT_EXCEEDED they
// are found before execution, so no Cypher runs.
const (
	CodeDepthLimit     = "DEPTH_LIMIT_EXCEEDED"
	CodeAliasLimit     = "ALIAS_LIMIT_EXCEEDED"
	CodeRootFieldLimit = "ROOT_FIELD_LIMIT_EXCEEDED"
	CodeFieldLimit     = "FIELD_LIMIT_EXCEEDED"
	CodeDirectiveLimit = "DIRECTIVE_LIMIT_EXCEEDED"
	codeComplexity     = "COMPLEXITY_LIMIT_EXCEEDED" // gqlgen's
)

func init() {
	// gqlgen keeps which codes are the request's fault (400 for application/graphql-response+json
	// clients) in a registry of its own, package-wide; it is written here once, before any
	// handler of this package serves, so that no request reads it while it is written.
	for _, code := range []string{CodeDepthLimit, CodeAliasLimit, CodeRootFieldLimit, CodeFieldLimit, CodeDirectiveLimit, codeComplexity} {
		errcode.RegisterErrorType(code, errcode.KindProtocol)
	}
}

// operationLimits refuses operations whose shape is abusive: too deep, too many aliases, root
// fields or fields in all, too many directives on one field. It runs after validation and
// before the complexity limit and execution, and counts fragments where they are spread (a
// fragment spread ten times counts ten times) while visiting each fragment once, so that a
// fragment bomb costs it no more than its text.
type operationLimits struct {
	depth, aliases, rootFields, fields, directives int
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = operationLimits{}

func (operationLimits) ExtensionName() string                   { return "OperationLimits" }
func (operationLimits) Validate(graphql.ExecutableSchema) error { return nil }
func (l operationLimits) MutateOperationContext(_ context.Context, rc *graphql.OperationContext) *gqlerror.Error {
	op := rc.Operation
	if op == nil {
		return nil
	}
	m := &measurer{doc: rc.Doc, frags: map[string]*shape{}}
	root := m.selections(op.SelectionSet)
	refuse := func(code, format string, args ...any) *gqlerror.Error {
		return &gqlerror.Error{Message: fmt.Sprintf(format, args...), Extensions: map[string]any{"code": code}}
	}
	switch {
	case l.rootFields > 0 && root.fieldsHere > l.rootFields:
		return refuse(CodeRootFieldLimit, "the operation asks for %s root fields; the limit is %d", count(root.fieldsHere), l.rootFields)
	case l.depth > 0 && root.depth > l.depth:
		return refuse(CodeDepthLimit, "the operation nests fields %s deep; the limit is %d", count(root.depth), l.depth)
	case l.aliases > 0 && root.aliases > l.aliases:
		return refuse(CodeAliasLimit, "the operation uses %s aliases (fragments counted where spread); the limit is %d", count(root.aliases), l.aliases)
	case l.fields > 0 && root.fields > l.fields:
		return refuse(CodeFieldLimit, "the operation selects %s fields (fragments counted where spread); the limit is %d", count(root.fields), l.fields)
	case l.directives > 0 && max(root.directives, len(op.Directives)) > l.directives:
		return refuse(CodeDirectiveLimit, "a field carries %d directives; the limit is %d", max(root.directives, len(op.Directives)), l.directives)
	}
	return nil
}

// saturated caps counts, so that a fragment bomb's counts cannot overflow.
const saturated = math.MaxInt32

func count(n int) string {
	if n >= saturated {
		return "more than " + strconv.Itoa(saturated)
	}
	return strconv.Itoa(n)
}

func add(a, b int) int   { return min(a+b, saturated) }
func times(a, b int) int { return int(min(int64(a)*int64(b), saturated)) }
func (s *shape) plus(o *shape) {
	s.fieldsHere = add(s.fieldsHere, o.fieldsHere)
	s.fields = add(s.fields, o.fields)
	s.aliases = add(s.aliases, o.aliases)
	s.depth = max(s.depth, o.depth)
	s.directives = max(s.directives, o.directives)
}

// shape is what the limits measure of a selection set.
type shape struct {
	fieldsHere int // fields at this level, fragments expanded
	fields     int // fields at every level
	aliases    int
	depth      int // deepest chain of fields
	directives int // most directives on one selection
}

type measurer struct {
	doc   *ast.QueryDocument
	frags map[string]*shape // measured fragments; nil while being measured (a cycle)
}

func (m *measurer) selections(set ast.SelectionSet) *shape {
	s := &shape{}
	for _, sel := range set {
		switch sel := sel.(type) {
		case *ast.Field:
			child := m.selections(sel.SelectionSet)
			s.fieldsHere = add(s.fieldsHere, 1)
			s.fields = add(s.fields, add(1, child.fields))
			s.aliases = add(s.aliases, child.aliases)
			if sel.Alias != "" && sel.Alias != sel.Name {
				s.aliases = add(s.aliases, 1)
			}
			s.depth = max(s.depth, add(1, child.depth))
			s.directives = max(s.directives, max(len(sel.Directives), child.directives))
		case *ast.InlineFragment:
			inner := m.selections(sel.SelectionSet)
			inner.directives = max(inner.directives, len(sel.Directives))
			s.plus(inner)
		case *ast.FragmentSpread:
			f := m.fragment(sel.Name)
			s.plus(f)
			s.directives = max(s.directives, len(sel.Directives))
		}
	}
	return s
}

func (m *measurer) fragment(name string) *shape {
	if f, seen := m.frags[name]; seen {
		if f == nil {
			return &shape{} // a cycle; validation refuses it before this runs
		}
		return f
	}
	m.frags[name] = nil
	def := m.doc.Fragments.ForName(name)
	f := &shape{}
	if def != nil {
		f = m.selections(def.SelectionSet)
		f.directives = max(f.directives, len(def.Directives))
	}
	m.frags[name] = f
	return f
}

// complexityLimit returns the complexity an operation may have: more for analysts and above,
// who run the heavy questions of their work, than for readers and anonymous callers.
func complexityLimit(reader, analyst int) func(context.Context, *graphql.OperationContext) int {
	// gqlgen refuses everything over the limit, so 0 would refuse every operation: it means none.
	if reader <= 0 {
		reader = math.MaxInt
	}
	if analyst <= 0 {
		analyst = math.MaxInt
	}
	return func(ctx context.Context, _ *graphql.OperationContext) int {
		if id := incidentgraph.IdentityFrom(ctx); id != nil && !id.Anonymous && id.Role.AtLeast(incidentgraph.RoleAnalyst) {
			return max(analyst, reader)
		}
		return reader
	}
}

// shedLoad answers 503 with Retry-After at once when max requests are in flight, rather than
// queueing them without bound: a client that retries later is better served than one whose
// request waits behind hundreds of others and then times out.
func shedLoad(max int) func(http.Handler) http.Handler {
	if max <= 0 {
		return func(next http.Handler) http.Handler { return next }
	}
	slots := make(chan struct{}, max)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case slots <- struct{}{}:
				defer func() { <-slots }()
				next.ServeHTTP(w, r)
			default:
				w.Header().Set("Retry-After", "1")
				refuseRequest(w, r, &requestError{CodeOverloaded,
					fmt.Sprintf("the service is answering its limit of %d requests at once; retry in a second", max)})
			}
		})
	}
}

// rateLimits holds one token bucket per key (a client address or a token name), the most
// recently seen ones only, so that a flood of addresses cannot grow it without bound.
type rateLimits struct {
	limit rate.Limit
	burst int
	now   func() time.Time
	mu    sync.Mutex // makes get-or-create one step
	keys  *lru.Cache[string, *rate.Limiter]
}

// newRateLimits returns nil (no limit) for a rate of zero or less.
func newRateLimits(perSecond float64, burst int, now func() time.Time) *rateLimits {
	if perSecond <= 0 {
		return nil
	}
	keys, _ := lru.New[string, *rate.Limiter](10000)
	if now == nil {
		now = time.Now
	}
	return &rateLimits{limit: rate.Limit(perSecond), burst: max(burst, 1), now: now, keys: keys}
}

// allow takes one request from key's bucket, or says how long until it may.
func (l *rateLimits) allow(key string) (bool, time.Duration) {
	l.mu.Lock()
	lim, ok := l.keys.Get(key)
	if !ok {
		lim = rate.NewLimiter(l.limit, l.burst)
		l.keys.Add(key, lim)
	}
	l.mu.Unlock()
	now := l.now()
	res := lim.ReserveN(now, 1)
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return false, d
	}
	return true, 0
}

// limitRate refuses, with 429 and Retry-After, requests over the rate of their key. key returns
// "" for requests the limit does not apply to.
func limitRate(l *rateLimits, what string, key func(*http.Request) string) func(http.Handler) http.Handler {
	if l == nil {
		return func(next http.Handler) http.Handler { return next }
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if k := key(r); k != "" {
				if ok, wait := l.allow(k); !ok {
					secs := int(math.Ceil(wait.Seconds()))
					w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
					refuseRequest(w, r, &requestError{CodeRateLimited,
						fmt.Sprintf("too many requests from this %s: the limit is %g a second (bursts of %d); retry in %d s", what, float64(l.limit), l.burst, max(secs, 1))})
					return
				}
			}
			next.ServeHTTP(w, r)
		})
	}
}

// clientAddress is the address the connection comes from. Forwarded headers are not trusted:
// anyone can send them.
func clientAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// tokenName is the name of the caller's token; "" for anonymous callers, whom the address limit
// covers.
func tokenName(r *http.Request) string {
	if id := incidentgraph.IdentityFrom(r.Context()); id != nil && !id.Anonymous {
		return id.Name
	}
	return ""
}
