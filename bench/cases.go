package bench

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/bpfbitmap/prototype/bpfbitmap"
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

// Fns are the operations timed for both designs, in report order: the 23
// cpumask kfuncs (design=generic calls them on the view
// kfuncs.BitmapCastToCpumask returned), then "cast" (BitmapCastToCpumask;
// for design=fixed the free BPFCpumask.Cpumask conversion), "create+release"
// and "acquire+release" of one object.
var Fns = []string{
	"first", "first_zero", "first_and",
	"set_cpu", "clear_cpu", "test_cpu", "test_and_set_cpu", "test_and_clear_cpu",
	"setall", "clear", "and", "or", "xor",
	"equal", "intersects", "subset", "empty", "full",
	"copy", "any_distribute", "any_and_distribute", "weight", "populate",
	FnCast, FnCreateRelease, FnAcquireRelease,
}

// Names of the Fns that are not cpumask kfuncs.
const (
	FnCast           = "cast"
	FnCreateRelease  = "create+release"
	FnAcquireRelease = "acquire+release"
)

// IsCpumaskKfunc reports whether fn is one of the 23 cpumask kfuncs both
// designs share (every Fn except the cast and the object's life).
func IsCpumaskKfunc(fn string) bool {
	return fn != FnCast && fn != FnCreateRelease && fn != FnAcquireRelease
}

