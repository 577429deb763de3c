package server_test

import (
	"strings"
	"testing"
	"time"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/server"
)

// TestCentralityWaitsItsTurn: with every turn to compute centrality taken, a centrality
// question waits and ends at its request's deadline with TIMEOUT, saying it waited, while
// other questions are answered; the control is the same question on a server whose turns are
// free, which is answered.
func TestCentralityWaitsItsTurn(t *testing.T) {
	db := seededDB(t)
	cfg := server.DefaultConfig()
	cfg.RequestTimeout = 300 * time.Millisecond
	held := newConfiguredServer(t, server.WithCentralitiesHeldForTest(cfg), services(t, db, db))
	free := newConfiguredServer(t, cfg, services(t, db, db))
	q := `{ centrality(id: "` + iskID + `", first: 3) { entity { id } degree } }`

	a := held.do(t, post(t, held.URL, "", q))
	errs := a.errors(t)
	if len(errs) != 1 || errs[0].Extensions["code"] != incidentgraph.ETIMEOUT || !strings.Contains(errs[0].Message, "while it waited for one of the") {
		t.Errorf("every turn taken: %s; want one %s error saying it waited", a.body, incidentgraph.ETIMEOUT)
	}
	if b := held.do(t, post(t, held.URL, "", `{ search(text: "Daesh", first: 1) { id } }`)); len(b.errors(t)) != 0 {
		t.Errorf("a search on the same server: %s; want an answer", b.body)
	}
	if c := free.do(t, post(t, free.URL, "", q)); len(c.errors(t)) != 0 || !strings.Contains(string(c.body), `"degree"`) {
		t.Errorf("control, turns free: %s; want an answer", c.body)
	}
}
