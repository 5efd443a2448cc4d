package verifier

import (
	"fmt"
	"math"
	"syscall"

	"github.com/cilium/ebpf/asm"

	"github.com/bpfbitmap/prototype/kfuncs"
	"github.com/bpfbitmap/prototype/kfuncs/progs"
)

// program is the instructions laid out at their raw offsets, as the kernel
// indexes them: an ld_imm64 takes two slots, the second is empty.
type program struct {
	code    []asm.Instruction
	valid   []bool // false for the second half of an ld_imm64
	targets []int  // jump target of each jump, -1 otherwise
	kfuncs  []*kfuncs.Kfunc
	// pruneAt marks where states are compared and stored (check_cfg's
	// mark_prune_point): conditional jumps, jump targets, the instruction
	// after a call and iterator next calls, which force a checkpoint.
	pruneAt  []bool
	iterNext []bool
	// liveBefore is compute_live_registers: the registers some path from
	// each instruction reads before writing.
	liveBefore []uint16
	// stackLive is, per instruction, the stack slots some path from it
	// reads before writing all 8 bytes: a static stand-in for the kernel's
	// stack liveness (kernel/bpf/liveness.c), exact for programs that only
	// address the stack through R10 itself and all ones for the others.
	stackLive []uint64
	maps      map[string]*mapDesc
}

// noTarget marks an instruction that is not a jump.
const noTarget = math.MinInt

func loadProgram(insns asm.Instructions, cfg Config) (*program, error) {
	if len(insns) == 0 {
		return nil, fmt.Errorf("%w: no instructions", ErrInvalid)
	}
	p := &program{maps: map[string]*mapDesc{}}
	for _, m := range cfg.Maps {
		d, err := describeMap(m, cfg.Target)
		if err != nil {
			return nil, err
		}
		p.maps[m.Name] = d
	}
	symbols := map[string]int{}
	iter := insns.Iterate()
	for iter.Next() {
		off := int(iter.Offset)
		if sym := iter.Ins.Symbol(); sym != "" {
			if _, dup := symbols[sym]; dup {
				return nil, fmt.Errorf("%w: duplicate symbol %q", ErrInvalid, sym)
			}
			symbols[sym] = off
		}
		p.code = append(p.code, *iter.Ins)
		p.valid = append(p.valid, true)
		if iter.Ins.OpCode.IsDWordLoad() {
			p.code = append(p.code, asm.Instruction{})
			p.valid = append(p.valid, false)
		}
	}
	p.targets = make([]int, len(p.code))
	p.kfuncs = make([]*kfuncs.Kfunc, len(p.code))
	p.pruneAt = make([]bool, len(p.code))
	p.iterNext = make([]bool, len(p.code))
	for i := range p.code {
		p.targets[i] = noTarget
		ins := &p.code[i]
		if !p.valid[i] || !ins.OpCode.Class().IsJump() {
			continue
		}
		switch op := ins.OpCode.JumpOp(); {
		case op == asm.Exit:
		case op == asm.Call:
			if ins.IsKfuncCall() {
				name, ok := progs.KfuncName(*ins)
				if !ok {
					return nil, fmt.Errorf("%w: insn %d: kfunc call without a name (build it with progs.Call)", ErrInvalid, i)
				}
				k, ok := lookupKfunc(name)
				if !ok {
					return nil, fmt.Errorf("%w: insn %d: kfunc %s is in no table", ErrUnsupported, i, name)
				}
				p.kfuncs[i] = k
				if k.Flags.Has(kfuncs.KfIterNext) {
					p.iterNext[i], p.pruneAt[i] = true, true
				}
			}
		default:
			ref := ins.Reference()
			if ref != "" && (ins.Offset == -1 || (op == asm.Ja && ins.Constant == -1)) {
				t, ok := symbols[ref]
				if !ok {
					return nil, fmt.Errorf("%w: insn %d: jump to undefined label %q", ErrInvalid, i, ref)
				}
				p.targets[i] = t
				continue
			}
			d := int(ins.Offset)
			if op == asm.Ja && ins.OpCode.Class() == asm.Jump32Class {
				d = int(ins.Constant)
			}
			p.targets[i] = i + d + 1
		}
	}
	for i, t := range p.targets {
		if t != noTarget && t >= 0 && t < len(p.code) {
			p.pruneAt[t] = true
			if op := p.code[i].OpCode.JumpOp(); op != asm.Ja {
				p.pruneAt[i] = true
			}
		}
		if p.valid[i] && p.code[i].OpCode.Class().IsJump() && p.code[i].OpCode.JumpOp() == asm.Call && i+1 < len(p.code) {
			p.pruneAt[i+1] = true
		}
	}
	p.computeLiveRegs()
	return p, nil
}

