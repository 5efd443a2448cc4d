package bpfbitmap_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bpfbitmap/prototype/bpfbitmap"
)

// starts returns the offsets worth searching from in an n-bit bitmap: every
// one in range, the edges, and the negative and huge ones C would see as
// huge unsigned values.
func starts(n int) []int {
	s := []int{math.MinInt, math.MinInt32, -65, -64, -1}
	for i := range n + 3 {
		s = append(s, i)
	}
	return append(s, n+63, n+64, math.MaxInt32, math.MaxInt)
}

func TestFindVsModel(t *testing.T) {
	rng := newRand()
	for _, n := range tailSizes {
		t.Run(fmt.Sprintf("bits=%d", n), func(t *testing.T) {
			a := leakChecked(t)
			for name, m := range patterns(rng, n) {
				b := fromModel(t, a, m)
				w := b.Words()
				require.Equal(t, m.findNext(0, true), b.FindFirstBit(),
					"FindFirstBit(%#x, %d) (%s)", w, n, name)
				require.Equal(t, m.findNext(0, false), b.FindFirstZeroBit(),
					"FindFirstZeroBit(%#x, %d) (%s)", w, n, name)
				require.Equal(t, m.findLast(), b.FindLastBit(),
					"FindLastBit(%#x, %d) (%s)", w, n, name)
				for _, s := range starts(n) {
					if got, want := b.FindNextBit(s), m.findNext(s, true); got != want {
						t.Fatalf("FindNextBit(%#x, %d, %d) = %d; want %d", w, n, s, got, want)
					}
					if got, want := b.FindNextZeroBit(s), m.findNext(s, false); got != want {
						t.Fatalf("FindNextZeroBit(%#x, %d, %d) = %d; want %d", w, n, s, got, want)
					}
				}
				for k := -2; k <= m.weight()+2; k++ {
					if got, want := b.FindNthBit(k), m.findNth(k); got != want {
						t.Fatalf("FindNthBit(%#x, %d, %d) = %d; want %d", w, n, k, got, want)
					}
				}
				for _, k := range []int{math.MinInt, n, n + 1, math.MaxInt} {
					require.Equal(t, m.findNth(k), b.FindNthBit(k), "FindNthBit(%#x, %d, %d)", w, n, k)
				}
				b.Release()
			}
		})
	}
}

// TestFindAndVsModel checks the two-operand finds against the model with
// operands of the same and of other lengths: bits beyond other's length
// count as clear, and not found is always the receiver's Len.
func TestFindAndVsModel(t *testing.T) {
	rng := newRand()
	for _, n := range tailSizes {
		t.Run(fmt.Sprintf("bits=%d", n), func(t *testing.T) {
			a := leakChecked(t)
			for _, on := range []int{n, n - 1, n + 1, 0, 64, n + 200} {
				if on < 0 {
					continue
				}
				for xn, xm := range patterns(rng, n) {
					for yn, ym := range patterns(rng, on) {
						x, y := fromModel(t, a, xm), fromModel(t, a, ym)
						require.Equal(t, xm.findNextAnd(ym, 0, false), x.FindFirstAndBit(y),
							"FindFirstAndBit(%s of %d bits, %s of %d bits)", xn, n, yn, on)
						for _, s := range starts(n) {
							if got, want := x.FindNextAndBit(y, s), xm.findNextAnd(ym, s, false); got != want {
								t.Fatalf("FindNextAndBit(%#x, %#x, %d, %d) = %d; want %d (other has %d bits)",
									x.Words(), y.Words(), n, s, got, want, on)
							}
							if got, want := x.FindNextAndNotBit(y, s), xm.findNextAnd(ym, s, true); got != want {
								t.Fatalf("FindNextAndNotBit(%#x, %#x, %d, %d) = %d; want %d (other has %d bits)",
									x.Words(), y.Words(), n, s, got, want, on)
							}
						}
						x.Release()
						y.Release()
					}
				}
			}
		})
	}
}

