package bpfbitmap_test

import (
	"errors"
	"fmt"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bpfbitmap/prototype/bpfbitmap"
)

// bitOp is one single-bit operation and its effect on the model. Operations
// without a result return false.
type bitOp struct {
	name  string
	do    func(b *bpfbitmap.Bitmap, i int) bool
	model func(m boolModel, i int) bool
}

var bitOps = []bitOp{
	{"Set", func(b *bpfbitmap.Bitmap, i int) bool { b.Set(i); return false },
		func(m boolModel, i int) bool { m[i] = true; return false }},
	{"NonAtomicSet", func(b *bpfbitmap.Bitmap, i int) bool { b.NonAtomicSet(i); return false },
		func(m boolModel, i int) bool { m[i] = true; return false }},
	{"Clear", func(b *bpfbitmap.Bitmap, i int) bool { b.Clear(i); return false },
		func(m boolModel, i int) bool { m[i] = false; return false }},
	{"NonAtomicClear", func(b *bpfbitmap.Bitmap, i int) bool { b.NonAtomicClear(i); return false },
		func(m boolModel, i int) bool { m[i] = false; return false }},
	{"TestAndSet", (*bpfbitmap.Bitmap).TestAndSet,
		func(m boolModel, i int) bool { old := m[i]; m[i] = true; return old }},
	{"NonAtomicTestAndSet", (*bpfbitmap.Bitmap).NonAtomicTestAndSet,
		func(m boolModel, i int) bool { old := m[i]; m[i] = true; return old }},
	{"TestAndClear", (*bpfbitmap.Bitmap).TestAndClear,
		func(m boolModel, i int) bool { old := m[i]; m[i] = false; return old }},
	{"NonAtomicTestAndClear", (*bpfbitmap.Bitmap).NonAtomicTestAndClear,
		func(m boolModel, i int) bool { old := m[i]; m[i] = false; return old }},
	{"Test", (*bpfbitmap.Bitmap).Test,
		func(m boolModel, i int) bool { return m[i] }},
}

func TestBitOps(t *testing.T) {
	rng := newRand()
	for _, op := range bitOps {
		for _, n := range tailSizes {
			t.Run(fmt.Sprintf("op=%s/bits=%d", op.name, n), func(t *testing.T) {
				a := leakChecked(t)
				m := randModel(rng, n, 0.5)
				b := fromModel(t, a, m)
				defer b.Release()
				// Every index, on a random start, so both old values occur.
				for i := range n {
					got, want := op.do(b, i), op.model(m, i)
					require.Equal(t, want, got, "%s(%d) on %d bits", op.name, i, n)
					require.Equal(t, m[i], b.Test(i), "Test(%d) after %s(%d)", i, op.name, i)
				}
				requireModel(t, b, m, op.name)
				// Twice on the same bit: the second call sees the first.
				for _, i := range []int{0, n / 2, n - 1} {
					if i < 0 || i >= n {
						continue
					}
					op.do(b, i)
					op.model(m, i)
					require.Equal(t, op.model(m.clone(), i), op.do(b, i), "second %s(%d)", op.name, i)
					op.model(m, i)
				}
				requireModel(t, b, m, op.name+" twice")
			})
		}
	}
}

// TestBitOpsTable pins single results that a model shared with the code
// could get wrong in the same way.
func TestBitOpsTable(t *testing.T) {
	a := leakChecked(t)
	b := mustNew(t, a, 130)
	defer b.Release()

	assert.False(t, b.TestAndSet(129), "TestAndSet(129) on a zero bitmap")
	assert.True(t, b.TestAndSet(129), "TestAndSet(129) again")
	assert.Equal(t, []uint64{0, 0, 2}, b.Words(), "bit 129 is word 2 bit 1")
	assert.False(t, b.NonAtomicTestAndSet(64))
	assert.Equal(t, []uint64{0, 1, 2}, b.Words(), "bit 64 is word 1 bit 0")
	b.Set(63)
	assert.Equal(t, []uint64{1 << 63, 1, 2}, b.Words(), "bit 63 is word 0 bit 63")
	assert.True(t, b.TestAndClear(63))
	assert.False(t, b.TestAndClear(63))
	assert.True(t, b.NonAtomicTestAndClear(64))
	assert.False(t, b.NonAtomicTestAndClear(64))
	b.NonAtomicClear(129)
	assert.Equal(t, []uint64{0, 0, 0}, b.Words())
}

