package incidentgraph_test

import (
	"strings"
	"testing"

	"github.com/incidentgraph/incidentgraph"
)

// TestCheckOperation: every curation operation passes the audit filter's check; near misses
// (another case, a space, an empty name, a query's name) are refused as bad input, with the list
// of operations. The refusals are the check's negative controls.
func TestCheckOperation(t *testing.T) {
	for _, op := range incidentgraph.Operations {
		if err := incidentgraph.CheckOperation(op); err != nil {
			t.Errorf("%s: %v", op, err)
		}
	}
	for _, op := range []string{"", "CreateEntity", "createentity", "createEntity ", "entity", "retract"} {
		err := incidentgraph.CheckOperation(op)
		if incidentgraph.ErrorCode(err) != incidentgraph.EINVALID || !strings.Contains(incidentgraph.ErrorMessage(err), incidentgraph.OpRetractRelationship) {
			t.Errorf("%q: %v, want BAD_USER_INPUT naming the operations", op, err)
		}
	}
}
