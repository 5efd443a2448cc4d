package bpfbitmap

import "unsafe"

// Support for package cast, which binds each simulated kernel (its
// nr_cpu_ids and NR_CPUS) to one Allocator and must find that kernel from any
// object cheaply, without a field in struct bpf_bitmap: the kernel reads
// nr_cpu_ids from a global, and a program of this module may simulate several
// kernels side by side.

// ID returns a's registry index, stable for the life of the process and
// unique among allocators. It is the number Bitmap.AllocatorID reports.
// A nil a has ^uint32(0), no allocator's ID.
func (a *Allocator) ID() uint32 {
	if a == nil {
		return ^uint32(0)
	}
	return a.id
}

// AllocatorID returns the ID of the allocator that handed out b, read from
// the hint in its unit header (as bpf_mem_free finds the cache), or
// ^uint32(0) for nil or a zero Bitmap. It is one load: cast calls it on
// every cpumask operation.
func (b *Bitmap) AllocatorID() uint32 {
	id, _ := b.Hint()
	return id
}

// Hint returns, from one load of b's unit header, the ID of the allocator
// that handed b out and the index of its size class; larger indices hold
// more. It returns (^uint32(0), 0) for nil, a zero Bitmap, a copy and a
// stale Bitmap (one compare), so that a cast or a view of one finds no
// kernel; the caller's slow path calls Stale to count the warning. The cast
// checks both on every call.
//
//go:nocheckptr
func (b *Bitmap) Hint() (id uint32, class uint8) {
	if b == nil || !b.owned() {
		return ^uint32(0), 0
	}
	// One load: h.live(b) spelt out as headerLive is.
	h := headerOf(b)
	if uint64(h)^uint64(uintptr(unsafe.Pointer(b)))<<(tagShift-3) >= 1<<tagShift {
		return ^uint32(0), 0
	}
	return h.id(), uint8(h.class())
}

// HintLen is Hint and Len from the same header check, for the cast, which
// needs all three on every call: (^uint32(0), 0, 0) where Hint fails.
func (b *Bitmap) HintLen() (id uint32, class uint8, n int) {
	if b == nil || !b.owned() {
		return ^uint32(0), 0, 0
	}
	// Hint spelt out: calling it would not inline.
	h := headerOf(b)
	if uint64(h)^uint64(uintptr(unsafe.Pointer(b)))<<(tagShift-3) >= 1<<tagShift {
		return ^uint32(0), 0, 0
	}
	return h.id(), uint8(h.class()), int(b.numBits &^ fromAllocator)
}

// Stale reports whether b is a pointer to an object whose grace period has
// ended since its last Release, and counts WarnStale on its allocator if so
// (see Bitmap). It is the slow path of callers whose Hint found no
// allocator.
//
//go:nocheckptr
func (b *Bitmap) Stale() bool {
	if b == nil || !b.owned() {
		return false
	}
	h := headerOf(b)
	if h.live(b) || !h.released(b) {
		return false
	}
	b.stale(h)
	return true
}

// ClassIndex returns the index Hint reports for the smallest size class whose
// objects hold at least capBits bits, or New's error for an impossible size.
func ClassIndex(capBits int) (uint8, error) {
	if err := checkSize(capBits); err != nil {
		return 0, err
	}
	return uint8(defaultAllocator.classFor(unitBytes(capBits))), nil
}