// TestBitOpsOutOfRange checks the kernel's "invalid index does nothing":
// no panic, false results, and no write into the bitmap, its slack, or the
// objects next to it in the slab.
func TestBitOpsOutOfRange(t *testing.T) {
	for _, n := range tailSizes {
		t.Run(fmt.Sprintf("bits=%d", n), func(t *testing.T) {
			a := leakChecked(t)
			// Three objects of one class from a fresh allocator sit side by
			// side in one slab: full neighbours would lose bits to a stray
			// Clear, and a zero middle would gain bits from a stray Set.
			prev, mid, next := mustNew(t, a, n), mustNew(t, a, n), mustNew(t, a, n)
			defer prev.Release()
			defer mid.Release()
			defer next.Release()
			prev.Fill()
			next.Fill()
			m := randModel(newRand(), n, 0.5)
			for i, v := range m {
				if v {
					mid.Set(i)
				}
			}
			for _, op := range bitOps {
				for _, i := range badIndices(n) {
					assert.False(t, op.do(mid, i), "%s(%d) on %d bits", op.name, i, n)
				}
			}
			requireModel(t, mid, m, "middle after out-of-range ops")
			assert.True(t, prev.Full(), "previous object after out-of-range ops on its neighbour")
			assert.True(t, next.Full(), "next object after out-of-range ops on its neighbour")
			requireClean(t, prev)
			requireClean(t, next)
		})
	}
}

// bulkOp is one destination-writing bulk operation; y is ignored by the
// one-operand ones. hasResult says whether the bool result means anything.
type bulkOp struct {
	name      string
	binary    bool
	hasResult bool
	do        func(z, x, y *bpfbitmap.Bitmap) (bool, error)
	model     func(x, y bool) bool
}

var bulkOps = []bulkOp{
	{"And", true, true, func(z, x, y *bpfbitmap.Bitmap) (bool, error) { return z.And(x, y) },
		func(x, y bool) bool { return x && y }},
	{"AndNot", true, true, func(z, x, y *bpfbitmap.Bitmap) (bool, error) { return z.AndNot(x, y) },
		func(x, y bool) bool { return x && !y }},
	{"Or", true, false, func(z, x, y *bpfbitmap.Bitmap) (bool, error) { return false, z.Or(x, y) },
		func(x, y bool) bool { return x || y }},
	{"Xor", true, false, func(z, x, y *bpfbitmap.Bitmap) (bool, error) { return false, z.Xor(x, y) },
		func(x, y bool) bool { return x != y }},
	{"Complement", false, false, func(z, x, _ *bpfbitmap.Bitmap) (bool, error) { return false, z.Complement(x) },
		func(x, _ bool) bool { return !x }},
	{"Copy", false, false, func(z, x, _ *bpfbitmap.Bitmap) (bool, error) { return false, z.Copy(x) },
		func(x, _ bool) bool { return x }},
	// AndWeight's count is checked by TestAndWeight; here its result bits
	// and its non-empty report, as And's.
	{"AndWeight", true, true, func(z, x, y *bpfbitmap.Bitmap) (bool, error) { n, err := z.AndWeight(x, y); return n != 0, err },
		func(x, y bool) bool { return x && y }},
}

// TestAndWeight checks AndWeight's count against the model's weight of x AND
// y, and that it refuses operands of another length with the destination
// unchanged.
func TestAndWeight(t *testing.T) {
	rng := newRand()
	a := leakChecked(t)
	for _, n := range tailSizes {
		p1, p2 := patterns(rng, n), patterns(rng, n)
		for name1, m1 := range p1 {
			for name2, m2 := range p2 {
				x, y, z := fromModel(t, a, m1), fromModel(t, a, m2), fromModel(t, a, m1)
				got, err := z.AndWeight(x, y)
				require.NoError(t, err)
				require.Equal(t, m1.weightAnd(m2), got, "AndWeight(%s, %s) of %d bits", name1, name2, n)
				require.Equal(t, got, z.Weight(), "AndWeight(%s, %s) of %d bits: count against the stored result", name1, name2, n)
				x.Release()
				y.Release()
				z.Release()
			}
		}
	}
	x, y := fromModel(t, a, make(boolModel, 64)), fromModel(t, a, make(boolModel, 65))
	defer x.Release()
	defer y.Release()
	x.Set(3)
	n, err := x.AndWeight(x, y)
	require.ErrorIs(t, err, bpfbitmap.ErrSizeMismatch)
	require.Zero(t, n)
	require.Equal(t, 1, x.Weight(), "the destination is unchanged")
}

