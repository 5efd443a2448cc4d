package kfuncs

import (
	"unsafe"

	"github.com/bpfbitmap/prototype/cast"
)

// BPFOwned is the set of cpumask types a mutator kfunc accepts: the merged
// design's *BPFCpumask and the cast's *cast.OwnedCpumask. Both are masks the
// program holds a reference to. A kernel-owned *cast.Cpumask is not in the
// set, so handing task->cpus_ptr or cpu_online_mask to a mutator is a compile
// error.
type BPFOwned interface {
	*BPFCpumask | *cast.OwnedCpumask
}

// owned returns the mutable view of m. Both types of BPFOwned have it at
// offset 0, so this is a conversion; it costs nothing and keeps the kfuncs
// inlinable.
func owned[M BPFOwned](m M) *cast.OwnedCpumask {
	return (*cast.OwnedCpumask)(unsafe.Pointer(m))
}

// CpumaskFirst returns the first set CPU, or small_cpumask_bits if there is
// none: NR_CPUS when NR_CPUS <= 64, else nr_cpu_ids (bpf_cpumask_first).
func CpumaskFirst(cpumask *cast.Cpumask) uint32 { return cpumask.First() }

// CpumaskFirstZero returns the first clear CPU, or small_cpumask_bits if all
// are set (bpf_cpumask_first_zero).
func CpumaskFirstZero(cpumask *cast.Cpumask) uint32 { return cpumask.FirstZero() }

// CpumaskFirstAnd returns the first CPU set in both masks, or
// small_cpumask_bits (bpf_cpumask_first_and).
func CpumaskFirstAnd(src1, src2 *cast.Cpumask) uint32 { return src1.FirstAnd(src2) }

// CpumaskSetCpu sets cpu atomically; cpu >= nr_cpu_ids does nothing
// (bpf_cpumask_set_cpu).
func CpumaskSetCpu[M BPFOwned](cpu uint32, cpumask M) { owned(cpumask).SetCpu(cpu) }

// CpumaskClearCpu clears cpu atomically; cpu >= nr_cpu_ids does nothing
// (bpf_cpumask_clear_cpu).
func CpumaskClearCpu[M BPFOwned](cpu uint32, cpumask M) { owned(cpumask).ClearCpu(cpu) }

// CpumaskTestCpu reports whether cpu is set; false for cpu >= nr_cpu_ids
// (bpf_cpumask_test_cpu).
func CpumaskTestCpu(cpu uint32, cpumask *cast.Cpumask) bool { return cpumask.TestCpu(cpu) }

// CpumaskTestAndSetCpu sets cpu atomically and returns its old value; false
// and no change for cpu >= nr_cpu_ids (bpf_cpumask_test_and_set_cpu).
func CpumaskTestAndSetCpu[M BPFOwned](cpu uint32, cpumask M) bool {
	return owned(cpumask).TestAndSetCpu(cpu)
}

// CpumaskTestAndClearCpu clears cpu atomically and returns its old value;
// false for cpu >= nr_cpu_ids (bpf_cpumask_test_and_clear_cpu).
func CpumaskTestAndClearCpu[M BPFOwned](cpu uint32, cpumask M) bool {
	return owned(cpumask).TestAndClearCpu(cpu)
}

// CpumaskSetall sets CPUs 0 to nr_cpu_ids-1 (bpf_cpumask_setall); with
// NR_CPUS > 64 the last word's bits above nr_cpu_ids become set too, as in
// the kernel, where no query reports them.
func CpumaskSetall[M BPFOwned](cpumask M) { owned(cpumask).Setall() }

// CpumaskClear clears large_cpumask_bits bits (bpf_cpumask_clear).
func CpumaskClear[M BPFOwned](cpumask M) { owned(cpumask).Clear() }

// CpumaskAnd stores src1 AND src2 in dst and reports whether the result is
// non-empty (bpf_cpumask_and).
func CpumaskAnd[M BPFOwned](dst M, src1, src2 *cast.Cpumask) bool {
	return owned(dst).And(src1, src2)
}

// CpumaskOr stores src1 OR src2 in dst (bpf_cpumask_or).
func CpumaskOr[M BPFOwned](dst M, src1, src2 *cast.Cpumask) { owned(dst).Or(src1, src2) }

// CpumaskXor stores src1 XOR src2 in dst (bpf_cpumask_xor).
func CpumaskXor[M BPFOwned](dst M, src1, src2 *cast.Cpumask) { owned(dst).Xor(src1, src2) }

// CpumaskEqual reports whether the masks are equal (bpf_cpumask_equal).
func CpumaskEqual(src1, src2 *cast.Cpumask) bool { return src1.Equal(src2) }

// CpumaskIntersects reports whether the masks share a CPU
// (bpf_cpumask_intersects).
func CpumaskIntersects(src1, src2 *cast.Cpumask) bool { return src1.Intersects(src2) }

// CpumaskSubset reports whether every CPU of src1 is in src2
// (bpf_cpumask_subset).
func CpumaskSubset(src1, src2 *cast.Cpumask) bool { return src1.Subset(src2) }

// CpumaskEmpty reports whether no CPU is set (bpf_cpumask_empty).
func CpumaskEmpty(cpumask *cast.Cpumask) bool { return cpumask.Empty() }

// CpumaskFull reports whether CPUs 0 to nr_cpu_ids-1 are all set
// (bpf_cpumask_full).
func CpumaskFull(cpumask *cast.Cpumask) bool { return cpumask.Full() }

// CpumaskCopy copies src into dst, large_cpumask_bits bits
// (bpf_cpumask_copy).
func CpumaskCopy[M BPFOwned](dst M, src *cast.Cpumask) { owned(dst).Copy(src) }

// CpumaskAnyDistribute returns the next set CPU after this CPU's distribute
// cursor, wrapping, and moves the cursor; nr_cpu_ids if cpumask is empty
// (bpf_cpumask_any_distribute). It rotates; it is not random.
func CpumaskAnyDistribute(cpumask *cast.Cpumask) uint32 { return cpumask.AnyDistribute() }

// CpumaskAnyAndDistribute is CpumaskAnyDistribute over src1 AND src2, with the
// same cursor; nr_cpu_ids if they do not intersect
// (bpf_cpumask_any_and_distribute).
func CpumaskAnyAndDistribute(src1, src2 *cast.Cpumask) uint32 {
	return src1.AnyAndDistribute(src2)
}

// CpumaskWeight returns the number of set CPUs (bpf_cpumask_weight).
func CpumaskWeight(cpumask *cast.Cpumask) uint32 { return cpumask.Weight() }

// CpumaskPopulate copies BITS_TO_LONGS(nr_cpu_ids) words from src into
// cpumask and returns 0; -EACCES if src is shorter than
// bitmap_size(nr_cpu_ids) bytes, -EINVAL if it is unaligned on a kernel
// without efficient unaligned access (bpf_cpumask_populate; src's length is
// src__sz). The kernel types the destination struct cpumask *; here it must
// be BPF-owned, like every other mutator's.
func CpumaskPopulate[M BPFOwned](cpumask M, src []byte) int32 {
	return errno(owned(cpumask).Populate(src))
}
