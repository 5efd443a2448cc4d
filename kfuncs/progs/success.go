package progs

import (
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"
)

// This file ports tools/testing/selftests/bpf/progs/cpumask_success.c.
// Ports keep the C control flow; what a tp_btf program gets from its
// arguments or globals comes from elsewhere:
//   - err lives at CtxErr and nr_cpus at CtxNrCPUs (.bss globals in C);
//   - the tracepoint's task is bpf_get_current_task_btf();
//   - each private(...) .bss section and __cpumask_map is an array map of
//     one entry whose value BTF has the same layout (Program.Maps);
//     globals are addressed with BPF_PSEUDO_MAP_VALUE as libbpf does;
//   - is_test_task() is dropped: a SYSCALL program only runs when asked.

// failUnless emits "if (!cond) { err = code; goto out; }", where ok is the
// jump that skips the error.
func (b *builder) failUnless(ok func(label string) asm.Instruction, code int32, out string) {
	pass := b.fresh("pass")
	b.emit(ok(pass))
	b.setErr(code)
	b.emit(asm.Ja.Label(out))
	b.label(pass)
}

func (b *builder) boolR0() { b.emit(asm.And.Imm(asm.R0, 0xff)) }

func jne(r asm.Register, v int32) func(string) asm.Instruction {
	return func(l string) asm.Instruction { return asm.JNE.Imm(r, v, l) }
}

func jeq(r asm.Register, v int32) func(string) asm.Instruction {
	return func(l string) asm.Instruction { return asm.JEq.Imm(r, v, l) }
}

func jeq32(r asm.Register, v int32) func(string) asm.Instruction {
	return func(l string) asm.Instruction { return asm.JEq.Imm32(r, v, l) }
}

// setMasks are create_cpumask_set()'s four masks.
var setMasks = [...]mask{m7, m8, m9, mStack}

// createCpumaskSet is create_cpumask_set(): four masks or return 0. The
// fourth lives in a stack slot, so its create_cpumask() is spelled out
// around checkEmpty with the stack as its home across the
// bpf_cpumask_empty call.
func (b *builder) createCpumaskSet() {
	for i := range 3 {
		b.createCpumask(setMasks[i])
		ok := b.fresh("set_ok")
		b.emit(asm.JNE.Imm(maskRegs[i], 0, ok))
		b.releaseFirst(i, int32(2+i))
		b.label(ok)
		b.emit(asm.Mov.Reg(maskRegs[i], maskRegs[i]))
		b.nonNull(setMasks[i])
	}
	created, ok := b.fresh("created"), b.fresh("set_ok")
	b.createCall()
	b.emit(asm.JNE.Imm(asm.R0, 0, created))
	b.setErr(1)
	b.releaseFirst(3, 5)
	b.label(created)
	b.emit(asm.StoreMem(asm.RFP, maskSlot, asm.R0, asm.DWord))
	b.checkEmpty(mStack, ok)
	b.releaseFirst(3, 5)
	b.label(ok)
	b.emit(asm.Mov.Imm(asm.R0, 0))
}

// releaseFirst releases masks 0..n-1, sets err unless n is 0 (the first
// create_cpumask already did), and returns 0: a side path.
func (b *builder) releaseFirst(n int, errCode int32) {
	for j := range n {
		b.releaseSide(setMasks[j])
	}
	if n > 0 {
		b.setErr(errCode)
	}
	b.ret0()
}

func (b *builder) releaseSet() {
	for _, m := range setMasks {
		b.release(m)
	}
}

// nrCPUs loads the nr_cpus global into dst.
func (b *builder) nrCPUs(dst asm.Register) { b.emit(asm.LoadMem(dst, asm.R6, CtxNrCPUs, asm.DWord)) }

