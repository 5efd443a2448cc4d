package cast_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bpfbitmap/prototype/bpfbitmap"
	"github.com/bpfbitmap/prototype/cast"
)

// assertDeadView checks that m, a view of a released bitmap, does nothing:
// mutators change no memory, queries return their not-found values, and
// the cast of the bitmap fails.
func assertDeadView(t *testing.T, b *bpfbitmap.Bitmap, m *cast.OwnedCpumask) {
	t.Helper()
	m.Setall()
	m.SetCpu(1)
	m.Clear()
	assert.False(t, m.TestAndSetCpu(0))
	assert.ErrorIs(t, m.Populate(make([]byte, 64)), cast.ErrForeignBitmap)
	r := m.Cpumask()
	assert.Equal(t, uint32(cast.NotFound), r.First())
	assert.Equal(t, uint32(cast.NotFound), r.AnyDistribute())
	assert.Equal(t, uint32(0), r.Weight())
	assert.False(t, r.TestCpu(1))
	assert.Nil(t, r.Kernel())
	assert.Nil(t, cast.BitmapCastToCpumask(b))
	_, err := cast.To(b)
	assert.ErrorIs(t, err, cast.ErrForeignBitmap)
}

// The audit's case: a cast bitmap released, a grace period passed, a new
// bitmap created. On a checked kernel the new bitmap never shares the old
// memory, and the stale view writes nothing into it (it set 0xf in a 2-bit
// bitmap before); every use counts a warning.
func TestStaleViewCheckedKernel(t *testing.T) {
	k := newKernel(t, 4, 128)
	a := k.Allocator()
	a.SetChecked(true)
	b, err := k.NewBitmap(4)
	require.NoError(t, err)
	m := cast.MustBitmapCastToCpumask(b)
	m.SetCpu(2)
	require.True(t, b.Release())
	a.Synchronize()

	nb, err := k.NewBitmap(2)
	require.NoError(t, err)
	defer nb.Release()
	same, err := k.NewBitmap(4)
	require.NoError(t, err)
	defer same.Release()
	before := a.Stats().Warnings[bpfbitmap.WarnStale]
	//bpfbitmapvet:ignore useafterrelease the stale view is the subject of the test
	assertDeadView(t, b, m)
	assert.Equal(t, []uint64{0}, nb.Words(), "stale view wrote into the new bitmap")
	assert.Equal(t, []uint64{0}, same.Words())
	assert.Greater(t, a.Stats().Warnings[bpfbitmap.WarnStale], before)
	assert.False(t, b.Release(), "a stale Release frees nothing")
	assert.Equal(t, int32(1), nb.RefCount())
	assert.Equal(t, int32(1), same.RefCount())
	assert.Equal(t, 4, a.Stats().Live, "possible, online and the two new bitmaps")
}

// On an unchecked kernel the same view is caught between the end of the
// grace period and the reuse of its memory; inside the grace period it
// still works, as an RCU reader's would.
func TestStaleViewBeforeReuse(t *testing.T) {
	k := newKernel(t, 4, 128)
	b, err := k.NewBitmap(4)
	require.NoError(t, err)
	m := cast.MustBitmapCastToCpumask(b)
	require.True(t, b.Release())
	//bpfbitmapvet:ignore useafterrelease the view inside the grace period is the subject of the test
	m.SetCpu(3)
	assert.True(t, m.Cpumask().TestCpu(3), "inside the grace period the view still works")
	k.Allocator().Synchronize()
	assertDeadView(t, b, m)
	assert.Positive(t, k.Allocator().Stats().Warnings[bpfbitmap.WarnStale])
}

// The cast accepts num_bits == nr_cpu_ids only, also when the allocation
// is large enough for any cpumask operation: a longer or shorter bitmap is
// refused with ErrSizeMismatch.
func TestCastNumBitsMustEqualNrCPUIDs(t *testing.T) {
	for _, tc := range []struct{ n, nrCPUs int }{{2, 256}, {2, 64}, {64, 64}, {65, 8192}, {1, 1}} {
		k := newKernel(t, tc.n, tc.nrCPUs)
		capBits := max(k.Topology().LargeCpumaskBits(), tc.nrCPUs)
		for _, bits := range []int{tc.n - 1, tc.n + 1, tc.nrCPUs, tc.nrCPUs + 1} {
			if bits == tc.n || bits < 0 {
				continue
			}
			b, err := k.Allocator().NewCap(bits, capBits)
			require.NoError(t, err)
			assert.Nil(t, cast.BitmapCastToCpumask(b), "num_bits %d on nr_cpu_ids %d", bits, tc.n)
			_, err = cast.To(b)
			assert.ErrorIs(t, err, cast.ErrSizeMismatch)
			b.Release()
		}
		b, err := k.Allocator().NewCap(tc.n, capBits)
		require.NoError(t, err)
		assert.NotNil(t, cast.BitmapCastToCpumask(b))
		b.Release()
	}
}

