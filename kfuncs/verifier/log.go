package verifier

import (
	"fmt"
	"strings"

	"github.com/cilium/ebpf/asm"

	"github.com/bpfbitmap/prototype/kfuncs/progs"
)

var aluOps = map[asm.ALUOp]string{
	asm.Add: "+=", asm.Sub: "-=", asm.Mul: "*=", asm.Div: "/=", asm.Or: "|=", asm.And: "&=",
	asm.LSh: "<<=", asm.RSh: ">>=", asm.Mod: "%=", asm.Xor: "^=", asm.Mov: "=", asm.ArSh: "s>>=",
}

var jmpOps = map[asm.JumpOp]string{
	asm.JEq: "==", asm.JGT: ">", asm.JGE: ">=", asm.JSet: "&", asm.JNE: "!=", asm.JSGT: "s>",
	asm.JSGE: "s>=", asm.JLT: "<", asm.JLE: "<=", asm.JSLT: "s<", asm.JSLE: "s<=",
}

var sizeNames = map[asm.Size]string{asm.Byte: "u8", asm.Half: "u16", asm.Word: "u32", asm.DWord: "u64"}

// disasm prints an instruction as print_bpf_insn (kernel/bpf/disasm.c)
// does, for the instructions the model handles. Kfunc calls print their
// name with #0: the BTF id belongs to a running kernel.
func disasm(ins *asm.Instruction, target, pc int) string {
	cls := ins.OpCode.Class()
	reg := func(r asm.Register, w32 bool) string {
		if w32 {
			return fmt.Sprintf("w%d", r)
		}
		return fmt.Sprintf("r%d", r)
	}
	switch {
	case cls.IsALU():
		w32 := cls == asm.ALUClass
		src := fmt.Sprintf("%d", int32(ins.Constant))
		if ins.OpCode.Source() == asm.RegSource {
			src = reg(ins.Src, w32)
		}
		return fmt.Sprintf("%s %s %s", reg(ins.Dst, w32), aluOps[ins.OpCode.ALUOp()], src)
	case cls == asm.LdXClass:
		return fmt.Sprintf("r%d = *(%s *)(r%d %+d)", ins.Dst, sizeNames[ins.OpCode.Size()], ins.Src, ins.Offset)
	case cls == asm.StXClass:
		return fmt.Sprintf("*(%s *)(r%d %+d) = r%d", sizeNames[ins.OpCode.Size()], ins.Dst, ins.Offset, ins.Src)
	case cls == asm.StClass:
		return fmt.Sprintf("*(%s *)(r%d %+d) = %d", sizeNames[ins.OpCode.Size()], ins.Dst, ins.Offset, int32(ins.Constant))
	case cls == asm.LdClass:
		if ins.Src == asm.PseudoMapFD || ins.Src == asm.PseudoMapValue {
			return fmt.Sprintf("r%d = map[%s]+%d", ins.Dst, ins.Reference(), uint64(ins.Constant)>>32)
		}
		return fmt.Sprintf("r%d = %#x", ins.Dst, uint64(ins.Constant))
	case cls.IsJump():
		switch op := ins.OpCode.JumpOp(); op {
		case asm.Exit:
			return "exit"
		case asm.Call:
			if name, ok := progs.KfuncName(*ins); ok {
				return fmt.Sprintf("call %s#0", name)
			}
			return fmt.Sprintf("call %s#%d", helperName(asm.BuiltinFunc(ins.Constant)), ins.Constant)
		case asm.Ja:
			return fmt.Sprintf("goto pc%+d", target-pc-1)
		default:
			w32 := cls == asm.Jump32Class
			src := fmt.Sprintf("%#x", uint32(ins.Constant))
			if ins.OpCode.Source() == asm.RegSource {
				src = reg(ins.Src, w32)
			}
			return fmt.Sprintf("if %s %s %s goto pc%+d", reg(ins.Dst, w32), jmpOps[op], src, target-pc-1)
		}
	}
	return fmt.Sprint(*ins)
}

