package bpfbitmap

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/bpfbitmap/prototype/internal/words"
)

// Sizes of the allocator model, from kernel/bpf/memalloc.c and the layout of
// struct bpf_bitmap.
const (
	// UnitHeaderBytes is the per-object header bpf_mem_alloc keeps before every
	// object (struct llist_node, LLIST_NODE_SZ).
	UnitHeaderBytes = 8
	// HeaderBytes is sizeof(struct bpf_bitmap) without its flexible array:
	// refcount_t refcnt (4) + int num_bits (4).
	HeaderBytes = 8
	// KernelMaxUnit is BPF_MEM_ALLOC_SIZE_MAX, the largest size class.
	KernelMaxUnit = 4096
	// KernelMaxBits is the largest bitmap the kernel's allocator could hold:
	// (4096 - 8 - 8) bytes of words = 510 words = 32640 bits. A bpf_bitmap_create
	// kfunc would return NULL above it.
	KernelMaxBits = (KernelMaxUnit - UnitHeaderBytes - HeaderBytes) / 8 * words.WordBits
	// MaxBits is the largest bitmap this library allocates. Sizes above
	// KernelMaxBits come from power-of-two classes the kernel does not have.
	MaxBits = 1 << 24
)

// kernelUnits are bpf_mem_alloc's size classes in bytes (sizes[] in
// memalloc.c); there is no 8-byte class.
var kernelUnits = [...]int{16, 32, 64, 96, 128, 192, 256, 512, 1024, 2048, 4096}

// slabBytes is how much memory a class asks for at once, so that small objects
// are carved from shared chunks instead of one Go allocation each.
const slabBytes = 64 << 10

// Allocator hands out Bitmaps from size classes modelled on bpf_mem_alloc
// (kernel/bpf/memalloc.c) in its size == 0 mode: each object is one unit of
// header + struct bpf_bitmap + words, carved from a slab; a released object is
// reused only after a grace period has passed since its release, as
// bpf_mem_free_rcu does, so that a reader inside RCUReadLock/RCUReadUnlock never
// sees it reused.
//
// Grace periods end when Synchronize returns, and opportunistically when an
// allocation finds its free list empty and no reader is inside a read section.
//
// Objects live in the allocator's slabs: a Bitmap that is never released is
// never reclaimed, the Go counterpart of the verifier's "Unreleased
// reference". Stats shows live objects for leak checks. Make one with
// NewAllocator (New on the zero Allocator fails with ErrInvalid); it must
// not be copied, and stays registered for the life of the process (Release
// finds it from the object's header, as the kernel finds the cache).
type Allocator struct {
	id      uint32
	classes []class
	failN   atomic.Int64
	warnFn  atomic.Pointer[func(*Bitmap, Warning)]
	warns   [numWarnings]atomic.Uint64

	// readers counts RCU readers per grace-period parity; gp's low bit says
	// which counter new readers join (the SRCU scheme).
	readers [2]atomic.Int64
	gp      atomic.Uint64
	syncMu  sync.Mutex
}

type class struct {
	mu     sync.Mutex
	unit   int // bytes per object, header included
	kernel bool
	slabs  [][]uint64
	// Handles (slab<<32 | unit index) of released objects. They are kept
	// out of band, not threaded through the unit header as bpf_mem_alloc
	// does, so that the header of a released object still names its class
	// and allocator and a double release can be reported.
	free      []uint64 // reusable now
	waiting   []uint64 // released, grace period not yet passed
	live      int
	liveBytes int // sum of used bytes (header + bpf_bitmap + words) over live objects
}

var registry struct {
	mu   sync.Mutex
	list atomic.Pointer[[]*Allocator]
}

var defaultAllocator = NewAllocator()

// Default returns the allocator New uses, the counterpart of the kernel's
// bpf_global_ma.
func Default() *Allocator { return defaultAllocator }

// NewAllocator returns an empty allocator with the kernel's size classes plus
// the library's larger power-of-two classes up to MaxBits.
func NewAllocator() *Allocator {
	a := &Allocator{}
	for _, u := range kernelUnits {
		a.classes = append(a.classes, class{unit: u, kernel: true})
	}
	for u := KernelMaxUnit * 2; u/2 < unitBytes(MaxBits); u *= 2 {
		a.classes = append(a.classes, class{unit: u})
	}
	registry.mu.Lock()
	defer registry.mu.Unlock()
	var list []*Allocator
	if p := registry.list.Load(); p != nil {
		list = append(list, *p...)
	}
	a.id = uint32(len(list))
	list = append(list, a)
	registry.list.Store(&list)
	return a
}

// unitBytes is what one object of nbits bits needs: the allocator header,
// struct bpf_bitmap and its words.
func unitBytes(nbits int) int {
	return UnitHeaderBytes + HeaderBytes + 8*words.Len(nbits)
}

