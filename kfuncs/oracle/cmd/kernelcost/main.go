// Command kernelcost measures the live kernel's bpf_cpumask kfuncs and
// writes docs/kernel-cost.md.
//
// Usage:
//
//	go run ./kfuncs/oracle/cmd/kernelcost [-o docs/kernel-cost.md] [-model model.json]
//
// -model names a JSON object mapping kernel kfunc names to the Go model's
// ns per call; those fill the doc's model column.
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

	"github.com/bpfbitmap/prototype/kfuncs/oracle"
)

const exitOK, exitFail, exitUsage = 0, 1, 2

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("kernelcost", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "docs/kernel-cost.md", "output file (- for stdout)")
	modelPath := fs.String("model", "", "JSON map of kfunc name to Go model ns/call")
	iters := fs.Int("n", 100_000, "kfunc calls per program run")
	pairIters := fs.Int("pair", 32, "create+release pairs per program run")
	runs := fs.Int("runs", 30, "program runs per kfunc (the fastest counts)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}

	var model map[string]float64
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

	var doc bytes.Buffer
	report := oracle.CostReport{Topology: o.Topology(), Kernel: kernelRelease(), CPU: cpuModel(), Costs: costs}
	if err := oracle.RenderCostDoc(&doc, report, model); err != nil {
		fmt.Fprintf(stderr, "kernelcost: %v\n", err)
		return exitFail
	}
	if *out == "-" {
		_, err = stdout.Write(doc.Bytes())
	} else {
		err = os.WriteFile(*out, doc.Bytes(), 0o644)
	}
	if err != nil {
		fmt.Fprintf(stderr, "kernelcost: %v\n", err)
		return exitFail
	}
	for _, c := range costs {
		fmt.Fprintf(stdout, "%-45s %6.1f ns/call\n", c.Name, c.NsPerCall)
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
