package oracle

import (
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
	require.Len(t, costs, len(cpumaskKfuncs())+1)
	names := CostNames()
	require.Len(t, names, len(costs))
	for i, fn := range cpumaskKfuncs() {
		require.Equal(t, fn.String(), costs[i].Name)
		require.Equal(t, names[i], costs[i].Name)
		require.Equal(t, 16, costs[i].Iterations)
	}
	last := costs[len(costs)-1]
	require.Equal(t, CreateRelease, last.Name)
	require.Equal(t, 4, last.Iterations)
	require.Zero(t, last.NullCreates)
}
