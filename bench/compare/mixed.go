package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/incidentgraph/incidentgraph/web"
)

// Two cells besides the questions: the smallest request, whose round trip is part of the p50
// target, and the mixed cell, which sends GraphiQL's example tabs in turn.
const (
	typenameCell  = "typename"
	typenameQuery = `{ __typename }`
	mixedCell     = "mixed"
)

// typenameWork is `{__typename}` on the service alone: one HTTP round trip that reads nothing.
func typenameWork(ours *side) work {
	return work{Name: typenameCell, Ours: []vegeta.Target{gqlTarget(ours.URL, typenameQuery, nil, "")}}
}

// tabQuestions maps the example tabs that the Library and the floor can express to the
// harness's question of the same kind (asked on the seed's ids, seedParams, which are the tabs'
// ids). The others have no counterpart there: 03 and 04 (an entity's relationships of some
// types: the Library's relationship list has no type filter), 06 and 15 (figures and the time
// view), 08 (a neighbourhood), 10 (several paths), 14 (centrality, computed in Go), 16 (saved
// patterns), 17 (an analyst's own Cypher) and 18 (a curator's write).
var tabQuestions = map[string]string{
	"01-isk-affiliations":       "entity",
	"02-kabul-moscow-path":      "path",
	"05-search-daesh":           "search",
	"07-isk-incidents":          "incidents",
	"09-islamic-state-network":  "network",
	"11-common-ground":          "common",
	"12-similar-to-moscow":      "similar",
	"13-islamic-state-timeline": "timeline",
}

// tab is one GraphiQL example tab as the mixed cell sends it.
type tab struct {
	Name       string
	Query      string
	Vars       map[string]any
	NeedsToken bool   // its text says it needs a bearer token: GraphiQL's user puts one in its Headers pane
	Question   string // the harness's question the Library and the floor ask in its turn; "" for none
}

// needsToken: the tabs that need a role say so in their comment ("Needs a bearer token with
// role …").
func needsToken(query string) bool { return strings.Contains(query, "Needs a bearer token") }

// mixedTabs lists the example tabs in GraphiQL's order (web.Examples: file order, as
// web/src/examples.js sorts them), each with the question mapping gives it among known. A
// mapping naming a tab that does not exist or a question that is not known is an error, so
// that a renamed tab cannot silently leave the rotation.
func mixedTabs(exs []web.Example, mapping map[string]string, known []question) ([]tab, error) {
	var out []tab
	seen := map[string]bool{}
	for _, ex := range exs {
		t := tab{Name: ex.Name, Query: ex.Query, Vars: ex.Variables, NeedsToken: needsToken(ex.Query)}
		if qn, ok := mapping[ex.Name]; ok {
			if !slices.ContainsFunc(known, func(q question) bool { return q.Name == qn }) {
				return nil, fmt.Errorf("mixed cell: tab %s maps to %q, which is no question", ex.Name, qn)
			}
			t.Question = qn
			seen[ex.Name] = true
		}
		out = append(out, t)
	}
	for name := range mapping {
		if !seen[name] {
			return nil, fmt.Errorf("mixed cell: no example tab %s (renamed?)", name)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("mixed cell: no example tabs")
	}
	return out, nil
}

// mixedWork: the service gets every tab in turn (with the token where the tab needs one); the
// Library and the floor get, in the same order, the questions of the tabs they can express.
func mixedWork(tabs []tab, known []question, ours, library *side, token string) work {
	w := work{Name: mixedCell}
	for _, t := range tabs {
		tok := ""
		if t.NeedsToken {
			tok = token
		}
		w.Ours = append(w.Ours, gqlTarget(ours.URL, t.Query, t.Vars, tok))
		if t.Question == "" {
			continue
		}
		i := slices.IndexFunc(known, func(q question) bool { return q.Name == t.Question })
		w.Library = append(w.Library, gqlTarget(library.URL, known[i].LibQuery, known[i].LibVars, ""))
		w.Floor = append(w.Floor, known[i])
	}
	return w
}

// createToken runs `incidentgraph token create` and returns the secret it prints once.
func createToken(ctx context.Context, c *config, role, name string) (string, error) {
	cmd := exec.CommandContext(ctx, c.service, "token", "create", "--role", role, "--name", name)
	cmd.Env = append(os.Environ(), "NEO4J_URI="+c.neo4jURI, "NEO4J_USER="+c.neo4jUser, "NEO4J_PASSWORD="+c.neo4jPassword, "LOG_LEVEL=warn")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("token create: %w\n%s", err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "igt_") {
			return strings.TrimSpace(line), nil
		}
	}
	return "", fmt.Errorf("token create: no token in the output: %s", out)
}
