package kfuncs_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bpfbitmap/prototype/bpfbitmap"
	"github.com/bpfbitmap/prototype/cast"
	"github.com/bpfbitmap/prototype/kfuncs"
)

func TestBitmapCreate(t *testing.T) {
	k := cast.MustKernel(cast.MustTopology(4, 128))
	tests := []struct {
		bits int32
		ok   bool
	}{
		{-1, false}, {0, false}, {1, true}, {4, true}, {64, true},
		{bpfbitmap.KernelMaxBits, true}, {bpfbitmap.KernelMaxBits + 1, false},
	}
	for _, tt := range tests {
		b := kfuncs.BitmapCreate(k, tt.bits)
		require.Equalf(t, tt.ok, b != nil, "BitmapCreate(%d)", tt.bits)
		if b != nil {
			assert.Equal(t, int(tt.bits), b.Len())
			assert.EqualValues(t, 1, b.RefCount())
			assert.True(t, kfuncs.BitmapEmpty(b))
			kfuncs.BitmapRelease(b)
		}
	}
	assert.Nil(t, kfuncs.BitmapCreate(nil, 4))

	k.Allocator().FailNext(1) // this CPU's cache is empty
	assert.Nil(t, kfuncs.BitmapCreate(k, 4), "KF_RET_NULL on allocation failure")
	b := kfuncs.BitmapCreate(k, 4)
	require.NotNil(t, b)
	assert.GreaterOrEqual(t, b.Cap(), 128, "nr_cpu_ids-sized: room for large_cpumask_bits")
	assert.Same(t, b, kfuncs.BitmapAcquire(b))
	assert.EqualValues(t, 2, b.RefCount())
	kfuncs.BitmapRelease(b)
	kfuncs.BitmapRelease(b)
	//bpfbitmapvet:ignore useafterrelease the count after the last release is the subject of the test
	assert.Zero(t, b.RefCount())
}

func TestBitmapKfuncs(t *testing.T) {
	k := cast.MustKernel(cast.MustTopology(8, 64))
	b := kfuncs.BitmapCreate(k, 130)
	require.NotNil(t, b)
	defer kfuncs.BitmapRelease(b)

	assert.EqualValues(t, 130, kfuncs.FindFirstBit(b), "not found is num_bits")
	assert.EqualValues(t, 130, kfuncs.FindLastBit(b))
	assert.EqualValues(t, 0, kfuncs.FindFirstZeroBit(b))
	kfuncs.BitmapSetBit(5, b)
	kfuncs.BitmapSetBit(129, b)
	kfuncs.BitmapSetBit(130, b) // out of range: nothing
	kfuncs.BitmapSetBit(1<<31, b)
	assert.EqualValues(t, 2, kfuncs.BitmapWeight(b))
	assert.EqualValues(t, 5, kfuncs.FindFirstBit(b))
	assert.EqualValues(t, 129, kfuncs.FindNextBit(b, 6))
	assert.EqualValues(t, 130, kfuncs.FindNextBit(b, 130))
	assert.EqualValues(t, 130, kfuncs.FindNextBit(b, ^uint32(0)))
	assert.EqualValues(t, 129, kfuncs.FindLastBit(b))
	assert.True(t, kfuncs.BitmapTestBit(129, b))
	assert.False(t, kfuncs.BitmapTestBit(130, b))
	assert.False(t, kfuncs.BitmapTestAndSetBit(7, b))
	assert.True(t, kfuncs.BitmapTestAndSetBit(7, b))
	assert.True(t, kfuncs.BitmapTestAndClearBit(7, b))
	assert.False(t, kfuncs.BitmapTestAndClearBit(7, b))
	assert.False(t, kfuncs.BitmapTestAndSetBit(130, b))
	kfuncs.BitmapClearBit(5, b)
	assert.EqualValues(t, 129, kfuncs.FindFirstBit(b))

	c := kfuncs.BitmapCreate(k, 130)
	d := kfuncs.BitmapCreate(k, 130)
	short := kfuncs.BitmapCreate(k, 64)
	require.NotNil(t, c)
	require.NotNil(t, d)
	require.NotNil(t, short)
	defer kfuncs.BitmapRelease(c)
	defer kfuncs.BitmapRelease(d)
	defer kfuncs.BitmapRelease(short)
	kfuncs.BitmapSetBit(1, c)
	kfuncs.BitmapOr(d, b, c)
	assert.EqualValues(t, 2, kfuncs.BitmapWeight(d))
	assert.True(t, kfuncs.BitmapSubset(b, d))
	assert.False(t, kfuncs.BitmapSubset(d, b))
	assert.True(t, kfuncs.BitmapIntersects(d, c))
	assert.False(t, kfuncs.BitmapAnd(d, b, c), "disjoint")
	assert.True(t, kfuncs.BitmapEmpty(d))
	kfuncs.BitmapXor(d, b, c)
	assert.EqualValues(t, 2, kfuncs.BitmapWeight(d))
	assert.True(t, kfuncs.BitmapAndnot(d, d, c))
	assert.True(t, kfuncs.BitmapEqual(d, b))
	kfuncs.BitmapCopy(d, c)
	assert.True(t, kfuncs.BitmapEqual(d, c))
	assert.False(t, kfuncs.BitmapFull(d))

	// Mixed lengths: writers change nothing and report false.
	kfuncs.BitmapSetBit(3, short)
	assert.False(t, kfuncs.BitmapAnd(d, short, c))
	kfuncs.BitmapOr(d, short, c)
	kfuncs.BitmapXor(d, short, c)
	kfuncs.BitmapCopy(d, short)
	assert.False(t, kfuncs.BitmapAndnot(d, short, c))
	assert.True(t, kfuncs.BitmapEqual(d, c), "dst unchanged")
	assert.False(t, kfuncs.BitmapEqual(short, c))

	for i := range uint32(64) {
		kfuncs.BitmapSetBit(i, short)
	}
	assert.True(t, kfuncs.BitmapFull(short))
}

