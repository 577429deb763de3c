// Package turns bounds how many requests do one kind of CPU-bound work at once: scoring similar
// incidents, computing centrality over a neighbourhood. Each such request holds its fetched
// data until the work is done, and with two CPUs, 32 at once run no faster than 4 but hold
// eight times the memory. The others wait their turn, holding nothing.
package turns

import (
	"context"
	"errors"
	"runtime"
	"sync"

	"github.com/incidentgraph/incidentgraph"
)

// Turns is a fixed number of turns at one kind of work. A nil *Turns has no bound.
type Turns struct {
	what  string // the work, for errors: "similarity scorings"
	slots chan struct{}
}

// New returns n turns at the work named what (0 or less: twice the CPUs).
func New(n int, what string) *Turns {
	if n <= 0 {
		n = 2 * runtime.GOMAXPROCS(0)
	}
	return &Turns{what: what, slots: make(chan struct{}, n)}
}

// Await waits for a turn and returns the function that ends it, which may be called more than
// once. A free turn is taken whatever ctx says (the work then meets ctx's end itself), so that
// only a request that had to wait is ended here, with the coded error of a request that ended
// mid-query: TIMEOUT past its deadline, CANCELED when its client left.
func (t *Turns) Await(ctx context.Context) (release func(), err error) {
	if t == nil {
		return func() {}, nil
	}
	release = sync.OnceFunc(func() { <-t.slots })
	select {
	case t.slots <- struct{}{}:
		return release, nil
	default:
	}
	select {
	case t.slots <- struct{}{}:
		return release, nil
	case <-ctx.Done():
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, incidentgraph.Errorf(incidentgraph.ETIMEOUT, "the request took too long and was stopped while it waited for one of the %d %s at once", cap(t.slots), t.what)
		}
		return nil, incidentgraph.Errorf(incidentgraph.ECANCELED, "the request was canceled while it waited for one of the %d %s at once", cap(t.slots), t.what)
	}
}

// HoldAll takes every turn and returns the function that gives them back: a test's way to
// show that the work waits.
func (t *Turns) HoldAll() (giveBack func()) {
	for range cap(t.slots) {
		t.slots <- struct{}{}
	}
	return func() {
		for range cap(t.slots) {
			<-t.slots
		}
	}
}
