package server_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/incidentgraph/incidentgraph/internal/stixvalidate"
	"github.com/incidentgraph/incidentgraph/server"
	"github.com/incidentgraph/incidentgraph/stix"
)

// stixTool holds the pinned OASIS validator, installed into .venv by `make stix2-validator`
// (make test does), and the check of our extension against its schema.
const stixTool = "../tools/stix2-validator"

// validateSTIX runs the OASIS validator on files, with the flags every STIX test uses
// (stixvalidate.Args: --strict, reference checks, every best practice but two), and returns its
// verdict on each, with its exit status (0 when every file is valid).
func validateSTIX(t *testing.T, files ...string) (map[string]*stixvalidate.Result, int) {
	t.Helper()
	return stixvalidate.Run(t, stixTool, files...)
}

// checkExtension runs the check of our extension against stix/extension.schema.json.
func checkExtension(t *testing.T, files ...string) (map[string][]string, int) {
	t.Helper()
	py := filepath.Join(stixTool, ".venv", "bin", "python")
	args := append([]string{filepath.Join(stixTool, "extension_check.py"), "../stix/extension.schema.json", stix.ExtensionID}, files...)
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(py, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	status := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) && exit.ExitCode() == 1 {
		status = 1
	} else if err != nil {
		t.Fatalf("extension_check.py: %v\n%s", err, stderr.String())
	}
	out := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		var r struct {
			File       string   `json:"file"`
			Extensions int      `json:"extensions"`
			Errors     []string `json:"errors"`
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("extension_check.py line %q: %v", line, err)
		}
		if r.Extensions == 0 {
			t.Fatalf("%s: no extension checked", r.File)
		}
		out[r.File] = r.Errors
	}
	return out, status
}

