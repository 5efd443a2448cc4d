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
//	bitmap_weight_and            Bitmap.WeightAnd
//	bitmap_and, then weight      Bitmap.AndWeight (one pass; no kernel function)
//	find_first_bit, find_next_bit, …   Bitmap.FindFirstBit, FindNextBit, …
//	bitmap_parselist, %*pbl      ParseList, Bitmap.FormatList
//	bitmap_parse, %*pb           ParseHex, Bitmap.FormatHex
//
// Invariant: bits at or above Len in the last word are zero after every
// operation, and no reader reports them.
//
// Errors wrap one of the sentinels (ErrInvalid, ErrRange, ErrOverflow,
// ErrTooBig, ErrNoMem, ErrSizeMismatch), each of which also matches the errno
// the kernel returns for the same condition with errors.Is; docs/errors.md
// lists every one.
//
// # Where the kernel relies on the verifier
//
// A BPF program that uses an object after releasing it, releases it twice,
// unlocks RCU it never locked or copies it is rejected before it runs. A Go
// program is not, so the model decides what such misuse does: it turns what
// it can tell apart into a no-op and a counted warning, and says where it
// cannot:
//
//   - Every allocated object has an 8-byte unit header (where bpf_mem_alloc
//     keeps its llist_node) that names its class and allocator and carries a
//     tag of the object's own address. Every access checks it with one load
//     and one compare. A copy (c := *b) has no such header in front of it, and
//     an object whose grace period has ended has its tag complemented, so
//     both read as 0-bit bitmaps that nothing can write through; casts and
//     views of them fail as for a foreign bitmap; Acquire and Release change
//     nothing; the cast, the views, Acquire and Release count WarnStale.
//     go vet's copylocks check reports copies at compile time.
//   - A generation number cannot do more here: a *Bitmap is the object's
//     address, and once the memory holds a new Bitmap the stale pointer and
//     the new owner's are the same pointer, with nothing to compare.
//     Allocator.SetChecked closes that gap: a checked allocator never reuses
//     memory a Go pointer can still reach (the garbage collector plays the
//     verifier's part), so a stale pointer always reads a released object,
//     at the cost of a Go allocation per New. The default keeps
//     bpf_mem_alloc's reuse after a grace period, which the design
//     measurements need.
//   - Refcount misuse saturates and warns as refcount_t does; RCUReadUnlock
//     with a token it did not hand out returns ErrInvalid and counts
//     WarnUnlockBalance, leaving the reader counts as they were.
package bpfbitmap
