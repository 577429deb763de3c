package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/rs/zerolog"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/internal/testdb"
	"github.com/incidentgraph/incidentgraph/neo4j"
	"github.com/incidentgraph/incidentgraph/server"
)

// The README's worked answers (its "Analyst questions" section) are checked against the seed
// graph, so that the manual cannot drift from the code. Each answer stands between markers,
//
//	<!-- claim: NAME --> … <!-- /claim -->
//
// and a checker below reads the figures and names the text states, asks the real server the
// question the text asks, and renders the answer in the same terms; one comparison function
// says where they differ. The negative control alters every figure of every block in turn (and
// a few names), and the same comparison must catch each alteration.

// facts are what a block states, or what the server answers, by what they are about.
type facts map[string]string

// askFunc runs a GraphQL query on the server, as an analyst, and decodes its data into into.
// A query that is a whole request body ({"query": …, "variables": …}) is sent as it is.
type askFunc func(query string, into any) error

// claimCheck reads a block and asks the server its question: stated is what the text says,
// live the answer in the same terms. An error is a block it cannot read, or a question the
// server refuses: both are faults.
type claimCheck func(block string, ask askFunc) (stated, live facts, err error)

// readmeChecks holds a checker for every claim marker of the README, and the alterations of
// names (beyond figures, which the control alters on its own) that each must catch.
var readmeChecks = map[string]struct {
	check claimCheck
	alter [][2]string
	// same lists the figures whose alteration leaves the answer as it is, and why: the
	// control checks that they pass, so that the list cannot hide a figure left unchecked.
	same map[string]string
}{
	"network": {checkNetwork, [][2]string{{"al-Qaida (OFFSHOOT_OF)", "al-Qaida (SPLINTER_OF)"}, {"the Taliban (ENEMY_OF)", "Russia (ENEMY_OF)"}, {"depth: 2", "depth: 1"}},
		map[string]string{`"depth: 2" → "depth: 3"`: "two hops reach the whole network: three give the same 8 nodes"}},
	"paths":                 {checkPaths, [][2]string{{"—TARGETED→ Russia", "—TARGETED→ Ukraine"}, {"IS-K ←ATTRIBUTED_TO— Moscow", "IS-K —ATTRIBUTED_TO→ Moscow"}}, nil},
	"common-ground":         {checkCommonGround, [][2]string{{"Olivier Guitta", "Russia"}, {"share IS-K", "share the Islamic State"}}, nil},
	"similar":               {checkSimilar, [][2]string{{"IS-K; both in spring", "the Islamic State; both in spring"}, {"both used firearms", "both used explosives"}}, nil},
	"timeline":              {checkTimeline, [][2]string{{"Kabul (through IS-K)", "Kabul (through the Islamic State)"}, {"Paris, Manchester", "Manchester, Paris"}}, nil},
	"centrality":            {checkCentrality, [][2]string{{"then the Moscow", "then the Kabul"}, {"(two hops)", "(three hops)"}}, nil},
	"affiliate-incidents":   {checkAffiliateIncidents, [][2]string{{"without `includeAffiliates`, Kabul", "without `includeAffiliates`, Paris"}, {"Manchester and Moscow", "Manchester and Russia"}}, nil},
	"known-at":              {checkKnownAt, [][2]string{{`"at least 133"`, `"about 133"`}}, nil},
	"valid-at":              {checkValidAt, [][2]string{{"in January 2015", "in February 2015"}}, nil},
	"kabul-revision":        {checkKabulRevision, nil, nil},
	"isk-affiliations":      {checkISKAffiliations, [][2]string{{"| BRANCH_OF | islamic-state | REPORTED | 85 | Wikipedia |", "| BRANCH_OF | islamic-state | REPORTED | 85 | The Associated Press |"}}, nil},
	"claimed-vs-attributed": {checkClaimedVersusAttributed, [][2]string{{"DENIED (incoming)", "DENIED"}, {"`ACCUSED_OF` and `DENIED`", "`ACCUSED_OF`"}}, nil},
	"shortest-path":         {checkShortestPath, [][2]string{{"by the AP", "by Olivier Guitta"}, {"REPORTED 90", "CONFIRMED 90"}}, nil},
	"resembles":             {checkResembles, [][2]string{{"timing during Ramadan", "timing during Christmas"}, {"asserted by Olivier Guitta", "asserted by the U.S."}}, nil},
	"moscow-toll":           {checkMoscowToll, [][2]string{{"(AT_LEAST,", "(EXACT,"}, {"the AP)", "the U.S.)"}}, nil},
	"seed-counts":           {checkSeedCounts, nil, nil},
	"map": {checkMap, [][2]string{{"not the November 2015 Paris attacks", "not the Kabul airport bombing"}, {"`inFrance` the November 2015 Paris attacks", "`inFrance` the Manchester Arena bombing"},
		{"then Hamid Karzai International Airport", "then Abbey Gate"}}, nil},
	"cypher-example": {checkCypherExample, [][2]string{{"East Asia", "West Africa"}, {`"confidence"]`, `"conf"]`}}, nil},
	"patterns": {checkPatterns, [][2]string{{"Moscow, Manchester, Paris", "Moscow, Paris, Manchester"}, {"`afghanistan`: Kabul", "`afghanistan`: Paris"},
		{"(`group`, `placeType`)", "(`group`, `place`)"}, {"Russia's allegation against Ukraine", "Ukraine's allegation against Russia"}, {"its attribution of Moscow", "its claim of Moscow"}}, nil},
}

var claimMarker = regexp.MustCompile(`(?s)<!-- claim: ([a-z-]+) -->(.*?)<!-- /claim -->`)

// readmeClaims returns the README's marked blocks by name.
func readmeClaims(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := map[string]string{}
	for _, m := range claimMarker.FindAllStringSubmatch(string(b), -1) {
		if _, dup := blocks[m[1]]; dup {
			t.Fatalf("README: claim %q is marked twice", m[1])
		}
		blocks[m[1]] = m[2]
	}
	if n := strings.Count(string(b), "<!-- claim:"); n != len(blocks) {
		t.Fatalf("README: %d claim markers, %d of them closed", n, len(blocks))
	}
	return blocks
}

// compareFacts is the one comparison: every fact the README states must be the server's.
func compareFacts(stated, live facts) []string {
	if len(stated) == 0 {
		return []string{"the block states nothing the checker can read"}
	}
	keys := make([]string, 0, len(stated))
	for k := range stated {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var faults []string
	for _, k := range keys {
		lv, ok := live[k]
		switch {
		case !ok:
			faults = append(faults, fmt.Sprintf("%s: the README says %q, the server's answer has nothing", k, stated[k]))
		case lv != stated[k]:
			faults = append(faults, fmt.Sprintf("%s: the README says %q, the server answers %q", k, stated[k], lv))
		}
	}
	return faults
}

// readmeAsker serves the seed graph and asks it questions, remembering the answers (the
// control asks the same questions many times). The store's and the request's time limits are
// long: the answers are checked here, not their speed, on a machine that may be busy.
func readmeAsker(t *testing.T) askFunc {
	t.Helper()
	seededDB(t)
	cfg := testdb.Config(t)
	cfg.QueryTimeout = 2 * time.Minute
	db, err := neo4j.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close(context.Background()) })
	scfg := server.DefaultConfig()
	scfg.RequestTimeout = 3 * time.Minute
	ts := httptest.NewServer(server.NewServer(zerolog.Nop(), scfg, services(t, db, db)))
	t.Cleanup(ts.Close)
	analyst := newToken(t, db, incidentgraph.RoleAnalyst)
	var mu sync.Mutex
	answers := map[string][]byte{}
	return func(query string, into any) error {
		mu.Lock()
		data, ok := answers[query]
		mu.Unlock()
		if !ok {
			body := []byte(query)
			if !strings.HasPrefix(query, `{"query"`) {
				body, _ = json.Marshal(map[string]any{"query": query})
			}
			req, err := http.NewRequest(http.MethodPost, ts.URL+"/graphql", bytes.NewReader(body))
			if err != nil {
				return err
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+analyst)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return err
			}
			var r struct {
				Data   json.RawMessage
				Errors []struct {
					Message    string
					Extensions map[string]any
				}
			}
			err = json.NewDecoder(resp.Body).Decode(&r)
			resp.Body.Close()
			if err != nil {
				return fmt.Errorf("%s: %v", query, err)
			}
			if len(r.Errors) > 0 {
				return fmt.Errorf("%s: %s %s", query, r.Errors[0].Extensions["code"], r.Errors[0].Message)
			}
			data = r.Data
			mu.Lock()
			answers[query] = data
			mu.Unlock()
		}
		return json.Unmarshal(data, into)
	}
}

