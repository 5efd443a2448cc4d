package bpfbitmap

import (
	"math/bits"

	"github.com/bpfbitmap/prototype/internal/words"
)

// The find_bit family keeps the kernel's contract: a result of Len() means
// nothing was found, and a negative start is treated as the huge unsigned
// value it would be in C, so nothing is found.

// FindFirstBit returns the index of the first set bit, or Len()
// (find_first_bit).
func (b *Bitmap) FindFirstBit() int {
	// Word 0 inline for small bitmaps; the rest in the four-word scan.
	n := b.Len()
	if n == 0 {
		return 0
	}
	if x := *b.word(0); x != 0 {
		return min(bits.TrailingZeros64(x), n)
	}
	return words.FirstSetFrom(b.backing(words.Len(n)), 1, n)
}

// FindNextBit returns the first set bit at or after start, or Len()
// (find_next_bit).
func (b *Bitmap) FindNextBit(start int) int {
	// The loop is written here rather than calling words.FindNextBit so that
	// the method stays within the inlining budget: a walk then makes no
	// call per step, which the benchmark against bitset showed to matter.
	n := b.Len()
	for i := start; uint(i) < uint(n); i = (i | (words.WordBits - 1)) + 1 {
		if x := *b.word(i) >> (uint(i) % words.WordBits); x != 0 {
			return min(i+bits.TrailingZeros64(x), n)
		}
	}
	return n
}

// FindFirstZeroBit returns the first clear bit, or Len() if all are set
// (find_first_zero_bit).
func (b *Bitmap) FindFirstZeroBit() int { return words.FindFirstZeroBit(b.bits()) }

// FindNextZeroBit returns the first clear bit at or after start, or Len()
// (find_next_zero_bit).
func (b *Bitmap) FindNextZeroBit(start int) int {
	w, n := b.bits()
	return words.FindNextZeroBit(w, n, start)
}

// FindLastBit returns the last set bit, or Len() if none is set
// (find_last_bit).
func (b *Bitmap) FindLastBit() int { return words.FindLastBit(b.bits()) }

// FindNthBit returns the n-th set bit counting from 0, or Len() if fewer than
// n+1 bits are set (find_nth_bit; the kernel promises only >= size there).
func (b *Bitmap) FindNthBit(n int) int {
	w, l := b.bits()
	return min(words.FindNthBit(w, l, n), l)
}

// FindFirstAndBit returns the first bit set in both b and other, or Len()
// (find_first_and_bit).
func (b *Bitmap) FindFirstAndBit(other *Bitmap) int { return b.FindNextAndBit(other, 0) }

// FindNextAndBit returns the first bit at or after start set in both b and
// other, or Len() (find_next_and_bit). Bits beyond other's length count as
// clear.
func (b *Bitmap) FindNextAndBit(other *Bitmap, start int) int {
	bw, bn := b.bits()
	ow, on := other.bits()
	n := min(bn, on)
	if i := words.FindNextAndBit(bw, ow, n, start); i < n {
		return i
	}
	return bn
}

// FindNextAndNotBit returns the first bit at or after start set in b and clear
// in other, or Len() (find_next_andnot_bit). Bits beyond other's length count
// as clear.
func (b *Bitmap) FindNextAndNotBit(other *Bitmap, start int) int {
	bw, bn := b.bits()
	ow, on := other.bits()
	n := min(bn, on)
	if i := words.FindNextAndNotBit(bw, ow, n, start); i < n {
		return i
	}
	if start < 0 {
		return bn
	}
	return b.FindNextBit(max(start, n))
}
