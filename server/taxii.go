package server

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/klauspost/compress/gzhttp"
	"github.com/rs/zerolog"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/export"
	"github.com/incidentgraph/incidentgraph/stix"
)

// The TAXII 2.1 server (OASIS TAXII Version 2.1): read-only, one API root, the STIX 2.1 bundles
// of the export (the stix package) as its collections.
//
// date_added: the graph stores no time an object was added, and a clock would make two reads of
// the same graph differ. An object's date_added is its STIX modified (created for the few objects
// without one), which the stix package derives from the item's version: Epoch, plus one second
// per curator's write after the first. It is deterministic, it is the same in the objects, the
// manifest and the X-TAXII-Date-Added-* headers, and added_after filters on it: an item a
// curator changed moves after the ones that did not change, as a TAXII client polling with
// added_after expects. The store keeps one version of each object, so an object's only version
// is its modified, and match[version] first, last and all give that one version.
const (
	TAXIIMediaType = "application/taxii+json;version=2.1"
	// CodeNotAcceptable: the Accept header names no media type the TAXII endpoints answer with.
	CodeNotAcceptable = "NOT_ACCEPTABLE"
	// TAXIIMaxPage is the most objects a page holds; a larger limit gets pages of this size.
	TAXIIMaxPage = 1000
)

// taxiiAPIRoot is the one API root's path.
const taxiiAPIRoot = "/taxii2/api/"

// TAXIIWholeGraphCollection is the id of the collection that holds the whole graph (the bundle
// of /export?format=stix&of=all). Collection ids are UUIDv5 in the stix package's namespace, so
// they stay the same across restarts and deployments.
var TAXIIWholeGraphCollection = taxiiCollectionID("all")

func taxiiCollectionID(name string) string {
	return uuid.NewSHA1(stix.Namespace, []byte("taxii-collection:"+name)).String()
}

// taxiiCollection is one collection: the whole graph, or the graph a saved pattern answers.
type taxiiCollection struct {
	id, title, description string
	pattern                string                  // "" for the whole graph
	graph                  *incidentgraph.Subgraph // a pattern's answer, run once per request
}

func (c *taxiiCollection) resource() map[string]any {
	return map[string]any{"id": c.id, "title": c.title, "description": c.description,
		"can_read": true, "can_write": false, "media_types": []string{stix.MediaType}}
}

type taxiiHandler struct {
	svc      Services
	maxBytes int64
	hooks    testHooks
}

// handleTAXII serves /taxii2/: discovery, the API root, its collections, their objects,
// manifests and versions. Every answer is application/taxii+json;version=2.1, every error
// TAXII's error message with our code (error_code) and its status from httpStatus.
// Pages of STIX compress several times over for clients that accept gzip, as /export's files do.
func handleTAXII(cfg Config, svc Services) http.Handler {
	return gzhttp.GzipHandler(&taxiiHandler{svc: svc, maxBytes: cfg.MaxBodyBytes, hooks: cfg.hooks})
}

func (h *taxiiHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		taxiiError(w, r, incidentgraph.Errorf(CodeMethodNotAllowed, "the TAXII server is read-only: use GET"))
		return
	}
	if !acceptsTAXII(r.Header.Values("Accept")) {
		taxiiError(w, r, incidentgraph.Errorf(CodeNotAcceptable, "the TAXII endpoints answer %s only; send that Accept header (or none)", TAXIIMediaType))
		return
	}
	// Reading the graph is what readers may do; saved patterns too (the same role as GraphQL).
	if err := incidentgraph.Require(r.Context(), incidentgraph.RoleReader); err != nil {
		taxiiError(w, r, err)
		return
	}
	if err := h.route(w, r); err != nil {
		if incidentgraph.ErrorCode(err) == incidentgraph.EINTERNAL && errors.Is(r.Context().Err(), context.DeadlineExceeded) {
			err = incidentgraph.Errorf(incidentgraph.ETIMEOUT, "the request took too long and was stopped")
		}
		taxiiError(w, r, err)
	}
}

func notFound(path string) error {
	return incidentgraph.Errorf(incidentgraph.ENOTFOUND, "no TAXII resource at %s", path)
}

