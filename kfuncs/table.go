package kfuncs

import (
	"bytes"
	"fmt"
	"strings"
)

//go:generate go run mktable.go

// Kind says what sort of kernel function a row is.
type Kind string

// The kinds of Kfuncs rows.
const (
	KindKfunc  Kind = "kfunc"  // registered in a BTF kfunc set
	KindHelper Kind = "helper" // a BPF helper (BPF_FUNC_*), not a kfunc
	KindDtor   Kind = "dtor"   // registered with register_btf_id_dtor_kfuncs
)

// Design says which design a row belongs to.
type Design string

// The designs of Kfuncs rows.
const (
	DesignMerged   Design = "merged"   // struct bpf_cpumask only
	DesignShared   Design = "shared"   // works on both designs' masks
	DesignProposed Design = "proposed" // the bpf_bitmap proposal
)

// Kfunc describes one function of this package by its kernel counterpart.
type Kfunc struct {
	Kernel string // kernel name, e.g. "bpf_cpumask_first"
	Go     string // this package's name: Kernel minus "bpf_", each part capitalised
	Proto  string // the C prototype (for proposed functions, the one this package implements)
	Flags  Flag   // BTF_ID_FLAGS in the current kernel, or as decided for proposed ones
	Since  string // first release with it, or "proposed"
	Kind   Kind
	Design Design
	Why    string // what the flags and the semantics rest on
	// Call calls the function n times with a's arguments, leaving its
	// result in a: benchmarks run it with b.N, tests with 1, so both reach
	// the same body from the row. The loop is in each body so that the
	// call inlines; a call through a function value per iteration would
	// add as much as the cheapest kfuncs cost. It is nil for the halves of
	// a pair (release, next, destroy, unlock), which the other half's Call
	// runs, and for destructors.
	Call func(a *Args, n int)
}

// Table is a list of Kfunc rows.
type Table []Kfunc

