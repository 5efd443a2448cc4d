package bench_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bpfbitmap/prototype/bench"
	"github.com/bpfbitmap/prototype/cast"
)

// BenchmarkDesign runs every Case: each cpumask kfunc, the cast,
// create+release and acquire+release, for both designs on TimingTopologies.
// Compare the designs with
//
//	go test -run '^$' -bench Design -count 6 ./bench | benchstat -col /design -
func BenchmarkDesign(b *testing.B) {
	for _, t := range bench.TimingTopologies {
		for _, make := range []func(cast.Topology) ([]bench.Case, func(), error){bench.Cases, bench.ArenaCases} {
			cases, release, err := make(t)
			require.NoError(b, err)
			for _, c := range cases {
				b.Run(c.Name(), c.Bench)
			}
			release()
		}
	}
}

// TestMemoryReference checks Memory against the kernel reference: §1.1
// (sizeof(struct bpf_cpumask) = 8*ceil(NR_CPUS/64)+8), §5.2 (units and
// classes) and the bpf_bitmap table of §5.3, on NR_CPUS=8192 where no
// padding applies.
func TestMemoryReference(t *testing.T) {
	// num_bits → payload (8 + 8·words), +8 header, size class (§5.3).
	for _, w := range []struct{ bits, object, unit, class int }{
		{64, 16, 24, 32},
		{96, 24, 32, 32},
		{256, 40, 48, 64},
		{1024, 136, 144, 192},
		{4096, 520, 528, 1024},
		{8192, 1032, 1040, 2048},
	} {
		rows, err := bench.Memory([]cast.Topology{cast.MustTopology(w.bits, 8192)})
		require.NoError(t, err)
		require.Len(t, rows, 1)
		r := rows[0]
		want := bench.Alloc{ObjectBytes: w.object, UnitBytes: w.unit, ClassBytes: w.class, WasteBytes: w.class - w.unit, KernelClass: true}
		assert.Equal(t, want, r.Generic, "bpf_bitmap of %d bits", w.bits)
		assert.Equal(t, want, r.GenericExact, "no padding on NR_CPUS=8192")
		// bpf_cpumask on NR_CPUS=8192: 1032 B object, 1040 B unit, 2048 class.
		assert.Equal(t, bench.Alloc{ObjectBytes: 1032, UnitBytes: 1040, ClassBytes: 2048, WasteBytes: 1008, KernelClass: true}, r.Fixed)
	}
}

// TestMemoryDesignCast pins the table of docs/design-cast.md §4 (which
// cast.TestMemoryCost measures on the allocator directly).
func TestMemoryDesignCast(t *testing.T) {
	want := map[[2]int][3]int{ // {n, NR_CPUS}: fixed, exact, padded class bytes
		{4, 64}: {32, 32, 32}, {64, 64}: {32, 32, 32}, {2, 128}: {32, 32, 32},
		{2, 256}: {64, 32, 64}, {65, 256}: {64, 32, 64}, {96, 256}: {64, 32, 64},
		{256, 256}: {64, 64, 64}, {4, 512}: {96, 32, 32}, {4, 8192}: {2048, 32, 32},
		{96, 8192}: {2048, 32, 32}, {1024, 8192}: {2048, 192, 192}, {8192, 8192}: {2048, 2048, 2048},
	}
	for k, w := range want {
		rows, err := bench.Memory([]cast.Topology{cast.MustTopology(k[0], k[1])})
		require.NoError(t, err)
		r := rows[0]
		assert.Equal(t, w, [3]int{r.Fixed.ClassBytes, r.GenericExact.ClassBytes, r.Generic.ClassBytes}, "nr_cpu_ids=%d NR_CPUS=%d", k[0], k[1])
		assert.Equal(t, w[0]-w[2], r.Saved())
		assert.Equal(t, w[2]-w[1], r.PaddingBytes())
	}
}