// Disasm prints insns one per line as the kernel's verifier log prints
// them, "N: (op) text", with kfunc calls named and jump offsets resolved.
func Disasm(insns asm.Instructions) (string, error) {
	p, err := loadProgram(insns, Config{})
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for i := range p.code {
		if p.valid[i] {
			fmt.Fprintf(&b, "%d: (%02x) %s\n", i, uint8(p.code[i].OpCode), disasm(&p.code[i], p.targets[i], i))
		}
	}
	return b.String(), nil
}

// vlog is the level-1 verifier log as kernel/bpf/log.c writes it: each
// instruction, then after it the registers and stack slots it touched
// (print_insn_state); a popped branch truncates the log to where it was
// pushed (pop_stack), which glues the resumed path's state to the jump's
// line as in the kernel's logs.
type vlog struct {
	buf              []byte
	prevLogPos       int
	prevInsnPrintPos int
	regs             uint16 // scratched registers
	slots            uint64 // scratched stack slots
}

func (l *vlog) printf(format string, args ...any) { l.buf = fmt.Appendf(l.buf, format, args...) }

func (l *vlog) scratched() bool { return l.regs != 0 || l.slots != 0 }

func (e *env) scratchReg(r asm.Register) {
	if e.log != nil {
		e.log.regs |= 1 << r
	}
}

func (e *env) scratchSlot(spi int) {
	if e.log != nil {
		e.log.slots |= 1 << spi
	}
}

func (e *env) scratchAll() {
	if e.log != nil {
		e.log.regs, e.log.slots = 1<<11-1, ^uint64(0)
	}
}

// vlogAlignment is vlog_alignment: the column of the state's ';'.
func vlogAlignment(pos int) int { return (max(pos+4, 40)+7)/8*8 - pos - 1 }

// printInsnState is print_insn_state.
func (e *env) printInsnState(st *state) {
	l := e.log
	if l.prevLogPos != 0 && l.prevLogPos == len(l.buf) {
		l.buf = l.buf[:l.prevLogPos-1]
		l.printf("%*c;", vlogAlignment(l.prevInsnPrintPos), ' ')
	} else {
		l.printf("%d:", st.pc)
	}
	for i := range st.regs {
		if st.regs[i].typ != notInit && l.regs&(1<<i) != 0 {
			l.printf(" R%d=%s", i, st.regs[i].String())
		}
	}
	for i := range st.stack {
		s := &st.stack[i]
		if l.slots&(1<<i) == 0 || s.types == [8]byte{} {
			continue
		}
		chars := make([]byte, 0, 8)
		for _, t := range s.types {
			chars = append(chars, "?rm0i"[t])
		}
		switch s.types[7] {
		case stackSpill:
			j := 0
			for j < 8 && s.types[j] != stackSpill {
				j++
			}
			l.printf(" fp%d=%s%s", -8*(i+1), chars[:j], s.spilled.String())
		case stackIter:
			state := "active"
			if s.spilled.iterState == iterDrained {
				state = "drained"
			}
			l.printf(" fp%d=iter_num(ref_id=%d,state=%s,depth=%d)", -8*(i+1), s.spilled.refObjID, state, s.spilled.iterDepth)
		default:
			l.printf(" fp%d=%s", -8*(i+1), chars)
		}
	}
	if len(st.refs) > 0 {
		l.printf(" refs=%d", st.refs[0].id)
		for _, r := range st.refs[1:] {
			l.printf(",%d", r.id)
		}
	}
	l.printf("\n")
	l.regs, l.slots = 0, 0
}

// helperName is the kernel's name of a helper, "bpf_kptr_xchg" for
// asm.FnKptrXchg.
func helperName(fn asm.BuiltinFunc) string {
	var b strings.Builder
	b.WriteString("bpf")
	for _, c := range strings.TrimPrefix(fn.String(), "Fn") {
		if c >= 'A' && c <= 'Z' {
			b.WriteByte('_')
			c += 'a' - 'A'
		}
		b.WriteRune(c)
	}
	return b.String()
}