func applyModel(op bulkOp, x, y boolModel) boolModel {
	z := make(boolModel, len(x))
	for i := range z {
		z[i] = op.model(x[i], y[i])
	}
	return z
}

// TestBulkOps runs every bulk operation over pairs of patterns, into a fresh
// destination and into each of its operands (math/big's aliasing rule).
func TestBulkOps(t *testing.T) {
	rng := newRand()
	for _, op := range bulkOps {
		for _, n := range tailSizes {
			t.Run(fmt.Sprintf("op=%s/bits=%d", op.name, n), func(t *testing.T) {
				a := leakChecked(t)
				ps := patterns(rng, n)
				for xn, xm := range ps {
					for yn, ym := range ps {
						want := applyModel(op, xm, ym)
						for _, alias := range []string{"z", "z=x", "z=y", "z=x=y"} {
							x, y := fromModel(t, a, xm), fromModel(t, a, ym)
							owned := []*bpfbitmap.Bitmap{x, y}
							wantZ := want
							var z *bpfbitmap.Bitmap
							switch alias {
							case "z":
								z = fromModel(t, a, randModel(rng, n, 0.5)) // garbage to overwrite
								owned = append(owned, z)
							case "z=x":
								z = x
							case "z=y":
								z = y
							case "z=x=y":
								z, y = x, x
								wantZ = applyModel(op, xm, xm)
							}
							what := fmt.Sprintf("%s(x=%s, y=%s) %s", op.name, xn, yn, alias)
							nonEmpty, err := op.do(z, x, y)
							require.NoError(t, err, what)
							if op.hasResult {
								require.Equal(t, wantZ.weight() != 0, nonEmpty, "%s: non-empty result", what)
							}
							requireModel(t, z, wantZ, what)
							releaseAll(owned...)
						}
					}
				}
			})
		}
	}
}

// TestBulkOpsSizeMismatch checks the documented rule: a mutating bulk
// operation with an operand of another length fails with ErrSizeMismatch
// (which is also EINVAL) and leaves the destination as it was.
func TestBulkOpsSizeMismatch(t *testing.T) {
	rng := newRand()
	for _, op := range bulkOps {
		for _, n := range tailSizes {
			t.Run(fmt.Sprintf("op=%s/bits=%d", op.name, n), func(t *testing.T) {
				a := leakChecked(t)
				zm := randModel(rng, n, 0.5)
				z := fromModel(t, a, zm)
				defer z.Release()
				same := fromModel(t, a, randModel(rng, n, 0.5))
				defer same.Release()
				for _, d := range []int{-1, 1, 64, -64} {
					if n+d < 0 {
						continue
					}
					other := fromModel(t, a, randModel(rng, n+d, 0.5))
					cases := [][2]*bpfbitmap.Bitmap{{other, same}}
					if op.binary {
						cases = append(cases, [2]*bpfbitmap.Bitmap{same, other}, [2]*bpfbitmap.Bitmap{other, other})
					}
					for _, c := range cases {
						_, err := op.do(z, c[0], c[1])
						require.ErrorIs(t, err, bpfbitmap.ErrSizeMismatch,
							"%s into %d bits with operands of %d and %d bits", op.name, n, c[0].Len(), c[1].Len())
						require.ErrorIs(t, err, syscall.EINVAL)
						require.Contains(t, err.Error(), fmt.Sprintf("%d bits", n+d), "the message names the odd length")
						requireModel(t, z, zm, op.name+" after a size mismatch")
					}
					other.Release()
				}
				// A nil operand is a 0-bit bitmap.
				if n > 0 {
					_, err := op.do(z, nil, same)
					require.ErrorIs(t, err, bpfbitmap.ErrSizeMismatch, "%s with a nil operand", op.name)
					requireModel(t, z, zm, op.name+" after a nil operand")
				}
			})
		}
	}
}

