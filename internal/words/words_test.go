package words_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bpfbitmap/prototype/internal/words"
)

// Every function is checked against a bit-by-bit loop at every length from 0
// to maxBits, on inputs whose bits at or above nbits (in the last word and in
// spare words after it) are garbage that the readers must ignore.

const maxBits = 129

// spare is how many words past Len(nbits) every test slice carries. Readers
// must not look at them; writers must not touch them.
const spare = 2

func bit(w []uint64, i int) bool { return w[i/64]>>(i%64)&1 == 1 }

func naiveWeight(w []uint64, nbits int) (n int) {
	for i := range nbits {
		if bit(w, i) {
			n++
		}
	}
	return n
}

// naiveFind returns the first i in [from, nbits) with match(i), or nbits.
func naiveFind(nbits, from int, match func(i int) bool) int {
	if from < 0 {
		return nbits
	}
	for i := from; i < nbits; i++ {
		if match(i) {
			return i
		}
	}
	return nbits
}

// inputs returns word slices for nbits bits plus spare words: zeros, ones,
// the lowest and the highest bit, random ones, and each of them again with
// every bit at or above nbits set ("dirty").
func inputs(rng *rand.Rand, nbits int) map[string][]uint64 {
	n := words.Len(nbits) + spare
	mk := func(f func(i int) bool) []uint64 {
		w := make([]uint64, n)
		for i := range nbits {
			if f(i) {
				w[i/64] |= 1 << (i % 64)
			}
		}
		return w
	}
	in := map[string][]uint64{
		"zero":   mk(func(int) bool { return false }),
		"ones":   mk(func(int) bool { return true }),
		"low":    mk(func(i int) bool { return i == 0 }),
		"high":   mk(func(i int) bool { return i == nbits-1 }),
		"alt":    mk(func(i int) bool { return i%3 == 1 }),
		"rand":   mk(func(int) bool { return rng.IntN(2) == 0 }),
		"sparse": mk(func(int) bool { return rng.IntN(40) == 0 }),
		"dense":  mk(func(int) bool { return rng.IntN(40) != 0 }),
	}
	for name, w := range maps(in) {
		d := slices.Clone(w)
		for i := nbits; i < 64*n; i++ {
			d[i/64] |= 1 << (i % 64)
		}
		in[name+"+dirty"] = d
		r := slices.Clone(w)
		for i := nbits; i < 64*n; i++ {
			if rng.IntN(2) == 0 {
				r[i/64] |= 1 << (i % 64)
			}
		}
		in[name+"+garbage"] = r
	}
	return in
}

