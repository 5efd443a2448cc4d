package testutil

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSeed(t *testing.T) {
	t.Setenv("TEST_SEED", "42")
	assert.Equal(t, uint64(42), Seed(t))
}

func TestNewCpumaskWidths(t *testing.T) {
	tests := []struct{ n, nr, s, l, words int }{
		{4, 64, 64, 64, 1},    // NR_CPUS <= 64: S = L = NR_CPUS
		{2, 256, 2, 256, 4},   // 64 < NR_CPUS <= 256: S = N, L = NR_CPUS
		{96, 8192, 96, 96, 2}, // NR_CPUS > 256: both N
		{8192, 8192, 8192, 8192, 128},
	}
	for _, tt := range tests {
		m := NewCpumask(tt.n, tt.nr)
		assert.Equal(t, []int{tt.s, tt.l, tt.words}, []int{m.S, m.L, m.Words()}, "nr_cpu_ids=%d NR_CPUS=%d", tt.n, tt.nr)
	}
}

func TestCpumaskCallErrors(t *testing.T) {
	m := NewCpumask(4, 128)
	_, err := m.Call("bpf_cpumask_nope", 0, nil, nil)
	require.ErrorIs(t, err, ErrUnknownKfunc)
	_, err = m.Call("bpf_cpumask_first", 0, nil, [][]uint64{{0}})
	require.Error(t, err, "a mask shorter than Words()")
	assert.Len(t, m.Kfuncs(), 23)
}

// TestCpumaskTails: the widths the model applies, on the words past
// nr_cpu_ids, where the kernel's operations differ.
func TestCpumaskTails(t *testing.T) {
	m := NewCpumask(2, 256)
	w := []uint64{0, 0, 0, 0}
	_, err := m.Call("bpf_cpumask_setall", 0, nil, [][]uint64{w})
	require.NoError(t, err)
	assert.Equal(t, []uint64{^uint64(0), 0, 0, 0}, w, "bitmap_fill of N bits fills the whole word")
	w = []uint64{^uint64(0), 1, 1, 1}
	_, err = m.Call("bpf_cpumask_clear", 0, nil, [][]uint64{w})
	require.NoError(t, err)
	assert.Equal(t, []uint64{0, 0, 0, 0}, w, "clear touches L = NR_CPUS bits")
	r, err := m.Call("bpf_cpumask_populate", 0, []byte{1}, [][]uint64{w})
	require.NoError(t, err)
	assert.Equal(t, uint64(0xffff_fff3), r, "-EACCES as R0's 32 bits")
	r, err = m.Call("bpf_cpumask_weight", 0, nil, [][]uint64{{^uint64(0), 0, 0, 0}})
	require.NoError(t, err)
	assert.Equal(t, uint64(2), r, "weight over S = N bits")
}
