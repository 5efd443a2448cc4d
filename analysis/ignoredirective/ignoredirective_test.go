package ignoredirective_test

import (
	"testing"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/analysistest"
	"golang.org/x/tools/go/analysis/passes/buildssa"

	"github.com/bpfbitmap/prototype/analysis/bitmapcopy"
	"github.com/bpfbitmap/prototype/analysis/ignoredirective"
	"github.com/bpfbitmap/prototype/analysis/internal/refs"
	"github.com/bpfbitmap/prototype/analysis/possiblynil"
	"github.com/bpfbitmap/prototype/analysis/unreleased"
	"github.com/bpfbitmap/prototype/analysis/useafterrelease"
)

// all runs bpfbitmapvet's analyzers in one pass, so that one testdata
// package's want comments give every rule's reports on a line.
var all = &analysis.Analyzer{
	Name:     "all",
	Doc:      "every bpfbitmapvet analyzer",
	Requires: []*analysis.Analyzer{refs.Analyzer, buildssa.Analyzer},
	Run: func(pass *analysis.Pass) (any, error) {
		for _, a := range []*analysis.Analyzer{unreleased.Analyzer, possiblynil.Analyzer, useafterrelease.Analyzer, bitmapcopy.Analyzer, ignoredirective.Analyzer} {
			if _, err := a.Run(pass); err != nil {
				return nil, err
			}
		}
		return nil, nil
	},
}

func TestDirectives(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), all, "./suppress")
}
