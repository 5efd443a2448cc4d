package main

import (
	"github.com/cilium/ebpf/asm"
)

// An op is one measured body: what the loop repeats.
type op struct {
	// Name says what runs: a kernel kfunc name, or the arena road's scx
	// function and its BPF form.
	Name string
	// Words is the arena mask's length the body loops over (0 for kfunc
	// bodies, which run on the kernel's own cpumask size).
	Words int
	// Masks makes the program create three bpf_cpumasks into R7-R9 first.
	Masks bool
	// SrcBytes is populate's src__sz, where the body calls it.
	SrcBytes int
	body     func(b *builder)
}

// Arena-road bodies, as scx writes them: bpf_for over mask_size words of
// arena memory (here a map value, see the package doc).

func arenaAnd(words int) op {
	return op{Name: "scx_bitmap_and (bpf_for, BPF loads and stores)", Words: words, body: func(b *builder) {
		b.bpfFor(words, func(string) {
			b.emit(wordAt(asm.R2, offA)...)
			b.emit(wordAt(asm.R3, offB)...)
			b.emit(asm.And.Reg(asm.R2, asm.R3), asm.StoreMem(asm.R5, offD, asm.R2, asm.DWord))
		})
	}}
}

func arenaOr(words int) op {
	return op{Name: "scx_bitmap_or (bpf_for, BPF loads and stores)", Words: words, body: func(b *builder) {
		b.bpfFor(words, func(string) {
			b.emit(wordAt(asm.R2, offA)...)
			b.emit(wordAt(asm.R3, offB)...)
			b.emit(asm.Or.Reg(asm.R2, asm.R3), asm.StoreMem(asm.R5, offD, asm.R2, asm.DWord))
		})
	}}
}

// arenaEmpty scans an all-zero mask: every word is read.
func arenaEmpty(words int) op {
	return op{Name: "scx_bitmap_empty (bpf_for, early exit; mask empty)", Words: words, body: func(b *builder) {
		b.bpfFor(words, func(done string) {
			b.emit(wordAt(asm.R2, offZero)...)
			b.emit(asm.JNE.Imm(asm.R2, 0, done))
		})
	}}
}

// arenaWeight counts bits without a popcount instruction (BPF has none):
// the SWAR sum of lib/hweight.c's __sw_hweight64, per word.
func arenaWeight(words int) op {
	return op{Name: "weight (bpf_for, SWAR popcount: BPF has no popcount instruction)", Words: words, body: func(b *builder) {
		b.emit(asm.Mov.Imm(asm.R7, 0))
		b.bpfFor(words, func(string) {
			b.emit(wordAt(asm.R2, offA)...)
			b.emit(
				asm.Mov.Reg(asm.R3, asm.R2), asm.RSh.Imm(asm.R3, 1),
				asm.LoadImm(asm.R4, 0x5555555555555555, asm.DWord), asm.And.Reg(asm.R3, asm.R4), asm.Sub.Reg(asm.R2, asm.R3),
				asm.LoadImm(asm.R4, 0x3333333333333333, asm.DWord),
				asm.Mov.Reg(asm.R3, asm.R2), asm.RSh.Imm(asm.R3, 2), asm.And.Reg(asm.R3, asm.R4), asm.And.Reg(asm.R2, asm.R4), asm.Add.Reg(asm.R2, asm.R3),
				asm.Mov.Reg(asm.R3, asm.R2), asm.RSh.Imm(asm.R3, 4), asm.Add.Reg(asm.R2, asm.R3),
				asm.LoadImm(asm.R4, 0x0f0f0f0f0f0f0f0f, asm.DWord), asm.And.Reg(asm.R2, asm.R4),
				asm.LoadImm(asm.R4, 0x0101010101010101, asm.DWord), asm.Mul.Reg(asm.R2, asm.R4), asm.RSh.Imm(asm.R2, 56),
				asm.Add.Reg(asm.R7, asm.R2),
			)
		})
	}}
}

