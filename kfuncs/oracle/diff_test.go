package oracle

import (
	"fmt"
	"slices"
	"testing"

	"github.com/bpfbitmap/prototype/cast"
	"github.com/bpfbitmap/prototype/kfuncs"
	"github.com/stretchr/testify/require"
)

// Differential tests: the live kernel against the prototype's two designs,
// kfuncs.BPFCpumask (merged) and a bpf_bitmap cast to a cpumask (proposed),
// each on a cast.Kernel with the host's topology. What is compared is what
// a BPF program can observe: return values and mask bits below nr_cpu_ids.
// Storage above nr_cpu_ids is compared too but only tallied, since the
// kernel's tails are an implementation detail (docs/design-overrun.md).

// designMask is one live mask of a design: its mutable handle for the
// generic mutators, its read-only view, and how to drop it.
type designMask[M kfuncs.BPFOwned] struct {
	m       M
	view    *cast.Cpumask
	release func()
}

// design is one of the prototype's two ways to get a mutable cpumask.
type design[M kfuncs.BPFOwned] struct {
	name   string
	k      *cast.Kernel
	create func(k *cast.Kernel) (designMask[M], bool)
}

func mergedDesign(k *cast.Kernel) design[*kfuncs.BPFCpumask] {
	return design[*kfuncs.BPFCpumask]{name: "merged", k: k, create: func(k *cast.Kernel) (designMask[*kfuncs.BPFCpumask], bool) {
		m := kfuncs.CpumaskCreate(k)
		if m == nil {
			return designMask[*kfuncs.BPFCpumask]{}, false
		}
		return designMask[*kfuncs.BPFCpumask]{m, m.Cpumask(), func() { kfuncs.CpumaskRelease(m) }}, true
	}}
}