// TestReadmeWorkedAnswersMatchTheServer: every marked worked answer of the README is what the
// server answers on the seed graph.
func TestReadmeWorkedAnswersMatchTheServer(t *testing.T) {
	blocks := readmeClaims(t)
	for name := range readmeChecks {
		if _, ok := blocks[name]; !ok {
			t.Errorf("README: no block marked %q (the checker has nothing to check)", name)
		}
	}
	ask := readmeAsker(t)
	for _, name := range sortedKeys(blockSet(blocks)) {
		c, ok := readmeChecks[name]
		if !ok {
			t.Errorf("README: claim %q has no checker", name)
			continue
		}
		stated, live, err := c.check(blocks[name], ask)
		if err != nil {
			t.Errorf("claim %s: %v", name, err)
			continue
		}
		faults := compareFacts(stated, live)
		for _, f := range faults {
			t.Errorf("claim %s: %s", name, f)
		}
		if len(faults) == 0 {
			t.Logf("claim %s: %d facts agree", name, len(stated))
		}
	}
}

// TestReadmeCheckCatchesAlteredFigures is the negative control: a README whose block has one
// figure (any run of digits, in the text or in the question it asks) or one name altered fails
// the same checker and comparison.
func TestReadmeCheckCatchesAlteredFigures(t *testing.T) {
	blocks := readmeClaims(t)
	ask := readmeAsker(t)
	altered := 0
	used := map[string]bool{}
	for _, name := range sortedKeys(blockSet(blocks)) {
		c, ok := readmeChecks[name]
		if !ok {
			continue // the test above reports it
		}
		block := blocks[name]
		type variant struct{ what, text string }
		var variants []variant
		for _, loc := range regexp.MustCompile(`\d+`).FindAllStringIndex(block, -1) {
			run := block[loc[0]:loc[1]]
			last := run[len(run)-1]
			changed := run[:len(run)-1] + string('0'+(last-'0'+1)%10)
			// Named with what precedes it on its line, for the message and for same.
			from := max(0, loc[0]-7, strings.LastIndex(block[:loc[0]], "\n")+1)
			for from > 0 && !utf8.RuneStart(block[from]) {
				from++
			}
			context := block[from:loc[0]]
			variants = append(variants, variant{fmt.Sprintf("%q → %q", context+run, context+changed), block[:loc[0]] + changed + block[loc[1]:]})
		}
		for _, a := range c.alter {
			if !strings.Contains(block, a[0]) {
				t.Errorf("claim %s: the alteration's text %q is not in the block", name, a[0])
				continue
			}
			variants = append(variants, variant{fmt.Sprintf("%q → %q", a[0], a[1]), strings.Replace(block, a[0], a[1], 1)})
		}
		if len(variants) == 0 {
			t.Errorf("claim %s: nothing to alter", name)
		}
		for _, v := range variants {
			altered++
			stated, live, err := c.check(v.text, ask)
			caught := err != nil || len(compareFacts(stated, live)) > 0
			why, same := "", false
			for k, reason := range c.same {
				if strings.Contains(v.what, k) {
					why, same = reason, true
					used[name+k] = true
				}
			}
			switch {
			case same && caught:
				t.Errorf("claim %s with %s: listed as leaving the answer as it is (%s), but the check fails", name, v.what, why)
			case same:
				altered--
			case !caught:
				t.Errorf("negative control: claim %s with %s passed the check", name, v.what)
			}
		}
	}
	for name, c := range readmeChecks {
		for k := range c.same {
			if !used[name+k] {
				t.Errorf("claim %s: the alteration %s listed as leaving the answer as it is is not among the block's", name, k)
			}
		}
	}
	t.Logf("%d alterations, each caught", altered)
	// And the comparison itself: a fact missing from the answer, or different, is a fault; the
	// same facts are none.
	if len(compareFacts(facts{"a": "1"}, facts{})) != 1 || len(compareFacts(facts{"a": "1"}, facts{"a": "2"})) != 1 ||
		len(compareFacts(facts{}, facts{"a": "1"})) != 1 || len(compareFacts(facts{"a": "1"}, facts{"a": "1", "b": "2"})) != 0 {
		t.Error("compareFacts does not tell stated from answered facts")
	}
}

func blockSet(m map[string]string) map[string]bool {
	out := map[string]bool{}
	for k := range m {
		out[k] = true
	}
	return out
}

// The names the README gives entities, to their ids.
var readmeNames = map[string]string{
	"Islamic State Khorasan Province": iskID, "IS-K": iskID, "Khorasan": iskID,
	"Islamic State group": isID, "the Islamic State": isID, "Islamic State": isID,
	"East Asia": "islamic-state-east-asia-province", "West Africa": "islamic-state-west-africa-province",
	"al-Qaida": "al-qaida", "U.S.-led coalition": "us-led-coalition-against-is",
	"Tehrik-i-Taliban Pakistan": "tehrik-i-taliban-pakistan", "Taliban": "taliban",
	"Kabul": kabulID, "Moscow": moscowID, "Moscow attack": moscowID, "the Moscow attack": moscowID,
	"Paris": parisID, "Paris attacks (2015)": parisID,
	"Manchester": mancID, "Manchester Arena bombing (2017)": mancID,
	"Moscow synagogue plot (2024)": "moscow-synagogue-plot-2024", "the foiled synagogue plot": "moscow-synagogue-plot-2024",
	"the synagogue plot":               "moscow-synagogue-plot-2024",
	"seizure of territory":             "islamic-state-territorial-control-2014",
	"the campaign against the Yazidis": "islamic-state-yazidi-genocide",
	"the Russian airstrikes":           "russian-airstrikes-syria",
	"Russia":                           "russia", "Ukraine": "ukraine",
	"the U.S.": "united-states", "Olivier Guitta": "olivier-guitta", "an anonymous U.S. official": "us-official-anonymous",
	"Ukraine's Foreign Ministry": "ukraine-foreign-ministry", "the AP": "associated-press",
	"the anonymous U.S. official": "us-official-anonymous",
}

type nameHit struct {
	id         string
	start, end int
}

func isWordByte(b byte) bool {
	return b == '-' || b < 0x80 && (unicode.IsLetter(rune(b)) || unicode.IsDigit(rune(b)))
}

// namesIn finds the README's names in text, leftmost and longest first, whole words only.
func namesIn(text string) []nameHit {
	phrases := make([]string, 0, len(readmeNames))
	for p := range readmeNames {
		phrases = append(phrases, p)
	}
	sort.Slice(phrases, func(i, j int) bool { return len(phrases[i]) > len(phrases[j]) })
	var hits []nameHit
	for i := 0; i < len(text); {
		found := false
		if i == 0 || !isWordByte(text[i-1]) {
			for _, p := range phrases {
				end := i + len(p)
				if strings.HasPrefix(text[i:], p) && (end == len(text) || !isWordByte(text[end])) {
					hits = append(hits, nameHit{readmeNames[p], i, end})
					i, found = end, true
					break
				}
			}
		}
		if !found {
			i++
		}
	}
	return hits
}

func idsOf(hits []nameHit) []string {
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = h.id
	}
	return out
}

// exactName is the id of a name that must be the whole of s.
func exactName(s string) (string, error) {
	s = strings.TrimSpace(s)
	if id, ok := readmeNames[s]; ok {
		return id, nil
	}
	return "", fmt.Errorf("%q is not a name the checker knows", s)
}

func setOf(ids []string) string {
	s := slices.Clone(ids)
	sort.Strings(s)
	return strings.Join(slices.Compact(s), ", ")
}

// oneLine joins a block's lines, markdown wrapping being no part of what it says.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func checkNetwork(block string, ask askFunc) (facts, facts, error) {
	m := regexp.MustCompile("(?s)```graphql\n(.*?)```(.*)").FindStringSubmatch(block)
	if m == nil {
		return nil, nil, fmt.Errorf("no query in the block")
	}
	query, prose := m[1], oneLine(m[2])
	counts := regexp.MustCompile(`(\d+) nodes, (\d+) edges`).FindStringSubmatch(prose)
	if counts == nil {
		return nil, nil, fmt.Errorf("no \"N nodes, M edges\" in %q", prose)
	}
	stated := facts{"nodes": counts[1], "edges": counts[2], "node ids": setOf(idsOf(namesIn(prose))),
		"types": setOf(regexp.MustCompile(`\b[A-Z]+_[A-Z_]+\b`).FindAllString(prose, -1))}
	var data struct{ AffiliateNetwork chart }
	if err := ask(query, &data); err != nil {
		return nil, nil, err
	}
	var ids, types []string
	for _, n := range data.AffiliateNetwork.Nodes {
		ids = append(ids, n.ID)
	}
	for _, e := range data.AffiliateNetwork.Edges {
		types = append(types, e.Type)
	}
	live := facts{"nodes": fmt.Sprint(len(data.AffiliateNetwork.Nodes)), "edges": fmt.Sprint(len(data.AffiliateNetwork.Edges)),
		"node ids": setOf(ids), "types": setOf(types)}
	return stated, live, nil
}

var hopPattern = regexp.MustCompile(`—([A-Z_]+)→|←([A-Z_]+)—|→`)

