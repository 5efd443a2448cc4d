package kfuncs_test

import (
	"fmt"
	"math"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bpfbitmap/prototype/bpfbitmap"
	"github.com/bpfbitmap/prototype/cast"
	"github.com/bpfbitmap/prototype/kfuncs"
)

// naive is a bitmap as a slice of bools, the model the generic find, zero,
// fill and iterator kfuncs are checked against, written from
// lib/find_bit.c's definitions rather than from its word loops.
type naive []bool

func (m naive) nextZero(off uint64) uint32 {
	for i := off; i < uint64(len(m)); i++ {
		if !m[i] {
			return uint32(i)
		}
	}
	return uint32(len(m))
}

func (m naive) nth(n uint64) uint32 {
	for i, v := range m {
		if v {
			if n == 0 {
				return uint32(i)
			}
			n--
		}
	}
	return uint32(len(m))
}

// nextAnd is find_next_and_bit over len(m) bits, o's bits past its length
// clear.
func (m naive) nextAnd(o naive, off uint64) uint32 {
	for i := off; i < uint64(len(m)); i++ {
		if m[i] && i < uint64(len(o)) && o[i] {
			return uint32(i)
		}
	}
	return uint32(len(m))
}

func (m naive) set() []int32 {
	var s []int32
	for i, v := range m {
		if v {
			s = append(s, int32(i))
		}
	}
	return s
}

// bitmapOf returns a new bitmap of n bits holding pattern's low n bits, and
// its model.
func bitmapOf(t *testing.T, k *cast.Kernel, n int, pattern uint64) (*bpfbitmap.Bitmap, naive) {
	t.Helper()
	b := kfuncs.BitmapCreate(k, int32(n))
	require.NotNil(t, b)
	m := make(naive, n)
	for i := range n {
		if pattern>>(i%64)&1 != 0 {
			kfuncs.BitmapSetBit(uint32(i), b)
			m[i] = true
		}
	}
	return b, m
}

// offsets are the u32 arguments every find is called with for n bits.
func offsets(n int) []uint32 {
	out := []uint32{math.MaxUint32, 1 << 31, uint32(n + 64)}
	for i := range n + 2 {
		out = append(out, uint32(i))
	}
	return out
}

func iterate(b *bpfbitmap.Bitmap) (rc int32, got []int32) {
	var it kfuncs.IterBitmap
	rc = kfuncs.IterBitmapNew(&it, b)
	for p := kfuncs.IterBitmapNext(&it); p != nil; p = kfuncs.IterBitmapNext(&it) {
		got = append(got, *p)
	}
	kfuncs.IterBitmapDestroy(&it)
	return rc, got
}

// TestBitmapFindExhaustive checks find_next_zero_bit, find_nth_bit, zero,
// fill and the iterator on every bitmap of up to 10 bits, and
// find_next_and_bit on every pair of up to 6 bits each, at every offset and
// past the end.
func TestBitmapFindExhaustive(t *testing.T) {
	k := cast.MustKernel(cast.MustTopology(4, 64))
	live := k.Allocator().Stats().Live
	for n := 1; n <= 10; n++ {
		for p := range uint64(1) << n {
			b, m := bitmapOf(t, k, n, p)
			for _, off := range offsets(n) {
				require.Equal(t, m.nextZero(uint64(off)), kfuncs.FindNextZeroBit(b, off), "find_next_zero_bit(%0*b, %d)", n, p, off)
				require.Equal(t, m.nth(uint64(off)), kfuncs.FindNthBit(b, off), "find_nth_bit(%0*b, %d)", n, p, off)
			}
			rc, got := iterate(b)
			require.Zero(t, rc)
			require.Equal(t, m.set(), got, "iterator over %0*b", n, p)
			require.EqualValues(t, 1, b.RefCount(), "the iterator dropped its reference")
			kfuncs.BitmapFill(b)
			require.Equal(t, uint32(n), kfuncs.BitmapWeight(b), "fill of %d bits", n)
			require.Equal(t, uint32(n), kfuncs.FindFirstZeroBit(b))
			require.Equal(t, b.Words()[0], ^uint64(0)>>(64-n), "fill keeps the tail clear")
			kfuncs.BitmapZero(b)
			require.True(t, kfuncs.BitmapEmpty(b), "zero of %d bits", n)
			require.Zero(t, b.Words()[0])
			kfuncs.BitmapRelease(b)
		}
	}
	for n1 := 1; n1 <= 6; n1++ {
		for n2 := 1; n2 <= 6; n2++ {
			for p1 := range uint64(1) << n1 {
				b1, m1 := bitmapOf(t, k, n1, p1)
				for p2 := range uint64(1) << n2 {
					b2, m2 := bitmapOf(t, k, n2, p2)
					for _, off := range offsets(n1) {
						require.Equal(t, m1.nextAnd(m2, uint64(off)), kfuncs.FindNextAndBit(b1, b2, off),
							"find_next_and_bit(%0*b, %0*b, %d)", n1, p1, n2, p2, off)
					}
					kfuncs.BitmapRelease(b2)
				}
				kfuncs.BitmapRelease(b1)
			}
		}
	}
	require.Equal(t, live, k.Allocator().Stats().Live, "every bitmap released")
}

