// Package bpfbitmap is the object of the January 2023 bpf_bitmap proposal on
// the Linux BPF list, as a Go type:
//
//	struct bpf_bitmap { refcount_t refcnt; int num_bits; u64 bits[]; };
//
// A Bitmap is one allocation of header plus words, reference counted with
// refcount_t's rules (saturation and warnings instead of wrap-around), handed
// out by an Allocator modelled on the kernel's bpf_mem_alloc: its size classes
// and per-object header, grace-period-delayed reuse behind an RCU-like read
// API, accounting, and failure injection.
//
// On top of it sit the kernel's bit operations (atomic Set/Clear/TestAndSet
// as set_bit and friends, NonAtomic… as __set_bit), the bulk operations of
// lib/bitmap.c, the find_bit family of lib/find_bit.c with its "return Len()
// when nothing is found" contract, iteration, the kernel's cpulist (%*pbl) and
// hex-mask (%*pb) text forms, and conversion to and from
// github.com/bits-and-blooms/bitset.
//
// Kernel name → Go name:
//
//	bpf_bitmap_create(bits)      New, Allocator.New
//	bpf_bitmap_acquire/release   Bitmap.Acquire, Bitmap.Release
//	set_bit/__set_bit            Bitmap.Set, Bitmap.NonAtomicSet
//	test_and_set_bit             Bitmap.TestAndSet
//	bitmap_and/or/xor/andnot     Bitmap.And, Or, Xor, AndNot
//	bitmap_weight/empty/full     Bitmap.Weight, Empty, Full
//	find_first_bit, find_next_bit, …   Bitmap.FindFirstBit, FindNextBit, …
//	bitmap_parselist, %*pbl      ParseList, Bitmap.FormatList
//	bitmap_parse, %*pb           ParseHex, Bitmap.FormatHex
//
// Invariant: bits at or above Len in the last word are zero after every
// operation, and no reader reports them.
//
// Errors wrap one of the sentinels (ErrInvalid, ErrRange, ErrOverflow,
// ErrTooBig, ErrNoMem, ErrSizeMismatch), each of which also matches the errno
// the kernel returns for the same condition with errors.Is.
package bpfbitmap
