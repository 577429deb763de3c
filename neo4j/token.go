package neo4j

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"
	"time"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/incidentgraph/incidentgraph"
)

var _ incidentgraph.TokenService = (*DB)(nil)

// tokenPrefix starts every token secret, so that a leaked one is recognisable (and findable by
// secret scanners) for what it is.
const tokenPrefix = "igt_"

// A secret is the prefix and 32 random bytes in unpadded base64url.
var tokenSecretLen = len(tokenPrefix) + base64.RawURLEncoding.EncodedLen(32)

var tokenNamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

// Tokens live in the graph so that every instance of the service sees the same ones. :ApiToken
// is not a label of the domain, so the read-only Cypher guard refuses it and hashes never leave
// through it.
var tokenSchema = []string{
	`CREATE CONSTRAINT api_token_name IF NOT EXISTS FOR (t:ApiToken) REQUIRE t.name IS UNIQUE`,
	`CREATE CONSTRAINT api_token_hash IF NOT EXISTS FOR (t:ApiToken) REQUIRE t.hash IS UNIQUE`,
}

// EnsureTokenSchema creates the uniqueness constraints on token names and hashes. The one on
// hashes is also the index that Authenticate looks secrets up by. It is idempotent, and
// CreateToken runs it, so that no token can exist without its constraints.
func (db *DB) EnsureTokenSchema(ctx context.Context) error {
	for _, stmt := range tokenSchema {
		_, err := driver.ExecuteQuery(ctx, db.driver, stmt, nil, driver.EagerResultTransformer,
			driver.ExecuteQueryWithDatabase(db.cfg.Database), driver.ExecuteQueryWithWritersRouting())
		if err != nil {
			return fmt.Errorf("neo4j token schema: %w", classify(ctx, err))
		}
	}
	return nil
}

// CreateToken makes a token and returns its secret; the graph keeps only its SHA-256 hash. The
// name must be 1 to 64 lower-case letters, digits, '.', '_' or '-', starting with a letter or
// digit. An expiry in the past is accepted and makes a token that never authenticates: refusing
// such a date is the caller's business (the command line does).
func (db *DB) CreateToken(ctx context.Context, name string, role incidentgraph.Role, expiresAt *time.Time) (string, error) {
	if err := checkTokenName(name); err != nil {
		return "", err
	}
	if !role.Valid() {
		return "", incidentgraph.Errorf(incidentgraph.EINVALID, "unknown role %q: use one of %s", role, roleList())
	}
	if err := db.EnsureTokenSchema(ctx); err != nil {
		return "", err
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", fmt.Errorf("token secret: %w", err)
	}
	secret := tokenPrefix + base64.RawURLEncoding.EncodeToString(raw[:])
	hash := hashSecret(secret)
	var expires any
	if expiresAt != nil {
		expires = expiresAt.UTC()
	}
	// MERGE rather than CREATE: under the name constraint it is race-free, and a retried
	// transaction whose first attempt did commit still recognises its own token by the hash.
	created, err := tokenWrite(ctx, db, func(tx driver.ManagedTransaction) (bool, error) {
		return single[bool](ctx, tx, `
			MERGE (t:ApiToken {name: $name})
			ON CREATE SET t.role = $role, t.hash = $hash, t.createdAt = datetime(), t.expiresAt = $expires
			RETURN t.hash = $hash AS created`,
			map[string]any{"name": name, "role": string(role), "hash": hash, "expires": expires})
	})
	if err != nil {
		return "", err
	}
	if !created {
		return "", incidentgraph.Errorf(incidentgraph.ECONFLICT, "a token named %q exists already (revoked tokens keep their names)", name)
	}
	return secret, nil
}

