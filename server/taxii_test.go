package server_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/neo4j"
	"github.com/incidentgraph/incidentgraph/patterns"
	"github.com/incidentgraph/incidentgraph/server"
)

// taxiiTool holds the pinned OASIS TAXII client, installed into .venv by `make taxii2-client`
// (make test does), and the script that reads every collection with it.
const taxiiTool = "../tools/taxii2-client"

const taxiiCollections = "/taxii2/api/collections/"

var taxiiObjects = taxiiCollections + server.TAXIIWholeGraphCollection + "/objects/"

// taxiiServer is the real server over db with the saved patterns in use, so that their
// collections are served.
func taxiiServer(t *testing.T, db *neo4j.DB, cfg server.Config) *httptest.Server {
	t.Helper()
	ps, err := patterns.Read(patterns.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	if err := db.UsePatterns(context.Background(), ps); err != nil {
		t.Fatal(err)
	}
	ts, _ := exportServer(t, db, cfg)
	return ts
}

// stixObject is what the tests read of a STIX object.
type stixObject struct {
	ID       string `json:"id"`
	Type     string `json:"type"`
	Created  string `json:"created"`
	Modified string `json:"modified"`
}

func (o stixObject) version() string {
	if o.Modified != "" {
		return o.Modified
	}
	return o.Created
}

// wholeBundle is the STIX export of the whole graph: what the whole-graph collection must hold.
func wholeBundle(t *testing.T, base string) []stixObject {
	t.Helper()
	d := getExport(t, base, "format=stix&of=all", "")
	if d.status != http.StatusOK {
		t.Fatalf("export: %d %s", d.status, d.body)
	}
	var b struct{ Objects []stixObject }
	if err := json.Unmarshal(d.body, &b); err != nil {
		t.Fatal(err)
	}
	if len(b.Objects) < 50 {
		t.Fatalf("the seeded bundle has %d objects; the paging checks need more", len(b.Objects))
	}
	return b.Objects
}

// clientCollection is one line of read_collections.py.
type clientCollection struct {
	ID, Title                string
	CanRead                  bool `json:"can_read"`
	Pages, Objects, Distinct int
	IDs                      []string
}

// readWithClient runs the OASIS client over every collection of the server at base.
func readWithClient(t *testing.T, base string, perRequest int, token string) ([]clientCollection, error) {
	t.Helper()
	py := filepath.Join(taxiiTool, ".venv", "bin", "python")
	args := []string{filepath.Join(taxiiTool, "read_collections.py"), base + "/taxii2/", fmt.Sprint(perRequest)}
	if token != "" {
		args = append(args, token)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, py, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			t.Fatalf("cannot run the TAXII client (run `make taxii2-client`): %v", err)
		}
		return nil, fmt.Errorf("client failed: %v: %s", err, stderr.String())
	}
	var out []clientCollection
	sc := bufio.NewScanner(&stdout)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var c clientCollection
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("client line %q: %v", sc.Text(), err)
		}
		out = append(out, c)
	}
	return out, nil
}

// clientAgrees checks what the client read of the whole-graph collection against the bundle:
// every object once, the same ids, in as many pages as the page size makes.
func clientAgrees(bundle []stixObject, perRequest int, c clientCollection) error {
	want := map[string]bool{}
	for _, o := range bundle {
		want[o.ID] = true
	}
	got := map[string]bool{}
	for _, id := range c.IDs {
		got[id] = true
	}
	pages := (len(bundle) + perRequest - 1) / perRequest
	switch {
	case c.Objects != len(bundle) || c.Distinct != len(want):
		return fmt.Errorf("read %d objects (%d distinct), the bundle has %d (%d distinct)", c.Objects, c.Distinct, len(bundle), len(want))
	case !mapsEqual(got, want):
		return fmt.Errorf("the ids read differ from the bundle's")
	case c.Pages != pages:
		return fmt.Errorf("read %d pages, want %d", c.Pages, pages)
	}
	return nil
}

func mapsEqual(a, b map[string]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}

