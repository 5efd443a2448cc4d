package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bpfbitmap/prototype/bench"
	"github.com/bpfbitmap/prototype/cast"
)

// quick are the flags that make a report run in well under a second: one
// iteration per benchmark. The timing values are then meaningless, and no
// test looks at them.
var quick = []string{"-benchtime", "1x", "-count", "1"}

func runReportCLI(t *testing.T, args ...string) result {
	t.Helper()
	return runCLI(t, "", append(append([]string{"report"}, quick...), args...)...)
}

// section returns the generated text of section name in doc.
func sectionText(t *testing.T, doc, name string) string {
	t.Helper()
	i := strings.Index(doc, beginMarker(name))
	j := strings.Index(doc, endMarker(name))
	require.True(t, i >= 0 && j > i, "section %s", name)
	return doc[i+len(beginMarker(name)) : j]
}

func TestReportWritesDesign(t *testing.T) {
	dir := t.TempDir()
	r := runReportCLI(t, "-out", dir)
	require.Equal(t, exitOK, r.code, "stderr: %s", r.stderr)
	assert.Contains(t, r.stderr, "bpfbitmap report: timing 52 cases on nr_cpu_ids=2 NR_CPUS=256, run 1 of 1\n")

	var want []string
	for _, f := range chartFiles() {
		want = append(want, "wrote "+filepath.Join(dir, f))
	}
	want = append(want, "wrote "+filepath.Join(dir, "design.md"))
	assert.Equal(t, strings.Join(want, "\n")+"\n", r.stdout)
	for _, f := range chartFiles() {
		svg, err := os.ReadFile(filepath.Join(dir, f))
		require.NoError(t, err)
		assert.Contains(t, string(svg), "<svg", f)
	}

	b, err := os.ReadFile(filepath.Join(dir, "design.md"))
	require.NoError(t, err)
	doc := string(b)
	assert.True(t, strings.HasPrefix(doc, "# Design report: "), "title")
	for _, h := range []string{"## The question", "## Answers", "## 1. Memory", "## 2. Time per kfunc",
		"## 3. The cast", "## 4. The overrun hazard", "## 5. Ownership and type safety", "## 6. What the proposal costs programs"} {
		assert.Contains(t, doc, "\n"+h, "heading %q", h)
	}
	for _, name := range sectionNames {
		assert.NotEmpty(t, strings.TrimSpace(sectionText(t, doc, name)), name)
	}
	for _, link := range []string{"(design-overrun.md)", "(design-cast.md)", "(kfuncs.md)", "(img/memory-nr_cpus-8192.svg)", "(img/memory-nr_cpus-256.svg)", "(img/time-cpus-2-nr_cpus-256.svg)"} {
		assert.Contains(t, doc, link)
	}

	// The memory numbers, against the kernel reference: bpf_cpumask on
	// NR_CPUS=8192 is a 1032-byte object, 1040-byte unit, 2048-byte class
	// (§1.1, §5.2); a 96-CPU bitmap is 8+8+16 = 32 bytes (§5.3); 1024 bits
	// are 136/144/192.
	mem := sectionText(t, doc, "memory")
	assert.Contains(t, mem, "| 8192 | 96 | 96 | 1032 | 1040 | 2048 | 1008 | 24 | 32 | 32 | 0 | 32 | 2016 |")
	assert.Contains(t, mem, "| 8192 | 1024 | 1024 | 1032 | 1040 | 2048 | 1008 | 136 | 144 | 192 | 48 | 192 | 1856 |")
	assert.Contains(t, mem, "| 8192 | 8192 | 8192 | 1032 | 1040 | 2048 | 1008 | 1032 | 1040 | 2048 | 1008 | 2048 | 0 |")
	assert.Contains(t, mem, "| 256 | 2 | 256 | 40 | 48 | 64 | 16 | 16 | 24 | 64 | 40 | 32 | 0 |", "padded for the cast on NR_CPUS=256")
	assert.Contains(t, mem, "| 96 | — | 32 / 32 | 64 / 64 | 96 / **32** | 192 / **32** | 1024 / **32** | 2048 / **32** |")
	ans := sectionText(t, doc, "answers")
	assert.Contains(t, ans, "a `bpf_cpumask` is a 1032-byte object, a 1040-byte unit, a 2048-byte size class")
	assert.Contains(t, ans, "for 96 CPUs is 32 B (8 + 8 + 16")
	assert.Contains(t, ans, "smaller class in 30 (bold in the table) and a larger one in none")
	assert.Contains(t, ans, "larger size class in 6 of the 50 topologies")
	assert.Contains(t, ans, "24 checked casts, each with a NULL check (in 14 programs, at most 4 in one), and 0 extra acquire/release pairs")
	over := sectionText(t, doc, "overrun")
	assert.Equal(t, 6, strings.Count(over, "| 32 | 64 | 64 |"), over)

	// Every kfunc has a row in the time table, whatever the numbers.
	tm := sectionText(t, doc, "time")
	for _, fn := range bench.Fns {
		assert.Regexp(t, `\| `+"`"+`(bpf_cpumask_)?`+regexpQuote(fn)+"`"+` \|( [0-9.]+ \| [0-9.]+ \| [0-9.]+× \|){3}\n`, tm)
	}
}

