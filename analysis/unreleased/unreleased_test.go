package unreleased_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/bpfbitmap/prototype/analysis/internal/vetdoc"
	"github.com/bpfbitmap/prototype/analysis/unreleased"
)

func TestAnalyzer(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), unreleased.Analyzer, "./a", "./doc", "./cross")
}

func TestDocQuotesTestdata(t *testing.T) { vetdoc.Check(t, "unreleased") }