// TestTAXIIClientReadsEveryCollection: the OASIS TAXII client (taxii2client.v21: Server, its API
// roots, their collections, as_pages over get_objects) reads the whole-graph collection page by
// page and gets every object of the STIX export once, in the number of pages the page size
// makes; every other collection (a saved pattern's graph) reads whole too. Controls, through
// the same client and the same comparison: a server whose pages never say there is more (the
// client stops after one page: the counts differ) and one that serves application/json (the
// client refuses the answer).
func TestTAXIIClientReadsEveryCollection(t *testing.T) {
	db := seededDB(t)
	const perRequest = 40
	ts := taxiiServer(t, db, server.DefaultConfig())
	bundle := wholeBundle(t, ts.URL)
	cs, err := readWithClient(t, ts.URL, perRequest, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) == 0 || cs[0].ID != server.TAXIIWholeGraphCollection {
		t.Fatalf("collections %+v: the whole graph must come first", cs)
	}
	if err := clientAgrees(bundle, perRequest, cs[0]); err != nil {
		t.Error(err)
	}
	// The saved patterns' collections: those that take no parameters and answer a graph.
	var want, got []string
	for _, p := range db.Patterns() {
		if slices.ContainsFunc(p.Params, func(pp incidentgraph.PatternParam) bool { return pp.Required }) {
			continue
		}
		res, err := db.RunPattern(context.Background(), p.Name, map[string]any{}, incidentgraph.MaxCypherRows)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Graph.Nodes) > 0 {
			want = append(want, "Pattern "+p.Name)
		}
	}
	for _, c := range cs[1:] {
		got = append(got, c.Title)
	}
	if len(want) == 0 || !slices.Equal(got, want) {
		t.Errorf("pattern collections %v, want %v", got, want)
	}
	if slices.Contains(got, "Pattern asserted-by") {
		t.Error("asserted-by needs a party, yet it is a collection")
	}
	for _, c := range cs {
		t.Logf("collection %s (%s): %d pages, %d objects, %d distinct", c.ID, c.Title, c.Pages, c.Objects, c.Distinct)
		if !c.CanRead || c.Objects == 0 || c.Distinct != c.Objects {
			t.Errorf("collection %s: can_read %v, %d objects, %d distinct", c.Title, c.CanRead, c.Objects, c.Distinct)
		}
		// The same collection over plain HTTP with the largest page: the same objects.
		all := taxiiGetAll(t, ts.URL, taxiiCollections+c.ID+"/objects/", "")
		if len(all) != c.Objects {
			t.Errorf("collection %s: %d objects over HTTP, %d through the client", c.Title, len(all), c.Objects)
		}
	}

	t.Run("negative control: paging cut after the first page", func(t *testing.T) {
		cut := taxiiServer(t, db, server.WithTAXIIPagingCutForTest(server.DefaultConfig()))
		cs, err := readWithClient(t, cut.URL, perRequest, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := clientAgrees(bundle, perRequest, cs[0]); err == nil {
			t.Fatal("the client read one page only, yet its counts agree with the bundle")
		} else {
			t.Logf("caught: %v", err)
		}
	})
	t.Run("negative control: served as application/json", func(t *testing.T) {
		wrong := taxiiServer(t, db, server.WithTAXIIWrongMediaTypeForTest(server.DefaultConfig()))
		if _, err := readWithClient(t, wrong.URL, perRequest, ""); err == nil || !strings.Contains(err.Error(), "Unexpected Response") {
			t.Fatalf("the client took a wrong media type: %v", err)
		}
	})
}

type taxiiAnswer struct {
	status int
	header http.Header
	body   []byte
}

func taxiiGet(t *testing.T, base, path, accept string, header ...string) *taxiiAnswer {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return &taxiiAnswer{status: resp.StatusCode, header: resp.Header, body: b}
}

// ok decodes a 200 TAXII answer into v.
func (a *taxiiAnswer) ok(t *testing.T, v any) {
	t.Helper()
	if a.status != http.StatusOK {
		t.Fatalf("status %d: %s", a.status, a.body)
	}
	if ct := a.header.Get("Content-Type"); ct != server.TAXIIMediaType {
		t.Fatalf("Content-Type %q", ct)
	}
	if err := json.Unmarshal(a.body, v); err != nil {
		t.Fatal(err)
	}
}

