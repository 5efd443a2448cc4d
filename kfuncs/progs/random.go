package progs

import (
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"

	"github.com/bpfbitmap/prototype/kfuncs"
)

// RandomMap is the map every Random program may use: one value with two
// kptr fields of the design's struct, at offsets 0 and 8, and a u64 at 16.
const RandomMap = "rnd_kptrs"

// randomRegs hold masks, views and scalars across calls; R9 keeps the
// context.
var randomRegs = [...]asm.Register{asm.R6, asm.R7, asm.R8}

// randomSlots are the stack slots values are spilled to.
var randomSlots = [...]int16{-8, -16}

// Random returns a random program of design d that exercises the
// verifier's reference, NULL and RCU rules. Half the programs are written
// as a careful programmer would (every reference released on every path,
// NULL checks where needed, RCU pointers used inside their section) with
// an occasional slip; the others are free-form: creates, acquires, releases,
// casts (generic design) and other mask kfunc calls on registers that may
// or may not hold what the call needs, NULL checks present or missing or
// written on the wrong width, forward branches on scalars, spills and
// fills, kptr loads, stores and bpf_kptr_xchg, RCU sections, bpf_throw
// (bpf_assert) and early exits. Nothing guarantees it verifies: it is
// input for comparing verifiers, the kernel's and the model's. It has no
// loops and every instruction is reachable. The same rng state gives the
// same program.
func Random(rng *rand.Rand, d Design, t Target) Program {
	g := &randGen{rng: rng, d: d, t: t}
	g.build()
	return Program{
		Name:   fmt.Sprintf("random_%s", d),
		Design: d,
		Insns:  g.insns,
		Maps:   []Map{g.mapDesc()},
		About:  "a random program for the differential test of kfuncs/verifier",
	}
}

type randGen struct {
	rng    *rand.Rand
	d      Design
	t      Target
	insns  asm.Instructions
	labels int
	// pending are labels of forward jumps, by the block they land at.
	pending map[int][]string
	block   int
}

func (g *randGen) mapDesc() Map {
	kp := &btf.Pointer{Target: &btf.TypeTag{Value: "kptr", Type: &btf.Struct{Name: g.d.KptrStruct()}}}
	return Map{Name: RandomMap, Value: cstruct(RandomMap+"_value", field{"a", kp}, field{"b", kp}, field{"n", btfLong})}
}

func (g *randGen) emit(ins ...asm.Instruction) { g.insns = append(g.insns, ins...) }

// flush places the labels of the jumps that land at the current block, each
// on a no-op (R5 is only ever an argument register).
func (g *randGen) flush() {
	for _, l := range g.pending[g.block] {
		g.emit(asm.Mov.Imm(asm.R5, 0).WithSymbol(l))
	}
	delete(g.pending, g.block)
}

func (g *randGen) label() string {
	g.labels++
	return fmt.Sprintf("l%d", g.labels)
}

// forward returns a label placed at the start of a later block.
func (g *randGen) forward(blocks int) string {
	l := g.label()
	at := g.block + 1 + g.rng.IntN(3)
	if at > blocks {
		at = blocks
	}
	g.pending[at] = append(g.pending[at], l)
	return l
}

func (g *randGen) reg() asm.Register { return randomRegs[g.rng.IntN(len(randomRegs))] }

func (g *randGen) name(fixed string) string {
	if g.d == Generic {
		return strings.Replace(fixed, "bpf_cpumask_", "bpf_bitmap_", 1)
	}
	return fixed
}

// maskKfuncs are the rows a random call may pick: every kfunc with a mask
// parameter that takes no reference.
func (g *randGen) maskKfuncs() []kfuncs.Kfunc {
	var out []kfuncs.Kfunc
	for _, k := range kfuncs.Kfuncs {
		if k.Kind != kfuncs.KindKfunc || k.Flags&(kfuncs.KfAcquire|kfuncs.KfRelease) != 0 || k.Kernel == "bpf_bitmap_cast_to_cpumask" {
			continue
		}
		if k.Design == kfuncs.DesignProposed && g.d != Generic {
			continue
		}
		sig, err := k.Signature()
		if err != nil || len(sig.Params) == 0 {
			continue
		}
		usable := true
		for _, p := range sig.Params {
			if p.Kind == kfuncs.ParamIter || p.Kind == kfuncs.ParamMem || p.Kind == kfuncs.ParamMemSize {
				usable = false
			}
		}
		if usable {
			out = append(out, k)
		}
	}
	return out
}

