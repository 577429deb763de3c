package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/99designs/gqlgen/graphql"
	"io"
	"math"
	"net/http"
	"os"
	"slices"
	"strings"

	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// Two optional ways of naming a GraphQL document by the SHA-256 of its text instead of sending
// the text:
//
//   - Automatic persisted queries (Apollo's protocol, gqlgen's extension.AutomaticPersistedQuery,
//     Config.PersistedQueries): a client sends extensions.persistedQuery.sha256Hash alone and the
//     text only when told PERSISTED_QUERY_NOT_FOUND; the server remembers texts in a bounded cache.
//     It saves bandwidth and restricts nothing: any client may register any document.
//   - Trusted documents (Config.TrustedDocuments): a manifest the operator deploys holds the only
//     documents that run. A request names one by hash (documentId or the APQ extension) or sends
//     its exact text; anything else is refused here, before gqlgen parses, validates or plans it.
const (
	// CodePersistedQueryNotFound is gqlgen's code for a hash it does not know: with APQ the client
	// sends the text next; with trusted documents the hash is not in the manifest.
	CodePersistedQueryNotFound = "PERSISTED_QUERY_NOT_FOUND"
	// CodePersistedQueryNotSupported answers a hash sent to a server that keeps no documents by
	// hash (Apollo's code, on which its clients fall back to sending the text).
	CodePersistedQueryNotSupported = "PERSISTED_QUERY_NOT_SUPPORTED"
	// CodePersistedQueryMismatch answers a hash sent with a text whose SHA-256 it is not.
	CodePersistedQueryMismatch = "PERSISTED_QUERY_HASH_MISMATCH"
	// CodeTrustedDocumentRequired answers a document that is not in the trusted manifest.
	CodeTrustedDocumentRequired = "TRUSTED_DOCUMENT_REQUIRED"
)

func init() {
	// A hash gqlgen's APQ cache does not know is a request error found before execution: 400 for
	// application/graphql-response+json clients (an answer without data must not be 200 for
	// them), 200 for application/json ones through legacyStatus, as Apollo clients expect.
	errcode.RegisterErrorType(CodePersistedQueryNotFound, errcode.KindProtocol)
}

// DocumentHash is a document's id: the lower-case hex SHA-256 of its text, byte for byte (the
// GraphQL-over-HTTP persisted documents appendix's sha256 identifier without its "sha256:"
// prefix, and Apollo's persistedQuery.sha256Hash).
func DocumentHash(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:])
}

func isDocumentHash(s string) bool {
	if len(s) != sha256.Size*2 {
		return false
	}
	for _, c := range []byte(s) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// TrustedDocuments is a manifest of the only documents a locked-down server runs.
type TrustedDocuments struct {
	docs map[string]string // DocumentHash(text) → text
}

// LoadTrustedDocuments reads a manifest: a JSON object whose keys are the SHA-256 hashes of the
// documents that are its values, in lower-case hex, bare or prefixed "sha256:" (the form
// graphql-codegen's persisted documents write). Every hash must be its text's, and every text
// must parse as a GraphQL document: a manifest that fails either is refused whole, with the
// file and the reason, so that a service never starts with a manifest it would misread.
func LoadTrustedDocuments(path string) (*TrustedDocuments, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("trusted documents: %w", err)
	}
	t, err := ParseTrustedDocuments(data)
	if err != nil {
		return nil, fmt.Errorf("trusted documents %s: %w", path, err)
	}
	return t, nil
}

// ParseTrustedDocuments reads a manifest from data; see LoadTrustedDocuments.
func ParseTrustedDocuments(data []byte) (*TrustedDocuments, error) {
	var manifest map[string]string
	if err := json.Unmarshal(data, &manifest); err != nil || manifest == nil {
		return nil, errors.New(`not a manifest: want a JSON object of document hashes to document texts, such as {"sha256:<64 hex digits>": "query { … }"}`)
	}
	if len(manifest) == 0 {
		return nil, errors.New("the manifest holds no documents: every request would be refused")
	}
	keys := make([]string, 0, len(manifest))
	for k := range manifest {
		keys = append(keys, k)
	}
	slices.Sort(keys) // the first problem reported is the same on every start
	t := &TrustedDocuments{docs: make(map[string]string, len(manifest))}
	for _, key := range keys {
		text := manifest[key]
		hash := strings.TrimPrefix(key, "sha256:")
		if !isDocumentHash(hash) {
			return nil, fmt.Errorf("key %q is not a SHA-256 hash: want 64 lower-case hex digits, bare or after \"sha256:\"", key)
		}
		if got := DocumentHash(text); got != hash {
			return nil, fmt.Errorf("key %s: the SHA-256 of its document is %s (the text changed after it was hashed, or was hashed in another form)", key, got)
		}
		if _, err := parser.ParseQuery(&ast.Source{Input: text}); err != nil {
			return nil, fmt.Errorf("key %s: the document does not parse: %v", key, err)
		}
		t.docs[hash] = text
	}
	return t, nil
}

