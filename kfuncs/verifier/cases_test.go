package verifier_test

import (
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"

	"github.com/bpfbitmap/prototype/kfuncs/progs"
)

// ruleCase is a small program that exercises one rule, with the 6.18
// verifier's answer: "" to accept, else its message (all lines). Cases with
// kernel set are loaded on the live kernel by TestRuleCasesKernel, so the
// expectations cannot drift from the kernel.
type ruleCase struct {
	name   string
	insns  asm.Instructions
	maps   []progs.Map
	msg    string
	insn   int  // instruction index of the rejection
	kernel bool // a fixed-design program the live kernel can load
}

const cpusPtrOff = -1 // replaced by the kernel's offsetof(task_struct, cpus_ptr)

var (
	call = progs.Call
	mov  = asm.Mov.Reg
	movi = asm.Mov.Imm
	ret0 = asm.Instructions{asm.Mov.Imm(asm.R0, 0), asm.Return()}
)

func cat(parts ...any) asm.Instructions {
	var out asm.Instructions
	for _, p := range parts {
		switch p := p.(type) {
		case asm.Instruction:
			out = append(out, p)
		case asm.Instructions:
			out = append(out, p...)
		}
	}
	return out
}

func kptr(name string) btf.Type {
	return &btf.Pointer{Target: &btf.TypeTag{Value: "kptr", Type: &btf.Struct{Name: name}}}
}

// kptrMap is a one-entry array map whose value holds n kptrs to name.
func kptrMap(mapName, name string, n int) progs.Map {
	s := &btf.Struct{Name: mapName + "_value", Size: uint32(8 * n)}
	for i := 0; i < n; i++ {
		s.Members = append(s.Members, btf.Member{Name: "m" + string(rune('a'+i)), Type: kptr(name), Offset: btf.Bits(64 * i)})
	}
	return progs.Map{Name: mapName, Value: s}
}

// create leaves a new bpf_cpumask in dst or returns 0 from the program.
func create(dst asm.Register, fn string) asm.Instructions {
	return asm.Instructions{
		call(fn),
		asm.JNE.Imm(asm.R0, 0, "c_"+dst.String()),
		asm.Mov.Imm(asm.R0, 0),
		asm.Return(),
		mov(dst, asm.R0).WithSymbol("c_" + dst.String()),
	}
}

func release(r asm.Register) asm.Instructions {
	return asm.Instructions{mov(asm.R1, r), call("bpf_cpumask_release")}
}

