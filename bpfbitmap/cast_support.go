package bpfbitmap

import "unsafe"

// Support for package cast, which binds each simulated kernel (its
// nr_cpu_ids and NR_CPUS) to one Allocator and must find that kernel from any
// object cheaply, without a field in struct bpf_bitmap: the kernel reads
// nr_cpu_ids from a global, and a program of this module may simulate several
// kernels side by side.

// ID returns a's registry index, stable for the life of the process and
// unique among allocators. It is the number Bitmap.AllocatorID reports.
func (a *Allocator) ID() uint32 { return a.id }

// AllocatorID returns the ID of the allocator that handed out b, read from
// the hint in its unit header (as bpf_mem_free finds the cache), or
// ^uint32(0) for nil or a zero Bitmap. It is one load: cast calls it on every cpumask
// operation.
func (b *Bitmap) AllocatorID() uint32 {
	if b == nil || !b.owned() {
		return ^uint32(0)
	}
	hdr := *(*uint64)(unsafe.Add(unsafe.Pointer(b), -UnitHeaderBytes))
	return uint32(hdr) >> 8
}