func (g *randGen) build() {
	if g.rng.IntN(2) == 0 {
		g.buildDisciplined()
		return
	}
	g.pending = map[int][]string{}
	blocks := 3 + g.rng.IntN(10)
	calls := g.maskKfuncs()
	if g.rng.IntN(8) != 0 {
		for _, r := range randomRegs {
			g.emit(asm.Mov.Imm(r, 0))
		}
	}
	g.emit(asm.Mov.Reg(asm.R9, asm.R1))
	for g.block = 0; g.block < blocks; g.block++ {
		g.flush()
		g.op(blocks, calls)
	}
	g.flush()
	// The end: maybe release what may be held, then return.
	if g.rng.IntN(2) == 0 {
		for _, r := range randomRegs {
			skip := g.label()
			g.emit(asm.JEq.Imm(r, 0, skip), asm.Mov.Reg(asm.R1, r), Call(g.name("bpf_cpumask_release")))
			g.emit(asm.Mov.Imm(asm.R5, 0).WithSymbol(skip))
		}
	}
	if g.rng.IntN(3) == 0 {
		g.emit(Call("bpf_rcu_read_unlock"))
	}
	g.emit(asm.Mov.Imm(asm.R0, 0), asm.Return())
}

func (g *randGen) nullCheck(r asm.Register, blocks int) {
	switch g.rng.IntN(8) {
	case 0: // none
	case 1: // the wrong width: not a NULL check
		g.emit(asm.JEq.Imm32(r, 0, g.forward(blocks)))
	case 2, 3, 4:
		ok := g.label()
		g.emit(asm.JNE.Imm(r, 0, ok), asm.Mov.Imm(asm.R0, 0), asm.Return())
		g.pending[g.block+1] = append(g.pending[g.block+1], ok)
	default:
		g.emit(asm.JEq.Imm(r, 0, g.forward(blocks)))
	}
}

