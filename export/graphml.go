package export

import (
	"encoding/xml"
	"io"
)

// GraphML (http://graphml.graphdrawing.org/): every attribute declared once as a typed <key>
// (attr.type string, int, double or boolean), node and edge values as <data>. Gephi takes the
// "label" keys as captions; yEd maps any key to labels or colours with its Properties Mapper.

const graphMLNamespace = "http://graphml.graphdrawing.org/xmlns"

type gmlDocument struct {
	XMLName        xml.Name `xml:"graphml"`
	XMLNS          string   `xml:"xmlns,attr"`
	XSI            string   `xml:"xmlns:xsi,attr"`
	SchemaLocation string   `xml:"xsi:schemaLocation,attr"`
	Keys           []gmlKey `xml:"key"`
	Graph          gmlGraph `xml:"graph"`
}

type gmlKey struct {
	ID   string `xml:"id,attr"`
	For  string `xml:"for,attr"`
	Name string `xml:"attr.name,attr"`
	Type string `xml:"attr.type,attr"`
}

type gmlGraph struct {
	ID          string    `xml:"id,attr"`
	EdgeDefault string    `xml:"edgedefault,attr"`
	Data        []gmlData `xml:"data"`
	Nodes       []gmlNode `xml:"node"`
	Edges       []gmlEdge `xml:"edge"`
}

type gmlNode struct {
	ID   string    `xml:"id,attr"`
	Data []gmlData `xml:"data"`
}

type gmlEdge struct {
	ID     string    `xml:"id,attr"`
	Source string    `xml:"source,attr"`
	Target string    `xml:"target,attr"`
	Data   []gmlData `xml:"data"`
}

type gmlData struct {
	Key   string `xml:"key,attr"`
	Value string `xml:",chardata"`
}

func writeGraphML(w io.Writer, d *Document) error {
	doc := gmlDocument{
		XMLNS:          graphMLNamespace,
		XSI:            "http://www.w3.org/2001/XMLSchema-instance",
		SchemaLocation: graphMLNamespace + " http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd",
		Keys: []gmlKey{
			{ID: "g_name", For: "graph", Name: "name", Type: string(tString)},
			{ID: "g_truncated", For: "graph", Name: "truncated", Type: string(tBoolean)},
			{ID: "n_label", For: "node", Name: "label", Type: string(tString)},
			{ID: "n_kind", For: "node", Name: "kind", Type: string(tString)},
		},
		Graph: gmlGraph{ID: d.Name, EdgeDefault: "directed", Data: []gmlData{
			{Key: "g_name", Value: d.Name}, {Key: "g_truncated", Value: boolText(d.Truncated)}}},
	}
	for _, a := range nodeAttrs {
		doc.Keys = append(doc.Keys, gmlKey{ID: "n_" + a.name, For: "node", Name: a.name, Type: string(a.typ)})
	}
	doc.Keys = append(doc.Keys, gmlKey{ID: "e_label", For: "edge", Name: "label", Type: string(tString)})
	for _, a := range edgeAttrs {
		doc.Keys = append(doc.Keys, gmlKey{ID: "e_" + a.name, For: "edge", Name: a.name, Type: string(a.typ)})
	}
	for _, n := range d.Nodes {
		node := gmlNode{ID: n.ID, Data: []gmlData{{Key: "n_label", Value: label(n)}, {Key: "n_kind", Value: string(n.Kind)}}}
		for _, a := range nodeAttrs {
			if v, ok := a.value(n); ok {
				node.Data = append(node.Data, gmlData{Key: "n_" + a.name, Value: v})
			}
		}
		doc.Graph.Nodes = append(doc.Graph.Nodes, node)
	}
	for _, r := range d.Edges {
		edge := gmlEdge{ID: r.ID, Source: r.FromID, Target: r.ToID, Data: []gmlData{{Key: "e_label", Value: string(r.Type)}}}
		for _, a := range edgeAttrs {
			if v, ok := a.value(r, d); ok {
				edge.Data = append(edge.Data, gmlData{Key: "e_" + a.name, Value: v})
			}
		}
		doc.Graph.Edges = append(doc.Graph.Edges, edge)
	}
	return writeXML(w, doc)
}

func writeXML(w io.Writer, doc any) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