// Clear and Copy write large_cpumask_bits, whole words, not
// small_cpumask_bits: the words past nr_cpu_ids up to L change, those past L
// do not. This is what the overrun argument and the padding rest on.
func TestClearCopyWriteLargeCpumaskBits(t *testing.T) {
	for _, tc := range []struct{ n, nrCPUs int }{{2, 256}, {4, 128}, {1, 65}, {65, 8192}, {3, 64}} {
		k := newKernel(t, tc.n, tc.nrCPUs)
		l := k.Topology().LargeCpumaskBits()
		lw := (l + 63) / 64
		dstB, err := k.Allocator().NewCap(tc.n, l+128)
		require.NoError(t, err)
		srcB, err := k.Allocator().NewCap(tc.n, l+128)
		require.NoError(t, err)
		dst, src := cast.MustBitmapCastToCpumask(dstB), cast.MustBitmapCastToCpumask(srcB)
		name := k.Topology().String()

		for i := range dstB.Backing() {
			dstB.Backing()[i] = ^uint64(0)
		}
		dst.Clear()
		for i, w := range dstB.Backing() {
			if i < lw {
				assert.Zero(t, w, "%s: Clear left word %d of %d", name, i, lw)
			} else {
				assert.Equal(t, ^uint64(0), w, "%s: Clear wrote word %d past L", name, i)
			}
		}

		for i := range srcB.Backing() {
			srcB.Backing()[i] = 0x5555555555555555 + uint64(i)
		}
		dst.Copy(src.Cpumask())
		for i, w := range dstB.Backing() {
			if i < lw {
				assert.Equal(t, srcB.Backing()[i], w, "%s: Copy skipped word %d of %d", name, i, lw)
			} else {
				assert.Equal(t, ^uint64(0), w, "%s: Copy wrote word %d past L", name, i)
			}
		}
		dstB.Release()
		srcB.Release()
	}
}

// A topology NewKernel cannot build is refused by NewTopology already, so
// NewKernel fails only as its doc says.
func TestNewTopologyBounds(t *testing.T) {
	for _, tc := range [][2]int{{1<<31 - 1, 1<<31 - 1}, {1, cast.MaxNrCPUs + 1}, {0, 1}, {1, 0}, {3, 2}, {-1, 4}} {
		_, err := cast.NewTopology(tc[0], tc[1])
		assert.ErrorIs(t, err, cast.ErrTopology, "%v", tc)
	}
	tp, err := cast.NewTopology(1, cast.MaxNrCPUs)
	require.NoError(t, err)
	k, err := cast.NewKernel(tp)
	require.NoError(t, err, "the largest topology builds")
	assert.Equal(t, uint32(0), k.CPUPossibleMask().First())
}

// On an unchecked kernel a stale view whose memory the allocator has handed
// to a bitmap of another length writes nothing into it: the view's words are
// a mask's only for the lengths a mask of the kernel has (it set every bit
// of a 2-bit bitmap's word, past its length, before).
func TestStaleViewReusedOtherLength(t *testing.T) {
	k := newKernel(t, 4, 128)
	b, err := k.NewBitmap(4)
	require.NoError(t, err)
	m := cast.MustBitmapCastToCpumask(b)
	sb, err := k.NewBitmap(4)
	require.NoError(t, err)
	defer sb.Release()
	src := cast.MustBitmapCastToCpumask(sb)
	src.Setall()
	require.True(t, b.Release())
	k.Allocator().Synchronize()

	nb, err := k.NewBitmap(2)
	require.NoError(t, err)
	defer nb.Release()
	require.Same(t, b, nb, "the test needs the allocator to reuse the unit")
	//bpfbitmapvet:ignore useafterrelease the stale view is the subject of the test
	m.Setall()
	m.Copy(src.Cpumask())
	m.Or(src.Cpumask(), src.Cpumask())
	m.Xor(src.Cpumask(), src.Cpumask())
	m.And(src.Cpumask(), src.Cpumask())
	assert.Equal(t, []uint64{0}, nb.Words(), "stale view wrote into the new 2-bit bitmap")
	assert.Equal(t, uint32(0), m.Cpumask().Weight())
}
