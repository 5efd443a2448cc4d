package bpfbitmap_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bpfbitmap/prototype/bpfbitmap"
)

// boolModel is the naive oracle the tests compare every Bitmap operation
// with: one bool per bit, no words, no masks, no tails. Its find functions
// follow the kernel's contract (Len when nothing is found, a negative start
// behaves as a huge unsigned one).
type boolModel []bool

// tailSizes are the sizes every operation is checked at: empty, one bit, both
// sides of one and two word boundaries, and a long odd size.
var tailSizes = []int{0, 1, 63, 64, 65, 127, 128, 129, 1000}

// badIndices returns indices outside [0, n) that every bit operation must
// ignore, as the kernel's unsigned compare does.
func badIndices(n int) []int {
	return []int{-1, -64, -65, n, n + 1, n + 63, n + 64, 1 << 30, math.MaxInt32, math.MaxInt, math.MinInt}
}

func (m boolModel) weight() int {
	n := 0
	for _, v := range m {
		if v {
			n++
		}
	}
	return n
}

func (m boolModel) findNext(start int, want bool) int {
	if start < 0 {
		return len(m)
	}
	for i := start; i < len(m); i++ {
		if m[i] == want {
			return i
		}
	}
	return len(m)
}

func (m boolModel) findLast() int {
	for i := len(m) - 1; i >= 0; i-- {
		if m[i] {
			return i
		}
	}
	return len(m)
}

func (m boolModel) findNth(n int) int {
	if n < 0 {
		return len(m)
	}
	for i, v := range m {
		if v {
			if n == 0 {
				return i
			}
			n--
		}
	}
	return len(m)
}

// get treats bits beyond the model's length as clear, the rule the
// predicates and the two-operand finds use.
func (m boolModel) get(i int) bool { return i >= 0 && i < len(m) && m[i] }

// findNextAnd is find_next_and_bit over len(m) bits; other may be shorter.
func (m boolModel) findNextAnd(other boolModel, start int, not bool) int {
	if start < 0 {
		return len(m)
	}
	for i := start; i < len(m); i++ {
		if m[i] && other.get(i) != not {
			return i
		}
	}
	return len(m)
}

func (m boolModel) set() []int {
	s := []int{}
	for i, v := range m {
		if v {
			s = append(s, i)
		}
	}
	return s
}

func (m boolModel) clone() boolModel { return append(boolModel(nil), m...) }

// words packs m into little-endian words with a clean tail, the layout
// Bitmap.Words must show.
func (m boolModel) words() []uint64 {
	w := make([]uint64, (len(m)+63)/64)
	for i, v := range m {
		if v {
			w[i/64] |= 1 << (i % 64)
		}
	}
	return w
}

func (m boolModel) equal(o boolModel) bool {
	for i := range max(len(m), len(o)) {
		if m.get(i) != o.get(i) {
			return false
		}
	}
	return true
}

func (m boolModel) weightAnd(o boolModel) int {
	n := 0
	for i := range m {
		if m[i] && o.get(i) {
			n++
		}
	}
	return n
}

func (m boolModel) intersects(o boolModel) bool {
	for i := range m {
		if m[i] && o.get(i) {
			return true
		}
	}
	return false
}

func (m boolModel) subset(o boolModel) bool {
	for i := range m {
		if m[i] && !o.get(i) {
			return false
		}
	}
	return true
}

// fullModel returns n set bits.
func fullModel(n int) boolModel {
	m := make(boolModel, n)
	for i := range m {
		m[i] = true
	}
	return m
}

// randModel returns n bits, each set with probability density.
func randModel(rng *rand.Rand, n int, density float64) boolModel {
	m := make(boolModel, n)
	for i := range m {
		m[i] = rng.Float64() < density
	}
	return m
}

