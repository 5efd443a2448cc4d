package bpfbitmap

import (
	"fmt"
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
	_       noCopy
	id      uint32
	full    bool // made past MaxAllocators: New fails
	classes []class
	checked atomic.Bool
	failN   atomic.Int64
	warnFn  atomic.Pointer[func(*Bitmap, Warning)]
	warns   [numWarnings]atomic.Uint64

	// readers counts RCU readers per grace-period parity; gp's low bit says
	// which counter new readers join (the SRCU scheme).
	readers [2]atomic.Int64
	gp      atomic.Uint64
	syncMu  sync.Mutex
	// A Synchronize waiting for readers sleeps on wake; the last reader of
	// a parity to leave broadcasts when sleepers says one may be waiting.
	sleepers atomic.Int32
	wakeMu   sync.Mutex
	wake     sync.Cond
}

// noCopy makes go vet's copylocks check report copies of the type that
// embeds it (it has Lock and Unlock, as sync.noCopy does).
type noCopy struct{}

func (*noCopy) Lock()   {}
func (*noCopy) Unlock() {}

type class struct {
	mu     sync.Mutex
	unit   int // bytes per object, header included
	kernel bool
	slabs  [][]uint64
	// Handles (slab<<32 | unit index) of released objects. They are kept
	// out of band, not threaded through the unit header as bpf_mem_alloc
	// does, so that the header of a released object still names its class
	// and allocator and a double release can be reported.
	free    []uint64 // reusable now
	waiting []uint64 // released, grace period not yet passed
	// Released objects of a checked allocator, each its own allocation,
	// until their grace period ends; then they are marked and dropped.
	waitingOwn []*Bitmap
	ownBytes   int // bytes of own-allocation objects live or waiting
	live       int
	liveBytes  int // sum of used bytes (header + bpf_bitmap + words) over live objects
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
	a.wake.L = &a.wakeMu
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
	if len(list) >= MaxAllocators {
		a.full, a.id = true, ^uint32(0)
		return a
	}
	a.id = uint32(len(list))
	list = append(list, a)
	registry.list.Store(&list)
	return a
}