func (h *taxiiHandler) route(w http.ResponseWriter, r *http.Request) error {
	rest, _ := strings.CutPrefix(r.URL.Path, "/taxii2/")
	var seg []string
	if rest = strings.Trim(rest, "/"); rest != "" {
		seg = strings.Split(rest, "/")
	}
	switch {
	case len(seg) == 0:
		return h.answer(w, r, nil, map[string]any{
			"title":       "incidentgraph TAXII server",
			"description": "The incident graph as STIX 2.1, read-only: the whole graph and the graphs of the saved patterns that take no parameters.",
			"default":     taxiiAPIRoot,
			"api_roots":   []string{taxiiAPIRoot},
		})
	case seg[0] != "api":
		return notFound(r.URL.Path)
	case len(seg) == 1:
		return h.answer(w, r, nil, map[string]any{
			"title":              "incidentgraph",
			"description":        "Terrorist incidents, the groups, people and places involved, and who asserts what on which sources.",
			"versions":           []string{TAXIIMediaType},
			"max_content_length": h.maxBytes,
		})
	case seg[1] != "collections":
		return notFound(r.URL.Path)
	case len(seg) == 2:
		cs, err := h.collections(r.Context())
		if err != nil {
			return err
		}
		list := make([]map[string]any, len(cs))
		for i, c := range cs {
			list[i] = c.resource()
		}
		return h.answer(w, r, nil, map[string]any{"collections": list})
	}
	c, err := h.collection(r.Context(), seg[2])
	if err != nil {
		return err
	}
	switch {
	case len(seg) == 3:
		return h.answer(w, r, nil, c.resource())
	case len(seg) == 4 && seg[3] == "objects":
		return h.objects(w, r, c, "", objectsView)
	case len(seg) == 4 && seg[3] == "manifest":
		return h.objects(w, r, c, "", manifestView)
	case len(seg) == 5 && seg[3] == "objects":
		return h.objects(w, r, c, seg[4], objectsView)
	case len(seg) == 6 && seg[3] == "objects" && seg[5] == "versions":
		return h.objects(w, r, c, seg[4], versionsView)
	}
	return notFound(r.URL.Path)
}

// collections are the whole graph, then one per saved pattern that takes no parameters and
// answers a graph, by name. A pattern that needs an argument (an entity id, say) has no one
// answer to publish: a TAXII collection takes no arguments, and the client's filters are on
// STIX objects, not on the pattern's parameters.
func (h *taxiiHandler) collections(ctx context.Context) ([]*taxiiCollection, error) {
	out := []*taxiiCollection{{id: TAXIIWholeGraphCollection, title: "The whole graph",
		description: "Every entity and relationship, as the STIX export of=all gives them."}}
	if h.svc.Cypher == nil {
		return out, nil
	}
	for _, p := range h.svc.Cypher.Patterns() {
		if slices.ContainsFunc(p.Params, func(pp incidentgraph.PatternParam) bool { return pp.Required }) {
			continue
		}
		res, err := h.svc.Cypher.RunPattern(ctx, p.Name, map[string]any{}, incidentgraph.MaxCypherRows)
		if err != nil {
			return nil, err
		}
		if res.Graph == nil || len(res.Graph.Nodes) == 0 {
			continue // its answer is a table, or nothing: no STIX to publish
		}
		out = append(out, &taxiiCollection{id: taxiiCollectionID("pattern:" + p.Name),
			title: "Pattern " + p.Name, description: p.Description, pattern: p.Name, graph: res.Graph})
	}
	return out, nil
}

func (h *taxiiHandler) collection(ctx context.Context, id string) (*taxiiCollection, error) {
	if id == TAXIIWholeGraphCollection { // served without running the patterns
		return &taxiiCollection{id: id, title: "The whole graph",
			description: "Every entity and relationship, as the STIX export of=all gives them."}, nil
	}
	cs, err := h.collections(ctx)
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		if c.id == id {
			return c, nil
		}
	}
	return nil, incidentgraph.Errorf(incidentgraph.ENOTFOUND, "no collection %q; see %scollections/", id, taxiiAPIRoot)
}

// taxiiObject is one STIX object of a collection's bundle.
type taxiiObject struct {
	ID, Type, SpecVersion string
	Version               string // modified (created when it has none): its one version and its date_added
	at                    time.Time
	raw                   json.RawMessage
}