// TestMemoryAll checks every topology of the report for the invariants:
// the fixed object is NR_CPUS bits, the generic nr_cpu_ids bits, units carry
// the 8-byte header, the generic design never costs more than the fixed one,
// and the padding appears exactly where 64 < NR_CPUS <= 256 needs it.
func TestMemoryAll(t *testing.T) {
	ts := bench.Topologies()
	require.Len(t, ts, 50)
	rows, err := bench.Memory(ts)
	require.NoError(t, err)
	require.Len(t, rows, len(ts))
	words := func(bits int) int { return (bits + 63) / 64 }
	for _, r := range rows {
		name := fmt.Sprintf("nr_cpu_ids=%d NR_CPUS=%d", r.NrCPUIDs, r.NrCPUs)
		assert.Equal(t, 8*words(r.NrCPUs)+8, r.Fixed.ObjectBytes, name)
		assert.Equal(t, 8*words(r.NrCPUIDs)+8, r.Generic.ObjectBytes, name)
		for _, a := range []bench.Alloc{r.Fixed, r.Generic, r.GenericExact} {
			assert.Equal(t, a.ObjectBytes+8, a.UnitBytes, name)
			assert.Equal(t, a.ClassBytes-a.UnitBytes, a.WasteBytes, name)
			assert.True(t, a.KernelClass, name)
		}
		assert.GreaterOrEqual(t, r.Saved(), 0, name)
		if r.NrCPUs <= 64 || r.NrCPUs > 256 {
			assert.Equal(t, r.GenericExact, r.Generic, "%s: L fits nr_cpu_ids's words, no padding", name)
		}
		// The padding costs a class step exactly when 128 < NR_CPUS <= 256
		// and nr_cpu_ids <= 128 (docs/design-cast.md §4).
		assert.Equal(t, r.NrCPUs > 128 && r.NrCPUs <= 256 && r.NrCPUIDs <= 128, r.PaddingBytes() > 0, name)
	}
}

// TestCases checks that Cases gives every Fn in both designs, named for
// benchstat, and that each body runs (once) without allocating.
func TestCases(t *testing.T) {
	restore, err := bench.SetBenchtime("1x")
	require.NoError(t, err)
	defer restore()
	for _, tp := range bench.TimingTopologies {
		cases, release, err := bench.Cases(tp)
		require.NoError(t, err)
		require.Len(t, cases, 2*len(bench.Fns))
		for i, c := range cases {
			assert.Equal(t, bench.Fns[i/2], c.Fn)
			assert.Equal(t, bench.Designs[i%2], c.Design)
			assert.Equal(t, fmt.Sprintf("fn=%s/design=%s/cpus=%d", c.Fn, c.Design, tp.NrCPUIDs()), c.Name())
			r := testing.Benchmark(c.Bench)
			assert.Equal(t, 1, r.N, c.Name())
		}
		release()
	}
}

func TestSetBenchtime(t *testing.T) {
	_, err := bench.SetBenchtime("soon")
	require.ErrorIs(t, err, bench.ErrBenchtime)
	restore, err := bench.SetBenchtime("3x")
	require.NoError(t, err)
	r := testing.Benchmark(func(b *testing.B) {
		for b.Loop() {
		}
	})
	restore()
	assert.Equal(t, 3, r.N)
}

func TestRunTimingsAndPairs(t *testing.T) {
	restore, err := bench.SetBenchtime("10x")
	require.NoError(t, err)
	defer restore()
	var calls int
	ts, err := bench.RunTimings([]cast.Topology{cast.MustTopology(2, 256)}, 3, func(bench.Case, int) { calls++ })
	require.NoError(t, err)
	require.Len(t, ts, 2*len(bench.Fns)+1, "both designs of every Fn and the arena conversion")
	assert.Equal(t, 3*len(ts), calls)
	last := ts[len(ts)-1]
	assert.Equal(t, bench.Timing{Fn: bench.FnCast, Design: bench.Arena, NrCPUIDs: 2, NrCPUs: 256}, bench.Timing{Fn: last.Fn, Design: last.Design, NrCPUIDs: last.NrCPUIDs, NrCPUs: last.NrCPUs})
	for _, tm := range ts {
		assert.Len(t, tm.Runs, 3)
		assert.Greater(t, tm.NsPerOp, 0.0)
		assert.Zero(t, tm.AllocsPerOp, "%s/%s allocates", tm.Fn, tm.Design)
	}
	ps := bench.Pairs(ts)
	require.Len(t, ps, len(bench.Fns))
	for i, p := range ps {
		assert.Equal(t, bench.Fns[i], p.Fn)
		assert.Equal(t, bench.Fixed, p.Fixed.Design)
		assert.Equal(t, bench.Generic, p.Generic.Design)
	}
	g, n := bench.GeomeanRatio(ps, func(p bench.Pair) bool { return bench.IsCpumaskKfunc(p.Fn) })
	assert.Equal(t, 23, n)
	assert.False(t, math.IsNaN(g))
	g, n = bench.GeomeanRatio(nil, nil)
	assert.True(t, math.IsNaN(g))
	assert.Zero(t, n)
}

