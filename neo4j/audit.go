package neo4j

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	driver "github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/dbtype"

	"github.com/incidentgraph/incidentgraph"
)

// The audit trail: one :AuditEntry node per item a write changed. Entries are not :Entity
// nodes and link to nothing, so no graph read (relationships, neighbourhoods, paths, analysts'
// Cypher over the allow-listed labels) ever meets them. They are written in the transaction of
// the write they record: a write without its entry cannot commit.

// writeAudit records the entries of one write. Entries of one write share the transaction's
// time; seq keeps their order.
func writeAudit(ctx context.Context, tx driver.ManagedTransaction, w incidentgraph.Write, op string, recs []auditRec) error {
	rows := make([]map[string]any, 0, len(recs))
	for i, r := range recs {
		id, err := newAuditID()
		if err != nil {
			return err
		}
		row := map[string]any{"id": id, "seq": int64(i), "actor": w.Actor, "role": string(w.Role), "operation": op,
			"targetId": r.targetID, "targetKind": r.targetKind, "version": int64(r.version),
			"requestId": w.RequestID, "idempotencyKey": w.IdempotencyKey, "reason": r.reason}
		for k, m := range map[string]map[string]any{"before": r.before, "after": r.after} {
			if m == nil {
				continue
			}
			b, err := json.Marshal(m) // maps marshal with sorted keys
			if err != nil {
				return err
			}
			row[k] = string(b)
		}
		rows = append(rows, row)
	}
	_, err := tx.Run(ctx, `UNWIND $rows AS row CREATE (a:AuditEntry) SET a = row, a.at = datetime.transaction(), a.ts = datetime.transaction().epochMillis`,
		map[string]any{"rows": rows})
	return err
}

func newAuditID() (string, error) {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

func toTime(v any) time.Time {
	switch t := v.(type) {
	case time.Time:
		return t.UTC()
	case dbtype.LocalDateTime:
		return t.Time().UTC()
	}
	return time.Time{}
}

func changeFromProps(p map[string]any) *incidentgraph.Change {
	return &incidentgraph.Change{
		ID:             str(p, "id"),
		At:             toTime(p["at"]),
		Actor:          str(p, "actor"),
		Role:           incidentgraph.Role(str(p, "role")),
		Operation:      str(p, "operation"),
		TargetID:       str(p, "targetId"),
		TargetKind:     str(p, "targetKind"),
		Version:        integer(p, "version"),
		Before:         str(p, "before"),
		After:          str(p, "after"),
		Reason:         str(p, "reason"),
		RequestID:      str(p, "requestId"),
		IdempotencyKey: str(p, "idempotencyKey"),
	}
}

// trailOrder orders audit entries a as an item's trail reads, oldest first: by time, then by
// their order within one write (seq), then by id. History and the compiled read (read.go) both
// order by it, so that a trail read either way lists the same changes.
func trailOrder(a string) string { return fmt.Sprintf("%[1]s.ts, %[1]s.seq, %[1]s.id", a) }

// History returns the changes to each item, oldest first, in one query. An entity merged into
// another keeps its own history under its old id.
func (db *DB) History(ctx context.Context, ids []string, limit int) (map[string][]*incidentgraph.Change, error) {
	res, err := db.read(ctx, `
		UNWIND $ids AS id
		CALL (id) {
			MATCH (a:AuditEntry {targetId: id})
			WITH a ORDER BY `+trailOrder("a")+` LIMIT $limit
			RETURN collect(properties(a)) AS changes
		}
		RETURN id, changes`, map[string]any{"ids": ids, "limit": limit})
	if err != nil {
		return nil, err
	}
	out := make(map[string][]*incidentgraph.Change, len(ids))
	for _, rec := range res.Records {
		id := rec.Values[0].(string)
		list := []*incidentgraph.Change{}
		for _, p := range rec.Values[1].([]any) {
			list = append(list, changeFromProps(p.(map[string]any)))
		}
		out[id] = list
	}
	return out, nil
}

// auditCursor is the position of an entry in the log (newest first): its time (epoch
// milliseconds, as ts holds it), order in its write and id.
type auditCursor struct {
	TS  int64  `json:"t"`
	Seq int    `json:"s"`
	ID  string `json:"i"`
}

func encodeAuditCursor(c *incidentgraph.Change, ts int64, seq int) string {
	b, _ := json.Marshal(auditCursor{TS: ts, Seq: seq, ID: c.ID})
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeAuditCursor(s string) (*auditCursor, error) {
	bad := incidentgraph.Errorf(incidentgraph.EINVALID, "after: not a cursor of the audit log")
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, bad
	}
	var c auditCursor
	if err := json.Unmarshal(b, &c); err != nil || c.ID == "" {
		return nil, bad
	}
	return &c, nil
}

// AuditLog returns one page of the audit log, newest first.
func (db *DB) AuditLog(ctx context.Context, f incidentgraph.AuditFilter, p incidentgraph.Page) (*incidentgraph.ChangePage, error) {
	params := map[string]any{"target": nilIfEmpty(f.TargetID), "actor": nilIfEmpty(f.Actor), "op": nilIfEmpty(f.Operation),
		"from": nil, "to": nil, "cTS": nil, "cSeq": int64(0), "cID": "", "limit": p.First + 1}
	if f.From != nil {
		params["from"] = f.From.UnixMilli()
	}
	if f.To != nil {
		params["to"] = f.To.UnixMilli()
	}
	if p.After != "" {
		c, err := decodeAuditCursor(p.After)
		if err != nil {
			return nil, err
		}
		params["cTS"], params["cSeq"], params["cID"] = c.TS, int64(c.Seq), c.ID
	}
	res, err := db.read(ctx, `
		MATCH (a:AuditEntry)
		WHERE ($target IS NULL OR a.targetId = $target)
		  AND ($actor IS NULL OR a.actor = $actor)
		  AND ($op IS NULL OR a.operation = $op)
		  AND ($from IS NULL OR a.ts >= $from)
		  AND ($to IS NULL OR a.ts < $to)
		  AND ($cTS IS NULL OR a.ts < $cTS OR (a.ts = $cTS AND (a.seq > $cSeq OR (a.seq = $cSeq AND a.id > $cID))))
		WITH a ORDER BY a.ts DESC, a.seq, a.id LIMIT $limit
		RETURN properties(a)`, params)
	if err != nil {
		return nil, err
	}
	page := &incidentgraph.ChangePage{}
	for i, rec := range res.Records {
		if i == p.First {
			page.HasNextPage = true
			break
		}
		props := rec.Values[0].(map[string]any)
		c := changeFromProps(props)
		page.Changes = append(page.Changes, c)
		ts, _ := props["ts"].(int64)
		page.Cursors = append(page.Cursors, encodeAuditCursor(c, ts, integer(props, "seq")))
	}
	return page, nil
}
