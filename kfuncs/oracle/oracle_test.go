package oracle

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bpfbitmap/prototype/internal/testutil"
)

// Require opens the oracle or skips t with the reason it is unavailable;
// any other failure fails t.
func Require(t testing.TB) *Oracle {
	t.Helper()
	o, err := Open()
	if errors.Is(err, ErrUnavailable) {
		t.Skip(err.Error())
	}
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, o.Close()) })
	return o
}

// countComparisons returns a counter of kernel-versus-expectation checks;
// its total is logged as "kernel comparisons: N" when t ends, and
// .ci/oracle.sh sums those lines.
func countComparisons(t testing.TB) *int {
	n := new(int)
	t.Cleanup(func() { t.Logf("kernel comparisons: %d", *n) })
	return n
}

// testRand draws from testutil.Seed, so TEST_SEED replays a failure.
func testRand(t testing.TB) *rand.Rand {
	return rand.New(rand.NewPCG(testutil.Seed(t), 2))
}

// edgeMasks are full-storage masks that sit on every boundary the kernel
// code distinguishes: nr_cpu_ids, the word edge, NR_CPUS.
func edgeMasks(tp Topology) [][]uint64 {
	W, N := tp.Words(), tp.NrCPUIDs
	one := func(bits ...int) []uint64 {
		w := make([]uint64, W)
		for _, b := range bits {
			if b >= 0 && b < tp.NrCPUs {
				setBit(w, b, true)
			}
		}
		return w
	}
	valid := make([]uint64, W)
	for i := range N {
		setBit(valid, i, true)
	}
	all := make([]uint64, W)
	for i := range all {
		all[i] = ^uint64(0)
	}
	tail := make([]uint64, W)
	tail[(N-1)/64] = ^lastWordMask(N)
	if N%64 == 0 {
		tail[(N-1)/64] = 0
	}
	return [][]uint64{
		make([]uint64, W), valid, all, tail,
		one(0), one(N - 1), one(N), one(0, N-1), one(63), one(64), one(tp.NrCPUs - 1),
		one(0, N), one(N-1, 64),
	}
}

func edgeCPUs(tp Topology) []uint32 {
	N := uint32(tp.NrCPUIDs)
	return []uint32{0, 1, N - 1, N, N + 1, 63, 64, uint32(tp.NrCPUs) - 1, uint32(tp.NrCPUs), 1 << 31, ^uint32(0)}
}

func randMask(rng *rand.Rand, tp Topology) []uint64 {
	w := make([]uint64, tp.Words())
	for i := range w {
		switch rng.IntN(4) {
		case 0:
		case 1:
			w[i] = ^uint64(0)
		default:
			w[i] = rng.Uint64()
		}
	}
	return w
}

// forLoad zeroes what populate could not have set.
func forLoad(m []uint64, load loadMode, tp Topology) []uint64 {
	out := append([]uint64(nil), m...)
	if load == loadPopulate {
		clear(out[tp.ValidWords():])
	}
	return out
}

func TestOracleOpenReportsTopology(t *testing.T) {
	o := Require(t)
	n := countComparisons(t)
	tp := o.Topology()
	t.Log(tp)
	require.Equal(t, DeriveTopology(tp.NrCPUs, tp.NrCPUIDs), tp)
	require.Zero(t, tp.NrCPUs%64, "struct cpumask is whole longs")
	require.LessOrEqual(t, tp.NrCPUIDs, tp.NrCPUs)

	// The kernel agrees with sysfs and BTF: any_distribute of an empty
	// mask returns exactly nr_cpu_ids, first returns small_cpumask_bits.
	got, err := o.invoke(kcall{Kfunc: "bpf_cpumask_any_distribute", Masks: [][]uint64{nil}})
	require.NoError(t, err)
	require.Equal(t, uint32(tp.NrCPUIDs), got.U32(), "any_distribute(empty) = nr_cpu_ids")
	got, err = o.invoke(kcall{Kfunc: "bpf_cpumask_first", Masks: [][]uint64{nil}})
	require.NoError(t, err)
	require.Equal(t, uint32(tp.SmallCpumaskBits), got.U32(), "first(empty) = small_cpumask_bits")
	// clear zeroes large_cpumask_bits, so with all words planted it shows
	// exactly how far that width reaches.
	r, err := o.invoke(kcall{Kfunc: "bpf_cpumask_clear", Load: loadCopy, Masks: [][]uint64{edgeMasks(tp)[2]}})
	require.NoError(t, err)
	require.Equal(t, tp.LargeCpumaskBits, 64*countZeroWords(r.Masks[0]), "clear zeroes large_cpumask_bits")
	*n += 3
}

