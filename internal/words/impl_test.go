package words_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bpfbitmap/prototype/internal/words"
)

// The assembly is checked against the pure-Go loops, which words_test.go
// checks against bit-by-bit loops. Every implementation the CPU has runs at
// every length from 0 to maxImplWords words, each with a whole last word and
// with partial ones, on slices that start at every word offset within a
// 64-byte line, with garbage in the bits past nbits and in the words around
// the slices.

const maxImplWords = 300

// tails are the bit counts of a partial last word tried at each length.
var tails = []int{0, 1, 37, 63}

// layout is a slice of nw words that starts off words into a padded buffer,
// with guard words on both sides holding a pattern the functions must not
// change.
type layout struct {
	buf []uint64
	off int
	nw  int
}

const guardWords = 9

func newLayout(rng *rand.Rand, off, nw int) layout {
	buf := make([]uint64, guardWords+off+nw+guardWords)
	for i := range buf {
		buf[i] = rng.Uint64()
	}
	return layout{buf, guardWords + off, nw}
}

func (l layout) words() []uint64 { return l.buf[l.off : l.off+l.nw : l.off+l.nw] }

func (l layout) clone() layout { return layout{slices.Clone(l.buf), l.off, l.nw} }

// results are every exported bulk function's answer on one pair of inputs.
type results struct {
	Weight, WeightAnd, Empty, Full, Equal, Intersects       string
	Subset                                                  string
	And, AndNot, Or, Xor, Copy, AndWeight, AndInto          string
	AndNotInto                                              string
	FindFirstBit, FindFirstZeroBit, FindNext, FindNextZero  string
	FindNextAnd, FindNextAndNot, FindFirstAnd, FirstSetFrom string
}

// run computes every result on copies of a and b, so that each function sees
// the same inputs; dst starts as a copy of d.
func run(a, b, d layout, nbits int, starts []int) results {
	var r results
	x, y := a.words(), b.words()
	r.Weight = fmt.Sprint(words.Weight(x, nbits))
	r.WeightAnd = fmt.Sprint(words.WeightAnd(x, y, nbits))
	r.Empty = fmt.Sprint(words.Empty(x, nbits))
	r.Full = fmt.Sprint(words.Full(x, nbits))
	r.Equal = fmt.Sprint(words.Equal(x, y, nbits))
	r.Intersects = fmt.Sprint(words.Intersects(x, y, nbits))
	r.Subset = fmt.Sprint(words.Subset(x, y, nbits))
	write := func(f func(dst, a, b []uint64) bool) string {
		dst := d.clone()
		ok := f(dst.words(), x, y)
		return fmt.Sprintf("%v %#x", ok, dst.buf)
	}
	r.And = write(func(d, a, b []uint64) bool { return words.And(d, a, b, nbits) })
	r.AndNot = write(func(d, a, b []uint64) bool { return words.AndNot(d, a, b, nbits) })
	r.Or = write(func(d, a, b []uint64) bool { words.Or(d, a, b, nbits); return false })
	r.Xor = write(func(d, a, b []uint64) bool { words.Xor(d, a, b, nbits); return false })
	r.Copy = write(func(d, a, _ []uint64) bool { words.Copy(d, a, nbits); return false })
	dst := d.clone()
	r.AndWeight = fmt.Sprintf("%d %#x", words.AndWeight(dst.words(), x, y, nbits), dst.buf)
	// The destination as the first operand, as z.And(z, y) does.
	into := func(f func(dst, b []uint64) bool) string {
		dst := a.clone()
		ok := f(dst.words(), y)
		return fmt.Sprintf("%v %#x", ok, dst.buf)
	}
	r.AndInto = into(func(d, b []uint64) bool { return words.And(d, d, b, nbits) })
	r.AndNotInto = into(func(d, b []uint64) bool { return words.AndNot(d, d, b, nbits) })
	r.FindFirstBit = fmt.Sprint(words.FindFirstBit(x, nbits))
	r.FindFirstZeroBit = fmt.Sprint(words.FindFirstZeroBit(x, nbits))
	r.FindFirstAnd = fmt.Sprint(words.FindFirstAndBit(x, y, nbits))
	for _, s := range starts {
		r.FindNext += fmt.Sprint(words.FindNextBit(x, nbits, s), " ")
		r.FindNextZero += fmt.Sprint(words.FindNextZeroBit(x, nbits, s), " ")
		r.FindNextAnd += fmt.Sprint(words.FindNextAndBit(x, y, nbits, s), " ")
		r.FindNextAndNot += fmt.Sprint(words.FindNextAndNotBit(x, y, nbits, s), " ")
	}
	for i := 0; i <= words.Len(nbits); i += 1 + i/3 {
		r.FirstSetFrom += fmt.Sprint(words.FirstSetFrom(x[:words.Len(nbits)], i, nbits), " ")
	}
	return r
}

