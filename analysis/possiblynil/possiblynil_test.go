package possiblynil_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/bpfbitmap/prototype/analysis/internal/vetdoc"
	"github.com/bpfbitmap/prototype/analysis/possiblynil"
)

func TestAnalyzer(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), possiblynil.Analyzer, "./a", "./doc")
}

func TestDocQuotesTestdata(t *testing.T) { vetdoc.Check(t, "possiblynil") }
