package neo4j_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/incidentgraph/incidentgraph"
)

// secretForms are the ways a token's secret could sit in the database without being its
// SHA-256 hash: as it is, without its prefix, and its text or its 32 random bytes in hex or
// base64 (standard, URL-safe, padded or not).
func secretForms(secret string) map[string]string {
	forms := map[string]string{
		"the secret":                      secret,
		"the secret without its prefix":   strings.TrimPrefix(secret, "igt_"),
		"the secret's text in hex":        hex.EncodeToString([]byte(secret)),
		"the secret's text in base64":     base64.StdEncoding.EncodeToString([]byte(secret)),
		"the secret's text in base64 raw": base64.RawStdEncoding.EncodeToString([]byte(secret)),
		"the secret's text in base64url":  base64.RawURLEncoding.EncodeToString([]byte(secret)),
	}
	if raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(secret, "igt_")); err == nil {
		forms["the secret's bytes in hex"] = hex.EncodeToString(raw)
		forms["the secret's bytes in base64"] = base64.StdEncoding.EncodeToString(raw)
		forms["the secret's bytes in base64 raw"] = base64.RawStdEncoding.EncodeToString(raw)
	}
	return forms
}

// storageFaults is the oracle of "stored only as hashes": no property value of the token's
// node holds the secret in any of secretForms (compared case-insensitively, since hex has two
// cases), and one property is the hex SHA-256 of the secret.
func storageFaults(props map[string]any, secret string) []string {
	var faults []string
	sum := sha256.Sum256([]byte(secret))
	hash := hex.EncodeToString(sum[:])
	hashed := false
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		text := fmt.Sprint(props[k])
		if s, ok := props[k].(string); ok && strings.EqualFold(s, hash) {
			hashed = true
			continue
		}
		for what, form := range secretForms(secret) {
			if strings.Contains(strings.ToLower(text), strings.ToLower(form)) {
				faults = append(faults, fmt.Sprintf("property %q holds %s", k, what))
			}
		}
	}
	if !hashed {
		faults = append(faults, fmt.Sprintf("no property holds the secret's SHA-256 hash (properties %v)", keys))
	}
	return faults
}

// TestTokensAreStoredOnlyAsHashes: a token made by the shipped CreateToken is a node whose
// properties, read straight from Neo4j, hold the SHA-256 of the secret and neither the secret
// nor any encoding of it; no other node or relationship holds the secret either. Controls: the
// same oracle finds the secret (and each of its encodings) planted in a property, and a node
// without the hash.
func TestTokensAreStoredOnlyAsHashes(t *testing.T) {
	ctx := context.Background()
	db := seeded(t)
	expires := time.Now().Add(24 * time.Hour)
	secrets := map[string]string{
		"stored-reader":  mustCreateToken(t, db, "stored-reader", incidentgraph.RoleReader, nil),
		"stored-analyst": mustCreateToken(t, db, "stored-analyst", incidentgraph.RoleAnalyst, &expires),
	}
	if err := db.RevokeToken(ctx, "stored-reader"); err != nil {
		t.Fatal(err)
	}
	raw := testDriver(t)
	for name, secret := range secrets {
		res, err := driver.ExecuteQuery(ctx, raw, `MATCH (t:ApiToken {name: $name}) RETURN properties(t) AS props`,
			map[string]any{"name": name}, driver.EagerResultTransformer, driver.ExecuteQueryWithReadersRouting())
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Records) != 1 {
			t.Fatalf("%d nodes for token %s, want 1", len(res.Records), name)
		}
		v, _ := res.Records[0].Get("props")
		props, _ := v.(map[string]any)
		if len(props) < 4 {
			t.Fatalf("token %s: properties %v, want at least name, role, hash, createdAt", name, props)
		}
		for _, f := range storageFaults(props, secret) {
			t.Errorf("token %s: %s", name, f)
		}
	}

	// Nothing else in the graph holds a secret either: every node's and relationship's
	// properties, as text.
	res, err := driver.ExecuteQuery(ctx, raw, `
		MATCH (n) RETURN properties(n) AS props
		UNION ALL
		MATCH ()-[r]->() RETURN properties(r) AS props`, nil, driver.EagerResultTransformer, driver.ExecuteQueryWithReadersRouting())
	if err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	for _, rec := range res.Records {
		v, _ := rec.Get("props")
		fmt.Fprintln(&all, v)
	}
	if all.Len() < 10000 {
		t.Fatalf("the graph's properties are %d bytes: the seed graph is not there to search", all.Len())
	}
	for name, secret := range secrets {
		for what, form := range secretForms(secret) {
			if strings.Contains(strings.ToLower(all.String()), strings.ToLower(form)) {
				t.Errorf("token %s: %s is in the graph", name, what)
			}
		}
	}

	// Negative controls: the oracle catches a secret stored beside its hash, in each of the
	// forms it looks for, and a token stored without its hash.
	secret := secrets["stored-analyst"]
	sum := sha256.Sum256([]byte(secret))
	for what, form := range secretForms(secret) {
		planted := map[string]any{"name": "stored-analyst", "role": "analyst", "hash": hex.EncodeToString(sum[:]), "note": "issued: " + form}
		if len(storageFaults(planted, secret)) == 0 {
			t.Errorf("negative control: %s planted in a property was not caught", what)
		}
	}
	if len(storageFaults(map[string]any{"name": "x", "secret": secret}, secret)) < 2 {
		t.Error("negative control: a node holding the secret and no hash was not caught twice")
	}
	if len(storageFaults(map[string]any{"name": "x", "hash": "0" + hex.EncodeToString(sum[1:])}, secret)) == 0 {
		t.Error("negative control: a node whose hash is not the secret's was not caught")
	}
}
