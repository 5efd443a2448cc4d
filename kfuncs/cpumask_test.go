package kfuncs_test

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bpfbitmap/prototype/cast"
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

// model is the kernel's cpumask code written out bit by bit from
// include/linux/cpumask.h: widths S, L and N decided here, independently of
// cast.Topology, over the storage words an operation can touch.
type model struct {
	n, nr, s, l, words int
	prev               int // distribute_cpu_mask_prev
}

func newModel(n, nr int) *model {
	m := &model{n: n, nr: nr, s: n, l: n}
	if nr <= 64 {
		m.s = nr
	}
	if nr <= 256 {
		m.l = nr
	}
	m.words = (max(m.s, m.l, m.n) + 63) / 64
	return m
}

func bit(w []uint64, i int) bool { return w[i/64]>>(i%64)&1 != 0 }

func setBit(w []uint64, i int, v bool) {
	if v {
		w[i/64] |= 1 << (i % 64)
	} else {
		w[i/64] &^= 1 << (i % 64)
	}
}

// wordEnd is the first bit past the word holding bit n-1: whole-word
// operations over n bits touch [0, wordEnd(n)).
func wordEnd(n int) int { return (n + 63) / 64 * 64 }

func (m *model) first(a []uint64) uint32 {
	for i := range m.s {
		if bit(a, i) {
			return uint32(i)
		}
	}
	return uint32(m.s)
}

func (m *model) firstZero(a []uint64) uint32 {
	for i := range m.s {
		if !bit(a, i) {
			return uint32(i)
		}
	}
	return uint32(m.s)
}

func (m *model) firstAnd(a, b []uint64) uint32 {
	for i := range m.s {
		if bit(a, i) && bit(b, i) {
			return uint32(i)
		}
	}
	return uint32(m.s)
}

func (m *model) distribute(in func(i int) bool) uint32 {
	if m.nr == 1 {
		if in(0) {
			return 0
		}
		return uint32(m.s)
	}
	for k := 1; k <= m.n; k++ {
		if i := (m.prev + k) % m.n; in(i) {
			m.prev = i
			return uint32(i)
		}
	}
	return uint32(m.n)
}

// args are the inputs of one call: dst is BPF-owned, a and b are read-only
// (BPF-owned or kernel-owned), cpu for the per-CPU kfuncs, src for populate.
type args struct {
	dst  mutator
	dstR *cast.Cpumask
	a, b *cast.Cpumask
	cpu  uint32
	src  []byte
}

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

// op is one kfunc: run calls it, want applies the model to the model's
// words (dst, a, b) and returns the expected result.
type op struct {
	name string
	run  func(args) any
	want func(m *model, dst, a, b []uint64, cpu uint32, src []byte) any
}

