package progs

import (
	"maps"
	"strings"
	"testing"

	"github.com/cilium/ebpf/asm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bpfbitmap/prototype/kfuncs"
)

// origin is a set of places a value may have come from, joined over the
// paths that reach an instruction.
type origin uint8

const (
	fromCast   origin = 1 << iota // R0 of bpf_bitmap_cast_to_cpumask
	fromObject                    // a bitmap or bpf_cpumask: create, acquire, kptr_xchg, a kptr load
	fromMap                       // a map value's address
	fromNull                      // the constant 0, or a pointer on its NULL branch
	fromOther
)

type flowState struct {
	regs  [11]origin
	slots map[int16]origin
}

func (s flowState) clone() flowState {
	s.slots = maps.Clone(s.slots)
	return s
}

// join adds o into s and reports whether s grew.
func (s *flowState) join(o flowState) bool {
	grew := false
	for i := range s.regs {
		if n := s.regs[i] | o.regs[i]; n != s.regs[i] {
			s.regs[i], grew = n, true
		}
	}
	for k, v := range o.slots {
		if n := s.slots[k] | v; n != s.slots[k] {
			s.slots[k], grew = n, true
		}
	}
	return grew
}

// callArgs is one kfunc call and the origins of R1..R5 at it.
type callArgs struct {
	insn int
	name string
	args [5]origin
}

// flow runs a forward dataflow over every path of p (a fixpoint, so loops
// and the long programs terminate) and returns each kfunc call's argument
// origins, joined over all paths that reach it.
func flow(t *testing.T, p Program) []callArgs {
	syms, err := p.Insns.SymbolOffsets()
	require.NoError(t, err)
	in := make([]*flowState, len(p.Insns))
	in[0] = &flowState{slots: map[int16]origin{}}
	for i := range in[0].regs {
		in[0].regs[i] = fromOther
	}
	work := []int{0}
	calls := map[int]*callArgs{}
	for len(work) > 0 {
		i := work[len(work)-1]
		work = work[:len(work)-1]
		s := in[i].clone()
		propagate := func(j int, s flowState) {
			require.Less(t, j, len(p.Insns), "%s insn %d falls off the end", p.Name, i)
			if in[j] == nil {
				c := s.clone()
				in[j] = &c
				work = append(work, j)
			} else if in[j].join(s) {
				work = append(work, j)
			}
		}
		ins := p.Insns[i]
		var succ []int
		next := func() { succ = append(succ, i+1) }
		op := ins.OpCode
		switch cls := op.Class(); {
		case ins.IsLoadFromMap():
			s.regs[ins.Dst] = fromOther
			if ins.Src == asm.PseudoMapValue {
				s.regs[ins.Dst] = fromMap
			}
			next()
		case op.IsDWordLoad():
			s.regs[ins.Dst] = fromOther
			next()
		case cls == asm.LdXClass:
			switch {
			case ins.Src == asm.RFP:
				s.regs[ins.Dst] = s.slots[ins.Offset] | 0
				if s.regs[ins.Dst] == 0 {
					s.regs[ins.Dst] = fromOther
				}
			case s.regs[ins.Src]&fromMap != 0 && op.Size() == asm.DWord:
				s.regs[ins.Dst] = fromObject // a kptr
			default:
				s.regs[ins.Dst] = fromOther
			}
			next()
		case cls == asm.StXClass:
			if ins.Dst == asm.RFP {
				s.slots[ins.Offset] = s.regs[ins.Src]
			}
			next()
		case cls == asm.StClass:
			if ins.Dst == asm.RFP {
				s.slots[ins.Offset] = fromOther
			}
			next()
		case cls.IsALU():
			switch {
			case op.ALUOp() == asm.Mov && op.Source() == asm.RegSource:
				s.regs[ins.Dst] = s.regs[ins.Src]
			case op.ALUOp() == asm.Mov && ins.Constant == 0:
				s.regs[ins.Dst] = fromNull
			default:
				s.regs[ins.Dst] = fromOther
			}
			next()
		case cls.IsJump():
			switch op.JumpOp() {
			case asm.Exit:
			case asm.Call:
				r0 := fromOther
				if name, ok := KfuncName(ins); ok {
					c := calls[i]
					if c == nil {
						c = &callArgs{insn: i, name: name}
						calls[i] = c
					}
					for a := range c.args {
						c.args[a] |= s.regs[asm.R1+asm.Register(a)]
					}
					switch name {
					case "bpf_bitmap_cast_to_cpumask":
						r0 = fromCast
					case "bpf_bitmap_create", "bpf_bitmap_acquire", "bpf_cpumask_create", "bpf_cpumask_acquire":
						r0 = fromObject
					}
				} else if asm.BuiltinFunc(ins.Constant) == asm.FnKptrXchg {
					r0 = fromObject
				}
				s.regs[asm.R0] = r0
				for r := asm.R1; r <= asm.R5; r++ {
					s.regs[r] = fromOther
				}
				next()
			case asm.Ja:
				succ = append(succ, syms[ins.Reference()])
			case asm.JEq, asm.JNE:
				if op.Class() != asm.JumpClass || op.Source() != asm.ImmSource || ins.Constant != 0 {
					next()
					succ = append(succ, syms[ins.Reference()])
					break
				}
				// A NULL test: refine the tested register on each side.
				null, nonNull := i+1, syms[ins.Reference()]
				if op.JumpOp() == asm.JEq {
					null, nonNull = nonNull, null
				}
				r := ins.Dst
				if s.regs[r]&^fromNull != 0 {
					ns := s.clone()
					ns.regs[r] &^= fromNull
					propagate(nonNull, ns)
				}
				ns := s.clone()
				ns.regs[r] = fromNull
				propagate(null, ns)
			default:
				next()
				succ = append(succ, syms[ins.Reference()])
			}
		default:
			t.Fatalf("%s insn %d: %v not modelled", p.Name, i, ins)
		}
		for _, j := range succ {
			propagate(j, s)
		}
	}
	var out []callArgs
	for i := range p.Insns {
		if c, ok := calls[i]; ok {
			out = append(out, *c)
		}
	}
	return out
}

