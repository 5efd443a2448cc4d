package arena

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bpfbitmap/prototype/cast"
	"github.com/bpfbitmap/prototype/kfuncs"
)

// TestLayout restates scx_bitmap_init and scx_alloc_init by hand: mask_size
// = ceil(ceil(N/8)/8) words; element = 8 (sdt_data) + 8 (scx_bitmap.tid) +
// 8*words; a slab holds at least 8 elements in whole pages.
func TestLayout(t *testing.T) {
	for _, tt := range []struct {
		n, nr                                  int
		words, object, element, pages, perSlab int
		converts                               bool
		perMask                                float64
	}{
		{1, 64, 1, 16, 24, 1, 170, true, 4096.0/170 + 8 + 80.0/512},
		{2, 256, 1, 16, 24, 1, 170, true, 4096.0/170 + 8 + 80.0/512},
		{64, 8192, 1, 16, 24, 1, 170, true, 4096.0/170 + 8 + 80.0/512},
		{65, 128, 2, 24, 32, 1, 128, true, 32 + 8 + 80.0/512},
		{96, 8192, 2, 24, 32, 1, 128, true, 32 + 8 + 80.0/512},
		{1024, 8192, 16, 136, 144, 1, 28, true, 4096.0/28 + 8 + 80.0/512},
		{4096, 4096, 64, 520, 528, 2, 15, true, 8192.0/15 + 8 + 80.0/512},
		{8192, 8192, 128, 1032, 1040, 3, 11, false, 12288.0/11 + 8 + 80.0/512},
	} {
		l, err := NewLayout(cast.MustTopology(tt.n, tt.nr))
		require.NoError(t, err)
		assert.Equal(t, Layout{Words: tt.words, ObjectBytes: tt.object, ElementBytes: tt.element, SlabPages: tt.pages, PerSlab: tt.perSlab}, l, "N=%d", tt.n)
		assert.Equal(t, tt.converts, l.Converts(), "N=%d", tt.n)
		assert.InDelta(t, tt.perMask, l.PerMaskBytes(), 1e-9, "N=%d", tt.n)
	}
}

// TestAllocatorNoRCU: a freed mask is handed out again at once and zeroed,
// and a stale pointer to it sees the next owner's bits: nothing (no
// refcount, no grace period) protects a reader, and the verifier does not
// know the pointer is stale.
func TestAllocatorNoRCU(t *testing.T) {
	a, err := NewAllocator(cast.MustTopology(2, 256))
	require.NoError(t, err)
	old := a.Alloc()
	old.SetCPU(0)
	a.Free(old)
	a.Free(old) // a second free does nothing
	assert.Equal(t, 0, a.Stats().Live)

	next := a.Alloc()
	assert.Same(t, old, next, "reused at once")
	assert.True(t, next.Empty(), "zeroed on allocation")
	next.SetCPU(1)
	assert.True(t, old.TestCPU(1), "the stale pointer reads the new owner's mask")
	a.Free(nil)
	assert.Equal(t, Stats{Live: 1, Slabs: 1, ArenaBytes: PageSize}, a.Stats())
}

func TestAllocatorSlabs(t *testing.T) {
	a, err := NewAllocator(cast.MustTopology(1024, 8192))
	require.NoError(t, err)
	per := a.Layout().PerSlab
	for range per {
		a.Alloc()
	}
	assert.Equal(t, Stats{Live: per, Slabs: 1, ArenaBytes: PageSize}, a.Stats())
	a.Alloc()
	assert.Equal(t, Stats{Live: per + 1, Slabs: 2, ArenaBytes: 2 * PageSize}, a.Stats())

	other, err := NewAllocator(cast.MustTopology(2, 256))
	require.NoError(t, err)
	other.Free(a.Alloc()) // another allocator's mask is not taken
	assert.Equal(t, 0, other.Stats().Live)
	assert.Equal(t, per+2, a.Stats().Live)
}

