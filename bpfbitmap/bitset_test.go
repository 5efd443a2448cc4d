package bpfbitmap_test

import (
	"fmt"
	"syscall"
	"testing"

	"github.com/bits-and-blooms/bitset"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bpfbitmap/prototype/bpfbitmap"
)

// TestToBitset checks the conversion out: same length, same bits, and a copy
// that shares no memory with the Bitmap.
func TestToBitset(t *testing.T) {
	rng := newRand()
	for _, n := range tailSizes {
		t.Run(fmt.Sprintf("bits=%d", n), func(t *testing.T) {
			a := leakChecked(t)
			for name, m := range patterns(rng, n) {
				b := fromModel(t, a, m)
				bs := b.ToBitset()
				require.Equal(t, uint(n), bs.Len(), "ToBitset(%s).Len()", name)
				require.Equal(t, uint(m.weight()), bs.Count(), "ToBitset(%s).Count()", name)
				for i := range n + 64 {
					require.Equal(t, m.get(i), bs.Test(uint(i)), "ToBitset(%s).Test(%d)", name, i)
				}
				var got []int
				for i, ok := bs.NextSet(0); ok; i, ok = bs.NextSet(i + 1) {
					got = append(got, int(i))
				}
				require.Equal(t, m.set(), append([]int{}, got...), "ToBitset(%s) set bits", name)
				// bitset keeps whole words: its tail must be clean too.
				for i, w := range bs.Words() {
					if i == n/64 && n%64 != 0 {
						require.Zero(t, w>>(n%64), "ToBitset(%s): tail of word %d", name, i)
					}
				}
				// A copy: writing one side leaves the other alone.
				if n > 0 {
					bs.Flip(0)
					require.Equal(t, m[0], b.Test(0), "Bitmap changed by a write to its ToBitset copy")
					bs.Flip(0)
					b.Clear(n - 1)
					require.Equal(t, m[n-1], bs.Test(uint(n-1)), "ToBitset copy changed by a write to the Bitmap")
				}
				b.Release()
			}
		})
	}
}

// TestFromBitset checks the conversion in, including bitsets that hold bits
// at or above their length (bitset.FromWithLength keeps them, and so do
// bitsets that were longer and shrank) and word slices longer or shorter
// than the length needs.
func TestFromBitset(t *testing.T) {
	rng := newRand()
	for _, n := range tailSizes {
		t.Run(fmt.Sprintf("bits=%d", n), func(t *testing.T) {
			a := leakChecked(t)
			for name, m := range patterns(rng, n) {
				// Built bit by bit.
				bs := bitset.New(uint(n))
				for _, i := range m.set() {
					bs.Set(uint(i))
				}
				b, err := a.FromBitset(bs)
				require.NoError(t, err)
				requireModel(t, b, m, "FromBitset of "+name)
				b.Release()

				// Same bits, every bit at or above n set, and a spare word.
				w := append(m.words(), 0)
				if n%64 != 0 {
					w[len(w)-2] |= ^uint64(0) << (n % 64)
				}
				w[len(w)-1] = ^uint64(0)
				b, err = a.FromBitset(bitset.FromWithLength(uint(n), w))
				require.NoError(t, err)
				requireModel(t, b, m, "FromBitset of dirty "+name)
				b.Release()

				// Round trip.
				x := fromModel(t, a, m)
				y, err := a.FromBitset(x.ToBitset())
				require.NoError(t, err)
				require.True(t, x.Equal(y), "FromBitset(ToBitset(%s))", name)
				requireModel(t, y, m, "round trip of "+name)
				releaseAll(x, y)
			}
		})
	}
}

func TestFromBitsetZeroValue(t *testing.T) {
	a := leakChecked(t)
	b, err := a.FromBitset(&bitset.BitSet{})
	require.NoError(t, err)
	defer b.Release()
	assert.Equal(t, 0, b.Len())
	assert.Empty(t, b.Words())
	assert.Equal(t, uint(0), b.ToBitset().Len())
}

func TestFromBitsetErrors(t *testing.T) {
	a := leakChecked(t)
	_, err := a.FromBitset(bitset.New(bpfbitmap.MaxBits + 1))
	require.ErrorIs(t, err, bpfbitmap.ErrTooBig)
	require.ErrorIs(t, err, syscall.E2BIG)

	b, err := a.FromBitset(bitset.New(bpfbitmap.MaxBits))
	require.NoError(t, err, "a bitset of exactly MaxBits")
	assert.Equal(t, bpfbitmap.MaxBits, b.Len())
	b.Release()

	a.FailNext(1)
	b, err = a.FromBitset(bitset.New(10))
	require.ErrorIs(t, err, bpfbitmap.ErrNoMem)
	require.ErrorIs(t, err, syscall.ENOMEM)
	require.Nil(t, b)
	b, err = a.FromBitset(bitset.New(10))
	require.NoError(t, err, "only the next allocation fails")
	b.Release()

	// The package-level FromBitset uses the Default allocator.
	b, err = bpfbitmap.FromBitset(bitset.New(65).Set(64))
	require.NoError(t, err)
	assert.Equal(t, []int{64}, setOf(b))
	b.Release()
}

func TestFromBitsetNil(t *testing.T) {
	b, err := bpfbitmap.FromBitset(nil)
	assert.Nil(t, b)
	assert.ErrorIs(t, err, bpfbitmap.ErrInvalid)
}

// A writer that breaks the Words rule does not leak tail bits into the copy.
func TestToBitsetClearsDirtyTail(t *testing.T) {
	a := bpfbitmap.NewAllocator()
	b, err := a.New(3)
	require.NoError(t, err)
	defer b.Release()
	b.Words()[0] = ^uint64(0)
	bs := b.ToBitset()
	assert.Equal(t, uint(3), bs.Count())
	assert.Equal(t, uint64(0b111), bs.Words()[0])
}
