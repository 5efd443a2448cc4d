package words

import (
	"math/bits"
	"unsafe"
)

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
// number (asmFrom, asmPairFrom, asmSearchFrom). Weight and the writers win
// from 8 words; the one-operand searches (Empty, Full, the find functions)
// and Equal only from 32, where their 32-word step runs: at 16 words
// BenchmarkWords measured the kernels 30-55% slower than the Go loops and
// Weight and AndNot 40-50% faster. Intersects and Subset, which combine two
// operands a word, win from 16 (quiet machine, n=8: Subset at 1024 bits
// 6.70 to 5.68 ns, Intersects 6.02 to 5.49). TestCalibrate prints the
// crossing at finer steps.
const (
	minAsmWords       = 8
	minAsmBits        = minAsmWords * WordBits
	minAsmPairWords   = 16
	minAsmPairBits    = minAsmPairWords * WordBits
	minAsmSearchWords = 32
	minAsmSearchBits  = minAsmSearchWords * WordBits
	minAsmCopyWords   = 32
	minAsmCopyBits    = minAsmCopyWords * WordBits
)

// FirstWordMask returns the mask of bits at or above start within its word
// (the kernel's BITMAP_FIRST_WORD_MASK).
func FirstWordMask(start int) uint64 { return ^uint64(0) << (uint(start) % WordBits) }

// Every bulk function answers a bitmap of one word inline in its caller, as
// the kernel's small_const_nbits() path does, and calls out for the rest: a
// ...Vec function with the assembly kernel from its threshold on, where the
// CPU has the kernels, a ...Go function with the Go loops below it. The Go
// inliner charges a call 57 of its budget of 80, so the one-word path and a
// direct call do not fit (they did while the loops had no calls: the first
// assembly made Or, Xor, Intersects and Subset 25-140% slower at 64 bits).
// A call through a function parameter it charges 17, as inlining may show
// the function, so each exported function hands its two to a ...1 helper
// that picks one. Where the helper has the budget for two calls (Weight, Or,
// Xor, Empty, FirstSetFrom) it calls each through its own parameter; the
// others assign the chosen one to a variable and call through it. Both stay
// indirect calls once inlined (go1.26 loads the code pointer from the
// function's static closure and calls through a register; the objdump of
// any BenchmarkWords loop shows it), a branch the predictor learns per call
// site. What the helper buys is the frame: a ...Go loop stays a leaf, with
// no frame or stack check for a kernel call it does not make. A dispatcher
// called directly, holding the loop and the kernel call, took FindFirstBit
// and FindNextBit 20% and 23% longer at 1024 bits than the pre-assembly
// loop, where the helpers' indirect calls took +10% and -8% (benchstat n=8,
// all in one binary), and FindNextBit no longer inlined. TestInlined holds
// the exported functions inlinable.

// Weight returns the number of set bits in the first nbits bits of w
// (bitmap_weight).
func Weight(w []uint64, nbits int) int {
	return weight1(w, nbits, weightGo, weightVec)
}

// weight1 is Weight with its multi-word path passed in.
func weight1(w []uint64, nbits int, loop, vec func([]uint64, int) int) int {
	if uint(nbits-1) < WordBits { // 1 to 64 bits
		return bits.OnesCount64(w[0] & LastWordMask(nbits))
	}
	if nbits >= asmFrom {
		return vec(w, nbits)
	}
	return loop(w, nbits)
}

// The ...Vec functions do their partial last word before the kernel call
// and end on it: a call into assembly clobbers every register, so a value
// the function still needs after the call is stored to its frame and loaded
// back (benchstat n=6: And at 1024 bits 10.5% and WeightAnd at 8192 8.9%
// faster without).

// weightVec is Weight from minAsmBits on, where the CPU has the kernels.
func weightVec(w []uint64, nbits int) int {
	full := int(uint(nbits) / WordBits)
	if nbits%WordBits == 0 {
		return weightAsm(w[:full])
	}
	t := bits.OnesCount64(w[full] & LastWordMask(nbits))
	return t + weightAsm(w[:full])
}