// Case is one benchmark: one operation of one design on one topology.
type Case struct {
	Fn       string
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

// Sinks keep results alive beyond what b.Loop does.
var (
	sinkU32  uint32
	sinkBool bool
	sinkI32  int32
	sinkPtr  any
)

// Cases returns the benchmarks of every Fn for both designs on a new
// simulated kernel of topology t, fixed and generic of each Fn next to each
// other, and a function that releases the objects they use. The masks are
// populated from a fixed-seed random source, so every run sees the same
// inputs. It fails only if the kernel or an object cannot be created.
func Cases(t cast.Topology) (cases []Case, release func(), err error) {
	k, err := cast.NewKernel(t)
	if err != nil {
		return nil, nil, fmt.Errorf("bench: kernel %v: %w", t, err)
	}
	n := t.NrCPUIDs()
	src := Source(n)
	var rels []func()
	release = func() {
		for i := len(rels) - 1; i >= 0; i-- {
			rels[i]()
		}
	}
	fixed, err := newFixture(k, src, &rels, func() (*kfuncs.BPFCpumask, *kfuncs.BPFCpumask, func()) {
		m := kfuncs.CpumaskCreate(k)
		if m == nil {
			return nil, nil, nil
		}
		return m, m, func() { kfuncs.CpumaskRelease(m) }
	})
	if err != nil {
		release()
		return nil, nil, err
	}
	generic, err := newFixture(k, src, &rels, func() (*cast.OwnedCpumask, *bpfbitmap.Bitmap, func()) {
		b := kfuncs.BitmapCreate(k, int32(n))
		m := kfuncs.BitmapCastToCpumask(b) // nil for a nil b
		if m == nil {
			kfuncs.BitmapRelease(b)
			return nil, nil, nil
		}
		return m, b, func() { kfuncs.BitmapRelease(b) }
	})
	if err != nil {
		release()
		return nil, nil, err
	}
	fb := cpumaskBenches(fixed)
	gb := cpumaskBenches(generic)
	fb[FnCast], gb[FnCast] = castBenches(k, n)
	fb[FnCreateRelease], gb[FnCreateRelease] = createReleaseBenches(k, n)
	fb[FnAcquireRelease], gb[FnAcquireRelease] = acquireReleaseBenches(fixed, generic)
	for _, fn := range Fns {
		cases = append(cases,
			Case{Fn: fn, Design: Fixed, Topology: t, Bench: fb[fn]},
			Case{Fn: fn, Design: Generic, Topology: t, Bench: gb[fn]})
	}
	return cases, release, nil
}

// Source returns the populate source the benchmarks use for nr_cpu_ids n:
// BITS_TO_LONGS(n) little-endian words from a fixed-seed generator, bits at
// or above n included (populate copies whole words).
func Source(n int) []byte {
	rng := rand.New(rand.NewPCG(1, 2))
	src := make([]byte, 8*((n+63)/64))
	for i := 0; i+8 <= len(src); i += 8 {
		binary.LittleEndian.PutUint64(src[i:], rng.Uint64())
	}
	return src
}

// fixture is the objects one design's benchmarks work on: dst and a hold
// the source pattern, b is empty. obj is the object behind a (the
// *kfuncs.BPFCpumask or the *bpfbitmap.Bitmap), for acquire+release.
type fixture[M kfuncs.BPFOwned, O any] struct {
	dst, a, b    M
	dstR, aR, bR *cast.Cpumask
	src          []byte
	obj          O
}

func newFixture[M kfuncs.BPFOwned, O any](k *cast.Kernel, src []byte, rels *[]func(), create func() (M, O, func())) (*fixture[M, O], error) {
	f := &fixture[M, O]{src: src}
	for i, p := range []*M{&f.a, &f.dst, &f.b} {
		m, obj, rel := create()
		if rel == nil {
			return nil, fmt.Errorf("bench: create on %v: %w", k.Topology(), ErrNoAlloc)
		}
		*rels = append(*rels, rel)
		*p = m
		if i == 0 {
			f.obj = obj
		}
	}
	f.dstR, f.aR, f.bR = view(f.dst), view(f.a), view(f.b)
	if kfuncs.CpumaskPopulate(f.a, src) != 0 || kfuncs.CpumaskPopulate(f.dst, src) != 0 {
		return nil, fmt.Errorf("bench: populate on %v failed", k.Topology())
	}
	return f, nil
}

// view converts either BPF-owned type to the read-only view.
func view[M kfuncs.BPFOwned](m M) *cast.Cpumask {
	switch m := any(m).(type) {
	case *kfuncs.BPFCpumask:
		return m.Cpumask()
	case *cast.OwnedCpumask:
		return m.Cpumask()
	}
	return nil
}

// cpumaskBenches returns the benchmark of every cpumask kfunc on f's masks.
func cpumaskBenches[M kfuncs.BPFOwned, O any](f *fixture[M, O]) map[string]func(*testing.B) {
	const cpu = uint32(1)
	dst, dstR, aR, bR, src := f.dst, f.dstR, f.aR, f.bR, f.src
	return map[string]func(*testing.B){
		"first": func(b *testing.B) {
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				sinkU32 = kfuncs.CpumaskFirst(bR) // empty: scans all S bits
			}
		},
		"first_zero": func(b *testing.B) {
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				sinkU32 = kfuncs.CpumaskFirstZero(aR)
			}
		},
		"first_and": func(b *testing.B) {
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				sinkU32 = kfuncs.CpumaskFirstAnd(aR, bR)
			}
		},
		"set_cpu": func(b *testing.B) {
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				kfuncs.CpumaskSetCpu(cpu, dst)
			}
		},
		"clear_cpu": func(b *testing.B) {
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				kfuncs.CpumaskClearCpu(cpu, dst)
			}
		},
		"test_cpu": func(b *testing.B) {
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				sinkBool = kfuncs.CpumaskTestCpu(cpu, aR)
			}
		},
		"test_and_set_cpu": func(b *testing.B) {
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				sinkBool = kfuncs.CpumaskTestAndSetCpu(cpu, dst)
			}
		},
		"test_and_clear_cpu": func(b *testing.B) {
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				sinkBool = kfuncs.CpumaskTestAndClearCpu(cpu, dst)
			}
		},
		"setall": func(b *testing.B) {
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				kfuncs.CpumaskSetall(dst)
			}
		},
		"clear": func(b *testing.B) {
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				kfuncs.CpumaskClear(dst)
			}
		},
		"and": func(b *testing.B) {
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				sinkBool = kfuncs.CpumaskAnd(dst, aR, bR)
			}
		},
		"or": func(b *testing.B) {
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				kfuncs.CpumaskOr(dst, aR, bR)
			}
		},
		"xor": func(b *testing.B) {
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				kfuncs.CpumaskXor(dst, aR, bR)
			}
		},
		"equal": func(b *testing.B) {
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				sinkBool = kfuncs.CpumaskEqual(aR, aR) // equal: compares every word
			}
		},
		"intersects": func(b *testing.B) {
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				sinkBool = kfuncs.CpumaskIntersects(aR, bR)
			}
		},
		"subset": func(b *testing.B) {
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				sinkBool = kfuncs.CpumaskSubset(bR, aR)
			}
		},
		"empty": func(b *testing.B) {
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				sinkBool = kfuncs.CpumaskEmpty(bR)
			}
		},
		"full": func(b *testing.B) {
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				sinkBool = kfuncs.CpumaskFull(dstR)
			}
		},
		"copy": func(b *testing.B) {
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				kfuncs.CpumaskCopy(dst, aR)
			}
		},
		"any_distribute": func(b *testing.B) {
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				sinkU32 = kfuncs.CpumaskAnyDistribute(aR)
			}
		},
		"any_and_distribute": func(b *testing.B) {
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				sinkU32 = kfuncs.CpumaskAnyAndDistribute(aR, aR)
			}
		},
		"weight": func(b *testing.B) {
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				sinkU32 = kfuncs.CpumaskWeight(aR)
			}
		},
		"populate": func(b *testing.B) {
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				sinkI32 = kfuncs.CpumaskPopulate(dst, src)
			}
		},
	}
}

