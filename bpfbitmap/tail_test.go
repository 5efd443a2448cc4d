package bpfbitmap_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/bits-and-blooms/bitset"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bpfbitmap/prototype/bpfbitmap"
)

// tailOp is one operation of the package run on a Bitmap and on its model.
// It gets a destination and two operands of the same length, all distinct,
// and must leave the destination equal to the model it returns.
type tailOp struct {
	name string
	do   func(t *testing.T, a *bpfbitmap.Allocator, z, x, y *bpfbitmap.Bitmap) *bpfbitmap.Bitmap
	// model returns the destination's expected bits, given the models of z,
	// x and y.
	model func(z, x, y boolModel) boolModel
}

func everyBit(n int, f func(i int)) {
	for i := range n {
		f(i)
	}
}

// tailOps lists every operation that writes a Bitmap. Each one that would
// touch the last word as a whole is run on full, empty and random inputs.
var tailOps = []tailOp{
	{"Set", func(_ *testing.T, _ *bpfbitmap.Allocator, z, _, _ *bpfbitmap.Bitmap) *bpfbitmap.Bitmap {
		everyBit(z.Len()+64, z.Set)
		return z
	}, func(z, _, _ boolModel) boolModel { return fullModel(len(z)) }},
	{"NonAtomicSet", func(_ *testing.T, _ *bpfbitmap.Allocator, z, _, _ *bpfbitmap.Bitmap) *bpfbitmap.Bitmap {
		everyBit(z.Len()+64, z.NonAtomicSet)
		return z
	}, func(z, _, _ boolModel) boolModel { return fullModel(len(z)) }},
	{"TestAndSet", func(_ *testing.T, _ *bpfbitmap.Allocator, z, _, _ *bpfbitmap.Bitmap) *bpfbitmap.Bitmap {
		everyBit(z.Len()+64, func(i int) { z.TestAndSet(i) })
		return z
	}, func(z, _, _ boolModel) boolModel { return fullModel(len(z)) }},
	{"NonAtomicTestAndSet", func(_ *testing.T, _ *bpfbitmap.Allocator, z, _, _ *bpfbitmap.Bitmap) *bpfbitmap.Bitmap {
		everyBit(z.Len()+64, func(i int) { z.NonAtomicTestAndSet(i) })
		return z
	}, func(z, _, _ boolModel) boolModel { return fullModel(len(z)) }},
	{"Clear", func(_ *testing.T, _ *bpfbitmap.Allocator, z, _, _ *bpfbitmap.Bitmap) *bpfbitmap.Bitmap {
		everyBit(z.Len()+64, z.Clear)
		return z
	}, func(z, _, _ boolModel) boolModel { return make(boolModel, len(z)) }},
	{"NonAtomicClear", func(_ *testing.T, _ *bpfbitmap.Allocator, z, _, _ *bpfbitmap.Bitmap) *bpfbitmap.Bitmap {
		everyBit(z.Len()+64, z.NonAtomicClear)
		return z
	}, func(z, _, _ boolModel) boolModel { return make(boolModel, len(z)) }},
	{"TestAndClear", func(_ *testing.T, _ *bpfbitmap.Allocator, z, _, _ *bpfbitmap.Bitmap) *bpfbitmap.Bitmap {
		everyBit(z.Len()+64, func(i int) { z.TestAndClear(i) })
		return z
	}, func(z, _, _ boolModel) boolModel { return make(boolModel, len(z)) }},
	{"NonAtomicTestAndClear", func(_ *testing.T, _ *bpfbitmap.Allocator, z, _, _ *bpfbitmap.Bitmap) *bpfbitmap.Bitmap {
		everyBit(z.Len()+64, func(i int) { z.NonAtomicTestAndClear(i) })
		return z
	}, func(z, _, _ boolModel) boolModel { return make(boolModel, len(z)) }},
	{"Fill", func(_ *testing.T, _ *bpfbitmap.Allocator, z, _, _ *bpfbitmap.Bitmap) *bpfbitmap.Bitmap {
		z.Fill()
		return z
	}, func(z, _, _ boolModel) boolModel { return fullModel(len(z)) }},
	{"Zero", func(_ *testing.T, _ *bpfbitmap.Allocator, z, _, _ *bpfbitmap.Bitmap) *bpfbitmap.Bitmap {
		z.Zero()
		return z
	}, func(z, _, _ boolModel) boolModel { return make(boolModel, len(z)) }},
	{"Complement", func(t *testing.T, _ *bpfbitmap.Allocator, z, x, _ *bpfbitmap.Bitmap) *bpfbitmap.Bitmap {
		require.NoError(t, z.Complement(x))
		return z
	}, func(_, x, _ boolModel) boolModel { return applyModel(bulkOps[4], x, x) }},
	{"ComplementInPlace", func(t *testing.T, _ *bpfbitmap.Allocator, z, _, _ *bpfbitmap.Bitmap) *bpfbitmap.Bitmap {
		require.NoError(t, z.Complement(z))
		return z
	}, func(z, _, _ boolModel) boolModel { return applyModel(bulkOps[4], z, z) }},
	{"ComplementTwice", func(t *testing.T, _ *bpfbitmap.Allocator, z, x, _ *bpfbitmap.Bitmap) *bpfbitmap.Bitmap {
		require.NoError(t, z.Complement(x))
		require.NoError(t, z.Complement(z))
		return z
	}, func(_, x, _ boolModel) boolModel { return x }},
	{"Copy", func(t *testing.T, _ *bpfbitmap.Allocator, z, x, _ *bpfbitmap.Bitmap) *bpfbitmap.Bitmap {
		require.NoError(t, z.Copy(x))
		return z
	}, func(_, x, _ boolModel) boolModel { return x }},
	{"And", func(t *testing.T, _ *bpfbitmap.Allocator, z, x, y *bpfbitmap.Bitmap) *bpfbitmap.Bitmap {
		_, err := z.And(x, y)
		require.NoError(t, err)
		return z
	}, func(_, x, y boolModel) boolModel { return applyModel(bulkOps[0], x, y) }},
	{"AndNot", func(t *testing.T, _ *bpfbitmap.Allocator, z, x, y *bpfbitmap.Bitmap) *bpfbitmap.Bitmap {
		_, err := z.AndNot(x, y)
		require.NoError(t, err)
		return z
	}, func(_, x, y boolModel) boolModel { return applyModel(bulkOps[1], x, y) }},
	{"Or", func(t *testing.T, _ *bpfbitmap.Allocator, z, x, y *bpfbitmap.Bitmap) *bpfbitmap.Bitmap {
		require.NoError(t, z.Or(x, y))
		return z
	}, func(_, x, y boolModel) boolModel { return applyModel(bulkOps[2], x, y) }},
	{"Xor", func(t *testing.T, _ *bpfbitmap.Allocator, z, x, y *bpfbitmap.Bitmap) *bpfbitmap.Bitmap {
		require.NoError(t, z.Xor(x, y))
		return z
	}, func(_, x, y boolModel) boolModel { return applyModel(bulkOps[3], x, y) }},
	{"FailedOp", func(t *testing.T, a *bpfbitmap.Allocator, z, x, _ *bpfbitmap.Bitmap) *bpfbitmap.Bitmap {
		// A size mismatch must not write half a result into z.
		other := mustNew(t, a, z.Len()+1)
		other.Fill()
		defer other.Release()
		require.Error(t, z.Or(x, other))
		require.Error(t, z.Complement(other))
		require.Error(t, z.Copy(other))
		return z
	}, func(z, _, _ boolModel) boolModel { return z }},
	{"FromBitset", func(t *testing.T, a *bpfbitmap.Allocator, z, _, _ *bpfbitmap.Bitmap) *bpfbitmap.Bitmap {
		// bitset.FromWithLength keeps bits at or above its length.
		n := z.Len()
		dirty := make([]uint64, (n+63)/64+1)
		for i := range dirty {
			dirty[i] = ^uint64(0)
		}
		b, err := a.FromBitset(bitset.FromWithLength(uint(n), dirty))
		require.NoError(t, err)
		return b
	}, func(z, _, _ boolModel) boolModel { return fullModel(len(z)) }},
	{"FromBitsetOfToBitset", func(t *testing.T, a *bpfbitmap.Allocator, _, x, _ *bpfbitmap.Bitmap) *bpfbitmap.Bitmap {
		b, err := a.FromBitset(x.ToBitset())
		require.NoError(t, err)
		return b
	}, func(_, x, _ boolModel) boolModel { return x }},
}

