// Package vettest runs the analyzers over their testdata as analysistest
// does, with the testdata module loaded once per test binary, and with one
// row of kfuncs.Kfuncs changed to show that the rules follow the table and
// nothing else.
//
// Loading parses and type-checks every dependency from source, the
// standard library included, which costs more than the analysis; a test
// binary loads its testdata module once and each run analyses the packages
// it names.
package vettest

import (
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"text/scanner"

	"github.com/stretchr/testify/require"
	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/analysistest"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/packages"

	"github.com/bpfbitmap/prototype/kfuncs"
)

var (
	loadOnce sync.Once
	loadPkgs []*packages.Package
	loadErr  error
)

// roots returns the testdata packages named by patterns ("./a").
func roots(t *testing.T, patterns []string) []*packages.Package {
	t.Helper()
	loadOnce.Do(func() {
		cfg := &packages.Config{Mode: packages.LoadAllSyntax | packages.NeedModule, Dir: analysistest.TestData()}
		loadPkgs, loadErr = packages.Load(cfg, "./...")
		if loadErr == nil && packages.PrintErrors(loadPkgs) > 0 {
			loadErr = fmt.Errorf("loading %s: errors above", cfg.Dir)
		}
	})
	require.NoError(t, loadErr)
	var out []*packages.Package
	for _, p := range patterns {
		found := false
		for _, pkg := range loadPkgs {
			if pkg.Module != nil && pkg.PkgPath == path.Join(pkg.Module.Path, p) {
				out = append(out, pkg)
				found = true
			}
		}
		require.True(t, found, "no testdata package %s", p)
	}
	return out
}

func analyze(t *testing.T, a *analysis.Analyzer, patterns []string) []*checker.Action {
	t.Helper()
	g, err := checker.Analyze([]*analysis.Analyzer{a}, roots(t, patterns), nil)
	require.NoError(t, err)
	for _, act := range g.Roots {
		require.NoError(t, act.Err)
	}
	return g.Roots
}

// Run runs a over the testdata packages named by patterns and checks its
// diagnostics against their // want comments, as analysistest.Run does:
// each want comment lists patterns (quoted or back-quoted regular
// expressions) that the diagnostics on its line, or on the line +N
// below, must match one to one.
func Run(t *testing.T, a *analysis.Analyzer, patterns ...string) {
	t.Helper()
	type key struct {
		file string
		line int
	}
	want := map[key][]*regexp.Regexp{}
	acts := analyze(t, a, patterns)
	for _, act := range acts {
		for _, f := range act.Package.Syntax {
			for _, cg := range f.Comments {
				for _, c := range cg.List {
					text := strings.TrimPrefix(c.Text, "//")
					if text == c.Text {
						text = strings.TrimSuffix(strings.TrimPrefix(text, "/*"), "*/")
					}
					if i := strings.Index(text, "// want"); i >= 0 {
						text = text[i+len("// "):]
					}
					rest, ok := strings.CutPrefix(strings.TrimSpace(text), "want")
					if !ok {
						continue
					}
					posn := act.Package.Fset.Position(c.Pos())
					delta, rxs, err := parseWant(rest)
					require.NoError(t, err, "%v: want comment", posn)
					k := key{posn.Filename, posn.Line + delta}
					want[k] = append(want[k], rxs...)
				}
			}
		}
	}
	for _, act := range acts {
		for _, d := range act.Diagnostics {
			posn := act.Package.Fset.Position(d.Pos)
			k := key{posn.Filename, posn.Line}
			i := 0
			for i < len(want[k]) && !want[k][i].MatchString(d.Message) {
				i++
			}
			if i == len(want[k]) {
				t.Errorf("%v: unexpected diagnostic: %s", posn, d.Message)
				continue
			}
			want[k] = append(want[k][:i], want[k][i+1:]...)
		}
	}
	for k, rxs := range want {
		for _, rx := range rxs {
			t.Errorf("%s:%d: no diagnostic was reported matching %#q", k.file, k.line, rx)
		}
	}
}

// parseWant parses what follows "want": an optional +N, then patterns.
func parseWant(text string) (delta int, rxs []*regexp.Regexp, err error) {
	var sc scanner.Scanner
	sc.Init(strings.NewReader(text))
	sc.Mode = scanner.ScanStrings | scanner.ScanRawStrings | scanner.ScanInts
	sc.Error = func(_ *scanner.Scanner, msg string) { err = fmt.Errorf("%s", msg) }
	for tok := sc.Scan(); tok != scanner.EOF && err == nil; tok = sc.Scan() {
		switch tok {
		case '+':
			if sc.Scan() != scanner.Int {
				return 0, nil, fmt.Errorf("want +N, got +%s", sc.TokenText())
			}
			delta, _ = strconv.Atoi(sc.TokenText())
		case scanner.String, scanner.RawString:
			s, _ := strconv.Unquote(sc.TokenText())
			rx, err := regexp.Compile(s)
			if err != nil {
				return 0, nil, err
			}
			rxs = append(rxs, rx)
		default:
			return 0, nil, fmt.Errorf("want a regular expression, got %s", scanner.TokenString(tok))
		}
	}
	return delta, rxs, err
}

// Diagnostics runs a over the testdata package pkg, which has no want
// comments, and returns its diagnostics, one "position: message" line each.
func Diagnostics(t *testing.T, a *analysis.Analyzer, pkg string) []string {
	t.Helper()
	var out []string
	for _, act := range analyze(t, a, []string{pkg}) {
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