// taxiiErr checks a TAXII error message: its status, the status in http_status, and our code.
func (a *taxiiAnswer) taxiiErr(status int, code string) error {
	var e struct {
		Title, Description string
		HTTPStatus         string `json:"http_status"`
		ErrorCode          string `json:"error_code"`
	}
	if err := json.Unmarshal(a.body, &e); err != nil {
		return fmt.Errorf("not JSON: %s", a.body)
	}
	switch {
	case a.status != status || e.HTTPStatus != fmt.Sprint(status):
		return fmt.Errorf("status %d (http_status %q), want %d: %s", a.status, e.HTTPStatus, status, a.body)
	case e.ErrorCode != code || e.Title == "" || e.Description == "":
		return fmt.Errorf("error %s, want %s with a title and a description: %s", e.ErrorCode, code, a.body)
	case a.header.Get("Content-Type") != server.TAXIIMediaType:
		return fmt.Errorf("Content-Type %q", a.header.Get("Content-Type"))
	}
	return nil
}

type envelope struct {
	More    bool
	Next    string
	Objects []stixObject
}

// taxiiGetAll reads path with the largest page.
func taxiiGetAll(t *testing.T, base, path, query string) []stixObject {
	t.Helper()
	var env envelope
	taxiiGet(t, base, path+"?limit=1000"+query, "").ok(t, &env)
	if env.More {
		t.Fatalf("%s: more than one page", path)
	}
	return env.Objects
}

func ids(objs []stixObject) []string {
	out := make([]string, len(objs))
	for i, o := range objs {
		out[i] = o.ID
	}
	return out
}