func TestFillZero(t *testing.T) {
	rng := newRand()
	for _, n := range tailSizes {
		a := leakChecked(t)
		for name, m := range patterns(rng, n) {
			b := fromModel(t, a, m)
			b.Fill()
			requireModel(t, b, fullModel(n), fmt.Sprintf("Fill of %s at %d bits", name, n))
			b.Zero()
			requireModel(t, b, make(boolModel, n), fmt.Sprintf("Zero at %d bits", n))
			b.Release()
		}
	}
}

func TestWeightEmptyFull(t *testing.T) {
	a := leakChecked(t)
	for _, tc := range []struct {
		n           int
		set         []int
		weight      int
		empty, full bool
	}{
		{0, nil, 0, true, true}, // documented: a 0-bit bitmap is both
		{1, nil, 0, true, false},
		{1, []int{0}, 1, false, true},
		{64, []int{63}, 1, false, false},
		{65, []int{64}, 1, false, false},
		{127, []int{0, 126}, 2, false, false},
		{1000, []int{999}, 1, false, false},
	} {
		b := mustNew(t, a, tc.n)
		for _, i := range tc.set {
			b.Set(i)
		}
		assert.Equal(t, tc.weight, b.Weight(), "Weight of %v in %d bits", tc.set, tc.n)
		assert.Equal(t, tc.empty, b.Empty(), "Empty of %v in %d bits", tc.set, tc.n)
		assert.Equal(t, tc.full, b.Full(), "Full of %v in %d bits", tc.set, tc.n)
		b.Release()
	}
}

// TestPredicates compares Equal, Intersects, Subset and WeightAnd with the model over
// every pair of sizes: they treat bitmaps as sets of indices, so lengths may
// differ and bits beyond a length count as clear.
func TestPredicates(t *testing.T) {
	rng := newRand()
	a := leakChecked(t)
	for _, n1 := range tailSizes {
		for _, n2 := range tailSizes {
			p1, p2 := patterns(rng, n1), patterns(rng, n2)
			for name1, m1 := range p1 {
				for name2, m2 := range p2 {
					x, y := fromModel(t, a, m1), fromModel(t, a, m2)
					what := fmt.Sprintf("(%s of %d bits, %s of %d bits)", name1, n1, name2, n2)
					require.Equal(t, m1.equal(m2), x.Equal(y), "Equal%s", what)
					require.Equal(t, m1.equal(m2), y.Equal(x), "Equal reversed%s", what)
					require.Equal(t, m1.intersects(m2), x.Intersects(y), "Intersects%s", what)
					require.Equal(t, m1.intersects(m2), y.Intersects(x), "Intersects reversed%s", what)
					require.Equal(t, m1.subset(m2), x.Subset(y), "Subset%s", what)
					require.Equal(t, m2.subset(m1), y.Subset(x), "Subset reversed%s", what)
					require.Equal(t, m1.weightAnd(m2), x.WeightAnd(y), "WeightAnd%s", what)
					require.Equal(t, m1.weightAnd(m2), y.WeightAnd(x), "WeightAnd reversed%s", what)
					x.Release()
					y.Release()
				}
			}
		}
	}
}

// TestPredicatesTable pins the set semantics with hand-written cases.
func TestPredicatesTable(t *testing.T) {
	a := leakChecked(t)
	bm := func(n int, set ...int) *bpfbitmap.Bitmap {
		b := mustNew(t, a, n)
		for _, i := range set {
			b.Set(i)
		}
		return b
	}
	for _, tc := range []struct {
		x, y                      *bpfbitmap.Bitmap
		equal, intersects, subset bool
	}{
		{bm(64, 3), bm(128, 3), true, true, true},
		{bm(64, 3), bm(128, 3, 100), false, true, true},
		{bm(128, 3, 100), bm(64, 3), false, true, false},
		{bm(65, 64), bm(64), false, false, false},
		{bm(64), bm(65, 64), false, false, true},
		{bm(0), bm(1000), true, false, true},
		{bm(0), bm(1000, 999), false, false, true},
		{nil, bm(10), true, false, true},
		{bm(10, 9), nil, false, false, false},
		{nil, nil, true, false, true},
		{bm(1000, 500), bm(1000, 501), false, false, false},
		{bm(1000, 500, 501), bm(1000, 501), false, true, false},
	} {
		what := fmt.Sprintf("x=%d bits %v, y=%d bits %v", tc.x.Len(), setOf(tc.x), tc.y.Len(), setOf(tc.y))
		assert.Equal(t, tc.equal, tc.x.Equal(tc.y), "Equal: %s", what)
		assert.Equal(t, tc.intersects, tc.x.Intersects(tc.y), "Intersects: %s", what)
		assert.Equal(t, tc.subset, tc.x.Subset(tc.y), "Subset: %s", what)
		tc.x.Release()
		tc.y.Release()
	}
}