// helperParams is how many arguments each modelled helper reads.
var helperParams = map[asm.BuiltinFunc]int{
	asm.FnMapLookupElem: 2, asm.FnMapUpdateElem: 4, asm.FnGetCurrentTaskBtf: 0, asm.FnKptrXchg: 2,
}

// useDef is compute_insn_live_regs.
func (p *program) useDef(i int) (use, def uint16) {
	ins := &p.code[i]
	src, dst := uint16(1)<<ins.Src, uint16(1)<<ins.Dst
	switch cls := ins.OpCode.Class(); {
	case cls == asm.LdClass:
		return 0, dst
	case cls == asm.LdXClass:
		return src, dst
	case cls == asm.StClass:
		return dst, 0
	case cls == asm.StXClass:
		return dst | src, 0
	case cls.IsALU():
		if ins.OpCode.ALUOp() == asm.Mov {
			if ins.OpCode.Source() == asm.ImmSource {
				return 0, dst
			}
			return src, dst
		}
		if ins.OpCode.Source() == asm.ImmSource {
			return dst, dst
		}
		return dst | src, dst
	case cls.IsJump():
		switch ins.OpCode.JumpOp() {
		case asm.Ja:
			return 0, 0
		case asm.Exit:
			return 1, 0
		case asm.Call:
			const callerSaved = 0x3f
			n := 5
			if k := p.kfuncs[i]; k != nil {
				if sig, err := signature(k); err == nil {
					n = len(sig.Params)
				}
			} else if h, ok := helperParams[asm.BuiltinFunc(ins.Constant)]; ok && ins.IsBuiltinCall() {
				n = h
			}
			return uint16(1)<<(n+1) - 2, callerSaved
		}
		if ins.OpCode.Source() == asm.ImmSource {
			return dst, 0
		}
		return dst | src, 0
	}
	return 0xffff, 0
}

// stackUseDef is the stack slots an instruction reads and the ones it
// writes whole, through R10; escapes reports an instruction that copies
// R10 (or computes from it), after which any access may be indirect.
func (p *program) stackUseDef(i int) (use, def uint64, escapes bool) {
	ins := &p.code[i]
	slots := func(off int64, size int) uint64 {
		var m uint64
		for a := off; a < off+int64(size); a++ {
			if a < 0 && a >= -maxStack {
				m |= 1 << ((-a - 1) / 8)
			}
		}
		return m
	}
	switch cls := ins.OpCode.Class(); {
	case cls == asm.LdXClass && ins.Src == asm.RFP:
		return slots(int64(ins.Offset), accessSize(ins)), 0, false
	case (cls == asm.StXClass || cls == asm.StClass) && ins.Dst == asm.RFP:
		if ins.OpCode.Mode() == asm.MemMode && accessSize(ins) == 8 && ins.Offset%8 == 0 {
			return 0, slots(int64(ins.Offset), 8), false
		}
		if ins.OpCode.Mode() != asm.MemMode {
			return slots(int64(ins.Offset), accessSize(ins)), 0, false
		}
		return 0, 0, false
	case cls.IsALU() && ins.OpCode.Source() == asm.RegSource && ins.Src == asm.RFP:
		return 0, 0, true
	}
	return 0, 0, false
}

