// Command kernelcost measures the live kernel's bpf_cpumask kfuncs and the
// Go model's same kfuncs in both designs on the kernel's topology, and
// writes docs/kernel-cost.md.
//
// Usage:
//
//	go run ./cmd/kernelcost [-o docs/kernel-cost.md] [-benchtime 100ms] [-count 5] [-model model.json]
//
// The model is measured with testing.Benchmark on the benchmark bodies of
// package bench (-benchtime per run, the fastest of -count runs). -model
// names a JSON object mapping kernel kfunc names to {"fixed": ns,
// "generic": ns} to use instead of measuring.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/bpfbitmap/prototype/cast"
	"github.com/bpfbitmap/prototype/internal/atomicfile"
	"github.com/bpfbitmap/prototype/kfuncs/oracle"
)

const exitOK, exitFail, exitUsage = 0, 1, 2

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("kernelcost", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "docs/kernel-cost.md", "output file (- for stdout)")
	modelPath := fs.String("model", "", `JSON map of kfunc name to {"fixed": ns, "generic": ns}, instead of measuring the Go model`)
	benchtime := fs.String("benchtime", "100ms", "Go model: testing.Benchmark time per run (or Nx)")
	count := fs.Int("count", 5, "Go model: runs per kfunc and design (the fastest counts)")
	iters := fs.Int("n", 100_000, "kfunc calls per program run")
	pairIters := fs.Int("pair", 32, "create+release pairs per program run")
	runs := fs.Int("runs", 30, "program runs per kfunc (the fastest counts)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}

	var model map[string]modelCost
	if *modelPath != "" {
		b, err := os.ReadFile(*modelPath)
		if err == nil {
			err = json.Unmarshal(b, &model)
		}
		if err != nil {
			fmt.Fprintf(stderr, "kernelcost: model: %v\n", err)
			return exitUsage
		}
	}

	o, err := oracle.Open()
	if err != nil {
		fmt.Fprintf(stderr, "kernelcost: %v\n", err)
		return exitFail
	}
	defer o.Close()
	costs, err := o.MeasureAll(*iters, *pairIters, *runs)
	if err != nil {
		fmt.Fprintf(stderr, "kernelcost: %v\n", err)
		return exitFail
	}

	report := costReport{Topology: o.Topology(), Kernel: kernelRelease(), CPU: cpuModel(), Costs: costs}
	if model == nil {
		kt := o.Topology()
		t, err := cast.NewTopology(kt.NrCPUIDs, kt.NrCPUs)
		if err != nil {
			fmt.Fprintf(stderr, "kernelcost: model topology: %v\n", err)
			return exitFail
		}
		if host, err := cast.Host(); err == nil && (host.NrCPUIDs() != t.NrCPUIDs() || host.NrCPUs() != t.NrCPUs()) {
			fmt.Fprintf(stderr, "kernelcost: warning: cast.Host() is %v, the kernel's BTF and cpulist say %v; using the kernel's\n", host, t)
		}
		if model, err = measureModel(t, *benchtime, *count); err != nil {
			fmt.Fprintf(stderr, "kernelcost: %v\n", err)
			return exitFail
		}
		report.ModelMethod = modelMethod(t, *benchtime, *count)
	} else {
		report.ModelMethod = fmt.Sprintf("Go model: numbers read from %s. Ratios are model/kernel.", *modelPath)
	}

	var doc bytes.Buffer
	if err := renderCostDoc(&doc, report, model); err != nil {
		fmt.Fprintf(stderr, "kernelcost: %v\n", err)
		return exitFail
	}
	if *out == "-" {
		_, err = stdout.Write(doc.Bytes())
	} else {
		err = atomicfile.WriteFile(*out, doc.Bytes())
	}
	if err != nil {
		fmt.Fprintf(stderr, "kernelcost: %v\n", err)
		return exitFail
	}
	fmt.Fprintf(stdout, "%-45s %8s %8s %8s\n", "ns/call", "kernel", "fixed", "generic")
	for _, c := range costs {
		m := model[c.Name]
		fmt.Fprintf(stdout, "%-45s %8.1f %8.1f %8.1f\n", c.Name, c.NsPerCall, m.Fixed, m.Generic)
	}
	return exitOK
}

func kernelRelease() string {
	b, err := os.ReadFile("/proc/sys/kernel/osrelease")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if k, v, ok := strings.Cut(s.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
