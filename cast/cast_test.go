package cast_test

import (
	"errors"
	"sync"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bpfbitmap/prototype/bpfbitmap"
	"github.com/bpfbitmap/prototype/cast"
)

func newKernel(t *testing.T, nrCPUIDs, nrCPUs int) *cast.Kernel {
	t.Helper()
	k, err := cast.NewKernel(cast.MustTopology(nrCPUIDs, nrCPUs))
	require.NoError(t, err)
	return k
}

func TestNewKernelInvalid(t *testing.T) {
	_, err := cast.NewKernel(cast.Topology{})
	require.ErrorIs(t, err, cast.ErrTopology)
	require.ErrorIs(t, err, syscall.EINVAL)
	require.Panics(t, func() { cast.MustKernel(cast.Topology{}) })
}

func TestKernelMasks(t *testing.T) {
	k := newKernel(t, 6, 64)
	for _, m := range []*cast.Cpumask{k.CPUOnlineMask(), k.CPUPossibleMask()} {
		require.Equal(t, uint32(6), m.Weight())
		require.True(t, m.Full())
		require.False(t, m.TestCpu(6))
		require.Same(t, k, m.Kernel())
	}
	task, err := k.NewTask(1, 3)
	require.NoError(t, err)
	require.Equal(t, uint32(1), task.CpusPtr.First())
	require.True(t, task.CpusPtr.TestCpu(3))
	_, err = k.NewTask(6)
	require.ErrorIs(t, err, bpfbitmap.ErrRange)
}

// TestCastZeroCopy: the view and the bitmap are one memory, both ways.
func TestCastZeroCopy(t *testing.T) {
	k := newKernel(t, 96, 8192)
	b, err := k.NewBitmap(96)
	require.NoError(t, err)
	defer b.Release()
	m := cast.BitmapCastToCpumask(b)
	require.NotNil(t, m)

	m.SetCpu(70)
	assert.True(t, b.Test(70), "write through the view must show in the bitmap")
	b.Set(5)
	assert.True(t, m.Cpumask().TestCpu(5), "write to the bitmap must show in the view")
	assert.Equal(t, uint32(5), m.Cpumask().First())
	assert.Equal(t, uint32(2), m.Cpumask().Weight())
	require.Equal(t, b.Words(), m.Cpumask().AppendWords(nil)[:len(b.Words())])
}

func TestCastChecks(t *testing.T) {
	k := newKernel(t, 2, 256) // the test machine: L = NR_CPUS = 256 > 64*words(N)
	other := newKernel(t, 2, 256)

	good, err := k.NewBitmap(2)
	require.NoError(t, err)
	defer good.Release()
	require.GreaterOrEqual(t, good.Cap(), 256, "NewBitmap pads a castable bitmap to large_cpumask_bits")
	require.NotNil(t, cast.BitmapCastToCpumask(good))
	require.NotPanics(t, func() { cast.MustBitmapCastToCpumask(good) })

	wrong, err := k.NewBitmap(3)
	require.NoError(t, err)
	defer wrong.Release()
	short, err := k.Allocator().New(2) // exact size, no padding: Cap 128 < L 256
	require.NoError(t, err)
	defer short.Release()
	require.Less(t, short.Cap(), 256)
	foreign := bpfbitmap.MustNew(2)
	defer foreign.Release()
	elsewhere, err := other.NewBitmap(2)
	require.NoError(t, err)
	defer elsewhere.Release()

	tests := []struct {
		name string
		b    *bpfbitmap.Bitmap
		is   []error
	}{
		{"nil", nil, []error{cast.ErrForeignBitmap, syscall.EINVAL}},
		{"num_bits != nr_cpu_ids", wrong, []error{cast.ErrSizeMismatch, bpfbitmap.ErrSizeMismatch, syscall.EINVAL}},
		{"backing < large_cpumask_bits", short, []error{cast.ErrShortBacking, syscall.ERANGE}},
		{"not from a Kernel", foreign, []error{cast.ErrForeignBitmap}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Nil(t, cast.BitmapCastToCpumask(tt.b))
			_, err := cast.To(tt.b)
			require.Error(t, err)
			for _, target := range tt.is {
				require.ErrorIs(t, err, target)
			}
			require.PanicsWithValue(t, "cast.MustBitmapCastToCpumask: "+err.Error(), func() {
				cast.MustBitmapCastToCpumask(tt.b)
			})
		})
	}
	_, err = cast.To(wrong)
	var ce *cast.CastError
	require.True(t, errors.As(err, &ce))
	require.Equal(t, cast.CastError{NumBits: 3, NrCPUIDs: 2, CapBits: wrong.Cap(), NeedBits: 256}, *ce)
	require.EqualError(t, err, "cast to cpumask: num_bits 3 != nr_cpu_ids 2")

	// A bitmap of another kernel casts on its own kernel only, and operations
	// never mix kernels.
	m, o := cast.BitmapCastToCpumask(good), cast.BitmapCastToCpumask(elsewhere)
	require.NotNil(t, m)
	require.NotNil(t, o)
	o.SetCpu(1)
	m.Copy(o.Cpumask())
	require.False(t, m.Cpumask().TestCpu(1), "copy across kernels must do nothing")
	require.Equal(t, uint32(cast.NotFound), m.Cpumask().FirstAnd(o.Cpumask()))
}

