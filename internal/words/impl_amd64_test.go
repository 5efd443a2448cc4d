//go:build amd64 && gc && !purego

package words

import "golang.org/x/sys/cpu"

// impls lists the implementations this CPU runs, each with the flag values
// that select it.
func impls() []impl {
	list := []impl{{"purego", func() { setAsm(false, false) }}}
	if cpu.X86.HasAVX2 && cpu.X86.HasPOPCNT {
		list = append(list, impl{"avx2", func() { setAsm(true, false) }})
	}
	if cpu.X86.HasAVX512F && cpu.X86.HasAVX512VPOPCNTDQ {
		list = append(list, impl{"avx512", func() { setAsm(true, true) }})
	}
	return list
}

// saveImpl returns a function that restores the flags as they are now.
func saveImpl() func() {
	a, z := useAsm, useAVX512
	return func() { setAsm(a, z) }
}

// setAsm sets the flags and the thresholds that follow from them.
func setAsm(asm, avx512 bool) {
	useAsm, useAVX512 = asm, avx512
	asmFrom, asmPairFrom, asmSearchFrom, asmCopyFrom = asmThresholds(asm)
}