var ops = []op{
	{"first", func(x args) any { return kfuncs.CpumaskFirst(x.a) },
		func(m *model, _, a, _ []uint64, _ uint32, _ []byte) any { return m.first(a) }},
	{"first_zero", func(x args) any { return kfuncs.CpumaskFirstZero(x.a) },
		func(m *model, _, a, _ []uint64, _ uint32, _ []byte) any { return m.firstZero(a) }},
	{"first_and", func(x args) any { return kfuncs.CpumaskFirstAnd(x.a, x.b) },
		func(m *model, _, a, b []uint64, _ uint32, _ []byte) any { return m.firstAnd(a, b) }},
	{"set_cpu", func(x args) any { x.dst.setCpu(x.cpu); return nil },
		func(m *model, d, _, _ []uint64, cpu uint32, _ []byte) any {
			if int64(cpu) < int64(m.n) {
				setBit(d, int(cpu), true)
			}
			return nil
		}},
	{"clear_cpu", func(x args) any { x.dst.clearCpu(x.cpu); return nil },
		func(m *model, d, _, _ []uint64, cpu uint32, _ []byte) any {
			if int64(cpu) < int64(m.n) {
				setBit(d, int(cpu), false)
			}
			return nil
		}},
	{"test_cpu", func(x args) any { return kfuncs.CpumaskTestCpu(x.cpu, x.a) },
		func(m *model, _, a, _ []uint64, cpu uint32, _ []byte) any {
			return int64(cpu) < int64(m.n) && bit(a, int(cpu))
		}},
	{"test_and_set_cpu", func(x args) any { return x.dst.testAndSetCpu(x.cpu) },
		func(m *model, d, _, _ []uint64, cpu uint32, _ []byte) any {
			if int64(cpu) >= int64(m.n) {
				return false
			}
			old := bit(d, int(cpu))
			setBit(d, int(cpu), true)
			return old
		}},
	{"test_and_clear_cpu", func(x args) any { return x.dst.testAndClearCpu(x.cpu) },
		func(m *model, d, _, _ []uint64, cpu uint32, _ []byte) any {
			if int64(cpu) >= int64(m.n) {
				return false
			}
			old := bit(d, int(cpu))
			setBit(d, int(cpu), false)
			return old
		}},
	{"setall", func(x args) any { x.dst.setall(); return nil },
		func(m *model, d, _, _ []uint64, _ uint32, _ []byte) any {
			if m.nr <= 64 { // word 0 := BITMAP_LAST_WORD_MASK(N)
				for i := range 64 {
					setBit(d, i, i < m.n)
				}
				return nil
			}
			for i := range wordEnd(m.n) { // bitmap_fill: whole words
				setBit(d, i, true)
			}
			return nil
		}},
	{"clear", func(x args) any { x.dst.clear(); return nil },
		func(m *model, d, _, _ []uint64, _ uint32, _ []byte) any {
			for i := range wordEnd(m.l) {
				setBit(d, i, false)
			}
			return nil
		}},
	{"and", func(x args) any { return x.dst.and(x.a, x.b) },
		func(m *model, d, a, b []uint64, _ uint32, _ []byte) any {
			any := false
			for i := range wordEnd(m.s) {
				v := i < m.s && bit(a, i) && bit(b, i) // last word masked
				setBit(d, i, v)
				any = any || v
			}
			return any
		}},
	{"or", func(x args) any { x.dst.or(x.a, x.b); return nil },
		func(m *model, d, a, b []uint64, _ uint32, _ []byte) any {
			for i := range wordEnd(m.s) {
				setBit(d, i, bit(a, i) || bit(b, i))
			}
			return nil
		}},
	{"xor", func(x args) any { x.dst.xor(x.a, x.b); return nil },
		func(m *model, d, a, b []uint64, _ uint32, _ []byte) any {
			for i := range wordEnd(m.s) {
				setBit(d, i, bit(a, i) != bit(b, i))
			}
			return nil
		}},
	{"equal", func(x args) any { return kfuncs.CpumaskEqual(x.a, x.b) },
		func(m *model, _, a, b []uint64, _ uint32, _ []byte) any {
			for i := range m.s {
				if bit(a, i) != bit(b, i) {
					return false
				}
			}
			return true
		}},
	{"intersects", func(x args) any { return kfuncs.CpumaskIntersects(x.a, x.b) },
		func(m *model, _, a, b []uint64, _ uint32, _ []byte) any { return m.firstAnd(a, b) < uint32(m.s) }},
	{"subset", func(x args) any { return kfuncs.CpumaskSubset(x.a, x.b) },
		func(m *model, _, a, b []uint64, _ uint32, _ []byte) any {
			for i := range m.s {
				if bit(a, i) && !bit(b, i) {
					return false
				}
			}
			return true
		}},
	{"empty", func(x args) any { return kfuncs.CpumaskEmpty(x.a) },
		func(m *model, _, a, _ []uint64, _ uint32, _ []byte) any { return m.first(a) == uint32(m.s) }},
	{"full", func(x args) any { return kfuncs.CpumaskFull(x.a) },
		func(m *model, _, a, _ []uint64, _ uint32, _ []byte) any {
			for i := range m.n {
				if !bit(a, i) {
					return false
				}
			}
			return true
		}},
	{"copy", func(x args) any { x.dst.copy(x.a); return nil },
		func(m *model, d, a, _ []uint64, _ uint32, _ []byte) any {
			for i := range wordEnd(m.l) {
				setBit(d, i, bit(a, i))
			}
			return nil
		}},
	{"any_distribute", func(x args) any { return kfuncs.CpumaskAnyDistribute(x.a) },
		func(m *model, _, a, _ []uint64, _ uint32, _ []byte) any {
			return m.distribute(func(i int) bool { return bit(a, i) })
		}},
	{"any_and_distribute", func(x args) any { return kfuncs.CpumaskAnyAndDistribute(x.a, x.b) },
		func(m *model, _, a, b []uint64, _ uint32, _ []byte) any {
			return m.distribute(func(i int) bool { return bit(a, i) && bit(b, i) })
		}},
	{"weight", func(x args) any { return kfuncs.CpumaskWeight(x.a) },
		func(m *model, _, a, _ []uint64, _ uint32, _ []byte) any {
			n := uint32(0)
			for i := range m.s {
				if bit(a, i) {
					n++
				}
			}
			return n
		}},
	{"populate", func(x args) any { return x.dst.populate(x.src) },
		func(m *model, d, _, _ []uint64, _ uint32, src []byte) any {
			if len(src) < wordEnd(m.n)/8 {
				return -int32(syscall.EACCES)
			}
			for i := range wordEnd(m.n) {
				setBit(d, i, src[i/8]>>(i%8)&1 != 0)
			}
			return int32(0)
		}},
}

