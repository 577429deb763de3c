package ceiling

import (
	"encoding/csv"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestHeaderType(t *testing.T) {
	for _, tc := range []struct {
		valueType, want string
		bad             bool
	}{
		{valueType: "STRING NOT NULL", want: "string"},
		{valueType: "INTEGER NOT NULL", want: "long"},
		{valueType: "FLOAT NOT NULL", want: "double"},
		{valueType: "BOOLEAN NOT NULL", want: "boolean"},
		{valueType: "LIST<STRING NOT NULL> NOT NULL", want: "string[]"},
		{valueType: "LIST<INTEGER NOT NULL> NOT NULL", want: "long[]"},
		{valueType: "LIST<NOTHING> NOT NULL", want: typeEmptyList},
		// Types the dump does not write in a form that reads back the same: refused.
		{valueType: "LIST<ANY NOT NULL> NOT NULL", bad: true},
		{valueType: "LIST<INTEGER | STRING NOT NULL> NOT NULL", bad: true},
		{valueType: "DATE NOT NULL", bad: true},
		{valueType: "LOCAL DATETIME NOT NULL", bad: true},
		{valueType: "ZONED DATETIME NOT NULL", want: "datetime"},
		{valueType: "LIST<ZONED DATETIME NOT NULL> NOT NULL", bad: true},
		{valueType: "POINT NOT NULL", want: typePoint},
		{valueType: "LIST<POINT NOT NULL> NOT NULL", bad: true},
		{valueType: "MAP NOT NULL", bad: true},
		{valueType: "LIST<STRING NOT NULL NOT NULL", bad: true},
	} {
		got, err := headerType(tc.valueType)
		if tc.bad {
			if err == nil {
				t.Errorf("%s: accepted as %q", tc.valueType, got)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s: %q, %v; want %q", tc.valueType, got, err, tc.want)
		}
	}
}

func TestMergeTypes(t *testing.T) {
	for _, tc := range []struct {
		a, b, want string
		bad        bool
	}{
		{a: "", b: "string", want: "string"},
		{a: "long", b: "", want: "long"},
		{a: "long", b: "long", want: "long"},
		{a: typeEmptyList, b: "string[]", want: "string[]"},
		{a: "long[]", b: typeEmptyList, want: "long[]"},
		{a: typeEmptyList, b: typeEmptyList, want: typeEmptyList},
		// One column has one type.
		{a: "long", b: "string", bad: true},
		{a: "string[]", b: "long[]", bad: true},
		{a: typeEmptyList, b: "string", bad: true},
	} {
		got, err := mergeTypes(tc.a, tc.b)
		if tc.bad != (err != nil) || (!tc.bad && got != tc.want) {
			t.Errorf("mergeTypes(%q, %q) = %q, %v; want %q (error: %v)", tc.a, tc.b, got, err, tc.want, tc.bad)
		}
	}
}

func TestHeaderLine(t *testing.T) {
	cols := []column{{"aliases", "string[]"}, {"n", "long"}, {"only", typeEmptyList}}
	got, err := headerLine(true, cols)
	if want := ":ID,:LABEL,aliases:string[],n:long,only:string[]"; err != nil || got != want {
		t.Errorf("node header %q, %v; want %q", got, err, want)
	}
	got, err = headerLine(false, cols[1:2])
	if want := ":START_ID,:END_ID,:TYPE,n:long"; err != nil || got != want {
		t.Errorf("relationship header %q, %v; want %q", got, err, want)
	}
	// Keys the header cannot hold: it is split on ',' and ':' before quotes are looked at.
	for _, key := range []string{"a,b", "a:b", `a"b`, "a\nb", ""} {
		if h, err := headerLine(true, []column{{key, "string"}}); err == nil {
			t.Errorf("key %q written as %q", key, h)
		}
	}
}

// readBack reads a field as neo4j-admin does with the dump's options: a quoted field is its
// text with doubled quotes undone (an empty quoted field is an empty string); an unquoted empty
// field is no value at all. It is strict: a field that is neither is an error.
func readBack(field string) (text string, null bool, err error) {
	if field == "" {
		return "", true, nil
	}
	if strings.HasPrefix(field, `"`) {
		if len(field) < 2 || !strings.HasSuffix(field, `"`) {
			return "", false, fmt.Errorf("unterminated quoted field %q", field)
		}
		inner := field[1 : len(field)-1]
		if strings.Contains(strings.ReplaceAll(inner, `""`, ""), `"`) {
			return "", false, fmt.Errorf("a lone quote inside %q", field)
		}
		return strings.ReplaceAll(inner, `""`, `"`), false, nil
	}
	if strings.ContainsAny(field, "\",\r\n") {
		return "", false, fmt.Errorf("unquoted field %q holds a quote, comma or line break", field)
	}
	return field, false, nil
}

// decode turns a field's text back into the value of its column type.
func decode(typ, text string) (any, error) {
	elem, array := strings.CutSuffix(typ, "[]")
	if !array {
		return decodeScalar(elem, text)
	}
	var out []any
	for _, part := range strings.Split(text, ArrayDelimiter) {
		v, err := decodeScalar(elem, part)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func decodeScalar(typ, s string) (any, error) {
	switch typ {
	case typeString:
		return s, nil
	case typeLong:
		return strconv.ParseInt(s, 10, 64)
	case typeDouble:
		switch s { // Java's spellings
		case "Infinity":
			return math.Inf(1), nil
		case "-Infinity":
			return math.Inf(-1), nil
		}
		return strconv.ParseFloat(s, 64)
	case typeBoolean:
		return strconv.ParseBool(s)
	case typeDateTime:
		return time.Parse(time.RFC3339Nano, s)
	}
	return nil, fmt.Errorf("no type %q", typ)
}

// sameValue is reflect.DeepEqual, but times are the same instant at the same offset (two
// fixed zones of one offset are different pointers).
func sameValue(a, b any) bool {
	if ta, ok := a.(time.Time); ok {
		tb, ok := b.(time.Time)
		return ok && ta.Equal(tb) && ta.Format(time.RFC3339Nano) == tb.Format(time.RFC3339Nano)
	}
	return reflect.DeepEqual(a, b)
}

type fieldFunc func(typ string, v any) (string, bool, error)

// fieldCases are values the graph holds, and the awkward ones a string can be.
var fieldCases = []struct {
	typ string
	v   any
}{
	{"string", "plain"},
	{"string", "a, comma"},
	{"string", `he said "hi"`},
	{"string", `"`},
	{"string", `""`},
	{"string", "two\nlines"},
	{"string", "crlf\r\nline"},
	{"string", ""},
	{"string", "  spaces kept  "},
	{"string", "ünïcödé € 東京"},
	{"string", `back\slash`},
	{"long", int64(0)},
	{"long", int64(-42)},
	{"long", int64(math.MaxInt64)},
	{"double", 0.1},
	{"double", 1.0 / 3},
	{"double", 34.5553494},
	{"double", -1e300},
	{"double", 5e-324},
	{"double", math.Inf(1)},
	{"double", math.Inf(-1)},
	{"boolean", true},
	{"boolean", false},
	{"datetime", time.Date(2026, 12, 7, 17, 0, 0, 123456789, time.UTC)},
	{"datetime", time.Date(2024, 3, 22, 20, 0, 0, 0, time.FixedZone("", 3*3600))},
	{"string[]", []any{"a;b", "c,d", `e"f`, "g\nh"}},
	{"string[]", []any{"single"}},
	{"long[]", []any{int64(1), int64(-2), int64(3)}},
	{"double[]", []any{1.5, -0.25}},
	{"boolean[]", []any{true, false}},
}

// checkFields writes each case as the middle field of a CSV line through field, reads the line
// back with encoding/csv (three fields, or the field broke out of its quotes) and the field with
// readBack, and returns every case that does not come back as it went in.
func checkFields(field fieldFunc) []string {
	var bad []string
	for _, tc := range fieldCases {
		f, empty, err := field(tc.typ, tc.v)
		if err != nil || empty {
			bad = append(bad, fmt.Sprintf("%s %#v: empty %v, %v", tc.typ, tc.v, empty, err))
			continue
		}
		r := csv.NewReader(strings.NewReader(`"lead",` + f + ",7\n"))
		rec, err := r.Read()
		if err != nil || len(rec) != 3 || rec[0] != "lead" || rec[2] != "7" {
			bad = append(bad, fmt.Sprintf("%s %#v as %q: the line reads as %q, %v", tc.typ, tc.v, f, rec, err))
			continue
		}
		text, null, err := readBack(f)
		if err != nil || null {
			bad = append(bad, fmt.Sprintf("%s %#v as %q: null %v, %v", tc.typ, tc.v, f, null, err))
			continue
		}
		got, err := decode(tc.typ, text)
		if err != nil || !sameValue(got, tc.v) {
			bad = append(bad, fmt.Sprintf("%s %#v as %q: reads back as %#v, %v", tc.typ, tc.v, f, got, err))
		}
	}
	return bad
}

func TestFieldsReadBack(t *testing.T) {
	for _, b := range checkFields(fieldOf) {
		t.Error(b)
	}
}

// The harness catches fields written wrong: quotes not doubled, strings not quoted (a comma or
// a line break splits them; an empty string becomes no value), numbers printed short.
func TestFieldsReadBackCatchesBrokenWriters(t *testing.T) {
	for name, broken := range map[string]fieldFunc{
		"quotes not doubled": func(typ string, v any) (string, bool, error) {
			f, e, err := fieldOf(typ, v)
			if strings.HasPrefix(f, `"`) {
				f = `"` + strings.ReplaceAll(f[1:len(f)-1], `""`, `"`) + `"`
			}
			return f, e, err
		},
		"strings unquoted": func(typ string, v any) (string, bool, error) {
			f, e, err := fieldOf(typ, v)
			if strings.HasPrefix(f, `"`) {
				f = strings.ReplaceAll(f[1:len(f)-1], `""`, `"`)
			}
			return f, e, err
		},
		"doubles to 6 digits": func(typ string, v any) (string, bool, error) {
			if x, ok := v.(float64); ok && typ == typeDouble && !math.IsInf(x, 0) {
				return strconv.FormatFloat(x, 'g', 6, 64), false, nil
			}
			return fieldOf(typ, v)
		},
		"datetimes to the second": func(typ string, v any) (string, bool, error) {
			if x, ok := v.(time.Time); ok && typ == typeDateTime {
				return x.Format(time.RFC3339), false, nil
			}
			return fieldOf(typ, v)
		},
		"arrays joined by ;": func(typ string, v any) (string, bool, error) {
			f, e, err := fieldOf(typ, v)
			return strings.ReplaceAll(f, ArrayDelimiter, ";"), e, err
		},
	} {
		if len(checkFields(broken)) == 0 {
			t.Errorf("%s: every case read back", name)
		}
	}
}

func TestFieldErrorsAndEmpties(t *testing.T) {
	for _, tc := range []struct {
		typ   string
		v     any
		want  string
		empty bool
		bad   bool
	}{
		{typ: "string", v: nil, want: ""},
		{typ: "string[]", v: []any{}, empty: true},
		{typ: typeEmptyList, v: []any{}, empty: true},
		{typ: "long", v: "12", bad: true},
		{typ: "string", v: int64(12), bad: true},
		{typ: "long[]", v: int64(1), bad: true},
		{typ: "string[]", v: []any{"a\x1fb"}, bad: true},
		{typ: "string[]", v: []any{"a", ""}, empty: true},
		{typ: "string[]", v: []any{"", "a"}, empty: true},
		{typ: "long[]", v: []any{int64(1), "2"}, bad: true},
		{typ: typeEmptyList, v: []any{"x"}, bad: true},
		{typ: "string", v: map[string]any{}, bad: true},
	} {
		got, empty, err := fieldOf(tc.typ, tc.v)
		if tc.bad {
			if err == nil {
				t.Errorf("%s %#v: written as %q", tc.typ, tc.v, got)
			}
			continue
		}
		if err != nil || got != tc.want || empty != tc.empty {
			t.Errorf("%s %#v: %q, empty %v, %v; want %q, empty %v", tc.typ, tc.v, got, empty, err, tc.want, tc.empty)
		}
	}
}

func TestLabelsField(t *testing.T) {
	if got, err := labelsField([]string{"Entity", "Incident"}); err != nil || got != "\"Entity\x1fIncident\"" {
		t.Errorf("labels: %q, %v", got, err)
	}
	if got, err := labelsField(nil); err != nil || got != "" {
		t.Errorf("no labels: %q, %v", got, err)
	}
	if got, err := labelsField([]string{"A\x1fB"}); err == nil {
		t.Errorf("a label holding the delimiter written as %q", got)
	}
}