// weightGo is Weight in Go loops, for any nbits.
func weightGo(w []uint64, nbits int) int {
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

// WeightAnd returns the number of bits set in both a and b among the first
// nbits bits (bitmap_weight_and): the weight of a AND b without storing it.
func WeightAnd(a, b []uint64, nbits int) int {
	return weightAnd1(a, b, nbits, weightAndGo, weightAndVec)
}

// weightAnd1 is WeightAnd with its multi-word path passed in.
func weightAnd1(a, b []uint64, nbits int, loop, vec func(a, b []uint64, nbits int) int) int {
	if uint(nbits-1) < WordBits { // 1 to 64 bits
		return bits.OnesCount64(a[0] & b[0] & LastWordMask(nbits))
	}
	if nbits >= asmFrom {
		loop = vec
	}
	return loop(a, b, nbits)
}

// weightAndVec is WeightAnd from minAsmBits on, where the CPU has the kernels.
func weightAndVec(a, b []uint64, nbits int) int {
	full := int(uint(nbits) / WordBits)
	if nbits%WordBits == 0 {
		return weightAndAsm(a[:full], b[:full])
	}
	t := bits.OnesCount64(a[full] & b[full] & LastWordMask(nbits))
	return t + weightAndAsm(a[:full], b[:full])
}

// weightAndGo is WeightAnd in Go loops, for any nbits.
func weightAndGo(a, b []uint64, nbits int) int {
	full := nbits / WordBits
	x := a[:full]
	n := len(x) // a length, so the compiler knows n-4 cannot wrap
	y := b[:n]
	var c0, c1, c2, c3 int
	i := 0
	for ; i <= n-4; i += 4 {
		c0 += bits.OnesCount64(x[i] & y[i])
		c1 += bits.OnesCount64(x[i+1] & y[i+1])
		c2 += bits.OnesCount64(x[i+2] & y[i+2])
		c3 += bits.OnesCount64(x[i+3] & y[i+3])
	}
	for ; i < n; i++ {
		c0 += bits.OnesCount64(x[i] & y[i])
	}
	if nbits%WordBits != 0 {
		c1 += bits.OnesCount64(a[full] & b[full] & LastWordMask(nbits))
	}
	return c0 + c1 + c2 + c3
}

// And stores a AND b into the first Len(nbits) words of dst, masks the last
// word's tail, and reports whether the result is non-empty (bitmap_and).
func And(dst, a, b []uint64, nbits int) bool {
	return and1(dst, a, b, nbits, andGo, andVec)
}

// and1 is And with its multi-word path passed in.
func and1(dst, a, b []uint64, nbits int, loop, vec func(dst, a, b []uint64, nbits int) bool) bool {
	if uint(nbits-1) < WordBits { // 1 to 64 bits
		dst[0] = a[0] & b[0] & LastWordMask(nbits)
		return dst[0] != 0
	}
	if nbits >= asmFrom {
		loop = vec
	}
	return loop(dst, a, b, nbits)
}

// andVec is And from minAsmBits on, where the CPU has the kernels.
func andVec(dst, a, b []uint64, nbits int) bool {
	full := int(uint(nbits) / WordBits)
	if nbits%WordBits != 0 {
		x := a[full] & b[full] & LastWordMask(nbits)
		dst[full] = x
		if x != 0 {
			andAsm(dst[:full], a[:full], b[:full])
			return true
		}
	}
	return andAsm(dst[:full], a[:full], b[:full])
}

// andGo is And in Go loops, for any nbits.
func andGo(dst, a, b []uint64, nbits int) bool {
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

// AndWeight stores a AND b into the first Len(nbits) words of dst, masks the
// last word's tail, and returns the number of set bits in the result: And
// then Weight in one pass over the words. The kernel has no such function
// (bitmap_and reports only whether the result is non-empty); a caller that
// needs both the result and its weight, as roaring's in-place And on bitmap
// containers computes, reads each word once instead of twice.
func AndWeight(dst, a, b []uint64, nbits int) int {
	return andWeight1(dst, a, b, nbits, andWeightGo, andWeightVec)
}

// andWeight1 is AndWeight with its multi-word path passed in.
func andWeight1(dst, a, b []uint64, nbits int, loop, vec func(dst, a, b []uint64, nbits int) int) int {
	if uint(nbits-1) < WordBits { // 1 to 64 bits
		dst[0] = a[0] & b[0] & LastWordMask(nbits)
		return bits.OnesCount64(dst[0])
	}
	if nbits >= asmFrom {
		loop = vec
	}
	return loop(dst, a, b, nbits)
}

// andWeightVec is AndWeight from minAsmBits on, where the CPU has the kernels.
func andWeightVec(dst, a, b []uint64, nbits int) int {
	full := int(uint(nbits) / WordBits)
	if nbits%WordBits == 0 {
		return andWeightAsm(dst[:full], a[:full], b[:full])
	}
	x := a[full] & b[full] & LastWordMask(nbits)
	dst[full] = x
	t := bits.OnesCount64(x)
	return t + andWeightAsm(dst[:full], a[:full], b[:full])
}

// andWeightGo is AndWeight in Go loops, for any nbits.
func andWeightGo(dst, a, b []uint64, nbits int) int {
	n := Len(nbits)
	if n == 0 {
		return 0
	}
	last := a[n-1] & b[n-1] & LastWordMask(nbits)
	dst[n-1] = last
	dst = dst[:n-1]
	n = len(dst) // a length, so the compiler knows n-4 cannot wrap
	a, b = a[:n], b[:n]
	c0, c1, c2, c3 := bits.OnesCount64(last), 0, 0, 0
	i := 0
	for ; i <= n-4; i += 4 {
		x0, x1, x2, x3 := a[i]&b[i], a[i+1]&b[i+1], a[i+2]&b[i+2], a[i+3]&b[i+3]
		dst[i], dst[i+1], dst[i+2], dst[i+3] = x0, x1, x2, x3
		c0 += bits.OnesCount64(x0)
		c1 += bits.OnesCount64(x1)
		c2 += bits.OnesCount64(x2)
		c3 += bits.OnesCount64(x3)
	}
	for ; i < n; i++ {
		dst[i] = a[i] & b[i]
		c0 += bits.OnesCount64(dst[i])
	}
	return c0 + c1 + c2 + c3
}

// AndNot stores a AND NOT b into dst, masks the tail, and reports whether the
// result is non-empty (bitmap_andnot).
func AndNot(dst, a, b []uint64, nbits int) bool {
	return andNot1(dst, a, b, nbits, andNotGo, andNotVec)
}

// andNot1 is AndNot with its multi-word path passed in.
func andNot1(dst, a, b []uint64, nbits int, loop, vec func(dst, a, b []uint64, nbits int) bool) bool {
	if uint(nbits-1) < WordBits { // 1 to 64 bits
		dst[0] = a[0] &^ b[0] & LastWordMask(nbits)
		return dst[0] != 0
	}
	if nbits >= asmFrom {
		loop = vec
	}
	return loop(dst, a, b, nbits)
}

// andNotVec is AndNot from minAsmBits on, where the CPU has the kernels.
func andNotVec(dst, a, b []uint64, nbits int) bool {
	full := int(uint(nbits) / WordBits)
	if nbits%WordBits != 0 {
		x := a[full] &^ b[full] & LastWordMask(nbits)
		dst[full] = x
		if x != 0 {
			andNotAsm(dst[:full], a[:full], b[:full])
			return true
		}
	}
	return andNotAsm(dst[:full], a[:full], b[:full])
}

// andNotGo is AndNot in Go loops, for any nbits.
func andNotGo(dst, a, b []uint64, nbits int) bool {
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
	or1(dst, a, b, nbits, orGo, orVec)
}

// or1 is Or with its multi-word path passed in.
func or1(dst, a, b []uint64, nbits int, loop, vec func(dst, a, b []uint64, nbits int)) {
	if uint(nbits-1) < WordBits { // 1 to 64 bits
		dst[0] = a[0] | b[0]
		return
	}
	if nbits >= asmFrom {
		vec(dst, a, b, nbits)
		return
	}
	loop(dst, a, b, nbits)
}

// orVec is Or from minAsmBits on, where the CPU has the kernels.
func orVec(dst, a, b []uint64, nbits int) {
	n := Len(nbits)
	orAsm(dst[:n], a[:n], b[:n])
}

// orGo is Or in Go loops, for any nbits.
func orGo(dst, a, b []uint64, nbits int) {
	n := Len(nbits)
	dst, a, b = dst[:n], a[:n], b[:n]
	for i := range dst {
		dst[i] = a[i] | b[i]
	}
}

// Xor stores a XOR b into the first Len(nbits) words of dst, whole words and
// no tail masking (bitmap_xor).
func Xor(dst, a, b []uint64, nbits int) {
	xor1(dst, a, b, nbits, xorGo, xorVec)
}

// xor1 is Xor with its multi-word path passed in.
func xor1(dst, a, b []uint64, nbits int, loop, vec func(dst, a, b []uint64, nbits int)) {
	if uint(nbits-1) < WordBits { // 1 to 64 bits
		dst[0] = a[0] ^ b[0]
		return
	}
	if nbits >= asmFrom {
		vec(dst, a, b, nbits)
		return
	}
	loop(dst, a, b, nbits)
}

// xorVec is Xor from minAsmBits on, where the CPU has the kernels.
func xorVec(dst, a, b []uint64, nbits int) {
	n := Len(nbits)
	xorAsm(dst[:n], a[:n], b[:n])
}

// xorGo is Xor in Go loops, for any nbits.
func xorGo(dst, a, b []uint64, nbits int) {
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
	copy1(dst, src, nbits, copyVec)
}

// copy1 is Copy with its kernel path passed in, which leaves the budget for
// copy's memmove inline below the threshold.
func copy1(dst, src []uint64, nbits int, vec func(dst, src []uint64)) {
	n := Len(nbits)
	if nbits >= asmCopyFrom {
		vec(dst[:n], src[:n])
		return
	}
	copy(dst[:n], src[:n])
}

// copyVec is Copy from minAsmCopyBits on, where the CPU has the kernels.
// The kernel copies forward, as memcpy may; the kernel's bitmap_copy never
// overlaps its operands, but a Go caller may pass slices of one array, so
// when dst starts inside src copy's memmove does it.
func copyVec(dst, src []uint64) {
	d := uintptr(unsafe.Pointer(unsafe.SliceData(dst)))
	s := uintptr(unsafe.Pointer(unsafe.SliceData(src)))
	if d > s && d-s < uintptr(len(src))*8 {
		copy(dst, src)
		return
	}
	copyAsm(dst, src)
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
	return equal1(a, b, nbits, equalGo, equalVec)
}

// equal1 is Equal with its multi-word path passed in.
func equal1(a, b []uint64, nbits int, loop, vec func(a, b []uint64, nbits int) bool) bool {
	if uint(nbits-1) < WordBits { // 1 to 64 bits
		return (a[0]^b[0])&LastWordMask(nbits) == 0
	}
	if nbits >= asmSearchFrom {
		loop = vec
	}
	return loop(a, b, nbits)
}

// equalVec is Equal from minAsmSearchBits on, where the CPU has the kernels.
func equalVec(a, b []uint64, nbits int) bool {
	full := int(uint(nbits) / WordBits)
	if nbits%WordBits != 0 && (a[full]^b[full])&LastWordMask(nbits) != 0 {
		return false
	}
	return firstDiffAsm(a[:full], b[:full]) == full
}

// equalGo is Equal in Go loops, for any nbits.
func equalGo(a, b []uint64, nbits int) bool {
	full := nbits / WordBits
	x := a[:full]
	n := len(x) // a length, so the compiler knows n-4 cannot wrap
	y := b[:n]
	i := 0
	for ; i <= n-8; i += 8 {
		// Two trees of four, not a chain of eight, so that the words
		// combine in parallel.
		lo := ((x[i] ^ y[i]) | (x[i+1] ^ y[i+1])) | ((x[i+2] ^ y[i+2]) | (x[i+3] ^ y[i+3]))
		hi := ((x[i+4] ^ y[i+4]) | (x[i+5] ^ y[i+5])) | ((x[i+6] ^ y[i+6]) | (x[i+7] ^ y[i+7]))
		if lo|hi != 0 {
			return false
		}
	}
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
	return intersects1(a, b, nbits, intersectsGo, intersectsVec)
}

// intersects1 is Intersects with its multi-word path passed in.
func intersects1(a, b []uint64, nbits int, loop, vec func(a, b []uint64, nbits int) bool) bool {
	if uint(nbits-1) < WordBits { // 1 to 64 bits
		return a[0]&b[0]&LastWordMask(nbits) != 0
	}
	if nbits >= asmPairFrom {
		loop = vec
	}
	return loop(a, b, nbits)
}

// intersectsVec is Intersects from minAsmPairBits on, where the CPU has the kernels.
func intersectsVec(a, b []uint64, nbits int) bool {
	full := int(uint(nbits) / WordBits)
	if nbits%WordBits != 0 && a[full]&b[full]&LastWordMask(nbits) != 0 {
		return true
	}
	return firstAndAsm(a[:full], b[:full]) < full
}

// intersectsGo is Intersects in Go loops, for any nbits.
func intersectsGo(a, b []uint64, nbits int) bool {
	full := nbits / WordBits
	x := a[:full]
	n := len(x) // a length, so the compiler knows n-4 cannot wrap
	y := b[:n]
	i := 0
	for ; i <= n-8; i += 8 {
		// Two trees of four, not a chain of eight, so that the words
		// combine in parallel.
		lo := (x[i]&y[i] | x[i+1]&y[i+1]) | (x[i+2]&y[i+2] | x[i+3]&y[i+3])
		hi := (x[i+4]&y[i+4] | x[i+5]&y[i+5]) | (x[i+6]&y[i+6] | x[i+7]&y[i+7])
		if lo|hi != 0 {
			return true
		}
	}
	for ; i <= n-4; i += 4 {
		if x[i]&y[i]|x[i+1]&y[i+1]|x[i+2]&y[i+2]|x[i+3]&y[i+3] != 0 {
			return true
		}
	}
	for ; i < n; i++ {
		if x[i]&y[i] != 0 {
			return true
		}
	}
	return nbits%WordBits != 0 && a[full]&b[full]&LastWordMask(nbits) != 0
}

// Subset reports whether every set bit of a below nbits is also set in b
// (bitmap_subset(a, b)).
func Subset(a, b []uint64, nbits int) bool {
	return subset1(a, b, nbits, subsetGo, subsetVec)
}

// subset1 is Subset with its multi-word path passed in.
func subset1(a, b []uint64, nbits int, loop, vec func(a, b []uint64, nbits int) bool) bool {
	if uint(nbits-1) < WordBits { // 1 to 64 bits
		return a[0]&^b[0]&LastWordMask(nbits) == 0
	}
	if nbits >= asmPairFrom {
		loop = vec
	}
	return loop(a, b, nbits)
}

// subsetVec is Subset from minAsmPairBits on, where the CPU has the kernels.
func subsetVec(a, b []uint64, nbits int) bool {
	full := int(uint(nbits) / WordBits)
	if nbits%WordBits != 0 && a[full]&^b[full]&LastWordMask(nbits) != 0 {
		return false
	}
	return firstAndNotAsm(a[:full], b[:full]) == full
}

// subsetGo is Subset in Go loops, for any nbits.
func subsetGo(a, b []uint64, nbits int) bool {
	full := nbits / WordBits
	x := a[:full]
	n := len(x) // a length, so the compiler knows n-4 cannot wrap
	y := b[:n]
	i := 0
	for ; i <= n-8; i += 8 {
		// Two trees of four, not a chain of eight, so that the words
		// combine in parallel.
		lo := (x[i]&^y[i] | x[i+1]&^y[i+1]) | (x[i+2]&^y[i+2] | x[i+3]&^y[i+3])
		hi := (x[i+4]&^y[i+4] | x[i+5]&^y[i+5]) | (x[i+6]&^y[i+6] | x[i+7]&^y[i+7])
		if lo|hi != 0 {
			return false
		}
	}
	for ; i <= n-4; i += 4 {
		if x[i]&^y[i]|x[i+1]&^y[i+1]|x[i+2]&^y[i+2]|x[i+3]&^y[i+3] != 0 {
			return false
		}
	}
	for ; i < n; i++ {
		if x[i]&^y[i] != 0 {
			return false
		}
	}
	return nbits%WordBits == 0 || a[full]&^b[full]&LastWordMask(nbits) == 0
}

// Empty reports whether no bit below nbits is set (bitmap_empty).
func Empty(w []uint64, nbits int) bool {
	return empty1(w, nbits, emptyGo, emptyVec)
}

// empty1 is Empty with its multi-word path passed in.
func empty1(w []uint64, nbits int, loop, vec func([]uint64, int) bool) bool {
	if uint(nbits-1) < WordBits { // 1 to 64 bits
		return w[0]&LastWordMask(nbits) == 0
	}
	if nbits >= asmSearchFrom {
		return vec(w, nbits)
	}
	return loop(w, nbits)
}

// emptyVec is Empty from minAsmSearchBits on, where the CPU has the kernels.
func emptyVec(w []uint64, nbits int) bool {
	full := int(uint(nbits) / WordBits)
	if nbits%WordBits != 0 && w[full]&LastWordMask(nbits) != 0 {
		return false
	}
	return firstNonZeroAsm(w[:full]) == full
}

// emptyGo is Empty in Go loops, for any nbits.
func emptyGo(w []uint64, nbits int) bool {
	full := nbits / WordBits
	x := w[:full]
	n := len(x) // a length, so the compiler knows n-4 cannot wrap
	i := 0
	for ; i <= n-8; i += 8 {
		// Two trees of four, not a chain of eight, so that the words
		// combine in parallel.
		lo := (x[i] | x[i+1]) | (x[i+2] | x[i+3])
		hi := (x[i+4] | x[i+5]) | (x[i+6] | x[i+7])
		if lo|hi != 0 {
			return false
		}
	}
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
	return full1(w, nbits, fullGo, fullVec)
}

// full1 is Full with its multi-word path passed in.
func full1(w []uint64, nbits int, loop, vec func([]uint64, int) bool) bool {
	if uint(nbits-1) < WordBits { // 1 to 64 bits
		// The shift drops the bits at and above nbits, as
		// LastWordMask would, in fewer of the inliner's nodes.
		return ^w[0]<<(uint(-nbits)%WordBits) == 0
	}
	if nbits >= asmSearchFrom {
		return vec(w, nbits)
	}
	return loop(w, nbits)
}

// fullVec is Full from minAsmSearchBits on, where the CPU has the kernels.
func fullVec(w []uint64, nbits int) bool {
	full := int(uint(nbits) / WordBits)
	if m := LastWordMask(nbits); nbits%WordBits != 0 && w[full]&m != m {
		return false
	}
	return firstNotFullAsm(w[:full]) == full
}

// fullGo is Full in Go loops, for any nbits.
func fullGo(w []uint64, nbits int) bool {
	full := nbits / WordBits
	x := w[:full]
	n := len(x)
	i := 0
	for ; i <= n-8; i += 8 {
		// Two trees of four, not a chain of eight, so that the words
		// combine in parallel.
		lo := (x[i] & x[i+1]) & (x[i+2] & x[i+3])
		hi := (x[i+4] & x[i+5]) & (x[i+6] & x[i+7])
		if lo&hi != ^uint64(0) {
			return false
		}
	}
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
