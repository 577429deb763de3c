package web

import (
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"path"
	"regexp"
	"sort"
	"strings"
	"testing"
	"testing/fstest"
)

// These tests run against the real embedded build (dist/, made by `make web`).
// When the front end has not been built they fail rather than skip: a binary
// built then would serve no GraphiQL.
const notBuiltHint = "web/dist holds no index.html: the front end is not built into the test binary; run make web (cd web && npm ci && npm run build), then run the tests again"

func requireBuilt(t *testing.T) {
	t.Helper()
	if !Built() {
		t.Fatal(notBuiltHint)
	}
}

func get(t *testing.T, h http.Handler, method, target string, header http.Header) (*http.Response, string) {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	for k, vs := range header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	res := rec.Result()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(b)
}

// builtFiles returns the paths (under dist/) of every built file but .gitkeep.
func builtFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	err := fs.WalkDir(dist, "dist", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && d.Name() != ".gitkeep" {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	return files
}

func readBuilt(t *testing.T, name string) string {
	t.Helper()
	b, err := fs.ReadFile(dist, name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestBuilt(t *testing.T) {
	requireBuilt(t)
}

func TestIndex(t *testing.T) {
	requireBuilt(t)
	h := Handler()
	res, body := get(t, h, http.MethodGet, "/", nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET / = %d, want 200", res.StatusCode)
	}
	if ct := res.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type = %q, want text/html; charset=utf-8", ct)
	}
	if cc := res.Header.Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("Cache-Control = %q, want no-cache", cc)
	}
	if !strings.Contains(body, "<title>Incident graph — GraphiQL</title>") {
		t.Errorf("index.html has not the expected title:\n%s", body)
	}
	if !strings.Contains(body, `id="graphiql"`) {
		t.Errorf("index.html has no #graphiql container:\n%s", body)
	}
	checkCSP(t, res.Header.Get("Content-Security-Policy"))

	// HEAD: same headers, no body.
	res, body = get(t, h, http.MethodHead, "/", nil)
	if res.StatusCode != http.StatusOK || body != "" {
		t.Errorf("HEAD / = %d with %d bytes, want 200 and no body", res.StatusCode, len(body))
	}
	// Revalidation with the ETag: 304.
	etag := res.Header.Get("ETag")
	if etag == "" {
		t.Fatal("index has no ETag")
	}
	res, _ = get(t, h, http.MethodGet, "/", http.Header{"If-None-Match": {etag}})
	if res.StatusCode != http.StatusNotModified {
		t.Errorf("GET / with If-None-Match = %d, want 304", res.StatusCode)
	}
}

// checkCSP checks that the policy allows nothing but the page's own origin
// (plus inline data: images and fonts, and inline styles).
func checkCSP(t *testing.T, csp string) {
	t.Helper()
	checkPolicy(t, csp, func(directive, source string) bool {
		switch source {
		case "'unsafe-inline'":
			return directive == "style-src"
		case "data:":
			return directive == "img-src" || directive == "font-src"
		}
		return false
	})
}

// checkPolicy checks that csp allows nothing but 'self' and 'none', and what
// extra says.
func checkPolicy(t *testing.T, csp string, extra func(directive, source string) bool) {
	t.Helper()
	for _, p := range policyProblems(csp, extra) {
		t.Error(p)
	}
}

func policyProblems(csp string, extra func(directive, source string) bool) []string {
	if csp == "" {
		return []string{"the page has no Content-Security-Policy"}
	}
	var problems []string
	directives := map[string][]string{}
	for _, d := range strings.Split(csp, ";") {
		f := strings.Fields(d)
		if len(f) == 0 {
			continue
		}
		directives[strings.ToLower(f[0])] = f[1:]
	}
	if got := strings.Join(directives["default-src"], " "); got != "'self'" {
		problems = append(problems, fmt.Sprintf("default-src %q, want 'self'", got))
	}
	for _, must := range []string{"script-src", "connect-src", "object-src", "base-uri", "frame-ancestors"} {
		if _, ok := directives[must]; !ok {
			problems = append(problems, fmt.Sprintf("CSP has no %s: %s", must, csp))
		}
	}
	allowed := map[string]bool{"'self'": true, "'none'": true}
	for name, sources := range directives {
		for _, s := range sources {
			if !allowed[s] && !extra(name, s) {
				problems = append(problems, fmt.Sprintf("CSP %s allows %s: only 'self' (and data: images and fonts, inline styles) may be", name, s))
			}
		}
	}
	return problems
}

// The explorer's page: same headers as GraphiQL's, and its own policy: no
// data: font; images from data: and blob: (the chart's PNG and SVG exports).
func TestExplore(t *testing.T) {
	requireBuilt(t)
	h := Handler()
	res, body := get(t, h, http.MethodGet, "/explore", nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /explore = %d, want 200", res.StatusCode)
	}
	if ct := res.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type = %q, want text/html; charset=utf-8", ct)
	}
	if cc := res.Header.Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("Cache-Control = %q, want no-cache", cc)
	}
	if !strings.Contains(body, "<title>Incident graph — Explorer</title>") || !strings.Contains(body, `id="chart"`) {
		t.Errorf("GET /explore is not the explorer page:\n%s", body)
	}
	if strings.Contains(body, `id="graphiql"`) {
		t.Error("GET /explore serves GraphiQL's page")
	}
	if !strings.Contains(body, `href="/"`) {
		t.Error("the explorer does not link to GraphiQL")
	}
	csp := res.Header.Get("Content-Security-Policy")
	if csp != ExploreContentSecurityPolicy {
		t.Errorf("CSP %q, want ExploreContentSecurityPolicy", csp)
	}
	checkPolicy(t, csp, func(directive, source string) bool {
		return (directive == "img-src" && (source == "data:" || source == "blob:")) ||
			(directive == "style-src" && source == "'unsafe-inline'")
	})
	res, body = get(t, h, http.MethodHead, "/explore", nil)
	if res.StatusCode != http.StatusOK || body != "" {
		t.Errorf("HEAD /explore = %d with %d bytes, want 200 and no body", res.StatusCode, len(body))
	}
	etag := res.Header.Get("ETag")
	if etag == "" {
		t.Fatal("explore has no ETag")
	}
	res, _ = get(t, h, http.MethodGet, "/", nil)
	if res.Header.Get("ETag") == etag {
		t.Error("/ and /explore have the same ETag")
	}
	res, _ = get(t, h, http.MethodGet, "/explore", http.Header{"If-None-Match": {etag}})
	if res.StatusCode != http.StatusNotModified {
		t.Errorf("GET /explore with If-None-Match = %d, want 304", res.StatusCode)
	}
	// GraphiQL links to the explorer (a link in its logo, rendered by React).
	linked := false
	for _, f := range builtFiles(t) {
		if strings.HasPrefix(path.Base(f), "index-") && path.Ext(f) == ".js" && exploreLinkRE.MatchString(readBuilt(t, f)) {
			linked = true
		}
	}
	if !linked {
		t.Error("GraphiQL's bundle has no link to /explore")
	}
}

