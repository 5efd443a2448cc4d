package main

import (
	"fmt"
	"testing"

	"github.com/bpfbitmap/prototype/bpfbitmap"
	"github.com/bpfbitmap/prototype/cast"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestKmallocClass(t *testing.T) {
	for _, tt := range []struct{ n, want int }{
		{1, 8}, {8, 8}, {9, 16}, {24, 32}, {48, 64}, {65, 96}, {80, 96}, {97, 128},
		{129, 192}, {193, 256}, {257, 512}, {1040, 2048}, {4096, 4096}, {4097, 8192}, {8193, 16384},
	} {
		assert.Equal(t, tt.want, kmallocClass(tt.n), "kmallocClass(%d)", tt.n)
	}
}

// TestAllocations checks the sizes against the worked examples in the
// kernel reference: §1.1 (bpf_cpumask is 16, 72 and 1032 bytes for NR_CPUS
// 64, 512 and 8192), §5.2 (units 24, 80 and 1040) and §5.3 (the bpf_bitmap
// class table).
func TestAllocations(t *testing.T) {
	type row struct{ bits, object, unit, class, excess int }
	for _, tt := range []struct {
		nrCPUIDs, nrCPUs   int
		fixed, exact, safe row
	}{
		// NR_CPUS <= 64: large_cpumask_bits = NR_CPUS.
		{1, 64, row{64, 16, 24, 32, 8}, row{1, 16, 24, 32, 8}, row{64, 16, 24, 32, 8}},
		{64, 64, row{64, 16, 24, 32, 8}, row{64, 16, 24, 32, 8}, row{64, 16, 24, 32, 8}},
		// 64 < NR_CPUS <= 256: a cast source must back NR_CPUS bits.
		{2, 256, row{256, 40, 48, 64, 40}, row{2, 16, 24, 32, 8}, row{256, 40, 48, 64, 40}},
		{65, 256, row{256, 40, 48, 64, 32}, row{65, 24, 32, 32, 0}, row{256, 40, 48, 64, 32}},
		// NR_CPUS > 256: everything is nr_cpu_ids wide.
		{16, 512, row{512, 72, 80, 96, 72}, row{16, 16, 24, 32, 8}, row{16, 16, 24, 32, 8}},
		{8, 8192, row{8192, 1032, 1040, 2048, 2024}, row{8, 16, 24, 32, 8}, row{8, 16, 24, 32, 8}},
		{256, 8192, row{8192, 1032, 1040, 2048, 2000}, row{256, 40, 48, 64, 16}, row{256, 40, 48, 64, 16}},
		{1024, 8192, row{8192, 1032, 1040, 2048, 1904}, row{1024, 136, 144, 192, 48}, row{1024, 136, 144, 192, 48}},
		{4096, 8192, row{8192, 1032, 1040, 2048, 1520}, row{4096, 520, 528, 1024, 496}, row{4096, 520, 528, 1024, 496}},
		{8192, 8192, row{8192, 1032, 1040, 2048, 1008}, row{8192, 1032, 1040, 2048, 1008}, row{8192, 1032, 1040, 2048, 1008}},
	} {
		t.Run(fmt.Sprintf("nr_cpu_ids=%d/NR_CPUS=%d", tt.nrCPUIDs, tt.nrCPUs), func(t *testing.T) {
			got, err := allocations(cast.MustTopology(tt.nrCPUIDs, tt.nrCPUs))
			require.NoError(t, err)
			require.Len(t, got, 3)
			for i, want := range []row{tt.fixed, tt.exact, tt.safe} {
				a := got[i]
				assert.Equal(t, want, row{a.Bits, a.ObjectBytes, a.UnitBytes, a.ClassBytes, a.ExcessBytes}, "%s sized by %s", a.Design, a.Sizing)
				assert.True(t, a.KernelClass)
				assert.GreaterOrEqual(t, a.ClassBytes, a.UnitBytes)
				assert.Equal(t, a.ClassBytes-a.NeededBytes, a.ExcessBytes)
			}
		})
	}
}

// TestAllocationsBeyondKernel: a bpf_bitmap above 32640 bits has no kernel
// class; bpf_bitmap_create would return NULL.
func TestAllocationsBeyondKernel(t *testing.T) {
	n := bpfbitmap.KernelMaxBits + 1
	got, err := allocations(cast.MustTopology(n, n))
	require.NoError(t, err)
	assert.False(t, got[1].KernelClass)
	assert.Equal(t, "none (NULL)", got[1].className())
	ok, err := allocations(cast.MustTopology(bpfbitmap.KernelMaxBits, bpfbitmap.KernelMaxBits))
	require.NoError(t, err)
	assert.True(t, ok[1].KernelClass)
	assert.Equal(t, "bpf_mem_alloc-4096", ok[1].className())
}
