package neo4j

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/dbtype"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/cypherlex"
)

// RunCypher runs an analyst's query read-only and returns at most limit rows (0 means
// incidentgraph.DefaultCypherRows). Every layer refuses on its own: the input and lexical checks
// (cypherguard.go), then EXPLAIN's statement type and plan, then a read transaction with the
// query timeout, in which even a write that slipped through would fail. Refusals are ECYPHER,
// client mistakes (syntax, bad parameters, limits) EINVALID, a query past its time TIMEOUT.
//
// Rows map each column to a JSON-ready value: an Entity node is {"id","kind","name"}, a Figure
// node its properties, any other node null; a relationship is {"id","type","source","target",
// "status","confidence","assertedBy"} with source and target entity ids; a path is
// {"nodes":[entity ids],"edges":[relationship ids]}; temporal values are ISO 8601 strings,
// points {"srid","x","y"[,"z"]}, non-finite floats the strings "NaN", "Infinity", "-Infinity",
// byte arrays base64 strings. Graph holds every Entity node and every relationship between
// entities that the rows mention (paths included), once each, with the relationships' ends
// fetched in the same transaction when the rows did not return them. Reading stops, with
// Truncated set, at the first row past limit, or the row that would take the rows past
// incidentgraph.MaxCypherBytes (as JSON) or the graph past incidentgraph.MaxCypherGraphItems.
func (db *DB) RunCypher(ctx context.Context, query string, params map[string]any, limit int) (*incidentgraph.CypherResult, error) {
	if limit == 0 {
		limit = incidentgraph.DefaultCypherRows
	}
	if limit < 1 || limit > incidentgraph.MaxCypherRows {
		return nil, invalid("limit must be between 1 and %d", incidentgraph.MaxCypherRows)
	}
	text, p, err := prepareCypher(query, params)
	if err != nil {
		return nil, err
	}
	return readTx(ctx, db, func(tx driver.ManagedTransaction) (*incidentgraph.CypherResult, error) {
		if !db.explained.Contains(query) {
			if err := db.explain(ctx, tx, query, text, p); err != nil {
				return nil, err
			}
			db.explained.Add(query, struct{}{})
		}
		return runCypher(ctx, tx, text, p, limit)
	})
}

// runChecked runs a query that passed CheckCypher when it was taken into use (a saved
// pattern): the text cannot have changed since, and its parameters are typed values that the
// guard's refusal of dynamic labels keeps out of the plan's shape, so the EXPLAIN round trip is
// not repeated. It still runs in a read transaction with the time limit and every cap.
func (db *DB) runChecked(ctx context.Context, query string, params map[string]any, limit int) (*incidentgraph.CypherResult, error) {
	if limit == 0 {
		limit = incidentgraph.DefaultCypherRows
	}
	if limit < 1 || limit > incidentgraph.MaxCypherRows {
		return nil, invalid("limit must be between 1 and %d", incidentgraph.MaxCypherRows)
	}
	p, err := checkInput(query, params)
	if err != nil {
		return nil, err
	}
	text, toks, err := readCypher(query)
	if err != nil {
		return nil, err
	}
	text = narrow(text, toks, p)
	return readTx(ctx, db, func(tx driver.ManagedTransaction) (*incidentgraph.CypherResult, error) {
		return runCypher(ctx, tx, text, p, limit)
	})
}

// CheckCypher makes every check RunCypher makes, EXPLAIN included, without running the query.
func (db *DB) CheckCypher(ctx context.Context, query string, params map[string]any) error {
	text, p, err := prepareCypher(query, params)
	if err != nil {
		return err
	}
	_, err = readTx(ctx, db, func(tx driver.ManagedTransaction) (bool, error) {
		return true, db.explain(ctx, tx, query, text, p)
	})
	return err
}

// guardText makes the checks that need no database and returns the parameters as the driver
// receives them.
func guardText(query string, params map[string]any) (map[string]any, error) {
	_, p, err := prepareCypher(query, params)
	return p, err
}

// prepareCypher makes guardText's checks and returns the text to run: the query with its
// listing procedures narrowed to the domain (restrictProcedures), and the parameters.
func prepareCypher(query string, params map[string]any) (string, map[string]any, error) {
	p, err := checkInput(query, params)
	if err != nil {
		return "", nil, err
	}
	text, toks, err := readCypher(query)
	if err != nil {
		return "", nil, err
	}
	if err := checkTokens(toks); err != nil {
		return "", nil, err
	}
	return narrow(text, toks, p), p, nil
}

