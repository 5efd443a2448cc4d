// Package progs holds BPF programs that use the cpumask kfuncs, as
// github.com/cilium/ebpf/asm instructions, for either cpumask design: the
// kernel's cpumask_success.c (Success) and cpumask_failure.c (Failure)
// selftests ported to SYSCALL programs, bpf_assert programs (Throw), the
// overrun probes (Overrun), and the proposal's own failure cases
// (GenericFailure).
//
// A program names kfuncs by their kernel names (Call) and maps by symbol
// (Map.Name, as asm.Instruction.Reference). Nothing in a Program depends on
// the running kernel beyond a Target (struct offsets and sizes of one
// kernel build): kfuncs/oracle resolves the names to the kernel's BTF ids
// and map file descriptors to load it, and kfuncs/verifier resolves them
// to the kfunc table and the maps' BTF to check it. One program source,
// two designs, two verifiers.
//
// Each program is written once, in the fixed design's terms, and the
// design decides the instructions. In the fixed design a mask is a struct
// bpf_cpumask from bpf_cpumask_create and is passed to the cpumask kfuncs
// as itself. In the generic design it is a struct bpf_bitmap from
// bpf_bitmap_create(nr_cpus), released with bpf_bitmap_release, and before
// its first use by a cpumask kfunc it is cast once with
// bpf_bitmap_cast_to_cpumask; the cast is kept in a stack slot and
// NULL-checked, and the NULL path releases every reference the program
// holds, leaves any RCU read section, sets err to ErrCodeCast and returns.
// A kptr read under bpf_rcu_read_lock is cast as the RCU pointer it is.
// The kernel has no bpf_bitmap kfuncs, so only the verifier model can
// check generic programs.
package progs

import (
	"fmt"
	"github.com/bpfbitmap/prototype/kfuncs"

	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"
)

// Design selects which cpumask design a program is built for.
type Design uint8

// The designs.
const (
	// Fixed is the merged design: struct bpf_cpumask from bpf_cpumask_create.
	Fixed Design = iota + 1
	// Generic is the proposal: struct bpf_bitmap from
	// bpf_bitmap_create(nr_cpu_ids), made a cpumask by
	// bpf_bitmap_cast_to_cpumask and its NULL check.
	Generic
)

// String returns "fixed" or "generic".
func (d Design) String() string {
	switch d {
	case Fixed:
		return "fixed"
	case Generic:
		return "generic"
	}
	return fmt.Sprintf("Design(%d)", uint8(d))
}

// kfuncKey is the asm.Metadata key under which Call records a kfunc's name.
type kfuncKey struct{}

// Call returns a call of the kernel function named kernel (a kfunc, as
// "bpf_cpumask_create"). Its Constant is -1, not a BTF id: a loader
// replaces it, and KfuncName tells which function it calls.
func Call(kernel string) asm.Instruction {
	ins := asm.Instruction{
		OpCode:   asm.OpCode(asm.JumpClass).SetJumpOp(asm.Call),
		Src:      asm.PseudoKfuncCall,
		Constant: -1,
	}
	ins.Metadata.Set(kfuncKey{}, kernel)
	return ins
}

// KfuncName returns the kernel name of the kfunc that ins, built by Call,
// calls.
func KfuncName(ins asm.Instruction) (string, bool) {
	if !ins.IsKfuncCall() {
		return "", false
	}
	name, ok := ins.Metadata.Get(kfuncKey{}).(string)
	return name, ok
}

// Map is a one-entry array map a program refers to by Name: the stand-in
// for a .bss section or a selftest's map. Instructions that load its
// address (asm.LoadMapPtr, asm.LoadMapValue) carry Name as their
// Reference.
type Map struct {
	Name  string
	Value *btf.Struct // value layout; kptr fields are pointers to TYPE_TAG "kptr"
}

// The context of every program: a SYSCALL program's ctx is a buffer user
// space passes in and gets back, standing in for the selftests' globals.
const (
	// CtxErr is the byte offset of err, the selftests' .bss int that a
	// program sets to a non-zero code at the check that failed. It is
	// stored as a u64; its low 32 bits are the C int.
	CtxErr = 0
	// CtxNrCPUs is the byte offset of nr_cpus (a u64), the selftests'
	// global that user space sets to nr_cpu_ids before the run. The
	// generic design also reads it as bpf_bitmap_create's size.
	CtxNrCPUs = 8
	// CtxSize is the size of the context buffer.
	CtxSize = 16
)