// breakBundle rewrites a bundle's objects with f: the negative controls.
func breakBundle(t *testing.T, b []byte, f func(objects []map[string]any)) []byte {
	t.Helper()
	var bundle map[string]any
	if err := json.Unmarshal(b, &bundle); err != nil {
		t.Fatal(err)
	}
	var objects []map[string]any
	for _, o := range bundle["objects"].([]any) {
		objects = append(objects, o.(map[string]any))
	}
	f(objects)
	out, err := json.Marshal(bundle)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func extensionOf(o map[string]any) map[string]any {
	exts, _ := o["extensions"].(map[string]any)
	x, _ := exts[stix.ExtensionID].(map[string]any)
	return x
}

// TestSTIXExportPassesTheOASISValidator downloads the STIX bundles of the whole seed graph and
// of an affiliate network, and requires the OASIS validator to find no error and no warning in
// them, strictly and with reference checks, and their extension to match its schema. Broken
// bundles go through the same harness and must fail it.
func TestSTIXExportPassesTheOASISValidator(t *testing.T) {
	db := seededDB(t)
	ts, _ := exportServer(t, db, server.DefaultConfig())
	dir := t.TempDir()
	bundles := map[string][]byte{}
	for _, c := range []struct{ query, file string }{
		{"format=stix&of=all", "incidentgraph-all.json"},
		{"format=stix&of=network&id=islamic-state&depth=2", "incidentgraph-network-islamic-state.json"},
		{"format=stix&of=neighborhood&id=" + exportMoscow + "&depth=2", "incidentgraph-neighborhood-" + exportMoscow + ".json"},
	} {
		d := getExport(t, ts.URL, c.query, "")
		if d.status != http.StatusOK {
			t.Fatalf("%s: %d %s", c.query, d.status, d.body)
		}
		if ct := d.header.Get("Content-Type"); ct != "application/stix+json;version=2.1" {
			t.Errorf("%s: Content-Type %q", c.query, ct)
		}
		if cd := d.header.Get("Content-Disposition"); cd != `attachment; filename="`+c.file+`"` {
			t.Errorf("%s: Content-Disposition %q", c.query, cd)
		}
		path := filepath.Join(dir, c.file)
		if err := os.WriteFile(path, d.body, 0o644); err != nil {
			t.Fatal(err)
		}
		bundles[path] = d.body
	}

	// The negative controls, each broken one way the validator must see.
	all := filepath.Join(dir, "incidentgraph-all.json")
	controls := map[string][]byte{
		// A relationship whose target is not in the bundle (--enforce-refs).
		"dangling-target.json": breakBundle(t, bundles[all], func(objects []map[string]any) {
			for _, o := range objects {
				if o["type"] == "relationship" {
					o["target_ref"] = "location--00000000-0000-5000-8000-000000000000"
					return
				}
			}
		}),
		// An object of another STIX version.
		"wrong-spec-version.json": breakBundle(t, bundles[all], func(objects []map[string]any) {
			objects[3]["spec_version"] = "2.0"
		}),
		// A region outside STIX's vocabulary: a warning, which --strict makes an error.
		"unknown-region.json": breakBundle(t, bundles[all], func(objects []map[string]any) {
			for _, o := range objects {
				if o["type"] == "location" && o["region"] != nil {
					o["region"] = "khorasan"
					return
				}
			}
		}),
		// A relationship type STIX does not suggest from an incident (a warning, an error here).
		"unsuggested-type.json": breakBundle(t, bundles[all], func(objects []map[string]any) {
			for _, o := range objects {
				if o["type"] == "relationship" && strings.HasPrefix(o["source_ref"].(string), "incident--") {
					o["relationship_type"] = "attributed-to"
					return
				}
			}
		}),
	}
	var files, broken []string
	for path := range bundles {
		files = append(files, path)
	}
	for name, b := range controls {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		broken = append(broken, path)
	}

	results, status := validateSTIX(t, append(files, broken...)...)
	for _, f := range files {
		r := results[f]
		t.Logf("%s: %d bytes, valid %v, %d errors, %d warnings", filepath.Base(f), len(bundles[f]), r.Valid, len(r.Errors), len(r.Warnings))
		if !r.Valid || len(r.Errors) > 0 || len(r.Warnings) > 0 {
			t.Errorf("%s: valid %v, errors %v, warnings %v", filepath.Base(f), r.Valid, r.Errors, r.Warnings)
		}
	}
	for _, f := range broken {
		r := results[f]
		t.Logf("control %s: valid %v, %d errors", filepath.Base(f), r.Valid, len(r.Errors))
		if r.Valid || len(r.Errors) == 0 {
			t.Errorf("control %s passes the validator", filepath.Base(f))
		}
	}
	if status == 0 {
		t.Error("the validator exits 0 with broken bundles among its files")
	}
	if only, status := validateSTIX(t, files...); status != 0 {
		t.Errorf("the validator exits %d on the export's bundles alone: %v", status, only)
	}

	// Our extension matches its published schema; a wrong type or kind does not.
	extControls := map[string][]byte{
		"figure-value-as-text.json": breakBundle(t, bundles[all], func(objects []map[string]any) {
			for _, o := range objects {
				if fs, ok := extensionOf(o)["figures"].([]any); ok {
					fs[0].(map[string]any)["value"] = "133"
					return
				}
			}
		}),
		"unknown-kind.json": breakBundle(t, bundles[all], func(objects []map[string]any) {
			extensionOf(objects[3])["kind"] = "WIZARD"
		}),
	}
	var extBroken []string
	for name, b := range extControls {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		extBroken = append(extBroken, path)
	}
	extErrors, _ := checkExtension(t, append(files, extBroken...)...)
	for _, f := range files {
		if len(extErrors[f]) > 0 {
			t.Errorf("%s: the extension breaks its schema: %v", filepath.Base(f), extErrors[f])
		}
	}
	for _, f := range extBroken {
		if len(extErrors[f]) == 0 {
			t.Errorf("control %s passes the extension's schema", filepath.Base(f))
		}
	}
	if _, status := checkExtension(t, files...); status != 0 {
		t.Errorf("extension_check.py exits %d on the export's bundles", status)
	}
}
