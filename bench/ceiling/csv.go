// Package ceiling measures the import ceiling of the machine: the graph that `incidentgraph
// import gtd` wrote, dumped to neo4j-admin's CSV format and loaded again by `neo4j-admin
// database import full` into an empty database. The bulk importer writes store files directly,
// with no transactions, no index upkeep and no lookups, so its rate is what the real import
// path is measured against in the scaling report (make bench-compare-scaling).
//
// Like bench/compare, it holds Cypher of its own on purpose: it reads the whole graph past the
// service to copy it.
package ceiling

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j/dbtype"
)

// ArrayDelimiter separates the elements of an array in a field. It is the ASCII unit
// separator, which no property of the graph holds, rather than the importer's default ';',
// which aliases and quotes do. The importer is told with --array-delimiter=U+001F.
const (
	ArrayDelimiter     = "\x1f"
	arrayDelimiterFlag = "U+001F"
)

// The header types of neo4j-admin's CSV format for the property types the dump writes
// (https://neo4j.com/docs/operations-manual/5/tools/neo4j-admin/neo4j-admin-import/#import-tool-header-format).
const (
	typeString  = "string"
	typeLong    = "long"
	typeDouble  = "double"
	typeBoolean = "boolean"
	// typePoint is a WGS-84 point (the location of places and incidents), written
	// "{latitude:…, longitude:…}" in a quoted field.
	typePoint = "point{crs:WGS-84}"
	// typeDateTime is a date and time with its zone (a record's `at`), written in ISO 8601 with
	// nanoseconds and the offset.
	typeDateTime = "datetime"
	// typeEmptyList stands for a property that was only ever seen as an empty list: its
	// element type is unknown, and the CSV format cannot carry an empty list anyway.
	typeEmptyList = "[]"
)

// headerType maps a Cypher valueType() ("STRING NOT NULL", "LIST<INTEGER NOT NULL> NOT NULL")
// to the header type neo4j-admin reads it as. Types the graph does not use (dates, local
// times, durations, lists of points or of times, mixed lists) are refused rather than written in
// a form that would not read back the same.
func headerType(valueType string) (string, error) {
	t := strings.TrimSuffix(valueType, " NOT NULL")
	array := ""
	if inner, ok := strings.CutPrefix(t, "LIST<"); ok {
		inner, ok = strings.CutSuffix(inner, ">")
		if !ok {
			return "", fmt.Errorf("unsupported property type %q", valueType)
		}
		if inner == "NOTHING" {
			return typeEmptyList, nil
		}
		t, array = strings.TrimSuffix(inner, " NOT NULL"), "[]"
	}
	switch t {
	case "STRING":
		return typeString + array, nil
	case "INTEGER":
		return typeLong + array, nil
	case "FLOAT":
		return typeDouble + array, nil
	case "BOOLEAN":
		return typeBoolean + array, nil
	case "POINT":
		if array == "" {
			return typePoint, nil
		}
	case "ZONED DATETIME":
		if array == "" {
			return typeDateTime, nil
		}
	}
	return "", fmt.Errorf("unsupported property type %q", valueType)
}

// mergeTypes is the header type of a column whose values have the types a and b ("" for none
// seen yet): an empty list goes with any array type; other differences are refused, since one
// column has one type.
func mergeTypes(a, b string) (string, error) {
	switch {
	case a == "" || a == b:
		return b, nil
	case b == "":
		return a, nil
	case a == typeEmptyList && strings.HasSuffix(b, "[]"):
		return b, nil
	case b == typeEmptyList && strings.HasSuffix(a, "[]"):
		return a, nil
	}
	return "", fmt.Errorf("values of types %s and %s in one column", a, b)
}

// column is one property column of a CSV file: the property key and its header type.
type column struct {
	Key, Type string
}

// headerLine is the first line of a node file (":ID,:LABEL,key:type,...") or of a
// relationship file (":START_ID,:END_ID,:TYPE,key:type,...").
func headerLine(nodes bool, cols []column) (string, error) {
	fields := []string{":START_ID", ":END_ID", ":TYPE"}
	if nodes {
		fields = []string{":ID", ":LABEL"}
	}
	for _, c := range cols {
		// The header is split on ',' and on ':' before any quoting is looked at.
		if c.Key == "" || strings.ContainsAny(c.Key, ",:\"\r\n"+ArrayDelimiter) {
			return "", fmt.Errorf("property key %q cannot be written in a CSV header", c.Key)
		}
		t := c.Type
		if t == typeEmptyList {
			t = typeString + "[]" // never written: its values are all empty lists
		}
		fields = append(fields, c.Key+":"+t)
	}
	return strings.Join(fields, ","), nil
}