func countZeroWords(w []uint64) int {
	n := 0
	for _, x := range w {
		if x == 0 {
			n++
		}
	}
	return n
}

func TestDeriveTopology(t *testing.T) {
	for _, tt := range []struct {
		nrCPUs, nrCPUIDs, small, large int
	}{
		{64, 4, 64, 64},
		{256, 2, 2, 256},
		{128, 65, 65, 128},
		{512, 8, 8, 8},
		{8192, 128, 128, 128},
	} {
		got := DeriveTopology(tt.nrCPUs, tt.nrCPUIDs)
		assert.Equal(t, Topology{tt.nrCPUs, tt.nrCPUIDs, tt.small, tt.large}, got)
	}
}

// TestNeededKfuncs checks Open requires what the oracle's programs call,
// from the tables: the object's life, the 23 cpumask kfuncs, bpf_for.
func TestNeededKfuncs(t *testing.T) {
	got := neededKfuncs()
	require.Len(t, got, 3+23+3)
	for _, name := range []string{"bpf_cpumask_create", "bpf_cpumask_acquire", "bpf_cpumask_release",
		"bpf_cpumask_populate", "bpf_iter_num_new", "bpf_iter_num_next", "bpf_iter_num_destroy"} {
		require.Contains(t, got, name)
	}
	require.NotContains(t, got, "bpf_cpumask_release_dtor", "a dtor is no kfunc")
	require.NotContains(t, got, "bpf_bitmap_create", "the kernel has no bpf_bitmap kfuncs")
}

// TestKfuncShapes checks the argument shapes the oracle reads from the
// kfunc table's prototypes, kfunc by kfunc.
func TestKfuncShapes(t *testing.T) {
	type shape struct {
		masks    int
		cpu, src bool
		ret      retKind
	}
	want := map[kfunc]shape{
		"bpf_cpumask_first": {1, false, false, retU32}, "bpf_cpumask_first_zero": {1, false, false, retU32},
		"bpf_cpumask_first_and": {2, false, false, retU32}, "bpf_cpumask_set_cpu": {1, true, false, retVoid},
		"bpf_cpumask_clear_cpu": {1, true, false, retVoid}, "bpf_cpumask_test_cpu": {1, true, false, retBool},
		"bpf_cpumask_test_and_set_cpu": {1, true, false, retBool}, "bpf_cpumask_test_and_clear_cpu": {1, true, false, retBool},
		"bpf_cpumask_setall": {1, false, false, retVoid}, "bpf_cpumask_clear": {1, false, false, retVoid},
		"bpf_cpumask_and": {3, false, false, retBool}, "bpf_cpumask_or": {3, false, false, retVoid},
		"bpf_cpumask_xor": {3, false, false, retVoid}, "bpf_cpumask_equal": {2, false, false, retBool},
		"bpf_cpumask_intersects": {2, false, false, retBool}, "bpf_cpumask_subset": {2, false, false, retBool},
		"bpf_cpumask_empty": {1, false, false, retBool}, "bpf_cpumask_full": {1, false, false, retBool},
		"bpf_cpumask_copy": {2, false, false, retVoid}, "bpf_cpumask_any_distribute": {1, false, false, retU32},
		"bpf_cpumask_any_and_distribute": {2, false, false, retU32}, "bpf_cpumask_weight": {1, false, false, retU32},
		"bpf_cpumask_populate": {1, false, true, retInt},
	}
	got := map[kfunc]shape{}
	for _, fn := range cpumaskKfuncs() {
		require.True(t, fn.valid(), fn)
		got[fn] = shape{fn.NumMasks(), fn.TakesCPU(), fn.TakesSrc(), fn.Ret()}
	}
	require.Equal(t, want, got)
	for _, fn := range []kfunc{"bpf_cpumask_create", "bpf_cpumask_release", "bpf_bitmap_weight", "bpf_rcu_read_lock", "nope", ""} {
		require.False(t, fn.valid(), "%q is not callable", fn)
	}
}

