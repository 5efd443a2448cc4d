package useafterrelease_test

import (
	"testing"

	"golang.org/x/tools/go/analysis/analysistest"

	"github.com/bpfbitmap/prototype/analysis/useafterrelease"
)

func TestAnalyzer(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), useafterrelease.Analyzer, "./a", "./doc")
}
