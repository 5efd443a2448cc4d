package words

import "math/bits"

// FindNextBit and FindNextZeroBit test their first, partial word inline, as
// the bulk functions answer one word (see the comment above Weight), then
// call a ...Go or ...Vec function that looks for the first word that
// matches: the Vec ones with an assembly kernel where minAsmSearchWords words
// remain, the Go ones (and the Vec ones on fewer) in a Go loop. The two-operand
// searches do not fit the inliner's budget that way, so each holds its word
// search itself and costs its caller one call.

// FindFirstBit returns the index of the first set bit below size, or size if
// there is none (find_first_bit).
func FindFirstBit(addr []uint64, size int) int {
	return findFirst1(addr, size, 0, firstSetGo, firstSetVec)
}

// findFirst1 is FindFirstBit, and with flip all ones FindFirstZeroBit, with
// their searches passed in. Past one word it searches from word 0, not from
// word 1 after testing word 0 as FindNextBit does: the four-word steps then
// cover a multiple of four words whole (at 1024 bits three steps and three
// single words from word 1).
func findFirst1(addr []uint64, size int, flip uint64, loop, vec func(w []uint64, i, size int) int) int {
	if uint(size-1) < WordBits { // 1 to 64 bits
		// No mask: a first match at or above size counts as size.
		return min(bits.TrailingZeros64(addr[0]^flip), size)
	}
	if size >= asmSearchFrom {
		return vec(addr, 0, size)
	}
	return loop(addr, 0, size)
}

// FindNextBit returns the index of the first set bit at or after offset and
// below size, or size if there is none, also when offset >= size or offset is
// negative (find_next_bit).
func FindNextBit(addr []uint64, size, offset int) int {
	return findNext1(addr, size, offset, 0, firstSetGo, firstSetVec)
}

// findNext1 is FindNextBit, and with flip all ones and the clear searches
// FindNextZeroBit, with its searches past the first word passed in.
func findNext1(addr []uint64, size, offset int, flip uint64, loop, vec func(w []uint64, i, size int) int) int {
	if uint(offset) >= uint(size) {
		return size
	}
	if w := (addr[offset/WordBits] ^ flip) >> (uint(offset) % WordBits); w != 0 {
		return min(offset+bits.TrailingZeros64(w), size)
	}
	if size >= asmSearchFrom {
		loop = vec
	}
	return loop(addr, offset/WordBits+1, size)
}

// FirstSetFrom returns the first set bit in the words of w from word i on, or
// size; w holds Len(size) words and 0 <= i <= len(w). Callers that have
// checked word i-1 themselves continue here.
func FirstSetFrom(w []uint64, i, size int) int {
	return firstFrom1(w, i, size, firstSetGo, firstSetVec)
}

// firstFrom1 is FirstSetFrom with its searches passed in.
func firstFrom1(w []uint64, i, size int, loop, vec func(w []uint64, i, size int) int) int {
	if size >= asmSearchFrom {
		return vec(w, i, size)
	}
	return loop(w, i, size)
}

// firstSetVec is FirstSetFrom with the kernel.
func firstSetVec(w []uint64, i, size int) int {
	x := w[i:Len(size)]
	if len(x) < minAsmSearchWords {
		return firstSetGo(w, i, size)
	}
	if j := firstNonZeroAsm(x); j < len(x) {
		return min((i+j)*WordBits+bits.TrailingZeros64(x[j]), size)
	}
	return size
}

// firstSetGo is FirstSetFrom in a Go loop: four words a step, tested with
// one OR, then one. It indexes w from i rather than a subslice from 0, and
// has no eight-word step: at 1024 bits (15 words from i = 1) that form took
// FindNextBit from 5.47 to 4.71 ns and FindFirstBit from 5.38 to 4.68, with
// the same times at 8192 bits (benchstat n=6, quiet machine). A step that
// finds a set bit picks its word from the four it holds in registers rather
// than breaking to the one-word loop, which loads them again and branches
// once a word, and the test of i < 0 lets the compiler drop the bounds
// checks from the step: together FindFirstBit -16.6% and FindNextBit -10.8%
// at 1024 bits (benchstat n=6).
func firstSetGo(w []uint64, i, size int) int {
	w = w[:Len(size)]
	n := len(w)
	if i < 0 {
		return size
	}
	for ; i <= n-4; i += 4 {
		a, b, c, d := w[i], w[i+1], w[i+2], w[i+3]
		if a|b|c|d == 0 {
			continue
		}
		return min(i*WordBits+firstOfFour(a, b, c, d), size)
	}
	for ; i < n; i++ {
		if w[i] != 0 {
			return min(i*WordBits+bits.TrailingZeros64(w[i]), size)
		}
	}
	return size
}

// firstOfFour returns the first set bit of the four words a, b, c, d taken
// as one 256-bit run; one of them is not zero. firstSetGo and firstZeroGo
// (with the words inverted) call it once, on the step that matched, so the
// inversion costs their loops nothing.
func firstOfFour(a, b, c, d uint64) int {
	switch {
	case a != 0:
		return bits.TrailingZeros64(a)
	case b != 0:
		return WordBits + bits.TrailingZeros64(b)
	case c != 0:
		return 2*WordBits + bits.TrailingZeros64(c)
	}
	return 3*WordBits + bits.TrailingZeros64(d)
}

// FindFirstZeroBit returns the index of the first clear bit below size, or size
// (find_first_zero_bit).
func FindFirstZeroBit(addr []uint64, size int) int {
	return findFirst1(addr, size, ^uint64(0), firstZeroGo, firstZeroVec)
}