func checkPaths(block string, ask askFunc) (facts, facts, error) {
	q := regexp.MustCompile("`(paths\\([^`]*\\))`").FindStringSubmatch(block)
	if q == nil {
		return nil, nil, fmt.Errorf("no paths(…) question in the block")
	}
	stated := facts{}
	rows := 0
	for _, line := range strings.Split(block, "\n") {
		cells := strings.Split(strings.Trim(strings.TrimSpace(line), "|"), "|")
		if len(cells) != 4 || !regexp.MustCompile(`^\s*\d+\s*$`).MatchString(cells[0]) {
			continue
		}
		rows++
		r := fmt.Sprint(rows)
		stated[r+" #"] = strings.TrimSpace(cells[0])
		stated[r+" length"] = strings.TrimSpace(cells[2])
		stated[r+" weakest"] = strings.TrimSpace(cells[3])
		path := cells[1]
		names := hopPattern.Split(path, -1)
		hops := hopPattern.FindAllStringSubmatch(path, -1)
		var ids []string
		for _, n := range names {
			id, err := exactName(n)
			if err != nil {
				return nil, nil, fmt.Errorf("row %d: %v", rows, err)
			}
			ids = append(ids, id)
		}
		stated[r+" nodes"] = strings.Join(ids, " > ")
		for j, h := range hops {
			switch {
			case h[1] != "":
				stated[fmt.Sprintf("%s hop %d", r, j+1)] = h[1] + "→"
			case h[2] != "":
				stated[fmt.Sprintf("%s hop %d", r, j+1)] = h[2] + "←"
			default:
				stated[fmt.Sprintf("%s hop %d", r, j+1)] = "→" // the type is not stated: the direction is
			}
		}
	}
	stated["paths"] = fmt.Sprint(rows)
	var data struct {
		Paths []struct {
			Length, WeakestConfidence int
			Nodes                     []struct{ ID string }
			Edges                     []struct{ Type, Source, Target string }
		}
	}
	if err := ask("{ "+oneLine(q[1])+" { length weakestConfidence nodes { id } edges { type source target } } }", &data); err != nil {
		return nil, nil, err
	}
	live := facts{"paths": fmt.Sprint(len(data.Paths))}
	for i, p := range data.Paths {
		r := fmt.Sprint(i + 1)
		live[r+" #"] = r
		live[r+" length"] = fmt.Sprint(p.Length)
		live[r+" weakest"] = fmt.Sprint(p.WeakestConfidence)
		var ids []string
		for _, n := range p.Nodes {
			ids = append(ids, n.ID)
		}
		live[r+" nodes"] = strings.Join(ids, " > ")
		for j, e := range p.Edges {
			dir := "←"
			if j < len(p.Nodes) && e.Source == p.Nodes[j].ID {
				dir = "→"
			}
			key := fmt.Sprintf("%s hop %d", r, j+1)
			if stated[key] == dir {
				live[key] = dir
			} else {
				live[key] = e.Type + dir
			}
		}
	}
	return stated, live, nil
}

func checkCommonGround(block string, ask askFunc) (facts, facts, error) {
	stated, live := facts{}, facts{}
	clause := regexp.MustCompile(`^(.+?) and (.+?) share (.+?)(?: \((.*)\))?\.?$`)
	for _, c := range strings.Split(oneLine(block), ";") {
		m := clause.FindStringSubmatch(strings.TrimSpace(c))
		if m == nil {
			return nil, nil, fmt.Errorf("cannot read %q", c)
		}
		var ids [3]string
		for i := range ids {
			id, err := exactName(m[i+1])
			if err != nil {
				return nil, nil, err
			}
			ids[i] = id
		}
		key := ids[0] + " & " + ids[1]
		stated[key+": shared"] = ids[2]
		if m[4] != "" {
			// The asserting parties are the names in parentheses but the two incidents.
			var parties []string
			for _, id := range idsOf(namesIn(m[4])) {
				if id != ids[0] && id != ids[1] {
					parties = append(parties, id)
				}
			}
			if strings.Contains(m[4], "its claims") {
				parties = append(parties, ids[2])
			}
			stated[key+": asserted by"] = setOf(parties)
		}
		var data struct {
			CommonNeighbors []struct {
				Entity struct{ ID string }
				Links  []struct {
					Relationships []struct{ AssertedBy struct{ ID string } }
				}
			}
		}
		if err := ask(fmt.Sprintf(`{ commonNeighbors(ids: [%q, %q]) { entity { id } links { relationships { assertedBy { id } } } } }`, ids[0], ids[1]), &data); err != nil {
			return nil, nil, err
		}
		var shared, parties []string
		for _, n := range data.CommonNeighbors {
			shared = append(shared, n.Entity.ID)
			for _, l := range n.Links {
				for _, r := range l.Relationships {
					parties = append(parties, r.AssertedBy.ID)
				}
			}
		}
		live[key+": shared"] = setOf(shared)
		live[key+": asserted by"] = setOf(parties)
	}
	return stated, live, nil
}

// reasonWords are a reason's words that carry its meaning, names replaced by their ids.
func reasonWords(s string) map[string]bool {
	var b strings.Builder
	last := 0
	for _, h := range namesIn(s) {
		b.WriteString(s[last:h.start])
		b.WriteString(" <" + h.id + "> ")
		last = h.end
	}
	b.WriteString(s[last:])
	words := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(b.String()), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune("-<>", r)
	}) {
		switch w {
		case "both", "the", "by", "or", "to", "a", "and":
		default:
			words[w] = true
		}
	}
	return words
}

// reasonMatches says whether the README's short form of a reason says what the server's does.
func reasonMatches(short, full string) bool {
	fw := reasonWords(full)
	sw := reasonWords(short)
	for w := range sw {
		if !fw[w] {
			return false
		}
	}
	return len(sw) > 0
}

func checkSimilar(block string, ask askFunc) (facts, facts, error) {
	subject := regexp.MustCompile(`For (.+?):`).FindStringSubmatch(block)
	if subject == nil {
		return nil, nil, fmt.Errorf("no \"For INCIDENT:\" in the block")
	}
	id, err := exactName(subject[1])
	if err != nil {
		return nil, nil, err
	}
	stated := facts{}
	rows := 0
	for _, line := range strings.Split(block, "\n") {
		cells := strings.Split(strings.Trim(strings.TrimSpace(line), "|"), "|")
		if len(cells) != 3 || strings.TrimSpace(cells[0]) == "incident" || strings.HasPrefix(strings.TrimSpace(cells[0]), "---") {
			continue
		}
		rows++
		r := fmt.Sprint(rows)
		if stated[r+" incident"], err = exactName(cells[0]); err != nil {
			return nil, nil, err
		}
		stated[r+" score"] = strings.TrimSpace(cells[1])
		reasons := strings.Split(cells[2], ";")
		stated[r+" reasons"] = fmt.Sprint(len(reasons))
		for j, reason := range reasons {
			stated[fmt.Sprintf("%s reason %d", r, j+1)] = strings.TrimSpace(reason)
		}
	}
	stated["rows"] = fmt.Sprint(rows)
	var data struct {
		SimilarIncidents []struct {
			Incident struct{ ID string }
			Score    float64
			Reasons  []struct{ Description string }
		}
	}
	// The question of GraphiQL's tab 12: the three most similar.
	if err := ask(fmt.Sprintf(`{ similarIncidents(id: %q, first: 3) { incident { id } score reasons { description } } }`, id), &data); err != nil {
		return nil, nil, err
	}
	live := facts{"rows": fmt.Sprint(len(data.SimilarIncidents))}
	for i, s := range data.SimilarIncidents {
		r := fmt.Sprint(i + 1)
		live[r+" incident"] = s.Incident.ID
		live[r+" score"] = fmt.Sprintf("%.3f", s.Score)
		live[r+" reasons"] = fmt.Sprint(len(s.Reasons))
		for j, reason := range s.Reasons {
			key := fmt.Sprintf("%s reason %d", r, j+1)
			if short, ok := stated[key]; ok && reasonMatches(short, reason.Description) {
				live[key] = short
			} else {
				live[key] = reason.Description
			}
		}
	}
	return stated, live, nil
}

var datePattern = regexp.MustCompile(`\b\d{4}(?:-\d{2}){0,2}\b`)

