package server

import (
	"net/http"

	"github.com/incidentgraph/incidentgraph"
)

// statusClientClosedRequest is nginx's 499: the client went away before the answer. Nobody
// reads it; it keeps an abandoned request out of the server errors (5xx) in the access log and
// the metrics.
const statusClientClosedRequest = 499

// httpStatus is the HTTP status of an answer that is one coded error and nothing else, on
// /graphql and /export alike: a request refused before any GraphQL ran (httpspec.go, limits.go,
// trusted.go, the token check in auth.go, the breaker in breaker.go) or an export that failed
// (export.go), or a TAXII request refused or failed (taxii.go). It is the one place a status is
// chosen for a code.
//
// It does not apply to the errors of a GraphQL operation that ran: those travel in the GraphQL
// response beside its data, with 200, whatever their code (the GraphQL-over-HTTP spec). Nor to
// the codes gqlgen answers before execution (parse, validation, the operation limits of
// limits.go): gqlgen chooses their status, which legacyStatus adjusts.
func httpStatus(code string) int {
	switch code {
	// The domain's codes (error.go).
	case incidentgraph.EINVALID, incidentgraph.ECYPHER:
		return http.StatusBadRequest
	case incidentgraph.EUNAUTHENTICATED:
		return http.StatusUnauthorized
	case incidentgraph.EFORBIDDEN:
		return http.StatusForbidden
	case incidentgraph.ENOTFOUND:
		return http.StatusNotFound
	case incidentgraph.ECONFLICT:
		return http.StatusConflict
	case incidentgraph.EUNAVAIL:
		return http.StatusServiceUnavailable
	case incidentgraph.ETIMEOUT:
		return http.StatusGatewayTimeout
	case incidentgraph.ECANCELED:
		return statusClientClosedRequest
	// Requests the GraphQL layer cannot take (httpspec.go, limits.go, trusted.go).
	case CodeBadRequest, CodeBatching, CodeQueryTooLong,
		CodePersistedQueryNotFound, CodePersistedQueryMismatch, CodePersistedQueryNotSupported:
		return http.StatusBadRequest
	case CodeTrustedDocumentRequired:
		return http.StatusForbidden
	case CodeMethodNotAllowed:
		return http.StatusMethodNotAllowed
	case CodePayloadTooLarge:
		return http.StatusRequestEntityTooLarge
	case CodeMediaType:
		return http.StatusUnsupportedMediaType
	case CodeNotAcceptable: // TAXII (taxii.go)
		return http.StatusNotAcceptable
	case CodeRateLimited:
		return http.StatusTooManyRequests
	case CodeOverloaded:
		return http.StatusServiceUnavailable
	default: // INTERNAL, and any code without a status of its own
		return http.StatusInternalServerError
	}
}
