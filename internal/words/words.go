package words

import "math/bits"

// WordBits is BITS_PER_LONG on the 64-bit targets we model.
const WordBits = 64

// Len returns how many words hold nbits bits (the kernel's BITS_TO_LONGS).
func Len(nbits int) int { return int((uint(nbits) + WordBits - 1) / WordBits) }

// LastWordMask returns the mask of the valid bits in the last word of an
// nbits-bit bitmap (the kernel's BITMAP_LAST_WORD_MASK); it is all ones when
// nbits is a multiple of 64, including 0.
func LastWordMask(nbits int) uint64 { return ^uint64(0) >> (uint(-nbits) % WordBits) }

// The sizes from which the functions call the assembly kernels, where the CPU
// has them; below them the pure-Go loops win, as a call into assembly costs
// more than a few words of scalar work, and the choice is one compare with a
// constant. Weight and the writers win from 8 words; the searches (the
// predicates and the find functions) only from 32, where their 32-word step
// runs: at 16 words BenchmarkWords measured the kernels 30-55% slower than the
// Go loops and Weight and AndNot 40-50% faster. TestCalibrate prints the
// crossing at finer steps.
const (
	minAsmWords       = 8
	minAsmBits        = minAsmWords * WordBits
	minAsmSearchWords = 32
	minAsmSearchBits  = minAsmSearchWords * WordBits
)

// FirstWordMask returns the mask of bits at or above start within its word
// (the kernel's BITMAP_FIRST_WORD_MASK).
func FirstWordMask(start int) uint64 { return ^uint64(0) << (uint(start) % WordBits) }

// Weight returns the number of set bits in the first nbits bits of w
// (bitmap_weight).
func Weight(w []uint64, nbits int) int {
	if uint(nbits-1) < WordBits { // 1 to 64 bits
		return bits.OnesCount64(w[0] & LastWordMask(nbits))
	}
	if nbits >= minAsmBits && useAsm {
		full := nbits / WordBits
		n := weightAsm(w[:full])
		if nbits%WordBits != 0 {
			n += bits.OnesCount64(w[full] & LastWordMask(nbits))
		}
		return n
	}
	full := nbits / WordBits
	x := w[:full]
	n := len(x) // a length, so the compiler knows n-4 cannot wrap
	// Four counters let the POPCNTs overlap instead of queueing on one;
	// eight words a step halve the loop overhead (measured: 41 against 48 ns
	// for four a step at 128 words).
	var c0, c1, c2, c3 int
	i := 0
	for ; i <= n-8; i += 8 {
		c0 += bits.OnesCount64(x[i]) + bits.OnesCount64(x[i+4])
		c1 += bits.OnesCount64(x[i+1]) + bits.OnesCount64(x[i+5])
		c2 += bits.OnesCount64(x[i+2]) + bits.OnesCount64(x[i+6])
		c3 += bits.OnesCount64(x[i+3]) + bits.OnesCount64(x[i+7])
	}
	for ; i < n; i++ {
		c0 += bits.OnesCount64(x[i])
	}
	if nbits%WordBits != 0 {
		c1 += bits.OnesCount64(w[full] & LastWordMask(nbits))
	}
	return c0 + c1 + c2 + c3
}

// And stores a AND b into the first Len(nbits) words of dst, masks the last
// word's tail, and reports whether the result is non-empty (bitmap_and).
func And(dst, a, b []uint64, nbits int) bool {
	if uint(nbits-1) < WordBits { // 1 to 64 bits
		dst[0] = a[0] & b[0] & LastWordMask(nbits)
		return dst[0] != 0
	}
	if nbits >= minAsmBits && useAsm {
		full := nbits / WordBits
		r := andAsm(dst[:full], a[:full], b[:full])
		if nbits%WordBits != 0 {
			x := a[full] & b[full] & LastWordMask(nbits)
			dst[full] = x
			r = r || x != 0
		}
		return r
	}
	n := Len(nbits)
	if n == 0 {
		return false
	}
	last := a[n-1] & b[n-1] & LastWordMask(nbits)
	dst[n-1] = last
	// Index loops bounded by i <= len-4 are the shape the compiler proves
	// in bounds; the results go through locals so that stores and the
	// accumulator do not wait on each other.
	dst = dst[:n-1]
	n = len(dst) // a length, so the compiler knows n-4 cannot wrap
	a, b = a[:n], b[:n]
	var acc uint64
	i := 0
	for ; i <= n-4; i += 4 {
		x0, x1, x2, x3 := a[i]&b[i], a[i+1]&b[i+1], a[i+2]&b[i+2], a[i+3]&b[i+3]
		dst[i], dst[i+1], dst[i+2], dst[i+3] = x0, x1, x2, x3
		acc |= x0 | x1 | x2 | x3
	}
	for ; i < n; i++ {
		dst[i] = a[i] & b[i]
		acc |= dst[i]
	}
	return acc|last != 0
}

