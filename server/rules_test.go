package server_test

import (
	"strings"
	"testing"

	"github.com/incidentgraph/incidentgraph"
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