func checkTimeline(block string, ask askFunc) (facts, facts, error) {
	text := oneLine(block)
	sorts := regexp.MustCompile(`\("([0-9-]+)" before "([0-9-]+)"\)`).FindStringSubmatch(text)
	m := regexp.MustCompile(`\. (.+?) with its affiliates: (.+) — (\d+) entries\.$`).FindStringSubmatch(text)
	if sorts == nil || m == nil {
		return nil, nil, fmt.Errorf("cannot read %q", text)
	}
	actors := namesIn(m[1])
	if len(actors) != 1 {
		return nil, nil, fmt.Errorf("no one actor in %q", m[1])
	}
	actor, list := actors[0].id, m[2]
	stated := facts{"entries": m[3], "sorts": sorts[1] + " before " + sorts[2]}
	// Entries are the names outside parentheses; a date in parentheses after one, or just
	// before one, is its date; a name in parentheses after one is what links it to the actor.
	inParens := func(i int) bool { return strings.LastIndex(list[:i], "(") > strings.LastIndex(list[:i], ")") }
	var order []string
	for _, h := range namesIn(list) {
		if inParens(h.start) {
			if len(order) == 0 {
				return nil, nil, fmt.Errorf("a name in parentheses before any entry")
			}
			stated["via "+order[len(order)-1]] = h.id
			continue
		}
		order = append(order, h.id)
	}
	stated["order"] = strings.Join(order, " > ")
	hits := namesIn(list)
	for _, loc := range datePattern.FindAllStringIndex(list, -1) {
		date := list[loc[0]:loc[1]]
		var owner string
		for i, h := range hits {
			if inParens(loc[0]) && h.end <= loc[0] && strings.TrimSpace(list[h.end:loc[0]]) == "(" {
				owner = h.id
			}
			if !inParens(loc[0]) && h.start >= loc[1] && strings.TrimSpace(list[loc[1]:h.start]) == "" {
				owner = hits[i].id
			}
		}
		if owner == "" {
			return nil, nil, fmt.Errorf("the date %s belongs to no entry", date)
		}
		stated["date "+owner] = date
	}
	var data struct {
		Timeline struct {
			TotalCount int
			Nodes      []struct {
				Entity struct{ ID string }
				Date   string
				Links  []struct{ Other struct{ ID string } }
			}
		}
	}
	if err := ask(fmt.Sprintf(`{ timeline(actor: %q, includeAffiliates: true, first: 100) { totalCount nodes { entity { id } date links { other { id } } } } }`, actor), &data); err != nil {
		return nil, nil, err
	}
	live := facts{"entries": fmt.Sprint(data.Timeline.TotalCount)}
	var ids []string
	first, second := -1, -1
	for i, n := range data.Timeline.Nodes {
		ids = append(ids, n.Entity.ID)
		live["date "+n.Entity.ID] = n.Date
		var via []string
		for _, l := range n.Links {
			via = append(via, l.Other.ID)
		}
		live["via "+n.Entity.ID] = setOf(via)
		if n.Date == sorts[1] && first < 0 {
			first = i
		}
		if n.Date == sorts[2] {
			second = i
		}
	}
	live["order"] = strings.Join(ids, " > ")
	if first >= 0 && second > first {
		live["sorts"] = sorts[1] + " before " + sorts[2]
	} else {
		live["sorts"] = fmt.Sprintf("no entry dated %s before one dated %s", sorts[1], sorts[2])
	}
	return stated, live, nil
}

var numberWords = map[string]int{"one": 1, "two": 2, "three": 3}

func checkCentrality(block string, ask askFunc) (facts, facts, error) {
	text := oneLine(block)
	m := regexp.MustCompile(`^Around (.+?) \((\w+) hops?\) the strongest broker is (.+?) itself \(betweenness ([0-9.]+), degree (\d+)\), then (.+?) \(([0-9.]+), the highest degree: (\d+)\) and (.+?) \(([0-9.]+)\)\.$`).FindStringSubmatch(text)
	if m == nil {
		return nil, nil, fmt.Errorf("cannot read %q", text)
	}
	var ids []string
	for _, i := range []int{1, 3, 6, 9} {
		id, err := exactName(m[i])
		if err != nil {
			return nil, nil, err
		}
		ids = append(ids, id)
	}
	depth, ok := numberWords[m[2]]
	if !ok {
		return nil, nil, fmt.Errorf("depth %q", m[2])
	}
	stated := facts{"1": ids[1], "1 betweenness": m[4], "1 degree": m[5], "2": ids[2], "2 betweenness": m[7],
		"highest degree": ids[2] + " " + m[8], "3": ids[3], "3 betweenness": m[10]}
	var data struct {
		Centrality []struct {
			Entity      struct{ ID string }
			Degree      int
			Betweenness float64
			DegreeRank  int
		}
	}
	if err := ask(fmt.Sprintf(`{ centrality(id: %q, depth: %d, first: 10) { entity { id } degree betweenness degreeRank } }`, ids[0], depth), &data); err != nil {
		return nil, nil, err
	}
	live := facts{}
	for i, c := range data.Centrality {
		r := fmt.Sprint(i + 1)
		live[r] = c.Entity.ID
		live[r+" betweenness"] = fmt.Sprintf("%.2f", c.Betweenness)
		live[r+" degree"] = fmt.Sprint(c.Degree)
		if c.DegreeRank == 1 {
			live["highest degree"] = fmt.Sprintf("%s %d", c.Entity.ID, c.Degree)
		}
	}
	return stated, live, nil
}

func checkAffiliateIncidents(block string, ask askFunc) (facts, facts, error) {
	text := oneLine(block)
	m := regexp.MustCompile("^`(incidents\\(filter: \\{.*?\\}\\))` returns (.+?); without `includeAffiliates`, (.+?) is not among them\\.$").FindStringSubmatch(text)
	if m == nil {
		return nil, nil, fmt.Errorf("cannot read %q", text)
	}
	query := m[1]
	without := regexp.MustCompile(`,?\s*includeAffiliates: true`).ReplaceAllString(query, "")
	if without == query {
		return nil, nil, fmt.Errorf("%s does not include affiliates", query)
	}
	var excluded []string
	for _, h := range namesIn(m[3]) {
		if !strings.Contains(m[3][:h.start], "(") {
			excluded = append(excluded, h.id)
		}
	}
	stated := facts{"with affiliates": setOf(idsOf(namesIn(m[2]))), "without affiliates, not": setOf(excluded)}
	answer := func(q string) ([]string, error) {
		var data struct {
			Incidents struct {
				TotalCount int
				Nodes      []struct{ ID string }
			}
		}
		if err := ask("{ "+q+" { totalCount nodes { id } } }", &data); err != nil {
			return nil, err
		}
		if data.Incidents.TotalCount != len(data.Incidents.Nodes) {
			return nil, fmt.Errorf("%s: %d incidents, %d on the page", q, data.Incidents.TotalCount, len(data.Incidents.Nodes))
		}
		var ids []string
		for _, n := range data.Incidents.Nodes {
			ids = append(ids, n.ID)
		}
		return ids, nil
	}
	with, err := answer(query)
	if err != nil {
		return nil, nil, err
	}
	alone, err := answer(without)
	if err != nil {
		return nil, nil, err
	}
	var absent []string
	for _, id := range excluded {
		if !slices.Contains(alone, id) && slices.Contains(with, id) {
			absent = append(absent, id)
		}
	}
	return stated, facts{"with affiliates": setOf(with), "without affiliates, not": setOf(absent)}, nil
}

type figure struct {
	Value     int
	Qualifier string
	AsOf      string
	Sources   []struct{ ID, Published string }
}

// figureText is a figure as the README writes it: "at least 133", "about 170", "145".
func figureText(f figure) string {
	switch f.Qualifier {
	case "AT_LEAST":
		return fmt.Sprintf("at least %d", f.Value)
	case "ABOUT":
		return fmt.Sprintf("about %d", f.Value)
	case "AT_MOST":
		return fmt.Sprintf("at most %d", f.Value)
	}
	return fmt.Sprint(f.Value)
}

func askFigures(ask askFunc, id, knownAt string) ([]figure, int, error) {
	arg := ""
	if knownAt != "" {
		arg = fmt.Sprintf(", knownAt: %q", knownAt)
	}
	var data struct {
		Entity *struct {
			Figures       []figure
			Relationships []struct{ ID string }
		}
	}
	q := fmt.Sprintf(`{ entity(id: %q) { ... on Incident { figures(metric: KILLED%s) { value qualifier asOf sources { id published } } } relationships(first: 500%s) { id } } }`, id, arg, arg)
	if err := ask(q, &data); err != nil {
		return nil, 0, err
	}
	if data.Entity == nil {
		return nil, 0, fmt.Errorf("no entity %s", id)
	}
	return data.Entity.Figures, len(data.Entity.Relationships), nil
}