func TestOracleCallRejectsBadInput(t *testing.T) {
	o := Require(t)
	tp := o.Topology()
	for name, c := range map[string]kcall{
		"unknown kfunc":    {Kfunc: "bpf_cpumask_create"},
		"too few masks":    {Kfunc: "bpf_cpumask_and", Masks: [][]uint64{nil}},
		"mask too long":    {Kfunc: "bpf_cpumask_weight", Masks: [][]uint64{make([]uint64, tp.Words()+1)}},
		"populate high":    {Kfunc: "bpf_cpumask_weight", Masks: [][]uint64{edgeMasks(tp)[2]}},
		"src without pop":  {Kfunc: "bpf_cpumask_weight", Masks: [][]uint64{nil}, Src: []byte{1}},
		"populate no src":  {Kfunc: "bpf_cpumask_populate", Masks: [][]uint64{nil}},
		"repeat too large": {Kfunc: "bpf_cpumask_weight", Masks: [][]uint64{nil}, Repeat: maxRepeat + 1},
		"src too long":     {Kfunc: "bpf_cpumask_populate", Masks: [][]uint64{nil}, Src: make([]byte, maxSrc+1)},
	} {
		_, err := o.invoke(c)
		assert.ErrorIs(t, err, ErrInvalidInput, name)
	}
}

// TestOracleKernelMatchesModel checks every kfunc on edge and random
// inputs, loaded both ways, against kmodel: return values and every
// storage word, tails included. This is what backs the tail and overrun
// claims of docs/design-overrun.md.
func TestOracleKernelMatchesModel(t *testing.T) {
	o := Require(t)
	n := countComparisons(t)
	rng := testRand(t)
	tp := o.Topology()
	edges := edgeMasks(tp)
	pick := func() []uint64 {
		if rng.IntN(2) == 0 {
			return edges[rng.IntN(len(edges))]
		}
		return randMask(rng, tp)
	}
	cpus := edgeCPUs(tp)
	for _, fn := range cpumaskKfuncs() {
		for _, load := range []loadMode{loadPopulate, loadCopy} {
			t.Run(fn.String()+"/load="+load.String(), func(t *testing.T) {
				cases := 2 * len(edges)
				for i := range cases {
					c := kcall{Kfunc: fn, Load: load, Masks: make([][]uint64, fn.NumMasks())}
					for j := range c.Masks {
						if i < len(edges) && j == len(c.Masks)-1 {
							c.Masks[j] = forLoad(edges[i], load, tp) // every edge at least once
						} else {
							c.Masks[j] = forLoad(pick(), load, tp)
						}
					}
					if fn.TakesCPU() {
						c.CPU = cpus[i%len(cpus)]
						if i >= len(cpus) {
							c.CPU = uint32(rng.IntN(tp.NrCPUs + 2))
						}
					}
					if fn == "bpf_cpumask_populate" {
						c.Src = make([]byte, 1+rng.IntN(8*tp.Words()+8))
						for b := range c.Src {
							c.Src[b] = byte(rng.Uint32())
						}
					}
					isDistribute := fn == "bpf_cpumask_any_distribute" || fn == "bpf_cpumask_any_and_distribute"
					if isDistribute {
						c.Repeat = 4
					}
					r, err := o.invoke(c)
					require.NoError(t, err)

					m := kmodel{t: tp}
					if isDistribute {
						// The cursor's start is unknown (per-CPU, shared with
						// the scheduler), and any member is some cursor's next
						// pick, so the first answer is checked for membership
						// only; the model, seeded with it, predicts the rest.
						first := int(r.Rets[0])
						inMask := first < tp.NrCPUIDs && bit(c.Masks[0], first) &&
							(fn == "bpf_cpumask_any_distribute" || bit(c.Masks[1], first))
						if !inMask {
							want, _ := (&kmodel{t: tp}).apply(fn, 0, nil, c.Masks)
							require.Equal(t, uint64(tp.NrCPUIDs), want, "%s first pick %d of %#x", fn, first, c.Masks)
							require.Equal(t, tp.NrCPUIDs, first)
						}
						m.prev = uint32(first)
						for k := 1; k < len(r.Rets); k++ {
							want, _ := m.apply(fn, 0, nil, c.Masks)
							require.Equal(t, want, retMask(fn, r.Rets[k]), "%s call %d of %#x", fn, k, c.Masks)
						}
						*n += len(r.Rets)
						continue
					}
					want, wantMasks := m.apply(fn, c.CPU, c.Src, c.Masks)
					require.Equal(t, want, retMask(fn, r.Ret), "%s(cpu=%d, %#x, src=%x)", fn, c.CPU, c.Masks, c.Src)
					require.Equal(t, wantMasks, r.Masks, "%s(cpu=%d, %#x, src=%x) masks", fn, c.CPU, c.Masks, c.Src)
					*n += 2
				}
			})
		}
	}
}
