package cast

import (
	"fmt"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/bpfbitmap/prototype/bpfbitmap"
	"github.com/bpfbitmap/prototype/internal/words"
)

// Kernel is one simulated kernel: a Topology, the allocator its BPF objects
// come from (bpf_global_ma, also standing in for bpf_cpumask_ma so that both
// designs are measured in the same size classes), the per-CPU
// distribute_cpu_mask_prev cursor of the CPU the program runs on, and the
// kernel-owned masks cpu_possible_mask and cpu_online_mask.
//
// Everything the kernel keeps in globals is here instead, so that several
// kernels (NR_CPUS=64 beside NR_CPUS=8192) can run in one process. Every
// object a Kernel allocates records the Kernel through its allocator, so the
// cpumask operations and the cast find nr_cpu_ids and NR_CPUS from the mask
// itself and keep the kernel's argument lists.
//
// A Kernel models one CPU's view: BPF programs run with migration disabled,
// so the distribute cursor is that of one CPU. Use one Kernel per simulated
// CPU when per-CPU cursors matter. Kernels live for the life of the process,
// as their allocators do.
type Kernel struct {
	topo  Topology
	alloc *bpfbitmap.Allocator

	nrCPUIDs int // nr_cpu_ids = nr_cpumask_bits
	small    int // small_cpumask_bits
	large    int // large_cpumask_bits
	// smallConst is small_const_nbits(small_cpumask_bits): NR_CPUS fits one
	// word, and cpumask_setall writes word 0 as a mask of nr_cpu_ids bits.
	smallConst bool
	// words is how many words any cpumask operation of this kernel touches:
	// BITS_TO_LONGS(max(S, L, N)). Every view has at least that many.
	words int
	// castCap is the capacity in bits a bitmap needs to be cast: L when L
	// needs more words than nr_cpu_ids does (64 < NR_CPUS <= 256), else 0;
	// castClass is the smallest size class that holds it.
	castCap   int
	castClass uint8

	prev          atomic.Uint32 // distribute_cpu_mask_prev of this CPU, seeded at 0
	unalignedSlow atomic.Bool   // !CONFIG_HAVE_EFFICIENT_UNALIGNED_ACCESS

	possible, online *Cpumask
}

// kernels maps allocator IDs to the Kernel that owns the allocator. IDs below
// len(kernels.tab) are looked up in fixed arrays, with no pointer to chase
// before the index: the cast and every cpumask operation do this lookup.
var kernels struct {
	tab [1 << 16]atomic.Pointer[Kernel]
	// cast holds, per ID, nr_cpu_ids | castClass<<32: what the cast checks,
	// one load away from the bitmap's header.
	cast [1 << 16]atomic.Uint64

	mu   sync.Mutex
	more map[uint32]*Kernel // IDs past the arrays
}

// NewKernel returns a kernel with topology t, a fresh allocator, a distribute
// cursor at 0, and every possible CPU (0 to nr_cpu_ids-1) online. It fails
// with ErrTopology for an invalid t (the zero Topology) and with
// bpfbitmap.ErrNoMem if the kernel-owned masks cannot be allocated.
func NewKernel(t Topology) (*Kernel, error) {
	if !t.Valid() {
		return nil, fmt.Errorf("new kernel: %v: %w", t, ErrTopology)
	}
	l := t.LargeCpumaskBits()
	k := &Kernel{
		topo:       t,
		alloc:      bpfbitmap.NewAllocator(),
		nrCPUIDs:   t.NrCPUIDs(),
		small:      t.SmallCpumaskBits(),
		large:      l,
		smallConst: t.NrCPUs() <= words.WordBits,
		words:      words.Len(max(t.SmallCpumaskBits(), l, t.NrCPUIDs())),
	}
	if words.Len(l) > words.Len(t.NrCPUIDs()) {
		k.castCap = l
		// L <= 256 here, far below MaxBits: ClassIndex cannot fail.
		k.castClass, _ = bpfbitmap.ClassIndex(l)
	}
	register(k)

	var err error
	if k.possible, err = k.newKernelMask(); err != nil {
		return nil, err
	}
	if k.online, err = k.newKernelMask(); err != nil {
		return nil, err
	}
	for cpu := range k.nrCPUIDs {
		k.possible.bitmap().Set(cpu)
		k.online.bitmap().Set(cpu)
	}
	return k, nil
}

// MustKernel is NewKernel that panics on error; for tests and examples.
func MustKernel(t Topology) *Kernel {
	k, err := NewKernel(t)
	if err != nil {
		panic("cast.MustKernel: " + err.Error())
	}
	return k
}

func register(k *Kernel) {
	id := k.alloc.ID()
	if int(id) < len(kernels.tab) {
		kernels.cast[id].Store(uint64(k.nrCPUIDs) | uint64(k.castClass)<<32)
		kernels.tab[id].Store(k)
		return
	}
	kernels.mu.Lock()
	defer kernels.mu.Unlock()
	if kernels.more == nil {
		kernels.more = make(map[uint32]*Kernel)
	}
	kernels.more[id] = k
}