func (p *program) computeLiveRegs() {
	n := len(p.code)
	p.liveBefore = make([]uint16, n)
	use, def := make([]uint16, n), make([]uint16, n)
	for i := range p.code {
		if p.valid[i] {
			use[i], def[i] = p.useDef(i)
		}
	}
	p.stackLive = make([]uint64, n)
	suse, sdef := make([]uint64, n), make([]uint64, n)
	escapes := false
	for i := range p.code {
		if p.valid[i] {
			var e bool
			suse[i], sdef[i], e = p.stackUseDef(i)
			escapes = escapes || e
		}
	}
	for changed := true; changed; {
		changed = false
		for i := n - 1; i >= 0; i-- {
			if !p.valid[i] {
				continue
			}
			var sout uint64
			for _, s := range successorsOf(p, i) {
				if s >= 0 && s < n {
					sout |= p.stackLive[s]
				}
			}
			if sin := suse[i] | sout&^sdef[i]; sin != p.stackLive[i] {
				p.stackLive[i], changed = sin, true
			}
		}
	}
	if escapes {
		for i := range p.stackLive {
			p.stackLive[i] = ^uint64(0)
		}
	}
	for changed := true; changed; {
		changed = false
		for i := n - 1; i >= 0; i-- {
			if !p.valid[i] {
				continue
			}
			var out uint16
			for _, s := range successorsOf(p, i) {
				if s >= 0 && s < n {
					out |= p.liveBefore[s]
				}
			}
			in := use[i] | out&^def[i]
			if in != p.liveBefore[i] {
				p.liveBefore[i], changed = in, true
			}
		}
	}
}

// checkCFG is check_subprogs and check_cfg for a program without
// subprograms: jumps in range, the last instruction an exit or a jump,
// every instruction reachable. Back-edges are allowed, as for root: loops
// end by pruning (bpf_iter_num) or hit the instruction limit.
func (e *env) checkCFG() error {
	p := e.prog
	n := len(p.code)
	for i := range p.code {
		if t := p.targets[i]; t != noTarget && (t < 0 || t >= n || !p.valid[t]) {
			if p.targets[i] >= n || p.targets[i] < 0 {
				return &Error{Insn: i, Msg: fmt.Sprintf("jump out of range from insn %d to %d", i, p.targets[i]), Errno: syscall.EINVAL}
			}
			return &Error{Insn: i, Msg: fmt.Sprintf("jump to the middle of ldimm64 insn %d", p.targets[i]), Errno: syscall.EINVAL}
		}
	}
	last := n - 1
	for !p.valid[last] {
		last--
	}
	if op := p.code[last].OpCode; !op.Class().IsJump() || (op.JumpOp() != asm.Exit && op.JumpOp() != asm.Ja) {
		return &Error{Insn: last, Msg: "last insn is not an exit or jmp", Errno: syscall.EINVAL}
	}
	// Depth-first over the edges, as check_cfg: every edge of a
	// conditional jump counts whether or not it can be taken.
	const (
		unseen = iota
		onStack
		explored
	)
	mark := make([]uint8, n)
	type frame struct{ pc, next int }
	stack := []frame{{0, 0}}
	mark[0] = onStack
	for len(stack) > 0 {
		f := &stack[len(stack)-1]
		succ := e.successors(f.pc)
		if f.next >= len(succ) {
			mark[f.pc] = explored
			stack = stack[:len(stack)-1]
			continue
		}
		s := succ[f.next]
		f.next++
		if s < 0 || s >= n {
			return &Error{Insn: f.pc, Msg: fmt.Sprintf("jump out of range from insn %d to %d", f.pc, s), Errno: syscall.EINVAL}
		}
		switch mark[s] {
		case unseen:
			mark[s] = onStack
			stack = append(stack, frame{s, 0})
		}
	}
	for i := range p.code {
		if p.valid[i] && mark[i] == unseen {
			return &Error{Insn: i, Msg: fmt.Sprintf("unreachable insn %d", i), Errno: syscall.EINVAL}
		}
	}
	return nil
}

func (e *env) successors(pc int) []int { return successorsOf(e.prog, pc) }

func successorsOf(p *program, pc int) []int {
	ins := &p.code[pc]
	next := pc + 1
	if ins.OpCode.IsDWordLoad() {
		next = pc + 2
	}
	if !ins.OpCode.Class().IsJump() {
		return []int{next}
	}
	switch ins.OpCode.JumpOp() {
	case asm.Exit:
		return nil
	case asm.Call:
		return []int{next}
	case asm.Ja:
		return []int{p.targets[pc]}
	}
	return []int{next, p.targets[pc]}
}