func castDesign(k *cast.Kernel) design[*cast.OwnedCpumask] {
	return design[*cast.OwnedCpumask]{name: "bitmap-cast", k: k, create: func(k *cast.Kernel) (designMask[*cast.OwnedCpumask], bool) {
		b := kfuncs.BitmapCreate(k, int32(k.Topology().NrCPUIDs()))
		om := kfuncs.BitmapCastToCpumask(b)
		if om == nil {
			kfuncs.BitmapRelease(b)
			return designMask[*cast.OwnedCpumask]{}, false
		}
		return designMask[*cast.OwnedCpumask]{om, om.Cpumask(), func() { kfuncs.BitmapRelease(b) }}, true
	}}
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// applyKfunc calls fn through package kfuncs in the kernel's argument
// order: mutable handles where the kernel takes struct bpf_cpumask *,
// views where it takes const struct cpumask *.
func applyKfunc[M kfuncs.BPFOwned](fn kfunc, cpu uint32, src []byte, ms []designMask[M]) uint64 {
	v := func(i int) *cast.Cpumask { return ms[i].view }
	switch fn {
	case "bpf_cpumask_first":
		return uint64(kfuncs.CpumaskFirst(v(0)))
	case "bpf_cpumask_first_zero":
		return uint64(kfuncs.CpumaskFirstZero(v(0)))
	case "bpf_cpumask_first_and":
		return uint64(kfuncs.CpumaskFirstAnd(v(0), v(1)))
	case "bpf_cpumask_set_cpu":
		kfuncs.CpumaskSetCpu(cpu, ms[0].m)
	case "bpf_cpumask_clear_cpu":
		kfuncs.CpumaskClearCpu(cpu, ms[0].m)
	case "bpf_cpumask_test_cpu":
		return b2u(kfuncs.CpumaskTestCpu(cpu, v(0)))
	case "bpf_cpumask_test_and_set_cpu":
		return b2u(kfuncs.CpumaskTestAndSetCpu(cpu, ms[0].m))
	case "bpf_cpumask_test_and_clear_cpu":
		return b2u(kfuncs.CpumaskTestAndClearCpu(cpu, ms[0].m))
	case "bpf_cpumask_setall":
		kfuncs.CpumaskSetall(ms[0].m)
	case "bpf_cpumask_clear":
		kfuncs.CpumaskClear(ms[0].m)
	case "bpf_cpumask_and":
		return b2u(kfuncs.CpumaskAnd(ms[0].m, v(1), v(2)))
	case "bpf_cpumask_or":
		kfuncs.CpumaskOr(ms[0].m, v(1), v(2))
	case "bpf_cpumask_xor":
		kfuncs.CpumaskXor(ms[0].m, v(1), v(2))
	case "bpf_cpumask_equal":
		return b2u(kfuncs.CpumaskEqual(v(0), v(1)))
	case "bpf_cpumask_intersects":
		return b2u(kfuncs.CpumaskIntersects(v(0), v(1)))
	case "bpf_cpumask_subset":
		return b2u(kfuncs.CpumaskSubset(v(0), v(1)))
	case "bpf_cpumask_empty":
		return b2u(kfuncs.CpumaskEmpty(v(0)))
	case "bpf_cpumask_full":
		return b2u(kfuncs.CpumaskFull(v(0)))
	case "bpf_cpumask_copy":
		kfuncs.CpumaskCopy(ms[0].m, v(1))
	case "bpf_cpumask_any_distribute":
		return uint64(kfuncs.CpumaskAnyDistribute(v(0)))
	case "bpf_cpumask_any_and_distribute":
		return uint64(kfuncs.CpumaskAnyAndDistribute(v(0), v(1)))
	case "bpf_cpumask_weight":
		return uint64(kfuncs.CpumaskWeight(v(0)))
	case "bpf_cpumask_populate":
		return uint64(uint32(kfuncs.CpumaskPopulate(ms[0].m, src)))
	default:
		panic("applyKfunc: " + fn.String())
	}
	return 0
}

// diffStats tallies comparisons for the CI count and storage agreement
// above nr_cpu_ids for the log.
type diffStats struct {
	compared             *int
	storageSame, storage int
	firstStorageDiff     string
}

func (s *diffStats) log(t testing.TB) {
	t.Logf("storage at or above nr_cpu_ids identical in %d/%d mask comparisons", s.storageSame, s.storage)
	if s.firstStorageDiff != "" {
		t.Logf("first storage difference: %s", s.firstStorageDiff)
	}
}

// compareMasks requires equal bits below nr_cpu_ids and tallies the rest.
func (s *diffStats) compareMasks(t testing.TB, tp Topology, what string, kernel, model []uint64) {
	t.Helper()
	for i := range tp.NrCPUIDs {
		require.Equal(t, bit(kernel, i), bit(model, i), "%s: bit %d; kernel %#x, model %#x", what, i, kernel, model)
	}
	*s.compared++
	s.storage++
	full := make([]uint64, len(kernel))
	copy(full, model)
	if slices.Equal(kernel, full) {
		s.storageSame++
	} else if s.firstStorageDiff == "" {
		s.firstStorageDiff = fmt.Sprintf("%s: kernel %#x, model %#x", what, kernel, model)
	}
}

// syncCursor points the design's distribute cursor just before the
// kernel's first pick, so both rotate from the same place: the kernel's
// cursor is per-CPU state shared with the scheduler and cannot be read.
func syncCursor(k *cast.Kernel, tp Topology, first uint64) {
	if first < uint64(tp.NrCPUIDs) {
		k.SetDistributeCursor(uint32((first + uint64(tp.NrCPUIDs) - 1) % uint64(tp.NrCPUIDs)))
	}
}

// diffCall runs c on the kernel and on d with fresh masks loaded by
// populate, and compares.
func diffCall[M kfuncs.BPFOwned](t testing.TB, o *Oracle, d design[M], c kcall, st *diffStats) {
	t.Helper()
	tp := o.Topology()
	kr, err := o.invoke(c)
	require.NoError(t, err)

	ms := make([]designMask[M], len(c.Masks))
	for i, w := range c.Masks {
		m, ok := d.create(d.k)
		require.True(t, ok, "%s: create", d.name)
		defer m.release()
		src := wordsToBytes(w[:min(len(w), tp.ValidWords())])
		src = append(src, make([]byte, 8*tp.ValidWords()-len(src))...)
		require.Zero(t, kfuncs.CpumaskPopulate(m.m, src), "%s: populate input %d", d.name, i)
		ms[i] = m
	}
	what := fmt.Sprintf("%s %s(cpu=%d, %#x, src=%x)", d.name, c.Kfunc, c.CPU, c.Masks, c.Src)
	if c.Kfunc == "bpf_cpumask_any_distribute" || c.Kfunc == "bpf_cpumask_any_and_distribute" {
		syncCursor(d.k, tp, kr.Rets[0])
	}
	for rep, kret := range kr.Rets {
		got := applyKfunc(c.Kfunc, c.CPU, c.Src, ms)
		require.Equal(t, retMask(c.Kfunc, kret), retMask(c.Kfunc, got), "%s: call %d", what, rep)
		*st.compared++
	}
	for i := range ms {
		st.compareMasks(t, tp, fmt.Sprintf("%s mask %d", what, i), kr.Masks[i], ms[i].view.AppendWords(nil))
	}
}

func hostKernel(t testing.TB, o *Oracle) *cast.Kernel {
	tp := o.Topology()
	host, err := cast.Host()
	require.NoError(t, err)
	require.Equal(t, tp.NrCPUIDs, host.NrCPUIDs(), "cast.Host nr_cpu_ids vs the kernel's")
	require.Equal(t, tp.NrCPUs, host.NrCPUs(), "cast.Host NR_CPUS (kernel_max+1) vs BTF's")
	require.Equal(t, tp.SmallCpumaskBits, host.SmallCpumaskBits())
	require.Equal(t, tp.LargeCpumaskBits, host.LargeCpumaskBits())
	k, err := cast.NewKernel(host)
	require.NoError(t, err)
	return k
}

// diffCases yields edge and random Calls for every kfunc, inputs limited
// to what populate can load.
func diffCases(t testing.TB, tp Topology) []kcall {
	rng := testRand(t)
	edges := edgeMasks(tp)
	var out []kcall
	for _, fn := range cpumaskKfuncs() {
		for i := range 3 * len(edges) {
			c := kcall{Kfunc: fn, Masks: make([][]uint64, fn.NumMasks())}
			for j := range c.Masks {
				w := randMask(rng, tp)
				if i < len(edges) && j == len(c.Masks)-1 {
					w = edges[i]
				} else if rng.IntN(2) == 0 {
					w = edges[rng.IntN(len(edges))]
				}
				c.Masks[j] = forLoad(w, loadPopulate, tp)
			}
			if fn.TakesCPU() {
				cpus := edgeCPUs(tp)
				c.CPU = cpus[i%len(cpus)]
				if i >= len(cpus) {
					c.CPU = uint32(rng.IntN(tp.NrCPUs + 2))
				}
			}
			if fn == "bpf_cpumask_populate" {
				// Both sides of bitmap_size(nr_cpu_ids): -EACCES below it.
				c.Src = make([]byte, 1+i%(8*tp.Words()+8))
				for b := range c.Src {
					c.Src[b] = byte(rng.Uint32())
				}
			}
			if fn == "bpf_cpumask_any_distribute" || fn == "bpf_cpumask_any_and_distribute" {
				c.Repeat = 2*tp.NrCPUIDs + 1
			}
			out = append(out, c)
		}
	}
	return out
}

// TestOracleDiffDesigns runs every cpumask kfunc over edge and random
// inputs (valid and invalid cpus, empty and full masks, populate sources
// on both sides of the -EACCES size) on the kernel and on both designs.
func TestOracleDiffDesigns(t *testing.T) {
	o := Require(t)
	n := countComparisons(t)
	unlock, err := LockToCPU(0)
	require.NoError(t, err)
	defer unlock()
	k := hostKernel(t, o)
	*n += 4
	merged, casted := mergedDesign(k), castDesign(k)
	st := &diffStats{compared: n}
	defer st.log(t)
	for _, c := range diffCases(t, o.Topology()) {
		diffCall(t, o, merged, c, st)
		diffCall(t, o, casted, c, st)
	}
}

// fuzzState is three persistent masks per side: the kernel's as full
// storage words (reloaded each call with loadCopy, which moves all of
// large_cpumask_bits), each design's as live objects.
type fuzzState[M kfuncs.BPFOwned] struct {
	d     design[M]
	masks [3]designMask[M]
}

func newFuzzState[M kfuncs.BPFOwned](t testing.TB, d design[M]) *fuzzState[M] {
	s := &fuzzState[M]{d: d}
	for i := range s.masks {
		m, ok := d.create(d.k)
		require.True(t, ok)
		s.masks[i] = m
		t.Cleanup(m.release)
	}
	return s
}

// fuzzArgs picks distinct masks for an op's arguments from a byte: a kcall
// gives each argument its own bpf_cpumask, so aliasing cannot be compared.
func fuzzArgs(n int, sel byte) []int {
	perms := [6][3]int{{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}}
	return perms[int(sel)%6][:n]
}

func (s *fuzzState[M]) step(t testing.TB, tp Topology, c kcall, args []int, kr result, st *diffStats) {
	t.Helper()
	ms := make([]designMask[M], len(args))
	for i, a := range args {
		ms[i] = s.masks[a]
	}
	if c.Kfunc == "bpf_cpumask_any_distribute" || c.Kfunc == "bpf_cpumask_any_and_distribute" {
		syncCursor(s.d.k, tp, kr.Rets[0])
	}
	for rep, kret := range kr.Rets {
		got := applyKfunc(c.Kfunc, c.CPU, c.Src, ms)
		require.Equal(t, retMask(c.Kfunc, kret), retMask(c.Kfunc, got), "%s %s call %d", s.d.name, c.Kfunc, rep)
		*st.compared++
	}
	for i := range ms {
		st.compareMasks(t, tp, fmt.Sprintf("%s %s arg %d", s.d.name, c.Kfunc, i), kr.Masks[i], ms[i].view.AppendWords(nil))
	}
}

const maxFuzzOps = 64

// FuzzOracleOps decodes prog as (op, arg, selector) triples and drives the
// same op sequence through the kernel and both designs, three persistent
// masks each, comparing after every op.
//
// An op byte picks Kfuncs()[op % len(Kfuncs())]. The seeds are kept byte
// for byte from before the list came from the kfunc table, so the same
// inputs replay.
func FuzzOracleOps(f *testing.F) {
	f.Add([]byte{4, 0, 0, 4, 1, 1, 12, 0, 2, 22, 0, 0})
	f.Add([]byte{9, 0, 0, 19, 0, 1, 20, 0, 1, 13, 0, 3})
	f.Add([]byte{23, 0xff, 0, 8, 1, 0, 18, 0, 0, 11, 0, 5})
	f.Add([]byte{23, 3, 1, 10, 0, 1, 21, 0, 2, 2, 0, 1})
	o := Require(f)
	n := countComparisons(f)
	tp := o.Topology()
	k := hostKernel(f, o)
	unlock, err := LockToCPU(0)
	require.NoError(f, err)
	defer unlock()
	f.Fuzz(func(t *testing.T, prog []byte) {
		st := &diffStats{compared: n}
		merged, casted := newFuzzState(t, mergedDesign(k)), newFuzzState(t, castDesign(k))
		var kstate [3][]uint64
		for i := range kstate {
			kstate[i] = make([]uint64, tp.Words())
		}
		// Every op is a program run; long inputs would make each exec, and
		// the fuzzer's minimisation of it, crawl.
		prog = prog[:min(len(prog), 3*maxFuzzOps)]
		for ; len(prog) >= 3; prog = prog[3:] {
			fn := cpumaskKfuncs()[int(prog[0])%len(cpumaskKfuncs())]
			args := fuzzArgs(fn.NumMasks(), prog[2])
			c := kcall{Kfunc: fn, Load: loadCopy, Masks: make([][]uint64, len(args))}
			for i, a := range args {
				c.Masks[i] = kstate[a]
			}
			if fn.TakesCPU() {
				c.CPU = uint32(prog[1])
				if prog[1] >= 0xf0 { // reach the far invalid cpus too
					c.CPU = ^uint32(0) - uint32(prog[1]&0xf)
				}
			}
			if fn == "bpf_cpumask_populate" {
				c.Src = slices.Repeat([]byte{prog[1]}, 1+int(prog[2])%(8*tp.Words()))
			}
			if fn == "bpf_cpumask_any_distribute" || fn == "bpf_cpumask_any_and_distribute" {
				c.Repeat = 2
			}
			kr, err := o.invoke(c)
			require.NoError(t, err)
			merged.step(t, tp, c, args, kr, st)
			casted.step(t, tp, c, args, kr, st)
			for i, a := range args {
				kstate[a] = kr.Masks[i]
			}
		}
	})
}
