package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/bpfbitmap/prototype/bench"
	"github.com/bpfbitmap/prototype/cast"
)

// quick are the flags that make a report run in well under a second: one
// iteration per benchmark. The timing values are then meaningless, and no
// test looks at them.
var quick = []string{"-benchtime", "1x", "-count", "1"}

// committedProse is the repository's design.md, seen from this package.
const committedProse = "../../docs/design.md"

func runReportCLI(t *testing.T, args ...string) result {
	t.Helper()
	return runCLI(t, "", append(append([]string{"report"}, quick...), args...)...)
}

// snapshot reads every file under dir, by path relative to dir.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	require.NoError(t, filepath.WalkDir(dir, func(path string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		files[rel] = string(b)
		return err
	}))
	return files
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
	r := runReportCLI(t, "-out", dir, "-prose", committedProse)
	require.Equal(t, exitOK, r.code, "stderr: %s", r.stderr)
	assert.Contains(t, r.stderr, "bpfbitmap report: timing 26 operations on nr_cpu_ids=2 NR_CPUS=256, run 1 of 1\n")

	var want []string
	for _, f := range chartFiles() {
		want = append(want, "bpfbitmap report: wrote "+filepath.Join(dir, f))
	}
	want = append(want, "bpfbitmap report: wrote "+filepath.Join(dir, "design.md"))
	assert.True(t, strings.HasSuffix(r.stderr, strings.Join(want, "\n")+"\n"), "stderr ends with the files written:\n%s", r.stderr)
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
		"## 3. The cast", "## 4. The overrun hazard", "## 5. Ownership and type safety", "## 6. What the proposal costs programs", "## 7. The third road"} {
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
	assert.Contains(t, mem, "| 8192 | 96 | 96 | 1032 | 1040 | 2048 | 1008 | 24 | 32 | 32 | 0 | 32 | 2016 | 24 | 32 | 40.2 |")
	assert.Contains(t, mem, "| 8192 | 1024 | 1024 | 1032 | 1040 | 2048 | 1008 | 136 | 144 | 192 | 48 | 192 | 1856 | 136 | 144 | 154.4 |")
	assert.Contains(t, mem, "| 8192 | 8192 | 8192 | 1032 | 1040 | 2048 | 1008 | 1032 | 1040 | 2048 | 1008 | 2048 | 0 | 1032 | 1040 | 1125.2 |")
	assert.Contains(t, mem, "| 256 | 2 | 256 | 40 | 48 | 64 | 16 | 16 | 24 | 64 | 40 | 32 | 0 | 16 | 24 | 32.3 |", "padded for the cast on NR_CPUS=256")
	assert.Contains(t, mem, "| 96 | — | 32 / 32 / 40 | 64 / 64 / 40 | 96 / **32** / 40 | 192 / **32** / 40 | 1024 / **32** / 40 | 2048 / **32** / 40 |")
	ans := sectionText(t, doc, "answers")
	assert.Equal(t, "# Answers\n\n"+strings.TrimSpace(ans)+"\n\nThe whole report: "+filepath.Join(dir, "design.md")+"\n", r.stdout,
		"stdout is the answers")
	assert.Contains(t, ans, "a `bpf_cpumask` is a 1032-byte object, a 1040-byte unit, a 2048-byte size class")
	assert.Contains(t, ans, "for 96 CPUs is 32 B (8 + 8 + 16")
	assert.Contains(t, ans, "smaller class in 30 (bold in the table) and a larger one in none")
	assert.Contains(t, ans, "larger size class in 6 of the 50 topologies")
	ps, err := bench.Selftests()
	require.NoError(t, err)
	ss := bench.SummarizeSelftests(ps)
	assert.Contains(t, ans, fmt.Sprintf("adds %d checked casts, each a NULL check (%d → %d NULL checks; in %d programs, at most %d in one)",
		ss.Casts, ss.Fixed.NullChecks, ss.Generic.NullChecks, ss.Affected, ss.MaxCasts))
	assert.Contains(t, sectionText(t, doc, "selftests"), fmt.Sprintf("| **total** | **%d → %d** |", ss.Fixed.NullChecks, ss.Generic.NullChecks))
	assert.Contains(t, mem, "The largest `bpf_bitmap` is 32640 bits (`bpfbitmap.KernelMaxBits`): a 4088-byte object, a 4096-byte unit with the allocator header, in the 4096-byte class")
	assert.Contains(t, mem, "`bpf_bitmap_create(32641)` returns NULL")
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
	path := filepath.Join(dir, "design.md")
	require.Equal(t, exitOK, runReportCLI(t, "-out", dir, "-prose", committedProse).code)
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	first := string(b)
	edited := strings.Replace(first, "## The question\n", "## The question\n\nHAND-WRITTEN NOTE\n", 1)
	edited = strings.Replace(edited, beginMarker("selftests")+"\n", beginMarker("selftests")+"\nSTALE GENERATED TEXT\n", 1)
	require.NoError(t, os.WriteFile(path, []byte(edited), 0o644))

	require.Equal(t, exitOK, runReportCLI(t, "-out", dir, "-prose", path).code)
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
	prose := filepath.Join(dir, "prose.md")
	out := filepath.Join(dir, "out")
	doc := strings.Replace(designSkeleton(), endMarker("cast"), "", 1)
	require.NoError(t, os.WriteFile(prose, []byte(doc), 0o644))
	r := runReportCLI(t, "-out", out, "-prose", prose)
	assert.Equal(t, exitFail, r.code)
	assert.Equal(t, `bpfbitmap report: `+prose+`: generated-section markers: need exactly one "<!-- report:begin cast -->" before one "<!-- report:end cast -->"`+"\n", r.stderr,
		"fails before anything runs")
	b, err := os.ReadFile(prose)
	require.NoError(t, err)
	assert.Equal(t, doc, string(b), "left as it was")
	_, err = os.Stat(out)
	assert.ErrorIs(t, err, os.ErrNotExist, "nothing written")
}