// maps snapshots m so that the loop above may add to it.
func maps(m map[string][]uint64) map[string][]uint64 {
	c := make(map[string][]uint64, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// lazy formats a failure message only when it is printed.
type lazy func() string

func (l lazy) String() string { return l() }

func offsets(nbits int) []int {
	o := []int{math.MinInt, -65, -64, -1}
	for i := range nbits + 3 {
		o = append(o, i)
	}
	return append(o, nbits+64, math.MaxInt)
}

func TestLenAndMasks(t *testing.T) {
	for nbits := 0; nbits <= 4*64+1; nbits++ {
		wantLen := 0
		for i := 0; i < nbits; i += 64 {
			wantLen++
		}
		require.Equal(t, wantLen, words.Len(nbits), "Len(%d)", nbits)

		var last uint64
		for i := range 64 {
			if nbits%64 == 0 || i < nbits%64 {
				last |= 1 << i
			}
		}
		if got := words.LastWordMask(nbits); got != last {
			t.Fatalf("LastWordMask(%d) = %#016x; want %#016x", nbits, got, last)
		}
		var first uint64
		for i := range 64 {
			if i >= nbits%64 {
				first |= 1 << i
			}
		}
		if got := words.FirstWordMask(nbits); got != first {
			t.Fatalf("FirstWordMask(%d) = %#016x; want %#016x", nbits, got, first)
		}
	}
}

// TestReaders checks every read-only function against the naive loops, and
// that none of them writes to its inputs.
func TestReaders(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2)) // fixed seed: same inputs every run
	for nbits := 0; nbits <= maxBits; nbits++ {
		in := inputs(rng, nbits)
		names := slices.Sorted(func(yield func(string) bool) {
			for k := range in {
				if !yield(k) {
					return
				}
			}
		})
		for _, an := range names {
			a := in[an]
			a0 := slices.Clone(a)
			if got, want := words.Weight(a, nbits), naiveWeight(a, nbits); got != want {
				t.Fatalf("Weight(%#x, %d) = %d; want %d", a, nbits, got, want)
			}
			w := naiveWeight(a, nbits)
			if got, want := words.Empty(a, nbits), w == 0; got != want {
				t.Fatalf("Empty(%#x, %d) = %v; want %v", a, nbits, got, want)
			}
			if got, want := words.Full(a, nbits), w == nbits; got != want {
				t.Fatalf("Full(%#x, %d) = %v; want %v", a, nbits, got, want)
			}
			set := func(i int) bool { return bit(a, i) }
			clr := func(i int) bool { return !bit(a, i) }
			if got, want := words.FindFirstBit(a, nbits), naiveFind(nbits, 0, set); got != want {
				t.Fatalf("FindFirstBit(%#x, %d) = %d; want %d", a, nbits, got, want)
			}
			if got, want := words.FindFirstZeroBit(a, nbits), naiveFind(nbits, 0, clr); got != want {
				t.Fatalf("FindFirstZeroBit(%#x, %d) = %d; want %d", a, nbits, got, want)
			}
			wantLast := nbits
			for i := nbits - 1; i >= 0; i-- {
				if bit(a, i) {
					wantLast = i
					break
				}
			}
			if got := words.FindLastBit(a, nbits); got != wantLast {
				t.Fatalf("FindLastBit(%#x, %d) = %d; want %d", a, nbits, got, wantLast)
			}
			for _, off := range offsets(nbits) {
				if got, want := words.FindNextBit(a, nbits, off), naiveFind(nbits, off, set); got != want {
					t.Fatalf("FindNextBit(%#x, %d, %d) = %d; want %d", a, nbits, off, got, want)
				}
				if got, want := words.FindNextZeroBit(a, nbits, off), naiveFind(nbits, off, clr); got != want {
					t.Fatalf("FindNextZeroBit(%#x, %d, %d) = %d; want %d", a, nbits, off, got, want)
				}
				// [off, nbits), then [0, off); both empty for a negative off.
				want := naiveFind(nbits, off, set)
				if lim := min(max(off, 0), nbits); want == nbits {
					if want = naiveFind(lim, 0, set); want == lim {
						want = nbits
					}
				}
				if got := words.FindNextBitWrap(a, nbits, off); got != want {
					t.Fatalf("FindNextBitWrap(%#x, %d, %d) = %d; want %d", a, nbits, off, got, want)
				}
			}
			for n := -2; n <= w+2; n++ {
				want := nbits
				if n >= 0 && n < w {
					want = naiveFind(nbits, 0, func(i int) bool {
						return bit(a, i) && naiveWeight(a, i) == n
					})
				}
				got := words.FindNthBit(a, nbits, n)
				if want == nbits && got >= nbits {
					continue // "a value >= size" when there is none
				}
				if got != want {
					t.Fatalf("FindNthBit(%#x, %d, %d) = %d; want %d", a, nbits, n, got, want)
				}
			}
			require.Equal(t, a0, a, "a reader wrote to its input %s at nbits=%d", an, nbits)
		}
	}
}

