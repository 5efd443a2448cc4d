package cast_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bpfbitmap/prototype/cast"
)

// memoryRow is what one cpumask costs in each design on one topology, in
// bpf_mem_alloc size classes (unit bytes, allocator header included).
type memoryRow struct {
	n, nrCPUs     int
	fixed         int // BPFCpumask: NR_CPUS bits
	genericExact  int // a bitmap of exactly nr_cpu_ids bits (unsafe to cast when L > its words)
	genericPadded int // what BitmapCreate/NewBitmap allocate: room for large_cpumask_bits
}

// TestMemoryCost pins the numbers of docs/design-cast.md ("Memory cost of
// the overrun choice"), measured on the allocator itself.
func TestMemoryCost(t *testing.T) {
	want := []memoryRow{
		{4, 64, 32, 32, 32},
		{64, 64, 32, 32, 32},
		{2, 128, 32, 32, 32},
		{2, 256, 64, 32, 64},
		{65, 256, 64, 32, 64},
		{96, 256, 64, 32, 64},
		{256, 256, 64, 64, 64},
		{4, 512, 96, 32, 32},
		{4, 8192, 2048, 32, 32},
		{96, 8192, 2048, 32, 32},
		{1024, 8192, 2048, 192, 192},
		{8192, 8192, 2048, 2048, 2048},
	}
	for _, w := range want {
		k := cast.MustKernel(cast.MustTopology(w.n, w.nrCPUs))
		unit := func(nbits int, padded bool) int {
			before := k.Allocator().Stats()
			var err error
			if padded {
				b, e := k.NewBitmap(nbits)
				err = e
				defer b.Release()
			} else {
				b, e := k.Allocator().New(nbits)
				err = e
				defer b.Release()
			}
			require.NoError(t, err)
			after := k.Allocator().Stats()
			for i := range after.Classes {
				if after.Classes[i].Live > before.Classes[i].Live {
					return after.Classes[i].Unit
				}
			}
			t.Fatalf("no class grew")
			return 0
		}
		got := memoryRow{w.n, w.nrCPUs, unit(w.nrCPUs, false), unit(w.n, false), unit(w.n, true)}
		t.Logf("| %d | %d | %d | %d | %d |", got.n, got.nrCPUs, got.fixed, got.genericExact, got.genericPadded)
		require.Equal(t, w, got, fmt.Sprintf("nr_cpu_ids=%d NR_CPUS=%d", w.n, w.nrCPUs))
	}
}
