package useafterrelease_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/bpfbitmap/prototype/analysis/internal/vetdoc"
	"github.com/bpfbitmap/prototype/analysis/useafterrelease"
)

func TestAnalyzer(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), useafterrelease.Analyzer, "./a", "./doc")
}

func TestDocQuotesTestdata(t *testing.T) { vetdoc.Check(t, "useafterrelease") }