func setOf(b *bpfbitmap.Bitmap) []int {
	s := []int{}
	for i := range b.All() {
		s = append(s, i)
	}
	return s
}

// TestNilReceiver checks "Methods accept a nil *Bitmap as a bitmap of length
// 0": nothing panics and every reader answers as for an empty 0-bit bitmap.
func TestNilReceiver(t *testing.T) {
	t.Run("nil", func(t *testing.T) {
		var b *bpfbitmap.Bitmap
		assert.Nil(t, b.Words())
		assert.Nil(t, b.Backing())
		assert.Nil(t, b.Acquire())
		testZeroBitmap(t, b)
	})
	// "a zero Bitmap (new(Bitmap)) as a 0-bit bitmap that no allocator owns"
	t.Run("zero", func(t *testing.T) {
		b := new(bpfbitmap.Bitmap)
		assert.Empty(t, b.Words())
		assert.Empty(t, b.Backing())
		testZeroBitmap(t, b)
	})
}

// testZeroBitmap checks that b, nil or a zero Bitmap, behaves as an empty
// 0-bit bitmap under every operation.
func testZeroBitmap(t *testing.T, b *bpfbitmap.Bitmap) {
	require.NotPanics(t, func() {
		assert.Equal(t, 0, b.Len())
		assert.Equal(t, 0, b.Cap())
		assert.Equal(t, int32(0), b.RefCount())
		assert.False(t, b.Release())
		for _, op := range bitOps {
			for _, i := range []int{-1, 0, 1, 64} {
				assert.False(t, op.do(b, i), "%s(%d) on nil", op.name, i)
			}
		}
		b.Fill()
		b.Zero()
		assert.Equal(t, 0, b.Weight())
		assert.True(t, b.Empty())
		assert.True(t, b.Full())
		for _, f := range []func() int{
			b.FindFirstBit, b.FindFirstZeroBit, b.FindLastBit,
			func() int { return b.FindNextBit(0) },
			func() int { return b.FindNextZeroBit(0) },
			func() int { return b.FindNthBit(0) },
			func() int { return b.FindFirstAndBit(nil) },
			func() int { return b.FindNextAndBit(nil, 0) },
			func() int { return b.FindNextAndNotBit(nil, 0) },
		} {
			assert.Equal(t, 0, f(), "a find on nil returns Len() = 0")
		}
		for range b.All() {
			t.Error("All on nil yielded a bit")
		}
		for range b.Backward() {
			t.Error("Backward on nil yielded a bit")
		}
		for _, op := range bulkOps {
			nonEmpty, err := op.do(b, nil, nil)
			assert.NoError(t, err, "%s(nil, nil) into nil", op.name)
			assert.False(t, nonEmpty, "%s(nil, nil) into nil", op.name)
		}
		assert.True(t, b.Equal(nil))
		assert.False(t, b.Intersects(nil))
		assert.True(t, b.Subset(nil))
		bs := b.ToBitset()
		require.NotNil(t, bs)
		assert.Equal(t, uint(0), bs.Len())
	})
}

// TestNilOperand uses nil as an operand of a real bitmap's operations.
func TestNilOperand(t *testing.T) {
	var b *bpfbitmap.Bitmap
	a := leakChecked(t)
	z := mustNew(t, a, 0)
	defer z.Release()
	for _, op := range bulkOps {
		_, err := op.do(z, nil, nil)
		assert.NoError(t, err, "%s(nil, nil) into a 0-bit bitmap", op.name)
	}
	x := mustNew(t, a, 70)
	defer x.Release()
	x.Set(69)
	_, err := b.And(x, x)
	assert.True(t, errors.Is(err, bpfbitmap.ErrSizeMismatch), "And of 70-bit operands into nil: %v", err)
	assert.Equal(t, 70, x.FindFirstAndBit(nil), "FindFirstAndBit(nil) on 70 bits")
	assert.Equal(t, 69, x.FindNextAndNotBit(nil, 0), "FindNextAndNotBit(nil, 0): nil counts as clear")
}
