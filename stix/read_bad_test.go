package stix_test

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/incidentgraph/incidentgraph"
	"github.com/incidentgraph/incidentgraph/stix"
)

// problemsOf is the JSON path and reason of each problem of a refused bundle.
func problemsOf(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	if code := incidentgraph.ErrorCode(err); code != incidentgraph.EINVALID {
		t.Errorf("error %v has code %s, want %s", err, code, incidentgraph.EINVALID)
	}
	ie, ok := incidentgraph.AsInputError(err)
	if !ok {
		t.Fatalf("not an input error: %v", err)
	}
	var out []string
	for _, p := range ie.Problems {
		out = append(out, p.Field+": "+p.Message)
	}
	return out
}

// A bad bundle is refused whole, every problem named by its JSON path and reason.
func TestReadRefusesBadBundles(t *testing.T) {
	octi, err := os.ReadFile("testdata/opencti-bundle.json")
	if err != nil {
		t.Fatal(err)
	}
	ours := mustBundle(t, fixture())
	ext := `.extensions["` + stix.ExtensionID + `"]`
	for _, c := range []struct {
		name string
		raw  []byte
		mod  func(objects []map[string]any)
		want []string // a problem each, by prefix; none: the bundle is read
	}{
		{name: "control: the OpenCTI bundle as it is", raw: octi},
		{name: "control: our bundle as it is", raw: ours},
		{name: "not JSON", raw: []byte(`{"type": "bundle",`), want: []string{"$: not JSON: unexpected EOF"}},
		{name: "not an object", raw: []byte(`[1]`), want: []string{"$: not a STIX bundle: a JSON object is required"}},
		{name: "not a bundle", raw: []byte(`{"type": "report", "id": "report--6fa5b2ce-a5ca-4789-884d-6c345d750ef9"}`),
			want: []string{`$.type: not a STIX bundle: type "report", want bundle`, `$.id: "report--6fa5b2ce-a5ca-4789-884d-6c345d750ef9" is not a bundle id`}},
		{name: "a STIX 2.0 bundle", raw: []byte(`{"type": "bundle", "id": "bundle--e1d229fc-882b-4f40-bb49-5c9da3918ebe", "spec_version": "2.0", "objects": []}`),
			want: []string{`$.spec_version: a STIX "2.0" bundle: only STIX 2.1 is read`}},
		{name: "a dangling reference", raw: octi, mod: func(o []map[string]any) {
			o[10]["source_ref"] = "identity--00000000-0000-4000-8000-000000000000"
		}, want: []string{"$.objects[10].source_ref: refers to identity--00000000-0000-4000-8000-000000000000 which is not in the bundle"}},
		{name: "created_by_ref not an identity", raw: octi, mod: func(o []map[string]any) {
			o[5]["created_by_ref"] = "location--e3de3a11-c0a5-413b-b5e0-70a86d2710ab"
		}, want: []string{"$.objects[5].created_by_ref: refers to location--e3de3a11-c0a5-413b-b5e0-70a86d2710ab: created_by_ref names an identity"}},
		{name: "a required property missing", raw: octi, mod: func(o []map[string]any) { delete(o[2], "name") },
			want: []string{"$.objects[2].name: missing required property name of a intrusion-set"}},
		{name: "a location with no place", raw: octi, mod: func(o []map[string]any) { delete(o[3], "country") },
			want: []string{"$.objects[3]: a location requires region, country, or latitude and longitude"}},
		{name: "a bad id", raw: octi, mod: func(o []map[string]any) { o[5]["id"] = "incident--not-a-uuid" },
			want: []string{`$.objects[5].id: "incident--not-a-uuid" is not an id of a incident`}},
		{name: "an id of another type", raw: octi, mod: func(o []map[string]any) { o[5]["id"] = "report--618f31d4-569c-470c-8a8f-d9eba3cb600b" },
			want: []string{`$.objects[5].id: "report--618f31d4-569c-470c-8a8f-d9eba3cb600b" is not an id of a incident`}},
		{name: "a bad timestamp", raw: octi, mod: func(o []map[string]any) { o[5]["first_seen"] = "2024-02-10 06:15" },
			want: []string{`$.objects[5].first_seen: "2024-02-10 06:15" is not a STIX timestamp`}},
		{name: "an impossible date", raw: octi, mod: func(o []map[string]any) { o[5]["modified"] = "2024-02-30T07:00:00.000Z" },
			want: []string{`$.objects[5].modified: "2024-02-30T07:00:00.000Z" is not a STIX timestamp`}},
		{name: "modified before created", raw: octi, mod: func(o []map[string]any) { o[5]["modified"] = "2024-02-01T07:00:00.000Z" },
			want: []string{"$.objects[5].modified: 2024-02-01T07:00:00.000Z is before created"}},
		{name: "a STIX 2.0 object", raw: octi, mod: func(o []map[string]any) { delete(o[6], "spec_version") },
			want: []string{"$.objects[6].spec_version: missing"}},
		{name: "a confidence out of range", raw: octi, mod: func(o []map[string]any) { o[10]["confidence"] = 101 },
			want: []string{"$.objects[10].confidence: 101 is not a confidence"}},
		{name: "the same version twice", raw: octi, mod: func(o []map[string]any) { o[4]["id"] = o[3]["id"] },
			want: []string{"$.objects[4].id: location--e3de3a11-c0a5-413b-b5e0-70a86d2710ab is also $.objects[3]"}},
		{name: "an external reference without source_name", raw: octi, mod: func(o []map[string]any) {
			o[10]["external_references"].([]any)[0].(map[string]any)["source_name"] = ""
		}, want: []string{"$.objects[10].external_references[0].source_name: missing required property source_name"}},
		{name: "a relationship of an entity to itself", raw: octi, mod: func(o []map[string]any) {
			o[10]["target_ref"] = o[10]["source_ref"]
		}, want: []string{"$.objects[10]: the relationship relationship-278a1cf4-d98c-4648-b2ae-50b91a549a64 it reads as: to: from and to are the same entity"}},
		{name: "our extension with a property it does not define", raw: ours, mod: func(o []map[string]any) {
			extOf(o, stix.ID("threat-actor", "islamic-state"))["motto"] = "x"
		}, want: []string{`$.objects[6]` + ext + `: does not match the extension's schema: unknown field "motto"`, "$.objects[15].source_ref: refers to $.objects[6], which is bad"}},
		{name: "our extension with a figure's value as text", raw: ours, mod: func(o []map[string]any) {
			extOf(o, stix.ID("incident", "moscow-attack"))["figures"].([]any)[0].(map[string]any)["value"] = "133"
		}, want: []string{`$.objects[7]` + ext + `: does not match the extension's schema: figures.value must be an integer, not a JSON string`}},
		{name: "our extension with a bad partial date", raw: ours, mod: func(o []map[string]any) {
			extOf(o, stix.ID("threat-actor", "islamic-state"))["founded"] = "1999-13"
		}, want: []string{`$.objects[6]` + ext + `.founded: 1999-13 is not a date`}},
		{name: "our extension with a kind the graph's rules refuse", raw: ours, mod: func(o []map[string]any) {
			extOf(o, stix.ID("location", "russia"))["iso2"] = "Russia"
		}, want: []string{`$.objects[9]: the COUNTRY russia it reads as: iso2: iso2 "Russia" must be two uppercase letters`}},
		{name: "our extension naming another object type", raw: ours, mod: func(o []map[string]any) {
			extOf(o, stix.ID("threat-actor", "islamic-state"))["org_type"] = "MEDIA"
		}, want: []string{"$.objects[6].type: threat-actor, but the extension's ORGANIZATION islamic-state is written as a identity"}},
		{name: "our relationship of a type outside the vocabulary", raw: ours, mod: func(o []map[string]any) {
			for _, obj := range o {
				if obj["type"] == "relationship" && ext0(obj)["type"] == "CLAIMED_RESPONSIBILITY_FOR" {
					ext0(obj)["type"] = "INVENTED"
				}
			}
		}, want: []string{"$.objects[15]: the relationship islamic-state--claimed-responsibility-for--moscow-attack--islamic-state it reads as: type: unknown relationship type INVENTED"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			raw := c.raw
			if c.mod != nil {
				raw = rewrite(t, raw, c.mod)
			}
			im, err := stix.Read(raw, stix.ReadOptions{})
			got := problemsOf(t, err)
			if len(c.want) == 0 {
				if err != nil || im == nil || len(im.Batch.Entities) == 0 {
					t.Fatalf("a good bundle refused: %v", got)
				}
				return
			}
			if im != nil {
				t.Errorf("a bad bundle read: %d entities", len(im.Batch.Entities))
			}
			for _, w := range c.want {
				found := false
				for _, g := range got {
					found = found || strings.HasPrefix(g, w)
				}
				if !found {
					t.Errorf("no problem %q among\n  %s", w, strings.Join(got, "\n  "))
				}
			}
		})
	}
}