// bundle builds the collection's STIX bundle from the store, as the export does, and returns its
// id and its objects by date_added, in bundle order among equal dates.
func (h *taxiiHandler) bundle(ctx context.Context, c *taxiiCollection) (string, []*taxiiObject, error) {
	services := export.Services{Graph: h.svc.Graph, Analyst: h.svc.Analyst, Whole: h.svc.Whole}
	var doc *export.Document
	var err error
	if c.pattern == "" {
		doc, err = export.Build(ctx, services, &export.Request{Format: export.STIX, Of: export.OfAll,
			Filter: incidentgraph.RelationshipFilter{Direction: incidentgraph.Both}})
	} else {
		doc, err = export.NewDocument(ctx, h.svc.Graph, "incidentgraph-pattern-"+c.pattern, c.graph)
		if err == nil {
			err = doc.AddFigures(ctx, h.svc.Graph, incidentgraph.TimeView{})
		}
	}
	if err != nil {
		return "", nil, err
	}
	var buf bytes.Buffer
	if err := export.Write(&buf, export.STIX, doc); err != nil {
		return "", nil, err
	}
	var b struct {
		ID      string            `json:"id"`
		Objects []json.RawMessage `json:"objects"`
	}
	if err := json.Unmarshal(buf.Bytes(), &b); err != nil {
		return "", nil, err
	}
	objs := make([]*taxiiObject, 0, len(b.Objects))
	for _, raw := range b.Objects {
		var o struct {
			ID          string `json:"id"`
			Type        string `json:"type"`
			SpecVersion string `json:"spec_version"`
			Created     string `json:"created"`
			Modified    string `json:"modified"`
		}
		if err := json.Unmarshal(raw, &o); err != nil {
			return "", nil, err
		}
		v := cmp.Or(o.Modified, o.Created)
		at, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return "", nil, err
		}
		objs = append(objs, &taxiiObject{ID: o.ID, Type: o.Type, SpecVersion: o.SpecVersion, Version: v, at: at, raw: raw})
	}
	slices.SortStableFunc(objs, func(a, b *taxiiObject) int { return a.at.Compare(b.at) })
	return b.ID, objs, nil
}

type taxiiView int

const (
	objectsView  taxiiView = 0
	manifestView taxiiView = 1
	versionsView taxiiView = 2
)

// The filters each view takes (TAXII 2.1, 5.3–5.8); anything else is refused, so that a misspelt
// filter is not silently ignored.
var taxiiFilters = map[bool][]string{
	false: {"added_after", "limit", "next", "match[id]", "match[type]", "match[version]", "match[spec_version]"},
	true:  {"added_after", "limit", "next", "match[version]", "match[spec_version]"}, // one object
}

type taxiiQuery struct {
	addedAfter        *time.Time
	types, ids, specs []string
	versions          []string // "first", "last", "all" or timestamps; default last
	limit, offset     int
}

