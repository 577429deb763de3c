package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func noEnv(string) string { return "" }

func TestGenerateWritesFilesThatValidateAndSummarises(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	var out, errOut bytes.Buffer
	args := []string{"generate", "--seed", "3", "--incidents", "1000", "--groups", "30", "--out", dir}
	if err := run(context.Background(), args, noEnv, &out, &errOut); err != nil {
		t.Fatalf("generate: %v\n%s", err, errOut.String())
	}
	for _, want := range []string{"1,000 rows", "30 groups", "relationships an import of both makes",
		"asked for at least 5,000", "place", "perpetrator", "related", "structure"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "warning") {
		t.Errorf("the floor was not met:\n%s", out.String())
	}
	first, err := os.ReadFile(filepath.Join(dir, "gtd.csv"))
	if err != nil {
		t.Fatal(err)
	}
	// The directory is a valid seed directory on its own.
	out.Reset()
	if err := run(context.Background(), []string{"validate", "--dir", dir}, noEnv, &out, &errOut); err != nil {
		t.Fatalf("validate --dir: %v", err)
	}
	if !strings.Contains(out.String(), "seed files are valid") {
		t.Errorf("validate: %s", out.String())
	}
	// Run again over the same directory: the same bytes.
	if err := run(context.Background(), args, noEnv, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	again, err := os.ReadFile(filepath.Join(dir, "gtd.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first, again) {
		t.Error("a second run with the same flags wrote a different gtd.csv")
	}
}

func TestGenerateRefusesBadFlags(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"generate", "--incidents", "10"}, "--out"},
		{[]string{"generate", "--out", dir, "--incidents", "0"}, "--incidents"},
		{[]string{"generate", "--out", dir, "--incidents", "100", "--relationships", "100000"}, "raise --incidents"},
		{[]string{"generate", "--out", dir, "extra"}, "unexpected argument"},
		{[]string{"generate", "--out", dir, "--bogus"}, "bogus"},
	} {
		var out, errOut bytes.Buffer
		err := run(context.Background(), tc.args, noEnv, &out, &errOut)
		if err == nil {
			t.Errorf("%v: accepted", tc.args)
			continue
		}
		if !strings.Contains(err.Error()+errOut.String(), tc.want) {
			t.Errorf("%v: %v, want it to mention %q", tc.args, err, tc.want)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("refused runs left %d files", len(entries))
	}
}
