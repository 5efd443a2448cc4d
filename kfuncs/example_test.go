package kfuncs_test

import (
	"fmt"

	"github.com/bpfbitmap/prototype/cast"
	"github.com/bpfbitmap/prototype/kfuncs"
)

// The merged design: create a bpf_cpumask, set CPUs, read it through the
// one-way cast to const struct cpumask *, release it.
func ExampleCpumaskCreate() {
	k := cast.MustKernel(cast.MustTopology(8, 64)) // nr_cpu_ids=8 on an NR_CPUS=64 kernel

	m := kfuncs.CpumaskCreate(k)
	if m == nil { // KF_RET_NULL
		return
	}
	defer kfuncs.CpumaskRelease(m) // KF_ACQUIRE: release on every path

	fmt.Println(kfuncs.CpumaskFirst(m.Cpumask())) // empty: small_cpumask_bits = NR_CPUS = 64
	kfuncs.CpumaskSetCpu(5, m)
	kfuncs.CpumaskSetCpu(3, m)
	kfuncs.CpumaskSetCpu(8, m) // >= nr_cpu_ids: ignored
	fmt.Println(kfuncs.CpumaskFirst(m.Cpumask()), kfuncs.CpumaskWeight(m.Cpumask()))
	// Output:
	// 64
	// 3 2
}

// The proposed design: create a bpf_bitmap of nr_cpu_ids bits, cast it to a
// cpumask (checking for NULL), use the cpumask kfuncs and the bitmap ones on
// the same memory, release the bitmap.
func ExampleBitmapCastToCpumask() {
	k := cast.MustKernel(cast.MustTopology(96, 8192))

	b := kfuncs.BitmapCreate(k, 96)
	if b == nil {
		return
	}
	defer kfuncs.BitmapRelease(b)

	m := kfuncs.BitmapCastToCpumask(b)
	if m == nil { // num_bits != nr_cpu_ids: the cast's NULL-check tax
		return
	}
	kfuncs.CpumaskSetCpu(70, m)
	kfuncs.BitmapSetBit(9, b) // the same memory
	fmt.Println(kfuncs.CpumaskFirst(m.Cpumask()), kfuncs.FindLastBit(b))
	other := kfuncs.BitmapCreate(k, 95)
	if other == nil {
		return
	}
	fmt.Println(kfuncs.BitmapCastToCpumask(other) == nil)
	kfuncs.BitmapRelease(other)
	// Output:
	// 9 70
	// true
}

// Kernel-owned masks are read by every reader kfunc; no mutator accepts
// them (passing task.CpusPtr to CpumaskSetCpu does not compile).
func ExampleCpumaskAnyAndDistribute() {
	k := cast.MustKernel(cast.MustTopology(4, 64))
	task, _ := k.NewTask(0, 1, 3)
	defer task.Exit()

	for range 4 {
		fmt.Print(kfuncs.CpumaskAnyAndDistribute(task.CpusPtr, k.CPUOnlineMask()), " ")
	}
	fmt.Println()
	// Output: 1 3 0 1
}

func ExampleBits() {
	for bit := range kfuncs.Bits([]uint64{0b1010, 1}) {
		fmt.Print(bit, " ")
	}
	fmt.Println()
	// Output: 1 3 64
}

// The proposal's iterator over a bpf_bitmap, as a program writes
// bpf_for_each(bitmap, bit, b): new, next until NULL, destroy on every path.
// The find kfuncs answer "not found" with num_bits.
func ExampleIterBitmapNew() {
	k := cast.MustKernel(cast.MustTopology(4, 64))
	b := kfuncs.BitmapCreate(k, 200)
	if b == nil {
		return
	}
	defer kfuncs.BitmapRelease(b)
	for _, bit := range []uint32{3, 64, 199} {
		kfuncs.BitmapSetBit(bit, b)
	}

	var it kfuncs.IterBitmap
	kfuncs.IterBitmapNew(&it, b)
	var bits []int32
	for p := kfuncs.IterBitmapNext(&it); p != nil; p = kfuncs.IterBitmapNext(&it) {
		bits = append(bits, *p)
	}
	kfuncs.IterBitmapDestroy(&it)
	fmt.Println(bits)

	fmt.Println(kfuncs.FindNthBit(b, 1), kfuncs.FindNthBit(b, 3), kfuncs.FindNextZeroBit(b, 3))
	// Output:
	// [3 64 199]
	// 64 200 4
}