// TestTailInvariant runs every writing operation at the sizes, from
// empty, full and random starting points, and checks that the bits at or
// above Len stay zero (in the last word and in the slack up to Cap) and that
// no reader reports them.
func TestTailInvariant(t *testing.T) {
	rng := newRand()
	for _, op := range tailOps {
		for _, n := range []int{0, 1, 63, 64, 65, 127, 1000} {
			t.Run(fmt.Sprintf("op=%s/bits=%d", op.name, n), func(t *testing.T) {
				a := leakChecked(t)
				ps := patterns(rng, n)
				for _, start := range []string{"empty", "full", "rand", "rand+cap"} {
					for _, xs := range []string{"empty", "full", "rand"} {
						zm, xm, ym := ps[strings.TrimSuffix(start, "+cap")], ps[xs], ps["dense"]
						z, x, y := fromModel(t, a, zm), fromModel(t, a, xm), fromModel(t, a, ym)
						if start == "rand+cap" {
							// Room for 300 more bits: the slack must stay zero.
							z.Release()
							var err error
							z, err = a.NewCap(n, n+300)
							require.NoError(t, err)
							for _, i := range zm.set() {
								z.Set(i)
							}
							require.GreaterOrEqual(t, len(z.Backing()), (n+300)/64)
						}
						got := op.do(t, a, z, x, y)
						what := fmt.Sprintf("%s at %d bits, z=%s x=%s", op.name, n, start, xs)
						requireModel(t, got, op.model(zm, xm, ym), what)
						requireReadersInRange(t, got, what)
						requireModel(t, x, xm, what+": operand x")
						requireModel(t, y, ym, what+": operand y")
						releaseAll(got, z, x, y)
					}
				}
			})
		}
	}
}

