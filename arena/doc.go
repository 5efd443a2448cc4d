// Package arena models the third road to a variable-length cpumask, the one
// the sched_ext schedulers took after the bpf_bitmap proposal was set aside:
// bitmaps sized by nr_cpu_ids, allocated in a BPF arena by a BPF-side
// allocator, operated on by BPF loops instead of kfuncs, and copied into a
// struct bpf_cpumask with bpf_cpumask_populate when a kernel API needs one.
//
// The model follows sched-ext/scx at commit
// 7a58a3a1a857fa748ea5a3bda5ad312afbbeca5b (2026-08-07): struct scx_bitmap
// (scheds/include/lib/cpumask.h), its operations (lib/bitmap.bpf.c), the
// conversion scx_bitmap_to_bpf (lib/cpumask.bpf.c) and the allocator under
// it, scx_alloc of lib/sdt_alloc.bpf.c. What the arena road gives up is
// modelled as absence: no refcount (a mask is freed explicitly and its
// memory reused at once), no RCU (nothing delays reuse, so a reader racing a
// free sees the next owner's bits), and pointers the verifier does not
// trust (arena memory is not a typed kernel object: a program may pass any
// arena address where a mask is expected, and a stale or wrong one reads
// another element instead of failing to load). See docs/kernel-reference.md
// §9.3 and docs/design.md.
package arena