// globalMaskArrayRCU is _global_mask_array_rcu(mask0, mask1) inlined;
// off1 < 0 stands for mask1 == NULL.
func (b *builder) globalMaskArrayRCU(g string, off0, off1 int) {
	exit := b.fresh("err_exit")
	end := b.fresh("end")
	b.createCpumask(m7)
	b.emit(asm.JEq.Imm(asm.R7, 0, end))
	b.nonNull(m7)
	b.rcuLock()
	b.kptrXchg(g, off0, m7)
	b.adopt(m7)
	b.failUnless(jeq(asm.R7, 0), 1, exit)
	b.ms[m7] = maskState{} // NULL: the verifier dropped the reference
	b.loadKptr(asm.R1, g, off0)
	b.failUnless(jne(asm.R1, 0), 2, exit)
	if off1 < 0 {
		b.emit(asm.Ja.Label(exit))
	} else {
		b.loadKptr(asm.R1, g, off1)
		b.failUnless(jeq(asm.R1, 0), 3, exit)
		b.createCpumask(m7)
		b.failUnless(jne(asm.R7, 0), 9, exit)
		b.nonNull(m7)
		b.kptrXchg(g, off1, m7)
		b.adopt(m7)
		b.failUnless(jeq(asm.R7, 0), 10, exit)
		b.ms[m7] = maskState{}
		b.loadKptr(asm.R8, g, off0)
		b.loadKptr(asm.R9, g, off1)
		bad := b.fresh("bad")
		b.emit(
			asm.JEq.Imm(asm.R8, 0, bad),
			asm.JEq.Imm(asm.R9, 0, bad),
			asm.JEq.Reg(asm.R8, asm.R9, bad),
			asm.Ja.Label(exit),
		)
		b.label(bad)
		b.setErr(11)
	}
	b.label(exit)
	skip := b.fresh("no_local")
	b.emit(asm.JEq.Imm(asm.R7, 0, skip))
	b.releaseSide(m7)
	b.label(skip)
	b.rcuUnlock()
	b.label(end)
	b.emit(asm.Mov.Imm(asm.R0, 0))
	b.ms[m7] = maskState{}
}

// forRange is bpf_for(i, 0, end): body gets the index in R8.
func (b *builder) forRange(end asm.Register, body func(brk string)) {
	const it = -40 // struct bpf_iter_num
	loop, done := b.fresh("loop"), b.fresh("loop_done")
	b.emit(
		asm.Mov.Reg(asm.R3, end),
		asm.Mov.Reg(asm.R1, asm.RFP),
		asm.Add.Imm(asm.R1, it),
		asm.Mov.Imm(asm.R2, 0),
		Call("bpf_iter_num_new"),
	)
	b.label(loop)
	b.emit(
		asm.Mov.Reg(asm.R1, asm.RFP),
		asm.Add.Imm(asm.R1, it),
		Call("bpf_iter_num_next"),
		asm.JEq.Imm(asm.R0, 0, done),
		asm.LoadMem(asm.R8, asm.R0, 0, asm.Word),
	)
	body(done)
	b.emit(asm.Ja.Label(loop))
	b.label(done)
	b.emit(asm.Mov.Reg(asm.R1, asm.RFP), asm.Add.Imm(asm.R1, it), Call("bpf_iter_num_destroy"))
}

// globalInsert is the prologue shared by the global-mask programs:
// create a mask and move it into global_mask, returning if either fails.
func (b *builder) globalInsert(g string) {
	b.createCpumask(m7)
	b.ifNullReturn(m7)
	b.kptrXchg(g, 0, m7)
	noPrev := b.fresh("no_prev")
	b.emit(asm.JEq.Imm(asm.R0, 0, noPrev), asm.Mov.Reg(asm.R1, asm.R0), b.kf("bpf_cpumask_release"))
	b.setErr(3)
	b.ret0()
	b.label(noPrev)
	b.emit(asm.Mov.Reg(asm.R7, asm.R7))
}

// onlyMask wraps body in "m7 = create_cpumask(); if (!m7) return 0; ...
// out: release(m7); return 0;".
func onlyMask(body func(b *builder, out string)) func(b *builder) {
	return func(b *builder) {
		b.createCpumask(m7)
		b.ifNullReturn(m7)
		out := b.fresh("release_exit")
		body(b, out)
		b.label(out)
		b.release(m7)
		b.ret0()
	}
}

// withSet wraps body in create_cpumask_set() ... release of all four.
func withSet(body func(b *builder, out string)) func(b *builder) {
	return func(b *builder) {
		b.createCpumaskSet()
		out := b.fresh("release_exit")
		body(b, out)
		b.label(out)
		b.releaseSet()
		b.ret0()
	}
}

type recipe struct {
	name  string
	build func(b *builder)
}

// Success returns cpumask_success.c's 23 programs built for design d.
// Each must load and, run with nr_cpus set, leave err == 0.
func Success(d Design, t Target) []Program {
	var out []Program
	for _, r := range successRecipes {
		b := newBuilder(d, t)
		r.build(b)
		out = append(out, b.program(r.name, Want{Accept: true, Run: true}))
	}
	return out
}

