package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
	"github.com/rs/zerolog"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// Codes of requests refused at the HTTP level, before any GraphQL runs. They travel as
// extensions.code, like the domain's codes, so they are part of the API.
const (
	CodeBadRequest       = "BAD_REQUEST"            // not a GraphQL-over-HTTP request: bad JSON, wrong shapes
	CodeBatching         = "BATCHING_NOT_SUPPORTED" // a JSON array of operations
	CodeMethodNotAllowed = "METHOD_NOT_ALLOWED"     // not GET or POST, or a mutation over GET
	CodeMediaType        = "UNSUPPORTED_MEDIA_TYPE" // a POST body that is not application/json
	CodePayloadTooLarge  = "PAYLOAD_TOO_LARGE"      // a body over Config.MaxBodyBytes
	CodeQueryTooLong     = "QUERY_TOO_LONG"         // a query over Config.MaxQueryBytes
	CodeRateLimited      = "RATE_LIMITED"           // over the rate limit of the address or token
	CodeOverloaded       = "OVERLOADED"             // over Config.MaxInFlight requests at once
)

// mediaGraphQLResponse is the GraphQL-over-HTTP spec's own response type. Clients that accept
// it get 4xx statuses for requests that never executed; legacy clients (application/json) get
// 200 for GraphQL errors, as the spec asks.
const mediaGraphQLResponse = "application/graphql-response+json"

