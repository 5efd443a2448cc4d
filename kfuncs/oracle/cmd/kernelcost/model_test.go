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
	for _, name := range append(oracle.CostNames(), oracle.CastToCpumask) {
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
	got := map[string]bool{}
	for _, fn := range bench.Fns {
		if name, ok := kernelName(fn); ok && name != oracle.CastToCpumask {
			got[name] = true
		}
	}
	require.Equal(t, want, got, "every kernel row has exactly one bench operation")
	_, ok := kernelName(bench.FnAcquireRelease)
	require.False(t, ok, "the kernel side does not measure acquire+release")
}

func TestModelMethod(t *testing.T) {
	s := modelMethod(cast.MustTopology(2, 256), "100ms", 5)
	assert.Contains(t, s, "benchtime 100ms")
	assert.Contains(t, s, "fastest of 5 runs")
	assert.Contains(t, s, "nr_cpu_ids=2 NR_CPUS=256")
}
