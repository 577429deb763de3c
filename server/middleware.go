package server

import (
	"net/http"
	"time"

	"github.com/rs/cors"
	"github.com/rs/zerolog"
	"github.com/rs/zerolog/hlog"
)

// RequestIDHeader carries the request id back to the client, so that a user reporting a
// problem can quote the id that the logs are searchable by.
const RequestIDHeader = "Request-Id"

func loggerHandler(logger zerolog.Logger) func(http.Handler) http.Handler {
	return hlog.NewHandler(logger)
}

func requestID() func(http.Handler) http.Handler {
	return hlog.RequestIDHandler("req_id", RequestIDHeader)
}

func accessLog() func(http.Handler) http.Handler {
	return hlog.AccessHandler(func(r *http.Request, status, size int, d time.Duration) {
		hlog.FromRequest(r).Info().
			Str("method", r.Method).
			Str("path", r.URL.Path).
			Int("status", status).
			Int("size", size).
			Dur("duration", d).
			Msg("request")
	})
}

// crossOrigin lets link-chart frontends served from other origins call the API. Only GET and
// POST with a JSON body are allowed. Bearer tokens travel in the Authorization header, never in
// cookies, so the browser's credentials mode stays off.
func crossOrigin(origins []string) func(http.Handler) http.Handler {
	if len(origins) == 0 {
		return func(next http.Handler) http.Handler { return next }
	}
	c := cors.New(cors.Options{
		AllowedOrigins: origins,
		AllowedMethods: []string{http.MethodGet, http.MethodPost},
		AllowedHeaders: []string{"Content-Type", "Authorization"},
		ExposedHeaders: []string{RequestIDHeader},
		MaxAge:         600,
	})
	return c.Handler
}
