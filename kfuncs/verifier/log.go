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
			return fmt.Sprintf("call %v#%d", asm.BuiltinFunc(ins.Constant), ins.Constant)
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
