package turns_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/internal/turns"
)

// TestAwait: with every turn taken, a request that ends while it waits gets TIMEOUT (deadline
// passed) or CANCELED (client left) and a message saying it waited; a free turn is taken even
// by an ended request (the control: the same ended request is not refused when it need not
// wait); a turn given back twice frees one turn only; a nil Turns has no bound.
func TestAwait(t *testing.T) {
	tt := turns.New(2, "test computations")
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithDeadline(context.Background(), time.Unix(0, 0))
	defer cancel2()

	// Control: free turns are taken whatever the context says.
	r1, err := tt.Await(canceled)
	if err != nil {
		t.Fatalf("a free turn, ended request: %v; want the turn", err)
	}
	r2, err := tt.Await(expired)
	if err != nil {
		t.Fatalf("the second free turn: %v; want the turn", err)
	}

	for _, c := range []struct {
		name string
		ctx  context.Context
		code string
	}{{"canceled", canceled, incidentgraph.ECANCELED}, {"past its deadline", expired, incidentgraph.ETIMEOUT}} {
		release, err := tt.Await(c.ctx)
		if err == nil {
			release()
			t.Errorf("%s, every turn taken: a turn; want %s", c.name, c.code)
			continue
		}
		if incidentgraph.ErrorCode(err) != c.code || !strings.Contains(err.Error(), "while it waited for one of the 2 test computations") {
			t.Errorf("%s, every turn taken: %v; want %s saying it waited", c.name, err, c.code)
		}
	}

	// A turn given back twice frees one: the next wait still finds every turn taken but one.
	r1()
	r1()
	r3, err := tt.Await(canceled)
	if err != nil {
		t.Fatalf("after one turn given back: %v", err)
	}
	if _, err := tt.Await(canceled); err == nil {
		t.Error("a turn given back twice freed two turns")
	}
	r2()
	r3()

	give := tt.HoldAll()
	if _, err := tt.Await(canceled); incidentgraph.ErrorCode(err) != incidentgraph.ECANCELED {
		t.Errorf("with HoldAll: %v; want CANCELED", err)
	}
	give()
	if _, err := tt.Await(canceled); err != nil {
		t.Errorf("after HoldAll's give-back: %v; want a turn", err)
	}

	var unbounded *turns.Turns
	if release, err := unbounded.Await(canceled); err != nil {
		t.Errorf("nil Turns: %v; want no bound", err)
	} else {
		release()
	}
}
