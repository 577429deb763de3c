package neo4j

import (
	"context"
	"slices"

	"github.com/incidentgraph/incidentgraph"
)

// typeSpec is the relationship type expression for a pattern (":A|B") when a filter names
// types, so that Neo4j follows only those links instead of reading every link of a node and
// testing its type (a group with thousands of incidents has thousands of links). Only types of
// the vocabulary are spliced; with none named it is empty (every type, tested by relPredicate).
// Each set of types has its own text, hence its own cached plan; clients name few sets.
func typeSpec(ts []incidentgraph.RelType) string {
	var ok []incidentgraph.RelType
	for _, t := range ts {
		if _, known := incidentgraph.LookupRelType(t); known && !slices.Contains(ok, t) {
			ok = append(ok, t)
		}
	}
	if len(ok) == 0 {
		return ""
	}
	return ":" + typeAlternation(ok)
}

func filterParams(f incidentgraph.RelationshipFilter) map[string]any {
	types := f.Types
	if len(types) == 0 {
		types = incidentgraph.RelTypes()
	}
	ts := make([]string, len(types))
	for i, t := range types {
		ts[i] = string(t)
	}
	ss := make([]string, len(f.Statuses))
	for i, s := range f.Statuses {
		ss[i] = string(s)
	}
	var by any
	if f.AssertedBy != "" {
		by = f.AssertedBy
	}
	params := timeViewParams(incidentgraph.TimeView{KnownAt: f.KnownAt, ValidAt: f.ValidAt})
	params["types"], params["statuses"], params["minConfidence"], params["assertedBy"] = ts, ss, f.MinConfidence, by
	params["includeRetracted"] = f.IncludeRetracted
	return params
}

// relFields returns a relationship as a map with its ends; relFromMap reads it back.
const relFields = `{props: properties(r), type: type(r), from: startNode(r).id, to: endNode(r).id}`

func relFromMap(m map[string]any) *incidentgraph.Relationship {
	p, _ := m["props"].(map[string]any)
	return &incidentgraph.Relationship{
		ID:           str(p, "id"),
		Type:         incidentgraph.RelType(str(m, "type")),
		FromID:       str(m, "from"),
		ToID:         str(m, "to"),
		Status:       incidentgraph.Status(str(p, "status")),
		Confidence:   integer(p, "confidence"),
		AssertedByID: str(p, "assertedBy"),
		SourceIDs:    strs(p, "sources"),
		Quote:        str(p, "quote"),
		Basis:        str(p, "basis"),
		ValidFrom:    incidentgraph.PartialDate(str(p, "validFrom")),
		ValidTo:      incidentgraph.PartialDate(str(p, "validTo")),
		AssertedOn:   incidentgraph.PartialDate(str(p, "assertedOn")),
		Note:         str(p, "note"),
		Version:      versionOf(p),
		Retraction:   retractionOf(p),
		Origin:       str(p, "origin"),

		FromNameAsGiven: str(p, "fromNameAsGiven"),
		ToNameAsGiven:   str(p, "toNameAsGiven"),
	}
}

// retractionOf reads a relationship's retraction from its properties (nil: none).
func retractionOf(p map[string]any) *incidentgraph.Retraction {
	if p["retractedAt"] == nil {
		return nil
	}
	return &incidentgraph.Retraction{By: str(p, "retractedBy"), At: toTime(p["retractedAt"]), Reason: str(p, "retractionReason")}
}

func relProps(r *incidentgraph.Relationship) map[string]any {
	p := map[string]any{
		"id": r.ID, "status": string(r.Status), "confidence": int64(r.Confidence),
		"assertedBy": r.AssertedByID, "sources": nonNil(r.SourceIDs),
	}
	for k, v := range map[string]string{
		"quote": r.Quote, "basis": r.Basis, "validFrom": string(r.ValidFrom), "validTo": string(r.ValidTo),
		"assertedOn": string(r.AssertedOn), "note": r.Note,
		"fromNameAsGiven": r.FromNameAsGiven, "toNameAsGiven": r.ToNameAsGiven,
	} {
		if v != "" {
			p[k] = v
		}
	}
	return p
}

