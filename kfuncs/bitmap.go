package kfuncs

import (
	"github.com/bpfbitmap/prototype/bpfbitmap"
	"github.com/bpfbitmap/prototype/cast"
)

// The proposed generic bitmap kfuncs. Sizes and bit numbers are u32, and
// "not found" is num_bits, as for the find_bit family. A bit >= num_bits is
// ignored by the setters and false for the testers, as a cpu >= nr_cpu_ids
// is for the cpumask kfuncs. Operations over several bitmaps that write need
// equal num_bits: otherwise they change nothing and return false, since a
// void or bool kfunc has no way to report the error.

// BitmapCreate allocates a cleared bitmap of bits bits with one reference
// (bpf_bitmap_create). It returns nil for bits <= 0, for bits above
// bpfbitmap.KernelMaxBits (the largest that fits bpf_mem_alloc's 4096-byte
// class), when the allocator fails, and for a nil k. A bitmap of exactly
// nr_cpu_ids bits gets room for large_cpumask_bits so that it can be cast
// safely (cast.Kernel.NewBitmap).
func BitmapCreate(k *cast.Kernel, bits int32) *bpfbitmap.Bitmap {
	if k == nil || bits <= 0 || bits > bpfbitmap.KernelMaxBits {
		return nil
	}
	b, err := k.NewBitmap(int(bits))
	if err != nil {
		return nil
	}
	return b
}

// BitmapAcquire takes a reference to bitmap and returns it
// (bpf_bitmap_acquire); nil gives nil.
func BitmapAcquire(bitmap *bpfbitmap.Bitmap) *bpfbitmap.Bitmap { return bitmap.Acquire() }

// BitmapRelease drops a reference; the last frees the bitmap after an RCU
// grace period (bpf_bitmap_release). nil does nothing.
func BitmapRelease(bitmap *bpfbitmap.Bitmap) { bitmap.Release() }

// BitmapReleaseDtor is the destructor for struct bpf_bitmap kptrs left in a
// map slot (bpf_bitmap_release_dtor). It is BitmapRelease.
func BitmapReleaseDtor(bitmap *bpfbitmap.Bitmap) { BitmapRelease(bitmap) }

// BitmapCastToCpumask returns bitmap as a BPF-owned cpumask if its num_bits
// is nr_cpu_ids, else nil (bpf_bitmap_cast_to_cpumask). The result shares
// bitmap's memory and lives as long as the caller's reference to bitmap. It
// does not allocate.
func BitmapCastToCpumask(bitmap *bpfbitmap.Bitmap) *cast.OwnedCpumask {
	return cast.BitmapCastToCpumask(bitmap)
}

// FindFirstBit returns the first set bit, or num_bits (bpf_find_first_bit).
func FindFirstBit(bitmap *bpfbitmap.Bitmap) uint32 { return uint32(bitmap.FindFirstBit()) }

// FindNextBit returns the first set bit at or after offset, or num_bits
// (bpf_find_next_bit).
func FindNextBit(bitmap *bpfbitmap.Bitmap, offset uint32) uint32 {
	n := bitmap.Len()
	if int64(offset) >= int64(n) {
		return uint32(n)
	}
	return uint32(bitmap.FindNextBit(int(offset)))
}

// FindFirstZeroBit returns the first clear bit, or num_bits
// (bpf_find_first_zero_bit).
func FindFirstZeroBit(bitmap *bpfbitmap.Bitmap) uint32 {
	return uint32(bitmap.FindFirstZeroBit())
}

// FindNextZeroBit returns the first clear bit at or after offset, or
// num_bits, also for offset >= num_bits (bpf_find_next_zero_bit).
func FindNextZeroBit(bitmap *bpfbitmap.Bitmap, offset uint32) uint32 {
	n := bitmap.Len()
	if int64(offset) >= int64(n) {
		return uint32(n)
	}
	return uint32(bitmap.FindNextZeroBit(int(offset)))
}

// FindNthBit returns the n-th set bit counting from 0, or num_bits when
// fewer than n+1 bits are set (bpf_find_nth_bit). The kernel's find_nth_bit
// promises only a value >= size there; the kfunc pins it to num_bits, the
// family's "not found".
func FindNthBit(bitmap *bpfbitmap.Bitmap, n uint32) uint32 {
	size := bitmap.Len()
	if int64(n) >= int64(size) {
		return uint32(size)
	}
	return uint32(bitmap.FindNthBit(int(n)))
}

// FindNextAndBit returns the first bit at or after offset set in both src1
// and src2, or src1's num_bits, also for offset >= it
// (bpf_find_next_and_bit). The size is src1's, as find_next_and_bit takes
// one size; bits past src2's num_bits count as clear.
func FindNextAndBit(src1, src2 *bpfbitmap.Bitmap, offset uint32) uint32 {
	n := src1.Len()
	if int64(offset) >= int64(n) || src2 == nil {
		return uint32(n)
	}
	return uint32(src1.FindNextAndBit(src2, int(offset)))
}

