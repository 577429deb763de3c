package export_test

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/incidentgraph/incidentgraph/export"
	"github.com/incidentgraph/incidentgraph/stix"
)

// The tests' readers of each format: independent of the writers (their own element structures,
// the standard parsers), they turn a file back into nodes and edges with attributes by name, so
// that one oracle compares every format with the subgraph.

type parsedNode struct {
	ID     string
	Attrs  map[string]string
	Spells [][2]string // GEXF only
}

type parsedEdge struct {
	ID, Source, Target string
	Attrs              map[string]string
	Spells             [][2]string
}

type parsed struct {
	Nodes map[string]parsedNode
	Edges map[string]parsedEdge
	Order []string // node ids then edge ids, as they appear in the file
}

func newParsed() *parsed {
	return &parsed{Nodes: map[string]parsedNode{}, Edges: map[string]parsedEdge{}}
}

func (p *parsed) addNode(n parsedNode) error {
	if _, dup := p.Nodes[n.ID]; dup {
		return fmt.Errorf("node %s twice", n.ID)
	}
	p.Nodes[n.ID] = n
	p.Order = append(p.Order, "n:"+n.ID)
	return nil
}

func (p *parsed) addEdge(e parsedEdge) error {
	if _, dup := p.Edges[e.ID]; dup {
		return fmt.Errorf("edge %s twice", e.ID)
	}
	p.Edges[e.ID] = e
	p.Order = append(p.Order, "e:"+e.ID)
	return nil
}

func parse(t *testing.T, f export.Format, b []byte) *parsed {
	t.Helper()
	var p *parsed
	var err error
	switch f {
	case export.Cytoscape:
		p, err = parseCytoscape(b)
	case export.GraphML:
		p, err = parseGraphML(b)
	case export.GEXF:
		p, err = parseGEXF(b)
	case export.CSV:
		p, err = parseCSV(b)
	case export.STIX:
		p, err = parseSTIX(b)
	}
	if err != nil {
		t.Fatalf("%s: %v", f, err)
	}
	return p
}

