package verifier

import (
	"fmt"
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
	// pruneAt marks jump targets and iterator next calls: where states
	// are stored and compared.
	pruneAt  []bool
	iterNext []bool
	maps     map[string]*mapDesc
}

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
		p.targets[i] = -1
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
	for _, t := range p.targets {
		if t >= 0 && t < len(p.code) {
			p.pruneAt[t] = true
		}
	}
	return p, nil
}

// checkCFG is check_subprogs and check_cfg for a program without
// subprograms: jumps in range, the last instruction an exit or a jump,
// every instruction reachable. Back-edges are allowed, as for root: loops
// end by pruning (bpf_iter_num) or hit the instruction limit.
func (e *env) checkCFG() error {
	p := e.prog
	n := len(p.code)
	for i := range p.code {
		if p.targets[i] >= 0 && (p.targets[i] < 0 || p.targets[i] >= n || !p.valid[p.targets[i]]) {
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

func (e *env) successors(pc int) []int {
	p := e.prog
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