// graphqlRequests refuses, with a 4xx status, a specific code and a message saying what was
// wrong, every request the GraphQL transports cannot take: other methods, other media types,
// bodies over the limit, bodies that are not one JSON object with a string query (and, if
// present, a string or null operationName and objects or null for variables and extensions),
// queries over the length limit, and mutations over GET. What passes is handed to gqlgen's
// transports unchanged; they parse, validate and execute. Refusals are the client's mistakes and
// are logged at warn.
func graphqlRequests(maxBody int64, maxQuery int) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var err *requestError
			switch r.Method {
			case http.MethodGet:
				err = checkGET(r, maxQuery)
			case http.MethodPost:
				r, err = checkPOST(w, r, maxBody, maxQuery)
			case http.MethodOptions:
				// Preflights are answered by the CORS layer; a plain OPTIONS by gqlgen.
			default:
				w.Header().Set("Allow", "GET, POST, OPTIONS")
				err = &requestError{CodeMethodNotAllowed,
					fmt.Sprintf("method %s is not allowed: send queries with GET or POST, mutations with POST", r.Method)}
			}
			if err != nil {
				refuseRequest(w, r, err)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// requestError is a refusal of a request that never reached GraphQL; its status is its code's
// (httpStatus).
type requestError struct {
	code    string
	message string
}

// refuseRequest answers a request that never reached GraphQL, in the media type the client asked
// for, and logs it at warn: the client's mistake, not ours.
func refuseRequest(w http.ResponseWriter, r *http.Request, e *requestError) {
	zerolog.Ctx(r.Context()).Warn().Int("status", httpStatus(e.code)).Str("code", e.code).Str("reason", e.message).Msg("graphql: request refused")
	writeError(w, r, e.code, e.message)
}

// writeError writes one coded GraphQL error with its code's status, as
// application/graphql-response+json when the client accepts it before application/json, and as
// application/json otherwise.
func writeError(w http.ResponseWriter, r *http.Request, code, message string) {
	body, _ := json.Marshal(gqlErrors(code, message))
	w.Header().Set("Content-Type", responseMediaType(r)+"; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(httpStatus(code))
	_, _ = w.Write(append(body, '\n'))
}

// responseMediaType picks the response's media type from Accept, as gqlgen's transports do:
// application/json when it is asked for first, when Accept is missing or a wildcard.
func responseMediaType(r *http.Request) string {
	accept := r.Header.Get("Accept")
	if accept == "" {
		return "application/json"
	}
	for part := range strings.SplitSeq(accept, ",") {
		mt, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch mt {
		case "application/json", "*/*", "application/*":
			return "application/json"
		case mediaGraphQLResponse:
			return mediaGraphQLResponse
		}
	}
	return mediaGraphQLResponse
}

func badRequest(format string, args ...any) *requestError {
	return &requestError{CodeBadRequest, fmt.Sprintf(format, args...)}
}

func checkGET(r *http.Request, maxQuery int) *requestError {
	params, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return badRequest("the URL's query string is malformed: %v", err)
	}
	for _, name := range []string{"query", "operationName", "variables", "extensions"} {
		if len(params[name]) > 1 {
			return badRequest("the URL names the parameter %s more than once", name)
		}
	}
	query, ok := params["query"]
	if !ok || query[0] == "" {
		if !namesDocument(params.Get("documentId") != "", []byte(params.Get("extensions"))) {
			return badRequest("a GET request needs a query parameter holding a GraphQL query")
		}
		query = []string{""} // named by hash: persistedDocuments (trusted.go) resolves it
	}
	if len(query[0]) > maxQuery {
		return queryTooLong(len(query[0]), maxQuery)
	}
	for _, name := range []string{"variables", "extensions"} {
		if v := params.Get(name); v != "" {
			var m map[string]any
			if err := json.Unmarshal([]byte(v), &m); err != nil {
				return badRequest("the %s parameter must be a JSON object", name)
			}
			if member, where := duplicateMember([]byte(v)); member != "" {
				return badRequest("the %s parameter %s: send each member once", name, namesTwice(member, where))
			}
		}
	}
	// The spec forbids mutations over GET (a link or a prefetch must never write). gqlgen
	// refuses them too, but only after planning them and with 406 and no code; the document
	// is small (it is in the URL) and its parse is cached nowhere else, so it is parsed here.
	doc, perr := parser.ParseQuery(&ast.Source{Input: query[0]})
	if perr != nil {
		return nil // gqlgen reports the syntax error in its own words
	}
	if op := doc.Operations.ForName(params.Get("operationName")); op != nil && op.Operation != ast.Query {
		return &requestError{CodeMethodNotAllowed,
			fmt.Sprintf("a %s cannot be sent with GET: use POST", op.Operation)}
	}
	return nil
}

func queryTooLong(n, limit int) *requestError {
	return &requestError{CodeQueryTooLong,
		fmt.Sprintf("the query is %d bytes long; the limit is %d", n, limit)}
}

// postBodyKey holds, in the context of a POST that checkPOST passed, the body's members as it
// decoded them, so that later layers (persistedDocuments) do not decode the body again.
type postBodyKey struct{}

// postBody returns the members of the POST body checkPOST decoded (nil for another request).
func postBody(r *http.Request) map[string]json.RawMessage {
	m, _ := r.Context().Value(postBodyKey{}).(map[string]json.RawMessage)
	return m
}

// checkPOST reads the body (within the limit), checks its shape and puts it back for gqlgen; the
// request it returns carries the decoded members (postBody).
func checkPOST(w http.ResponseWriter, r *http.Request, maxBody int64, maxQuery int) (*http.Request, *requestError) {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return r, &requestError{CodeMediaType,
			"the request has no Content-Type: send the body as application/json"}
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt != "application/json" {
		return r, &requestError{CodeMediaType,
			fmt.Sprintf("Content-Type %q is not supported: send the body as application/json", ct)}
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return r, &requestError{CodeMediaType,
			fmt.Sprintf("charset %q is not supported: send the body in utf-8", cs)}
	}
	if coding := compressedWith(r.Header); coding != "" {
		return r, &requestError{CodeMediaType,
			fmt.Sprintf("request bodies with Content-Encoding %q are not supported: send the body uncompressed", coding)}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return r, &requestError{CodePayloadTooLarge,
				fmt.Sprintf("the request body is over the limit of %d bytes", maxBody)}
		}
		return r, badRequest("the request body could not be read")
	}
	members, e := checkBody(body, maxQuery)
	if e != nil {
		return r, e
	}
	r = r.WithContext(context.WithValue(r.Context(), postBodyKey{}, members))
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	return r, nil
}