func parseCytoscape(b []byte) (*parsed, error) {
	var doc struct {
		Data     map[string]any `json:"data"`
		Elements struct {
			Nodes []struct {
				Data map[string]any `json:"data"`
			} `json:"nodes"`
			Edges []struct {
				Data map[string]any `json:"data"`
			} `json:"edges"`
		} `json:"elements"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	if doc.Elements.Nodes == nil || doc.Elements.Edges == nil {
		return nil, fmt.Errorf("elements.nodes or elements.edges missing")
	}
	str := func(m map[string]any) map[string]string {
		out := map[string]string{}
		for k, v := range m {
			switch x := v.(type) {
			case string:
				out[k] = x
			default:
				j, _ := json.Marshal(x)
				out[k] = string(j)
			}
		}
		return out
	}
	p := newParsed()
	for _, n := range doc.Elements.Nodes {
		id, ok := n.Data["id"].(string)
		if !ok {
			return nil, fmt.Errorf("node without a string data.id: %v", n.Data)
		}
		if err := p.addNode(parsedNode{ID: id, Attrs: str(n.Data)}); err != nil {
			return nil, err
		}
	}
	for _, e := range doc.Elements.Edges {
		id, _ := e.Data["id"].(string)
		src, _ := e.Data["source"].(string)
		tgt, _ := e.Data["target"].(string)
		if id == "" || src == "" || tgt == "" {
			return nil, fmt.Errorf("edge without string id, source and target: %v", e.Data)
		}
		if err := p.addEdge(parsedEdge{ID: id, Source: src, Target: tgt, Attrs: str(e.Data)}); err != nil {
			return nil, err
		}
	}
	return p, nil
}

type xmlData struct {
	Key   string `xml:"key,attr"`
	Value string `xml:",chardata"`
}

type graphMLDoc struct {
	XMLName xml.Name `xml:"http://graphml.graphdrawing.org/xmlns graphml"`
	Keys    []struct {
		ID   string `xml:"id,attr"`
		For  string `xml:"for,attr"`
		Name string `xml:"attr.name,attr"`
		Type string `xml:"attr.type,attr"`
	} `xml:"key"`
	Graph struct {
		EdgeDefault string    `xml:"edgedefault,attr"`
		Data        []xmlData `xml:"data"`
		Nodes       []struct {
			ID   string    `xml:"id,attr"`
			Data []xmlData `xml:"data"`
		} `xml:"node"`
		Edges []struct {
			ID     string    `xml:"id,attr"`
			Source string    `xml:"source,attr"`
			Target string    `xml:"target,attr"`
			Data   []xmlData `xml:"data"`
		} `xml:"edge"`
	} `xml:"graph"`
}

func decodeGraphML(b []byte) (*graphMLDoc, error) {
	var doc graphMLDoc
	if err := xml.Unmarshal(b, &doc); err != nil {
		return nil, err
	}
	return &doc, nil
}

func parseGraphML(b []byte) (*parsed, error) {
	doc, err := decodeGraphML(b)
	if err != nil {
		return nil, err
	}
	keys := map[string]string{} // id -> for:name
	for _, k := range doc.Keys {
		switch k.Type {
		case "string", "int", "double", "boolean", "long", "float":
		default:
			return nil, fmt.Errorf("key %s has attr.type %q", k.ID, k.Type)
		}
		keys[k.ID] = k.For + ":" + k.Name
	}
	attrs := func(for_ string, ds []xmlData) (map[string]string, error) {
		out := map[string]string{}
		for _, d := range ds {
			fn, ok := keys[d.Key]
			if !ok || fn[:len(for_)+1] != for_+":" {
				return nil, fmt.Errorf("data with undeclared %s key %q", for_, d.Key)
			}
			out[fn[len(for_)+1:]] = d.Value
		}
		return out, nil
	}
	p := newParsed()
	for _, n := range doc.Graph.Nodes {
		a, err := attrs("node", n.Data)
		if err != nil {
			return nil, err
		}
		if err := p.addNode(parsedNode{ID: n.ID, Attrs: a}); err != nil {
			return nil, err
		}
	}
	for _, e := range doc.Graph.Edges {
		a, err := attrs("edge", e.Data)
		if err != nil {
			return nil, err
		}
		if err := p.addEdge(parsedEdge{ID: e.ID, Source: e.Source, Target: e.Target, Attrs: a}); err != nil {
			return nil, err
		}
	}
	return p, nil
}

type gexfSpell struct {
	Start string `xml:"start,attr"`
	End   string `xml:"end,attr"`
}

type gexfAttValue struct {
	For   string `xml:"for,attr"`
	Value string `xml:"value,attr"`
}

type gexfDoc struct {
	XMLName xml.Name `xml:"http://gexf.net/1.3 gexf"`
	Version string   `xml:"version,attr"`
	Graph   struct {
		Mode            string `xml:"mode,attr"`
		DefaultEdgeType string `xml:"defaultedgetype,attr"`
		TimeFormat      string `xml:"timeformat,attr"`
		Attributes      []struct {
			Class      string `xml:"class,attr"`
			Attributes []struct {
				ID    string `xml:"id,attr"`
				Title string `xml:"title,attr"`
				Type  string `xml:"type,attr"`
			} `xml:"attribute"`
		} `xml:"attributes"`
		Nodes []struct {
			ID        string         `xml:"id,attr"`
			Label     string         `xml:"label,attr"`
			AttValues []gexfAttValue `xml:"attvalues>attvalue"`
			Spells    []gexfSpell    `xml:"spells>spell"`
		} `xml:"nodes>node"`
		Edges []struct {
			ID        string         `xml:"id,attr"`
			Source    string         `xml:"source,attr"`
			Target    string         `xml:"target,attr"`
			Label     string         `xml:"label,attr"`
			AttValues []gexfAttValue `xml:"attvalues>attvalue"`
			Spells    []gexfSpell    `xml:"spells>spell"`
		} `xml:"edges>edge"`
	} `xml:"graph"`
}

func decodeGEXF(b []byte) (*gexfDoc, error) {
	var doc gexfDoc
	if err := xml.Unmarshal(b, &doc); err != nil {
		return nil, err
	}
	return &doc, nil
}

func parseGEXF(b []byte) (*parsed, error) {
	doc, err := decodeGEXF(b)
	if err != nil {
		return nil, err
	}
	declared := map[string]map[string]string{"node": {}, "edge": {}} // class -> id -> title
	for _, as := range doc.Graph.Attributes {
		for _, a := range as.Attributes {
			declared[as.Class][a.ID] = a.Title
		}
	}
	attrs := func(class string, vs []gexfAttValue) (map[string]string, error) {
		out := map[string]string{}
		for _, v := range vs {
			title, ok := declared[class][v.For]
			if !ok {
				return nil, fmt.Errorf("attvalue for undeclared %s attribute %q", class, v.For)
			}
			out[title] = v.Value
		}
		return out, nil
	}
	spells := func(ss []gexfSpell) [][2]string {
		var out [][2]string
		for _, s := range ss {
			out = append(out, [2]string{s.Start, s.End})
		}
		return out
	}
	p := newParsed()
	for _, n := range doc.Graph.Nodes {
		a, err := attrs("node", n.AttValues)
		if err != nil {
			return nil, err
		}
		a["label"] = n.Label
		if err := p.addNode(parsedNode{ID: n.ID, Attrs: a, Spells: spells(n.Spells)}); err != nil {
			return nil, err
		}
	}
	for _, e := range doc.Graph.Edges {
		a, err := attrs("edge", e.AttValues)
		if err != nil {
			return nil, err
		}
		a["label"] = e.Label
		if err := p.addEdge(parsedEdge{ID: e.ID, Source: e.Source, Target: e.Target, Attrs: a, Spells: spells(e.Spells)}); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// readZip returns the zip's files by name, in the zip's order.
func readZip(b []byte) (map[string][][]string, []string, error) {
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, nil, err
	}
	files := map[string][][]string{}
	var names []string
	for _, f := range z.File {
		rc, err := f.Open()
		if err != nil {
			return nil, nil, err
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, nil, err
		}
		rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %v", f.Name, err)
		}
		files[f.Name] = rows
		names = append(names, f.Name)
	}
	return files, names, nil
}

func parseCSV(b []byte) (*parsed, error) {
	files, _, err := readZip(b)
	if err != nil {
		return nil, err
	}
	nodes, edges := files["nodes.csv"], files["edges.csv"]
	if len(nodes) == 0 || len(edges) == 0 {
		return nil, fmt.Errorf("the zip lacks nodes.csv or edges.csv (or their headers)")
	}
	row := func(header, r []string) map[string]string {
		out := map[string]string{}
		for i, h := range header {
			if r[i] != "" {
				out[h] = r[i]
			}
		}
		return out
	}
	p := newParsed()
	for _, r := range nodes[1:] {
		a := row(nodes[0], r)
		if err := p.addNode(parsedNode{ID: a["Id"], Attrs: a}); err != nil {
			return nil, err
		}
	}
	for _, r := range edges[1:] {
		a := row(edges[0], r)
		if err := p.addEdge(parsedEdge{ID: a["Id"], Source: a["Source"], Target: a["Target"], Attrs: a}); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// parseSTIX reads a STIX bundle back into the subgraph its grouping names: each node from its
// object's name and our extension, each edge from its relationship object, its ends mapped
// back to our ids, and its provenance from the extension and the asserting party's identity.
func parseSTIX(b []byte) (*parsed, error) {
	var bundle struct {
		Type    string           `json:"type"`
		Objects []map[string]any `json:"objects"`
	}
	if err := json.Unmarshal(b, &bundle); err != nil {
		return nil, err
	}
	if bundle.Type != "bundle" {
		return nil, fmt.Errorf("type %q, want bundle", bundle.Type)
	}
	ext := func(o map[string]any) map[string]any {
		exts, _ := o["extensions"].(map[string]any)
		x, _ := exts[stix.ExtensionID].(map[string]any)
		return x
	}
	text := func(v any) string {
		switch x := v.(type) {
		case nil:
			return ""
		case string:
			return x
		case float64:
			return strconv.FormatFloat(x, 'f', -1, 64)
		case []any:
			var parts []string
			for _, item := range x {
				s, _ := item.(string)
				parts = append(parts, s)
			}
			return strings.Join(parts, " | ")
		default:
			j, _ := json.Marshal(x)
			return string(j)
		}
	}
	objects := map[string]map[string]any{}
	ours := map[string]string{} // STIX id → our id
	var subgraph []any
	for _, o := range bundle.Objects {
		id, _ := o["id"].(string)
		objects[id] = o
		x := ext(o)
		if x["derived"] == "export" {
			subgraph, _ = o["object_refs"].([]any)
		} else if x != nil && x["derived"] == nil && x["id"] != nil {
			ours[id] = text(x["id"])
		}
	}
	in := map[string]bool{}
	for _, r := range subgraph {
		in[text(r)] = true
	}
	p := newParsed()
	for _, o := range bundle.Objects {
		id := text(o["id"])
		if !in[id] {
			continue
		}
		x := ext(o)
		if o["type"] != "relationship" {
			attrs := map[string]string{"label": text(o["name"])}
			for k, v := range x {
				attrs[k] = text(v)
			}
			if err := p.addNode(parsedNode{ID: ours[id], Attrs: attrs}); err != nil {
				return nil, err
			}
			continue
		}
		src, tgt := ours[text(o["source_ref"])], ours[text(o["target_ref"])]
		if src == "" || tgt == "" {
			return nil, fmt.Errorf("relationship %s: ends %v, %v are not objects of the subgraph", id, o["source_ref"], o["target_ref"])
		}
		party := objects[text(o["created_by_ref"])]
		var sources []string
		refs, _ := o["external_references"].([]any)
		for _, r := range refs {
			ref, _ := r.(map[string]any)
			if ref["source_name"] != "incidentgraph" {
				sources = append(sources, text(ref["description"])+" "+text(ref["url"]))
			}
		}
		attrs := map[string]string{
			"type": text(x["type"]), "status": text(x["status"]), "confidence": text(o["confidence"]),
			"assertedById": text(x["asserted_by"]), "assertedBy": text(party["name"]),
			"validFrom": text(x["valid_from"]), "validTo": text(x["valid_to"]), "assertedOn": text(x["asserted_on"]),
			"quote": text(x["quote"]), "sourceIds": text(x["source_ids"]), "sources": strings.Join(sources, " | "),
		}
		if err := p.addEdge(parsedEdge{ID: text(x["id"]), Source: src, Target: tgt, Attrs: attrs}); err != nil {
			return nil, err
		}
	}
	return p, nil
}
