package bench

import (
	"fmt"
	"strings"
	"testing"

	"github.com/bpfbitmap/prototype/cast"
	"github.com/bpfbitmap/prototype/kfuncs"
)

// TimingTopologies are the topologies the kfunc timings run on: nr_cpu_ids 2
// on NR_CPUS=256 (this project's test kernels, where copy and clear touch 256
// bits and the cast checks the backing), and 64 and 1024 CPUs on an
// NR_CPUS=8192 distro kernel, where every width is nr_cpu_ids.
var TimingTopologies = []cast.Topology{
	cast.MustTopology(2, 256),
	cast.MustTopology(64, 8192),
	cast.MustTopology(1024, 8192),
}

// Fns are the operations timed for both designs, in report order: the
// cpumask kfuncs of kfuncs.Kfuncs in table order, each by its kernel name
// less "bpf_cpumask_" (design=generic calls them on the view
// kfuncs.BitmapCastToCpumask returned), then "cast" (BitmapCastToCpumask;
// for design=fixed the free BPFCpumask.Cpumask conversion), "create+release"
// and "acquire+release" of one object.
var Fns = fnsOf(kfuncs.Kfuncs)

// Names of the Fns that are not cpumask kfuncs.
const (
	FnCast           = "cast"
	FnCreateRelease  = "create+release"
	FnAcquireRelease = "acquire+release"
)

// cpumaskPrefix is what Fn names drop from the kernel names of the cpumask
// kfuncs.
const cpumaskPrefix = "bpf_cpumask_"

// IsCpumaskRow reports whether row is a cpumask kfunc both designs run: a
// kfunc of DesignShared that takes a struct cpumask or struct bpf_cpumask
// (Kfunc.TakesCpumask) and has a Call.
func IsCpumaskRow(row kfuncs.Kfunc) bool {
	return row.Design == kfuncs.DesignShared && row.Kind == kfuncs.KindKfunc && row.Call != nil && row.TakesCpumask()
}

func fnsOf(table kfuncs.Table) []string {
	var fns []string
	for _, row := range table {
		if IsCpumaskRow(row) {
			fns = append(fns, strings.TrimPrefix(row.Kernel, cpumaskPrefix))
		}
	}
	return append(fns, FnCast, FnCreateRelease, FnAcquireRelease)
}

// IsCpumaskKfunc reports whether fn is one of the cpumask kfuncs both
// designs share (every Fn except the cast and the object's life).
func IsCpumaskKfunc(fn string) bool {
	return fn != FnCast && fn != FnCreateRelease && fn != FnAcquireRelease
}

// Case is one benchmark: one operation of one design on one topology.
type Case struct {
	Fn string
	// Kernel is the kernel name of the row Fn's body comes from, for
	// design=generic of the cast and the object's life the proposal's row;
	// empty for design=fixed of the cast, which calls no kfunc.
	Kernel   string
	Design   Design
	Topology cast.Topology
	// Bench is the benchmark body. It reports allocations and runs under go
	// test (b.Run(c.Name(), c.Bench)) and testing.Benchmark alike. It loops
	// b.N times, writing each result to a package sink, rather than with
	// b.Loop: in these closures b.Loop compiled to a call per iteration,
	// which timed the fixed design's free pointer conversion at 2.7 ns
	// instead of 1.2 ns and so hid most of what the cast costs.
	Bench func(b *testing.B)
}

// Name returns "fn=FN/design=DESIGN/cpus=N", the sub-benchmark name
// benchstat groups by (-col /design).
func (c Case) Name() string {
	return fmt.Sprintf("fn=%s/design=%s/cpus=%d", c.Fn, c.Design, c.Topology.NrCPUIDs())
}

// sinkPtr keeps the fixed design's cast alive, as Args.Owned does the
// generic one's.
var sinkPtr *cast.Cpumask

