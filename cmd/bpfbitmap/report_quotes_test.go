package main

import (
	"os"
	"regexp"
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

// handWritten returns the parts of a document that no command generates:
// everything outside design.md's report markers, less code.
func handWritten(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return code.ReplaceAllString(generatedSection.ReplaceAllString(string(b), ""), "")
}

var (
	generatedSection = regexp.MustCompile(`(?s)<!-- report:begin (\w+) -->.*?<!-- report:end \w+ -->`)
	// code matches code blocks and inline code: commands, not figures.
	code = regexp.MustCompile("(?s)```.*?```|`[^`\n]*`")
	// handTiming matches a time or a ratio written into prose: "3.1 ns",
	// "6–13 ns", "1.02×".
	handTiming = regexp.MustCompile(`\d+(\.\d+)?\s?(ns|µs|ms)\b|\d+(\.\d+)?×`)
)

// TestDocsHaveNoHandTimings: timings change from run to run and machine to
// machine, so hand-written prose must not quote them; the generated sections
// of design.md and the generated kernel-cost.md hold them.
func TestDocsHaveNoHandTimings(t *testing.T) {
	for _, path := range []string{"../../docs/design.md", "../../docs/design-cast.md", "../../docs/kernel-reference.md", "../../README.md"} {
		prose := handWritten(t, path)
		assert.Empty(t, handTiming.FindAllString(prose, -1), "%s quotes timings outside a generated section", path)
	}
}

func TestMemoryLead(t *testing.T) {
	row := func(fixed, generic int) bench.MemoryRow {
		return bench.MemoryRow{Fixed: bench.Alloc{ClassBytes: fixed}, Generic: bench.Alloc{ClassBytes: generic}}
	}
	for _, tt := range []struct {
		rows []bench.MemoryRow
		want string
	}{
		{[]bench.MemoryRow{row(64, 64), row(2048, 32)}, "the generic design never costs more, and saves most where NR_CPUS far exceeds the machine"},
		{[]bench.MemoryRow{row(64, 64)}, "the two designs cost the same"},
		{[]bench.MemoryRow{row(64, 96), row(2048, 32), row(96, 32)}, "the generic design costs more in 1 topologies and less in 2"},
	} {
		assert.Equal(t, tt.want, memoryLead(&reportJSON{Memory: tt.rows}))
	}
}
