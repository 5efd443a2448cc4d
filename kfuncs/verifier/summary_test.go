package verifier_test

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bpfbitmap/prototype/kfuncs/progs"
	"github.com/bpfbitmap/prototype/kfuncs/verifier"
)

// summaryGolden holds the live kernel's summary line ("processed N insns
// ... peak_states P") for every fixed program of kfuncs/progs, recorded by
// TestKernelAgreement -update on the kernel of progs.DefaultTarget.
const summaryGolden = "testdata/kernel_summary.txt"

// TestSummaryGolden checks the model's pruning without a kernel: its
// summary line for each fixed program must be the kernel's, as recorded.
func TestSummaryGolden(t *testing.T) {
	raw, err := os.ReadFile(summaryGolden)
	require.NoError(t, err)
	want := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		name, summary, ok := strings.Cut(line, "\t")
		require.True(t, ok, "bad line %q", line)
		want[name] = summary
	}
	ps := allPrograms(progs.Fixed, progs.DefaultTarget)
	require.Len(t, want, len(ps), "re-record with a kernel: go test ./kfuncs/verifier -run TestKernelAgreement -update")
	for _, p := range ps {
		res, err := verifier.VerifyProgram(p, progs.DefaultTarget, true)
		log := ""
		if res != nil {
			log = res.Log
		} else if ve, ok := err.(*verifier.Error); ok {
			log = ve.Log
		} else {
			t.Fatalf("%s: %v", p.Name, err)
		}
		got := ""
		for _, l := range strings.Split(log, "\n") {
			if strings.HasPrefix(l, "processed ") {
				got = l
			}
		}
		assert.Equal(t, want[p.Name], got, p.Name)
	}
}
