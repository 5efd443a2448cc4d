package bpfbitmap

import (
	"sync/atomic"
	"unsafe"

	"github.com/bpfbitmap/prototype/internal/words"
)

// Bitmap is the proposal's struct bpf_bitmap:
//
//	struct bpf_bitmap { refcount_t refcnt; int num_bits; u64 bits[]; };
//
// The words follow the header in the same allocation, as a flexible array
// does, so a *Bitmap is one object of its allocator's size class. Bit i is bit
// i%64 of word i/64.
//
// Invariant: bits at positions >= Len in the last word are zero after every
// operation of this package, and no reader reports them.
//
// A Bitmap comes from New or Allocator.New with one reference; Acquire adds
// one and Release drops one, returning the object to its allocator at zero.
// Using a Bitmap after its last Release is a use-after-free, as in the
// kernel, where the verifier rejects the program; here the unit header in
// front of the object catches what it can with one load and one compare on
// every access. Until the grace period that follows the last Release ends,
// the object reads as it was (RCU readers may still hold it). After it, the
// object is released: a stale *Bitmap reads as 0 bits (finds return 0, the
// not-found value for 0 bits), its mutators, Acquire and Release do nothing,
// and the cast, the views, Cap, Acquire and Release count WarnStale. Once an allocator reuses the memory for
// a new Bitmap, a stale pointer is the same pointer as the new owner's and
// cannot be told from it: use a checked allocator (Allocator.SetChecked),
// which never reuses memory a Go pointer can still reach, where that
// matters, and bpfbitmapvet's use-after-release rule to find the bug.
//
// A Bitmap must not be copied (c := *b): the words live behind the original
// only. go vet's copylocks check reports copies, and a copy has no valid
// unit header in front of it, so it reads as a 0-bit bitmap on which every
// method does nothing (Len, Cap 0; Acquire and Release change no count);
// it never reaches the words behind it.
//
// Methods accept a nil *Bitmap as a bitmap of length 0, and a zero Bitmap
// (new(Bitmap), or one a decoder made with reflect.New) as a 0-bit bitmap that
// no allocator owns: Acquire and Release do nothing on it.
type Bitmap struct {
	_      noCopy
	refcnt atomic.Int32 // refcount_t: a signed 32-bit atomic
	// numBits is num_bits with fromAllocator or-ed in; MaxBits leaves the
	// bit free. Only allocated Bitmaps have the allocator header in front
	// of them, and the flag says whether it may be read.
	numBits int32
}

const fromAllocator = 1 << 30

// owned reports whether b came from an Allocator.
func (b *Bitmap) owned() bool { return b.numBits&fromAllocator != 0 }

// bitsOffset is offsetof(struct bpf_bitmap, bits).
const bitsOffset = unsafe.Sizeof(Bitmap{})

// Len returns the number of bits (num_bits); 0 for nil, a copy or a stale
// Bitmap (see Bitmap). Every method reaches the words through Len or valid,
// so the header check guards them all. It counts no warning, to stay
// inlinable: the cast, the views, Cap, Acquire and Release do.
//
//go:nocheckptr
func (b *Bitmap) Len() int {
	if b == nil {
		return 0
	}
	n := b.numBits
	if n&fromAllocator != 0 && !b.headerLive() {
		return 0
	}
	return int(n &^ fromAllocator)
}

// Words returns the live words, Len rounded up to whole words, sharing memory
// with b. Writers through it must keep bits >= Len in the last word zero.
func (b *Bitmap) Words() []uint64 {
	if b == nil {
		return nil
	}
	return b.backing(words.Len(b.Len()))
}

// bits returns Words and Len with one header check, for operations that
// need both: each operand is checked once per operation.
func (b *Bitmap) bits() ([]uint64, int) {
	n := b.Len()
	return b.backing(words.Len(n)), n
}

// Backing returns every word the allocation holds: Words followed by the slack
// that rounding to the size class left (zeroed by New). No bit of the Bitmap
// lives in the slack; it exists so that a view that reads or writes more
// words than Len (the kernel's NR_CPUS-wide cpumask operations) stays inside
// the object.
func (b *Bitmap) Backing() []uint64 {
	if b == nil {
		return nil
	}
	return b.backing(b.capWords())
}

// Cap returns how many bits Backing holds.
func (b *Bitmap) Cap() int {
	if b == nil {
		return 0
	}
	return b.capWords() * words.WordBits
}

func (b *Bitmap) backing(n int) []uint64 {
	if n == 0 {
		// b+8 may be the end of the allocation: no pointer may be made there.
		return []uint64{}
	}
	return unsafe.Slice((*uint64)(unsafe.Add(unsafe.Pointer(b), bitsOffset)), n)
}

// capWords derives the word capacity from the size class recorded in the
// allocator header, so struct bpf_bitmap keeps its 8-byte layout.
//
//go:nocheckptr
func (b *Bitmap) capWords() int {
	if !b.owned() {
		return words.Len(b.Len())
	}
	h := headerOf(b)
	if !h.live(b) {
		b.stale(h)
		return 0
	}
	unit := defaultAllocator.classes[h.class()].unit
	return (unit - UnitHeaderBytes - HeaderBytes) / 8
}

// word returns a pointer to the word holding bit i; i must be in range.
func (b *Bitmap) word(i int) *uint64 {
	return (*uint64)(unsafe.Add(unsafe.Pointer(b), bitsOffset+uintptr(uint(i)/words.WordBits)*8))
}

// valid reports whether i is a bit of b; the unsigned compare also rejects
// negative i, as the kernel's unsigned indices do.
//
// It does not go through Len, to stay cheap enough for Set and Test to
// inline: only an allocated Bitmap has bits, so i in range already says
// that the header may be read.
func (b *Bitmap) valid(i int) bool {
	return b != nil && uint(i) < uint(b.numBits&^fromAllocator) && b.headerLive()
}

func mask(i int) uint64 { return 1 << (uint(i) % words.WordBits) }
