package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/bpfbitmap/prototype/bench"
	"github.com/bpfbitmap/prototype/cast"
)

var cmdReport = &command{
	name:  "report",
	short: "measure the designs, print the answers, write the design report",
	long: `
Report answers the project's question, fixed-size struct bpf_cpumask or the
generic bpf_bitmap proposal, with numbers: it prints the Answers section of
the design report to stdout and writes the whole report, DIR/design.md with
SVG charts in DIR/img:

  - memory per cpumask in each design on 50 kernel topologies (NR_CPUS 64 to
    8192, nr_cpu_ids 1 to 8192), measured on the prototype's bpf_mem_alloc
    model: exact, the same on every machine;
  - ns per call of every cpumask kfunc, the cast, create+release and
    acquire+release in both designs, run with testing.Benchmark -count times
    (interleaved; the median is reported): these vary from run to run;
  - what porting the kernel's cpumask selftests to the proposal adds.

DIR defaults to out/report, which git ignores, so that a run leaves the
checkout clean; --out docs regenerates the committed report.

The hand-written prose comes from the --prose file (docs/design.md): only the
text between "<!-- report:begin NAME -->" and "<!-- report:end NAME -->"
markers is generated. A prose file that lacks one of the markers is an error
before anything runs; where the default prose file does not exist (outside
the repository) the report is the generated sections alone.

DIR is checked before the benchmarks run. Every file is written to a
temporary name and renamed into place only when all of them are written, so
a failed run leaves the previous report as it was.

Progress and the files written go to stderr; with --json stdout gets all the
numbers as one JSON object instead of the answers.`,
	flags: func(c *command, fs *flag.FlagSet) runFunc {
		out := fs.String("out", defaultOut, "write design.md and img/*.svg under `DIR`")
		prose := fs.String("prose", defaultProse, "take design.md's hand-written text from `FILE`")
		benchtime := fs.String("benchtime", "200000x", "run each benchmark for `d`: N iterations (Nx) or a duration, as go test -benchtime")
		count := fs.Int("count", 5, "run each benchmark `n` times and report the median")
		asJSON := fs.Bool("json", false, "print the report's numbers as one JSON object instead of the list of files")
		return func(args []string, _ io.Reader, stdout, stderr io.Writer) int {
			if len(args) > 0 {
				return c.usageError(stderr, "unexpected argument %q", args[0])
			}
			if *count < 1 {
				return c.usageError(stderr, "-count must be at least 1, not %d", *count)
			}
			restore, err := bench.SetBenchtime(*benchtime)
			if err != nil {
				return c.usageError(stderr, "-benchtime: %v", err)
			}
			defer restore()
			o := reportOptions{out: *out, prose: *prose, proseSet: isSet(fs, "prose"), benchtime: *benchtime, count: *count, json: *asJSON}
			return runReport(c, o, stdout, stderr)
		}
	},
}

// Defaults of --out and --prose: the report goes to an ignored directory,
// with the committed report's prose.
const (
	defaultOut   = "out/report"
	defaultProse = "docs/design.md"
)

type reportOptions struct {
	out       string
	prose     string
	proseSet  bool // --prose given: a missing file is an error
	benchtime string
	count     int
	json      bool
}

// reportJSON is everything the report is made of: the --json output.
type reportJSON struct {
	Host      reportHost              `json:"host"`
	Memory    []bench.MemoryRow       `json:"memory"`
	SizeCap   bench.SizeCap           `json:"size_cap"`
	Kernel    bench.KernelCost        `json:"kernel_cost"`
	Scx       bench.ScxCounts         `json:"scx"`
	Timings   []bench.Pair            `json:"timings"`
	Arena     []bench.Timing          `json:"arena_timings"`
	Selftests []bench.SelftestProgram `json:"selftests"`
	Summary   reportSummary           `json:"summary"`
	Files     []string                `json:"files"`
}

// reportHost is where and how the timings were taken.
type reportHost struct {
	GoVersion string `json:"go_version"`
	GOOS      string `json:"goos"`
	GOARCH    string `json:"goarch"`
	CPUs      int    `json:"cpus"` // runtime.NumCPU
	// NrCPUs and NrCPUIDs are the host kernel's, 0 where sysfs is missing.
	NrCPUs    int    `json:"nr_cpus,omitempty"`
	NrCPUIDs  int    `json:"nr_cpu_ids,omitempty"`
	Benchtime string `json:"benchtime"`
	Count     int    `json:"count"`
}