var ruleCases = []ruleCase{
	{name: "create_release", kernel: true,
		insns: cat(create(asm.R6, "bpf_cpumask_create"), release(asm.R6), ret0)},
	{name: "leak", kernel: true, insn: 6,
		insns: cat(create(asm.R6, "bpf_cpumask_create"), ret0),
		msg:   "Unreleased reference id=2 alloc_insn=0\nBPF_EXIT instruction in main prog would lead to reference leak"},
	{name: "two_leaks", kernel: true, insn: 4,
		insns: cat(call("bpf_cpumask_create"), mov(asm.R6, asm.R0), call("bpf_cpumask_create"), ret0),
		msg: "Unreleased reference id=2 alloc_insn=0\nUnreleased reference id=4 alloc_insn=2\n" +
			"BPF_EXIT instruction in main prog would lead to reference leak"},
	{name: "no_null_check", kernel: true, insn: 2,
		insns: cat(call("bpf_cpumask_create"), mov(asm.R1, asm.R0), call("bpf_cpumask_release"), ret0),
		msg:   "Possibly NULL pointer passed to trusted arg0"},
	{name: "null_check_jmp32_is_none", kernel: true, insn: 3,
		insns: cat(call("bpf_cpumask_create"), asm.JNE.Imm32(asm.R0, 0, "ok"), ret0,
			mov(asm.R1, asm.R0).WithSymbol("ok"), call("bpf_cpumask_release"), ret0),
		msg: "Unreleased reference id=2 alloc_insn=0\nBPF_EXIT instruction in main prog would lead to reference leak"},
	{name: "null_check_reg_zero_is_none", kernel: true, insn: 4,
		insns: cat(call("bpf_cpumask_create"), movi(asm.R2, 0), asm.JNE.Reg(asm.R0, asm.R2, "ok"), ret0,
			mov(asm.R1, asm.R0).WithSymbol("ok"), call("bpf_cpumask_release"), ret0),
		msg: "Unreleased reference id=2 alloc_insn=0\nBPF_EXIT instruction in main prog would lead to reference leak"},
	{name: "null_check_on_copy", kernel: true,
		insns: cat(call("bpf_cpumask_create"), mov(asm.R6, asm.R0), asm.JEq.Imm(asm.R6, 0, "out"),
			mov(asm.R1, asm.R0), call("bpf_cpumask_release"), ret0[0].WithSymbol("out"), ret0[1])},
	{name: "null_check_on_spill", kernel: true,
		insns: cat(call("bpf_cpumask_create"), asm.StoreMem(asm.RFP, -8, asm.R0, asm.DWord), asm.JEq.Imm(asm.R0, 0, "out"),
			asm.LoadMem(asm.R1, asm.RFP, -8, asm.DWord), call("bpf_cpumask_release"), ret0[0].WithSymbol("out"), ret0[1])},
	{name: "double_release", kernel: true, insn: 8,
		insns: cat(create(asm.R6, "bpf_cpumask_create"), release(asm.R6), release(asm.R6), ret0),
		msg:   "R1 type=scalar expected=fp"},
	{name: "use_spill_after_release", kernel: true, insn: 9,
		insns: cat(create(asm.R6, "bpf_cpumask_create"), asm.StoreMem(asm.RFP, -8, asm.R6, asm.DWord), release(asm.R6),
			asm.LoadMem(asm.R1, asm.RFP, -8, asm.DWord), call("bpf_cpumask_weight"), ret0),
		msg: "R1 type=scalar expected=fp"},
	{name: "set_cpu_after_release", kernel: true, insn: 9,
		insns: cat(create(asm.R6, "bpf_cpumask_create"), release(asm.R6), movi(asm.R1, 0), mov(asm.R2, asm.R6),
			call("bpf_cpumask_set_cpu"), ret0),
		msg: "R2 type=scalar expected=fp"},
	{name: "acquire_independent", kernel: true,
		insns: cat(create(asm.R6, "bpf_cpumask_create"), mov(asm.R1, asm.R6), call("bpf_cpumask_acquire"), mov(asm.R7, asm.R0),
			release(asm.R6), release(asm.R7), ret0)},
	{name: "cpu_not_scalar", kernel: true, insn: 6,
		insns: cat(create(asm.R6, "bpf_cpumask_create"), mov(asm.R2, asm.R6), call("bpf_cpumask_set_cpu"), release(asm.R6), ret0),
		msg:   "R1 is not a scalar"},
	{name: "null_literal", kernel: true, insn: 1,
		insns: cat(movi(asm.R1, 0), call("bpf_cpumask_empty"), ret0),
		msg:   "Possibly NULL pointer passed to trusted arg0"},
	{name: "scalar_as_mask", kernel: true, insn: 1,
		insns: cat(movi(asm.R1, 5), call("bpf_cpumask_empty"), ret0),
		msg:   "R1 type=scalar expected=fp"},
	{name: "clobbered_arg", kernel: true, insn: 5,
		insns: cat(create(asm.R6, "bpf_cpumask_create"), call("bpf_cpumask_weight"), release(asm.R6), ret0),
		msg:   "variable ? access var_off=(0x0; 0xffffffffffffffff) disallowed"},
	{name: "release_offset", kernel: true, insn: 7,
		insns: cat(create(asm.R6, "bpf_cpumask_create"), mov(asm.R1, asm.R6), asm.Add.Imm(asm.R1, 8), call("bpf_cpumask_release"), release(asm.R6), ret0),
		msg:   "R1 must have zero offset when passed to release func or trusted arg to kfunc"},
	{name: "weight_offset_type", kernel: true, insn: 7,
		insns: cat(create(asm.R6, "bpf_cpumask_create"), mov(asm.R1, asm.R6), asm.Add.Imm(asm.R1, 8), call("bpf_cpumask_weight"), release(asm.R6), ret0),
		msg:   "kernel function bpf_cpumask_weight args#0 expected pointer to STRUCT cpumask but R1 has a pointer to STRUCT bpf_cpumask"},
	{name: "task_as_cpumask", kernel: true, insn: 2,
		insns: cat(asm.FnGetCurrentTaskBtf.Call(), mov(asm.R1, asm.R0), call("bpf_cpumask_weight"), ret0),
		msg:   "kernel function bpf_cpumask_weight args#0 expected pointer to STRUCT cpumask but R1 has a pointer to STRUCT task_struct"},
	{name: "rcu_nested", kernel: true, insn: 1,
		insns: cat(call("bpf_rcu_read_lock"), call("bpf_rcu_read_lock"), ret0),
		msg:   "nested rcu read lock (kernel function bpf_rcu_read_lock)"},
	{name: "rcu_unmatched", kernel: true, insn: 0,
		insns: cat(call("bpf_rcu_read_unlock"), ret0),
		msg:   "unmatched rcu read unlock (kernel function bpf_rcu_read_unlock)"},
	{name: "rcu_exit_locked", kernel: true, insn: 2,
		insns: cat(call("bpf_rcu_read_lock"), ret0),
		msg:   "BPF_EXIT instruction in main prog cannot be used inside bpf_rcu_read_lock-ed region"},
	{name: "rcu_leak_first", kernel: true, insn: 4,
		insns: cat(call("bpf_rcu_read_lock"), call("bpf_cpumask_create"), mov(asm.R6, asm.R0), ret0),
		msg:   "Unreleased reference id=2 alloc_insn=1\nBPF_EXIT instruction in main prog would lead to reference leak"},
	{name: "cpus_ptr_mutate", kernel: true, insn: 4,
		insns: cat(call("bpf_rcu_read_lock"), asm.FnGetCurrentTaskBtf.Call(), asm.LoadMem(asm.R2, asm.R0, cpusPtrOff, asm.DWord),
			movi(asm.R1, 0), call("bpf_cpumask_set_cpu"), call("bpf_rcu_read_unlock"), ret0),
		msg: "kernel function bpf_cpumask_set_cpu args#1 expected pointer to STRUCT bpf_cpumask but R2 has a pointer to STRUCT cpumask"},
	{name: "cpus_ptr_acquire", kernel: true, insn: 3,
		insns: cat(call("bpf_rcu_read_lock"), asm.FnGetCurrentTaskBtf.Call(), asm.LoadMem(asm.R1, asm.R0, cpusPtrOff, asm.DWord),
			call("bpf_cpumask_acquire"), call("bpf_rcu_read_unlock"), ret0),
		msg: "R1 must be referenced or trusted"},
	{name: "cpus_ptr_read", kernel: true,
		insns: cat(call("bpf_rcu_read_lock"), asm.FnGetCurrentTaskBtf.Call(), asm.LoadMem(asm.R1, asm.R0, cpusPtrOff, asm.DWord),
			call("bpf_cpumask_weight"), call("bpf_rcu_read_unlock"), ret0)},
	{name: "cpus_ptr_outside_rcu", kernel: true, insn: 2,
		insns: cat(asm.FnGetCurrentTaskBtf.Call(), asm.LoadMem(asm.R1, asm.R0, cpusPtrOff, asm.DWord),
			call("bpf_cpumask_weight"), ret0),
		msg: "R1 must be a rcu pointer"},
	{name: "kptr_store", kernel: true, insn: 7, maps: []progs.Map{kptrMap("m1", "bpf_cpumask", 1)},
		insns: cat(create(asm.R6, "bpf_cpumask_create"), asm.LoadMapValue(asm.R1, 0, 0).WithReference("m1"),
			asm.StoreMem(asm.R1, 0, asm.R6, asm.DWord), release(asm.R6), ret0),
		msg: "store to referenced kptr disallowed"},
	{name: "kptr_xchg_in_and_out", kernel: true, maps: []progs.Map{kptrMap("m1", "bpf_cpumask", 1)},
		insns: cat(create(asm.R6, "bpf_cpumask_create"), asm.LoadMapValue(asm.R1, 0, 0).WithReference("m1"), mov(asm.R2, asm.R6),
			asm.FnKptrXchg.Call(), asm.JEq.Imm(asm.R0, 0, "out"), mov(asm.R1, asm.R0), call("bpf_cpumask_release"),
			ret0[0].WithSymbol("out"), ret0[1])},
	{name: "kptr_xchg_moved_use", kernel: true, insn: 13, maps: []progs.Map{kptrMap("m1", "bpf_cpumask", 1)},
		insns: cat(create(asm.R6, "bpf_cpumask_create"), asm.LoadMapValue(asm.R1, 0, 0).WithReference("m1"), mov(asm.R2, asm.R6),
			asm.FnKptrXchg.Call(), asm.JEq.Imm(asm.R0, 0, "out"), mov(asm.R1, asm.R0), call("bpf_cpumask_release"),
			mov(asm.R1, asm.R6).WithSymbol("out"), call("bpf_cpumask_weight"), ret0),
		msg: "R1 type=scalar expected=fp"},
	{name: "kptr_xchg_result_leak", kernel: true, insn: 10, maps: []progs.Map{kptrMap("m1", "bpf_cpumask", 1)},
		insns: cat(create(asm.R6, "bpf_cpumask_create"), asm.LoadMapValue(asm.R1, 0, 0).WithReference("m1"), mov(asm.R2, asm.R6),
			asm.FnKptrXchg.Call(), ret0),
		msg: "Unreleased reference id=4 alloc_insn=8\nBPF_EXIT instruction in main prog would lead to reference leak"},
	{name: "kptr_rcu_load", kernel: true, maps: []progs.Map{kptrMap("m1", "bpf_cpumask", 1)},
		insns: cat(call("bpf_rcu_read_lock"), asm.LoadMapValue(asm.R1, 0, 0).WithReference("m1"),
			asm.LoadMem(asm.R1, asm.R1, 0, asm.DWord), asm.JEq.Imm(asm.R1, 0, "out"), call("bpf_cpumask_weight"),
			call("bpf_rcu_read_unlock").WithSymbol("out"), ret0)},
	{name: "kptr_rcu_no_null_check", kernel: true, insn: 4, maps: []progs.Map{kptrMap("m1", "bpf_cpumask", 1)},
		insns: cat(call("bpf_rcu_read_lock"), asm.LoadMapValue(asm.R1, 0, 0).WithReference("m1"),
			asm.LoadMem(asm.R1, asm.R1, 0, asm.DWord), call("bpf_cpumask_weight"), call("bpf_rcu_read_unlock"), ret0),
		msg: "Possibly NULL pointer passed to trusted arg0"},
	{name: "kptr_after_unlock", kernel: true, insn: 7, maps: []progs.Map{kptrMap("m1", "bpf_cpumask", 1)},
		insns: cat(call("bpf_rcu_read_lock"), asm.LoadMapValue(asm.R1, 0, 0).WithReference("m1"),
			asm.LoadMem(asm.R6, asm.R1, 0, asm.DWord), asm.JEq.Imm(asm.R6, 0, "out"), call("bpf_rcu_read_unlock"),
			mov(asm.R1, asm.R6), call("bpf_cpumask_weight"), ret0,
			call("bpf_rcu_read_unlock").WithSymbol("out"), ret0),
		msg: "R1 must be a rcu pointer"},
	{name: "kptr_rcu_acquire", kernel: true, insn: 5, maps: []progs.Map{kptrMap("m1", "bpf_cpumask", 1)},
		insns: cat(call("bpf_rcu_read_lock"), asm.LoadMapValue(asm.R1, 0, 0).WithReference("m1"),
			asm.LoadMem(asm.R1, asm.R1, 0, asm.DWord), asm.JEq.Imm(asm.R1, 0, "out"), call("bpf_cpumask_acquire"),
			call("bpf_rcu_read_unlock").WithSymbol("out"), ret0),
		msg: "R1 must be referenced or trusted"},
	{name: "kptr_rcu_xchg_in", kernel: true, insn: 5, maps: []progs.Map{kptrMap("m1", "bpf_cpumask", 1)},
		insns: cat(call("bpf_rcu_read_lock"), asm.LoadMapValue(asm.R1, 0, 0).WithReference("m1"),
			asm.LoadMem(asm.R2, asm.R1, 0, asm.DWord), asm.JEq.Imm(asm.R2, 0, "out"), asm.FnKptrXchg.Call(),
			call("bpf_rcu_read_unlock").WithSymbol("out"), ret0),
		msg: "R2 must be referenced when passed to release function"},
	{name: "kptr_rcu_xchg_maybe_null", kernel: true, insn: 4, maps: []progs.Map{kptrMap("m1", "bpf_cpumask", 1)},
		insns: cat(call("bpf_rcu_read_lock"), asm.LoadMapValue(asm.R1, 0, 0).WithReference("m1"),
			asm.LoadMem(asm.R2, asm.R1, 0, asm.DWord), asm.FnKptrXchg.Call(),
			call("bpf_rcu_read_unlock"), ret0),
		msg: "Possibly NULL pointer passed to helper arg2"},
	{name: "kptr_xchg_no_kptr_at", kernel: true, insn: 8, maps: []progs.Map{kptrMap("m1", "bpf_cpumask", 2)},
		insns: cat(create(asm.R6, "bpf_cpumask_create"), asm.LoadMapValue(asm.R1, 0, 4).WithReference("m1"), mov(asm.R2, asm.R6),
			asm.FnKptrXchg.Call(), ret0),
		msg: "off=4 doesn't point to kptr"},
	{name: "throw_with_ref", kernel: true, insn: 6,
		insns: cat(create(asm.R6, "bpf_cpumask_create"), movi(asm.R1, 0), call("bpf_throw"), release(asm.R6), ret0),
		msg:   "Unreleased reference id=2 alloc_insn=0\nbpf_throw would lead to reference leak"},
	{name: "throw_in_rcu", kernel: true, insn: 2,
		insns: cat(call("bpf_rcu_read_lock"), movi(asm.R1, 0), call("bpf_throw"), call("bpf_rcu_read_unlock"), ret0),
		msg:   "bpf_throw cannot be used inside bpf_rcu_read_lock-ed region"},
	{name: "throw_clean", kernel: true,
		insns: cat(movi(asm.R1, 7), call("bpf_throw"), ret0)},
	{name: "throw_last", kernel: true, insn: 1,
		insns: cat(movi(asm.R1, 7), call("bpf_throw")),
		msg:   "last insn is not an exit or jmp"},
	{name: "assert_after_release", kernel: true,
		insns: cat(create(asm.R6, "bpf_cpumask_create"), release(asm.R6), movi(asm.R1, 0), call("bpf_throw"), ret0)},
	{name: "no_r0", kernel: true, insn: 0,
		insns: cat(asm.Return()),
		msg:   "R0 !read_ok"},
	{name: "unreachable", kernel: true, insn: 2,
		insns: cat(ret0, movi(asm.R0, 1), asm.Return()),
		msg:   "unreachable insn 2"},
	{name: "deref_maybe_null", kernel: true, insn: 1,
		insns: cat(call("bpf_cpumask_create"), asm.LoadMem(asm.R1, asm.R0, 0, asm.DWord), ret0),
		msg:   "R0 invalid mem access 'ptr_or_null_'"},
	{name: "arith_maybe_null", kernel: true, insn: 1,
		insns: cat(call("bpf_cpumask_create"), asm.Add.Imm(asm.R0, 8), ret0),
		msg:   "R0 pointer arithmetic on ptr_or_null_ prohibited, null-check it first"},
	{name: "static_branch_hides_error", kernel: true,
		insns: cat(movi(asm.R1, 0), asm.JEq.Imm(asm.R1, 0, "ok"), asm.Return(), ret0[0].WithSymbol("ok"), ret0[1])},
	{name: "nonnull_vs_zero_decided", kernel: true,
		insns: cat(create(asm.R6, "bpf_cpumask_create"), asm.JNE.Imm(asm.R6, 0, "ok"), asm.Return(),
			mov(asm.R1, asm.R6).WithSymbol("ok"), call("bpf_cpumask_release"), ret0)},
	{name: "scalar_copy_takes_id", kernel: true, insn: 5,
		insns: cat(asm.LoadMem(asm.R6, asm.R1, 8, asm.DWord), mov(asm.R7, asm.R6), call("bpf_cpumask_create"), mov(asm.R8, asm.R0), ret0),
		msg:   "Unreleased reference id=3 alloc_insn=2\nBPF_EXIT instruction in main prog would lead to reference leak"},
	{name: "rcu_unlock_reaches_spills", kernel: true, insn: 8, maps: []progs.Map{kptrMap("m1", "bpf_cpumask", 1)},
		insns: cat(call("bpf_rcu_read_lock"), asm.LoadMapValue(asm.R1, 0, 0).WithReference("m1"),
			asm.LoadMem(asm.R6, asm.R1, 0, asm.DWord), asm.JEq.Imm(asm.R6, 0, "out"), asm.StoreMem(asm.RFP, -8, asm.R6, asm.DWord),
			call("bpf_rcu_read_unlock"), asm.LoadMem(asm.R1, asm.RFP, -8, asm.DWord), call("bpf_cpumask_weight"), ret0,
			call("bpf_rcu_read_unlock").WithSymbol("out"), ret0),
		msg: "R1 must be a rcu pointer"},
	{name: "null_branch_drops_ref", kernel: true,
		insns: cat(call("bpf_cpumask_create"), asm.JEq.Imm(asm.R0, 0, "out"), mov(asm.R1, asm.R0), call("bpf_cpumask_release"),
			ret0[0].WithSymbol("out"), ret0[1])},
	{name: "kptr_xchg_null_in", kernel: true, maps: []progs.Map{kptrMap("m1", "bpf_cpumask", 1)},
		insns: cat(asm.LoadMapValue(asm.R1, 0, 0).WithReference("m1"), movi(asm.R2, 0), asm.FnKptrXchg.Call(),
			asm.JEq.Imm(asm.R0, 0, "out"), mov(asm.R1, asm.R0), call("bpf_cpumask_release"), ret0[0].WithSymbol("out"), ret0[1])},
	{name: "kptr_load_outside_rcu_untrusted", kernel: true, insn: 4, maps: []progs.Map{kptrMap("m1", "bpf_cpumask", 1)},
		insns: cat(asm.LoadMapValue(asm.R1, 0, 0).WithReference("m1"), asm.LoadMem(asm.R1, asm.R1, 0, asm.DWord),
			asm.JEq.Imm(asm.R1, 0, "out"), call("bpf_cpumask_weight"), ret0[0].WithSymbol("out"), ret0[1]),
		msg: "R1 must be a rcu pointer"},
	{name: "rcu_ptr_vs_zero_not_decided", kernel: true, insn: 7, maps: []progs.Map{kptrMap("m1", "bpf_cpumask", 1)},
		insns: cat(call("bpf_rcu_read_lock"), asm.LoadMapValue(asm.R1, 0, 0).WithReference("m1"),
			asm.LoadMem(asm.R6, asm.R1, 0, asm.DWord), asm.JEq.Imm(asm.R6, 0, "out"), asm.JNE.Imm(asm.R6, 0, "out"),
			movi(asm.R0, 0), asm.Return(),
			call("bpf_rcu_read_unlock").WithSymbol("out"), ret0),
		msg: "BPF_EXIT instruction in main prog cannot be used inside bpf_rcu_read_lock-ed region"},
	{name: "release_needs_reference", kernel: true, insn: 2,
		insns: cat(mov(asm.R1, asm.RFP), asm.Add.Imm(asm.R1, -40), call("bpf_cpumask_release"), ret0),
		msg:   "release kernel function bpf_cpumask_release expects refcounted PTR_TO_BTF_ID"},
	{name: "stack_too_short_for_mask", kernel: true, insn: 2,
		insns: cat(mov(asm.R1, asm.RFP), asm.Add.Imm(asm.R1, -8), call("bpf_cpumask_weight"), ret0),
		msg:   "invalid read from stack R1 off=-8 size=32"},
	{name: "many_joins_evict_states", kernel: true, insns: manyJoins(12)},
	{name: "many_joins_scalars", kernel: true, insns: manyScalarJoins(12)},
	{name: "precision_blocks_pruning", kernel: true, insn: 13,
		insns: cat(asm.LoadMem(asm.R7, asm.R1, 0, asm.DWord), movi(asm.R6, 1), asm.FnGetCurrentTaskBtf.Call(), asm.FnGetCurrentTaskBtf.Call(),
			asm.JEq.Imm(asm.R7, 1, "join"), movi(asm.R6, 0), movi(asm.R0, 0), movi(asm.R0, 0), movi(asm.R0, 0),
			movi(asm.R0, 0).WithSymbol("join"), asm.JEq.Imm(asm.R6, 1, "bad"), asm.Return(),
			movi(asm.R1, 5).WithSymbol("bad"), call("bpf_cpumask_empty"), asm.Return()),
		msg: "R1 type=scalar expected=fp"},
	{name: "dfs_order_fallthrough_first", kernel: true, insn: 3,
		insns: cat(call("bpf_cpumask_create"), asm.JNE.Imm(asm.R0, 0, "ok"), movi(asm.R1, 5), call("bpf_cpumask_empty"), asm.Return(),
			asm.Return().WithSymbol("ok")),
		msg: "R1 type=scalar expected=fp"},
}