// TestPairReaders checks the two-operand readers on every pair of inputs.
func TestPairReaders(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2)) // fixed seed: same inputs every run
	for nbits := 0; nbits <= maxBits; nbits++ {
		in := inputs(rng, nbits)
		for an, a := range in {
			// Every a against a spread of b: clean, dirty and garbage tails.
			for _, bn := range []string{"zero", "ones", "rand", "high", "sparse+garbage", "dense+dirty", "low+dirty", "alt+garbage"} {
				b := in[bn]
				a0, b0 := slices.Clone(a), slices.Clone(b)
				what := lazy(func() string { return fmt.Sprintf("(%s=%#x, %s=%#x, %d)", an, a, bn, b, nbits) })
				var eq, inter, sub, both = true, false, true, 0
				for i := range nbits {
					x, y := bit(a, i), bit(b, i)
					eq = eq && x == y
					inter = inter || x && y
					sub = sub && (!x || y)
					if x && y {
						both++
					}
				}
				if got := words.WeightAnd(a, b, nbits); got != both {
					t.Fatalf("WeightAnd%s = %d; want %d", what, got, both)
				}
				if got := words.Equal(a, b, nbits); got != eq {
					t.Fatalf("Equal%s = %v; want %v", what, got, eq)
				}
				if got := words.Intersects(a, b, nbits); got != inter {
					t.Fatalf("Intersects%s = %v; want %v", what, got, inter)
				}
				if got := words.Subset(a, b, nbits); got != sub {
					t.Fatalf("Subset%s = %v; want %v", what, got, sub)
				}
				and := func(i int) bool { return bit(a, i) && bit(b, i) }
				andNot := func(i int) bool { return bit(a, i) && !bit(b, i) }
				if got, want := words.FindFirstAndBit(a, b, nbits), naiveFind(nbits, 0, and); got != want {
					t.Fatalf("FindFirstAndBit%s = %d; want %d", what, got, want)
				}
				for _, off := range offsets(nbits) {
					if got, want := words.FindNextAndBit(a, b, nbits, off), naiveFind(nbits, off, and); got != want {
						t.Fatalf("FindNextAndBit(%#x, %#x, %d, %d) = %d; want %d", a, b, nbits, off, got, want)
					}
					if got, want := words.FindNextAndNotBit(a, b, nbits, off), naiveFind(nbits, off, andNot); got != want {
						t.Fatalf("FindNextAndNotBit(%#x, %#x, %d, %d) = %d; want %d", a, b, nbits, off, got, want)
					}
					want := naiveFind(nbits, off, and)
					if want == nbits {
						lim := min(max(off, 0), nbits)
						if want = naiveFind(lim, 0, and); want == lim {
							want = nbits
						}
					}
					if got := words.FindNextAndBitWrap(a, b, nbits, off); got != want {
						t.Fatalf("FindNextAndBitWrap(%#x, %#x, %d, %d) = %d; want %d", a, b, nbits, off, got, want)
					}
				}
				if !slices.Equal(a0, a) || !slices.Equal(b0, b) {
					t.Fatalf("a reader wrote to its inputs %s", what)
				}
			}
		}
	}
}

// writer is a destination-writing function and its documented effect on one
// word: masked says whether the last word's tail is cleared.
type writer struct {
	name   string
	do     func(dst, a, b []uint64, nbits int) (bool, bool) // result, has result
	word   func(d, a, b uint64) uint64
	masked bool
}

var writers = []writer{
	{"And", func(d, a, b []uint64, n int) (bool, bool) { return words.And(d, a, b, n), true },
		func(_, a, b uint64) uint64 { return a & b }, true},
	{"AndWeight", func(d, a, b []uint64, n int) (bool, bool) { return words.AndWeight(d, a, b, n) != 0, true },
		func(_, a, b uint64) uint64 { return a & b }, true},
	{"AndNot", func(d, a, b []uint64, n int) (bool, bool) { return words.AndNot(d, a, b, n), true },
		func(_, a, b uint64) uint64 { return a &^ b }, true},
	{"Or", func(d, a, b []uint64, n int) (bool, bool) { words.Or(d, a, b, n); return false, false },
		func(_, a, b uint64) uint64 { return a | b }, false},
	{"Xor", func(d, a, b []uint64, n int) (bool, bool) { words.Xor(d, a, b, n); return false, false },
		func(_, a, b uint64) uint64 { return a ^ b }, false},
	{"Complement", func(d, a, _ []uint64, n int) (bool, bool) { words.Complement(d, a, n); return false, false },
		func(_, a, _ uint64) uint64 { return ^a }, false},
	{"Copy", func(d, a, _ []uint64, n int) (bool, bool) { words.Copy(d, a, n); return false, false },
		func(_, a, _ uint64) uint64 { return a }, false},
	{"Zero", func(d, _, _ []uint64, n int) (bool, bool) { words.Zero(d, n); return false, false },
		func(_, _, _ uint64) uint64 { return 0 }, false},
	{"Fill", func(d, _, _ []uint64, n int) (bool, bool) { words.Fill(d, n); return false, false },
		func(_, _, _ uint64) uint64 { return ^uint64(0) }, false},
	{"ClearTail", func(d, _, _ []uint64, n int) (bool, bool) { words.ClearTail(d, n); return false, false },
		func(d, _, _ uint64) uint64 { return d }, true},
}