// AndNot stores a AND NOT b into dst, masks the tail, and reports whether the
// result is non-empty (bitmap_andnot).
func AndNot(dst, a, b []uint64, nbits int) bool {
	if uint(nbits-1) < WordBits { // 1 to 64 bits
		dst[0] = a[0] &^ b[0] & LastWordMask(nbits)
		return dst[0] != 0
	}
	if nbits >= minAsmBits && useAsm {
		full := nbits / WordBits
		r := andNotAsm(dst[:full], a[:full], b[:full])
		if nbits%WordBits != 0 {
			x := a[full] &^ b[full] & LastWordMask(nbits)
			dst[full] = x
			r = r || x != 0
		}
		return r
	}
	n := Len(nbits)
	if n == 0 {
		return false
	}
	dst, a, b = dst[:n], a[:n], b[:n]
	var acc uint64
	for i := range n - 1 {
		dst[i] = a[i] &^ b[i]
		acc |= dst[i]
	}
	dst[n-1] = a[n-1] &^ b[n-1] & LastWordMask(nbits)
	return acc|dst[n-1] != 0
}

// Or stores a OR b into the first Len(nbits) words of dst, whole words and no
// tail masking (bitmap_or).
func Or(dst, a, b []uint64, nbits int) {
	if uint(nbits-1) < WordBits { // 1 to 64 bits
		dst[0] = a[0] | b[0]
		return
	}
	if nbits >= minAsmBits && useAsm {
		n := Len(nbits)
		orAsm(dst[:n], a[:n], b[:n])
		return
	}
	n := Len(nbits)
	dst, a, b = dst[:n], a[:n], b[:n]
	for i := range dst {
		dst[i] = a[i] | b[i]
	}
}

// Xor stores a XOR b into the first Len(nbits) words of dst, whole words and
// no tail masking (bitmap_xor).
func Xor(dst, a, b []uint64, nbits int) {
	if uint(nbits-1) < WordBits { // 1 to 64 bits
		dst[0] = a[0] ^ b[0]
		return
	}
	if nbits >= minAsmBits && useAsm {
		n := Len(nbits)
		xorAsm(dst[:n], a[:n], b[:n])
		return
	}
	n := Len(nbits)
	dst, a, b = dst[:n], a[:n], b[:n]
	for i := range dst {
		dst[i] = a[i] ^ b[i]
	}
}

// Complement stores NOT src into the first Len(nbits) words of dst, whole words
// (bitmap_complement): the last word's tail becomes ones where src's was zero.
func Complement(dst, src []uint64, nbits int) {
	n := Len(nbits)
	dst, src = dst[:n], src[:n]
	for i := range dst {
		dst[i] = ^src[i]
	}
}

// Copy copies the first Len(nbits) words of src into dst, tails included
// (bitmap_copy).
func Copy(dst, src []uint64, nbits int) {
	n := Len(nbits)
	copy(dst[:n], src[:n])
}

// Zero clears the first Len(nbits) words of w (bitmap_zero).
func Zero(w []uint64, nbits int) {
	clear(w[:Len(nbits)])
}

// Fill sets every bit of the first Len(nbits) words of w, whole words, so the
// last word's tail becomes ones (bitmap_fill before it learnt to mask).
func Fill(w []uint64, nbits int) {
	w = w[:Len(nbits)]
	for i := range w {
		w[i] = ^uint64(0)
	}
}

// ClearTail clears the bits at or above nbits in the last partial word.
func ClearTail(w []uint64, nbits int) {
	if nbits%WordBits != 0 {
		w[nbits/WordBits] &= LastWordMask(nbits)
	}
}