// Kfuncs is every exported function of this package, as data. docs/kfuncs.md
// is generated from it, and a test checks it against the package's
// declarations both ways.
var Kfuncs = Table{
	// The merged design's object.
	{"bpf_cpumask_create", "CpumaskCreate", "struct bpf_cpumask *bpf_cpumask_create(void)", KfAcquire | KfRetNull, "6.3", KindKfunc, DesignMerged,
		"Returns a new reference; NULL when this CPU's bpf_mem_alloc cache is empty. Go adds the *cast.Kernel the kernel keeps in globals.",
		func(a *Args, n int) {
			for range n {
				CpumaskRelease(CpumaskCreate(a.Kernel))
			}
		}},
	{"bpf_cpumask_release", "CpumaskRelease", "void bpf_cpumask_release(struct bpf_cpumask *cpumask)", KfRelease, "6.3", KindKfunc, DesignMerged,
		"Consumes the reference; the last one frees after an RCU grace period (bpf_mem_cache_free_rcu). Trusted implicitly since 6.4.",
		nil},
	{"bpf_cpumask_acquire", "CpumaskAcquire", "struct bpf_cpumask *bpf_cpumask_acquire(struct bpf_cpumask *cpumask)", KfAcquire | KfTrustedArgs, "6.3", KindKfunc, DesignMerged,
		"Never NULL. Not KF_RCU: an RCU pointer may be at refcount 0. bpf-next (2026) drops KF_TRUSTED_ARGS, trusted being the default.",
		func(a *Args, n int) {
			for range n {
				CpumaskRelease(CpumaskAcquire(a.Cpumask))
			}
		}},
	{"bpf_cpumask_release_dtor", "CpumaskReleaseDtor", "void bpf_cpumask_release_dtor(void *cpumask)", 0, "6.8", KindDtor, DesignMerged,
		"Destructor of struct bpf_cpumask kptrs left in a map value; not in the kfunc set.",
		nil},

	// The cpumask kfuncs: readers take const struct cpumask *, mutators a BPF-owned mask.
	{"bpf_cpumask_first", "CpumaskFirst", "u32 bpf_cpumask_first(const struct cpumask *cpumask)", KfRcu, "6.3", KindKfunc, DesignShared,
		"find_first_bit over small_cpumask_bits; not found is exactly S.",
		func(a *Args, n int) {
			for range n {
				a.Ret = uint64(CpumaskFirst(a.Src1))
			}
		}},
	{"bpf_cpumask_first_zero", "CpumaskFirstZero", "u32 bpf_cpumask_first_zero(const struct cpumask *cpumask)", KfRcu, "6.3", KindKfunc, DesignShared,
		"find_first_zero_bit over S; all set gives S.",
		func(a *Args, n int) {
			for range n {
				a.Ret = uint64(CpumaskFirstZero(a.Src1))
			}
		}},
	{"bpf_cpumask_first_and", "CpumaskFirstAnd", "u32 bpf_cpumask_first_and(const struct cpumask *src1, const struct cpumask *src2)", KfRcu, "6.5", KindKfunc, DesignShared,
		"find_first_and_bit over S; empty intersection gives S.",
		func(a *Args, n int) {
			for range n {
				a.Ret = uint64(CpumaskFirstAnd(a.Src1, a.Src2))
			}
		}},
	{"bpf_cpumask_set_cpu", "CpumaskSetCpu", "void bpf_cpumask_set_cpu(u32 cpu, struct bpf_cpumask *cpumask)", KfRcu, "6.3", KindKfunc, DesignShared,
		"Atomic set_bit; cpu >= nr_cpu_ids does nothing. Mutator: BPF-owned masks only.",
		func(a *Args, n int) {
			for range n {
				CpumaskSetCpu(a.Cpu, a.Dst)
			}
		}},
	{"bpf_cpumask_clear_cpu", "CpumaskClearCpu", "void bpf_cpumask_clear_cpu(u32 cpu, struct bpf_cpumask *cpumask)", KfRcu, "6.3", KindKfunc, DesignShared,
		"Atomic clear_bit; cpu >= nr_cpu_ids does nothing.",
		func(a *Args, n int) {
			for range n {
				CpumaskClearCpu(a.Cpu, a.Dst)
			}
		}},
	{"bpf_cpumask_test_cpu", "CpumaskTestCpu", "bool bpf_cpumask_test_cpu(u32 cpu, const struct cpumask *cpumask)", KfRcu, "6.3", KindKfunc, DesignShared,
		"Plain test_bit; cpu >= nr_cpu_ids is false.",
		func(a *Args, n int) {
			for range n {
				a.Ret = r0(CpumaskTestCpu(a.Cpu, a.Src1))
			}
		}},
	{"bpf_cpumask_test_and_set_cpu", "CpumaskTestAndSetCpu", "bool bpf_cpumask_test_and_set_cpu(u32 cpu, struct bpf_cpumask *cpumask)", KfRcu, "6.3", KindKfunc, DesignShared,
		"Atomic, fully ordered test_and_set_bit; cpu >= nr_cpu_ids is false and changes nothing.",
		func(a *Args, n int) {
			for range n {
				a.Ret = r0(CpumaskTestAndSetCpu(a.Cpu, a.Dst))
			}
		}},
	{"bpf_cpumask_test_and_clear_cpu", "CpumaskTestAndClearCpu", "bool bpf_cpumask_test_and_clear_cpu(u32 cpu, struct bpf_cpumask *cpumask)", KfRcu, "6.3", KindKfunc, DesignShared,
		"Atomic test_and_clear_bit; cpu >= nr_cpu_ids is false.",
		func(a *Args, n int) {
			for range n {
				a.Ret = r0(CpumaskTestAndClearCpu(a.Cpu, a.Dst))
			}
		}},
	{"bpf_cpumask_setall", "CpumaskSetall", "void bpf_cpumask_setall(struct bpf_cpumask *cpumask)", KfRcu, "6.3", KindKfunc, DesignShared,
		"Word 0 masked to N bits when NR_CPUS <= 64, else bitmap_fill of whole words (tail bits set).",
		func(a *Args, n int) {
			for range n {
				CpumaskSetall(a.Dst)
			}
		}},
	{"bpf_cpumask_clear", "CpumaskClear", "void bpf_cpumask_clear(struct bpf_cpumask *cpumask)", KfRcu, "6.3", KindKfunc, DesignShared,
		"bitmap_zero over large_cpumask_bits: NR_CPUS bits when NR_CPUS <= 256.",
		func(a *Args, n int) {
			for range n {
				CpumaskClear(a.Dst)
			}
		}},
	{"bpf_cpumask_and", "CpumaskAnd", "bool bpf_cpumask_and(struct bpf_cpumask *dst, const struct cpumask *src1, const struct cpumask *src2)", KfRcu, "6.3", KindKfunc, DesignShared,
		"bitmap_and over S, last word masked; true iff non-empty.",
		func(a *Args, n int) {
			for range n {
				a.Ret = r0(CpumaskAnd(a.Dst, a.Src1, a.Src2))
			}
		}},
	{"bpf_cpumask_or", "CpumaskOr", "void bpf_cpumask_or(struct bpf_cpumask *dst, const struct cpumask *src1, const struct cpumask *src2)", KfRcu, "6.3", KindKfunc, DesignShared,
		"bitmap_or over S, whole words, no tail masking.",
		func(a *Args, n int) {
			for range n {
				CpumaskOr(a.Dst, a.Src1, a.Src2)
			}
		}},
	{"bpf_cpumask_xor", "CpumaskXor", "void bpf_cpumask_xor(struct bpf_cpumask *dst, const struct cpumask *src1, const struct cpumask *src2)", KfRcu, "6.3", KindKfunc, DesignShared,
		"bitmap_xor over S, whole words, no tail masking.",
		func(a *Args, n int) {
			for range n {
				CpumaskXor(a.Dst, a.Src1, a.Src2)
			}
		}},
	{"bpf_cpumask_equal", "CpumaskEqual", "bool bpf_cpumask_equal(const struct cpumask *src1, const struct cpumask *src2)", KfRcu, "6.3", KindKfunc, DesignShared,
		"bitmap_equal over S.",
		func(a *Args, n int) {
			for range n {
				a.Ret = r0(CpumaskEqual(a.Src1, a.Src2))
			}
		}},
	{"bpf_cpumask_intersects", "CpumaskIntersects", "bool bpf_cpumask_intersects(const struct cpumask *src1, const struct cpumask *src2)", KfRcu, "6.3", KindKfunc, DesignShared,
		"bitmap_intersects over S.",
		func(a *Args, n int) {
			for range n {
				a.Ret = r0(CpumaskIntersects(a.Src1, a.Src2))
			}
		}},
	{"bpf_cpumask_subset", "CpumaskSubset", "bool bpf_cpumask_subset(const struct cpumask *src1, const struct cpumask *src2)", KfRcu, "6.3", KindKfunc, DesignShared,
		"bitmap_subset(src1, src2) over S: every CPU of src1 is in src2.",
		func(a *Args, n int) {
			for range n {
				a.Ret = r0(CpumaskSubset(a.Src1, a.Src2))
			}
		}},
	{"bpf_cpumask_empty", "CpumaskEmpty", "bool bpf_cpumask_empty(const struct cpumask *cpumask)", KfRcu, "6.3", KindKfunc, DesignShared,
		"bitmap_empty over S.",
		func(a *Args, n int) {
			for range n {
				a.Ret = r0(CpumaskEmpty(a.Src1))
			}
		}},
	{"bpf_cpumask_full", "CpumaskFull", "bool bpf_cpumask_full(const struct cpumask *cpumask)", KfRcu, "6.3", KindKfunc, DesignShared,
		"bitmap_full over exactly nr_cpu_ids, the one query of width N.",
		func(a *Args, n int) {
			for range n {
				a.Ret = r0(CpumaskFull(a.Src1))
			}
		}},
	{"bpf_cpumask_copy", "CpumaskCopy", "void bpf_cpumask_copy(struct bpf_cpumask *dst, const struct cpumask *src)", KfRcu, "6.3", KindKfunc, DesignShared,
		"bitmap_copy over large_cpumask_bits, tails included: reads L bits of src, hence the cast's L-bit backing.",
		func(a *Args, n int) {
			for range n {
				CpumaskCopy(a.Dst, a.Src1)
			}
		}},
	{"bpf_cpumask_any_distribute", "CpumaskAnyDistribute", "u32 bpf_cpumask_any_distribute(const struct cpumask *cpumask)", KfRcu, "6.5", KindKfunc, DesignShared,
		"Per-CPU rotating cursor (seeded 0, shared with any_and_distribute); empty gives exactly nr_cpu_ids.",
		func(a *Args, n int) {
			for range n {
				a.Ret = uint64(CpumaskAnyDistribute(a.Src1))
			}
		}},
	{"bpf_cpumask_any_and_distribute", "CpumaskAnyAndDistribute", "u32 bpf_cpumask_any_and_distribute(const struct cpumask *src1, const struct cpumask *src2)", KfRcu, "6.5", KindKfunc, DesignShared,
		"The same cursor over src1 AND src2; empty intersection gives exactly nr_cpu_ids.",
		func(a *Args, n int) {
			for range n {
				a.Ret = uint64(CpumaskAnyAndDistribute(a.Src1, a.Src2))
			}
		}},
	{"bpf_cpumask_weight", "CpumaskWeight", "u32 bpf_cpumask_weight(const struct cpumask *cpumask)", KfRcu, "6.8", KindKfunc, DesignShared,
		"bitmap_weight over S.",
		func(a *Args, n int) {
			for range n {
				a.Ret = uint64(CpumaskWeight(a.Src1))
			}
		}},
	{"bpf_cpumask_populate", "CpumaskPopulate", "int bpf_cpumask_populate(struct cpumask *cpumask, void *src, size_t src__sz)", KfRcu, "6.15", KindKfunc, DesignShared,
		"Copies BITS_TO_LONGS(N) whole words; -EACCES if src__sz < bitmap_size(N), -EINVAL if unaligned without efficient unaligned access. The kernel types dst struct cpumask *; here it must be BPF-owned like every mutator's. src and src__sz are one []byte.",
		func(a *Args, n int) {
			for range n {
				a.Ret = uint64(uint32(CpumaskPopulate(a.Dst, a.Mem)))
			}
		}},

	// The proposal's object and its cast.
	{"bpf_bitmap_create", "BitmapCreate", "struct bpf_bitmap *bpf_bitmap_create(int bits)", KfAcquire | KfRetNull, "proposed", KindKfunc, DesignProposed,
		"A new reference, as bpf_cpumask_create; NULL also for bits <= 0 or above 32640 (bpf_mem_alloc's 4096-byte class). nr_cpu_ids-sized bitmaps get large_cpumask_bits of backing. Go adds the *cast.Kernel.",
		func(a *Args, n int) {
			for range n {
				BitmapRelease(BitmapCreate(a.Kernel, a.Bits))
			}
		}},
	{"bpf_bitmap_acquire", "BitmapAcquire", "struct bpf_bitmap *bpf_bitmap_acquire(struct bpf_bitmap *bitmap)", KfAcquire | KfTrustedArgs, "proposed", KindKfunc, DesignProposed,
		"As bpf_cpumask_acquire: needs a referenced pointer, since an RCU one may be at refcount 0.",
		func(a *Args, n int) {
			for range n {
				BitmapRelease(BitmapAcquire(a.BitmapDst))
			}
		}},
	{"bpf_bitmap_release", "BitmapRelease", "void bpf_bitmap_release(struct bpf_bitmap *bitmap)", KfRelease, "proposed", KindKfunc, DesignProposed,
		"As bpf_cpumask_release; the RCU-deferred free keeps RCU readers of kptrs safe.",
		nil},
	{"bpf_bitmap_release_dtor", "BitmapReleaseDtor", "void bpf_bitmap_release_dtor(void *bitmap)", 0, "proposed", KindDtor, DesignProposed,
		"Destructor of struct bpf_bitmap kptrs, as bpf_cpumask_release_dtor.",
		nil},
	{"bpf_bitmap_cast_to_cpumask", "BitmapCastToCpumask", "struct cpumask *bpf_bitmap_cast_to_cpumask(struct bpf_bitmap *bitmap)", KfRetNull | KfRcu, "proposed", KindKfunc, DesignProposed,
		"KF_RET_NULL: NULL unless num_bits == nr_cpu_ids (the NULL-check tax; bpf_assert cannot drop it: bpf_throw is refused with a reference held or under RCU). No KF_ACQUIRE: the view takes no reference and must inherit the argument's trusted/RCU state, which no flag expresses today. KF_RCU so that a bitmap kptr read under RCU can be cast. The result is BPF-owned: mutators accept it.",
		func(a *Args, n int) {
			// The result goes to a once, after the loop, as the fixed
			// design's baseline keeps its own: a pointer stored into a
			// heap object checks the write barrier on every call.
			m := a.Owned
			for range n {
				m = BitmapCastToCpumask(a.BitmapDst)
			}
			a.Owned = m
		}},

	// The proposal's generic bit kfuncs, flagged as the cpumask ones they generalise.
	{"bpf_find_first_bit", "FindFirstBit", "u32 bpf_find_first_bit(const struct bpf_bitmap *bitmap)", KfRcu, "proposed", KindKfunc, DesignProposed,
		"find_first_bit; not found is num_bits. KF_RCU like every cpumask query.",
		func(a *Args, n int) {
			for range n {
				a.Ret = uint64(FindFirstBit(a.Bitmap1))
			}
		}},
	{"bpf_find_next_bit", "FindNextBit", "u32 bpf_find_next_bit(const struct bpf_bitmap *bitmap, u32 offset)", KfRcu, "proposed", KindKfunc, DesignProposed,
		"find_next_bit; num_bits when none, also for offset >= num_bits.",
		func(a *Args, n int) {
			for range n {
				a.Ret = uint64(FindNextBit(a.Bitmap1, a.Cpu))
			}
		}},
	{"bpf_find_first_zero_bit", "FindFirstZeroBit", "u32 bpf_find_first_zero_bit(const struct bpf_bitmap *bitmap)", KfRcu, "proposed", KindKfunc, DesignProposed,
		"find_first_zero_bit; num_bits when all are set.",
		func(a *Args, n int) {
			for range n {
				a.Ret = uint64(FindFirstZeroBit(a.Bitmap1))
			}
		}},
	{"bpf_find_last_bit", "FindLastBit", "u32 bpf_find_last_bit(const struct bpf_bitmap *bitmap)", KfRcu, "proposed", KindKfunc, DesignProposed,
		"find_last_bit; num_bits when none.",
		func(a *Args, n int) {
			for range n {
				a.Ret = uint64(FindLastBit(a.Bitmap1))
			}
		}},
	{"bpf_find_next_zero_bit", "FindNextZeroBit", "u32 bpf_find_next_zero_bit(const struct bpf_bitmap *bitmap, u32 offset)", KfRcu, "proposed", KindKfunc, DesignProposed,
		"find_next_zero_bit; num_bits when all from offset are set, also for offset >= num_bits. KF_RCU like every reader.",
		func(a *Args, n int) {
			for range n {
				a.Ret = uint64(FindNextZeroBit(a.Bitmap1, a.Cpu))
			}
		}},
	{"bpf_find_nth_bit", "FindNthBit", "u32 bpf_find_nth_bit(const struct bpf_bitmap *bitmap, u32 n)", KfRcu, "proposed", KindKfunc, DesignProposed,
		"find_nth_bit: the n-th set bit from 0. Fewer than n+1 set gives exactly num_bits, where lib/find_bit.c promises only >= size. KF_RCU: a reader.",
		func(a *Args, n int) {
			for range n {
				a.Ret = uint64(FindNthBit(a.Bitmap2, a.Cpu))
			}
		}},
	{"bpf_find_next_and_bit", "FindNextAndBit", "u32 bpf_find_next_and_bit(const struct bpf_bitmap *src1, const struct bpf_bitmap *src2, u32 offset)", KfRcu, "proposed", KindKfunc, DesignProposed,
		"find_next_and_bit with src1's num_bits as the size (the kernel takes one size): not found, and offset >= it, give src1's num_bits; bits past src2's num_bits count as clear, so any lengths work. KF_RCU: a reader.",
		func(a *Args, n int) {
			for range n {
				a.Ret = uint64(FindNextAndBit(a.Bitmap1, a.Bitmap2, a.Cpu))
			}
		}},
	{"bpf_bitmap_set_bit", "BitmapSetBit", "void bpf_bitmap_set_bit(u32 bit, struct bpf_bitmap *bitmap)", KfRcu, "proposed", KindKfunc, DesignProposed,
		"Atomic set_bit; bit >= num_bits does nothing, as cpu_valid() in the cpumask kfuncs.",
		func(a *Args, n int) {
			for range n {
				BitmapSetBit(a.Cpu, a.BitmapDst)
			}
		}},
	{"bpf_bitmap_clear_bit", "BitmapClearBit", "void bpf_bitmap_clear_bit(u32 bit, struct bpf_bitmap *bitmap)", KfRcu, "proposed", KindKfunc, DesignProposed,
		"Atomic clear_bit; bit >= num_bits does nothing.",
		func(a *Args, n int) {
			for range n {
				BitmapClearBit(a.Cpu, a.BitmapDst)
			}
		}},
	{"bpf_bitmap_test_bit", "BitmapTestBit", "bool bpf_bitmap_test_bit(u32 bit, const struct bpf_bitmap *bitmap)", KfRcu, "proposed", KindKfunc, DesignProposed,
		"test_bit; bit >= num_bits is false.",
		func(a *Args, n int) {
			for range n {
				a.Ret = r0(BitmapTestBit(a.Cpu, a.Bitmap1))
			}
		}},
	{"bpf_bitmap_test_and_set_bit", "BitmapTestAndSetBit", "bool bpf_bitmap_test_and_set_bit(u32 bit, struct bpf_bitmap *bitmap)", KfRcu, "proposed", KindKfunc, DesignProposed,
		"Atomic test_and_set_bit; bit >= num_bits is false.",
		func(a *Args, n int) {
			for range n {
				a.Ret = r0(BitmapTestAndSetBit(a.Cpu, a.BitmapDst))
			}
		}},
	{"bpf_bitmap_test_and_clear_bit", "BitmapTestAndClearBit", "bool bpf_bitmap_test_and_clear_bit(u32 bit, struct bpf_bitmap *bitmap)", KfRcu, "proposed", KindKfunc, DesignProposed,
		"Atomic test_and_clear_bit; bit >= num_bits is false.",
		func(a *Args, n int) {
			for range n {
				a.Ret = r0(BitmapTestAndClearBit(a.Cpu, a.BitmapDst))
			}
		}},
	{"bpf_bitmap_and", "BitmapAnd", "bool bpf_bitmap_and(struct bpf_bitmap *dst, const struct bpf_bitmap *src1, const struct bpf_bitmap *src2)", KfRcu, "proposed", KindKfunc, DesignProposed,
		"bitmap_and; operands of different num_bits change nothing and give false (a bool kfunc cannot report the error).",
		func(a *Args, n int) {
			for range n {
				a.Ret = r0(BitmapAnd(a.BitmapDst, a.Bitmap1, a.Bitmap2))
			}
		}},
	{"bpf_bitmap_or", "BitmapOr", "void bpf_bitmap_or(struct bpf_bitmap *dst, const struct bpf_bitmap *src1, const struct bpf_bitmap *src2)", KfRcu, "proposed", KindKfunc, DesignProposed,
		"bitmap_or; different num_bits change nothing.",
		func(a *Args, n int) {
			for range n {
				BitmapOr(a.BitmapDst, a.Bitmap1, a.Bitmap2)
			}
		}},
	{"bpf_bitmap_xor", "BitmapXor", "void bpf_bitmap_xor(struct bpf_bitmap *dst, const struct bpf_bitmap *src1, const struct bpf_bitmap *src2)", KfRcu, "proposed", KindKfunc, DesignProposed,
		"bitmap_xor; different num_bits change nothing.",
		func(a *Args, n int) {
			for range n {
				BitmapXor(a.BitmapDst, a.Bitmap1, a.Bitmap2)
			}
		}},
	{"bpf_bitmap_andnot", "BitmapAndnot", "bool bpf_bitmap_andnot(struct bpf_bitmap *dst, const struct bpf_bitmap *src1, const struct bpf_bitmap *src2)", KfRcu, "proposed", KindKfunc, DesignProposed,
		"bitmap_andnot, which the cpumask kfuncs lack; different num_bits change nothing and give false.",
		func(a *Args, n int) {
			for range n {
				a.Ret = r0(BitmapAndnot(a.BitmapDst, a.Bitmap1, a.Bitmap2))
			}
		}},
	{"bpf_bitmap_copy", "BitmapCopy", "void bpf_bitmap_copy(struct bpf_bitmap *dst, const struct bpf_bitmap *src)", KfRcu, "proposed", KindKfunc, DesignProposed,
		"bitmap_copy of num_bits; different num_bits change nothing.",
		func(a *Args, n int) {
			for range n {
				BitmapCopy(a.BitmapDst, a.Bitmap1)
			}
		}},
	{"bpf_bitmap_equal", "BitmapEqual", "bool bpf_bitmap_equal(const struct bpf_bitmap *src1, const struct bpf_bitmap *src2)", KfRcu, "proposed", KindKfunc, DesignProposed,
		"Compares as sets of bit numbers, so any lengths work.",
		func(a *Args, n int) {
			for range n {
				a.Ret = r0(BitmapEqual(a.Bitmap1, a.Bitmap2))
			}
		}},
	{"bpf_bitmap_intersects", "BitmapIntersects", "bool bpf_bitmap_intersects(const struct bpf_bitmap *src1, const struct bpf_bitmap *src2)", KfRcu, "proposed", KindKfunc, DesignProposed,
		"bitmap_intersects over the shorter length.",
		func(a *Args, n int) {
			for range n {
				a.Ret = r0(BitmapIntersects(a.Bitmap1, a.Bitmap2))
			}
		}},
	{"bpf_bitmap_subset", "BitmapSubset", "bool bpf_bitmap_subset(const struct bpf_bitmap *src1, const struct bpf_bitmap *src2)", KfRcu, "proposed", KindKfunc, DesignProposed,
		"bitmap_subset(src1, src2), cpumask_subset's order; bits beyond a length count as clear.",
		func(a *Args, n int) {
			for range n {
				a.Ret = r0(BitmapSubset(a.Bitmap1, a.Bitmap2))
			}
		}},
	{"bpf_bitmap_empty", "BitmapEmpty", "bool bpf_bitmap_empty(const struct bpf_bitmap *bitmap)", KfRcu, "proposed", KindKfunc, DesignProposed,
		"bitmap_empty over num_bits.",
		func(a *Args, n int) {
			for range n {
				a.Ret = r0(BitmapEmpty(a.Bitmap1))
			}
		}},
	{"bpf_bitmap_full", "BitmapFull", "bool bpf_bitmap_full(const struct bpf_bitmap *bitmap)", KfRcu, "proposed", KindKfunc, DesignProposed,
		"bitmap_full over num_bits.",
		func(a *Args, n int) {
			for range n {
				a.Ret = r0(BitmapFull(a.Bitmap1))
			}
		}},
	{"bpf_bitmap_weight", "BitmapWeight", "u32 bpf_bitmap_weight(const struct bpf_bitmap *bitmap)", KfRcu, "proposed", KindKfunc, DesignProposed,
		"bitmap_weight over num_bits.",
		func(a *Args, n int) {
			for range n {
				a.Ret = uint64(BitmapWeight(a.Bitmap1))
			}
		}},
	{"bpf_bitmap_zero", "BitmapZero", "void bpf_bitmap_zero(struct bpf_bitmap *bitmap)", KfRcu, "proposed", KindKfunc, DesignProposed,
		"bitmap_zero over num_bits. KF_RCU like every mutator: a bitmap kptr read under RCU may be written, as bpf_cpumask_clear allows.",
		func(a *Args, n int) {
			for range n {
				BitmapZero(a.BitmapDst)
			}
		}},
	{"bpf_bitmap_fill", "BitmapFill", "void bpf_bitmap_fill(struct bpf_bitmap *bitmap)", KfRcu, "proposed", KindKfunc, DesignProposed,
		"Sets bits 0 to num_bits-1. Unlike bitmap_fill, which sets the last word whole, the bits past num_bits stay clear: a later cast must not hand bpf_cpumask_copy CPUs past nr_cpu_ids. KF_RCU: a mutator.",
		func(a *Args, n int) {
			for range n {
				BitmapFill(a.BitmapDst)
			}
		}},
	{"bpf_iter_bitmap_new", "IterBitmapNew", "int bpf_iter_bitmap_new(struct bpf_iter_bitmap *it, const struct bpf_bitmap *bitmap)", KfIterNew | KfTrustedArgs, "proposed", KindKfunc, DesignProposed,
		"An open-coded iterator as bpf_iter_bits, but over a bpf_bitmap and without the copy: it takes its own reference and reads the bits at each step, as for_each_set_bit does, so no size limit and no -ENOMEM. KF_TRUSTED_ARGS rather than KF_RCU: the reference is a refcount_inc, safe only on a pointer known to hold one. -EINVAL for NULL.",
		func(a *Args, n int) {
			for range n {
				var it IterBitmap
				seen := uint64(0)
				IterBitmapNew(&it, a.Bitmap2)
				for p := IterBitmapNext(&it); p != nil; p = IterBitmapNext(&it) {
					seen++
				}
				IterBitmapDestroy(&it)
				a.Ret = seen
			}
		}},
	{"bpf_iter_bitmap_next", "IterBitmapNext", "int *bpf_iter_bitmap_next(struct bpf_iter_bitmap *it)", KfIterNext | KfRetNull, "proposed", KindKfunc, DesignProposed,
		"Pointer to the next set bit at or after the cursor, NULL past num_bits.",
		nil},
	{"bpf_iter_bitmap_destroy", "IterBitmapDestroy", "void bpf_iter_bitmap_destroy(struct bpf_iter_bitmap *it)", KfIterDestroy, "proposed", KindKfunc, DesignProposed,
		"Drops the iterator's reference; required on every path, as every KF_ITER_DESTROY.",
		nil},

	// Infrastructure both designs use.
	{"bpf_iter_bits_new", "IterBitsNew", "int bpf_iter_bits_new(struct bpf_iter_bits *it, const u64 *unsafe_ptr__ign, u32 nr_words)", KfIterNew, "6.11", KindKfunc, DesignShared,
		"Snapshots up to 511 words; -EINVAL, -E2BIG, -EFAULT, -ENOMEM. unsafe_ptr__ign is a []uint64 whose length stands for the readable memory.",
		func(a *Args, n int) {
			for range n {
				var it IterBits
				seen := uint64(0)
				IterBitsNew(&it, a.Words, uint32(len(a.Words)))
				for p := IterBitsNext(&it); p != nil; p = IterBitsNext(&it) {
					seen++
				}
				IterBitsDestroy(&it)
				a.Ret = seen
			}
		}},
	{"bpf_iter_bits_next", "IterBitsNext", "int *bpf_iter_bits_next(struct bpf_iter_bits *it)", KfIterNext | KfRetNull, "6.11", KindKfunc, DesignShared,
		"Pointer to the next set bit, NULL at the end.",
		nil},
	{"bpf_iter_bits_destroy", "IterBitsDestroy", "void bpf_iter_bits_destroy(struct bpf_iter_bits *it)", KfIterDestroy, "6.11", KindKfunc, DesignShared,
		"Frees the copy; required on every path.",
		nil},
	{"bpf_kptr_xchg", "KptrXchg", "void *bpf_kptr_xchg(void *dst, void *ptr)", 0, "5.19", KindHelper, DesignShared,
		"Atomic exchange; the slot takes ptr's reference, the caller gets the old one (maybe NULL).",
		func(a *Args, n int) {
			for range n {
				KptrXchg(&a.Slot, KptrXchg(&a.Slot, a.BitmapDst))
			}
		}},
	{"bpf_rcu_read_lock", "RcuReadLock", "void bpf_rcu_read_lock(void)", 0, "6.2", KindKfunc, DesignShared,
		"Starts the section in which kptr loads are RCU pointers. Go adds the *cast.Kernel and returns the section's token.",
		func(a *Args, n int) {
			for range n {
				RcuReadUnlock(a.Kernel, RcuReadLock(a.Kernel))
			}
		}},
	{"bpf_rcu_read_unlock", "RcuReadUnlock", "void bpf_rcu_read_unlock(void)", 0, "6.2", KindKfunc, DesignShared,
		"Ends it; RCU pointers loaded inside become invalid. Go takes the *cast.Kernel and the token.",
		nil},
}