func checkKnownAt(block string, ask askFunc) (facts, facts, error) {
	text := oneLine(block)
	m := regexp.MustCompile("^The (.+?) death toll `knownAt: \"([0-9-]+)\"` is \"([a-z ]*?) ?(\\d+)\" alone; without it, (\\d+) and the later (\\d+)\\. The day before, nothing about the attack is known\\.$").FindStringSubmatch(text)
	if m == nil {
		return nil, nil, fmt.Errorf("cannot read %q", text)
	}
	id, err := exactName(m[1])
	if err != nil {
		return nil, nil, err
	}
	day, err := time.Parse(time.DateOnly, m[2])
	if err != nil {
		return nil, nil, err
	}
	stated := facts{"toll known at the day": strings.TrimSpace(m[3] + " " + m[4]), "toll": m[5] + ", " + m[6], "known the day before": "nothing"}
	live := facts{}
	known, _, err := askFigures(ask, id, m[2])
	if err != nil {
		return nil, nil, err
	}
	var texts []string
	for _, f := range known {
		texts = append(texts, figureText(f))
	}
	live["toll known at the day"] = strings.Join(texts, ", ")
	all, _, err := askFigures(ask, id, "")
	if err != nil {
		return nil, nil, err
	}
	texts = nil
	for _, f := range all {
		texts = append(texts, fmt.Sprint(f.Value))
	}
	live["toll"] = strings.Join(texts, ", ")
	before, rels, err := askFigures(ask, id, day.AddDate(0, 0, -1).Format(time.DateOnly))
	if err != nil {
		return nil, nil, err
	}
	live["known the day before"] = "nothing"
	if len(before)+rels > 0 {
		live["known the day before"] = fmt.Sprintf("%d figures and %d relationships", len(before), rels)
	}
	return stated, live, nil
}

var monthNames = map[string]string{"January": "01", "February": "02", "March": "03", "April": "04", "May": "05", "June": "06",
	"July": "07", "August": "08", "September": "09", "October": "10", "November": "11", "December": "12"}

func checkValidAt(block string, ask askFunc) (facts, facts, error) {
	text := oneLine(block)
	m := regexp.MustCompile("^(.+?) became the (.+?)'s \\w+ province in (\\w+) (\\d{4}), so the (.+?)'s network `validAt: \"([0-9-]+)\"` has no (.+?)\\.$").FindStringSubmatch(text)
	if m == nil {
		return nil, nil, fmt.Errorf("cannot read %q", text)
	}
	member, err := exactName(m[1])
	if err != nil {
		return nil, nil, err
	}
	group, err := exactName("the " + m[2])
	if err != nil {
		return nil, nil, err
	}
	if other, err := exactName("the " + m[5]); err != nil || other != group {
		return nil, nil, fmt.Errorf("the network of %q, not of %q", m[5], m[2])
	}
	if absent, err := exactName(m[7]); err != nil || absent != member {
		return nil, nil, fmt.Errorf("%q is not %q", m[7], m[1])
	}
	stated := facts{"a province from": m[4] + "-" + monthNames[m[3]], "in the network at " + m[6]: "no"}
	var data struct {
		Entity struct {
			Relationships []struct {
				Type      string
				Other     struct{ ID string }
				ValidFrom *string
			}
		}
	}
	if err := ask(fmt.Sprintf(`{ entity(id: %q) { relationships(filter: {types: [AFFILIATE_OF, BRANCH_OF]}) { type other { id } validFrom } } }`, member), &data); err != nil {
		return nil, nil, err
	}
	var from []string
	for _, r := range data.Entity.Relationships {
		if r.Other.ID == group && r.ValidFrom != nil {
			from = append(from, *r.ValidFrom)
		}
	}
	live := facts{"a province from": setOf(from)}
	for _, at := range []string{m[6], ""} {
		arg := ""
		if at != "" {
			arg = fmt.Sprintf(", validAt: %q", at)
		}
		var net struct{ AffiliateNetwork chart }
		if err := ask(fmt.Sprintf(`{ affiliateNetwork(id: %q%s) { nodes { id kind name } edges { id type source target status confidence style assertedBy } truncated } }`, group, arg), &net); err != nil {
			return nil, nil, err
		}
		in := slices.Contains(nodeSet(net.AffiliateNetwork), member)
		if at == "" {
			if !in {
				// Without the date the member must be there, or "has no" says nothing.
				return nil, nil, fmt.Errorf("%s is not in %s's network even today", member, group)
			}
			continue
		}
		live["in the network at "+at] = map[bool]string{true: "yes", false: "no"}[in]
	}
	return stated, live, nil
}

func checkKabulRevision(block string, ask askFunc) (facts, facts, error) {
	text := oneLine(block)
	m := regexp.MustCompile(`^figures that a (\d{4}) revision of a reference source reports \(the (.+?) toll rising from (\d+) to (\d+) on ([0-9-]+)\) are known only from that revision's date\.$`).FindStringSubmatch(text)
	if m == nil {
		return nil, nil, fmt.Errorf("cannot read %q", text)
	}
	id, err := exactName(m[2])
	if err != nil {
		return nil, nil, err
	}
	stated := facts{"revised": m[1], "the toll on " + m[5]: m[3] + " to " + m[4], "known the day before the revision": "no", "known on its date": "yes"}
	all, _, err := askFigures(ask, id, "")
	if err != nil {
		return nil, nil, err
	}
	// The revision's figures: those for that day from a source published more than a year
	// after it.
	day, err := time.Parse(time.DateOnly, m[5])
	if err != nil {
		return nil, nil, err
	}
	var values []int
	published := map[string]bool{}
	revised := map[string]bool{}
	for _, f := range all {
		for _, s := range f.Sources {
			at, err := time.Parse(time.DateOnly, s.Published)
			if f.AsOf == m[5] && err == nil && at.After(day.AddDate(1, 0, 0)) {
				values = append(values, f.Value)
				published[s.Published] = true
				revised[fmt.Sprint(f.Value, s.ID)] = true
			}
		}
	}
	if len(values) == 0 || len(published) != 1 {
		return nil, nil, fmt.Errorf("%d figures of %s for %s from a later revision, in %d revisions", len(values), id, m[5], len(published))
	}
	revision := sortedKeys(published)[0]
	live := facts{"revised": revision[:4], "the toll on " + m[5]: fmt.Sprintf("%d to %d", slices.Min(values), slices.Max(values))}
	at, _ := time.Parse(time.DateOnly, revision)
	for key, date := range map[string]string{"known the day before the revision": at.AddDate(0, 0, -1).Format(time.DateOnly), "known on its date": revision} {
		known, _, err := askFigures(ask, id, date)
		if err != nil {
			return nil, nil, err
		}
		n := 0
		for _, f := range known {
			for _, s := range f.Sources {
				if revised[fmt.Sprint(f.Value, s.ID)] && f.AsOf == m[5] {
					n++
				}
			}
		}
		switch n {
		case 0:
			live[key] = "no"
		case len(values):
			live[key] = "yes"
		default:
			live[key] = fmt.Sprintf("%d of %d", n, len(values))
		}
	}
	return stated, live, nil
}

// runPattern runs a saved pattern with string parameters and returns its rows.
func runPattern(ask askFunc, name string, params map[string]string) ([]map[string]any, error) {
	var args []string
	for _, k := range sortedKeys(func() map[string]bool {
		m := map[string]bool{}
		for k := range params {
			m[k] = true
		}
		return m
	}()) {
		args = append(args, fmt.Sprintf("%s: %q", k, params[k]))
	}
	var data struct {
		RunPattern struct{ Rows []map[string]any }
	}
	if err := ask(fmt.Sprintf(`{ runPattern(name: %q, params: {%s}, limit: 1000) { rows } }`, name, strings.Join(args, ", ")), &data); err != nil {
		return nil, err
	}
	return data.RunPattern.Rows, nil
}

// column is the set of a column's values over rows.
func column(rows []map[string]any, keys ...string) string {
	var vals []string
	for _, r := range rows {
		var parts []string
		for _, k := range keys {
			parts = append(parts, fmt.Sprint(r[k]))
		}
		vals = append(vals, strings.Join(parts, ", "))
	}
	return setOf(vals)
}

// distinctInOrder is a column's values, each once, in the rows' order.
func distinctInOrder(rows []map[string]any, key string) string {
	var vals []string
	for _, r := range rows {
		if v := fmt.Sprint(r[key]); !slices.Contains(vals, v) {
			vals = append(vals, v)
		}
	}
	return strings.Join(vals, " > ")
}