// Equal reports whether the first nbits bits of a and b are equal
// (bitmap_equal).
func Equal(a, b []uint64, nbits int) bool {
	if uint(nbits-1) < WordBits { // 1 to 64 bits
		return (a[0]^b[0])&LastWordMask(nbits) == 0
	}
	if nbits >= minAsmSearchBits && useAsm {
		full := nbits / WordBits
		return firstDiffAsm(a[:full], b[:full]) == full &&
			(nbits%WordBits == 0 || (a[full]^b[full])&LastWordMask(nbits) == 0)
	}
	full := nbits / WordBits
	x := a[:full]
	n := len(x) // a length, so the compiler knows n-4 cannot wrap
	y := b[:n]
	i := 0
	for ; i <= n-4; i += 4 {
		if (x[i]^y[i])|(x[i+1]^y[i+1])|(x[i+2]^y[i+2])|(x[i+3]^y[i+3]) != 0 {
			return false
		}
	}
	for ; i < n; i++ {
		if x[i] != y[i] {
			return false
		}
	}
	return nbits%WordBits == 0 || (a[full]^b[full])&LastWordMask(nbits) == 0
}

// Intersects reports whether a and b share a set bit below nbits
// (bitmap_intersects).
func Intersects(a, b []uint64, nbits int) bool {
	if uint(nbits-1) < WordBits { // 1 to 64 bits
		return a[0]&b[0]&LastWordMask(nbits) != 0
	}
	if nbits >= minAsmSearchBits && useAsm {
		full := nbits / WordBits
		return firstAndAsm(a[:full], b[:full]) < full ||
			nbits%WordBits != 0 && a[full]&b[full]&LastWordMask(nbits) != 0
	}
	full := nbits / WordBits
	a2, b2 := a[:full], b[:full]
	for i := range a2 {
		if a2[i]&b2[i] != 0 {
			return true
		}
	}
	return nbits%WordBits != 0 && a[full]&b[full]&LastWordMask(nbits) != 0
}

// Subset reports whether every set bit of a below nbits is also set in b
// (bitmap_subset(a, b)).
func Subset(a, b []uint64, nbits int) bool {
	if uint(nbits-1) < WordBits { // 1 to 64 bits
		return a[0]&^b[0]&LastWordMask(nbits) == 0
	}
	if nbits >= minAsmSearchBits && useAsm {
		full := nbits / WordBits
		return firstAndNotAsm(a[:full], b[:full]) == full &&
			(nbits%WordBits == 0 || a[full]&^b[full]&LastWordMask(nbits) == 0)
	}
	full := nbits / WordBits
	a2, b2 := a[:full], b[:full]
	for i := range a2 {
		if a2[i]&^b2[i] != 0 {
			return false
		}
	}
	return nbits%WordBits == 0 || a[full]&^b[full]&LastWordMask(nbits) == 0
}

// Empty reports whether no bit below nbits is set (bitmap_empty).
func Empty(w []uint64, nbits int) bool {
	if uint(nbits-1) < WordBits { // 1 to 64 bits
		return w[0]&LastWordMask(nbits) == 0
	}
	if nbits >= minAsmSearchBits && useAsm {
		full := nbits / WordBits
		return firstNonZeroAsm(w[:full]) == full &&
			(nbits%WordBits == 0 || w[full]&LastWordMask(nbits) == 0)
	}
	full := nbits / WordBits
	x := w[:full]
	n := len(x) // a length, so the compiler knows n-4 cannot wrap
	i := 0
	for ; i <= n-4; i += 4 {
		if x[i]|x[i+1]|x[i+2]|x[i+3] != 0 {
			return false
		}
	}
	for ; i < n; i++ {
		if x[i] != 0 {
			return false
		}
	}
	return nbits%WordBits == 0 || w[full]&LastWordMask(nbits) == 0
}

// Full reports whether every bit below nbits is set (bitmap_full).
func Full(w []uint64, nbits int) bool {
	if uint(nbits-1) < WordBits { // 1 to 64 bits
		m := LastWordMask(nbits)
		return w[0]&m == m
	}
	if nbits >= minAsmSearchBits && useAsm {
		full := nbits / WordBits
		m := LastWordMask(nbits)
		return firstNotFullAsm(w[:full]) == full && (nbits%WordBits == 0 || w[full]&m == m)
	}
	full := nbits / WordBits
	x := w[:full]
	n := len(x)
	i := 0
	for ; i <= n-4; i += 4 {
		if x[i]&x[i+1]&x[i+2]&x[i+3] != ^uint64(0) {
			return false
		}
	}
	for ; i < n; i++ {
		if x[i] != ^uint64(0) {
			return false
		}
	}
	m := LastWordMask(nbits)
	return nbits%WordBits == 0 || w[full]&m == m
}
