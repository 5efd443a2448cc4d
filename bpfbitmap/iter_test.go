package bpfbitmap_test

import (
	"fmt"
	"iter"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAllBackward(t *testing.T) {
	rng := newRand()
	for _, n := range tailSizes {
		t.Run(fmt.Sprintf("bits=%d", n), func(t *testing.T) {
			a := leakChecked(t)
			for name, m := range patterns(rng, n) {
				b := fromModel(t, a, m)
				want := m.set()
				assert.Equal(t, want, append([]int{}, slices.Collect(b.All())...), "All of %s at %d bits", name, n)
				back := append([]int{}, slices.Collect(b.Backward())...)
				slices.Reverse(want)
				assert.Equal(t, want, back, "Backward of %s at %d bits", name, n)
				b.Release()
			}
		})
	}
}

// TestIterEarlyBreak stops both iterators after every possible number of
// bits. The range-over-func runtime panics if an iterator calls yield again
// after it returned false, so a loop that ignores the break fails here.
func TestIterEarlyBreak(t *testing.T) {
	a := leakChecked(t)
	m := randModel(newRand(), 1000, 0.1)
	b := fromModel(t, a, m)
	defer b.Release()
	set := m.set()
	reversed := slices.Clone(set)
	slices.Reverse(reversed)
	for _, dir := range []struct {
		name string
		seq  iter.Seq[int]
		want []int
	}{
		{"All", b.All(), set},
		{"Backward", b.Backward(), reversed},
	} {
		for k := 0; k <= len(set); k++ {
			var got []int
			require.NotPanics(t, func() {
				for i := range dir.seq {
					if len(got) == k {
						break
					}
					got = append(got, i)
				}
			}, "%s with a break after %d bits", dir.name, k)
			require.Equal(t, dir.want[:k], append([]int{}, got...), "%s with a break after %d bits", dir.name, k)
		}
		// Pull: stop in the middle, then call stop; next must report done.
		next, stop := iter.Pull(dir.seq)
		first, ok := next()
		require.True(t, ok)
		require.Equal(t, dir.want[0], first, "%s: first pulled bit", dir.name)
		stop()
		_, ok = next()
		require.False(t, ok, "%s: next after stop", dir.name)
	}
}

// TestIterReuse checks that the iterators are re-runnable and see the bitmap
// as it is when each loop starts.
func TestIterReuse(t *testing.T) {
	a := leakChecked(t)
	b := mustNew(t, a, 130)
	defer b.Release()
	all, back := b.All(), b.Backward()
	assert.Empty(t, slices.Collect(all))
	assert.Empty(t, slices.Collect(back))
	for _, i := range []int{0, 63, 64, 129} {
		b.Set(i)
	}
	assert.Equal(t, []int{0, 63, 64, 129}, slices.Collect(all))
	assert.Equal(t, []int{129, 64, 63, 0}, slices.Collect(back))
	assert.Equal(t, []int{0, 63, 64, 129}, slices.Collect(all), "second run of the same All")
}

// TestIterNested runs the two iterators inside each other, as a pairwise
// loop over one bitmap does.
func TestIterNested(t *testing.T) {
	a := leakChecked(t)
	b := bitmapOf(t, a, 70, 1, 5, 69)
	defer b.Release()
	var pairs [][2]int
	for i := range b.All() {
		for j := range b.Backward() {
			if j <= i {
				break
			}
			pairs = append(pairs, [2]int{i, j})
		}
	}
	assert.Equal(t, [][2]int{{1, 69}, {1, 5}, {5, 69}}, pairs)
}
