package verifier

import (
	"syscall"

	"github.com/cilium/ebpf/asm"
)

// ckpt is a state stored at a prune point (struct bpf_verifier_state_list):
// branches counts the paths below it still being explored, so a state is
// complete, and safe to prune against, when it reaches 0.
type ckpt struct {
	st       *state
	parent   *ckpt
	branches int
	// hits and misses decide eviction; an evicted state still counts
	// towards peak_states while paths below it run.
	hits, misses int
	evicted      bool
	// backedges counts loop paths that converged on this state; the
	// kernel keeps them (num_backedges) until the loop is done.
	backedges int
}

// isPrunePoint: jump targets and iterator next calls, where the kernel's
// is_state_visited runs (it also stops after calls and at conditional
// jumps; fewer prune points only cost time).
func (e *env) isPrunePoint(pc int) bool { return e.prog.pruneAt[pc] }

// visit is is_state_visited: it reports whether the current path can stop
// because a complete state at this instruction subsumes it, or, at an
// iterator's next call, because an ancestor state does (the loop
// converged). Otherwise it stores the current state as a checkpoint.
func (e *env) visit() (bool, error) {
	st := e.cur
	iterNext := e.prog.iterNext[st.pc]
	add := iterNext || (e.jmps-e.prevJmps >= 2 && e.processed-e.prevProcessed >= 8)
	list := e.ckpts[st.pc]
	statesCnt := 0
	// The kernel's list has the newest state first.
	for i := len(list) - 1; i >= 0; i-- {
		c := list[i]
		statesCnt++
		switch {
		case c.branches == 0 && subsumes(c.st, st, notExact, e.prog.liveBefore[st.pc], e.prog.stackLive[st.pc]):
			c.hits++
			e.propagatePrecision(c.st, st, e.prog.liveBefore[st.pc], e.prog.stackLive[st.pc])
			return true, nil
		case c.branches > 0 && iterNext && subsumes(c.st, st, rangeWithin, allRegs, allSlots) && st.iterActive(e.iterSlot(st)):
			c.hits++
			c.backedges++
			e.backedges++
			e.peakStates = max(e.peakStates, e.liveStates+e.freeList+e.backedges)
			return true, nil
		case c.branches > 0 && !iterNext && subsumes(c.st, st, exact, allRegs, allSlots) && subsumes(st, c.st, exact, allRegs, allSlots):
			return false, e.reject(syscall.EINVAL, "infinite loop detected at insn %d", st.pc)
		}
		if add {
			c.misses++
		}
		// A state that keeps missing is dropped; checkpoints of loops in
		// progress get more chances so iterators can converge.
		n := 3
		if iterNext && c.branches > 0 {
			n = 64
		}
		if c.misses > c.hits*n+n {
			list = append(list[:i], list[i+1:]...)
			e.liveStates--
			if c.branches > 0 {
				c.evicted = true
				e.freeList++
			}
		}
	}
	e.ckpts[st.pc] = list
	e.maxStatesPerInsn = max(e.maxStatesPerInsn, statesCnt)
	if !add {
		return false, nil
	}
	e.prevJmps, e.prevProcessed = e.jmps, e.processed
	c := &ckpt{st: st.clone(), parent: st.parent, branches: 1}
	c.st.parent = nil
	st.hist = nil
	e.ckpts[st.pc] = append(e.ckpts[st.pc], c)
	st.parent = c
	e.totalStates++
	e.liveStates++
	e.peakStates = max(e.peakStates, e.liveStates+e.freeList+e.backedges)
	return false, nil
}

// iterSlot is the stack slot of the iterator an iter_next call at st.pc
// gets in R1, or -1.
func (e *env) iterSlot(st *state) int {
	r := &st.regs[1]
	if r.typ != ptrToStack || r.off%8 != 0 || r.off >= 0 || r.off < -maxStack {
		return -1
	}
	return int(-r.off-1) / 8
}

// pathDone is update_branch_counts: the current path ended.
func (e *env) pathDone(c *ckpt) {
	for ; c != nil; c = c.parent {
		c.branches--
		if c.branches > 0 {
			return
		}
		if c.evicted {
			e.freeList--
		}
		e.backedges -= c.backedges
		c.backedges = 0
	}
}

