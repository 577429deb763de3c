package neo4j_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/internal/testdb"
)

func mustCreateToken(t *testing.T, svc incidentgraph.TokenService, name string, role incidentgraph.Role, expires *time.Time) string {
	t.Helper()
	secret, err := svc.CreateToken(context.Background(), name, role, expires)
	if err != nil {
		t.Fatalf("create token %s: %v", name, err)
	}
	return secret
}

// wantUnauthenticated checks that err is the one error every rejected secret gets.
func wantUnauthenticated(t *testing.T, what string, tok *incidentgraph.Token, err error) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: authenticated as %+v", what, tok)
		return
	}
	if code, msg := incidentgraph.ErrorCode(err), incidentgraph.ErrorMessage(err); code != incidentgraph.EUNAUTHENTICATED || msg != "invalid or expired token" {
		t.Errorf("%s: %s %q, want UNAUTHENTICATED \"invalid or expired token\"", what, code, msg)
	}
}

func TestTokenSecretIsShownOnceAndAuthenticatesEverywhere(t *testing.T) {
	ctx := context.Background()
	db := seeded(t)
	soon := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	reader := mustCreateToken(t, db, "ci-reader", incidentgraph.RoleReader, nil)
	analyst := mustCreateToken(t, db, "alice", incidentgraph.RoleAnalyst, &soon)
	for _, s := range []string{reader, analyst} {
		if !strings.HasPrefix(s, "igt_") || len(s) < 40 {
			t.Errorf("secret %q: want igt_ and 32 random bytes", s)
		}
	}
	if reader == analyst {
		t.Fatal("two tokens got the same secret")
	}

	// Another instance of the service (its own connection pool) knows the tokens: they live in
	// the graph, not in the process that made them.
	other := testdb.MustOpen(t)
	for _, c := range []struct {
		secret string
		name   string
		role   incidentgraph.Role
	}{{reader, "ci-reader", incidentgraph.RoleReader}, {analyst, "alice", incidentgraph.RoleAnalyst}} {
		tok, err := other.Authenticate(ctx, c.secret)
		if err != nil {
			t.Fatalf("authenticate %s: %v", c.name, err)
		}
		if tok.Name != c.name || tok.Role != c.role || tok.RevokedAt != nil {
			t.Errorf("authenticated as %+v, want %s with role %s", tok, c.name, c.role)
		}
	}

	list, err := db.ListTokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Name != "alice" || list[1].Name != "ci-reader" {
		t.Fatalf("list = %+v, want alice and ci-reader by name", list)
	}
	if list[0].ExpiresAt == nil || !list[0].ExpiresAt.Equal(soon) || list[1].ExpiresAt != nil {
		t.Errorf("expiries %v, %v; want %v and none", list[0].ExpiresAt, list[1].ExpiresAt, soon)
	}
	if age := time.Since(list[1].CreatedAt); list[1].CreatedAt.IsZero() || age < -time.Minute || age > time.Hour {
		t.Errorf("createdAt %v is not about now", list[1].CreatedAt)
	}
	// Neither the secret nor its hash is in what the listing returns.
	printed := fmt.Sprintf("%+v %+v", *list[0], *list[1])
	for _, s := range []string{reader, analyst} {
		sum := sha256.Sum256([]byte(s))
		for _, leak := range []string{s, strings.TrimPrefix(s, "igt_"), hex.EncodeToString(sum[:])} {
			if strings.Contains(printed, leak) {
				t.Errorf("token listing %s holds a secret or its hash", printed)
			}
		}
	}
}

