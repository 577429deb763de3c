package server

import (
	"bytes"
	"context"
	"errors"
	"net/http"

	"github.com/klauspost/compress/gzhttp"
	"github.com/rs/zerolog"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/export"
)

// handleExport serves GET /export?format=F&of=O&…: a subgraph as a download in one of the
// export package's formats, with the same arguments, bounds and time view as the GraphQL
// fields. The file is written to memory first (a subgraph is bounded: at most
// MaxNeighborhoodNodes nodes), so a failure half-way answers a coded error, not half a file.
// Errors are GraphQL-shaped, like the refusals of authenticate, with the HTTP status that
// matches their code.
func handleExport(svc Services) http.Handler {
	services := export.Services{Graph: svc.Graph, Analyst: svc.Analyst, Whole: svc.Whole}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, err := export.ParseRequest(r.URL.Query())
		if err != nil {
			exportError(w, r, err)
			return
		}
		// The request's time limit is on its context already (withDeadline, routes.go).
		ctx := r.Context()
		doc, err := export.Build(ctx, services, req)
		if err != nil {
			if incidentgraph.ErrorCode(err) == incidentgraph.EINTERNAL && errors.Is(ctx.Err(), context.DeadlineExceeded) {
				err = incidentgraph.Errorf(incidentgraph.ETIMEOUT, "the request took too long and was stopped")
			}
			exportError(w, r, err)
			return
		}
		var buf bytes.Buffer
		if err := export.Write(&buf, req.Format, doc); err != nil {
			exportError(w, r, err)
			return
		}
		zerolog.Ctx(r.Context()).Info().Str("format", string(req.Format)).Str("of", string(req.Of)).
			Int("nodes", len(doc.Nodes)).Int("edges", len(doc.Edges)).Msg("export")
		h := w.Header()
		h.Set("Content-Type", req.Format.ContentType())
		h.Set("Content-Disposition", `attachment; filename="`+req.FileName()+`"`)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "no-store") // the graph changes; a saved chart is the file itself
		_, _ = w.Write(buf.Bytes())
	})
	// XML and JSON compress several times over for clients that accept gzip; gzhttp leaves
	// the zip (already compressed) as it is.
	return gzhttp.GzipHandler(h)
}

// exportError answers a coded error with its code's status (httpStatus): client mistakes,
// outages, timeouts and abandoned requests with their message at warn, internal errors masked
// and logged once with the request id.
func exportError(w http.ResponseWriter, r *http.Request, err error) {
	code := incidentgraph.ErrorCode(err)
	log := zerolog.Ctx(r.Context())
	if code == incidentgraph.EINTERNAL {
		log.Error().Err(err).Msg("export: internal error")
	} else {
		log.Warn().Err(err).Str("code", code).Msg("export refused")
	}
	writeJSON(w, httpStatus(code), gqlErrors(code, incidentgraph.ErrorMessage(err)))
}