// design makes BPF-owned masks of one design.
type design struct {
	name string
	// create returns a mask populated from init (bits below
	// BITS_TO_LONGS(N) words), its read-only view and its release.
	create func(t *testing.T, k *cast.Kernel, init []byte) (mutator, *cast.Cpumask, func())
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

func testSeed(t *testing.T) uint64 {
	seed := uint64(1)
	if s := os.Getenv("TEST_SEED"); s != "" {
		var err error
		seed, err = strconv.ParseUint(s, 10, 64)
		require.NoError(t, err)
	}
	t.Logf("TEST_SEED=%d", seed) // set TEST_SEED to replay this run
	return seed
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

// TestCpumaskKfuncs runs every cpumask kfunc on both designs over every
// topology, against the model: results, and every storage word the kernel's
// operations can touch (tail bits included), must match.
func TestCpumaskKfuncs(t *testing.T) {
	seed := testSeed(t)
	covered := map[string]bool{}
	for _, tp := range topologies {
		n, nr := tp[0], tp[1]
		for _, d := range designs {
			t.Run(fmt.Sprintf("cpus=%d/nr_cpus=%d/design=%s", n, nr, d.name), func(t *testing.T) {
				rng := rand.New(rand.NewPCG(seed, uint64(n*10000+nr)))
				k, err := cast.NewKernel(cast.MustTopology(n, nr))
				require.NoError(t, err)
				md := newModel(n, nr)
				live := k.Allocator().Stats().Live
				pats := patterns(rng, n)
				cpus := cpusFor(n, nr)
				for _, o := range ops {
					covered[o.name] = true
					for c := range 4 {
						pa, pb, pd := pats[rng.IntN(len(pats))], pats[rng.IntN(len(pats))], pats[rng.IntN(len(pats))]
						if c == 0 {
							pb = pa // equal/subset/and of a mask with its twin
						}
						dst, dstR, relD := d.create(t, k, pd)
						a, aR, relA := d.create(t, k, pa)
						_, bR, relB := d.create(t, k, pb)
						_ = a
						x := args{dst: dst, dstR: dstR, a: aR, b: bR, cpu: cpus[rng.IntN(len(cpus))], src: pats[rng.IntN(len(pats))]}
						var task *cast.Task
						if c == 1 {
							task = kernelTask(t, k, pb)
							x.b = task.CpusPtr // a kernel-owned source
						}
						if c == 2 {
							x.src = x.src[:len(x.src)-1] // short: -EACCES
						}
						mw := func(cm *cast.Cpumask) []uint64 { return cm.AppendWords(nil) }
						wd, wa, wb := mw(x.dstR), mw(x.a), mw(x.b)
						require.Len(t, wd, md.words, "operations touch BITS_TO_LONGS(max(S, L, N)) words")
						want := o.want(md, wd, wa, wb, x.cpu, x.src)
						got := o.run(x)
						require.Equalf(t, want, got, "%s(cpu=%d) with dst=%x a=%x b=%x", o.name, x.cpu, pd, pa, pb)
						require.Equalf(t, wd, mw(x.dstR), "%s: dst storage", o.name)
						require.Equalf(t, wa, mw(x.a), "%s: a must not change", o.name)
						require.Equal(t, md.prev, int(k.DistributeCursor()), "distribute cursor")
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
	for _, o := range kfuncs.Kfuncs {
		if o.Design == kfuncs.DesignShared && len(o.Kernel) > 12 && o.Kernel[:12] == "bpf_cpumask_" {
			require.Truef(t, covered[o.Kernel[12:]], "%s has no case in ops", o.Kernel)
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
			create := func() (mutator, *cast.Cpumask, func()) { return d.create(t, k, empty) }
			name := fmt.Sprintf("design=%s/cpus=%d/nr_cpus=%d", d.name, tp[0], tp[1])
			t.Run(name+"/test_set_clear_cpu", func(t *testing.T) {
				m, r, rel := create()
				defer rel()
				m.setCpu(0)
				require.True(t, kfuncs.CpumaskTestCpu(0, r))
				m.clearCpu(0)
				require.False(t, kfuncs.CpumaskTestCpu(0, r))
			})
			t.Run(name+"/test_setall_clear_cpu", func(t *testing.T) {
				m, r, rel := create()
				defer rel()
				m.setall()
				require.True(t, kfuncs.CpumaskFull(r))
				m.clear()
				require.True(t, kfuncs.CpumaskEmpty(r))
			})
			t.Run(name+"/test_first_firstzero_cpu", func(t *testing.T) {
				m, r, rel := create()
				defer rel()
				require.GreaterOrEqual(t, kfuncs.CpumaskFirst(r), nrCPUs)
				require.Zero(t, kfuncs.CpumaskFirstZero(r))
				m.setCpu(0)
				require.Zero(t, kfuncs.CpumaskFirst(r))
				require.Equal(t, uint32(1), kfuncs.CpumaskFirstZero(r))
			})
			t.Run(name+"/test_firstand_nocpu", func(t *testing.T) {
				m1, r1, rel1 := create()
				defer rel1()
				m2, r2, rel2 := create()
				defer rel2()
				m1.setCpu(0)
				m2.setCpu(1)
				require.Greater(t, kfuncs.CpumaskFirstAnd(r1, r2), uint32(1))
			})
			t.Run(name+"/test_test_and_set_clear", func(t *testing.T) {
				m, _, rel := create()
				defer rel()
				require.False(t, m.testAndSetCpu(0))
				require.True(t, m.testAndSetCpu(0))
				require.True(t, m.testAndClearCpu(0))
			})
			t.Run(name+"/test_and_or_xor", func(t *testing.T) {
				m1, r1, rel1 := create()
				defer rel1()
				m2, r2, rel2 := create()
				defer rel2()
				d1, dr1, rel3 := create()
				defer rel3()
				d2, dr2, rel4 := create()
				defer rel4()
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
				m1, r1, rel1 := create()
				defer rel1()
				m2, r2, rel2 := create()
				defer rel2()
				d1, dr1, rel3 := create()
				defer rel3()
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
				m, r, rel := create()
				defer rel()
				require.Zero(t, kfuncs.CpumaskWeight(r))
				m.setCpu(0)
				require.Equal(t, uint32(1), kfuncs.CpumaskWeight(r))
				m.setCpu(1)
				require.Equal(t, min(2, nrCPUs), kfuncs.CpumaskWeight(r))
				m.clear()
				require.Zero(t, kfuncs.CpumaskWeight(r))
			})
			t.Run(name+"/test_populate_reject_small_mask", func(t *testing.T) {
				m, _, rel := create()
				defer rel()
				require.Equal(t, -int32(syscall.EACCES), m.populate([]byte{0xff}))
			})
			t.Run(name+"/test_populate", func(t *testing.T) {
				m, r, rel := create()
				defer rel()
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