// TestWriters checks every writer: the first Len(nbits) words of dst get the
// documented whole-word result (the last one masked where documented), the
// spare words after them are untouched, the bool result says whether a bit
// below nbits is set, and dst may be one of the operands.
func TestWriters(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2)) // fixed seed: same inputs every run
	for _, wr := range writers {
		for nbits := 0; nbits <= maxBits; nbits++ {
			in := inputs(rng, nbits)
			n := words.Len(nbits)
			for an, a := range in {
				for _, bn := range []string{"rand+garbage", "ones", "zero+dirty", "sparse"} {
					b := in[bn]
					for _, alias := range []string{"", "dst=a", "dst=b"} {
						dst := make([]uint64, n+spare)
						for i := range dst {
							dst[i] = rng.Uint64()
						}
						x, y := slices.Clone(a), slices.Clone(b)
						switch alias {
						case "dst=a":
							copy(dst, x)
							x = dst
						case "dst=b":
							copy(dst, y)
							y = dst
						}
						want := slices.Clone(dst)
						for i := range n {
							want[i] = wr.word(dst[i], x[i], y[i])
						}
						if wr.masked && n > 0 {
							want[n-1] &= words.LastWordMask(nbits)
						}
						got, has := wr.do(dst, x, y, nbits)
						what := lazy(func() string { return fmt.Sprintf("%s(%s, %s, %d) %s", wr.name, an, bn, nbits, alias) })
						if !slices.Equal(want, dst) {
							t.Fatalf("%s = %#x; want %#x", what, dst, want)
						}
						if has {
							if wantNonEmpty := naiveWeight(dst, nbits) != 0; got != wantNonEmpty {
								t.Fatalf("%s reported non-empty %v; want %v", what, got, wantNonEmpty)
							}
						}
						if alias != "dst=a" {
							require.Equal(t, a, x, "%s changed its operand a", what)
						}
						if alias != "dst=b" {
							require.Equal(t, b, y, "%s changed its operand b", what)
						}
					}
				}
			}
		}
	}
}

// TestAndWeight checks AndWeight's count against the bits of the result it
// stored, which TestWriters checks as And's.
func TestAndWeight(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4)) // fixed seed: same inputs every run
	for nbits := 0; nbits <= maxBits; nbits++ {
		in := inputs(rng, nbits)
		for an, a := range in {
			for bn, b := range in {
				dst := make([]uint64, words.Len(nbits))
				got := words.AndWeight(dst, a, b, nbits)
				want := 0
				for i := range nbits {
					if bit(a, i) && bit(b, i) {
						want++
					}
				}
				if got != want || naiveWeight(dst, nbits) != want {
					t.Fatalf("AndWeight(%s, %s, %d) = %d, stored weight %d; want %d", an, bn, nbits, got, naiveWeight(dst, nbits), want)
				}
			}
		}
	}
}

// TestWritersShortSlices checks that writers touch only Len(nbits) words:
// slices of exactly that length must be enough (no index past them).
func TestWritersShortSlices(t *testing.T) {
	for nbits := 0; nbits <= maxBits; nbits++ {
		n := words.Len(nbits)
		for _, wr := range writers {
			dst, a, b := make([]uint64, n), make([]uint64, n), make([]uint64, n)
			require.NotPanics(t, func() { wr.do(dst, a, b, nbits) }, "%s on %d-word slices, nbits=%d", wr.name, n, nbits)
		}
		a := make([]uint64, n)
		require.NotPanics(t, func() {
			words.Weight(a, nbits)
			words.Empty(a, nbits)
			words.Full(a, nbits)
			words.Equal(a, a, nbits)
			words.Intersects(a, a, nbits)
			words.Subset(a, a, nbits)
			words.FindFirstBit(a, nbits)
			words.FindFirstZeroBit(a, nbits)
			words.FindLastBit(a, nbits)
			words.FindNthBit(a, nbits, 0)
			for _, off := range offsets(nbits) {
				words.FindNextBit(a, nbits, off)
				words.FindNextZeroBit(a, nbits, off)
				words.FindNextAndBit(a, a, nbits, off)
				words.FindNextAndNotBit(a, a, nbits, off)
				words.FindNextBitWrap(a, nbits, off)
				words.FindNextAndBitWrap(a, a, nbits, off)
			}
		}, "readers on %d-word slices, nbits=%d", n, nbits)
	}
}

