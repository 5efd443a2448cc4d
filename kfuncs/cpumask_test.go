package kfuncs_test

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bpfbitmap/prototype/cast"
	"github.com/bpfbitmap/prototype/internal/testutil"
	"github.com/bpfbitmap/prototype/kfuncs"
)

// topologies are the (nr_cpu_ids, NR_CPUS) pairs every cpumask kfunc runs
// on: the list, plus 64 < NR_CPUS <= 256, where copy and clear touch
// NR_CPUS bits of an nr_cpu_ids-sized bitmap (NR_CPUS=256, nr_cpu_ids=2 is
// the test machine's kernel).
var topologies = [][2]int{
	{1, 64}, {4, 64}, {63, 64}, {64, 64},
	{4, 128}, {65, 128},
	{2, 256}, {96, 256}, {256, 256},
	{1, 512}, {4, 512}, {63, 512}, {64, 512}, {65, 512}, {96, 512}, {256, 512},
	{1, 8192}, {4, 8192}, {63, 8192}, {64, 8192}, {65, 8192}, {96, 8192}, {256, 8192}, {8192, 8192},
}

// wordEnd is the first bit past the word holding bit n-1: whole-word
// operations over n bits touch [0, wordEnd(n)).
func wordEnd(n int) int { return (n + 63) / 64 * 64 }

// mutator calls the mutator kfuncs on one design's BPF-owned type.
type mutator interface {
	setCpu(uint32)
	clearCpu(uint32)
	testAndSetCpu(uint32) bool
	testAndClearCpu(uint32) bool
	setall()
	clear()
	and(a, b *cast.Cpumask) bool
	or(a, b *cast.Cpumask)
	xor(a, b *cast.Cpumask)
	copy(src *cast.Cpumask)
	populate(src []byte) int32
}

type mut[M kfuncs.BPFOwned] struct{ m M }

func (x mut[M]) setCpu(c uint32)               { kfuncs.CpumaskSetCpu(c, x.m) }
func (x mut[M]) clearCpu(c uint32)             { kfuncs.CpumaskClearCpu(c, x.m) }
func (x mut[M]) testAndSetCpu(c uint32) bool   { return kfuncs.CpumaskTestAndSetCpu(c, x.m) }
func (x mut[M]) testAndClearCpu(c uint32) bool { return kfuncs.CpumaskTestAndClearCpu(c, x.m) }
func (x mut[M]) setall()                       { kfuncs.CpumaskSetall(x.m) }
func (x mut[M]) clear()                        { kfuncs.CpumaskClear(x.m) }
func (x mut[M]) and(a, b *cast.Cpumask) bool   { return kfuncs.CpumaskAnd(x.m, a, b) }
func (x mut[M]) or(a, b *cast.Cpumask)         { kfuncs.CpumaskOr(x.m, a, b) }
func (x mut[M]) xor(a, b *cast.Cpumask)        { kfuncs.CpumaskXor(x.m, a, b) }
func (x mut[M]) copy(src *cast.Cpumask)        { kfuncs.CpumaskCopy(x.m, src) }
func (x mut[M]) populate(src []byte) int32     { return kfuncs.CpumaskPopulate(x.m, src) }

// design makes BPF-owned masks of one design.
type design struct {
	name string
	// create returns a mask populated from init (bits below
	// BITS_TO_LONGS(N) words), its read-only view and its release.
	create func(t *testing.T, k *cast.Kernel, init []byte) (mutator, *cast.Cpumask, func())
}

// owned returns the BPF-owned mask behind a mutator of either design.
func owned(m mutator) *cast.OwnedCpumask {
	switch m := m.(type) {
	case mut[*kfuncs.BPFCpumask]:
		return m.m.Owned()
	case mut[*cast.OwnedCpumask]:
		return m.m
	}
	panic(fmt.Sprintf("owned: %T", m))
}

var designs = []design{
	{"fixed", func(t *testing.T, k *cast.Kernel, init []byte) (mutator, *cast.Cpumask, func()) {
		m := kfuncs.CpumaskCreate(k)
		require.NotNil(t, m)
		require.Zero(t, kfuncs.CpumaskPopulate(m, init))
		return mut[*kfuncs.BPFCpumask]{m}, m.Cpumask(), func() { kfuncs.CpumaskRelease(m) }
	}},
	{"generic", func(t *testing.T, k *cast.Kernel, init []byte) (mutator, *cast.Cpumask, func()) {
		b := kfuncs.BitmapCreate(k, int32(k.Topology().NrCPUIDs()))
		require.NotNil(t, b)
		m := kfuncs.BitmapCastToCpumask(b)
		require.NotNil(t, m)
		require.Zero(t, kfuncs.CpumaskPopulate(m, init))
		return mut[*cast.OwnedCpumask]{m}, m.Cpumask(), func() { kfuncs.BitmapRelease(b) }
	}},
}