// maskParams returns the argument indexes of name that are cpumask
// pointers the generic design passes as casts.
// It is written apart from the builder's takesView on purpose.
func maskParams(t *testing.T, name string) []int {
	row, ok := Lookup(name)
	if !ok || row.Design != kfuncs.DesignShared || !strings.HasPrefix(name, "bpf_cpumask_") {
		return nil
	}
	sig, err := row.Signature()
	require.NoError(t, err)
	var out []int
	for i, p := range sig.Params {
		if p.Kind == kfuncs.ParamStruct && (p.Struct == "cpumask" || p.Struct == "bpf_cpumask") {
			out = append(out, i)
		}
	}
	return out
}

// TestGenericCpumaskArgsAreCasts follows every path of every generic
// program: no cpumask kfunc may receive a bitmap pointer (the fixed
// design's habit, a type confusion in the generic one), and in the
// success programs every cpumask argument must have come from a cast on
// every path that reaches the call (a cast emitted on one branch only
// would leave another path without one). bpf_bitmap_release and
// bpf_bitmap_acquire must get the bitmap, never its cast.
func TestGenericCpumaskArgsAreCasts(t *testing.T) {
	success := map[string]bool{}
	for _, p := range Success(Generic, DefaultTarget) {
		success[p.Name] = true
	}
	programs := append(append(append(Success(Generic, DefaultTarget), Failure(Generic, DefaultTarget)...),
		Throw(Generic, DefaultTarget)...), Overrun(Generic, DefaultTarget)...)
	checked := 0
	for _, p := range append(programs, GenericFailure(DefaultTarget)...) {
		for _, c := range flow(t, p) {
			for _, a := range maskParams(t, c.name) {
				o := c.args[a]
				assert.Zero(t, o&fromObject, "%s insn %d: %s arg%d may be a bitmap (origin %04b)", p.Name, c.insn, c.name, a, o)
				if success[p.Name] {
					assert.Equal(t, fromCast, o&^fromNull, "%s insn %d: %s arg%d not a cast on every path", p.Name, c.insn, c.name, a)
				}
				checked++
			}
			if c.name == "bpf_bitmap_release" || c.name == "bpf_bitmap_acquire" {
				assert.Zero(t, c.args[0]&fromCast, "%s insn %d: %s of a cast", p.Name, c.insn, c.name)
			}
		}
	}
	assert.Greater(t, checked, 100)
}

// TestFixedCpumaskArgsAreObjects is the fixed design's side: the masks a
// program allocates go to the kfuncs as themselves.
func TestFixedCpumaskArgsAreObjects(t *testing.T) {
	for _, p := range Success(Fixed, DefaultTarget) {
		for _, c := range flow(t, p) {
			for _, a := range maskParams(t, c.name) {
				assert.Equal(t, fromObject, c.args[a]&^fromNull, "%s insn %d: %s arg%d", p.Name, c.insn, c.name, a)
			}
		}
	}
}
