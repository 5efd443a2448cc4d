package bpfbitmap

import (
	"fmt"
	"math/bits"

	"github.com/bpfbitmap/prototype/internal/words"
)

// Bulk operations follow math/big: the receiver is the destination, which may
// be one of the operands. Mutating operations need every operand to have the
// destination's length and otherwise return ErrSizeMismatch with the
// destination unchanged: the kernel never mixes lengths, and a silent
// truncation or zero-extension would hide bugs. Predicates (Equal, Intersects,
// Subset) compare the bitmaps as sets of bit indices, so any lengths work;
// the bits beyond a bitmap's length count as clear.

// mismatch builds the ErrSizeMismatch error out of line, so that the length
// checks in the hot paths stay two compares. Each operand's Len is read once
// per operation (one header check), its words with backing, unchecked.
func mismatch(op string, z, x, y *Bitmap) error {
	bad := x
	if x.Len() == z.Len() {
		bad = y
	}
	return fmt.Errorf("%s: operand of %d bits into destination of %d bits: %w",
		op, bad.Len(), z.Len(), ErrSizeMismatch)
}

// And sets z = x AND y and reports whether z is non-empty (bitmap_and).
func (z *Bitmap) And(x, y *Bitmap) (bool, error) {
	n := z.Len()
	if x.Len() != n || y.Len() != n {
		return false, mismatch("and", z, x, y)
	}
	if n <= words.WordBits && n > 0 {
		r := *x.word(0) & *y.word(0) & words.LastWordMask(n)
		*z.word(0) = r
		return r != 0, nil
	}
	nw := words.Len(n)
	return words.And(z.backing(nw), x.backing(nw), y.backing(nw), n), nil
}

// AndWeight sets z = x AND y and returns the number of bits set in z: And
// then Weight in one pass over the words. The kernel has no single function
// for it (bitmap_and reports only whether the result is non-empty); the
// lengths must agree as for And.
func (z *Bitmap) AndWeight(x, y *Bitmap) (int, error) {
	n := z.Len()
	if x.Len() != n || y.Len() != n {
		return 0, mismatch("andweight", z, x, y)
	}
	nw := words.Len(n)
	return words.AndWeight(z.backing(nw), x.backing(nw), y.backing(nw), n), nil
}

// AndNot sets z = x AND NOT y and reports whether z is non-empty
// (bitmap_andnot).
func (z *Bitmap) AndNot(x, y *Bitmap) (bool, error) {
	n := z.Len()
	if x.Len() != n || y.Len() != n {
		return false, mismatch("andnot", z, x, y)
	}
	nw := words.Len(n)
	zw, xw, yw := z.backing(nw), x.backing(nw), y.backing(nw)
	return words.AndNot(zw, xw, yw, n), nil
}

// Or sets z = x OR y (bitmap_or).
func (z *Bitmap) Or(x, y *Bitmap) error {
	n := z.Len()
	if x.Len() != n || y.Len() != n {
		return mismatch("or", z, x, y)
	}
	nw := words.Len(n)
	zw, xw, yw := z.backing(nw), x.backing(nw), y.backing(nw)
	words.Or(zw, xw, yw, n)
	return nil
}

// Xor sets z = x XOR y (bitmap_xor).
func (z *Bitmap) Xor(x, y *Bitmap) error {
	n := z.Len()
	if x.Len() != n || y.Len() != n {
		return mismatch("xor", z, x, y)
	}
	nw := words.Len(n)
	zw, xw, yw := z.backing(nw), x.backing(nw), y.backing(nw)
	words.Xor(zw, xw, yw, n)
	return nil
}

// Complement sets z = NOT x, keeping the tail clear (bitmap_complement).
func (z *Bitmap) Complement(x *Bitmap) error {
	n := z.Len()
	if x.Len() != n {
		return mismatch("complement", z, x, x)
	}
	nw := words.Len(n)
	zw, xw := z.backing(nw), x.backing(nw)
	words.Complement(zw, xw, n)
	words.ClearTail(zw, n)
	return nil
}

// Copy sets z = x (bitmap_copy).
func (z *Bitmap) Copy(x *Bitmap) error {
	n := z.Len()
	if x.Len() != n {
		return mismatch("copy", z, x, x)
	}
	nw := words.Len(n)
	zw, xw := z.backing(nw), x.backing(nw)
	words.Copy(zw, xw, n)
	return nil
}

// Fill sets every bit below Len, keeping the tail clear (bitmap_fill).
func (b *Bitmap) Fill() {
	w, n := b.bits()
	words.Fill(w, n)
	words.ClearTail(w, n)
}

// Zero clears every bit (bitmap_zero).
func (b *Bitmap) Zero() { words.Zero(b.bits()) }

// Empty reports whether no bit is set (bitmap_empty).
func (b *Bitmap) Empty() bool {
	// A bitmap of one word, as most cpumasks are, is answered inline: the
	// kernel's small_const_nbits() path, and one call less than the loop.
	if n := b.Len(); n <= words.WordBits {
		return n == 0 || *b.word(0)&words.LastWordMask(n) == 0
	}
	return words.Empty(b.bits())
}

// Full reports whether every bit below Len is set (bitmap_full); a 0-bit
// bitmap is full and empty at once.
func (b *Bitmap) Full() bool { return words.Full(b.bits()) }

// Weight returns the number of set bits (bitmap_weight).
func (b *Bitmap) Weight() int {
	if n := b.Len(); n <= words.WordBits {
		if n == 0 {
			return 0
		}
		return bits.OnesCount64(*b.word(0) & words.LastWordMask(n))
	}
	return words.Weight(b.bits())
}

// Equal reports whether b and y hold the same bits (bitmap_equal when the
// lengths agree).
func (b *Bitmap) Equal(y *Bitmap) bool {
	bw, bn := b.bits()
	yw, yn := y.bits()
	n := min(bn, yn)
	long, ln := bw, bn
	if yn > bn {
		long, ln = yw, yn
	}
	return words.Equal(bw, yw, n) && words.FindNextBit(long, ln, n) == ln
}

// Intersects reports whether b and y share a set bit (bitmap_intersects).
func (b *Bitmap) Intersects(y *Bitmap) bool {
	bw, bn := b.bits()
	yw, yn := y.bits()
	return words.Intersects(bw, yw, min(bn, yn))
}

// WeightAnd returns the number of bits set in both b and y
// (bitmap_weight_and), counting over the shorter length as Intersects does:
// the weight of b AND y without a bitmap to store it in.
func (b *Bitmap) WeightAnd(y *Bitmap) int {
	bw, bn := b.bits()
	yw, yn := y.bits()
	return words.WeightAnd(bw, yw, min(bn, yn))
}

// Subset reports whether every bit set in b is set in y (bitmap_subset(b, y),
// cpumask_subset's argument order).
func (b *Bitmap) Subset(y *Bitmap) bool {
	bw, bn := b.bits()
	yw, yn := y.bits()
	n := min(bn, yn)
	return words.Subset(bw, yw, n) && words.FindNextBit(bw, bn, n) == bn
}
