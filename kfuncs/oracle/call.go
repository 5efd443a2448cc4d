package oracle

import (
	"encoding/binary"
	"fmt"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"

	"github.com/bpfbitmap/prototype/kfuncs"
)

// loadMode chooses how invoke puts an input mask into a fresh bpf_cpumask.
type loadMode uint8

const (
	// loadPopulate fills the mask with bpf_cpumask_populate from a stack
	// copy of the input, as a BPF program would. Populate copies only
	// ceil(nr_cpu_ids/64) words, so higher input words must be zero.
	loadPopulate loadMode = iota
	// loadCopy fills the mask with bpf_cpumask_copy from a stack buffer
	// the verifier accepts as a const struct cpumask * (any memory of
	// sizeof(struct cpumask) bytes). copy moves large_cpumask_bits, so on
	// kernels with NR_CPUS <= 256 every storage word can be set: the way to
	// plant bits above nr_cpu_ids.
	loadCopy
)

// String names the kfunc the load uses.
func (l loadMode) String() string {
	if l == loadCopy {
		return "copy"
	}
	return "populate"
}

// kcall describes one kfunc invocation on fresh masks.
type kcall struct {
	Kfunc kfunc
	// CPU is the u32 cpu argument of the per-CPU kfuncs.
	CPU uint32
	// Masks are the mask arguments in the kernel's argument order (dst
	// first for and/or/xor/copy), each as little-endian words of struct
	// cpumask; shorter slices are zero-extended.
	Masks [][]uint64
	// Src is bpf_cpumask_populate's source; its length is src__sz.
	Src []byte
	// Load chooses how Masks reach the kernel.
	Load loadMode
	// Repeat calls the kfunc this many times (at least once) within one
	// program run, with the same arguments: the way to see
	// any_distribute's cursor move without another task in between.
	Repeat int
}

// result is what one kcall observed.
type result struct {
	// Ret is R0 after the last call, raw. Read it through Bool, U32 or Int
	// according to the kfunc's retKind.
	Ret uint64
	// Rets holds R0 after each of kcall.Repeat calls.
	Rets []uint64
	// Masks are the mask arguments after the calls, each the full
	// Topology().Words() words of struct cpumask storage.
	Masks [][]uint64
}

// Bool reads Ret as a C bool (the JIT defines only R0's low byte).
func (r result) Bool() bool { return uint8(r.Ret) != 0 }

// U32 reads Ret as a u32.
func (r result) U32() uint32 { return uint32(r.Ret) }

// Int reads Ret as a C int.
func (r result) Int() int32 { return int32(uint32(r.Ret)) }

// progKey identifies one cached program.
type progKey struct {
	fn     kfunc
	load   loadMode
	srcLen int
	repeat int
	// cost is non-zero for measurement programs, zero for kcall programs.
	cost costKey
}

// Context layout, in u64 slots. One buffer carries inputs in and results
// out because a SYSCALL program's context is copied back after the run.
const (
	slotStatus = 0 // 0 ok, statusNoMem, statusSetup
	slotDetail = 1 // failing mask index, or populate's return value
	slotCPU    = 2
	slotRets   = 3 // Repeat return values follow

	statusNoMem = 1
	statusSetup = 2

	maxStack  = 512
	maxRepeat = 64
	maxSrc    = 256
)

var maskRegs = [...]asm.Register{asm.R7, asm.R8, asm.R9}

type layout struct {
	words, validWords int
	masks, repeat     int
	srcWords          int
}

func (l layout) maskSlot(i, j int) int { return slotRets + l.repeat + i*l.words + j }
func (l layout) srcSlot(j int) int     { return slotRets + l.repeat + l.masks*l.words + j }
func (l layout) slots() int            { return l.srcSlot(l.srcWords) }

// Stack: the staging buffer for an input mask just below the frame top,
// the populate source below it.
func (l layout) stageOff() int16 { return int16(-8 * l.words) }
func (l layout) srcOff() int16   { return l.stageOff() - int16(8*l.srcWords) }

func (o *Oracle) layoutFor(k progKey) layout {
	return layout{
		words:      o.topo.Words(),
		validWords: o.topo.ValidWords(),
		masks:      k.fn.NumMasks(),
		repeat:     k.repeat,
		srcWords:   (k.srcLen + 7) / 8,
	}
}

func ctxOff(slot int) int16 { return int16(8 * slot) }