// classFor returns the index of the smallest class holding size bytes.
func (a *Allocator) classFor(size int) int {
	for i := range a.classes {
		if a.classes[i].unit >= size {
			return i
		}
	}
	return -1
}

// ClassUnit returns the unit size in bytes of the class that holds a bitmap
// of nbits bits, and whether that class exists in the kernel's allocator. It
// returns an error for sizes New would reject.
func ClassUnit(nbits int) (unit int, kernel bool, err error) {
	if err := checkSize(nbits); err != nil {
		return 0, false, err
	}
	c := &defaultAllocator.classes[defaultAllocator.classFor(unitBytes(nbits))]
	return c.unit, c.kernel, nil
}

func checkSize(nbits int) error {
	if nbits < 0 {
		return fmt.Errorf("bitmap of %d bits: %w", nbits, ErrInvalid)
	}
	if nbits > MaxBits {
		return fmt.Errorf("bitmap of %d bits exceeds %d: %w", nbits, MaxBits, ErrTooBig)
	}
	return nil
}

// New allocates a zeroed Bitmap of nbits bits with reference count 1 from a.
// Sizes may be 0 to MaxBits (the kernel's bpf_bitmap_create would reject 0 and
// anything above KernelMaxBits; the kfuncs package applies those limits). It
// fails with ErrInvalid, ErrTooBig or ErrNoMem.
func (a *Allocator) New(nbits int) (*Bitmap, error) {
	return a.NewCap(nbits, nbits)
}

// NewCap is New with room for at least capBits bits in the allocation: the
// words between Len and Cap stay zero and belong to no bit of the bitmap.
// The cast package uses it so that kernel cpumask operations that touch
// NR_CPUS bits (cpumask_copy, cpumask_clear) stay inside the object. capBits
// below nbits counts as nbits.
func (a *Allocator) NewCap(nbits, capBits int) (*Bitmap, error) {
	if a == nil || len(a.classes) == 0 {
		// Only NewAllocator registers an allocator, and Release needs that.
		return nil, fmt.Errorf("allocator not made by NewAllocator: %w", ErrInvalid)
	}
	if err := checkSize(nbits); err != nil {
		return nil, err
	}
	capBits = max(capBits, nbits)
	if err := checkSize(capBits); err != nil {
		return nil, err
	}
	if a.failN.Load() > 0 && a.failN.Add(-1) >= 0 {
		return nil, fmt.Errorf("bitmap of %d bits (injected failure): %w", nbits, ErrNoMem)
	}
	ci := a.classFor(unitBytes(capBits))
	c := &a.classes[ci]
	c.mu.Lock()
	if len(c.free) == 0 && len(c.waiting) > 0 && a.quiescent() {
		c.free, c.waiting = c.waiting, c.free
	}
	if len(c.free) == 0 {
		c.grow()
	}
	h := c.free[len(c.free)-1]
	c.free = c.free[:len(c.free)-1]
	c.live++
	c.liveBytes += unitBytes(nbits)
	unit := c.unitWords(h)
	c.mu.Unlock()

	unit[0] = uint64(ci) | uint64(a.id)<<8 | (h>>32)<<32
	b := (*Bitmap)(unsafe.Pointer(&unit[1]))
	clear(unit[2:])
	b.numBits = int32(nbits) | fromAllocator
	b.refcnt.Store(1)
	return b, nil
}

// New allocates a zeroed Bitmap of nbits bits with reference count 1 from the
// Default allocator (kernel: bpf_bitmap_create). Release it when done.
func New(nbits int) (*Bitmap, error) { return defaultAllocator.New(nbits) }

// MustNew is New that panics on error; for tests, examples and constants.
func MustNew(nbits int) *Bitmap {
	b, err := New(nbits)
	if err != nil {
		panic("bpfbitmap.MustNew: " + err.Error())
	}
	return b
}

// free puts a released object on its class's waiting list; it becomes
// reusable after the next grace period (bpf_mem_free_rcu).
func (a *Allocator) free(b *Bitmap) {
	hdr := (*uint64)(unsafe.Add(unsafe.Pointer(b), -UnitHeaderBytes))
	ci := int(uint8(*hdr))
	slab := *hdr >> 32
	c := &a.classes[ci]
	c.mu.Lock()
	base := uintptr(unsafe.Pointer(&c.slabs[slab][0]))
	idx := (uintptr(unsafe.Pointer(hdr)) - base) / uintptr(c.unit)
	c.live--
	c.liveBytes -= unitBytes(b.Len())
	c.waiting = append(c.waiting, slab<<32|uint64(idx))
	c.mu.Unlock()
}

