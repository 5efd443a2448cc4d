package kfuncs

import (
	"syscall"

	"github.com/bpfbitmap/prototype/bpfbitmap"
)

// IterBitmap is struct bpf_iter_bitmap, the proposal's open-coded iterator
// over the set bits of a bpf_bitmap, modelled on bpf_iter_bits. Unlike
// IterBits it copies nothing: it holds its own reference to the bitmap and
// reads it at each step, as for_each_set_bit does, so it costs no
// allocation at any size, and bits set or cleared between two steps ahead
// of its cursor are seen. Like the other readers it is not synchronised
// with writers running at the same time. Its zero value is an iterator
// that yields nothing. It must not be copied while in use.
type IterBitmap struct {
	bitmap *bpfbitmap.Bitmap
	bit    int32
}

// IterBitmapNew starts it at the bitmap's lowest bit and returns 0, taking a
// reference to bitmap that IterBitmapDestroy drops (bpf_iter_bitmap_new). It
// returns -EINVAL for a nil it or bitmap. Whatever it returns,
// IterBitmapDestroy must follow.
func IterBitmapNew(it *IterBitmap, bitmap *bpfbitmap.Bitmap) int32 {
	if it == nil {
		return -int32(syscall.EINVAL)
	}
	*it = IterBitmap{bit: -1}
	if bitmap == nil {
		return -int32(syscall.EINVAL)
	}
	it.bitmap = bitmap.Acquire()
	return 0
}

// IterBitmapNext returns a pointer to the next set bit's index, lowest
// first, or nil when none is left or IterBitmapNew failed
// (bpf_iter_bitmap_next). The pointer is into it and valid until the next
// call.
func IterBitmapNext(it *IterBitmap) *int32 {
	if it == nil || it.bitmap == nil {
		return nil
	}
	n := it.bitmap.Len()
	if int(it.bit)+1 >= n {
		it.bit = int32(n)
		return nil
	}
	it.bit = int32(it.bitmap.FindNextBit(int(it.bit) + 1))
	if int(it.bit) >= n {
		return nil
	}
	return &it.bit
}

// IterBitmapDestroy drops the iterator's reference (bpf_iter_bitmap_destroy).
// Calling it again, or on a zero IterBitmap, does nothing.
func IterBitmapDestroy(it *IterBitmap) {
	if it == nil {
		return
	}
	it.bitmap.Release()
	*it = IterBitmap{}
}