// bitmapOf returns an nbits-bit Bitmap from a with the given bits set.
func bitmapOf(t testing.TB, a *bpfbitmap.Allocator, nbits int, set ...int) *bpfbitmap.Bitmap {
	t.Helper()
	b := mustNew(t, a, nbits)
	for _, i := range set {
		require.Less(t, i, nbits, "bit %d of a %d-bit test bitmap", i, nbits)
		b.Set(i)
	}
	return b
}

// TestFindNthBitKernel is test_find_nth_bit from lib/test_bitmap.c: bits 10,
// 20, 30, 40, 50, 60, 80 and 123, searched in 192 and in 191 bits.
func TestFindNthBitKernel(t *testing.T) {
	a := leakChecked(t)
	set := []int{10, 20, 30, 40, 50, 60, 80, 123}
	for _, size := range []int{64 * 3, 64*3 - 1} {
		b := bitmapOf(t, a, size, set...)
		for n, want := range set {
			assert.Equal(t, want, b.FindNthBit(n), "FindNthBit(%#x, %d, %d)", b.Words(), size, n)
		}
		assert.Equal(t, size, b.FindNthBit(len(set)), "FindNthBit(%#x, %d, %d)", b.Words(), size, len(set))
		b.Release()
	}
}

// exp1 is the first pattern table of lib/test_bitmap.c, as 64-bit words.
var exp1 = []uint64{
	1, 2, 0x0000ffff, 0xffff0000, 0x55555555, 0xaaaaaaaa, 0x11111111, 0x22222222,
	0xffffffff, 0xfffffffe, 0x3333333311111111, 0xffffffff77777777, 0, 0x00008000, 0x80000000,
}

// TestFindKernelExp1 walks exp1 as test_find_nth_bit's last loop does
// (for_each_set_bit against find_nth_bit), plus the other finds.
func TestFindKernelExp1(t *testing.T) {
	a := leakChecked(t)
	size := len(exp1) * 64
	b := mustNew(t, a, size)
	defer b.Release()
	var m boolModel
	for _, w := range exp1 {
		for j := range 64 {
			m = append(m, w>>j&1 == 1)
		}
	}
	for i, v := range m {
		if v {
			b.Set(i)
		}
	}
	require.Equal(t, exp1, b.Words())
	cnt := 0
	for bit := range b.All() {
		assert.Equal(t, bit, b.FindNthBit(cnt), "FindNthBit(exp1, %d, %d)", size, cnt)
		cnt++
	}
	assert.Equal(t, m.weight(), cnt)
	assert.Equal(t, m.set(), setOf(b))
	for s := range size {
		require.Equal(t, m.findNext(s, true), b.FindNextBit(s), "FindNextBit(exp1, %d, %d)", size, s)
		require.Equal(t, m.findNext(s, false), b.FindNextZeroBit(s), "FindNextZeroBit(exp1, %d, %d)", size, s)
	}
}

