package main

import (
	"fmt"
	"testing"

	"github.com/bpfbitmap/prototype/bench"
	"github.com/bpfbitmap/prototype/cast"
	"github.com/bpfbitmap/prototype/kfuncs/oracle"
)

// kernelName maps a benchmark case to the name of the kernel's cost row
// (oracle.Cost.Name) it is compared with: a cpumask kfunc's case by the
// kernel name of its table row; false for operations the kernel side does
// not measure. The cast has no kernel row but goes into the summary under
// castToCpumask.
func kernelName(c bench.Case) (string, bool) {
	switch {
	case bench.IsCpumaskKfunc(c.Fn):
		return c.Kernel, true
	case c.Fn == bench.FnCreateRelease:
		return oracle.CreateRelease, true
	case c.Fn == bench.FnCast:
		return castToCpumask, true
	}
	return "", false
}

// measureModel times the Go model on topology t in both designs with the
// benchmark bodies of bench.Cases (the project's one table of per-kfunc
// model benchmarks: masks built before the loop, results kept in sinks).
// Each body runs runs times under testing.Benchmark at benchtime ("100ms",
// "200x"), all cases once and then again, on a thread pinned to CPU 0 as
// the kernel's measurement is; the fastest run counts, as in the kernel's.
// The result is keyed by kernel name (kernelName).
func measureModel(t cast.Topology, benchtime string, runs int) (map[string]modelCost, error) {
	restore, err := bench.SetBenchtime(benchtime)
	if err != nil {
		return nil, err
	}
	defer restore()
	cases, release, err := bench.Cases(t)
	if err != nil {
		return nil, err
	}
	defer release()
	out := map[string]modelCost{}
	for range max(runs, 1) {
		for _, c := range cases {
			name, ok := kernelName(c)
			if !ok {
				continue
			}
			r := testing.Benchmark(pinned(c.Bench))
			if r.N == 0 {
				return nil, fmt.Errorf("model: %s failed", c.Name())
			}
			ns := float64(r.T.Nanoseconds()) / float64(r.N)
			m := out[name]
			switch c.Design {
			case bench.Fixed:
				m.Fixed = fastest(m.Fixed, ns)
			case bench.Generic:
				m.Generic = fastest(m.Generic, ns)
			}
			out[name] = m
		}
	}
	return out, nil
}

// fastest is the smaller of a previous best (0: none yet) and ns.
func fastest(best, ns float64) float64 {
	if best == 0 {
		return ns
	}
	return min(best, ns)
}

// pinned runs f on a thread pinned to CPU 0 where that is possible.
// testing.Benchmark starts a goroutine per run, so the pin goes inside the
// body; b.Loop's first call resets the timer, so the pinning is not timed.
func pinned(f func(*testing.B)) func(*testing.B) {
	return func(b *testing.B) {
		if unlock, err := oracle.LockToCPU(0); err == nil {
			defer unlock()
		}
		f(b)
	}
}

// modelMethod describes measureModel's setup for the doc.
func modelMethod(t cast.Topology, benchtime string, runs int) string {
	return fmt.Sprintf(`Go model: the same kfuncs on a simulated cast.Kernel of the kernel's topology (%v),
in both designs: fixed calls them on a kfuncs.BPFCpumask (CpumaskCreate), generic on the view
kfuncs.BitmapCastToCpumask returned for an nr_cpu_ids-bit bpfbitmap.Bitmap (BitmapCreate). The
bodies are package bench's (bench.Cases), run with testing.Benchmark at benchtime %s on a thread
pinned to CPU 0; each is the fastest of %d runs. Their inputs are bench's, not the kernel program's:
the source mask is populated from a fixed-seed random source, the second mask is empty and the cpu
argument is 1; on this topology the queries read the same %s either way. Ratios are model/kernel.`,
		t, benchtime, max(runs, 1), plural((t.SmallCpumaskBits()+63)/64, "word"))
}

// plural is "1 word", "4 words".
func plural(n int, what string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, what)
	}
	return fmt.Sprintf("%d %ss", n, what)
}