// The policy check is not blind: it refuses what a page must not allow.
func TestCheckPolicyRefuses(t *testing.T) {
	for _, csp := range []string{
		"default-src 'self'; script-src 'self' 'unsafe-eval'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
		"default-src 'self'; script-src 'self'; connect-src 'self' https://api.example.org; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
		"default-src 'self'; script-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
		"default-src *; script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
		"default-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
	} {
		if len(policyProblems(csp, func(d, s string) bool { return d == "img-src" && s == "blob:" })) == 0 {
			t.Errorf("checkPolicy passed %q", csp)
		}
	}
}

var (
	// Attributes of index.html that make the browser load something.
	htmlRefRE = regexp.MustCompile(`(?i)\s(?:src|href)\s*=\s*["']?([^"'\s>]+)`)
	// GraphiQL's link to the explorer, as the bundle writes the JSX attribute.
	exploreLinkRE = regexp.MustCompile("href:[\"'`]/explore[\"'`]")
	// Dynamic imports between Vite's chunks: import(`./name-hash.js`).
	chunkImportRE = regexp.MustCompile("import\\(\\s*[\"'`](\\./[^\"'`]+)[\"'`]\\s*\\)")
)

func TestAssets(t *testing.T) {
	requireBuilt(t)
	h := Handler()
	index := readBuilt(t, "dist/index.html") + readBuilt(t, "dist/explore.html")

	refs := htmlRefRE.FindAllStringSubmatch(index, -1)
	n := 0
	for _, m := range refs {
		ref := m[1]
		if strings.HasPrefix(ref, "data:") || ref == "/" { // "/": the explorer's link to GraphiQL, a page
			continue
		}
		n++
		if !strings.HasPrefix(ref, "/assets/") {
			t.Errorf("index.html refers to %q: want a file under /assets/", ref)
			continue
		}
		checkAsset(t, h, ref)
	}
	if n == 0 {
		t.Fatalf("index.html refers to no asset:\n%s", index)
	}

	// The chunks that the entry loads later (CodeMirror and its add-ons) are
	// imported relative to the importing chunk, which lives in /assets/.
	for _, f := range builtFiles(t) {
		if path.Ext(f) != ".js" {
			continue
		}
		for _, m := range chunkImportRE.FindAllStringSubmatch(readBuilt(t, f), -1) {
			checkAsset(t, h, path.Join("/assets", m[1]))
		}
	}

	// Every built file under assets/ is served.
	for _, f := range builtFiles(t) {
		if strings.HasPrefix(f, "dist/assets/") {
			checkAsset(t, h, "/"+strings.TrimPrefix(f, "dist/"))
		}
	}
}

