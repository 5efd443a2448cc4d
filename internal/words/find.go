package words

import "math/bits"

// The searches below test their first, partial word here and leave the whole
// words to a word search: firstNonZero, firstNotFull, firstAnd and
// firstAndNot, each a pure-Go loop for short runs and an assembly kernel for
// long ones.

// firstNonZero returns the index of the first nonzero word of a, or len(a).
func firstNonZero(a []uint64) int {
	if len(a) >= minAsmWords && useAsm {
		return firstNonZeroAsm(a)
	}
	// Four words a step, tested with one OR: half the loop overhead of a
	// long run of zeros.
	n := len(a)
	i := 0
	for ; i <= n-4; i += 4 {
		if a[i]|a[i+1]|a[i+2]|a[i+3] != 0 {
			break
		}
	}
	for ; i < n; i++ {
		if a[i] != 0 {
			return i
		}
	}
	return n
}

// firstNotFull returns the index of the first word of a that is not all
// ones, or len(a).
func firstNotFull(a []uint64) int {
	if len(a) >= minAsmWords && useAsm {
		return firstNotFullAsm(a)
	}
	for i, w := range a {
		if w != ^uint64(0) {
			return i
		}
	}
	return len(a)
}

// firstAnd returns the first i with a[i]&b[i] != 0, or len(a).
func firstAnd(a, b []uint64) int {
	if len(a) >= minAsmWords && useAsm {
		return firstAndAsm(a, b[:len(a)])
	}
	b = b[:len(a)]
	for i := range a {
		if a[i]&b[i] != 0 {
			return i
		}
	}
	return len(a)
}

// firstAndNot returns the first i with a[i]&^b[i] != 0, or len(a).
func firstAndNot(a, b []uint64) int {
	if len(a) >= minAsmWords && useAsm {
		return firstAndNotAsm(a, b[:len(a)])
	}
	b = b[:len(a)]
	for i := range a {
		if a[i]&^b[i] != 0 {
			return i
		}
	}
	return len(a)
}

// FindFirstBit returns the index of the first set bit below size, or size if
// there is none (find_first_bit).
func FindFirstBit(addr []uint64, size int) int {
	return FirstSetFrom(addr[:Len(size)], 0, size)
}

// FirstSetFrom returns the first set bit in the words of w from word i on, or
// size; w holds Len(size) words. Callers that have checked word i-1
// themselves continue here.
func FirstSetFrom(w []uint64, i, size int) int {
	// The word search is written out here rather than calling firstNonZero,
	// so that FindFirstBit's callers pay one call, not two.
	n := len(w)
	if n-i >= minAsmWords && useAsm {
		i += firstNonZeroAsm(w[i:])
	} else {
		for ; i <= n-4; i += 4 {
			if w[i]|w[i+1]|w[i+2]|w[i+3] != 0 {
				break
			}
		}
		for ; i < n && w[i] == 0; i++ {
		}
	}
	if i < n {
		return min(i*WordBits+bits.TrailingZeros64(w[i]), size)
	}
	return size
}

// FindNextBit returns the index of the first set bit at or after offset and
// below size, or size if there is none, also when offset >= size or offset is
// negative (find_next_bit).
func FindNextBit(addr []uint64, size, offset int) int {
	if uint(offset) >= uint(size) {
		return size
	}
	i := offset / WordBits
	if w := addr[i] >> (uint(offset) % WordBits); w != 0 {
		return min(offset+bits.TrailingZeros64(w), size)
	}
	return FirstSetFrom(addr[:Len(size)], i+1, size)
}

// FindFirstZeroBit returns the index of the first clear bit below size, or size
// (find_first_zero_bit).
func FindFirstZeroBit(addr []uint64, size int) int {
	return FindNextZeroBit(addr, size, 0)
}

// FindNextZeroBit returns the first clear bit at or after offset below size, or
// size (find_next_zero_bit).
func FindNextZeroBit(addr []uint64, size, offset int) int {
	if uint(offset) >= uint(size) {
		return size
	}
	i := offset / WordBits
	if w := ^addr[i] >> (uint(offset) % WordBits); w != 0 {
		return min(offset+bits.TrailingZeros64(w), size)
	}
	n := Len(size)
	if j := i + 1 + firstNotFull(addr[i+1:n]); j < n {
		return min(j*WordBits+bits.TrailingZeros64(^addr[j]), size)
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
	if j := i + 1 + firstAnd(a[i+1:n], b[i+1:n]); j < n {
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
	if j := i + 1 + firstAndNot(a[i+1:n], b[i+1:n]); j < n {
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