// requireReadersInRange checks that no reader of b reports an index at or
// above Len other than the "not found" Len itself.
func requireReadersInRange(t *testing.T, b *bpfbitmap.Bitmap, what string) {
	t.Helper()
	n := b.Len()
	for i := range b.All() {
		require.Less(t, i, n, "%s: All yielded %d", what, i)
	}
	for i := range b.Backward() {
		require.Less(t, i, n, "%s: Backward yielded %d", what, i)
	}
	for i := n; i < n+64; i++ {
		require.False(t, b.Test(i), "%s: Test(%d) beyond Len %d", what, i, n)
	}
	for _, s := range []int{0, n - 1, n} {
		require.LessOrEqual(t, b.FindNextBit(s), n, "%s: FindNextBit(%d)", what, s)
		require.LessOrEqual(t, b.FindNextZeroBit(s), n, "%s: FindNextZeroBit(%d)", what, s)
	}
	require.LessOrEqual(t, b.FindNthBit(b.Weight()), n, "%s: FindNthBit(Weight)", what)
	bs := b.ToBitset()
	require.Equal(t, uint(n), bs.Len(), "%s: ToBitset length", what)
	require.Equal(t, uint(b.Weight()), bs.Count(), "%s: ToBitset count", what)
}

// TestReadersIgnoreDirtyTail dirties the tail of the last word through Words
// (which the contract forbids) and checks that the readers still mask it,
// as the kernel's do with BITMAP_LAST_WORD_MASK.
func TestReadersIgnoreDirtyTail(t *testing.T) {
	rng := newRand()
	for _, n := range []int{1, 63, 65, 127, 1000} {
		a := leakChecked(t)
		for name, m := range patterns(rng, n) {
			b := fromModel(t, a, m)
			clean := fromModel(t, a, m)
			w := b.Words()
			last := &w[len(w)-1]
			tail := ^(^uint64(0) >> (64 - n%64))
			*last |= tail
			what := fmt.Sprintf("dirty %s at %d bits", name, n)
			assert.Equal(t, m.weight(), b.Weight(), "%s: Weight", what)
			assert.Equal(t, m.weight() == 0, b.Empty(), "%s: Empty", what)
			assert.Equal(t, m.weight() == n, b.Full(), "%s: Full", what)
			assert.Equal(t, m.findNext(0, true), b.FindFirstBit(), "%s: FindFirstBit", what)
			assert.Equal(t, m.findNext(0, false), b.FindFirstZeroBit(), "%s: FindFirstZeroBit", what)
			assert.Equal(t, m.findLast(), b.FindLastBit(), "%s: FindLastBit", what)
			assert.Equal(t, m.findNext(n-1, true), b.FindNextBit(n-1), "%s: FindNextBit(Len-1)", what)
			assert.Equal(t, m.findNth(m.weight()), b.FindNthBit(m.weight()), "%s: FindNthBit(Weight)", what)
			assert.Equal(t, m.set(), setOf(b), "%s: All", what)
			assert.True(t, b.Equal(clean), "%s: Equal to the clean copy", what)
			assert.True(t, clean.Equal(b), "%s: clean copy Equal to it", what)
			assert.True(t, b.Subset(clean), "%s: Subset of the clean copy", what)
			assert.Equal(t, m.weight() != 0, b.Intersects(b), "%s: Intersects itself", what)
			assert.Equal(t, m.findNextAnd(m, 0, false), b.FindFirstAndBit(b), "%s: FindFirstAndBit itself", what)
			*last &^= tail
			releaseAll(b, clean)
		}
	}
}

