package bench

import (
	"errors"
	"flag"
	"fmt"
	"math"
	"sync"
	"testing"

	"github.com/bpfbitmap/prototype/cast"
	"github.com/bpfbitmap/prototype/internal/stats"
)

// Timing is the measured cost of one Case: the median over the runs.
type Timing struct {
	Fn          string  `json:"fn"`
	Design      Design  `json:"design"`
	NrCPUIDs    int     `json:"nr_cpu_ids"`
	NrCPUs      int     `json:"nr_cpus"`
	NsPerOp     float64 `json:"ns_per_op"`
	AllocsPerOp int64   `json:"allocs_per_op"`
	BytesPerOp  int64   `json:"bytes_per_op"`
	// Runs holds ns/op of every run, in the order they ran.
	Runs []float64 `json:"runs"`
}

// benchMu serialises SetBenchtime and RunTimings: testing.Benchmark reads a
// process-wide setting.
var benchMu sync.Mutex

// ErrBenchtime reports a -benchtime value the testing package rejects.
var ErrBenchtime = errors.New("bench: invalid benchtime")

// SetBenchtime sets how long testing.Benchmark runs each benchmark ("50ms",
// or "100x" for a fixed count), as go test's -benchtime does, and returns a
// function that restores the previous value. The setting is process-wide
// (testing keeps it in its -test.benchtime flag, which SetBenchtime
// registers with testing.Init if needed).
func SetBenchtime(d string) (restore func(), err error) {
	benchMu.Lock()
	defer benchMu.Unlock()
	testing.Init()
	f := flag.Lookup("test.benchtime")
	if f == nil {
		return nil, fmt.Errorf("%w: no test.benchtime flag", ErrBenchtime)
	}
	old := f.Value.String()
	if err := f.Value.Set(d); err != nil {
		return nil, fmt.Errorf("%w %q: %v", ErrBenchtime, d, err)
	}
	return func() {
		benchMu.Lock()
		defer benchMu.Unlock()
		_ = f.Value.Set(old) // it was accepted before
	}, nil
}

// RunTimings runs every Case and ArenaCase of every topology count times with
// testing.Benchmark, interleaving the runs (all cases once, then all again)
// so that slow phases of a noisy machine hit both designs alike, and
// returns the median of each. progress, if not nil, is called before each
// run with the case and the run's index. Cases report allocations; a case
// that makes b fail gives an error.
func RunTimings(topologies []cast.Topology, count int, progress func(c Case, run int)) ([]Timing, error) {
	count = max(count, 1)
	var cases []Case
	for _, t := range topologies {
		for _, make := range []func(cast.Topology) ([]Case, func(), error){Cases, ArenaCases} {
			cs, release, err := make(t)
			if err != nil {
				return nil, err
			}
			defer release()
			cases = append(cases, cs...)
		}
	}
	benchMu.Lock()
	defer benchMu.Unlock()
	out := make([]Timing, len(cases))
	for i, c := range cases {
		out[i] = Timing{Fn: c.Fn, Design: c.Design, NrCPUIDs: c.Topology.NrCPUIDs(), NrCPUs: c.Topology.NrCPUs()}
	}
	for run := range count {
		for i, c := range cases {
			if progress != nil {
				progress(c, run)
			}
			r := testing.Benchmark(c.Bench)
			if r.N == 0 {
				return nil, fmt.Errorf("bench: %s failed", c.Name())
			}
			out[i].Runs = append(out[i].Runs, float64(r.T.Nanoseconds())/float64(r.N))
			out[i].AllocsPerOp = max(out[i].AllocsPerOp, r.AllocsPerOp())
			out[i].BytesPerOp = max(out[i].BytesPerOp, r.AllocedBytesPerOp())
		}
	}
	for i := range out {
		out[i].NsPerOp = stats.Median(out[i].Runs)
	}
	return out, nil
}

// Pair is one Fn on one topology in both designs.
type Pair struct {
	Fn       string `json:"fn"`
	NrCPUIDs int    `json:"nr_cpu_ids"`
	NrCPUs   int    `json:"nr_cpus"`
	Fixed    Timing `json:"fixed"`
	Generic  Timing `json:"generic"`
}

// Ratio returns generic ns/op over fixed ns/op; NaN if fixed is 0.
func (p Pair) Ratio() float64 {
	if p.Fixed.NsPerOp == 0 {
		return math.NaN()
	}
	return p.Generic.NsPerOp / p.Fixed.NsPerOp
}

// Pairs matches the timings of the two designs by Fn and topology, in the
// order of ts. Timings without a partner are left out.
func Pairs(ts []Timing) []Pair {
	type key struct {
		fn    string
		n, nr int
	}
	generic := map[key]Timing{}
	for _, t := range ts {
		if t.Design == Generic {
			generic[key{t.Fn, t.NrCPUIDs, t.NrCPUs}] = t
		}
	}
	var out []Pair
	for _, t := range ts {
		if t.Design != Fixed {
			continue
		}
		if g, ok := generic[key{t.Fn, t.NrCPUIDs, t.NrCPUs}]; ok {
			out = append(out, Pair{Fn: t.Fn, NrCPUIDs: t.NrCPUIDs, NrCPUs: t.NrCPUs, Fixed: t, Generic: g})
		}
	}
	return out
}

// GeomeanRatio returns the geometric mean of Ratio over the pairs keep
// accepts, and how many there were; NaN for none.
func GeomeanRatio(ps []Pair, keep func(Pair) bool) (float64, int) {
	var sum float64
	n := 0
	for _, p := range ps {
		if keep != nil && !keep(p) {
			continue
		}
		r := p.Ratio()
		if math.IsNaN(r) || r <= 0 {
			continue
		}
		sum += math.Log(r)
		n++
	}
	if n == 0 {
		return math.NaN(), 0
	}
	return math.Exp(sum / float64(n)), n
}