// invoke runs c in the kernel: one program run, built on first use.
func (o *Oracle) invoke(c kcall) (result, error) {
	if !c.Kfunc.valid() {
		return result{}, fmt.Errorf("kfunc %q: %w", c.Kfunc, ErrInvalidInput)
	}
	k := progKey{fn: c.Kfunc, load: c.Load, srcLen: len(c.Src), repeat: max(c.Repeat, 1)}
	l := o.layoutFor(k)
	if err := o.checkCall(c, k, l); err != nil {
		return result{}, err
	}
	prog, err := o.program(k)
	if err != nil {
		return result{}, err
	}

	buf := make([]byte, 8*l.slots())
	put := func(slot int, v uint64) { binary.NativeEndian.PutUint64(buf[8*slot:], v) }
	get := func(slot int) uint64 { return binary.NativeEndian.Uint64(buf[8*slot:]) }
	put(slotCPU, uint64(c.CPU))
	for i, m := range c.Masks {
		for j, w := range m {
			put(l.maskSlot(i, j), w)
		}
	}
	copy(buf[8*l.srcSlot(0):], c.Src)

	if _, err := prog.Run(&ebpf.RunOptions{Context: buf, ContextOut: buf}); err != nil {
		return result{}, fmt.Errorf("run %s: %w", c.Kfunc, err)
	}
	switch get(slotStatus) {
	case 0:
	case statusNoMem:
		return result{}, fmt.Errorf("%s: input mask %d: %w", c.Kfunc, get(slotDetail), ErrNoMem)
	default:
		return result{}, fmt.Errorf("%s: populate returned %d: %w", c.Kfunc, int32(get(slotDetail)), errSetup)
	}

	r := result{Rets: make([]uint64, k.repeat), Masks: make([][]uint64, l.masks)}
	for i := range r.Rets {
		r.Rets[i] = get(slotRets + i)
	}
	r.Ret = r.Rets[len(r.Rets)-1]
	for i := range r.Masks {
		r.Masks[i] = make([]uint64, l.words)
		for j := range r.Masks[i] {
			r.Masks[i][j] = get(l.maskSlot(i, j))
		}
	}
	return r, nil
}

func (o *Oracle) checkCall(c kcall, k progKey, l layout) error {
	if len(c.Masks) != l.masks {
		return fmt.Errorf("%s takes %d masks, got %d: %w", c.Kfunc, l.masks, len(c.Masks), ErrInvalidInput)
	}
	for i, m := range c.Masks {
		if len(m) > l.words {
			return fmt.Errorf("%s mask %d: %d words > struct cpumask's %d: %w",
				c.Kfunc, i, len(m), l.words, ErrInvalidInput)
		}
		if c.Load == loadPopulate {
			for j := l.validWords; j < len(m); j++ {
				if m[j] != 0 {
					return fmt.Errorf("%s mask %d word %d: populate cannot set words beyond nr_cpu_ids (use LoadCopy): %w",
						c.Kfunc, i, j, ErrInvalidInput)
				}
			}
		}
	}
	if c.Kfunc.TakesSrc() != (len(c.Src) > 0) {
		return fmt.Errorf("%s: Src is for bpf_cpumask_populate only, and it needs one: %w", c.Kfunc, ErrInvalidInput)
	}
	if len(c.Src) > maxSrc || k.repeat > maxRepeat {
		return fmt.Errorf("%s: Src %d bytes (max %d), Repeat %d (max %d): %w",
			c.Kfunc, len(c.Src), maxSrc, k.repeat, maxRepeat, ErrInvalidInput)
	}
	if -int(l.srcOff()) > maxStack {
		return fmt.Errorf("%s: %d words of struct cpumask do not fit the BPF stack: %w", c.Kfunc, l.words, ErrInvalidInput)
	}
	return nil
}

func (o *Oracle) program(k progKey) (*ebpf.Program, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if p, ok := o.progs[k]; ok {
		return p, nil
	}
	insns := o.callProgram(k, o.layoutFor(k))
	p, err := o.LoadProgram("oracle_call", insns)
	if err != nil {
		return nil, fmt.Errorf("load %s program: %w", k.fn, err)
	}
	o.progs[k] = p
	return p, nil
}

// emitter appends instructions and attaches pending labels to the next one.
type emitter struct {
	insns   asm.Instructions
	pending string
}

func (e *emitter) emit(ins ...asm.Instruction) {
	for _, in := range ins {
		if e.pending != "" {
			in = in.WithSymbol(e.pending)
			e.pending = ""
		}
		e.insns = append(e.insns, in)
	}
}

// label names the next instruction. Two labels in a row get a "ja +0"
// between them, since an instruction carries one symbol.
func (e *emitter) label(name string) {
	if e.pending != "" {
		e.emit(asm.Instruction{OpCode: asm.Ja.Op(asm.ImmSource)})
	}
	e.pending = name
}

// storeImm64 emits *(u64 *)(dst + off) = imm. BPF_ST|BPF_DW is valid BPF
// (the immediate is sign-extended), but asm.StoreImm refuses DWord.
func storeImm64(dst asm.Register, off int16, imm int32) asm.Instruction {
	return asm.Instruction{OpCode: asm.StoreImmOp(asm.DWord), Dst: dst, Offset: off, Constant: int64(imm)}
}

// call is for kfuncs Open has already found; a miss is a programming error
// and shows up as a verifier rejection of ID 0.
func (o *Oracle) kf(name string) asm.Instruction {
	id, _ := o.kfuncID(name)
	return kfuncCall(id)
}