// TestOpsAgreeWithCpumask: each scx operation gives what the cpumask kfunc
// doing the same work gives, on random masks of several sizes.
func TestOpsAgreeWithCpumask(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, topo := range []cast.Topology{cast.MustTopology(2, 256), cast.MustTopology(96, 8192), cast.MustTopology(1024, 8192)} {
		k := cast.MustKernel(topo)
		a, err := NewAllocator(topo)
		require.NoError(t, err)
		n := topo.NrCPUIDs()
		for range 200 {
			x, y, z := a.Alloc(), a.Alloc(), a.Alloc()
			fx, fy, fz := kfuncs.CpumaskCreate(k), kfuncs.CpumaskCreate(k), kfuncs.CpumaskCreate(k)
			require.NotNil(t, fx)
			require.NotNil(t, fy)
			require.NotNil(t, fz)
			for _, p := range []struct {
				b *Bitmap
				f *kfuncs.BPFCpumask
			}{{x, fx}, {y, fy}} {
				density := r.IntN(4)
				for cpu := range n {
					if r.IntN(4) < density {
						p.b.SetCPU(uint32(cpu))
						kfuncs.CpumaskSetCpu(uint32(cpu), p.f)
					}
				}
			}
			cx, cy, cz := fx.Cpumask(), fy.Cpumask(), fz.Cpumask()
			And(z, x, y)
			kfuncs.CpumaskAnd(fz, cx, cy)
			assert.Equal(t, kfuncs.CpumaskWeight(cz), uint32(z.Weight()))
			assert.Equal(t, kfuncs.CpumaskEmpty(cz), z.Empty())
			assertFirst(t, kfuncs.CpumaskFirst(cz), z, n)
			assert.Equal(t, kfuncs.CpumaskSubset(cz, cx), Subset(x, z))
			assert.Equal(t, kfuncs.CpumaskIntersects(cx, cy), Intersects(x, y))
			Or(z, x, y)
			kfuncs.CpumaskOr(fz, cx, cy)
			assert.Equal(t, kfuncs.CpumaskWeight(cz), uint32(z.Weight()))
			assertFirst(t, kfuncs.CpumaskFirst(cx), x, n)
			for cpu := range n {
				assert.Equal(t, kfuncs.CpumaskTestCpu(uint32(cpu), cz), z.TestCPU(uint32(cpu)))
			}
			Copy(z, x)
			z.ClearCPU(uint32(x.First()))
			assert.Equal(t, x.Empty(), z.Weight() == x.Weight())
			z.Clear()
			assert.True(t, z.Empty())
			for _, f := range []*kfuncs.BPFCpumask{fx, fy, fz} {
				kfuncs.CpumaskRelease(f)
			}
			a.Free(x)
			a.Free(y)
			a.Free(z)
		}
	}
}

// TestToCpumask: the conversion is a copy through the stack buffer; a mask
// of more than 4096 CPUs does not fit the buffer and populate refuses it.
func TestToCpumask(t *testing.T) {
	var stack [MaxWords * 8]byte
	for _, topo := range []cast.Topology{cast.MustTopology(2, 256), cast.MustTopology(1024, 8192)} {
		k := cast.MustKernel(topo)
		a, err := NewAllocator(topo)
		require.NoError(t, err)
		src := a.Alloc()
		src.SetCPU(1)
		src.SetCPU(uint32(topo.NrCPUIDs() - 1))
		dst := kfuncs.CpumaskCreate(k)
		require.NotNil(t, dst)
		assert.Equal(t, int32(0), ToCpumask(dst, src, &stack))
		assert.Equal(t, uint32(src.Weight()), kfuncs.CpumaskWeight(dst.Cpumask()), "%v", topo)
		assert.True(t, kfuncs.CpumaskTestCpu(uint32(topo.NrCPUIDs()-1), dst.Cpumask()))
		src.ClearCPU(1)
		assert.True(t, kfuncs.CpumaskTestCpu(1, dst.Cpumask()), "a copy, not a view")
		kfuncs.CpumaskRelease(dst)
	}

	topo := cast.MustTopology(8192, 8192)
	k := cast.MustKernel(topo)
	a, err := NewAllocator(topo)
	require.NoError(t, err)
	dst := kfuncs.CpumaskCreate(k)
	require.NotNil(t, dst)
	assert.Equal(t, int32(-13), ToCpumask(dst, a.Alloc(), &stack), "-EACCES: 512 bytes < bitmap_size(8192)")
	kfuncs.CpumaskRelease(dst)
}

// assertFirst: found bits agree; "not found" is the mask's whole words in
// bits for the arena mask, at least nr_cpu_ids as for the kfunc.
func assertFirst(t *testing.T, kernel uint32, b *Bitmap, n int) {
	t.Helper()
	if int(kernel) < n {
		assert.Equal(t, int(kernel), b.First())
		return
	}
	assert.Equal(t, 64*len(b.Words()), b.First())
}