func namesList(s string) ([]string, error) {
	var ids []string
	for _, n := range regexp.MustCompile(`, | and `).Split(s, -1) {
		id, err := exactName(n)
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}

var placeTypeWords = map[string]string{"venues": "VENUE", "airports": "AIRPORT"}

var assertionWords = map[string]string{"CLAIMED_RESPONSIBILITY_FOR": "claim", "ATTRIBUTED_TO": "attribution", "ACCUSED_OF": "allegation", "DENIED": "denial"}

// party is who stands behind an assertion: a state's ministry speaks for the state.
func party(id string) string {
	if id == "ukraine-foreign-ministry" {
		return "ukraine"
	}
	return id
}

// conflictPair names two assertions that contradict each other, in either order.
func conflictPair(a, b string) string {
	s := []string{a, b}
	sort.Strings(s)
	return s[0] + " / " + s[1]
}

func side(by, word, actor string) string {
	if word == "denial" || actor == "" {
		return party(by) + "'s " + word
	}
	return party(by) + "'s " + word + " of " + party(actor)
}

// checkPatterns reads the saved patterns' table: every pattern served is in it with the
// parameters it needs, and its "on the seed graph" column is what the pattern answers.
func checkPatterns(block string, ask askFunc) (facts, facts, error) {
	stated, live := facts{}, facts{}
	var listed []string
	var declared struct {
		Patterns []struct {
			Name       string
			Parameters []struct {
				Name     string
				Required bool
			}
		}
	}
	if err := ask(`{ patterns { name parameters { name required } } }`, &declared); err != nil {
		return nil, nil, err
	}
	var served []string
	for _, p := range declared.Patterns {
		served = append(served, p.Name)
	}
	live["patterns"] = setOf(served)
	for _, line := range strings.Split(block, "\n") {
		cells := strings.Split(strings.Trim(strings.TrimSpace(line), "|"), "|")
		spans := regexp.MustCompile("`([A-Za-z-]+)`").FindAllStringSubmatch(cells[0], -1)
		if len(cells) != 3 || len(spans) == 0 {
			continue
		}
		name := spans[0][1]
		listed = append(listed, name)
		var params []string
		for _, s := range spans[1:] {
			params = append(params, s[1])
		}
		stated[name+": parameters"] = setOf(params)
		for _, p := range declared.Patterns {
			if p.Name != name {
				continue
			}
			var known []string
			for _, d := range p.Parameters {
				if d.Required || slices.Contains(params, d.Name) {
					known = append(known, d.Name)
				}
			}
			live[name+": parameters"] = setOf(known)
		}
		answer := strings.TrimSpace(cells[2])
		fail := func(err error) (facts, facts, error) { return nil, nil, fmt.Errorf("%s: %v", name, err) }
		unreadable := fmt.Errorf("cannot read %q", answer)
		switch name {
		case "claimed-vs-attributed":
			m := regexp.MustCompile(`^(.+?): claimed by (.+?), attributed to (.+?) by (.+?) \(([A-Z]+), (\d+)\)$`).FindStringSubmatch(answer)
			if m == nil {
				return fail(unreadable)
			}
			ids, err := namesList(m[1] + ", " + m[2] + ", " + m[3] + ", " + m[4])
			if err != nil {
				return fail(err)
			}
			stated[name+": incidents"], stated[name+": claimant"], stated[name+": attributed to"], stated[name+": attributed by"] = ids[0], ids[1], ids[2], ids[3]
			stated[name+": attribution"] = m[5] + ", " + m[6]
			rows, err := runPattern(ask, name, nil)
			if err != nil {
				return fail(err)
			}
			live[name+": incidents"], live[name+": claimant"] = column(rows, "incident"), column(rows, "claimant")
			live[name+": attributed to"], live[name+": attributed by"] = column(rows, "attributedTo"), column(rows, "attributedBy")
			live[name+": attribution"] = column(rows, "attributionStatus", "attributionConfidence")
		case "affiliates-attacking-in-country":
			for _, seg := range strings.Split(answer, ";") {
				m := regexp.MustCompile("^`([a-z-]+)`: (.+)$").FindStringSubmatch(strings.TrimSpace(seg))
				if m == nil || len(params) != 1 {
					return fail(unreadable)
				}
				key := name + " " + m[1] + ": "
				list := m[2]
				if via := regexp.MustCompile(`^(.+?) through (.+?) \((.+)\)$`).FindStringSubmatch(m[2]); via != nil {
					ids, err := namesList(via[1] + ", " + via[2])
					if err != nil {
						return fail(err)
					}
					stated[key+"groups"], stated[key+"affiliates"], list = ids[0], ids[1], via[3]
				}
				incidents, err := namesList(list)
				if err != nil {
					return fail(err)
				}
				stated[key+"incidents"] = setOf(incidents)
				rows, err := runPattern(ask, name, map[string]string{params[0]: m[1]})
				if err != nil {
					return fail(err)
				}
				live[key+"groups"], live[key+"affiliates"], live[key+"incidents"] = column(rows, "group"), column(rows, "affiliate"), column(rows, "incident")
			}
		case "network-attacks-at-venue-kind":
			group := ""
			for _, seg := range strings.Split(answer, ";") {
				m := regexp.MustCompile(`^(?:(.+?) )?at (\w+): (.+)$`).FindStringSubmatch(strings.TrimSpace(seg))
				if m == nil || len(params) != 2 || placeTypeWords[m[2]] == "" {
					return fail(unreadable)
				}
				if m[1] != "" {
					id, err := exactName(m[1])
					if err != nil {
						return fail(err)
					}
					group = id
				}
				placeType := placeTypeWords[m[2]]
				list, through, _ := strings.Cut(m[3], " through ")
				incidents, err := namesList(list)
				if err != nil {
					return fail(err)
				}
				key := name + " " + placeType + ": "
				stated[key+"incidents"] = strings.Join(incidents, " > ")
				rows, err := runPattern(ask, name, map[string]string{params[0]: group, params[1]: placeType})
				if err != nil {
					return fail(err)
				}
				live[key+"incidents"] = distinctInOrder(rows, "incident")
				if through != "" {
					actors, err := namesList(through)
					if err != nil {
						return fail(err)
					}
					stated[key+"through"] = setOf(actors)
					live[key+"through"] = column(rows, "actor")
				}
			}
		case "contradicting-assertions":
			m := regexp.MustCompile(`^(.+?): (.+?)'s claim against (.+?)'s allegation \((.+?)\) and (.+?)'s \((.+?)\); (.+?)'s allegation against (.+?) and (.+?)'s denial$`).FindStringSubmatch(answer)
			if m == nil {
				return fail(unreadable)
			}
			ids, err := namesList(strings.Join(m[1:], ", "))
			if err != nil {
				return fail(err)
			}
			stated[name+": incidents"] = ids[0]
			pairs := []string{
				conflictPair(side(ids[1], "claim", ids[1]), side(ids[2], "allegation", ids[3])),
				conflictPair(side(ids[1], "claim", ids[1]), side(ids[4], "allegation", ids[5])),
				conflictPair(side(ids[6], "allegation", ids[7]), side(ids[8], "denial", "")),
			}
			rows, err := runPattern(ask, name, nil)
			if err != nil {
				return fail(err)
			}
			live[name+": incidents"] = column(rows, "incident")
			found := map[string]bool{}
			for _, r := range rows {
				s := func(by, assertion, actor string) string {
					return side(fmt.Sprint(r[by]), assertionWords[fmt.Sprint(r[assertion])], fmt.Sprint(r[actor]))
				}
				found[conflictPair(s("assertedBy", "assertion", "actor"), s("otherAssertedBy", "otherAssertion", "otherActor"))] = true
			}
			for _, p := range pairs {
				stated[name+": "+p] = "found"
				live[name+": "+p] = map[bool]string{true: "found", false: "not among the rows"}[found[p]]
			}
		case "allegations-later-denied":
			m := regexp.MustCompile(`^(.+?) accused (.+?); (.+?) denied \(both ([0-9-]+)\)$`).FindStringSubmatch(answer)
			if m == nil {
				return fail(unreadable)
			}
			ids, err := namesList(m[1] + ", " + m[2] + ", " + m[3])
			if err != nil {
				return fail(err)
			}
			stated[name+": alleged by"], stated[name+": accused"], stated[name+": denied by"] = ids[0], ids[1], ids[2]
			stated[name+": dates"] = m[4]
			rows, err := runPattern(ask, name, nil)
			if err != nil {
				return fail(err)
			}
			live[name+": alleged by"], live[name+": accused"], live[name+": denied by"] = column(rows, "allegedBy"), column(rows, "accused"), column(rows, "deniedBy")
			var dates []string
			for _, r := range rows {
				dates = append(dates, fmt.Sprint(r["allegedOn"]), fmt.Sprint(r["deniedOn"]))
			}
			live[name+": dates"] = setOf(dates)
		case "asserted-by":
			m := regexp.MustCompile("^`([a-z-]+)`: its (\\w+) of (.+?) to (.+?), …$").FindStringSubmatch(answer)
			if m == nil || len(params) != 1 {
				return fail(unreadable)
			}
			ids, err := namesList(m[3] + ", " + m[4])
			if err != nil {
				return fail(err)
			}
			claim := m[2] + " of " + ids[0] + " to " + ids[1]
			stated[name+" "+m[1]] = claim
			rows, err := runPattern(ask, name, map[string]string{params[0]: m[1]})
			if err != nil {
				return fail(err)
			}
			live[name+" "+m[1]] = fmt.Sprintf("none of %d rows is the %s", len(rows), claim)
			for _, r := range rows {
				if assertionWords[fmt.Sprint(r["type"])] == m[2] && r["from"] == ids[0] && r["to"] == ids[1] && r["party"] == m[1] {
					live[name+" "+m[1]] = claim
				}
			}
		default:
			return fail(fmt.Errorf("no reader for this pattern's row"))
		}
	}
	stated["patterns"] = setOf(listed)
	return stated, live, nil
}

// checkCypherExample: the answer the README gives for its curl example of analysts' Cypher
// (the request is the README's own, sent with an analyst's token): its columns, and its rows
// as far as it shows them ("…": more follow). The query has no ORDER BY, so rows compare as a
// set.
func checkCypherExample(block string, ask askFunc) (facts, facts, error) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		return nil, nil, err
	}
	req := regexp.MustCompile(`(?s)curl -s http://\S+/graphql [^\n]*\n\s*-d '(\{"query":"query\(\$q: String!, \$p: JSON\) \{ cypher\(.*?)'\n`).FindSubmatch(readme)
	if req == nil {
		return nil, nil, fmt.Errorf("no curl example of cypher in the README")
	}
	text := strings.TrimSuffix(strings.TrimSpace(oneLine(block)), ".")
	text = strings.Trim(text, "`")
	more := strings.HasSuffix(text, ",…]}")
	text = strings.Replace(text, ",…]}", "]}", 1)
	var shown struct {
		Columns []string
		Rows    []map[string]any
	}
	if err := json.Unmarshal([]byte(text), &shown); err != nil {
		return nil, nil, fmt.Errorf("cannot read %q: %v", text, err)
	}
	var data struct {
		Cypher struct {
			Columns []string
			Rows    []map[string]any
		}
	}
	if err := ask(oneLine(string(req[1])), &data); err != nil {
		return nil, nil, err
	}
	stated := facts{"columns": strings.Join(shown.Columns, ", "), "more rows than shown": fmt.Sprint(more)}
	live := facts{"columns": strings.Join(data.Cypher.Columns, ", "), "more rows than shown": fmt.Sprint(len(data.Cypher.Rows) > len(shown.Rows))}
	answered := map[string]bool{}
	for _, r := range data.Cypher.Rows {
		b, _ := json.Marshal(r)
		answered[string(b)] = true
	}
	for _, r := range shown.Rows {
		b, _ := json.Marshal(r)
		stated["row "+string(b)] = "answered"
		live["row "+string(b)] = map[bool]string{true: "answered", false: "not answered"}[answered[string(b)]]
	}
	return stated, live, nil
}