// patterns returns the bit patterns worth checking at size n: empty, full,
// only the first, only the last, alternating, and random ones.
func patterns(rng *rand.Rand, n int) map[string]boolModel {
	p := map[string]boolModel{
		"empty": make(boolModel, n),
		"full":  make(boolModel, n),
		"first": make(boolModel, n),
		"last":  make(boolModel, n),
		"odd":   make(boolModel, n),
		"rand":  randModel(rng, n, 0.5),
		"spars": randModel(rng, n, 0.03),
		"dense": randModel(rng, n, 0.97),
	}
	for i := range n {
		p["full"][i] = true
		p["odd"][i] = i%2 == 1
	}
	if n > 0 {
		p["first"][0] = true
		p["last"][n-1] = true
	}
	return p
}

// newRand returns a generator with a fixed seed: same inputs every run.
func newRand() *rand.Rand { return rand.New(rand.NewPCG(1, 2)) }

// leakChecked returns a fresh allocator whose live objects must all have been
// released when t ends.
func leakChecked(t testing.TB) *bpfbitmap.Allocator {
	t.Helper()
	a := bpfbitmap.NewAllocator()
	t.Cleanup(func() {
		assert.Zero(t, a.Stats().Live, "bitmaps still live at the end of %s: a missing Release", t.Name())
	})
	return a
}

// mustNew allocates an n-bit Bitmap from a.
func mustNew(t testing.TB, a *bpfbitmap.Allocator, n int) *bpfbitmap.Bitmap {
	t.Helper()
	b, err := a.New(n)
	require.NoError(t, err, "New(%d)", n)
	require.NotNil(t, b)
	return b
}

// fromModel allocates a Bitmap from a holding m's bits.
func fromModel(t testing.TB, a *bpfbitmap.Allocator, m boolModel) *bpfbitmap.Bitmap {
	t.Helper()
	b := mustNew(t, a, len(m))
	for i, v := range m {
		if v {
			b.NonAtomicSet(i)
		}
	}
	return b
}

// requireClean checks the tail invariant on b: the bits at or above Len in the
// last word are zero, and so is the slack between Len and Cap.
func requireClean(t testing.TB, b *bpfbitmap.Bitmap, msgAndArgs ...any) {
	t.Helper()
	n := b.Len()
	w := b.Words()
	require.Len(t, w, (n+63)/64, msgAndArgs...)
	if n%64 != 0 {
		require.Zero(t, w[len(w)-1]&^(^uint64(0)>>(64-n%64)),
			append([]any{"tail bits of last word %#x at Len %d"}, w[len(w)-1], n)...)
	}
	for i, x := range b.Backing()[len(w):] {
		require.Zero(t, x, "slack word %d beyond Len %d is %#x", len(w)+i, n, x)
	}
}

// requireModel checks that b holds exactly m's bits with a clean tail, through
// the words and through the readers.
func requireModel(t testing.TB, b *bpfbitmap.Bitmap, m boolModel, what string) {
	t.Helper()
	require.Equal(t, len(m), b.Len(), "%s: Len", what)
	if w := b.Words(); len(w) != 0 || len(m) != 0 { // nil and empty are both fine for 0 bits
		require.Equal(t, m.words(), w, "%s: words", what)
	}
	requireClean(t, b, what)
	require.Equal(t, m.weight(), b.Weight(), "%s: Weight", what)
	require.Equal(t, m.weight() == 0, b.Empty(), "%s: Empty", what)
	require.Equal(t, m.weight() == len(m), b.Full(), "%s: Full", what)
	require.Equal(t, m.findNext(0, true), b.FindFirstBit(), "%s: FindFirstBit", what)
	require.Equal(t, m.findNext(0, false), b.FindFirstZeroBit(), "%s: FindFirstZeroBit", what)
	require.Equal(t, m.findLast(), b.FindLastBit(), "%s: FindLastBit", what)
}

// releaseAll releases each distinct Bitmap of bs once, so that aliased
// operands are not released twice.
func releaseAll(bs ...*bpfbitmap.Bitmap) {
	for i, b := range bs {
		if !slices.Contains(bs[:i], b) {
			b.Release()
		}
	}
}
