package verifier

import (
	"fmt"
	"math"
	"syscall"

	"github.com/cilium/ebpf/asm"
)

func (e *env) jump(ins *asm.Instruction) (bool, error) {
	st := e.cur
	switch op := ins.OpCode.JumpOp(); op {
	case asm.Exit:
		return true, e.exit()
	case asm.Call:
		if ins.IsKfuncCall() {
			return e.kfuncCall(ins)
		}
		if ins.IsBuiltinCall() {
			err := e.helperCall(ins)
			st.pc++
			return false, err
		}
		return false, unsupported(st.pc, "bpf-to-bpf calls")
	case asm.Ja:
		st.pc = e.prog.targets[st.pc]
		return false, nil
	}
	return false, e.condJump(ins)
}

// exit is process_bpf_exit_full for the main program's exit.
func (e *env) exit() error {
	if err := e.resourceLeak(false, "BPF_EXIT instruction in main prog"); err != nil {
		return err
	}
	// check_return_code: SYSCALL programs have no range, but R0 must be
	// written.
	_, err := e.readReg(asm.R0)
	return err
}

// resourceLeak is check_resource_leak: references first, then RCU.
func (e *env) resourceLeak(exception bool, prefix string) error {
	st := e.cur
	if len(st.refs) > 0 {
		msg := ""
		for _, r := range st.refs {
			msg += fmt.Sprintf("Unreleased reference id=%d alloc_insn=%d\n", r.id, r.insn)
		}
		return e.reject(syscall.EINVAL, "%s%s would lead to reference leak", msg, prefix)
	}
	if st.rcu {
		return e.reject(syscall.EINVAL, "%s cannot be used inside bpf_rcu_read_lock-ed region", prefix)
	}
	return nil
}

// condJump is check_cond_jmp_op.
func (e *env) condJump(ins *asm.Instruction) error {
	st := e.cur
	op := ins.OpCode.JumpOp()
	jmp32 := ins.OpCode.Class() == asm.Jump32Class
	switch op {
	case asm.JEq, asm.JNE, asm.JGT, asm.JGE, asm.JLT, asm.JLE, asm.JSGT, asm.JSGE, asm.JSLT, asm.JSLE, asm.JSet:
	default:
		return unsupported(st.pc, "jump %v", op)
	}
	var src reg
	if ins.OpCode.Source() == asm.RegSource {
		r, err := e.readReg(ins.Src)
		if err != nil {
			return err
		}
		src = *r
	} else if jmp32 {
		src = constReg(uint64(uint32(ins.Constant)))
	} else {
		src = constReg(uint64(ins.Constant))
	}
	dst, err := e.readReg(ins.Dst)
	if err != nil {
		return err
	}
	target := e.prog.targets[st.pc]
	if taken := branchTaken(dst, &src, op, jmp32); taken >= 0 {
		// The verdict now rests on the compared scalars' values.
		var regs uint16
		if dst.typ == scalarValue {
			regs |= 1 << ins.Dst
		}
		if ins.OpCode.Source() == asm.RegSource && src.typ == scalarValue {
			regs |= 1 << ins.Src
		}
		e.markPrecise(st, regs, 0)
		if taken == 1 {
			st.pc = target
		} else {
			st.pc++
		}
		return nil
	}
	other := st.clone()
	other.pc = target
	st.pc++
	if err := e.push(other); err != nil {
		return err
	}
	isNullTest := !jmp32 && ins.OpCode.Source() == asm.ImmSource && ins.Constant == 0 &&
		(op == asm.JEq || op == asm.JNE) && dst.maybeNull()
	if isNullTest {
		e.nullSeen[st.pc-1] = true
		markPtrOrNull(st, ins.Dst, op == asm.JNE)
		markPtrOrNull(other, ins.Dst, op == asm.JEq)
		return nil
	}
	if dst.typ == scalarValue && src.known() && !jmp32 {
		refine(st, ins.Dst, op, src.umin, false)
		refine(other, ins.Dst, op, src.umin, true)
	}
	return nil
}

// markPtrOrNull is mark_ptr_or_null_regs: every copy with the tested
// register's id becomes 0 on the NULL branch, or loses PTR_MAYBE_NULL and
// its id on the other. A reference whose NULL branch is taken is dropped.
func markPtrOrNull(st *state, regno asm.Register, isNull bool) {
	r := &st.regs[regno]
	id, refID := r.id, r.refObjID
	if isNull && refID != 0 && refID == id {
		st.dropRef(id)
	}
	st.eachReg(func(x *reg) {
		if x.typ == scalarValue || x.flag&ptrMaybeNull == 0 || x.id != id {
			return
		}
		if isNull {
			*x = constReg(0)
			return
		}
		x.flag &^= ptrMaybeNull
		x.id = 0
	})
}

