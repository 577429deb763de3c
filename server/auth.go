package server

import (
	"net/http"
	"strings"

	"github.com/rs/zerolog"

	"github.com/incidentgraph/incidentgraph"
)

// What callers without a token may do (Config.AnonymousAccess).
const (
	AnonymousRead = "read" // they read, as readers do
	AnonymousNone = "none" // nothing: every request needs a token
)

// ValidAnonymousAccess reports whether s is a value Config.AnonymousAccess may take.
func ValidAnonymousAccess(s string) bool { return s == AnonymousRead || s == AnonymousNone }

// authenticate decides who is calling /graphql and puts it in the request's context, where
// resolvers check roles with incidentgraph.Require. A request that presents credentials must
// present good ones: a bad token is refused, never downgraded to anonymous access. Refusals are
// GraphQL-shaped, so clients handle them like any other coded error. The secret is never logged.
func authenticate(tokens incidentgraph.TokenService, anonymous string) func(http.Handler) http.Handler {
	// Anything but the two documented values fails closed.
	allowAnonymous := anonymous == AnonymousRead || anonymous == ""
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			log := zerolog.Ctx(r.Context())
			values := r.Header.Values("Authorization")
			if len(values) == 0 {
				if !allowAnonymous {
					refuse(w, r, `Bearer realm="incidentgraph"`, "missing token",
						"this service needs a bearer token: send the header Authorization: Bearer <token>")
					return
				}
				id := &incidentgraph.Identity{Role: incidentgraph.RoleReader, Anonymous: true}
				log.UpdateContext(func(c zerolog.Context) zerolog.Context {
					return c.Bool("anonymous", true).Str("role", string(id.Role))
				})
				next.ServeHTTP(w, r.WithContext(incidentgraph.WithIdentity(r.Context(), id)))
				return
			}
			secret, ok := bearer(values)
			if !ok {
				refuse(w, r, `Bearer realm="incidentgraph", error="invalid_request"`, "malformed Authorization header",
					`the Authorization header must be "Bearer <token>"`)
				return
			}
			var tok *incidentgraph.Token
			var err error
			if tokens == nil {
				err = incidentgraph.Errorf(incidentgraph.EUNAUTHENTICATED, "invalid or expired token")
			} else {
				tok, err = tokens.Authenticate(r.Context(), secret)
			}
			switch code := incidentgraph.ErrorCode(err); {
			case err == nil:
			case code == incidentgraph.EUNAUTHENTICATED:
				refuse(w, r, `Bearer realm="incidentgraph", error="invalid_token"`, "invalid token", incidentgraph.ErrorMessage(err))
				return
			default:
				// The token may be good: say so honestly, and let the client retry. A database
				// that is away or slow is an outage the health checks report, not a fault of
				// ours; anything else is.
				level := log.Error()
				if code == incidentgraph.EUNAVAIL || code == incidentgraph.ETIMEOUT {
					level = log.Warn()
				}
				level.Err(err).Str("code", code).Msg("authentication: cannot check the token")
				w.Header().Set("Retry-After", "1")
				writeJSON(w, httpStatus(incidentgraph.EUNAVAIL), gqlErrors(incidentgraph.EUNAVAIL,
					"cannot check credentials just now; try again later"))
				return
			}
			id := &incidentgraph.Identity{Name: tok.Name, Role: tok.Role}
			log.UpdateContext(func(c zerolog.Context) zerolog.Context {
				return c.Str("caller", id.Name).Str("role", string(id.Role))
			})
			next.ServeHTTP(w, r.WithContext(incidentgraph.WithIdentity(r.Context(), id)))
		})
	}
}

// bearer returns the token of one "Bearer <token>" header. The scheme is case-insensitive
// (RFC 9110); the token is one word.
func bearer(values []string) (string, bool) {
	if len(values) != 1 {
		return "", false
	}
	scheme, token, ok := strings.Cut(values[0], " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" || strings.ContainsAny(token, " \t") {
		return "", false
	}
	return token, true
}

// refuse answers UNAUTHENTICATED (401) and logs why, without the header's content.
func refuse(w http.ResponseWriter, r *http.Request, challenge, reason, message string) {
	zerolog.Ctx(r.Context()).Warn().Str("reason", reason).Msg("authentication failed")
	w.Header().Set("WWW-Authenticate", challenge)
	writeJSON(w, httpStatus(incidentgraph.EUNAUTHENTICATED), gqlErrors(incidentgraph.EUNAUTHENTICATED, message))
}

func gqlErrors(code, message string) map[string]any {
	return map[string]any{"errors": []map[string]any{{"message": message, "extensions": map[string]any{"code": code}}}}
}