// releaseAndExit releases the first n masks and returns 0: every exit must
// drop every reference or the verifier refuses the program.
func (o *Oracle) releaseAndExit(e *emitter, n int) {
	for i := range n {
		e.emit(asm.Mov.Reg(asm.R1, maskRegs[i]), o.kf("bpf_cpumask_release"))
	}
	e.emit(asm.Mov.Imm(asm.R0, 0), asm.Return())
}

// loadMasks creates and fills one bpf_cpumask per input, keeping them in
// R7..R9, which survive kfunc calls.
func (o *Oracle) loadMasks(e *emitter, load loadMode, l layout) {
	for i := range l.masks {
		ok := fmt.Sprintf("created_%d", i)
		e.emit(
			o.kf("bpf_cpumask_create"),
			asm.JNE.Imm(asm.R0, 0, ok),
			storeImm64(asm.R6, ctxOff(slotStatus), statusNoMem),
			storeImm64(asm.R6, ctxOff(slotDetail), int32(i)),
		)
		o.releaseAndExit(e, i)
		e.label(ok)
		e.emit(asm.Mov.Reg(maskRegs[i], asm.R0))

		// The verifier refuses a context pointer as populate's source, so
		// the words go through the stack.
		n := l.words
		if load == loadPopulate {
			n = l.validWords
		}
		for j := range n {
			e.emit(
				asm.LoadMem(asm.R1, asm.R6, ctxOff(l.maskSlot(i, j)), asm.DWord),
				asm.StoreMem(asm.RFP, l.stageOff()+int16(8*j), asm.R1, asm.DWord),
			)
		}
		e.emit(
			asm.Mov.Reg(asm.R1, maskRegs[i]),
			asm.Mov.Reg(asm.R2, asm.RFP),
			asm.Add.Imm(asm.R2, int32(l.stageOff())),
		)
		if load == loadCopy {
			e.emit(o.kf("bpf_cpumask_copy"))
			continue
		}
		filled := fmt.Sprintf("filled_%d", i)
		e.emit(
			asm.Mov.Imm(asm.R3, int32(8*n)),
			o.kf("bpf_cpumask_populate"),
			asm.JEq.Imm(asm.R0, 0, filled),
			storeImm64(asm.R6, ctxOff(slotStatus), statusSetup),
			asm.StoreMem(asm.R6, ctxOff(slotDetail), asm.R0, asm.DWord),
		)
		o.releaseAndExit(e, i+1)
		e.label(filled)
	}
}

// setArgs loads the kfunc's arguments into R1.. in C order, following its
// signature: a scalar is the cpu, a struct pointer the next mask, memory
// the populate source, with its size after it.
func (o *Oracle) setArgs(e *emitter, fn kfunc, l layout, srcLen int) {
	sig, _ := fn.signature()
	mask := 0
	for i, p := range sig.Params {
		reg := asm.R1 + asm.Register(i)
		switch {
		case isMask(p):
			e.emit(asm.Mov.Reg(reg, maskRegs[mask]))
			mask++
		case p.Kind == kfuncs.ParamScalar:
			e.emit(asm.LoadMem(reg, asm.R6, ctxOff(slotCPU), asm.DWord))
		case p.Kind == kfuncs.ParamMem:
			e.emit(asm.Mov.Reg(reg, asm.RFP), asm.Add.Imm(reg, int32(l.srcOff())))
		case p.Kind == kfuncs.ParamMemSize:
			e.emit(asm.Mov.Imm(reg, int32(srcLen)))
		}
	}
}

func (o *Oracle) callProgram(k progKey, l layout) asm.Instructions {
	var e emitter
	e.emit(asm.Mov.Reg(asm.R6, asm.R1))
	o.loadMasks(&e, k.load, l)
	for j := range l.srcWords {
		e.emit(
			asm.LoadMem(asm.R1, asm.R6, ctxOff(l.srcSlot(j)), asm.DWord),
			asm.StoreMem(asm.RFP, l.srcOff()+int16(8*j), asm.R1, asm.DWord),
		)
	}
	for rep := range k.repeat {
		o.setArgs(&e, k.fn, l, k.srcLen)
		e.emit(o.kf(k.fn.String()))
		if k.fn.Ret() == retVoid {
			continue // R0 is unreadable after a void kfunc
		}
		e.emit(asm.StoreMem(asm.R6, ctxOff(slotRets+rep), asm.R0, asm.DWord))
	}
	// Read back every storage word, not just the valid ones: what the
	// kfuncs do above nr_cpu_ids is part of what the oracle reports.
	for i := range l.masks {
		for j := range l.words {
			e.emit(
				asm.LoadMem(asm.R1, maskRegs[i], int16(8*j), asm.DWord),
				asm.StoreMem(asm.R6, ctxOff(l.maskSlot(i, j)), asm.R1, asm.DWord),
			)
		}
	}
	o.releaseAndExit(&e, l.masks)
	return e.insns
}