// TestReportSkeleton: without a prose file the report is the generated
// sections under a title; a --prose file that is missing is an error.
func TestReportSkeleton(t *testing.T) {
	dir := t.TempDir()
	r := runReportCLI(t, "-out", dir) // the default prose file is not found from this package's directory
	require.Equal(t, exitOK, r.code, "stderr: %s", r.stderr)
	b, err := os.ReadFile(filepath.Join(dir, "design.md"))
	require.NoError(t, err)
	doc := string(b)
	assert.True(t, strings.HasPrefix(doc, "# Design report: "), "title")
	assert.NotContains(t, doc, "## The question", "no prose built in")
	for _, name := range sectionNames {
		assert.NotEmpty(t, strings.TrimSpace(sectionText(t, doc, name)), name)
	}

	missing := filepath.Join(dir, "missing.md")
	r = runReportCLI(t, "-out", dir, "-prose", missing)
	assert.Equal(t, exitFail, r.code)
	assert.Equal(t, "bpfbitmap report: open "+missing+": no such file or directory\n", r.stderr)
}

// failingWriter writes up to n bytes, then fails.
type failingWriter struct {
	w io.Writer
	n int
}

var errInjected = errors.New("injected write error")

func (f *failingWriter) Write(p []byte) (int, error) {
	if len(p) <= f.n {
		f.n -= len(p)
		return f.w.Write(p)
	}
	n, _ := f.w.Write(p[:f.n])
	f.n = 0
	return n, errInjected
}

