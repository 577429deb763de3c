package seed

import (
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/incidentgraph/incidentgraph"
)

// Top-level keys of a seed file.
var sections = []string{"entities", "relationships", "figures"}

var syntaxErrRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parseFile reads one file into the reader. The file is decoded into yaml.Node trees, never
// into Go values, so that every problem can name its line and nothing is converted behind our
// back (an unquoted date stays the text the curator wrote).
func (r *reader) parseFile(file string, src io.Reader) {
	dec := yaml.NewDecoder(src)
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			r.add(file, 1, "empty file: expected a top-level entities, relationships or figures list")
			return
		}
		r.syntaxError(file, err)
		return
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == nil:
		r.add(file, extra.Line, "a second YAML document (---): a seed file holds one document")
	case !errors.Is(err, io.EOF):
		r.syntaxError(file, err)
	}

	root := deref(&doc)
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		root = deref(root.Content[0])
	}
	if root.Kind != yaml.MappingNode {
		r.add(file, root.Line, "expected a mapping with the keys entities, relationships or figures at the top level, found %s", describe(root))
		return
	}
	known := 0
	r.eachField(file, root, func(key string, k, v *yaml.Node) {
		if !slices.Contains(sections, key) {
			r.add(file, k.Line, "unknown top-level key %s (expected entities, relationships or figures)%s", key, hint(key, sections))
			return
		}
		known++
		v = deref(v)
		if isNull(v) {
			return // an empty list
		}
		if v.Kind != yaml.SequenceNode {
			r.add(file, v.Line, "%s must be a list (items starting with \"- \"), found %s", key, describe(v))
			return
		}
		for i, item := range v.Content {
			item = deref(item)
			path := fmt.Sprintf("%s[%d]", key, i)
			switch key {
			case "entities":
				r.entity(file, path, item)
			case "relationships":
				r.relationship(file, path, item)
			case "figures":
				r.figure(file, path, item)
			}
		}
	})
	if known == 0 {
		r.add(file, root.Line, "no entities, relationships or figures in this file")
	}
}

// syntaxError reports a YAML parse error at the line yaml gives, when it gives one.
func (r *reader) syntaxError(file string, err error) {
	msg := err.Error()
	if m := syntaxErrRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		r.add(file, line, "YAML syntax error: %s", m[2])
		return
	}
	r.add(file, 0, "YAML syntax error: %s", strings.TrimPrefix(msg, "yaml: "))
}

// eachField calls fn for every key of mapping m, in order, reporting keys that are not plain
// words and keys written twice (the second of which is skipped).
func (r *reader) eachField(file string, m *yaml.Node, fn func(key string, k, v *yaml.Node)) {
	seen := map[string]int{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := deref(m.Content[i]), m.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			r.add(file, k.Line, "a key must be a plain word, found %s", describe(k))
			continue
		}
		if k.ShortTag() == "!!merge" {
			r.add(file, k.Line, "merge keys (<<) are not supported: write the keys out")
			continue
		}
		if first, ok := seen[k.Value]; ok {
			r.add(file, k.Line, "key %s repeated (first at line %d)", k.Value, first)
			continue
		}
		seen[k.Value] = k.Line
		fn(k.Value, k, v)
	}
}

// obj is one item of a list (an entity, a relationship, a figure) with the values of its
// allowed keys. Its getters convert values, reporting wrong types at the value's line; a
// missing optional key yields the zero value.
type obj struct {
	r    *reader
	file string
	path string // the item's YAML path, e.g. entities[3]
	line int    // the item's line
	vals map[string]*yaml.Node
	keys map[string]*yaml.Node
	// bad holds the keys whose value could not be read: the domain's rules about them (a
	// required key, a range) would only repeat the problem.
	bad map[string]bool
	// items holds the lines of the items of each list that were read, in order, so that the
	// domain's problem about sources[2] can name the line of that item.
	items map[string][]int
	// lines holds the lines of values inside list items (aliases[2].language), which the
	// domain's problems may name.
	lines map[string]int
}

// object reads mapping m; check says why a key is not allowed ("" when it is).
func (r *reader) object(file, path string, m *yaml.Node, check func(key string) string) *obj {
	o := &obj{r: r, file: file, path: path, line: m.Line, vals: map[string]*yaml.Node{}, keys: map[string]*yaml.Node{},
		bad: map[string]bool{}, items: map[string][]int{}, lines: map[string]int{}}
	r.eachField(file, m, func(key string, k, v *yaml.Node) {
		if why := check(key); why != "" {
			r.add(file, k.Line, "%s", why)
			return
		}
		o.vals[key], o.keys[key] = v, k
	})
	return o
}

func (o *obj) add(n *yaml.Node, format string, args ...any) {
	for k, v := range o.vals {
		if v == n {
			o.bad[k] = true
		}
	}
	o.r.add(o.file, n.Line, format, args...)
}

// domain reports the problems the domain's validation found in this item, each at the line of
// the key (or list item) it is about, or at the item when the key is absent. Problems about a
// key whose value could not be read are left out: that key is reported already.
func (o *obj) domain(ps []incidentgraph.Problem) {
	for _, p := range ps {
		field := strings.TrimPrefix(p.Field, o.path+".")
		key, index, _ := strings.Cut(field, "[")
		if o.bad[key] || o.bad[field] {
			continue
		}
		line := o.line
		if v, ok := o.vals[key]; ok {
			line = v.Line
		}
		n, _, _ := strings.Cut(index, "]")
		if i, err := strconv.Atoi(n); err == nil && i >= 0 && i < len(o.items[key]) {
			line = o.items[key][i]
		}
		if l, ok := o.lines[field]; ok {
			line = l
		}
		o.r.problems = append(o.r.problems, Problem{File: o.file, Line: line, Path: p.Field, Reason: p.Message})
	}
}