func (g *randGen) op(blocks int, calls []kfuncs.Kfunc) {
	rng := g.rng
	dst := g.reg()
	switch rng.IntN(16) {
	case 0, 1: // create
		if g.d == Generic {
			switch rng.IntN(4) {
			case 0:
				g.emit(asm.LoadMem(asm.R1, asm.R9, CtxNrCPUs, asm.DWord))
			case 1:
				g.emit(asm.Mov.Imm(asm.R1, int32(g.t.NrCPUIDs+1+rng.IntN(64))))
			default:
				g.emit(asm.Mov.Imm(asm.R1, int32(g.t.NrCPUIDs)))
			}
		}
		g.emit(Call(g.name("bpf_cpumask_create")), asm.Mov.Reg(dst, asm.R0))
		g.nullCheck(dst, blocks)
	case 2: // acquire
		g.emit(asm.Mov.Reg(asm.R1, g.reg()), Call(g.name("bpf_cpumask_acquire")), asm.Mov.Reg(dst, asm.R0))
	case 3, 4: // release
		g.emit(asm.Mov.Reg(asm.R1, dst), Call(g.name("bpf_cpumask_release")))
	case 5, 6: // a kfunc on masks
		k := calls[rng.IntN(len(calls))]
		sig, _ := k.Signature()
		for i, p := range sig.Params {
			r := asm.R1 + asm.Register(i)
			if p.Kind == kfuncs.ParamScalar && rng.IntN(8) != 0 {
				g.emit(asm.Mov.Imm(r, int32(rng.IntN(4))))
			} else {
				g.emit(asm.Mov.Reg(r, g.reg()))
			}
		}
		g.emit(Call(k.Kernel))
		if sig.Ret.Kind == kfuncs.ParamScalar && rng.IntN(2) == 0 {
			g.emit(asm.Mov.Reg(dst, asm.R0))
		}
	case 7: // a NULL check or a branch on a register
		r := g.reg()
		switch rng.IntN(3) {
		case 0:
			g.emit(asm.JNE.Imm(r, 0, g.forward(blocks)))
		case 1:
			g.emit(asm.JGT.Imm(r, 1, g.forward(blocks)))
		default:
			g.emit(asm.JEq.Imm(r, 0, g.forward(blocks)))
		}
	case 8: // spill and fill
		s := randomSlots[rng.IntN(len(randomSlots))]
		if rng.IntN(2) == 0 {
			g.emit(asm.StoreMem(asm.RFP, s, g.reg(), asm.DWord))
		} else {
			g.emit(asm.LoadMem(dst, asm.RFP, s, asm.DWord))
		}
	case 9: // bpf_kptr_xchg
		g.emit(asm.Mov.Reg(asm.R2, g.reg()))
		if rng.IntN(3) == 0 {
			g.emit(asm.Mov.Imm(asm.R2, 0))
		}
		g.emit(asm.LoadMapValue(asm.R1, 0, uint32(8*rng.IntN(2))).WithReference(RandomMap), asm.FnKptrXchg.Call(), asm.Mov.Reg(dst, asm.R0))
		g.nullCheck(dst, blocks)
	case 10: // kptr load, or a plain store into the field
		g.emit(asm.LoadMapValue(asm.R1, 0, 0).WithReference(RandomMap))
		if rng.IntN(6) == 0 {
			g.emit(asm.StoreMem(asm.R1, int16(8*rng.IntN(2)), g.reg(), asm.DWord))
		} else {
			g.emit(asm.LoadMem(dst, asm.R1, int16(8*rng.IntN(2)), asm.DWord))
			g.nullCheck(dst, blocks)
		}
	case 11: // RCU
		if rng.IntN(2) == 0 {
			g.emit(Call("bpf_rcu_read_lock"))
		} else {
			g.emit(Call("bpf_rcu_read_unlock"))
		}
	case 12: // bpf_assert(r) or an unconditional throw
		r := g.reg()
		ok := g.label()
		g.emit(asm.JNE.Imm(r, 0, ok), asm.Mov.Imm(asm.R1, 0), Call("bpf_throw"))
		g.pending[g.block+1] = append(g.pending[g.block+1], ok)
	case 13: // early exit on an unknown scalar
		g.emit(asm.LoadMem(asm.R0, asm.R9, CtxErr, asm.DWord))
		skip := g.label()
		g.emit(asm.JGT.Imm(asm.R0, 3, skip), asm.Mov.Imm(asm.R0, 0), asm.Return())
		g.pending[g.block+1] = append(g.pending[g.block+1], skip)
	case 14: // task->cpus_ptr
		g.emit(asm.FnGetCurrentTaskBtf.Call(), asm.LoadMem(dst, asm.R0, g.t.CpusPtrOffset, asm.DWord))
	case 15: // the generic design's cast, or a copy
		if g.d == Generic {
			g.emit(asm.Mov.Reg(asm.R1, g.reg()), Call("bpf_bitmap_cast_to_cpumask"), asm.Mov.Reg(dst, asm.R0))
			g.nullCheck(dst, blocks)
		} else {
			g.emit(asm.Mov.Reg(dst, g.reg()))
		}
	}
}

// Register contents the disciplined generator keeps track of.
const (
	regFree   = iota // holds 0
	regHeld          // a referenced, non-NULL mask
	regRCU           // a non-NULL RCU pointer, valid until bpf_rcu_read_unlock
	regScalar        // a kfunc's result
	regView          // the generic design's cast of another register's bitmap
)

