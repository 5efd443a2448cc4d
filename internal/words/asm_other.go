//go:build !amd64 || !gc || purego

package words

// Without the assembly every function takes its pure-Go branch and the
// compiler drops the other; these stand-ins only keep that branch compiling
// (as math/big's arith_decl_pure.go forwards to the generic code).
const useAsm = false

func weightAsm(x []uint64) int          { return Weight(x, WordBits*len(x)) }
func andAsm(dst, a, b []uint64) bool    { return And(dst, a, b, WordBits*len(dst)) }
func andNotAsm(dst, a, b []uint64) bool { return AndNot(dst, a, b, WordBits*len(dst)) }
func orAsm(dst, a, b []uint64)          { Or(dst, a, b, WordBits*len(dst)) }
func xorAsm(dst, a, b []uint64)         { Xor(dst, a, b, WordBits*len(dst)) }
func firstNonZeroAsm(a []uint64) int    { return firstNonZero(a) }
func firstNotFullAsm(a []uint64) int    { return firstNotFull(a) }
func firstAndAsm(a, b []uint64) int     { return firstAnd(a, b) }
func firstAndNotAsm(a, b []uint64) int  { return firstAndNot(a, b) }

func firstDiffAsm(a, b []uint64) int {
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	return len(a)
}
