package bpfbitmap

import "unsafe"

// header is the 8-byte unit header in front of every allocated object, where
// bpf_mem_alloc keeps its struct llist_node (kernel/bpf/memalloc.c). The
// kernel threads its free list through it; the model keeps the free lists
// out of band and uses the word for what the allocator and the checks need:
//
//	bits  0-5   size class index
//	bits  6-25  allocator ID
//	bits 26-42  slab index in the class (ownSlab: an object of its own)
//	bits 43-63  tag: bits 3-23 of the object's address (the *Bitmap, just
//	            behind the header) while it is live, their complement once
//	            its grace period has ended
//
// The tag is what makes a stale or copied *Bitmap harmless: a Bitmap copied
// by value has no header in front of it, and one whose grace period has
// ended has a complemented tag, so headerAt(b).live(b) fails for both with
// one load and one compare: the address shifted left by 40 lines its bits
// 3-23 up with the tag, and the xor leaves nothing above bit 42 only when
// they agree.
type header uint64

const (
	classBits = 6
	idBits    = 20
	slabBits  = 17
	tagBits   = 21

	idShift   = classBits
	slabShift = idShift + idBits
	tagShift  = slabShift + slabBits

	// MaxAllocators is how many allocators a process can make: the ID
	// field's range. NewAllocator past it returns an allocator whose New
	// fails with ErrNoMem.
	MaxAllocators = 1 << idBits
	// ownSlab marks an object with an allocation of its own (a checked
	// allocator's); slab indices stop below it.
	ownSlab  = 1<<slabBits - 1
	maxSlabs = ownSlab
	tagMask  = 1<<tagBits - 1
)

// makeHeader packs a live header for the object at p. It reports false
// when a field is out of its range, so that no field spills into another.
func makeHeader(class int, id uint32, slab int, p unsafe.Pointer) (header, bool) {
	if uint(class) >= 1<<classBits || id >= MaxAllocators || uint(slab) > ownSlab {
		return 0, false
	}
	return header(uint64(class) | uint64(id)<<idShift | uint64(slab)<<slabShift | addrBits(p)), true
}

// addrBits is p's address with bits 3-23 where the tag is (p is 8-byte
// aligned: nothing lands below it).
func addrBits(p unsafe.Pointer) uint64 { return uint64(uintptr(p)) << (tagShift - 3) }

func (h header) class() int    { return int(h & (1<<classBits - 1)) }
func (h header) id() uint32    { return uint32(h>>idShift) & (MaxAllocators - 1) }
func (h header) slab() int     { return int(h>>slabShift) & ownSlab }
func (h header) dead() header  { return h ^ tagMask<<tagShift }
func (h header) ownUnit() bool { return h.slab() == ownSlab }

// live reports whether h is the header of a live object at b.
func (h header) live(b *Bitmap) bool { return h.liveAt(uintptr(unsafe.Pointer(b))) }

// liveAt is live for an object at addr.
func (h header) liveAt(addr uintptr) bool {
	return uint64(h)^uint64(addr)<<(tagShift-3) < 1<<tagShift
}

// released reports whether h is the header of an object at b whose grace
// period ended after its last Release.
func (h header) released(b *Bitmap) bool { return h.dead().live(b) }

// headerLive is headerOf(b).live(b) spelt out for the hot paths (Len,
// valid, Hint), which must stay inlinable: the method calls cost the
// inliner more than the load and the compare. The xor leaves nothing at or
// above bit 43 only when the tag and b's address agree.
func (b *Bitmap) headerLive() bool {
	return *(*uint64)(unsafe.Add(unsafe.Pointer(b), -UnitHeaderBytes))^uint64(uintptr(unsafe.Pointer(b)))<<(tagShift-3) < 1<<tagShift
}

// headerPtr returns where b's unit header is, if b came from an allocator.
func headerPtr(b *Bitmap) unsafe.Pointer { return unsafe.Add(unsafe.Pointer(b), -UnitHeaderBytes) }

// headerOf reads b's unit header; b must carry fromAllocator.
func headerOf(b *Bitmap) header { return *(*header)(headerPtr(b)) }