// FindRelationships returns the relationships of each entity, strongest first, in one query
// however many entities are asked about.
func (db *DB) FindRelationships(ctx context.Context, ids []string, f incidentgraph.RelationshipFilter, limit int) (map[string][]*incidentgraph.Relationship, error) {
	params := filterParams(f)
	params["ids"] = ids
	params["limit"] = limit
	params["out"] = f.Direction != incidentgraph.Incoming
	params["in"] = f.Direction != incidentgraph.Outgoing
	res, err := db.read(ctx, `
		UNWIND $ids AS id
		MATCH (n:Entity {id: id})
		CALL (n) {
			MATCH (n)-[r`+typeSpec(f.Types)+`]-(:Entity)
			WHERE `+relPredicate+`
			  AND ((startNode(r) = n AND $out) OR (endNode(r) = n AND $in))
			RETURN r ORDER BY r.confidence DESC, type(r), r.id
			LIMIT $limit
		}
		RETURN id, collect(`+relFields+`) AS rels`, params)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]*incidentgraph.Relationship, len(ids))
	for _, rec := range res.Records {
		id, _ := rec.Get("id")
		rels, _ := rec.Get("rels")
		list := []*incidentgraph.Relationship{}
		for _, x := range rels.([]any) {
			list = append(list, relFromMap(x.(map[string]any)))
		}
		out[id.(string)] = list
	}
	return out, nil
}

// FindFigures returns the figures reported about each subject, oldest first. With a time view,
// only the reports known at tv.KnownAt (made by then, on a source published by then) and those
// reported as of a day no later than tv.ValidAt count.
func (db *DB) FindFigures(ctx context.Context, subjectIDs []string, tv incidentgraph.TimeView) (map[string][]*incidentgraph.Figure, error) {
	params := timeViewParams(tv)
	params["ids"] = subjectIDs
	res, err := db.read(ctx, `
		MATCH (f:Figure) WHERE f.subject IN $ids
		  AND `+figureInTimeView("f")+`
		WITH f ORDER BY f.asOf, f.metric, f.id
		RETURN f.subject AS subject, collect(properties(f)) AS figures`, params)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]*incidentgraph.Figure, len(subjectIDs))
	for _, rec := range res.Records {
		s, _ := rec.Get("subject")
		fs, _ := rec.Get("figures")
		for _, x := range fs.([]any) {
			out[s.(string)] = append(out[s.(string)], figureFromProps(x.(map[string]any)))
		}
	}
	return out, nil
}

func figureProps(f *incidentgraph.Figure) map[string]any {
	p := map[string]any{
		"id": f.ID, "subject": f.SubjectID, "metric": f.Metric, "value": int64(f.Value),
		"qualifier": f.Qualifier, "asOf": string(f.AsOf), "status": string(f.Status),
		"confidence": int64(f.Confidence), "assertedBy": f.AssertedByID, "sources": nonNil(f.SourceIDs),
	}
	for k, v := range map[string]string{"population": f.Population, "quote": f.Quote, "note": f.Note} {
		if v != "" {
			p[k] = v
		}
	}
	return p
}

func figureFromProps(p map[string]any) *incidentgraph.Figure {
	return &incidentgraph.Figure{
		ID:           str(p, "id"),
		SubjectID:    str(p, "subject"),
		Metric:       str(p, "metric"),
		Value:        integer(p, "value"),
		Qualifier:    str(p, "qualifier"),
		Population:   str(p, "population"),
		AsOf:         incidentgraph.PartialDate(str(p, "asOf")),
		Status:       incidentgraph.Status(str(p, "status")),
		Confidence:   integer(p, "confidence"),
		AssertedByID: str(p, "assertedBy"),
		SourceIDs:    strs(p, "sources"),
		Quote:        str(p, "quote"),
		Note:         str(p, "note"),
	}
}
