// Package kfuncs is the BPF program's side of both cpumask designs, as Go
// functions named after the kernel's kfuncs: bpf_cpumask_test_and_set_cpu is
// CpumaskTestAndSetCpu, with the kernel's argument order, u32 as uint32, bool
// as bool, int errors as negative int32 errnos, and NULL as nil.
//
// The merged design (kernel/bpf/cpumask.c, Linux 6.3 on) is BPFCpumask: an
// NR_CPUS-bit mask with a reference count, made by CpumaskCreate and freed by
// CpumaskRelease. The proposed design (Alexei Starovoitov, January 2023) is a
// refcounted variable-length bpfbitmap.Bitmap from BitmapCreate with generic
// bit kfuncs (FindFirstBit, BitmapSetBit, ...), which becomes a cpumask only
// through the checked BitmapCastToCpumask.
//
// # Ownership
//
// Every cpumask kfunc works on both designs. Readers take *cast.Cpumask, the
// read-only const struct cpumask *: a kernel-owned mask (task->cpus_ptr,
// cpu_online_mask), BPFCpumask.Cpumask() or OwnedCpumask.Cpumask(). Mutators
// are generic over BPFOwned, which holds exactly *BPFCpumask and
// *cast.OwnedCpumask, the result of the cast; a kernel-owned *cast.Cpumask is
// not in it, so passing one to a mutator does not compile, as
// "bpf_cpumask_set_cpu args#1 expected pointer to STRUCT bpf_cpumask" does
// not load. docs/design-cast.md has the reasons.
//
// # Context
//
// What the kernel keeps in globals (nr_cpu_ids, NR_CPUS, bpf_global_ma, this
// CPU's distribute cursor) lives in a *cast.Kernel. Only the functions that
// make something from nothing take it as a first argument (CpumaskCreate,
// BitmapCreate, RcuReadLock, RcuReadUnlock); every other kfunc finds it from
// its mask arguments and keeps the kernel's argument list exactly.
//
// # Flags
//
// Kfuncs lists every function with its kernel name, flags (KF_ACQUIRE,
// KF_RELEASE, KF_RET_NULL, KF_TRUSTED_ARGS, KF_RCU, KF_ITER_*), the release
// that added it or "proposed", why, its C prototype (Kfunc.Signature gives
// its arguments as the verifier classifies them) and its Call, the body
// that tests and benchmarks run on the arguments NewArgs makes;
// docs/kfuncs.md is generated from it. It is the one list: the benchmarks,
// the programs of kfuncs/progs and the verifier model take names, flags and
// argument kinds from it, so a new kfunc is a row, a function and a test
// (docs/architecture.md).
// The flags are not checked here: Go's types stand in for the verifier's
// type checks, and the reference and NULL rules are the verifier model's.
//
// Exported functions never panic: a nil mask, a mask of another Kernel or an
// invalid size gives the "not found" value (>= nr_cpu_ids), false, nil or a
// no-op, as the kernel's own out-of-range arguments do.
package kfuncs