var wantContentType = map[string]string{
	".js":  "text/javascript; charset=utf-8",
	".css": "text/css; charset=utf-8",
}

func checkAsset(t *testing.T, h http.Handler, url string) {
	t.Helper()
	res, body := get(t, h, http.MethodGet, url, nil)
	if res.StatusCode != http.StatusOK {
		t.Errorf("GET %s = %d, want 200", url, res.StatusCode)
		return
	}
	want := wantContentType[path.Ext(url)]
	if want == "" {
		want = contentType(url)
	}
	if ct := res.Header.Get("Content-Type"); ct != want {
		t.Errorf("GET %s: Content-Type %q, want %q", url, ct, want)
	}
	if cc := res.Header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
		t.Errorf("GET %s: Cache-Control %q, want public, max-age=31536000, immutable", url, cc)
	}
	if body == "" {
		t.Errorf("GET %s: empty body", url)
	}
}

// No built file may make the browser fetch anything from another origin.
//
// Scanning the bundle for every "http://" or "https://" would not work: the
// libraries carry dozens of harmless URL strings (XML namespaces such as
// http://www.w3.org/2000/svg, links in error messages and licence comments,
// markdown-it's linkifier, <a href> links an analyst may click). So the check
// looks only where a URL makes the browser *load* something:
//
//   - index.html: the src= and href= of every tag (script, link, img, …)
//     must be a same-origin path or data:, never http(s):// or //host;
//   - CSS: every url(…) and @import must be same-origin or data:;
//   - JS: the argument of the constructs that fetch code or data — import(…)
//     and static `import … from "…"`, new Worker / SharedWorker, importScripts,
//     fetch, EventSource, WebSocket, sendBeacon, and src= / .src / src: of
//     created elements — must not be an absolute URL literal;
//   - anywhere: a known CDN or web-font host (fonts.googleapis.com, unpkg.com,
//     cdn.jsdelivr.net …) must not appear at all.
//
// A URL built at run time from pieces cannot be caught statically; the
// Content-Security-Policy (checked by TestIndex) makes the browser refuse
// those loads anyway. TestScannerCatchesLoads checks the patterns themselves.
func TestNoExternalLoads(t *testing.T) {
	requireBuilt(t)
	files := builtFiles(t)
	if len(files) < 2 {
		t.Fatalf("only %d built files: %v", len(files), files)
	}
	for _, f := range files {
		for _, finding := range externalLoads(f, readBuilt(t, f)) {
			t.Errorf("%s loads from another origin: %s", f, finding)
		}
	}
}

// An absolute URL: http(s)://, ws(s):// or protocol-relative //host.
const absURL = `(?:(?:https?|wss?):)?//[^\s"'` + "`" + `)]+`

// q is an opening quote of a JS string literal.
const q = "[\"'`]"