// FindLastBit returns the last set bit, or num_bits (bpf_find_last_bit).
func FindLastBit(bitmap *bpfbitmap.Bitmap) uint32 { return uint32(bitmap.FindLastBit()) }

// BitmapSetBit sets bit atomically (bpf_bitmap_set_bit).
func BitmapSetBit(bit uint32, bitmap *bpfbitmap.Bitmap) { bitmap.Set(bitIndex(bit)) }

// BitmapClearBit clears bit atomically (bpf_bitmap_clear_bit).
func BitmapClearBit(bit uint32, bitmap *bpfbitmap.Bitmap) { bitmap.Clear(bitIndex(bit)) }

// BitmapTestBit reports whether bit is set (bpf_bitmap_test_bit).
func BitmapTestBit(bit uint32, bitmap *bpfbitmap.Bitmap) bool {
	return bitmap.Test(bitIndex(bit))
}

// BitmapTestAndSetBit sets bit atomically and returns its old value
// (bpf_bitmap_test_and_set_bit).
func BitmapTestAndSetBit(bit uint32, bitmap *bpfbitmap.Bitmap) bool {
	return bitmap.TestAndSet(bitIndex(bit))
}

// BitmapTestAndClearBit clears bit atomically and returns its old value
// (bpf_bitmap_test_and_clear_bit).
func BitmapTestAndClearBit(bit uint32, bitmap *bpfbitmap.Bitmap) bool {
	return bitmap.TestAndClear(bitIndex(bit))
}

// BitmapZero clears every bit (bpf_bitmap_zero, bitmap_zero).
func BitmapZero(bitmap *bpfbitmap.Bitmap) { bitmap.Zero() }

// BitmapFill sets bits 0 to num_bits-1 (bpf_bitmap_fill). The kernel's
// bitmap_fill also sets the last word's bits past nbits; here they stay
// clear, so that a later cast and bpf_cpumask_copy carry no bit past
// nr_cpu_ids, and no generic kfunc reads them either way.
func BitmapFill(bitmap *bpfbitmap.Bitmap) { bitmap.Fill() }

// BitmapAnd stores src1 AND src2 in dst and reports whether it is non-empty
// (bpf_bitmap_and).
func BitmapAnd(dst, src1, src2 *bpfbitmap.Bitmap) bool {
	nonEmpty, err := dst.And(src1, src2)
	return err == nil && nonEmpty
}

// BitmapOr stores src1 OR src2 in dst (bpf_bitmap_or).
func BitmapOr(dst, src1, src2 *bpfbitmap.Bitmap) { _ = dst.Or(src1, src2) }

// BitmapXor stores src1 XOR src2 in dst (bpf_bitmap_xor).
func BitmapXor(dst, src1, src2 *bpfbitmap.Bitmap) { _ = dst.Xor(src1, src2) }

// BitmapAndnot stores src1 AND NOT src2 in dst and reports whether it is
// non-empty (bpf_bitmap_andnot).
func BitmapAndnot(dst, src1, src2 *bpfbitmap.Bitmap) bool {
	nonEmpty, err := dst.AndNot(src1, src2)
	return err == nil && nonEmpty
}

// BitmapCopy copies src into dst (bpf_bitmap_copy).
func BitmapCopy(dst, src *bpfbitmap.Bitmap) { _ = dst.Copy(src) }

// BitmapEqual reports whether the bitmaps hold the same bits; bitmaps of
// different num_bits are equal if the longer has no bit beyond the shorter
// (bpf_bitmap_equal).
func BitmapEqual(src1, src2 *bpfbitmap.Bitmap) bool { return src1.Equal(src2) }

// BitmapIntersects reports whether the bitmaps share a set bit
// (bpf_bitmap_intersects).
func BitmapIntersects(src1, src2 *bpfbitmap.Bitmap) bool { return src1.Intersects(src2) }

// BitmapSubset reports whether every bit set in src1 is set in src2
// (bpf_bitmap_subset).
func BitmapSubset(src1, src2 *bpfbitmap.Bitmap) bool { return src1.Subset(src2) }

// BitmapEmpty reports whether no bit is set (bpf_bitmap_empty).
func BitmapEmpty(bitmap *bpfbitmap.Bitmap) bool { return bitmap.Empty() }

// BitmapFull reports whether every bit below num_bits is set
// (bpf_bitmap_full); false for nil.
func BitmapFull(bitmap *bpfbitmap.Bitmap) bool { return bitmap != nil && bitmap.Full() }

// BitmapWeight returns the number of set bits (bpf_bitmap_weight).
func BitmapWeight(bitmap *bpfbitmap.Bitmap) uint32 { return uint32(bitmap.Weight()) }

// bitIndex converts a u32 bit number to an index the Bitmap methods treat as
// out of range when it is, on 32-bit hosts too.
func bitIndex(bit uint32) int {
	if uint64(bit) > uint64(bpfbitmap.MaxBits) {
		return -1
	}
	return int(bit)
}