func (h *taxiiHandler) objects(w http.ResponseWriter, r *http.Request, c *taxiiCollection, objectID string, view taxiiView) error {
	q := r.URL.Query()
	allowed := taxiiFilters[objectID != ""]
	if view == versionsView {
		allowed = []string{"added_after", "limit", "next", "match[spec_version]"}
	}
	names := make([]string, 0, len(q))
	for n := range q {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		if !slices.Contains(allowed, n) {
			return invalidf("unknown filter %q: this endpoint takes %s", n, strings.Join(allowed, ", "))
		}
		if len(q[n]) > 1 {
			return invalidf("%s is given %d times; give it once (lists are comma-separated)", n, len(q[n]))
		}
	}
	f := taxiiQuery{limit: TAXIIMaxPage, versions: []string{"last"}}
	if v := q.Get("added_after"); q.Has("added_after") {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return invalidf("added_after: %q is not a timestamp (e.g. 1970-01-01T00:00:00.000Z)", v)
		}
		f.addedAfter = &t
	}
	if q.Has("limit") {
		n, err := strconv.Atoi(q.Get("limit"))
		if err != nil || n < 1 {
			return invalidf("limit must be a positive whole number (got %q)", q.Get("limit"))
		}
		f.limit = min(n, TAXIIMaxPage)
	}
	f.types = commaList(q.Get("match[type]"))
	f.ids = commaList(q.Get("match[id]"))
	f.specs = commaList(q.Get("match[spec_version]"))
	if q.Has("match[version]") {
		f.versions = commaList(q.Get("match[version]"))
		for _, v := range f.versions {
			if v == "first" || v == "last" || v == "all" {
				continue
			}
			if _, err := time.Parse(time.RFC3339Nano, v); err != nil {
				return invalidf("match[version]: %q is not first, last, all or a timestamp", v)
			}
		}
	}

	bundleID, all, err := h.bundle(r.Context(), c)
	if err != nil {
		return err
	}
	if objectID != "" {
		if !slices.ContainsFunc(all, func(o *taxiiObject) bool { return o.ID == objectID }) {
			return incidentgraph.Errorf(incidentgraph.ENOTFOUND, "no object %q in collection %s", objectID, c.id)
		}
		f.ids = []string{objectID}
	}
	var match []*taxiiObject
	for _, o := range all {
		if f.matches(o, view == versionsView) {
			match = append(match, o)
		}
	}

	// The next token is the offset of the page, bound to the bundle (its id is a digest of its
	// objects) and to the filters: a token from another query, or from before the graph
	// changed, is refused rather than read as an offset into different objects.
	filters := url.Values{}
	for _, n := range names {
		if n != "next" && n != "limit" {
			filters[n] = q[n]
		}
	}
	sum := sha256.Sum256([]byte(bundleID + "\n" + r.URL.Path + "\n" + filters.Encode()))
	key := hex.EncodeToString(sum[:8])
	if tok := q.Get("next"); q.Has("next") {
		if f.offset, err = readNext(tok, key); err != nil {
			return err
		}
		if f.offset > len(match) {
			return invalidf("next: the token is past the end of the results")
		}
	}
	end := min(f.offset+f.limit, len(match))
	page := match[f.offset:end]
	more := end < len(match)
	if h.hooks.taxiiNoMore {
		more = false
	}
	body := map[string]any{"more": more}
	if more {
		body["next"] = writeNext(end, key)
	}
	if len(page) > 0 {
		switch view {
		case objectsView:
			objs := make([]json.RawMessage, len(page))
			for i, o := range page {
				objs[i] = o.raw
			}
			body["objects"] = objs
		case manifestView:
			recs := make([]map[string]any, len(page))
			for i, o := range page {
				recs[i] = map[string]any{"id": o.ID, "date_added": o.Version, "version": o.Version, "media_type": stix.MediaType}
			}
			body["objects"] = recs
		case versionsView:
			vs := make([]string, len(page))
			for i, o := range page {
				vs[i] = o.Version
			}
			body["versions"] = vs
		}
	}
	zerolog.Ctx(r.Context()).Info().Str("collection", c.id).Int("matched", len(match)).Int("page", len(page)).Msg("taxii")
	return h.answer(w, r, page, body)
}

func (f *taxiiQuery) matches(o *taxiiObject, versions bool) bool {
	if f.addedAfter != nil && !o.at.After(*f.addedAfter) {
		return false
	}
	if len(f.types) > 0 && !slices.Contains(f.types, o.Type) {
		return false
	}
	if len(f.ids) > 0 && !slices.Contains(f.ids, o.ID) {
		return false
	}
	if len(f.specs) > 0 && !slices.Contains(f.specs, o.SpecVersion) {
		return false
	}
	if versions { // the versions endpoint lists every version: match[version] does not apply
		return true
	}
	// One version per object: first, last and all each name it; a timestamp names it when it is
	// its modified.
	return slices.ContainsFunc(f.versions, func(v string) bool {
		if v == "first" || v == "last" || v == "all" {
			return true
		}
		t, err := time.Parse(time.RFC3339Nano, v)
		return err == nil && t.Equal(o.at)
	})
}

func commaList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

func invalidf(format string, args ...any) error {
	return incidentgraph.Errorf(incidentgraph.EINVALID, format, args...)
}

func writeNext(offset int, key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(offset) + ":" + key))
}

