package progs

import (
	"github.com/cilium/ebpf/asm"
)

// This file ports tools/testing/selftests/bpf/progs/cpumask_failure.c, the
// bpf_throw programs, and the generic design's own failure cases.

type failRecipe struct {
	name string
	// msg is the selftest's __msg substring; genericMsg, when set, is what
	// the generic design's port must be rejected with instead (its first
	// failing instruction is a cast, not the kfunc the selftest names).
	msg, genericMsg string
	build           func(b *builder)
}

// Failure returns the cpumask_failure.c programs that can be expressed on
// Linux 6.18 (Unported lists the rest), built for design d. Each must be
// rejected with Want.Msg in the log.
func Failure(d Design, t Target) []Program {
	var out []Program
	for _, r := range failureRecipes {
		b := newBuilder(d, t)
		r.build(b)
		msg := r.msg
		if d == Generic && r.genericMsg != "" {
			msg = r.genericMsg
		}
		out = append(out, b.program(r.name, Want{Msg: msg}))
	}
	return out
}

// Unported lists the cpumask_failure.c programs this kernel generation
// cannot express.
var Unported = []UnportedProgram{{
	Name: "test_kptr_get_no_release", Msg: "Unreleased reference", Kfunc: "bpf_cpumask_kptr_get",
	Why: "bpf_cpumask_kptr_get existed only in 6.3; this kernel's BTF has no such kfunc " +
		"(asserted by TestFailureVerdicts), so the program cannot be assembled.",
	After: "test_insert_remove_no_release",
}}