// TestTAXIIFilters: the real server's filters on the whole-graph collection, each checked
// against the export's bundle with a control that must not match: match[type] (and a type no
// object has), match[id] (and an id of none), added_after (before and at the objects' date),
// match[version], limit and next (pages in order that add up to the collection, and a forged
// or foreign next refused), the manifest, one object and its versions, Accept (406) and the
// TAXII error shape, and anonymous access as /graphql has it.
func TestTAXIIFilters(t *testing.T) {
	db := seededDB(t)
	ts, _ := exportServer(t, db, server.DefaultConfig())
	bundle := wholeBundle(t, ts.URL)
	base := ts.URL

	t.Run("discovery, api root, collections", func(t *testing.T) {
		var disc struct {
			Default  string
			APIRoots []string `json:"api_roots"`
		}
		taxiiGet(t, base, "/taxii2/", server.TAXIIMediaType).ok(t, &disc)
		if disc.Default != "/taxii2/api/" || !slices.Equal(disc.APIRoots, []string{"/taxii2/api/"}) {
			t.Errorf("discovery %+v", disc)
		}
		var root struct{ Versions []string }
		taxiiGet(t, base, "/taxii2/api/", "").ok(t, &root)
		if !slices.Equal(root.Versions, []string{server.TAXIIMediaType}) {
			t.Errorf("api root versions %v", root.Versions)
		}
		var one struct {
			ID         string
			CanRead    bool     `json:"can_read"`
			CanWrite   bool     `json:"can_write"`
			MediaTypes []string `json:"media_types"`
		}
		taxiiGet(t, base, taxiiCollections+server.TAXIIWholeGraphCollection+"/", "").ok(t, &one)
		if one.ID != server.TAXIIWholeGraphCollection || !one.CanRead || one.CanWrite || !slices.Equal(one.MediaTypes, []string{"application/stix+json;version=2.1"}) {
			t.Errorf("collection %+v", one)
		}
		if err := taxiiGet(t, base, taxiiCollections+"00000000-0000-5000-8000-000000000000/", "").taxiiErr(404, incidentgraph.ENOTFOUND); err != nil {
			t.Error(err)
		}
	})

	t.Run("match[type]", func(t *testing.T) {
		want := 0
		for _, o := range bundle {
			if o.Type == "relationship" || o.Type == "threat-actor" {
				want++
			}
		}
		got := taxiiGetAll(t, base, taxiiObjects, "&match[type]=relationship,threat-actor")
		if len(got) != want || want == 0 {
			t.Errorf("%d objects, want %d", len(got), want)
		}
		for _, o := range got {
			if o.Type != "relationship" && o.Type != "threat-actor" {
				t.Errorf("%s of type %s", o.ID, o.Type)
			}
		}
		// Control: a type no object has gives nothing, not everything.
		if got := taxiiGetAll(t, base, taxiiObjects, "&match[type]=malware"); len(got) != 0 {
			t.Errorf("match[type]=malware: %d objects", len(got))
		}
	})

	t.Run("match[id]", func(t *testing.T) {
		pick := []string{bundle[3].ID, bundle[len(bundle)-1].ID}
		got := ids(taxiiGetAll(t, base, taxiiObjects, "&match[id]="+strings.Join(pick, ",")))
		slices.Sort(got)
		slices.Sort(pick)
		if !slices.Equal(got, pick) {
			t.Errorf("ids %v, want %v", got, pick)
		}
		if got := taxiiGetAll(t, base, taxiiObjects, "&match[id]=identity--00000000-0000-5000-8000-000000000000"); len(got) != 0 {
			t.Errorf("an unknown id matched %d objects", len(got))
		}
	})

	t.Run("added_after and match[version]", func(t *testing.T) {
		after := func(ts string) int {
			at, err := time.Parse(time.RFC3339Nano, ts)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for _, o := range bundle {
				if v, _ := time.Parse(time.RFC3339Nano, o.version()); v.After(at) {
					n++
				}
			}
			return n
		}
		for _, ts := range []string{"1969-12-31T23:59:59Z", "1970-01-01T00:00:00.000Z", "1970-01-01T00:00:01.000Z", "2100-01-01T00:00:00Z"} {
			got := taxiiGetAll(t, base, taxiiObjects, "&added_after="+ts)
			if want := after(ts); len(got) != want {
				t.Errorf("added_after=%s: %d objects, want %d", ts, len(got), want)
			}
		}
		// Control: the filter does filter; before every object all, after all none.
		if n := len(taxiiGetAll(t, base, taxiiObjects, "&added_after=1969-12-31T23:59:59Z")); n != len(bundle) {
			t.Errorf("added_after before every object: %d of %d", n, len(bundle))
		}
		if n := len(taxiiGetAll(t, base, taxiiObjects, "&added_after=2100-01-01T00:00:00Z")); n != 0 {
			t.Errorf("added_after after every object: %d", n)
		}
		for _, v := range []string{"last", "first", "all", "first,last"} {
			if n := len(taxiiGetAll(t, base, taxiiObjects, "&match[version]="+v)); n != len(bundle) {
				t.Errorf("match[version]=%s: %d of %d", v, n, len(bundle))
			}
		}
		at := 0
		for _, o := range bundle {
			if o.version() == "1970-01-01T00:00:00.000Z" {
				at++
			}
		}
		if n := len(taxiiGetAll(t, base, taxiiObjects, "&match[version]=1970-01-01T00:00:00.000Z")); n != at || at == 0 {
			t.Errorf("match[version]=Epoch: %d, want %d", n, at)
		}
		if n := len(taxiiGetAll(t, base, taxiiObjects, "&match[version]=1999-01-01T00:00:00.000Z")); n != 0 {
			t.Errorf("match[version] of no object's version: %d", n)
		}
		if n := len(taxiiGetAll(t, base, taxiiObjects, "&match[spec_version]=2.1")); n != len(bundle) {
			t.Errorf("match[spec_version]=2.1: %d of %d", n, len(bundle))
		}
		if n := len(taxiiGetAll(t, base, taxiiObjects, "&match[spec_version]=2.0")); n != 0 {
			t.Errorf("match[spec_version]=2.0: %d", n)
		}
		for _, q := range []string{"added_after=yesterday", "match[version]=newest", "limit=0", "limit=x", "match[colour]=red"} {
			if err := taxiiGet(t, base, taxiiObjects+"?"+q, "").taxiiErr(400, incidentgraph.EINVALID); err != nil {
				t.Errorf("%s: %v", q, err)
			}
		}
	})

	t.Run("limit and next", func(t *testing.T) {
		all := taxiiGetAll(t, base, taxiiObjects, "")
		var manifest struct {
			Objects []struct {
				ID        string
				DateAdded string `json:"date_added"`
				Version   string
				MediaType string `json:"media_type"`
			}
		}
		taxiiGet(t, base, taxiiCollections+server.TAXIIWholeGraphCollection+"/manifest/?limit=1000", "").ok(t, &manifest)
		if len(manifest.Objects) != len(bundle) || len(all) != len(bundle) {
			t.Fatalf("%d manifest records, %d objects, %d in the bundle", len(manifest.Objects), len(all), len(bundle))
		}
		byID := map[string]stixObject{}
		for _, o := range bundle {
			byID[o.ID] = o
		}
		for i, m := range manifest.Objects {
			if m.ID != all[i].ID || m.DateAdded != byID[m.ID].version() || m.Version != m.DateAdded || m.MediaType != "application/stix+json;version=2.1" {
				t.Fatalf("manifest record %d %+v, object %s", i, m, all[i].ID)
			}
		}
		const limit = 7
		var read []stixObject
		next, pages := "", 0
		for {
			q := fmt.Sprintf("?limit=%d&match[version]=last", limit)
			if next != "" {
				q += "&next=" + next
			}
			a := taxiiGet(t, base, taxiiObjects+q, "")
			var env envelope
			a.ok(t, &env)
			pages++
			if len(env.Objects) == 0 || len(env.Objects) > limit {
				t.Fatalf("page %d: %d objects", pages, len(env.Objects))
			}
			if f, l := a.header.Get("X-TAXII-Date-Added-First"), a.header.Get("X-TAXII-Date-Added-Last"); f != env.Objects[0].version() || l != env.Objects[len(env.Objects)-1].version() {
				t.Errorf("page %d: X-TAXII-Date-Added-First %q, -Last %q", pages, f, l)
			}
			read = append(read, env.Objects...)
			if !env.More {
				if env.Next != "" {
					t.Errorf("last page with next %q", env.Next)
				}
				break
			}
			if env.Next == "" || pages > len(bundle) {
				t.Fatalf("page %d: more without next", pages)
			}
			if pages == 1 {
				// Controls: a next token of another query, or forged, is refused.
				if err := taxiiGet(t, base, taxiiObjects+"?match[type]=relationship&next="+env.Next, "").taxiiErr(400, incidentgraph.EINVALID); err != nil {
					t.Errorf("next of another query: %v", err)
				}
				if err := taxiiGet(t, base, taxiiObjects+"?next=MTQ6MDAwMDAwMDAwMDAwMDAwMA", "").taxiiErr(400, incidentgraph.EINVALID); err != nil {
					t.Errorf("forged next: %v", err)
				}
			}
			next = env.Next
		}
		if !slices.Equal(ids(read), ids(all)) {
			t.Errorf("paging read %d objects, not the collection's %d in order", len(read), len(all))
		}
		if want := (len(all) + limit - 1) / limit; pages != want {
			t.Errorf("%d pages, want %d", pages, want)
		}
		t.Logf("%d objects in %d pages of %d", len(read), pages, limit)
	})

	t.Run("one object and its versions", func(t *testing.T) {
		o := bundle[5]
		var env envelope
		taxiiGet(t, base, taxiiObjects+o.ID+"/", "").ok(t, &env)
		if len(env.Objects) != 1 || env.Objects[0].ID != o.ID {
			t.Errorf("object %s: %+v", o.ID, env.Objects)
		}
		var vs struct{ Versions []string }
		taxiiGet(t, base, taxiiObjects+o.ID+"/versions/", "").ok(t, &vs)
		if !slices.Equal(vs.Versions, []string{o.version()}) {
			t.Errorf("versions %v, want [%s]", vs.Versions, o.version())
		}
		if err := taxiiGet(t, base, taxiiObjects+"identity--00000000-0000-5000-8000-000000000000/", "").taxiiErr(404, incidentgraph.ENOTFOUND); err != nil {
			t.Error(err)
		}
	})

	t.Run("Accept and methods", func(t *testing.T) {
		for _, accept := range []string{"application/json", "application/taxii+json;version=2.0", "text/html"} {
			if err := taxiiGet(t, base, "/taxii2/", accept).taxiiErr(406, server.CodeNotAcceptable); err != nil {
				t.Errorf("Accept %s: %v", accept, err)
			}
		}
		// Controls: what does accept it is answered.
		for _, accept := range []string{"*/*", "application/taxii+json", "text/html, application/taxii+json;version=2.1;q=0.9"} {
			if a := taxiiGet(t, base, "/taxii2/", accept); a.status != 200 {
				t.Errorf("Accept %s: %d %s", accept, a.status, a.body)
			}
		}
		resp, err := http.Post(base+"/taxii2/api/collections/", server.TAXIIMediaType, strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err := (&taxiiAnswer{status: resp.StatusCode, header: resp.Header, body: b}).taxiiErr(405, server.CodeMethodNotAllowed); err != nil {
			t.Error(err)
		}
	})

	t.Run("tokens as on /graphql", func(t *testing.T) {
		cfg := server.DefaultConfig()
		cfg.AnonymousAccess = server.AnonymousNone
		closed, _ := exportServer(t, db, cfg)
		a := taxiiGet(t, closed.URL, "/taxii2/api/collections/", "")
		if err := a.taxiiErr(401, incidentgraph.EUNAUTHENTICATED); err != nil {
			t.Error(err)
		}
		if a.header.Get("WWW-Authenticate") == "" {
			t.Error("401 without WWW-Authenticate")
		}
		if err := taxiiGet(t, closed.URL, "/taxii2/", "", "Authorization", "Bearer not-a-token").taxiiErr(401, incidentgraph.EUNAUTHENTICATED); err != nil {
			t.Error(err)
		}
		secret, err := db.CreateToken(context.Background(), "taxii-reader", incidentgraph.RoleReader, nil)
		if err != nil {
			t.Fatal(err)
		}
		// Control: the same request with a reader's token is answered, and the client reads.
		var list struct{ Collections []struct{ ID string } }
		taxiiGet(t, closed.URL, "/taxii2/api/collections/", "", "Authorization", "Bearer "+secret).ok(t, &list)
		if len(list.Collections) == 0 {
			t.Error("no collections with a token")
		}
		cs, err := readWithClient(t, closed.URL, 500, secret)
		if err != nil || clientAgrees(bundle, 500, cs[0]) != nil {
			t.Errorf("client with a token: %v %v", err, cs)
		}
		if _, err := readWithClient(t, closed.URL, 500, ""); err == nil {
			t.Error("the client read a closed server without a token")
		}
		// Control of the error-shape check: /export's GraphQL-shaped refusal is not TAXII's.
		d := getExport(t, closed.URL, "format=stix&of=all", "")
		if err := (&taxiiAnswer{status: d.status, header: d.header, body: d.body}).taxiiErr(401, incidentgraph.EUNAUTHENTICATED); err == nil {
			t.Error("a GraphQL-shaped refusal passed for a TAXII error message")
		}
	})

	t.Run("the request deadline as on /graphql", func(t *testing.T) {
		cfg := server.DefaultConfig()
		cfg.RequestTimeout = time.Nanosecond // past before the store is asked
		late, _ := exportServer(t, db, cfg)
		if err := taxiiGet(t, late.URL, taxiiObjects, "").taxiiErr(504, incidentgraph.ETIMEOUT); err != nil {
			t.Error(err)
		}
		// Control: what does not read the store is answered under the same deadline.
		if a := taxiiGet(t, late.URL, "/taxii2/", ""); a.status != http.StatusOK {
			t.Errorf("discovery: %d %s", a.status, a.body)
		}
	})

	t.Run("rates as on /graphql", func(t *testing.T) {
		cfg := server.DefaultConfig()
		cfg.RatePerAddress, cfg.BurstPerAddress = 0.001, 1
		limited, _ := exportServer(t, db, cfg)
		// Control: the first request of the address is answered.
		if a := taxiiGet(t, limited.URL, "/taxii2/", ""); a.status != http.StatusOK {
			t.Fatalf("first request: %d %s", a.status, a.body)
		}
		a := taxiiGet(t, limited.URL, "/taxii2/api/", "")
		if err := a.taxiiErr(429, server.CodeRateLimited); err != nil || a.header.Get("Retry-After") == "" {
			t.Errorf("second request: %v, Retry-After %q", err, a.header.Get("Retry-After"))
		}
		// /graphql and /taxii2/ draw on one bucket per address.
		shared, _ := exportServer(t, db, cfg)
		resp, err := http.Get(shared.URL + "/graphql?query=%7B__typename%7D")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("/graphql: %d", resp.StatusCode)
		}
		if err := taxiiGet(t, shared.URL, "/taxii2/", "").taxiiErr(429, server.CodeRateLimited); err != nil {
			t.Errorf("/taxii2/ after /graphql spent the burst: %v", err)
		}
	})
}