// SetChecked sets whether a hands out objects that are never reused while a
// Go pointer to them survives: each object of a checked allocator is an
// allocation of its own, dropped after the grace period that follows its
// last Release, so the garbage collector reclaims it only once no stale
// *Bitmap, view or copy of one refers to it. A stale pointer then always
// reads a released object: a 0-bit bitmap, a cast that fails, a view whose
// operations do nothing and return their not-found values, an Acquire or
// Release that does nothing; the cast, the views, Cap, Acquire and Release
// count WarnStale (the bit operations do not, to stay inlinable). The
// default (unchecked) allocator reuses memory after the grace period, as
// bpf_mem_alloc does, and a stale pointer used after reuse cannot be told
// from the new owner's (see Bitmap). It applies to objects allocated after
// the call; New then costs one Go allocation and is no longer free of
// allocations in steady state.
func (a *Allocator) SetChecked(on bool) {
	if a != nil {
		a.checked.Store(on)
	}
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
	if a.full {
		return nil, fmt.Errorf("allocator made past MaxAllocators (%d): %w", MaxAllocators, ErrNoMem)
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
	var unit []uint64
	slab := ownSlab
	c.mu.Lock()
	if len(c.waiting)+len(c.waitingOwn) > 0 && len(c.free) == 0 && a.quiescent() {
		c.endGracePeriod(c.waiting, c.waitingOwn)
		c.free, c.waiting, c.waitingOwn = c.waiting, c.free, nil
	}
	if a.checked.Load() {
		unit = make([]uint64, c.unit/8)
		c.ownBytes += c.unit
	} else {
		if len(c.free) == 0 && !c.grow() {
			c.mu.Unlock()
			return nil, fmt.Errorf("bitmap of %d bits: class of %d bytes holds %d slabs: %w", nbits, c.unit, maxSlabs, ErrNoMem)
		}
		h := c.free[len(c.free)-1]
		c.free = c.free[:len(c.free)-1]
		unit, slab = c.unitWords(h), int(h>>32)
	}
	c.live++
	c.liveBytes += unitBytes(nbits)
	c.mu.Unlock()

	// Range-checked by the class count, by NewAllocator and by grow.
	hdr, _ := makeHeader(ci, a.id, slab, unsafe.Pointer(&unit[1]))
	unit[0] = uint64(hdr)
	b := (*Bitmap)(unsafe.Pointer(&unit[1]))
	clear(unit[2:])
	b.numBits = int32(nbits) | fromAllocator
	// A plain store, as the kernel's refcount_set is: no other goroutine
	// can reach b before the caller publishes it, which orders this store,
	// and atomic.Int32.Store is an XCHG on amd64, a full barrier that
	// cost create+release about 5 ns.
	*(*int32)(unsafe.Pointer(&b.refcnt)) = 1
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
func (a *Allocator) free(b *Bitmap, h header) {
	c := &a.classes[h.class()]
	c.mu.Lock()
	c.live--
	c.liveBytes -= unitBytes(b.Len())
	if h.ownUnit() {
		c.waitingOwn = append(c.waitingOwn, b)
	} else {
		base := uintptr(unsafe.Pointer(&c.slabs[h.slab()][0]))
		idx := (uintptr(headerPtr(b)) - base) / uintptr(c.unit)
		c.waiting = append(c.waiting, uint64(h.slab())<<32|uint64(idx))
	}
	c.mu.Unlock()
}

// endGracePeriod marks the headers of objects whose grace period has ended,
// so that a stale pointer to one fails the header check until the memory is
// reused (or, for an own allocation, for good). Objects of their own leave
// the allocator here. The caller holds c.mu.
func (c *class) endGracePeriod(handles []uint64, own []*Bitmap) {
	for _, h := range handles {
		u := c.unitWords(h)
		u[0] = uint64(header(u[0]).dead())
	}
	for _, b := range own {
		p := (*header)(headerPtr(b))
		*p = p.dead()
		c.ownBytes -= c.unit
	}
}

// allocatorOf finds the allocator that owns a header, as bpf_mem_free finds
// the cache; nil if the ID names none.
func allocatorOf(h header) *Allocator {
	list := *registry.list.Load()
	if id := h.id(); int(id) < len(list) {
		return list[id]
	}
	return nil
}

func (c *class) unitWords(h uint64) []uint64 {
	n := c.unit / 8
	off := int(uint32(h)) * n
	return c.slabs[h>>32][off : off+n : off+n]
}

// grow carves a new slab into units and puts them on the free list, lowest
// address last so it is handed out first (the kernel's refill from slab).
func (c *class) grow() bool {
	if len(c.slabs) >= maxSlabs {
		return false
	}
	per := max(slabBytes/c.unit, 1)
	s := uint64(len(c.slabs))
	c.slabs = append(c.slabs, make([]uint64, per*c.unit/8))
	for i := per - 1; i >= 0; i-- {
		c.free = append(c.free, s<<32|uint64(i))
	}
	return true
}

// FailNext makes the next n allocations from a fail with ErrNoMem, so that
// callers' NULL paths can be tested (the kernel's allocator fails when a
// CPU's free list is empty). n <= 0 cancels pending failures. A nil a does
// nothing.
func (a *Allocator) FailNext(n int) {
	if a != nil {
		a.failN.Store(int64(max(n, 0)))
	}
}

// RCUReadLock enters a read section (rcu_read_lock) and returns the token
// RCUReadUnlock needs. An object released while a reader is inside a section
// is not reused until that reader has left it. Sections may nest and may
// move between goroutines with their token. A nil a returns a token that no
// RCUReadUnlock accepts.
func (a *Allocator) RCUReadLock() RCUToken {
	if a == nil {
		return 0
	}
	for {
		idx := a.gp.Load() & 1
		a.readers[idx].Add(1)
		// Retry if a grace period flipped the parity between the load and the
		// increment, so no reader joins a counter Synchronize already drained.
		if a.gp.Load()&1 == idx {
			return a.token(idx)
		}
		a.leave(idx)
	}
}

// RCUReadUnlock leaves the read section entered by the RCUReadLock that
// returned t (rcu_read_unlock). A token that a's RCUReadLock did not return
// (the zero token, another allocator's), or an unlock with no reader of its
// parity left inside a section, changes nothing, counts WarnUnlockBalance
// and returns an error wrapping ErrInvalid: the reader counts stay
// balanced, so Synchronize still waits for the readers that are inside. A
// token unlocked twice while other readers of its parity are inside cannot
// be told from theirs: keep one unlock per lock.
func (a *Allocator) RCUReadUnlock(t RCUToken) error {
	if a == nil {
		return fmt.Errorf("rcu_read_unlock on a nil allocator: %w", ErrInvalid)
	}
	idx := uint64(t) & 1
	if t != a.token(idx) {
		a.report(nil, WarnUnlockBalance)
		return fmt.Errorf("rcu_read_unlock with token %#x, not one of allocator %d's: %w", uint64(t), a.id, ErrInvalid)
	}
	for {
		n := a.readers[idx].Load()
		if n <= 0 {
			a.report(nil, WarnUnlockBalance)
			return fmt.Errorf("rcu_read_unlock without a matching rcu_read_lock: %w", ErrInvalid)
		}
		if a.readers[idx].CompareAndSwap(n, n-1) {
			if n == 1 {
				a.wakeSynchronize()
			}
			return nil
		}
	}
}

// RCUToken identifies a read section; see RCUReadLock. It names the
// allocator and the grace-period parity the reader joined; the zero token
// is no section's.
type RCUToken uint64

// tokenMark sets a bit no parity uses, so that a valid token is never zero.
const tokenMark = 1 << 63

func (a *Allocator) token(idx uint64) RCUToken {
	return RCUToken(tokenMark | uint64(a.id)<<1 | idx)
}

// leave drops a reader of parity idx that RCUReadLock counted.
func (a *Allocator) leave(idx uint64) {
	if a.readers[idx].Add(-1) == 0 {
		a.wakeSynchronize()
	}
}

func (a *Allocator) wakeSynchronize() {
	if a.sleepers.Load() > 0 {
		a.wakeMu.Lock()
		a.wake.Broadcast()
		a.wakeMu.Unlock()
	}
}

// quiescent reports whether no reader is inside a section right now. Any
// object already on a waiting list was unpublished before this call, so a
// reader that starts afterwards cannot reach it.
func (a *Allocator) quiescent() bool {
	return a.readers[0].Load() == 0 && a.readers[1].Load() == 0
}

// Synchronize waits for every read section that was active when it was
// called to end, then makes every object released before the call reusable
// (synchronize_rcu followed by the deferred frees). It sleeps while it
// waits; the last reader to leave wakes it. A nil a does nothing.
func (a *Allocator) Synchronize() {
	if a == nil || len(a.classes) == 0 {
		return
	}
	a.syncMu.Lock()
	defer a.syncMu.Unlock()
	pending := make([][]uint64, len(a.classes))
	pendingOwn := make([][]*Bitmap, len(a.classes))
	for i := range a.classes {
		c := &a.classes[i]
		c.mu.Lock()
		pending[i], c.waiting = c.waiting, nil
		pendingOwn[i], c.waitingOwn = c.waitingOwn, nil
		c.mu.Unlock()
	}
	// Two flips, as SRCU does: readers that joined the old counter are drained
	// by the first wait, those that raced with the flip by the second.
	for range 2 {
		old := a.gp.Add(1) - 1
		a.waitReaders(old & 1)
	}
	for i := range a.classes {
		c := &a.classes[i]
		c.mu.Lock()
		c.endGracePeriod(pending[i], pendingOwn[i])
		c.free = append(c.free, pending[i]...)
		c.mu.Unlock()
	}
}

// waitReaders sleeps until no reader of parity idx is inside a section.
// sleepers is raised before the count is read and readers drop the count
// before they read sleepers, so one of the two always sees the other.
func (a *Allocator) waitReaders(idx uint64) {
	a.sleepers.Add(1)
	defer a.sleepers.Add(-1)
	a.wakeMu.Lock()
	defer a.wakeMu.Unlock()
	for a.readers[idx].Load() != 0 {
		a.wake.Wait()
	}
}

// ClassStats is the accounting of one size class.
type ClassStats struct {
	Unit        int  // bytes per object, allocator header included
	Kernel      bool // whether bpf_mem_alloc has this class
	Live        int  // objects handed out and not yet released
	Waiting     int  // released, waiting for a grace period
	Free        int  // reusable now
	Bytes       int  // bytes held in slabs and in a checked allocator's objects not yet dropped
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
	if a == nil {
		return s
	}
	for i := range a.classes {
		c := &a.classes[i]
		c.mu.Lock()
		cs := ClassStats{
			Unit:        c.unit,
			Kernel:      c.kernel,
			Live:        c.live,
			Waiting:     len(c.waiting) + len(c.waitingOwn),
			Free:        len(c.free),
			LiveBytes:   c.live * c.unit,
			WastedBytes: c.live*c.unit - c.liveBytes,
		}
		cs.Bytes = c.ownBytes
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