// Cases returns the benchmarks of every Fn for both designs on a new
// simulated kernel of topology t, fixed and generic of each Fn next to each
// other, and a function that releases the objects they use. Every body but
// the fixed design's cast is a row's Call of kfuncs.Kfuncs, on the
// arguments kfuncs.NewArgs makes from Source, so every run sees the same
// inputs. It fails only if the kernel or an object cannot be created.
func Cases(t cast.Topology) (cases []Case, release func(), err error) {
	return casesOf(kfuncs.Kfuncs, t)
}

func casesOf(table kfuncs.Table, t cast.Topology) (cases []Case, release func(), err error) {
	k, err := cast.NewKernel(t)
	if err != nil {
		return nil, nil, fmt.Errorf("bench: kernel %v: %w", t, err)
	}
	src := Source(t.NrCPUIDs())
	fixed, err := kfuncs.NewArgs(k, kfuncs.DesignMerged, src)
	if err != nil {
		return nil, nil, fmt.Errorf("bench: %w: %w", ErrNoAlloc, err)
	}
	generic, err := kfuncs.NewArgs(k, kfuncs.DesignProposed, src)
	if err != nil {
		fixed.Release()
		return nil, nil, fmt.Errorf("bench: %w: %w", ErrNoAlloc, err)
	}
	release = func() {
		generic.Release()
		fixed.Release()
	}
	add := func(fn, fixedKernel, genericKernel string, fixedBody func(*testing.B)) error {
		for _, d := range []struct {
			design Design
			kernel string
			args   *kfuncs.Args
		}{{Fixed, fixedKernel, fixed}, {Generic, genericKernel, generic}} {
			c := Case{Fn: fn, Design: d.design, Topology: t, Kernel: d.kernel, Bench: fixedBody}
			if d.design == Generic || fixedBody == nil {
				row, ok := table.Lookup(d.kernel)
				if !ok || row.Call == nil {
					return fmt.Errorf("bench: %s: no Call for %q in the table", fn, d.kernel)
				}
				c.Bench = callBench(row.Call, d.args)
			}
			cases = append(cases, c)
		}
		return nil
	}
	for _, row := range table {
		if IsCpumaskRow(row) {
			err = add(strings.TrimPrefix(row.Kernel, cpumaskPrefix), row.Kernel, row.Kernel, nil)
		}
		if err != nil {
			release()
			return nil, nil, err
		}
	}
	for _, c := range []struct{ fn, fixed, generic string }{
		{FnCast, "", "bpf_bitmap_cast_to_cpumask"},
		{FnCreateRelease, "bpf_cpumask_create", "bpf_bitmap_create"},
		{FnAcquireRelease, "bpf_cpumask_acquire", "bpf_bitmap_acquire"},
	} {
		var own func(*testing.B)
		if c.fixed == "" {
			own = fixedCast(fixed.Cpumask)
		}
		if err := add(c.fn, c.fixed, c.generic, own); err != nil {
			release()
			return nil, nil, err
		}
	}
	return cases, release, nil
}

// callBench runs a row's Call b.N times in one call, so that the kfunc
// inlines into the body's loop.
func callBench(call func(*kfuncs.Args, int), a *kfuncs.Args) func(*testing.B) {
	return func(b *testing.B) {
		b.ReportAllocs()
		b.ResetTimer()
		call(a, b.N)
	}
}

// fixedCast is the merged design's side of the cast: the free one-way
// conversion of a BPFCpumask, which no kfunc does.
func fixedCast(m *kfuncs.BPFCpumask) func(*testing.B) {
	return func(b *testing.B) {
		b.ReportAllocs()
		var r *cast.Cpumask
		b.ResetTimer()
		for range b.N {
			r = m.Cpumask()
		}
		sinkPtr = r
	}
}

// Source returns the populate source the benchmarks use for nr_cpu_ids n,
// kfuncs.ArgsSource: BITS_TO_LONGS(n) little-endian words from a fixed-seed
// generator, bits at or above n included (populate copies whole words).
func Source(n int) []byte { return kfuncs.ArgsSource(n) }