// reportSummary holds the headline numbers of the answers.
type reportSummary struct {
	// GeomeanRatio is generic/fixed ns over every cpumask kfunc and timing
	// topology; PerTopology the same per topology, in TimingTopologies order.
	GeomeanRatio float64               `json:"geomean_ratio"`
	PerTopology  []float64             `json:"per_topology_ratio"`
	Selftests    bench.SelftestSummary `json:"selftests"`
	Padded       int                   `json:"padded_topologies"` // where the cast's padding costs a class step
	Saving       int                   `json:"saving_topologies"` // where the generic design uses a smaller class
	Topologies   int                   `json:"topologies"`
	Host         *bench.MemoryRow      `json:"host_memory,omitempty"`
	Cast         map[string]bench.Pair `json:"-"`
	Life         map[string]bench.Pair `json:"-"`
}

// Names of the files the report writes under -out.
const designFile = "design.md"

// chartFiles are the SVGs the report writes under -out/img, with what each
// shows.
func chartFiles() []string {
	files := []string{"img/memory-nr_cpus-8192.svg", "img/memory-nr_cpus-256.svg"}
	for _, t := range bench.TimingTopologies {
		files = append(files, timeChartFile(t))
	}
	return files
}

func timeChartFile(t cast.Topology) string {
	return fmt.Sprintf("img/time-cpus-%d-nr_cpus-%d.svg", t.NrCPUIDs(), t.NrCPUs())
}

func runReport(c *command, o reportOptions, stdout, stderr io.Writer) int {
	prose, err := readProse(o)
	if err != nil {
		return c.fail(stderr, err)
	}
	if err := checkOutDir(o.out); err != nil {
		return c.fail(stderr, err)
	}
	data := reportJSON{
		Host: reportHost{
			GoVersion: runtime.Version(), GOOS: runtime.GOOS, GOARCH: runtime.GOARCH, CPUs: runtime.NumCPU(),
			Benchtime: o.benchtime, Count: o.count,
		},
	}
	host, hostErr := cast.Host()
	if hostErr == nil {
		data.Host.NrCPUs, data.Host.NrCPUIDs = host.NrCPUs(), host.NrCPUIDs()
	}
	topos := bench.Topologies()
	if hostErr == nil && !containsTopology(topos, host) {
		topos = append(topos, host)
	}
	fmt.Fprintf(stderr, "bpfbitmap report: memory per cpumask on %d topologies\n", len(topos))
	if data.Memory, err = bench.Memory(topos); err != nil {
		return c.fail(stderr, err)
	}
	if data.SizeCap, err = bench.MeasureSizeCap(); err != nil {
		return c.fail(stderr, err)
	}
	if data.Kernel, err = bench.KernelCosts(); err != nil {
		return c.fail(stderr, err)
	}
	if data.Scx, err = bench.Scx(); err != nil {
		return c.fail(stderr, err)
	}
	if data.Selftests, err = bench.Selftests(); err != nil {
		return c.fail(stderr, err)
	}
	timings, err := bench.RunTimings(bench.TimingTopologies, o.count, func(cs bench.Case, run int) {
		if cs.Fn == bench.Fns[0] && cs.Design == bench.Fixed {
			fmt.Fprintf(stderr, "bpfbitmap report: timing %d operations on %v, run %d of %d\n",
				len(bench.Fns), cs.Topology, run+1, o.count)
		}
	})
	if err != nil {
		return c.fail(stderr, err)
	}
	data.Timings = bench.Pairs(timings)
	for _, t := range timings {
		if t.Design == bench.Arena {
			data.Arena = append(data.Arena, t)
		}
	}
	data.Summary = summarize(&data, host, hostErr == nil)

	sections := reportSections(&data)
	files, err := renderReport(prose, sections, &data)
	if err != nil {
		return c.fail(stderr, err)
	}
	if data.Files, err = writeAll(o.out, files); err != nil {
		return c.fail(stderr, err)
	}
	for _, f := range data.Files {
		fmt.Fprintf(stderr, "bpfbitmap report: wrote %s\n", f)
	}
	if o.json {
		err = writeJSON(stdout, data)
	} else {
		_, err = fmt.Fprintf(stdout, "# Answers\n\n%s\nThe whole report: %s\n",
			sectionByName(sections, "answers"), filepath.Join(o.out, designFile))
	}
	if err != nil {
		return c.fail(stderr, err)
	}
	return exitOK
}

// readProse returns the hand-written design.md the sections go into,
// checked for its markers. Without --prose a missing default file gives the
// built-in skeleton of markers.
func readProse(o reportOptions) (string, error) {
	b, err := os.ReadFile(o.prose)
	switch {
	case errors.Is(err, os.ErrNotExist) && !o.proseSet:
		return designSkeleton(), nil
	case err != nil:
		return "", err
	}
	empty := make([]section, len(sectionNames))
	for i, name := range sectionNames {
		empty[i] = section{name: name}
	}
	if _, err := replaceSections(string(b), empty); err != nil {
		return "", fmt.Errorf("%s: %w", o.prose, err)
	}
	return string(b), nil
}

