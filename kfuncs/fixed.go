package kfuncs

import (
	"unsafe"

	"github.com/bpfbitmap/prototype/bpfbitmap"
	"github.com/bpfbitmap/prototype/cast"
)

// BPFCpumask is the merged design's struct bpf_cpumask:
//
//	struct bpf_cpumask { cpumask_t cpumask; refcount_t usage; };
//
// an NR_CPUS-bit mask, whatever nr_cpu_ids is, with a reference count. Its
// memory is one object of NR_CPUS bits from its Kernel's allocator, in the
// same size classes as a bpf_bitmap, so the two designs' memory compares
// directly (the refcount sits in the object's header rather than after the
// mask). The mask is at offset 0, which is what makes Cpumask a free
// conversion, as BUILD_BUG_ON in bpf_cpumask_create asserts in the kernel.
//
// Only pointers from CpumaskCreate are valid.
type BPFCpumask struct {
	cpumask cast.OwnedCpumask
}

var bpfCpumaskLayout BPFCpumask

// The kernel's BUILD_BUG_ON(offsetof(struct bpf_cpumask, cpumask) != 0): a
// non-zero offset makes this constant overflow and the package fail to build.
const _ uintptr = -unsafe.Offsetof(bpfCpumaskLayout.cpumask)

func (m *BPFCpumask) bitmap() *bpfbitmap.Bitmap { return (*bpfbitmap.Bitmap)(unsafe.Pointer(m)) }

// Cpumask returns m as const struct cpumask *, for the reader kfuncs: the
// one-way cast the verifier allows (the selftests' cast() helper). It does
// not allocate; nil gives nil.
func (m *BPFCpumask) Cpumask() *cast.Cpumask {
	return (*cast.OwnedCpumask)(unsafe.Pointer(m)).Cpumask()
}

// Owned returns m as the BPF-owned mask type the cast yields, for code that
// handles both designs' masks alike (Args.Dst); every mutator takes either.
// It does not allocate; nil gives nil.
func (m *BPFCpumask) Owned() *cast.OwnedCpumask { return (*cast.OwnedCpumask)(unsafe.Pointer(m)) }

// CpumaskCreate allocates a cleared cpumask with one reference
// (bpf_cpumask_create). It returns nil when the allocator fails, as the
// kernel does when this CPU's cache is empty, and for a nil k.
func CpumaskCreate(k *cast.Kernel) *BPFCpumask {
	if k == nil {
		return nil
	}
	b, err := k.Allocator().New(k.Topology().NrCPUs())
	if err != nil {
		return nil
	}
	return (*BPFCpumask)(unsafe.Pointer(b))
}

// CpumaskAcquire takes a reference to cpumask and returns it
// (bpf_cpumask_acquire). Acquiring a mask whose count reached 0 warns and
// leaks, as refcount_inc does; nil gives nil.
func CpumaskAcquire(cpumask *BPFCpumask) *BPFCpumask {
	cpumask.bitmap().Acquire()
	return cpumask
}

// CpumaskRelease drops a reference; the last one frees the mask after an RCU
// grace period (bpf_cpumask_release, bpf_mem_cache_free_rcu). nil does
// nothing.
func CpumaskRelease(cpumask *BPFCpumask) { cpumask.bitmap().Release() }

// CpumaskReleaseDtor is the destructor the kernel registers for
// struct bpf_cpumask kptrs, called on a mask still in a map slot when the
// map value is freed (bpf_cpumask_release_dtor). It is CpumaskRelease.
func CpumaskReleaseDtor(cpumask *BPFCpumask) { CpumaskRelease(cpumask) }
