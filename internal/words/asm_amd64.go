//go:build amd64 && gc && !purego

package words

import (
	"math"

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

// The kernels, in asm_amd64.s (written by mkasm.go), work on whole words: the
// writers on len(dst) words of a and b, the searches on len(a) words of a and
// b. The callers cut the slices and handle a partial last word.

// weightAsm returns the number of set bits in x.
//
//go:noescape
func weightAsm(x []uint64) int

// andAsm stores a AND b into dst and reports whether any word is nonzero.
//
//go:noescape
func andAsm(dst, a, b []uint64) bool

// andNotAsm stores a AND NOT b into dst and reports whether any word is
// nonzero.
//
//go:noescape
func andNotAsm(dst, a, b []uint64) bool

// orAsm stores a OR b into dst.
//
//go:noescape
func orAsm(dst, a, b []uint64)

// xorAsm stores a XOR b into dst.
//
//go:noescape
func xorAsm(dst, a, b []uint64)

// firstNonZeroAsm returns the first i with a[i] != 0, or len(a).
//
//go:noescape
func firstNonZeroAsm(a []uint64) int

// firstNotFullAsm returns the first i with a[i] != ^0, or len(a).
//
//go:noescape
func firstNotFullAsm(a []uint64) int

// firstDiffAsm returns the first i with a[i] != b[i], or len(a).
//
//go:noescape
func firstDiffAsm(a, b []uint64) int

// firstAndAsm returns the first i with a[i]&b[i] != 0, or len(a).
//
//go:noescape
func firstAndAsm(a, b []uint64) int

// firstAndNotAsm returns the first i with a[i]&^b[i] != 0, or len(a).
//
//go:noescape
func firstAndNotAsm(a, b []uint64) int

// asmFrom, asmPairFrom and asmSearchFrom are the sizes in bits from which
// the functions call the kernels (see minAsmWords): the thresholds where the
// CPU has the kernels, never without. Kept as one number each, the test in
// the inlined helpers is one compare, which leaves Weight, Or, Xor, Empty and
// FirstSetFrom budget for two direct calls instead of one indirect call.
var asmFrom, asmPairFrom, asmSearchFrom = asmThresholds(useAsm)

// asmThresholds returns asmFrom, asmPairFrom and asmSearchFrom for useAsm.
func asmThresholds(useAsm bool) (int, int, int) {
	if useAsm {
		return minAsmBits, minAsmPairBits, minAsmSearchBits
	}
	return math.MaxInt, math.MaxInt, math.MaxInt
}
