package bpfbitmap

import (
	"fmt"

	"github.com/bits-and-blooms/bitset"

	"github.com/bpfbitmap/prototype/internal/words"
)

// ToBitset returns a copy of b as a *bitset.BitSet of length Len. The copy's
// tail is cleared even if a writer through Words broke the invariant, so its
// Count never sees bits past Len.
func (b *Bitmap) ToBitset() *bitset.BitSet {
	w := append([]uint64(nil), b.Words()...)
	words.ClearTail(w, b.Len())
	return bitset.FromWithLength(uint(b.Len()), w)
}

// FromBitset returns a new Bitmap from the Default allocator with bs's length
// and bits; see Allocator.FromBitset.
func FromBitset(bs *bitset.BitSet) (*Bitmap, error) {
	return defaultAllocator.FromBitset(bs)
}

// FromBitset returns a new Bitmap from a with bs's length and bits. Bits that
// bs holds at or above its length (bitset.FromWithLength keeps them) are
// dropped, so the tail is clean. It fails as New does: ErrTooBig for a set
// longer than MaxBits, ErrNoMem, and ErrInvalid for a nil bs.
func (a *Allocator) FromBitset(bs *bitset.BitSet) (*Bitmap, error) {
	if bs == nil {
		return nil, fmt.Errorf("nil bitset: %w", ErrInvalid)
	}
	if bs.Len() > MaxBits {
		return nil, fmt.Errorf("bitset of %d bits exceeds %d: %w", bs.Len(), MaxBits, ErrTooBig)
	}
	b, err := a.New(int(bs.Len()))
	if err != nil {
		return nil, err
	}
	w := b.Words()
	copy(w, bs.Words())
	words.ClearTail(w, b.Len())
	return b, nil
}
