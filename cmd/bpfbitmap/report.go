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
	short: "measure both designs and write the design report docs/design.md",
	long: `
Report answers the project's question, fixed-size struct bpf_cpumask or the
generic bpf_bitmap proposal, with numbers, and writes them to DIR/design.md
with SVG charts in DIR/img:

  - memory per cpumask in each design on 50 kernel topologies (NR_CPUS 64 to
    8192, nr_cpu_ids 1 to 8192), measured on the prototype's bpf_mem_alloc
    model: exact, the same on every machine;
  - ns per call of every cpumask kfunc, the cast, create+release and
    acquire+release in both designs, run with testing.Benchmark -count times
    (interleaved; the median is reported): these vary from run to run;
  - what porting the kernel's cpumask selftests to the proposal adds.

design.md keeps hand-written prose: only the text between
"<!-- report:begin NAME -->" and "<!-- report:end NAME -->" markers is
replaced. If DIR/design.md does not exist, it is created from the built-in
text with every section filled in. A design.md that lacks one of the markers
is an error, and is left as it was.

Progress goes to stderr; stdout gets the files written, or with --json all
the numbers as one JSON object.`,
	flags: func(c *command, fs *flag.FlagSet) runFunc {
		out := fs.String("out", "docs", "write design.md and img/*.svg under `DIR`")
		benchtime := fs.String("benchtime", "50ms", "run each benchmark for `d` (a duration, or Nx for N iterations), as go test -benchtime")
		count := fs.Int("count", 3, "run each benchmark `n` times and report the median")
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
			return runReport(c, reportOptions{out: *out, benchtime: *benchtime, count: *count, json: *asJSON}, stdout, stderr)
		}
	},
}

type reportOptions struct {
	out       string
	benchtime string
	count     int
	json      bool
}

// reportJSON is everything the report is made of: the --json output.
type reportJSON struct {
	Host      reportHost              `json:"host"`
	Memory    []bench.MemoryRow       `json:"memory"`
	Timings   []bench.Pair            `json:"timings"`
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
	data := reportJSON{
		Host: reportHost{
			GoVersion: runtime.Version(), GOOS: runtime.GOOS, GOARCH: runtime.GOARCH, CPUs: runtime.NumCPU(),
			Benchtime: o.benchtime, Count: o.count,
		},
		Selftests: bench.Selftests,
	}
	host, hostErr := cast.Host()
	if hostErr == nil {
		data.Host.NrCPUs, data.Host.NrCPUIDs = host.NrCPUs(), host.NrCPUIDs()
	}
	topos := bench.Topologies()
	if hostErr == nil && !containsTopology(topos, host) {
		topos = append(topos, host)
	}
	var err error
	if data.Memory, err = bench.Memory(topos); err != nil {
		return c.fail(stderr, err)
	}
	timings, err := bench.RunTimings(bench.TimingTopologies, o.count, func(cs bench.Case, run int) {
		if cs.Fn == bench.Fns[0] && cs.Design == bench.Fixed {
			fmt.Fprintf(stderr, "bpfbitmap report: timing %d cases on %v, run %d of %d\n",
				2*len(bench.Fns), cs.Topology, run+1, o.count)
		}
	})
	if err != nil {
		return c.fail(stderr, err)
	}
	data.Timings = bench.Pairs(timings)
	data.Summary = summarize(&data, host, hostErr == nil)

	files, err := writeReport(o.out, &data)
	if err != nil {
		return c.fail(stderr, err)
	}
	data.Files = files
	if o.json {
		err = writeJSON(stdout, data)
	} else {
		for _, f := range files {
			if _, err = fmt.Fprintf(stdout, "wrote %s\n", f); err != nil {
				break
			}
		}
	}
	if err != nil {
		return c.fail(stderr, err)
	}
	return exitOK
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

// writeReport writes the charts and design.md under dir and returns the
// paths written. design.md is written last, so that its links never point
// at charts that failed.
func writeReport(dir string, d *reportJSON) ([]string, error) {
	if err := os.MkdirAll(filepath.Join(dir, "img"), 0o755); err != nil {
		return nil, err
	}
	charts := map[string]func() ([]byte, error){
		"img/memory-nr_cpus-8192.svg": func() ([]byte, error) { return bench.MemoryChart(d.Memory, 8192) },
		"img/memory-nr_cpus-256.svg":  func() ([]byte, error) { return bench.MemoryChart(d.Memory, 256) },
	}
	for _, t := range bench.TimingTopologies {
		charts[timeChartFile(t)] = func() ([]byte, error) { return bench.TimeChart(d.Timings, t.NrCPUIDs(), t.NrCPUs()) }
	}
	// Build design.md first: a file without its markers fails before
	// anything is written.
	path := filepath.Join(dir, designFile)
	old, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		old = []byte(designSkeleton())
	case err != nil:
		return nil, err
	}
	doc, err := replaceSections(string(old), reportSections(d))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var files []string
	for _, name := range chartFiles() {
		svg, err := charts[name]()
		if err != nil {
			return files, err
		}
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.WriteFile(p, svg, 0o644); err != nil {
			return files, err
		}
		files = append(files, p)
	}
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		return files, err
	}
	return append(files, path), nil
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
