//go:build amd64 && gc && !purego

package words

import (
	"math"
	"unsafe"

	"golang.org/x/sys/cpu"
)

//go:generate go run mkasm.go

// The kernels' instruction set, chosen once here: AVX-512 where the CPU has
// VPOPCNTQ (Ice Lake, Zen 4 and later), AVX2 otherwise, the pure-Go loops
// without either. x/sys/cpu checks that the OS saves the vector state, and
// GODEBUG=cpu.avx512f=off (or cpu.avx2=off) turns a path off. Each kernel
// reads useAVX512 itself; the tests flip both to run every path the CPU has.
var (
	useAVX512 = cpu.X86.HasAVX512F && cpu.X86.HasAVX512VPOPCNTDQ
	useAsm    = useAVX512 || cpu.X86.HasAVX2 && cpu.X86.HasPOPCNT
)

// The kernels, in asm_amd64.s (written by mkasm.go), work on n whole words
// from pointers: an assembly function takes its arguments on the stack, and
// a pointer and a count are four words to store and load where three slices
// are nine (And at 8192 bits took 9.4 ns with slices, 8.3 with pointers). The
// ...Asm functions below take slices; they inline, check the lengths
// and pass each slice's data, so a kernel never reads or writes past a
// slice. The callers cut the slices and handle a partial last word.

//go:noescape
func weightKernel(a *uint64, n int) int

//go:noescape
func weightAndKernel(a, b *uint64, n int) int

//go:noescape
func andWeightKernel(dst, a, b *uint64, n int) int

//go:noescape
func andKernel(dst, a, b *uint64, n int) bool

//go:noescape
func andNotKernel(dst, a, b *uint64, n int) bool

//go:noescape
func orKernel(dst, a, b *uint64, n int)

//go:noescape
func xorKernel(dst, a, b *uint64, n int)

//go:noescape
func firstNonZeroKernel(a *uint64, n int) int

//go:noescape
func firstNotFullKernel(a *uint64, n int) int

//go:noescape
func firstDiffKernel(a, b *uint64, n int) int

//go:noescape
func firstAndKernel(a, b *uint64, n int) int

//go:noescape
func firstAndNotKernel(a, b *uint64, n int) int

//go:noescape
func copyKernel(dst, src *uint64, n int)

// weightAsm returns the number of set bits in x.
func weightAsm(x []uint64) int { return weightKernel(unsafe.SliceData(x), len(x)) }

// weightAndAsm returns the number of set bits in a AND b.
func weightAndAsm(a, b []uint64) int {
	b = b[:len(a)]
	return weightAndKernel(unsafe.SliceData(a), unsafe.SliceData(b), len(a))
}

// andWeightAsm stores a AND b into dst and returns its number of set bits.
func andWeightAsm(dst, a, b []uint64) int {
	a, b = a[:len(dst)], b[:len(dst)]
	return andWeightKernel(unsafe.SliceData(dst), unsafe.SliceData(a), unsafe.SliceData(b), len(dst))
}

// andAsm stores a AND b into dst and reports whether any word is nonzero.
func andAsm(dst, a, b []uint64) bool {
	a, b = a[:len(dst)], b[:len(dst)]
	return andKernel(unsafe.SliceData(dst), unsafe.SliceData(a), unsafe.SliceData(b), len(dst))
}

// andNotAsm stores a AND NOT b into dst and reports whether any word is
// nonzero.
func andNotAsm(dst, a, b []uint64) bool {
	a, b = a[:len(dst)], b[:len(dst)]
	return andNotKernel(unsafe.SliceData(dst), unsafe.SliceData(a), unsafe.SliceData(b), len(dst))
}

// orAsm stores a OR b into dst.
func orAsm(dst, a, b []uint64) {
	a, b = a[:len(dst)], b[:len(dst)]
	orKernel(unsafe.SliceData(dst), unsafe.SliceData(a), unsafe.SliceData(b), len(dst))
}

// xorAsm stores a XOR b into dst.
func xorAsm(dst, a, b []uint64) {
	a, b = a[:len(dst)], b[:len(dst)]
	xorKernel(unsafe.SliceData(dst), unsafe.SliceData(a), unsafe.SliceData(b), len(dst))
}

// copyAsm copies src into dst, front to back.
func copyAsm(dst, src []uint64) {
	src = src[:len(dst)]
	copyKernel(unsafe.SliceData(dst), unsafe.SliceData(src), len(dst))
}

// firstNonZeroAsm returns the first i with a[i] != 0, or len(a).
func firstNonZeroAsm(a []uint64) int { return firstNonZeroKernel(unsafe.SliceData(a), len(a)) }

// firstNotFullAsm returns the first i with a[i] != ^0, or len(a).
func firstNotFullAsm(a []uint64) int { return firstNotFullKernel(unsafe.SliceData(a), len(a)) }

// firstDiffAsm returns the first i with a[i] != b[i], or len(a).
func firstDiffAsm(a, b []uint64) int {
	b = b[:len(a)]
	return firstDiffKernel(unsafe.SliceData(a), unsafe.SliceData(b), len(a))
}

// firstAndAsm returns the first i with a[i]&b[i] != 0, or len(a).
func firstAndAsm(a, b []uint64) int {
	b = b[:len(a)]
	return firstAndKernel(unsafe.SliceData(a), unsafe.SliceData(b), len(a))
}

// firstAndNotAsm returns the first i with a[i]&^b[i] != 0, or len(a).
func firstAndNotAsm(a, b []uint64) int {
	b = b[:len(a)]
	return firstAndNotKernel(unsafe.SliceData(a), unsafe.SliceData(b), len(a))
}

// asmFrom, asmPairFrom, asmSearchFrom and asmCopyFrom are the sizes in bits from which
// the functions call the kernels (see minAsmWords): the thresholds where the
// CPU has the kernels, never without. Kept as one number each, the test in
// the inlined helpers is one compare, which leaves Weight, Or, Xor, Empty and
// FirstSetFrom budget for a call site for each path.
var asmFrom, asmPairFrom, asmSearchFrom, asmCopyFrom = asmThresholds(useAsm)

// asmThresholds returns asmFrom, asmPairFrom, asmSearchFrom and asmCopyFrom
// for useAsm.
func asmThresholds(useAsm bool) (int, int, int, int) {
	if useAsm {
		return minAsmBits, minAsmPairBits, minAsmSearchBits, minAsmCopyBits
	}
	return math.MaxInt, math.MaxInt, math.MaxInt, math.MaxInt
}
