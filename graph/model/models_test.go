package model_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/99designs/gqlgen/graphql"

	"github.com/incidentgraph/incidentgraph/graph/model"
)

// TestJSONIsWrittenCompact: a JSON value (a Cypher row, a pattern's parameters) is written as
// json.Marshal writes it, with no newline after it; answers are written as the executor wrote
// them, so a newline would stay inside the answer. The control is gqlgen's MarshalAny, which
// writes the newline the check looks for.
func TestJSONIsWrittenCompact(t *testing.T) {
	v := map[string]any{"name": "<IS-K & co>", "rows": []any{int64(1), 2.5, nil, true}, "nested": map[string]any{"a": []any{}}}
	want, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	model.JSON{Value: v}.MarshalGQL(&got)
	if !bytes.Equal(got.Bytes(), want) {
		t.Errorf("wrote %q, want %q", got.Bytes(), want)
	}
	var encoded bytes.Buffer
	graphql.MarshalAny(v).MarshalGQL(&encoded)
	if !bytes.Contains(encoded.Bytes(), []byte("\n")) || bytes.Equal(encoded.Bytes(), want) {
		t.Errorf("control: MarshalAny wrote %q, which the check cannot tell from compact JSON", encoded.Bytes())
	}
}