// buildDisciplined writes a program that releases what it holds on every
// path; with a small probability each step slips (a missing NULL check, a
// use after release or after the RCU section, a throw with a reference
// held, an early exit that leaks).
func (g *randGen) buildDisciplined() {
	var regs [len(randomRegs)]int
	var viewOf [len(randomRegs)]int // the register a view casts
	rcu := false
	slip := func() bool { return g.rng.IntN(20) == 0 }
	calls := g.disciplinedKfuncs()
	viewCalls := g.viewKfuncs()
	// drop forgets the views of register i (and, when rcuOnly, only those
	// of RCU bitmaps) once what they view is gone.
	drop := func(i int, rcuOnly bool) {
		for v, st := range regs {
			if st == regView && (viewOf[v] == i || (rcuOnly && regs[viewOf[v]] == regRCU)) && !slip() {
				g.emit(asm.Mov.Imm(randomRegs[v], 0))
				regs[v] = regFree
			}
		}
	}
	for _, r := range randomRegs {
		g.emit(asm.Mov.Imm(r, 0))
	}
	g.emit(asm.Mov.Reg(asm.R9, asm.R1))
	pick := func(states ...int) int {
		var idx []int
		for i, st := range regs {
			for _, want := range states {
				if st == want {
					idx = append(idx, i)
				}
			}
		}
		if len(idx) == 0 {
			return -1
		}
		return idx[g.rng.IntN(len(idx))]
	}
	// unwind releases what is held, leaves RCU and returns 0.
	unwind := func(skip int) {
		for i, st := range regs {
			if st == regHeld && i != skip && !slip() {
				g.emit(asm.Mov.Reg(asm.R1, randomRegs[i]), Call(g.name("bpf_cpumask_release")))
			}
		}
		if rcu && !slip() {
			g.emit(Call("bpf_rcu_read_unlock"))
		}
		g.emit(asm.Mov.Imm(asm.R0, 0), asm.Return())
	}
	// checked NULL-checks r (just written from R0): the NULL path unwinds.
	checked := func(i int) {
		if slip() {
			return
		}
		ok := g.label()
		g.emit(asm.JNE.Imm(randomRegs[i], 0, ok))
		unwind(i)
		g.emit(asm.Mov.Imm(asm.R5, 0).WithSymbol(ok))
	}
	steps := 3 + g.rng.IntN(12)
	for range steps {
		switch g.rng.IntN(11) {
		case 0, 1: // create
			i := pick(regFree, regScalar)
			if i < 0 {
				continue
			}
			if g.d == Generic {
				g.emit(asm.Mov.Imm(asm.R1, int32(g.t.NrCPUIDs)))
			}
			g.emit(Call(g.name("bpf_cpumask_create")), asm.Mov.Reg(randomRegs[i], asm.R0))
			regs[i] = regHeld
			checked(i)
		case 2: // acquire
			src, dst := pick(regHeld), pick(regFree, regScalar)
			if src < 0 || dst < 0 {
				continue
			}
			g.emit(asm.Mov.Reg(asm.R1, randomRegs[src]), Call(g.name("bpf_cpumask_acquire")), asm.Mov.Reg(randomRegs[dst], asm.R0))
			regs[dst] = regHeld
		case 3: // release
			i := pick(regHeld)
			if i < 0 {
				continue
			}
			g.emit(asm.Mov.Reg(asm.R1, randomRegs[i]), Call(g.name("bpf_cpumask_release")))
			drop(i, false)
			if !slip() {
				g.emit(asm.Mov.Imm(randomRegs[i], 0))
				regs[i] = regFree
			}
		case 4, 5: // a kfunc on the masks at hand
			k := calls[g.rng.IntN(len(calls))]
			masks := []int{regHeld, regRCU}
			if len(viewCalls) > 0 && g.rng.IntN(2) == 0 {
				k, masks = viewCalls[g.rng.IntN(len(viewCalls))], []int{regView}
			}
			sig, _ := k.Signature()
			args := make(asm.Instructions, 0, len(sig.Params))
			for j, p := range sig.Params {
				r := asm.R1 + asm.Register(j)
				if p.Kind == kfuncs.ParamScalar {
					args = append(args, asm.Mov.Imm(r, int32(g.rng.IntN(4))))
				} else if i := pick(masks...); i >= 0 {
					args = append(args, asm.Mov.Reg(r, randomRegs[i]))
				}
			}
			if len(args) < len(sig.Params) {
				continue
			}
			g.emit(args...)
			g.emit(Call(k.Kernel))
			if i := pick(regFree, regScalar); i >= 0 && sig.Ret.Kind == kfuncs.ParamScalar {
				g.emit(asm.Mov.Reg(randomRegs[i], asm.R0))
				regs[i] = regScalar
			}
		case 6: // move a mask into the map and release what comes back
			i := pick(regHeld)
			if i < 0 {
				continue
			}
			skip := g.label()
			g.emit(asm.Mov.Reg(asm.R2, randomRegs[i]), asm.LoadMapValue(asm.R1, 0, uint32(8*g.rng.IntN(2))).WithReference(RandomMap),
				asm.FnKptrXchg.Call())
			if !slip() {
				g.emit(asm.JEq.Imm(asm.R0, 0, skip), asm.Mov.Reg(asm.R1, asm.R0), Call(g.name("bpf_cpumask_release")))
			}
			g.emit(asm.Mov.Imm(randomRegs[i], 0).WithSymbol(skip))
			drop(i, false)
			regs[i] = regFree
		case 7: // RCU: enter, read a kptr; or leave
			if !rcu {
				g.emit(Call("bpf_rcu_read_lock"))
				rcu = true
				i := pick(regFree, regScalar)
				if i < 0 {
					continue
				}
				g.emit(asm.LoadMapValue(asm.R1, 0, 0).WithReference(RandomMap), asm.LoadMem(randomRegs[i], asm.R1, int16(8*g.rng.IntN(2)), asm.DWord))
				regs[i] = regRCU
				checked(i)
				continue
			}
			g.emit(Call("bpf_rcu_read_unlock"))
			rcu = false
			drop(-1, true)
			for i, st := range regs {
				if st == regRCU && !slip() {
					g.emit(asm.Mov.Imm(randomRegs[i], 0))
					regs[i] = regFree
				}
			}
		case 8: // bpf_assert on a scalar, ideally with nothing held
			i := pick(regScalar)
			if i < 0 {
				continue
			}
			ok := g.label()
			g.emit(asm.JNE.Imm(randomRegs[i], 0, ok), asm.Mov.Imm(asm.R1, 0), Call("bpf_throw"), asm.Mov.Imm(asm.R5, 0).WithSymbol(ok))
		case 10: // the generic design's cast, NULL-checked
			src, dst := pick(regHeld, regRCU), pick(regFree, regScalar)
			if g.d != Generic || src < 0 || dst < 0 {
				continue
			}
			g.emit(asm.Mov.Reg(asm.R1, randomRegs[src]), Call("bpf_bitmap_cast_to_cpumask"), asm.Mov.Reg(randomRegs[dst], asm.R0))
			regs[dst], viewOf[dst] = regView, src
			checked(dst)
		case 9: // an early exit on a context value
			skip := g.label()
			g.emit(asm.LoadMem(asm.R0, asm.R9, CtxErr, asm.DWord), asm.JGT.Imm(asm.R0, 3, skip))
			unwind(-1)
			g.emit(asm.Mov.Imm(asm.R5, 0).WithSymbol(skip))
		}
	}
	unwind(-1)
}

// viewKfuncs are, in the generic design, the cpumask kfuncs a cast view
// can be given: every mask parameter a struct cpumask or bpf_cpumask.
func (g *randGen) viewKfuncs() []kfuncs.Kfunc {
	if g.d != Generic {
		return nil
	}
	var out []kfuncs.Kfunc
	for _, k := range g.maskKfuncs() {
		sig, _ := k.Signature()
		ok := true
		for _, p := range sig.Params {
			if p.Kind == kfuncs.ParamStruct && p.Struct != "cpumask" && p.Struct != "bpf_cpumask" {
				ok = false
			}
		}
		if ok {
			out = append(out, k)
		}
	}
	return out
}

// disciplinedKfuncs are the mask kfuncs whose mask parameters take the
// design's own object, so no cast is needed.
func (g *randGen) disciplinedKfuncs() []kfuncs.Kfunc {
	var out []kfuncs.Kfunc
	for _, k := range g.maskKfuncs() {
		sig, _ := k.Signature()
		ok := true
		for _, p := range sig.Params {
			if p.Kind == kfuncs.ParamStruct && (g.d == Generic) != (p.Struct == "bpf_bitmap") {
				ok = false
			}
		}
		if ok {
			out = append(out, k)
		}
	}
	return out
}