// Lookup returns the row whose Kernel or Go name is name.
func (t Table) Lookup(name string) (Kfunc, bool) {
	for _, k := range t {
		if k.Kernel == name || k.Go == name {
			return k, true
		}
	}
	return Kfunc{}, false
}

// TakesCpumask reports whether k has a struct cpumask or struct bpf_cpumask
// parameter, as its Signature reads: the cpumask kfuncs both designs run,
// the merged design's object kfuncs.
func (k Kfunc) TakesCpumask() bool {
	sig, err := k.Signature()
	if err != nil {
		return false
	}
	for _, p := range sig.Params {
		if p.Kind == ParamStruct && (p.Struct == "cpumask" || p.Struct == "bpf_cpumask") {
			return true
		}
	}
	return false
}

// GoName applies the naming rule to a kernel name: drop "bpf_" and capitalise
// each "_"-separated part, with no initialism fixes
// ("bpf_cpumask_test_and_set_cpu" gives "CpumaskTestAndSetCpu").
func GoName(kernel string) string {
	var b strings.Builder
	for _, p := range strings.Split(strings.TrimPrefix(kernel, "bpf_"), "_") {
		if p != "" {
			b.WriteString(strings.ToUpper(p[:1]) + p[1:])
		}
	}
	return b.String()
}