var failureRecipes = []failRecipe{
	{name: "test_alloc_no_release", msg: "Unreleased reference", build: func(b *builder) {
		b.createCpumask(m7)
		b.ret0()
	}},
	{name: "test_alloc_double_release", msg: "NULL pointer passed to trusted arg0", build: func(b *builder) {
		b.createCpumask(m7)
		b.releaseSide(m7)
		b.releaseSide(m7)
		b.ret0()
	}},
	{name: "test_acquire_wrong_cpumask", msg: "must be referenced", build: func(b *builder) {
		// A tp_btf program runs under RCU; a sleepable SYSCALL program
		// must say so, or task->cpus_ptr reads as untrusted.
		b.rcuLock()
		b.currentTask(asm.R8)
		b.emit(b.cpusPtr(asm.R1, asm.R8), b.kf("bpf_cpumask_acquire"))
		b.rcuUnlock()
		b.ret0()
	}},
	{name: "test_mutate_cpumask", msg: "bpf_cpumask_set_cpu args#1 expected pointer to STRUCT bpf_cpumask", build: func(b *builder) {
		b.rcuLock()
		b.currentTask(asm.R8)
		b.emit(b.cpusPtr(asm.R2, asm.R8), asm.Mov.Imm(asm.R1, 0), Call("bpf_cpumask_set_cpu"))
		b.rcuUnlock()
		b.ret0()
	}},
	{name: "test_insert_remove_no_release", msg: "Unreleased reference", build: func(b *builder) {
		m := b.cpumaskMap()
		b.createCpumask(m7)
		b.ifNullReturn(m7)
		b.mapInsert(m, m7, 0)
		b.mapLookup(m)
		b.ifZeroReturn(asm.R0)
		b.emit(asm.Mov.Reg(asm.R1, asm.R0), asm.Mov.Imm(asm.R2, 0), asm.FnKptrXchg.Call())
		b.ret0()
	}},
	{name: "test_cpumask_null", msg: "NULL pointer passed to trusted arg0", build: func(b *builder) {
		b.emit(asm.Mov.Imm(asm.R1, 0), Call("bpf_cpumask_empty"))
		b.ret0()
	}},
	{name: "test_global_mask_out_of_rcu", msg: "R2 must be a rcu pointer", build: func(b *builder) {
		g := b.globalMaskMap()
		b.globalInsert(g)
		b.rcuLock()
		b.loadKptrMask(m7, g, 0)
		nonNull := b.fresh("non_null")
		b.emit(asm.JNE.Imm(asm.R7, 0, nonNull))
		b.setErr(4)
		b.emit(Call("bpf_rcu_read_unlock"))
		b.ret0()
		b.label(nonNull)
		b.nonNull(m7)
		b.cast(m7) // where C would cast: next to the load, inside the section
		b.rcuUnlock()
		// RCU region is exited before calling a KF_RCU kfunc.
		b.emit(asm.Mov.Imm(asm.R1, 0), b.viewArg(asm.R2, m7), Call("bpf_cpumask_test_cpu"))
		b.ret0()
	}},
	{
		name: "test_global_mask_no_null_check", msg: "NULL pointer passed to trusted arg1",
		genericMsg: "NULL pointer passed to trusted arg0", // the cast's argument
		build: func(b *builder) {
			g := b.globalMaskMap()
			b.globalInsert(g)
			b.rcuLock()
			b.loadKptrMask(m7, g, 0)
			b.kcall("bpf_cpumask_test_cpu", 0, m7)
			b.rcuUnlock()
			b.ret0()
		},
	},
	{name: "test_global_mask_rcu_no_null_check", msg: "Possibly NULL pointer passed to helper arg2", build: func(b *builder) {
		g := b.globalMaskMap()
		b.createCall()
		b.adopt(m7)
		b.ifNullReturn(m7)
		b.kptrXchg(g, 0, m7)
		noPrev := b.fresh("no_prev")
		b.emit(asm.JEq.Imm(asm.R0, 0, noPrev), asm.Mov.Reg(asm.R1, asm.R0), b.kf("bpf_cpumask_release"))
		b.label(noPrev)
		b.rcuLock()
		b.loadKptrMask(m7, g, 0)
		// PTR_TO_BTF_ID | PTR_MAYBE_NULL | MEM_RCU passed to bpf_kptr_xchg().
		b.kptrXchg(g, 0, m7)
		b.emit(asm.Mov.Reg(asm.R8, asm.R0))
		b.rcuUnlock()
		done := b.fresh("done")
		b.emit(asm.JEq.Imm(asm.R8, 0, done))
		b.releaseSide(m8)
		b.label(done)
		b.ret0()
	}},
	{name: "test_invalid_nested_array", msg: "has no valid kptr", build: func(b *builder) {
		// In C the global holds CPUMASK_KPTR_FIELDS_MAX+1 kptrs; the
		// kernel refuses that BTF at map creation and libbpf retries
		// without BTF, so the map the program sees has no kptr fields.
		// cilium/ebpf's NewMap falls back the same way.
		n := b.t.KptrFieldsMax
		over := cstruct("MASK_NESTED", field{"d_1", cstruct("kptr_nested_array_1",
			field{"d_2", carray(cstruct("kptr_nested_array_2", field{"mask", b.kptrType()}), uint32(n+1))})})
		m := b.valueMap(over)
		b.createCpumask(m7)
		b.ifNullReturn(m7)
		b.kptrXchg(m, 8*n, m7)
		done := b.fresh("done")
		b.emit(asm.JEq.Imm(asm.R0, 0, done), asm.Mov.Reg(asm.R1, asm.R0), b.kf("bpf_cpumask_release"))
		b.setErr(3)
		b.label(done)
		b.ret0()
	}},
	{name: "test_populate_invalid_destination", msg: "type=scalar expected=fp", build: func(b *builder) {
		b.emit(
			asm.Mov.Imm(asm.R1, 0x123456),
			asm.Mov.Reg(asm.R2, asm.RFP),
			asm.Add.Imm(asm.R2, -8),
			asm.Mov.Imm(asm.R3, 8),
			Call("bpf_cpumask_populate"),
		)
		b.ret0()
	}},
	{name: "test_populate_invalid_source", msg: "leads to invalid memory access", build: func(b *builder) {
		b.createCpumask(m7)
		b.ifNullReturn(m7)
		b.emit(
			b.viewArg(asm.R1, m7),
			asm.Mov.Imm(asm.R2, 0x123456),
			asm.Mov.Imm(asm.R3, 8),
			Call("bpf_cpumask_populate"),
		)
		b.release(m7)
		b.ret0()
	}},
}

// PortingProbes returns the programs behind the porting notes: what a
// ported program would get without the adaptation it makes.
// mutate_cpus_ptr_outside_rcu is test_mutate_cpumask without the RCU read
// section a tp_btf program implicitly has: task->cpus_ptr is then
// untrusted and refused before its type is looked at.
func PortingProbes(d Design, t Target) []Program {
	b := newBuilder(d, t)
	b.currentTask(asm.R8)
	b.emit(b.cpusPtr(asm.R2, asm.R8), asm.Mov.Imm(asm.R1, 0), Call("bpf_cpumask_set_cpu"))
	b.ret0()
	return []Program{b.program("mutate_cpus_ptr_outside_rcu", Want{Msg: "R2 must be a rcu pointer"})}
}
