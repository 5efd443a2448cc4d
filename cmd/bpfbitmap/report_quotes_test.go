package main

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bpfbitmap/prototype/bench"
)

// TestREADMEQuotesMemory: the README's summary of the memory table says
// what bench.Memory measures.
func TestREADMEQuotesMemory(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	readme := strings.Join(strings.Fields(string(b)), " ")
	rows, err := bench.Memory(bench.Topologies())
	require.NoError(t, err)

	const quote = "on an NR_CPUS=8192 distro kernel every mask takes a 2048-byte size class on any machine, " +
		"where a `bpf_bitmap` sized by nr_cpu_ids takes 32 bytes for up to 128 CPUs; " +
		"on kernels with NR_CPUS ≤ 256 the two cost the same."
	require.Contains(t, readme, quote)
	for _, r := range rows {
		if r.NrCPUs == 8192 {
			assert.Equal(t, 2048, r.Fixed.ClassBytes, "%+v", r)
			if r.NrCPUIDs <= 128 {
				assert.Equal(t, 32, r.Generic.ClassBytes, "%+v", r)
			} else {
				assert.Greater(t, r.Generic.ClassBytes, 32, "%+v", r)
			}
		}
		if r.NrCPUs <= 256 {
			assert.Equal(t, r.Fixed.ClassBytes, r.Generic.ClassBytes, "%+v", r)
		}
	}
}