// tableRows returns the cells of a markdown table's data rows with n columns.
func tableRows(block string, n int) [][]string {
	var rows [][]string
	for i, line := range strings.Split(block, "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "|") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for j := range cells {
			cells[j] = strings.TrimSpace(cells[j])
		}
		if len(cells) != n || strings.HasPrefix(cells[0], "---") {
			continue
		}
		if i > 0 && !strings.HasPrefix(strings.TrimSpace(strings.Split(block, "\n")[i-1]), "|") {
			continue // the header row
		}
		rows = append(rows, cells)
	}
	return rows
}

func fencedQuery(block string) (string, error) {
	m := regexp.MustCompile("(?s)```graphql\n(.*?)```").FindStringSubmatch(block)
	if m == nil {
		return "", fmt.Errorf("no query in the block")
	}
	return m[1], nil
}

// checkISKAffiliations: the rows of the README's answer to its own query, which it abridges.
func checkISKAffiliations(block string, ask askFunc) (facts, facts, error) {
	query, err := fencedQuery(block)
	if err != nil {
		return nil, nil, err
	}
	var data struct {
		Entity struct {
			Relationships []struct {
				Type, Status string
				Confidence   int
				Other        struct{ ID string }
				AssertedBy   struct{ Name string }
			}
		}
	}
	if err := ask(query, &data); err != nil {
		return nil, nil, err
	}
	answered := map[string]bool{}
	for _, r := range data.Entity.Relationships {
		answered[fmt.Sprintf("%s | %s | %s | %d | %s", r.Type, r.Other.ID, r.Status, r.Confidence, r.AssertedBy.Name)] = true
	}
	stated, live := facts{}, facts{}
	rows := tableRows(block, 5)
	for _, c := range rows {
		row := strings.Join(c, " | ")
		stated[row] = "answered"
		live[row] = map[bool]string{true: "answered", false: "not answered"}[answered[row]]
	}
	if !strings.Contains(block, "(abridged)") {
		stated["rows"], live["rows"] = fmt.Sprint(len(rows)), fmt.Sprint(len(answered))
	}
	return stated, live, nil
}

// checkClaimedVersusAttributed: every link of the types named, side by side, and no other.
func checkClaimedVersusAttributed(block string, ask askFunc) (facts, facts, error) {
	prose, _, _ := strings.Cut(oneLine(block), "|")
	subject := namesIn(prose)
	types := regexp.MustCompile("`([A-Z_]+)`").FindAllStringSubmatch(prose, -1)
	if len(subject) == 0 || len(types) == 0 {
		return nil, nil, fmt.Errorf("cannot read %q", prose)
	}
	var names []string
	for _, m := range types {
		names = append(names, m[1])
	}
	var data struct {
		Entity struct {
			Relationships []struct {
				Type, Direction, Status string
				Confidence              int
				Other, AssertedBy       struct{ ID string }
			}
		}
	}
	if err := ask(fmt.Sprintf(`{ entity(id: %q) { relationships(filter: {types: [%s]}) { type direction status confidence other { id } assertedBy { id } } } }`,
		subject[0].id, strings.Join(names, ", ")), &data); err != nil {
		return nil, nil, err
	}
	answered := map[string]bool{}
	for _, r := range data.Entity.Relationships {
		t := r.Type
		if r.Direction == "INCOMING" {
			t += " (incoming)"
		}
		answered[fmt.Sprintf("%s | %s | %s | %d | %s", t, r.Other.ID, r.Status, r.Confidence, r.AssertedBy.ID)] = true
	}
	rows := tableRows(block, 5)
	stated, live := facts{"rows": fmt.Sprint(len(rows))}, facts{"rows": fmt.Sprint(len(answered))}
	for _, c := range rows {
		row := strings.Join(c, " | ")
		stated[row] = "answered"
		live[row] = map[bool]string{true: "answered", false: "not answered"}[answered[row]]
	}
	return stated, live, nil
}

// checkShortestPath: the path the README's query answers, hop by hop, with each hop's status,
// confidence and asserting party.
func checkShortestPath(block string, ask askFunc) (facts, facts, error) {
	query, err := fencedQuery(block)
	if err != nil {
		return nil, nil, err
	}
	text := oneLine(block[strings.LastIndex(block, "```")+3:])
	m := regexp.MustCompile("^gives `(.+?)` \\((.+)\\)\\.$").FindStringSubmatch(text)
	if m == nil {
		return nil, nil, fmt.Errorf("cannot read %q", text)
	}
	ids := hopPattern.Split(m[1], -1)
	hops := hopPattern.FindAllStringSubmatch(m[1], -1)
	provenance := strings.Split(m[2], "; ")
	if len(provenance) != len(hops) {
		return nil, nil, fmt.Errorf("%d hops, %d provenances", len(hops), len(provenance))
	}
	for i := range ids {
		ids[i] = strings.TrimSpace(ids[i])
	}
	stated := facts{"nodes": strings.Join(ids, " > ")}
	for j, h := range hops {
		stated[fmt.Sprintf("hop %d", j+1)] = h[1] + h[2] + map[bool]string{true: "→", false: "←"}[h[1] != ""]
		p := regexp.MustCompile(`^([A-Z]+) (\d+) by (.+)$`).FindStringSubmatch(provenance[j])
		if p == nil {
			return nil, nil, fmt.Errorf("cannot read %q", provenance[j])
		}
		by, err := exactName(p[3])
		if err != nil {
			return nil, nil, err
		}
		stated[fmt.Sprintf("hop %d provenance", j+1)] = p[1] + " " + p[2] + " " + by
	}
	var data struct {
		ShortestPath *struct {
			Nodes []struct{ ID string }
			Edges []struct {
				Type, Source, Target, Status, AssertedBy string
				Confidence                               int
			}
		}
	}
	if err := ask(query, &data); err != nil {
		return nil, nil, err
	}
	if data.ShortestPath == nil {
		return nil, nil, fmt.Errorf("no path")
	}
	var path []string
	for _, n := range data.ShortestPath.Nodes {
		path = append(path, n.ID)
	}
	live := facts{"nodes": strings.Join(path, " > ")}
	for j := 0; j+1 < len(path); j++ {
		for _, e := range data.ShortestPath.Edges {
			dir := ""
			switch {
			case e.Source == path[j] && e.Target == path[j+1]:
				dir = "→"
			case e.Source == path[j+1] && e.Target == path[j]:
				dir = "←"
			default:
				continue
			}
			live[fmt.Sprintf("hop %d", j+1)] = e.Type + dir
			live[fmt.Sprintf("hop %d provenance", j+1)] = fmt.Sprintf("%s %d %s", e.Status, e.Confidence, e.AssertedBy)
		}
	}
	return stated, live, nil
}

