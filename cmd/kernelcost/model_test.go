package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bpfbitmap/prototype/bench"
	"github.com/bpfbitmap/prototype/cast"
	"github.com/bpfbitmap/prototype/kfuncs/oracle"
)

// TestMeasureModel checks that the model measurement gives a positive ns per
// call in both designs for every row the kernel side measures, and for the
// cast. A fixed count of iterations keeps it fast; no kernel is needed.
func TestMeasureModel(t *testing.T) {
	model, err := measureModel(cast.MustTopology(2, 256), "50x", 1)
	require.NoError(t, err)
	for _, name := range append(oracle.CostNames(), castToCpumask) {
		m, ok := model[name]
		if assert.True(t, ok, "no model number for %s", name) {
			assert.Positive(t, m.Fixed, "%s fixed", name)
			assert.Positive(t, m.Generic, "%s generic", name)
		}
	}
}

func TestKernelName(t *testing.T) {
	want := map[string]bool{}
	for _, name := range oracle.CostNames() {
		want[name] = true
	}
	cases, release, err := bench.Cases(cast.MustTopology(2, 256))
	require.NoError(t, err)
	defer release()
	for _, d := range []bench.Design{bench.Fixed, bench.Generic} {
		got := map[string]bool{}
		for _, c := range cases {
			if name, ok := kernelName(c); ok && c.Design == d && name != castToCpumask {
				require.False(t, got[name], "%s twice", name)
				got[name] = true
			}
		}
		require.Equal(t, want, got, "every kernel row has exactly one %s case", d)
	}
	_, ok := kernelName(bench.Case{Fn: bench.FnAcquireRelease})
	require.False(t, ok, "the kernel side does not measure acquire+release")
}

func TestModelMethod(t *testing.T) {
	s := modelMethod(cast.MustTopology(2, 256), "100ms", 5)
	assert.Contains(t, s, "benchtime 100ms")
	assert.Contains(t, s, "fastest of 5 runs")
	assert.Contains(t, s, "nr_cpu_ids=2 NR_CPUS=256")
}
