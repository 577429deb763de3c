// Package model holds the GraphQL models: those gqlgen generates from schema.graphqls
// (models_gen.go) and the hand-written ones below, which hold the ids of the entities they point
// at so that resolvers can fetch those entities in one batch per request.
package model

import (
	"encoding/json"
	"io"
	"strconv"

	"github.com/99designs/gqlgen/graphql"

	"github.com/incidentgraph/incidentgraph"
)

// Relationship is one assertion seen from one of its ends (the "viewer").
type Relationship struct {
	ID              string
	Type            RelationshipType
	Direction       Direction
	Status          Status
	Confidence      int
	ConfidenceLevel ConfidenceLevel
	Quote           *string
	Basis           *string
	ValidFrom       *incidentgraph.PartialDate
	ValidTo         *incidentgraph.PartialDate
	AssertedOn      *incidentgraph.PartialDate
	Note            *string
	Version         int
	Retraction      *Retraction
	Origin          *string
	FromNameAsGiven *string
	ToNameAsGiven   *string

	FromID       string
	ToID         string
	OtherID      string
	AssertedByID string
	SourceIDs    []string
}

// Figure is one report of a count.
type Figure struct {
	ID         string
	Metric     FigureMetric
	Value      int
	Qualifier  FigureQualifier
	Population *string
	AsOf       incidentgraph.PartialDate
	Status     Status
	Confidence int
	Quote      *string
	Note       *string

	AssertedByID string
	SourceIDs    []string
}

// MarshalPartialDate writes a PartialDate as a JSON string.
func MarshalPartialDate(d incidentgraph.PartialDate) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(string(d)))
	})
}

// UnmarshalPartialDate reads and checks a PartialDate sent by a client.
func UnmarshalPartialDate(v any) (incidentgraph.PartialDate, error) {
	s, ok := v.(string)
	if !ok {
		return "", incidentgraph.Errorf(incidentgraph.EINVALID, "PartialDate must be a string such as \"2024-03-22\", \"2024-03\" or \"2024\"")
	}
	d, err := incidentgraph.ParsePartialDate(s)
	if err != nil {
		return "", incidentgraph.Errorf(incidentgraph.EINVALID, "%v", err)
	}
	return d, nil
}

// NeighborLink is how one entity asked about is linked to a common neighbour.
type NeighborLink struct {
	Relationships []*Relationship

	OfID string
}

// SimilarityReason is one thing two incidents have in common.
type SimilarityReason struct {
	Kind        SimilarityReasonKind
	Description string
	Weight      float64

	ViaIDs []string
}

// JSON is a value of the JSON scalar. It wraps the value in a struct so that a nullable JSON
// argument is a nil *JSON when absent: gqlgen's executor type-asserts arguments, and a bare
// `any` that is nil cannot be asserted.
type JSON struct {
	Value any
}

// MarshalGQL writes the value as compact JSON. (gqlgen's MarshalAny writes it with a
// json.Encoder, which ends every value with a newline inside the answer.)
func (j JSON) MarshalGQL(w io.Writer) {
	b, err := json.Marshal(j.Value)
	if err != nil {
		panic(err) // as MarshalAny does: values come from the store, which gives JSON's types
	}
	_, _ = w.Write(b)
}

// UnmarshalGQL takes any JSON value a client sent.
func (j *JSON) UnmarshalGQL(v any) error {
	j.Value = v
	return nil
}

// Name is one name of an entity with what is known of it; its sources are fetched by id.
type Name struct {
	Value    string
	Language *string
	Script   *string
	Note     *string
	Primary  bool

	SourceIDs []string
}
