package bench

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bpfbitmap/prototype/cast"
	"github.com/bpfbitmap/prototype/kfuncs"
)

// TestHypotheticalRowBenchmarks: a cpumask kfunc added to the table is
// timed for both designs with no change here, under a name taken from its
// kernel name, running the row's own Call (kfuncs' TestHypotheticalRow
// lists what must change elsewhere).
func TestHypotheticalRowBenchmarks(t *testing.T) {
	calls := map[*kfuncs.Args]int{}
	row := kfuncs.Kfunc{
		Kernel: "bpf_cpumask_nth", Go: "CpumaskNth",
		Proto: "u32 bpf_cpumask_nth(u32 n, const struct cpumask *cpumask)",
		Flags: kfuncs.KfRcu, Since: "7.0", Kind: kfuncs.KindKfunc, Design: kfuncs.DesignShared,
		Call: func(a *kfuncs.Args, n int) { calls[a] += n },
	}
	table := append(kfuncs.Table{row}, kfuncs.Kfuncs...)
	require.True(t, IsCpumaskRow(row))
	fns := fnsOf(table)
	assert.Equal(t, "nth", fns[0])
	assert.Equal(t, Fns, fns[1:], "the rest as before")

	cases, release, err := casesOf(table, cast.MustTopology(2, 256))
	require.NoError(t, err)
	defer release()
	require.Len(t, cases, 2*len(fns))
	for i, d := range []Design{Fixed, Generic} {
		c := cases[i]
		assert.Equal(t, "fn=nth/design="+string(d)+"/cpus=2", c.Name())
		assert.Equal(t, "bpf_cpumask_nth", c.Kernel)
		testing.Benchmark(c.Bench)
	}
	require.Len(t, calls, 2, "one Args per design")
	for _, n := range calls {
		assert.Positive(t, n)
	}
}

// TestCasesNeedCalls: a table whose object rows lack a Call cannot make the
// report's cases, and says which.
func TestCasesNeedCalls(t *testing.T) {
	var table kfuncs.Table
	for _, row := range kfuncs.Kfuncs {
		if row.Kernel == "bpf_bitmap_acquire" {
			row.Call = nil
		}
		table = append(table, row)
	}
	_, _, err := casesOf(table, cast.MustTopology(2, 256))
	require.ErrorContains(t, err, "bpf_bitmap_acquire")
}