// Len is the number of documents in the manifest.
func (t *TrustedDocuments) Len() int { return len(t.docs) }

// WriteTrustedDocuments writes the manifest of texts, keyed "sha256:<hash>", in the form
// LoadTrustedDocuments reads.
func WriteTrustedDocuments(w io.Writer, texts []string) error {
	manifest := make(map[string]string, len(texts))
	for _, text := range texts {
		manifest["sha256:"+DocumentHash(text)] = text
	}
	b, err := json.MarshalIndent(manifest, "", "  ") // keys sorted: the same documents, the same file
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// namesDocument reports whether a request without a query names its document by hash instead,
// with a documentId or Apollo's extensions.persistedQuery; persistedDocuments resolves it.
func namesDocument(hasDocumentID bool, extensions []byte) bool {
	if hasDocumentID {
		return true
	}
	var ext map[string]json.RawMessage
	if json.Unmarshal(extensions, &ext) != nil {
		return false
	}
	pq, ok := ext["persistedQuery"]
	return ok && !isNull(pq)
}

// documentRequest is what a GraphQL request says about its document.
type documentRequest struct {
	query      string
	documentID string          // the hash a documentId names, "sha256:" taken off
	persisted  string          // the hash extensions.persistedQuery names
	hasPQ      bool            // extensions.persistedQuery is there
	extensions json.RawMessage // the extensions member or parameter, if any
}

// persistedDocuments resolves documents named by hash and, with a trusted manifest, refuses every
// document that is not in it before gqlgen sees the request. It runs after graphqlRequests (the
// body is read, bounded and one JSON object) and answers its refusals as that does: a 4xx, one
// error with a specific code, logged at warn. With neither switch on it only refuses hashes, so
// that Apollo clients fall back to sending the text.
//
// apq is gqlgen's APQ cache (nil: persisted queries off). A GET that names a remembered mutation
// by its hash alone is refused here as one sent in full is (405 METHOD_NOT_ALLOWED); gqlgen would
// answer it 406 with no code.
func persistedDocuments(trusted *TrustedDocuments, apqCache graphql.Cache[string]) func(http.Handler) http.Handler {
	apq := apqCache != nil
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var (
				d       *documentRequest
				members map[string]json.RawMessage
				err     *requestError
			)
			switch r.Method {
			case http.MethodGet:
				d, err = getDocumentRequest(r)
			case http.MethodPost:
				d, members, err = postDocumentRequest(r)
			default:
				next.ServeHTTP(w, r)
				return
			}
			var text string
			if err == nil {
				text, err = d.resolve(trusted, apq)
			}
			if err == nil && trusted == nil && apq && r.Method == http.MethodGet && d.persisted != "" && d.query == "" {
				if text, ok := apqCache.Get(r.Context(), d.persisted); ok {
					c := r.Clone(r.Context())
					params := c.URL.Query()
					params.Set("query", text)
					c.URL.RawQuery = params.Encode()
					err = checkGET(c, math.MaxInt)
				}
			}
			if err == nil && trusted != nil {
				// The manifest's text replaces whatever named it; the hash has done its work, and
				// left in place would send gqlgen's APQ cache after it.
				if r.Method == http.MethodGet {
					r, err = d.rewriteGET(r, text)
				} else {
					err = d.rewritePOST(r, members, text)
				}
			}
			if err != nil {
				refuseRequest(w, r, err)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// resolve returns the text that runs (trusted mode), or "" to let the request pass as it is.
func (d *documentRequest) resolve(trusted *TrustedDocuments, apq bool) (string, *requestError) {
	id := d.documentID
	if d.persisted != "" {
		if id != "" && id != d.persisted {
			return "", badRequest("documentId and extensions.persistedQuery.sha256Hash name different documents")
		}
		id = d.persisted
	}
	if id != "" && d.query != "" {
		if got := DocumentHash(d.query); got != id {
			return "", &requestError{CodePersistedQueryMismatch,
				fmt.Sprintf("the query's SHA-256 is %s, not the hash sent (%s): hash the exact text sent, as UTF-8", got, id)}
		}
	}
	if trusted == nil {
		switch {
		case d.documentID != "":
			return "", &requestError{CodePersistedQueryNotSupported,
				"documentId names a trusted document, and this server keeps none (it runs without trusted_documents): send the query's text"}
		case d.hasPQ && !apq:
			return "", &requestError{CodePersistedQueryNotSupported,
				"persisted queries are off on this server (persisted_queries 0): send the query's text without extensions.persistedQuery"}
		}
		return "", nil // gqlgen's APQ extension, if on, resolves or stores the hash
	}
	named := id != ""
	if !named {
		id = DocumentHash(d.query)
	}
	text, ok := trusted.docs[id]
	switch {
	case ok:
		return text, nil
	case named && d.query == "":
		return "", &requestError{CodePersistedQueryNotFound,
			fmt.Sprintf("no trusted document has the hash %s: this server runs only the documents of its manifest", id)}
	default:
		return "", &requestError{CodeTrustedDocumentRequired,
			"this server runs only its trusted documents (those of its front-ends), and this query is not one of them: send a trusted document's exact text or its SHA-256"}
	}
}

func getDocumentRequest(r *http.Request) (*documentRequest, *requestError) {
	params := r.URL.Query() // graphqlRequests has checked that it parses
	d := &documentRequest{query: params.Get("query")}
	if ext := params.Get("extensions"); ext != "" {
		d.extensions = json.RawMessage(ext)
	}
	if id := params.Get("documentId"); id != "" {
		raw, _ := json.Marshal(id)
		if err := d.setDocumentID(raw); err != nil {
			return nil, err
		}
	}
	return d, d.readPersistedQuery()
}

func postDocumentRequest(r *http.Request) (*documentRequest, map[string]json.RawMessage, *requestError) {
	// graphqlRequests has read the body within its limit, checked its shape and kept its members.
	members := postBody(r)
	if members == nil {
		return nil, nil, badRequest("the request body must be a JSON object with a query")
	}
	d := &documentRequest{}
	if raw, ok := members["query"]; ok && !isNull(raw) {
		_ = json.Unmarshal(raw, &d.query) // a string: graphqlRequests has checked
	}
	if raw, ok := members["extensions"]; ok && !isNull(raw) {
		d.extensions = raw
	}
	if raw, ok := members["documentId"]; ok && !isNull(raw) {
		if err := d.setDocumentID(raw); err != nil {
			return nil, nil, err
		}
	}
	return d, members, d.readPersistedQuery()
}

func (d *documentRequest) setDocumentID(raw json.RawMessage) *requestError {
	var id string
	if json.Unmarshal(raw, &id) != nil {
		return badRequest("documentId must be a string, not %s", jsonKind(raw))
	}
	hash, ok := strings.CutPrefix(id, "sha256:")
	if !ok || !isDocumentHash(hash) {
		return badRequest("documentId must be \"sha256:\" and the document's SHA-256 in 64 lower-case hex digits")
	}
	d.documentID = hash
	return nil
}

// readPersistedQuery reads Apollo's {"version": 1, "sha256Hash": "<hex>"}.
func (d *documentRequest) readPersistedQuery() *requestError {
	var ext map[string]json.RawMessage
	if len(d.extensions) == 0 || json.Unmarshal(d.extensions, &ext) != nil {
		return nil // graphqlRequests has refused extensions that are not an object
	}
	raw, ok := ext["persistedQuery"]
	if !ok || isNull(raw) {
		return nil
	}
	d.hasPQ = true
	var pq struct {
		Version    json.RawMessage `json:"version"`
		Sha256Hash string          `json:"sha256Hash"`
	}
	if json.Unmarshal(raw, &pq) != nil || string(pq.Version) != "1" || !isDocumentHash(pq.Sha256Hash) {
		return badRequest(`extensions.persistedQuery must be {"version": 1, "sha256Hash": "<the query's SHA-256 in 64 lower-case hex digits>"}`)
	}
	d.persisted = pq.Sha256Hash
	return nil
}

// extensionsWithout returns the extensions without persistedQuery, or nil when none are left.
func (d *documentRequest) extensionsWithout() json.RawMessage {
	var ext map[string]json.RawMessage
	if len(d.extensions) == 0 || json.Unmarshal(d.extensions, &ext) != nil {
		return nil
	}
	delete(ext, "persistedQuery")
	if len(ext) == 0 {
		return nil
	}
	b, _ := json.Marshal(ext)
	return b
}

func (d *documentRequest) rewriteGET(r *http.Request, text string) (*http.Request, *requestError) {
	r = r.Clone(r.Context())
	params := r.URL.Query()
	params.Set("query", text)
	params.Del("documentId")
	if ext := d.extensionsWithout(); ext != nil {
		params.Set("extensions", string(ext))
	} else {
		params.Del("extensions")
	}
	r.URL.RawQuery = params.Encode()
	// A mutation named by its hash is refused over GET as one sent in full is. The manifest's
	// text is not the client's, so the length limit does not apply to it.
	return r, checkGET(r, math.MaxInt)
}

func (d *documentRequest) rewritePOST(r *http.Request, members map[string]json.RawMessage, text string) *requestError {
	q, _ := json.Marshal(text)
	members["query"] = q
	delete(members, "documentId")
	if ext := d.extensionsWithout(); ext != nil {
		members["extensions"] = ext
	} else {
		delete(members, "extensions")
	}
	body, err := json.Marshal(members)
	if err != nil {
		return badRequest("the request body could not be read")
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	return nil
}