// TestBitmapCastKfunc: the cast kfunc, its nil cases, and that the result is
// one memory with the bitmap.
func TestBitmapCastKfunc(t *testing.T) {
	k := cast.MustKernel(cast.MustTopology(2, 256))
	b := kfuncs.BitmapCreate(k, 2)
	other := kfuncs.BitmapCreate(k, 3)
	require.NotNil(t, b)
	require.NotNil(t, other)
	defer kfuncs.BitmapRelease(b)
	defer kfuncs.BitmapRelease(other)
	assert.Nil(t, kfuncs.BitmapCastToCpumask(nil))
	assert.Nil(t, kfuncs.BitmapCastToCpumask(other), "num_bits != nr_cpu_ids")
	m := kfuncs.BitmapCastToCpumask(b)
	require.NotNil(t, m)
	kfuncs.CpumaskSetCpu(1, m)
	assert.True(t, kfuncs.BitmapTestBit(1, b))
	kfuncs.BitmapSetBit(0, b)
	assert.EqualValues(t, 0, kfuncs.CpumaskFirst(m.Cpumask()))
	assert.EqualValues(t, 2, kfuncs.CpumaskWeight(m.Cpumask()))
	kfuncs.CpumaskClear(m) // 256 bits: inside b's allocation
	assert.True(t, kfuncs.BitmapEmpty(b))
}