// mdEscape escapes what Markdown would read as table or emphasis syntax.
var mdEscape = strings.NewReplacer("|", `\|`, "*", `\*`, "_", `\_`)

// argKinds returns the verifier's kinds of k's parameters, "scalar, const
// struct cpumask", or "none".
func (k Kfunc) argKinds() string {
	sig, err := k.Signature()
	if err != nil {
		return err.Error()
	}
	if len(sig.Params) == 0 {
		return "none"
	}
	kinds := make([]string, len(sig.Params))
	for i, p := range sig.Params {
		kinds[i] = p.Kind.String()
		if p.Struct != "" {
			kinds[i] += " " + p.Struct
		}
		if p.Const {
			kinds[i] = "const " + kinds[i]
		}
	}
	return strings.Join(kinds, ", ")
}

// Markdown renders t as the body of docs/kfuncs.md.
func (t Table) Markdown() []byte {
	var b bytes.Buffer
	b.WriteString("<!-- Code generated by kfuncs/mktable.go from kfuncs.Kfuncs; DO NOT EDIT. -->\n\n")
	b.WriteString("# Kfuncs\n\n")
	b.WriteString("Every function of package `kfuncs` with its kernel counterpart, flags and origin.\n")
	b.WriteString("Go names drop `bpf_` and capitalise each part; arguments keep the kernel's order.\n")
	b.WriteString("Flags of `proposed` rows are this prototype's decisions; docs/design-cast.md explains them.\n")
	b.WriteString("Arguments are as the verifier classifies them (`Kfunc.Signature`): scalar, struct (a pointer to that\n")
	b.WriteString("kernel struct, `const` when only read), mem and its mem_size, iter (an iterator on the stack).\n")
	b.WriteString("`go test -bench Kfunc ./kfuncs` times every row marked timed, as `fn=<kernel name>`, with the row's `Call`.\n")
	for _, d := range []struct {
		design Design
		title  string
	}{
		{DesignMerged, "Merged design: struct bpf_cpumask"},
		{DesignShared, "Cpumask kfuncs and infrastructure (both designs)"},
		{DesignProposed, "Proposed design: struct bpf_bitmap"},
	} {
		fmt.Fprintf(&b, "\n## %s\n\n", d.title)
		b.WriteString("| Kernel | Go | Kind | Flags | Since | Prototype | Arguments | Timed | Why |\n")
		b.WriteString("|---|---|---|---|---|---|---|---|---|\n")
		for _, k := range t {
			if k.Design != d.design {
				continue
			}
			timed := "with its pair"
			if k.Call != nil {
				timed = "yes"
			} else if k.Kind == KindDtor {
				timed = "no"
			}
			fmt.Fprintf(&b, "| `%s` | `%s` | %s | %s | %s | `%s` | %s | %s | %s |\n",
				k.Kernel, k.Go, k.Kind, mdEscape.Replace(k.Flags.String()), k.Since, k.Proto,
				mdEscape.Replace(k.argKinds()), timed, mdEscape.Replace(k.Why))
		}
	}
	return b.Bytes()
}
