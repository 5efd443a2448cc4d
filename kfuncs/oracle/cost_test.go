package oracle

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestOracleCostPrograms checks that the measurement programs verify and
// run for every kfunc; it asserts no timings (those come from
// cmd/kernelcost), only that every row is there and create never ran dry
// in a short loop.
func TestOracleCostPrograms(t *testing.T) {
	o := Require(t)
	costs, err := o.MeasureAll(16, 4, 1)
	require.NoError(t, err)
	require.Len(t, costs, len(Kfuncs())+1)
	for i, fn := range Kfuncs() {
		require.Equal(t, fn.String(), costs[i].Name)
		require.Equal(t, 16, costs[i].Iterations)
	}
	last := costs[len(costs)-1]
	require.Equal(t, CreateRelease, last.Name)
	require.Equal(t, 4, last.Iterations)
	require.Zero(t, last.NullCreates)
}

func TestRenderCostDoc(t *testing.T) {
	costs := []Cost{
		{Name: "bpf_cpumask_first", NsPerCall: 3.25, LoopNs: 2, Iterations: 10, Runs: 2},
		{Name: CreateRelease, NsPerCall: 41, LoopNs: 2, Iterations: 4, Runs: 16, NullCreates: 1},
	}
	var b bytes.Buffer
	err := RenderCostDoc(&b, CostReport{Topology: DeriveTopology(256, 2), Kernel: "6.18", Costs: costs},
		map[string]float64{"bpf_cpumask_first": 1.5})
	require.NoError(t, err)
	doc := b.String()
	require.Contains(t, doc, "| `bpf_cpumask_first` | 3.2 | 1.5 |")
	require.Contains(t, doc, "| `"+CreateRelease+"` | 41.0 | — |")
	require.Contains(t, doc, "Go model (ns/call)")
	require.Contains(t, doc, "NR_CPUS=256 nr_cpu_ids=2")

	b.Reset()
	require.NoError(t, RenderCostDoc(&b, CostReport{Costs: costs}, nil))
	require.Contains(t, b.String(), "| `bpf_cpumask_first` | 3.2 | — |", "the model column stays, empty")
}