// patterns returns the initial contents of masks: BITS_TO_LONGS(N) words,
// including bits at or above N in the last word, as populate writes them.
func patterns(rng *rand.Rand, n int) [][]byte {
	nb := wordEnd(n) / 8
	fill := func(f func(i int) byte) []byte {
		b := make([]byte, nb)
		for i := range b {
			b[i] = f(i)
		}
		return b
	}
	out := [][]byte{
		fill(func(int) byte { return 0 }),
		fill(func(int) byte { return 0xff }), // tail bits above N set too
		fill(func(int) byte { return 0xaa }), // the selftest's test_populate pattern
	}
	clean := make([]byte, nb) // exactly CPUs 0..N-1
	for i := range n {
		clean[i/8] |= 1 << (i % 8)
	}
	last := make([]byte, nb) // only CPU N-1
	last[(n-1)/8] |= 1 << ((n - 1) % 8)
	out = append(out, clean, last)
	for range 3 {
		out = append(out, fill(func(int) byte { return byte(rng.Uint32() & rng.Uint32()) }))
	}
	return out
}

func cpusFor(n, nr int) []uint32 {
	return []uint32{0, uint32(n - 1), uint32(n), uint32(n + 1), 63, 64, uint32(nr - 1), uint32(nr), math.MaxUint32}
}

// cpumaskRows are the rows TestCpumaskKfuncs checks: every cpumask kfunc
// both designs run, read from the table.
func cpumaskRows(t *testing.T) []kfuncs.Kfunc {
	var rows []kfuncs.Kfunc
	for _, row := range kfuncs.Kfuncs {
		if row.Design == kfuncs.DesignShared && row.Call != nil && row.TakesCpumask() {
			rows = append(rows, row)
		}
	}
	require.Len(t, rows, 23, "the cpumask kfuncs of Linux 6.18")
	return rows
}

// TestCpumaskKfuncs calls every cpumask row's Call on both designs over
// every topology, against the shared reference model: results, and every
// storage word the kernel's operations can touch (tail bits included), must
// match. The row's prototype says which argument is which: the non-const
// struct pointer is Args.Dst, the const ones Src1 and Src2 in order.
func TestCpumaskKfuncs(t *testing.T) {
	seed := testutil.Seed(t)
	rows := cpumaskRows(t)
	for _, tp := range topologies {
		n, nr := tp[0], tp[1]
		for _, d := range designs {
			t.Run(fmt.Sprintf("cpus=%d/nr_cpus=%d/design=%s", n, nr, d.name), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(seed, uint64(n*10000+nr)))
				k, err := cast.NewKernel(cast.MustTopology(n, nr))
				require.NoError(t, err)
				md := testutil.NewCpumask(n, nr)
				live := k.Allocator().Stats().Live
				pats := patterns(rng, n)
				cpus := cpusFor(n, nr)
				for _, row := range rows {
					sig, err := row.Signature()
					require.NoError(t, err)
					for c := range 4 {
						pa, pb, pd := pats[rng.IntN(len(pats))], pats[rng.IntN(len(pats))], pats[rng.IntN(len(pats))]
						if c == 0 {
							pb = pa // equal/subset/and of a mask with its twin
						}
						dst, _, relD := d.create(t, k, pd)
						_, aR, relA := d.create(t, k, pa)
						_, bR, relB := d.create(t, k, pb)
						a := &kfuncs.Args{Dst: owned(dst), Src1: aR, Src2: bR, Cpu: cpus[rng.IntN(len(cpus))], Mem: pats[rng.IntN(len(pats))]}
						var task *cast.Task
						if c == 1 {
							task = kernelTask(t, k, pb)
							a.Src2 = task.CpusPtr // a kernel-owned source
						}
						if c == 2 {
							a.Mem = a.Mem[:len(a.Mem)-1] // short: -EACCES
						}
						var views []*cast.Cpumask
						var model [][]uint64
						srcs := []*cast.Cpumask{a.Src1, a.Src2}
						for _, p := range sig.Params {
							if p.Kind != kfuncs.ParamStruct {
								continue
							}
							v := a.Dst.Cpumask()
							if p.Const {
								v, srcs = srcs[0], srcs[1:]
							}
							views = append(views, v)
							model = append(model, v.AppendWords(nil))
						}
						before := slices.Clone(model)
						for i := range before {
							before[i] = slices.Clone(model[i])
						}
						want, err := md.Call(row.Kernel, a.Cpu, a.Mem, model)
						require.NoError(t, err, "the reference model has no case for %s", row.Kernel)
						row.Call(a, 1)
						require.Equalf(t, want, a.Ret, "%s(cpu=%d) with dst=%x a=%x b=%x", row.Kernel, a.Cpu, pd, pa, pb)
						for i, v := range views {
							require.Lenf(t, model[i], md.Words(), "operations touch BITS_TO_LONGS(max(S, L, N)) words")
							require.Equalf(t, model[i], v.AppendWords(nil), "%s: mask argument %d's storage (before %x)", row.Kernel, i, before[i])
						}
						require.Equal(t, md.Prev, k.DistributeCursor(), "distribute cursor")
						relD()
						relA()
						relB()
						task.Exit()
					}
				}
				require.Equal(t, live, k.Allocator().Stats().Live, "every mask released")
			})
		}
	}
}