// quote writes s as one quoted CSV field (RFC 4180: inner quotes doubled), so that an empty
// string stays an empty string (an unquoted empty field is no property at all) and commas,
// quotes and line breaks stay inside the field.
func quote(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// fieldOf is the CSV field of property value v in a column of header type typ. empty says the
// value is a list the format has no way to write (empty, or holding an empty string), written
// as no property.
func fieldOf(typ string, v any) (field string, empty bool, err error) {
	if v == nil {
		return "", false, nil
	}
	elem, array := strings.CutSuffix(typ, "[]")
	if typ == typeEmptyList {
		elem, array = "", true
	}
	if !array {
		f, err := scalar(elem, v)
		return f, false, err
	}
	list, ok := v.([]any)
	if !ok {
		return "", false, fmt.Errorf("a %T in a column of type %s", v, typ)
	}
	if len(list) == 0 {
		return "", true, nil
	}
	if elem == "" {
		return "", false, fmt.Errorf("a non-empty list in a column of empty lists")
	}
	parts := make([]string, len(list))
	for i, x := range list {
		f, err := scalar(elem, x)
		if err != nil {
			return "", false, err
		}
		if elem == typeString {
			s := x.(string) // scalar checked the type
			if strings.Contains(s, ArrayDelimiter) {
				return "", false, fmt.Errorf("a list element holds the array delimiter U+001F: %q", s)
			}
			// "a" + U+001F + "" does not tell an empty element from none: such a list (an
			// alias's unknown language among known ones, in the parallel alias lists) is left
			// out like an empty list, and counted.
			if s == "" {
				return "", true, nil
			}
			f = s // quoted as a whole below
		}
		parts[i] = f
	}
	joined := strings.Join(parts, ArrayDelimiter)
	if elem == typeString {
		return quote(joined), false, nil
	}
	return joined, false, nil
}

func scalar(typ string, v any) (string, error) {
	switch typ {
	case typeString:
		if s, ok := v.(string); ok {
			return quote(s), nil
		}
	case typeLong:
		if n, ok := v.(int64); ok {
			return strconv.FormatInt(n, 10), nil
		}
	case typeDouble:
		if f, ok := v.(float64); ok {
			switch {
			case math.IsInf(f, 1):
				return "Infinity", nil // Java's spelling, which the importer parses
			case math.IsInf(f, -1):
				return "-Infinity", nil
			}
			return strconv.FormatFloat(f, 'g', -1, 64), nil
		}
	case typeBoolean:
		if b, ok := v.(bool); ok {
			return strconv.FormatBool(b), nil
		}
	case typePoint:
		// Only 2D WGS-84 (SRID 4326) points: the header names that CRS for the whole column.
		if p, ok := v.(dbtype.Point2D); ok && p.SpatialRefId == 4326 {
			return quote("{latitude:" + strconv.FormatFloat(p.Y, 'g', -1, 64) + ",longitude:" + strconv.FormatFloat(p.X, 'g', -1, 64) + "}"), nil
		}
	case typeDateTime:
		if t, ok := v.(time.Time); ok {
			return t.Format(time.RFC3339Nano), nil
		}
	}
	return "", fmt.Errorf("a %T in a column of type %s", v, typ)
}

// labelsField is the :LABEL field of a node: its labels, sorted, as an array (empty for a node
// without labels).
func labelsField(labels []string) (string, error) {
	if len(labels) == 0 {
		return "", nil
	}
	for _, l := range labels {
		if l == "" || strings.Contains(l, ArrayDelimiter) {
			return "", fmt.Errorf("label %q cannot be written as a :LABEL element", l)
		}
	}
	return quote(strings.Join(labels, ArrayDelimiter)), nil
}

// sortedColumns lists a group's columns in key order, so that the files are the same on every
// run of the same graph.
func sortedColumns(types map[string]string) []column {
	cols := make([]column, 0, len(types))
	for k, t := range types {
		cols = append(cols, column{Key: k, Type: t})
	}
	sort.Slice(cols, func(i, j int) bool { return cols[i].Key < cols[j].Key })
	return cols
}