// compressedWith returns the first content coding of the request's Content-Encoding that is
// not identity (RFC 9110, 8.4: codings are case-insensitive, listed with commas or on several
// lines), "" if there is none. A compressed body is refused rather than inflated: its size on
// the wire says nothing of what it costs to read.
func compressedWith(h http.Header) string {
	for _, line := range h.Values("Content-Encoding") {
		for coding := range strings.SplitSeq(line, ",") {
			if coding = strings.TrimSpace(coding); coding != "" && !strings.EqualFold(coding, "identity") {
				return coding
			}
		}
	}
	return ""
}

// checkBody checks that a POST body is one JSON object whose members have the spec's types.
func checkBody(body []byte, maxQuery int) (map[string]json.RawMessage, *requestError) {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	switch {
	case len(trimmed) == 0:
		return nil, badRequest(`the request body is empty: send a JSON object such as {"query": "{ __typename }"}`)
	case trimmed[0] == '[':
		return nil, &requestError{CodeBatching,
			"batched operations (a JSON array) are not supported: send one operation per request"}
	case trimmed[0] != '{':
		return nil, badRequest("the request body must be a JSON object with a query")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var members map[string]json.RawMessage
	if err := dec.Decode(&members); err != nil {
		return nil, badRequest("the request body is not valid JSON: %s", jsonProblem(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, badRequest("the request body holds more than one JSON value")
	}
	if name, where := duplicateMember(body); name != "" {
		return nil, badRequest("the request body %s: send each member once", namesTwice(name, where))
	}
	if name, member := miscasedMember(members); name != "" {
		return nil, badRequest("the request body has a member %q: names are case-sensitive, send %q", name, member)
	}
	raw, ok := members["query"]
	if !ok || isNull(raw) {
		if id, named := members["documentId"]; !namesDocument(named && !isNull(id), members["extensions"]) {
			return nil, badRequest("the request body has no query")
		}
		raw = json.RawMessage(`""`) // named by hash: persistedDocuments (trusted.go) resolves it
	}
	var query string
	if err := json.Unmarshal(raw, &query); err != nil {
		return nil, badRequest("query must be a string, not %s", jsonKind(raw))
	}
	if len(query) > maxQuery {
		return nil, queryTooLong(len(query), maxQuery)
	}
	if raw, ok := members["operationName"]; ok && !isNull(raw) && jsonKind(raw) != "a string" {
		return nil, badRequest("operationName must be a string or null, not %s", jsonKind(raw))
	}
	for _, name := range []string{"variables", "extensions"} {
		if raw, ok := members[name]; ok && !isNull(raw) && jsonKind(raw) != "an object" {
			return nil, badRequest("%s must be an object or null, not %s", name, jsonKind(raw))
		}
	}
	return members, nil
}

// duplicateMember finds the first member that an object in the JSON text names a second time:
// its name, and the JSON Pointer of the object ("" for the outermost). name is "" when no name
// repeats; text must be valid JSON. encoding/json keeps the last of two members of one name, so
// a body that named query twice would show one document to the checks here and run the other:
// every decoder down the line must see what they saw. jsontext refuses a repeated name at any
// depth as it reads.
func duplicateMember(text []byte) (name, where string) {
	// encoding/json took the text with invalid UTF-8 in it (as U+FFFD), so this reader does too.
	_, err := jsontext.NewDecoder(bytes.NewReader(text), jsontext.AllowInvalidUTF8(true)).ReadValue()
	var serr *jsontext.SyntacticError
	if !errors.Is(err, jsontext.ErrDuplicateName) || !errors.As(err, &serr) {
		return "", ""
	}
	return serr.JSONPointer.LastToken(), string(serr.JSONPointer.Parent())
}

// namesTwice says which member a JSON text names twice, for messages.
func namesTwice(name, where string) string {
	s := fmt.Sprintf("names the member %q twice", name)
	if where != "" {
		s += " in the object at " + where
	}
	return s
}

// paramsMembers are the members of a body that gqlgen reads (graphql.RawParams).
var paramsMembers = []string{"query", "operationName", "variables", "extensions"}

// miscasedMember returns a member name of the body that is one of paramsMembers in another case
// (with the member it stands for), "" if there is none. gqlgen decodes the body into a struct,
// and encoding/json matches a struct's fields without regard to case: "QUERY" or "vAriABles"
// would be read as query or variables, past the checks here, which read names as spelled.
func miscasedMember(members map[string]json.RawMessage) (name, member string) {
	for n := range members {
		for _, m := range paramsMembers {
			if n != m && strings.EqualFold(n, m) && (name == "" || n < name) {
				name, member = n, m
			}
		}
	}
	return name, member
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

// jsonKind names the JSON type of a well-formed value, for messages.
func jsonKind(raw json.RawMessage) string {
	b := bytes.TrimSpace(raw)
	if len(b) == 0 {
		return "nothing"
	}
	switch b[0] {
	case '"':
		return "a string"
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	default:
		return "a number"
	}
}

// jsonProblem says where the JSON went wrong without echoing the body.
func jsonProblem(err error) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return fmt.Sprintf("%s (at byte %d)", syntax.Error(), syntax.Offset)
	case errors.As(err, &typ):
		return "expected a JSON object"
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "it ends too early"
	default:
		return "malformed"
	}
}

// legacyStatus gives clients that asked for application/json a 200 for GraphQL errors found
// before execution (parse, validation, limits), as the GraphQL-over-HTTP spec asks: gqlgen
// answers them 422. Clients that accept application/graphql-response+json get gqlgen's 400.
//
// Such an answer also loses its "data": null. A request that never executed has no data entry
// (GraphQL spec, "Response"; GraphQL over HTTP, "application/graphql-response+json"), while
// "data": null says that execution began and a root field failed. gqlgen's Response always
// writes the entry, so the body is held and rewritten here.
func legacyStatus(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lw := &legacyWriter{ResponseWriter: w}
		next.ServeHTTP(lw, r)
		lw.flush()
	})
}