var (
	htmlLoadRE = regexp.MustCompile(`(?i)\s(?:src|href|srcset|poster|data|action|formaction|background)\s*=\s*["']?\s*(` + absURL + `)`)
	metaRefRE  = regexp.MustCompile(`(?i)<meta[^>]+http-equiv\s*=\s*["']?refresh[^>]*url\s*=\s*(` + absURL + `)`)
	cssURLRE   = regexp.MustCompile(`(?i)url\(\s*["']?\s*(` + absURL + `)`)
	cssImpRE   = regexp.MustCompile(`(?i)@import\s+["']\s*(` + absURL + `)`)
	jsLoadREs  = []*regexp.Regexp{
		// import("https://…"), import "https://…", export … from "https://…"
		regexp.MustCompile(`\bimport\s*\(\s*` + q + `(` + absURL + `)`),
		regexp.MustCompile(`\b(?:import|from)\s*` + q + `(` + absURL + `)`),
		// workers and scripts
		regexp.MustCompile(`\bnew\s+(?:Shared)?Worker\s*\(\s*(?:new\s+URL\s*\(\s*)?` + q + `(` + absURL + `)`),
		regexp.MustCompile(`\bimportScripts\s*\(\s*` + q + `(` + absURL + `)`),
		regexp.MustCompile(`\.register\s*\(\s*` + q + `(` + absURL + `)`),
		// data
		regexp.MustCompile(`\bfetch\s*\(\s*` + q + `(` + absURL + `)`),
		regexp.MustCompile(`\bnew\s+(?:EventSource|WebSocket)\s*\(\s*` + q + `(` + absURL + `)`),
		regexp.MustCompile(`\bsendBeacon\s*\(\s*` + q + `(` + absURL + `)`),
		regexp.MustCompile(`\.open\s*\(\s*` + q + `[A-Za-z]+` + q + `\s*,\s*` + q + `(` + absURL + `)`),
		// elements given a source: el.src = "…", {src: "…"}, src="…" in markup
		// strings, setAttribute("src", "…")
		regexp.MustCompile(`\bsrc(?:set)?\s*[:=]\s*` + q + `(` + absURL + `)`),
		regexp.MustCompile(`setAttribute\s*\(\s*` + q + `(?:src|href)` + q + `\s*,\s*` + q + `(` + absURL + `)`),
		// CSS inside JS strings
		regexp.MustCompile(`(?i)url\(\s*["']?\s*(` + absURL + `)`),
		regexp.MustCompile(`(?i)@import\s+(?:url\(\s*)?["']?\s*(` + absURL + `)`),
	}
	// Hosts that only ever appear in a bundle to be loaded from.
	cdnHostRE = regexp.MustCompile(`(?i)\b(?:fonts\.googleapis\.com|fonts\.gstatic\.com|unpkg\.com|cdn\.jsdelivr\.net|cdnjs\.cloudflare\.com|esm\.sh|esm\.run|cdn\.skypack\.dev|ga\.jspm\.io|jspm\.dev|use\.typekit\.net|ajax\.googleapis\.com|code\.jquery\.com|stackpath\.bootstrapcdn\.com|www\.googletagmanager\.com|www\.google-analytics\.com)\b`)
)

// externalLoads returns what in the built file name (content s) would load
// from another origin.
func externalLoads(name, s string) []string {
	var res []*regexp.Regexp
	switch path.Ext(name) {
	case ".html":
		res = []*regexp.Regexp{htmlLoadRE, metaRefRE, cssURLRE, cssImpRE}
	case ".css":
		res = []*regexp.Regexp{cssURLRE, cssImpRE}
	case ".js", ".mjs":
		res = jsLoadREs
	}
	var found []string
	for _, re := range res {
		for _, m := range re.FindAllStringSubmatch(s, -1) {
			found = append(found, m[0])
		}
	}
	for _, m := range cdnHostRE.FindAllString(s, -1) {
		found = append(found, "mentions CDN host "+m)
	}
	return found
}