// checkResembles: the curated RESEMBLES links of an incident, who asserts them, where they
// point, and what each one's basis says.
func checkResembles(block string, ask askFunc) (facts, facts, error) {
	text := oneLine(block)
	m := regexp.MustCompile("^\\*\\*Which attacks resemble (.+?)\\?\\*\\* Its `RESEMBLES` links, asserted by (.+?), point to `(.+?)` and `(.+?)`, each with the `basis` of the comparison \\((.+)\\)\\.$").FindStringSubmatch(text)
	if m == nil {
		return nil, nil, fmt.Errorf("cannot read %q", text)
	}
	ids, err := namesList(m[1] + ", " + m[2])
	if err != nil {
		return nil, nil, err
	}
	stated := facts{"asserted by": ids[1], "point to": setOf([]string{m[3], m[4]})}
	var data struct {
		Entity struct {
			Relationships []struct {
				Other, AssertedBy struct{ ID string }
				Basis             *string
			}
		}
	}
	if err := ask(fmt.Sprintf(`{ entity(id: %q) { relationships(filter: {types: [RESEMBLES]}) { other { id } assertedBy { id } basis } } }`, ids[0]), &data); err != nil {
		return nil, nil, err
	}
	var by, to []string
	for _, r := range data.Entity.Relationships {
		by, to = append(by, r.AssertedBy.ID), append(to, r.Other.ID)
	}
	live := facts{"asserted by": setOf(by), "point to": setOf(to)}
	for _, phrase := range strings.Split(m[5], "; ") {
		key := "each basis says: " + phrase
		stated[key] = "yes"
		live[key] = "yes"
		for _, r := range data.Entity.Relationships {
			if r.Basis == nil || !reasonMatches(phrase, *r.Basis) {
				live[key] = "not the basis of the link to " + r.Other.ID
			}
		}
	}
	return stated, live, nil
}

// checkMoscowToll: the death toll's figures, each with its qualifier, date and source.
func checkMoscowToll(block string, ask askFunc) (facts, facts, error) {
	text := oneLine(block)
	m := regexp.MustCompile("`figures\\(metric: KILLED\\)` on (.+?): (\\d+) \\(([A-Z_]+), as of ([0-9-]+), (.+?)\\) and (\\d+) \\(later reports\\), both kept\\.$").FindStringSubmatch(text)
	if m == nil {
		return nil, nil, fmt.Errorf("cannot read %q", text)
	}
	ids, err := namesList(m[1] + ", " + m[5])
	if err != nil {
		return nil, nil, err
	}
	stated := facts{"figures": m[2] + ", " + m[6], m[2]: m[3] + ", " + m[4] + ", " + ids[1], m[6]: "later"}
	var data struct {
		Entity struct {
			Figures []struct {
				Value      int
				Qualifier  string
				AsOf       string
				AssertedBy struct{ ID string }
			}
		}
	}
	if err := ask(fmt.Sprintf(`{ entity(id: %q) { ... on Incident { figures(metric: KILLED) { value qualifier asOf assertedBy { id } } } } }`, ids[0]), &data); err != nil {
		return nil, nil, err
	}
	live := facts{}
	var values []string
	for i, f := range data.Entity.Figures {
		values = append(values, fmt.Sprint(f.Value))
		v := fmt.Sprint(f.Value)
		if i == 0 {
			live[v] = fmt.Sprintf("%s, %s, %s", f.Qualifier, f.AsOf, f.AssertedBy.ID)
		} else if f.AsOf > data.Entity.Figures[0].AsOf {
			live[v] = "later"
		}
	}
	live["figures"] = strings.Join(values, ", ")
	return stated, live, nil
}

var kindWords = map[string]string{"organizations": "ORGANIZATION", "countries": "COUNTRY", "people": "PERSON", "places": "PLACE",
	"incidents": "INCIDENT", "events": "EVENT", "sources": "SOURCE", "groups": "GROUP"}

// checkSeedCounts: what the loaded seed graph holds, counted by an analyst's Cypher.
func checkSeedCounts(block string, ask askFunc) (facts, facts, error) {
	text := oneLine(block)
	m := regexp.MustCompile(`^It holds (\d+) entities \((.+?)\), (\d+) relationships and (\d+) figures\.$`).FindStringSubmatch(text)
	if m == nil {
		return nil, nil, fmt.Errorf("cannot read %q", text)
	}
	stated := facts{"entities": m[1], "relationships": m[3], "figures": m[4]}
	var kinds []string
	for _, part := range strings.Split(m[2], ", ") {
		n, word, ok := strings.Cut(part, " ")
		if !ok || kindWords[word] == "" {
			return nil, nil, fmt.Errorf("cannot read %q", part)
		}
		stated[kindWords[word]] = n
		kinds = append(kinds, kindWords[word])
	}
	stated["kinds"] = setOf(kinds)
	count := func(cypher string) ([]map[string]any, error) {
		var data struct {
			Cypher struct{ Rows []map[string]any }
		}
		err := ask(fmt.Sprintf(`{ cypher(query: %q) { rows } }`, cypher), &data)
		return data.Cypher.Rows, err
	}
	live := facts{}
	rows, err := count("MATCH (n:Entity) RETURN n.kind AS kind, count(*) AS n")
	if err != nil {
		return nil, nil, err
	}
	total := 0.0
	kinds = nil
	for _, r := range rows {
		n, _ := r["n"].(float64)
		total += n
		live[fmt.Sprint(r["kind"])] = fmt.Sprint(n)
		kinds = append(kinds, fmt.Sprint(r["kind"]))
	}
	live["entities"], live["kinds"] = fmt.Sprint(total), setOf(kinds)
	for key, cypher := range map[string]string{
		"relationships": "MATCH (:Entity)-[r]->(:Entity) RETURN count(r) AS n",
		"figures":       "MATCH (f:Figure) RETURN count(f) AS n",
	} {
		rows, err := count(cypher)
		if err != nil {
			return nil, nil, err
		}
		if len(rows) == 1 {
			live[key] = fmt.Sprint(rows[0]["n"])
		}
	}
	return stated, live, nil
}

// checkMap: the README's example of the searches on the map (its query, outside the claim, read
// from the README as the client would copy it): what near Kabul holds (name and date) and does
// not hold, what the box around France holds, and the first two places near Kabul with their
// distances to a tenth of a kilometre.
func checkMap(block string, ask askFunc) (facts, facts, error) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		return nil, nil, err
	}
	q := regexp.MustCompile("(?s)```graphql\n(\\{\n  nearKabul: .*?)```").FindSubmatch(readme)
	if q == nil {
		return nil, nil, fmt.Errorf("no query of nearKabul in the README")
	}
	m := regexp.MustCompile("(?s)`nearKabul` holds the (.+?) \\((\\S+), drawn at .*?\\) and not the (.+?); `inFrance` the (.+?);\\s+`placesNear` (.+?) \\(([\\d.]+) km\\), then (.+?) \\(([\\d.]+) km\\)\\.").
		FindStringSubmatch(oneLine(block))
	if m == nil {
		return nil, nil, fmt.Errorf("cannot read %q", oneLine(block))
	}
	stated := facts{"near Kabul": m[1] + " " + m[2], "near Kabul, " + m[3]: "absent", "in France": m[4],
		"nearest place": m[5] + " " + m[6] + " km", "next place": m[7] + " " + m[8] + " km"}
	var data struct {
		NearKabul  struct{ Nodes []struct{ Name, Date string } }
		InFrance   struct{ Nodes []struct{ Name string } }
		PlacesNear []struct {
			DistanceKm float64
			Place      struct{ Name string }
		}
	}
	if err := ask(string(q[1]), &data); err != nil {
		return nil, nil, err
	}
	// What near Kabul does not hold must be an incident of the graph: a name that is no
	// incident's is not absent, it is wrong.
	var all struct {
		Incidents struct{ Nodes []struct{ Name string } }
	}
	if err := ask(`{ incidents(first: 100) { nodes { name } } }`, &all); err != nil {
		return nil, nil, err
	}
	absent := "no such incident"
	for _, n := range all.Incidents.Nodes {
		if n.Name == m[3] {
			absent = "absent"
		}
	}
	var near, france []string
	for _, n := range data.NearKabul.Nodes {
		near = append(near, n.Name+" "+n.Date)
		if n.Name == m[3] {
			absent = "present"
		}
	}
	for _, n := range data.InFrance.Nodes {
		france = append(france, n.Name)
	}
	km := func(d float64) string {
		if d < 0.05 {
			return "0"
		}
		return strconv.FormatFloat(d, 'f', 1, 64)
	}
	live := facts{"near Kabul": strings.Join(near, ", "), "near Kabul, " + m[3]: absent, "in France": strings.Join(france, ", ")}
	if len(data.PlacesNear) >= 2 {
		live["nearest place"] = data.PlacesNear[0].Place.Name + " " + km(data.PlacesNear[0].DistanceKm) + " km"
		live["next place"] = data.PlacesNear[1].Place.Name + " " + km(data.PlacesNear[1].DistanceKm) + " km"
	}
	return stated, live, nil
}