// arenaFirst finds the first set bit as scx's pickers do: the first
// non-zero word, then scx_ffs's binary search. The mask's only set bit is
// its last, so every word is read.
func arenaFirst(words int) op {
	return op{Name: "first set bit (bpf_for, scx_ffs binary search)", Words: words, body: func(b *builder) {
		b.bpfFor(words, func(done string) {
			next := b.fresh("next_word")
			b.emit(wordAt(asm.R2, offLast)...)
			b.emit(asm.JEq.Imm(asm.R2, 0, next), asm.Mov.Imm(asm.R3, 0))
			for _, step := range []struct {
				bits  int32
				shift int32
			}{{32, 32}, {16, 16}, {8, 8}, {4, 4}, {2, 2}, {1, 1}} {
				skip := b.fresh("ffs")
				if step.bits == 32 {
					b.emit(asm.Mov.Reg(asm.R4, asm.R2), asm.LSh.Imm(asm.R4, 32))
				} else {
					b.emit(asm.Mov.Reg(asm.R4, asm.R2), asm.And.Imm(asm.R4, int32(1)<<step.bits-1))
				}
				b.emit(asm.JNE.Imm(asm.R4, 0, skip), asm.Add.Imm(asm.R3, step.shift), asm.RSh.Imm(asm.R2, step.shift))
				b.emit(asm.Mov.Imm(asm.R0, 0).WithSymbol(skip))
			}
			b.emit(asm.LSh.Imm(asm.R1, 3), asm.Add.Reg(asm.R1, asm.R3), asm.Mov.Reg(asm.R8, asm.R1), asm.Ja.Label(done))
			b.emit(asm.Mov.Imm(asm.R0, 0).WithSymbol(next))
		})
	}}
}

// arenaToCpumask is scx_bitmap_to_bpf: copy the words to a buffer, then
// bpf_cpumask_populate from its 512 bytes into a bpf_cpumask (R7).
func arenaToCpumask(words int) op {
	return op{Name: "scx_bitmap_to_bpf (bpf_for copy + bpf_cpumask_populate)", Words: words, Masks: true, SrcBytes: srcBytes, body: func(b *builder) {
		b.bpfFor(words, func(string) {
			b.emit(wordAt(asm.R2, offA)...)
			b.emit(asm.StoreMem(asm.R5, offScratch, asm.R2, asm.DWord))
		})
		b.emit(asm.Mov.Reg(asm.R1, asm.R7), asm.Mov.Reg(asm.R2, asm.R6), asm.Add.Imm(asm.R2, offScratch), asm.Mov.Imm(asm.R3, srcBytes))
		b.call("bpf_cpumask_populate")
	}}
}

// kfunc bodies on bpf_cpumasks R7 (empty, the destination), R8 and R9 (all
// CPUs below nr_cpu_ids).

func kfunc(name string, args ...asm.Instruction) op {
	return op{Name: name, Masks: true, body: func(b *builder) {
		b.emit(args...)
		b.call(name)
	}}
}

func kfuncOps() []op {
	return []op{
		kfunc("bpf_cpumask_and", asm.Mov.Reg(asm.R1, asm.R7), asm.Mov.Reg(asm.R2, asm.R8), asm.Mov.Reg(asm.R3, asm.R9)),
		kfunc("bpf_cpumask_or", asm.Mov.Reg(asm.R1, asm.R7), asm.Mov.Reg(asm.R2, asm.R8), asm.Mov.Reg(asm.R3, asm.R9)),
		kfunc("bpf_cpumask_empty", asm.Mov.Reg(asm.R1, asm.R7)),
		kfunc("bpf_cpumask_weight", asm.Mov.Reg(asm.R1, asm.R8)),
		kfunc("bpf_cpumask_first", asm.Mov.Reg(asm.R1, asm.R7)),
	}
}

// Conversion bodies: what turning a mask into a const struct cpumask *
// costs in each design.

// castInline is the checked cast as it would compile if inlined: load
// num_bits, compare with nr_cpu_ids, keep the pointer or NULL.
func castInline(nrCPUIDs int) op {
	return op{Name: "checked cast, inline stand-in: load num_bits, compare with nr_cpu_ids, branch", body: func(b *builder) {
		skip := b.fresh("cast_null")
		b.emit(
			asm.Mov.Imm(asm.R9, 0),
			asm.LoadMem(asm.R1, asm.R6, offNumBits, asm.Word),
			asm.JNE.Imm(asm.R1, int32(nrCPUIDs), skip),
			asm.Mov.Reg(asm.R9, asm.R6),
			asm.Mov.Imm(asm.R0, 0).WithSymbol(skip),
		)
	}}
}

// castKfunc is the checked cast as a kfunc call of equal work:
// bpf_cpumask_test_cpu compares its cpu with nr_cpu_ids and loads one word.
func castKfunc() op {
	o := kfunc("bpf_cpumask_test_cpu", asm.Mov.Imm(asm.R1, 0), asm.Mov.Reg(asm.R2, asm.R7))
	o.Name = "checked cast, kfunc stand-in: bpf_cpumask_test_cpu (a compare with nr_cpu_ids and one load)"
	return o
}

func populate(size int32) op {
	o := kfunc("bpf_cpumask_populate", asm.Mov.Reg(asm.R1, asm.R7), asm.Mov.Reg(asm.R2, asm.R6), asm.Add.Imm(asm.R2, offSrc), asm.Mov.Imm(asm.R3, size))
	o.SrcBytes = int(size)
	return o
}