// TestFindTable pins hand-computed results, including the ones the
// benchmarks rely on (only the last bit set) and the "return Len when
// nothing is found" contract at every edge.
func TestFindTable(t *testing.T) {
	a := leakChecked(t)
	for _, tc := range []struct {
		nbits int
		set   []int
		fn    string
		arg   int
		want  int
	}{
		{0, nil, "first", 0, 0},
		{0, nil, "firstzero", 0, 0},
		{0, nil, "last", 0, 0},
		{0, nil, "next", 0, 0},
		{0, nil, "next", -1, 0},
		{0, nil, "nth", 0, 0},
		{1, nil, "first", 0, 1},
		{1, []int{0}, "first", 0, 0},
		{1, []int{0}, "firstzero", 0, 1},
		{1, []int{0}, "last", 0, 0},
		{1, []int{0}, "next", 1, 1},
		{63, []int{62}, "first", 0, 62},
		{63, nil, "firstzero", 0, 0},
		{64, []int{63}, "first", 0, 63},
		{64, []int{63}, "next", 63, 63},
		{64, []int{63}, "next", 64, 64},
		{64, []int{63}, "nth", 0, 63},
		{64, []int{63}, "nth", 1, 64},
		{65, []int{64}, "first", 0, 64},
		{65, []int{64}, "last", 0, 64},
		{65, []int{0, 64}, "next", 1, 64},
		{65, []int{0, 64}, "next", -1, 65}, // C's unsigned start: huge, nothing found
		{65, []int{0, 64}, "nextzero", -1, 65},
		{127, []int{126}, "first", 0, 126},
		{127, []int{0, 1, 126}, "last", 0, 126},
		{1000, []int{999}, "first", 0, 999},
		{1000, []int{999}, "nth", 0, 999},
		{1000, []int{999}, "nth", -1, 1000},
		{1000, []int{3, 999}, "next", 4, 999},
		{1000, []int{3, 999}, "next", 1000, 1000},
		{1000, []int{3, 999}, "next", 5000, 1000},
		{1000, nil, "last", 0, 1000},
		{1000, nil, "firstzero", 0, 0},
	} {
		b := bitmapOf(t, a, tc.nbits, tc.set...)
		var got int
		switch tc.fn {
		case "first":
			got = b.FindFirstBit()
		case "firstzero":
			got = b.FindFirstZeroBit()
		case "last":
			got = b.FindLastBit()
		case "next":
			got = b.FindNextBit(tc.arg)
		case "nextzero":
			got = b.FindNextZeroBit(tc.arg)
		case "nth":
			got = b.FindNthBit(tc.arg)
		}
		assert.Equal(t, tc.want, got, "find %s(%#x, %d, %d) = %d; want %d", tc.fn, b.Words(), tc.nbits, tc.arg, got, tc.want)
		b.Release()
	}
}

// TestFindZeroFull checks the zero finds on full bitmaps, where the only
// zeros in the last word are the tail bits they must not report.
func TestFindZeroFull(t *testing.T) {
	a := leakChecked(t)
	for _, n := range tailSizes {
		b := mustNew(t, a, n)
		b.Fill()
		assert.Equal(t, n, b.FindFirstZeroBit(), "FindFirstZeroBit(full %d bits)", n)
		for _, s := range []int{0, n - 1, n, n + 1} {
			assert.Equal(t, n, b.FindNextZeroBit(s), "FindNextZeroBit(full %d bits, %d)", n, s)
		}
		b.Release()
	}
}

// TestFindWalk is the kernel's find_bit_benchmark walk in both directions:
// FindFirstBit then Clear visits the set bits in ascending order, FindLastBit
// then Clear in descending order.
func TestFindWalk(t *testing.T) {
	rng := newRand()
	a := leakChecked(t)
	for _, n := range tailSizes {
		m := randModel(rng, n, 0.3)
		b := fromModel(t, a, m)
		var up []int
		for i := b.FindFirstBit(); i < n; i = b.FindFirstBit() {
			up = append(up, i)
			require.True(t, b.TestAndClear(i), "bit %d reported by FindFirstBit was not set", i)
		}
		assert.Equal(t, m.set(), append([]int{}, up...), "ascending walk at %d bits", n)
		assert.True(t, b.Empty())

		b2 := fromModel(t, a, m)
		var down []int
		for i := b2.FindLastBit(); i < n; i = b2.FindLastBit() {
			down = append(down, i)
			require.True(t, b2.TestAndClear(i), "bit %d reported by FindLastBit was not set", i)
		}
		for i, j := 0, len(down)-1; i < j; i, j = i+1, j-1 {
			down[i], down[j] = down[j], down[i]
		}
		assert.Equal(t, m.set(), append([]int{}, down...), "descending walk at %d bits", n)
		b.Release()
		b2.Release()
	}
}