func TestRejectedTokensAllGetTheSameError(t *testing.T) {
	ctx := context.Background()
	db := seeded(t)
	past := time.Now().Add(-time.Hour)
	future := time.Now().Add(time.Hour)
	revoked := mustCreateToken(t, db, "revoked", incidentgraph.RoleAdmin, nil)
	expired := mustCreateToken(t, db, "expired", incidentgraph.RoleAdmin, &past)
	current := mustCreateToken(t, db, "current", incidentgraph.RoleAdmin, &future)

	// Negative control: before it is revoked, the token works; so does one that expires later.
	for _, s := range []string{revoked, current} {
		if _, err := db.Authenticate(ctx, s); err != nil {
			t.Fatalf("a token in force was refused: %v", err)
		}
	}
	if err := db.RevokeToken(ctx, "revoked"); err != nil {
		t.Fatal(err)
	}
	tampered := []byte(current)
	tampered[len(tampered)-1] ^= 1
	for what, secret := range map[string]string{
		"revoked":                revoked,
		"expired":                expired,
		"unknown":                "igt_" + strings.Repeat("A", 43),
		"tampered":               string(tampered),
		"without its prefix":     strings.TrimPrefix(current, "igt_"),
		"empty":                  "",
		"with trailing spaces":   current + "  ",
		"hash instead of secret": hex.EncodeToString(func() []byte { s := sha256.Sum256([]byte(current)); return s[:] }()),
	} {
		tok, err := db.Authenticate(ctx, secret)
		wantUnauthenticated(t, what, tok, err)
		if err != nil && strings.Contains(err.Error(), secret) && secret != "" {
			t.Errorf("%s: the error repeats the secret", what)
		}
	}
	if _, err := db.Authenticate(ctx, current); err != nil {
		t.Errorf("the untampered token was refused: %v", err)
	}

	// Revoking again keeps the first time; the listing shows it.
	list1, err := db.ListTokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.RevokeToken(ctx, "revoked"); err != nil {
		t.Errorf("second revoke: %v", err)
	}
	list2, err := db.ListTokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	at := map[string]*time.Time{}
	for _, tok := range list1 {
		at[tok.Name] = tok.RevokedAt
	}
	for _, tok := range list2 {
		switch {
		case tok.Name == "revoked" && (tok.RevokedAt == nil || at["revoked"] == nil || !tok.RevokedAt.Equal(*at["revoked"])):
			t.Errorf("revokedAt %v after a second revoke, %v before", tok.RevokedAt, at["revoked"])
		case tok.Name != "revoked" && tok.RevokedAt != nil:
			t.Errorf("%s is marked revoked", tok.Name)
		}
	}

	err = db.RevokeToken(ctx, "no-such-token")
	if incidentgraph.ErrorCode(err) != incidentgraph.ENOTFOUND {
		t.Errorf("revoke of an unknown name: %v, want NOT_FOUND", err)
	}
}

func TestTokenNamesAreUniqueAndChecked(t *testing.T) {
	ctx := context.Background()
	db := seeded(t)
	first := mustCreateToken(t, db, "ops", incidentgraph.RoleReader, nil)
	for _, role := range []incidentgraph.Role{incidentgraph.RoleReader, incidentgraph.RoleAdmin} {
		_, err := db.CreateToken(ctx, "ops", role, nil)
		if incidentgraph.ErrorCode(err) != incidentgraph.ECONFLICT {
			t.Errorf("second token named ops (%s): %v, want CONFLICT", role, err)
		}
	}
	// The refused duplicate changed nothing: the first token still works with its own role.
	tok, err := db.Authenticate(ctx, first)
	if err != nil || tok.Role != incidentgraph.RoleReader {
		t.Errorf("first ops token after a refused duplicate: %+v, %v", tok, err)
	}
	// A revoked token keeps its name.
	if err := db.RevokeToken(ctx, "ops"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateToken(ctx, "ops", incidentgraph.RoleReader, nil); incidentgraph.ErrorCode(err) != incidentgraph.ECONFLICT {
		t.Errorf("reuse of a revoked name: %v, want CONFLICT", err)
	}

	// The longest name allowed works; one character more does not.
	mustCreateToken(t, db, strings.Repeat("a", 64), incidentgraph.RoleReader, nil)
	mustCreateToken(t, db, "ci.bot_2-x", incidentgraph.RoleCurator, nil)
	for name, role := range map[string]incidentgraph.Role{
		"":                      incidentgraph.RoleReader,
		strings.Repeat("a", 65): incidentgraph.RoleReader,
		"Upper":                 incidentgraph.RoleReader,
		"has space":             incidentgraph.RoleReader,
		"-leading-dash":         incidentgraph.RoleReader,
		"new\nline":             incidentgraph.RoleReader,
		"fine-name":             "superuser",
		"other-fine-name":       "",
	} {
		_, err := db.CreateToken(ctx, name, role, nil)
		if incidentgraph.ErrorCode(err) != incidentgraph.EINVALID {
			t.Errorf("create %q with role %q: %v, want BAD_USER_INPUT", name, role, err)
		}
	}
	if _, err := db.CreateToken(ctx, "fine-name", incidentgraph.RoleReader, nil); err != nil {
		t.Errorf("the name refused with a bad role is fine with a good one: %v", err)
	}
	if err := db.RevokeToken(ctx, "Bad Name"); incidentgraph.ErrorCode(err) != incidentgraph.EINVALID {
		t.Errorf("revoke with a malformed name: %v, want BAD_USER_INPUT", err)
	}
	list, err := db.ListTokens(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 4 {
		t.Errorf("%d tokens listed, want 4 (ops, the long one, ci.bot_2-x, fine-name)", len(list))
	}
}