func regexpQuote(s string) string { return strings.NewReplacer("+", `\+`).Replace(s) }

// TestReportKeepsProse: a second run replaces only the generated sections.
func TestReportKeepsProse(t *testing.T) {
	dir := t.TempDir()
	require.Equal(t, exitOK, runReportCLI(t, "-out", dir).code)
	path := filepath.Join(dir, "design.md")
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	first := string(b)
	edited := strings.Replace(first, "## The question\n", "## The question\n\nHAND-WRITTEN NOTE\n", 1)
	edited = strings.Replace(edited, beginMarker("selftests")+"\n", beginMarker("selftests")+"\nSTALE GENERATED TEXT\n", 1)
	require.NoError(t, os.WriteFile(path, []byte(edited), 0o644))

	require.Equal(t, exitOK, runReportCLI(t, "-out", dir).code)
	b, err = os.ReadFile(path)
	require.NoError(t, err)
	second := string(b)
	assert.Contains(t, second, "HAND-WRITTEN NOTE")
	assert.NotContains(t, second, "STALE GENERATED TEXT")
	// The deterministic sections are identical run to run.
	for _, name := range []string{"memory", "overrun", "selftests"} {
		assert.Equal(t, sectionText(t, first, name), sectionText(t, second, name), name)
	}
}

func TestReportMissingMarker(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "design.md")
	doc := strings.Replace(designSkeleton(), endMarker("cast"), "", 1)
	require.NoError(t, os.WriteFile(path, []byte(doc), 0o644))
	r := runReportCLI(t, "-out", dir)
	assert.Equal(t, exitFail, r.code)
	assert.Contains(t, r.stderr, `bpfbitmap report: `+path+`: generated-section markers: need exactly one "<!-- report:begin cast -->" before one "<!-- report:end cast -->"`)
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, doc, string(b), "left as it was")
	_, err = os.Stat(filepath.Join(dir, "img", "memory-nr_cpus-256.svg"))
	assert.ErrorIs(t, err, os.ErrNotExist, "nothing written")
}

