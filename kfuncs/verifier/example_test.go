package verifier_test

import (
	"errors"
	"fmt"

	"github.com/cilium/ebpf/asm"

	"github.com/bpfbitmap/prototype/kfuncs/progs"
	"github.com/bpfbitmap/prototype/kfuncs/verifier"
)

// A program that releases a mask twice is rejected with the kernel's
// message, at the second release.
func ExampleVerify() {
	insns := asm.Instructions{
		progs.Call("bpf_cpumask_create"),
		asm.JNE.Imm(asm.R0, 0, "ok"),
		asm.Return(), // R0 is 0 here: the NULL branch
		asm.Mov.Reg(asm.R6, asm.R0).WithSymbol("ok"),
		asm.Mov.Reg(asm.R1, asm.R6),
		progs.Call("bpf_cpumask_release"),
		asm.Mov.Reg(asm.R1, asm.R6),
		progs.Call("bpf_cpumask_release"),
		asm.Mov.Imm(asm.R0, 0),
		asm.Return(),
	}
	_, err := verifier.Verify(insns, verifier.Config{Target: progs.DefaultTarget})
	var ve *verifier.Error
	if errors.As(err, &ve) {
		fmt.Printf("insn %d: %s (%v)\n", ve.Insn, ve.Msg, ve.Errno)
	}
	// Output:
	// insn 7: R1 type=scalar expected=fp (permission denied)
}

// The proposal's cast, NULL-checked, and the UX count the model reports.
func ExampleVerifyProgram() {
	b := asm.Instructions{
		asm.Mov.Imm(asm.R1, int32(progs.DefaultTarget.NrCPUIDs)),
		progs.Call("bpf_bitmap_create"),
		asm.JNE.Imm(asm.R0, 0, "created"),
		asm.Return(),
		asm.Mov.Reg(asm.R6, asm.R0).WithSymbol("created"),
		asm.Mov.Reg(asm.R1, asm.R6),
		progs.Call("bpf_bitmap_cast_to_cpumask"),
		asm.JNE.Imm(asm.R0, 0, "cast"),
		asm.Mov.Reg(asm.R1, asm.R6),
		progs.Call("bpf_bitmap_release"),
		asm.Mov.Imm(asm.R0, 0),
		asm.Return(),
		asm.Mov.Reg(asm.R2, asm.R0).WithSymbol("cast"),
		asm.Mov.Imm(asm.R1, 1),
		progs.Call("bpf_cpumask_set_cpu"),
		asm.Mov.Reg(asm.R1, asm.R6),
		progs.Call("bpf_bitmap_release"),
		asm.Mov.Imm(asm.R0, 0),
		asm.Return(),
	}
	p := progs.Program{Name: "cast_checked", Design: progs.Generic, Insns: b}
	res, err := verifier.VerifyProgram(p, progs.DefaultTarget, false)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("accepted: %d kfunc calls, %d NULL checks, %d insns processed\n",
		res.Stats.KfuncCalls, res.Stats.NullChecks, res.Stats.Processed)
	// Output:
	// accepted: 5 kfunc calls, 2 NULL checks, 19 insns processed
}