// castBenches returns the cast of each design: the free one-way conversion
// of a BPFCpumask, and the checked BitmapCastToCpumask of an nr_cpu_ids-bit
// bitmap.
func castBenches(k *cast.Kernel, n int) (fixed, generic func(*testing.B)) {
	fixed = func(b *testing.B) {
		m := kfuncs.CpumaskCreate(k)
		defer kfuncs.CpumaskRelease(m)
		b.ReportAllocs()
		var r *cast.Cpumask
		b.ResetTimer()
		for range b.N {
			r = m.Cpumask()
		}
		sinkPtr = r
	}
	generic = func(b *testing.B) {
		bm := kfuncs.BitmapCreate(k, int32(n))
		defer kfuncs.BitmapRelease(bm)
		b.ReportAllocs()
		var m *cast.OwnedCpumask
		b.ResetTimer()
		for range b.N {
			m = kfuncs.BitmapCastToCpumask(bm)
		}
		sinkPtr = m
	}
	return fixed, generic
}

// createReleaseBenches returns one object's life in each design: create and
// release, the memory waiting for a grace period as in the kernel.
func createReleaseBenches(k *cast.Kernel, n int) (fixed, generic func(*testing.B)) {
	fixed = func(b *testing.B) {
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			kfuncs.CpumaskRelease(kfuncs.CpumaskCreate(k))
		}
	}
	generic = func(b *testing.B) {
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			kfuncs.BitmapRelease(kfuncs.BitmapCreate(k, int32(n)))
		}
	}
	return fixed, generic
}

// acquireReleaseBenches returns a reference taken and dropped on an object
// that stays alive (bpf_cpumask_acquire/release, bpf_bitmap_acquire/release).
func acquireReleaseBenches(f *fixture[*kfuncs.BPFCpumask, *kfuncs.BPFCpumask], g *fixture[*cast.OwnedCpumask, *bpfbitmap.Bitmap]) (fixed, generic func(*testing.B)) {
	m, bm := f.obj, g.obj
	fixed = func(b *testing.B) {
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			kfuncs.CpumaskRelease(kfuncs.CpumaskAcquire(m))
		}
	}
	generic = func(b *testing.B) {
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			kfuncs.BitmapRelease(kfuncs.BitmapAcquire(bm))
		}
	}
	return fixed, generic
}
