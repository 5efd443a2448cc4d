package bitmapcopy_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/bpfbitmap/prototype/analysis/bitmapcopy"
)

func TestAnalyzer(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), bitmapcopy.Analyzer, "./a", "./doc")
}
