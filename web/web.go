// Package web serves GraphiQL, the in-browser GraphQL IDE, and the explorer (a
// link chart drawn with Cytoscape.js) from files built into the binary: nothing is fetched from a CDN or any other origin, so the
// page works on an offline analyst workstation.
//
// The front end lives beside this file (package.json, index.html, src/) and is
// built by Vite into dist/ (`make web`, i.e. `cd web && npm ci && npm run
// build`), which go:embed takes in. dist/.gitkeep is committed so that the
// package compiles in a fresh clone before the front end is built; a binary
// built then answers `/` with 503 and says to run `make web`.
//
// Routes (mount Handler at "/", next to the GraphQL endpoint at "/graphql"):
//
//	GET /          index.html, Cache-Control: no-cache, with a strict CSP
//	GET /explore   explore.html, the same way, with ExploreContentSecurityPolicy
//	GET /assets/*  Vite's content-hashed files, cached for a year (immutable)
//	anything else  404
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed all:dist
var dist embed.FS

// ContentSecurityPolicy is sent with the page. Everything must come from the
// page's own origin; nothing from anywhere else:
//   - script-src 'self': the bundle only; no inline script, no eval.
//   - style-src 'unsafe-inline': React, CodeMirror and the dialogs set style
//     attributes and insert <style> elements at run time.
//   - img-src/font-src data:: GraphiQL's CSS inlines its fonts and icons as
//     data: URLs.
//   - connect-src 'self': the POSTs to /graphql. This also stops GraphiQL's
//     image preview from reaching out to image URLs found in a response.
const ContentSecurityPolicy = "default-src 'self'; " +
	"script-src 'self'; " +
	"style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data:; " +
	"font-src 'self' data:; " +
	"connect-src 'self'; " +
	"object-src 'none'; " +
	"base-uri 'none'; " +
	"form-action 'none'; " +
	"frame-ancestors 'none'"

// ExploreContentSecurityPolicy is sent with the explorer. It loads no font
// (GraphiQL's policy allows data: fonts); Cytoscape.js sets inline styles on
// the chart's container, hence 'unsafe-inline' styles (never scripts). It draws
// on a canvas and hands out the chart's PNG and SVG as blob: URLs, hence blob:
// in img-src. connect-src 'self' keeps it to /graphql (and the /export links).
const ExploreContentSecurityPolicy = "default-src 'self'; " +
	"script-src 'self'; " +
	"style-src 'self' 'unsafe-inline'; " +
	"img-src 'self' data: blob:; " +
	"font-src 'self'; " +
	"connect-src 'self'; " +
	"object-src 'none'; " +
	"base-uri 'none'; " +
	"form-action 'none'; " +
	"frame-ancestors 'none'"

const (
	indexCacheControl = "no-cache"
	assetCacheControl = "public, max-age=31536000, immutable"
	notBuiltMessage   = "The front end (GraphiQL and the explorer) is not built into this binary: run `make web`, then build the server again.\n"
)

// Built reports whether the front end was built (dist/index.html exists)
// when this binary was compiled.
func Built() bool {
	return built(dist)
}

func built(fsys fs.FS) bool {
	fi, err := fs.Stat(fsys, "dist/index.html")
	return err == nil && !fi.IsDir()
}

// Handler serves GraphiQL at `/`, the explorer at `/explore` and their
// `/assets/*`; every other path is 404.
func Handler() http.Handler {
	return newHandler(dist)
}

// handler serves the files of fsys under dist/.
type handler struct {
	fsys    fs.FS
	index   page
	explore page
}

// page is one built HTML page with its ETag and policy.
type page struct {
	name string
	body []byte // nil when the front end is not built
	etag string
	csp  string
}

func newHandler(fsys fs.FS) *handler {
	h := &handler{fsys: fsys}
	h.index = readPage(fsys, "index.html", ContentSecurityPolicy)
	h.explore = readPage(fsys, "explore.html", ExploreContentSecurityPolicy)
	return h
}

func readPage(fsys fs.FS, name, csp string) page {
	p := page{name: name, csp: csp}
	if b, err := fs.ReadFile(fsys, "dist/"+name); err == nil && built(fsys) {
		sum := sha256.Sum256(b)
		p.body = b
		p.etag = `"` + hex.EncodeToString(sum[:16]) + `"`
	}
	return p
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case p == "/":
		if !allowMethod(w, r) {
			return
		}
		h.servePage(w, r, h.index)
	case p == "/explore":
		if !allowMethod(w, r) {
			return
		}
		h.servePage(w, r, h.explore)
	case strings.HasPrefix(p, "/assets/"):
		if !allowMethod(w, r) {
			return
		}
		h.serveAsset(w, r, strings.TrimPrefix(p, "/assets/"))
	default:
		http.NotFound(w, r)
	}
}

// allowMethod answers 405 to anything but GET and HEAD.
func allowMethod(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	w.Header().Set("Allow", "GET, HEAD")
	http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	return false
}

func (h *handler) servePage(w http.ResponseWriter, r *http.Request, pg page) {
	hd := w.Header()
	hd.Set("X-Content-Type-Options", "nosniff")
	if pg.body == nil {
		hd.Set("Cache-Control", "no-store")
		hd.Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(notBuiltMessage))
		return
	}
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Cache-Control", indexCacheControl)
	hd.Set("Content-Security-Policy", pg.csp)
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("ETag", pg.etag)
	// ServeContent answers If-None-Match (304) and HEAD.
	http.ServeContent(w, r, pg.name, time.Time{}, bytes.NewReader(pg.body))
}

func (h *handler) serveAsset(w http.ResponseWriter, r *http.Request, name string) {
	// Only plain relative file names under dist/assets: no "..", no empty
	// elements, no directories (and so no listings).
	if name == "" || !fs.ValidPath(name) || strings.Contains(name, `\`) {
		http.NotFound(w, r)
		return
	}
	full := "dist/assets/" + name
	b, err := fs.ReadFile(h.fsys, full)
	if err != nil { // missing, or a directory
		http.NotFound(w, r)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", contentType(name))
	hd.Set("Cache-Control", assetCacheControl)
	hd.Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(w, r, path.Base(name), time.Time{}, bytes.NewReader(b))
}

// contentTypes fixes the types of what Vite emits, whatever the machine's
// mime tables say (some map .js to application/javascript or text/plain).
var contentTypes = map[string]string{
	".html":  "text/html; charset=utf-8",
	".js":    "text/javascript; charset=utf-8",
	".mjs":   "text/javascript; charset=utf-8",
	".css":   "text/css; charset=utf-8",
	".json":  "application/json",
	".map":   "application/json",
	".svg":   "image/svg+xml",
	".png":   "image/png",
	".jpg":   "image/jpeg",
	".jpeg":  "image/jpeg",
	".gif":   "image/gif",
	".webp":  "image/webp",
	".avif":  "image/avif",
	".ico":   "image/x-icon",
	".woff":  "font/woff",
	".woff2": "font/woff2",
	".ttf":   "font/ttf",
	".otf":   "font/otf",
	".wasm":  "application/wasm",
	".txt":   "text/plain; charset=utf-8",
}

func contentType(name string) string {
	ext := strings.ToLower(path.Ext(name))
	if t, ok := contentTypes[ext]; ok {
		return t
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}