// TestReportJSON checks --json and, through it, that the allocator-measured
// memory agrees with the cpus command's kmalloc and size-class formulas
// (cost.go) on every topology.
func TestReportJSON(t *testing.T) {
	dir := t.TempDir()
	r := runReportCLI(t, "-out", dir, "--json")
	require.Equal(t, exitOK, r.code, "stderr: %s", r.stderr)
	var got reportJSON
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &got))
	assert.Len(t, got.Files, len(chartFiles())+1)
	assert.Equal(t, "1x", got.Host.Benchtime)
	assert.Equal(t, 1, got.Host.Count)
	assert.Len(t, got.Timings, len(bench.Fns)*len(bench.TimingTopologies))
	assert.Equal(t, 50, got.Summary.Topologies)
	assert.Equal(t, 30, got.Summary.Saving)
	assert.Equal(t, 6, got.Summary.Padded)
	require.GreaterOrEqual(t, len(got.Memory), 50)
	for _, m := range got.Memory {
		topo := cast.MustTopology(m.NrCPUIDs, m.NrCPUs)
		want, err := allocations(topo)
		require.NoError(t, err)
		fixed, exact, safe := want[0], want[1], want[2]
		assert.Equal(t, fixed.ObjectBytes, m.Fixed.ObjectBytes, "%v", topo)
		assert.Equal(t, fixed.UnitBytes, m.Fixed.UnitBytes, "%v", topo)
		assert.Equal(t, fixed.ClassBytes, m.Fixed.ClassBytes, "%v: kmalloc class = bpf_mem_alloc class", topo)
		assert.Equal(t, exact.ClassBytes, m.GenericExact.ClassBytes, "%v", topo)
		assert.Equal(t, exact.UnitBytes, m.Generic.UnitBytes, "%v", topo)
		assert.Equal(t, safe.ClassBytes, m.Generic.ClassBytes, "%v", topo)
	}
}

func TestReportUsage(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o644))
	for _, tt := range []cliCase{
		{name: "-h", args: []string{"report", "-h"}, code: exitOK,
			stdout: `(?s)^Usage: bpfbitmap report \[flags\]\n\nReport answers .*report:begin NAME.*\n  --benchtime d\n.*  --count n\n.*  --json\n.*  --out DIR\n`},
		{name: "help report", args: []string{"help", "report"}, code: exitOK, stdout: `^Usage: bpfbitmap report `},
		{name: "listed", args: []string{"-h"}, code: exitOK, stdout: `\n  report    measure both designs and write the design report docs/design.md\n`},
		{name: "argument", args: []string{"report", "now"}, code: exitUsage,
			stderr: `^bpfbitmap report: unexpected argument "now"\nUsage: bpfbitmap report \[flags\]\n`},
		{name: "count", args: []string{"report", "-count", "0"}, code: exitUsage,
			stderr: `^bpfbitmap report: -count must be at least 1, not 0\n`},
		{name: "benchtime", args: []string{"report", "-benchtime", "soon"}, code: exitUsage,
			stderr: `^bpfbitmap report: -benchtime: bench: invalid benchtime "soon"`},
		{name: "bad flag", args: []string{"report", "-fast"}, code: exitUsage,
			stderr: `(?s)flag provided but not defined: -fast\nUsage: bpfbitmap report \[flags\]\nRun 'bpfbitmap report -h' for help.\n$`},
		{name: "out is a file", args: append(append([]string{"report"}, quick...), "-out", file), code: exitFail,
			stderr: `(?s)bpfbitmap report: mkdir ` + file + `: not a directory\n$`},
	} {
		t.Run(tt.name, tt.check)
	}
}

func TestReplaceSections(t *testing.T) {
	doc := "a\n" + beginMarker("x") + "\nold\n" + endMarker("x") + "\nb\n"
	got, err := replaceSections(doc, []section{{"x", "new\n\n"}})
	require.NoError(t, err)
	assert.Equal(t, "a\n"+beginMarker("x")+"\nnew\n"+endMarker("x")+"\nb\n", got)
	for _, bad := range []string{
		"a\n",
		endMarker("x") + beginMarker("x"),
		beginMarker("x") + beginMarker("x") + endMarker("x"),
	} {
		_, err := replaceSections(bad, []section{{"x", "new"}})
		assert.ErrorIs(t, err, errMarkers, "%q", bad)
	}
}