// narrow rewrites the query's listing procedures and adds the lists their filters read to p.
func narrow(query string, toks []cypherlex.Token, p map[string]any) string {
	text, changed := restrictProcedures(query, toks)
	if changed {
		maps.Copy(p, domainParams())
	}
	return text
}

const explainPrefix = "EXPLAIN "

// explain asks Neo4j to plan the query, which it does without running it, and refuses a plan
// that writes, leaves the graph's database, reads what analysts may not read, or calls a
// procedure outside the allow-list. query is the analyst's text, text what will run (the same,
// or with listing procedures narrowed): Neo4j's verdict on a mistake is taken on query, so that
// its positions are the analyst's own, and the plan that is checked is text's.
func (db *DB) explain(ctx context.Context, tx driver.ManagedTransaction, query, text string, params map[string]any) error {
	outside, outsideTypes, err := nonDomainNames(ctx, tx)
	if err != nil {
		return err
	}
	sum, err := explainSummary(ctx, tx, query, params)
	if err != nil {
		return err
	}
	if text != query {
		if sum, err = explainSummary(ctx, tx, text, params); err != nil {
			return fmt.Errorf("neo4j: the narrowed query does not plan where the analyst's does: %w", err)
		}
	}
	switch sum.StatementType() {
	case driver.StatementTypeReadOnly:
	case driver.StatementTypeSchemaWrite:
		return refuse("administration and schema commands are not allowed")
	default:
		return refuse("writes are not allowed: the query would create or change data")
	}
	name := sum.Database().Name()
	if db.cfg.Database != "" && name != db.cfg.Database {
		return refuse("USE is not allowed: queries run on the graph's own database")
	}
	if sum.Plan() == nil {
		return errors.New("neo4j: EXPLAIN returned no plan")
	}
	return checkPlan(sum.Plan(), name, outside, outsideTypes)
}

func explainSummary(ctx context.Context, tx driver.ManagedTransaction, query string, params map[string]any) (driver.ResultSummary, error) {
	res, err := tx.Run(ctx, explainPrefix+query, params)
	if err != nil {
		return nil, cypherError(err, len(explainPrefix))
	}
	sum, err := res.Consume(ctx)
	if err != nil {
		return nil, cypherError(err, len(explainPrefix))
	}
	return sum, nil
}

// nonDomainNames lists the labels and relationship types the database holds that are not the
// domain's (all of them, and the types alone): what the plan of an analyst's query may not
// mention, whatever the text's spelling.
func nonDomainNames(ctx context.Context, tx driver.ManagedTransaction) (names []string, types bool, err error) {
	recs, err := records(ctx, tx, `
		CALL db.labels() YIELD label WITH collect(label) AS labels
		CALL db.relationshipTypes() YIELD relationshipType
		RETURN labels, collect(relationshipType) AS types`, nil)
	if err != nil {
		return nil, false, err
	}
	for _, rec := range recs {
		for i, v := range rec.Values {
			list, _ := v.([]any)
			for _, n := range list {
				if s, ok := n.(string); ok && !isDomainName(s) {
					names = append(names, s)
					types = types || i == 1
				}
			}
		}
	}
	return names, types, nil
}