// TestTAXIIRequestsAreCounted: /taxii2/ is counted on its own route, its TAXII-shaped errors by
// their code (error_code) like GraphQL's, a gzipped page as an answer without a code. Controls:
// the refusal is not counted without its code (406 none), nor under /export.
func TestTAXIIRequestsAreCounted(t *testing.T) {
	db := seededDB(t)
	m := server.NewMetrics()
	svc := server.Services{Graph: db, Analyst: db, Cypher: db, Tokens: db, DB: db, Whole: db, Metrics: m}
	api := httptest.NewServer(server.NewServer(zerolog.Nop(), server.DefaultConfig(), svc))
	t.Cleanup(api.Close)
	ms := httptest.NewServer(m.Handler())
	t.Cleanup(ms.Close)
	before := scrape(t, ms.URL)
	if err := taxiiGet(t, api.URL, "/taxii2/", "application/json").taxiiErr(406, server.CodeNotAcceptable); err != nil {
		t.Fatal(err)
	}
	a := taxiiGet(t, api.URL, taxiiObjects+"?limit=100", "", "Accept-Encoding", "gzip")
	if a.status != http.StatusOK || a.header.Get("Content-Encoding") != "gzip" {
		t.Errorf("a page with Accept-Encoding gzip: %d, Content-Encoding %q", a.status, a.header.Get("Content-Encoding"))
	}
	if err := taxiiGet(t, api.URL, taxiiObjects+"?limit=-1", "", "Accept-Encoding", "gzip").taxiiErr(400, incidentgraph.EINVALID); err != nil {
		t.Error(err) // small error answers stay uncompressed (gzhttp's minimum size)
	}
	after := scrape(t, ms.URL)
	for _, err := range []error{
		moved(before, after, "incidentgraph_http_requests_total", series("/taxii2/", "406", server.CodeNotAcceptable), 1),
		moved(before, after, "incidentgraph_http_requests_total", series("/taxii2/", "200", "none"), 1),
		moved(before, after, "incidentgraph_http_requests_total", series("/taxii2/", "400", incidentgraph.EINVALID), 1),
		moved(before, after, "incidentgraph_http_requests_total", series("/taxii2/", "406", "none"), 0),
		moved(before, after, "incidentgraph_http_requests_total", map[string]string{"route": "/export"}, 0),
	} {
		if err != nil {
			t.Error(err)
		}
	}
}