// kernelOf returns the Kernel whose allocator handed out b, or nil for nil
// and for bitmaps of other allocators.
func kernelOf(b *bpfbitmap.Bitmap) *Kernel { return kernelOfID(b, b.AllocatorID()) }

// kernelOfID is kernelOf for a caller that has read b's allocator ID, id, and
// compares it with other masks'.
func kernelOfID(b *bpfbitmap.Bitmap, id uint32) *Kernel {
	if int(id) < len(kernels.tab) {
		return kernels.tab[id].Load()
	}
	return kernelOfSlow(b)
}

// kernelOfSlow is kernelOf past the arrays. It is also where nil, foreign,
// copied and stale bitmaps end up (AllocatorID is ^0 for all of them), so it
// counts the warning of a stale one (bpfbitmap.WarnStale).
func kernelOfSlow(b *bpfbitmap.Bitmap) *Kernel {
	id := b.AllocatorID()
	if id == ^uint32(0) {
		b.Stale()
		return nil
	}
	kernels.mu.Lock()
	defer kernels.mu.Unlock()
	return kernels.more[id]
}

// newKernelMask allocates a cleared cpumask_t (NR_CPUS bits) owned by the
// kernel.
func (k *Kernel) newKernelMask() (*Cpumask, error) {
	b, err := k.alloc.New(k.topo.NrCPUs())
	if err != nil {
		return nil, fmt.Errorf("kernel cpumask: %w", err)
	}
	return (*Cpumask)(unsafe.Pointer(b)), nil
}

// Topology returns k's topology.
func (k *Kernel) Topology() Topology { return k.topo }

// Allocator returns the allocator of k's BPF objects; its RCUReadLock,
// RCUReadUnlock and Synchronize are k's RCU.
func (k *Kernel) Allocator() *bpfbitmap.Allocator { return k.alloc }

// CPUPossibleMask returns cpu_possible_mask: kernel-owned and read-only, CPUs
// 0 to nr_cpu_ids-1.
func (k *Kernel) CPUPossibleMask() *Cpumask { return k.possible }

// CPUOnlineMask returns cpu_online_mask: kernel-owned and read-only. Every
// possible CPU is online.
func (k *Kernel) CPUOnlineMask() *Cpumask { return k.online }

// DistributeCursor returns this CPU's distribute_cpu_mask_prev: the CPU the
// last successful any_distribute or any_and_distribute returned, 0 at first.
func (k *Kernel) DistributeCursor() uint32 { return k.prev.Load() }

// SetDistributeCursor sets distribute_cpu_mask_prev, as other kernel callers
// of cpumask_any_and_distribute on the same CPU do (sched_setaffinity, for
// one). A cpu >= nr_cpu_ids is ignored, as the kernel never stores one.
func (k *Kernel) SetDistributeCursor(cpu uint32) {
	if int(cpu) < k.nrCPUIDs {
		k.prev.Store(cpu)
	}
}

// SetEfficientUnalignedAccess sets whether the simulated architecture selects
// CONFIG_HAVE_EFFICIENT_UNALIGNED_ACCESS (x86-64 and arm64 do; a new Kernel
// does). Without it, populate rejects unaligned sources with ErrUnaligned.
func (k *Kernel) SetEfficientUnalignedAccess(ok bool) { k.unalignedSlow.Store(!ok) }

// NewBitmap allocates a bitmap of nbits bits from k, with one reference: the
// allocation policy of the proposal's bpf_bitmap_create in this prototype.
// A bitmap of exactly nr_cpu_ids bits is given room for large_cpumask_bits,
// so that the cpumask operations that touch NR_CPUS bits (copy, clear) stay
// inside it once it is cast; other sizes can never be cast and get none.
// The padding costs memory only when 64 < NR_CPUS <= 256 (see
// docs/design-cast.md). Errors are bpfbitmap's (ErrInvalid, ErrTooBig,
// ErrNoMem).
func (k *Kernel) NewBitmap(nbits int) (*bpfbitmap.Bitmap, error) {
	if nbits == k.nrCPUIDs && k.castCap != 0 {
		return k.alloc.NewCap(nbits, k.castCap)
	}
	return k.alloc.New(nbits)
}

// Task is the part of a kernel task_struct a cpumask program reads.
type Task struct {
	// CpusPtr is task->cpus_ptr: kernel-owned, readable by every reader
	// kfunc, and of a type no mutator accepts.
	CpusPtr *Cpumask
}

