// Package tabletest runs an analyzer with one row of kfuncs.Kfuncs changed,
// to show that the rules follow the table and nothing else.
package tabletest

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/analysistest"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/packages"

	"github.com/bpfbitmap/prototype/kfuncs"
)

// loaded holds the packages of one testdata pattern. Loading parses and
// type-checks every dependency from source, the standard library included,
// which costs more than the analysis; the runs with the table as it is and
// as changed share one load.
type loaded struct {
	once sync.Once
	pkgs []*packages.Package
	err  error
}

var loads sync.Map // testdata pattern -> *loaded

func load(t *testing.T, pattern string) []*packages.Package {
	t.Helper()
	dir := analysistest.TestData()
	v, _ := loads.LoadOrStore(dir+"\x00"+pattern, new(loaded))
	l := v.(*loaded)
	l.once.Do(func() {
		l.pkgs, l.err = packages.Load(&packages.Config{Mode: packages.LoadAllSyntax, Dir: dir}, pattern)
		if l.err == nil && packages.PrintErrors(l.pkgs) > 0 {
			l.err = fmt.Errorf("loading %s: errors above", pattern)
		}
	})
	require.NoError(t, l.err)
	return l.pkgs
}

// Diagnostics runs a over the testdata package pkg, which has no want
// comments, and returns its diagnostics, one "position: message" line each.
func Diagnostics(t *testing.T, a *analysis.Analyzer, pkg string) []string {
	t.Helper()
	g, err := checker.Analyze([]*analysis.Analyzer{a}, load(t, pkg), nil)
	require.NoError(t, err)
	var out []string
	for _, act := range g.Roots {
		require.NoError(t, act.Err)
		for _, d := range act.Diagnostics {
			out = append(out, fmt.Sprintf("%v: %s", act.Package.Fset.Position(d.Pos), d.Message))
		}
	}
	return out
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