// TestSelftests: the verifier model accepts all 23 cpumask_success.c
// programs (kernel reference §8.1) in both designs, the proposal never needs
// fewer NULL checks, and the programs that create a mask through the
// selftests' create_cpumask() (which checks it with
// bpf_cpumask_empty(cast(mask))) each need at least one more.
func TestSelftests(t *testing.T) {
	ps, err := bench.Selftests()
	require.NoError(t, err)
	require.Len(t, ps, 23)
	names := map[string]bool{}
	byName := map[string]bench.SelftestProgram{}
	for _, p := range ps {
		assert.False(t, names[p.Name], "duplicate %s", p.Name)
		names[p.Name] = true
		byName[p.Name] = p
		assert.GreaterOrEqual(t, p.ExtraNullChecks(), 0, p.Name)
		assert.GreaterOrEqual(t, p.Generic.Insns, p.Fixed.Insns, p.Name)
		assert.Positive(t, p.Fixed.NullChecks, p.Name)
	}
	for _, name := range []string{"test_alloc_free_cpumask", "test_set_clear_cpu", "test_setall_clear_cpu",
		"test_first_firstzero_cpu", "test_test_and_set_clear", "test_insert_leave", "test_insert_remove_release",
		"test_cpumask_weight", "test_populate"} {
		assert.Positive(t, byName[name].ExtraNullChecks(), "%s creates through create_cpumask", name)
	}
	s := bench.SummarizeSelftests(ps)
	assert.Equal(t, 23, s.Programs)
	assert.Equal(t, s.Generic.NullChecks-s.Fixed.NullChecks, s.Casts)
	assert.LessOrEqual(t, s.Affected, 23)
	assert.Positive(t, s.MaxCasts)
}

func TestMemoryChart(t *testing.T) {
	rows, err := bench.Memory(bench.Topologies())
	require.NoError(t, err)
	for _, nr := range []int{256, 8192} {
		svg, err := bench.MemoryChart(rows, nr)
		require.NoError(t, err)
		s := string(svg)
		assert.Contains(t, s, "<svg")
		assert.Contains(t, s, fmt.Sprintf("NR_CPUS=%d", nr))
		assert.Equal(t, nr == 256, strings.Contains(s, "without the cast"), "the padding line only where it differs")
		again, err := bench.MemoryChart(rows, nr)
		require.NoError(t, err)
		assert.Equal(t, svg, again, "deterministic")
	}
	_, err = bench.MemoryChart(rows, 3)
	require.ErrorIs(t, err, bench.ErrNoData)
}

func TestTimeChart(t *testing.T) {
	ps := []bench.Pair{
		{Fn: "first", NrCPUIDs: 2, NrCPUs: 256, Fixed: bench.Timing{NsPerOp: 5}, Generic: bench.Timing{NsPerOp: 6}},
		{Fn: "cast", NrCPUIDs: 2, NrCPUs: 256, Fixed: bench.Timing{NsPerOp: 0.5}, Generic: bench.Timing{NsPerOp: math.NaN()}},
	}
	svg, err := bench.TimeChart(ps, 2, 256)
	require.NoError(t, err)
	assert.Contains(t, string(svg), "nr_cpu_ids=2 NR_CPUS=256")
	_, err = bench.TimeChart(ps, 64, 8192)
	require.ErrorIs(t, err, bench.ErrNoData)
}

// TestKernelCostsCommitted: the committed live-kernel measurement the
// report quotes parses and has every row the report renders.
func TestKernelCostsCommitted(t *testing.T) {
	k, err := bench.KernelCosts()
	require.NoError(t, err)
	assert.NotEmpty(t, k.Kernel)
	assert.Positive(t, k.Iterations)
	for _, op := range []string{"and", "or", "empty", "weight", "first"} {
		_, ok := k.Find(op, bench.Fixed, 0)
		assert.True(t, ok, op)
		_, ok = k.Find(op, bench.Arena, 1)
		assert.True(t, ok, op)
	}
	for _, op := range []string{"cast-inline", "cast-kfunc"} {
		_, ok := k.Find(op, bench.Generic, 0)
		assert.True(t, ok, op)
	}
	_, ok := k.Find("convert", bench.Arena, 1)
	assert.True(t, ok)
}