// pair builds inputs for which the answers are not all foregone: kind picks
// how b relates to a, and one bit (or none) is flipped at a random position,
// which may fall past nbits where it must be ignored.
func pair(rng *rand.Rand, off, nw, nbits int, kind int) (a, b layout) {
	a, b = newLayout(rng, off, nw), newLayout(rng, off, nw)
	x, y := a.words(), b.words()
	for i := range x {
		switch kind {
		case 0: // random
		case 1: // equal
			y[i] = x[i]
		case 2: // disjoint; a has no zero word, so the searches scan
			x[i] |= 1 << (i % 64)
			y[i] = ^x[i]
		case 3: // a subset of b
			y[i] |= x[i]
		case 4: // a empty, b full: the zero searches and Full scan
			x[i], y[i] = 0, ^uint64(0)
		case 5: // a full, b empty
			x[i], y[i] = ^uint64(0), 0
		}
	}
	if pos := rng.IntN(64*nw+1) - 1; pos >= 0 {
		t := x
		if rng.IntN(2) == 0 {
			t = y
		}
		t[pos/64] ^= 1 << (pos % 64)
	}
	return a, b
}

func TestImplsAgree(t *testing.T) {
	names := words.Impls()
	t.Logf("implementations: %v", names)
	rng := rand.New(rand.NewPCG(3, 4)) // fixed seed: same inputs every run
	for nw := 0; nw <= maxImplWords; nw++ {
		for _, tail := range tails {
			nbits := 64*nw - tail
			if tail == 0 {
				nbits = 64 * nw
			} else if nw == 0 {
				continue
			}
			off := rng.IntN(8)
			starts := []int{-1, 0, 1, 63, 64, 65, nbits / 2, nbits - 65, nbits - 1, nbits, nbits + 1}
			for kind := range 6 {
				a, b := pair(rng, off, nw, nbits, kind)
				d := newLayout(rng, off, nw)
				var want results
				for i, name := range names {
					var got results
					words.WithImpl(t, name, func() { got = run(a, b, d, nbits, starts) })
					if i == 0 {
						want = got
						continue
					}
					require.Equal(t, want, got, "%s against %s: %d words at offset %d, nbits %d, kind %d",
						name, names[0], nw, off, nbits, kind)
				}
			}
		}
	}
}

// TestCopyOverlap copies between slices of one array that overlap, dst
// before and after src by every shift that matters to a 32-word step, at
// sizes below and above the kernel threshold: bitmap_copy's operands never
// overlap in the kernel, but a Go caller may pass such slices, and Copy must
// then do what copy does.
func TestCopyOverlap(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8)) // fixed seed: same inputs every run
	for _, im := range words.Impls() {
		words.WithImpl(t, im, func() {
			for _, nw := range []int{1, 8, 31, 32, 33, 64, 100, 300} {
				for _, shift := range []int{-40, -33, -32, -9, -8, -1, 0, 1, 8, 9, 32, 33, 40} {
					buf := make([]uint64, nw+2*41)
					for i := range buf {
						buf[i] = rng.Uint64()
					}
					src := buf[41 : 41+nw]
					dst := buf[41+shift : 41+shift+nw]
					want := slices.Clone(buf)
					copy(want[41+shift:41+shift+nw], want[41:41+nw])
					words.Copy(dst, src, nw*words.WordBits)
					require.Equal(t, want, buf, "%s: %d words, dst at src%+d", im, nw, shift)
				}
			}
		})
	}
}