// TestTAXIIPatternCollectionsPassTheOASISValidator: the objects of each saved pattern's
// collection, as a bundle, pass the OASIS STIX validator as strictly as the export's bundles
// (stix_test.go), references enforced: a pattern's graph is a subgraph, and its bundle must not
// name objects it leaves out. Control: the same bundle with a relationship pointing outside it
// fails.
func TestTAXIIPatternCollectionsPassTheOASISValidator(t *testing.T) {
	db := seededDB(t)
	ts := taxiiServer(t, db, server.DefaultConfig())
	var list struct {
		Collections []struct{ ID, Title string }
	}
	taxiiGet(t, ts.URL, taxiiCollections, "").ok(t, &list)
	dir := t.TempDir()
	var files []string
	var first []byte
	for _, c := range list.Collections {
		if c.ID == server.TAXIIWholeGraphCollection {
			continue // stix_test.go validates the whole graph's bundle
		}
		var env struct{ Objects []json.RawMessage }
		taxiiGet(t, ts.URL, taxiiCollections+c.ID+"/objects/?limit=1000", "").ok(t, &env)
		b, err := json.Marshal(map[string]any{"type": "bundle", "id": "bundle--" + c.ID, "objects": env.Objects})
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, strings.TrimPrefix(c.Title, "Pattern ")+".json")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, path)
		if first == nil {
			first = b
		}
	}
	if len(files) == 0 {
		t.Fatal("no pattern collections")
	}
	dangling := filepath.Join(dir, "control-dangling-target.json")
	if err := os.WriteFile(dangling, breakBundle(t, first, func(objects []map[string]any) {
		for _, o := range objects {
			if o["type"] == "relationship" {
				o["target_ref"] = "location--00000000-0000-5000-8000-000000000000"
				return
			}
		}
	}), 0o644); err != nil {
		t.Fatal(err)
	}
	results, _ := validateSTIX(t, append(files, dangling)...)
	for _, f := range files {
		r := results[f]
		t.Logf("%s: valid %v, %d errors, %d warnings", filepath.Base(f), r.Valid, len(r.Errors), len(r.Warnings))
		if !r.Valid || len(r.Errors) > 0 || len(r.Warnings) > 0 {
			t.Errorf("%s: valid %v, errors %v, warnings %v", filepath.Base(f), r.Valid, r.Errors, r.Warnings)
		}
	}
	if r := results[dangling]; r.Valid || len(r.Errors) == 0 {
		t.Error("control: a relationship pointing outside the bundle passes the validator")
	}
}