// Program is one BPF program: a SYSCALL program (sleepable, as the kernel
// requires for the cpumask kfuncs there) with R1 = the context described by
// CtxErr and CtxNrCPUs.
type Program struct {
	// Name is the selftest program's name, or the probe's.
	Name   string
	Design Design
	// Insns calls kfuncs through Call and refers to Maps by name.
	Insns asm.Instructions
	// Maps are the one-entry array maps Insns refers to.
	Maps []Map
	Want Want
	// About says in one line what the program asks the verifier, for
	// generated documents; empty for the ported selftests, whose names say it.
	About string
}

// Want is the verdict a program must get.
type Want struct {
	// Accept is true when the verifier must load the program.
	Accept bool
	// Run is true when, besides loading, a run must leave err == 0
	// (cpumask_success.c's contract). Programs that may only be loaded
	// (one would write a task's CPU mask) leave it false.
	Run bool
	// Msg is, for a rejected program, a substring the verifier log must
	// contain: the selftest's __msg, or the kernel's message for this
	// project's own cases.
	Msg string
	// Diverges records that the Linux 6.18 kernel's log does not contain
	// Msg although the selftest expects it; a test asserts it stays so.
	// Only fixed-design programs can diverge: the kernel cannot load the
	// generic ones.
	Diverges bool
}

// UnportedProgram is a selftest program that cannot be built for the
// kernels this package targets.
type UnportedProgram struct {
	Name string
	// Msg is the selftest's __msg.
	Msg string
	// Kfunc is the kfunc the program needs and the kernel lacks.
	Kfunc string
	Why   string
	// After is the program it follows in cpumask_failure.c, so listings
	// keep the file's order.
	After string
}

// Support lists the kernel functions the programs call that package kfuncs
// does not implement, with their flags and prototypes as in Linux 6.18
// (kernel/bpf/helpers.c BTF_ID_FLAGS; bpf_iter_num_* in kernel/bpf/bpf_iter.c).
// A function is in kfuncs.Kfuncs or here, never both; Lookup searches both.
var Support = kfuncs.Table{
	{Kernel: "bpf_throw", Proto: "void bpf_throw(u64 cookie)", Since: "6.7", Kind: kfuncs.KindKfunc, Design: kfuncs.DesignShared,
		Why: "bpf_assert's failure path; the verifier treats the call as an exit that must hold no reference and no lock (check_resource_leak)."},
	{Kernel: "bpf_iter_num_new", Proto: "int bpf_iter_num_new(struct bpf_iter_num *it, int start, int end)", Flags: kfuncs.KfIterNew, Since: "6.4", Kind: kfuncs.KindKfunc, Design: kfuncs.DesignShared,
		Why: "bpf_for's iterator, used by test_populate."},
	{Kernel: "bpf_iter_num_next", Proto: "int *bpf_iter_num_next(struct bpf_iter_num *it)", Flags: kfuncs.KfIterNext | kfuncs.KfRetNull, Since: "6.4", Kind: kfuncs.KindKfunc, Design: kfuncs.DesignShared,
		Why: "bpf_for's iterator step."},
	{Kernel: "bpf_iter_num_destroy", Proto: "void bpf_iter_num_destroy(struct bpf_iter_num *it)", Flags: kfuncs.KfIterDestroy, Since: "6.4", Kind: kfuncs.KindKfunc, Design: kfuncs.DesignShared,
		Why: "bpf_for's iterator end."},
}

// Lookup returns the row of the kernel function named kernel, from
// kfuncs.Kfuncs or Support.
func Lookup(kernel string) (kfuncs.Kfunc, bool) {
	for _, t := range []kfuncs.Table{kfuncs.Kfuncs, Support} {
		if k, ok := t.Lookup(kernel); ok && k.Kernel == kernel {
			return k, true
		}
	}
	return kfuncs.Kfunc{}, false
}