// kernelTask returns a task whose kernel-owned cpus_ptr has the bits of p
// below N (kernel masks keep their tails clear). It exits at cleanup if not
// before.
func kernelTask(t *testing.T, k *cast.Kernel, p []byte) *cast.Task {
	var cpus []int
	for i := range k.Topology().NrCPUIDs() {
		if p[i/8]>>(i%8)&1 != 0 {
			cpus = append(cpus, i)
		}
	}
	task, err := k.NewTask(cpus...)
	require.NoError(t, err)
	t.Cleanup(task.Exit)
	return task
}

// TestCpumaskSelftests ports cpumask_success.c's programs, on both designs.
func TestCpumaskSelftests(t *testing.T) {
	for _, d := range designs {
		for _, tp := range [][2]int{{2, 256}, {4, 64}, {96, 8192}} {
			k := cast.MustKernel(cast.MustTopology(tp[0], tp[1]))
			nrCPUs := uint32(tp[0])
			empty := make([]byte, wordEnd(tp[0])/8)
			// create returns a new empty mask that the (sub)test t releases
			// when it ends.
			create := func(t *testing.T) (mutator, *cast.Cpumask) {
				m, r, rel := d.create(t, k, empty)
				t.Cleanup(rel)
				return m, r
			}
			name := fmt.Sprintf("design=%s/cpus=%d/nr_cpus=%d", d.name, tp[0], tp[1])
			t.Run(name+"/test_set_clear_cpu", func(t *testing.T) {
				m, r := create(t)
				m.setCpu(0)
				require.True(t, kfuncs.CpumaskTestCpu(0, r))
				m.clearCpu(0)
				require.False(t, kfuncs.CpumaskTestCpu(0, r))
			})
			t.Run(name+"/test_setall_clear_cpu", func(t *testing.T) {
				m, r := create(t)
				m.setall()
				require.True(t, kfuncs.CpumaskFull(r))
				m.clear()
				require.True(t, kfuncs.CpumaskEmpty(r))
			})
			t.Run(name+"/test_first_firstzero_cpu", func(t *testing.T) {
				m, r := create(t)
				require.GreaterOrEqual(t, kfuncs.CpumaskFirst(r), nrCPUs)
				require.Zero(t, kfuncs.CpumaskFirstZero(r))
				m.setCpu(0)
				require.Zero(t, kfuncs.CpumaskFirst(r))
				require.Equal(t, uint32(1), kfuncs.CpumaskFirstZero(r))
			})
			t.Run(name+"/test_firstand_nocpu", func(t *testing.T) {
				m1, r1 := create(t)
				m2, r2 := create(t)
				m1.setCpu(0)
				m2.setCpu(1)
				require.Greater(t, kfuncs.CpumaskFirstAnd(r1, r2), uint32(1))
			})
			t.Run(name+"/test_test_and_set_clear", func(t *testing.T) {
				m, _ := create(t)
				require.False(t, m.testAndSetCpu(0))
				require.True(t, m.testAndSetCpu(0))
				require.True(t, m.testAndClearCpu(0))
			})
			t.Run(name+"/test_and_or_xor", func(t *testing.T) {
				m1, r1 := create(t)
				m2, r2 := create(t)
				d1, dr1 := create(t)
				d2, dr2 := create(t)
				m1.setCpu(0)
				m2.setCpu(1)
				require.False(t, d1.and(r1, r2))
				require.True(t, kfuncs.CpumaskEmpty(dr1))
				d1.or(r1, r2)
				require.True(t, kfuncs.CpumaskTestCpu(0, dr1))
				require.Equal(t, nrCPUs > 1, kfuncs.CpumaskTestCpu(1, dr1))
				d2.xor(r1, r2)
				require.True(t, kfuncs.CpumaskEqual(dr1, dr2))
			})
			t.Run(name+"/test_copy_any_anyand", func(t *testing.T) {
				m1, r1 := create(t)
				m2, r2 := create(t)
				d1, dr1 := create(t)
				m1.setCpu(0)
				m2.setCpu(1)
				require.Zero(t, kfuncs.CpumaskAnyDistribute(r1))
				require.GreaterOrEqual(t, kfuncs.CpumaskAnyDistribute(dr1), nrCPUs)
				d1.copy(r1)
				require.True(t, kfuncs.CpumaskEqual(r1, dr1))
				d1.or(r1, r2)
				require.LessOrEqual(t, kfuncs.CpumaskAnyDistribute(dr1), uint32(1))
				require.GreaterOrEqual(t, kfuncs.CpumaskAnyAndDistribute(r1, r2), nrCPUs)
			})
			t.Run(name+"/test_cpumask_weight", func(t *testing.T) {
				m, r := create(t)
				require.Zero(t, kfuncs.CpumaskWeight(r))
				m.setCpu(0)
				require.Equal(t, uint32(1), kfuncs.CpumaskWeight(r))
				m.setCpu(1)
				require.Equal(t, min(2, nrCPUs), kfuncs.CpumaskWeight(r))
				m.clear()
				require.Zero(t, kfuncs.CpumaskWeight(r))
			})
			t.Run(name+"/test_populate_reject_small_mask", func(t *testing.T) {
				m, _ := create(t)
				require.Equal(t, -int32(syscall.EACCES), m.populate([]byte{0xff}))
			})
			t.Run(name+"/test_populate", func(t *testing.T) {
				m, r := create(t)
				src := make([]byte, 8*((tp[0]+63)/64))
				for i := range src {
					src[i] = 0xaa
				}
				require.Zero(t, m.populate(src))
				for i := range nrCPUs {
					require.Equal(t, i%2 == 1, kfuncs.CpumaskTestCpu(i, r), "cpu %d", i)
				}
			})
		}
	}
}

