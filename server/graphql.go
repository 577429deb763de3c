package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/klauspost/compress/gzhttp"
	"github.com/klauspost/compress/gzip"
	"github.com/rs/zerolog"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/graph"
	"github.com/incidentgraph/incidentgraph/internal/turns"
)

// newGraphQLHandler builds the GraphQL endpoint: POST with JSON and GET for queries, a parsed
// query cache, introspection (GraphiQL's docs pane is the researchers' manual), a complexity
// limit, per-operation dataloaders, errors that carry a code and never leak internals, and
// gzip for clients that accept it.
func newGraphQLHandler(cfg Config, svc Services, down *outage) http.Handler {
	centralities := turns.New(cfg.Centralities, "centrality computations")
	if cfg.hooks.holdCentralities {
		centralities.HoldAll()
	}
	es := graph.NewExecutableSchema(graph.Config{
		Resolvers: &graph.Resolver{Graph: svc.Graph, Analyst: svc.Analyst, CypherService: svc.Cypher, Curation: svc.Curation,
			Centralities: centralities},
		Complexity: graph.Complexity(),
	})
	srv := handler.New(es)
	srv.AddTransport(transport.Options{})
	if cfg.hooks.gqlgenAnswers {
		srv.AddTransport(transport.GET{})
		srv.AddTransport(transport.POST{})
	} else {
		srv.AddTransport(rawAnswers{transport.GET{}})
		srv.AddTransport(rawAnswers{transport.POST{}})
	}
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	var apqCache graphql.Cache[string]
	if cfg.PersistedQueries > 0 && cfg.TrustedDocuments == nil {
		// With trusted documents, hashes name the manifest's documents only (trusted.go).
		apqCache = lru.New[string](cfg.PersistedQueries)
		srv.Use(extension.AutomaticPersistedQuery{Cache: apqCache})
	}
	// gqlparser reads at most this many tokens of a document (gqlgen sets no limit), so a
	// document that is long only to be costly is refused at the price of its first tokens.
	srv.SetParserTokenLimit(cfg.MaxQueryTokens)
	srv.SetDisableSuggestion(!cfg.FieldSuggestions)
	if cfg.Introspection {
		srv.Use(extension.Introspection{})
	}
	// Shape limits first, then complexity: both run after validation and before execution, so
	// a refused operation runs no Cypher.
	srv.Use(operationLimits{depth: cfg.MaxDepth, aliases: cfg.MaxAliases, rootFields: cfg.MaxRootFields,
		fields: cfg.MaxFields, directives: cfg.MaxDirectives})
	srv.Use(&extension.ComplexityLimit{Func: complexityLimit(cfg.ComplexityLimit, cfg.AnalystComplexityLimit)})
	// Each root field's selection is read in one query per group of entities its answer holds,
	// before the fields below resolve (graph/compile.go).
	srv.Use(graph.CompiledReads{})
	srv.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		// The request's time limit is on ctx already (withDeadline, routes.go), and resolvers
		// see it: the gqlgen executor resolves fields with the context the response handler is
		// given, which derives from the request's.
		loaders := graph.NewLoaders(svc.Graph)
		if cfg.hooks.noCompiledReads {
			loaders = loaders.WithoutCompiledReadsForTest()
		}
		respond := next(graph.WithLoaders(ctx, loaders))
		return func(ctx context.Context) *graphql.Response {
			if resp := respond(ctx); resp != nil {
				return resp
			}
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				// Past the deadline before any field ran, the executor returns nothing at all;
				// the client gets a coded error instead.
				return &graphql.Response{Errors: gqlerror.List{{
					Message:    "the request took too long and was stopped",
					Extensions: map[string]any{"code": incidentgraph.ETIMEOUT},
				}}}
			}
			return nil
		}
	})
	srv.SetErrorPresenter(func(ctx context.Context, err error) *gqlerror.Error {
		if down != nil && incidentgraph.ErrorCode(err) == incidentgraph.EUNAVAIL {
			down.failed(err)
		}
		return presentError(ctx, err)
	})
	srv.SetRecoverFunc(recoverPanic)
	// Documents named by hash are resolved, and untrusted ones refused, before gqlgen parses.
	return persistedDocuments(cfg.TrustedDocuments, apqCache)(compressAnswers(legacyStatus(srv)))
}

// compressAnswers gzips answers for clients that accept it. Link charts and pages of incidents
// are JSON that compresses several times over; answers under gzhttp's minimum size (1 KiB) go
// out as they are, where compressing costs more than it saves. The fastest level: gzhttp's
// default level spent a twentieth of the service's CPU on the entity question, and the answers
// are read once, usually over a fast network.
func compressAnswers(h http.Handler) http.Handler {
	wrap, err := gzhttp.NewWrapper(gzhttp.CompressionLevel(gzip.BestSpeed))
	if err != nil {
		panic(err) // only for an invalid level: a constant here
	}
	return wrap(h)
}

// loggedError is an internal error that has been logged already (a recovered panic).
type loggedError struct{ error }

// presentError gives every error a code in extensions.code. Application errors keep their
// message; errors that gqlgen or the parser coded (validation, parsing, complexity) stay as they
// are; anything else is masked as "internal error" and logged once, with the request id.
func presentError(ctx context.Context, err error) *gqlerror.Error {
	gqlErr := graphql.DefaultErrorPresenter(ctx, err)
	var appErr *incidentgraph.Error
	var logged loggedError
	switch {
	case errors.As(err, &logged):
		setCode(gqlErr, incidentgraph.EINTERNAL, "internal error")
	case errors.As(err, &appErr) && appErr.Code != incidentgraph.EINTERNAL:
		if appErr.Code == incidentgraph.EUNAVAIL || appErr.Code == incidentgraph.ETIMEOUT || appErr.Code == incidentgraph.ECANCELED {
			zerolog.Ctx(ctx).Warn().Err(err).Str("code", appErr.Code).Msg("graphql: request failed")
		}
		setCode(gqlErr, appErr.Code, appErr.Message)
	case gqlErr.Extensions["code"] != nil:
		// Coded by gqlgen or gqlparser: GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED,
		// COMPLEXITY_LIMIT_EXCEEDED, … The messages are about the request, not our internals.
	default:
		zerolog.Ctx(ctx).Error().Err(err).Str("path", gqlErr.Path.String()).Msg("graphql: internal error")
		setCode(gqlErr, incidentgraph.EINTERNAL, "internal error")
	}
	return gqlErr
}

func setCode(e *gqlerror.Error, code, message string) {
	e.Message = message
	if e.Extensions == nil {
		e.Extensions = map[string]any{}
	}
	e.Extensions["code"] = code
}

// recoverPanic logs a panic with its stack, once, and lets presentError mask it.
func recoverPanic(ctx context.Context, p any) error {
	zerolog.Ctx(ctx).Error().Str("panic", fmt.Sprint(p)).Bytes("stack", debug.Stack()).Msg("graphql: panic")
	return loggedError{fmt.Errorf("panic: %v", p)}
}
