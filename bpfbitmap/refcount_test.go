package bpfbitmap_test

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bpfbitmap/prototype/bpfbitmap"
)

type warnLog struct {
	got []bpfbitmap.Warning
}

func newWatched(t *testing.T) (*bpfbitmap.Allocator, *warnLog) {
	a := bpfbitmap.NewAllocator()
	w := &warnLog{}
	a.OnWarning(func(_ *bpfbitmap.Bitmap, x bpfbitmap.Warning) { w.got = append(w.got, x) })
	return a, w
}

func TestAcquireRelease(t *testing.T) {
	a, w := newWatched(t)
	b, err := a.New(10)
	require.NoError(t, err)
	assert.Same(t, b, b.Acquire())
	assert.Same(t, b, b.Acquire())
	assert.Equal(t, int32(3), b.RefCount())
	assert.False(t, b.Release())
	assert.False(t, b.Release())
	assert.Equal(t, 1, a.Stats().Live)
	assert.True(t, b.Release(), "last reference frees")
	assert.Equal(t, 0, a.Stats().Live)
	assert.Empty(t, w.got)
}

func TestDoubleReleaseWarnsAndDoesNotFreeTwice(t *testing.T) {
	a, w := newWatched(t)
	b, err := a.New(10)
	require.NoError(t, err)
	require.True(t, b.Release())
	//bpfbitmapvet:ignore useafterrelease the second release tests refcount_t's underflow warning
	assert.False(t, b.Release())
	assert.Equal(t, []bpfbitmap.Warning{bpfbitmap.WarnUnderflow}, w.got)
	assert.Equal(t, int32(bpfbitmap.RefcountSaturated), b.RefCount(), "underflow saturates")
	s := a.Stats()
	assert.Equal(t, uint64(1), s.Warnings[bpfbitmap.WarnUnderflow])
	waiting := 0
	for _, c := range s.Classes {
		waiting += c.Waiting
	}
	assert.Equal(t, 1, waiting, "the object is on the waiting list once")
	// Saturated: every later release warns again and never frees.
	assert.False(t, b.Release())
	assert.Equal(t, uint64(2), a.Stats().Warnings[bpfbitmap.WarnUnderflow])
}

func TestAcquireFromZero(t *testing.T) {
	a, w := newWatched(t)
	b, err := a.New(10)
	require.NoError(t, err)
	require.True(t, b.Release())
	//bpfbitmapvet:ignore useafterrelease acquiring after the last release tests refcount_t's addition-on-zero warning
	b.Acquire()
	assert.Equal(t, []bpfbitmap.Warning{bpfbitmap.WarnAddOnZero}, w.got)
	assert.Equal(t, int32(bpfbitmap.RefcountSaturated), b.RefCount())
	assert.Equal(t, uint64(1), a.Stats().Warnings[bpfbitmap.WarnAddOnZero])
}

func TestAcquireOverflowSaturates(t *testing.T) {
	a, w := newWatched(t)
	//bpfbitmapvet:ignore unreleased a saturated object is leaked on purpose, as refcount_t leaks it
	b, err := a.New(10)
	require.NoError(t, err)
	b.SetRefCount(math.MaxInt32)
	b.Acquire()
	assert.Equal(t, []bpfbitmap.Warning{bpfbitmap.WarnSaturated}, w.got)
	assert.Equal(t, int32(bpfbitmap.RefcountSaturated), b.RefCount(), "no wrap to INT_MIN")
	// Saturated counters stay put: acquire warns again, release never frees.
	b.Acquire()
	assert.False(t, b.Release())
	assert.Equal(t, []bpfbitmap.Warning{bpfbitmap.WarnSaturated, bpfbitmap.WarnSaturated, bpfbitmap.WarnUnderflow}, w.got)
	assert.Equal(t, 1, a.Stats().Live, "a saturated object is leaked, never freed")

	// Below the limit nothing warns.
	//bpfbitmapvet:ignore unreleased left at MaxInt32 references on purpose: no release could free it
	c, err := a.New(10)
	require.NoError(t, err)
	c.SetRefCount(math.MaxInt32 - 1)
	c.Acquire()
	assert.Equal(t, int32(math.MaxInt32), c.RefCount())
	assert.Len(t, w.got, 3)
}

func TestWarningStrings(t *testing.T) {
	assert.Equal(t, "refcount_t: addition on 0; use-after-free.", bpfbitmap.WarnAddOnZero.String())
	assert.Equal(t, "refcount_t: saturated; leaking memory.", bpfbitmap.WarnSaturated.String())
	assert.Equal(t, "refcount_t: underflow; use-after-free.", bpfbitmap.WarnUnderflow.String())
	assert.Equal(t, "refcount_t: unknown warning", bpfbitmap.Warning(200).String())
}

func TestOnWarningRemoved(t *testing.T) {
	a, w := newWatched(t)
	a.OnWarning(nil)
	b, err := a.New(1)
	require.NoError(t, err)
	b.Release()
	//bpfbitmapvet:ignore useafterrelease the second release tests that no warning hook is called
	b.Release()
	assert.Empty(t, w.got)
	assert.Equal(t, uint64(1), a.Stats().Warnings[bpfbitmap.WarnUnderflow])
}

func TestNilBitmapRefcount(t *testing.T) {
	var b *bpfbitmap.Bitmap
	assert.Nil(t, b.Acquire())
	assert.False(t, b.Release())
	assert.Zero(t, b.RefCount())
}

// A zero Bitmap has no allocator header in front of it: nothing may read
// one, and it behaves as an unowned 0-bit bitmap.
func TestZeroBitmap(t *testing.T) {
	b := new(bpfbitmap.Bitmap)
	assert.Same(t, b, b.Acquire())
	assert.False(t, b.Release())
	assert.Zero(t, b.RefCount())
	assert.Zero(t, b.Len())
	assert.Zero(t, b.Cap())
	assert.Empty(t, b.Backing())
	assert.True(t, b.Empty())
	assert.Equal(t, 0, b.FindFirstBit())
	b.Set(0)
	assert.False(t, b.Test(0))
	require.NoError(t, b.UnmarshalText([]byte("")))
	assert.Error(t, b.UnmarshalText([]byte("0")))
}
