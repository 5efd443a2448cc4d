package progs

import (
	"fmt"

	"github.com/cilium/ebpf/asm"
)

// Overrun returns probes that ask the verifier whether memory of some size
// may stand in for a struct cpumask, built for design d: a bitmap of
// exactly nr_cpu_ids bits passed where the kernel reads
// sizeof(struct cpumask). They are only to be loaded, never run: one
// would write a task's CPU mask.
func Overrun(d Design, t Target) []Program {
	exact := 8 * t.ValidWords()
	copyFrom := func(b *builder, load func(b *builder)) {
		b.createCpumask(m7)
		b.ifNullReturn(m7)
		load(b) // leaves the source in R2
		b.emit(b.viewArg(asm.R1, m7), Call("bpf_cpumask_copy"))
		b.release(m7)
		b.ret0()
	}
	stack := func(bytes int) func(b *builder) {
		return func(b *builder) {
			for off := 8; off <= bytes; off += 8 {
				b.emit(storeImm64(asm.RFP, int16(-off), 0))
			}
			b.emit(asm.Mov.Reg(asm.R2, asm.RFP), asm.Add.Imm(asm.R2, int32(-bytes)))
		}
	}
	var out []Program
	add := func(name, about string, want Want, build func(b *builder)) {
		b := newBuilder(d, t)
		build(b)
		p := b.program(name, want)
		p.About = about
		out = append(out, p)
	}
	add("copy_src_stack_nr_cpu_ids",
		fmt.Sprintf("bpf_cpumask_copy from %d bytes of stack (ceil(nr_cpu_ids/64) words) at the top of the frame", exact),
		Want{Msg: "invalid read from stack R2"},
		func(b *builder) { copyFrom(b, stack(exact)) })
	add("copy_src_stack_cpumask",
		fmt.Sprintf("bpf_cpumask_copy from %d bytes of stack (sizeof(struct cpumask))", 8*t.CpumaskWords),
		Want{Accept: true},
		func(b *builder) { copyFrom(b, stack(8*t.CpumaskWords)) })
	add("copy_src_map_value_nr_cpu_ids",
		fmt.Sprintf("bpf_cpumask_copy from an array map value of %d bytes", exact),
		Want{Msg: "R2 min value is outside of the allowed memory range"},
		func(b *builder) {
			m := b.valueMap(cstruct("bitmap", field{"bits", carray(btfLong, uint32(t.ValidWords()))}))
			copyFrom(b, func(b *builder) { b.mapValue(asm.R2, m, 0) })
		})
	// Accepted on 6.18: populate's destination is a plain struct cpumask *,
	// and an RCU task->cpus_ptr is one. Never run it.
	add("populate_dst_task_cpus_ptr",
		"bpf_cpumask_populate into task->cpus_ptr (a kernel-owned struct cpumask, under RCU)",
		Want{Accept: true},
		func(b *builder) {
			b.rcuLock()
			b.currentTask(asm.R8)
			b.emit(
				storeImm64(asm.RFP, -8, 0),
				b.cpusPtr(asm.R1, asm.R8),
				asm.Mov.Reg(asm.R2, asm.RFP),
				asm.Add.Imm(asm.R2, -8),
				asm.Mov.Imm(asm.R3, 8),
				Call("bpf_cpumask_populate"),
			)
			b.rcuUnlock()
			b.ret0()
		})
	return out
}

// KptrFieldsProbe returns a fixed-design program that moves a new mask into
// the last of n kptr slots of a map value. It verifies only when the
// kernel honours n kptr fields per value (Target.KptrFieldsMax); past that
// the map is created without BTF and the slot is no kptr.
func KptrFieldsProbe(t Target, n int) Program {
	b := newBuilder(Fixed, t)
	m := b.valueMap(cstruct("probe", field{"mask", carray(b.kptrType(), uint32(n))}))
	b.createCpumask(m7)
	b.ifNullReturn(m7)
	b.kptrXchg(m, 8*(n-1), m7)
	done := b.fresh("done")
	b.emit(asm.JEq.Imm(asm.R0, 0, done), asm.Mov.Reg(asm.R1, asm.R0), Call("bpf_cpumask_release"))
	b.label(done)
	b.ret0()
	return b.program(fmt.Sprintf("kptr_fields_%d", n), Want{Accept: n <= t.KptrFieldsMax})
}