// TestDistributeRotates: the cursor starts at 0, so the first pick skips CPU
// 0; picks rotate over the set CPUs and wrap; the two functions share it.
func TestDistributeRotates(t *testing.T) {
	for _, d := range designs {
		k := cast.MustKernel(cast.MustTopology(8, 64))
		src := []byte{0b1000_1101, 0, 0, 0, 0, 0, 0, 0} // CPUs 0, 2, 3, 7
		_, r, rel := d.create(t, k, src)
		var got []uint32
		for range 6 {
			got = append(got, kfuncs.CpumaskAnyDistribute(r))
		}
		require.Equal(t, []uint32{2, 3, 7, 0, 2, 3}, got, d.name)
		require.Equal(t, uint32(3), k.DistributeCursor())
		_, r2, rel2 := d.create(t, k, []byte{0b1000_0001, 0, 0, 0, 0, 0, 0, 0}) // CPUs 0, 7
		require.Equal(t, uint32(7), kfuncs.CpumaskAnyAndDistribute(r, r2), "shared cursor at 3")
		require.Equal(t, uint32(0), kfuncs.CpumaskAnyAndDistribute(r, r2))
		k.SetDistributeCursor(99) // ignored: >= nr_cpu_ids
		require.Equal(t, uint32(0), k.DistributeCursor())
		empty := kernelTask(t, k, make([]byte, 8)).CpusPtr
		require.Equal(t, uint32(8), kfuncs.CpumaskAnyDistribute(empty), "empty gives exactly nr_cpu_ids")
		require.Equal(t, uint32(0), k.DistributeCursor(), "and leaves the cursor")
		rel()
		rel2()
	}
}

func TestPopulateUnaligned(t *testing.T) {
	for _, d := range designs {
		k := cast.MustKernel(cast.MustTopology(64, 8192))
		m, r, rel := d.create(t, k, make([]byte, 8))
		buf := make([]byte, 16)
		binary.LittleEndian.PutUint64(buf[1:], 0x8000_0000_0000_0001)
		require.Zero(t, m.populate(buf[1:9]), "x86-64 and arm64 have efficient unaligned access")
		require.Equal(t, uint32(2), kfuncs.CpumaskWeight(r))
		k.SetEfficientUnalignedAccess(false)
		require.Equal(t, -int32(syscall.EINVAL), m.populate(buf[1:9]))
		require.Zero(t, m.populate(buf[:8]))
		rel()
	}
}
