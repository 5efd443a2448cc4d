//go:build !amd64 || !gc || purego

package words

import "math"

// Without the assembly useAsm is the constant false, so the compiler drops
// every branch that calls a kernel; these declarations only keep that code
// compiling, and nothing reaches them.
const useAsm = false

const noAsm = "words: no assembly kernels in this build"

func weightAsm([]uint64) int            { panic(noAsm) }
func weightAndAsm(_, _ []uint64) int    { panic(noAsm) }
func andWeightAsm(_, _, _ []uint64) int { panic(noAsm) }
func andAsm(_, _, _ []uint64) bool      { panic(noAsm) }
func andNotAsm(_, _, _ []uint64) bool   { panic(noAsm) }
func orAsm(_, _, _ []uint64)            { panic(noAsm) }
func xorAsm(_, _, _ []uint64)           { panic(noAsm) }
func copyAsm(_, _ []uint64)             { panic(noAsm) }
func firstNonZeroAsm([]uint64) int      { panic(noAsm) }
func firstNotFullAsm([]uint64) int      { panic(noAsm) }
func firstDiffAsm(_, _ []uint64) int    { panic(noAsm) }
func firstAndAsm(_, _ []uint64) int     { panic(noAsm) }
func firstAndNotAsm(_, _ []uint64) int  { panic(noAsm) }

// Without the kernels no size reaches them.
const asmFrom, asmPairFrom, asmSearchFrom, asmCopyFrom = math.MaxInt, math.MaxInt, math.MaxInt, math.MaxInt
