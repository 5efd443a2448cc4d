// Package progs holds BPF programs that use the cpumask kfuncs, as
// github.com/cilium/ebpf/asm instructions, for either cpumask design: the
// kernel's cpumask_success.c and cpumask_failure.c selftests ported to
// SYSCALL programs, and the proposal's own failure cases.
//
// A program names kfuncs by their kernel names (Call) and maps by symbol
// (Map.Name, as asm.Instruction.Reference). Nothing in a Program depends on
// the running kernel: kfuncs/oracle resolves the names to the kernel's BTF
// ids and map file descriptors to load it, and kfuncs/verifier resolves them
// to the kfunc table and the maps' BTF to check it. One program source, two
// designs, two verifiers.
package progs

import (
	"fmt"

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