func readNext(tok, key string) (int, error) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	off, k, ok := strings.Cut(string(b), ":")
	n, nerr := strconv.Atoi(off)
	if err != nil || !ok || nerr != nil || n < 0 {
		return 0, invalidf("next: %q is not a token this server gave", tok)
	}
	if k != key {
		return 0, invalidf("next: the token belongs to another query, or the collection changed since; start again without next")
	}
	return n, nil
}

// answer writes a TAXII resource with 200, and the date_added of the page's first and last
// objects in the X-TAXII-Date-Added-First and -Last headers.
func (h *taxiiHandler) answer(w http.ResponseWriter, r *http.Request, page []*taxiiObject, body any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	hd := w.Header()
	if len(page) > 0 {
		hd.Set("X-TAXII-Date-Added-First", page[0].Version)
		hd.Set("X-TAXII-Date-Added-Last", page[len(page)-1].Version)
	}
	ct := TAXIIMediaType
	if h.hooks.taxiiWrongMediaType {
		ct = "application/json"
	}
	hd.Set("Content-Type", ct)
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(append(b, '\n'))
	}
	return nil
}

// acceptsTAXII reports whether an Accept header lets us answer application/taxii+json;version=2.1:
// none, */*, application/*, application/taxii+json without a version or with version 2.1.
func acceptsTAXII(values []string) bool {
	if len(values) == 0 {
		return true
	}
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
			if err != nil {
				continue
			}
			switch mt {
			case "*/*", "application/*":
				return true
			case "application/taxii+json":
				if ver, ok := params["version"]; !ok || ver == "2.1" {
					return true
				}
			}
		}
	}
	return false
}

// taxiiError answers a coded error as TAXII's error message, with its code's status
// (httpStatus), internal errors masked and logged once.
func taxiiError(w http.ResponseWriter, r *http.Request, err error) {
	code := incidentgraph.ErrorCode(err)
	log := zerolog.Ctx(r.Context())
	if code == incidentgraph.EINTERNAL {
		log.Error().Err(err).Msg("taxii: internal error")
	} else {
		log.Warn().Err(err).Str("code", code).Msg("taxii refused")
	}
	writeTAXIIError(w, httpStatus(code), code, incidentgraph.ErrorMessage(err))
}

func writeTAXIIError(w http.ResponseWriter, status int, code, message string) {
	// title first: the metrics read error_code from answers that begin so (metrics.go).
	b, _ := json.Marshal(struct {
		Title       string `json:"title"`
		Description string `json:"description"`
		ErrorCode   string `json:"error_code"`
		HTTPStatus  string `json:"http_status"`
	}{http.StatusText(status), message, code, strconv.Itoa(status)})
	w.Header().Set("Content-Type", TAXIIMediaType)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Del("Content-Length")
	w.WriteHeader(status)
	_, _ = w.Write(append(b, '\n'))
}

// taxiiRefusals rewrites the refusals of the guard that /taxii2/ shares with /graphql (the
// token, the rates, load shedding, the breaker), which are GraphQL-shaped, as TAXII error
// messages with the same status, code and headers (WWW-Authenticate, Retry-After).
func taxiiRefusals(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rw := &refusalWriter{ResponseWriter: w}
		next.ServeHTTP(rw, r)
		if !rw.held {
			return
		}
		var body struct {
			Errors []struct {
				Message    string
				Extensions struct{ Code string }
			}
		}
		code, message := incidentgraph.EINTERNAL, strings.TrimSpace(rw.buf.String())
		if json.Unmarshal(rw.buf.Bytes(), &body) == nil && len(body.Errors) > 0 {
			code, message = body.Errors[0].Extensions.Code, body.Errors[0].Message
		}
		writeTAXIIError(w, rw.status, code, message)
	})
}

// refusalWriter holds back an error answer that is not TAXII-shaped yet.
type refusalWriter struct {
	http.ResponseWriter
	status int
	held   bool
	buf    bytes.Buffer
}

func (w *refusalWriter) WriteHeader(status int) {
	if w.status != 0 {
		return
	}
	w.status = status
	if status >= 400 && w.Header().Get("Content-Type") != TAXIIMediaType {
		w.held = true
		return
	}
	w.ResponseWriter.WriteHeader(status)
}

// Unwrap keeps http.ResponseController working through it.
func (w *refusalWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *refusalWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if w.held {
		return w.buf.Write(b)
	}
	return w.ResponseWriter.Write(b)
}
