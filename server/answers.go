package server

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
)

// rawAnswers wraps one of gqlgen's HTTP transports so that an executed operation's answer is
// written as the executor marshalled it. gqlgen's transports write a *graphql.Response with
// json.Marshal, and encoding/json validates and re-compacts every byte of its data member (a
// json.RawMessage), which the executor has just written compact: a tenth of the service's CPU
// on a large answer (docs/BENCHMARKS.md). Everything else stays the transport's: content
// negotiation, headers, statuses, and the answers to requests that never execute.
//
// The executed answer's bytes differ from json.Marshal's in one way only: "<", ">" and "&"
// inside strings are written as they are rather than as \u003c, \u003e and \u0026. Both are
// the same JSON, and answers are served as JSON, never HTML.
type rawAnswers struct{ graphql.Transport }

func (t rawAnswers) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	aw := &answerWriter{ResponseWriter: w}
	t.Transport.Do(aw, r, answeringExecutor{GraphExecutor: exec, w: aw})
}

// answeringExecutor writes the answer of an executed operation itself and hands the transport
// an empty response, whose bytes the answerWriter drops.
type answeringExecutor struct {
	graphql.GraphExecutor
	w *answerWriter
}

func (e answeringExecutor) DispatchOperation(ctx context.Context, oc *graphql.OperationContext) (graphql.ResponseHandler, context.Context) {
	respond, ctx := e.GraphExecutor.DispatchOperation(ctx, oc)
	return func(ctx context.Context) *graphql.Response {
		resp := respond(ctx)
		if resp == nil || !e.w.write(resp) {
			return resp
		}
		return &graphql.Response{}
	}, ctx
}

// answerWriter passes the transport's writes through until it has written an answer itself;
// after that it drops them (the transport's empty response).
type answerWriter struct {
	http.ResponseWriter
	answered bool
}

func (w *answerWriter) Write(b []byte) (int, error) {
	if w.answered {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection below (flushes, deadlines).
func (w *answerWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// write writes resp as json.Marshal would, with data copied as it is, and reports whether it
// did. An incremental (@defer) part, which the single-answer transports do not send, is left to
// json.Marshal.
func (w *answerWriter) write(resp *graphql.Response) bool {
	if resp.Label != "" || resp.Path != nil || resp.HasNext != nil {
		return false
	}
	var b bytes.Buffer
	b.Grow(len(resp.Data) + 64)
	b.WriteByte('{')
	if len(resp.Errors) > 0 {
		errs, err := json.Marshal(resp.Errors)
		if err != nil {
			return false
		}
		b.WriteString(`"errors":`)
		b.Write(errs)
		b.WriteByte(',')
	}
	b.WriteString(`"data":`)
	if len(resp.Data) == 0 {
		b.WriteString("null")
	} else {
		b.Write(resp.Data)
	}
	if len(resp.Extensions) > 0 {
		ext, err := json.Marshal(resp.Extensions)
		if err != nil {
			return false
		}
		b.WriteString(`,"extensions":`)
		b.Write(ext)
	}
	b.WriteByte('}')
	w.answered = true
	_, _ = w.ResponseWriter.Write(b.Bytes())
	return true
}