// TestNilArguments: no exported function panics on nil, as the package doc
// promises; the values are the not-found ones.
func TestNilArguments(t *testing.T) {
	var m *kfuncs.BPFCpumask
	var o *cast.OwnedCpumask
	var r *cast.Cpumask
	var b *bpfbitmap.Bitmap
	require.NotPanics(t, func() {
		assert.Nil(t, kfuncs.CpumaskCreate(nil))
		assert.Nil(t, kfuncs.CpumaskAcquire(nil))
		kfuncs.CpumaskRelease(nil)
		kfuncs.CpumaskReleaseDtor(nil)
		assert.Nil(t, m.Cpumask())
		assert.Nil(t, o.Cpumask())
		assert.GreaterOrEqual(t, kfuncs.CpumaskFirst(r), uint32(cast.NotFound))
		assert.GreaterOrEqual(t, kfuncs.CpumaskFirstZero(r), uint32(cast.NotFound))
		assert.GreaterOrEqual(t, kfuncs.CpumaskFirstAnd(r, r), uint32(cast.NotFound))
		assert.GreaterOrEqual(t, kfuncs.CpumaskAnyDistribute(r), uint32(cast.NotFound))
		assert.GreaterOrEqual(t, kfuncs.CpumaskAnyAndDistribute(r, r), uint32(cast.NotFound))
		assert.Zero(t, kfuncs.CpumaskWeight(r))
		for _, f := range []func() bool{
			func() bool { return kfuncs.CpumaskTestCpu(0, r) },
			func() bool { return kfuncs.CpumaskEqual(r, r) },
			func() bool { return kfuncs.CpumaskIntersects(r, r) },
			func() bool { return kfuncs.CpumaskSubset(r, r) },
			func() bool { return kfuncs.CpumaskEmpty(r) },
			func() bool { return kfuncs.CpumaskFull(r) },
			func() bool { return kfuncs.CpumaskTestAndSetCpu(0, m) },
			func() bool { return kfuncs.CpumaskTestAndClearCpu(0, o) },
			func() bool { return kfuncs.CpumaskAnd(m, r, r) },
			func() bool { return kfuncs.BitmapFull(b) },
			func() bool { return kfuncs.BitmapTestBit(0, b) },
			func() bool { return kfuncs.BitmapAnd(b, b, b) },
		} {
			assert.False(t, f())
		}
		kfuncs.CpumaskSetCpu(0, m)
		kfuncs.CpumaskClearCpu(0, o)
		kfuncs.CpumaskSetall(m)
		kfuncs.CpumaskClear(o)
		kfuncs.CpumaskOr(m, r, r)
		kfuncs.CpumaskXor(o, r, r)
		kfuncs.CpumaskCopy(m, r)
		assert.Negative(t, kfuncs.CpumaskPopulate(m, make([]byte, 8)))
		assert.Nil(t, kfuncs.BitmapAcquire(nil))
		kfuncs.BitmapRelease(nil)
		kfuncs.BitmapReleaseDtor(nil)
		assert.Nil(t, kfuncs.BitmapCastToCpumask(nil))
		assert.Zero(t, kfuncs.FindFirstBit(b))
		assert.Zero(t, kfuncs.FindNextBit(b, 3))
		assert.Zero(t, kfuncs.BitmapWeight(b))
		kfuncs.BitmapSetBit(0, b)
		kfuncs.BitmapOr(b, b, b)
		assert.Equal(t, -int32(22), kfuncs.IterBitsNew(nil, nil, 0))
		assert.Nil(t, kfuncs.IterBitsNext(nil))
		kfuncs.IterBitsDestroy(nil)
		assert.Nil(t, kfuncs.KptrXchg[kfuncs.BPFCpumask](nil, nil))
		kfuncs.RcuReadUnlock(nil, kfuncs.RcuReadLock(nil))
	})
}

// TestCpumaskRefcount: create, acquire, release, and the warning on a
// release too many (the kernel's refcount_t underflow).
func TestCpumaskRefcount(t *testing.T) {
	k := cast.MustKernel(cast.MustTopology(4, 64))
	live := k.Allocator().Stats().Live
	m := kfuncs.CpumaskCreate(k)
	require.NotNil(t, m)
	require.True(t, kfuncs.CpumaskEmpty(m.Cpumask()), "create_cpumask: starts empty")
	require.Same(t, m, kfuncs.CpumaskAcquire(m))
	kfuncs.CpumaskRelease(m)
	require.Equal(t, live+1, k.Allocator().Stats().Live)
	kfuncs.CpumaskRelease(m)
	require.Equal(t, live, k.Allocator().Stats().Live)
	//bpfbitmapvet:ignore useafterrelease the double release tests refcount_t's underflow warning
	kfuncs.CpumaskRelease(m) // double release: warns, frees nothing
	st := k.Allocator().Stats()
	require.Equal(t, live, st.Live)
	require.EqualValues(t, 1, st.Warnings[bpfbitmap.WarnUnderflow])

	k.Allocator().FailNext(1)
	require.Nil(t, kfuncs.CpumaskCreate(k), "NULL when the cache is empty")
}