// FindNextZeroBit returns the first clear bit at or after offset below size, or
// size (find_next_zero_bit).
func FindNextZeroBit(addr []uint64, size, offset int) int {
	return findNext1(addr, size, offset, ^uint64(0), firstZeroGo, firstZeroVec)
}

// firstZeroVec is firstZeroGo with the kernel.
func firstZeroVec(w []uint64, i, size int) int {
	x := w[i:Len(size)]
	if len(x) < minAsmSearchWords {
		return firstZeroGo(w, i, size)
	}
	if j := firstNotFullAsm(x); j < len(x) {
		return min((i+j)*WordBits+bits.TrailingZeros64(^x[j]), size)
	}
	return size
}

// firstZeroGo returns the first clear bit in the words of w from word i on,
// or size, in firstSetGo's steps with AND for OR (four words a step instead
// of one: FindFirstZeroBit at 1024 bits -20%, the pure-Go search at 8192
// -45%, benchstat n=8). One loop over the words XOR a flip word for both
// took FindFirstBit 66% and FindNextBit 46% longer at 1024 bits: the
// compiler keeps the XORs, and the OR no longer takes its words from memory.
func firstZeroGo(w []uint64, i, size int) int {
	w = w[:Len(size)]
	n := len(w)
	if i < 0 {
		return size
	}
	for ; i <= n-4; i += 4 {
		a, b, c, d := w[i], w[i+1], w[i+2], w[i+3]
		if a&b&c&d == ^uint64(0) {
			continue
		}
		return min(i*WordBits+firstOfFour(^a, ^b, ^c, ^d), size)
	}
	for ; i < n; i++ {
		if w[i] != ^uint64(0) {
			return min(i*WordBits+bits.TrailingZeros64(^w[i]), size)
		}
	}
	return size
}

// FindFirstAndBit returns the first bit set in both a and b below size, or size
// (find_first_and_bit).
func FindFirstAndBit(a, b []uint64, size int) int {
	return FindNextAndBit(a, b, size, 0)
}

// FindNextAndBit returns the first bit set in both a and b at or after offset
// below size, or size (find_next_and_bit).
func FindNextAndBit(a, b []uint64, size, offset int) int {
	if uint(offset) >= uint(size) {
		return size
	}
	i := offset / WordBits
	if w := (a[i] & b[i]) >> (uint(offset) % WordBits); w != 0 {
		return min(offset+bits.TrailingZeros64(w), size)
	}
	n := Len(size)
	a, b = a[:n], b[:n]
	j := i + 1
	if n-j >= minAsmSearchWords && useAsm {
		j += firstAndAsm(a[j:], b[j:])
	} else {
		for ; j < n && a[j]&b[j] == 0; j++ {
		}
	}
	if j < n {
		return min(j*WordBits+bits.TrailingZeros64(a[j]&b[j]), size)
	}
	return size
}

// FindNextAndNotBit returns the first bit set in a and clear in b at or after
// offset below size, or size (find_next_andnot_bit).
func FindNextAndNotBit(a, b []uint64, size, offset int) int {
	if uint(offset) >= uint(size) {
		return size
	}
	i := offset / WordBits
	if w := (a[i] &^ b[i]) >> (uint(offset) % WordBits); w != 0 {
		return min(offset+bits.TrailingZeros64(w), size)
	}
	n := Len(size)
	a, b = a[:n], b[:n]
	j := i + 1
	if n-j >= minAsmSearchWords && useAsm {
		j += firstAndNotAsm(a[j:], b[j:])
	} else {
		for ; j < n && a[j]&^b[j] == 0; j++ {
		}
	}
	if j < n {
		return min(j*WordBits+bits.TrailingZeros64(a[j]&^b[j]), size)
	}
	return size
}

// FindLastBit returns the index of the last set bit below size, or size if
// there is none (find_last_bit).
func FindLastBit(addr []uint64, size int) int {
	if size <= 0 {
		return size
	}
	i := (size - 1) / WordBits
	w := addr[i] & LastWordMask(size)
	for w == 0 {
		if i == 0 {
			return size
		}
		i--
		w = addr[i]
	}
	return i*WordBits + WordBits - 1 - bits.LeadingZeros64(w)
}

// FindNthBit returns the index of the n-th (0-based) set bit below size, or a
// value >= size if there are not that many (find_nth_bit).
func FindNthBit(addr []uint64, size, n int) int {
	if n < 0 || n >= size {
		return size
	}
	full := size / WordBits
	for i := range full {
		c := bits.OnesCount64(addr[i])
		if n < c {
			return i*WordBits + nthInWord(addr[i], n)
		}
		n -= c
	}
	if size%WordBits != 0 {
		w := addr[full] & LastWordMask(size)
		if n < bits.OnesCount64(w) {
			return full*WordBits + nthInWord(w, n)
		}
	}
	return size
}

// nthInWord returns the position of the n-th set bit of w; n < OnesCount64(w).
func nthInWord(w uint64, n int) int {
	for range n {
		w &= w - 1
	}
	return bits.TrailingZeros64(w)
}

// FindNextBitWrap searches [offset, size) and then [0, offset) for a set bit
// and returns size if there is none (find_next_bit_wrap).
func FindNextBitWrap(addr []uint64, size, offset int) int {
	if i := FindNextBit(addr, size, offset); i < size {
		return i
	}
	if i := FindFirstBit(addr, size); i < offset {
		return i
	}
	return size
}

// FindNextAndBitWrap is FindNextBitWrap over a AND b (find_next_and_bit_wrap).
func FindNextAndBitWrap(a, b []uint64, size, offset int) int {
	if i := FindNextAndBit(a, b, size, offset); i < size {
		return i
	}
	if i := FindFirstAndBit(a, b, size); i < offset {
		return i
	}
	return size
}
