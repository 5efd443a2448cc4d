package useafterrelease_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bpfbitmap/prototype/analysis/internal/vetdoc"
	"github.com/bpfbitmap/prototype/analysis/internal/vettest"
	"github.com/bpfbitmap/prototype/analysis/useafterrelease"
	"github.com/bpfbitmap/prototype/kfuncs"
)

func TestAnalyzer(t *testing.T) {
	vettest.Run(t, useafterrelease.Analyzer, "./a", "./doc")
}

func TestDocQuotesTestdata(t *testing.T) { vetdoc.Check(t, "useafterrelease") }

// A row that gains KF_RELEASE releases: the analyzer needs no change.
func TestFollowsTable(t *testing.T) {
	require.Empty(t, vettest.Diagnostics(t, useafterrelease.Analyzer, "./table"))

	row, ok := kfuncs.Kfuncs.Lookup("BitmapWeight")
	require.True(t, ok)
	vettest.WithFlags(t, "BitmapWeight", row.Flags|kfuncs.KfRelease)
	got := vettest.Diagnostics(t, useafterrelease.Analyzer, "./table")
	require.Len(t, got, 1)
	require.Contains(t, got[0], "use after release: the reference from BitmapCreate, released by BitmapWeight, is used by BitmapRelease")
}
