// Package tabletest runs an analyzer with one row of kfuncs.Kfuncs changed,
// to show that the rules follow the table and nothing else.
package tabletest

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/bpfbitmap/prototype/kfuncs"
)

// recorder is an analysistest.Testing that keeps what went wrong.
type recorder struct{ errs []string }

func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

// Diagnostics runs a over the testdata package pkg, which has no want
// comments, and returns what analysistest reported as unexpected: one line
// per diagnostic.
func Diagnostics(t *testing.T, a *analysis.Analyzer, pkg string) []string {
	t.Helper()
	var r recorder
	analysistest.Run(&r, analysistest.TestData(), a, pkg)
	return r.errs
}

// WithFlags sets the flags of the row named goName for the rest of the test.
func WithFlags(t *testing.T, goName string, flags kfuncs.Flag) {
	t.Helper()
	for i := range kfuncs.Kfuncs {
		if kfuncs.Kfuncs[i].Go == goName {
			old := kfuncs.Kfuncs[i].Flags
			kfuncs.Kfuncs[i].Flags = flags
			t.Cleanup(func() { kfuncs.Kfuncs[i].Flags = old })
			return
		}
	}
	require.FailNow(t, "no row", goName)
}