// TestLargeSizes runs the whole-bitmap operations at the largest sizes: the
// library's MaxBits and one bit less, and the kernel allocator's limit.
func TestLargeSizes(t *testing.T) {
	for _, n := range []int{bpfbitmap.KernelMaxBits, bpfbitmap.MaxBits - 1, bpfbitmap.MaxBits} {
		a := leakChecked(t)
		x, y := mustNew(t, a, n), mustNew(t, a, n)
		x.Fill()
		requireClean(t, x)
		require.Equal(t, n, x.Weight(), "Weight after Fill at %d bits", n)
		require.True(t, x.Full())
		require.Equal(t, n-1, x.FindLastBit())
		require.Equal(t, n, x.FindFirstZeroBit())
		require.Equal(t, n-1, x.FindNthBit(n-1))
		require.Equal(t, n, x.FindNthBit(n))
		require.NoError(t, y.Complement(x))
		require.True(t, y.Empty(), "Complement of full at %d bits", n)
		requireClean(t, y)
		y.Set(n - 1)
		require.True(t, y.TestAndClear(n-1))
		y.Set(n - 1)
		y.Set(n) // out of range
		require.Equal(t, 1, y.Weight())
		require.Equal(t, n-1, y.FindFirstAndBit(x))
		require.Equal(t, n, y.FindNextAndNotBit(x, 0))
		require.True(t, y.Subset(x))
		require.False(t, x.Subset(y))
		nonEmpty, err := x.AndNot(x, y)
		require.NoError(t, err)
		require.True(t, nonEmpty)
		require.Equal(t, n-1, x.FindFirstZeroBit())
		require.NoError(t, x.Xor(x, y))
		require.True(t, x.Full())
		requireClean(t, x)
		releaseAll(x, y)
	}
}