// withCpusPtr replaces cpusPtrOff by off.
func withCpusPtr(insns asm.Instructions, off int) asm.Instructions {
	out := make(asm.Instructions, len(insns))
	for i, ins := range insns {
		if ins.OpCode.Class() == asm.LdXClass && ins.Offset == cpusPtrOff {
			ins.Offset = int16(off)
		}
		out[i] = ins
	}
	return out
}

// manyJoins is a program whose paths reach the same instructions with n
// different stack pointers in R6, which stays live, so the states stored
// there keep missing and the kernel evicts them (is_state_visited's
// miss_cnt heuristic).
func manyJoins(n int) asm.Instructions {
	out := asm.Instructions{asm.LoadMem(asm.R7, asm.R1, 0, asm.DWord), mov(asm.R6, asm.RFP)}
	for i := 1; i <= n; i++ {
		l := "j" + string(rune('a'+i))
		out = append(out, asm.JNE.Imm(asm.R7, int32(i), l), mov(asm.R6, asm.RFP), asm.Add.Imm(asm.R6, int32(-8*i)), asm.Mov.Reg(asm.R8, asm.R7).WithSymbol(l))
		out = append(out, asm.Add.Imm(asm.R8, 1), asm.Add.Imm(asm.R8, 1), asm.Add.Imm(asm.R8, 1), asm.Add.Imm(asm.R8, 1))
	}
	return append(out, mov(asm.R1, asm.R6), movi(asm.R0, 0), asm.Return())
}

// manyScalarJoins is manyJoins with n different constants in R6 instead:
// no verdict depends on the constant, so it is not precise and the states
// are equal.
func manyScalarJoins(n int) asm.Instructions {
	out := asm.Instructions{asm.LoadMem(asm.R7, asm.R1, 0, asm.DWord), movi(asm.R6, 0)}
	for i := 1; i <= n; i++ {
		l := "j" + string(rune('a'+i))
		out = append(out, asm.JNE.Imm(asm.R7, int32(i), l), movi(asm.R6, int32(i)), asm.Mov.Reg(asm.R8, asm.R6).WithSymbol(l))
		out = append(out, asm.Add.Imm(asm.R8, 1), asm.Add.Imm(asm.R8, 1), asm.Add.Imm(asm.R8, 1), asm.Add.Imm(asm.R8, 1))
	}
	return append(out, mov(asm.R0, asm.R6), asm.Return())
}
