package progs

import (
	"github.com/cilium/ebpf/asm"
)

// assert emits bpf_assert(r != 0) as bpf_experimental.h expands it:
// "if (!(cond)) bpf_throw(0);".
func (b *builder) assert(r asm.Register) {
	ok := b.fresh("asserted")
	b.emit(asm.JNE.Imm(r, 0, ok), asm.Mov.Imm(asm.R1, 0), Call("bpf_throw"))
	b.label(ok)
}

// Throw returns programs that use bpf_assert, built for design d: one
// that holds nothing when it may throw (accepted, and run: it does not
// throw), one that holds a mask's reference and one inside an RCU read
// section (both rejected by check_resource_leak in kernel/bpf/verifier.c).
// They answer whether bpf_assert can stand in for a NULL check.
func Throw(d Design, t Target) []Program {
	var out []Program
	b := newBuilder(d, t)
	b.nrCPUs(asm.R1)
	b.assert(asm.R1)
	b.ret0()
	out = append(out, b.program("throw_nothing_held", Want{Accept: true, Run: true}))

	b = newBuilder(d, t)
	b.createCpumask(m7)
	b.ifNullReturn(m7)
	b.kcall("bpf_cpumask_empty", m7)
	b.boolR0()
	b.assert(asm.R0)
	b.release(m7)
	b.ret0()
	out = append(out, b.program("throw_with_reference", Want{Msg: "bpf_throw would lead to reference leak"}))

	b = newBuilder(d, t)
	g := b.globalMaskMap()
	b.globalInsert(g)
	b.rcuLock()
	b.loadKptrMask(m7, g, 0)
	b.assert(asm.R7)
	b.nonNull(m7)
	b.kcall("bpf_cpumask_test_cpu", 0, m7)
	b.rcuUnlock()
	b.ret0()
	out = append(out, b.program("throw_in_rcu", Want{Msg: "bpf_throw cannot be used inside bpf_rcu_read_lock-ed region"}))

	// Where the only reference is the maybe-NULL result itself, the NULL
	// branch drops it (mark_ptr_or_null_regs), so the throw holds nothing.
	b = newBuilder(d, t)
	b.createCall()
	b.adopt(m7)
	b.assert(asm.R7)
	b.nonNull(m7)
	b.release(m7)
	b.ret0()
	out = append(out, b.program("throw_on_acquired_result", Want{Accept: true, Run: true}))
	return out
}

// GenericFailure returns the generic design's own failure programs: the
// rules the proposal adds for bpf_bitmap_cast_to_cpumask, each broken
// once. The kernel has no bpf_bitmap kfuncs, so only the verifier model
// can check them; each Want.Msg is the message the kernel gives the fixed
// design's nearest equivalent.
func GenericFailure(t Target) []Program {
	var out []Program
	add := func(name, msg, about string, build func(b *builder)) {
		b := newBuilder(Generic, t)
		build(b)
		p := b.program(name, Want{Msg: msg})
		p.About = about
		out = append(out, p)
	}
	// castRaw emits the cast of m7 into its view slot with no NULL check.
	castRaw := func(b *builder) {
		b.emit(b.load(asm.R1, m7), Call("bpf_bitmap_cast_to_cpumask"), asm.StoreMem(asm.RFP, viewSlot(m7), asm.R0, asm.DWord))
	}
	setCPU0 := func(b *builder) {
		b.emit(asm.Mov.Imm(asm.R1, 0), b.viewArg(asm.R2, m7), Call("bpf_cpumask_set_cpu"))
	}

	add("cast_no_null_check", "Possibly NULL pointer passed to trusted arg1",
		"the cast's result passed to bpf_cpumask_set_cpu without a NULL check", func(b *builder) {
			b.createCall()
			b.adopt(m7)
			b.ifNullReturn(m7)
			castRaw(b)
			setCPU0(b)
			b.release(m7)
			b.ret0()
		})
	add("cast_wrong_size_no_null_check", "Possibly NULL pointer passed to trusted arg1",
		"bpf_bitmap_create(5) cast and used without a NULL check: the size is no proof", func(b *builder) {
			b.emit(asm.Mov.Imm(asm.R1, 5), Call("bpf_bitmap_create"))
			b.adopt(m7)
			b.ifNullReturn(m7)
			castRaw(b)
			setCPU0(b)
			b.release(m7)
			b.ret0()
		})
	add("cast_use_after_release", "type=scalar expected=fp",
		"the cast used after bpf_bitmap_release of its bitmap", func(b *builder) {
			b.createCpumask(m7)
			b.ifNullReturn(m7)
			b.releaseSide(m7)
			setCPU0(b)
			b.ret0()
		})
	add("cast_use_after_xchg", "type=scalar expected=fp",
		"the cast used after bpf_kptr_xchg moved its bitmap into a map", func(b *builder) {
			g := b.globalMaskMap()
			b.createCpumask(m7)
			b.ifNullReturn(m7)
			b.emit(b.load(asm.R2, m7))
			b.mapValue(asm.R1, g, 0)
			b.emit(asm.FnKptrXchg.Call())
			none := b.fresh("no_prev")
			b.emit(asm.JEq.Imm(asm.R0, 0, none), asm.Mov.Reg(asm.R1, asm.R0), Call("bpf_bitmap_release"))
			b.label(none)
			setCPU0(b)
			b.ret0()
		})
	add("cast_use_after_rcu_unlock", "R2 must be a rcu pointer",
		"the cast of an RCU-loaded kptr used after bpf_rcu_read_unlock", func(b *builder) {
			g := b.globalMaskMap()
			b.globalInsert(g)
			b.rcuLock()
			b.loadKptrMask(m7, g, 0)
			ok := b.fresh("non_null")
			b.emit(asm.JNE.Imm(asm.R7, 0, ok), Call("bpf_rcu_read_unlock"))
			b.ret0()
			b.label(ok)
			b.nonNull(m7)
			b.cast(m7)
			b.rcuUnlock()
			setCPU0(b)
			b.ret0()
		})
	add("cast_assert_with_reference", "bpf_throw would lead to reference leak",
		"bpf_assert on the cast's result while the bitmap's reference is held", func(b *builder) {
			b.createCall()
			b.adopt(m7)
			b.ifNullReturn(m7)
			b.emit(b.load(asm.R1, m7), Call("bpf_bitmap_cast_to_cpumask"))
			b.assert(asm.R0)
			b.emit(asm.StoreMem(asm.RFP, viewSlot(m7), asm.R0, asm.DWord))
			setCPU0(b)
			b.release(m7)
			b.ret0()
		})
	return out
}