type legacyWriter struct {
	http.ResponseWriter
	// held collects the body of an answer to a request that never executed, until the
	// handler returns; nil for any other answer, which passes straight through.
	held *bytes.Buffer
}

func (w *legacyWriter) WriteHeader(status int) {
	// gqlgen's transports name a status only for errors found before execution: 400 or 422
	// for the request's fault (errcode.KindProtocol: parse and validation failures, and the
	// limits registered so in limits.go). An executed operation is written with the implicit
	// 200.
	if status == http.StatusBadRequest || status == http.StatusUnprocessableEntity {
		w.held = &bytes.Buffer{}
	}
	if status == http.StatusUnprocessableEntity && strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
		status = http.StatusOK
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *legacyWriter) Write(b []byte) (int, error) {
	if w.held != nil {
		return w.held.Write(b)
	}
	return w.ResponseWriter.Write(b)
}

// flush writes the held body, without its data entry if that is null.
func (w *legacyWriter) flush() {
	if w.held == nil {
		return
	}
	_, _ = w.ResponseWriter.Write(withoutNullData(w.held.Bytes()))
}

// withoutNullData returns body without its "data": null member; any other body (no JSON object,
// no data entry, data that is not null) comes back unchanged.
func withoutNullData(body []byte) []byte {
	var members map[string]json.RawMessage
	if json.Unmarshal(body, &members) != nil {
		return body
	}
	if data, ok := members["data"]; !ok || !isNull(data) {
		return body
	}
	delete(members, "data")
	out, err := json.Marshal(members)
	if err != nil {
		return body
	}
	return out
}

func (w *legacyWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