func ext0(o map[string]any) map[string]any {
	return o["extensions"].(map[string]any)[stix.ExtensionID].(map[string]any)
}

func extOf(objects []map[string]any, id string) map[string]any {
	for _, o := range objects {
		if o["id"] == id {
			return ext0(o)
		}
	}
	panic("no " + id)
}

// With SkipBad the bad objects, and the relationships that depend on them, are left out and
// listed; the rest is read.
func TestReadSkipBad(t *testing.T) {
	raw, err := os.ReadFile("testdata/opencti-bundle.json")
	if err != nil {
		t.Fatal(err)
	}
	// The analyst loses its name: its attribution (created by it) goes with it.
	raw = rewrite(t, raw, func(o []map[string]any) { delete(o[6], "name") })
	want := []string{
		"$.objects[6].name: missing required property name of a identity",
		"$.objects[11].created_by_ref: refers to $.objects[6], which is bad",
	}
	// Control: without SkipBad nothing is read, and the same problems are listed.
	if im, err := stix.Read(raw, stix.ReadOptions{}); im != nil || !reflect.DeepEqual(problemsOf(t, err), want) {
		t.Errorf("without SkipBad: %v, problems %v", im, problemsOf(t, err))
	}
	im := mustRead(t, raw, stix.ReadOptions{SkipBad: true})
	var left []string
	for _, p := range im.Left {
		left = append(left, p.Field+": "+p.Message)
	}
	if !reflect.DeepEqual(left, want) {
		t.Errorf("left out %v, want %v", left, want)
	}
	if entity(im, octiAnalyst) != nil || relationship(im, "relationship-6514a394-d650-41bd-ae40-7dddab3d03f2") != nil {
		t.Error("a bad object or its dependant is read")
	}
	if len(im.Batch.Relationships) != 3 || entity(im, octiGroup) == nil {
		t.Errorf("the rest is not read: %d relationships", len(im.Batch.Relationships))
	}

	// An entity the graph's rules refuse (found after mapping) takes its relationships along.
	raw, _ = os.ReadFile("testdata/opencti-bundle.json")
	raw = rewrite(t, raw, func(o []map[string]any) { o[4]["latitude"] = 95 })
	im = mustRead(t, raw, stix.ReadOptions{SkipBad: true})
	if entity(im, "location-746d0ae7-b0af-4a08-8c7c-a7298165f1f0") != nil || len(im.Batch.Relationships) != 2 || len(im.Left) != 3 ||
		!strings.HasPrefix(im.Left[0].Message, "the PLACE location-746d0ae7-b0af-4a08-8c7c-a7298165f1f0 it reads as: latitude: latitude 95 is out of range") ||
		im.Left[1].Field != "$.objects[10]" || im.Left[2].Field != "$.objects[13]" {
		t.Errorf("left %v; %d relationships read", im.Left, len(im.Batch.Relationships))
	}
}