// at returns where the value of key was written, or the item when the key is absent.
func (o *obj) at(key string) pos {
	if v, ok := o.vals[key]; ok {
		return pos{o.file, v.Line}
	}
	return pos{o.file, o.line}
}

func (o *obj) has(key string) bool { _, ok := o.vals[key]; return ok }

// require reports each key that is absent; note follows the reason, as in " (required for X)".
func (o *obj) require(note string, keys ...string) {
	for _, k := range keys {
		if !o.has(k) {
			o.r.add(o.file, o.line, "missing required key %s%s", k, note)
		}
	}
}

// scalar returns the value of key if it is a single non-empty value.
func (o *obj) scalar(key string) (*yaml.Node, bool) {
	v, ok := o.vals[key]
	if !ok {
		return nil, false
	}
	n := deref(v)
	switch {
	case n.Kind != yaml.ScalarNode:
		o.add(v, "%s must be a single value, found %s", key, describe(n))
	case isNull(n):
		o.add(v, "%s has no value", key)
	default:
		return n, true
	}
	return nil, false
}

// str returns the text of key, trimmed; it reports blank text.
func (o *obj) str(key string) string {
	n, ok := o.scalar(key)
	if !ok {
		return ""
	}
	s := strings.TrimSpace(n.Value)
	if s == "" {
		o.add(o.vals[key], "%s is empty", key)
	}
	return s
}

func (o *obj) date(key string) incidentgraph.PartialDate {
	s := o.str(key)
	if s == "" {
		return ""
	}
	d, err := incidentgraph.ParsePartialDate(s)
	if err != nil {
		o.add(o.vals[key], "%s: %v", key, err)
		return ""
	}
	return d
}

func (o *obj) integer(key string) (int, bool) {
	n, ok := o.scalar(key)
	if !ok {
		return 0, false
	}
	return o.intValue(key, o.vals[key], n)
}

func (o *obj) intValue(what string, at, n *yaml.Node) (int, bool) {
	var i int
	if n.ShortTag() != "!!int" || n.Decode(&i) != nil {
		o.add(at, "%s must be a whole number, found %s", what, describe(n))
		return 0, false
	}
	return i, true
}

// intIn returns the value of key if it is a whole number in [lo, hi].
func (o *obj) intIn(key string, lo, hi int) (int, bool) {
	i, ok := o.integer(key)
	if ok && (i < lo || i > hi) {
		o.add(o.vals[key], "%s %d is out of range %d–%d", key, i, lo, hi)
		return 0, false
	}
	return i, ok
}

// number returns the value of key if it is a number.
func (o *obj) number(key string) *float64 {
	n, ok := o.scalar(key)
	if !ok {
		return nil
	}
	var f float64
	if t := n.ShortTag(); (t != "!!int" && t != "!!float") || n.Decode(&f) != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		o.add(o.vals[key], "%s must be a number, found %s", key, describe(n))
		return nil
	}
	return &f
}

func (o *obj) boolean(key string) bool {
	n, ok := o.scalar(key)
	if !ok {
		return false
	}
	var b bool
	if n.ShortTag() != "!!bool" || n.Decode(&b) != nil {
		o.add(o.vals[key], "%s must be true or false, found %s", key, describe(n))
	}
	return b
}

// list returns the items of key, which must be a list; empty reports an empty list.
func (o *obj) list(key string, empty bool) []*yaml.Node {
	v, ok := o.vals[key]
	if !ok {
		return nil
	}
	n := deref(v)
	if n.Kind != yaml.SequenceNode {
		o.add(v, "%s must be a list (e.g. [a, b]), found %s", key, describe(n))
		return nil
	}
	if len(n.Content) == 0 && empty {
		o.add(v, "%s is an empty list", key)
	}
	return n.Content
}

// item is one element of a list of strings, with its line.
type item struct {
	val  string
	line int
}

// texts returns the items of list key, each a non-blank single value.
func (o *obj) texts(key string, empty bool) []item {
	var out []item
	for _, v := range o.list(key, empty) {
		n := deref(v)
		switch {
		case n.Kind != yaml.ScalarNode:
			o.add(v, "each item of %s must be a single value, found %s", key, describe(n))
		case isNull(n) || strings.TrimSpace(n.Value) == "":
			o.add(v, "%s has an empty item", key)
		default:
			out = append(out, item{strings.TrimSpace(n.Value), v.Line})
			o.items[key] = append(o.items[key], v.Line)
		}
	}
	return out
}

// codes returns the items of list key that are whole numbers (the domain checks their range).
func (o *obj) codes(key string) []int {
	var out []int
	for _, v := range o.list(key, false) {
		n := deref(v)
		if n.Kind != yaml.ScalarNode {
			o.add(v, "each item of %s must be a GTD code, found %s", key, describe(n))
			continue
		}
		if c, ok := o.intValue("each item of "+key, v, n); ok {
			out = append(out, c)
			o.items[key] = append(o.items[key], v.Line)
		}
	}
	return out
}

// deref follows a YAML alias (*name) to the node it stands for.
func deref(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" }

// describe names what a node is, for messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	case yaml.DocumentNode:
		return "an empty document"
	case yaml.ScalarNode:
		v := n.Value
		if len(v) > 40 {
			v = v[:40] + "…"
		}
		switch n.ShortTag() {
		case "!!null":
			return "nothing"
		case "!!str":
			return fmt.Sprintf("text %q", v)
		case "!!int":
			return "the whole number " + v
		case "!!float":
			return "the number " + v
		case "!!bool":
			return "the boolean " + v
		default:
			return fmt.Sprintf("%q", v)
		}
	}
	return "an unexpected node"
}