// prevEntry is find_prev_entry: the latest checkpoint at pc on the
// current path, skipping the one just stored.
func (e *env) prevEntry(pc int) *ckpt {
	c := e.cur.parent
	if c != nil {
		c = c.parent
	}
	for ; c != nil; c = c.parent {
		if c.st.pc == pc {
			return c
		}
	}
	return nil
}

// allRegs and allSlots compare every register and stack slot.
const (
	allRegs  = 0xffff
	allSlots = ^uint64(0)
)

// idMap is the kernel's bpf_idmap: ids of the old state mapped to the
// current one's, one to one.
type idMap struct {
	fwd, back map[uint32]uint32
}

func (m *idMap) check(old, cur uint32) bool {
	if old == 0 || cur == 0 {
		return old == cur
	}
	if m.fwd == nil {
		m.fwd, m.back = map[uint32]uint32{}, map[uint32]uint32{}
	}
	if c, ok := m.fwd[old]; ok {
		return c == cur
	}
	if o, ok := m.back[cur]; ok {
		return o == old
	}
	m.fwd[old], m.back[cur] = cur, old
	return true
}

// cmpMode is enum exact_level of states_equal.
type cmpMode uint8

const (
	notExact    cmpMode = iota // NOT_EXACT: imprecise scalars are equal
	rangeWithin                // RANGE_WITHIN: scalars by range (loops)
	exact                      // EXACT: the infinite loop check
)

// subsumes is states_equal:
// every register and slot of old admits the current one, scalars by range
// inclusion, pointers exactly up to a consistent renaming of ids; the
// references and the RCU section match. ignoreDepth skips iterator depths,
// as the kernel does for loop convergence.
//
// Registers and stack slots outside live and liveSlots are not compared: a
// complete state's dead ones are cleared before comparison
// (clean_func_state).
func subsumes(old, cur *state, mode cmpMode, live uint16, liveSlots uint64) bool {
	ignoreDepth := mode == rangeWithin
	if old.rcu != cur.rcu || len(old.refs) != len(cur.refs) {
		return false
	}
	var m idMap
	for i := range old.refs {
		if !m.check(old.refs[i].id, cur.refs[i].id) {
			return false
		}
	}
	for i := range old.regs {
		if live&(1<<i) == 0 && i != int(asm.RFP) {
			continue
		}
		if !regSafe(&old.regs[i], &cur.regs[i], &m, mode) {
			return false
		}
	}
	for i := range old.stack {
		if liveSlots&(1<<i) == 0 {
			continue
		}
		o, c := &old.stack[i], &cur.stack[i]
		for b := range o.types {
			switch o.types[b] {
			case stackInvalid:
			case stackMisc:
				if c.types[b] != stackMisc && c.types[b] != stackZero && !(c.isSpill() && c.spilled.typ == scalarValue) {
					return false
				}
			case stackZero:
				if c.types[b] != stackZero && !(c.isSpill() && c.spilled.isNull()) {
					return false
				}
			case stackSpill, stackIter:
				if c.types[b] != o.types[b] {
					return false
				}
			}
		}
		if o.isSpill() && !regSafe(&o.spilled, &c.spilled, &m, mode) {
			return false
		}
		if o.types[7] == stackIter {
			if o.spilled.iterState != c.spilled.iterState || (!ignoreDepth && o.spilled.iterDepth != c.spilled.iterDepth) ||
				!m.check(o.spilled.refObjID, c.spilled.refObjID) {
				return false
			}
		}
	}
	return true
}

// regSafe is regsafe for the modelled types.
func regSafe(old, cur *reg, m *idMap, mode cmpMode) bool {
	switch {
	case old.typ == notInit:
		return true
	case old.typ != cur.typ:
		return false
	case old.typ == scalarValue:
		// A value nothing depended on may be anything (NOT_EXACT).
		if mode == notExact && !old.precise {
			return true
		}
		return old.umin <= cur.umin && cur.umax <= old.umax
	}
	return old.flag == cur.flag && old.off == cur.off && old.btf == cur.btf && old.m == cur.m &&
		old.owned == cur.owned && old.bits == cur.bits && old.memSize == cur.memSize &&
		m.check(old.id, cur.id) && m.check(old.refObjID, cur.refObjID)
}