// checkPlan walks the plan's operators. Internal ids are refused because element ids are
// guessable from any returned one and would reach nodes no label scan may reach. outside are the
// database's labels and types that are not the domain's: an operator that mentions one is
// refused, so a spelling the text check did not foresee still cannot reach them; while the
// database holds a relationship type outside the domain (outsideTypes), a scan of every
// relationship, which would meet it unnamed, is refused too.
func checkPlan(p driver.Plan, database string, outside []string, outsideTypes bool) error {
	op, on, _ := strings.Cut(p.Operator(), "@")
	if on != "" && on != database {
		return refuse("USE is not allowed: queries run on the graph's own database")
	}
	details, _ := p.Arguments()["Details"].(string)
	switch {
	case op == "AllNodesScan":
		return refuse("scanning every node is not allowed: start from a label, e.g. MATCH (n:Entity)")
	case outsideTypes && strings.HasSuffix(op, "AllRelationshipsScan"):
		return refuse("scanning every relationship is not allowed here: name the relationship types, e.g. MATCH ()-[r:AFFILIATE_OF]->()")
	case op == "LoadCSV":
		return refuse("LOAD CSV is not allowed")
	case op == "TransactionForeach" || op == "TransactionApply":
		return refuse("CALL { ... } IN TRANSACTIONS is not allowed")
	case strings.HasSuffix(op, "ByIdSeek") || strings.HasSuffix(op, "ByElementIdSeek"):
		return refuse("looking up by internal id is not allowed: match by label and id, e.g. MATCH (n:Entity {id: $id})")
	case strings.Contains(op, "Command"):
		return refuse("administration and schema commands are not allowed")
	case op == "ProcedureCall":
		proc, _, _ := strings.Cut(details, "(")
		proc = strings.TrimSpace(proc)
		if !cypherProcedures[strings.ToLower(proc)] {
			return refuse("procedure %s is not in the allow-list", proc)
		}
	}
	for k, v := range p.Arguments() {
		if k == "string-representation" {
			continue
		}
		text := fmt.Sprint(v)
		for _, name := range outside {
			if mentionsName(text, name) {
				return refuseName(name)
			}
		}
	}
	for _, id := range p.Identifiers() {
		for _, name := range outside {
			if mentionsName(id, name) {
				return refuseName(name)
			}
		}
	}
	for _, c := range p.Children() {
		if err := checkPlan(c, database, outside, outsideTypes); err != nil {
			return err
		}
	}
	return nil
}

// mentionsName reports whether name stands in s as a whole word (not inside a longer
// identifier), as a plan's details write labels and types: n:AuditEntry, [r:X], `a b`.
func mentionsName(s, name string) bool {
	isWord := func(c byte) bool {
		return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
	}
	for from := 0; ; {
		i := strings.Index(s[from:], name)
		if i < 0 {
			return false
		}
		i += from
		end := i + len(name)
		if (i == 0 || !isWord(s[i-1])) && (end == len(s) || !isWord(s[end])) {
			return true
		}
		from = i + 1
	}
}

var (
	position = regexp.MustCompile(`\(line (\d+), column (\d+) \(offset: (\d+)\)\)`)
	// javaCause names a Java exception class inside a procedure's error: internal, not the client's.
	javaCause = regexp.MustCompile(`Caused by: ([A-Za-z_$][\w$]*\.)+[\w$]+: `)
)

// cypherError turns Neo4j's verdict on the client's own query into a client error; shift is the
// length of what was put before the query (EXPLAIN), taken back out of positions. Only the first
// line of the message is kept: the rest echoes the statement as sent.
func cypherError(err error, shift int) error {
	var nerr *driver.Neo4jError
	if !errors.As(err, &nerr) {
		return err
	}
	code := nerr.Code
	switch {
	case code == "Neo.ClientError.Statement.AccessMode":
		return refuse("writes are not allowed: the query would create or change data")
	case strings.HasPrefix(code, "Neo.ClientError.Security."):
		return refuse("the query is not allowed")
	case code == "Neo.TransientError.General.MemoryPoolOutOfMemoryError":
		return invalid("the query needs more memory than one query may use: narrow it")
	case strings.HasPrefix(code, "Neo.ClientError.Statement."), strings.HasPrefix(code, "Neo.ClientError.Procedure."):
		msg := strings.TrimSpace(oneLine(errors.New(nerr.Msg)))
		msg = position.ReplaceAllStringFunc(msg, func(s string) string {
			m := position.FindStringSubmatch(s)
			line, _ := strconv.Atoi(m[1])
			col, _ := strconv.Atoi(m[2])
			off, _ := strconv.Atoi(m[3])
			if line == 1 {
				col -= shift
			}
			return fmt.Sprintf("(line %d, column %d (offset: %d))", line, col, off-shift)
		})
		msg = javaCause.ReplaceAllString(msg, "")
		return invalid("%s", msg)
	}
	return err
}

