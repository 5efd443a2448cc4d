package verifier_test

import (
	"github.com/cilium/ebpf/asm"

	"github.com/bpfbitmap/prototype/kfuncs/progs"
)

// proposalRule is one rule the model adds for the bpf_bitmap proposal,
// with a program it rejects and one it accepts. docs/verifier.md is
// generated from this list (TestVerifierDoc), so the examples are the
// tested ones.
type proposalRule struct {
	title, rule string
	reject      ruleCase
	accept      ruleCase
}

// bitmap leaves a new bpf_bitmap of size bits in dst, or returns 0.
func bitmap(dst asm.Register, bits int32) asm.Instructions {
	return cat(movi(asm.R1, bits), create(dst, "bpf_bitmap_create"))
}

// view leaves the cast of src in dst, or (check) releases src and returns.
func view(dst, src asm.Register, check bool) asm.Instructions {
	out := cat(mov(asm.R1, src), call("bpf_bitmap_cast_to_cpumask"), mov(dst, asm.R0))
	if check {
		l := "v_" + dst.String()
		out = cat(out, asm.JNE.Imm(dst, 0, l), mov(asm.R1, src), call("bpf_bitmap_release"), movi(asm.R0, 0), asm.Return(),
			mov(dst, dst).WithSymbol(l))
	}
	return out
}

func bmRelease(r asm.Register) asm.Instructions {
	return cat(mov(asm.R1, r), call("bpf_bitmap_release"))
}

func setCPU(mask asm.Register) asm.Instructions {
	return cat(movi(asm.R1, 0), mov(asm.R2, mask), call("bpf_cpumask_set_cpu"))
}

var bitmapMap = kptrMap("bitmaps", "bpf_bitmap", 1)

const nrCPUs = 2 // progs.DefaultTarget.NrCPUIDs

