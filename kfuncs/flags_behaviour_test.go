package kfuncs_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bpfbitmap/prototype/bpfbitmap"
	"github.com/bpfbitmap/prototype/cast"
	"github.com/bpfbitmap/prototype/kfuncs"
)

// nilCases holds, for every kfunc that can return NULL, a call that does,
// on a kernel with nr_cpu_ids 4. A row may carry KF_RET_NULL only if it has
// one here, and every row here must carry it: dropping the flag from
// bpf_cpumask_create, or adding it to bpf_cpumask_acquire, fails the test.
var nilCases = map[string]func(t *testing.T, k *cast.Kernel) bool{
	"bpf_cpumask_create": func(t *testing.T, k *cast.Kernel) bool {
		k.Allocator().FailNext(1)
		return kfuncs.CpumaskCreate(k) == nil
	},
	"bpf_bitmap_create": func(t *testing.T, k *cast.Kernel) bool {
		return kfuncs.BitmapCreate(k, 0) == nil && kfuncs.BitmapCreate(k, bpfbitmap.KernelMaxBits+1) == nil
	},
	"bpf_bitmap_cast_to_cpumask": func(t *testing.T, k *cast.Kernel) bool {
		b := kfuncs.BitmapCreate(k, 5) // num_bits != nr_cpu_ids
		require.NotNil(t, b)
		defer kfuncs.BitmapRelease(b)
		return kfuncs.BitmapCastToCpumask(b) == nil
	},
	"bpf_iter_bitmap_next": func(t *testing.T, k *cast.Kernel) bool {
		b := kfuncs.BitmapCreate(k, 4) // empty: the first next ends the loop
		require.NotNil(t, b)
		defer kfuncs.BitmapRelease(b)
		var it kfuncs.IterBitmap
		require.Zero(t, kfuncs.IterBitmapNew(&it, b))
		defer kfuncs.IterBitmapDestroy(&it)
		return kfuncs.IterBitmapNext(&it) == nil
	},
	"bpf_iter_bits_next": func(t *testing.T, k *cast.Kernel) bool {
		var it kfuncs.IterBits
		require.Zero(t, kfuncs.IterBitsNew(&it, []uint64{0}, 1))
		defer kfuncs.IterBitsDestroy(&it)
		return kfuncs.IterBitsNext(&it) == nil
	},
}

// acquireCases holds, for every kfunc that returns a new reference, a call
// that takes one from a fresh object, and the release that drops it. The
// object's refcount_t is then 2 (the fresh object's own reference plus the
// acquired one) or 1 for a created object; live counts the objects.
var acquireCases = map[string]func(t *testing.T, k *cast.Kernel) (obj, release func()){
	"bpf_cpumask_create": func(t *testing.T, k *cast.Kernel) (func(), func()) {
		m := kfuncs.CpumaskCreate(k)
		require.NotNil(t, m)
		return nil, func() { kfuncs.CpumaskRelease(m) }
	},
	"bpf_bitmap_create": func(t *testing.T, k *cast.Kernel) (func(), func()) {
		b := kfuncs.BitmapCreate(k, 4)
		require.NotNil(t, b)
		return nil, func() { kfuncs.BitmapRelease(b) }
	},
	"bpf_cpumask_acquire": func(t *testing.T, k *cast.Kernel) (func(), func()) {
		m := kfuncs.CpumaskCreate(k)
		require.NotNil(t, m)
		r := kfuncs.CpumaskAcquire(m)
		require.NotNil(t, r)
		return func() { kfuncs.CpumaskRelease(m) }, func() { kfuncs.CpumaskRelease(r) }
	},
	"bpf_bitmap_acquire": func(t *testing.T, k *cast.Kernel) (func(), func()) {
		b := kfuncs.BitmapCreate(k, 4)
		require.NotNil(t, b)
		r := kfuncs.BitmapAcquire(b)
		require.NotNil(t, r)
		return func() { kfuncs.BitmapRelease(b) }, func() { kfuncs.BitmapRelease(r) }
	},
}

// TestRetNullFlagMatchesBehaviour ties KF_RET_NULL to results: every kfunc
// with the flag has a call returning nil, and no kfunc without it does.
func TestRetNullFlagMatchesBehaviour(t *testing.T) {
	k := cast.MustKernel(cast.MustTopology(4, 128))
	flagged := map[string]bool{}
	for _, row := range kfuncs.Kfuncs {
		if row.Kind != kfuncs.KindKfunc || row.Flags&kfuncs.KfRetNull == 0 {
			continue
		}
		flagged[row.Kernel] = true
		c, ok := nilCases[row.Kernel]
		if !assert.True(t, ok, "%s has KF_RET_NULL but no case returns nil", row.Kernel) {
			continue
		}
		assert.True(t, c(t, k), "%s: the case did not return nil", row.Kernel)
	}
	for name := range nilCases {
		assert.True(t, flagged[name], "%s returns nil but its row lacks KF_RET_NULL", name)
	}
	assert.Equal(t, 2, k.Allocator().Stats().Live, "the cases leaked (possible and online stay)")
}

// TestAcquireFlagMatchesBehaviour ties KF_ACQUIRE to references: the result
// of every kfunc with the flag keeps its object live until it is released,
// as the allocator's live count shows, and no other kfunc is in the list.
func TestAcquireFlagMatchesBehaviour(t *testing.T) {
	k := cast.MustKernel(cast.MustTopology(4, 128))
	a := k.Allocator()
	flagged := map[string]bool{}
	for _, row := range kfuncs.Kfuncs {
		if row.Kind != kfuncs.KindKfunc || row.Flags&kfuncs.KfAcquire == 0 {
			continue
		}
		flagged[row.Kernel] = true
		c, ok := acquireCases[row.Kernel]
		if !assert.True(t, ok, "%s has KF_ACQUIRE but no case takes a reference", row.Kernel) {
			continue
		}
		sig, err := row.Signature()
		require.NoError(t, err)
		assert.Equal(t, kfuncs.ParamStruct, sig.Ret.Kind, "%s: an acquire returns a pointer", row.Kernel)
		base := a.Stats().Live
		drop, release := c(t, k)
		if drop != nil {
			drop() // the object's own reference: the acquired one keeps it
		}
		assert.Equal(t, base+1, a.Stats().Live, "%s: the result holds no reference", row.Kernel)
		release()
		assert.Equal(t, base, a.Stats().Live, "%s: releasing the result frees the object", row.Kernel)
	}
	for name := range acquireCases {
		assert.True(t, flagged[name], "%s returns a reference but its row lacks KF_ACQUIRE", name)
	}
	assert.Zero(t, a.Stats().Warnings, "refcount warnings")
}