// widen is widen_imprecise_scalars: scalars that changed since the
// previous visit of the loop head become unknown, so the loop converges.
func widen(old, cur *state) {
	w := func(o, c *reg) {
		if o.typ == scalarValue && c.typ == scalarValue && !o.precise && !c.precise && (o.umin != c.umin || o.umax != c.umax) {
			*c = unknownReg()
		}
	}
	for i := range old.regs {
		w(&old.regs[i], &cur.regs[i])
	}
	for i := range old.stack {
		if old.stack[i].isSpill() && cur.stack[i].isSpill() {
			w(&old.stack[i].spilled, &cur.stack[i].spilled)
		}
	}
}

// propagatePrecision is propagate_precision: the current path was pruned
// against old, so the values old needed precise are needed on it too.
func (e *env) propagatePrecision(old, cur *state, live uint16, liveSlots uint64) {
	var regs uint16
	var slots uint64
	for i := range old.regs {
		if live&(1<<i) != 0 && old.regs[i].typ == scalarValue && old.regs[i].precise {
			regs |= 1 << i
		}
	}
	for i := range old.stack {
		if liveSlots&(1<<i) != 0 && old.stack[i].isSpill() && old.stack[i].spilled.typ == scalarValue && old.stack[i].spilled.precise {
			slots |= 1 << i
		}
	}
	if regs != 0 || slots != 0 {
		e.markPrecise(cur, regs, slots)
	}
}

// markPrecise is mark_chain_precision: the registers and spilled slots
// given must be precise in st, and so must whatever they were computed
// from, back through the path's history into every checkpoint on it.
func (e *env) markPrecise(st *state, regs uint16, slots uint64) {
	mark := func(s *state) {
		for i := range s.regs {
			if regs&(1<<i) == 0 {
				continue
			}
			if s.regs[i].typ == scalarValue {
				s.regs[i].precise = true
			} else {
				regs &^= 1 << i
			}
		}
		for i := range s.stack {
			if slots&(1<<i) == 0 {
				continue
			}
			if s.stack[i].isSpill() && s.stack[i].spilled.typ == scalarValue {
				s.stack[i].spilled.precise = true
			} else {
				slots &^= 1 << i
			}
		}
	}
	mark(st)
	hist, c := st.hist, st.parent
	for regs != 0 || slots != 0 {
		for i := len(hist) - 1; i >= 0; i-- {
			regs, slots = e.backtrack(hist[i], regs, slots)
		}
		if c == nil {
			return
		}
		mark(c.st)
		hist, c = c.st.hist, c.parent
	}
}

// backtrack is backtrack_insn: what had to be precise before the
// instruction for regs and slots to be precise after it.
func (e *env) backtrack(h histEntry, regs uint16, slots uint64) (uint16, uint64) {
	ins := &e.prog.code[h.pc]
	dst, src := uint16(1)<<ins.Dst, uint16(1)<<ins.Src
	switch cls := ins.OpCode.Class(); {
	case cls.IsALU():
		if regs&dst == 0 {
			break
		}
		if ins.OpCode.ALUOp() == asm.Mov {
			regs &^= dst
		}
		if ins.OpCode.Source() == asm.RegSource {
			regs |= src
		}
	case cls == asm.LdXClass:
		if regs&dst != 0 {
			regs &^= dst
			if h.spi >= 0 {
				slots |= 1 << h.spi
			}
		}
	case cls == asm.StXClass || cls == asm.StClass:
		if h.spi >= 0 && slots&(1<<h.spi) != 0 {
			slots &^= 1 << h.spi
			if cls == asm.StXClass {
				regs |= src
			}
		}
	case cls == asm.LdClass:
		regs &^= dst
	case cls.IsJump():
		switch ins.OpCode.JumpOp() {
		case asm.Call:
			regs &^= 1
		case asm.Ja, asm.Exit:
		default:
			if ins.OpCode.Source() == asm.RegSource && regs&(dst|src) != 0 {
				regs |= dst | src
			}
		}
	}
	return regs, slots
}
