package main

import (
	"fmt"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/bpfbitmap/prototype/kfuncs/oracle"
)

// Layout of the one map value the programs use: three masks of maxWords
// words (a, b and the destination d), then a populate source, then a
// scratch copy as scx_bitmap_to_bpf makes, then a num_bits field for the
// inline cast.
const (
	maxWords   = 128 // 8192 CPUs
	offA       = 0
	offB       = offA + 8*maxWords
	offD       = offB + 8*maxWords
	offSrc     = offD + 8*maxWords
	srcBytes   = 512 // sizeof(scx_bitmap.bits): what scx passes to populate
	offScratch = offSrc + srcBytes
	offZero    = offScratch + srcBytes // maxWords zero words, for empty
	offLast    = offZero + 8*maxWords  // maxWords words, only the last bit of the mask set, for first
	offNumBits = offLast + 8*maxWords
	valueSize  = offNumBits + 8
)

// Stack slots: the outer loop's iterator and an inner bpf_for iterator.
const (
	fpOuter = -8
	fpInner = -16
)

// builder assembles one measurement program: setup, a bpf_iter_num loop of
// iterations runs of body, teardown.
type builder struct {
	o     *oracle.Oracle
	insns asm.Instructions
	label int
	err   error
	// arena, when set, puts the masks in the arena: R6 is an arena pointer
	// from the context, and casts lists the addr_space_cast instructions.
	arena *arenaMem
	casts []int
}

func (b *builder) emit(ins ...asm.Instruction) { b.insns = append(b.insns, ins...) }

func (b *builder) fresh(prefix string) string {
	b.label++
	return fmt.Sprintf("%s_%d", prefix, b.label)
}

func (b *builder) call(name string) {
	ins, err := b.o.KfuncCall(name)
	if err != nil && b.err == nil {
		b.err = err
	}
	b.emit(ins)
}

// iterNew emits bpf_iter_num_new(fp+slot, 0, n).
func (b *builder) iterNew(slot int16, n int32) {
	b.emit(asm.Mov.Reg(asm.R1, asm.R10), asm.Add.Imm(asm.R1, int32(slot)), asm.Mov.Imm(asm.R2, 0), asm.Mov.Imm(asm.R3, n))
	b.call("bpf_iter_num_new")
}

// iterNext emits r0 = bpf_iter_num_next(fp+slot) and a jump to done on NULL.
func (b *builder) iterNext(slot int16, done string) {
	b.emit(asm.Mov.Reg(asm.R1, asm.R10), asm.Add.Imm(asm.R1, int32(slot)))
	b.call("bpf_iter_num_next")
	b.emit(asm.JEq.Imm(asm.R0, 0, done))
}

func (b *builder) iterDestroy(slot int16) {
	b.emit(asm.Mov.Reg(asm.R1, asm.R10), asm.Add.Imm(asm.R1, int32(slot)))
	b.call("bpf_iter_num_destroy")
}

// bpfFor emits scx's bpf_for(i, 0, words) around body, which gets the word's
// byte offset in R1 (bounded below 8*words, as scx's own bound check does)
// and the label that leaves the loop. R6-R9 survive; R1-R5 do not survive
// the iterator call.
func (b *builder) bpfFor(words int, body func(done string)) {
	top, done := b.fresh("for"), b.fresh("for_done")
	b.iterNew(fpInner, int32(words))
	b.emit(asm.Ja.Label(top))
	b.emit(asm.Mov.Imm(asm.R0, 0).WithSymbol(top)) // a jump target the label can hold
	b.iterNext(fpInner, done)
	b.emit(
		asm.LoadMem(asm.R1, asm.R0, 0, asm.Word),
		asm.JGE.Imm(asm.R1, int32(words), done),
		asm.LSh.Imm(asm.R1, 3),
	)
	body(done)
	b.emit(asm.Ja.Label(top))
	b.emit(asm.Mov.Imm(asm.R0, 0).WithSymbol(done))
	b.iterDestroy(fpInner)
}

// program is the whole measurement program: R6 holds the map value (or the
// arena's first byte), R7-R9
// the masks setup created (or are free), body runs iterations times.
func (b *builder) program(m *ebpf.Map, iterations int, setup, body, teardown func()) asm.Instructions {
	if b.arena != nil {
		b.casts = append(b.casts, b.arenaPrologue(b.arena))
	} else {
		b.emit(asm.LoadMapValue(asm.R6, m.FD(), 0))
	}
	if setup != nil {
		setup()
	}
	top, done := b.fresh("loop"), b.fresh("loop_done")
	b.iterNew(fpOuter, int32(iterations))
	b.emit(asm.Mov.Imm(asm.R0, 0).WithSymbol(top))
	b.iterNext(fpOuter, done)
	if body != nil {
		body()
	}
	b.emit(asm.Ja.Label(top))
	b.emit(asm.Mov.Imm(asm.R0, 0).WithSymbol(done))
	b.iterDestroy(fpOuter)
	if teardown != nil {
		teardown()
	}
	b.emit(asm.Mov.Imm(asm.R0, 0), asm.Return())
	return b.insns
}

// createMasks creates three bpf_cpumasks into R7, R8 and R9 (returning 1 if
// any is NULL, releasing the others), all CPUs below nr_cpu_ids set in R8
// and R9 by bpf_cpumask_setall.
func (b *builder) createMasks() {
	fail := b.fresh("create_fail")
	for _, r := range []asm.Register{asm.R7, asm.R8, asm.R9} {
		b.call("bpf_cpumask_create")
		b.emit(asm.Mov.Reg(r, asm.R0))
	}
	b.emit(asm.JEq.Imm(asm.R7, 0, fail), asm.JEq.Imm(asm.R8, 0, fail), asm.JEq.Imm(asm.R9, 0, fail))
	for _, r := range []asm.Register{asm.R8, asm.R9} {
		b.emit(asm.Mov.Reg(asm.R1, r))
		b.call("bpf_cpumask_setall")
	}
	ok := b.fresh("created")
	b.emit(asm.Ja.Label(ok))
	b.emit(asm.Mov.Imm(asm.R0, 0).WithSymbol(fail))
	for _, r := range []asm.Register{asm.R7, asm.R8, asm.R9} {
		skip := b.fresh("skip")
		b.emit(asm.JEq.Imm(r, 0, skip), asm.Mov.Reg(asm.R1, r))
		b.call("bpf_cpumask_release")
		b.emit(asm.Mov.Imm(asm.R0, 0).WithSymbol(skip))
	}
	b.emit(asm.Mov.Imm(asm.R0, 1), asm.Return())
	b.emit(asm.Mov.Imm(asm.R0, 0).WithSymbol(ok))
}

func (b *builder) releaseMasks() {
	for _, r := range []asm.Register{asm.R7, asm.R8, asm.R9} {
		b.emit(asm.Mov.Reg(asm.R1, r))
		b.call("bpf_cpumask_release")
	}
}

// wordAt emits dst = *(u64 *)(R6 + R1 + off): R1 is a byte offset.
func wordAt(dst asm.Register, off int16) asm.Instructions {
	return asm.Instructions{asm.Mov.Reg(asm.R5, asm.R6), asm.Add.Reg(asm.R5, asm.R1), asm.LoadMem(dst, asm.R5, off, asm.DWord)}
}
