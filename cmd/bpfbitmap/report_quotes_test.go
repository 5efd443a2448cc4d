package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bpfbitmap/prototype/bench"
	"github.com/bpfbitmap/prototype/cast"
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

// TestAnswersQuoteTheData: every number the Answers section's recommendation
// quotes is recomputed here from the report's JSON (the same data the
// tables are rendered from) and from the rendered tables, and must agree.
func TestAnswersQuoteTheData(t *testing.T) {
	dir := t.TempDir()
	r := runReportCLI(t, "-out", dir, "--json", "-prose", committedProse)
	require.Equal(t, exitOK, r.code, r.stderr)
	var d reportJSON
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &d))
	b, err := os.ReadFile(filepath.Join(dir, "design.md"))
	require.NoError(t, err)
	doc := string(b)
	ans := sectionText(t, doc, "answers")
	num := func(pattern string) []string {
		t.Helper()
		m := regexp.MustCompile(pattern).FindStringSubmatch(ans)
		require.NotNil(t, m, "answers lack %q", pattern)
		return m[1:]
	}
	atoi := func(s string) int {
		n, err := strconv.Atoi(s)
		require.NoError(t, err)
		return n
	}

	small, same := 0, 0
	for _, r := range d.Memory[:50] {
		if r.NrCPUs <= 256 {
			small++
			if r.Fixed.ClassBytes == r.Generic.ClassBytes {
				same++
			}
		}
	}
	m := num(`In (\d+) of the (\d+) such topologies`)
	assert.Equal(t, []int{same, small}, []int{atoi(m[0]), atoi(m[1])})

	var r96, r1024 bench.MemoryRow
	for _, r := range d.Memory {
		switch {
		case r.NrCPUs == 8192 && r.NrCPUIDs == 96:
			r96 = r
		case r.NrCPUs == 8192 && r.NrCPUIDs == 1024:
			r1024 = r
		}
	}
	m = num("a `bpf_cpumask` takes a (\\d+)-byte class on any machine; a castable `bpf_bitmap` would take (\\d+) bytes for 96 CPUs and (\\d+) for 1024")
	assert.Equal(t, []int{r96.Fixed.ClassBytes, r96.Generic.ClassBytes, r1024.Generic.ClassBytes}, []int{atoi(m[0]), atoi(m[1]), atoi(m[2])})
	mem := sectionText(t, doc, "memory")
	assert.Contains(t, mem, fmt.Sprintf("%d / **%s** / %.0f", r96.Fixed.ClassBytes, m[1], r96.Arena.PerMaskBytes), "the table's 96-CPU cell")
	m = num(`\((\d+) bytes per mask for 96 CPUs`)
	assert.Equal(t, fmt.Sprintf("%.0f", r96.Arena.PerMaskBytes), m[0])

	k, err := bench.KernelCosts()
	require.NoError(t, err)
	and1, _ := k.Find("and", bench.Arena, 1)
	kfAnd, _ := k.Find("and", bench.Fixed, 0)
	m = num("an `and` of one word ([0-9.<]+) ns, of 16 words [0-9.<]+ ns, against ([0-9.<]+) ns for `bpf_cpumask_and`")
	assert.Equal(t, []string{kernelNs(and1.NsPerOp), kernelNs(kfAnd.NsPerOp)}, m)
	arenaSec := sectionText(t, doc, "arena")
	assert.Contains(t, arenaSec, "| and | "+m[1]+" ns (`bpf_cpumask_and`) | "+m[0]+" ns |", "the kernel table")

	scx, err := bench.Scx()
	require.NoError(t, err)
	m = num(`at (\d+) casts in sched-ext/scx \((\d+) if each function casts each mask once\)`)
	assert.Equal(t, []int{scx.Total.CastMask, scx.Total.Masks}, []int{atoi(m[0]), atoi(m[1])})
	assert.Contains(t, sectionText(t, doc, "scx"), fmt.Sprintf("**%d conversions**", scx.Total.CastMask))
	m = num(`checked casts: (\d+) in the kernel's selftests`)
	assert.Equal(t, d.Summary.Selftests.Casts, atoi(m[0]))
}

// TestDesignCastMemoryTable: design-cast.md's hand-written memory table
// and its summary sentence say what bench.Memory measures.
func TestDesignCastMemoryTable(t *testing.T) {
	b, err := os.ReadFile("../../docs/design-cast.md")
	require.NoError(t, err)
	doc := string(b)
	row := regexp.MustCompile(`(?m)^\| (\d+) \| (\d+) \| (\d+) \| (\d+) \| \**(\d+)\** \|$`)
	rows := row.FindAllStringSubmatch(doc, -1)
	require.Len(t, rows, 12)
	for _, m := range rows {
		n, _ := strconv.Atoi(m[1])
		nr, _ := strconv.Atoi(m[2])
		got, err := bench.Memory([]cast.Topology{cast.MustTopology(n, nr)})
		require.NoError(t, err)
		r := got[0]
		assert.Equal(t, []string{m[3], m[4], m[5]},
			[]string{strconv.Itoa(r.Fixed.ClassBytes), strconv.Itoa(r.GenericExact.ClassBytes), strconv.Itoa(r.Generic.ClassBytes)},
			"design-cast.md row %s/%s", m[1], m[2])
	}
	got, err := bench.Memory([]cast.Topology{cast.MustTopology(96, 8192)})
	require.NoError(t, err)
	r := got[0]
	assert.Contains(t, strings.Join(strings.Fields(doc), " "), fmt.Sprintf(
		"takes the %d-byte class (a %d-byte struct in a %d-byte unit, kmalloc-2048 in the real kernel's dedicated cache) whatever the machine, against %d bytes for a 4- or 96-CPU bitmap",
		r.Fixed.ClassBytes, r.Fixed.ObjectBytes, r.Fixed.UnitBytes, r.Generic.ClassBytes))
}