// TestCastOverrun shows the hazard the padding removes: on a kernel with
// 64 < NR_CPUS <= 256, cpumask_copy and cpumask_clear touch NR_CPUS bits of a
// bitmap of nr_cpu_ids bits. The neighbours in the same size class must
// survive.
func TestCastOverrun(t *testing.T) {
	for _, tc := range []struct{ n, nrCPUs int }{{2, 256}, {4, 128}, {65, 256}, {1, 65}} {
		k := newKernel(t, tc.n, tc.nrCPUs)
		l := k.Topology().LargeCpumaskBits()
		var objs []*bpfbitmap.Bitmap
		for range 4 {
			b, err := k.NewBitmap(tc.n)
			require.NoError(t, err)
			objs = append(objs, b)
		}
		for _, b := range objs[1:] {
			b.Fill()
		}
		src := cast.MustBitmapCastToCpumask(objs[1])
		dst := cast.MustBitmapCastToCpumask(objs[0])
		dst.Copy(src.Cpumask())
		require.Equal(t, uint32(tc.n), dst.Cpumask().Weight())
		dst.Setall()
		dst.Clear()
		require.True(t, dst.Cpumask().Empty())
		touched := len(dst.Cpumask().AppendWords(nil))
		require.GreaterOrEqual(t, touched*64, l, "operations touch L bits")
		require.LessOrEqual(t, touched*64, objs[0].Cap(), "and stay inside the allocation")
		for i, b := range objs[1:] {
			require.True(t, b.Full(), "n=%d NR_CPUS=%d: neighbour %d damaged", tc.n, tc.nrCPUs, i)
		}
		for _, b := range objs {
			b.Release()
		}
		require.Equal(t, 2, k.Allocator().Stats().Live, "only the kernel's possible and online masks stay live")
	}
}

func TestCastAllocs(t *testing.T) {
	k := newKernel(t, 64, 64)
	b, err := k.NewBitmap(64)
	require.NoError(t, err)
	defer b.Release()
	var m *cast.OwnedCpumask
	allocs := testing.AllocsPerRun(100, func() { m = cast.BitmapCastToCpumask(b) })
	require.Zero(t, allocs)
	require.NotNil(t, m)
}

func TestSetCpuConcurrent(t *testing.T) {
	k := newKernel(t, 256, 8192)
	b, err := k.NewBitmap(256)
	require.NoError(t, err)
	defer b.Release()
	m := cast.MustBitmapCastToCpumask(b)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for cpu := g; cpu < 256; cpu += 4 {
				m.SetCpu(uint32(cpu))
				m.Cpumask().TestCpu(uint32(cpu))
			}
		})
	}
	wg.Wait()
	require.True(t, m.Cpumask().Full())
}

func TestPopulateErrors(t *testing.T) {
	k := newKernel(t, 65, 8192)
	b, err := k.NewBitmap(65)
	require.NoError(t, err)
	defer b.Release()
	m := cast.MustBitmapCastToCpumask(b)
	require.ErrorIs(t, m.Populate(make([]byte, 15)), cast.ErrAccess)
	require.ErrorIs(t, m.Populate(make([]byte, 15)), syscall.EACCES)
	buf := make([]byte, 17)
	for i := range buf {
		buf[i] = 0xff
	}
	require.NoError(t, m.Populate(buf[1:]), "unaligned is fine with efficient unaligned access")
	k.SetEfficientUnalignedAccess(false)
	require.ErrorIs(t, m.Populate(buf[1:]), cast.ErrUnaligned)
	require.ErrorIs(t, m.Populate(buf[1:]), syscall.EINVAL)
	var nilMask *cast.OwnedCpumask
	require.ErrorIs(t, nilMask.Populate(buf), cast.ErrForeignBitmap)
}