// TestBitmapFindWords runs the same models across word boundaries.
func TestBitmapFindWords(t *testing.T) {
	k := cast.MustKernel(cast.MustTopology(4, 64))
	for _, n := range []int{63, 64, 65, 127, 128, 130, 200} {
		for _, p := range []uint64{0, ^uint64(0), 0x8000_0000_0000_0001, 0xdead_beef_f00d_cafe} {
			t.Run(fmt.Sprintf("bits=%d/pattern=%x", n, p), func(t *testing.T) {
				b, m := bitmapOf(t, k, n, p)
				defer kfuncs.BitmapRelease(b)
				o, mo := bitmapOf(t, k, n/2+1, ^p)
				defer kfuncs.BitmapRelease(o)
				for _, off := range offsets(n) {
					require.Equal(t, m.nextZero(uint64(off)), kfuncs.FindNextZeroBit(b, off), "next_zero %d", off)
					require.Equal(t, m.nth(uint64(off)), kfuncs.FindNthBit(b, off), "nth %d", off)
					require.Equal(t, m.nextAnd(m, uint64(off)), kfuncs.FindNextAndBit(b, b, off), "next_and itself %d", off)
					require.Equal(t, m.nextAnd(mo, uint64(off)), kfuncs.FindNextAndBit(b, o, off), "next_and shorter %d", off)
					require.Equal(t, mo.nextAnd(m, uint64(off)), kfuncs.FindNextAndBit(o, b, off), "next_and longer %d", off)
				}
				_, got := iterate(b)
				require.Equal(t, m.set(), got)
			})
		}
	}
}

func TestBitmapFindTable(t *testing.T) {
	k := cast.MustKernel(cast.MustTopology(4, 64))
	b, _ := bitmapOf(t, k, 70, 0b1011) // bits 0, 1, 3 and 64, 65, 67
	defer kfuncs.BitmapRelease(b)
	tests := []struct {
		name string
		got  uint32
		want uint32
	}{
		{"next_zero from 0", kfuncs.FindNextZeroBit(b, 0), 2},
		{"next_zero from 3", kfuncs.FindNextZeroBit(b, 3), 4},
		{"next_zero at num_bits", kfuncs.FindNextZeroBit(b, 70), 70},
		{"nth 0", kfuncs.FindNthBit(b, 0), 0},
		{"nth 3 crosses a word", kfuncs.FindNthBit(b, 3), 64},
		{"nth 5", kfuncs.FindNthBit(b, 5), 67},
		{"nth 6: fewer bits, exactly num_bits", kfuncs.FindNthBit(b, 6), 70},
		{"next_and self from 4", kfuncs.FindNextAndBit(b, b, 4), 64},
		{"next_and from 68", kfuncs.FindNextAndBit(b, b, 68), 70},
		{"nil next_zero", kfuncs.FindNextZeroBit(nil, 0), 0},
		{"nil nth", kfuncs.FindNthBit(nil, 0), 0},
		{"nil src1", kfuncs.FindNextAndBit(nil, b, 0), 0},
		{"nil src2: src1's num_bits", kfuncs.FindNextAndBit(b, nil, 0), 70},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.got, tt.name)
	}
	kfuncs.BitmapZero(nil)
	kfuncs.BitmapFill(nil)
}

func TestIterBitmap(t *testing.T) {
	k := cast.MustKernel(cast.MustTopology(4, 64))
	rc, got := iterate(nil)
	assert.Equal(t, -int32(syscall.EINVAL), rc)
	assert.Empty(t, got)
	assert.Equal(t, -int32(syscall.EINVAL), kfuncs.IterBitmapNew(nil, nil))
	assert.Nil(t, kfuncs.IterBitmapNext(nil))
	kfuncs.IterBitmapDestroy(nil)
	var zero kfuncs.IterBitmap
	assert.Nil(t, kfuncs.IterBitmapNext(&zero), "the zero iterator yields nothing")

	b, _ := bitmapOf(t, k, 200, 0)
	kfuncs.BitmapSetBit(3, b)
	var it kfuncs.IterBitmap
	require.Zero(t, kfuncs.IterBitmapNew(&it, b))
	assert.EqualValues(t, 2, b.RefCount(), "the iterator holds its own reference")
	kfuncs.BitmapRelease(b) // the program's reference goes; the iterator's keeps b alive
	p := kfuncs.IterBitmapNext(&it)
	require.NotNil(t, p)
	assert.EqualValues(t, 3, *p)
	//bpfbitmapvet:ignore useafterrelease the iterator's reference keeps b alive; the verifier would still refuse it
	kfuncs.BitmapSetBit(150, b) // ahead of the cursor: seen, read live
	kfuncs.BitmapSetBit(1, b)   // behind it: not
	p = kfuncs.IterBitmapNext(&it)
	require.NotNil(t, p)
	assert.EqualValues(t, 150, *p)
	assert.Nil(t, kfuncs.IterBitmapNext(&it))
	assert.Nil(t, kfuncs.IterBitmapNext(&it), "stays at the end")
	live := k.Allocator().Stats().Live
	kfuncs.IterBitmapDestroy(&it)
	assert.Equal(t, live-1, k.Allocator().Stats().Live, "destroy dropped the last reference")
	//bpfbitmapvet:ignore useafterrelease a second destroy tests that it does nothing
	kfuncs.IterBitmapDestroy(&it)
}
