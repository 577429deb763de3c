package server_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/server"
)

// TestAuditLogOperationFilter: the audit log's operation filter takes the curation operations
// and refuses any other name as bad input naming the field and the operations (the domain's
// CheckOperation). Control: an operation of the list is answered.
func TestAuditLogOperationFilter(t *testing.T) {
	f := newCurationFixture(t)
	const q = `query($op: String) { auditLog(first: 1, filter: {operation: $op}) { edges { cursor } } }`
	if r := f.as(t, incidentgraph.RoleAdmin, q, map[string]any{"op": incidentgraph.OpRetractRelationship}); len(r.Errors) > 0 {
		t.Fatalf("control: filter by %s: %+v", incidentgraph.OpRetractRelationship, r.Errors)
	}
	for _, op := range []string{"retract", "RetractRelationship", ""} {
		r := f.as(t, incidentgraph.RoleAdmin, q, map[string]any{"op": op})
		if r.code() != incidentgraph.EINVALID || !strings.HasPrefix(r.Errors[0].Message, "filter.operation: ") ||
			!strings.Contains(r.Errors[0].Message, incidentgraph.OpMergeEntities) {
			t.Errorf("filter by %q: %+v, want BAD_USER_INPUT about filter.operation listing the operations", op, r.Errors)
		}
	}
}

// TestRequestTimeoutZeroIsNoLimit: Config.RequestTimeout bounds /graphql and /export alike, and
// 0 bounds neither (it once stopped every GraphQL operation and export at once). Control: a
// limit already past when the request starts answers TIMEOUT on both, so the answers above
// are the limit's doing.
func TestRequestTimeoutZeroIsNoLimit(t *testing.T) {
	db := seededDB(t)
	for _, tc := range []struct {
		name     string
		timeout  time.Duration
		answered bool
	}{
		{"0: no limit", 0, true},
		{"a limit long enough", time.Minute, true},
		{"negative control: a limit already past", time.Nanosecond, false},
	} {
		cfg := server.DefaultConfig()
		cfg.RequestTimeout = tc.timeout
		ts, _ := exportServer(t, db, cfg)
		r := (&testServer{Server: ts}).post(t, `{ entity(id: "islamic-state") { name } }`, nil)
		if answered := len(r.Errors) == 0 && strings.Contains(string(r.Data), "Islamic State"); answered != tc.answered ||
			(!tc.answered && r.code() != incidentgraph.ETIMEOUT) {
			t.Errorf("%s: /graphql answered %d %s %+v; want answered %v, else TIMEOUT", tc.name, r.status, r.Data, r.Errors, tc.answered)
		}
		d := getExportBounded(t, ts.URL, exportQuery, time.Minute)
		if tc.answered && d.status != http.StatusOK {
			t.Errorf("%s: /export answered %d %s, want the file", tc.name, d.status, d.body)
		}
		if !tc.answered {
			if code, _ := d.errorCode(t); d.status != http.StatusGatewayTimeout || code != incidentgraph.ETIMEOUT {
				t.Errorf("%s: /export answered %d %s, want 504 TIMEOUT", tc.name, d.status, code)
			}
		}
	}
}