func sectionByName(ss []section, name string) string {
	for _, s := range ss {
		if s.name == name {
			return strings.TrimSpace(s.text) + "\n"
		}
	}
	return ""
}

func containsTopology(ts []cast.Topology, t cast.Topology) bool {
	for _, x := range ts {
		if x.NrCPUIDs() == t.NrCPUIDs() && x.NrCPUs() == t.NrCPUs() {
			return true
		}
	}
	return false
}

func summarize(d *reportJSON, host cast.Topology, haveHost bool) reportSummary {
	s := reportSummary{
		Selftests: bench.SummarizeSelftests(d.Selftests),
		Cast:      map[string]bench.Pair{},
		Life:      map[string]bench.Pair{},
	}
	kf := func(p bench.Pair) bool { return bench.IsCpumaskKfunc(p.Fn) }
	s.GeomeanRatio, _ = bench.GeomeanRatio(d.Timings, kf)
	for _, t := range bench.TimingTopologies {
		g, _ := bench.GeomeanRatio(d.Timings, func(p bench.Pair) bool {
			return kf(p) && p.NrCPUIDs == t.NrCPUIDs() && p.NrCPUs == t.NrCPUs()
		})
		s.PerTopology = append(s.PerTopology, g)
	}
	for _, p := range d.Timings {
		key := topoKey(p.NrCPUIDs, p.NrCPUs)
		switch p.Fn {
		case bench.FnCast:
			s.Cast[key] = p
		case bench.FnCreateRelease:
			s.Life[key] = p
		}
	}
	for i, r := range d.Memory {
		if haveHost && r.NrCPUIDs == host.NrCPUIDs() && r.NrCPUs == host.NrCPUs() {
			s.Host = &d.Memory[i]
		}
		if i >= len(bench.Topologies()) {
			continue // the host's extra row
		}
		s.Topologies++
		if r.PaddingBytes() > 0 {
			s.Padded++
		}
		if r.Saved() > 0 {
			s.Saving++
		}
	}
	return s
}

func topoKey(n, nr int) string { return fmt.Sprintf("%d/%d", n, nr) }

// renderReport returns every file of the report, charts first and
// design.md last: prose with sections filled in.
func renderReport(prose string, sections []section, d *reportJSON) ([]outFile, error) {
	charts := map[string]func() ([]byte, error){
		"img/memory-nr_cpus-8192.svg": func() ([]byte, error) { return bench.MemoryChart(d.Memory, 8192) },
		"img/memory-nr_cpus-256.svg":  func() ([]byte, error) { return bench.MemoryChart(d.Memory, 256) },
	}
	for _, t := range bench.TimingTopologies {
		charts[timeChartFile(t)] = func() ([]byte, error) { return bench.TimeChart(d.Timings, t.NrCPUIDs(), t.NrCPUs()) }
	}
	var files []outFile
	for _, name := range chartFiles() {
		svg, err := charts[name]()
		if err != nil {
			return nil, err
		}
		files = append(files, outFile{name, svg})
	}
	doc, err := replaceSections(prose, sections)
	if err != nil {
		return nil, err
	}
	return append(files, outFile{designFile, []byte(doc)}), nil
}

// Markers around a generated section of design.md.
func beginMarker(name string) string { return "<!-- report:begin " + name + " -->" }
func endMarker(name string) string   { return "<!-- report:end " + name + " -->" }

// errMarkers reports a design.md whose markers are missing, repeated or out
// of order.
var errMarkers = errors.New("generated-section markers")

// replaceSections replaces the text between each section's markers in doc
// with the section's content, keeping everything outside them.
func replaceSections(doc string, sections []section) (string, error) {
	for _, s := range sections {
		b, e := beginMarker(s.name), endMarker(s.name)
		i, j := strings.Index(doc, b), strings.Index(doc, e)
		if i < 0 || j < 0 || j < i || strings.Count(doc, b) != 1 || strings.Count(doc, e) != 1 {
			return "", fmt.Errorf("%w: need exactly one %q before one %q", errMarkers, b, e)
		}
		doc = doc[:i+len(b)] + "\n" + strings.TrimRight(s.text, "\n") + "\n" + doc[j:]
	}
	return doc, nil
}

// section is one generated part of design.md.
type section struct{ name, text string }

// Formatting helpers for the tables.

func ns(x float64) string {
	switch {
	case math.IsNaN(x):
		return "—"
	case x >= 100:
		return fmt.Sprintf("%.0f", x)
	case x >= 10:
		return fmt.Sprintf("%.1f", x)
	}
	return fmt.Sprintf("%.2f", x)
}

func ratio(x float64) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "—"
	}
	return fmt.Sprintf("%.2f×", x)
}