// NewTask returns a task allowed to run on cpus. A cpu outside [0,
// nr_cpu_ids) fails with bpfbitmap.ErrRange; allocation failure with ErrNoMem.
func (k *Kernel) NewTask(cpus ...int) (*Task, error) {
	for _, cpu := range cpus {
		if cpu < 0 || cpu >= k.nrCPUIDs {
			return nil, fmt.Errorf("new task: cpu %d, nr_cpu_ids %d: %w", cpu, k.nrCPUIDs, bpfbitmap.ErrRange)
		}
	}
	m, err := k.newKernelMask()
	if err != nil {
		return nil, fmt.Errorf("new task: %w", err)
	}
	for _, cpu := range cpus {
		m.bitmap().Set(cpu)
	}
	return &Task{CpusPtr: m}, nil
}

// Exit frees the task's cpus_ptr mask (the task exits); CpusPtr becomes nil.
func (t *Task) Exit() {
	if t != nil && t.CpusPtr != nil {
		t.CpusPtr.bitmap().Release()
		t.CpusPtr = nil
	}
}

// BitmapCastToCpumask is the checked cast of the bpf_bitmap proposal: it
// returns b's words as a BPF-owned cpumask when b's num_bits is k's
// nr_cpu_ids, and nil otherwise, for a nil b, for a bitmap no Kernel
// allocated, and for one whose allocation is shorter than large_cpumask_bits
// (see NewBitmap). The view shares b's memory and is valid for as long as the
// reference to b that the caller holds; it takes no reference of its own. It
// does not allocate.
func BitmapCastToCpumask(b *bpfbitmap.Bitmap) *OwnedCpumask {
	return cast1(b, castTable, castSlow)
}

// cast1 is BitmapCastToCpumask with its two paths passed in, so that it
// inlines (the inliner charges a call through a parameter 17 of its budget
// of 80, a direct call 57) and castTable, which every kernel with an
// allocator ID below MaxAllocators takes, stays a leaf function: no frame
// to set up for the call into the map of the others.
func cast1(b *bpfbitmap.Bitmap, table func(*bpfbitmap.Bitmap) (*OwnedCpumask, bool), slow func(*bpfbitmap.Bitmap) *OwnedCpumask) *OwnedCpumask {
	if m, ok := table(b); ok {
		return m
	}
	return slow(b)
}

// castTable is the cast for an allocator ID that has a slot in kernels.cast;
// ok is false for the others, which castSlow answers.
func castTable(b *bpfbitmap.Bitmap) (m *OwnedCpumask, ok bool) {
	// One header load gives the allocator (hence the kernel) and the size
	// class; comparing classes stands for Cap >= large_cpumask_bits.
	id, class, bits := b.HintLen()
	if int(id) >= len(kernels.cast) {
		return nil, false
	}
	v := kernels.cast[id].Load()
	if n := int(uint32(v)); n == 0 || bits != n || class < uint8(v>>32) {
		return nil, true
	}
	return (*OwnedCpumask)(unsafe.Pointer(b)), true
}

// castSlow is the cast for the allocator IDs past kernels.cast, and for
// bitmaps no allocator owns (which it finds stale or foreign).
func castSlow(b *bpfbitmap.Bitmap) *OwnedCpumask {
	_, class, bits := b.HintLen()
	k := kernelOfSlow(b)
	if k == nil || k.nrCPUIDs == 0 || bits != k.nrCPUIDs || class < k.castClass {
		return nil
	}
	return (*OwnedCpumask)(unsafe.Pointer(b))
}

// MustBitmapCastToCpumask is BitmapCastToCpumask that panics with the reason
// instead of returning nil, for Go callers. It is not what a BPF program
// could do: bpf_assert() cannot replace the cast's NULL check, because the
// 6.18 verifier refuses its bpf_throw wherever a cast happens: with the
// bitmap's reference held ("bpf_throw would lead to reference leak") and
// inside an RCU read section ("bpf_throw cannot be used inside
// bpf_rcu_read_lock-ed region"); see docs/kernel-reference.md §7.6. Use it
// where the size is known to match by construction (a bitmap created with
// nr_cpu_ids bits on the same Kernel); where the size comes from outside,
// check the result of BitmapCastToCpumask, or use To.
func MustBitmapCastToCpumask(b *bpfbitmap.Bitmap) *OwnedCpumask {
	m, err := To(b)
	if err != nil {
		panic("cast.MustBitmapCastToCpumask: " + err.Error())
	}
	return m
}

// To is BitmapCastToCpumask that says why it failed: ErrForeignBitmap, or a
// *CastError matching ErrSizeMismatch or ErrShortBacking.
func To(b *bpfbitmap.Bitmap) (*OwnedCpumask, error) {
	if m := BitmapCastToCpumask(b); m != nil {
		return m, nil
	}
	k := kernelOf(b)
	if k == nil {
		return nil, ErrForeignBitmap
	}
	return nil, &CastError{NumBits: b.Len(), NrCPUIDs: k.nrCPUIDs, CapBits: b.Cap(), NeedBits: k.large}
}