// TestReportFailedWriteKeepsPrevious: a run whose write of design.md fails
// halfway leaves every file of the previous report as it was (charts
// included, although they were written first) and no temporary files.
func TestReportFailedWriteKeepsPrevious(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "design.md")
	require.Equal(t, exitOK, runReportCLI(t, "-out", dir, "-prose", committedProse).code)
	before := snapshot(t, dir)
	require.Len(t, before, len(chartFiles())+1)

	for _, victim := range []string{"design.md", chartFiles()[0], chartFiles()[len(chartFiles())-1]} {
		t.Run(victim, func(t *testing.T) {
			old := wrapTemp
			t.Cleanup(func() { wrapTemp = old })
			wrapTemp = func(name string, w io.Writer) io.Writer {
				if name == filepath.Join(dir, filepath.FromSlash(victim)) {
					return &failingWriter{w: w, n: len(before[filepath.FromSlash(victim)]) / 2}
				}
				return w
			}
			r := runReportCLI(t, "-out", dir, "-prose", path)
			assert.Equal(t, exitFail, r.code)
			assert.Contains(t, r.stderr, "bpfbitmap report: writing "+filepath.Join(dir, filepath.FromSlash(victim))+": injected write error\n")
			assert.Equal(t, before, snapshot(t, dir), "previous report intact, no temporary files")
		})
	}
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
			stdout: `(?s)^Usage: bpfbitmap report \[flags\]\n\nReport answers .*report:begin NAME.*\n  --benchtime d\n.*  --count n\n.*  --json\n.*  --out DIR\n.*  --prose FILE\n`},
		{name: "help report", args: []string{"help", "report"}, code: exitOK, stdout: `^Usage: bpfbitmap report `},
		{name: "listed", args: []string{"-h"}, code: exitOK, stdout: `\n  report    measure the designs, print the answers, write the design report\n`},
		{name: "argument", args: []string{"report", "now"}, code: exitUsage,
			stderr: `^bpfbitmap report: unexpected argument "now"\nUsage: bpfbitmap report \[flags\]\n`},
		{name: "count", args: []string{"report", "-count", "0"}, code: exitUsage,
			stderr: `^bpfbitmap report: -count must be at least 1, not 0\n`},
		{name: "benchtime", args: []string{"report", "-benchtime", "soon"}, code: exitUsage,
			stderr: `^bpfbitmap report: -benchtime: bench: invalid benchtime "soon"`},
		{name: "bad flag", args: []string{"report", "-fast"}, code: exitUsage,
			stderr: `(?s)^bpfbitmap report: flag provided but not defined: --fast\nUsage: bpfbitmap report \[flags\]\nRun 'bpfbitmap report -h' for help.\n$`},
		{name: "out is a file", args: append(append([]string{"report"}, quick...), "-out", file, "-prose", committedProse), code: exitFail,
			stderr: `^bpfbitmap report: mkdir ` + file + `: not a directory\n$`}, // before any benchmark
		{name: "out not writable", args: append(append([]string{"report"}, quick...), "-out", "/proc/self", "-prose", committedProse), code: exitFail,
			stderr: `^bpfbitmap report: open /proc/self/\.report-check-[0-9]+: no such file or directory\n$`},
	} {
		t.Run(tt.name, tt.check)
	}
}

// TestReportDefaultOutIgnored: the default output directory is one git
// ignores, so the main job leaves a checkout clean.
func TestReportDefaultOutIgnored(t *testing.T) {
	git, err := exec.LookPath("git")
	if err != nil {
		t.Skip("no git:", err)
	}
	root := filepath.Join("..", "..")
	for _, f := range []string{designFile, chartFiles()[0]} {
		cmd := exec.Command(git, "check-ignore", "-q", "--no-index", filepath.ToSlash(filepath.Join(defaultOut, f)))
		cmd.Dir = root
		assert.NoError(t, cmd.Run(), "%s/%s is not git-ignored", defaultOut, f)
	}
	cmd := exec.Command(git, "check-ignore", "-q", "--no-index", "docs/design.md")
	cmd.Dir = root
	assert.Error(t, cmd.Run(), "docs/design.md must stay tracked")
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

// fsizeChildEnv names the directory a re-executed test binary writes the
// report into under a file size limit.
const fsizeChildEnv = "BPFBITMAP_TEST_FSIZE_DIR"

// TestReportFileSizeLimit: under RLIMIT_FSIZE, design.md (the largest
// file) cannot be written whole; the run fails with the kernel's EFBIG and
// leaves the previous report as it was. The limit is set in a re-executed
// test binary, so that it does not hold for this process.
func TestReportFileSizeLimit(t *testing.T) {
	if dir := os.Getenv(fsizeChildEnv); dir != "" {
		limit := unix.Rlimit{Cur: 20 << 10, Max: 20 << 10}
		require.NoError(t, unix.Setrlimit(unix.RLIMIT_FSIZE, &limit))
		var stdout, stderr bytes.Buffer
		code := run(append(append([]string{"report"}, quick...), "-out", dir, "-prose", committedProse), nil, &stdout, &stderr)
		os.Stderr.WriteString(stderr.String())
		os.Exit(code)
	}
	dir := t.TempDir()
	require.Equal(t, exitOK, runReportCLI(t, "-out", dir, "-prose", committedProse).code)
	before := snapshot(t, dir)
	require.Greater(t, len(before["design.md"]), 20<<10, "design.md must be larger than the limit")

	cmd := exec.Command(os.Args[0], "-test.run=^TestReportFileSizeLimit$")
	cmd.Env = append(os.Environ(), fsizeChildEnv+"="+dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "stderr: %s", stderr.String())
	assert.Equal(t, exitFail, exit.ExitCode())
	assert.Contains(t, stderr.String(), "bpfbitmap report: writing "+filepath.Join(dir, "design.md")+": ")
	assert.Contains(t, stderr.String(), "file too large")
	assert.Equal(t, before, snapshot(t, dir), "previous report intact, no temporary files")
}