func (st *state) dropRef(id uint32) bool {
	for i, r := range st.refs {
		if r.id == id {
			st.refs = append(st.refs[:i], st.refs[i+1:]...)
			return true
		}
	}
	return false
}

// branchTaken is is_branch_taken: 1 taken, 0 not taken, -1 unknown.
func branchTaken(dst, src *reg, op asm.JumpOp, jmp32 bool) int {
	if dst.isPointer() || src.isPointer() {
		p, s := dst, src
		if !dst.isPointer() {
			p, s = src, dst
		}
		if s.isPointer() || !s.known() {
			return -1
		}
		v := s.umin
		if jmp32 {
			v = uint64(uint32(v))
		}
		if !p.notNull() || v != 0 {
			return -1
		}
		switch op {
		case asm.JEq:
			return 0
		case asm.JNE:
			return 1
		}
		return -1
	}
	lo, hi := dst.umin, dst.umax
	c := src.umin
	if !src.known() {
		if dst.known() && src.umin == src.umax {
			return -1
		}
		return -1
	}
	if jmp32 {
		if hi > math.MaxUint32 {
			if !dst.known() {
				return -1
			}
			lo, hi = uint64(uint32(lo)), uint64(uint32(lo))
		}
		c = uint64(uint32(c))
	}
	slo, shi := int64(lo), int64(hi)
	signedOK := hi <= math.MaxInt64 || lo == hi
	sc := int64(c)
	if jmp32 {
		slo, shi, sc = int64(int32(lo)), int64(int32(hi)), int64(int32(c))
		signedOK = hi <= math.MaxInt32 || lo == hi
	}
	switch op {
	case asm.JEq:
		if lo == hi {
			return b2i(lo == c)
		}
		if c < lo || c > hi {
			return 0
		}
	case asm.JNE:
		if lo == hi {
			return b2i(lo != c)
		}
		if c < lo || c > hi {
			return 1
		}
	case asm.JSet:
		if lo == hi {
			return b2i(lo&c != 0)
		}
	case asm.JGT:
		if lo > c {
			return 1
		}
		if hi <= c {
			return 0
		}
	case asm.JGE:
		if lo >= c {
			return 1
		}
		if hi < c {
			return 0
		}
	case asm.JLT:
		if hi < c {
			return 1
		}
		if lo >= c {
			return 0
		}
	case asm.JLE:
		if hi <= c {
			return 1
		}
		if lo > c {
			return 0
		}
	case asm.JSGT, asm.JSGE, asm.JSLT, asm.JSLE:
		if !signedOK {
			return -1
		}
		switch op {
		case asm.JSGT:
			if slo > sc {
				return 1
			}
			if shi <= sc {
				return 0
			}
		case asm.JSGE:
			if slo >= sc {
				return 1
			}
			if shi < sc {
				return 0
			}
		case asm.JSLT:
			if shi < sc {
				return 1
			}
			if slo >= sc {
				return 0
			}
		case asm.JSLE:
			if shi <= sc {
				return 1
			}
			if slo > sc {
				return 0
			}
		}
	}
	return -1
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// refine is reg_set_min_max for unsigned compares against a constant, with
// the result copied to every scalar linked by id (sync_linked_regs).
func refine(st *state, regno asm.Register, op asm.JumpOp, c uint64, taken bool) {
	r := &st.regs[regno]
	lo, hi := r.umin, r.umax
	// Express the branch as the condition that holds on it.
	cond := op
	if !taken {
		switch op {
		case asm.JEq:
			cond = asm.JNE
		case asm.JNE:
			cond = asm.JEq
		case asm.JGT:
			cond = asm.JLE
		case asm.JGE:
			cond = asm.JLT
		case asm.JLT:
			cond = asm.JGE
		case asm.JLE:
			cond = asm.JGT
		default:
			return
		}
	}
	switch cond {
	case asm.JEq:
		lo, hi = c, c
	case asm.JNE:
		if lo == c && lo < hi {
			lo++
		} else if hi == c && lo < hi {
			hi--
		}
	case asm.JGT:
		if c < math.MaxUint64 {
			lo = max(lo, c+1)
		}
	case asm.JGE:
		lo = max(lo, c)
	case asm.JLT:
		if c > 0 {
			hi = min(hi, c-1)
		}
	case asm.JLE:
		hi = min(hi, c)
	default:
		return
	}
	if lo > hi {
		return
	}
	id := r.id
	apply := func(x *reg) {
		x.umin, x.umax = lo, hi
	}
	if id == 0 || id&addConst != 0 {
		apply(r)
		return
	}
	st.eachReg(func(x *reg) {
		if x.typ == scalarValue && x.id == id {
			apply(x)
		}
	})
}
