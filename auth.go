package incidentgraph

import (
	"context"
	"time"
)

// Role is what a caller may do. Roles are ordered: each may do all that the ones below it may.
type Role string

const (
	RoleReader  Role = "reader"  // reads the graph and runs saved patterns
	RoleAnalyst Role = "analyst" // also runs its own read-only Cypher
	RoleCurator Role = "curator" // also curates the graph (writes)
	RoleAdmin   Role = "admin"   // also administers tokens and reads the audit log
)

// Roles lists the roles, lowest first.
var Roles = []Role{RoleReader, RoleAnalyst, RoleCurator, RoleAdmin}

func (r Role) rank() int {
	for i, x := range Roles {
		if x == r {
			return i
		}
	}
	return -1
}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool { return r.rank() >= 0 }

// AtLeast reports whether r may do what min may.
func (r Role) AtLeast(min Role) bool { return r.Valid() && r.rank() >= min.rank() }

// Identity is who is calling: a token's name and role, or an anonymous reader.
type Identity struct {
	Name      string // the token's name; "" for anonymous callers
	Role      Role
	Anonymous bool
}

// Token is a bearer token as stored: never its secret, only a hash of it.
type Token struct {
	Name      string
	Role      Role
	CreatedAt time.Time
	ExpiresAt *time.Time // nil: never
	RevokedAt *time.Time // nil: in force
}

// TokenService keeps bearer tokens.
type TokenService interface {
	// CreateToken makes a new random token and returns its secret, which is shown once and
	// stored only as a hash. A name already in use is a CONFLICT.
	CreateToken(ctx context.Context, name string, role Role, expiresAt *time.Time) (secret string, err error)
	// RevokeToken revokes the token of that name (NOT_FOUND if there is none).
	RevokeToken(ctx context.Context, name string) error
	// ListTokens lists the tokens, by name, without secrets.
	ListTokens(ctx context.Context) ([]*Token, error)
	// Authenticate returns the token that secret belongs to, if it is in force; otherwise an
	// UNAUTHENTICATED error that does not say why.
	Authenticate(ctx context.Context, secret string) (*Token, error)
}

type identityKey struct{}

// WithIdentity returns a context that carries who is calling.
func WithIdentity(ctx context.Context, id *Identity) context.Context {
	return context.WithValue(ctx, identityKey{}, id)
}

// IdentityFrom returns who is calling; nil when no authentication ran.
func IdentityFrom(ctx context.Context) *Identity {
	id, _ := ctx.Value(identityKey{}).(*Identity)
	return id
}

// Require returns nil when the caller has at least role min, UNAUTHENTICATED for an anonymous
// caller and FORBIDDEN for an authenticated one whose role is too low.
func Require(ctx context.Context, min Role) error {
	id := IdentityFrom(ctx)
	switch {
	case id != nil && id.Role.AtLeast(min):
		return nil
	case id == nil || id.Anonymous:
		return Errorf(EUNAUTHENTICATED, "this needs a bearer token with role %s or above", min)
	default:
		return Errorf(EFORBIDDEN, "this needs role %s or above", min)
	}
}