var successRecipes = []recipe{
	{"test_alloc_free_cpumask", onlyMask(func(b *builder, out string) {})},
	{"test_set_clear_cpu", onlyMask(func(b *builder, out string) {
		b.kcall("bpf_cpumask_set_cpu", 0, m7)
		b.kcall("bpf_cpumask_test_cpu", 0, m7)
		b.boolR0()
		b.failUnless(jne(asm.R0, 0), 3, out)
		b.kcall("bpf_cpumask_clear_cpu", 0, m7)
		b.kcall("bpf_cpumask_test_cpu", 0, m7)
		b.boolR0()
		b.failUnless(jeq(asm.R0, 0), 4, out)
	})},
	{"test_setall_clear_cpu", onlyMask(func(b *builder, out string) {
		b.kcall("bpf_cpumask_setall", m7)
		b.kcall("bpf_cpumask_full", m7)
		b.boolR0()
		b.failUnless(jne(asm.R0, 0), 3, out)
		b.kcall("bpf_cpumask_clear", m7)
		b.kcall("bpf_cpumask_empty", m7)
		b.boolR0()
		b.failUnless(jne(asm.R0, 0), 4, out)
	})},
	{"test_first_firstzero_cpu", onlyMask(func(b *builder, out string) {
		b.kcall("bpf_cpumask_first", m7)
		b.nrCPUs(asm.R1)
		b.failUnless(func(l string) asm.Instruction { return asm.JGE.Reg32(asm.R0, asm.R1, l) }, 3, out)
		b.kcall("bpf_cpumask_first_zero", m7)
		b.failUnless(jeq32(asm.R0, 0), 4, out)
		b.kcall("bpf_cpumask_set_cpu", 0, m7)
		b.kcall("bpf_cpumask_first", m7)
		b.failUnless(jeq32(asm.R0, 0), 5, out)
		b.kcall("bpf_cpumask_first_zero", m7)
		b.failUnless(jeq32(asm.R0, 1), 6, out)
	})},
	{"test_firstand_nocpu", withSet(func(b *builder, out string) {
		b.kcall("bpf_cpumask_set_cpu", 0, m7)
		b.kcall("bpf_cpumask_set_cpu", 1, m8)
		b.kcall("bpf_cpumask_first_and", m7, m8)
		b.failUnless(func(l string) asm.Instruction { return asm.JGT.Imm32(asm.R0, 1, l) }, 3, out)
	})},
	{"test_test_and_set_clear", onlyMask(func(b *builder, out string) {
		b.kcall("bpf_cpumask_test_and_set_cpu", 0, m7)
		b.boolR0()
		b.failUnless(jeq(asm.R0, 0), 3, out)
		b.kcall("bpf_cpumask_test_and_set_cpu", 0, m7)
		b.boolR0()
		b.failUnless(jne(asm.R0, 0), 4, out)
		b.kcall("bpf_cpumask_test_and_clear_cpu", 0, m7)
		b.boolR0()
		b.failUnless(jne(asm.R0, 0), 5, out)
	})},
	{"test_and_or_xor", withSet(func(b *builder, out string) {
		b.kcall("bpf_cpumask_set_cpu", 0, m7)
		b.kcall("bpf_cpumask_set_cpu", 1, m8)
		b.kcall("bpf_cpumask_and", m9, m7, m8)
		b.boolR0()
		b.failUnless(jeq(asm.R0, 0), 6, out)
		b.kcall("bpf_cpumask_empty", m9)
		b.boolR0()
		b.failUnless(jne(asm.R0, 0), 7, out)
		b.kcall("bpf_cpumask_or", m9, m7, m8)
		b.kcall("bpf_cpumask_test_cpu", 0, m9)
		b.boolR0()
		b.failUnless(jne(asm.R0, 0), 8, out)
		b.kcall("bpf_cpumask_test_cpu", 1, m9)
		b.boolR0()
		b.failUnless(jne(asm.R0, 0), 9, out)
		b.kcall("bpf_cpumask_xor", mStack, m7, m8)
		b.kcall("bpf_cpumask_equal", m9, mStack)
		b.boolR0()
		b.failUnless(jne(asm.R0, 0), 10, out)
	})},
	{"test_intersects_subset", withSet(func(b *builder, out string) {
		b.kcall("bpf_cpumask_set_cpu", 0, m7)
		b.kcall("bpf_cpumask_set_cpu", 1, m8)
		b.kcall("bpf_cpumask_intersects", m7, m8)
		b.boolR0()
		b.failUnless(jeq(asm.R0, 0), 6, out)
		b.kcall("bpf_cpumask_or", m9, m7, m8)
		b.kcall("bpf_cpumask_subset", m7, m9)
		b.boolR0()
		b.failUnless(jne(asm.R0, 0), 7, out)
		b.kcall("bpf_cpumask_subset", m8, m9)
		b.boolR0()
		b.failUnless(jne(asm.R0, 0), 8, out)
		b.kcall("bpf_cpumask_subset", m9, m7)
		b.boolR0()
		b.failUnless(jeq(asm.R0, 0), 9, out)
	})},
	{"test_copy_any_anyand", withSet(func(b *builder, out string) {
		b.kcall("bpf_cpumask_set_cpu", 0, m7)
		b.kcall("bpf_cpumask_set_cpu", 1, m8)
		b.kcall("bpf_cpumask_or", m9, m7, m8)
		b.kcall("bpf_cpumask_any_distribute", m7)
		b.failUnless(jeq32(asm.R0, 0), 6, out)
		b.kcall("bpf_cpumask_any_distribute", mStack)
		b.nrCPUs(asm.R1)
		b.failUnless(func(l string) asm.Instruction { return asm.JSGE.Reg32(asm.R0, asm.R1, l) }, 7, out)
		b.kcall("bpf_cpumask_copy", mStack, m9)
		b.kcall("bpf_cpumask_equal", m9, mStack)
		b.boolR0()
		b.failUnless(jne(asm.R0, 0), 8, out)
		b.kcall("bpf_cpumask_any_distribute", mStack)
		b.failUnless(func(l string) asm.Instruction { return asm.JSLE.Imm32(asm.R0, 1, l) }, 9, out)
		b.kcall("bpf_cpumask_any_and_distribute", m7, m8)
		b.nrCPUs(asm.R1)
		b.failUnless(func(l string) asm.Instruction { return asm.JSGE.Reg32(asm.R0, asm.R1, l) }, 10, out)
	})},
	{"test_insert_leave", func(b *builder) {
		m := b.cpumaskMap()
		b.createCpumask(m7)
		b.ifNullReturn(m7)
		b.mapInsert(m, m7, 3)
		b.ret0()
	}},
	{"test_insert_remove_release", func(b *builder) {
		m := b.cpumaskMap()
		b.createCpumask(m7)
		b.ifNullReturn(m7)
		b.mapInsert(m, m7, 3)
		b.mapLookup(m)
		found := b.fresh("found")
		b.emit(asm.JNE.Imm(asm.R0, 0, found))
		b.failReturn(4)
		b.label(found)
		b.emit(asm.Mov.Reg(asm.R1, asm.R0), asm.Mov.Imm(asm.R2, 0), asm.FnKptrXchg.Call())
		got := b.fresh("got")
		b.emit(asm.JNE.Imm(asm.R0, 0, got))
		b.failReturn(5)
		b.label(got)
		b.emit(asm.Mov.Reg(asm.R1, asm.R0), b.kf("bpf_cpumask_release"))
		b.ret0()
	}},
	{"test_global_mask_rcu", func(b *builder) {
		g := b.globalMaskMap()
		b.globalInsert(g)
		b.rcuLock()
		b.loadKptrMask(m7, g, 0)
		ok := b.fresh("non_null")
		b.emit(asm.JNE.Imm(asm.R7, 0, ok))
		b.setErr(4)
		b.emit(Call("bpf_rcu_read_unlock"))
		b.ret0()
		b.label(ok)
		b.nonNull(m7)
		b.kcall("bpf_cpumask_test_cpu", 0, m7)
		b.rcuUnlock()
		b.ret0()
	}},
	{"test_global_mask_array_one_rcu", func(b *builder) {
		g := b.valueMap(cstruct("MASK", field{"global_mask_array_one", carray(b.kptrType(), 1)}))
		b.createCpumask(m7)
		b.ifNullReturn(m7)
		b.kptrXchg(g, 0, m7)
		none := b.fresh("no_prev")
		b.emit(asm.JEq.Imm(asm.R0, 0, none), asm.Mov.Reg(asm.R1, asm.R0), b.kf("bpf_cpumask_release"))
		b.failReturn(3)
		b.label(none)
		b.rcuLock()
		b.loadKptrMask(m7, g, 0)
		ok := b.fresh("non_null")
		b.emit(asm.JNE.Imm(asm.R7, 0, ok))
		b.setErr(4)
		b.label(ok)
		b.rcuUnlock()
		b.ret0()
	}},
	{"test_global_mask_array_rcu", func(b *builder) {
		g := b.valueMap(cstruct("MASK", field{"global_mask_array", carray(b.kptrType(), 2)}))
		b.globalMaskArrayRCU(g, 0, 8)
		b.ret0()
	}},
	{"test_global_mask_array_l2_rcu", func(b *builder) {
		g := b.valueMap(cstruct("MASK", field{"global_mask_array_l2", carray(carray(b.kptrType(), 1), 2)}))
		b.globalMaskArrayRCU(g, 0, 8)
		b.ret0()
	}},
	{"test_global_mask_nested_rcu", func(b *builder) {
		nested := cstruct("kptr_nested", field{"mask", b.kptrType()})
		g := b.valueMap(cstruct("MASK", field{"global_mask_nested", carray(nested, 2)}))
		b.globalMaskArrayRCU(g, 0, 8)
		b.ret0()
	}},
	{"test_global_mask_nested_deep_rcu", func(b *builder) {
		nested := cstruct("kptr_nested", field{"mask", b.kptrType()})
		mid := cstruct("kptr_nested_mid", field{"dummy", btfInt}, field{"m", nested})
		pair := cstruct("kptr_nested_pair", field{"mask_1", b.kptrType()}, field{"mask_2", b.kptrType()})
		deep := cstruct("MASK_DEEP", field{"global_mask_nested_deep", cstruct("kptr_nested_deep",
			field{"ptrs", carray(mid, 2)}, field{"ptr_pairs", carray(pair, 3)})})
		g := b.valueMap(deep)
		offs := KptrOffsets(deep)
		for i := 0; i+1 < len(offs); i += 2 {
			b.globalMaskArrayRCU(g, int(offs[i]), int(offs[i+1]))
		}
		b.ret0()
	}},
	{"test_global_mask_nested_deep_array_rcu", func(b *builder) {
		n := uint32(b.t.KptrFieldsMax)
		a12 := cstruct("kptr_nested_deep_array_1_2", field{"dummy", btfInt}, field{"mask", carray(b.kptrType(), n)})
		a11 := cstruct("kptr_nested_deep_array_1_1", field{"dummy", btfInt}, field{"d_2", a12})
		a1 := cstruct("MASK_1", field{"dummy", btfLong}, field{"d_1", a11})
		a22 := cstruct("kptr_nested_deep_array_2_2", field{"dummy", carray(btfLong, 2)}, field{"mask", b.kptrType()})
		a21 := cstruct("kptr_nested_deep_array_2_1", field{"dummy", btfInt}, field{"d_2", carray(a22, n)})
		a2 := cstruct("MASK_2", field{"dummy", btfLong}, field{"d_1", a21})
		a32 := cstruct("kptr_nested_deep_array_3_2", field{"dummy", carray(btfLong, 2)}, field{"mask", b.kptrType()})
		a31 := cstruct("kptr_nested_deep_array_3_1", field{"dummy", btfInt}, field{"d_2", a32})
		a3 := cstruct("MASK_3", field{"dummy", btfLong}, field{"d_1", carray(a31, n)})
		for _, s := range []*btf.Struct{a1, a2, a3} {
			g := b.valueMap(s)
			for _, off := range KptrOffsets(s) {
				b.globalMaskArrayRCU(g, int(off), -1)
			}
		}
		b.ret0()
	}},
	{"test_cpumask_weight", onlyMask(func(b *builder, out string) {
		b.kcall("bpf_cpumask_weight", m7)
		b.failUnless(jeq32(asm.R0, 0), 3, out)
		b.kcall("bpf_cpumask_set_cpu", 0, m7)
		b.kcall("bpf_cpumask_weight", m7)
		b.failUnless(jeq32(asm.R0, 1), 4, out)
		b.kcall("bpf_cpumask_set_cpu", 1, m7)
		b.kcall("bpf_cpumask_test_cpu", 1, m7)
		b.boolR0()
		up := b.fresh("up")
		b.emit(asm.JEq.Imm(asm.R0, 0, up))
		b.kcall("bpf_cpumask_weight", m7)
		b.failUnless(jeq32(asm.R0, 2), 5, out)
		b.label(up)
		b.kcall("bpf_cpumask_clear", m7)
		b.kcall("bpf_cpumask_weight", m7)
		b.failUnless(jeq32(asm.R0, 0), 6, out)
	})},
	{"test_refcount_null_tracking", func(b *builder) {
		b.createCall()
		b.adopt(m7)
		b.createCall()
		b.adopt(m8)
		free := b.fresh("free_masks_return")
		b.emit(asm.JEq.Imm(asm.R7, 0, free), asm.JEq.Imm(asm.R8, 0, free))
		b.nonNull(m7, m8)
		b.kcall("bpf_cpumask_test_cpu", 0, m7)
		b.kcall("bpf_cpumask_test_cpu", 0, m8)
		b.label(free)
		s1, s2 := b.fresh("skip"), b.fresh("skip")
		b.emit(asm.JEq.Imm(asm.R7, 0, s1))
		b.release(m7)
		b.label(s1)
		b.emit(asm.JEq.Imm(asm.R8, 0, s2))
		b.release(m8)
		b.label(s2)
		b.ret0()
	}},
	{"test_populate_reject_small_mask", onlyMask(func(b *builder, out string) {
		b.emit(asm.StoreImm(asm.RFP, -1, 0, asm.Byte)) // u8 toofewbits
		b.emit(asm.Mov.Reg(asm.R2, asm.RFP), asm.Add.Imm(asm.R2, -1))
		b.kcall("bpf_cpumask_populate", m7, asm.R2, 1)
		b.failUnless(jeq32(asm.R0, -13), 2, out) // -EACCES
	})},
	{"test_populate_reject_unaligned", func(b *builder) {
		// The kconfig guard is evaluated in Go: on arches with efficient
		// unaligned access the kernel skips the check, so the body runs
		// there too and must see 0 instead of -EINVAL.
		want := int32(-22) // -EINVAL
		if b.t.EfficientUnaligned {
			want = 0
		}
		bits := b.valueMap(cstruct("bss", field{"bits", carray(btfLong, uint32(b.t.CpumaskWords+1))}))
		b.createCall()
		b.adopt(m7)
		ok := b.fresh("created")
		b.emit(asm.JNE.Imm(asm.R7, 0, ok))
		b.ms[m7] = maskState{} // NULL: nothing to release
		b.failReturn(1)
		b.label(ok)
		b.created(m7, true) // held again past the NULL path's return
		b.cast(m7)
		b.mapValue(asm.R2, bits, 1) // misalign the source by a byte
		b.kcall("bpf_cpumask_populate", m7, asm.R2, 8*b.t.CpumaskWords)
		done := b.fresh("done")
		b.emit(asm.JEq.Imm32(asm.R0, want, done))
		b.setErr(2)
		b.label(done)
		b.release(m7)
		b.ret0()
	}},
	{"test_populate", func(b *builder) {
		words := b.t.CpumaskWords
		bits := b.valueMap(cstruct("bss", field{"bits", carray(btfLong, uint32(words+1))}))
		b.mapValue(asm.R1, bits, 0)
		b.emit(asm.LoadImm(asm.R2, int64(-0x5555555555555556), asm.DWord)) // 0xaaaa...
		for i := range words {
			b.emit(asm.StoreMem(asm.R1, int16(8*i), asm.R2, asm.DWord))
		}
		b.createCall()
		b.adopt(m7)
		ok := b.fresh("created")
		b.emit(asm.JNE.Imm(asm.R7, 0, ok))
		b.ms[m7] = maskState{}
		b.failReturn(1)
		b.label(ok)
		b.created(m7, true) // held again past the NULL path's return
		b.cast(m7)
		out := b.fresh("out")
		b.mapValue(asm.R2, bits, 0)
		b.kcall("bpf_cpumask_populate", m7, asm.R2, 8*words)
		b.failUnless(jeq(asm.R0, 0), 2, out)
		b.nrCPUs(asm.R9)
		b.failUnless(func(l string) asm.Instruction { return asm.JLT.Imm(asm.R9, int32(64*words), l) }, 3, out)
		b.forRange(asm.R9, func(brk string) {
			b.kcall("bpf_cpumask_test_cpu", asm.R8, m7)
			b.boolR0()
			b.emit(asm.Mov.Reg(asm.R1, asm.R8), asm.And.Imm(asm.R1, 1)) // odd bits set
			next := b.fresh("next")
			b.emit(asm.JEq.Reg(asm.R0, asm.R1, next))
			b.setErr(4)
			b.emit(asm.Ja.Label(brk))
			b.label(next)
			b.emit(asm.Mov.Reg(asm.R0, asm.R0))
		})
		b.label(out)
		b.release(m7)
		b.ret0()
	}},
}
