package main

import (
	"fmt"

	"github.com/bpfbitmap/prototype/bpfbitmap"
	"github.com/bpfbitmap/prototype/cast"
)

// allocation is what one design allocates for one cpumask on a topology,
// from the rules in the kernel reference (§1.1, §5.2, §5.3, §10.8).
type allocation struct {
	Design string `json:"design"` // "bpf_cpumask" or "bpf_bitmap"
	// Sizing names what the bit array is sized by: "NR_CPUS" for the
	// merged design; "nr_cpu_ids" for a bpf_bitmap of exactly nr_cpu_ids
	// bits; "large_cpumask_bits" for one whose backing also covers the
	// bits cpumask_copy reads from a cast source.
	Sizing string `json:"sizing"`
	Bits   int    `json:"bits"` // bits of backing storage the object holds
	// ObjectBytes is sizeof the object: refcount_t (and num_bits) plus the
	// words.
	ObjectBytes int `json:"object_bytes"`
	// UnitBytes is ObjectBytes plus bpf_mem_alloc's 8-byte llist_node header.
	UnitBytes int `json:"unit_bytes"`
	// Allocator is where the unit comes from: "kmalloc" (bpf_cpumask_ma is
	// a dedicated cache whose units are kmalloc'ed at their exact size) or
	// "bpf_mem_alloc" (the size-class allocator bpf_global_ma).
	Allocator string `json:"allocator"`
	// ClassBytes is the size of the allocator class the unit lands in.
	ClassBytes int `json:"class_bytes"`
	// KernelClass is false when the kernel has no such class: the
	// allocation would return NULL (a bpf_bitmap above 32640 bits).
	KernelClass bool `json:"kernel_class"`
	// NeededBytes is the least any design needs for nr_cpu_ids bits: the
	// 8-byte allocator header, an 8-byte object header and whole words.
	NeededBytes int `json:"needed_bytes"`
	// ExcessBytes is ClassBytes - NeededBytes: what the class holds beyond
	// the least any design needs. bench.Alloc's waste_bytes is another
	// quantity, ClassBytes - UnitBytes, as the allocator accounts it.
	ExcessBytes int `json:"excess_bytes"`
}

// kmallocClass returns the kmalloc size class that holds n bytes: the
// kmalloc-8 … kmalloc-8192 caches of a 64-bit SLUB kernel (96 and 192
// included), then whole powers of two from the page allocator.
func kmallocClass(n int) int {
	for _, c := range [...]int{8, 16, 32, 64, 96, 128, 192} {
		if n <= c {
			return c
		}
	}
	c := 256
	for c < n {
		c *= 2
	}
	return c
}

// wordBytes returns the bytes of whole 64-bit words holding nbits bits.
func wordBytes(nbits int) int { return 8 * ((nbits + 63) / 64) }

// allocations returns, for topology t, what each design allocates for one
// cpumask:
//
//   - the merged struct bpf_cpumask: an NR_CPUS-bit cpumask_t and a
//     refcount_t, 8*ceil(NR_CPUS/64)+8 bytes, from its dedicated cache with
//     an 8-byte header, kmalloc'ed;
//   - a struct bpf_bitmap of num_bits = nr_cpu_ids: 8 bytes of header and
//     the words, from bpf_mem_alloc's size classes;
//   - the same with its backing rounded up to large_cpumask_bits, which a
//     cast to struct cpumask * needs because cpumask_copy reads that many
//     bits from its source (equal to the previous row when NR_CPUS > 256).
func allocations(t cast.Topology) ([]allocation, error) {
	n := t.NrCPUIDs()
	needed := bpfbitmap.UnitHeaderBytes + bpfbitmap.HeaderBytes + wordBytes(n)
	obj := wordBytes(t.NrCPUs()) + 8
	unit := obj + bpfbitmap.UnitHeaderBytes
	fixed := allocation{
		Design: "bpf_cpumask", Sizing: "NR_CPUS", Bits: 8 * wordBytes(t.NrCPUs()),
		ObjectBytes: obj, UnitBytes: unit, Allocator: "kmalloc",
		ClassBytes: kmallocClass(unit), KernelClass: true,
	}
	exact, err := bitmapAllocation(n, "nr_cpu_ids")
	if err != nil {
		return nil, err
	}
	safe, err := bitmapAllocation(max(n, t.LargeCpumaskBits()), "large_cpumask_bits")
	if err != nil {
		return nil, err
	}
	out := []allocation{fixed, exact, safe}
	for i := range out {
		out[i].NeededBytes = needed
		out[i].ExcessBytes = out[i].ClassBytes - needed
	}
	return out, nil
}

// bitmapAllocation returns the allocation of a struct bpf_bitmap with room
// for nbits bits.
func bitmapAllocation(nbits int, sizing string) (allocation, error) {
	class, kernel, err := bpfbitmap.ClassUnit(nbits)
	if err != nil {
		return allocation{}, fmt.Errorf("bpf_bitmap of %d bits: %w", nbits, err)
	}
	obj := bpfbitmap.HeaderBytes + wordBytes(nbits)
	return allocation{
		Design: "bpf_bitmap", Sizing: sizing, Bits: nbits,
		ObjectBytes: obj, UnitBytes: obj + bpfbitmap.UnitHeaderBytes, Allocator: "bpf_mem_alloc",
		ClassBytes: class, KernelClass: kernel,
	}, nil
}

// className is how the text output names a's class: "kmalloc-64",
// "bpf_mem_alloc-32", or "none (NULL)" when the kernel has no class for it.
func (a allocation) className() string {
	if !a.KernelClass {
		return "none (NULL)"
	}
	return fmt.Sprintf("%s-%d", a.Allocator, a.ClassBytes)
}
