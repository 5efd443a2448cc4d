package bpfbitmap

import (
	"iter"

	"github.com/bpfbitmap/prototype/internal/words"
)

// All returns the set bits in ascending order (for_each_set_bit). Bits changed
// during the iteration may or may not be seen; the reads are not atomic, so
// iterate a Bitmap that concurrent goroutines write only with external
// synchronisation.
func (b *Bitmap) All() iter.Seq[int] {
	return func(yield func(int) bool) {
		n := b.Len()
		for i := b.FindFirstBit(); i < n; i = b.FindNextBit(i + 1) {
			if !yield(i) {
				return
			}
		}
	}
}

// Backward returns the set bits in descending order.
func (b *Bitmap) Backward() iter.Seq[int] {
	return func(yield func(int) bool) {
		w := b.Words()
		// FindLastBit(w, size) returns size when nothing is below it.
		for end := b.Len(); ; {
			i := words.FindLastBit(w, end)
			if i >= end || !yield(i) {
				return
			}
			end = i
		}
	}
}