// TestScannerCatchesLoads checks externalLoads on samples: it must flag real
// loads and let the library's harmless URL strings through.
func TestScannerCatchesLoads(t *testing.T) {
	bad := []struct{ name, s string }{
		{"index.html", `<script type="module" src="https://cdn.example.org/graphiql.js"></script>`},
		{"index.html", `<link rel="stylesheet" href="//cdn.example.org/graphiql.css">`},
		{"index.html", `<link rel=stylesheet href=https://cdn.example.org/x.css>`},
		{"index.html", `<img src="http://example.org/logo.png">`},
		{"a.css", `@import url("https://fonts.example.org/css2?family=Fira+Code");`},
		{"a.css", `@import 'https://example.org/x.css';`},
		{"a.css", `@font-face{src:url(https://example.org/font.woff2) format("woff2")}`},
		{"a.js", "const m = await import(`https://esm.example.org/graphql-ws`);"},
		{"a.js", `import{x}from"https://esm.example.org/x.js";`},
		{"a.js", `new Worker("https://example.org/editor.worker.js")`},
		{"a.js", `new Worker(new URL("https://example.org/w.js", import.meta.url))`},
		{"a.js", `importScripts('https://example.org/w.js')`},
		{"a.js", `fetch("https://example.org/schema.json")`},
		{"a.js", `x.open("GET","https://example.org/data")`},
		{"a.js", `new WebSocket("wss://example.org/graphql")`},
		{"a.js", `e.src="https://example.org/loader.js"`},
		{"a.js", `createElement("img",{src:"https://example.org/pixel.gif"})`},
		{"a.js", `s.setAttribute("src", "https://example.org/x.js")`},
		{"a.js", "const css = `.x{background:url(https://example.org/bg.png)}`"},
		{"a.js", `const base = "fonts.googleapis.com/css?family=Roboto"`},
		{"a.js", `var u = "https://cdn.jsdelivr.net/npm/monaco-editor/min/vs"`},
	}
	for _, c := range bad {
		if len(externalLoads(c.name, c.s)) == 0 {
			t.Errorf("%s: not flagged: %s", c.name, c.s)
		}
	}
	good := []struct{ name, s string }{
		{"index.html", `<script type="module" crossorigin src="/assets/index-AbC123.js"></script><link rel="icon" href="data:,">`},
		{"a.css", `.x{background:url("data:image/png;base64,iVBOR")}@font-face{src:url(data:font/woff2;base64,d09G)}`},
		{"a.css", `.y{background:url(/assets/bg-123.png)}`},
		{"a.js", "import(`./codemirror-DomJjdR9.js`)"},
		{"a.js", `createElementNS("http://www.w3.org/2000/svg","svg")`},
		{"a.js", `{xmlns:"http://www.w3.org/2000/svg"}`},
		{"a.js", "throw Error(`Minified React error #`+e+`; visit https://react.dev/errors/`+e)"},
		{"a.js", `/*! https://github.com/graphql/graphiql | MIT License */`},
		{"a.js", `createElement("a",{href:"https://github.com/graphql/graphiql",target:"_blank"})`},
		{"a.js", "e.url=`http://${e.url}`"},
		{"a.js", `fetch(c,{method:"HEAD"})`},
		{"a.js", `fetch("/graphql",{method:"POST"})`},
	}
	for _, c := range good {
		if f := externalLoads(c.name, c.s); len(f) != 0 {
			t.Errorf("%s: false positive %v in: %s", c.name, f, c.s)
		}
	}
}

func TestNotFound(t *testing.T) {
	requireBuilt(t)
	h := Handler()
	for _, p := range []string{
		"/nope",
		"/index.html",
		"/graphql",
		"/.gitkeep",
		"/assets/",
		"/assets/nope.js",
		"/assets/../index.html",
		"/assets/%2e%2e/index.html",
		"/dist/index.html",
		"/explore/",
		"/explore.html",
		"/explore/x",
	} {
		res, _ := get(t, h, http.MethodGet, p, nil)
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", p, res.StatusCode)
		}
	}
	for _, p := range []string{"/", "/explore"} {
		res, _ := get(t, h, http.MethodPost, p, nil)
		if res.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("POST %s = %d, want 405", p, res.StatusCode)
		}
	}
}

// A binary compiled before the front end was built answers / with 503.
func TestNotBuilt(t *testing.T) {
	empty := fstest.MapFS{"dist/.gitkeep": &fstest.MapFile{}}
	if built(empty) {
		t.Fatal("built() true without dist/index.html")
	}
	h := newHandler(empty)
	res, body := get(t, h, http.MethodGet, "/", nil)
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("GET / = %d, want 503", res.StatusCode)
	}
	if ct := res.Header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
		t.Errorf("Content-Type %q, want text/plain", ct)
	}
	if !strings.Contains(body, "make web") {
		t.Errorf("503 body does not say to run make web: %q", body)
	}
	res, _ = get(t, h, http.MethodGet, "/explore", nil)
	if res.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("GET /explore = %d, want 503", res.StatusCode)
	}
	res, _ = get(t, h, http.MethodGet, "/assets/index.js", nil)
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("GET /assets/index.js = %d, want 404", res.StatusCode)
	}
}