// runCypher runs the checked query and reads its answer within the caps.
func runCypher(ctx context.Context, tx driver.ManagedTransaction, query string, params map[string]any, limit int) (*incidentgraph.CypherResult, error) {
	res, err := tx.Run(ctx, query, params)
	if err != nil {
		return nil, cypherError(err, 0)
	}
	keys, err := res.Keys()
	if err != nil {
		return nil, cypherError(err, 0)
	}
	r := newCypherReader()
	out := &incidentgraph.CypherResult{Columns: keys, Rows: []map[string]any{}}
	size := 0
	for res.Next(ctx) {
		if len(out.Rows) == limit {
			out.Truncated = true
			break
		}
		r.journal = r.journal[:0]
		rec := res.Record()
		row := make(map[string]any, len(rec.Keys))
		for i, k := range rec.Keys {
			row[k] = r.value(rec.Values[i])
		}
		b, err := json.Marshal(row)
		if err != nil {
			return nil, fmt.Errorf("neo4j: cypher row as JSON: %w", err)
		}
		if size += len(b); size > incidentgraph.MaxCypherBytes || r.items() > incidentgraph.MaxCypherGraphItems {
			r.undo()
			out.Truncated = true
			break
		}
		out.Rows = append(out.Rows, row)
	}
	if err := res.Err(); err != nil && !out.Truncated {
		return nil, cypherError(err, 0)
	}
	// Discard the rest on the server: the next statement would otherwise buffer it here.
	if _, err := res.Consume(ctx); err != nil {
		return nil, cypherError(err, 0)
	}
	if err := r.resolveEnds(ctx, tx); err != nil {
		return nil, err
	}
	out.Graph = r.graph()
	out.Graph.Truncated = out.Truncated
	return out, nil
}

// cypherReader turns driver values into JSON-ready ones and gathers the graph they mention.
type cypherReader struct {
	nodes     map[string]*incidentgraph.Entity // Entity nodes by element id
	nodeOrder []string
	rels      map[string]dbtype.Relationship // by element id
	relOrder  []string
	ends      map[string]bool // relationship ends not (yet) seen as Entity nodes
	fixups    []endFixup
	journal   []func() // undoes the current row's additions to the graph
}

// endFixup fills in a row's relationship ends once every end is known.
type endFixup struct {
	m          map[string]any
	start, end string
}

func newCypherReader() *cypherReader {
	return &cypherReader{nodes: map[string]*incidentgraph.Entity{}, rels: map[string]dbtype.Relationship{}, ends: map[string]bool{}}
}

func (r *cypherReader) items() int { return len(r.nodes) + len(r.rels) + len(r.ends) }

func (r *cypherReader) undo() {
	for i := len(r.journal) - 1; i >= 0; i-- {
		r.journal[i]()
	}
	r.journal = r.journal[:0]
}

func (r *cypherReader) addNode(eid string, props map[string]any) *incidentgraph.Entity {
	if e, ok := r.nodes[eid]; ok {
		return e
	}
	e := entityFromProps(props)
	r.nodes[eid] = e
	r.nodeOrder = append(r.nodeOrder, eid)
	wasEnd := r.ends[eid]
	delete(r.ends, eid)
	r.journal = append(r.journal, func() {
		delete(r.nodes, eid)
		r.nodeOrder = r.nodeOrder[:len(r.nodeOrder)-1]
		if wasEnd {
			r.ends[eid] = true
		}
	})
	return e
}

func (r *cypherReader) addRel(rel dbtype.Relationship) {
	if _, ok := r.rels[rel.ElementId]; ok {
		return
	}
	r.rels[rel.ElementId] = rel
	r.relOrder = append(r.relOrder, rel.ElementId)
	r.journal = append(r.journal, func() {
		delete(r.rels, rel.ElementId)
		r.relOrder = r.relOrder[:len(r.relOrder)-1]
	})
	for _, eid := range []string{rel.StartElementId, rel.EndElementId} {
		if _, ok := r.nodes[eid]; !ok && !r.ends[eid] {
			r.ends[eid] = true
			r.journal = append(r.journal, func() { delete(r.ends, eid) })
		}
	}
}

