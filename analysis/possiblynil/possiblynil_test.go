package possiblynil_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bpfbitmap/prototype/analysis/internal/vetdoc"
	"github.com/bpfbitmap/prototype/analysis/internal/vettest"
	"github.com/bpfbitmap/prototype/analysis/possiblynil"
	"github.com/bpfbitmap/prototype/kfuncs"
)

func TestAnalyzer(t *testing.T) {
	vettest.Run(t, possiblynil.Analyzer, "./a", "./doc")
}

func TestDocQuotesTestdata(t *testing.T) { vetdoc.Check(t, "possiblynil") }

// The rule reads KF_RET_NULL from the table: without it, the same program
// is clean.
func TestFollowsTable(t *testing.T) {
	got := vettest.Diagnostics(t, possiblynil.Analyzer, "./table")
	require.Len(t, got, 1)
	require.Contains(t, got[0], "possibly nil: BitmapCreate's result")

	row, ok := kfuncs.Kfuncs.Lookup("BitmapCreate")
	require.True(t, ok)
	vettest.WithFlags(t, "BitmapCreate", row.Flags&^kfuncs.KfRetNull)
	require.Empty(t, vettest.Diagnostics(t, possiblynil.Analyzer, "./table"))
}