// allocatorOf finds the allocator that owns b from the hint in its unit
// header, as bpf_mem_free finds the cache.
func allocatorOf(b *Bitmap) *Allocator {
	hdr := *(*uint64)(unsafe.Add(unsafe.Pointer(b), -UnitHeaderBytes))
	return (*registry.list.Load())[uint32(hdr)>>8]
}

func (c *class) unitWords(h uint64) []uint64 {
	n := c.unit / 8
	off := int(uint32(h)) * n
	return c.slabs[h>>32][off : off+n : off+n]
}

// grow carves a new slab into units and puts them on the free list, lowest
// address last so it is handed out first (the kernel's refill from slab).
func (c *class) grow() {
	per := max(slabBytes/c.unit, 1)
	s := uint64(len(c.slabs))
	c.slabs = append(c.slabs, make([]uint64, per*c.unit/8))
	for i := per - 1; i >= 0; i-- {
		c.free = append(c.free, s<<32|uint64(i))
	}
}

// FailNext makes the next n allocations from a fail with ErrNoMem, so that
// callers' NULL paths can be tested (the kernel's allocator fails when a
// CPU's free list is empty). n <= 0 cancels pending failures.
func (a *Allocator) FailNext(n int) { a.failN.Store(int64(max(n, 0))) }

// RCUReadLock enters a read section (rcu_read_lock) and returns the token
// RCUReadUnlock needs. An object released while a reader is inside a section
// is not reused until that reader has left it. Sections may nest and may
// move between goroutines with their token.
func (a *Allocator) RCUReadLock() RCUToken {
	for {
		idx := a.gp.Load() & 1
		a.readers[idx].Add(1)
		// Retry if a grace period flipped the parity between the load and the
		// increment, so no reader joins a counter Synchronize already drained.
		if a.gp.Load()&1 == idx {
			return RCUToken(idx)
		}
		a.readers[idx].Add(-1)
	}
}

// RCUReadUnlock leaves the read section entered by the RCUReadLock that
// returned t (rcu_read_unlock).
func (a *Allocator) RCUReadUnlock(t RCUToken) { a.readers[t&1].Add(-1) }

// RCUToken identifies a read section; see RCUReadLock.
type RCUToken uint8

// quiescent reports whether no reader is inside a section right now. Any
// object already on a waiting list was unpublished before this call, so a
// reader that starts afterwards cannot reach it.
func (a *Allocator) quiescent() bool {
	return a.readers[0].Load() == 0 && a.readers[1].Load() == 0
}

// Synchronize waits for every read section that was active when it was
// called to end, then makes every object released before the call reusable
// (synchronize_rcu followed by the deferred frees).
func (a *Allocator) Synchronize() {
	a.syncMu.Lock()
	defer a.syncMu.Unlock()
	pending := make([][]uint64, len(a.classes))
	for i := range a.classes {
		c := &a.classes[i]
		c.mu.Lock()
		pending[i], c.waiting = c.waiting, nil
		c.mu.Unlock()
	}
	// Two flips, as SRCU does: readers that joined the old counter are drained
	// by the first wait, those that raced with the flip by the second.
	for range 2 {
		old := a.gp.Add(1) - 1
		for a.readers[old&1].Load() != 0 {
			runtime.Gosched()
		}
	}
	for i := range a.classes {
		c := &a.classes[i]
		c.mu.Lock()
		c.free = append(c.free, pending[i]...)
		c.mu.Unlock()
	}
}

// ClassStats is the accounting of one size class.
type ClassStats struct {
	Unit        int  // bytes per object, allocator header included
	Kernel      bool // whether bpf_mem_alloc has this class
	Live        int  // objects handed out and not yet released
	Waiting     int  // released, waiting for a grace period
	Free        int  // reusable now
	Bytes       int  // bytes held in slabs
	LiveBytes   int  // Live * Unit
	WastedBytes int  // bytes of live objects lost to rounding up to Unit
}

// Stats is a snapshot of an allocator's accounting.
type Stats struct {
	Classes  []ClassStats
	Live     int // objects live in all classes
	Warnings [numWarnings]uint64
}

// Stats returns the allocator's accounting. Each class is read under its own
// lock, so the snapshot is consistent per class.
func (a *Allocator) Stats() Stats {
	var s Stats
	for i := range a.classes {
		c := &a.classes[i]
		c.mu.Lock()
		cs := ClassStats{
			Unit:        c.unit,
			Kernel:      c.kernel,
			Live:        c.live,
			Waiting:     len(c.waiting),
			Free:        len(c.free),
			LiveBytes:   c.live * c.unit,
			WastedBytes: c.live*c.unit - c.liveBytes,
		}
		for _, sl := range c.slabs {
			cs.Bytes += 8 * len(sl)
		}
		c.mu.Unlock()
		s.Live += cs.Live
		s.Classes = append(s.Classes, cs)
	}
	for i := range a.warns {
		s.Warnings[i] = a.warns[i].Load()
	}
	return s
}