func (r *cypherReader) value(v any) any {
	switch x := v.(type) {
	case nil, bool, int64, string:
		return x
	case float64:
		switch {
		case math.IsNaN(x):
			return "NaN"
		case math.IsInf(x, 1):
			return "Infinity"
		case math.IsInf(x, -1):
			return "-Infinity"
		}
		return x
	case []byte:
		return base64.StdEncoding.EncodeToString(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = r.value(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = r.value(e)
		}
		return out
	case dbtype.Node:
		return r.node(x)
	case dbtype.Relationship:
		return r.rel(x)
	case dbtype.Path:
		return r.path(x)
	case time.Time:
		return x.Format(time.RFC3339Nano)
	case dbtype.Date:
		return x.String()
	case dbtype.LocalDateTime:
		return x.String()
	case dbtype.LocalTime:
		return x.String()
	case dbtype.Time:
		return x.String()
	case dbtype.Duration:
		return x.String()
	case dbtype.Point2D:
		return map[string]any{"srid": int64(x.SpatialRefId), "x": r.value(x.X), "y": r.value(x.Y)}
	case dbtype.Point3D:
		return map[string]any{"srid": int64(x.SpatialRefId), "x": r.value(x.X), "y": r.value(x.Y), "z": r.value(x.Z)}
	}
	return nil // a type Neo4j 5 does not return
}

// path lists a path's nodes in order. The driver gives each distinct node once, so the order
// comes from walking the relationships from the first node.
func (r *cypherReader) path(p dbtype.Path) any {
	if len(p.Nodes) == 0 {
		return nil
	}
	byID := make(map[string]dbtype.Node, len(p.Nodes))
	for _, n := range p.Nodes {
		byID[n.ElementId] = n
	}
	id := func(eid string) any {
		if m, ok := r.node(byID[eid]).(map[string]any); ok && isEntity(byID[eid]) {
			return m["id"]
		}
		return nil
	}
	at := p.Nodes[0].ElementId
	nodes := []any{id(at)}
	edges := make([]any, len(p.Relationships))
	for i, rel := range p.Relationships {
		edges[i] = r.rel(rel)["id"]
		if rel.StartElementId == at {
			at = rel.EndElementId
		} else {
			at = rel.StartElementId
		}
		nodes = append(nodes, id(at))
	}
	return map[string]any{"nodes": nodes, "edges": edges}
}

func isEntity(n dbtype.Node) bool { return slices.Contains(n.Labels, "Entity") }

// node maps a node to what an analyst may see of it: never the properties of a node that is
// neither an entity nor a figure.
func (r *cypherReader) node(n dbtype.Node) any {
	switch {
	case isEntity(n):
		e := r.addNode(n.ElementId, n.Props)
		return map[string]any{"id": e.ID, "kind": string(e.Kind), "name": e.Name}
	case slices.Contains(n.Labels, "Figure"):
		return r.value(n.Props)
	}
	return nil
}

func (r *cypherReader) rel(rel dbtype.Relationship) map[string]any {
	r.addRel(rel)
	m := map[string]any{"id": r.value(rel.Props["id"]), "type": rel.Type, "source": nil, "target": nil,
		"status": r.value(rel.Props["status"]), "confidence": r.value(rel.Props["confidence"]),
		"assertedBy": r.value(rel.Props["assertedBy"])}
	r.fixups = append(r.fixups, endFixup{m, rel.StartElementId, rel.EndElementId})
	return m
}

// resolveEnds fetches the entities at the ends of relationships whose ends the rows did not
// return, so that the graph is closed and every row's relationship names its ends. Ends that
// are not entities stay unknown.
func (r *cypherReader) resolveEnds(ctx context.Context, tx driver.ManagedTransaction) error {
	if len(r.ends) > 0 {
		ids := make([]string, 0, len(r.ends))
		for eid := range r.ends {
			ids = append(ids, eid)
		}
		slices.Sort(ids)
		recs, err := records(ctx, tx, `
			MATCH (n:Entity) WHERE elementId(n) IN $ids
			RETURN elementId(n) AS eid, properties(n) AS p`, map[string]any{"ids": ids})
		if err != nil {
			return err
		}
		for _, rec := range recs {
			eid, _ := rec.Values[0].(string)
			p, _ := rec.Values[1].(map[string]any)
			r.addNode(eid, p)
		}
	}
	for _, f := range r.fixups {
		if e, ok := r.nodes[f.start]; ok {
			f.m["source"] = e.ID
		}
		if e, ok := r.nodes[f.end]; ok {
			f.m["target"] = e.ID
		}
	}
	return nil
}

func (r *cypherReader) graph() *incidentgraph.Subgraph {
	g := &incidentgraph.Subgraph{Nodes: []*incidentgraph.Entity{}, Edges: []*incidentgraph.Relationship{}}
	for _, eid := range r.nodeOrder {
		g.Nodes = append(g.Nodes, r.nodes[eid])
	}
	for _, eid := range r.relOrder {
		rel := r.rels[eid]
		from, okFrom := r.nodes[rel.StartElementId]
		to, okTo := r.nodes[rel.EndElementId]
		if !okFrom || !okTo {
			continue // an end that is not an entity: the chart shows entities only
		}
		g.Edges = append(g.Edges, relFromMap(map[string]any{"props": rel.Props, "type": rel.Type, "from": from.ID, "to": to.ID}))
	}
	return g
}
