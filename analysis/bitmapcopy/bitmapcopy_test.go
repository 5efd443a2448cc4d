package bitmapcopy_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/bpfbitmap/prototype/analysis/bitmapcopy"
	"github.com/bpfbitmap/prototype/analysis/internal/vetdoc"
)

func TestAnalyzer(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), bitmapcopy.Analyzer, "./a", "./doc")
}

func TestDocQuotesTestdata(t *testing.T) { vetdoc.Check(t, "bitmapcopy") }