// TestLongSlices runs the unrolled loops (four words at a time) on long
// inputs with a single differing bit at each position, where a loop that
// skips or double-counts a lane shows.
func TestLongSlices(t *testing.T) {
	for _, nbits := range []int{64 * 7, 64*8 + 1, 64*9 - 1, 1000} {
		n := words.Len(nbits)
		for pos := range nbits {
			a := make([]uint64, n)
			a[pos/64] = 1 << (pos % 64)
			ones := make([]uint64, n)
			words.Fill(ones, nbits)
			words.ClearTail(ones, nbits)
			holed := slices.Clone(ones)
			holed[pos/64] &^= 1 << (pos % 64)
			zero := make([]uint64, n)
			if words.Weight(a, nbits) != 1 || words.Weight(holed, nbits) != nbits-1 {
				t.Fatalf("Weight with bit %d of %d: %d, %d", pos, nbits, words.Weight(a, nbits), words.Weight(holed, nbits))
			}
			if words.Empty(a, nbits) || words.Full(holed, nbits) || !words.Full(ones, nbits) {
				t.Fatalf("Empty/Full with bit %d of %d", pos, nbits)
			}
			if words.Equal(a, zero, nbits) || words.Equal(holed, ones, nbits) {
				t.Fatalf("Equal with bit %d of %d", pos, nbits)
			}
			if !words.Intersects(a, ones, nbits) || words.Intersects(a, holed, nbits) {
				t.Fatalf("Intersects with bit %d of %d", pos, nbits)
			}
			if words.Subset(a, holed, nbits) || !words.Subset(holed, ones, nbits) {
				t.Fatalf("Subset with bit %d of %d", pos, nbits)
			}
			dst := make([]uint64, n)
			if !words.And(dst, a, ones, nbits) || !slices.Equal(dst, a) {
				t.Fatalf("And with bit %d of %d = %#x", pos, nbits, dst)
			}
			if words.And(dst, a, holed, nbits) {
				t.Fatalf("And(bit %d, hole at %d) reported non-empty: %#x", pos, pos, dst)
			}
			if words.FindFirstBit(a, nbits) != pos || words.FindLastBit(a, nbits) != pos ||
				words.FindNthBit(a, nbits, 0) != pos || words.FindFirstZeroBit(holed, nbits) != pos {
				t.Fatalf("finds with bit %d of %d", pos, nbits)
			}
			if pos+1 < nbits && words.FindNthBit(holed, nbits, pos) != pos+1 {
				t.Fatalf("FindNthBit(all but %d, %d, %d) = %d; want %d",
					pos, nbits, pos, words.FindNthBit(holed, nbits, pos), pos+1)
			}
		}
	}
}

// TestRangeWriters checks SetRange at every start and length
// inside maxBits bits on a random background: the range takes the new value,
// every other bit (and the spare words) keeps its old one.
func TestRangeWriters(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2)) // fixed seed: same inputs every run
	nw := words.Len(maxBits) + spare
	for start := 0; start <= maxBits; start++ {
		for n := -1; start+n <= maxBits; n++ {
			w := make([]uint64, nw)
			for i := range w {
				w[i] = rng.Uint64()
			}
			old := slices.Clone(w)
			words.SetRange(w, start, n)
			for i := range 64 * nw {
				want := bit(old, i) || (i >= start && i < start+n)
				if bit(w, i) != want {
					t.Fatalf("SetRange(%#x, %d, %d): bit %d = %v; want %v", old, start, n, i, !want, want)
				}
			}
		}
	}
}

// TestFirstSetFrom checks the word-granular search from every start word, on
// lengths long enough for its four-word steps and on dirty tails.
func TestFirstSetFrom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2)) // fixed seed: same inputs every run
	for _, nbits := range []int{0, 1, 63, 64, 65, 127, 128, 129, 64 * 4, 64*5 - 1, 64*8 + 3, 64 * 13} {
		for an, a := range inputs(rng, nbits) {
			exact := a[:words.Len(nbits)] // the documented shape: Len(size) words
			for i := 0; i <= len(exact); i++ {
				want := naiveFind(nbits, i*64, func(j int) bool { return bit(a, j) })
				if got := words.FirstSetFrom(exact, i, nbits); got != want {
					t.Fatalf("FirstSetFrom(%s=%#x, %d, %d) = %d; want %d", an, exact, i, nbits, got, want)
				}
			}
		}
	}
	// A single bit at every position of a long run of zero words.
	for _, nbits := range []int{64 * 9, 64*9 - 5} {
		for pos := range nbits {
			w := make([]uint64, words.Len(nbits))
			w[pos/64] = 1 << (pos % 64)
			for i := 0; i <= pos/64; i++ {
				if got := words.FirstSetFrom(w, i, nbits); got != pos {
					t.Fatalf("FirstSetFrom(bit %d, %d, %d) = %d; want %d", pos, i, nbits, got, pos)
				}
			}
			if got := words.FirstSetFrom(w, pos/64+1, nbits); got != nbits {
				t.Fatalf("FirstSetFrom(bit %d, %d, %d) = %d; want %d", pos, pos/64+1, nbits, got, nbits)
			}
		}
	}
}