var proposalRules = []proposalRule{
	{
		title: "The cast may return NULL",
		rule: "bpf_bitmap_cast_to_cpumask is KF_RET_NULL: its result is PTR_MAYBE_NULL with a fresh id, " +
			"so it must be NULL-checked before any cpumask kfunc takes it (check_kfunc_args).",
		reject: ruleCase{insns: cat(bitmap(asm.R6, nrCPUs), view(asm.R7, asm.R6, false), setCPU(asm.R7), bmRelease(asm.R6), ret0)},
		accept: ruleCase{insns: cat(bitmap(asm.R6, nrCPUs), view(asm.R7, asm.R6, true), setCPU(asm.R7), bmRelease(asm.R6), ret0)},
	},
	{
		title: "The view is BPF-owned: mutators take it",
		rule: "The result is a struct cpumask * that the cpumask mutators, whose parameter is struct bpf_cpumask *, " +
			"accept; a kernel mask such as task->cpus_ptr is still refused (btf_struct_ids_match).",
		reject: ruleCase{insns: cat(call("bpf_rcu_read_lock"), asm.FnGetCurrentTaskBtf.Call(), asm.LoadMem(asm.R7, asm.R0, cpusPtrOff, asm.DWord),
			setCPU(asm.R7), call("bpf_rcu_read_unlock"), ret0)},
		accept: ruleCase{insns: cat(bitmap(asm.R6, nrCPUs), view(asm.R7, asm.R6, true), setCPU(asm.R7), bmRelease(asm.R6), ret0)},
	},
	{
		title: "The view dies with the bitmap's reference",
		rule: "The view shares its argument's ref_obj_id, so releasing the bitmap invalidates every copy of the view, " +
			"in registers and on the stack, as release_reference does for the bitmap itself.",
		reject: ruleCase{insns: cat(bitmap(asm.R6, nrCPUs), view(asm.R7, asm.R6, true), bmRelease(asm.R6), setCPU(asm.R7), ret0)},
		accept: ruleCase{insns: cat(bitmap(asm.R6, nrCPUs), view(asm.R7, asm.R6, true), setCPU(asm.R7), bmRelease(asm.R6), ret0)},
	},
	{
		title: "bpf_kptr_xchg moves the view away with the bitmap",
		rule: "Exchanging the bitmap into a map releases the program's reference (check_helper_call), " +
			"and with it the view.",
		reject: ruleCase{maps: []progs.Map{bitmapMap}, insns: cat(bitmap(asm.R6, nrCPUs), view(asm.R7, asm.R6, true),
			asm.LoadMapValue(asm.R1, 0, 0).WithReference("bitmaps"), mov(asm.R2, asm.R6), asm.FnKptrXchg.Call(),
			asm.JEq.Imm(asm.R0, 0, "out"), mov(asm.R1, asm.R0), call("bpf_bitmap_release"),
			movi(asm.R1, 0).WithSymbol("out"), mov(asm.R2, asm.R7), call("bpf_cpumask_set_cpu"), ret0)},
		accept: ruleCase{maps: []progs.Map{bitmapMap}, insns: cat(bitmap(asm.R6, nrCPUs), view(asm.R7, asm.R6, true), setCPU(asm.R7),
			asm.LoadMapValue(asm.R1, 0, 0).WithReference("bitmaps"), mov(asm.R2, asm.R6), asm.FnKptrXchg.Call(),
			asm.JEq.Imm(asm.R0, 0, "out"), mov(asm.R1, asm.R0), call("bpf_bitmap_release"),
			ret0[0].WithSymbol("out"), ret0[1])},
	},
	{
		title: "A view of an RCU-read bitmap ends with the RCU section",
		rule: "The cast is KF_RCU, so a bitmap kptr loaded under bpf_rcu_read_lock can be cast; the view is then MEM_RCU " +
			"and bpf_rcu_read_unlock makes it untrusted, as it does the bitmap.",
		reject: ruleCase{maps: []progs.Map{bitmapMap}, insns: cat(call("bpf_rcu_read_lock"), asm.LoadMapValue(asm.R1, 0, 0).WithReference("bitmaps"),
			asm.LoadMem(asm.R6, asm.R1, 0, asm.DWord), asm.JEq.Imm(asm.R6, 0, "out"), view(asm.R7, asm.R6, false),
			asm.JEq.Imm(asm.R7, 0, "out"), call("bpf_rcu_read_unlock"), setCPU(asm.R7), ret0,
			call("bpf_rcu_read_unlock").WithSymbol("out"), ret0)},
		accept: ruleCase{maps: []progs.Map{bitmapMap}, insns: cat(call("bpf_rcu_read_lock"), asm.LoadMapValue(asm.R1, 0, 0).WithReference("bitmaps"),
			asm.LoadMem(asm.R6, asm.R1, 0, asm.DWord), asm.JEq.Imm(asm.R6, 0, "out"), view(asm.R7, asm.R6, false),
			asm.JEq.Imm(asm.R7, 0, "out"), setCPU(asm.R7),
			call("bpf_rcu_read_unlock").WithSymbol("out"), ret0)},
	},
	{
		title: "A bitmap of a known wrong size casts to NULL",
		rule: "When bpf_bitmap_create got a constant other than nr_cpu_ids, the cast's result is the constant 0: " +
			"its non-NULL branch is dead and never checked, and using the view unchecked is passing NULL. " +
			"The two examples differ only in the size: the non-NULL branch forgets to release the bitmap, " +
			"which the verifier sees only when that branch can run.",
		reject: ruleCase{insns: cat(bitmap(asm.R6, nrCPUs), view(asm.R7, asm.R6, false), asm.JEq.Imm(asm.R7, 0, "null"),
			setCPU(asm.R7), ret0, mov(asm.R1, asm.R6).WithSymbol("null"), call("bpf_bitmap_release"), ret0)},
		accept: ruleCase{insns: cat(bitmap(asm.R6, nrCPUs+62), view(asm.R7, asm.R6, false), asm.JEq.Imm(asm.R7, 0, "null"),
			setCPU(asm.R7), ret0, mov(asm.R1, asm.R6).WithSymbol("null"), call("bpf_bitmap_release"), ret0)},
	},
	{
		title: "bpf_assert cannot stand in for the check while the bitmap is held",
		rule: "bpf_throw checks for leaked references (check_resource_leak), and every cast in the ported selftests " +
			"has its bitmap referenced or under RCU, where a throw is refused too.",
		reject: ruleCase{insns: cat(bitmap(asm.R6, nrCPUs), view(asm.R7, asm.R6, false), asm.JNE.Imm(asm.R7, 0, "ok"), movi(asm.R1, 0), call("bpf_throw"),
			movi(asm.R1, 0).WithSymbol("ok"), mov(asm.R2, asm.R7), call("bpf_cpumask_set_cpu"), bmRelease(asm.R6), ret0)},
		accept: ruleCase{insns: cat(bitmap(asm.R6, nrCPUs), view(asm.R7, asm.R6, true), setCPU(asm.R7), bmRelease(asm.R6), ret0)},
	},
	{
		title: "Bit kfuncs take their flags from the table",
		rule: "bpf_bitmap_* kfuncs are checked by their rows' flags like the cpumask ones: KF_RCU readers and mutators " +
			"take a referenced or RCU bitmap, KF_ACQUIRE/KF_RELEASE pair up, and struct bpf_bitmap matches only itself.",
		reject: ruleCase{insns: cat(create(asm.R6, "bpf_cpumask_create"), movi(asm.R1, 0), mov(asm.R2, asm.R6), call("bpf_bitmap_set_bit"), release(asm.R6), ret0)},
		accept: ruleCase{insns: cat(bitmap(asm.R6, nrCPUs), movi(asm.R1, 0), mov(asm.R2, asm.R6), call("bpf_bitmap_set_bit"), bmRelease(asm.R6), ret0)},
	},
}