// RevokeToken stamps the token with the time it was revoked. Revoking twice keeps the first time.
func (db *DB) RevokeToken(ctx context.Context, name string) error {
	if err := checkTokenName(name); err != nil {
		return err
	}
	n, err := tokenWrite(ctx, db, func(tx driver.ManagedTransaction) (int64, error) {
		return single[int64](ctx, tx, `
			MATCH (t:ApiToken {name: $name})
			SET t.revokedAt = coalesce(t.revokedAt, datetime())
			RETURN count(t)`, map[string]any{"name": name})
	})
	if err != nil {
		return err
	}
	if n == 0 {
		return incidentgraph.Errorf(incidentgraph.ENOTFOUND, "no token named %q", name)
	}
	return nil
}

// ListTokens returns every token, revoked and expired ones included, by name.
func (db *DB) ListTokens(ctx context.Context) ([]*incidentgraph.Token, error) {
	res, err := db.read(ctx, `
		MATCH (t:ApiToken)
		RETURN t.name AS name, t.role AS role, t.createdAt AS createdAt, t.expiresAt AS expiresAt, t.revokedAt AS revokedAt
		ORDER BY name`, nil)
	if err != nil {
		return nil, err
	}
	tokens := make([]*incidentgraph.Token, 0, len(res.Records))
	for _, rec := range res.Records {
		tokens = append(tokens, tokenFromValues(rec.Values))
	}
	return tokens, nil
}

// Authenticate looks the secret's hash up in the index, so no secret is ever compared on the
// server. Unknown, revoked and expired tokens get the same error, which names none of them.
// Expiry is judged by the database's clock, the one createdAt and revokedAt come from, so that
// all instances of the service agree.
func (db *DB) Authenticate(ctx context.Context, secret string) (*incidentgraph.Token, error) {
	invalid := incidentgraph.Errorf(incidentgraph.EUNAUTHENTICATED, "invalid or expired token")
	if len(secret) != tokenSecretLen || !strings.HasPrefix(secret, tokenPrefix) {
		return nil, invalid
	}
	res, err := db.read(ctx, `
		MATCH (t:ApiToken {hash: $hash})
		WHERE t.revokedAt IS NULL AND (t.expiresAt IS NULL OR t.expiresAt > datetime())
		RETURN t.name AS name, t.role AS role, t.createdAt AS createdAt, t.expiresAt AS expiresAt, t.revokedAt AS revokedAt`,
		map[string]any{"hash": hashSecret(secret)})
	if err != nil {
		return nil, err
	}
	if len(res.Records) != 1 {
		return nil, invalid
	}
	t := tokenFromValues(res.Records[0].Values)
	if !t.Role.Valid() {
		return nil, fmt.Errorf("token %q has an unknown role %q", t.Name, t.Role)
	}
	return t, nil
}

// tokenWrite runs work in one managed write transaction. work may run more than once.
func tokenWrite[T any](ctx context.Context, db *DB, work func(tx driver.ManagedTransaction) (T, error)) (T, error) {
	s := db.driver.NewSession(ctx, driver.SessionConfig{DatabaseName: db.cfg.Database, AccessMode: driver.AccessModeWrite})
	defer s.Close(context.Background())
	v, err := driver.ExecuteWrite(ctx, s, work, driver.WithTxTimeout(db.cfg.QueryTimeout))
	return v, classify(ctx, err)
}

func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

func checkTokenName(name string) error {
	if !tokenNamePattern.MatchString(name) {
		return incidentgraph.Errorf(incidentgraph.EINVALID,
			"token name %q: use 1 to 64 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit", name)
	}
	return nil
}

func roleList() string {
	names := make([]string, len(incidentgraph.Roles))
	for i, r := range incidentgraph.Roles {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}

// tokenFromValues reads name, role, createdAt, expiresAt and revokedAt, in that order.
func tokenFromValues(v []any) *incidentgraph.Token {
	t := &incidentgraph.Token{}
	t.Name, _ = v[0].(string)
	role, _ := v[1].(string)
	t.Role = incidentgraph.Role(role)
	t.CreatedAt, _ = v[2].(time.Time)
	if e, ok := v[3].(time.Time); ok {
		t.ExpiresAt = &e
	}
	if r, ok := v[4].(time.Time); ok {
		t.RevokedAt = &r
	}
	return t
}
