// Package vetdoc keeps the examples of docs/vet.md equal to the analyzers'
// testdata: each rule's testdata/doc/bad.go and good.go are quoted in the
// page between markers, and the analyzers' tests fail when a quote differs.
// Run the tests with -update to rewrite the quotes from the files.
package vetdoc

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the quotes in docs/vet.md from testdata/doc")

// quote matches one quoted file: the marker names it relative to the module
// root.
var quote = regexp.MustCompile("(?s)<!-- quote (\\S+) -->\n```go\n(.*?)```\n<!-- end quote -->")

// Check checks, from a test in analysis/<rule>, that docs/vet.md quotes the
// rule's testdata/doc/bad.go and good.go exactly.
func Check(t *testing.T, rule string) {
	t.Helper()
	page := filepath.Join("..", "..", "docs", "vet.md")
	doc, err := os.ReadFile(page)
	require.NoError(t, err)
	want := map[string]bool{}
	for _, f := range []string{"bad.go", "good.go"} {
		want[fmt.Sprintf("analysis/%s/testdata/doc/%s", rule, f)] = true
	}
	var failed []string
	out := quote.ReplaceAllFunc(doc, func(m []byte) []byte {
		sub := quote.FindSubmatch(m)
		name := string(sub[1])
		if !want[name] {
			return m
		}
		delete(want, name)
		src, err := os.ReadFile(filepath.Join("..", "..", filepath.FromSlash(name)))
		require.NoError(t, err)
		if !bytes.Equal(src, sub[2]) {
			failed = append(failed, name)
		}
		return []byte(fmt.Sprintf("<!-- quote %s -->\n```go\n%s```\n<!-- end quote -->", name, src))
	})
	require.Empty(t, want, "docs/vet.md does not quote these files")
	if *update {
		require.NoError(t, os.WriteFile(page+".tmp", out, 0o644))
		require.NoError(t, os.Rename(page+".tmp", page))
		return
	}
	require.Empty(t, failed, "docs/vet.md quotes these files with other text; run go test ./analysis/... -update")
}
