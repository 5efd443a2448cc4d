package main

import "strings"

// designSkeleton returns design.md as the report first writes it: the
// hand-written prose with every generated section empty between its
// markers. Once docs/design.md exists, the prose there is the one kept and
// edited; this text is only used where the file is missing.
func designSkeleton() string {
	var b strings.Builder
	b.WriteString(strings.ReplaceAll(designProse, "‵", "`"))
	return b.String()
}

// generated returns the markers of section name with nothing between them.
func generated(name string) string {
	return beginMarker(name) + "\n" + endMarker(name)
}

// designProse is the skeleton's text; ‵ stands for a backquote, and
// @name@ for the markers of section name.
var designProse = strings.NewReplacer(
	"@answers@", generated("answers"),
	"@memory@", generated("memory"),
	"@time@", generated("time"),
	"@cast@", generated("cast"),
	"@overrun@", generated("overrun"),
	"@selftests@", generated("selftests"),
	"@host@", generated("host"),
).Replace(`# Design report: fixed ‵bpf_cpumask‵ or generic ‵bpf_bitmap‵?

Written by ‵go run ./cmd/bpfbitmap report‵. The text between ‵<!-- report:begin NAME -->‵
and ‵<!-- report:end NAME -->‵ markers is generated and replaced on every run; everything
else is hand-written and kept. Memory and program numbers are exact and the same on every
machine; timings vary from run to run (see the last section for this run's machine).
Kernel facts are from ‵../shared/reference/kernel-cpumask.md‵ (§ numbers below).

## The question

In January 2023, reviewing David Vernet's cpumask kfuncs, Alexei Starovoitov suggested
(§9.1) that instead of a fixed-size ‵struct bpf_cpumask‵ (an NR_CPUS-bit ‵cpumask_t‵ plus
a ‵refcount_t‵, §1.1) BPF should get a generic refcounted, variable-length bitmap

‵‵‵c
struct bpf_bitmap { refcount_t refcnt; int num_bits; u64 bits[]; };
struct bpf_bitmap *bpf_bitmap_create(int bits);                        /* acquire, may be NULL */
struct cpumask *bpf_bitmap_cast_to_cpumask(struct bpf_bitmap *bitmap); /* NULL unless num_bits == nr_cpu_ids */
‵‵‵

with generic bit kfuncs, cast to a cpumask only when its size is nr_cpu_ids. David objected
that it taxes usability (a NULL-checked cast, the lost cpumask abstraction) to save about
100 lines, and that kernel bitmaps are bare ‵unsigned long *‵, which the verifier could not
type the way it types ‵struct cpumask *‵. The fixed design was merged for 6.3; no
‵bpf_bitmap‵ exists upstream (§9.2).

This project built both designs side by side (‵kfuncs.BPFCpumask‵ and
‵kfuncs.BitmapCreate‵ + ‵kfuncs.BitmapCastToCpumask‵, over the same ‵bpf_mem_alloc‵ model
‵bpfbitmap.Allocator‵ and the same cpumask code ‵cast.Cpumask‵), so the question can be
answered with numbers: what does each design cost in memory, in time per kfunc, and in
program code, and is the proposal safe?

## Answers

@answers@

## 1. Memory

‵bench.Memory‵ builds a simulated kernel (‵cast.Kernel‵) for each topology, allocates one
mask with ‵kfuncs.CpumaskCreate‵ and one with ‵kfuncs.BitmapCreate(k, nr_cpu_ids)‵, and reads
the size class and waste from the allocator's accounting (‵bpfbitmap.Allocator.Stats‵). The
allocator has bpf_mem_alloc's classes (16 … 4096 bytes, §5.2) and its 8-byte per-object
header. The kernel serves ‵bpf_cpumask‵ from a dedicated cache whose units are
‵kmalloc‵ed at their exact size (§1.2); for every NR_CPUS here the kmalloc class is the
same as the bpf_mem_alloc class (the report's tests check this against ‵bpfbitmap cpus‵'
kmalloc model), so one allocator serves both designs.

The fixed design's cost is set by the kernel's configuration, not the machine: distro
kernels (NR_CPUS=8192 on x86-64) pay 2 KiB per mask on a laptop. The generic design's cost
follows nr_cpu_ids.

@memory@

## 2. Time per kfunc

‵bench.Cases‵ holds one benchmark body per kfunc, design and topology, shared by
‵go test -bench Design ./bench‵ and this report (which runs them with ‵testing.Benchmark‵).
‵design=generic‵ calls the cpumask kfuncs on the view ‵BitmapCastToCpumask‵ returned, so
both designs run the same code on the same memory layout; differences between the two
columns are noise, and the geometric mean is the number to read. For the kernel's own
cost of these kfuncs see [kernel-cost.md](kernel-cost.md) (1.4–6 ns on this host's kernel).

@time@

## 3. The cast

The generic design's one real extra is ‵bpf_bitmap_cast_to_cpumask‵: it finds the
bitmap's kernel from the object's allocator header (one load and one static table),
compares num_bits with nr_cpu_ids, and on 64 < NR_CPUS ≤ 256 also checks that the
allocation holds large_cpumask_bits. It never allocates. The fixed design's conversion
‵struct bpf_cpumask *‵ → ‵const struct cpumask *‵ is a free pointer cast (offset 0,
§1.1). A program casts once per mask and keeps the result, so the cast is paid per mask
per program run, not per kfunc call. create+release and acquire+release are the object's
life in each design; a smaller object is cheaper to clear on create.

@cast@

## 4. The overrun hazard (NR_CPUS ≤ 256)

When 64 < NR_CPUS ≤ 256, large_cpumask_bits is NR_CPUS, and ‵cpumask_copy‵ reads (and
‵cpumask_copy‵/‵cpumask_clear‵ write) NR_CPUS bits (§3.2, §10.8).
[design-overrun.md](design-overrun.md) observed it on the live kernel: an nr_cpu_ids-sized
bitmap cast to ‵struct cpumask *‵ and passed as the source of ‵bpf_cpumask_copy‵ would be
read 24 bytes past its end on this project's NR_CPUS=256, nr_cpu_ids=2 kernel, and the
verifier cannot stop it (it knows only the BTF type's size).

What the prototype does ([design-cast.md](design-cast.md) §4): ‵BitmapCreate‵ gives a bitmap
of exactly nr_cpu_ids bits room for large_cpumask_bits (no other size can be cast, so no
other size pays), and ‵BitmapCastToCpumask‵ refuses (NULL; ‵cast.To‵ says
‵ErrShortBacking‵) any bitmap whose allocation is shorter, e.g. one made outside
‵BitmapCreate‵. ‵TestCastOverrun‵ shows copy/clear/setall never touch neighbouring objects.

@overrun@

## 5. Ownership and type safety

David Vernet's decisive objection (§9.1) was not memory or speed but types: a cpumask kfunc
that mutates must be handed a BPF-owned mask, never a kernel one such as
‵task->cpus_ptr‵, and the verifier enforces that today because ‵struct bpf_cpumask *‵ is a
distinct BTF type ("bpf_cpumask_set_cpu args#1 expected pointer to STRUCT bpf_cpumask").
The cast's result is a plain ‵struct cpumask *‵, the same type as ‵task->cpus_ptr‵.

The prototype answers it with Go types ([design-cast.md](design-cast.md) §2,
[kfuncs.md](kfuncs.md)): readers take ‵*cast.Cpumask‵ (‵const struct cpumask *‵); the cast
returns a distinct ‵*cast.OwnedCpumask‵; mutators are generic over the closed union
‵kfuncs.BPFOwned = *BPFCpumask | *cast.OwnedCpumask‵, so passing ‵task.CpusPtr‵ to any of
the 11 mutators does not compile (‵TestOwnershipCompileTime‵ type-checks every one). The
design is sound once that type exists. In the kernel it does not exist yet: the cast's
result would have to carry "BPF-owned" and inherit the bitmap's reference or RCU state,
which no kfunc flag expresses (the prototype gives the cast ‵KF_RET_NULL | KF_RCU‵ and no
‵KF_ACQUIRE‵), and kernel bitmaps (bare ‵unsigned long *‵) still could not be passed to the
generic bitmap kfuncs as read-only arguments. That verifier work is the real price of the
proposal, and these numbers do not remove it. A further finding: the merged
‵bpf_cpumask_populate‵ already accepts a kernel-owned destination
([design-overrun.md](design-overrun.md), last probe); the prototype treats it as a mutator
like the others.

## 6. What the proposal costs programs

Every ‵bpf_cpumask_create‵ becomes ‵bpf_bitmap_create(nr_cpu_ids)‵ with the same NULL check
and release, so acquire/release pairs do not change. What is added is one
‵bpf_bitmap_cast_to_cpumask‵ per mask a program hands to a cpumask kfunc, and its NULL
check with an error path that releases every reference held (Alexei accepted this cost;
‵bpf_assert‵, 6.7, can replace the check: ‵cast.MustBitmapCastToCpumask‵ models it). Counted
by hand per program of the kernel's ‵cpumask_success.c‵ (‵bench.Selftests‵ has the rule):

@selftests@

## How this was generated

@host@
`)
